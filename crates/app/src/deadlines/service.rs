//! The use cases on an open deadline: read it, stop and restart its clock, extend it, mark
//! it done; and the recomputation every change ends with.

use proofless_domain::deadline::{DeadlineRecord, DeadlineState, Extension};
use proofless_store::Tx;
use serde_json::json;

use super::compute::{instant, lateness, recompute, record_of, rfc3339, rule_of};
use super::input::{ExtendDeadline, ExtendInput, SuspendInput, check_reason};
use super::records::{Deadline, DeadlineView};
use super::{jobs, repo};
use crate::App;
use crate::actor::Actor;
use crate::audit::{self, Entry};
use crate::error::{AppError, AppResult};

async fn load(tx: &mut Tx, id: i64) -> AppResult<Deadline> {
    repo::load(tx, id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("期限 {id}")))
}

/// The stored deadline and its domain record.
async fn load_record(tx: &mut Tx, d: &Deadline) -> AppResult<DeadlineRecord> {
    let susp = repo::suspensions(tx, d.id).await?;
    let ext = repo::extensions(tx, d.id).await?;
    record_of(d, &susp, &ext)
}

/// A deadline with its record (staff who may see the responsible unit).
pub async fn get(app: &App, actor: &Actor, id: i64) -> AppResult<DeadlineView> {
    actor.require_staff()?;
    let mut tx = app.db.begin().await?;
    let d = load(&mut tx, id).await?;
    actor.require_see_org(d.org_id)?;
    let suspensions = repo::suspensions(&mut tx, id).await?;
    let extensions = repo::extensions(&mut tx, id).await?;
    let rule = repo::rule_version(&mut tx, &d.rule_key, d.rule_version).await?;
    tx.commit().await?;
    let now = app.now_ms();
    let late = match (d.state, d.due_at) {
        (DeadlineState::Overdue, Some(due)) => lateness(app, due, now),
        _ => None,
    };
    Ok(DeadlineView {
        due: d.due_at.and_then(rfc3339),
        deadline: d,
        rule,
        suspensions,
        extensions,
        late,
    })
}

async fn writable(tx: &mut Tx, actor: &Actor, id: i64) -> AppResult<Deadline> {
    actor.require_staff()?;
    let d = load(tx, id).await?;
    actor.require_org(d.org_id)?;
    if d.state == DeadlineState::Done {
        return Err(AppError::Conflict("期限已办结，不能再更改".into()));
    }
    Ok(d)
}

/// Recomputes a deadline from its record inside `tx`, rewrites the cached columns and
/// (re)schedules its reminders. Returns the stored row.
pub async fn recompute_in(tx: &mut Tx, app: &App, id: i64) -> AppResult<Deadline> {
    let d = load(tx, id).await?;
    let record = load_record(tx, &d).await?;
    let cal = app.calendar();
    let now = app.now_ms();
    let r = recompute(&cal, app, d.state, &record, d.statutory_limit, now);
    repo::update_computed(tx, id, &r, cal.version(), now).await?;
    if r.state == DeadlineState::Open
        && let (Some(eff), Some(due)) = (r.effective_start, r.due_at)
    {
        jobs::schedule_reminders(tx, app, &cal, id, eff, due, r.suspended_office_seconds, now)
            .await?;
    }
    load(tx, id).await
}

/// Recomputes every open, suspended or overdue deadline (after a calendar change).
pub async fn recompute_open(app: &App) -> AppResult<usize> {
    let version = app.calendar().version().to_owned();
    let mut done = 0;
    loop {
        let mut tx = app.db.begin().await?;
        let ids = repo::stale_ids(&mut tx, &version).await?;
        if ids.is_empty() {
            break;
        }
        for id in &ids {
            recompute_in(&mut tx, app, *id).await?;
        }
        tx.commit().await?;
        done += ids.len();
    }
    Ok(done)
}

/// Stops the clock (e.g. a case waits for a verification, A2 §7).
pub async fn suspend(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &SuspendInput,
) -> AppResult<DeadlineView> {
    let mut tx = app.db.begin().await?;
    suspend_in(&mut tx, app, actor, id, &input.reason).await?;
    tx.commit().await?;
    get(app, actor, id).await
}

/// [`suspend`] inside the caller's transaction (a workflow that stops a clock together with
/// its own change).
pub async fn suspend_in(
    tx: &mut Tx,
    app: &App,
    actor: &Actor,
    id: i64,
    reason: &str,
) -> AppResult<Deadline> {
    let reason = check_reason(reason, "reason")?;
    let now = app.now_ms();
    let d = writable(tx, actor, id).await?;
    let mut record = load_record(tx, &d).await?;
    record
        .suspend(&reason, instant(now)?)
        .map_err(|e| AppError::Conflict(e.to_string()))?;
    repo::insert_suspension(tx, id, &reason, now, &actor.name).await?;
    let after = recompute_in(tx, app, id).await?;
    audit::append(
        tx,
        actor,
        now,
        Entry::new("deadline.suspend", "deadline", id)
            .detail(json!({"reason": reason, "due_before": d.due_at, "due_after": after.due_at})),
    )
    .await?;
    Ok(after)
}

/// Restarts the clock: the due instant moves by exactly the office time suspended.
pub async fn resume(app: &App, actor: &Actor, id: i64) -> AppResult<DeadlineView> {
    let mut tx = app.db.begin().await?;
    resume_in(&mut tx, app, actor, id).await?;
    tx.commit().await?;
    get(app, actor, id).await
}

/// [`resume`] inside the caller's transaction.
pub async fn resume_in(tx: &mut Tx, app: &App, actor: &Actor, id: i64) -> AppResult<Deadline> {
    let now = app.now_ms();
    let d = writable(tx, actor, id).await?;
    let mut record = load_record(tx, &d).await?;
    record
        .resume(instant(now)?)
        .map_err(|e| AppError::Conflict(e.to_string()))?;
    repo::end_suspension(tx, id, now, &actor.name).await?;
    let after = recompute_in(tx, app, id).await?;
    audit::append(
        tx,
        actor,
        now,
        Entry::new("deadline.resume", "deadline", id).detail(json!({"due_after": after.due_at})),
    )
    .await?;
    Ok(after)
}

/// Extends a deadline from the API (see [`extend_by`]).
pub async fn extend(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &ExtendInput,
) -> AppResult<DeadlineView> {
    let cmd = input.parse()?;
    extend_by(app, actor, id, &cmd).await
}

/// Extends a deadline within the rule's cap (complaints: at most 5 working days in all,
/// A4 §10), recording who extended, who approved and why.
pub async fn extend_by(
    app: &App,
    actor: &Actor,
    id: i64,
    cmd: &ExtendDeadline,
) -> AppResult<DeadlineView> {
    let mut tx = app.db.begin().await?;
    extend_in(&mut tx, app, actor, id, cmd).await?;
    tx.commit().await?;
    get(app, actor, id).await
}

/// [`extend_by`] inside the caller's transaction (a complaint's approved extension).
pub async fn extend_in(
    tx: &mut Tx,
    app: &App,
    actor: &Actor,
    id: i64,
    cmd: &ExtendDeadline,
) -> AppResult<()> {
    let now = app.now_ms();
    let d = writable(tx, actor, id).await?;
    let approver = match repo::approver(tx, cmd.approved_by).await? {
        Some((name, true)) => name,
        Some(_) => return Err(AppError::field("approved_by", "审批人账号已停用")),
        None => {
            return Err(AppError::field(
                "approved_by",
                format!("审批人 {} 不存在", cmd.approved_by),
            ));
        }
    };
    let rule_row = repo::rule_version(tx, &d.rule_key, d.rule_version)
        .await?
        .ok_or_else(|| {
            AppError::Internal(format!(
                "期限 {id} 的规则 {}#{} 不存在",
                d.rule_key, d.rule_version
            ))
        })?;
    let rule = rule_of(&rule_row)?;
    let mut record = load_record(tx, &d).await?;
    record
        .extend(
            &rule,
            Extension {
                period: cmd.period,
                extended_by: actor.name.clone(),
                approved_by: approver.clone(),
                reason: cmd.reason.clone(),
                at: instant(now)?,
            },
        )
        .map_err(|e| AppError::field("period", e.to_string()))?;
    let ext = repo::NewExtension {
        period: cmd.period,
        extended_by: &actor.name,
        extended_by_id: actor.id,
        approved_by: &approver,
        approved_by_id: cmd.approved_by,
        reason: &cmd.reason,
        at: now,
    };
    repo::insert_extension(tx, id, &ext).await?;
    let after = recompute_in(tx, app, id).await?;
    audit::append(
        tx,
        actor,
        now,
        Entry::new("deadline.extend", "deadline", id).detail(json!({
            "period": cmd.period.to_string(), "approved_by": approver, "approved_by_id": cmd.approved_by,
            "reason": cmd.reason, "due_before": d.due_at, "due_after": after.due_at,
        })),
    )
    .await?;
    Ok(())
}

/// Marks a deadline done (its work finished, on time or late).
pub async fn complete(app: &App, actor: &Actor, id: i64) -> AppResult<DeadlineView> {
    let mut tx = app.db.begin().await?;
    complete_in(&mut tx, app, actor, id).await?;
    tx.commit().await?;
    get(app, actor, id).await
}

/// [`complete`] inside the caller's transaction (an answer that also stops its clock).
pub async fn complete_in(tx: &mut Tx, app: &App, actor: &Actor, id: i64) -> AppResult<()> {
    let now = app.now_ms();
    let d = writable(tx, actor, id).await?;
    repo::mark_done(tx, id, now).await?;
    audit::append(
        tx,
        actor,
        now,
        Entry::new("deadline.complete", "deadline", id).detail(json!({
            "due_at": d.due_at, "late": d.due_at.is_some_and(|due| now > due),
        })),
    )
    .await?;
    Ok(())
}
