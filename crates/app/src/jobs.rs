//! The durable jobs runner (issue #4 "Engine"), started by `proofless serve`.
//!
//! - **Escalation** at the due instant: the due query `state = 'open' AND due_at <= now` on
//!   `deadlines` (an index range scan of `(state, due_at)`) is the durable queue; each due
//!   deadline turns `overdue`, its unit and the joint office are notified, and an audit row is
//!   written — claim, effect and state change in one transaction.
//! - **Jobs** in the `jobs` table (reminders at 1/2 and 4/5 of the allowed time, the November
//!   reminder to load next year's calendar): claimed, run and marked done in one transaction.
//!   `unique_key` makes enqueueing idempotent, so a job is never enqueued twice.
//!
//! Claims use `FOR UPDATE SKIP LOCKED` on PostgreSQL, so several `proofless serve` instances
//! share the work and each item is handled exactly once; on SQLite every write transaction
//! starts with `BEGIN IMMEDIATE`, which serialises runners. Each state change is also guarded
//! (`WHERE state = 'open'`), so even an unexpected second claim has no second effect.
//! After downtime the first pass at start-up catches up on everything that fell due.

use serde::Deserialize;
use std::time::Duration;

use chrono::{Datelike, TimeZone};
use proofless_store::{Query, Tx, q};
use serde_json::{Value as Json, json};

use crate::App;
use crate::actor::Actor;
use crate::audit::{self, Entry};
use crate::deadlines::{self, OPEN};
use crate::error::{AppError, AppResult};
use crate::notifications::{self, Recipient};

pub const KIND_REMINDER: &str = "deadline.reminder";
pub const KIND_CALENDAR_NEXT_YEAR: &str = "calendar.next_year";

/// Items claimed per transaction.
pub const BATCH: i64 = 500;
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
    if jobs.is_empty() {
        return Ok(());
    }
    let mut stmt = proofless_store::Query::new(
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
    tx.execute(stmt).await?;
    Ok(())
}

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunReport {
    pub escalated: usize,
    pub jobs_done: usize,
    pub jobs_skipped: usize,
    pub jobs_failed: usize,
}

#[derive(Debug, Clone, Deserialize)]
struct DueRow {
    id: i64,
    org_id: i64,
    org_name: String,
    subject_type: String,
    subject_id: String,
    due_at: Option<i64>,
    calendar_version: String,
}

/// States whose `due_at` the runner watches: open deadlines, and suspended ones whose
/// statutory limit keeps running (their `due_at` is then the statutory due instant).
const WATCHED: [&str; 2] = ["open", "suspended"];

fn due_query_in(state: &str) -> Query {
    q(format!(
        "SELECT d.id, d.org_id, o.name AS org_name, d.subject_type, d.subject_id, d.due_at, d.calendar_version \
        FROM deadlines d JOIN orgs o ON o.id = d.org_id \
        WHERE d.state = '{state}' AND d.due_at <= ? ORDER BY d.due_at LIMIT ?"
    ))
    .skip_locked("d")
}

/// The due query as run by the runner, with its arguments (for the benchmark's query plans).
pub fn due_query(now_ms: i64) -> Query {
    due_query_in("open").bind(now_ms).bind(BATCH)
}

/// Escalates deadlines that are due, in batches; returns how many.
pub async fn escalate_due(app: &App, runner: &str) -> AppResult<usize> {
    let mut total = 0;
    for state in WATCHED {
        loop {
            let n = escalate_batch(app, runner, state).await?;
            total += n.0;
            if !n.1 {
                break;
            }
        }
    }
    Ok(total)
}

/// One batch: (escalated, whether more may be due).
async fn escalate_batch(app: &App, runner: &str, state: &str) -> AppResult<(usize, bool)> {
    let now = app.now_ms();
    let cal = app.calendar();
    let mut tx = app.db.begin().await?;
    let rows: Vec<DueRow> = tx
        .fetch_all(due_query_in(state).bind(now).bind(BATCH))
        .await?;
    if rows.is_empty() {
        return Ok((0, false));
    }
    let more = rows.len() as i64 == BATCH;
    let system = Actor::system(&format!("jobs:{runner}"));
    // Deadlines computed with another calendar are recomputed first (rare: after a change).
    let mut due = Vec::with_capacity(rows.len());
    for mut r in rows {
        if r.calendar_version != cal.version() {
            let d = deadlines::recompute_in(&mut tx, app, r.id).await?;
            if d.state != state || d.due_at.is_none_or(|due| due > now) {
                continue;
            }
            r.due_at = d.due_at;
        }
        due.push(r);
    }
    if due.is_empty() {
        tx.commit().await?;
        return Ok((0, more));
    }
    // The claimed rows are locked (PostgreSQL) or the database is (SQLite): the guard on the
    // state only matters if something is badly wrong, and then nothing happens twice.
    let mut sql = String::from(
        "UPDATE deadlines SET state = 'overdue', escalated_at = ?, updated_at = ?, version = version + 1 \
         WHERE state IN ('open', 'suspended') AND id IN (",
    );
    sql.push_str(&vec!["?"; due.len()].join(", "));
    sql.push_str(") RETURNING id");
    let mut query = q(sql).bind(now).bind(now);
    for r in &due {
        query = query.bind(r.id);
    }
    let changed: std::collections::HashSet<i64> = tx
        .fetch_all::<(i64,)>(query)
        .await?
        .into_iter()
        .map(|(id,)| id)
        .collect();
    let mut notes = Vec::with_capacity(changed.len() * 2);
    let mut entries = Vec::with_capacity(changed.len());
    for r in due.iter().filter(|r| changed.contains(&r.id)) {
        let Some(due) = r.due_at else { continue };
        let link = format!("/deadlines/{}", r.id);
        let text = format!(
            "【逾期】{}（{}）已于 {} 到期未办结，责任单位：{}。",
            r.subject_type,
            r.subject_id,
            crate::local_time(due),
            r.org_name
        );
        let key = format!("deadline:{}:overdue:{due}", r.id);
        notes.push(notifications::NewNotification {
            to: Recipient::Org(r.org_id),
            kind: "overdue",
            text: text.clone(),
            link: link.clone(),
            dedupe_key: format!("{key}:org"),
        });
        notes.push(notifications::NewNotification {
            to: Recipient::Role(proofless_domain::role::Role::JointOffice),
            kind: "overdue",
            text,
            link,
            dedupe_key: format!("{key}:joint"),
        });
        entries.push(
            Entry::new("deadline.escalate", "deadline", r.id).detail(json!({
                "due": deadlines::rfc3339(due), "org_id": r.org_id, "runner": runner,
            })),
        );
    }
    let escalated = entries.len();
    notifications::insert_many_in(&mut tx, &notes, now).await?;
    audit::append_many(&mut tx, &system, now, entries).await?;
    tx.commit().await?;
    Ok((escalated, more))
}

#[derive(Debug, Clone, Deserialize)]
struct JobRow {
    id: i64,
    kind: String,
    unique_key: String,
    payload: String,
    attempts: i64,
}

fn claim_query() -> Query {
    q("SELECT id, kind, unique_key, payload, attempts FROM jobs \
        WHERE state = 'pending' AND run_at <= ? ORDER BY run_at LIMIT ?")
    .skip_locked("")
}

enum Outcome {
    Done,
    Skipped,
}

/// Runs one job's effect inside the claiming transaction.
async fn run_job(tx: &mut Tx, app: &App, job: &JobRow, now: i64) -> AppResult<Outcome> {
    let payload: Json = serde_json::from_str(&job.payload)
        .map_err(|e| AppError::Internal(format!("任务参数无效：{e}")))?;
    match job.kind.as_str() {
        KIND_REMINDER => {
            let id = payload["deadline_id"].as_i64().unwrap_or_default();
            let (num, den) = (
                payload["num"].as_i64().unwrap_or(1),
                payload["den"].as_i64().unwrap_or(2),
            );
            let row = tx
                .fetch_optional::<(String, Option<i64>, i64, String, String, String)>(
                    q(
                        "SELECT d.state, d.due_at, d.org_id, o.name, d.subject_type, d.subject_id \
                       FROM deadlines d JOIN orgs o ON o.id = d.org_id WHERE d.id = ?",
                    )
                    .bind(id),
                )
                .await?;
            let Some((state, Some(due), org_id, org_name, st, sid)) = row else {
                return Ok(Outcome::Skipped);
            };
            if state != OPEN || due <= now {
                return Ok(Outcome::Skipped);
            }
            let share = if num * 2 == den {
                "一半".to_owned()
            } else {
                format!("{num}/{den}")
            };
            let text = format!(
                "【提醒】{st}（{sid}）的办理时限已过{share}，将于 {} 到期（{org_name}）。",
                crate::local_time(due)
            );
            notifications::insert_in(
                tx,
                &Recipient::Org(org_id),
                "reminder",
                &text,
                &format!("/deadlines/{id}"),
                &format!("{}:{due}", job.unique_key),
                now,
            )
            .await?;
            Ok(Outcome::Done)
        }
        KIND_CALENDAR_NEXT_YEAR => {
            let year =
                i32::try_from(payload["year"].as_i64().unwrap_or_default()).unwrap_or_default();
            if app.calendar().is_year_complete(year) {
                return Ok(Outcome::Skipped);
            }
            let text = format!(
                "【提醒】{year}年的国务院节假日安排尚未载入。通知发布后请在“工作日历”页面导入，\
                 在此之前涉及{year}年的期限按普通周末计算，并标注“日历不完整”。"
            );
            notifications::insert_in(
                tx,
                &Recipient::Role(proofless_domain::role::Role::SystemAdmin),
                "calendar",
                &text,
                "/admin/calendar",
                &job.unique_key,
                now,
            )
            .await?;
            Ok(Outcome::Done)
        }
        crate::credit::blacklist::KIND_OBJECTION_END => {
            let id = payload["proposal_id"].as_i64().unwrap_or_default();
            Ok(
                if crate::credit::blacklist::run_objection_end(tx, id, now).await? {
                    Outcome::Done
                } else {
                    Outcome::Skipped
                },
            )
        }
        crate::commitment::checks::KIND_SAMPLING => {
            let seed = payload["seed"].as_u64().unwrap_or_default();
            crate::commitment::checks::run_sampling_in(tx, app, seed).await?;
            Ok(Outcome::Done)
        }
        crate::verification::KIND_AUTO_REPORT | crate::verification::KIND_HALF_TIME => {
            match crate::verification::run_job(tx, app, &job.kind, &payload, now).await? {
                true => Ok(Outcome::Done),
                false => Ok(Outcome::Skipped),
            }
        }
        other => Err(AppError::Internal(format!("未知任务类型 {other}"))),
    }
}

/// Runs due jobs in batches; each batch claims, runs and marks done in one transaction.
pub async fn run_due_jobs(app: &App, runner: &str) -> AppResult<RunReport> {
    let mut report = RunReport::default();
    loop {
        let now = app.now_ms();
        let mut tx = app.db.begin().await?;
        let jobs: Vec<JobRow> = tx.fetch_all(claim_query().bind(now).bind(BATCH)).await?;
        if jobs.is_empty() {
            return Ok(report);
        }
        let more = jobs.len() as i64 == BATCH;
        let mut failed: Option<(i64, i64, String)> = None;
        for job in &jobs {
            match run_job(&mut tx, app, job, now).await {
                Ok(outcome) => {
                    let state = match outcome {
                        Outcome::Done => {
                            report.jobs_done += 1;
                            "done"
                        }
                        Outcome::Skipped => {
                            report.jobs_skipped += 1;
                            "skipped"
                        }
                    };
                    tx.execute(
                        q("UPDATE jobs SET state = ?, done_at = ?, attempts = attempts + 1, locked_by = ?, locked_until = NULL \
                           WHERE id = ? AND state = 'pending'")
                        .bind(state)
                        .bind(now)
                        .bind(runner)
                        .bind(job.id),
                    )
                    .await?;
                }
                Err(e) => {
                    failed = Some((job.id, job.attempts, e.to_string()));
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
                tx.execute(
                    q("UPDATE jobs SET attempts = attempts + 1, last_error = ?, state = ?, run_at = ?, locked_by = ? WHERE id = ?")
                        .bind(error)
                        .bind(state)
                        .bind(now + backoff)
                        .bind(runner)
                        .bind(id),
                )
                .await?;
                tx.commit().await?;
                continue;
            }
        }
        if !more {
            return Ok(report);
        }
    }
}

/// Enqueues the November reminder to load next year's calendar (idempotent).
pub async fn ensure_calendar_reminder(app: &App) -> AppResult<()> {
    let now = app.clock.now().with_timezone(&crate::beijing());
    let next = now.year() + 1;
    if app.calendar().is_year_complete(next) {
        return Ok(());
    }
    let Some(at) = crate::beijing()
        .with_ymd_and_hms(now.year(), 11, 1, 9, 0, 0)
        .single()
    else {
        return Ok(());
    };
    let mut tx = app.db.begin().await?;
    tx.execute(
        q("INSERT INTO jobs (kind, unique_key, run_at, payload, state, created_at) VALUES (?, ?, ?, ?, 'pending', ?) \
           ON CONFLICT (unique_key) DO NOTHING")
        .bind(KIND_CALENDAR_NEXT_YEAR)
        .bind(format!("calendar:next-year:{next}"))
        .bind(at.timestamp_millis())
        .bind(json!({"year": next}).to_string())
        .bind(app.now_ms()),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// One full pass: reload the calendar if another instance changed it, enqueue the calendar
/// reminder, escalate every due deadline, run every due job.
pub async fn run_once(app: &App, runner: &str) -> AppResult<RunReport> {
    crate::calendar::refresh_if_changed(app).await?;
    ensure_calendar_reminder(app).await?;
    let escalated = escalate_due(app, runner).await?;
    let mut report = run_due_jobs(app, runner).await?;
    report.escalated = escalated;
    Ok(report)
}

/// Starts the runner: a pass at once (catching up after downtime), then one every `every`.
pub fn spawn(app: App, runner: String, every: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            match run_once(&app, &runner).await {
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
