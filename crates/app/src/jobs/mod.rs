//! The durable jobs runner (issue #4 "Engine"), started by `proofless serve`. It knows no
//! workflow: each one registers its job kinds and its periodic sweeps in a [`Registry`] at
//! start-up (the `workflows` module), and the runner calls them.
//!
//! - **Sweeps** run by every pass: first those that prepare it (reload shared data another
//!   instance changed, enqueue periodic jobs), then those that escalate what fell due (the
//!   deadlines' due query `state = 'open' AND due_at <= now`, an index range scan, is itself
//!   a durable queue: see [`due_query`]).
//! - **Jobs** in the `jobs` table (reminders, automatic reports, sampling…): claimed, run by
//!   their kind's handler and marked done in one transaction. `unique_key` makes enqueueing
//!   idempotent, so a job is never enqueued twice.
//!
//! Claims use `FOR UPDATE SKIP LOCKED` on PostgreSQL ([`proofless_store::Query::skip_locked`]),
//! so several `proofless serve` instances share the work and each item is handled exactly
//! once; on SQLite every write transaction starts with `BEGIN IMMEDIATE`, which serialises
//! runners. Each state change is also guarded (`WHERE state = 'pending'`), so even an
//! unexpected second claim has no second effect. After downtime the first pass at start-up
//! catches up on everything that fell due.

mod heartbeat;
mod registry;
mod repo;
mod runner;

pub use heartbeat::{Heartbeat, JobsHealth, RunnerState, health};
pub use registry::{
    BoxFuture, Handler, Job, Outcome, Prepared, Preparer, Registry, Stage, Sweep, SweepFn,
};
pub use repo::{BATCH, due_query, due_query_in};
pub use runner::{
    NewJob, RunReport, enqueue_in, enqueue_many_in, enqueue_once_in, escalate_due, run_due_jobs,
    run_once, spawn,
};
