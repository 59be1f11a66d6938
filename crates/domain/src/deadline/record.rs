//! The deadline record: everything the due instant is recomputed from (DESIGN "Deadlines").

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::period::Period;
use super::rule::DeadlineRule;

/// A stop of the clock (e.g. a case waiting for a verification, A2 §7).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Suspension {
    pub reason: String,
    pub start: DateTime<Utc>,
    /// `None` while still suspended: the due instant is then unknown.
    pub end: Option<DateTime<Utc>>,
}

/// A granted extension: who extended, who approved and why.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Extension {
    pub period: Period,
    pub extended_by: String,
    pub approved_by: String,
    pub reason: String,
    pub at: DateTime<Utc>,
}

/// Errors of changing a record (Chinese messages).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeadlineError {
    #[error("规则 {0} 不允许延长期限")]
    NotExtendable(String),
    #[error("记录的期限 {record} 与规则 {key} 的期限 {rule} 不一致")]
    RuleMismatch {
        key: String,
        record: Period,
        rule: Period,
    },
    #[error("延长期限 {requested} 与上限 {max} 的单位不一致")]
    ExtensionUnit { requested: Period, max: Period },
    #[error("延长期限合计不得超过{}：已延长{}，本次申请{}，超出上限", .max.describe(), describe_measure(.max, *.used), .requested.describe())]
    ExtensionCap {
        max: Period,
        used: u64,
        requested: Period,
    },
    #[error("延长记录须写明{0}")]
    MissingField(&'static str),
    #[error("期限已中止，须先恢复再中止")]
    AlreadySuspended,
    #[error("期限未中止，无法恢复")]
    NotSuspended,
    #[error("中止须写明原因")]
    MissingReason,
    #[error("中止时间早于期限起算时间")]
    SuspendBeforeStart,
    #[error("恢复时间早于中止时间")]
    ResumeBeforeSuspend,
}

fn describe_measure(unit_of: &Period, amount: u64) -> String {
    if unit_of.unit().is_office_time() {
        format!("{amount}分钟")
    } else {
        format!("{amount}{}", unit_of.unit().label())
    }
}

/// A deadline as recorded: the due instant is always recomputed from it with
/// [`super::compute`], never stored or edited by hand.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DeadlineRecord {
    /// The event that started the period (receipt, acceptance…).
    pub start: DateTime<Utc>,
    pub period: Period,
    pub suspensions: Vec<Suspension>,
    pub extensions: Vec<Extension>,
}

impl DeadlineRecord {
    pub fn new(start: DateTime<Utc>, period: Period) -> Self {
        DeadlineRecord {
            start,
            period,
            suspensions: Vec::new(),
            extensions: Vec::new(),
        }
    }

    /// A record for `rule`'s period.
    pub fn from_rule(rule: &DeadlineRule, start: DateTime<Utc>) -> Self {
        DeadlineRecord::new(start, rule.period)
    }

    /// Whether a suspension is still open.
    pub fn is_suspended(&self) -> bool {
        self.suspensions.iter().any(|s| s.end.is_none())
    }

    /// Stops the clock at `at`.
    pub fn suspend(&mut self, reason: &str, at: DateTime<Utc>) -> Result<(), DeadlineError> {
        if self.is_suspended() {
            return Err(DeadlineError::AlreadySuspended);
        }
        if reason.trim().is_empty() {
            return Err(DeadlineError::MissingReason);
        }
        if at < self.start {
            return Err(DeadlineError::SuspendBeforeStart);
        }
        self.suspensions.push(Suspension {
            reason: reason.trim().to_string(),
            start: at,
            end: None,
        });
        Ok(())
    }

    /// Restarts the clock at `at`.
    pub fn resume(&mut self, at: DateTime<Utc>) -> Result<(), DeadlineError> {
        let open = self
            .suspensions
            .iter_mut()
            .find(|s| s.end.is_none())
            .ok_or(DeadlineError::NotSuspended)?;
        if at < open.start {
            return Err(DeadlineError::ResumeBeforeSuspend);
        }
        open.end = Some(at);
        Ok(())
    }

    /// Total of the extensions granted so far, in the cap's measure (minutes for office time).
    fn extended_measure(&self) -> u64 {
        self.extensions.iter().map(|e| e.period.measure()).sum()
    }

    /// Grants an extension under `rule`: the rule must allow extensions, the extension must be
    /// in the cap's measure, and all extensions together must stay within the cap (complaints:
    /// at most 5 working days in all, A4 §10). Who extended, who approved and why are required.
    pub fn extend(
        &mut self,
        rule: &DeadlineRule,
        extension: Extension,
    ) -> Result<(), DeadlineError> {
        if rule.period != self.period {
            return Err(DeadlineError::RuleMismatch {
                key: rule.key.clone(),
                record: self.period,
                rule: rule.period,
            });
        }
        let max = rule
            .max_extension
            .ok_or_else(|| DeadlineError::NotExtendable(rule.key.clone()))?;
        for (value, what) in [
            (&extension.extended_by, "延长人"),
            (&extension.approved_by, "审批人"),
            (&extension.reason, "延长理由"),
        ] {
            if value.trim().is_empty() {
                return Err(DeadlineError::MissingField(what));
            }
        }
        if !extension.period.unit().same_measure(max.unit()) {
            return Err(DeadlineError::ExtensionUnit {
                requested: extension.period,
                max,
            });
        }
        let used = self.extended_measure();
        if used + extension.period.measure() > max.measure() {
            return Err(DeadlineError::ExtensionCap {
                max,
                used,
                requested: extension.period,
            });
        }
        self.extensions.push(extension);
        Ok(())
    }

    /// The period plus every extension, when they all share its measure.
    pub fn total_period(&self) -> Option<Period> {
        self.extensions
            .iter()
            .try_fold(self.period, |p, e| p.checked_add(e.period))
    }
}
