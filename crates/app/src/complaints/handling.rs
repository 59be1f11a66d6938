//! Acceptance, linking, extension, termination and reopening (A4 §8–§11; SPEC R8.5–R8.8).

use proofless_domain::complaint::{ComplaintState, ExtensionState, RejectGround, Satisfaction};
use proofless_domain::deadline::{Period, RuleKey, SubjectType, keys};
use proofless_domain::notification::NotificationKind;
use proofless_store::{Tx, q};
use serde::Serialize;
use serde_json::json;

use super::input::{
    AcceptInput, ExtensionDecision, ExtensionInput, LinkInput, RejectInput, TerminateInput,
};
use super::intake::{dims, month_of};
use super::repo::{self, Bump, Complaint};
use super::settings::REJECT_GROUNDS;
use super::view::{self, Access};
use crate::App;
use crate::actor::Actor;
use crate::applicants;
use crate::audit::{self, Entry};
use crate::deadlines::{self, ExtendDeadline, NewDeadline};
use crate::error::{AppError, AppResult};
use crate::notifications::{self, Recipient};

/// A text message to the complainant, sent by the caller through the configured sender
/// after the transaction (A4 §10: the complainant is told).
#[derive(Debug, Clone)]
pub struct Sms {
    pub phone: String,
    pub text: String,
}

/// A complaint after an act, and the message to send, if the complainant left a phone.
#[derive(Debug, Clone, Serialize)]
pub struct Acted {
    #[serde(flatten)]
    pub complaint: Complaint,
    #[serde(skip)]
    pub sms: Option<Sms>,
}

pub(crate) fn require(a: Access, allowed: &[Access], what: &str) -> AppResult<()> {
    if allowed.contains(&a) {
        Ok(())
    } else {
        Err(AppError::forbidden(format!("无权{what}")))
    }
}

pub(crate) fn require_state(c: &Complaint, states: &[ComplaintState], what: &str) -> AppResult<()> {
    if states.contains(&c.state) {
        Ok(())
    } else {
        Err(AppError::Conflict(format!(
            "投诉当前为“{}”，不能{what}",
            c.state.label()
        )))
    }
}

/// The message for the complainant, if a phone was left.
pub(crate) async fn sms_for(app: &App, c: &Complaint, text: String) -> AppResult<Option<Sms>> {
    match &c.phone_enc {
        Some(p) => Ok(Some(Sms {
            phone: applicants::reveal_phone(app, p).await?,
            text,
        })),
        None => Ok(None),
    }
}

/// The result pushed to the 12345 platform for a work order (see `hotline.rs`).
pub(crate) async fn enqueue_callback_in(tx: &mut Tx, c: &Complaint, now: i64) -> AppResult<()> {
    let Some(no) = &c.work_order_no else {
        return Ok(());
    };
    let body = json!({
        "work_order_no": no, "receipt_no": c.receipt_no, "state": c.state,
        "state_label": c.state.label(), "reject_ground": c.reject_ground,
        "reject_note": c.reject_note, "terminate_ground": c.terminate_ground,
        "facts": c.facts, "upheld": c.upheld, "measures": c.measures,
        "answered_at": c.answered_at, "notice_id": c.notice_id, "at": now,
    });
    repo::enqueue_callback(tx, c.id, &body.to_string(), now).await
}

async fn reread(tx: &mut Tx, id: i64) -> AppResult<Complaint> {
    repo::get(tx, id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("投诉 {id}")))
}

async fn moved(ok: bool) -> AppResult<()> {
    if ok {
        Ok(())
    } else {
        Err(AppError::Conflict("投诉已被他人处理，请刷新后重试".into()))
    }
}

async fn done_deadline(tx: &mut Tx, app: &App, actor: &Actor, id: Option<i64>) -> AppResult<()> {
    if let Some(d) = id {
        deadlines::complete_in(tx, app, &Actor::system(&actor.operation_id), d).await?;
    }
    Ok(())
}

/// Opens the 5-working-day handling deadline (A4 §10) at the handling unit.
async fn open_handling(
    tx: &mut Tx,
    app: &App,
    actor: &Actor,
    c: &Complaint,
    org: i64,
    now: i64,
) -> AppResult<i64> {
    let start = deadlines::to_utc(now).ok_or_else(|| AppError::Internal("时间无效".into()))?;
    let opened = deadlines::open_in(
        tx,
        app,
        &Actor::system(&actor.operation_id),
        &NewDeadline {
            subject_type: SubjectType::Complaint,
            subject_id: c.receipt_no.clone().unwrap_or_default(),
            org_id: org,
            rule_key: RuleKey::from_static(keys::COMPLAINT_HANDLING),
            start,
            statutory_limit: None,
        },
    )
    .await?;
    Ok(opened.id)
}

/// How a complaint ends on a ground: 不予受理 (A4 §8) or 终止办理 (A4 §11).
struct Ending<'a> {
    from: ComplaintState,
    to: ComplaintState,
    /// The ground and note columns, `, x_ground = ?, x_note = ?`.
    columns: &'static str,
    /// The deadline the complaint waited on, completed.
    deadline: Option<i64>,
    action: &'static str,
    ground: &'a str,
    note: &'a str,
    /// Complaints linked to this one follow its result (A4 §9).
    follow_first: bool,
}

/// The transition with its ground and note, the deadline completed, the audit row and the
/// 12345 callback, in one transaction.
async fn end_on_ground(app: &App, actor: &Actor, id: i64, e: &Ending<'_>) -> AppResult<()> {
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let ok = repo::transition(
        &mut tx,
        id,
        &[e.from],
        e.to,
        q(e.columns).bind(e.ground).bind(e.note),
        now,
    )
    .await?;
    moved(ok).await?;
    done_deadline(&mut tx, app, actor, e.deadline).await?;
    let after = reread(&mut tx, id).await?;
    if e.follow_first {
        repo::follow_first(&mut tx, &after, now).await?;
    }
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new(e.action, "complaint", id).detail(json!({"ground": e.ground, "note": e.note})),
    )
    .await?;
    enqueue_callback_in(&mut tx, &after, now).await?;
    tx.commit().await?;
    Ok(())
}

async fn told(app: &App, actor: &Actor, id: i64, text: String) -> AppResult<Acted> {
    let c = view::get(app, actor, id).await?;
    let raw = repo::get(&mut app.db.reader(), id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("投诉 {id}")))?;
    Ok(Acted {
        sms: sms_for(app, &raw, text).await?,
        complaint: c,
    })
}

/// The receiver accepts within the acceptance deadline and assigns the handling unit.
pub async fn accept(app: &App, actor: &Actor, id: i64, input: &AcceptInput) -> AppResult<Acted> {
    let (c, a) = view::load(app, actor, id).await?;
    require(
        a,
        &[Access::Receiver],
        "受理该投诉（须为登记该投诉的受理机构）",
    )?;
    require_state(&c, &[ComplaintState::Registered], "受理")?;
    let org = input.handling_org_id.unwrap_or(c.agency_org_id);
    if org != c.agency_org_id && org != c.receiver_org_id {
        return Err(AppError::field(
            "handling_org_id",
            "承办单位只能是受理机构本身或被投诉单位",
        ));
    }
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let deadline = open_handling(&mut tx, app, actor, &c, org, now).await?;
    let ok = repo::transition(
        &mut tx,
        id,
        &[ComplaintState::Registered],
        ComplaintState::Accepted,
        q(", accepted_at = ?, handling_org_id = ?, identity_needed = ?, handle_deadline_id = ?")
            .bind(now)
            .bind(org)
            .bind(input.identity_needed)
            .bind(deadline),
        now,
    )
    .await?;
    moved(ok).await?;
    done_deadline(&mut tx, app, actor, c.accept_deadline_id).await?;
    audit::append(&mut tx, actor, now, Entry::new("complaint.accept", "complaint", id).detail(json!({
        "handling_org_id": org, "identity_needed": input.identity_needed, "deadline_id": deadline,
    }))).await?;
    notifications::insert_in(
        &mut tx,
        &Recipient::Org(org),
        NotificationKind::Complaint,
        &format!(
            "【投诉举报】投诉 {} 已受理并交由本单位办理，请在5个工作日内办结。",
            c.receipt_no.clone().unwrap_or_default()
        ),
        &format!("/complaints/{id}"),
        &format!("complaint:{id}:accepted:{now}"),
        now,
    )
    .await?;
    repo::bump_figures(
        &mut tx,
        &month_of(c.received_at),
        dims(&c),
        Bump {
            accepted: 1,
            ..Bump::default()
        },
    )
    .await?;
    tx.commit().await?;
    let text = format!(
        "您的投诉（受理编号{}）已受理，将在5个工作日内办结并告知结果。",
        c.receipt_no.clone().unwrap_or_default()
    );
    told(app, actor, id, text).await
}

/// The receiver does not accept, on a ground of A4 §8 in force when it was received; the
/// complainant is told why.
pub async fn reject(app: &App, actor: &Actor, id: i64, input: &RejectInput) -> AppResult<Acted> {
    let (ground, note) = input.parse()?;
    let (c, a) = view::load(app, actor, id).await?;
    require(a, &[Access::Receiver], "作出不予受理决定")?;
    require_state(&c, &[ComplaintState::Registered], "作出不予受理决定")?;
    let allowed =
        crate::policy::in_force(&mut app.db.reader(), &REJECT_GROUNDS, c.received_at).await?;
    if !allowed.iter().any(|g| g == ground.as_str()) {
        return Err(AppError::field(
            "ground",
            "该情形不在现行的不予受理情形之内",
        ));
    }
    end_on_ground(
        app,
        actor,
        id,
        &Ending {
            from: ComplaintState::Registered,
            to: ComplaintState::Rejected,
            columns: ", reject_ground = ?, reject_note = ?",
            deadline: c.accept_deadline_id,
            action: "complaint.reject",
            ground: ground.as_str(),
            note: note.as_str(),
            follow_first: false,
        },
    )
    .await?;
    let why = if ground == RejectGround::Other {
        note
    } else {
        ground.label().to_owned()
    };
    let text = format!(
        "您的投诉（受理编号{}）不予受理，理由：{why}。",
        c.receipt_no.clone().unwrap_or_default()
    );
    told(app, actor, id, text).await
}

/// The later receiver links its complaint to the first receiver's (A4 §9): the first
/// handles it, the linked one follows its result.
pub async fn link(app: &App, actor: &Actor, id: i64, input: &LinkInput) -> AppResult<Acted> {
    let (c, a) = view::load(app, actor, id).await?;
    require(a, &[Access::Receiver], "并案（须为登记该投诉的受理机构）")?;
    require_state(&c, &[ComplaintState::Registered], "并入首家受理机构")?;
    let first = repo::get(&mut app.db.reader(), input.first_id)
        .await?
        .ok_or_else(|| AppError::field("first_id", "要并入的投诉不存在"))?;
    if first.id == c.id
        || first.received_at > c.received_at
        || (first.received_at == c.received_at && first.id > c.id)
    {
        return Err(AppError::field(
            "first_id",
            "只能并入先收到的投诉（首家受理机构办理）",
        ));
    }
    if first.agency_org_id != c.agency_org_id {
        return Err(AppError::field(
            "first_id",
            "两件投诉的被投诉单位不同，不是同一投诉",
        ));
    }
    if matches!(
        first.state,
        ComplaintState::Rejected | ComplaintState::Linked
    ) {
        return Err(AppError::field(
            "first_id",
            "该投诉不予受理或本身已并案，不能作为首家受理",
        ));
    }
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let ok = repo::transition(
        &mut tx,
        id,
        &[ComplaintState::Registered],
        ComplaintState::Linked,
        q(", linked_to = ?").bind(first.id),
        now,
    )
    .await?;
    moved(ok).await?;
    done_deadline(&mut tx, app, actor, c.accept_deadline_id).await?;
    if first.answered_at.is_some() || first.terminate_ground.is_some() {
        repo::follow_first(&mut tx, &first, now).await?;
    }
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("complaint.link", "complaint", id)
            .detail(json!({"first_id": first.id, "first_receipt_no": first.receipt_no})),
    )
    .await?;
    tx.commit().await?;
    let text = format!(
        "您的投诉（受理编号{}）与{}已受理的同一投诉（{}）合并办理，结果将一并告知。",
        c.receipt_no.clone().unwrap_or_default(),
        first.receiver.label(),
        first.receipt_no.clone().unwrap_or_default()
    );
    told(app, actor, id, text).await
}

/// Whether the actor handles it (the handling unit, or the receiver handling itself).
fn handles(a: Access, c: &Complaint) -> bool {
    a == Access::Handler || (a == Access::Receiver && c.handling_org_id == Some(c.receiver_org_id))
}

/// The handling unit applies for an extension with reasons (A4 §10).
pub async fn request_extension(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &ExtensionInput,
) -> AppResult<Complaint> {
    let (period, reason) = input.parse()?;
    let (c, a) = view::load(app, actor, id).await?;
    if !handles(a, &c) {
        return Err(AppError::forbidden("只有承办单位可以申请延期"));
    }
    require_state(&c, &[ComplaintState::Accepted], "申请延期")?;
    let exts = repo::extensions(&mut app.db.reader(), id).await?;
    if exts.iter().any(|e| e.state == ExtensionState::Requested) {
        return Err(AppError::Conflict("已有一份延期申请待审批".into()));
    }
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let ext =
        repo::insert_extension(&mut tx, id, &period.to_string(), &reason, &actor.name, now).await?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("complaint.extension.request", "complaint", id)
            .detail(json!({"extension_id": ext, "period": period.to_string(), "reason": reason})),
    )
    .await?;
    notifications::insert_in(
        &mut tx,
        &Recipient::Org(c.receiver_org_id),
        NotificationKind::Complaint,
        &format!(
            "【投诉举报】投诉 {} 的承办单位申请延期 {period}，请审批。",
            c.receipt_no.clone().unwrap_or_default()
        ),
        &format!("/complaints/{id}"),
        &format!("complaint:{id}:extension:{ext}"),
        now,
    )
    .await?;
    tx.commit().await?;
    view::get(app, actor, id).await
}

/// The receiver approves or refuses; an approved extension moves the deadline within the
/// engine's cap (at most 5 working days in all, A4 §10).
pub async fn decide_extension(
    app: &App,
    actor: &Actor,
    id: i64,
    ext_id: i64,
    input: &ExtensionDecision,
) -> AppResult<Complaint> {
    let (c, a) = view::load(app, actor, id).await?;
    require(a, &[Access::Receiver], "审批延期（须为受理机构）")?;
    require_state(&c, &[ComplaintState::Accepted], "审批延期")?;
    let exts = repo::extensions(&mut app.db.reader(), id).await?;
    let Some(ext) = exts
        .into_iter()
        .find(|e| e.id == ext_id && e.state == ExtensionState::Requested)
    else {
        return Err(AppError::NotFound(format!("待审批的延期申请 {ext_id}")));
    };
    let approver = actor
        .staff_id()
        .ok_or_else(|| AppError::forbidden("延期须由受理机构工作人员审批"))?;
    let now = app.now_ms();
    let state = if input.approve {
        ExtensionState::Approved
    } else {
        ExtensionState::Refused
    };
    let mut tx = app.db.begin().await?;
    if input.approve {
        let period = Period::parse(&ext.period).map_err(|e| AppError::Internal(e.to_string()))?;
        let d = c
            .handle_deadline_id
            .ok_or_else(|| AppError::Internal("投诉没有办理期限".into()))?;
        let cmd = ExtendDeadline {
            period,
            approved_by: approver,
            reason: ext.reason.clone(),
        };
        deadlines::extend_in(&mut tx, app, &Actor::system(&actor.operation_id), d, &cmd).await?;
    }
    moved(repo::decide_extension(&mut tx, ext_id, state, &actor.name, now).await?).await?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("complaint.extension.decide", "complaint", id)
            .detail(json!({"extension_id": ext_id, "decision": state})),
    )
    .await?;
    tx.commit().await?;
    view::get(app, actor, id).await
}

/// Handling ends without a result on a ground of A4 §11.
pub async fn terminate(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &TerminateInput,
) -> AppResult<Acted> {
    let (ground, note) = input.parse()?;
    let (c, a) = view::load(app, actor, id).await?;
    if !(a == Access::Receiver || handles(a, &c)) {
        return Err(AppError::forbidden("只有受理机构或承办单位可以终止办理"));
    }
    require_state(&c, &[ComplaintState::Accepted], "终止办理")?;
    end_on_ground(
        app,
        actor,
        id,
        &Ending {
            from: ComplaintState::Accepted,
            to: ComplaintState::Terminated,
            columns: ", terminate_ground = ?, terminate_note = ?",
            deadline: c.handle_deadline_id,
            action: "complaint.terminate",
            ground: ground.as_str(),
            note: note.as_str(),
            follow_first: true,
        },
    )
    .await?;
    let text = format!(
        "您的投诉（受理编号{}）已终止办理：{}。",
        c.receipt_no.clone().unwrap_or_default(),
        ground.label()
    );
    told(app, actor, id, text).await
}

/// After 不满意 the receiver may have it handled once more (a new 5-working-day period).
pub async fn reopen(app: &App, actor: &Actor, id: i64) -> AppResult<Complaint> {
    let (c, a) = view::load(app, actor, id).await?;
    require(a, &[Access::Receiver], "重新办理（须为受理机构）")?;
    require_state(&c, &[ComplaintState::Closed], "重新办理")?;
    if c.satisfaction != Some(Satisfaction::Unsatisfied) {
        return Err(AppError::Conflict(
            "只有投诉人不满意的投诉才能重新办理".into(),
        ));
    }
    if c.reopened {
        return Err(AppError::Conflict(
            "该投诉已重新办理过一次，不能再次重新办理".into(),
        ));
    }
    let org = c.handling_org_id.unwrap_or(c.agency_org_id);
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let deadline = open_handling(&mut tx, app, actor, &c, org, now).await?;
    let ok = repo::transition(&mut tx, id, &[ComplaintState::Closed], ComplaintState::Accepted,
        q(", reopened = TRUE, satisfaction = NULL, satisfaction_at = NULL, handle_deadline_id = ?, answered_at = NULL, on_time = NULL").bind(deadline), now).await?;
    moved(ok).await?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("complaint.reopen", "complaint", id)
            .detail(json!({"deadline_id": deadline, "previous_satisfaction": c.satisfaction})),
    )
    .await?;
    notifications::insert_in(
        &mut tx,
        &Recipient::Org(org),
        NotificationKind::Complaint,
        &format!(
            "【投诉举报】投诉 {} 的投诉人不满意，受理机构要求重新办理，请在5个工作日内办结。",
            c.receipt_no.clone().unwrap_or_default()
        ),
        &format!("/complaints/{id}"),
        &format!("complaint:{id}:reopened"),
        now,
    )
    .await?;
    tx.commit().await?;
    view::get(app, actor, id).await
}
