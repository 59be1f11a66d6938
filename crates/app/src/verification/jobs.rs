//! Background work of verification (A2 §6, §11): the automatic report to the joint office
//! once the grace after the due instant is over, and the half-time notice to B; the grace
//! itself, whose change moves every pending automatic report.

use proofless_domain::role::Role;
use proofless_domain::verification::State;
use proofless_store::Tx;
use serde::Deserialize;
use serde_json::{Value as Json, json};

use super::deadline::{auto_report_job, grace_minutes_in};
use super::escalation::report_in;
use super::notify::notify_issuer_in;
use super::{GRACE_SETTING, input, number, repo};
use crate::App;
use crate::actor::Actor;
use crate::audit::{self, Entry};
use crate::error::AppResult;

pub const KIND_AUTO_REPORT: &str = "verification.auto_report";
pub const KIND_HALF_TIME: &str = "verification.half_time";

/// What both jobs carry.
#[derive(Deserialize)]
struct Payload {
    verification_id: i64,
}

/// Job effects (called from `jobs::run_job`): the automatic report after the grace period,
/// and the half-time notification to B. `false`: nothing to do any more (skipped).
pub async fn run_job(
    tx: &mut Tx,
    app: &App,
    kind: &str,
    payload: &Json,
    now: i64,
) -> AppResult<bool> {
    let _ = app;
    // A payload naming no request names none that could still need the job.
    let Ok(Payload {
        verification_id: id,
    }) = Payload::deserialize(payload)
    else {
        return Ok(false);
    };
    let Some(v) = repo::find(tx, id).await? else {
        return Ok(false);
    };
    match kind {
        KIND_AUTO_REPORT => {
            let grace = grace_minutes_in(tx).await?;
            let due_passed = v.due_at.is_some_and(|d| d + grace * 60_000 <= now);
            if v.state != State::Registered || v.reported_at.is_some() || !due_passed {
                return Ok(false);
            }
            let system = Actor::system("jobs:verification");
            report_in(tx, &system, &v, true, now).await?;
            Ok(true)
        }
        KIND_HALF_TIME => {
            let Some(due) = v.due_at.filter(|d| *d > now) else {
                return Ok(false);
            };
            if v.state != State::Registered {
                return Ok(false);
            }
            let text = format!(
                "【核验提醒·B角】{}（{}）已过反馈时限的一半仍未反馈，请 B 角协助办理，{} 到期。",
                number(id),
                v.proof_item_name,
                crate::local_time(due)
            );
            let posts = repo::duty_posts(tx, v.issuer_org_id).await?;
            let posts = (v.issuer_org_id, posts.as_slice());
            notify_issuer_in(tx, posts, true, id, (&text, "half"), now).await?;
            Ok(true)
        }
        _ => Ok(false),
    }
}

/// Sets the grace before automatic reporting (joint office or system admin).
pub async fn set_grace_minutes(app: &App, actor: &Actor, minutes: i64) -> AppResult<i64> {
    actor.require_any(&[Role::JointOffice, Role::SystemAdmin])?;
    let minutes = input::grace_minutes(minutes)?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    repo::set_grace_minutes(&mut tx, minutes).await?;
    let moved = reschedule_auto_reports_in(&mut tx, minutes, now).await?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("verification.grace.set", "setting", GRACE_SETTING)
            .detail(json!({"minutes": minutes, "rescheduled": moved})),
    )
    .await?;
    tx.commit().await?;
    Ok(minutes)
}

/// Moves the automatic report of every open, unreported verification to its due instant
/// plus the new grace (A2 §11): a longer grace must not leave a job that runs early, finds
/// the grace not yet over and never runs again. Returns how many were moved.
async fn reschedule_auto_reports_in(tx: &mut Tx, minutes: i64, now: i64) -> AppResult<usize> {
    let mut after = 0i64;
    let mut moved = 0;
    loop {
        let open = repo::open_unreported(tx, after).await?;
        let Some(last) = open.last().map(|r| r.0) else {
            return Ok(moved);
        };
        let jobs: Vec<_> = open
            .iter()
            .map(|&(id, due)| auto_report_job(id, due, minutes))
            .collect();
        crate::jobs::enqueue_many_in(tx, &jobs, now).await?;
        moved += open.len();
        after = last;
    }
}
