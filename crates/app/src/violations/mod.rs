//! Violation records (问责线索, A5 §4, P 四(三)): the one place where workflows leave the
//! facts that may call for accountability — a proof demanded outside the list (cases,
//! SPEC R6.1), an upheld complaint (A4 §11), a late list adjustment (A3 §4), an overdue
//! verification (A2 §7), a late commitment check (R4.4). The accountability workflow reads
//! them; the workflows that record them know nothing of accountability.
//!
//! Recording is idempotent per (source, source_ref, kind), inside the caller's transaction.

mod repo;
mod service;

pub use service::*;
