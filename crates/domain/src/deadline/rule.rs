//! Deadline rules as versioned settings with effective dates.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::period::Period;

/// Rule keys of [`RuleBook::defaults`].
pub mod keys {
    /// Data in a database or stored electronically: 30 minutes (A2 §7).
    pub const VERIFICATION_ELECTRONIC: &str = "verification.electronic";
    /// Paper archives must be read: 1 working day (A2 §7).
    pub const VERIFICATION_PAPER_ARCHIVE: &str = "verification.paper_archive";
    /// Archives incomplete for historical reasons: 2 working days (A2 §7).
    pub const VERIFICATION_INCOMPLETE_ARCHIVE: &str = "verification.incomplete_archive";
    /// Complaint accepted or rejected within 1 working day (SPEC default for "及时受理").
    pub const COMPLAINT_ACCEPTANCE: &str = "complaint.acceptance";
    /// Complaint finished within 5 working days, extension at most 5 in all (A4 §10).
    pub const COMPLAINT_HANDLING: &str = "complaint.handling";
    /// Adjustment applied for within 7 working days of the triggering event (A3 §9).
    pub const ADJUSTMENT_APPLICATION: &str = "adjustment.application";
    /// Assessment time of an immediate case (即办件): decided on the spot; our default is 2
    /// office hours. Verification time is not counted in it (A2 §7).
    pub const CASE_IMMEDIATE: &str = "case.immediate";
    /// Assessment time of a promised case (承诺件): 20 working days, the general licensing
    /// limit of 《行政许可法》第四十二条, unless the service item sets its own.
    pub const CASE_PROMISED: &str = "case.promised";
}

/// The date the seed's rules took effect (2021-03-12).
pub const SEED_EFFECTIVE_FROM: NaiveDate = match NaiveDate::from_ymd_opt(2021, 3, 12) {
    Some(d) => d,
    None => NaiveDate::MIN,
};

/// One version of a deadline rule.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DeadlineRule {
    /// e.g. `verification.electronic`.
    pub key: String,
    pub period: Period,
    /// Cap on all extensions together; `None`: no extension allowed.
    pub max_extension: Option<Period>,
    /// 1, 2, …; a later version takes effect on a later date.
    pub version: u32,
    /// First day (local date) the version is in force.
    pub effective_from: NaiveDate,
}

/// Errors of rule settings (Chinese messages).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    #[error("规则键不能为空")]
    EmptyKey,
    #[error("规则 {0} 的版本号须从1开始")]
    VersionZero(String),
    #[error("规则 {key} 的第{version}版已存在")]
    Duplicate { key: String, version: u32 },
    #[error("规则 {key} 的第{version}版与第{other}版都自 {date} 起生效，同一日期只能有一个版本")]
    SameDate {
        key: String,
        version: u32,
        other: u32,
        date: NaiveDate,
    },
    #[error(
        "规则 {key} 的第{version}版（{date}起生效）与第{other}版（{other_date}起生效）重叠：版本号越大，生效日期须越晚"
    )]
    OutOfOrder {
        key: String,
        version: u32,
        date: NaiveDate,
        other: u32,
        other_date: NaiveDate,
    },
    #[error("规则 {key} 的延长上限 {max} 与期限 {period} 的单位不一致")]
    ExtensionUnit {
        key: String,
        period: Period,
        max: Period,
    },
}

/// Every version of every rule; picks the version in force on a date.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<DeadlineRule>", into = "Vec<DeadlineRule>")]
pub struct RuleBook {
    /// Key → versions sorted by effective date (and so by version).
    rules: BTreeMap<String, Vec<DeadlineRule>>,
}

impl TryFrom<Vec<DeadlineRule>> for RuleBook {
    type Error = RuleError;
    fn try_from(rules: Vec<DeadlineRule>) -> Result<Self, Self::Error> {
        RuleBook::new(rules)
    }
}

impl From<RuleBook> for Vec<DeadlineRule> {
    fn from(book: RuleBook) -> Self {
        book.rules.into_values().flatten().collect()
    }
}

impl RuleBook {
    /// A book from rules, refusing duplicates and overlapping versions.
    pub fn new(rules: Vec<DeadlineRule>) -> Result<Self, RuleError> {
        let mut book = RuleBook::default();
        for r in rules {
            book.insert(r)?;
        }
        Ok(book)
    }

    /// Adds a version. Refused: an empty key, version 0, a version number already used, a
    /// second version on the same effective date, a version whose number and date disagree
    /// with another's order (v2 in force before v1), an extension cap in another unit.
    pub fn insert(&mut self, rule: DeadlineRule) -> Result<(), RuleError> {
        let key = rule.key.trim();
        if key.is_empty() {
            return Err(RuleError::EmptyKey);
        }
        if rule.version == 0 {
            return Err(RuleError::VersionZero(key.to_string()));
        }
        if let Some(max) = rule.max_extension
            && !max.unit().same_measure(rule.period.unit())
        {
            return Err(RuleError::ExtensionUnit {
                key: key.to_string(),
                period: rule.period,
                max,
            });
        }
        if let Some(versions) = self.rules.get(key) {
            for v in versions {
                if v.version == rule.version {
                    return Err(RuleError::Duplicate {
                        key: key.to_string(),
                        version: rule.version,
                    });
                }
                if v.effective_from == rule.effective_from {
                    return Err(RuleError::SameDate {
                        key: key.to_string(),
                        version: rule.version,
                        other: v.version,
                        date: rule.effective_from,
                    });
                }
                if (v.version < rule.version) != (v.effective_from < rule.effective_from) {
                    return Err(RuleError::OutOfOrder {
                        key: key.to_string(),
                        version: rule.version,
                        date: rule.effective_from,
                        other: v.version,
                        other_date: v.effective_from,
                    });
                }
            }
        }
        let rule = DeadlineRule {
            key: key.to_string(),
            ..rule
        };
        let versions = self.rules.entry(rule.key.clone()).or_default();
        versions.push(rule);
        versions.sort_by_key(|v| v.effective_from);
        Ok(())
    }

    /// The version of `key` in force on `on`: the latest whose `effective_from` is not after
    /// `on`. `None` before the first version or for an unknown key.
    pub fn in_force(&self, key: &str, on: NaiveDate) -> Option<&DeadlineRule> {
        self.rules
            .get(key)?
            .iter()
            .rev()
            .find(|v| v.effective_from <= on)
    }

    /// Every version of `key`, oldest first.
    pub fn versions(&self, key: &str) -> &[DeadlineRule] {
        self.rules.get(key).map_or(&[], Vec::as_slice)
    }

    /// Every key.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.rules.keys().map(String::as_str)
    }

    /// The seed's rules, version 1, in force from 2021-03-12.
    pub fn defaults() -> Self {
        let v1 = |key: &str, period: Period, max_extension: Option<Period>| DeadlineRule {
            key: key.to_string(),
            period,
            max_extension,
            version: 1,
            effective_from: SEED_EFFECTIVE_FROM,
        };
        let rules = [
            v1(keys::VERIFICATION_ELECTRONIC, Period::Minutes(30), None), // A2 §7
            v1(
                keys::VERIFICATION_PAPER_ARCHIVE,
                Period::WorkingDays(1),
                None,
            ), // A2 §7
            v1(
                keys::VERIFICATION_INCOMPLETE_ARCHIVE,
                Period::WorkingDays(2),
                None,
            ), // A2 §7
            v1(keys::COMPLAINT_ACCEPTANCE, Period::WorkingDays(1), None), // SPEC default
            v1(
                keys::COMPLAINT_HANDLING,
                Period::WorkingDays(5),
                Some(Period::WorkingDays(5)),
            ), // A4 §10
            v1(keys::ADJUSTMENT_APPLICATION, Period::WorkingDays(7), None), // A3 §9
            v1(keys::CASE_IMMEDIATE, Period::Hours(2), None),             // A2 §7 (our default)
            v1(keys::CASE_PROMISED, Period::WorkingDays(20), None),       // 行政许可法 §42
        ];
        RuleBook {
            rules: rules
                .into_iter()
                .map(|r| (r.key.clone(), vec![r]))
                .collect(),
        }
    }
}
