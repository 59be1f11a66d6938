//! The false-commitment blacklist (虚假承诺黑名单) by due process — proposed on a false
//! finding, the subject notified, an objection period, then the credit office decides
//! (SPEC R4.8, P 三(四)3). Credit repair, which takes a subject off again, is in
//! [`super::repair`].

use proofless_domain::credit::{self, BlacklistDecision, ProposalState, RecordKind};
use proofless_domain::role::Role;
use proofless_store::Tx;
use serde_json::json;

use super::input::{DecisionInput, ObjectionInput, ProposalFilter};
use super::repo::{self, ProposalScope};
pub use super::repo::{BlacklistEntry, Proposal};
use super::{NewRecord, add_record_in, portal_owns};
use crate::App;
use crate::actor::{Actor, ActorKind};
use crate::audit::{self, Entry};
use crate::error::{AppError, AppResult};
use crate::jobs;
use crate::notifications::{self, Recipient};

pub const KIND_OBJECTION_END: &str = "credit.objection_end";
const DAY_MS: i64 = 86_400_000;

/// Opens the due process after a false finding, inside the check's transaction: the
/// proposal, the notice to the subject (shown on their portal page), the credit office's
/// notification and the job that reminds it when the objection period ends.
pub async fn propose_in(
    tx: &mut Tx,
    actor: &Actor,
    subject_ref: &str,
    commitment_id: i64,
    reason: &str,
    now: i64,
) -> AppResult<i64> {
    // SPEC "Trial rules": the period in force when the due process opens stays its period.
    let days = crate::policy::in_force(tx, &super::settings::OBJECTION_DAYS, now).await?;
    let until = now + days * DAY_MS;
    let id = repo::insert_proposal(tx, subject_ref, commitment_id, reason, until, now).await?;
    audit::append(
        tx,
        actor,
        now,
        Entry::new("blacklist.propose", "blacklist_proposal", id)
            .subject(subject_ref)
            .detail(json!({"commitment_id": commitment_id, "objection_until": until})),
    )
    .await?;
    notifications::insert_in(
        tx,
        &Recipient::Role(Role::CreditOffice),
        proofless_domain::notification::NotificationKind::Blacklist,
        &format!(
            "【黑名单告知】承诺 #{commitment_id} 经核查为虚假承诺，已告知当事人，异议期至 {}。",
            crate::local_time(until)
        ),
        &format!("/credit#proposal-{id}"),
        &format!("blacklist:propose:{id}"),
        now,
    )
    .await?;
    jobs::enqueue_in(
        tx,
        KIND_OBJECTION_END,
        &format!("blacklist:objection-end:{id}"),
        until + 1,
        &json!({"proposal_id": id}),
        now,
    )
    .await?;
    Ok(id)
}

/// The job at the end of an objection period: tells the credit office a decision is due.
pub async fn run_objection_end(tx: &mut Tx, proposal_id: i64, now: i64) -> AppResult<bool> {
    let Some(p) = repo::find_proposal(tx, proposal_id).await? else {
        return Ok(false);
    };
    if p.state != ProposalState::Notified {
        return Ok(false);
    }
    notifications::insert_in(
        tx,
        &Recipient::Role(Role::CreditOffice),
        proofless_domain::notification::NotificationKind::Blacklist,
        &format!(
            "【待决定】黑名单拟列入事项 #{proposal_id} 异议期已届满，当事人未提出异议，请作出决定。"
        ),
        &format!("/credit#proposal-{proposal_id}"),
        &format!("blacklist:objection-end:{proposal_id}"),
        now,
    )
    .await?;
    Ok(true)
}

/// Proposals: the credit office sees all; a portal user those about them.
pub async fn proposals(app: &App, actor: &Actor, f: &ProposalFilter) -> AppResult<Vec<Proposal>> {
    let scope = if actor.kind == ActorKind::Portal {
        // A portal session without a person sees nobody's.
        ProposalScope::Person(actor.id.unwrap_or(-1))
    } else {
        actor.require_any(&[Role::CreditOffice, Role::SystemAdmin])?;
        match f.subject_ref.as_deref().filter(|s| !s.is_empty()) {
            Some(s) => ProposalScope::Subject(s),
            None => ProposalScope::All,
        }
    };
    let state = f.parse_state()?;
    let rows = repo::proposals(&mut app.db.reader(), scope, state).await?;
    audit::record_read(
        &app.db,
        actor,
        app.now_ms(),
        Entry::new("blacklist.proposals.read", "blacklist_proposal", "*")
            .purpose("查看黑名单拟列入事项")
            .detail(json!({"count": rows.len()})),
    )
    .await?;
    Ok(rows)
}

/// The subject objects within the period (portal; or a counter clerk recording a paper one).
pub async fn object(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &ObjectionInput,
) -> AppResult<Proposal> {
    let text = input.parse()?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let cur = repo::proposal(&mut tx, id).await?;
    if !portal_owns(&mut tx, actor, &cur.subject_ref).await? {
        actor.require_any(&[Role::CounterClerk, Role::CreditOffice])?;
    }
    if let Some(why) = credit::objection_refusal(cur.state, now, cur.objection_until) {
        return Err(AppError::Conflict(why.to_owned()));
    }
    repo::record_objection(&mut tx, id, &text, now).await?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("blacklist.object", "blacklist_proposal", id).subject(&cur.subject_ref),
    )
    .await?;
    notifications::insert_in(
        &mut tx,
        &Recipient::Role(Role::CreditOffice),
        proofless_domain::notification::NotificationKind::Blacklist,
        &format!("【异议】黑名单拟列入事项 #{id} 的当事人提出了异议，请审查并作出决定。"),
        &format!("/credit#proposal-{id}"),
        &format!("blacklist:object:{id}"),
        now,
    )
    .await?;
    let out = repo::proposal(&mut tx, id).await?;
    tx.commit().await?;
    Ok(out)
}

/// The credit office decides, after the objection period or on an objection (R4.8).
pub async fn decide(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &DecisionInput,
) -> AppResult<Proposal> {
    actor.require_any(&[Role::CreditOffice])?;
    let cmd = input.parse()?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let cur = repo::proposal(&mut tx, id).await?;
    if let Some(why) = credit::decision_refusal(cur.state, now, cur.objection_until, &cmd.reasons) {
        return Err(AppError::Conflict(why.to_owned()));
    }
    let state = cmd.decision.state();
    let decided = repo::decide_proposal(
        &mut tx,
        id,
        cur.state,
        state,
        cmd.reasons.trim(),
        &actor.name,
        now,
    )
    .await?;
    if !decided {
        return Err(AppError::Conflict("该事项刚刚已被处理，请刷新".to_owned()));
    }
    if cmd.decision == BlacklistDecision::List {
        let entry = repo::insert_entry(&mut tx, &cur.subject_ref, id, now).await?;
        add_record_in(
            &mut tx,
            actor,
            &NewRecord {
                subject_ref: &cur.subject_ref,
                kind: RecordKind::Blacklisted,
                commitment_id: Some(cur.commitment_id),
                started_at: cur.created_at,
                org_id: actor.org_id,
                note: &format!("经告知及异议程序，决定列入虚假承诺黑名单（名单条目 #{entry}）"),
            },
            now,
        )
        .await?;
    }
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("blacklist.decide", "blacklist_proposal", id)
            .subject(&cur.subject_ref)
            .detail(json!({"decision": state, "objected": cur.objection.is_some()})),
    )
    .await?;
    let out = repo::proposal(&mut tx, id).await?;
    tx.commit().await?;
    Ok(out)
}

/// The blacklist (current entries; `all` includes those repaired).
pub async fn blacklist(app: &App, actor: &Actor, all: bool) -> AppResult<Vec<BlacklistEntry>> {
    actor.require_any(&[Role::CreditOffice, Role::SystemAdmin])?;
    let rows = repo::entries(&mut app.db.reader(), all).await?;
    audit::record_read(
        &app.db,
        actor,
        app.now_ms(),
        Entry::new("blacklist.read", "blacklist_entry", "*")
            .purpose("信用办查看黑名单")
            .detail(json!({"count": rows.len()})),
    )
    .await?;
    Ok(rows)
}
