//! Cases (办件, SPEC R6): one application for a service item by one applicant, handled by
//! one unit. This is the minimum the verification and commitment workflows hang on: the
//! assessment clock (A2 §7), the decision, and withdrawal back to the original procedure.

use proofless_domain::deadline::keys;
use proofless_domain::role::Role;
use proofless_store::{Tx, q};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::App;
use crate::actor::Actor;
use crate::audit::{self, Entry};
use crate::deadlines::{self, NewDeadline};
use crate::error::{AppError, AppResult, Problems};

pub const OPEN: &str = "open";
pub const DECIDED: &str = "decided";
pub const WITHDRAWN: &str = "withdrawn";

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
    /// `person` or `entity`.
    pub applicant_kind: String,
    pub applicant_id: i64,
    /// 即办件: decided on the spot.
    pub immediate: bool,
    /// `open`, `decided` or `withdrawn`.
    pub state: String,
    pub outcome: Option<String>,
    pub assessment_deadline_id: i64,
    /// Verifications the case waits on now (the assessment clock is stopped while > 0).
    pub waiting: i64,
    pub created_by: String,
    pub created_at: i64,
    pub decided_at: Option<i64>,
    pub updated_at: i64,
    pub version: i64,
}

const SELECT: &str = "SELECT id, case_no, org_id, service_item_id, applicant_kind, applicant_id, immediate, \
    state, outcome, assessment_deadline_id, waiting, created_by, created_at, decided_at, updated_at, version FROM cases";

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct NewCase {
    /// 事项编码 of a service item in the catalogue.
    pub service_item_code: String,
    /// `person` or `entity`.
    pub applicant_kind: String,
    pub applicant_id: i64,
    pub immediate: bool,
    /// The legal time limit of the service (`20wd`, `30cd`); keeps running while the
    /// assessment clock waits.
    pub statutory_limit: Option<String>,
}

/// Longest service item code the catalogue accepts (its codes are 12–33 characters).
const MAX_CODE_CHARS: usize = 33;

/// Registers a case at the actor's unit and starts its assessment clock.
pub async fn create(app: &App, actor: &Actor, input: &NewCase) -> AppResult<Case> {
    let mut tx = app.db.begin().await?;
    let id = create_in(&mut tx, app, actor, input).await?;
    tx.commit().await?;
    get(app, actor, id).await
}

/// [`create`] inside the caller's transaction; returns the id.
pub async fn create_in(tx: &mut Tx, app: &App, actor: &Actor, input: &NewCase) -> AppResult<i64> {
    actor.require_staff()?;
    actor.require_any(&CASE_ROLES)?;
    let Some(org_id) = actor.org_id else {
        return Err(AppError::forbidden("只有单位工作人员可以登记办件"));
    };
    let mut p = Problems::default();
    let code = input.service_item_code.trim();
    let service: Option<(i64,)> = if code.is_empty() {
        p.add("service_item_code", "事项编码不能为空");
        None
    } else if code.chars().count() > MAX_CODE_CHARS {
        // Not echoed back: the message names the field and the rule, not a hostile value.
        p.add(
            "service_item_code",
            format!("事项编码不能超过{MAX_CODE_CHARS}个字符"),
        );
        None
    } else {
        let found = tx
            .fetch_optional(q("SELECT id FROM service_items WHERE code = ?").bind(code))
            .await?;
        if found.is_none() {
            p.add(
                "service_item_code",
                format!("事项编码 {code} 不在政务服务事项目录中"),
            );
        }
        found
    };
    let table = match input.applicant_kind.as_str() {
        "person" => Some("persons"),
        "entity" => Some("entities"),
        _ => {
            p.add(
                "applicant_kind",
                "申请人类型须为 person（自然人）或 entity（法人）",
            );
            None
        }
    };
    if let Some(table) = table {
        let exists: Option<(i64,)> = tx
            .fetch_optional(
                q(format!("SELECT id FROM {table} WHERE id = ?")).bind(input.applicant_id),
            )
            .await?;
        if exists.is_none() {
            p.add(
                "applicant_id",
                format!("申请人 {} 不存在", input.applicant_id),
            );
        }
    }
    p.into_result()?;
    let Some((service_item_id,)) = service else {
        return Err(AppError::Internal("校验失败".into()));
    };
    let now = app.now_ms();
    let case_no = new_case_no(now);
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
            start: deadlines::to_utc(now).ok_or_else(|| AppError::Internal("时间无效".into()))?,
            statutory_limit: deadlines::parse_statutory_limit(input.statutory_limit.as_deref())?,
        },
    )
    .await?
    .id;
    let (id,): (i64,) = tx
        .fetch_one(
            q("INSERT INTO cases (case_no, org_id, service_item_id, applicant_kind, applicant_id, immediate, state, \
               assessment_deadline_id, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, ?) RETURNING id")
            .bind(&case_no)
            .bind(org_id)
            .bind(service_item_id)
            .bind(&input.applicant_kind)
            .bind(input.applicant_id)
            .bind(input.immediate)
            .bind(deadline_id)
            .bind(&actor.name)
            .bind(now)
            .bind(now),
        )
        .await?;
    audit::append(
        tx,
        actor,
        now,
        Entry::new("case.create", "case", id)
            .subject(format!("{}:{}", input.applicant_kind, input.applicant_id))
            .detail(json!({"case_no": case_no, "service_item_code": code, "immediate": input.immediate})),
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

async fn load(tx: &mut Tx, id: i64) -> AppResult<Case> {
    tx.fetch_optional(q(format!("{SELECT} WHERE id = ?")).bind(id))
        .await?
        .ok_or_else(|| AppError::NotFound(format!("办件 {id} 不存在")))
}

/// A case, to staff of its unit (or a county-wide role).
pub async fn get(app: &App, actor: &Actor, id: i64) -> AppResult<Case> {
    actor.require_staff()?;
    let mut tx = app.db.begin().await?;
    let c = load(&mut tx, id).await?;
    tx.commit().await?;
    actor.require_see_org(c.org_id)?;
    Ok(c)
}

/// The case for a workflow step in the caller's transaction, checked to be still open.
pub async fn open_case_in(tx: &mut Tx, id: i64) -> AppResult<Case> {
    let c = load(tx, id).await?;
    if c.state != OPEN {
        return Err(AppError::Conflict(format!(
            "办件 {} 已{}，不能再办理",
            c.case_no,
            state_label(&c.state)
        )));
    }
    Ok(c)
}

pub fn state_label(state: &str) -> &'static str {
    match state {
        OPEN => "在办",
        DECIDED => "办结",
        WITHDRAWN => "撤回",
        _ => "未知状态",
    }
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
    bump_waiting(tx, app, case_id, 1).await?;
    load(tx, case_id).await
}

/// One verification the case waited on has ended; the last one restarts the assessment
/// clock. A case no longer open only has its counter lowered.
pub async fn end_wait_in(tx: &mut Tx, app: &App, actor: &Actor, case_id: i64) -> AppResult<Case> {
    let c = load(tx, case_id).await?;
    if c.waiting == 0 {
        return Ok(c);
    }
    if c.waiting == 1 && c.state == OPEN {
        let sys = Actor::system(&actor.operation_id);
        deadlines::resume_in(tx, app, &sys, c.assessment_deadline_id).await?;
    }
    bump_waiting(tx, app, case_id, -1).await?;
    load(tx, case_id).await
}

async fn bump_waiting(tx: &mut Tx, app: &App, case_id: i64, by: i64) -> AppResult<()> {
    tx.execute(
        q("UPDATE cases SET waiting = waiting + ?, updated_at = ?, version = version + 1 WHERE id = ?")
            .bind(by)
            .bind(app.now_ms())
            .bind(case_id),
    )
    .await?;
    Ok(())
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    /// `approved` 准予 or `refused` 不予.
    pub outcome: String,
}

/// Decides an open case and stops its assessment clock.
pub async fn decide(app: &App, actor: &Actor, id: i64, input: &Decision) -> AppResult<Case> {
    actor.require_any(&CASE_ROLES)?;
    if !matches!(input.outcome.as_str(), "approved" | "refused") {
        return Err(AppError::field(
            "outcome",
            "办理结果须为 approved（准予）或 refused（不予）",
        ));
    }
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let c = open_case_in(&mut tx, id).await?;
    actor.require_org(c.org_id)?;
    close_in(&mut tx, app, actor, &c, DECIDED, Some(&input.outcome)).await?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("case.decide", "case", id).detail(json!({"outcome": input.outcome})),
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
    state: &str,
    outcome: Option<&str>,
) -> AppResult<()> {
    let now = app.now_ms();
    let changed = tx
        .execute(
            q("UPDATE cases SET state = ?, outcome = ?, decided_at = ?, updated_at = ?, version = version + 1 \
               WHERE id = ? AND state = 'open'")
            .bind(state)
            .bind(outcome)
            .bind(now)
            .bind(now)
            .bind(c.id),
        )
        .await?;
    if changed == 0 {
        return Err(AppError::Conflict(format!(
            "办件 {} 已不在办理中",
            c.case_no
        )));
    }
    let sys = Actor::system(&actor.operation_id);
    deadlines::complete_in(tx, app, &sys, c.assessment_deadline_id).await
}
