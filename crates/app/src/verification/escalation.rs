//! Overdue requests: report, order, summon, and the jobs behind them (A2 §6, §11; SPEC R5.7,
//! R5.8).

use super::*;

// ---------------------------------------------------------------------------------------
// Overdue (A2 §11)

pub(super) async fn report_in(
    tx: &mut Tx,
    actor: &Actor,
    v: &Verification,
    auto: bool,
    now: i64,
) -> AppResult<()> {
    let n = tx
        .execute(
            q("UPDATE verifications SET reported_at = ?, reported_by_name = ?, report_auto = ?, updated_at = ?, \
               version = version + 1 WHERE id = ? AND reported_at IS NULL AND state = 'registered'")
            .bind(now)
            .bind(&actor.name)
            .bind(auto)
            .bind(now)
            .bind(v.id),
        )
        .await?;
    if n == 0 {
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
    event_in(tx, v.id, now, "report", actor, &text).await?;
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
        (
            Recipient::Role(proofless_domain::role::Role::JointOffice),
            "joint",
        ),
        (Recipient::Org(v.issuer_org_id), "issuer"),
    ] {
        notifications::insert_in(
            tx,
            &to,
            "overdue",
            &msg,
            &link,
            &format!("verification:{}:report:{who}", v.id),
            now,
        )
        .await?;
    }
    Ok(())
}

/// The requester reports an overdue request to the joint office with one action (A2 §11).
pub async fn report(app: &App, actor: &Actor, id: i64) -> AppResult<Detail> {
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let v = load_in(&mut tx, id).await?;
    require_action(actor, &v, Action::Report, now)?;
    report_in(&mut tx, actor, &v, false, now).await?;
    tx.commit().await?;
    get_unaudited(app, id).await
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct OrderInput {
    /// The new time limit, RFC 3339 (e.g. `2026-03-13T12:00:00+08:00`); must be in the future.
    pub finish_by: String,
    pub text: String,
}

/// The joint office orders the issuer to finish by a new time limit (A2 §11).
pub async fn order(app: &App, actor: &Actor, id: i64, input: &OrderInput) -> AppResult<Detail> {
    let now = app.now_ms();
    let mut p = Problems::default();
    let by = match DateTime::parse_from_rfc3339(input.finish_by.trim()) {
        Ok(t) if t.with_timezone(&Utc).timestamp_millis() > now => {
            Some(t.with_timezone(&Utc).timestamp_millis())
        }
        Ok(_) => {
            p.add("finish_by", "限时办结的时间须晚于现在");
            None
        }
        Err(_) => {
            p.add(
                "finish_by",
                "限办时间无效（应为 RFC 3339，例如 2026-03-13T12:00:00+08:00）",
            );
            None
        }
    };
    let text = field_text(&mut p, "text", "责成意见", &input.text, 500);
    p.into_result()?;
    let Some(by) = by else {
        return Err(AppError::Internal("校验失败".into()));
    };
    let mut tx = app.db.begin().await?;
    let v = load_in(&mut tx, id).await?;
    require_action(actor, &v, Action::Order, now)?;
    tx.execute(
        q("UPDATE verifications SET ordered_at = ?, order_due_at = ?, order_text = ?, due_at = ?, updated_at = ?, \
           version = version + 1 WHERE id = ?")
        .bind(now)
        .bind(by)
        .bind(&text)
        .bind(by)
        .bind(now)
        .bind(id),
    )
    .await?;
    let ev = format!(
        "联席会议办公室责成{}于 {} 前办结：{text}",
        v.issuer_name,
        crate::local_time(by)
    );
    event_in(&mut tx, id, now, "order", actor, &ev).await?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("verification.order", "verification", id)
            .detail(json!({"finish_by": by, "text": text, "issuer_org_id": v.issuer_org_id})),
    )
    .await?;
    notifications::insert_in(
        &mut tx,
        &Recipient::Org(v.issuer_org_id),
        "verification",
        &format!("【责成限时办结】{}：{ev}", number(id)),
        &format!("/verifications/{id}"),
        &format!("verification:{id}:order:{now}:issuer"),
        now,
    )
    .await?;
    let note = &format!("【责成限时办结】{}：{ev}", number(id));
    conclude(
        tx,
        app,
        actor,
        &v,
        (&note, &format!("order:{now}")),
        false,
        now,
    )
    .await
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct SummonInput {
    /// Who should be summoned and the harm done.
    pub text: String,
}

/// The joint office records its request to the county government to summon those
/// responsible (约谈, A2 §11).
pub async fn summon(app: &App, actor: &Actor, id: i64, input: &SummonInput) -> AppResult<Detail> {
    let mut p = Problems::default();
    let text = field_text(&mut p, "text", "提请约谈事由", &input.text, MAX_TEXT);
    p.into_result()?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let v = load_in(&mut tx, id).await?;
    require_action(actor, &v, Action::Summon, now)?;
    tx.execute(
        q("UPDATE verifications SET summon_at = ?, summon_text = ?, updated_at = ?, version = version + 1 WHERE id = ?")
            .bind(now)
            .bind(&text)
            .bind(now)
            .bind(id),
    )
    .await?;
    event_in(
        &mut tx,
        id,
        now,
        "summon",
        actor,
        &format!("提请县政府对相关人员进行约谈：{text}"),
    )
    .await?;
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
        &Recipient::Role(proofless_domain::role::Role::CountyApprover),
        "summon",
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

/// Job effects (called from `jobs::run_job`): the automatic report after the grace period,
/// and the half-time notification to B. `false`: nothing to do any more (skipped).
pub async fn run_job(
    tx: &mut Tx,
    app: &App,
    kind: &str,
    payload: &Json,
    now: i64,
) -> AppResult<bool> {
    let id = payload["verification_id"].as_i64().unwrap_or_default();
    let Some(v) = tx
        .fetch_optional::<Verification>(q(format!("{SELECT} WHERE v.id = ?")).bind(id))
        .await?
    else {
        return Ok(false);
    };
    match kind {
        KIND_AUTO_REPORT => {
            let grace = grace_minutes_in(tx).await?;
            let due_passed = v.due_at.is_some_and(|d| d + grace * 60_000 <= now);
            if v.state() != State::Registered || v.reported_at.is_some() || !due_passed {
                return Ok(false);
            }
            let system = Actor::system("jobs:verification");
            report_in(tx, &system, &v, true, now).await?;
            let _ = app;
            Ok(true)
        }
        KIND_HALF_TIME => {
            if v.state() != State::Registered || v.due_at.is_none_or(|d| d <= now) {
                return Ok(false);
            }
            let text = format!(
                "【核验提醒·B角】{}（{}）已过反馈时限的一半仍未反馈，请 B 角协助办理，{} 到期。",
                number(id),
                v.proof_item_name,
                v.due_at.map(crate::local_time).unwrap_or_default()
            );
            let posts = tx.fetch_all(duty_posts_query(v.issuer_org_id)).await?;
            let posts = (v.issuer_org_id, &posts);
            notify_issuer_in(tx, posts, true, id, &text, "half", now).await?;
            Ok(true)
        }
        _ => Ok(false),
    }
}
