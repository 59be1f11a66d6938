//! Complaints (投诉举报, annex 4; SPEC R8.1–R8.9; issue #20).
//!
//! - Intake (`intake.rs`, A4 §3, §5–§7): the receivers' staff form, the public form (no
//!   login or as a portal user, with a receipt number), and the 12345 work-order API
//!   (idempotent by work-order number). Registration opens the 1-working-day acceptance
//!   deadline (`complaint.acceptance`).
//! - Acceptance (`handling.rs`, A4 §8–§9): accepted (handling unit assigned, the
//!   5-working-day `complaint.handling` deadline opened) or not, with a ground the
//!   complainant is told; a likely duplicate is linked to the first receiver's complaint
//!   and follows its result.
//! - Handling (`handling.rs`, `result.rs`, A4 §10–§11): extension applied for with reasons
//!   and approved by the receiver within the engine's cap; termination; the result with a
//!   sealed notice, satisfaction, one reopening after 不满意; an upheld complaint records a
//!   violation for accountability (A5 §4).
//! - Reading (`view.rs`): the complainant masked to the agency complained about unless
//!   handling needs it, every read of the identity audited; receivers share read-only.
//! - Figures (`figures.rs`, A4 §12–§13): aggregates kept by every act; the 12345 assessment.
//! - The 12345 callback (`hotline.rs`): results pushed, signed with HMAC-SM3, retried.

pub mod figures;
pub mod handling;
pub mod hotline;
pub mod input;
pub mod intake;
mod repo;
pub mod result;
pub mod settings;
pub mod view;

pub use input::{
    AcceptInput, ExtensionDecision, ExtensionInput, FigureQuery, HotlineLinkInput, LinkInput,
    ListFilter, PublicInput, RegisterInput, RejectInput, ResultInput, SatisfactionInput,
    TerminateInput, TrackInput, WorkOrderInput,
};
pub use repo::{Complaint, Duplicate, ExtensionRow, FigureRow};

/// Rebuilds the single-dimension figures from the detailed ones (after a bulk load).
pub async fn rebuild_rollup(app: &crate::App) -> crate::error::AppResult<()> {
    let mut tx = app.db.begin().await?;
    repo::rebuild_rollup(&mut tx).await?;
    tx.commit().await?;
    Ok(())
}
