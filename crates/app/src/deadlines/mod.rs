//! Deadlines (issue #4, DESIGN "Deadlines"): every deadline is a record — what started it,
//! the rule version, the period, suspensions and extensions — and its due instant is always
//! recomputed from that record with the effective calendar and office hours, never edited
//! (SPEC "Working days"; A2 §7 for verifications, A4 §10 for complaints, A3 §9 for list
//! adjustments). The cached `due_at` column only serves the due query
//! (`state = 'open' AND due_at <= now`, an index range scan) and is rewritten by
//! [`recompute_in`] after every change.
//!
//! A foundation of the workflows: they open, suspend, resume and complete their deadlines
//! through the typed functions here (a `DateTime<Utc>`, a `Period`, a `RuleKey`). It uses the
//! runner only to enqueue; its reminder and escalation are registered with the runner at
//! start-up (`jobs.rs`).

mod compute;
mod input;
mod jobs;
mod lists;
mod open;
mod records;
mod repo;
mod rules;
mod service;

pub use compute::{
    REMINDER_SHARES, Recomputed, lateness, recompute, record_of, reminder_at, rfc3339, to_utc,
};
pub use input::{
    ExtendDeadline, ExtendInput, MAX_REASON_CHARS, MAX_REF_CHARS, NewDeadline, NewRuleVersion,
    OpenInput, RuleInput, SuspendInput, parse_statutory_limit,
};
pub use jobs::{KIND_REMINDER, escalate_due, escalation_sweep, reminder_job};
pub use lists::{due_soon, overdue, scope_for};
pub use open::{Planned, open, open_in, open_planned_in, plan};
pub use records::{
    Deadline, DeadlineView, DueItem, ExtensionRow, Lateness, Opened, RuleVersion, Scope,
    SuspensionRow,
};
pub use rules::{add_rule_version, rules, seed_rules};
pub use service::{
    complete, complete_in, extend, extend_by, extend_in, get, recompute_in, recompute_open, resume,
    resume_in, suspend, suspend_in,
};
