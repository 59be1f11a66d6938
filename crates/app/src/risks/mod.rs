//! The risk register (风险台账, P 三(四)5; SPEC R10.3, issue #21 §4): each unit lists the
//! risk points of its steps and their controls, and reviews the register once a year — a
//! recurring obligation on the deadline engine (`joint::obligation`), which reminds the unit
//! and marks a missed review overdue. The joint office sees every unit's register.

mod input;
mod repo;

use proofless_domain::deadline::SubjectType;
use proofless_domain::joint::next_review_due;
use proofless_domain::notification::NotificationKind;
use proofless_domain::role::Role;
use serde::Serialize;
use serde_json::json;

pub use input::{ReviewInput, RiskInput};
pub use repo::{Review, RiskPoint};

use crate::App;
use crate::actor::Actor;
use crate::audit::{self, Entry};
use crate::error::{AppError, AppResult};
use crate::joint::obligation::{self, Obligation};
use crate::notifications::{self, Recipient};

/// One unit's register.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = risks_UnitRegister)]
pub struct UnitRegister {
    pub org_id: i64,
    pub org_name: String,
    pub points: Vec<RiskPoint>,
    pub reviews: Vec<Review>,
    /// The engine's deadline of the next yearly review.
    pub review_deadline_id: Option<i64>,
    pub review_due_at: Option<i64>,
    /// `true` when the yearly review is overdue.
    pub review_overdue: bool,
}

fn obligation_name(org: i64) -> String {
    format!("risk_review:{org}")
}

/// Who may keep a unit's register: its administrator or liaison.
fn require_keeper(actor: &Actor) -> AppResult<i64> {
    actor.require_any(&[Role::UnitAdmin, Role::Liaison])?;
    actor
        .org_id
        .ok_or_else(|| AppError::forbidden("只有单位工作人员可以维护本单位风险台账"))
}

async fn register_of(app: &App, org: i64, name: String) -> AppResult<UnitRegister> {
    let mut r = app.db.reader();
    let points = repo::points(&mut r, Some(org)).await?;
    let reviews = repo::reviews(&mut r, Some(org)).await?;
    let standing = obligation::standing(&mut r, &obligation_name(org)).await?;
    let now = app.now_ms();
    Ok(UnitRegister {
        org_id: org,
        org_name: name,
        points,
        reviews,
        review_overdue: standing
            .as_ref()
            .is_some_and(|s| s.1 == "overdue" || (s.1 == "open" && s.2.is_some_and(|d| d <= now))),
        review_deadline_id: standing.as_ref().map(|s| s.0),
        review_due_at: standing.and_then(|s| s.2),
    })
}

/// The registers the reader may see: every unit's (the joint office, optionally one unit) or
/// the reader's own unit's.
pub async fn registers(app: &App, actor: &Actor, org: Option<i64>) -> AppResult<Vec<UnitRegister>> {
    actor.require_staff()?;
    let all = actor.has_any(&[Role::JointOffice, Role::SystemAdmin]);
    let units = if all {
        match org {
            Some(o) => {
                let n = repo::org_name(&mut app.db.reader(), o)
                    .await?
                    .ok_or_else(|| AppError::NotFound(format!("单位 {o}")))?;
                vec![(o, n)]
            }
            None => repo::units(&mut app.db.reader()).await?,
        }
    } else {
        let own = actor
            .org_id
            .ok_or_else(|| AppError::forbidden("只能查看本单位的风险台账"))?;
        if org.is_some_and(|o| o != own) {
            return Err(AppError::forbidden("只能查看本单位的风险台账"));
        }
        vec![(own, actor.org_name.clone().unwrap_or_default())]
    };
    let mut out = Vec::with_capacity(units.len());
    for (id, name) in units {
        out.push(register_of(app, id, name).await?);
    }
    Ok(out)
}

/// A unit lists a risk point of its steps with its controls; the first starts the yearly
/// review's deadline.
pub async fn add(app: &App, actor: &Actor, input: &RiskInput) -> AppResult<RiskPoint> {
    let org = require_keeper(actor)?;
    let r = input.parse()?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let id = repo::insert(&mut tx, org, &r, &actor.name, now).await?;
    let e = Entry::new("risk.add", "risk_point", id)
        .detail(json!({"org_id": org, "step": r.step, "level": r.level.as_str()}));
    audit::append(&mut tx, actor, now, e).await?;
    let name = obligation_name(org);
    let sid = org.to_string();
    let o = Obligation {
        name: &name,
        subject_type: SubjectType::RiskReview,
        subject_id: &sid,
        org_id: org,
        rule_key: "risk.review",
    };
    obligation::ensure(&mut tx, app, &o, next_review_due(obligation::today(app))).await?;
    tx.commit().await?;
    repo::point(&mut app.db.reader(), id)
        .await?
        .ok_or_else(|| AppError::NotFound("风险点".into()))
}

async fn own_point(tx: &mut proofless_store::Tx, org: i64, id: i64) -> AppResult<RiskPoint> {
    match repo::point(tx, id).await? {
        Some(p) if p.org_id == org => Ok(p),
        Some(_) => Err(AppError::forbidden("只能维护本单位的风险点")),
        None => Err(AppError::NotFound("风险点".into())),
    }
}

/// The unit changes a risk point or its controls.
pub async fn update(app: &App, actor: &Actor, id: i64, input: &RiskInput) -> AppResult<RiskPoint> {
    let org = require_keeper(actor)?;
    let r = input.parse()?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    own_point(&mut tx, org, id).await?;
    repo::update(&mut tx, id, &r, now).await?;
    let e = Entry::new("risk.update", "risk_point", id)
        .detail(json!({"step": r.step, "level": r.level.as_str()}));
    audit::append(&mut tx, actor, now, e).await?;
    tx.commit().await?;
    repo::point(&mut app.db.reader(), id)
        .await?
        .ok_or_else(|| AppError::NotFound("风险点".into()))
}

/// The unit removes a risk point that no longer applies (kept in the database, inactive).
pub async fn retire(app: &App, actor: &Actor, id: i64) -> AppResult<()> {
    let org = require_keeper(actor)?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    own_point(&mut tx, org, id).await?;
    repo::retire(&mut tx, id, now).await?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("risk.retire", "risk_point", id),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The unit's yearly review: recorded, its deadline completed and the next year's opened;
/// the joint office is told.
pub async fn review(app: &App, actor: &Actor, input: &ReviewInput) -> AppResult<UnitRegister> {
    let org = require_keeper(actor)?;
    let note = input.parse()?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let points = repo::count(&mut tx, org).await?;
    if points == 0 {
        return Err(AppError::Conflict(
            "本单位风险台账尚无风险点，请先梳理各环节风险点及防控措施".into(),
        ));
    }
    let id = repo::insert_review(&mut tx, org, &note, points, &actor.name, now).await?;
    let name = obligation_name(org);
    let sid = org.to_string();
    let o = Obligation {
        name: &name,
        subject_type: SubjectType::RiskReview,
        subject_id: &sid,
        org_id: org,
        rule_key: "risk.review",
    };
    obligation::renew(&mut tx, app, &o, next_review_due(obligation::today(app))).await?;
    let e = Entry::new("risk.review", "risk_review", id)
        .detail(json!({"org_id": org, "points": points}));
    audit::append(&mut tx, actor, now, e).await?;
    notifications::insert_in(
        &mut tx,
        &Recipient::Role(Role::JointOffice),
        NotificationKind::JointMeeting,
        &format!(
            "【风险台账】{}完成年度复核，风险点 {points} 个",
            actor.org_name.clone().unwrap_or_default()
        ),
        "/risks",
        &format!("risk:review:{id}"),
        now,
    )
    .await?;
    tx.commit().await?;
    register_of(app, org, actor.org_name.clone().unwrap_or_default()).await
}
