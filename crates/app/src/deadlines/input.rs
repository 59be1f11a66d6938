//! The raw inputs of the deadline API, each parsed once into a typed command (every field
//! error at once, in Chinese, naming the field).

use chrono::{DateTime, NaiveDate, Utc};
use proofless_domain::deadline::{Period, PeriodUnit, RuleKey, SubjectType};
use serde::Deserialize;

use crate::error::{AppError, AppResult, Problems};

/// Longest subject id accepted.
pub const MAX_REF_CHARS: usize = 100;
/// Longest reason accepted (suspension, extension).
pub const MAX_REASON_CHARS: usize = 500;

/// What starts a deadline.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct OpenInput {
    /// e.g. `verification`, `complaint`, `adjustment`.
    pub subject_type: String,
    pub subject_id: String,
    /// The unit responsible.
    pub org_id: i64,
    /// A rule key, e.g. `verification.electronic`, `complaint.handling`.
    pub rule_key: String,
    /// RFC 3339; default now.
    pub start: Option<String>,
    /// Legal time limit of the proof item, in working or calendar days (`20wd`, `30cd`).
    pub statutory_limit: Option<String>,
}

/// A deadline to open (from [`OpenInput::parse`] or another workflow).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDeadline {
    pub subject_type: SubjectType,
    pub subject_id: String,
    /// The unit responsible.
    pub org_id: i64,
    pub rule_key: RuleKey,
    /// When the period starts.
    pub start: DateTime<Utc>,
    /// Legal time limit of the proof item, in working or calendar days.
    pub statutory_limit: Option<Period>,
}

fn non_empty(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

/// The problem with a statutory limit that is not counted in days.
fn statutory_problem(p: Period) -> Option<&'static str> {
    (!matches!(p.unit(), PeriodUnit::WorkingDays | PeriodUnit::CalendarDays))
        .then_some("法定时限须以工作日（wd）或自然日（cd）计")
}

/// A statutory limit as typed by a user (`20wd`, `30cd`; empty: none), with the field's
/// error. For workflows whose own input carries one.
pub fn parse_statutory_limit(s: Option<&str>) -> AppResult<Option<Period>> {
    let mut p = Problems::default();
    let limit = statutory_into(&mut p, s);
    p.into_result()?;
    Ok(limit)
}

fn statutory_into(p: &mut Problems, s: Option<&str>) -> Option<Period> {
    match non_empty(s).map(Period::parse)? {
        Ok(per) => match statutory_problem(per) {
            None => Some(per),
            Some(msg) => {
                p.add("statutory_limit", msg);
                None
            }
        },
        Err(e) => {
            p.add("statutory_limit", e.to_string());
            None
        }
    }
}

fn subject_id_into(p: &mut Problems, value: &str) {
    let v = value.trim();
    if v.is_empty() {
        p.add("subject_id", "事项编号不能为空");
    } else if v.chars().count() > MAX_REF_CHARS {
        p.add(
            "subject_id",
            format!("事项编号不能超过{MAX_REF_CHARS}个字符"),
        );
    }
}

impl OpenInput {
    /// The typed command; a missing start is `now`.
    pub fn parse(&self, now: DateTime<Utc>) -> AppResult<NewDeadline> {
        let mut p = Problems::default();
        let t = self.subject_type.trim();
        let subject_type = if t.is_empty() {
            p.add("subject_type", "事项类型不能为空");
            None
        } else {
            let parsed = SubjectType::parse(t);
            if parsed.is_none() {
                let known: Vec<&str> = SubjectType::ALL.iter().map(|s| s.as_str()).collect();
                p.add(
                    "subject_type",
                    format!("事项类型“{t}”无效（应为 {}）", known.join("、")),
                );
            }
            parsed
        };
        subject_id_into(&mut p, &self.subject_id);
        let rule_key = RuleKey::parse(&self.rule_key);
        if rule_key.is_none() {
            p.add(
                "rule_key",
                format!("期限规则“{}”不存在", self.rule_key.trim()),
            );
        }
        let start = match non_empty(self.start.as_deref()) {
            Some(s) => match DateTime::parse_from_rfc3339(s) {
                Ok(t) => Some(t.with_timezone(&Utc)),
                Err(_) => {
                    p.add(
                        "start",
                        format!(
                            "起算时间“{s}”无效（应为 RFC 3339，例如 2026-03-12T09:30:00+08:00）"
                        ),
                    );
                    None
                }
            },
            None => Some(now),
        };
        let statutory_limit = statutory_into(&mut p, self.statutory_limit.as_deref());
        p.into_result()?;
        let (Some(subject_type), Some(rule_key), Some(start)) = (subject_type, rule_key, start)
        else {
            return Err(AppError::Internal("校验失败".into()));
        };
        Ok(NewDeadline {
            subject_type,
            subject_id: self.subject_id.trim().to_owned(),
            org_id: self.org_id,
            rule_key,
            start,
            statutory_limit,
        })
    }
}

impl NewDeadline {
    /// The checks of a command built in code: its reference and statutory limit.
    pub(super) fn check(&self) -> AppResult<()> {
        let mut p = Problems::default();
        subject_id_into(&mut p, &self.subject_id);
        if let Some(msg) = self.statutory_limit.and_then(statutory_problem) {
            p.add("statutory_limit", msg);
        }
        p.into_result()
    }
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct SuspendInput {
    pub reason: String,
}

/// A reason as typed: trimmed, required, at most [`MAX_REASON_CHARS`].
pub(super) fn check_reason(reason: &str, field: &str) -> AppResult<String> {
    let r = reason.trim();
    if r.is_empty() {
        return Err(AppError::field(field, "须写明原因"));
    }
    if r.chars().count() > MAX_REASON_CHARS {
        return Err(AppError::field(
            field,
            format!("原因不能超过{MAX_REASON_CHARS}字"),
        ));
    }
    Ok(r.to_owned())
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct ExtendInput {
    /// e.g. `2wd`; all extensions together stay within the rule's cap.
    pub period: String,
    /// Staff id of who approved the extension.
    pub approved_by: i64,
    pub reason: String,
}

/// An extension to grant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtendDeadline {
    pub period: Period,
    /// Staff id of who approved it.
    pub approved_by: i64,
    pub reason: String,
}

impl ExtendInput {
    pub fn parse(&self) -> AppResult<ExtendDeadline> {
        let mut p = Problems::default();
        let period = Period::parse(self.period.trim())
            .map_err(|e| p.add("period", e.to_string()))
            .ok();
        let reason = check_reason(&self.reason, "reason")
            .map_err(|_| p.add("reason", "须写明延长理由（不超过500字）"))
            .ok();
        p.into_result()?;
        let (Some(period), Some(reason)) = (period, reason) else {
            return Err(AppError::Internal("校验失败".into()));
        };
        Ok(ExtendDeadline {
            period,
            approved_by: self.approved_by,
            reason,
        })
    }
}

/// A new version of a rule (system administrator), e.g. when the trial annexes are replaced.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct RuleInput {
    pub rule_key: String,
    pub period: String,
    pub max_extension: Option<String>,
    /// YYYY-MM-DD: first local date the version is in force.
    pub effective_from: String,
    #[serde(default)]
    pub note: String,
}

/// A rule version to add.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRuleVersion {
    pub rule_key: RuleKey,
    pub period: Period,
    pub max_extension: Option<Period>,
    pub effective_from: NaiveDate,
    pub note: String,
}

impl RuleInput {
    pub fn parse(&self) -> AppResult<NewRuleVersion> {
        let mut p = Problems::default();
        let period = Period::parse(self.period.trim())
            .map_err(|e| p.add("period", e.to_string()))
            .ok();
        let max = match non_empty(self.max_extension.as_deref()) {
            Some(m) => Period::parse(m)
                .map_err(|e| p.add("max_extension", e.to_string()))
                .ok(),
            None => None,
        };
        let from = NaiveDate::parse_from_str(self.effective_from.trim(), "%Y-%m-%d")
            .map_err(|_| {
                p.add(
                    "effective_from",
                    format!("生效日期“{}”无效（应为 YYYY-MM-DD）", self.effective_from),
                )
            })
            .ok();
        if self.note.chars().count() > 500 {
            p.add("note", "说明不能超过500字");
        }
        let key = RuleKey::parse(&self.rule_key);
        p.into_result()?;
        let (Some(period), Some(from)) = (period, from) else {
            return Err(AppError::Internal("校验失败".into()));
        };
        let Some(rule_key) = key else {
            return Err(AppError::field(
                "rule_key",
                format!("规则 {} 不存在", self.rule_key),
            ));
        };
        Ok(NewRuleVersion {
            rule_key,
            period,
            max_extension: max,
            effective_from: from,
            note: self.note.trim().to_owned(),
        })
    }
}
