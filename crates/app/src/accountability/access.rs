//! Who sees which case (R9.4: the department, the deciding organ, the subject — own only),
//! the audited reads, the public figures and the staff's employment type.

use proofless_domain::accountability::{self as rules, CaseState, EmploymentType};
use proofless_domain::role::Role;
use serde::Serialize;
use serde_json::json;

use super::input::EmploymentInput;
use super::repo::{self, Appeal, Case, ExemptionRow, Visible};
use crate::App;
use crate::actor::{Actor, ActorKind};
use crate::audit::{self, Entry};
use crate::error::{AppError, AppResult};
use crate::violations::ViolationRecord;

/// A case with everything its page shows.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = AccountabilityCaseDetail)]
pub struct CaseDetail {
    pub case: Case,
    /// The violation records behind it (merged duplicates included).
    pub evidence: Vec<ViolationRecord>,
    pub appeals: Vec<Appeal>,
    pub exemptions: Vec<ExemptionRow>,
    /// `true` when the rectification deadline passed without a report (A5 §5(一)).
    pub rectification_late: Option<bool>,
    /// What the reader may do: `refer`, `decide`, `appeal`, `rectified`, `exempt`,
    /// `report_exemption`, `decide_appeal`, `decide_exemption`.
    pub actions: Vec<String>,
}

fn require_staff(actor: &Actor) -> AppResult<()> {
    match actor.kind {
        ActorKind::Anonymous => Err(AppError::Unauthenticated),
        ActorKind::Staff | ActorKind::System => Ok(()),
        _ => Err(AppError::forbidden("问责事项仅限工作人员查看")),
    }
}

pub(super) fn is_department(actor: &Actor) -> bool {
    actor.has(Role::Accountability)
}

/// The actor may decide this case as its organ (A5 §5, §10).
pub(super) fn is_organ(actor: &Actor, c: &Case) -> bool {
    rules::may_act_as_organ(&actor.roles, actor.org_id, c.organ_org_id)
}

/// The actor is the case's subject: the staff member, or the admin of the unit.
pub(super) fn is_subject(actor: &Actor, c: &Case) -> bool {
    let staff = c.staff_id.is_some() && actor.staff_id() == c.staff_id;
    let unit = actor.has(Role::UnitAdmin) && actor.org_id == Some(c.org_id);
    staff || unit
}

/// Whether the actor may read the case at all.
pub(super) fn may_see(actor: &Actor, c: &Case) -> bool {
    let notified = matches!(c.state, CaseState::Decided | CaseState::Dismissed);
    is_department(actor) || is_organ(actor, c) || (notified && is_subject(actor, c))
}

/// Loads a case the actor may see; one it may not is "not found" (no probing).
pub(super) async fn load_visible(
    ex: &mut impl proofless_store::Exec,
    actor: &Actor,
    id: i64,
) -> AppResult<Case> {
    require_staff(actor)?;
    match repo::find(ex, id).await? {
        Some(c) if may_see(actor, &c) => Ok(c),
        _ => Err(AppError::NotFound("问责事项".into())),
    }
}

fn actions(actor: &Actor, d: &CaseDetail) -> Vec<String> {
    let c = &d.case;
    let mut a = vec![];
    let pending_appeal = d.appeals.iter().any(|x| x.state.as_str() == "pending");
    let open_exemption = d
        .exemptions
        .iter()
        .any(|x| matches!(x.state.as_str(), "applied" | "investigated"));
    let mut add = |cond: bool, s: &str| {
        if cond {
            a.push(s.to_owned());
        }
    };
    add(is_department(actor) && c.state.can_refer(), "refer");
    add(is_organ(actor, c) && c.state.can_decide(), "decide");
    let decided = c.state == CaseState::Decided;
    add(is_subject(actor, c) && decided && !pending_appeal, "appeal");
    add(
        is_subject(actor, c) && decided && c.rectify_by.is_some() && c.rectified_at.is_none(),
        "rectified",
    );
    add(
        is_subject(actor, c) && decided && !c.exempted && !open_exemption,
        "exempt",
    );
    add(is_organ(actor, c) && pending_appeal, "decide_appeal");
    let applied = d.exemptions.iter().any(|x| x.state.as_str() == "applied");
    let investigated = d
        .exemptions
        .iter()
        .any(|x| x.state.as_str() == "investigated");
    add(is_department(actor) && applied, "report_exemption");
    add(is_organ(actor, c) && investigated, "decide_exemption");
    a
}

/// The cases the actor may see, newest first (at most 500); the read is audited.
pub async fn list(app: &App, actor: &Actor) -> AppResult<Vec<Case>> {
    require_staff(actor)?;
    let organ = actor.has_any(&[Role::Accountability, Role::UnitAdmin]);
    let v = Visible {
        all: is_department(actor),
        organ_org: actor.org_id.filter(|_| organ),
        subject_org: actor.org_id.filter(|_| actor.has(Role::UnitAdmin)),
        subject_staff: actor.staff_id(),
    };
    let rows = repo::list(&mut app.db.reader(), &v, 500).await?;
    audit::record_read(
        &app.db,
        actor,
        app.now_ms(),
        Entry::new("accountability.list", "accountability_case", "list")
            .purpose("责任追究事项查阅")
            .detail(json!({"count": rows.len()})),
    )
    .await?;
    Ok(rows)
}

/// One case with its evidence, appeals and exemptions; the read is audited with the subject.
pub async fn get(app: &App, actor: &Actor, id: i64) -> AppResult<CaseDetail> {
    let mut r = app.db.reader();
    let case = load_visible(&mut r, actor, id).await?;
    let now = app.now_ms();
    let mut d = CaseDetail {
        evidence: repo::evidence(&mut r, id).await?,
        appeals: repo::appeals(&mut r, id).await?,
        exemptions: repo::exemptions(&mut r, id).await?,
        rectification_late: rules::rectification_late(case.rectify_by, case.rectified_at, now),
        actions: vec![],
        case,
    };
    d.actions = actions(actor, &d);
    let subject = match d.case.staff_id {
        Some(s) => format!("staff:{s}"),
        None => format!("org:{}", d.case.org_id),
    };
    audit::record_read(
        &app.db,
        actor,
        now,
        Entry::new("accountability.read", "accountability_case", id)
            .purpose("责任追究事项查阅")
            .subject(subject),
    )
    .await?;
    Ok(d)
}

/// Sets a staff member's employment type (A5 §2): the unit's admin or a system admin.
pub async fn set_employment_type(
    app: &App,
    actor: &Actor,
    staff_id: i64,
    input: &EmploymentInput,
) -> AppResult<EmploymentType> {
    let t = input.parse()?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let Some(org) = repo::staff_org(&mut tx, staff_id).await? else {
        return Err(AppError::NotFound(format!("工作人员 {staff_id}")));
    };
    let admin = actor.has(Role::UnitAdmin) && actor.org_id == Some(org);
    if !(admin || actor.has(Role::SystemAdmin)) {
        return Err(AppError::forbidden(
            "只有本单位管理员或系统管理员可以设置用工类型",
        ));
    }
    repo::set_employment(&mut tx, staff_id, t).await?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("staff.employment_type", "staff", staff_id)
            .detail(json!({"employment_type": t.as_str()})),
    )
    .await?;
    tx.commit().await?;
    Ok(t)
}

/// Per unit: accountability measures decided, of which exempted (A5 §11), and violation
/// records by ground — aggregate counts, no personal data (the transparency page).
#[derive(Debug, Clone, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Figure {
    pub org_name: String,
    /// Violation records (all grounds).
    pub violations: i64,
    /// Of which overdue verifications (A2 §7).
    pub verifications_late: i64,
    /// Measures decided and counted (exempted and revoked ones excluded, A5 §11).
    pub measures: i64,
    /// Cases exempted and filed (shown, not counted).
    pub exempted: i64,
}

/// The figures of every unit with a record or a case; public, no personal data.
pub async fn figures(app: &App) -> AppResult<Vec<Figure>> {
    repo::figures(&mut app.lagging()).await
}
