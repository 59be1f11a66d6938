//! The deadline engine's background work, registered with the runner at start-up
//! (the `workflows` module): reminders at shares of the allowed office time, and the escalation
//! at the due instant (DESIGN "Deadlines", issue #4 "Engine").

use std::collections::HashSet;

use proofless_domain::calendar::Calendar;
use proofless_domain::deadline::DeadlineState;
use proofless_domain::role::Role;
use proofless_store::Tx;
use serde::Deserialize;
use serde_json::json;

use super::compute::{REMINDER_SHARES, reminder_at, rfc3339};
use super::repo::{self, DueRow};
use super::service::recompute_in;
use crate::App;
use crate::actor::Actor;
use crate::audit::{self, Entry};
use crate::error::{AppError, AppResult};
use crate::jobs::{BATCH, BoxFuture, Job, NewJob, Outcome};
use crate::notifications::{self, Recipient};

pub const KIND_REMINDER: &str = "deadline.reminder";

/// (Re)schedules the reminders of an open deadline (idempotent on their keys).
#[allow(clippy::too_many_arguments)]
pub(super) async fn schedule_reminders(
    tx: &mut Tx,
    app: &App,
    cal: &Calendar,
    id: i64,
    eff: i64,
    due: i64,
    suspended: i64,
    now: i64,
) -> AppResult<()> {
    let jobs: Vec<_> = REMINDER_SHARES
        .into_iter()
        .filter_map(|share| {
            let at = reminder_at(cal, app, eff, due, suspended, share)?;
            Some(NewJob {
                kind: KIND_REMINDER,
                unique_key: format!("deadline:{id}:remind:{}/{}", share.0, share.1),
                run_at: at,
                payload: json!({"deadline_id": id, "num": share.0, "den": share.1}),
            })
        })
        .collect();
    crate::jobs::enqueue_many_in(tx, &jobs, now).await
}

#[derive(Debug, Deserialize)]
struct ReminderPayload {
    deadline_id: i64,
    num: i64,
    den: i64,
}

/// The job handler of [`KIND_REMINDER`].
pub fn reminder_job<'a>(tx: &'a mut Tx, app: &'a App, job: &'a Job) -> BoxFuture<'a, Outcome> {
    Box::pin(remind(tx, app, job))
}

/// Tells the responsible unit that a share of the allowed time has passed; skipped once the
/// deadline is no longer open or already due.
async fn remind(tx: &mut Tx, _app: &App, job: &Job) -> AppResult<Outcome> {
    let p: ReminderPayload = serde_json::from_value(job.payload.clone())
        .map_err(|e| AppError::Internal(format!("提醒任务参数无效：{e}")))?;
    let now = job.now;
    let Some(row) = repo::reminder_row(tx, p.deadline_id).await? else {
        return Ok(Outcome::Skipped);
    };
    let Some(due) = row.due_at else {
        return Ok(Outcome::Skipped);
    };
    if row.state != DeadlineState::Open || due <= now {
        return Ok(Outcome::Skipped);
    }
    let share = if p.num * 2 == p.den {
        "一半".to_owned()
    } else {
        format!("{}/{}", p.num, p.den)
    };
    let text = format!(
        "【提醒】{}（{}）的办理时限已过{share}，将于 {} 到期（{}）。",
        row.subject_type.label(),
        row.subject_id,
        crate::local_time(due),
        row.org_name
    );
    notifications::insert_in(
        tx,
        &Recipient::Org(row.org_id),
        proofless_domain::notification::NotificationKind::Reminder,
        &text,
        &format!("/deadlines/{}", p.deadline_id),
        &format!("{}:{due}", job.unique_key),
        now,
    )
    .await?;
    Ok(Outcome::Done)
}

/// States whose `due_at` the runner watches: open deadlines, and suspended ones whose
/// statutory limit keeps running (their `due_at` is then the statutory due instant).
const WATCHED: [DeadlineState; 2] = [DeadlineState::Open, DeadlineState::Suspended];

/// The escalation sweep: every due deadline turns `overdue`, its unit and the joint office
/// are notified, and an audit row is written — claim, effect and state change in one
/// transaction per batch.
pub fn escalation_sweep<'a>(app: &'a App, runner: &'a str) -> BoxFuture<'a, usize> {
    Box::pin(escalate_due(app, runner))
}

/// Escalates deadlines that are due, in batches; returns how many.
pub async fn escalate_due(app: &App, runner: &str) -> AppResult<usize> {
    let mut total = 0;
    for state in WATCHED {
        loop {
            let (n, more) = escalate_batch(app, runner, state).await?;
            total += n;
            if !more {
                break;
            }
        }
    }
    Ok(total)
}

/// One batch: (escalated, whether more may be due).
async fn escalate_batch(app: &App, runner: &str, state: DeadlineState) -> AppResult<(usize, bool)> {
    let now = app.now_ms();
    let cal = app.calendar();
    let mut tx = app.db.begin().await?;
    let rows = repo::claim_due(&mut tx, state, now).await?;
    if rows.is_empty() {
        return Ok((0, false));
    }
    let more = rows.len() as i64 == BATCH;
    // Deadlines computed with another calendar are recomputed first (rare: after a change).
    let mut due = Vec::with_capacity(rows.len());
    for mut r in rows {
        if r.calendar_version != cal.version() {
            let d = recompute_in(&mut tx, app, r.id).await?;
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
    let ids: Vec<i64> = due.iter().map(|r| r.id).collect();
    let changed: HashSet<i64> = repo::mark_overdue(&mut tx, &ids, now)
        .await?
        .into_iter()
        .collect();
    let escalated = notify_overdue(&mut tx, runner, &due, &changed, now).await?;
    tx.commit().await?;
    Ok((escalated, more))
}

/// The notifications (unit and joint office) and audit rows of the escalated deadlines.
async fn notify_overdue(
    tx: &mut Tx,
    runner: &str,
    due: &[DueRow],
    changed: &HashSet<i64>,
    now: i64,
) -> AppResult<usize> {
    let system = Actor::system(&format!("jobs:{runner}"));
    let mut notes = Vec::with_capacity(changed.len() * 2);
    let mut entries = Vec::with_capacity(changed.len());
    for r in due.iter().filter(|r| changed.contains(&r.id)) {
        let Some(due) = r.due_at else { continue };
        let link = format!("/deadlines/{}", r.id);
        let text = format!(
            "【逾期】{}（{}）已于 {} 到期未办结，责任单位：{}。",
            r.subject_type.label(),
            r.subject_id,
            crate::local_time(due),
            r.org_name
        );
        let key = format!("deadline:{}:overdue:{due}", r.id);
        notes.push(notifications::NewNotification {
            to: Recipient::Org(r.org_id),
            kind: proofless_domain::notification::NotificationKind::Overdue,
            text: text.clone(),
            link: link.clone(),
            dedupe_key: format!("{key}:org"),
        });
        notes.push(notifications::NewNotification {
            to: Recipient::Role(Role::JointOffice),
            kind: proofless_domain::notification::NotificationKind::Overdue,
            text,
            link,
            dedupe_key: format!("{key}:joint"),
        });
        entries.push(
            Entry::new("deadline.escalate", "deadline", r.id).detail(json!({
                "due": rfc3339(due), "org_id": r.org_id, "runner": runner,
            })),
        );
    }
    let escalated = entries.len();
    notifications::insert_many_in(tx, &notes, now).await?;
    audit::append_many(tx, &system, now, entries).await?;
    Ok(escalated)
}
