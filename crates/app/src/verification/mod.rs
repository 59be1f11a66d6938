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
use proofless_store::{Query, Tx, Value, q};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value as Json, json};

use crate::App;
use crate::actor::Actor;
use crate::audit::{self, Entry};
use crate::deadlines;
use crate::error::{AppError, AppResult, Problems};
use crate::notifications::{self, Recipient};
use crate::seals::{self, ToSeal};

mod escalation;
mod ledger;
mod list;
mod reply;
mod send;
mod templates;

pub use escalation::*;
pub use ledger::*;
pub use list::*;
pub use reply::*;
pub use send::*;
pub use templates::*;

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

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct Verification {
    pub id: i64,
    pub channel: String,
    pub state: String,
    pub requester_org_id: i64,
    pub requester_name: String,
    pub issuer_org_id: i64,
    pub issuer_name: String,
    /// The issuer's unified social credit code, named in its sealed reply letters.
    #[serde(default)]
    pub issuer_credit_code: Option<String>,
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
    v.issuer_org_id, io.name AS issuer_name, io.credit_code AS issuer_credit_code, v.proof_item_id, v.proof_item_name, v.template_id, v.subject_kind, \
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

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
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
    tx.execute(
        q("INSERT INTO verification_events (verification_id, at, kind, actor_name, org_name, text) VALUES (?, ?, ?, ?, ?, ?)")
            .bind(id)
            .bind(at)
            .bind(kind)
            .bind(&actor.name)
            .bind(actor.org_name.clone().unwrap_or_default())
            .bind(text),
    )
    .await?;
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
    if state.is_some_and(|(s,)| s != proofless_domain::deadline::DeadlineState::Done.as_str()) {
        deadlines::complete_in(tx, app, actor, did).await?;
    }
    Ok(())
}
