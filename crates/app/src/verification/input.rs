//! The raw inputs of verification as they arrive (A2 §3–§11), each parsed once into a
//! typed command; every field error at once, in Chinese, naming the field.

use chrono::{DateTime, Utc};
use proofless_domain::catalogue::VerificationDeadlineClass;
use proofless_domain::codes::{CreditCode, ResidentId};
use proofless_domain::verification::{
    self as rules, Channel, LedgerKind, Outcome, State, SubjectCode, SubjectKind,
};
use serde::Deserialize;
use serde_json::{Map, Value as Json};

use crate::error::{AppError, AppResult, FieldError, Problems};

const MAX_REF: usize = 100;
const MAX_PURPOSE: usize = 200;
const MAX_TEXT: usize = 1000;

/// A free text field: trimmed, present, not too long, no control characters.
pub(super) fn field_text(
    p: &mut Problems,
    field: &str,
    label: &str,
    raw: &str,
    max: usize,
) -> String {
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

/// An optional text: absent or blank is none; otherwise checked as [`field_text`].
fn optional_text(p: &mut Problems, field: &str, label: &str, raw: Option<&str>) -> Option<String> {
    raw.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| field_text(p, field, label, s, MAX_TEXT))
}

/// The command when no field failed.
pub(super) fn done<T>(p: Problems, value: Option<T>) -> Result<T, Problems> {
    match value {
        Some(v) if p.0.is_empty() => Ok(v),
        _ if !p.0.is_empty() => Err(p),
        _ => Err(Problems(vec![FieldError::new("input", "校验失败")])),
    }
}

/// A parsed command and a check against stored data (the catalogue) reported together,
/// field errors first from the input, then from the check; any other error at once.
pub(super) fn joined<A, B>(
    parsed: Result<A, Problems>,
    checked: AppResult<B>,
) -> AppResult<(A, B)> {
    let (a, mut p) = match parsed {
        Ok(a) => (Some(a), Problems::default()),
        Err(p) => (None, p),
    };
    let b = p.collect(checked)?;
    p.into_result()?;
    match (a, b) {
        (Some(a), Some(b)) => Ok((a, b)),
        _ => Err(AppError::Internal("校验失败".into())),
    }
}

pub(super) fn invalid(p: Problems) -> AppError {
    AppError::Validation(p.0)
}

fn outcome_of(p: &mut Problems, raw: &str) -> Option<Outcome> {
    let outcome = Outcome::parse(raw);
    if outcome.is_none() {
        p.add(
            "outcome",
            "核验结果应为 confirmed（属实）或 not_matching（不符）",
        );
    }
    outcome
}

/// What the records say: required when the answer is not matching (A2 §8).
fn records_say_of(p: &mut Problems, outcome: Option<Outcome>, raw: Option<&str>) -> Option<String> {
    let records_say = optional_text(p, "records_say", "档案记载", raw);
    if records_say.is_none() && outcome == Some(Outcome::NotMatching) {
        p.add("records_say", "结果不符时须写明档案记载的情况");
    }
    records_say
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

/// A subject as asked: its checked code and the name the requester gave.
#[derive(Debug, Clone)]
pub struct SubjectCommand {
    pub code: SubjectCode,
    pub name: String,
}

impl SubjectCommand {
    pub fn kind(&self) -> SubjectKind {
        self.code.kind()
    }
}

impl SubjectInput {
    pub(super) fn parse_into(&self, p: &mut Problems) -> Option<SubjectCommand> {
        let kind = SubjectKind::parse(&self.kind);
        if kind.is_none() {
            p.add(
                "subject.kind",
                "核验对象类型应为 person（自然人）或 entity（法人和其他组织）",
            );
        }
        let name = field_text(p, "subject.name", "核验对象名称", &self.name, 100);
        let code = match kind {
            Some(SubjectKind::Person) => match ResidentId::parse(self.code.trim()) {
                Ok(r) => Some(SubjectCode::Person(r)),
                Err(e) => {
                    p.add("subject.code", format!("公民身份号码无效：{e}"));
                    None
                }
            },
            Some(SubjectKind::Entity) => match CreditCode::parse(self.code.trim()) {
                Ok(c) => Some(SubjectCode::Entity(c)),
                Err(e) => {
                    p.add("subject.code", format!("统一社会信用代码无效：{e}"));
                    None
                }
            },
            None => None,
        };
        Some(SubjectCommand { code: code?, name })
    }
}

// ---------------------------------------------------------------------------------------
// Sending (A2 §5)

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

/// A request to send, checked field by field (the template and the catalogue are checked
/// against stored data by the use case).
#[derive(Debug, Clone)]
pub struct SendCommand {
    pub proof_item_id: i64,
    pub issuer_org_id: Option<i64>,
    pub subject: SubjectCommand,
    pub facts: Map<String, Json>,
    pub case_ref: String,
    pub case_id: Option<i64>,
    pub purpose: String,
}

impl SendInput {
    pub fn parse(&self) -> Result<SendCommand, Problems> {
        let mut p = Problems::default();
        let subject = self.subject.parse_into(&mut p);
        let case_ref = field_text(
            &mut p,
            "case_ref",
            "所服务的办件编号",
            &self.case_ref,
            MAX_REF,
        );
        let purpose = field_text(&mut p, "purpose", "核验用途", &self.purpose, MAX_PURPOSE);
        if self.facts.len() > rules::MAX_FIELDS {
            p.add("facts", format!("填报事实不能超过{}项", rules::MAX_FIELDS));
        }
        let cmd = subject.map(|subject| SendCommand {
            proof_item_id: self.proof_item_id,
            issuer_org_id: self.issuer_org_id,
            subject,
            facts: self.facts.clone(),
            case_ref,
            case_id: self.case_id,
            purpose,
        });
        done(p, cmd)
    }
}

// ---------------------------------------------------------------------------------------
// The issuer's side (A2 §7)

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct ReclassifyInput {
    /// `electronic`, `paper_archive`, `incomplete_archive` or `statutory`.
    pub deadline_class: String,
    /// For `statutory`: the legal limit (`20wd`, `30cd`).
    pub statutory_limit: Option<String>,
    pub reason: String,
}

#[derive(Debug, Clone)]
pub struct ReclassifyCommand {
    pub class: VerificationDeadlineClass,
    pub reason: String,
}

impl ReclassifyInput {
    pub fn parse(&self) -> Result<ReclassifyCommand, Problems> {
        let mut p = Problems::default();
        let class =
            VerificationDeadlineClass::parse(&self.deadline_class, self.statutory_limit.as_deref())
                .map_err(|e| p.add("deadline_class", e))
                .ok();
        let reason = field_text(&mut p, "reason", "改判理由", &self.reason, 500);
        done(p, class.map(|class| ReclassifyCommand { class, reason }))
    }
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

#[derive(Debug, Clone)]
pub struct AnswerCommand {
    pub outcome: Outcome,
    pub answer: Map<String, Json>,
    pub records_say: Option<String>,
}

impl AnswerInput {
    pub fn parse(&self) -> Result<AnswerCommand, Problems> {
        let mut p = Problems::default();
        let outcome = outcome_of(&mut p, &self.outcome);
        let records_say = records_say_of(&mut p, outcome, self.records_say.as_deref());
        if self.answer.len() > rules::MAX_FIELDS {
            p.add("answer", format!("反馈内容不能超过{}项", rules::MAX_FIELDS));
        }
        let cmd = outcome.map(|outcome| AnswerCommand {
            outcome,
            answer: self.answer.clone(),
            records_say,
        });
        done(p, cmd)
    }
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct ReturnInput {
    pub reason: String,
}

impl ReturnInput {
    /// The reason for returning.
    pub fn parse(&self) -> Result<String, Problems> {
        let mut p = Problems::default();
        let reason = field_text(&mut p, "reason", "退回理由", &self.reason, 500);
        done(p, Some(reason))
    }
}

// ---------------------------------------------------------------------------------------
// Overdue (A2 §11)

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct OrderInput {
    /// The new time limit, RFC 3339 (e.g. `2026-03-13T12:00:00+08:00`); must be in the future.
    pub finish_by: String,
    pub text: String,
}

#[derive(Debug, Clone)]
pub struct OrderCommand {
    pub finish_by: DateTime<Utc>,
    pub text: String,
}

impl OrderInput {
    /// Checked against `now`: the new limit lies ahead.
    pub fn parse(&self, now: DateTime<Utc>) -> Result<OrderCommand, Problems> {
        let mut p = Problems::default();
        let by = match DateTime::parse_from_rfc3339(self.finish_by.trim()) {
            Ok(t) if t.with_timezone(&Utc) > now => Some(t.with_timezone(&Utc)),
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
        let text = field_text(&mut p, "text", "责成意见", &self.text, 500);
        done(p, by.map(|finish_by| OrderCommand { finish_by, text }))
    }
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct SummonInput {
    /// Who should be summoned and the harm done.
    pub text: String,
}

impl SummonInput {
    /// The reason for the summons.
    pub fn parse(&self) -> Result<String, Problems> {
        let mut p = Problems::default();
        let text = field_text(&mut p, "text", "提请约谈事由", &self.text, MAX_TEXT);
        done(p, Some(text))
    }
}

/// The grace before automatic reporting, in minutes: at most a week (A2 §11).
pub(super) fn grace_minutes(minutes: i64) -> AppResult<i64> {
    if (0..=7 * 24 * 60).contains(&minutes) {
        Ok(minutes)
    } else {
        Err(AppError::field(
            "minutes",
            "宽限时间应在0至10080分钟（7天）之间",
        ))
    }
}

// ---------------------------------------------------------------------------------------
// Ledger (A2 §8, §9) and offline channels (A2 §3)

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

#[derive(Debug, Clone)]
pub struct LedgerCommand {
    pub kind: LedgerKind,
    pub what: String,
    pub why: String,
    pub about: LedgerAbout,
}

/// What a ledger entry is about: one verification, or the applicant's own information
/// given without one (A2 §9).
#[derive(Debug, Clone)]
pub enum LedgerAbout {
    Verification(i64),
    Applicant {
        proof_item_id: Option<i64>,
        subject: Option<SubjectCommand>,
        case_ref: Option<String>,
    },
}

impl LedgerInput {
    pub fn parse(&self) -> Result<LedgerCommand, Problems> {
        let mut p = Problems::default();
        let kind = LedgerKind::parse(&self.kind);
        if kind.is_none() {
            p.add(
                "kind",
                "台账类型应为 supplementary_request、onsite_check 或 applicant_provided",
            );
        }
        let what = field_text(&mut p, "what", "内容", &self.what, MAX_TEXT);
        let why = field_text(&mut p, "why", "事由", &self.why, MAX_TEXT);
        let about = match (self.verification_id, &self.subject) {
            (Some(id), _) => LedgerAbout::Verification(id),
            (None, s) => LedgerAbout::Applicant {
                proof_item_id: self.proof_item_id,
                subject: s.as_ref().and_then(|s| s.parse_into(&mut p)),
                case_ref: self.case_ref.clone(),
            },
        };
        done(
            p,
            kind.map(|kind| LedgerCommand {
                kind,
                what,
                why,
                about,
            }),
        )
    }
}

/// The case an applicant's own information serves (A2 §9): checked when the entry is not
/// tied to a verification.
pub(super) fn ledger_case_ref(raw: Option<&str>) -> AppResult<String> {
    let mut p = Problems::default();
    let case_ref = field_text(
        &mut p,
        "case_ref",
        "所服务的办件编号",
        raw.unwrap_or(""),
        MAX_REF,
    );
    p.into_result()?;
    Ok(case_ref)
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

#[derive(Debug, Clone)]
pub struct OfflineCommand {
    pub channel: Channel,
    pub proof_item_id: i64,
    pub issuer_org_id: Option<i64>,
    pub subject: SubjectCommand,
    pub facts: Map<String, Json>,
    pub case_ref: String,
    pub purpose: String,
    pub outcome: Outcome,
    pub records_say: Option<String>,
    pub offline_ref: String,
    pub answered_at: DateTime<Utc>,
}

impl OfflineInput {
    /// Checked against `now`: an answer recorded after the fact came before it.
    pub fn parse(&self, now: DateTime<Utc>) -> Result<OfflineCommand, Problems> {
        let mut p = Problems::default();
        let channel = Channel::parse(&self.channel).filter(|c| c.needs_no_secret_confirmation());
        if channel.is_none() {
            p.add(
                "channel",
                "线下渠道应为 fax（传真）、email（公务邮箱）或 office_system（协同办公系统）",
            );
        }
        if !self.no_secret_confirmed {
            p.add(
                "no_secret_confirmed",
                "须确认本次核验不涉及国家秘密和工作秘密：涉密事项不得通过传真、邮箱或协同办公系统办理（附件2第三条）",
            );
        }
        let subject = self.subject.parse_into(&mut p);
        let case_ref = field_text(
            &mut p,
            "case_ref",
            "所服务的办件编号",
            &self.case_ref,
            MAX_REF,
        );
        let purpose = field_text(&mut p, "purpose", "核验用途", &self.purpose, MAX_PURPOSE);
        let offline_ref = field_text(
            &mut p,
            "offline_ref",
            "线下往来凭据",
            &self.offline_ref,
            200,
        );
        let outcome = outcome_of(&mut p, &self.outcome);
        let records_say = records_say_of(&mut p, outcome, self.records_say.as_deref());
        let answered_at = answered_at(&mut p, self.answered_at.as_deref(), now);
        let cmd = match (channel, subject, outcome, answered_at) {
            (Some(channel), Some(subject), Some(outcome), Some(answered_at)) => {
                Some(OfflineCommand {
                    channel,
                    proof_item_id: self.proof_item_id,
                    issuer_org_id: self.issuer_org_id,
                    subject,
                    facts: self.facts.clone(),
                    case_ref,
                    purpose,
                    outcome,
                    records_say,
                    offline_ref,
                    answered_at,
                })
            }
            _ => None,
        };
        done(p, cmd)
    }
}

fn answered_at(p: &mut Problems, raw: Option<&str>, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Some(now),
        Some(s) => match DateTime::parse_from_rfc3339(s) {
            Ok(t) if t.with_timezone(&Utc) <= now => Some(t.with_timezone(&Utc)),
            Ok(_) => {
                p.add("answered_at", "反馈时间不能晚于现在");
                None
            }
            Err(_) => {
                p.add("answered_at", "反馈时间无效（应为 RFC 3339）");
                None
            }
        },
    }
}

// ---------------------------------------------------------------------------------------
// Inbox and outbox

#[derive(Debug, Clone, Deserialize, utoipa::IntoParams, Default)]
#[into_params(parameter_in = Query)]
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

/// A list asked for: which lines and how many.
#[derive(Debug, Clone, Copy)]
pub struct ListQuery {
    pub state: Option<State>,
    pub overdue: bool,
    pub due_today: bool,
    pub limit: i64,
    pub before_id: Option<i64>,
}

impl ListFilter {
    pub fn parse(&self) -> AppResult<ListQuery> {
        let state = match self
            .state
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(s) => Some(State::parse(s).ok_or_else(|| {
                AppError::field("state", "状态应为 registered、answered 或 returned")
            })?),
            None => None,
        };
        Ok(ListQuery {
            state,
            overdue: self.overdue == Some(true),
            due_today: self.due_today == Some(true),
            limit: self.limit.unwrap_or(50).clamp(1, 200),
            before_id: self.before_id,
        })
    }
}
