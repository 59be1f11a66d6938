//! A request's deadline in the deadline engine (A2 §7): opened under the rule of its class
//! at the issuer's unit, with the half-time notice to B (A2 §6) and the automatic report
//! after the grace (A2 §11) scheduled beside it; closed when answered or returned.
//!
//! The deadline engine is opened through its `OpenInput` (text fields): the only form its
//! API takes today.

use proofless_domain::catalogue::VerificationDeadlineClass;
use proofless_domain::verification as rules;
use proofless_store::{Exec, Tx};
use serde_json::json;

use super::jobs::{KIND_AUTO_REPORT, KIND_HALF_TIME};
use super::records::Verification;
use super::settings::REPORT_GRACE_MINUTES;
use super::{number, repo};
use crate::App;
use crate::actor::Actor;
use crate::deadlines::{self, NewDeadline};
use crate::error::AppError;
use crate::error::AppResult;
use crate::jobs::{self as job_queue, NewJob};

/// The grace before automatic reporting for a request sent now, in minutes (A2 §11).
pub async fn grace_minutes(app: &App) -> AppResult<i64> {
    crate::policy::in_force_now(app, &REPORT_GRACE_MINUTES).await
}

/// The grace of a request sent at `sent_at`: the version in force that day (SPEC "Trial
/// rules": a later version never reaches back).
pub(super) async fn grace_minutes_in(ex: &mut impl Exec, sent_at: i64) -> AppResult<i64> {
    crate::policy::in_force(ex, &REPORT_GRACE_MINUTES, sent_at).await
}

fn deadline_input(
    id: Option<i64>,
    issuer: i64,
    class: VerificationDeadlineClass,
    start: chrono::DateTime<chrono::Utc>,
) -> NewDeadline {
    NewDeadline {
        subject_type: proofless_domain::deadline::SubjectType::Verification,
        // A request being sent gets its number when its row is written (see `send`).
        subject_id: id.map_or_else(|| "（发送时编号）".to_owned(), number),
        org_id: issuer,
        rule_key: proofless_domain::deadline::RuleKey::from_static(rules::rule_key(class)),
        start,
        statutory_limit: match class {
            VerificationDeadlineClass::Statutory(p) => Some(p),
            _ => None,
        },
    }
}

/// Opens the deadline of a verification inside `tx` (issuer's unit, rule of its class,
/// from `start_ms`) and schedules its jobs. Returns (deadline id, due).
pub(super) async fn open_deadline_in(
    tx: &mut Tx,
    app: &App,
    actor: &Actor,
    (id, issuer): (i64, i64),
    class: VerificationDeadlineClass,
    start_ms: i64,
) -> AppResult<(i64, Option<i64>)> {
    let system = Actor::system(&actor.operation_id);
    let start =
        deadlines::to_utc(start_ms).ok_or_else(|| AppError::field("start", "起算时间无效"))?;
    let input = deadline_input(Some(id), issuer, class, start);
    let opened = deadlines::open_in(tx, app, &system, &input).await?;
    let grace = grace_minutes_in(tx, start_ms).await?;
    schedule_jobs_in(tx, app, id, opened, grace).await
}

/// A new request's deadline and grace, worked out before its transaction (see `send`).
pub(super) struct DeadlinePlan {
    planned: deadlines::Planned,
    grace: i64,
}

impl DeadlinePlan {
    /// When the clock starts: the request is sent and registered then (A2 §7).
    pub(super) fn start_ms(&self) -> i64 {
        self.planned.start_ms()
    }
}

pub(super) async fn plan_deadline(
    app: &App,
    actor: &Actor,
    issuer: i64,
    class: VerificationDeadlineClass,
) -> AppResult<DeadlinePlan> {
    let system = Actor::system(&actor.operation_id);
    let start =
        deadlines::to_utc(app.now_ms()).ok_or_else(|| AppError::field("start", "起算时间无效"))?;
    let planned =
        deadlines::plan(app, &system, &deadline_input(None, issuer, class, start)).await?;
    Ok(DeadlinePlan {
        planned,
        grace: grace_minutes(app).await?,
    })
}

/// Writes a planned deadline for the request just written as `id`.
pub(super) async fn open_planned_deadline_in(
    tx: &mut Tx,
    app: &App,
    actor: &Actor,
    id: i64,
    mut plan: DeadlinePlan,
) -> AppResult<(i64, Option<i64>)> {
    let system = Actor::system(&actor.operation_id);
    plan.planned.subject_id = number(id);
    let opened = deadlines::open_planned_in(tx, app, &system, &plan.planned).await?;
    schedule_jobs_in(tx, app, id, opened, plan.grace).await
}

/// The automatic report of request `id` after its due instant and the grace (A2 §11).
pub(super) fn auto_report_job(id: i64, due: i64, grace_minutes: i64) -> NewJob<'static> {
    NewJob {
        kind: KIND_AUTO_REPORT,
        unique_key: format!("verification:{id}:auto_report"),
        run_at: due + grace_minutes * 60_000,
        payload: json!({"verification_id": id}),
    }
}

/// The automatic report after the grace (A2 §11) and the half-time notice to B (A2 §6).
async fn schedule_jobs_in(
    tx: &mut Tx,
    app: &App,
    id: i64,
    opened: deadlines::Opened,
    grace: i64,
) -> AppResult<(i64, Option<i64>)> {
    let (did, due, eff) = (opened.id, opened.due_at, opened.effective_start);
    if let Some(due) = due {
        let mut jobs = vec![auto_report_job(id, due, grace)];
        if let Some(eff) = eff
            && let Some(half) = deadlines::reminder_at(&app.calendar(), app, eff, due, 0, (1, 2))
        {
            jobs.push(NewJob {
                kind: KIND_HALF_TIME,
                unique_key: format!("verification:{id}:half_time"),
                run_at: half,
                payload: json!({"verification_id": id}),
            });
        }
        job_queue::enqueue_many_in(tx, &jobs, app.now_ms()).await?;
    }
    Ok((did, due))
}

/// Marks the verification's deadline done inside `tx` (answered, returned, reclassified),
/// through the deadline engine.
pub(super) async fn close_deadline_in(
    tx: &mut Tx,
    app: &App,
    actor: &Actor,
    v: &Verification,
) -> AppResult<()> {
    let Some(did) = v.deadline_id else {
        return Ok(());
    };
    if repo::deadline_running(tx, did).await? {
        deadlines::complete_in(tx, app, actor, did).await?;
    }
    Ok(())
}
