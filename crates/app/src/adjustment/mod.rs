//! List adjustment (动态调整, annex 3; SPEC R7): a unit applies to add, change or cancel list
//! content with its grounds (A3 §6–§8, versioned settings) within 7 working days of the
//! triggering event (A3 §9, the deadline engine; late filing recorded and left as a
//! violation record, A3 §4); the joint office reviews — supplement, return, approve — with
//! the justice bureau's legal review for an added or changed proof (A3 §3, §10), and may
//! start an adjustment itself (A3 §11); an approval takes effect at once on the public item
//! and is gathered into the next list version, published in principle every half year
//! (A3 §5). Until publication the item shows "调整中" with its interim method; a cancelled
//! item stays findable as "已取消，无需提交". The public comments and suggests (A3 §12); the
//! demand radar and the synonyms help the joint office see what citizens look for.
//!
//! `input` parses; `repo` holds the SQL; the use cases are `apply` (filing, attachments,
//! recorded events, missing filings), `review`, `publication` (public marks, gathering,
//! half-year rhythm), `voice` (comments), `radar` (misses, synonyms, the public search
//! with both) and `figures`.

pub mod apply;
pub mod figures;
pub mod input;
pub mod publication;
pub mod radar;
mod repo;
pub mod review;
pub mod settings;
pub mod voice;

pub use crate::catalogue::synonyms::{Synonym, SynonymInput};
pub use input::{
    ApplicationInput, CommentInput, EventInput, ModerationInput, SupplementRequest, TextInput,
};
pub use publication::{ListRhythm, PublicMark};
pub use radar::Radar;
pub use repo::{
    Adjustment, Attachment, Comment, DemandedProof, Event, ListPublication, Miss, UnitFigures,
};

/// The sweep of each runner pass: missing filings recorded, approved adjustments gathered
/// into published versions, the half-year reminder.
pub fn sweep<'a>(app: &'a crate::App, _runner: &'a str) -> crate::jobs::BoxFuture<'a, usize> {
    Box::pin(async move {
        let a = apply::record_missing_filings(app).await?;
        let b = publication::rhythm_sweep(app).await?;
        Ok(a + b)
    })
}
