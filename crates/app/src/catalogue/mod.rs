//! The proof catalogue (SPEC R1, R2): unit admins draft service items and proof items for
//! their own unit; the justice bureau reviews each item; the joint office prepares the
//! county's and each town's exemption list; the county government approves it with a
//! document number; the joint office publishes it as an immutable, numbered version.
//! The public reads the current versions through an in-memory search index.
//!
//! `input` parses what arrives into typed drafts; `repo` holds every query; `draft`
//! (drafting and submitting items), `review` (R1.4), `lists` (R2.2: prepare, approve,
//! publish), `services`, `import` (issue #3 §7; real county lists, SPEC "Real lists") and
//! `public` (the search) are the use cases; `items` reads items as staff see them; `settings`
//! holds the trial-period settings (the legal-basis kinds that stand alone, the import's
//! header names).
//!
//! A retained item is refused at review, preparation and publication when no service item
//! uses it (R1.2, 优化营商环境条例 §44) or when deficiency acceptance is its only replacement
//! (P 三(二)3).

pub mod amendments;
pub mod draft;
pub mod feeds;
pub mod import;
pub mod input;
pub mod items;
pub mod lists;
pub mod public;
mod repo;
pub mod review;
pub mod services;
pub mod settings;
pub mod synonyms;
pub mod xlsx;

pub use public::PublicCatalogue;

/// Who drafts proof and service items. The API checks it again before it parses a body, so a
/// caller without the role gets 403 and learns nothing from validation errors.
pub const EDITORS: [proofless_domain::role::Role; 3] = [
    proofless_domain::role::Role::UnitAdmin,
    proofless_domain::role::Role::JointOffice,
    proofless_domain::role::Role::SystemAdmin,
];

use proofless_domain::role::Role;

use crate::actor::Actor;
use crate::error::{AppError, AppResult};

/// Who may edit a unit's catalogue entries: its unit admin, or the joint office (which may
/// start adjustments itself, A3 §11).
pub(crate) fn require_unit_editor(actor: &Actor, org_id: i64) -> AppResult<()> {
    actor.require_any(&EDITORS)?;
    if actor.has(Role::JointOffice) {
        return Ok(());
    }
    actor.require_org(org_id)
}

/// Clean free text: trimmed, bounded, control characters refused (newlines and tabs allowed).
pub(crate) fn clean_text(raw: &str, max: usize) -> Result<String, String> {
    let s = raw.trim();
    if s.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
    {
        return Err("含有不可见的控制字符".to_owned());
    }
    let n = s.chars().count();
    if n > max {
        return Err(format!("过长：{n} 个字符，最多 {max} 个"));
    }
    Ok(s.to_owned())
}

pub(crate) fn not_found(what: &str, id: i64) -> AppError {
    AppError::NotFound(format!("{what} {id}"))
}
