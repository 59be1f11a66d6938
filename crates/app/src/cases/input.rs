//! The raw inputs of cases as they arrive, parsed once; errors in Chinese naming the field.

use proofless_domain::case::{ApplicantKind, CaseOutcome};
use serde::Deserialize;

use crate::error::{AppError, AppResult, Problems};

/// Longest service item code the catalogue accepts (its codes are 12–33 characters).
const MAX_CODE_CHARS: usize = 33;

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

/// The fields of a new case that parsed; the service item and the applicant are then
/// looked up for those that did, so one answer names every bad field.
#[derive(Debug, Clone)]
pub struct NewCaseFields<'a> {
    pub service_item_code: Option<&'a str>,
    pub applicant_kind: Option<ApplicantKind>,
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
        NewCaseFields {
            service_item_code,
            applicant_kind,
        }
    }
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    /// `approved` 准予 or `refused` 不予.
    pub outcome: String,
}

impl Decision {
    pub fn parse(&self) -> AppResult<CaseOutcome> {
        CaseOutcome::parse(&self.outcome).ok_or_else(|| {
            AppError::field("outcome", "办理结果须为 approved（准予）或 refused（不予）")
        })
    }
}
