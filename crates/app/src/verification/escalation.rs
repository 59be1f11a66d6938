//! Overdue requests: reported to the joint office by the requester or automatically, the
//! order to finish by a new limit, the request to summon those responsible (A2 §11,
//! SPEC R5.7).

use chrono::{DateTime, Utc};
use proofless_domain::role::Role;
use proofless_domain::verification::{self as rules, Action, EventKind};
use proofless_store::Tx;
use serde_json::json;

use super::access::require_action;
use super::input::{OrderInput, SummonInput, invalid};
use super::notify::event_in;
use super::records::{Detail, Verification};
use super::reply::conclude;
use super::send::get_unaudited;
use super::{number, repo};
use crate::App;
use crate::actor::Actor;
use crate::audit::{self, Entry};
use crate::error::AppResult;
use crate::notifications::{self, Recipient};
use crate::violations::{self, NewViolation};
use proofless_domain::violation::{ViolationKind, ViolationSource};

/// Reports `v` to the joint office inside `tx`, once; the issuer is told too.
pub(super) async fn report_in(
    tx: &mut Tx,
    actor: &Actor,
    v: &Verification,
    auto: bool,
    now: i64,
) -> AppResult<()> {
    if repo::set_reported(tx, v.id, &actor.name, auto, now).await? == 0 {
        return Ok(());
    }
    let late = v
        .due_at
        .map(|d| rules::countdown_text(d, now))
        .unwrap_or_default();
    let text = if auto {
        format!("宽限期满仍未反馈，系统自动报告县联席会议办公室（{late}）")
    } else {
        format!("需求单位报告县联席会议办公室：开具单位逾期未反馈（{late}）")
    };
    event_in(tx, (v.id, now), EventKind::Report, actor, &text).await?;
    record_late_in(tx, actor, v, &late, now).await?;
    audit::append(
        tx,
        actor,
        now,
        Entry::new("verification.report", "verification", v.id)
            .detail(json!({"auto": auto, "due_at": v.due_at, "issuer_org_id": v.issuer_org_id})),
    )
    .await?;
    let msg = format!(
        "【逾期核验报告】{} 请求{}核验“{}”（{}），{}。",
        v.requester_name,
        v.issuer_name,
        v.proof_item_name,
        number(v.id),
        late
    );
    let link = format!("/verifications/{}", v.id);
    for (to, who) in [
        (Recipient::Role(Role::JointOffice), "joint"),
        (Recipient::Org(v.issuer_org_id), "issuer"),
    ] {
        notifications::insert_in(
            tx,
            &to,
            proofless_domain::notification::NotificationKind::Overdue,
            &msg,
            &link,
            &format!("verification:{}:report:{who}", v.id),
            now,
        )
        .await?;
    }
    Ok(())
}

/// The overdue request as a violation record (A2 §7, A5 §4(三)), once per request: the
/// accountability workflow proposes a case from it with the request as evidence.
async fn record_late_in(
    tx: &mut Tx,
    actor: &Actor,
    v: &Verification,
    late: &str,
    now: i64,
) -> AppResult<()> {
    let source_ref = format!("verification:{}", v.id);
    let summary = format!(
        "{}逾期未反馈{}的核验请求“{}”（{}，{late}）",
        v.issuer_name,
        v.requester_name,
        v.proof_item_name,
        number(v.id)
    );
    let fact = NewViolation {
        kind: ViolationKind::VerificationLate,
        source: ViolationSource::Verification,
        source_ref: &source_ref,
        org_id: v.issuer_org_id,
        staff_id: None,
        summary: &summary,
        occurred_at: v.due_at.unwrap_or(now),
    };
    violations::record(tx, actor, now, &fact).await?;
    Ok(())
}

/// The requester reports an overdue request to the joint office with one action (A2 §11).
pub async fn report(app: &App, actor: &Actor, id: i64) -> AppResult<Detail> {
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let v = repo::load(&mut tx, id).await?;
    require_action(actor, &v, Action::Report, now)?;
    report_in(&mut tx, actor, &v, false, now).await?;
    tx.commit().await?;
    get_unaudited(app, id).await
}

/// The joint office orders the issuer to finish by a new time limit (A2 §11).
pub async fn order(app: &App, actor: &Actor, id: i64, input: &OrderInput) -> AppResult<Detail> {
    let now = app.now_ms();
    let now_at = DateTime::<Utc>::from_timestamp_millis(now).unwrap_or_default();
    let cmd = input.parse(now_at).map_err(invalid)?;
    let by = cmd.finish_by.timestamp_millis();
    let text = cmd.text;
    let mut tx = app.db.begin().await?;
    let v = repo::load(&mut tx, id).await?;
    require_action(actor, &v, Action::Order, now)?;
    repo::set_ordered(&mut tx, id, by, &text, now).await?;
    let ev = format!(
        "联席会议办公室责成{}于 {} 前办结：{text}",
        v.issuer_name,
        crate::local_time(by)
    );
    event_in(&mut tx, (id, now), EventKind::Order, actor, &ev).await?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("verification.order", "verification", id)
            .detail(json!({"finish_by": by, "text": text, "issuer_org_id": v.issuer_org_id})),
    )
    .await?;
    let note = format!("【责成限时办结】{}：{ev}", number(id));
    notifications::insert_in(
        &mut tx,
        &Recipient::Org(v.issuer_org_id),
        proofless_domain::notification::NotificationKind::Verification,
        &note,
        &format!("/verifications/{id}"),
        &format!("verification:{id}:order:{now}:issuer"),
        now,
    )
    .await?;
    let event = format!("order:{now}");
    conclude(tx, app, actor, &v, (&note, &event), false, now).await
}

/// The joint office records its request to the county government to summon those
/// responsible (约谈, A2 §11).
pub async fn summon(app: &App, actor: &Actor, id: i64, input: &SummonInput) -> AppResult<Detail> {
    let text = input.parse().map_err(invalid)?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let v = repo::load(&mut tx, id).await?;
    require_action(actor, &v, Action::Summon, now)?;
    repo::set_summoned(&mut tx, id, &text, now).await?;
    let ev = format!("提请县政府对相关人员进行约谈：{text}");
    event_in(&mut tx, (id, now), EventKind::Summon, actor, &ev).await?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("verification.summon", "verification", id)
            .detail(json!({"text": text, "issuer_org_id": v.issuer_org_id})),
    )
    .await?;
    notifications::insert_in(
        &mut tx,
        &Recipient::Role(Role::CountyApprover),
        proofless_domain::notification::NotificationKind::Summon,
        &format!(
            "【提请约谈】{}（{}逾期未反馈核验）：{text}",
            number(id),
            v.issuer_name
        ),
        &format!("/verifications/{id}"),
        &format!("verification:{id}:summon"),
        now,
    )
    .await?;
    tx.commit().await?;
    get_unaudited(app, id).await
}
