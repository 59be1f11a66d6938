//! The case's way (A5 §5, §6): referral to the competent organ or dismissal by the
//! department, the organ's decision and the notice to the subject, the subject's report of
//! rectification, the appeal and its decision (which does not suspend the measure).

use proofless_domain::accountability::{AppealState, CaseState};
use proofless_domain::deadline::{Period, RuleKey, SubjectType};
use proofless_domain::notification::NotificationKind;
use proofless_domain::role::Role;
use proofless_store::Tx;
use serde_json::json;

use super::access::{CaseDetail, get, is_department, is_organ, is_subject, load_visible};
use super::input::{DecideInput, ReferInput, TextInput, VerdictInput};
use super::repo::{self, Case};
use crate::App;
use crate::actor::Actor;
use crate::audit::{self, Entry};
use crate::deadlines::{self, NewDeadline};
use crate::error::{AppError, AppResult};
use crate::notifications::{self, Recipient};

/// The rule of the rectification deadline (its limit rides as the statutory limit).
pub const RECTIFICATION_RULE: &str = "accountability.rectification";

fn moved() -> AppError {
    AppError::Conflict("该问责事项已被他人处理，请刷新后重试".into())
}

/// Only the department or a unit's administrator can act as an organ at all (A5 §5).
fn require_organ_role(actor: &Actor) -> AppResult<()> {
    if actor.has_any(&[Role::Accountability, Role::UnitAdmin]) {
        Ok(())
    } else {
        Err(AppError::forbidden(
            "没有作出问责决定的职能（须为责任追究部门或决定单位管理员）",
        ))
    }
}

/// Tells the subject (the unit, and the staff member when one is named).
async fn notify_subject(tx: &mut Tx, c: &Case, text: &str, key: &str, now: i64) -> AppResult<()> {
    let link = format!("/accountability/{}", c.id);
    let mut to = vec![Recipient::Org(c.org_id)];
    if let Some(s) = c.staff_id {
        to.push(Recipient::Staff(s));
    }
    for (i, r) in to.iter().enumerate() {
        let k = format!("accountability:{}:{key}:{i}", c.id);
        let kind = NotificationKind::Accountability;
        notifications::insert_in(tx, r, kind, text, &link, &k, now).await?;
    }
    Ok(())
}

/// The order to rectify within a time limit (A5 §5(一)) as a deadline of the engine at the
/// subject's unit: the days from today to the limit's day (Beijing) ride as its statutory
/// limit, so the engine reminds, escalates when it passes and records its completion.
async fn open_rectification(tx: &mut Tx, app: &App, c: &Case, now: i64, by: i64) -> AppResult<i64> {
    use chrono::TimeZone;
    let day = |ms: i64| {
        crate::beijing()
            .timestamp_millis_opt(ms)
            .single()
            .map(|t| t.date_naive())
            .unwrap_or_default()
    };
    // The engine's periods stop at 9999 units (`MAX_PERIOD_UNITS`).
    let days = (day(by) - day(now)).num_days().clamp(1, 9_999);
    let cmd = NewDeadline {
        subject_type: SubjectType::AccountabilityRectification,
        subject_id: c.id.to_string(),
        org_id: c.org_id,
        rule_key: RuleKey::from_static(RECTIFICATION_RULE),
        start: chrono::DateTime::<chrono::Utc>::from_timestamp_millis(now).unwrap_or_default(),
        statutory_limit: Some(Period::CalendarDays(u32::try_from(days).unwrap_or(1))),
    };
    let system = Actor::system("accountability");
    Ok(deadlines::open_in(tx, app, &system, &cmd).await?.id)
}

/// Completes the case's rectification deadline, if it has one still open.
async fn close_rectification(tx: &mut Tx, app: &App, id: i64) -> AppResult<()> {
    if let Some(dl) = repo::open_rectify_deadline(tx, id).await? {
        deadlines::complete_in(tx, app, &Actor::system("accountability"), dl).await?;
    }
    Ok(())
}

/// The department refers a proposed case to the competent organ (A5 §5).
pub async fn refer(app: &App, actor: &Actor, id: i64, input: &ReferInput) -> AppResult<CaseDetail> {
    if !is_department(actor) {
        return Err(AppError::forbidden("只有责任追究部门可以移送问责事项"));
    }
    let (organ, organ_org) = input.parse()?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let c = load_visible(&mut tx, actor, id).await?;
    if !c.state.can_refer() {
        return Err(AppError::Conflict(format!(
            "问责事项{}，不能再移送",
            c.state.label()
        )));
    }
    if !repo::org_exists(&mut tx, organ_org).await? {
        return Err(AppError::field("organ_org_id", "作出决定的单位不存在"));
    }
    if repo::refer(&mut tx, id, organ, organ_org, now).await? == 0 {
        return Err(moved());
    }
    let e = Entry::new("accountability.refer", "accountability_case", id)
        .detail(json!({"organ": organ.as_str(), "organ_org_id": organ_org}));
    audit::append(&mut tx, actor, now, e).await?;
    notifications::insert_in(
        &mut tx,
        &Recipient::Org(organ_org),
        NotificationKind::Accountability,
        &format!("【问责移送】{}（{}）请作出决定", c.summary, c.org_name),
        &format!("/accountability/{id}"),
        &format!("accountability:{id}:referred"),
        now,
    )
    .await?;
    tx.commit().await?;
    get(app, actor, id).await
}

/// The department (a proposal) or the organ (a referred case) decides that no
/// accountability follows, with reasons.
pub async fn dismiss(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &TextInput,
) -> AppResult<CaseDetail> {
    let text = input.parse("不予问责的理由")?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let c = load_visible(&mut tx, actor, id).await?;
    let allowed = match c.state {
        CaseState::Proposed => is_department(actor),
        CaseState::Referred => is_organ(actor, &c),
        _ => return Err(AppError::Conflict(format!("问责事项{}", c.state.label()))),
    };
    if !allowed {
        return Err(AppError::forbidden(
            "只有责任追究部门或决定机关可以决定不予问责",
        ));
    }
    if repo::dismiss(&mut tx, id, c.state, &text, &actor.name, now).await? == 0 {
        return Err(moved());
    }
    let e = Entry::new("accountability.dismiss", "accountability_case", id)
        .detail(json!({"text": text}));
    audit::append(&mut tx, actor, now, e).await?;
    tx.commit().await?;
    get(app, actor, id).await
}

/// The organ decides a measure (A5 §5); the subject is notified at once.
pub async fn decide(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &DecideInput,
) -> AppResult<CaseDetail> {
    require_organ_role(actor)?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let c = load_visible(&mut tx, actor, id).await?;
    if !is_organ(actor, &c) {
        return Err(AppError::forbidden(
            "只有受移送的决定机关（责任追究部门或该单位管理员）可以作出问责决定",
        ));
    }
    if !c.state.can_decide() {
        return Err(AppError::Conflict(format!(
            "问责事项{}，不能作出决定",
            c.state.label()
        )));
    }
    let d = input.parse(now)?;
    if repo::decide(&mut tx, id, &d, &actor.name, now).await? == 0 {
        return Err(moved());
    }
    if let Some(by) = d.rectify_by {
        let dl = open_rectification(&mut tx, app, &c, now, by).await?;
        repo::set_rectify_deadline(&mut tx, id, dl).await?;
    }
    let e = Entry::new("accountability.decide", "accountability_case", id).detail(json!({
        "measure": d.measure.as_str(), "rectify_by": d.rectify_by, "organ": c.organ,
    }));
    audit::append(&mut tx, actor, now, e).await?;
    let by = d
        .rectify_by
        .map(|t| format!("，整改期限 {}", crate::local_time(t)))
        .unwrap_or_default();
    let text = format!(
        "【问责决定通知】{}：{}{by}。如不服可申请复核（附件5 第六条），复核期间不停止执行。",
        c.summary,
        d.measure.label()
    );
    notify_subject(&mut tx, &c, &text, "decided", now).await?;
    tx.commit().await?;
    get(app, actor, id).await
}

/// The subject reports the rectification done (A5 §5(一)); late reports stay marked late.
pub async fn report_rectified(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &TextInput,
) -> AppResult<CaseDetail> {
    let note = input.parse("整改情况")?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let c = load_visible(&mut tx, actor, id).await?;
    if !is_subject(actor, &c) {
        return Err(AppError::forbidden("只有被问责单位或本人可以报告整改情况"));
    }
    if repo::rectified(&mut tx, id, &note, now).await? == 0 {
        return Err(AppError::Conflict("该事项没有待报告的限期整改".into()));
    }
    close_rectification(&mut tx, app, id).await?;
    let late = c.rectify_by.is_some_and(|b| now > b);
    let e = Entry::new("accountability.rectified", "accountability_case", id)
        .detail(json!({"late": late}));
    audit::append(&mut tx, actor, now, e).await?;
    tx.commit().await?;
    get(app, actor, id).await
}

/// The subject applies for review or appeals (A5 §6); the measure stays in force.
pub async fn appeal(app: &App, actor: &Actor, id: i64, input: &TextInput) -> AppResult<CaseDetail> {
    let grounds = input.parse("复核（申诉）理由")?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let c = load_visible(&mut tx, actor, id).await?;
    if !is_subject(actor, &c) {
        return Err(AppError::forbidden(
            "只有被问责单位或本人可以申请复核（申诉）",
        ));
    }
    if c.state != CaseState::Decided {
        return Err(AppError::Conflict("只能对已作出的问责决定申请复核".into()));
    }
    if repo::appeals(&mut tx, id)
        .await?
        .iter()
        .any(|a| a.state == AppealState::Pending)
    {
        return Err(AppError::Conflict("已有待决定的复核（申诉）".into()));
    }
    let appeal_id =
        repo::insert_appeal(&mut tx, id, &grounds, (&actor.name, actor.id), now).await?;
    let e = Entry::new("accountability.appeal", "accountability_case", id)
        .detail(json!({"appeal_id": appeal_id}));
    audit::append(&mut tx, actor, now, e).await?;
    if let Some(organ) = c.organ_org_id {
        notifications::insert_in(
            &mut tx,
            &Recipient::Org(organ),
            NotificationKind::Accountability,
            &format!("【复核申请】{}（{}）", c.summary, c.org_name),
            &format!("/accountability/{id}"),
            &format!("accountability:{id}:appeal:{appeal_id}"),
            now,
        )
        .await?;
    }
    tx.commit().await?;
    get(app, actor, id).await
}

/// The organ decides the pending appeal: maintain the decision, or revoke it (the case
/// then ends without accountability).
pub async fn decide_appeal(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &VerdictInput,
) -> AppResult<CaseDetail> {
    let text = TextInput {
        text: input.text.clone(),
    }
    .parse("复核决定")?;
    require_organ_role(actor)?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let c = load_visible(&mut tx, actor, id).await?;
    if !is_organ(actor, &c) {
        return Err(AppError::forbidden(
            "只有作出决定的机关可以决定复核（申诉）",
        ));
    }
    let Some(a) = repo::appeals(&mut tx, id)
        .await?
        .into_iter()
        .find(|a| a.state == AppealState::Pending)
    else {
        return Err(AppError::Conflict("没有待决定的复核（申诉）".into()));
    };
    let state = if input.approve {
        AppealState::Maintained
    } else {
        AppealState::Revoked
    };
    if repo::decide_appeal(&mut tx, a.id, state, &text, &actor.name, now).await? == 0 {
        return Err(moved());
    }
    if state == AppealState::Revoked {
        let t = format!("复核撤销原决定：{text}");
        repo::dismiss(&mut tx, id, CaseState::Decided, &t, &actor.name, now).await?;
        // Nothing is left to rectify once the decision is revoked.
        close_rectification(&mut tx, app, id).await?;
    }
    let e = Entry::new("accountability.appeal_decide", "accountability_case", id)
        .detail(json!({"appeal_id": a.id, "state": state.as_str()}));
    audit::append(&mut tx, actor, now, e).await?;
    let note = format!("【复核结果】{}：{}。{text}", c.summary, state.label());
    notify_subject(&mut tx, &c, &note, &format!("appeal:{}", a.id), now).await?;
    tx.commit().await?;
    get(app, actor, id).await
}
