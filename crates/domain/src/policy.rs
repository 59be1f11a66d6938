//! Trial-period settings (SPEC "Trial rules"; A2 §14, A3 §13, A4 §14, A5 §12: the annexes are
//! on trial for one year): every time limit, ground and threshold the rules name is a
//! **versioned setting with an effective date**, not a constant. A setting is declared once,
//! where its rule lives, as a typed [`Setting`]; its stored versions are picked here.
//!
//! A case uses the version in force when it started: [`in_force`] takes the local date of that
//! instant, and a later version never reaches back.

use chrono::NaiveDate;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::role::Role;

/// One setting: its key, what it means, who may change it, the seed's value and its check.
/// `T` is the value's type; it is stored as JSON.
pub struct Setting<T: 'static> {
    /// Stable key, e.g. `credit.objection_days`.
    pub key: &'static str,
    /// What it is, in Chinese, for the page and the audit log.
    pub label: &'static str,
    /// The article that sets the seed's value, e.g. `A2 §11`.
    pub basis: &'static str,
    /// The unit of the value shown beside the field, e.g. `天`, `分钟`, or `` for lists.
    pub unit: &'static str,
    /// The roles of the responsible office that may add versions (the system administrator may
    /// always).
    pub owners: &'static [Role],
    /// The seed's value, in force until a stored version says otherwise.
    pub default: fn() -> T,
    /// Refuses a value that makes no sense (negative days, an empty list…) with a Chinese reason.
    pub check: fn(&T) -> Result<(), String>,
}

impl<T: Serialize + DeserializeOwned + 'static> Setting<T> {
    /// The value of a stored JSON text, checked.
    pub fn decode(&self, json: &str) -> Result<T, String> {
        let v: T = serde_json::from_str(json)
            .map_err(|e| format!("设置“{}”的值格式不对：{e}", self.label))?;
        (self.check)(&v)?;
        Ok(v)
    }

    /// The default as JSON.
    pub fn default_json(&self) -> serde_json::Value {
        serde_json::to_value((self.default)()).unwrap_or(serde_json::Value::Null)
    }
}

/// A setting whatever its value type: what the settings page and API list.
pub trait AnySetting: Sync {
    fn key(&self) -> &'static str;
    fn label(&self) -> &'static str;
    fn basis(&self) -> &'static str;
    fn unit(&self) -> &'static str;
    fn owners(&self) -> &'static [Role];
    fn default_json(&self) -> serde_json::Value;
    /// Checks a proposed value given as JSON; the normalised JSON text to store.
    fn check_json(&self, value: &serde_json::Value) -> Result<String, String>;
}

impl<T: Serialize + DeserializeOwned + Sync + 'static> AnySetting for Setting<T> {
    fn key(&self) -> &'static str {
        self.key
    }
    fn label(&self) -> &'static str {
        self.label
    }
    fn basis(&self) -> &'static str {
        self.basis
    }
    fn unit(&self) -> &'static str {
        self.unit
    }
    fn owners(&self) -> &'static [Role] {
        self.owners
    }
    fn default_json(&self) -> serde_json::Value {
        Setting::default_json(self)
    }
    fn check_json(&self, value: &serde_json::Value) -> Result<String, String> {
        let v: T = serde_json::from_value(value.clone())
            .map_err(|e| format!("“{}”的值格式不对：{e}", self.label))?;
        (self.check)(&v)?;
        serde_json::to_string(&v).map_err(|e| e.to_string())
    }
}

/// A stored version of a setting: the value as JSON text, from its effective date on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    pub version: i64,
    pub effective_from: NaiveDate,
    pub value: String,
}

/// The version in force on `day`: the latest effective date not after it, the highest version
/// among equal dates. `None` means the seed's value (no stored version yet in force).
pub fn in_force(versions: &[Version], day: NaiveDate) -> Option<&Version> {
    versions
        .iter()
        .filter(|v| v.effective_from <= day)
        .max_by_key(|v| (v.effective_from, v.version))
}

/// A new version may not take effect before `today`: the past stays as it was decided (a case
/// already started keeps its rules).
pub fn check_effective_from(effective_from: NaiveDate, today: NaiveDate) -> Result<(), String> {
    if effective_from < today {
        return Err(format!(
            "生效日期 {effective_from} 早于今天 {today}：已经发生的办理按当时的规定，不能追溯"
        ));
    }
    Ok(())
}

/// Check helpers for the common value shapes.
pub mod checks {
    /// A whole number within `[min, max]`.
    pub fn within(v: i64, min: i64, max: i64, what: &str) -> Result<(), String> {
        if v < min || v > max {
            return Err(format!("{what}应在 {min} 到 {max} 之间，收到 {v}"));
        }
        Ok(())
    }

    /// A list of non-blank, distinct entries, at least one.
    pub fn non_empty_distinct(items: &[String], what: &str) -> Result<(), String> {
        if items.is_empty() {
            return Err(format!("{what}至少要有一项"));
        }
        let mut seen = std::collections::HashSet::new();
        for s in items {
            if s.trim().is_empty() {
                return Err(format!("{what}不能有空项"));
            }
            if !seen.insert(s.trim()) {
                return Err(format!("{what}中“{s}”重复"));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn v(version: i64, from: &str, value: &str) -> Version {
        Version {
            version,
            effective_from: d(from),
            value: value.into(),
        }
    }

    static DAYS: Setting<i64> = Setting {
        key: "test.days",
        label: "测试天数",
        basis: "SPEC Trial rules",
        unit: "天",
        owners: &[Role::CreditOffice],
        default: || 7,
        check: |v| checks::within(*v, 1, 60, "天数"),
    };

    // SPEC "Trial rules": a case uses the version in force when it started.
    #[test]
    fn the_version_in_force_is_the_latest_effective_by_that_day() {
        let vs = [v(1, "2026-01-01", "7"), v(2, "2027-01-01", "10")];
        assert_eq!(in_force(&vs, d("2025-12-31")), None);
        assert_eq!(in_force(&vs, d("2026-06-01")).map(|v| v.version), Some(1));
        assert_eq!(in_force(&vs, d("2027-01-01")).map(|v| v.version), Some(2));
        let same_day = [v(1, "2026-01-01", "7"), v(2, "2026-01-01", "9")];
        assert_eq!(
            in_force(&same_day, d("2026-01-01")).map(|v| v.version),
            Some(2)
        );
    }

    #[test]
    fn values_are_checked_when_read_and_when_proposed() {
        assert_eq!(DAYS.decode("10"), Ok(10));
        assert!(DAYS.decode("0").unwrap_err().contains("天数"));
        assert!(DAYS.decode("\"x\"").is_err());
        let any: &dyn AnySetting = &DAYS;
        assert_eq!(any.check_json(&serde_json::json!(12)), Ok("12".into()));
        assert!(any.check_json(&serde_json::json!(-1)).is_err());
        assert_eq!(any.default_json(), serde_json::json!(7));
    }

    #[test]
    fn a_version_cannot_reach_back() {
        assert!(check_effective_from(d("2026-12-04"), d("2026-12-05")).is_err());
        assert!(check_effective_from(d("2026-12-05"), d("2026-12-05")).is_ok());
    }

    #[test]
    fn lists_need_distinct_non_blank_entries() {
        let ok = vec!["法律".to_string(), "行政法规".to_string()];
        assert!(checks::non_empty_distinct(&ok, "依据种类").is_ok());
        assert!(checks::non_empty_distinct(&[], "依据种类").is_err());
        let dup = vec!["法律".to_string(), "法律".to_string()];
        assert!(
            checks::non_empty_distinct(&dup, "依据种类")
                .unwrap_err()
                .contains("重复")
        );
    }
}
