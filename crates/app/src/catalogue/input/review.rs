//! The justice bureau's verdict, and the joint office's and county government's decisions on
//! a list version.

use chrono::NaiveDate;
use proofless_domain::catalogue::{MAX_TEXT_CHARS, Verdict};
use proofless_domain::org::clean_name;
use serde::Deserialize;

use crate::catalogue::clean_text;
use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewInput {
    /// `pass` (审查通过) or `return` (退回修改).
    pub verdict: String,
    /// Remarks; required when returning (the reasons for rework).
    #[serde(default)]
    pub remarks: String,
}

/// A verdict with its remarks.
#[derive(Debug, Clone)]
pub struct ReviewDecision {
    pub verdict: Verdict,
    pub remarks: String,
}

impl ReviewInput {
    pub fn parse(&self) -> AppResult<ReviewDecision> {
        let remarks = clean_text(&self.remarks, MAX_TEXT_CHARS)
            .map_err(|e| AppError::field("remarks", format!("审查意见{e}")))?;
        let verdict = Verdict::parse(&self.verdict).ok_or_else(|| {
            AppError::field(
                "verdict",
                "审查结论应为 pass（审查通过）或 return（退回修改）",
            )
        })?;
        if verdict == Verdict::Return && remarks.is_empty() {
            return Err(AppError::field("remarks", "退回修改须写明理由"));
        }
        Ok(ReviewDecision { verdict, remarks })
    }
}

// List versions.

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct PrepareInput {
    /// The county (370322000000) or a town: the list to prepare.
    pub region_code: String,
    /// Only these items (all reviewed); default: every reviewed item of the region, and
    /// items under rework keep their last published form.
    pub item_ids: Option<Vec<i64>>,
    #[serde(default)]
    pub note: String,
}

/// Which list to prepare, from which items.
#[derive(Debug, Clone)]
pub struct Preparation {
    pub region_code: String,
    pub item_ids: Option<Vec<i64>>,
    pub note: String,
}

impl PrepareInput {
    pub fn parse(&self) -> AppResult<Preparation> {
        let note = clean_text(&self.note, MAX_TEXT_CHARS)
            .map_err(|e| AppError::field("note", format!("说明{e}")))?;
        if self
            .item_ids
            .as_ref()
            .is_some_and(|ids| ids.len() > 100_000)
        {
            return Err(AppError::field("item_ids", "条目过多"));
        }
        Ok(Preparation {
            region_code: self.region_code.trim().to_owned(),
            item_ids: self.item_ids.clone(),
            note,
        })
    }
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct ApproveInput {
    /// 核准文号, e.g. 高政字〔2021〕15号.
    pub approval_doc_no: String,
}

impl ApproveInput {
    /// The document number, cleaned.
    pub fn parse(&self) -> AppResult<String> {
        clean_name(&self.approval_doc_no, 60)
            .map_err(|e| AppError::field("approval_doc_no", format!("核准文号{e}")))
    }
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct PublishInput {
    /// 生效日期 YYYY-MM-DD.
    pub effective_date: String,
}

impl PublishInput {
    /// The effective date.
    pub fn parse(&self) -> AppResult<NaiveDate> {
        NaiveDate::parse_from_str(self.effective_date.trim(), "%Y-%m-%d")
            .map_err(|_| AppError::field("effective_date", "生效日期格式应为 YYYY-MM-DD"))
    }
}
