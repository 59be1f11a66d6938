//! The use cases of cases: register, read, wait on verifications, decide, close.

use proofless_domain::case::{ApplicantKind, CaseOutcome, CaseState};
use proofless_domain::deadline::keys;
use proofless_domain::role::Role;
use proofless_store::Tx;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::input::{Decision, NewCase};
use super::repo::{self, NewCaseRow};
use crate::App;
use crate::actor::Actor;
use crate::audit::{self, Entry};
use crate::deadlines::{self, NewDeadline};
use crate::error::{AppError, AppResult, Problems};

/// Staff who register and decide cases.
pub const CASE_ROLES: [Role; 4] = [
    Role::CounterClerk,
    Role::Liaison,
    Role::ProxyAgent,
    Role::UnitAdmin,
];

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct Case {
    pub id: i64,
    pub case_no: String,
    pub org_id: i64,
    pub service_item_id: i64,
    pub applicant_kind: ApplicantKind,
    pub applicant_id: i64,
    /// 即办件: decided on the spot.
    pub immediate: bool,
    pub state: CaseState,
    pub outcome: Option<CaseOutcome>,
    pub assessment_deadline_id: i64,
    /// Verifications the case waits on now (the assessment clock is stopped while > 0).
    pub waiting: i64,
    pub created_by: String,
    pub created_at: i64,
    pub decided_at: Option<i64>,
    pub updated_at: i64,
    pub version: i64,
}

/// Registers a case at the actor's unit and starts its assessment clock.
pub async fn create(app: &App, actor: &Actor, input: &NewCase) -> AppResult<Case> {
    let mut tx = app.db.begin().await?;
    let id = create_in(&mut tx, app, actor, input).await?;
    tx.commit().await?;
    get(app, actor, id).await
}

/// The service item and the applicant, checked against the catalogue and the registers.
async fn checked_in(tx: &mut Tx, input: &NewCase) -> AppResult<(i64, ApplicantKind)> {
    let mut p = Problems::default();
    let fields = input.parse_into(&mut p);
    let mut service = None;
    if let Some(code) = fields.service_item_code {
        service = repo::service_item_id(tx, code).await?;
        if service.is_none() {
            p.add(
                "service_item_code",
                format!("事项编码 {code} 不在政务服务事项目录中"),
            );
        }
    }
    if let Some(kind) = fields.applicant_kind
        && !repo::applicant_exists(tx, kind, input.applicant_id).await?
    {
        p.add(
            "applicant_id",
            format!("申请人 {} 不存在", input.applicant_id),
        );
    }
    p.into_result()?;
    match (service, fields.applicant_kind) {
        (Some(s), Some(k)) => Ok((s, k)),
        _ => Err(AppError::Internal("校验失败".into())),
    }
}

/// [`create`] inside the caller's transaction; returns the id.
pub async fn create_in(tx: &mut Tx, app: &App, actor: &Actor, input: &NewCase) -> AppResult<i64> {
    actor.require_staff()?;
    actor.require_any(&CASE_ROLES)?;
    let Some(org_id) = actor.org_id else {
        return Err(AppError::forbidden("只有单位工作人员可以登记办件"));
    };
    let (service_item_id, applicant_kind) = checked_in(tx, input).await?;
    let now = app.now_ms();
    let case_no = new_case_no(now);
    let start = deadlines::to_utc(now).ok_or_else(|| AppError::Internal("时钟时间无效".into()))?;
    let deadline_id = deadlines::open_in(
        tx,
        app,
        actor,
        &NewDeadline {
            subject_type: proofless_domain::deadline::SubjectType::Case,
            subject_id: case_no.clone(),
            org_id,
            rule_key: proofless_domain::deadline::RuleKey::from_static(if input.immediate {
                keys::CASE_IMMEDIATE
            } else {
                keys::CASE_PROMISED
            }),
            start,
            statutory_limit: deadlines::parse_statutory_limit(input.statutory_limit.as_deref())?,
        },
    )
    .await?
    .id;
    let row = NewCaseRow {
        case_no: &case_no,
        org_id,
        service_item_id,
        applicant_kind,
        applicant_id: input.applicant_id,
        immediate: input.immediate,
        assessment_deadline_id: deadline_id,
        created_by: &actor.name,
        now,
    };
    let id = repo::insert(tx, &row).await?;
    audit::append(
        tx,
        actor,
        now,
        Entry::new("case.create", "case", id)
            .subject(format!(
                "{}:{}",
                applicant_kind.as_str(),
                input.applicant_id
            ))
            .detail(
                json!({"case_no": case_no, "service_item_code": input.service_item_code.trim(),
                "immediate": input.immediate}),
            ),
    )
    .await?;
    Ok(id)
}

/// `BJ` + local date-time + 6 random digits: readable on paper, not enumerable.
fn new_case_no(now_ms: i64) -> String {
    use rand::Rng;
    let at = deadlines::to_utc(now_ms)
        .map(|t| {
            t.with_timezone(&crate::beijing())
                .format("%Y%m%d%H%M%S")
                .to_string()
        })
        .unwrap_or_default();
    format!("BJ{at}{:06}", rand::thread_rng().gen_range(0..1_000_000))
}

/// A case, to staff of its unit (or a county-wide role).
pub async fn get(app: &App, actor: &Actor, id: i64) -> AppResult<Case> {
    actor.require_staff()?;
    let c = repo::load(&mut app.db.reader(), id).await?;
    actor.require_see_org(c.org_id)?;
    Ok(c)
}

/// The case for a workflow step in the caller's transaction, checked to be still open.
pub async fn open_case_in(tx: &mut Tx, id: i64) -> AppResult<Case> {
    let c = repo::load(tx, id).await?;
    if c.state != CaseState::Open {
        return Err(AppError::Conflict(format!(
            "办件 {} 已{}，不能再办理",
            c.case_no,
            c.state.label()
        )));
    }
    Ok(c)
}

/// The case starts waiting on one more verification: the first wait stops the assessment
/// clock; the legal deadline keeps running (A2 §7). Acts as the system because the clock
/// belongs to the requesting unit while the trigger may come from either side.
pub async fn begin_wait_in(
    tx: &mut Tx,
    app: &App,
    actor: &Actor,
    case_id: i64,
    reason: &str,
) -> AppResult<Case> {
    let c = open_case_in(tx, case_id).await?;
    if c.waiting == 0 {
        let sys = Actor::system(&actor.operation_id);
        deadlines::suspend_in(tx, app, &sys, c.assessment_deadline_id, reason).await?;
    }
    repo::bump_waiting(tx, case_id, 1, app.now_ms()).await?;
    repo::load(tx, case_id).await
}

/// One verification the case waited on has ended; the last one restarts the assessment
/// clock. A case no longer open only has its counter lowered.
pub async fn end_wait_in(tx: &mut Tx, app: &App, actor: &Actor, case_id: i64) -> AppResult<Case> {
    let c = repo::load(tx, case_id).await?;
    if c.waiting == 0 {
        return Ok(c);
    }
    if c.waiting == 1 && c.state == CaseState::Open {
        let sys = Actor::system(&actor.operation_id);
        deadlines::resume_in(tx, app, &sys, c.assessment_deadline_id).await?;
    }
    repo::bump_waiting(tx, case_id, -1, app.now_ms()).await?;
    repo::load(tx, case_id).await
}

/// Decides an open case and stops its assessment clock.
pub async fn decide(app: &App, actor: &Actor, id: i64, input: &Decision) -> AppResult<Case> {
    actor.require_any(&CASE_ROLES)?;
    let outcome = input.parse()?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let c = open_case_in(&mut tx, id).await?;
    actor.require_org(c.org_id)?;
    close_in(&mut tx, app, actor, &c, CaseState::Decided, Some(outcome)).await?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("case.decide", "case", id).detail(json!({"outcome": outcome})),
    )
    .await?;
    tx.commit().await?;
    get(app, actor, id).await
}

/// Closes a case as decided or withdrawn (the caller audits why) and stops its clock.
pub async fn close_in(
    tx: &mut Tx,
    app: &App,
    actor: &Actor,
    c: &Case,
    state: CaseState,
    outcome: Option<CaseOutcome>,
) -> AppResult<()> {
    let now = app.now_ms();
    if repo::close(tx, c.id, state, outcome, now).await? == 0 {
        return Err(AppError::Conflict(format!(
            "办件 {} 已不在办理中",
            c.case_no
        )));
    }
    let sys = Actor::system(&actor.operation_id);
    deadlines::complete_in(tx, app, &sys, c.assessment_deadline_id).await
}
