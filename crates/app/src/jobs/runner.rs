//! Enqueueing, and the passes of the runner.

use std::time::Duration;

use proofless_store::Tx;
use serde_json::Value as Json;

use std::collections::HashMap;

use super::registry::{Job, Outcome, Prepared, Preparer, Stage};
use super::repo;
use crate::App;
use crate::error::{AppError, AppResult};

const MAX_ATTEMPTS: i64 = 5;

/// A job to enqueue.
pub struct NewJob<'a> {
    pub kind: &'a str,
    pub unique_key: String,
    pub run_at: i64,
    pub payload: Json,
}

/// Enqueues a job inside `tx`. Idempotent on `unique_key`: a job already there is only
/// moved to the new `run_at` while it has had no effect (pending or skipped).
pub async fn enqueue_in(
    tx: &mut Tx,
    kind: &str,
    unique_key: &str,
    run_at: i64,
    payload: &Json,
    now_ms: i64,
) -> AppResult<()> {
    let job = NewJob {
        kind,
        unique_key: unique_key.to_owned(),
        run_at,
        payload: payload.clone(),
    };
    enqueue_many_in(tx, &[job], now_ms).await
}

/// [`enqueue_in`] for several jobs with distinct keys, in one statement.
pub async fn enqueue_many_in(tx: &mut Tx, jobs: &[NewJob<'_>], now_ms: i64) -> AppResult<()> {
    repo::insert_jobs(tx, jobs, now_ms).await
}

/// Enqueues a job unless its key was ever enqueued (a periodic reminder stays as it was
/// first planned, even once done).
pub async fn enqueue_once_in(tx: &mut Tx, job: &NewJob<'_>, now_ms: i64) -> AppResult<()> {
    repo::insert_job_once(tx, job, now_ms).await
}

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunReport {
    pub escalated: usize,
    pub jobs_done: usize,
    pub jobs_skipped: usize,
    pub jobs_failed: usize,
}

/// Runs the escalating sweeps (every deadline that fell due turns overdue); returns how many
/// items they escalated.
pub async fn escalate_due(app: &App, runner: &str) -> AppResult<usize> {
    let mut total = 0;
    for s in app.jobs.sweeps(Stage::Escalate) {
        total += (s.run)(app, runner).await?;
    }
    Ok(total)
}

/// Runs one job's effect inside the claiming transaction, by its kind's handler.
async fn run_job(tx: &mut Tx, app: &App, job: &Job) -> AppResult<Outcome> {
    let Some(handler) = app.jobs.handler(&job.kind) else {
        return Err(AppError::Internal(format!("未知任务类型 {}", job.kind)));
    };
    handler(tx, app, job).await
}

fn job_of(row: repo::JobRow, now: i64) -> AppResult<Job> {
    let payload = serde_json::from_str(&row.payload)
        .map_err(|e| AppError::Internal(format!("任务参数无效：{e}")))?;
    Ok(Job {
        id: row.id,
        kind: row.kind,
        unique_key: row.unique_key,
        payload,
        attempts: row.attempts,
        now,
        prepared: None,
    })
}

/// Runs the preparers of the jobs due now, one after another, outside any transaction. A
/// failed preparation is left to the handler, which then does the work itself (and reports
/// the failure if it repeats).
async fn prepare_due(app: &App, now: i64) -> AppResult<HashMap<i64, Prepared>> {
    let mut out = HashMap::new();
    if !app.jobs.has_preparers() {
        return Ok(out);
    }
    let rows = repo::due(&mut app.db.reader(), now).await?;
    let jobs: Vec<(Preparer, Job)> = rows
        .into_iter()
        .filter_map(|r| {
            let p = app.jobs.preparer(&r.kind)?;
            job_of(r, now).ok().map(|j| (p, j))
        })
        .collect();
    for (p, j) in &jobs {
        match p(app, j).await {
            Ok(v) => {
                out.insert(j.id, v);
            }
            Err(e) => tracing::warn!(job = j.id, error = %e, "任务预处理失败，将在事务内重做"),
        }
    }
    Ok(out)
}

/// Runs due jobs in batches; each batch claims, runs and marks done in one transaction.
pub async fn run_due_jobs(app: &App, runner: &str) -> AppResult<RunReport> {
    let mut report = RunReport::default();
    loop {
        let now = app.now_ms();
        let mut prepared = prepare_due(app, now).await?;
        let mut tx = app.db.begin().await?;
        let rows = repo::claim(&mut tx, now).await?;
        if rows.is_empty() {
            return Ok(report);
        }
        let more = rows.len() as i64 == repo::BATCH;
        let mut failed: Option<(i64, i64, String)> = None;
        for row in rows {
            let (id, attempts) = (row.id, row.attempts);
            let result = match job_of(row, now) {
                Ok(mut job) => {
                    job.prepared = prepared.remove(&job.id);
                    run_job(&mut tx, app, &job).await
                }
                Err(e) => Err(e),
            };
            match result {
                Ok(outcome) => {
                    match outcome {
                        Outcome::Done => report.jobs_done += 1,
                        Outcome::Skipped => report.jobs_skipped += 1,
                    }
                    repo::finish(&mut tx, id, outcome, runner, now).await?;
                }
                Err(e) => {
                    failed = Some((id, attempts, e.to_string()));
                    break;
                }
            }
        }
        match failed {
            None => tx.commit().await?,
            Some((id, attempts, error)) => {
                // Nothing of the batch happened; record the failure and retry later.
                drop(tx);
                report.jobs_failed += 1;
                tracing::error!(job = id, %error, "任务执行失败");
                let state = if attempts + 1 >= MAX_ATTEMPTS {
                    "failed"
                } else {
                    "pending"
                };
                let backoff = 60_000 * (1 << attempts.clamp(0, 10));
                let mut tx = app.db.begin().await?;
                repo::fail(&mut tx, id, &error, state, now + backoff, runner).await?;
                tx.commit().await?;
                continue;
            }
        }
        if !more {
            return Ok(report);
        }
    }
}

/// One full pass: the preparing sweeps (e.g. reload the calendar if another instance
/// changed it, enqueue its yearly reminder), the escalating ones, then every due job.
pub async fn run_once(app: &App, runner: &str) -> AppResult<RunReport> {
    for s in app.jobs.sweeps(Stage::Prepare) {
        (s.run)(app, runner).await?;
    }
    let escalated = escalate_due(app, runner).await?;
    let mut report = run_due_jobs(app, runner).await?;
    report.escalated = escalated;
    Ok(report)
}

/// Starts the runner: a pass at once (catching up after downtime), then one every `every`.
pub fn spawn(app: App, runner: String, every: Duration) -> tokio::task::JoinHandle<()> {
    app.runner
        .started(i64::try_from(every.as_millis()).unwrap_or(i64::MAX));
    tokio::spawn(async move {
        loop {
            let pass = run_once(&app, &runner).await;
            app.runner.passed(app.now_ms(), pass.is_ok());
            match pass {
                Ok(r) if r != RunReport::default() => {
                    tracing::info!(
                        escalated = r.escalated,
                        done = r.jobs_done,
                        skipped = r.jobs_skipped,
                        failed = r.jobs_failed,
                        "期限任务已执行"
                    );
                }
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "期限任务执行出错，稍后重试"),
            }
            tokio::time::sleep(every).await;
        }
    })
}
