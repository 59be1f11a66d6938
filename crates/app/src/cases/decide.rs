//! Deciding a case (SPEC R6.1): approved or refused only when every proof is resolved or
//! accepted with its deficiency (R5.10); withdrawn by the applicant or terminated on a
//! ground at any time.

use proofless_domain::case::CaseState;
use serde_json::json;

use super::input::Decision;
use super::repo;
use super::service::{CASE_ROLES, CaseDetail, close_in, detail, open_case_in};
use crate::App;
use crate::actor::Actor;
use crate::audit::{self, Entry};
use crate::error::{AppError, AppResult};

/// The job kind that builds a decided case's e-archive (the `archive` module, SPEC R6.2).
pub const KIND_ARCHIVE: &str = "case.archive";

/// The archive job's key: one per case, so it is enqueued exactly once.
pub fn archive_job_key(case_id: i64) -> String {
    format!("case.archive:{case_id}")
}

/// Decides an open case and stops its assessment clock.
pub async fn decide(app: &App, actor: &Actor, id: i64, input: &Decision) -> AppResult<CaseDetail> {
    actor.require_any(&CASE_ROLES)?;
    let (outcome, reason) = input.parse()?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let c = open_case_in(&mut tx, id).await?;
    actor.require_org(c.org_id)?;
    if outcome.on_the_merits()
        && let Some(why) = &c.suspend_reason
    {
        return Err(AppError::field(
            "outcome",
            format!(
                "办件已中止（{why}），补正后恢复办理方可作出{}决定",
                outcome.label()
            ),
        ));
    }
    if outcome.on_the_merits() {
        let open: Vec<String> = repo::proofs::of_case(&mut tx, id)
            .await?
            .into_iter()
            .filter(|p| !p.state.allows_decision())
            .map(|p| format!("“{}”（{}）", p.proof_item_name, p.state.label()))
            .collect();
        if !open.is_empty() {
            return Err(AppError::field(
                "outcome",
                format!(
                    "尚有证明未解决，不能作出{}决定：{}。请先按清单规定的方式办结，或对可容缺的证明容缺受理",
                    outcome.label(),
                    open.join("、")
                ),
            ));
        }
    }
    close_in(
        &mut tx,
        app,
        actor,
        &c,
        CaseState::Decided,
        Some((outcome, &reason)),
    )
    .await?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("case.decide", "case", id).detail(json!({"outcome": outcome, "reason": reason})),
    )
    .await?;
    // SPEC R6.2, P 三(三): archived at once, by a durable job enqueued with the decision.
    let job = crate::jobs::NewJob {
        kind: KIND_ARCHIVE,
        unique_key: archive_job_key(id),
        run_at: now,
        payload: json!({ "case_id": id }),
    };
    crate::jobs::enqueue_once_in(&mut tx, &job, now).await?;
    tx.commit().await?;
    detail(app, id).await
}
