//! The use cases of cases: register (deriving the proofs from the published list), read,
//! list, wait on verifications, close.

use proofless_domain::case::{ApplicantKind, CaseOutcome, CaseState, ProofState, allowed_methods};
use proofless_domain::catalogue::{Disposition, ReplacementMethod};
use proofless_domain::deadline::keys;
use proofless_domain::role::{ActorKind, Role};
use proofless_store::Tx;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::input::{ApplicantRef, NewCase};
use super::repo::proofs::{CaseProof, NewProof, Published};
use super::repo::{self, CaseLine, NewCaseRow};
use crate::App;
use crate::actor::Actor;
use crate::applicants;
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

/// A case as stored (internal ids included); the API shows [`CaseDetail`].
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Case {
    pub id: i64,
    pub case_no: String,
    pub org_id: i64,
    pub service_item_id: i64,
    pub applicant_kind: ApplicantKind,
    /// Internal person or entity id: never shown.
    #[serde(skip_serializing)]
    pub applicant_id: i64,
    /// 即办件: decided on the spot.
    pub immediate: bool,
    pub state: CaseState,
    pub outcome: Option<CaseOutcome>,
    pub decision_reason: Option<String>,
    pub assessment_deadline_id: i64,
    /// Verifications the case waits on now (the assessment clock is stopped while > 0).
    pub waiting: i64,
    pub created_by: String,
    pub created_at: i64,
    pub decided_at: Option<i64>,
    pub updated_at: i64,
    pub version: i64,
    /// Suspended (中止) since: a supplement came late under the unit's `suspend` rule.
    #[serde(default)]
    pub suspended_at: Option<i64>,
    #[serde(default)]
    pub suspend_reason: Option<String>,
}

/// A case as the unit and the applicant read it: the applicant by public id (a person) or
/// credit code (an entity), and every proof with how it was resolved (SPEC R6.1).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CaseDetail {
    pub id: i64,
    pub case_no: String,
    pub org_id: i64,
    pub org_name: String,
    pub service_item_code: String,
    pub service_item_name: String,
    pub applicant_kind: ApplicantKind,
    /// A person's opaque public id, or an entity's unified social credit code.
    pub applicant: String,
    /// Masked (张*) for a person.
    pub applicant_name: String,
    pub immediate: bool,
    pub state: CaseState,
    pub outcome: Option<CaseOutcome>,
    pub decision_reason: Option<String>,
    pub assessment_deadline_id: i64,
    pub waiting: i64,
    pub created_by: String,
    pub created_at: i64,
    pub decided_at: Option<i64>,
    pub version: i64,
    /// Suspended (中止) since, when a supplement came late under the unit's `suspend` rule.
    pub suspended_at: Option<i64>,
    pub suspend_reason: Option<String>,
    pub proofs: Vec<CaseProof>,
}

/// A page of cases.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CasePage {
    pub items: Vec<CaseLine>,
    pub total: i64,
}

/// Registers a case at the actor's unit, derives its proofs from the published list in
/// force and starts its assessment clock.
pub async fn create(app: &App, actor: &Actor, input: &NewCase) -> AppResult<CaseDetail> {
    actor.require_staff()?;
    actor.require_any(&CASE_ROLES)?;
    let Some(org_id) = actor.org_id else {
        return Err(AppError::forbidden("只有单位工作人员可以登记办件"));
    };
    let (service_item_id, kind, applicant_id) = checked(app, actor, input).await?;
    let published = published(app, service_item_id).await?;
    let row = Opened {
        org_id,
        service_item_id,
        kind,
        applicant_id,
        immediate: input.immediate,
        statutory_limit: input.statutory_limit.as_deref(),
        code: input.service_item_code.trim(),
    };
    let plan = plan_open(app, actor, &row).await?;
    let mut tx = app.db.begin().await?;
    let id = open_in(&mut tx, app, actor, &row, &published, &plan).await?;
    tx.commit().await?;
    detail(app, id).await
}

/// The service item and the applicant, checked against the catalogue and the registers;
/// a resident ID not yet registered is registered with the name given (counter).
async fn checked(
    app: &App,
    actor: &Actor,
    input: &NewCase,
) -> AppResult<(i64, ApplicantKind, i64)> {
    let mut p = Problems::default();
    let fields = input.parse_into(&mut p);
    let mut r = app.db.reader();
    let mut service = None;
    if let Some(code) = fields.service_item_code {
        service = repo::service_item_id(&mut r, code).await?;
        if service.is_none() {
            p.add("service_item_code", "该事项编码不在政务服务事项目录中");
        }
    }
    let mut applicant = None;
    match &fields.applicant {
        Some(ApplicantRef::PublicId(pid)) => match applicants::person_id_of(app, pid).await {
            Ok(id) => applicant = Some(id),
            Err(AppError::NotFound(_)) => p.add("applicant", "该申请人不存在"),
            Err(e) => return Err(e),
        },
        Some(ApplicantRef::ResidentId(rid)) => match &fields.applicant_name {
            // Registered now, or found with the name checked (ensure_person).
            Some(name) if p.0.is_empty() => {
                applicant =
                    p.collect(applicants::ensure_person(app, actor, rid, name, None).await)?
            }
            _ => match applicants::person_id_by_resident_id(app, rid).await? {
                Some(id) => applicant = Some(id),
                None => p.add(
                    "applicant_name",
                    "该身份证号码尚未登记，请填写申请人姓名以登记",
                ),
            },
        },
        Some(ApplicantRef::CreditCode(code)) => {
            match repo::entity_by_credit_code(&mut r, code.as_str()).await? {
                Some(id) => applicant = Some(id),
                None => p.add("applicant", "该统一社会信用代码的法人尚未登记"),
            }
        }
        None => {}
    }
    p.into_result()?;
    match (service, fields.applicant_kind, applicant) {
        (Some(s), Some(k), Some(a)) => Ok((s, k, a)),
        _ => Err(AppError::Internal("校验失败".into())),
    }
}

/// The proofs the published list gives for the service, each with the interim method its
/// adjustment publishes while it is under way (调整中, A3 §9; issue #19): the case offers
/// that method, not the list's, until the adjustment is decided.
pub(crate) async fn published(app: &App, service_item_id: i64) -> AppResult<Vec<Published>> {
    let mut list =
        repo::proofs::published_for_service(&mut app.db.reader(), service_item_id).await?;
    for p in &mut list {
        if let Some(mark) = crate::adjustment::publication::public_mark(app, p.item.id).await?
            && mark.is_adjusting()
            && let Some(m) = ReplacementMethod::parse(&mark.interim_method_label)
        {
            let words = format!(
                "清单调整中（{} 申报{}），过渡期间按“{}”办理{}",
                mark.filed_date,
                mark.kind_label,
                m.label(),
                if mark.interim_text.is_empty() {
                    String::new()
                } else {
                    format!("：{}", mark.interim_text)
                }
            );
            p.interim = Some((m, words));
        }
    }
    Ok(list)
}

/// A case to open, checked.
pub(crate) struct Opened<'a> {
    pub org_id: i64,
    pub service_item_id: i64,
    pub kind: ApplicantKind,
    pub applicant_id: i64,
    pub immediate: bool,
    pub statutory_limit: Option<&'a str>,
    pub code: &'a str,
}

/// A case's number and assessment clock, planned before the write lock is taken (the
/// calendar arithmetic and the rule reads are not paid by every queued writer).
pub(crate) struct OpenPlan {
    case_no: String,
    clock: deadlines::Planned,
    now: i64,
}

pub(crate) async fn plan_open(app: &App, actor: &Actor, o: &Opened<'_>) -> AppResult<OpenPlan> {
    let now = app.now_ms();
    let case_no = new_case_no(now);
    let start = deadlines::to_utc(now).ok_or_else(|| AppError::Internal("时钟时间无效".into()))?;
    // The assessment clock is the system's: a portal applicant may open the case.
    let sys = Actor::system(&actor.operation_id);
    let clock = deadlines::plan(
        app,
        &sys,
        &NewDeadline {
            subject_type: proofless_domain::deadline::SubjectType::Case,
            subject_id: case_no.clone(),
            org_id: o.org_id,
            rule_key: proofless_domain::deadline::RuleKey::from_static(if o.immediate {
                keys::CASE_IMMEDIATE
            } else {
                keys::CASE_PROMISED
            }),
            start,
            statutory_limit: deadlines::parse_statutory_limit(o.statutory_limit)?,
        },
    )
    .await?;
    Ok(OpenPlan {
        case_no,
        clock,
        now,
    })
}

pub(crate) async fn open_in(
    tx: &mut Tx,
    app: &App,
    actor: &Actor,
    o: &Opened<'_>,
    published: &[Published],
    plan: &OpenPlan,
) -> AppResult<i64> {
    let (now, case_no) = (plan.now, &plan.case_no);
    let sys = Actor::system(&actor.operation_id);
    let deadline_id = deadlines::open_planned_in(tx, app, &sys, &plan.clock)
        .await?
        .id;
    let row = NewCaseRow {
        case_no,
        org_id: o.org_id,
        service_item_id: o.service_item_id,
        applicant_kind: o.kind,
        applicant_id: o.applicant_id,
        immediate: o.immediate,
        assessment_deadline_id: deadline_id,
        created_by: &actor.name,
        now,
    };
    let id = repo::insert(tx, &row).await?;
    let names = insert_proofs(tx, id, o.immediate, published, now).await?;
    audit::append(
        tx,
        actor,
        now,
        Entry::new("case.create", "case", id)
            .subject(format!("{}:{}", o.kind.as_str(), o.applicant_id))
            .detail(json!({"case_no": case_no, "service_item_code": o.code,
                "immediate": o.immediate, "proofs": names})),
    )
    .await?;
    Ok(id)
}

/// SPEC R6.1: each proof the published list gives for the service, with the methods it may
/// be resolved by; an abolished (or cancelled) one is resolved at once.
async fn insert_proofs(
    tx: &mut Tx,
    case_id: i64,
    immediate: bool,
    published: &[Published],
    now: i64,
) -> AppResult<Vec<String>> {
    let mut names = Vec::new();
    for p in published {
        let cancelled = Disposition::parse(&p.item.disposition) == Some(Disposition::Cancelled);
        let listed: Vec<ReplacementMethod> = if cancelled {
            vec![ReplacementMethod::Abolished]
        } else if let Some((m, _)) = &p.interim {
            vec![*m]
        } else {
            p.item
                .methods
                .iter()
                .filter_map(|m| ReplacementMethod::parse(&m.method))
                .collect()
        };
        let methods = allowed_methods(&listed, immediate);
        let abolished = methods == [proofless_domain::case::ResolutionMethod::Abolished];
        repo::proofs::insert(
            tx,
            &NewProof {
                case_id,
                proof_item_id: p.item.id,
                name: &p.item.name,
                version_id: p.version_id,
                methods: &methods,
                state: if abolished {
                    ProofState::Resolved
                } else {
                    ProofState::Pending
                },
                method: abolished.then_some(proofless_domain::case::ResolutionMethod::Abolished),
                evidence: if abolished {
                    "现行清单已直接取消该证明，无需提交"
                } else {
                    p.interim.as_ref().map_or("", |(_, w)| w.as_str())
                },
                resolved_by: abolished.then_some("系统"),
                now,
            },
        )
        .await?;
        names.push(p.item.name.clone());
    }
    Ok(names)
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

/// May the actor read the case: staff of its unit (or a county-wide role), or the
/// applicant on the portal.
pub(crate) async fn require_reader(app: &App, actor: &Actor, c: &Case) -> AppResult<()> {
    if actor.kind == ActorKind::Portal {
        let person = actor.id.ok_or_else(|| AppError::forbidden("请先登录"))?;
        if repo::is_applicant(&mut app.db.reader(), c.id, person).await? {
            return Ok(());
        }
        // Not the applicant's: as if it did not exist.
        return Err(AppError::NotFound(format!("办件 {}", c.id)));
    }
    actor.require_staff()?;
    actor.require_see_org(c.org_id)
}

/// A case with its proofs, to staff of its unit or to its applicant; the read is audited.
pub async fn get(app: &App, actor: &Actor, id: i64) -> AppResult<CaseDetail> {
    let c = repo::load(&mut app.db.reader(), id).await?;
    require_reader(app, actor, &c).await?;
    let d = detail(app, id).await?;
    let mut tx = app.db.begin().await?;
    audit::append(
        &mut tx,
        actor,
        app.now_ms(),
        Entry::new("case.read", "case", id)
            .subject(format!("{}:{}", c.applicant_kind.as_str(), c.applicant_id))
            .purpose("办件办理"),
    )
    .await?;
    tx.commit().await?;
    Ok(d)
}

/// The id of a case by its number (a deadline names its case so), for staff who may see
/// the case's unit; `None` otherwise. Nothing personal is read.
pub async fn id_of_number(app: &App, actor: &Actor, case_no: &str) -> AppResult<Option<i64>> {
    let found = repo::id_of_number(&mut app.db.reader(), case_no).await?;
    Ok(found
        .filter(|(_, org)| actor.require_staff().is_ok() && actor.require_see_org(*org).is_ok())
        .map(|(id, _)| id))
}

/// The case as shown, unaudited (the caller has checked and audits).
pub async fn detail(app: &App, id: i64) -> AppResult<CaseDetail> {
    let mut r = app.db.reader();
    let c = repo::load(&mut r, id).await?;
    let n = repo::names(&mut r, id).await?;
    let proofs = repo::proofs::of_case(&mut r, id).await?;
    Ok(CaseDetail {
        id: c.id,
        case_no: c.case_no,
        org_id: c.org_id,
        org_name: n.org_name,
        service_item_code: n.service_item_code,
        service_item_name: n.service_item_name,
        applicant_kind: c.applicant_kind,
        applicant: n.applicant.unwrap_or_default(),
        applicant_name: n.applicant_name.unwrap_or_default(),
        immediate: c.immediate,
        state: c.state,
        outcome: c.outcome,
        decision_reason: c.decision_reason,
        assessment_deadline_id: c.assessment_deadline_id,
        waiting: c.waiting,
        created_by: c.created_by,
        created_at: c.created_at,
        decided_at: c.decided_at,
        version: c.version,
        suspended_at: c.suspended_at,
        suspend_reason: c.suspend_reason,
        proofs,
    })
}

/// The actor's unit's cases, newest first (masked names, not audited).
pub async fn list(
    app: &App,
    actor: &Actor,
    state: Option<CaseState>,
    limit: i64,
    offset: i64,
) -> AppResult<CasePage> {
    actor.require_staff()?;
    actor.require_any(&CASE_ROLES)?;
    let org = actor
        .org_id
        .ok_or_else(|| AppError::forbidden("只有单位工作人员可以查看本单位办件"))?;
    let (items, total) = repo::of_org(
        &mut app.db.reader(),
        org,
        state,
        limit.clamp(1, 200),
        offset.max(0),
    )
    .await?;
    Ok(CasePage { items, total })
}

/// The portal user's own cases (我的办件).
pub async fn mine(app: &App, actor: &Actor) -> AppResult<Vec<CaseLine>> {
    if actor.kind != ActorKind::Portal {
        return Err(AppError::forbidden("请以申请人身份登录门户查看我的办件"));
    }
    let person = actor.id.ok_or_else(|| AppError::forbidden("请先登录"))?;
    repo::of_person(&mut app.db.reader(), person).await
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
    // A suspended case's clock is already stopped.
    if c.waiting == 0 && c.suspended_at.is_none() {
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
    if c.waiting == 1 && c.state == CaseState::Open && c.suspended_at.is_none() {
        let sys = Actor::system(&actor.operation_id);
        deadlines::resume_in(tx, app, &sys, c.assessment_deadline_id).await?;
    }
    repo::bump_waiting(tx, case_id, -1, app.now_ms()).await?;
    repo::load(tx, case_id).await
}

/// Closes a case as decided or withdrawn (the caller audits why) and stops its clock.
pub async fn close_in(
    tx: &mut Tx,
    app: &App,
    actor: &Actor,
    c: &Case,
    state: CaseState,
    outcome: Option<(CaseOutcome, &str)>,
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
