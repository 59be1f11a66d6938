//! The audit log: append-only, every write and every read of personal data, each row
//! chained to the previous one with SM3 (DESIGN "Trust"; A2 §12 for reads of personal
//! data). A foundation module: every workflow appends here, it uses no workflow.

mod repo;
mod row;
mod service;

pub use row::{AuditRow, Entry, GENESIS};
pub use service::{
    AuditQuery, VerifyReport, about_subject_by_others, append, append_many, list, record_read,
    verify,
};
