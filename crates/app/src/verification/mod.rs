//! Inter-unit verification (部门核验, issue #5, SPEC R5, annex 2).
//!
//! The requesting unit's liaison or proxy agent sends a request for a subject, a proof item
//! of the published list with a verification method, the facts as the applicant stated
//! them, the case it serves and the purpose (A2 §5, SPEC R5.1). It lands registered in the
//! issuer's inbox with its deadline running in the deadline engine (A2 §7, SPEC R5.3); the
//! issuer answers under seal, reclassifies or returns it. Overdue requests are reported to
//! the joint office, by one action or automatically after a grace period, which orders the
//! issuer to finish and may record a request to summon those responsible (A2 §11, SPEC
//! R5.7). Every read is audited with the case and the purpose, so the citizen sees who
//! looked at their data and why (A2 §12, SPEC R5.9). While a case waits on a request its
//! assessment clock stops (A2 §7, SPEC R5.4).
//!
//! Domain rules (state machine, class mapping, who may act) live in
//! `proofless_domain::verification`.
//!
//! `input` parses the raw inputs into commands, `repo` holds the SQL, `records` what is
//! read; the use cases are `send`, `reply` (the issuer's side), `escalation` (overdue),
//! `ledger`, `offline`, `list`, `templates`; `jobs` the background work; `case_clock` the
//! hook into the case's assessment clock.

use proofless_domain::catalogue::ReplacementMethod;

mod access;
mod at_rest;
mod case_clock;
mod deadline;
mod escalation;
mod input;
mod jobs;
mod ledger;
mod list;
mod notify;
mod offline;
mod records;
mod reply;
pub(crate) mod repo;
mod send;
pub mod settings;
mod templates;

pub use deadline::grace_minutes;
pub use escalation::{order, report, summon};
pub use input::*;
pub use jobs::{
    KIND_AUTO_REPORT, KIND_HALF_TIME, follow_grace_version, run_job, set_grace_minutes,
};
pub use ledger::{LedgerPage, ledger, record_ledger};
pub use list::*;
pub use offline::record_offline;
pub use records::*;
pub use reply::{answer, reclassify, return_request};
pub use send::{get, send};
pub use templates::{TemplateCommand, TemplateInput, set_template, template};

/// The catalogue's replacement method a request is asked under.
const VERIFICATION_METHOD: ReplacementMethod = ReplacementMethod::Verification;

/// Display number of a verification.
pub fn number(id: i64) -> String {
    format!("HY{id:08}")
}
