//! Background work of verification (A2 §6, §11): the automatic report to the joint office
//! once the grace after the due instant is over, and the half-time notice to B; the grace
//! itself, whose change moves every pending automatic report.

use proofless_domain::verification::State;
use proofless_store::Tx;
use serde::Deserialize;
use serde_json::Value as Json;

use super::deadline::{auto_report_job, grace_minutes_in};
use super::escalation::report_in;
use super::notify::notify_issuer_in;
use super::settings::REPORT_GRACE_MINUTES;
use super::{input, number, repo};
use crate::App;
use crate::actor::Actor;
use crate::error::AppResult;
use crate::policy::{self, VersionInput};

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
            if v.state != State::Registered || v.reported_at.is_some() {
                return Ok(false);
            }
            let Some(due) = v.due_at else {
                return Ok(false);
            };
            let grace = grace_minutes_in(tx, v.sent_at).await?;
            if due + grace * 60_000 > now {
                // A longer grace took effect on the day the request was sent: the report
                // waits for it under a key of its own (this job's row is being finished).
                let mut later = auto_report_job(id, due, grace);
                later.unique_key.push_str(":later");
                crate::jobs::enqueue_many_in(tx, &[later], now).await?;
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

/// Sets the grace before automatic reporting as a new version of the trial-period setting
/// (SPEC "Trial rules"), in force from today: requests sent today take it, earlier ones keep
/// theirs. The joint office or the system administrator; audited by `policy::add_version`.
pub async fn set_grace_minutes(app: &App, actor: &Actor, minutes: i64) -> AppResult<i64> {
    let minutes = input::grace_minutes(minutes)?;
    let (today, _) = local_day_start(app.now_ms());
    let version = VersionInput {
        value: minutes.into(),
        effective_from: today.to_string(),
        note: "经核验宽限接口调整（自今日起发出的核验适用）".to_owned(),
    };
    // Adding the version moves the pending reports it governs (`follow_grace_version`).
    policy::add_version(app, actor, REPORT_GRACE_MINUTES.key, &version).await?;
    Ok(minutes)
}

/// After a new version of the grace is added, by this workflow's endpoint or the generic
/// settings interface: a version effective today governs the requests sent today (SPEC
/// "Trial rules": the version in force on the day a request was sent), so their pending
/// automatic reports move to their due instant plus the new grace; a version effective
/// later changes nothing pending (requests sent from that day schedule with it).
pub async fn follow_grace_version(app: &App, effective_from: chrono::NaiveDate) -> AppResult<()> {
    let now = app.now_ms();
    let (today, since) = local_day_start(now);
    if effective_from != today {
        return Ok(());
    }
    let minutes = grace_minutes_in(&mut app.db.reader(), now).await?;
    let mut tx = app.db.begin().await?;
    reschedule_auto_reports_in(&mut tx, since, minutes, now).await?;
    tx.commit().await?;
    Ok(())
}

/// Today in Beijing and the instant it began.
fn local_day_start(now: i64) -> (chrono::NaiveDate, i64) {
    use chrono::TimeZone;
    let tz = crate::beijing();
    let today = tz
        .timestamp_millis_opt(now)
        .single()
        .map(|t| t.date_naive())
        .unwrap_or_default();
    let start = today
        .and_hms_opt(0, 0, 0)
        .and_then(|t| tz.from_local_datetime(&t).single())
        .map_or(now, |t| t.timestamp_millis());
    (today, start)
}

/// Moves the automatic report of every open, unreported verification sent since `since`
/// (the requests the new version governs) to its due instant plus the new grace (A2 §11):
/// a shorter grace must not leave the report at its old, later time. Returns how many moved.
async fn reschedule_auto_reports_in(
    tx: &mut Tx,
    since: i64,
    minutes: i64,
    now: i64,
) -> AppResult<usize> {
    let mut after = 0i64;
    let mut moved = 0;
    loop {
        let open = repo::open_unreported(tx, after, since).await?;
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
