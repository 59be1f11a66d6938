//! Decisions of issued minutes tracked until carried out (A1 三(五)): the owner unit reports
//! its progress to the office, the last report closes the decision and its deadline; the
//! engine reminds the owner and marks an unfinished decision overdue, telling the owner and
//! the office. Matters referred to the county government (三(四)) are tracked the same way,
//! with the county government's office as owner.

use proofless_domain::joint::DecisionState;
use proofless_domain::notification::NotificationKind;
use proofless_domain::role::Role;
use serde::Serialize;
use serde_json::json;

use super::input::ProgressInput;
use super::registry::is_office;
use super::repo::{self, Decision, Progress};
use crate::App;
use crate::actor::Actor;
use crate::audit::{self, Entry};
use crate::deadlines;
use crate::error::{AppError, AppResult};
use crate::notifications::{self, Recipient};
use crate::page::{Page, PageRequest};

/// A decision with its tracking.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = joint_DecisionDetail)]
pub struct DecisionDetail {
    pub decision: Decision,
    /// Past its deadline and not carried out (or carried out late, once done).
    pub overdue: bool,
    pub progress: Vec<Progress>,
    /// `progress` when the reader's unit owns the open decision.
    pub actions: Vec<String>,
}

/// Whether a decision is overdue now.
pub fn is_overdue(d: &Decision, now: i64) -> bool {
    match d.state {
        DecisionState::Open => {
            d.deadline_state.as_deref() == Some("overdue") || d.due_at.is_some_and(|due| due <= now)
        }
        DecisionState::Done => {
            matches!((d.done_at, d.due_at), (Some(done), Some(due)) if done > due)
        }
    }
}

/// A row of the tracking list.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = joint_TrackedDecision)]
pub struct Tracked {
    pub decision: Decision,
    pub overdue: bool,
}

/// The office sees every decision of issued minutes; a unit its own (我的决定事项).
pub async fn list(
    app: &App,
    actor: &Actor,
    mine: bool,
    page: PageRequest,
) -> AppResult<Page<Tracked>> {
    actor.require_staff()?;
    let owner = if is_office(actor) && !mine {
        None
    } else {
        Some(
            actor
                .org_id
                .ok_or_else(|| AppError::forbidden("只有单位工作人员可以查看本单位的决定事项"))?,
        )
    };
    let now = app.now_ms();
    let mut r = app.db.reader();
    let (limit, offset) = (page.limit(), page.offset());
    let items = repo::tracked(&mut r, owner, limit, offset)
        .await?
        .into_iter()
        .map(|d| Tracked {
            overdue: is_overdue(&d, now),
            decision: d,
        })
        .collect();
    Ok(Page {
        items,
        total: repo::count_tracked(&mut r, owner).await?,
        limit,
        offset,
    })
}

/// One decision: the office, the owner unit, and every member unit of issued minutes.
pub async fn get(app: &App, actor: &Actor, id: i64) -> AppResult<DecisionDetail> {
    actor.require_staff()?;
    let mut r = app.db.reader();
    let d = repo::decision(&mut r, id)
        .await?
        .filter(|d| d.deadline_id.is_some())
        .ok_or_else(|| AppError::NotFound("议定事项".into()))?;
    let progress = repo::progress(&mut r, id).await?;
    let mut actions = vec![];
    if d.state == DecisionState::Open && actor.org_id == Some(d.owner_org_id) {
        actions.push("progress".to_owned());
    }
    Ok(DecisionDetail {
        overdue: is_overdue(&d, app.now_ms()),
        decision: d,
        progress,
        actions,
    })
}

/// The owner unit reports progress; `done` closes the decision and its deadline. Only the
/// owner unit may report (A1 三(五)).
pub async fn report(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &ProgressInput,
) -> AppResult<DecisionDetail> {
    actor.require_staff()?;
    let text = input.parse()?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let d = repo::decision(&mut tx, id)
        .await?
        .filter(|d| d.deadline_id.is_some())
        .ok_or_else(|| AppError::NotFound("议定事项".into()))?;
    if actor.org_id != Some(d.owner_org_id) {
        return Err(AppError::forbidden(format!(
            "只有责任单位（{}）可以报送落实情况",
            d.owner_name
        )));
    }
    if !actor.has_any(&[
        Role::UnitAdmin,
        Role::Liaison,
        Role::CountyApprover,
        Role::JointOffice,
    ]) {
        return Err(AppError::forbidden("落实情况由责任单位管理员或联络员报送"));
    }
    if d.state != DecisionState::Open {
        return Err(AppError::Conflict("该事项已落实，不能再报送".into()));
    }
    let pid = repo::insert_progress(
        &mut tx,
        id,
        &text,
        input.done,
        d.owner_org_id,
        &actor.name,
        now,
    )
    .await?;
    if input.done {
        if repo::close_decision(&mut tx, id, now).await? == 0 {
            return Err(AppError::Conflict("该事项已被他人办结".into()));
        }
        if let Some(dl) = d.deadline_id {
            deadlines::complete_in(&mut tx, app, &Actor::system("joint.decision"), dl).await?;
        }
    }
    let late = d.due_at.is_some_and(|due| now > due);
    let e = Entry::new("joint.progress", "joint_decision", id)
        .detail(json!({"progress_id": pid, "done": input.done, "late": late}));
    audit::append(&mut tx, actor, now, e).await?;
    let what = if input.done {
        "已落实"
    } else {
        "报送进展"
    };
    notifications::insert_in(
        &mut tx,
        &Recipient::Role(Role::JointOffice),
        NotificationKind::JointMeeting,
        &format!("【落实情况】{}{what}：{}", d.owner_name, d.text),
        &format!("/joint/decisions/{id}"),
        &format!("joint:decision:{id}:progress:{pid}"),
        now,
    )
    .await?;
    tx.commit().await?;
    get(app, actor, id).await
}
