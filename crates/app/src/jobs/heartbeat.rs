//! The runner's pulse, for `/healthz` (issue #22 §8): what this process's runner last
//! did, and the queue as the database has it. Cheap: two atomics and two index lookups.

use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};

use proofless_store::q;
use serde::Serialize;

use super::repo;
use crate::App;
use crate::error::AppResult;

/// Kept in [`App`]; written by [`super::spawn`] after every pass.
#[derive(Debug, Default)]
pub struct Heartbeat {
    /// The pause between passes in milliseconds; 0 while no runner was started here.
    every_ms: AtomicI64,
    /// When the last pass ended (app clock); 0 before the first.
    last_pass_ms: AtomicI64,
    /// Whether that pass succeeded.
    last_ok: AtomicBool,
}

impl Heartbeat {
    pub(crate) fn started(&self, every_ms: i64) {
        self.every_ms.store(every_ms.max(1), Ordering::Relaxed);
    }

    pub(crate) fn passed(&self, now_ms: i64, ok: bool) {
        self.last_ok.store(ok, Ordering::Relaxed);
        self.last_pass_ms.store(now_ms, Ordering::Relaxed);
    }
}

/// The runner's state as `/healthz` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RunnerState {
    /// Its last pass succeeded, recently enough.
    Running,
    /// Started, no pass finished yet.
    Starting,
    /// Its last pass failed (it retries at the next one).
    Failing,
    /// No pass for three intervals and a minute: stuck or starved.
    Stalled,
    /// This process runs no runner (e.g. a command, or a test server).
    NotRunning,
}

/// What `/healthz` says about the jobs.
#[derive(Debug, Clone, Serialize)]
pub struct JobsHealth {
    pub state: RunnerState,
    /// When the last pass ended, milliseconds since the epoch.
    pub last_pass_ms: Option<i64>,
    /// Jobs due now and not yet run.
    pub due: i64,
    /// How long the oldest of them has waited, in seconds.
    pub oldest_due_seconds: Option<i64>,
    /// Jobs given up after their last attempt.
    pub failed: i64,
}

/// The runner of this process and the jobs queue; fails only if the database does.
pub async fn health(app: &App) -> AppResult<JobsHealth> {
    let now = app.now_ms();
    let beat = &app.runner;
    let every = beat.every_ms.load(Ordering::Relaxed);
    let last = beat.last_pass_ms.load(Ordering::Relaxed);
    let state = if every == 0 {
        RunnerState::NotRunning
    } else if last == 0 {
        RunnerState::Starting
    } else if now - last > 3 * every + 60_000 {
        RunnerState::Stalled
    } else if !beat.last_ok.load(Ordering::Relaxed) {
        RunnerState::Failing
    } else {
        RunnerState::Running
    };
    let (due, oldest) = repo::due_jobs(&mut app.db.reader(), now).await?;
    let failed = app
        .db
        .reader()
        .scalar_i64(q("SELECT COUNT(*) FROM jobs WHERE state = 'failed'"))
        .await?;
    Ok(JobsHealth {
        state,
        last_pass_ms: (last > 0).then_some(last),
        due,
        oldest_due_seconds: oldest.map(|t| ((now - t) / 1000).max(0)),
        failed,
    })
}
