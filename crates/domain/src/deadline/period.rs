//! Deadline periods: `30m`, `2h`, `1wd`, `5wd`, `10cd`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Largest number a period may carry (`9999wd`); 10000 and more are refused.
pub const MAX_PERIOD_UNITS: u32 = 9_999;

/// The unit of a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PeriodUnit {
    /// `m`: minutes of office time.
    Minutes,
    /// `h`: hours of office time.
    Hours,
    /// `wd`: working days, the day of receipt not counted.
    WorkingDays,
    /// `cd`: calendar days (statutory periods), the day of start not counted.
    CalendarDays,
}

impl PeriodUnit {
    pub fn suffix(self) -> &'static str {
        match self {
            PeriodUnit::Minutes => "m",
            PeriodUnit::Hours => "h",
            PeriodUnit::WorkingDays => "wd",
            PeriodUnit::CalendarDays => "cd",
        }
    }

    /// Chinese unit with its measure word: 分钟, 小时, 个工作日, 日.
    pub fn label(self) -> &'static str {
        match self {
            PeriodUnit::Minutes => "分钟",
            PeriodUnit::Hours => "小时",
            PeriodUnit::WorkingDays => "个工作日",
            PeriodUnit::CalendarDays => "日",
        }
    }

    /// Minutes and hours are both office time and add up; the other units only with
    /// themselves.
    pub fn same_measure(self, other: PeriodUnit) -> bool {
        self.is_office_time() && other.is_office_time() || self == other
    }

    pub fn is_office_time(self) -> bool {
        matches!(self, PeriodUnit::Minutes | PeriodUnit::Hours)
    }
}

/// Errors of [`Period::parse`] (Chinese messages).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    #[error("期限不能为空")]
    Empty,
    #[error("期限 '{0}' 缺少数值（例如 30m、2h、1wd、10cd）")]
    MissingNumber(String),
    #[error("期限 '{0}' 缺少单位（m 分钟、h 小时、wd 工作日、cd 自然日）")]
    MissingUnit(String),
    #[error(
        "期限 '{input}' 的单位 '{unit}' 无法识别（可用：m 分钟、h 小时、wd 工作日、cd 自然日）"
    )]
    UnknownUnit { input: String, unit: String },
    #[error("期限 '{0}' 不能为0")]
    Zero(String),
    #[error("期限 '{0}' 的数值不能以0开头")]
    LeadingZero(String),
    #[error("期限 '{0}' 数值过大（须小于10000）")]
    TooLarge(String),
}

/// A deadline period. Written (`Display`, serde) exactly as parsed: `30m`, `2h`, `1wd`, `10cd`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Period {
    Minutes(u32),
    Hours(u32),
    WorkingDays(u32),
    CalendarDays(u32),
}

impl Period {
    /// Parses `<number><unit>`: a number from 1 to 9999 without leading zeros, and `m`, `h`,
    /// `wd` or `cd`. Surrounding whitespace is ignored.
    pub fn parse(input: &str) -> Result<Period, PeriodError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(PeriodError::Empty);
        }
        let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
        let (digits, unit) = s.split_at(split);
        if digits.is_empty() {
            return Err(PeriodError::MissingNumber(s.to_string()));
        }
        let unit = match unit {
            "" => return Err(PeriodError::MissingUnit(s.to_string())),
            "m" => PeriodUnit::Minutes,
            "h" => PeriodUnit::Hours,
            "wd" => PeriodUnit::WorkingDays,
            "cd" => PeriodUnit::CalendarDays,
            other => {
                return Err(PeriodError::UnknownUnit {
                    input: s.to_string(),
                    unit: other.to_string(),
                });
            }
        };
        if digits.bytes().all(|b| b == b'0') {
            return Err(PeriodError::Zero(s.to_string()));
        }
        if digits.starts_with('0') {
            return Err(PeriodError::LeadingZero(s.to_string()));
        }
        let n: u32 = match digits.parse() {
            Ok(n) if digits.len() <= 4 && n <= MAX_PERIOD_UNITS => n,
            _ => return Err(PeriodError::TooLarge(s.to_string())),
        };
        Ok(Period::new(unit, n))
    }

    /// A period of `n` units (not range-checked; [`Period::parse`] is).
    pub fn new(unit: PeriodUnit, n: u32) -> Period {
        match unit {
            PeriodUnit::Minutes => Period::Minutes(n),
            PeriodUnit::Hours => Period::Hours(n),
            PeriodUnit::WorkingDays => Period::WorkingDays(n),
            PeriodUnit::CalendarDays => Period::CalendarDays(n),
        }
    }

    pub fn unit(self) -> PeriodUnit {
        match self {
            Period::Minutes(_) => PeriodUnit::Minutes,
            Period::Hours(_) => PeriodUnit::Hours,
            Period::WorkingDays(_) => PeriodUnit::WorkingDays,
            Period::CalendarDays(_) => PeriodUnit::CalendarDays,
        }
    }

    pub fn amount(self) -> u32 {
        match self {
            Period::Minutes(n)
            | Period::Hours(n)
            | Period::WorkingDays(n)
            | Period::CalendarDays(n) => n,
        }
    }

    /// Office time in seconds for `m` and `h`; `None` for day periods.
    pub fn office_seconds(self) -> Option<i64> {
        match self {
            Period::Minutes(n) => Some(i64::from(n) * 60),
            Period::Hours(n) => Some(i64::from(n) * 3600),
            _ => None,
        }
    }

    /// The sum of two periods of the same measure (`m` + `h` gives minutes); `None` when the
    /// measures differ or the sum overflows.
    pub fn checked_add(self, other: Period) -> Option<Period> {
        match (self, other) {
            (Period::Hours(a), Period::Hours(b)) => a.checked_add(b).map(Period::Hours),
            (Period::WorkingDays(a), Period::WorkingDays(b)) => {
                a.checked_add(b).map(Period::WorkingDays)
            }
            (Period::CalendarDays(a), Period::CalendarDays(b)) => {
                a.checked_add(b).map(Period::CalendarDays)
            }
            (a, b) if a.unit().is_office_time() && b.unit().is_office_time() => {
                let m = |p: Period| match p {
                    Period::Hours(n) => n.checked_mul(60),
                    p => Some(p.amount()),
                };
                m(a)?.checked_add(m(b)?).map(Period::Minutes)
            }
            _ => None,
        }
    }

    /// Comparable size within one measure (minutes for office time, days otherwise).
    pub(crate) fn measure(self) -> u64 {
        match self {
            Period::Hours(n) => u64::from(n) * 60,
            p => u64::from(p.amount()),
        }
    }

    /// Chinese wording, e.g. 30分钟, 2小时, 5个工作日, 10日.
    pub fn describe(self) -> String {
        format!("{}{}", self.amount(), self.unit().label())
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.amount(), self.unit().suffix())
    }
}

impl FromStr for Period {
    type Err = PeriodError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Period::parse(s)
    }
}

impl Serialize for Period {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Period {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        Period::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_unit_parses_and_prints_back_the_same_string() {
        for s in ["30m", "2h", "1wd", "5wd", "10cd", "9999wd", "1m"] {
            assert_eq!(Period::parse(s).map(|p| p.to_string()), Ok(s.to_string()));
        }
    }

    #[test]
    fn bad_periods_are_refused_in_chinese() {
        let msg = |s: &str| {
            Period::parse(s)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default()
        };
        assert_eq!(msg(""), "期限不能为空");
        assert_eq!(msg("   "), "期限不能为空");
        assert_eq!(msg("0wd"), "期限 '0wd' 不能为0");
        assert_eq!(msg("10000m"), "期限 '10000m' 数值过大（须小于10000）");
        assert_eq!(
            msg("99999999999999999999wd"),
            "期限 '99999999999999999999wd' 数值过大（须小于10000）"
        );
        assert!(msg("3d").contains("单位 'd' 无法识别"));
        assert!(msg("wd").contains("缺少数值"));
        assert!(msg("30").contains("缺少单位"));
        assert!(msg("05m").contains("不能以0开头"));
        assert!(msg("-5m").contains("缺少数值"));
    }

    #[test]
    fn sums_stay_in_one_measure() {
        assert_eq!(
            Period::WorkingDays(5).checked_add(Period::WorkingDays(3)),
            Some(Period::WorkingDays(8))
        );
        assert_eq!(
            Period::Hours(1).checked_add(Period::Minutes(30)),
            Some(Period::Minutes(90))
        );
        assert_eq!(
            Period::Hours(1).checked_add(Period::Hours(2)),
            Some(Period::Hours(3))
        );
        assert_eq!(
            Period::WorkingDays(1).checked_add(Period::CalendarDays(1)),
            None
        );
    }
}
