//! The raw inputs of the data-sharing workflow, each parsed once into a typed command
//! (every field error at once, in Chinese, naming the field).

use chrono::NaiveDate;
use proofless_domain::codes::{ELicenceId, ResidentId};
use proofless_domain::sharing::{self as rules, EProofKind, SharingSource};
use proofless_domain::verification::{self as fields, FieldSpec};
use serde::Deserialize;
use serde_json::{Map, Value as Json};

use super::records::Grant;
use crate::error::{AppResult, Problems};

const MAX_PURPOSE: usize = 200;
const MAX_REASON: usize = 500;
const MAX_GRANTS: usize = 100;

/// A free text: trimmed, present, not too long, no control characters.
pub(super) fn text(p: &mut Problems, field: &str, label: &str, raw: &str, max: usize) -> String {
    let s = raw.trim();
    if s.is_empty() {
        p.add(field, format!("{label}不能为空"));
    } else if s.chars().count() > max {
        p.add(field, format!("{label}不能超过{max}个字"));
    } else if s.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        p.add(field, format!("{label}含有不可见的控制字符"));
    }
    s.to_owned()
}

fn date(p: &mut Problems, field: &str, label: &str, raw: &str) -> Option<NaiveDate> {
    match NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            p.add(field, format!("{label}应为日期（YYYY-MM-DD）"));
            None
        }
    }
}

/// A list entry as the issuing unit writes it (SPEC R3.1).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EntryInput {
    pub proof_item_id: i64,
    pub source: SharingSource,
    pub kind: EProofKind,
    #[schema(value_type = Vec<Object>)]
    pub fields: Vec<FieldSpec>,
    pub grants: Vec<Grant>,
    #[serde(default)]
    pub note: String,
}

impl EntryInput {
    pub fn parse(&self) -> AppResult<()> {
        let mut p = Problems::default();
        if let Err(e) = fields::check_fields(&self.fields) {
            p.add("fields", format!("数据模板：{e}"));
        }
        if self.grants.is_empty() {
            p.add("grants", "至少需要一个授权使用单位");
        }
        if self.grants.len() > MAX_GRANTS {
            p.add("grants", format!("授权不能超过{MAX_GRANTS}条"));
        }
        let mut seen = std::collections::BTreeSet::new();
        for (i, g) in self.grants.iter().enumerate() {
            if g.service_code.trim().is_empty() {
                p.add(&format!("grants[{i}].service_code"), "事项编码不能为空");
            }
            if !seen.insert((g.org_id, g.service_code.trim())) {
                p.add(&format!("grants[{i}]"), "授权重复");
            }
        }
        if self.note.chars().count() > MAX_REASON {
            p.add("note", format!("说明不能超过{MAX_REASON}个字"));
        }
        p.into_result()
    }
}

/// The joint office's review of a submitted version.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = SharingReviewInput)]
pub struct ReviewInput {
    pub approve: bool,
    #[serde(default)]
    pub note: String,
}

/// An e-licence or e-proof to issue (R3.2).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IssueInput {
    pub proof_item_id: i64,
    /// The holder's opaque public id.
    pub holder_id: String,
    #[schema(value_type = Object)]
    pub data: Map<String, Json>,
    /// YYYY-MM-DD.
    pub valid_from: String,
    /// YYYY-MM-DD; none: valid until revoked.
    pub valid_to: Option<String>,
    /// GB/T 36904 identifier from the issuer's own system; none: the system assigns one.
    pub identifier: Option<String>,
}

/// Issue command after the input checks (the template check needs the list entry).
#[derive(Debug, Clone)]
pub struct IssueCommand {
    pub proof_item_id: i64,
    pub data: Map<String, Json>,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub identifier: Option<ELicenceId>,
}

/// Checks dates and the identifier's check character; `at` prefixes field names (batch rows).
pub(super) fn issue_command(
    p: &mut Problems,
    at: &str,
    proof_item_id: i64,
    data: &Map<String, Json>,
    valid_from: &str,
    valid_to: Option<&str>,
    identifier: Option<&str>,
) -> Option<IssueCommand> {
    let from = date(p, &format!("{at}valid_from"), "有效期起", valid_from);
    let to = valid_to
        .filter(|s| !s.trim().is_empty())
        .map(|s| date(p, &format!("{at}valid_to"), "有效期止", s));
    let to = match to {
        Some(None) => return None,
        Some(Some(t)) => Some(t),
        None => None,
    };
    if let (Some(f), Some(t)) = (from, to)
        && t < f
    {
        p.add(&format!("{at}valid_to"), "有效期止不能早于有效期起");
    }
    let id = match identifier.map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => match ELicenceId::parse(s) {
            Ok(id) => Some(id),
            Err(e) => {
                p.add(&format!("{at}identifier"), e.to_string());
                return None;
            }
        },
    };
    Some(IssueCommand {
        proof_item_id,
        data: data.clone(),
        valid_from: from?,
        valid_to: to,
        identifier: id,
    })
}

impl IssueInput {
    pub fn parse(&self) -> AppResult<IssueCommand> {
        let mut p = Problems::default();
        let cmd = issue_command(
            &mut p,
            "",
            self.proof_item_id,
            &self.data,
            &self.valid_from,
            self.valid_to.as_deref(),
            self.identifier.as_deref(),
        );
        p.into_result()?;
        cmd.ok_or_else(|| crate::error::AppError::field("input", "校验失败"))
    }
}

/// Revocation, with its reason.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevokeInput {
    pub reason: String,
}

/// Replacement: the new content and the reason; the old document becomes `replaced`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplaceInput {
    #[schema(value_type = Object)]
    pub data: Map<String, Json>,
    pub valid_from: String,
    pub valid_to: Option<String>,
    pub reason: String,
}

pub(super) fn reason(raw: &str) -> AppResult<String> {
    let mut p = Problems::default();
    let r = text(&mut p, "reason", "原因", raw, MAX_REASON);
    p.into_result()?;
    Ok(r)
}

/// A pull by an entitled unit (issue #18 §3).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PullInput {
    /// The applicant's opaque public id.
    pub subject_id: String,
    /// The name on the applicant's ID card as the counter read it (checked against the
    /// registered name: identity mismatch).
    pub subject_name: Option<String>,
    pub proof_item_id: i64,
    pub case_id: i64,
    pub service_code: String,
    pub purpose: String,
    /// The 8-digit one-time code the applicant generated on the portal.
    pub consent_code: Option<String>,
}

#[derive(Debug, Clone)]
pub struct PullCommand {
    pub subject_id: String,
    pub subject_name: Option<String>,
    pub proof_item_id: i64,
    pub case_id: i64,
    pub service_code: String,
    pub purpose: String,
    pub consent_code: Option<String>,
}

impl PullInput {
    pub fn parse(&self) -> AppResult<PullCommand> {
        let mut p = Problems::default();
        if self.subject_id.trim().is_empty() {
            p.add("subject_id", "申请人不能为空");
        }
        if self.case_id <= 0 {
            p.add("case_id", "办件编号无效");
        }
        let service_code = text(&mut p, "service_code", "事项编码", &self.service_code, 100);
        let purpose = text(&mut p, "purpose", "用途", &self.purpose, MAX_PURPOSE);
        let consent_code = self
            .consent_code
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        if let Some(c) = consent_code
            && !rules::consent_code_ok(c)
        {
            p.add("consent_code", "授权码应为8位数字");
        }
        let subject_name = self
            .subject_name
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| text(&mut p, "subject_name", "申请人姓名", s, 50));
        p.into_result()?;
        Ok(PullCommand {
            subject_id: self.subject_id.trim().to_owned(),
            subject_name,
            proof_item_id: self.proof_item_id,
            case_id: self.case_id,
            service_code,
            purpose,
            consent_code: consent_code.map(str::to_owned),
        })
    }
}

/// The applicant generates a one-time code for one unit and one item.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CodeInput {
    pub org_id: i64,
    pub proof_item_id: i64,
}

/// The applicant's answer to a pull waiting for consent.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ConsentDecisionInput)]
pub struct DecisionInput {
    pub allow: bool,
}

/// A request for an e-proof for use outside the city (A4 §4(4)).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OutsideInput {
    pub proof_item_id: i64,
    /// Where it will be used (e.g. 北京市某区人力资源和社会保障局).
    pub destination: String,
    pub purpose: String,
}

impl OutsideInput {
    pub fn parse(&self) -> AppResult<(String, String)> {
        let mut p = Problems::default();
        let d = text(&mut p, "destination", "使用地", &self.destination, 200);
        let u = text(&mut p, "purpose", "用途", &self.purpose, MAX_PURPOSE);
        p.into_result()?;
        Ok((d, u))
    }
}

/// The issuer's issuance of an outside-city request.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OutsideIssueInput {
    #[schema(value_type = Object)]
    pub data: Map<String, Json>,
    pub valid_from: String,
    pub valid_to: Option<String>,
}

/// One row of a signed batch (or an import): the holder by resident ID, as an issuer's own
/// system knows them.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchItem {
    pub identifier: String,
    pub proof_item_id: i64,
    pub holder_resident_id: String,
    pub holder_name: String,
    #[schema(value_type = Object)]
    pub data: Map<String, Json>,
    pub valid_from: String,
    pub valid_to: Option<String>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchInput {
    pub items: Vec<BatchItem>,
}

/// A batch row checked on its own (the template check follows with the list entry).
#[derive(Debug, Clone)]
pub struct BatchRow {
    pub cmd: IssueCommand,
    pub identifier: ELicenceId,
    pub rid: ResidentId,
    pub name: String,
}

impl BatchInput {
    /// Every row checked; duplicates and the size limit refused for the whole batch.
    pub fn parse(&self) -> AppResult<Vec<BatchRow>> {
        let mut p = Problems::default();
        if self.items.is_empty() {
            p.add("items", "批次中没有证照");
        }
        if self.items.len() > rules::MAX_BATCH {
            return Err(crate::error::AppError::field(
                "items",
                format!(
                    "一个批次最多{}条，本批次{}条",
                    rules::MAX_BATCH,
                    self.items.len()
                ),
            ));
        }
        let mut seen = std::collections::BTreeMap::new();
        let mut out = vec![];
        for (i, it) in self.items.iter().enumerate() {
            let at = format!("items[{i}].");
            let rid = match ResidentId::parse(&it.holder_resident_id) {
                Ok(r) => Some(r),
                Err(e) => {
                    p.add(&format!("{at}holder_resident_id"), e.to_string());
                    None
                }
            };
            let name = text(
                &mut p,
                &format!("{at}holder_name"),
                "持证人姓名",
                &it.holder_name,
                50,
            );
            if it.identifier.trim().is_empty() {
                p.add(&format!("{at}identifier"), "批量签发须带证照标识");
            }
            let cmd = issue_command(
                &mut p,
                &at,
                it.proof_item_id,
                &it.data,
                &it.valid_from,
                it.valid_to.as_deref(),
                Some(&it.identifier),
            );
            if let Some(Some(id)) = cmd.as_ref().map(|c| c.identifier.clone()) {
                if let Some(first) = seen.insert(id.as_str().to_owned(), i) {
                    p.add(
                        &format!("{at}identifier"),
                        format!("证照标识 {id} 与第{}条重复", first + 1),
                    );
                }
                if let (Some(cmd), Some(rid)) = (cmd, rid) {
                    out.push(BatchRow {
                        cmd,
                        identifier: id,
                        rid,
                        name,
                    });
                }
            }
        }
        p.into_result()?;
        Ok(out)
    }
}

/// The applicant's consent for every data-sharing proof of one of their cases.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = sharing_CaseConsentInput)]
pub struct CaseConsentInput {
    pub case_id: i64,
}
