//! The raw inputs of cases as they arrive, parsed once; errors in Chinese naming the field.

use proofless_domain::case::{ApplicantKind, CaseOutcome, ResolutionMethod};
use proofless_domain::codes::{CreditCode, ResidentId};
use serde::Deserialize;

use crate::error::{AppError, AppResult, Problems};

/// Longest service item code the catalogue accepts (its codes are 12–33 characters).
const MAX_CODE_CHARS: usize = 33;
/// Longest free text (a reason, a note of the evidence).
pub const MAX_TEXT_CHARS: usize = 500;

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct NewCase {
    /// 事项编码 of a service item in the catalogue.
    pub service_item_code: String,
    /// `person` or `entity`.
    pub applicant_kind: String,
    /// A person: the opaque public id, or the resident ID number read at the counter; an
    /// entity: its unified social credit code. Internal ids are never accepted.
    pub applicant: String,
    /// Counter: the person's name, to register a resident ID not yet known (checked
    /// against the registered name when it is).
    #[serde(default)]
    pub applicant_name: Option<String>,
    pub immediate: bool,
    /// The legal time limit of the service (`20wd`, `30cd`); keeps running while the
    /// assessment clock waits.
    pub statutory_limit: Option<String>,
}

/// How the applicant was named.
#[derive(Debug, Clone)]
pub enum ApplicantRef {
    PublicId(String),
    ResidentId(ResidentId),
    CreditCode(CreditCode),
}

/// The fields of a new case that parsed; the service item and the applicant are then
/// looked up for those that did, so one answer names every bad field.
#[derive(Debug, Clone)]
pub struct NewCaseFields<'a> {
    pub service_item_code: Option<&'a str>,
    pub applicant_kind: Option<ApplicantKind>,
    pub applicant: Option<ApplicantRef>,
    pub applicant_name: Option<String>,
}

fn is_public_id(s: &str) -> bool {
    s.len() == 32
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

impl NewCase {
    pub fn parse_into(&self, p: &mut Problems) -> NewCaseFields<'_> {
        let code = self.service_item_code.trim();
        let service_item_code = if code.is_empty() {
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
            Some(code)
        };
        let applicant_kind = ApplicantKind::parse(&self.applicant_kind);
        if applicant_kind.is_none() {
            p.add(
                "applicant_kind",
                "申请人类型须为 person（自然人）或 entity（法人）",
            );
        }
        let raw = self.applicant.trim();
        let applicant = match applicant_kind {
            _ if raw.is_empty() => {
                p.add("applicant", "请填写申请人（身份证号码或统一社会信用代码）");
                None
            }
            _ if raw.chars().count() > 40 => {
                p.add("applicant", "申请人标识过长");
                None
            }
            Some(ApplicantKind::Person) if is_public_id(raw) => {
                Some(ApplicantRef::PublicId(raw.to_owned()))
            }
            Some(ApplicantKind::Person) => match ResidentId::parse(raw) {
                Ok(r) => Some(ApplicantRef::ResidentId(r)),
                Err(e) => {
                    p.add("applicant", format!("身份证号码有误：{e}"));
                    None
                }
            },
            Some(ApplicantKind::Entity) => match CreditCode::parse(raw) {
                Ok(c) => Some(ApplicantRef::CreditCode(c)),
                Err(e) => {
                    p.add("applicant", format!("统一社会信用代码有误：{e}"));
                    None
                }
            },
            None => None,
        };
        let applicant_name = self
            .applicant_name
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned);
        if applicant_name
            .as_ref()
            .is_some_and(|n| n.chars().count() > 50)
        {
            p.add("applicant_name", "申请人姓名不能超过50个字");
        }
        NewCaseFields {
            service_item_code,
            applicant_kind,
            applicant,
            applicant_name,
        }
    }
}

fn text(p: &mut Problems, field: &str, raw: &str, what: &str, required: bool) -> String {
    let t = raw.trim();
    if required && t.is_empty() {
        p.add(field, format!("请填写{what}"));
    } else if t.chars().count() > MAX_TEXT_CHARS {
        p.add(field, format!("{what}不能超过{MAX_TEXT_CHARS}个字"));
    }
    t.to_owned()
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    /// `approved` 准予, `refused` 不予, `withdrawn_by_applicant` 申请人撤回 or
    /// `terminated` 终止办理.
    pub outcome: String,
    /// Required for a refusal (the reason) and a termination (the ground).
    #[serde(default)]
    pub reason: String,
}

impl Decision {
    pub fn parse(&self) -> AppResult<(CaseOutcome, String)> {
        let mut p = Problems::default();
        let outcome = CaseOutcome::parse(&self.outcome);
        if outcome.is_none() {
            p.add(
                "outcome",
                "办理结果须为 approved（准予）、refused（不予）、withdrawn_by_applicant（申请人撤回）或 terminated（终止办理）",
            );
        }
        let needs = outcome.is_some_and(CaseOutcome::needs_reason);
        let reason = text(
            &mut p,
            "reason",
            &self.reason,
            "不予许可的理由或终止办理的依据",
            needs,
        );
        p.into_result()?;
        let outcome = outcome.ok_or_else(|| AppError::Internal("校验失败".into()))?;
        Ok((outcome, reason))
    }
}

/// A resolution the clerk records on the case page: the applicant's own copy (A2 §9),
/// a proxy task (R5.10), or acceptance with the deficiency (R5.10).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct ResolveInput {
    /// `applicant_provided`, `proxy`, `deficiency_acceptance` or `data_sharing`.
    pub method: String,
    /// What was seen or what is missing (申请人提供的材料、代办说明、所缺材料).
    #[serde(default)]
    pub note: String,
}

impl ResolveInput {
    pub fn parse(&self) -> AppResult<(ResolutionMethod, String)> {
        let mut p = Problems::default();
        let method = ResolutionMethod::parse(self.method.trim());
        match method {
            None => p.add(
                "method",
                "办理方式须为 applicant_provided（申请人自行提供）、proxy（干部代办）、deficiency_acceptance（容缺受理）或 data_sharing（数据共享）",
            ),
            Some(m) if !m.recorded_by_clerk() && m != ResolutionMethod::DataSharing => p.add(
                "method",
                format!("“{}”须通过其办理流程完成，不能在此直接登记", m.label()),
            ),
            _ => {}
        }
        let note = text(&mut p, "note", &self.note, "说明", false);
        p.into_result()?;
        let method = method.ok_or_else(|| AppError::Internal("校验失败".into()))?;
        Ok((method, note))
    }
}

/// The clerk records that the applicant was asked for a proof the list does not give for
/// this service: a violation record follows (A5 §4(1)); nothing is added to the case.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct DemandReport {
    /// The name of the proof asked for.
    pub proof_name: String,
    /// Who asked and how (optional).
    #[serde(default)]
    pub note: String,
}

impl DemandReport {
    pub fn parse(&self) -> AppResult<(String, String)> {
        let mut p = Problems::default();
        let name = self.proof_name.trim();
        if name.is_empty() {
            p.add("proof_name", "请填写被索要的证明名称");
        } else if name.chars().count() > 100 {
            p.add("proof_name", "证明名称不能超过100个字");
        }
        let note = text(&mut p, "note", &self.note, "说明", false);
        p.into_result()?;
        Ok((name.to_owned(), note))
    }
}

/// The proxy agent obtained the proof, or the applicant supplied what was missing.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct CompleteInput {
    /// What was obtained: the scanned document's reference, the issuer, who handed it over.
    pub note: String,
    /// The scan of the proof obtained (PDF, PNG or JPEG, base64, at most 512 KB): required
    /// when a proxy agent records a proxy task, optional for a supplement.
    #[serde(default)]
    pub scan: Option<String>,
}

/// Filters of a unit's case list.
#[derive(Debug, Clone, Deserialize, utoipa::IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct CaseQuery {
    /// `open`, `decided` or `withdrawn`.
    pub state: Option<proofless_domain::case::CaseState>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}
