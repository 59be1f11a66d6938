//! What follows a deficiency not supplied in time (容缺受理, R5.10; P 三(二)3): the rule the
//! accepting unit set — suspend the case until it is supplied, or refuse it — fixed when
//! the deficiency was accepted. Pure rules, no IO.

use serde::{Deserialize, Serialize};

/// A unit's rule for a supplement that did not come by its deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LateRule {
    /// 中止办理: the case waits (its assessment clock stopped) until the supplement comes.
    Suspend,
    /// 不予受理/不予办理: the case is refused with the reason recorded.
    Refuse,
}

impl LateRule {
    pub const ALL: [LateRule; 2] = [LateRule::Suspend, LateRule::Refuse];
    /// Until a unit sets its own rule: suspend, the milder one (the applicant loses nothing
    /// already done).
    pub const DEFAULT: LateRule = LateRule::Suspend;

    pub fn as_str(self) -> &'static str {
        match self {
            LateRule::Suspend => "suspend",
            LateRule::Refuse => "refuse",
        }
    }
    pub fn parse(s: &str) -> Option<LateRule> {
        LateRule::ALL.into_iter().find(|r| r.as_str() == s.trim())
    }
    pub fn label(self) -> &'static str {
        match self {
            LateRule::Suspend => "中止办理，补齐后恢复",
            LateRule::Refuse => "不予办理",
        }
    }
}

/// The version of a unit's rule in force on `day` (YYYY-MM-DD text compares as dates):
/// the highest version whose effective date is on or before the day; the default before any.
pub fn late_rule_in_force(versions: &[(i64, &str, LateRule)], day: &str) -> LateRule {
    versions
        .iter()
        .filter(|(_, from, _)| *from <= day)
        .max_by_key(|(v, _, _)| *v)
        .map_or(LateRule::DEFAULT, |(_, _, r)| *r)
}

/// Whether a proxy task or a supplement is late at `now`: its deadline's due instant passed.
pub fn is_late(due_at: Option<i64>, now: i64) -> bool {
    due_at.is_some_and(|d| d <= now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_version_in_force_on_the_day_governs_and_suspend_before_any() {
        // SPEC R5.10, "Trial rules": the unit's rule in force when the deficiency was accepted.
        assert_eq!(late_rule_in_force(&[], "2026-12-07"), LateRule::Suspend);
        let v = [
            (1, "2026-01-01", LateRule::Refuse),
            (2, "2026-12-10", LateRule::Suspend),
        ];
        assert_eq!(late_rule_in_force(&v, "2026-12-07"), LateRule::Refuse);
        assert_eq!(late_rule_in_force(&v, "2026-12-10"), LateRule::Suspend);
        assert_eq!(late_rule_in_force(&v, "2025-12-31"), LateRule::Suspend);
        for r in LateRule::ALL {
            assert_eq!(LateRule::parse(r.as_str()), Some(r));
        }
        assert_eq!(LateRule::parse("ignore"), None);
    }

    #[test]
    fn late_means_the_due_instant_passed() {
        // SPEC R5.10: on time → completed; late → the unit's rule.
        assert!(!is_late(None, 10));
        assert!(!is_late(Some(11), 10));
        assert!(is_late(Some(10), 10));
    }
}
