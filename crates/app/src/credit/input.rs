//! The raw inputs of credit as they arrive, each parsed once into a typed command; errors in
//! Chinese, naming the field.

use proofless_domain::credit::{BlacklistDecision, ProposalState, RecordKind};
use serde::Deserialize;

use crate::error::{AppError, AppResult, Problems};

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RecordFilter {
    /// `commitment_kept`, `commitment_false`, `blacklisted`, `repaired`.
    pub kind: Option<String>,
    /// Records with an id below this (paging backwards).
    pub before_id: Option<i64>,
    pub limit: Option<i64>,
}

impl RecordFilter {
    /// The kind (if any) and the page size, 1–500 (default 100).
    pub fn parse(&self) -> AppResult<(Option<RecordKind>, i64)> {
        let kind = match self.kind.as_deref().filter(|k| !k.is_empty()) {
            None => None,
            Some(k) => Some(
                RecordKind::ALL
                    .iter()
                    .copied()
                    .find(|r| r.as_str() == k)
                    .ok_or_else(|| AppError::field("kind", format!("记录类型“{k}”无效")))?,
            ),
        };
        Ok((kind, self.limit.unwrap_or(100).clamp(1, 500)))
    }
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProposalFilter {
    pub state: Option<String>,
    pub subject_ref: Option<String>,
}

impl ProposalFilter {
    pub fn parse_state(&self) -> AppResult<Option<ProposalState>> {
        match self.state.as_deref().filter(|s| !s.is_empty()) {
            None => Ok(None),
            Some(s) => ProposalState::ALL
                .iter()
                .copied()
                .find(|p| p.as_str() == s)
                .map(Some)
                .ok_or_else(|| AppError::field("state", format!("状态“{s}”无效"))),
        }
    }
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ObjectionInput {
    pub objection: String,
}

impl ObjectionInput {
    /// The objection, trimmed.
    pub fn parse(&self) -> AppResult<String> {
        let text = self.objection.trim();
        let mut p = Problems::default();
        if text.chars().count() < 2 {
            p.add("objection", "请写明异议的事实和理由");
        } else if text.chars().count() > 5000 {
            p.add("objection", "异议不能超过5000字");
        }
        p.into_result()?;
        Ok(text.to_owned())
    }
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionInput {
    /// `list` (列入黑名单) or `dismiss` (不予列入).
    pub decision: String,
    #[serde(default)]
    pub reasons: String,
}

/// A decision on a blacklist proposal, checked.
#[derive(Debug, Clone)]
pub struct DecisionCommand {
    pub decision: BlacklistDecision,
    /// As written: whether it is blank matters to the rule on objections.
    pub reasons: String,
}

impl DecisionInput {
    pub fn parse(&self) -> AppResult<DecisionCommand> {
        let decision = BlacklistDecision::parse(&self.decision).ok_or_else(|| {
            AppError::field(
                "decision",
                format!(
                    "决定应为 list（列入）或 dismiss（不予列入），收到“{}”",
                    self.decision.trim()
                ),
            )
        })?;
        if self.reasons.chars().count() > 5000 {
            return Err(AppError::field("reasons", "理由不能超过5000字"));
        }
        Ok(DecisionCommand {
            decision,
            reasons: self.reasons.clone(),
        })
    }
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RepairRequest {
    /// The blacklist entry to be taken off. Without it, the repair is of the serious bad
    /// records of `subject_ref` (or, on the portal, of the applicant) that is not listed.
    #[serde(default)]
    pub entry_id: Option<i64>,
    /// `person:<public id>` or `entity:ID`; only without `entry_id`.
    #[serde(default)]
    pub subject_ref: Option<String>,
    /// What was done to correct the breach (整改情况).
    pub rectification: String,
}

/// What a repair is asked for.
#[derive(Debug, Clone)]
pub enum RepairTarget {
    /// Taking this blacklist entry off.
    Entry(i64),
    /// This subject's serious records (or its entry, if it is listed).
    Subject(String),
    /// The portal user's own record.
    Own,
}

/// A repair request, checked.
#[derive(Debug, Clone)]
pub struct RepairCommand {
    pub target: RepairTarget,
    /// Trimmed.
    pub rectification: String,
}

impl RepairRequest {
    pub fn parse(&self) -> AppResult<RepairCommand> {
        let text = self.rectification.trim();
        if text.chars().count() < 2 {
            return Err(AppError::field(
                "rectification",
                "请写明整改（纠正失信行为）情况",
            ));
        }
        if text.chars().count() > 5000 {
            return Err(AppError::field("rectification", "整改情况不能超过5000字"));
        }
        let target = match (self.entry_id, self.subject_ref.as_deref().map(str::trim)) {
            (Some(e), _) => RepairTarget::Entry(e),
            (None, Some(r)) if !r.is_empty() => {
                if super::split_ref(r).is_err() {
                    return Err(AppError::field(
                        "subject_ref",
                        "信用主体应写作 person:编号 或 entity:编号",
                    ));
                }
                RepairTarget::Subject(r.to_owned())
            }
            (None, _) => RepairTarget::Own,
        };
        Ok(RepairCommand {
            target,
            rectification: text.to_owned(),
        })
    }
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RepairDecision {
    pub approve: bool,
    /// Whether the rectification was verified as complete.
    pub rectified: bool,
    #[serde(default)]
    pub reasons: String,
}

impl RepairDecision {
    /// The reasons, trimmed.
    pub fn parse(&self) -> AppResult<String> {
        if self.reasons.chars().count() > 5000 {
            return Err(AppError::field("reasons", "理由不能超过5000字"));
        }
        if !self.approve && self.reasons.trim().is_empty() {
            return Err(AppError::field("reasons", "不予修复须写明理由"));
        }
        Ok(self.reasons.trim().to_owned())
    }
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PushInput {
    /// The platform's receiving endpoint (http:// or https://).
    pub url: String,
}

impl PushInput {
    pub fn parse(&self) -> AppResult<reqwest::Url> {
        let url = self.url.trim();
        let parsed = reqwest::Url::parse(url)
            .map_err(|_| AppError::field("url", format!("接收地址“{url}”不是有效的网址")))?;
        if parsed.scheme() != "http" && parsed.scheme() != "https" {
            return Err(AppError::field(
                "url",
                "接收地址须以 http:// 或 https:// 开头",
            ));
        }
        Ok(parsed)
    }
}
