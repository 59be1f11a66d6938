//! Fault tolerance (容错免责, A5 §7–§11): the subject applies with grounds and evidence, the
//! department investigates and reports, the organ decides; an approved exemption is filed
//! (备案) and the case is marked exempted and left out of the assessment figures.

use proofless_domain::accountability::{CaseState, ExemptionState};
use proofless_domain::notification::NotificationKind;
use serde_json::json;

use super::access::{CaseDetail, get, is_department, is_organ, is_subject, load_visible};
use super::input::{ExemptionInput, TextInput, VerdictInput};
use super::repo::{self, ExemptionRow};
use crate::App;
use crate::actor::Actor;
use crate::audit::{self, Entry};
use crate::error::{AppError, AppResult};
use crate::notifications::{self, Recipient};

/// The exemption of the case in `state`, if any.
async fn in_state(
    tx: &mut proofless_store::Tx,
    id: i64,
    state: ExemptionState,
) -> AppResult<Option<ExemptionRow>> {
    Ok(repo::exemptions(tx, id)
        .await?
        .into_iter()
        .find(|e| e.state == state))
}

/// The subject applies for exemption (A5 §7, §8).
pub async fn apply_exemption(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &ExemptionInput,
) -> AppResult<CaseDetail> {
    let cmd = input.parse()?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let c = load_visible(&mut tx, actor, id).await?;
    if !is_subject(actor, &c) {
        return Err(AppError::forbidden("只有被问责单位或本人可以申请容错免责"));
    }
    if c.state != CaseState::Decided || c.exempted {
        return Err(AppError::Conflict(
            "只能对已作出且未免责的问责决定申请免责".into(),
        ));
    }
    let open = repo::exemptions(&mut tx, id).await?.into_iter().any(|e| {
        matches!(
            e.state,
            ExemptionState::Applied | ExemptionState::Investigated
        )
    });
    if open {
        return Err(AppError::Conflict("已有办理中的免责申请".into()));
    }
    let eid = repo::insert_exemption(&mut tx, id, &cmd, &actor.name, now).await?;
    let grounds: Vec<&str> = cmd.grounds.iter().map(|g| g.as_str()).collect();
    let e = Entry::new("accountability.exemption_apply", "accountability_case", id)
        .detail(json!({"exemption_id": eid, "grounds": grounds}));
    audit::append(&mut tx, actor, now, e).await?;
    notifications::insert_in(
        &mut tx,
        &Recipient::Role(proofless_domain::role::Role::Accountability),
        NotificationKind::Accountability,
        &format!("【免责申请】{}（{}）请调查核实", c.summary, c.org_name),
        &format!("/accountability/{id}"),
        &format!("accountability:{id}:exemption:{eid}"),
        now,
    )
    .await?;
    tx.commit().await?;
    get(app, actor, id).await
}

/// The department reports its investigation to the organ (A5 §10).
pub async fn report_exemption(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &TextInput,
) -> AppResult<CaseDetail> {
    if !is_department(actor) {
        return Err(AppError::forbidden("只有责任追究部门可以报送调查核实情况"));
    }
    let report = input.parse("调查核实情况")?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let c = load_visible(&mut tx, actor, id).await?;
    let Some(x) = in_state(&mut tx, id, ExemptionState::Applied).await? else {
        return Err(AppError::Conflict("没有待调查的免责申请".into()));
    };
    if repo::report_exemption(&mut tx, x.id, &report, &actor.name, now).await? == 0 {
        return Err(AppError::Conflict("该免责申请已被他人处理".into()));
    }
    let e = Entry::new("accountability.exemption_report", "accountability_case", id)
        .detail(json!({"exemption_id": x.id}));
    audit::append(&mut tx, actor, now, e).await?;
    if let Some(organ) = c.organ_org_id {
        notifications::insert_in(
            &mut tx,
            &Recipient::Org(organ),
            NotificationKind::Accountability,
            &format!(
                "【免责审批】{}（{}）调查核实完毕，请研究决定",
                c.summary, c.org_name
            ),
            &format!("/accountability/{id}"),
            &format!("accountability:{id}:exemption:{}:report", x.id),
            now,
        )
        .await?;
    }
    tx.commit().await?;
    get(app, actor, id).await
}

/// The organ approves (filed under a number, the case marked exempted) or rejects.
pub async fn decide_exemption(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &VerdictInput,
) -> AppResult<CaseDetail> {
    let text = TextInput {
        text: input.text.clone(),
    }
    .parse("免责决定")?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let c = load_visible(&mut tx, actor, id).await?;
    if !is_organ(actor, &c) {
        return Err(AppError::forbidden("只有问责决定机关可以决定是否免责"));
    }
    let Some(x) = in_state(&mut tx, id, ExemptionState::Investigated).await? else {
        return Err(AppError::Conflict(
            "没有已调查核实、待决定的免责申请".into(),
        ));
    };
    let (state, filing) = if input.approve {
        (
            ExemptionState::Approved,
            Some(format!("免责备案第{}号", x.id)),
        )
    } else {
        (ExemptionState::Rejected, None)
    };
    let filing_no = filing.as_deref();
    if repo::decide_exemption(&mut tx, x.id, state, &text, filing_no, &actor.name, now).await? == 0
    {
        return Err(AppError::Conflict("该免责申请已被他人处理".into()));
    }
    if input.approve {
        repo::set_exempted(&mut tx, id, now).await?;
    }
    let e = Entry::new("accountability.exemption_decide", "accountability_case", id)
        .detail(json!({"exemption_id": x.id, "state": state.as_str(), "filing_no": filing_no}));
    audit::append(&mut tx, actor, now, e).await?;
    for to in [Recipient::Org(c.org_id)] {
        notifications::insert_in(
            &mut tx,
            &to,
            NotificationKind::Accountability,
            &format!("【免责决定】{}：{}。{text}", c.summary, state.label()),
            &format!("/accountability/{id}"),
            &format!("accountability:{id}:exemption:{}:decided", x.id),
            now,
        )
        .await?;
    }
    tx.commit().await?;
    get(app, actor, id).await
}
