//! The result and the complainant's answer (A4 §10–§11; SPEC R8.7): facts found, upheld
//! or not, measures; a sealed notice; an upheld complaint records a violation for
//! accountability (A5 §4); 满意 / 基本满意 / 不满意.

use proofless_domain::complaint::{self as rules, ComplaintState, Satisfaction};
use proofless_domain::notification::NotificationKind;
use proofless_domain::seal::SealKind;
use proofless_domain::violation::ViolationSource;
use proofless_store::q;
use serde_json::json;

use super::handling::{Acted, enqueue_callback_in, require_state, sms_for};
use super::input::{ResultInput, SatisfactionInput, TrackInput};
use super::intake::{dims, month_of};
use super::repo::{self, Bump};
use super::view::{self, Access};
use crate::App;
use crate::actor::Actor;
use crate::audit::{self, Entry};
use crate::deadlines;
use crate::error::{AppError, AppResult};
use crate::notifications::{self, Recipient};
use crate::seals::{self, ToSeal};
use crate::violations::{self, NewViolation};

/// The handling unit records the result; the complainant is told with a sealed notice.
pub async fn record_result(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &ResultInput,
) -> AppResult<Acted> {
    let (facts, upheld, measures) = input.parse()?;
    let (c, a) = view::load(app, actor, id).await?;
    let handles = a == Access::Handler
        || (a == Access::Receiver && c.handling_org_id == Some(c.receiver_org_id));
    if !handles {
        return Err(AppError::forbidden("只有承办单位可以办结投诉"));
    }
    require_state(&c, &[ComplaintState::Accepted], "办结")?;
    let org = c.handling_org_id.unwrap_or(c.agency_org_id);
    let now = app.now_ms();
    let system = Actor::system(&actor.operation_id);
    let due = match c.handle_deadline_id {
        Some(d) => deadlines::get(app, &system, d).await?.deadline.due_at,
        None => None,
    };
    let on_time = due.is_none_or(|d| now <= d);
    let receipt = c.receipt_no.clone().unwrap_or_default();
    let notice = json!({
        "kind": "complaint_result", "title": "投诉办理结果告知书", "receipt_no": receipt,
        "agency": c.agency_org_name, "ground": c.ground.label(), "request": c.request,
        "facts": facts, "upheld": if upheld { "投诉属实" } else { "投诉不属实" },
        "measures": measures, "handled_by": c.handling_org_name, "answered_at": crate::local_time(now),
        "satisfaction": "请通过投诉查询页面（受理编号和联系电话）对办理结果作出评价：满意、基本满意或不满意。",
    });
    let signed = seals::sign(app, org, &notice).await?;
    let mut tx = app.db.begin().await?;
    let notice_id = seals::record_in(
        &mut tx,
        actor,
        now,
        &ToSeal {
            org_id: org,
            kind: SealKind::ComplaintResult,
            object_type: "complaint",
            object_id: id.to_string(),
            body: &notice,
        },
        signed,
    )
    .await?;
    let ok = repo::transition(
        &mut tx,
        id,
        &[ComplaintState::Accepted],
        ComplaintState::Answered,
        q(", facts = ?, upheld = ?, measures = ?, answered_at = ?, on_time = ?, notice_id = ?")
            .bind(facts.as_str())
            .bind(upheld)
            .bind(measures.as_str())
            .bind(now)
            .bind(on_time)
            .bind(notice_id.as_str()),
        now,
    )
    .await?;
    if !ok {
        return Err(AppError::Conflict("投诉已被他人处理，请刷新后重试".into()));
    }
    if let Some(d) = c.handle_deadline_id {
        deadlines::complete_in(&mut tx, app, &system, d).await?;
    }
    if upheld {
        let source_ref = format!("complaint:{id}");
        let summary = format!(
            "投诉 {receipt} 经查属实：{}。{}",
            c.ground.label(),
            facts.chars().take(200).collect::<String>()
        );
        violations::record(
            &mut tx,
            actor,
            now,
            &NewViolation {
                kind: rules::violation_kind(c.ground),
                source: ViolationSource::Complaint,
                source_ref: &source_ref,
                org_id: c.agency_org_id,
                staff_id: None,
                summary: &summary,
                occurred_at: c.received_at,
            },
        )
        .await?;
    }
    let after = repo::get(&mut tx, id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("投诉 {id}")))?;
    repo::follow_first(&mut tx, &after, now).await?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("complaint.result", "complaint", id).detail(json!({
            "upheld": upheld, "on_time": on_time, "notice_id": notice_id, "reopened": c.reopened,
        })),
    )
    .await?;
    // A reopened complaint was counted answered the first time.
    if !c.reopened {
        let b = Bump {
            answered: 1,
            on_time: i64::from(on_time),
            upheld: i64::from(upheld),
            ..Bump::default()
        };
        repo::bump_figures(&mut tx, &month_of(c.received_at), dims(&c), b).await?;
    }
    notifications::insert_in(
        &mut tx,
        &Recipient::Org(c.receiver_org_id),
        NotificationKind::Complaint,
        &format!(
            "【投诉举报】投诉 {receipt} 已办结（{}）。",
            if upheld { "属实" } else { "不属实" }
        ),
        &format!("/complaints/{id}"),
        &format!("complaint:{id}:answered:{now}"),
        now,
    )
    .await?;
    enqueue_callback_in(&mut tx, &after, now).await?;
    tx.commit().await?;
    let text = format!(
        "您的投诉（受理编号{receipt}）已办结：{}。请凭受理编号和联系电话查询结果并评价（满意/基本满意/不满意）。",
        if upheld {
            "投诉属实，已处理"
        } else {
            "经查投诉不属实"
        }
    );
    let complaint = view::get(app, actor, id).await?;
    Ok(Acted {
        sms: sms_for(app, &after, text).await?,
        complaint,
    })
}

/// The complainant rates the result (receipt number and phone; throttled). 不满意 lets
/// the receiver have it handled once more.
pub async fn rate(
    app: &App,
    actor: &Actor,
    client: &str,
    input: &SatisfactionInput,
) -> AppResult<view::Tracked> {
    let (receipt, phone, answer) = input.parse()?;
    let key = TrackInput {
        receipt_no: receipt,
        phone,
        csrf: None,
    };
    let c = view::by_key(app, actor, client, &key).await?;
    require_state(&c, &[ComplaintState::Answered], "评价")?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let ok = repo::transition(
        &mut tx,
        c.id,
        &[ComplaintState::Answered],
        ComplaintState::Closed,
        q(", satisfaction = ?, satisfaction_at = ?")
            .bind(answer.as_str())
            .bind(now),
        now,
    )
    .await?;
    if !ok {
        return Err(AppError::Conflict("该投诉已评价".into()));
    }
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("complaint.rate", "complaint", c.id)
            .subject(format!("complaint:{}", c.id))
            .detail(json!({"answer": answer})),
    )
    .await?;
    let b = match answer {
        Satisfaction::Unsatisfied => Bump {
            unsatisfied: 1,
            ..Bump::default()
        },
        _ => Bump {
            satisfied: 1,
            ..Bump::default()
        },
    };
    repo::bump_figures(&mut tx, &month_of(c.received_at), dims(&c), b).await?;
    if answer == Satisfaction::Unsatisfied {
        let text = if c.reopened {
            format!(
                "【投诉举报】投诉 {} 的投诉人对重新办理的结果仍不满意。",
                c.receipt_no.clone().unwrap_or_default()
            )
        } else {
            format!(
                "【投诉举报】投诉 {} 的投诉人不满意，可要求承办单位重新办理一次。",
                c.receipt_no.clone().unwrap_or_default()
            )
        };
        notifications::insert_in(
            &mut tx,
            &Recipient::Org(c.receiver_org_id),
            NotificationKind::Complaint,
            &text,
            &format!("/complaints/{}", c.id),
            &format!("complaint:{}:unsatisfied:{now}", c.id),
            now,
        )
        .await?;
    }
    tx.commit().await?;
    view::track(app, actor, client, &key).await
}
