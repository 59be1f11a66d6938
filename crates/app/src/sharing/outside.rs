//! E-proofs for use outside the city (A4 §4(4); issue #18 §5): the citizen asks on the
//! portal, the issuer finds the request in its inbox with a deadline (the versioned setting
//! `sharing.outside_working_days`, default 1 working day), and issues a sealed e-proof or
//! refuses with a reason. Not issuing such proofs is a complaint ground (A4 §4(4)).

use chrono::{TimeZone as _, Utc};
use proofless_domain::deadline::{Period, RuleKey, SubjectType};
use proofless_domain::sharing::{OutsideState, SharingSource};
use serde_json::json;

use super::eproofs::{ISSUERS, check_data, prepare, write};
use super::input::{OutsideInput, OutsideIssueInput, RevokeInput, issue_command, reason};
use super::records::OutsideRequest;
use super::repo::{self, OutsideRow};
use super::settings::OUTSIDE_WORKING_DAYS;
use crate::App;
use crate::actor::{Actor, ActorKind};
use crate::audit::{self, Entry};
use crate::deadlines::NewDeadline;
use crate::error::{AppError, AppResult, Problems};

/// The deadline engine's rule of an outside-city request (migration 20261207600001); the
/// setting's working days are its binding limit.
pub const OUTSIDE_RULE: &str = "sharing.outside";

/// The request's deadline is done once it is issued or refused (inside `tx`).
async fn stop_clock(tx: &mut proofless_store::Tx, app: &App, id: i64) -> AppResult<()> {
    if let Some(d) = repo::outside_deadline(&mut *tx, id).await? {
        let system = Actor::system("sharing.outside");
        crate::deadlines::complete_in(tx, app, &system, d).await?;
    }
    Ok(())
}

fn view(r: OutsideRow) -> OutsideRequest {
    OutsideRequest {
        id: r.id,
        proof_item_id: r.proof_item_id,
        proof_item_name: r.proof_item_name,
        issuer_org_id: r.issuer_org_id,
        issuer_name: r.issuer_name,
        holder_name_masked: r.holder_name_masked,
        destination: r.destination,
        purpose: r.purpose,
        state_label: r.state.label().to_owned(),
        state: r.state,
        due_at: r.due_at,
        eproof_id: r.eproof_id,
        eproof_identifier: r.eproof_identifier,
        refusal_reason: r.refusal_reason,
        created_at: r.created_at,
    }
}

fn me(actor: &Actor) -> AppResult<i64> {
    match (actor.kind, actor.id) {
        (ActorKind::Portal, Some(id)) => Ok(id),
        (ActorKind::Anonymous, _) => Err(AppError::Unauthenticated),
        _ => Err(AppError::forbidden("此功能仅限申请人本人在办事门户使用")),
    }
}

/// The citizen asks for an e-proof for use outside the city.
pub async fn request_outside(
    app: &App,
    actor: &Actor,
    input: &OutsideInput,
) -> AppResult<OutsideRequest> {
    let person = me(actor)?;
    let (destination, purpose) = input.parse()?;
    let entry = repo::published_of_item(&mut app.db.reader(), input.proof_item_id)
        .await?
        .filter(|v| v.source == SharingSource::CountyLibrary)
        .ok_or_else(|| {
            AppError::field(
                "proof_item_id",
                "该证明事项不在县电子证照证明库的共享清单中，不能在线申请开具",
            )
        })?;
    let now = app.now_ms();
    let days = crate::policy::in_force(&mut app.db.reader(), &OUTSIDE_WORKING_DAYS, now).await?;
    let start = Utc
        .timestamp_millis_opt(now)
        .single()
        .ok_or_else(|| AppError::Internal("时间无效".into()))?;
    let mut tx = app.db.begin().await?;
    // The request is written first (its id names the deadline), with the deadline's due
    // instant set once the engine has computed it.
    let id = repo::insert_outside(
        &mut tx,
        person,
        input.proof_item_id,
        entry.issuer_org_id,
        &destination,
        &purpose,
        now,
        now,
    )
    .await?;
    let system = Actor::system(&actor.operation_id);
    let opened = crate::deadlines::open_in(
        &mut tx,
        app,
        &system,
        &NewDeadline {
            subject_type: SubjectType::SharingOutside,
            subject_id: format!("outside:{id}"),
            org_id: entry.issuer_org_id,
            rule_key: RuleKey::from_static(OUTSIDE_RULE),
            start,
            statutory_limit: Some(Period::WorkingDays(days.clamp(1, 20) as u32)),
        },
    )
    .await?;
    let due = opened
        .due_at
        .ok_or_else(|| AppError::Internal("开具时限无法计算".into()))?;
    repo::set_outside_deadline(&mut tx, id, opened.id, due).await?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("sharing.outside.request", "sharing_outside_request", id)
            .subject(format!("person:{person}"))
            .detail(json!({ "proof_item_id": input.proof_item_id, "due_at": due, "deadline_id": opened.id })),
    )
    .await?;
    tx.commit().await?;
    get(app, id).await
}

async fn get(app: &App, id: i64) -> AppResult<OutsideRequest> {
    repo::outside(&mut app.db.reader(), id)
        .await?
        .map(view)
        .ok_or_else(|| AppError::NotFound("异地使用证明申请".into()))
}

/// The citizen's own requests.
pub async fn my_requests(app: &App, actor: &Actor) -> AppResult<Vec<OutsideRequest>> {
    let person = me(actor)?;
    Ok(repo::outside_of_person(&mut app.db.reader(), person)
        .await?
        .into_iter()
        .map(view)
        .collect())
}

/// The issuer's inbox: pending first, by due time.
pub async fn inbox(app: &App, actor: &Actor) -> AppResult<Vec<OutsideRequest>> {
    actor.require_any(&ISSUERS)?;
    let org = actor
        .org_id
        .ok_or_else(|| AppError::forbidden("须以开具单位的身份查看"))?;
    Ok(repo::outside_of_issuer(&mut app.db.reader(), org)
        .await?
        .into_iter()
        .map(view)
        .collect())
}

async fn pending_of(app: &App, actor: &Actor, id: i64) -> AppResult<OutsideRow> {
    actor.require_any(&ISSUERS)?;
    let r = repo::outside(&mut app.db.reader(), id)
        .await?
        .ok_or_else(|| AppError::NotFound("异地使用证明申请".into()))?;
    actor.require_org(r.issuer_org_id)?;
    if r.state != OutsideState::Pending {
        return Err(AppError::Conflict(format!("该申请已{}", r.state.label())));
    }
    Ok(r)
}

/// The issuer issues the sealed e-proof for the request.
pub async fn issue_outside(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &OutsideIssueInput,
) -> AppResult<OutsideRequest> {
    let r = pending_of(app, actor, id).await?;
    let mut p = Problems::default();
    let cmd = issue_command(
        &mut p,
        "",
        r.proof_item_id,
        &input.data,
        &input.valid_from,
        input.valid_to.as_deref(),
        None,
    );
    let entry =
        super::eproofs::issuable(app, r.issuer_org_id, r.proof_item_id, "proof_item_id").await?;
    check_data(&mut p, "", &entry, &input.data)?;
    p.into_result()?;
    let cmd = cmd.ok_or_else(|| AppError::field("input", "校验失败"))?;
    let prepared = prepare(app, r.issuer_org_id, entry, r.person_id, &cmd).await?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let eproof = write(&mut tx, actor, now, prepared).await?;
    if repo::close_outside(
        &mut tx,
        id,
        OutsideState::Issued,
        Some(eproof),
        None,
        &actor.name,
        now,
    )
    .await?
        == 0
    {
        return Err(AppError::Conflict("该申请刚刚已被处理".into()));
    }
    stop_clock(&mut tx, app, id).await?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("sharing.outside.issue", "sharing_outside_request", id)
            .subject(format!("person:{}", r.person_id))
            .detail(json!({ "eproof_id": eproof })),
    )
    .await?;
    tx.commit().await?;
    get(app, id).await
}

/// The issuer refuses, with the reason the citizen sees.
pub async fn refuse_outside(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &RevokeInput,
) -> AppResult<OutsideRequest> {
    let why = reason(&input.reason)?;
    let r = pending_of(app, actor, id).await?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    if repo::close_outside(
        &mut tx,
        id,
        OutsideState::Refused,
        None,
        Some(&why),
        &actor.name,
        now,
    )
    .await?
        == 0
    {
        return Err(AppError::Conflict("该申请刚刚已被处理".into()));
    }
    stop_clock(&mut tx, app, id).await?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("sharing.outside.refuse", "sharing_outside_request", id)
            .subject(format!("person:{}", r.person_id))
            .detail(json!({ "reason": why })),
    )
    .await?;
    tx.commit().await?;
    get(app, id).await
}
