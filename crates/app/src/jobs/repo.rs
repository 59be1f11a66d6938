//! The runner's SQL: the `jobs` table, and the due query over `deadlines`.

use proofless_domain::deadline::DeadlineState;
use proofless_store::{Exec, Query, q};
use serde::Deserialize;

use super::registry::Outcome;
use super::runner::NewJob;
use crate::error::AppResult;

/// Items claimed per transaction.
pub const BATCH: i64 = 500;

/// The due query of deadlines in `state` (`open`, or `suspended` with a statutory limit
/// running), without its arguments `(now, limit)`: the runner's second durable queue, an
/// index range scan of `deadlines(state, due_at)`, claimed with `SKIP LOCKED`.
pub fn due_query_in(state: DeadlineState) -> Query {
    q(format!(
        "SELECT d.id, d.org_id, o.name AS org_name, d.subject_type, d.subject_id, d.due_at, d.calendar_version \
        FROM deadlines d JOIN orgs o ON o.id = d.org_id \
        WHERE d.state = '{}' AND d.due_at <= ? ORDER BY d.due_at LIMIT ?",
        state.as_str()
    ))
    .skip_locked("d")
}

/// The due query as run by the runner, with its arguments (for the benchmark's query plans).
pub fn due_query(now_ms: i64) -> Query {
    due_query_in(DeadlineState::Open).bind(now_ms).bind(BATCH)
}

/// Inserts jobs with distinct keys in one statement; a job already there is only moved to
/// the new `run_at` while it has had no effect (pending or skipped).
pub(crate) async fn insert_jobs(
    ex: &mut impl Exec,
    jobs: &[NewJob<'_>],
    now_ms: i64,
) -> AppResult<()> {
    if jobs.is_empty() {
        return Ok(());
    }
    let mut stmt = Query::new(
        "INSERT INTO jobs (kind, unique_key, run_at, payload, state, created_at) VALUES",
    );
    for (i, j) in jobs.iter().enumerate() {
        stmt.push_sql(if i == 0 {
            " (?, ?, ?, ?, 'pending', ?)"
        } else {
            ", (?, ?, ?, ?, 'pending', ?)"
        });
        stmt.push_arg(j.kind);
        stmt.push_arg(j.unique_key.as_str());
        stmt.push_arg(j.run_at);
        stmt.push_arg(j.payload.to_string());
        stmt.push_arg(now_ms);
    }
    stmt.push_sql(
        " ON CONFLICT (unique_key) DO UPDATE SET run_at = excluded.run_at, state = 'pending' \
         WHERE jobs.state IN ('pending', 'skipped')",
    );
    ex.execute(stmt).await?;
    Ok(())
}

/// Inserts a job unless its key is already there, in whatever state.
pub(crate) async fn insert_job_once(
    ex: &mut impl Exec,
    job: &NewJob<'_>,
    now_ms: i64,
) -> AppResult<()> {
    ex.execute(
        q("INSERT INTO jobs (kind, unique_key, run_at, payload, state, created_at) VALUES (?, ?, ?, ?, 'pending', ?) \
           ON CONFLICT (unique_key) DO NOTHING")
        .bind(job.kind)
        .bind(job.unique_key.as_str())
        .bind(job.run_at)
        .bind(job.payload.to_string())
        .bind(now_ms),
    )
    .await?;
    Ok(())
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct JobRow {
    pub id: i64,
    pub kind: String,
    pub unique_key: String,
    pub payload: String,
    pub attempts: i64,
}

/// Up to [`BATCH`] pending jobs due at `now`, oldest first.
fn due_query_of_jobs(now: i64) -> Query {
    q("SELECT id, kind, unique_key, payload, attempts FROM jobs \
       WHERE state = 'pending' AND run_at <= ? ORDER BY run_at LIMIT ?")
    .bind(now)
    .bind(BATCH)
}

/// Claims up to [`BATCH`] pending jobs due at `now`.
pub(crate) async fn claim(ex: &mut impl Exec, now: i64) -> AppResult<Vec<JobRow>> {
    Ok(ex.fetch_all(due_query_of_jobs(now).skip_locked("")).await?)
}

/// The jobs [`claim`] would take now, read without claiming (for their preparers).
pub(crate) async fn due(ex: &mut impl Exec, now: i64) -> AppResult<Vec<JobRow>> {
    Ok(ex.fetch_all(due_query_of_jobs(now)).await?)
}

/// Marks a claimed job `done` or `skipped`.
pub(crate) async fn finish(
    ex: &mut impl Exec,
    id: i64,
    outcome: Outcome,
    runner: &str,
    now: i64,
) -> AppResult<()> {
    let state = match outcome {
        Outcome::Done => "done",
        Outcome::Skipped => "skipped",
    };
    ex.execute(
        q("UPDATE jobs SET state = ?, done_at = ?, attempts = attempts + 1, locked_by = ?, locked_until = NULL \
           WHERE id = ? AND state = 'pending'")
        .bind(state)
        .bind(now)
        .bind(runner)
        .bind(id),
    )
    .await?;
    Ok(())
}

/// Records a failed attempt: retried at `run_at` (`pending`) or given up (`failed`).
pub(crate) async fn fail(
    ex: &mut impl Exec,
    id: i64,
    error: &str,
    state: &str,
    run_at: i64,
    runner: &str,
) -> AppResult<()> {
    ex.execute(
        q("UPDATE jobs SET attempts = attempts + 1, last_error = ?, state = ?, run_at = ?, locked_by = ? WHERE id = ?")
            .bind(error)
            .bind(state)
            .bind(run_at)
            .bind(runner)
            .bind(id),
    )
    .await?;
    Ok(())
}

/// How many jobs are due and not run, and the `run_at` of the oldest (for `/healthz`; a
/// range of the `jobs(state, run_at)` index).
pub(crate) async fn due_jobs(ex: &mut impl Exec, now_ms: i64) -> AppResult<(i64, Option<i64>)> {
    let row: (i64, Option<i64>) = ex
        .fetch_one(
            q("SELECT COUNT(*), MIN(run_at) FROM jobs WHERE state = 'pending' AND run_at <= ?")
                .bind(now_ms),
        )
        .await?;
    Ok(row)
}
