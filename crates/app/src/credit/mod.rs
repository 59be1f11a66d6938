//! Credit records, the false-commitment blacklist with its due process, credit repair and
//! the feed to the city credit platform 信用淄博 (SPEC R4.4, R4.8; P 三(四)3; issue #6 §6).
//!
//! Each subject has one `credit_subjects` row holding the status the eligibility and plan
//! rules read; it changes only together with an appended credit record, in one transaction,
//! so eligibility is one primary-key lookup however many records there are.
//!
//! `input.rs` parses what arrives, `repo.rs` holds the SQL; the use cases are `records`
//! (status, records, a subject's credit), `blacklist` (proposal, objection, decision — the
//! objection-end job), `repair` and `feed`.

pub mod blacklist;
pub mod feed;
pub mod input;
mod records;
pub mod repair;
mod repo;
pub mod settings;

pub use input::{
    DecisionInput, ObjectionInput, ProposalFilter, PushInput, RecordFilter, RepairDecision,
    RepairRequest,
};
pub use records::{
    NewRecord, SubjectCredit, add_record_in, level_now, portal_owns, records, split_ref, status,
    status_in, subject_credit, subject_name_in,
};
pub use repo::{BlacklistEntry, CreditRecord, ExportRow, Proposal, Repair};
