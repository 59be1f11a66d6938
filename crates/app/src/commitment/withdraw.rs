//! Withdrawal (R4.6): before the case is decided the applicant may withdraw with a
//! reasonable reason, and the case continues by the original procedure. A signed letter is
//! never edited.

use proofless_domain::commitment::{SigningChannel, withdrawal_refusal};
use proofless_domain::role::Role;
use serde_json::json;

use super::input::WithdrawInput;
use super::repo::{self, Commitment};
use crate::App;
use crate::actor::{Actor, ActorKind};
use crate::audit::{self, Entry};
use crate::credit;
use crate::error::{AppError, AppResult};
use crate::notifications::{self, Recipient};

/// R4.6: before the case is decided the applicant may withdraw with a reasonable reason;
/// the case then continues by the original procedure.
pub async fn withdraw(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &WithdrawInput,
) -> AppResult<Commitment> {
    // R4.6: the applicant withdraws: on the portal in person, at the counter through the
    // clerk who records the applicant's own request.
    let channel = match actor.kind {
        ActorKind::Anonymous => return Err(AppError::Unauthenticated),
        ActorKind::Portal => SigningChannel::Portal,
        _ => {
            actor.require_any(&[Role::CounterClerk])?;
            SigningChannel::Counter
        }
    };
    let reason = input.parse(channel)?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let c = super::view::commitment_in(app, &mut tx, id).await?;
    let confirmed_by = match channel {
        SigningChannel::Portal => {
            if !credit::portal_owns(&mut tx, actor, &c.subject_ref).await? {
                return Err(AppError::forbidden("只能撤回本人（本单位）签署的承诺"));
            }
            None
        }
        SigningChannel::Counter => {
            actor.require_org(c.org_id)?;
            Some(actor.name.as_str())
        }
    };
    // A case that is gone counts as decided: nothing is left to continue.
    let case_open = repo::case(&mut tx, c.case_id)
        .await?
        .is_some_and(|k| k.state == proofless_domain::case::CaseState::Open);
    if let Some(why) = withdrawal_refusal(c.state, case_open) {
        return Err(AppError::Conflict(why.to_owned()));
    }
    if !repo::withdraw(&mut tx, id, &reason, channel, confirmed_by, now).await? {
        return Err(AppError::Conflict("该承诺已撤回，不能重复撤回".to_owned()));
    }
    if let Some(d) = c.deadline_id {
        repo::end_check_deadline(&mut tx, d, false, now).await?;
    }
    // R4.6: the case's proof goes back to the original procedure.
    crate::cases::commitment_withdrawn_in(&mut tx, actor, c.case_id, c.proof_item_id, id, now)
        .await?;
    notifications::insert_in(
        &mut tx,
        &Recipient::Org(c.org_id),
        proofless_domain::notification::NotificationKind::CommitmentWithdrawn,
        &format!(
            "【撤回承诺】办件 #{} 的申请人撤回了“{}”的告知承诺，请按原程序办理（提交证明或采用其他替代方式）。",
            c.case_id, c.proof_item_name
        ),
        &format!("/commitments/{id}"),
        &format!("commitment:withdrawn:{id}"),
        now,
    )
    .await?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("commitment.withdraw", "commitment", id)
            .subject(&c.subject_ref)
            .detail(
                json!({"case_id": c.case_id, "reason": reason, "continues": "original_procedure",
                    "channel": channel, "applicant_confirmed_to": confirmed_by}),
            ),
    )
    .await?;
    let out = super::view::commitment_in(app, &mut tx, id).await?;
    tx.commit().await?;
    Ok(out)
}

/// A signed letter is sealed and never edited: a request to change it is refused (the
/// applicant withdraws and signs anew instead). The database refuses it as well.
pub async fn edit_letter(app: &App, actor: &Actor, id: i64) -> AppResult<Commitment> {
    let mut db = app.db.reader();
    let c = super::view::commitment_in(app, &mut db, id).await?;
    if !super::view::may_see(&mut db, actor, &c).await? {
        return Err(AppError::forbidden("无权修改该告知承诺"));
    }
    Err(AppError::Conflict(
        "承诺书已签署并加盖电子印章，不能修改；如内容有误，请在办结前撤回承诺后重新签署".to_owned(),
    ))
}
