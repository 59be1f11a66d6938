//! Inter-unit verification (部门核验, issue #5, SPEC R5, annex 2).
//!
//! The requesting unit's liaison or proxy agent sends a request for a subject, a proof item
//! of the published list with a verification method, the facts as the applicant stated
//! them, the case it serves and the purpose (A2 §5). It lands registered in the issuer's
//! inbox with its deadline running in the deadline engine (A2 §7); the issuer answers under
//! seal or returns it. Overdue requests are reported to the joint office, by one action or
//! automatically after a grace period, which orders the issuer to finish and may record a
//! request to summon those responsible (A2 §11). Every read is audited with the case and the
//! purpose, so the citizen sees who looked at their data and why (A2 §12).
//!
//! Domain rules (state machine, class mapping, who may act) live in
//! `proofless_domain::verification`.

use chrono::{DateTime, Utc};
use proofless_domain::catalogue::VerificationDeadlineClass;
use proofless_domain::codes::{CreditCode, ResidentId};
use proofless_domain::role::Role;
use proofless_domain::verification::{
    self as rules, Action, Channel, Facts, FieldSpec, LedgerKind, Outcome, State, SubjectKind,
};
use proofless_store::{FromRow, Tx, Value, q};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value as Json, json};

use crate::App;
use crate::actor::Actor;
use crate::audit::{self, Entry};
use crate::deadlines::{self, OpenInput};
use crate::error::{AppError, AppResult, Problems};
use crate::notifications::{self, Recipient};
use crate::seals::{self, ToSeal};

pub const KIND_AUTO_REPORT: &str = "verification.auto_report";
pub const KIND_HALF_TIME: &str = "verification.half_time";
/// Settings key: minutes after the due instant before an unanswered request is reported to
/// the joint office automatically (A2 §11).
pub const GRACE_SETTING: &str = "verification.report_grace_minutes";
pub const DEFAULT_GRACE_MINUTES: i64 = 60;

const MAX_REF: usize = 100;
const MAX_PURPOSE: usize = 200;
const MAX_TEXT: usize = 1000;

/// Display number of a verification.
pub fn number(id: i64) -> String {
    format!("HY{id:08}")
}

fn field_text(p: &mut Problems, field: &str, label: &str, raw: &str, max: usize) -> String {
    let s = raw.trim();
    if s.is_empty() {
        p.add(field, format!("{label}不能为空"));
    } else if s.chars().count() > max {
        p.add(field, format!("{label}不能超过{max}个字"));
    } else if s
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
    {
        p.add(field, format!("{label}含有不可见的控制字符"));
    }
    s.to_owned()
}

fn mask_name(name: &str) -> String {
    let mut c = name.chars();
    match c.next() {
        Some(first) => {
            let rest = c.count().max(1);
            format!("{first}{}", "*".repeat(rest))
        }
        None => String::new(),
    }
}

fn mask_code(code: &str) -> String {
    let chars: Vec<char> = code.chars().collect();
    if chars.len() <= 8 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..6].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 10))
}

// ---------------------------------------------------------------------------------------
// Rows and views

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct Verification {
    pub id: i64,
    pub channel: String,
    pub state: String,
    pub requester_org_id: i64,
    pub requester_name: String,
    pub issuer_org_id: i64,
    pub issuer_name: String,
    pub proof_item_id: i64,
    pub proof_item_name: String,
    pub template_id: Option<i64>,
    pub subject_kind: String,
    pub subject_id: i64,
    pub subject_name: String,
    pub subject_code: String,
    /// JSON object: the request template's fields as the applicant stated them.
    pub facts: String,
    pub case_ref: String,
    pub case_id: Option<i64>,
    pub purpose: String,
    pub catalogue_class: String,
    pub deadline_class: String,
    pub deadline_period: String,
    pub reclass_reason: Option<String>,
    pub deadline_id: Option<i64>,
    pub sent_by: Option<i64>,
    pub sent_by_name: String,
    pub sent_at: i64,
    pub due_at: Option<i64>,
    pub outcome: Option<String>,
    pub answer: Option<String>,
    pub records_say: Option<String>,
    pub return_reason: Option<String>,
    pub answered_by_name: Option<String>,
    pub answered_at: Option<i64>,
    pub answered_late: bool,
    pub sealed_id: Option<String>,
    pub reported_at: Option<i64>,
    pub reported_by_name: Option<String>,
    pub report_auto: bool,
    pub ordered_at: Option<i64>,
    pub order_due_at: Option<i64>,
    pub order_text: Option<String>,
    pub summon_at: Option<i64>,
    pub summon_text: Option<String>,
    pub no_secret_confirmed: bool,
    pub offline_ref: Option<String>,
    pub updated_at: i64,
    pub version: i64,
}

const SELECT: &str = "SELECT v.id, v.channel, v.state, v.requester_org_id, ro.name AS requester_name, \
    v.issuer_org_id, io.name AS issuer_name, v.proof_item_id, v.proof_item_name, v.template_id, v.subject_kind, \
    v.subject_id, v.subject_name, v.subject_code, v.facts, v.case_ref, v.case_id, v.purpose, v.catalogue_class, \
    v.deadline_class, v.deadline_period, v.reclass_reason, v.deadline_id, v.sent_by, v.sent_by_name, v.sent_at, \
    v.due_at, v.outcome, v.answer, v.records_say, v.return_reason, v.answered_by_name, v.answered_at, \
    v.answered_late, v.sealed_id, v.reported_at, v.reported_by_name, v.report_auto, v.ordered_at, v.order_due_at, \
    v.order_text, v.summon_at, v.summon_text, v.no_secret_confirmed, v.offline_ref, v.updated_at, v.version \
    FROM verifications v JOIN orgs ro ON ro.id = v.requester_org_id JOIN orgs io ON io.id = v.issuer_org_id";

impl Verification {
    fn state(&self) -> State {
        State::parse(&self.state).unwrap_or(State::Registered)
    }

    fn facts_for_rules(&self) -> Facts {
        Facts {
            state: self.state(),
            outcome: self.outcome.as_deref().and_then(Outcome::parse),
            due_at: self.due_at,
            reported: self.reported_at.is_some(),
            ordered: self.ordered_at.is_some(),
            summoned: self.summon_at.is_some(),
            reclassified: self.reclass_reason.is_some(),
        }
    }

    fn subject_ref(&self) -> String {
        format!("{}:{}", self.subject_kind, self.subject_id)
    }

    fn purpose_text(&self) -> String {
        format!("{}（案件 {}）", self.purpose, self.case_ref)
    }
}

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct Event {
    pub id: i64,
    pub at: i64,
    pub kind: String,
    pub actor_name: String,
    pub org_name: String,
    pub text: String,
}

/// A verification as shown to someone who may read it, with its history.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Detail {
    pub number: String,
    #[serde(flatten)]
    pub v: Verification,
    pub state_label: String,
    pub class_label: String,
    pub overdue: bool,
    /// `ok`, `warn`, `bad`, `late`, or empty when not running.
    pub countdown_class: String,
    pub countdown_text: String,
    pub late: Option<deadlines::Lateness>,
    pub events: Vec<Event>,
    pub ledger: Vec<LedgerEntry>,
}

fn class_label(code: &str, period: &str) -> String {
    VerificationDeadlineClass::parse(code, Some(period))
        .map(|c| c.label())
        .unwrap_or_else(|_| format!("{code}（{period}）"))
}

fn detail_of(app: &App, v: Verification, events: Vec<Event>, ledger: Vec<LedgerEntry>) -> Detail {
    let now = app.now_ms();
    let f = v.facts_for_rules();
    let overdue = f.overdue(now);
    let (cc, ct) = match (v.state(), v.due_at) {
        (State::Registered, Some(due)) => (
            rules::countdown_class(v.ordered_at.unwrap_or(v.sent_at), due, now).to_owned(),
            rules::countdown_text(due, now),
        ),
        _ => (String::new(), String::new()),
    };
    let late = match (overdue, v.due_at) {
        (true, Some(due)) => deadlines::lateness(app, due, now),
        _ => None,
    };
    Detail {
        number: number(v.id),
        state_label: if overdue {
            "逾期未反馈".to_owned()
        } else {
            v.state().label().to_owned()
        },
        class_label: class_label(&v.deadline_class, &v.deadline_period),
        overdue,
        countdown_class: cc,
        countdown_text: ct,
        late,
        events,
        ledger,
        v,
    }
}

async fn load_in(tx: &mut Tx, id: i64) -> AppResult<Verification> {
    tx.fetch_optional(q(format!("{SELECT} WHERE v.id = ?")).bind(id))
        .await?
        .ok_or_else(|| AppError::NotFound(format!("核验 {}", number(id))))
}

#[allow(clippy::too_many_arguments)]
async fn event_in(
    tx: &mut Tx,
    id: i64,
    at: i64,
    kind: &str,
    actor: &Actor,
    text: &str,
) -> AppResult<()> {
    tx.defer(
        q("INSERT INTO verification_events (verification_id, at, kind, actor_name, org_name, text) VALUES (?, ?, ?, ?, ?, ?)")
            .bind(id)
            .bind(at)
            .bind(kind)
            .bind(&actor.name)
            .bind(actor.org_name.clone().unwrap_or_default())
            .bind(text),
    );
    Ok(())
}

/// Who may read a verification: staff of the requesting or the issuing unit, the joint
/// office, the accountability department and the system administrator.
fn require_read(actor: &Actor, v: &Verification) -> AppResult<()> {
    actor.require_staff()?;
    if matches!(actor.kind, crate::ActorKind::System) {
        return Ok(());
    }
    let own = actor.org_id == Some(v.requester_org_id) || actor.org_id == Some(v.issuer_org_id);
    let county = actor.kind == crate::ActorKind::Staff
        && actor.has_any(&[Role::JointOffice, Role::Accountability, Role::SystemAdmin]);
    if own || county {
        Ok(())
    } else {
        Err(AppError::forbidden("无权查看其他单位的核验"))
    }
}

/// Role and unit scope of an action on `v`; then the state machine.
fn require_action(actor: &Actor, v: &Verification, action: Action, now: i64) -> AppResult<()> {
    actor.require_staff()?;
    if !rules::role_may(action, &actor.roles) {
        return Err(match action.side() {
            rules::Side::JointOffice => AppError::forbidden("无权操作：需要联席会议办公室角色"),
            _ => AppError::forbidden("无权操作：需要联络员或代办员角色"),
        });
    }
    let org = match action.side() {
        rules::Side::Issuer => Some(v.issuer_org_id),
        rules::Side::Requester => Some(v.requester_org_id),
        rules::Side::JointOffice => None,
    };
    if let Some(o) = org
        && actor.org_id != Some(o)
        && actor.kind != crate::ActorKind::System
    {
        return Err(AppError::forbidden(match action.side() {
            rules::Side::Issuer => "无权操作：只有开具单位的联络员、代办员可以办理",
            _ => "无权操作：只有需求单位的联络员、代办员可以办理",
        }));
    }
    rules::check(action, &v.facts_for_rules(), now).map_err(AppError::Conflict)
}

/// Marks the verification's deadline done inside `tx` (answered, returned, reclassified),
/// through the deadline engine.
async fn close_deadline_in(
    tx: &mut Tx,
    app: &App,
    actor: &Actor,
    v: &Verification,
) -> AppResult<()> {
    let Some(did) = v.deadline_id else {
        return Ok(());
    };
    let state: Option<(String,)> = tx
        .fetch_optional(q("SELECT state FROM deadlines WHERE id = ?").bind(did))
        .await?;
    if state.is_some_and(|(s,)| s != deadlines::DONE) {
        deadlines::complete_in(tx, app, actor, did).await?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Templates (A2 §4)

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct TemplateRow {
    pub id: i64,
    pub proof_item_id: i64,
    pub issuer_org_id: i64,
    pub requester_org_id: i64,
    pub request_fields: String,
    pub reply_fields: String,
    pub method: String,
    pub process: String,
    pub updated_by: String,
    pub updated_at: i64,
    pub version: i64,
}

/// A template as used: typed fields, and the class the catalogue gives.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Template {
    pub id: Option<i64>,
    pub proof_item_id: i64,
    pub proof_item_name: String,
    pub issuer_org_id: i64,
    pub requester_org_id: i64,
    #[schema(value_type = Vec<Object>)]
    pub request_fields: Vec<FieldSpec>,
    #[schema(value_type = Vec<Object>)]
    pub reply_fields: Vec<FieldSpec>,
    pub method: String,
    pub process: String,
    /// The catalogue's default deadline class and its period (A2 §7).
    pub deadline_class: String,
    pub deadline_period: String,
    pub class_label: String,
    pub version: i64,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateInput {
    pub proof_item_id: i64,
    pub issuer_org_id: i64,
    pub requester_org_id: i64,
    #[schema(value_type = Vec<Object>)]
    pub request_fields: Vec<FieldSpec>,
    #[schema(value_type = Vec<Object>)]
    pub reply_fields: Vec<FieldSpec>,
    pub method: String,
    pub process: String,
}

const TEMPLATE_COLS: &str = "SELECT id, proof_item_id, issuer_org_id, requester_org_id, request_fields, reply_fields, \
    method, process, updated_by, updated_at, version FROM verification_templates";

/// The published item, its verification method's class, and the issuer (checked against the
/// catalogue: a forged issuer is refused).
struct Asked {
    item_name: String,
    issuer_org_id: i64,
    class: VerificationDeadlineClass,
}

async fn published_verifiable(
    app: &App,
    proof_item_id: i64,
    issuer: Option<i64>,
) -> AppResult<Asked> {
    let item = crate::catalogue::public::item(app, proof_item_id)
        .await
        .map_err(|_| {
            AppError::field(
                "proof_item_id",
                format!("证明事项 {proof_item_id} 不在现行公布的证明事项清单中"),
            )
        })?;
    let Some(m) = item
        .replacements
        .iter()
        .find(|m| m.method == "verification")
    else {
        return Err(AppError::field(
            "proof_item_id",
            format!("“{}”的替代方式不含部门核验，不能发起核验", item.name),
        ));
    };
    let class = rules::class_of_period(m.deadline_period.as_deref().unwrap_or("30m"))
        .map_err(|e| AppError::Internal(format!("清单中的核验时限无效：{e}")))?;
    let issuer_org_id = match issuer {
        Some(o) if item.issuer_ids.contains(&o) => o,
        Some(o) => {
            return Err(AppError::field(
                "issuer_org_id",
                format!(
                    "单位 {o} 不是“{}”的开具单位（清单载明的开具单位：{}）",
                    item.name,
                    item.issuers.join("、")
                ),
            ));
        }
        None if item.issuer_ids.len() == 1 => item.issuer_ids[0],
        None => {
            return Err(AppError::field(
                "issuer_org_id",
                format!(
                    "“{}”有多个开具单位，请选择：{}",
                    item.name,
                    item.issuers.join("、")
                ),
            ));
        }
    };
    Ok(Asked {
        item_name: item.name.clone(),
        issuer_org_id,
        class,
    })
}

fn parse_fields(s: &str) -> Vec<FieldSpec> {
    serde_json::from_str(s).unwrap_or_default()
}

async fn template_row_in(
    tx: &mut Tx,
    item: i64,
    issuer: i64,
    requester: i64,
) -> AppResult<Option<TemplateRow>> {
    Ok(tx
        .fetch_optional(
            q(format!(
                "{TEMPLATE_COLS} WHERE proof_item_id = ? AND issuer_org_id = ? AND requester_org_id = ?"
            ))
            .bind(item)
            .bind(issuer)
            .bind(requester),
        )
        .await?)
}

fn template_of(a: &Asked, item: i64, requester: i64, row: Option<TemplateRow>) -> Template {
    let (id, req, rep, method, process, version) = match row {
        Some(r) => (
            Some(r.id),
            parse_fields(&r.request_fields),
            parse_fields(&r.reply_fields),
            r.method,
            r.process,
            r.version,
        ),
        None => (
            None,
            rules::default_request_fields(),
            rules::default_reply_fields(),
            "通过无证明城市应用系统协查".to_owned(),
            "需求单位发起—开具单位即时登记—限时反馈（加盖电子印章）".to_owned(),
            0,
        ),
    };
    Template {
        id,
        proof_item_id: item,
        proof_item_name: a.item_name.clone(),
        issuer_org_id: a.issuer_org_id,
        requester_org_id: requester,
        request_fields: if req.is_empty() {
            rules::default_request_fields()
        } else {
            req
        },
        reply_fields: if rep.is_empty() {
            rules::default_reply_fields()
        } else {
            rep
        },
        method,
        process,
        deadline_class: a.class.code().to_owned(),
        deadline_period: a.class.period_string(),
        class_label: a.class.label(),
        version,
    }
}

/// The template a pair of units uses for a proof item (the default one when none is set).
pub async fn template(
    app: &App,
    actor: &Actor,
    proof_item_id: i64,
    issuer_org_id: Option<i64>,
    requester_org_id: Option<i64>,
) -> AppResult<Template> {
    actor.require_staff()?;
    let a = published_verifiable(app, proof_item_id, issuer_org_id).await?;
    let requester = requester_org_id
        .or(actor.org_id)
        .ok_or_else(|| AppError::field("requester_org_id", "须指明需求单位"))?;
    let mut tx = app.db.begin().await?;
    let row = template_row_in(&mut tx, proof_item_id, a.issuer_org_id, requester).await?;
    tx.commit().await?;
    Ok(template_of(&a, proof_item_id, requester, row))
}

/// Sets the request/reply letter template of a pair of units for a proof item (A2 §4):
/// the liaison of either unit, or its unit admin.
pub async fn set_template(app: &App, actor: &Actor, input: &TemplateInput) -> AppResult<Template> {
    actor.require_any(&[Role::Liaison, Role::UnitAdmin, Role::SystemAdmin])?;
    if !(actor.has(Role::SystemAdmin)
        || actor.org_id == Some(input.issuer_org_id)
        || actor.org_id == Some(input.requester_org_id))
    {
        return Err(AppError::forbidden(
            "无权操作：只有需求单位或开具单位可以编制协查函、反馈函模板",
        ));
    }
    let a = published_verifiable(app, input.proof_item_id, Some(input.issuer_org_id)).await?;
    let mut p = Problems::default();
    if let Err(e) = rules::check_fields(&input.request_fields) {
        p.add("request_fields", format!("协查函字段：{e}"));
    }
    if let Err(e) = rules::check_fields(&input.reply_fields) {
        p.add("reply_fields", format!("反馈函字段：{e}"));
    }
    let method = field_text(&mut p, "method", "协查方式", &input.method, 200);
    let process = field_text(&mut p, "process", "协查流程", &input.process, MAX_TEXT);
    p.into_result()?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let org: Option<(i64,)> = tx
        .fetch_optional(q("SELECT id FROM orgs WHERE id = ?").bind(input.requester_org_id))
        .await?;
    if org.is_none() {
        return Err(AppError::field("requester_org_id", "需求单位不存在"));
    }
    let req = serde_json::to_string(&input.request_fields)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let rep = serde_json::to_string(&input.reply_fields)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    tx.execute(
        q("INSERT INTO verification_templates (proof_item_id, issuer_org_id, requester_org_id, request_fields, \
           reply_fields, method, process, updated_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
           ON CONFLICT (proof_item_id, issuer_org_id, requester_org_id) DO UPDATE SET \
           request_fields = excluded.request_fields, reply_fields = excluded.reply_fields, method = excluded.method, \
           process = excluded.process, updated_by = excluded.updated_by, updated_at = excluded.updated_at, \
           version = verification_templates.version + 1")
        .bind(input.proof_item_id)
        .bind(a.issuer_org_id)
        .bind(input.requester_org_id)
        .bind(&req)
        .bind(&rep)
        .bind(&method)
        .bind(&process)
        .bind(&actor.name)
        .bind(now)
        .bind(now),
    )
    .await?;
    let row = template_row_in(
        &mut tx,
        input.proof_item_id,
        a.issuer_org_id,
        input.requester_org_id,
    )
    .await?;
    let id = row.as_ref().map(|r| r.id).unwrap_or_default();
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("verification.template.set", "verification_template", id).detail(json!({
            "proof_item_id": input.proof_item_id, "issuer_org_id": a.issuer_org_id,
            "requester_org_id": input.requester_org_id,
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(template_of(
        &a,
        input.proof_item_id,
        input.requester_org_id,
        row,
    ))
}

// ---------------------------------------------------------------------------------------
// Subjects

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct SubjectInput {
    /// `person` (resident ID) or `entity` (unified social credit code).
    pub kind: String,
    pub code: String,
    pub name: String,
}

struct Subject {
    kind: SubjectKind,
    id: i64,
    name: String,
    code: String,
}

fn check_subject(p: &mut Problems, s: &SubjectInput) -> Option<(SubjectKind, String, String)> {
    let kind = SubjectKind::parse(&s.kind);
    if kind.is_none() {
        p.add(
            "subject.kind",
            "核验对象类型应为 person（自然人）或 entity（法人和其他组织）",
        );
    }
    let name = field_text(p, "subject.name", "核验对象名称", &s.name, 100);
    let code = match kind {
        Some(SubjectKind::Person) => match ResidentId::parse(s.code.trim()) {
            Ok(r) => Some(r.as_str().to_owned()),
            Err(e) => {
                p.add("subject.code", format!("公民身份号码无效：{e}"));
                None
            }
        },
        Some(SubjectKind::Entity) => match CreditCode::parse(s.code.trim()) {
            Ok(c) => Some(c.as_str().to_owned()),
            Err(e) => {
                p.add("subject.code", format!("统一社会信用代码无效：{e}"));
                None
            }
        },
        None => None,
    };
    Some((kind?, code?, name))
}

/// Finds or registers the subject inside `tx`.
async fn subject_in(
    tx: &mut Tx,
    actor: &Actor,
    now: i64,
    (kind, code, name): (SubjectKind, String, String),
) -> AppResult<Subject> {
    let (table, col) = match kind {
        SubjectKind::Person => ("persons", "resident_id"),
        SubjectKind::Entity => ("entities", "credit_code"),
    };
    let found: Option<(i64, String)> = tx
        .fetch_optional(q(format!("SELECT id, name FROM {table} WHERE {col} = ?")).bind(&code))
        .await?;
    let id = match found {
        Some((id, known)) if known == name => id,
        Some(_) => {
            return Err(AppError::field(
                "subject.name",
                "核验对象名称与该证件号码登记的名称不一致",
            ));
        }
        None => {
            let id = tx
                .scalar_i64(
                    q(format!(
                        "INSERT INTO {table} ({col}, name, created_at) VALUES (?, ?, ?) RETURNING id"
                    ))
                    .bind(&code)
                    .bind(&name)
                    .bind(now),
                )
                .await?;
            audit::append(
                tx,
                actor,
                now,
                Entry::new(
                    if kind == SubjectKind::Person {
                        "person.create"
                    } else {
                        "entity.create"
                    },
                    kind.as_str(),
                    id,
                )
                .subject(format!("{}:{id}", kind.as_str()))
                .purpose("登记部门核验对象"),
            )
            .await?;
            id
        }
    };
    Ok(Subject {
        kind,
        id,
        name,
        code,
    })
}

// ---------------------------------------------------------------------------------------
// Sending (A2 §5) and receiving (A2 §7)

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct SendInput {
    pub proof_item_id: i64,
    /// Optional when the catalogue names one issuer; must be one of the item's issuers.
    pub issuer_org_id: Option<i64>,
    pub subject: SubjectInput,
    /// The facts as the applicant stated them, by the request template's fields.
    #[schema(value_type = Object)]
    pub facts: Map<String, Json>,
    /// The case it serves (case number).
    pub case_ref: String,
    /// The case record, when the case is kept in this system (its assessment clock waits).
    pub case_id: Option<i64>,
    pub purpose: String,
}

async fn grace_minutes_in(tx: &mut Tx) -> AppResult<i64> {
    let v: Option<(String,)> = tx
        .fetch_optional(q("SELECT value FROM settings WHERE key = ?").bind(GRACE_SETTING))
        .await?;
    Ok(v.and_then(|(s,)| s.parse().ok())
        .unwrap_or(DEFAULT_GRACE_MINUTES))
}

/// Sets the grace before automatic reporting (joint office or system admin).
pub async fn set_grace_minutes(app: &App, actor: &Actor, minutes: i64) -> AppResult<i64> {
    actor.require_any(&[Role::JointOffice, Role::SystemAdmin])?;
    if !(0..=7 * 24 * 60).contains(&minutes) {
        return Err(AppError::field(
            "minutes",
            "宽限时间应在0至10080分钟（7天）之间",
        ));
    }
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    tx.execute(
        q("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
            .bind(GRACE_SETTING)
            .bind(minutes.to_string()),
    )
    .await?;
    let moved = reschedule_auto_reports_in(&mut tx, minutes, now).await?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("verification.grace.set", "setting", GRACE_SETTING)
            .detail(json!({"minutes": minutes, "rescheduled": moved})),
    )
    .await?;
    tx.commit().await?;
    Ok(minutes)
}

/// Moves the automatic report of every open, unreported verification to its due instant
/// plus the new grace (A2 §11): a longer grace must not leave a job that runs early, finds
/// the grace not yet over and never runs again. Returns how many were moved.
async fn reschedule_auto_reports_in(tx: &mut Tx, minutes: i64, now: i64) -> AppResult<usize> {
    let mut after = 0i64;
    let mut moved = 0;
    loop {
        let open: Vec<(i64, i64)> = tx
            .fetch_all(
                q("SELECT id, due_at FROM verifications WHERE state = 'registered' AND reported_at IS NULL \
                   AND due_at IS NOT NULL AND id > ? ORDER BY id LIMIT 500")
                .bind(after),
            )
            .await?;
        let Some(last) = open.last().map(|r| r.0) else {
            return Ok(moved);
        };
        let jobs: Vec<_> = open
            .iter()
            .map(|(id, due)| crate::jobs::NewJob {
                kind: KIND_AUTO_REPORT,
                unique_key: format!("verification:{id}:auto_report"),
                run_at: due + minutes * 60_000,
                payload: json!({"verification_id": id}),
            })
            .collect();
        crate::jobs::enqueue_many_in(tx, &jobs, now).await?;
        moved += open.len();
        after = last;
    }
}

pub async fn grace_minutes(app: &App) -> AppResult<i64> {
    let v: Option<(String,)> = app
        .db
        .reader()
        .fetch_optional(q("SELECT value FROM settings WHERE key = ?").bind(GRACE_SETTING))
        .await?;
    Ok(v.and_then(|(s,)| s.parse().ok())
        .unwrap_or(DEFAULT_GRACE_MINUTES))
}

/// Opens the deadline of a verification (issuer's unit, rule of its class) and schedules
/// the half-time B notification and the automatic report. Returns (deadline id, due).
async fn open_deadline_in(
    tx: &mut Tx,
    app: &App,
    actor: &Actor,
    id: i64,
    issuer: i64,
    class: VerificationDeadlineClass,
    start_ms: Option<i64>,
) -> AppResult<(i64, Option<i64>)> {
    let system = Actor::system(&actor.operation_id);
    let opened = deadlines::open_in(
        tx,
        app,
        &system,
        &OpenInput {
            subject_type: "verification".to_owned(),
            subject_id: number(id),
            org_id: issuer,
            rule_key: rules::rule_key(class).to_owned(),
            start: start_ms.and_then(deadlines::rfc3339),
            statutory_limit: match class {
                VerificationDeadlineClass::Statutory(p) => Some(p.to_string()),
                _ => None,
            },
        },
    )
    .await?;
    let (did, due, eff) = (opened.id, opened.due_at, opened.effective_start);
    let now = app.now_ms();
    if let Some(due) = due {
        let grace = grace_minutes_in(tx).await?;
        let payload = json!({"verification_id": id});
        let mut jobs = vec![crate::jobs::NewJob {
            kind: KIND_AUTO_REPORT,
            unique_key: format!("verification:{id}:auto_report"),
            run_at: due + grace * 60_000,
            payload: payload.clone(),
        }];
        if let Some(eff) = eff
            && let Some(half) = deadlines::reminder_at(&app.calendar(), app, eff, due, 0, (1, 2))
        {
            jobs.push(crate::jobs::NewJob {
                kind: KIND_HALF_TIME,
                unique_key: format!("verification:{id}:half_time"),
                run_at: half,
                payload,
            });
        }
        crate::jobs::enqueue_many_in(tx, &jobs, now).await?;
    }
    Ok((did, due))
}

/// A and, when A is absent, B of every duty post of the issuing unit (A2 §6); the unit
/// itself when it has no post.
async fn notify_issuer_in(
    tx: &mut Tx,
    org_id: i64,
    half_time: bool,
    id: i64,
    text: &str,
    event: &str,
    now: i64,
) -> AppResult<()> {
    let posts: Vec<(i64, Option<i64>, bool)> = tx
        .fetch_all(
            q("SELECT a_staff_id, b_staff_id, a_absent FROM duty_posts WHERE org_id = ?")
                .bind(org_id),
        )
        .await?;
    let link = format!("/verifications/{id}");
    let mut items = vec![];
    if posts.is_empty() {
        items.push(notifications::NewNotification {
            to: Recipient::Org(org_id),
            kind: "verification",
            text: text.to_owned(),
            link: link.clone(),
            dedupe_key: format!("verification:{id}:{event}:org"),
        });
    }
    for (a, b, absent) in posts {
        if !half_time {
            items.push(notifications::NewNotification {
                to: Recipient::Staff(a),
                kind: "verification",
                text: text.to_owned(),
                link: link.clone(),
                dedupe_key: format!("verification:{id}:{event}:{a}"),
            });
        }
        if let Some(b) = b
            && rules::notify_b(absent, half_time)
        {
            items.push(notifications::NewNotification {
                to: Recipient::Staff(b),
                kind: "verification",
                text: text.to_owned(),
                link: link.clone(),
                dedupe_key: format!("verification:{id}:{event}:{b}"),
            });
        }
    }
    notifications::insert_many_in(tx, &items, now).await?;
    Ok(())
}

/// Sends a verification (A2 §5); it is registered in the issuer's inbox at once with its
/// deadline running (A2 §7).
pub async fn send(app: &App, actor: &Actor, input: &SendInput) -> AppResult<Detail> {
    actor.require_staff()?;
    if !rules::role_may(Action::Report, &actor.roles) {
        return Err(AppError::forbidden(
            "无权操作：只有联络员或代办员可以发起核验",
        ));
    }
    let requester = actor
        .org_id
        .ok_or_else(|| AppError::forbidden("发起核验须以本单位名义"))?;
    let mut p = Problems::default();
    let subject = check_subject(&mut p, &input.subject);
    let case_ref = field_text(
        &mut p,
        "case_ref",
        "所服务的办件编号",
        &input.case_ref,
        MAX_REF,
    );
    let purpose = field_text(&mut p, "purpose", "核验用途", &input.purpose, MAX_PURPOSE);
    if input.facts.len() > rules::MAX_FIELDS {
        p.add("facts", format!("填报事实不能超过{}项", rules::MAX_FIELDS));
    }
    let asked = match published_verifiable(app, input.proof_item_id, input.issuer_org_id).await {
        Ok(a) => Some(a),
        Err(AppError::Validation(errs)) => {
            p.0.extend(errs);
            None
        }
        Err(e) => return Err(e),
    };
    if !p.0.is_empty() {
        return Err(AppError::Validation(p.0));
    }
    let (Some(asked), Some(subject)) = (asked, subject) else {
        return Err(AppError::Internal("校验失败".into()));
    };
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let trow =
        template_row_in(&mut tx, input.proof_item_id, asked.issuer_org_id, requester).await?;
    let tpl = template_of(&asked, input.proof_item_id, requester, trow);
    let errs = rules::check_values(&tpl.request_fields, &input.facts);
    if !errs.is_empty() {
        return Err(AppError::Validation(
            errs.into_iter()
                .map(|(k, m)| crate::FieldError::new(format!("facts.{k}"), m))
                .collect(),
        ));
    }
    let subject = subject_in(&mut tx, actor, now, subject).await?;
    let facts = Json::Object(input.facts.clone()).to_string();
    let id = tx
        .scalar_i64(
            q("INSERT INTO verifications (channel, state, requester_org_id, issuer_org_id, proof_item_id, proof_item_name, \
               template_id, subject_kind, subject_id, subject_name, subject_code, facts, case_ref, case_id, purpose, \
               catalogue_class, deadline_class, deadline_period, sent_by, sent_by_name, sent_at, updated_at) \
               VALUES ('system', 'registered', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id")
            .bind(requester)
            .bind(asked.issuer_org_id)
            .bind(input.proof_item_id)
            .bind(&asked.item_name)
            .bind(tpl.id)
            .bind(subject.kind.as_str())
            .bind(subject.id)
            .bind(&subject.name)
            .bind(&subject.code)
            .bind(&facts)
            .bind(&case_ref)
            .bind(input.case_id)
            .bind(&purpose)
            .bind(asked.class.code())
            .bind(asked.class.code())
            .bind(asked.class.period_string())
            .bind(actor.staff_id())
            .bind(&actor.name)
            .bind(now)
            .bind(now),
        )
        .await?;
    let (did, due) = open_deadline_in(
        &mut tx,
        app,
        actor,
        id,
        asked.issuer_org_id,
        asked.class,
        None,
    )
    .await?;
    tx.defer(
        q("UPDATE verifications SET deadline_id = ?, due_at = ? WHERE id = ?")
            .bind(did)
            .bind(due)
            .bind(id),
    );
    event_in(
        &mut tx,
        id,
        now,
        "send",
        actor,
        &format!(
            "发起核验：{}，用途：{purpose}，办件 {case_ref}；开具单位即时登记受理，时限类别 {}，{} 前反馈",
            asked.item_name,
            asked.class.label(),
            due.map(crate::local_time).unwrap_or_default()
        ),
    )
    .await?;
    let subject_ref = format!("{}:{}", subject.kind.as_str(), subject.id);
    let purpose_full = format!("{purpose}（案件 {case_ref}）");
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("verification.send", "verification", id)
            .subject(subject_ref)
            .purpose(&purpose_full)
            .detail(json!({
                "number": number(id), "proof_item_id": input.proof_item_id,
                "issuer_org_id": asked.issuer_org_id, "deadline_id": did, "due_at": due,
                "class": asked.class.code(),
            })),
    )
    .await?;
    let text = format!(
        "【核验】{} 请求核验“{}”（{}），请在 {} 前反馈。",
        actor.org_name.clone().unwrap_or_default(),
        asked.item_name,
        number(id),
        due.map(crate::local_time).unwrap_or_default()
    );
    notify_issuer_in(&mut tx, asked.issuer_org_id, false, id, &text, "new", now).await?;
    if let Some(case_id) = input.case_id {
        crate::verification_cases::begin_wait_in(&mut tx, app, actor, case_id, id).await?;
    }
    tx.commit().await?;
    flag_understaffed(app, asked.issuer_org_id).await?;
    get_unaudited(app, id).await
}

/// A2 §6: a unit without 1 liaison and 2 proxy agents is flagged to the joint office
/// (once per unit, deduplicated).
async fn flag_understaffed(app: &App, org_id: i64) -> AppResult<()> {
    let st = crate::staff::staffing(app, org_id).await?;
    if st.meets_minimum {
        return Ok(());
    }
    let name = crate::orgs::get(app, org_id).await?.name;
    let mut tx = app.db.begin().await?;
    notifications::insert_in(
        &mut tx,
        &Recipient::Role("joint_office"),
        "staffing",
        &format!(
            "【配备不足】{name}未按附件2第六条配备1名联络员和2名代办员（AB角），但已收到核验请求。"
        ),
        "/admin/registry",
        &format!("verification:staffing:{org_id}"),
        app.now_ms(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The record after a change by its own actor: read from the committed state, outside
/// any write transaction (a reader does not wait for the write lock).
async fn get_unaudited(app: &App, id: i64) -> AppResult<Detail> {
    let v = app
        .db
        .reader()
        .fetch_optional(q(format!("{SELECT} WHERE v.id = ?")).bind(id))
        .await?
        .ok_or_else(|| AppError::NotFound(format!("核验 {}", number(id))))?;
    with_history(app, v).await
}

async fn with_history(app: &App, v: Verification) -> AppResult<Detail> {
    let events: Vec<Event> = app
        .db
        .reader()
        .fetch_all(
            q("SELECT id, at, kind, actor_name, org_name, text FROM verification_events WHERE verification_id = ? ORDER BY id")
                .bind(v.id),
        )
        .await?;
    let ledger: Vec<LedgerEntry> = app
        .db
        .reader()
        .fetch_all(
            q(format!(
                "{LEDGER_COLS} WHERE verification_id = ? ORDER BY id"
            ))
            .bind(v.id),
        )
        .await?;
    Ok(detail_of(app, v, events, ledger))
}

/// Reads a verification (A2 §12): every read is recorded with who, when, the case and the
/// purpose, under the subject, so the citizen sees it.
pub async fn get(app: &App, actor: &Actor, id: i64) -> AppResult<Detail> {
    actor.require_staff()?;
    let v: Verification = app
        .db
        .reader()
        .fetch_optional(q(format!("{SELECT} WHERE v.id = ?")).bind(id))
        .await?
        .ok_or_else(|| AppError::NotFound(format!("核验 {}", number(id))))?;
    require_read(actor, &v)?;
    let now = app.now_ms();
    let purpose = v.purpose_text();
    audit::record_read(
        &app.db,
        actor,
        now,
        Entry::new("verification.read", "verification", id)
            .subject(v.subject_ref())
            .purpose(&purpose)
            .detail(json!({"number": number(id), "case_ref": v.case_ref})),
    )
    .await?;
    with_history(app, v).await
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct ReclassifyInput {
    /// `electronic`, `paper_archive`, `incomplete_archive` or `statutory`.
    pub deadline_class: String,
    /// For `statutory`: the legal limit (`20wd`, `30cd`).
    pub statutory_limit: Option<String>,
    pub reason: String,
}

/// The issuer reclassifies this request's deadline class on registering it, with a reason
/// (A2 §7): the clock restarts from receipt under the new class.
pub async fn reclassify(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &ReclassifyInput,
) -> AppResult<Detail> {
    let mut p = Problems::default();
    let class =
        VerificationDeadlineClass::parse(&input.deadline_class, input.statutory_limit.as_deref())
            .map_err(|e| p.add("deadline_class", e))
            .ok();
    let reason = field_text(&mut p, "reason", "改判理由", &input.reason, 500);
    p.into_result()?;
    let Some(class) = class else {
        return Err(AppError::Internal("校验失败".into()));
    };
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let v = load_in(&mut tx, id).await?;
    require_action(actor, &v, Action::Reclassify, now)?;
    if class.code() == v.deadline_class && class.period_string() == v.deadline_period {
        return Err(AppError::field(
            "deadline_class",
            "新的时限类别与原类别相同",
        ));
    }
    close_deadline_in(&mut tx, app, actor, &v).await?;
    let (did, due) = open_deadline_in(
        &mut tx,
        app,
        actor,
        id,
        v.issuer_org_id,
        class,
        Some(v.sent_at),
    )
    .await?;
    tx.execute(
        q("UPDATE verifications SET deadline_class = ?, deadline_period = ?, reclass_reason = ?, deadline_id = ?, \
           due_at = ?, updated_at = ?, version = version + 1 WHERE id = ?")
        .bind(class.code())
        .bind(class.period_string())
        .bind(&reason)
        .bind(did)
        .bind(due)
        .bind(now)
        .bind(id),
    )
    .await?;
    let text = format!(
        "改判时限类别：{} → {}，理由：{reason}；新的反馈期限 {}",
        class_label(&v.deadline_class, &v.deadline_period),
        class.label(),
        due.map(crate::local_time).unwrap_or_default()
    );
    event_in(&mut tx, id, now, "reclassify", actor, &text).await?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("verification.reclassify", "verification", id)
            .subject(v.subject_ref())
            .purpose(&v.purpose_text())
            .detail(json!({"from": v.deadline_class, "to": class.code(), "period": class.period_string(),
                "reason": reason, "deadline_id": did, "due_at": due})),
    )
    .await?;
    notify_requester_in(
        &mut tx,
        &v,
        &format!("【核验】{} 的时限类别已由开具单位改判：{text}", number(id)),
        "reclassify",
        now,
    )
    .await?;
    tx.commit().await?;
    get_unaudited(app, id).await
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct AnswerInput {
    /// `confirmed` or `not_matching`.
    pub outcome: String,
    /// The reply template's fields.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub answer: Map<String, Json>,
    /// What the records say (required when not matching).
    pub records_say: Option<String>,
}

/// The issuer answers (A2 §7): a canonical JSON reply letter sealed with the issuer's key.
pub async fn answer(app: &App, actor: &Actor, id: i64, input: &AnswerInput) -> AppResult<Detail> {
    let mut p = Problems::default();
    let outcome = Outcome::parse(&input.outcome);
    if outcome.is_none() {
        p.add(
            "outcome",
            "核验结果应为 confirmed（属实）或 not_matching（不符）",
        );
    }
    let records_say = match input
        .records_say
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(s) => Some(field_text(&mut p, "records_say", "档案记载", s, MAX_TEXT)),
        None if outcome == Some(Outcome::NotMatching) => {
            p.add("records_say", "结果不符时须写明档案记载的情况");
            None
        }
        None => None,
    };
    if input.answer.len() > rules::MAX_FIELDS {
        p.add("answer", format!("反馈内容不能超过{}项", rules::MAX_FIELDS));
    }
    p.into_result()?;
    let Some(outcome) = outcome else {
        return Err(AppError::Internal("校验失败".into()));
    };
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let v = load_in(&mut tx, id).await?;
    require_action(actor, &v, Action::Answer, now)?;
    let trow = template_row_in(
        &mut tx,
        v.proof_item_id,
        v.issuer_org_id,
        v.requester_org_id,
    )
    .await?;
    let reply_fields = trow
        .map(|t| parse_fields(&t.reply_fields))
        .filter(|f| !f.is_empty())
        .unwrap_or_else(rules::default_reply_fields);
    let errs = rules::check_values(&reply_fields, &input.answer);
    if !errs.is_empty() {
        return Err(AppError::Validation(
            errs.into_iter()
                .map(|(k, m)| crate::FieldError::new(format!("answer.{k}"), m))
                .collect(),
        ));
    }
    let late = v.due_at.is_some_and(|d| now > d);
    let issuer_code: Option<(Option<String>,)> = tx
        .fetch_optional(q("SELECT credit_code FROM orgs WHERE id = ?").bind(v.issuer_org_id))
        .await?;
    let facts: Json = serde_json::from_str(&v.facts).unwrap_or(Json::Null);
    let body = json!({
        "document": "部门核验反馈函",
        "number": number(id),
        "issuer": {"name": v.issuer_name, "credit_code": issuer_code.and_then(|c| c.0)},
        "requester": {"name": v.requester_name},
        "proof_item": {"id": v.proof_item_id, "name": v.proof_item_name},
        "subject": {"kind": v.subject_kind, "name": v.subject_name, "code": mask_code(&v.subject_code)},
        "case_ref": v.case_ref,
        "facts_asked": facts,
        "outcome": outcome.as_str(),
        "outcome_label": outcome.label(),
        "answer": Json::Object(input.answer.clone()),
        "records_say": records_say,
        "answered_by": actor.name,
        "answered_at": deadlines::rfc3339(now),
        "basis": "高青县证明事项核验实施办法（试行）第七条",
    });
    let sealed = seals::seal(
        app,
        &mut tx,
        actor,
        ToSeal {
            org_id: v.issuer_org_id,
            kind: "verification_reply",
            object_type: "verification",
            object_id: id.to_string(),
            body: &body,
        },
    )
    .await?;
    tx.execute(
        q("UPDATE verifications SET state = 'answered', outcome = ?, answer = ?, records_say = ?, answered_by_name = ?, \
           answered_at = ?, answered_late = ?, sealed_id = ?, updated_at = ?, version = version + 1 WHERE id = ? AND state = 'registered'")
        .bind(outcome.as_str())
        .bind(Json::Object(input.answer.clone()).to_string())
        .bind(records_say.clone())
        .bind(&actor.name)
        .bind(now)
        .bind(late)
        .bind(&sealed)
        .bind(now)
        .bind(id),
    )
    .await?;
    close_deadline_in(&mut tx, app, actor, &v).await?;
    let text = format!(
        "反馈核验结果：{}{}（已加盖电子印章，文件编号 {sealed}）{}",
        outcome.label(),
        records_say
            .as_deref()
            .map(|r| format!("，档案记载：{r}"))
            .unwrap_or_default(),
        if late { "；逾期反馈" } else { "" }
    );
    event_in(&mut tx, id, now, "answer", actor, &text).await?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("verification.answer", "verification", id)
            .subject(v.subject_ref())
            .purpose(&v.purpose_text())
            .detail(json!({"outcome": outcome.as_str(), "sealed_id": sealed, "late": late})),
    )
    .await?;
    notify_requester_in(
        &mut tx,
        &v,
        &format!(
            "【核验】{}（{}）已反馈：{}。",
            number(id),
            v.proof_item_name,
            outcome.label()
        ),
        "answer",
        now,
    )
    .await?;
    if let Some(case_id) = v.case_id {
        crate::verification_cases::end_wait_in(&mut tx, app, actor, case_id, id).await?;
    }
    tx.commit().await?;
    get_unaudited(app, id).await
}

async fn notify_requester_in(
    tx: &mut Tx,
    v: &Verification,
    text: &str,
    event: &str,
    now: i64,
) -> AppResult<()> {
    let to = match v.sent_by {
        Some(s) => Recipient::Staff(s),
        None => Recipient::Org(v.requester_org_id),
    };
    notifications::insert_in(
        tx,
        &to,
        "verification",
        text,
        &format!("/verifications/{}", v.id),
        &format!("verification:{}:{event}:requester", v.id),
        now,
    )
    .await?;
    Ok(())
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct ReturnInput {
    pub reason: String,
}

/// Returns the request as outside the issuer's remit (A2 §7): the clock stops, the sender
/// is notified.
pub async fn return_request(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &ReturnInput,
) -> AppResult<Detail> {
    let mut p = Problems::default();
    let reason = field_text(&mut p, "reason", "退回理由", &input.reason, 500);
    p.into_result()?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let v = load_in(&mut tx, id).await?;
    require_action(actor, &v, Action::Return, now)?;
    tx.execute(
        q("UPDATE verifications SET state = 'returned', return_reason = ?, answered_by_name = ?, answered_at = ?, \
           updated_at = ?, version = version + 1 WHERE id = ? AND state = 'registered'")
        .bind(&reason)
        .bind(&actor.name)
        .bind(now)
        .bind(now)
        .bind(id),
    )
    .await?;
    close_deadline_in(&mut tx, app, actor, &v).await?;
    event_in(
        &mut tx,
        id,
        now,
        "return",
        actor,
        &format!("退回：不属于本单位职责，理由：{reason}"),
    )
    .await?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("verification.return", "verification", id)
            .subject(v.subject_ref())
            .purpose(&v.purpose_text())
            .detail(json!({"reason": reason})),
    )
    .await?;
    notify_requester_in(
        &mut tx,
        &v,
        &format!(
            "【核验退回】{}（{}）被{}退回：{reason}",
            number(id),
            v.proof_item_name,
            v.issuer_name
        ),
        "return",
        now,
    )
    .await?;
    if let Some(case_id) = v.case_id {
        crate::verification_cases::end_wait_in(&mut tx, app, actor, case_id, id).await?;
    }
    tx.commit().await?;
    get_unaudited(app, id).await
}

// ---------------------------------------------------------------------------------------
// Overdue (A2 §11)

async fn report_in(
    tx: &mut Tx,
    actor: &Actor,
    v: &Verification,
    auto: bool,
    now: i64,
) -> AppResult<()> {
    let n = tx
        .execute(
            q("UPDATE verifications SET reported_at = ?, reported_by_name = ?, report_auto = ?, updated_at = ?, \
               version = version + 1 WHERE id = ? AND reported_at IS NULL AND state = 'registered'")
            .bind(now)
            .bind(&actor.name)
            .bind(auto)
            .bind(now)
            .bind(v.id),
        )
        .await?;
    if n == 0 {
        return Ok(());
    }
    let late = v
        .due_at
        .map(|d| rules::countdown_text(d, now))
        .unwrap_or_default();
    let text = if auto {
        format!("宽限期满仍未反馈，系统自动报告县联席会议办公室（{late}）")
    } else {
        format!("需求单位报告县联席会议办公室：开具单位逾期未反馈（{late}）")
    };
    event_in(tx, v.id, now, "report", actor, &text).await?;
    audit::append(
        tx,
        actor,
        now,
        Entry::new("verification.report", "verification", v.id)
            .detail(json!({"auto": auto, "due_at": v.due_at, "issuer_org_id": v.issuer_org_id})),
    )
    .await?;
    let msg = format!(
        "【逾期核验报告】{} 请求{}核验“{}”（{}），{}。",
        v.requester_name,
        v.issuer_name,
        v.proof_item_name,
        number(v.id),
        late
    );
    let link = format!("/verifications/{}", v.id);
    for (to, who) in [
        (Recipient::Role("joint_office"), "joint"),
        (Recipient::Org(v.issuer_org_id), "issuer"),
    ] {
        notifications::insert_in(
            tx,
            &to,
            "overdue",
            &msg,
            &link,
            &format!("verification:{}:report:{who}", v.id),
            now,
        )
        .await?;
    }
    Ok(())
}

/// The requester reports an overdue request to the joint office with one action (A2 §11).
pub async fn report(app: &App, actor: &Actor, id: i64) -> AppResult<Detail> {
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let v = load_in(&mut tx, id).await?;
    require_action(actor, &v, Action::Report, now)?;
    report_in(&mut tx, actor, &v, false, now).await?;
    tx.commit().await?;
    get_unaudited(app, id).await
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct OrderInput {
    /// The new time limit, RFC 3339 (e.g. `2026-03-13T12:00:00+08:00`); must be in the future.
    pub finish_by: String,
    pub text: String,
}

/// The joint office orders the issuer to finish by a new time limit (A2 §11).
pub async fn order(app: &App, actor: &Actor, id: i64, input: &OrderInput) -> AppResult<Detail> {
    let now = app.now_ms();
    let mut p = Problems::default();
    let by = match DateTime::parse_from_rfc3339(input.finish_by.trim()) {
        Ok(t) if t.with_timezone(&Utc).timestamp_millis() > now => {
            Some(t.with_timezone(&Utc).timestamp_millis())
        }
        Ok(_) => {
            p.add("finish_by", "限时办结的时间须晚于现在");
            None
        }
        Err(_) => {
            p.add(
                "finish_by",
                "限办时间无效（应为 RFC 3339，例如 2026-03-13T12:00:00+08:00）",
            );
            None
        }
    };
    let text = field_text(&mut p, "text", "责成意见", &input.text, 500);
    p.into_result()?;
    let Some(by) = by else {
        return Err(AppError::Internal("校验失败".into()));
    };
    let mut tx = app.db.begin().await?;
    let v = load_in(&mut tx, id).await?;
    require_action(actor, &v, Action::Order, now)?;
    tx.execute(
        q("UPDATE verifications SET ordered_at = ?, order_due_at = ?, order_text = ?, due_at = ?, updated_at = ?, \
           version = version + 1 WHERE id = ?")
        .bind(now)
        .bind(by)
        .bind(&text)
        .bind(by)
        .bind(now)
        .bind(id),
    )
    .await?;
    let ev = format!(
        "联席会议办公室责成{}于 {} 前办结：{text}",
        v.issuer_name,
        crate::local_time(by)
    );
    event_in(&mut tx, id, now, "order", actor, &ev).await?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("verification.order", "verification", id)
            .detail(json!({"finish_by": by, "text": text, "issuer_org_id": v.issuer_org_id})),
    )
    .await?;
    notifications::insert_in(
        &mut tx,
        &Recipient::Org(v.issuer_org_id),
        "verification",
        &format!("【责成限时办结】{}：{ev}", number(id)),
        &format!("/verifications/{id}"),
        &format!("verification:{id}:order:{now}:issuer"),
        now,
    )
    .await?;
    notify_requester_in(
        &mut tx,
        &v,
        &format!("【责成限时办结】{}：{ev}", number(id)),
        &format!("order:{now}"),
        now,
    )
    .await?;
    tx.commit().await?;
    get_unaudited(app, id).await
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct SummonInput {
    /// Who should be summoned and the harm done.
    pub text: String,
}

/// The joint office records its request to the county government to summon those
/// responsible (约谈, A2 §11).
pub async fn summon(app: &App, actor: &Actor, id: i64, input: &SummonInput) -> AppResult<Detail> {
    let mut p = Problems::default();
    let text = field_text(&mut p, "text", "提请约谈事由", &input.text, MAX_TEXT);
    p.into_result()?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let v = load_in(&mut tx, id).await?;
    require_action(actor, &v, Action::Summon, now)?;
    tx.execute(
        q("UPDATE verifications SET summon_at = ?, summon_text = ?, updated_at = ?, version = version + 1 WHERE id = ?")
            .bind(now)
            .bind(&text)
            .bind(now)
            .bind(id),
    )
    .await?;
    event_in(
        &mut tx,
        id,
        now,
        "summon",
        actor,
        &format!("提请县政府对相关人员进行约谈：{text}"),
    )
    .await?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("verification.summon", "verification", id)
            .detail(json!({"text": text, "issuer_org_id": v.issuer_org_id})),
    )
    .await?;
    notifications::insert_in(
        &mut tx,
        &Recipient::Role("county_approver"),
        "summon",
        &format!(
            "【提请约谈】{}（{}逾期未反馈核验）：{text}",
            number(id),
            v.issuer_name
        ),
        &format!("/verifications/{id}"),
        &format!("verification:{id}:summon"),
        now,
    )
    .await?;
    tx.commit().await?;
    get_unaudited(app, id).await
}

/// Job effects (called from `jobs::run_job`): the automatic report after the grace period,
/// and the half-time notification to B. `false`: nothing to do any more (skipped).
pub async fn run_job(
    tx: &mut Tx,
    app: &App,
    kind: &str,
    payload: &Json,
    now: i64,
) -> AppResult<bool> {
    let id = payload["verification_id"].as_i64().unwrap_or_default();
    let Some(v) = tx
        .fetch_optional::<Verification>(q(format!("{SELECT} WHERE v.id = ?")).bind(id))
        .await?
    else {
        return Ok(false);
    };
    match kind {
        KIND_AUTO_REPORT => {
            let grace = grace_minutes_in(tx).await?;
            let due_passed = v.due_at.is_some_and(|d| d + grace * 60_000 <= now);
            if v.state() != State::Registered || v.reported_at.is_some() || !due_passed {
                return Ok(false);
            }
            let system = Actor::system("jobs:verification");
            report_in(tx, &system, &v, true, now).await?;
            let _ = app;
            Ok(true)
        }
        KIND_HALF_TIME => {
            if v.state() != State::Registered || v.due_at.is_none_or(|d| d <= now) {
                return Ok(false);
            }
            let text = format!(
                "【核验提醒·B角】{}（{}）已过反馈时限的一半仍未反馈，请 B 角协助办理，{} 到期。",
                number(id),
                v.proof_item_name,
                v.due_at.map(crate::local_time).unwrap_or_default()
            );
            notify_issuer_in(tx, v.issuer_org_id, true, id, &text, "half", now).await?;
            Ok(true)
        }
        _ => Ok(false),
    }
}

// ---------------------------------------------------------------------------------------
// Ledger (A2 §8, §9) and offline channels (A2 §3)

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct LedgerEntry {
    pub id: i64,
    pub org_id: i64,
    pub verification_id: Option<i64>,
    pub kind: String,
    pub subject_kind: String,
    pub subject_id: i64,
    pub subject_name: String,
    pub proof_item_id: i64,
    pub proof_item_name: String,
    pub case_ref: String,
    pub what: String,
    pub why: String,
    pub recorded_by_name: String,
    pub at: i64,
}

const LEDGER_COLS: &str = "SELECT id, org_id, verification_id, kind, subject_kind, subject_id, subject_name, \
    proof_item_id, proof_item_name, case_ref, what, why, recorded_by_name, at FROM verification_ledger";

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct LedgerInput {
    /// `supplementary_request`, `onsite_check` or `applicant_provided`.
    pub kind: String,
    /// Required for supplementary requests and on-site checks; for applicant-provided
    /// information either this or the subject, proof item and case.
    pub verification_id: Option<i64>,
    pub proof_item_id: Option<i64>,
    pub subject: Option<SubjectInput>,
    pub case_ref: Option<String>,
    /// What material or information (only what the purpose needs, A2 §8), or what was checked.
    pub what: String,
    /// Why (the mismatch, the missing answer, the applicant's choice).
    pub why: String,
}

/// Records a ledger entry of the requesting unit (A2 §8, §9).
pub async fn record_ledger(
    app: &App,
    actor: &Actor,
    input: &LedgerInput,
) -> AppResult<LedgerEntry> {
    actor.require_staff()?;
    let org = actor
        .org_id
        .ok_or_else(|| AppError::forbidden("台账记录须以本单位名义"))?;
    let mut p = Problems::default();
    let kind = LedgerKind::parse(&input.kind);
    if kind.is_none() {
        p.add(
            "kind",
            "台账类型应为 supplementary_request、onsite_check 或 applicant_provided",
        );
    }
    let what = field_text(&mut p, "what", "内容", &input.what, MAX_TEXT);
    let why = field_text(&mut p, "why", "事由", &input.why, MAX_TEXT);
    let loose_subject = match (&input.verification_id, &input.subject) {
        (None, Some(s)) => check_subject(&mut p, s),
        _ => None,
    };
    p.into_result()?;
    let Some(kind) = kind else {
        return Err(AppError::Internal("校验失败".into()));
    };
    if !rules::role_may(Action::OnsiteCheck, &actor.roles) && !actor.has_any(&[Role::CounterClerk])
    {
        return Err(AppError::forbidden(
            "无权操作：需要联络员、代办员或窗口人员角色",
        ));
    }
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let (vid, subject_kind, subject_id, subject_name, item_id, item_name, case_ref, purpose) =
        match input.verification_id {
            Some(vid) => {
                let v = load_in(&mut tx, vid).await?;
                if v.requester_org_id != org {
                    return Err(AppError::forbidden(
                        "无权操作：只有需求单位可以记录本核验的台账",
                    ));
                }
                let action = match kind {
                    LedgerKind::SupplementaryRequest => Some(Action::SupplementaryRequest),
                    LedgerKind::OnsiteCheck => Some(Action::OnsiteCheck),
                    LedgerKind::ApplicantProvided => None,
                };
                if let Some(a) = action {
                    require_action(actor, &v, a, now)?;
                }
                let purpose = v.purpose_text();
                (
                    Some(vid),
                    v.subject_kind,
                    v.subject_id,
                    v.subject_name,
                    v.proof_item_id,
                    v.proof_item_name,
                    v.case_ref,
                    purpose,
                )
            }
            None => {
                if kind != LedgerKind::ApplicantProvided {
                    return Err(AppError::field(
                        "verification_id",
                        "补充材料和实地核查须关联一件核验",
                    ));
                }
                let mut p = Problems::default();
                let Some(item_id) = input.proof_item_id else {
                    return Err(AppError::field("proof_item_id", "须指明证明事项"));
                };
                let case_ref = field_text(
                    &mut p,
                    "case_ref",
                    "所服务的办件编号",
                    input.case_ref.as_deref().unwrap_or(""),
                    MAX_REF,
                );
                p.into_result()?;
                let Some(s) = loose_subject else {
                    return Err(AppError::field("subject", "须填写申请人（核验对象）"));
                };
                let item = crate::catalogue::public::item(app, item_id)
                    .await
                    .map_err(|_| {
                        AppError::field(
                            "proof_item_id",
                            format!("证明事项 {item_id} 不在现行公布的证明事项清单中"),
                        )
                    })?;
                let s = subject_in(&mut tx, actor, now, s).await?;
                (
                    None,
                    s.kind.as_str().to_owned(),
                    s.id,
                    s.name,
                    item_id,
                    item.name.clone(),
                    case_ref.clone(),
                    format!("申请人自行提供证明信息（案件 {case_ref}）"),
                )
            }
        };
    let id = tx
        .scalar_i64(
            q("INSERT INTO verification_ledger (org_id, verification_id, kind, subject_kind, subject_id, subject_name, \
               proof_item_id, proof_item_name, case_ref, what, why, recorded_by_name, at) \
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id")
            .bind(org)
            .bind(vid)
            .bind(kind.as_str())
            .bind(&subject_kind)
            .bind(subject_id)
            .bind(&subject_name)
            .bind(item_id)
            .bind(&item_name)
            .bind(&case_ref)
            .bind(&what)
            .bind(&why)
            .bind(&actor.name)
            .bind(now),
        )
        .await?;
    if let Some(vid) = vid {
        event_in(
            &mut tx,
            vid,
            now,
            kind.as_str(),
            actor,
            &format!("{}：{what}（事由：{why}）", kind.label()),
        )
        .await?;
    }
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("verification.ledger", "verification_ledger", id)
            .subject(format!("{subject_kind}:{subject_id}"))
            .purpose(&purpose)
            .detail(
                json!({"kind": kind.as_str(), "verification_id": vid, "what": what, "why": why}),
            ),
    )
    .await?;
    let row = tx
        .fetch_one(q(format!("{LEDGER_COLS} WHERE id = ?")).bind(id))
        .await?;
    tx.commit().await?;
    Ok(row)
}

/// The unit's ledger, newest first.
pub async fn ledger(app: &App, actor: &Actor, limit: i64) -> AppResult<Vec<LedgerEntry>> {
    actor.require_staff()?;
    let org = actor
        .org_id
        .ok_or_else(|| AppError::forbidden("台账按单位查看"))?;
    Ok(app
        .db
        .reader()
        .fetch_all(
            q(format!(
                "{LEDGER_COLS} WHERE org_id = ? ORDER BY id DESC LIMIT ?"
            ))
            .bind(org)
            .bind(limit.clamp(1, 500)),
        )
        .await?)
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct OfflineInput {
    /// `fax`, `email` or `office_system`.
    pub channel: String,
    pub proof_item_id: i64,
    pub issuer_org_id: Option<i64>,
    pub subject: SubjectInput,
    #[schema(value_type = Object)]
    pub facts: Map<String, Json>,
    pub case_ref: String,
    pub purpose: String,
    /// `confirmed` or `not_matching`.
    pub outcome: String,
    pub records_say: Option<String>,
    /// Fax number, mail subject or document number of the exchange.
    pub offline_ref: String,
    /// When the answer came (RFC 3339); default now.
    pub answered_at: Option<String>,
    /// The recorder confirms no state or work secret went through this channel (A2 §3).
    #[serde(default)]
    pub no_secret_confirmed: bool,
}

/// Records a verification done by fax, e-mail or the office system after the fact (A2 §3).
pub async fn record_offline(app: &App, actor: &Actor, input: &OfflineInput) -> AppResult<Detail> {
    actor.require_staff()?;
    if !rules::role_may(Action::Report, &actor.roles) {
        return Err(AppError::forbidden(
            "无权操作：只有联络员或代办员可以登记线下核验",
        ));
    }
    let requester = actor
        .org_id
        .ok_or_else(|| AppError::forbidden("登记线下核验须以本单位名义"))?;
    let now = app.now_ms();
    let mut p = Problems::default();
    let channel = Channel::parse(&input.channel).filter(|c| *c != Channel::System);
    if channel.is_none() {
        p.add(
            "channel",
            "线下渠道应为 fax（传真）、email（公务邮箱）或 office_system（协同办公系统）",
        );
    }
    if !input.no_secret_confirmed {
        p.add(
            "no_secret_confirmed",
            "须确认本次核验不涉及国家秘密和工作秘密：涉密事项不得通过传真、邮箱或协同办公系统办理（附件2第三条）",
        );
    }
    let subject = check_subject(&mut p, &input.subject);
    let case_ref = field_text(
        &mut p,
        "case_ref",
        "所服务的办件编号",
        &input.case_ref,
        MAX_REF,
    );
    let purpose = field_text(&mut p, "purpose", "核验用途", &input.purpose, MAX_PURPOSE);
    let offline_ref = field_text(
        &mut p,
        "offline_ref",
        "线下往来凭据",
        &input.offline_ref,
        200,
    );
    let outcome = Outcome::parse(&input.outcome);
    if outcome.is_none() {
        p.add(
            "outcome",
            "核验结果应为 confirmed（属实）或 not_matching（不符）",
        );
    }
    let records_say = input
        .records_say
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| field_text(&mut p, "records_say", "档案记载", s, MAX_TEXT));
    if outcome == Some(Outcome::NotMatching) && records_say.is_none() {
        p.add("records_say", "结果不符时须写明档案记载的情况");
    }
    let answered_at = match input
        .answered_at
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => Some(now),
        Some(s) => match DateTime::parse_from_rfc3339(s) {
            Ok(t) if t.timestamp_millis() <= now => Some(t.timestamp_millis()),
            Ok(_) => {
                p.add("answered_at", "反馈时间不能晚于现在");
                None
            }
            Err(_) => {
                p.add("answered_at", "反馈时间无效（应为 RFC 3339）");
                None
            }
        },
    };
    let asked = match published_verifiable(app, input.proof_item_id, input.issuer_org_id).await {
        Ok(a) => Some(a),
        Err(AppError::Validation(errs)) => {
            p.0.extend(errs);
            None
        }
        Err(e) => return Err(e),
    };
    if !p.0.is_empty() {
        return Err(AppError::Validation(p.0));
    }
    let (Some(asked), Some(subject), Some(channel), Some(outcome), Some(answered_at)) =
        (asked, subject, channel, outcome, answered_at)
    else {
        return Err(AppError::Internal("校验失败".into()));
    };
    let mut tx = app.db.begin().await?;
    let trow =
        template_row_in(&mut tx, input.proof_item_id, asked.issuer_org_id, requester).await?;
    let tpl = template_of(&asked, input.proof_item_id, requester, trow);
    let errs = rules::check_values(&tpl.request_fields, &input.facts);
    if !errs.is_empty() {
        return Err(AppError::Validation(
            errs.into_iter()
                .map(|(k, m)| crate::FieldError::new(format!("facts.{k}"), m))
                .collect(),
        ));
    }
    let subject = subject_in(&mut tx, actor, now, subject).await?;
    let (issuer_name,): (String,) = tx
        .fetch_one(q("SELECT name FROM orgs WHERE id = ?").bind(asked.issuer_org_id))
        .await?;
    let id = tx
        .scalar_i64(
            q("INSERT INTO verifications (channel, state, requester_org_id, issuer_org_id, proof_item_id, proof_item_name, \
               template_id, subject_kind, subject_id, subject_name, subject_code, facts, case_ref, purpose, \
               catalogue_class, deadline_class, deadline_period, sent_by, sent_by_name, sent_at, outcome, records_say, \
               answered_by_name, answered_at, no_secret_confirmed, offline_ref, updated_at) \
               VALUES (?, 'answered', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id")
            .bind(channel.as_str())
            .bind(requester)
            .bind(asked.issuer_org_id)
            .bind(input.proof_item_id)
            .bind(&asked.item_name)
            .bind(tpl.id)
            .bind(subject.kind.as_str())
            .bind(subject.id)
            .bind(&subject.name)
            .bind(&subject.code)
            .bind(Json::Object(input.facts.clone()).to_string())
            .bind(&case_ref)
            .bind(&purpose)
            .bind(asked.class.code())
            .bind(asked.class.code())
            .bind(asked.class.period_string())
            .bind(actor.staff_id())
            .bind(&actor.name)
            .bind(answered_at)
            .bind(outcome.as_str())
            .bind(records_say.clone())
            .bind(format!("{issuer_name}（经{}）", channel.label()))
            .bind(answered_at)
            .bind(true)
            .bind(&offline_ref)
            .bind(now),
        )
        .await?;
    event_in(
        &mut tx,
        id,
        now,
        "offline",
        actor,
        &format!(
            "事后登记经{}完成的核验（凭据：{offline_ref}）：{}；登记人确认不涉及国家秘密和工作秘密",
            channel.label(),
            outcome.label()
        ),
    )
    .await?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("verification.offline", "verification", id)
            .subject(format!("{}:{}", subject.kind.as_str(), subject.id))
            .purpose(&format!("{purpose}（案件 {case_ref}）"))
            .detail(
                json!({"channel": channel.as_str(), "offline_ref": offline_ref,
                "outcome": outcome.as_str(), "no_secret_confirmed": true}),
            ),
    )
    .await?;
    tx.commit().await?;
    get_unaudited(app, id).await
}

// ---------------------------------------------------------------------------------------
// Inbox, outbox, joint-office board

/// One line of a list: the subject's name masked (reading the detail is what is audited).
#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct ListRow {
    pub id: i64,
    pub channel: String,
    pub state: String,
    pub requester_org_id: i64,
    pub requester_name: String,
    pub issuer_org_id: i64,
    pub issuer_name: String,
    pub proof_item_name: String,
    pub subject_name: String,
    pub case_ref: String,
    pub deadline_class: String,
    pub deadline_period: String,
    pub sent_at: i64,
    pub due_at: Option<i64>,
    pub ordered_at: Option<i64>,
    pub reported_at: Option<i64>,
    pub summon_at: Option<i64>,
    pub outcome: Option<String>,
    #[sqlx(skip)]
    pub number: String,
    #[sqlx(skip)]
    pub state_label: String,
    #[sqlx(skip)]
    pub overdue: bool,
    #[sqlx(skip)]
    pub countdown_class: String,
    #[sqlx(skip)]
    pub countdown_text: String,
}

const LIST_SELECT: &str = "SELECT v.id, v.channel, v.state, v.requester_org_id, ro.name AS requester_name, \
    v.issuer_org_id, io.name AS issuer_name, v.proof_item_name, v.subject_name, v.case_ref, v.deadline_class, \
    v.deadline_period, v.sent_at, v.due_at, v.ordered_at, v.reported_at, v.summon_at, v.outcome \
    FROM verifications v JOIN orgs ro ON ro.id = v.requester_org_id JOIN orgs io ON io.id = v.issuer_org_id";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Box_ {
    Inbox,
    Outbox,
}

#[derive(Debug, Clone, Deserialize, utoipa::IntoParams, Default)]
pub struct ListFilter {
    /// `registered`, `answered` or `returned`.
    pub state: Option<String>,
    /// Only registered requests past their due instant.
    pub overdue: Option<bool>,
    /// Only registered requests due before the end of today (Beijing time).
    pub due_today: Option<bool>,
    pub limit: Option<i64>,
    /// Continue after this id (newest-first lists) — pagination without counting.
    pub before_id: Option<i64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ListPage {
    pub items: Vec<ListRow>,
    pub has_more: bool,
}

fn finish_rows(app: &App, rows: &mut [ListRow]) {
    let now = app.now_ms();
    for r in rows.iter_mut() {
        r.number = number(r.id);
        r.subject_name = mask_name(&r.subject_name);
        let st = State::parse(&r.state).unwrap_or(State::Registered);
        r.overdue = st == State::Registered && r.due_at.is_some_and(|d| now >= d);
        r.state_label = if r.overdue {
            "逾期未反馈".to_owned()
        } else {
            st.label().to_owned()
        };
        if st == State::Registered
            && let Some(due) = r.due_at
        {
            r.countdown_class =
                rules::countdown_class(r.ordered_at.unwrap_or(r.sent_at), due, now).to_owned();
            r.countdown_text = rules::countdown_text(due, now);
        }
    }
}

fn end_of_today(now_ms: i64) -> i64 {
    use chrono::TimeZone;
    let local = Utc
        .timestamp_millis_opt(now_ms)
        .single()
        .unwrap_or_default()
        .with_timezone(&crate::beijing());
    local
        .date_naive()
        .succ_opt()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .and_then(|t| crate::beijing().from_local_datetime(&t).single())
        .map(|t| t.timestamp_millis())
        .unwrap_or(now_ms)
}

/// The unit's inbox (requests to answer) or outbox (requests sent), with filters.
/// A and B both see the whole inbox (A2 §6): it is the unit's, not a person's.
pub async fn list(app: &App, actor: &Actor, which: Box_, f: &ListFilter) -> AppResult<ListPage> {
    actor.require_staff()?;
    let org = actor
        .org_id
        .ok_or_else(|| AppError::forbidden("收件箱、发件箱按单位查看"))?;
    let limit = f.limit.unwrap_or(50).clamp(1, 200);
    let now = app.now_ms();
    let col = match which {
        Box_::Inbox => "v.issuer_org_id",
        Box_::Outbox => "v.requester_org_id",
    };
    let mut sql = format!("{LIST_SELECT} WHERE {col} = ?");
    let mut args: Vec<Value> = vec![org.into()];
    let state = match f.state.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => Some(State::parse(s).ok_or_else(|| {
            AppError::field("state", "状态应为 registered、answered 或 returned")
        })?),
        None => None,
    };
    let running = f.overdue == Some(true) || f.due_today == Some(true);
    if running {
        sql.push_str(" AND v.state = 'registered'");
        if f.overdue == Some(true) {
            sql.push_str(" AND v.due_at <= ?");
            args.push(now.into());
        }
        if f.due_today == Some(true) {
            sql.push_str(" AND v.due_at < ?");
            args.push(end_of_today(now).into());
            if f.overdue != Some(true) {
                sql.push_str(" AND v.due_at > ?");
                args.push(now.into());
            }
        }
        sql.push_str(" ORDER BY v.due_at, v.id LIMIT ?");
    } else {
        if let Some(s) = state {
            sql.push_str(" AND v.state = ?");
            args.push(s.as_str().into());
        }
        if let Some(b) = f.before_id {
            sql.push_str(" AND v.id < ?");
            args.push(b.into());
        }
        sql.push_str(" ORDER BY v.id DESC LIMIT ?");
    }
    args.push((limit + 1).into());
    let mut query = q(sql);
    query.args = args;
    let mut rows: Vec<ListRow> = app.db.reader().fetch_all(query).await?;
    let has_more = rows.len() as i64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(50));
    finish_rows(app, &mut rows);
    Ok(ListPage {
        items: rows,
        has_more,
    })
}

/// The joint office's board: every overdue request in the county, most late first, and
/// the reported ones (A2 §11).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Board {
    pub overdue: Vec<ListRow>,
    pub reported: Vec<ListRow>,
}

pub async fn board(app: &App, actor: &Actor) -> AppResult<Board> {
    actor.require_any(&[Role::JointOffice, Role::SystemAdmin, Role::Accountability])?;
    let now = app.now_ms();
    let mut overdue: Vec<ListRow> = app
        .db
        .reader()
        .fetch_all(
            q(format!(
                "{LIST_SELECT} WHERE v.state = 'registered' AND v.due_at <= ? ORDER BY v.due_at LIMIT 200"
            ))
            .bind(now),
        )
        .await?;
    let mut reported: Vec<ListRow> = app
        .db
        .reader()
        .fetch_all(q(format!(
            "{LIST_SELECT} WHERE v.reported_at IS NOT NULL ORDER BY v.reported_at DESC LIMIT 200"
        )))
        .await?;
    finish_rows(app, &mut overdue);
    finish_rows(app, &mut reported);
    Ok(Board { overdue, reported })
}

// ---------------------------------------------------------------------------------------
// Demo data (issue #5 §13): verifications in every state, through the services.

/// Loads demo verifications: 县市场监管局 asks 县公安局. One registered, one answered
/// (confirmed, sealed), one not matching with a supplementary request, one returned with an
/// on-site check, one overdue, one overdue reported and ordered, one offline, one
/// applicant-provided. Time is moved by sending "in the past" through the clock the
/// services read, never by writing rows directly.
pub async fn load_demo(app: &App) -> AppResult<()> {
    crate::verification_demo::load(app).await
}

/// A proof item of the current published lists that can be verified, for the send form.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Verifiable {
    pub id: i64,
    pub name: String,
    pub issuer_ids: Vec<i64>,
    pub issuers: Vec<String>,
    pub class_label: String,
}

/// Every verifiable item of the current published lists, by name.
pub async fn verifiable_items(app: &App) -> AppResult<Vec<Verifiable>> {
    let mut out = vec![];
    for v in crate::catalogue::public::current_versions(app).await? {
        for s in crate::catalogue::lists::snapshots(&app.db, v.id).await? {
            let Some(m) = s.methods.iter().find(|m| m.method == "verification") else {
                continue;
            };
            let class = m
                .deadline_period
                .as_deref()
                .and_then(|p| rules::class_of_period(p).ok())
                .map(|c| c.label())
                .unwrap_or_default();
            out.push(Verifiable {
                id: s.id,
                name: s.name.clone(),
                issuer_ids: s.issuer_ids.clone(),
                issuers: s.issuers.clone(),
                class_label: class,
            });
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out.dedup_by_key(|x| x.id);
    Ok(out)
}
