//! Office hours: seasonal sessions in local time (Asia/Shanghai, fixed UTC+08:00, no DST).

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, FixedOffset, NaiveDate, NaiveTime, Offset, Timelike, Utc};
use serde::{Deserialize, Serialize};

/// Seconds east of UTC of Asia/Shanghai (no daylight saving since 1991).
pub const SHANGHAI_OFFSET_SECS: i32 = 8 * 3600;

/// The fixed UTC+08:00 offset.
pub fn shanghai() -> FixedOffset {
    FixedOffset::east_opt(SHANGHAI_OFFSET_SECS).unwrap_or_else(|| Utc.fix())
}

/// Most sessions one day may have.
pub const MAX_SESSIONS: usize = 4;

/// Errors of office-hour settings (Chinese messages).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OfficeHoursError {
    #[error("办公时段 '{0}' 格式无效（应为 HH:MM-HH:MM，例如 08:30-12:00）")]
    BadSession(String),
    #[error("办公时段 {0} 的开始时间须早于结束时间")]
    EmptySession(Session),
    #[error("月份 {0} 无效（应为1–12）")]
    BadMonth(u32),
    #[error("{0}月被多个季节重复设置")]
    MonthTwice(u32),
    #[error("{0}月没有设置办公时间")]
    MonthMissing(u32),
    #[error("{from}月–{to}月没有办公时段")]
    NoSessions { from: u32, to: u32 },
    #[error("{from}月–{to}月的办公时段过多（最多{MAX_SESSIONS}段）")]
    TooManySessions { from: u32, to: u32 },
    #[error("办公时段 {0} 与 {1} 重叠或顺序颠倒")]
    Overlap(Session, Session),
}

/// One office session, e.g. 08:30–12:00, to the minute. Written as `"08:30-12:00"`; the end
/// may be `24:00`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Session {
    start: u16,
    end: u16,
}

impl Session {
    /// A session from minutes after midnight; `start < end <= 1440`.
    pub fn from_minutes(start: u16, end: u16) -> Result<Session, OfficeHoursError> {
        let s = Session { start, end };
        if end > 24 * 60 || start >= end {
            return Err(OfficeHoursError::EmptySession(s));
        }
        Ok(s)
    }

    /// A session between two times (seconds are ignored).
    pub fn new(start: NaiveTime, end: NaiveTime) -> Result<Session, OfficeHoursError> {
        let m = |t: NaiveTime| u16::try_from(t.hour() * 60 + t.minute()).unwrap_or(0);
        Session::from_minutes(m(start), m(end))
    }

    /// Parses `"HH:MM-HH:MM"`.
    pub fn parse(s: &str) -> Result<Session, OfficeHoursError> {
        let bad = || OfficeHoursError::BadSession(s.to_string());
        let (a, b) = s.trim().split_once('-').ok_or_else(bad)?;
        let hm = |t: &str| -> Option<u16> {
            let (h, m) = t.trim().split_once(':')?;
            if h.len() != 2 || m.len() != 2 {
                return None;
            }
            let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
            (h <= 24 && m < 60 && (h < 24 || m == 0)).then_some(h * 60 + m)
        };
        Session::from_minutes(hm(a).ok_or_else(bad)?, hm(b).ok_or_else(bad)?)
    }

    /// Minutes after midnight of the opening.
    pub fn start_minute(self) -> u16 {
        self.start
    }

    /// Minutes after midnight of the closing (1440 = midnight at the end of the day).
    pub fn end_minute(self) -> u16 {
        self.end
    }

    /// Length in minutes.
    pub fn minutes(self) -> u32 {
        u32::from(self.end - self.start)
    }
}

impl fmt::Display for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:02}:{:02}-{:02}:{:02}",
            self.start / 60,
            self.start % 60,
            self.end / 60,
            self.end % 60
        )
    }
}

impl FromStr for Session {
    type Err = OfficeHoursError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Session::parse(s)
    }
}

impl Serialize for Session {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Session {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        Session::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// The sessions of the months `from_month..=to_month` (wrapping: 10..=4 is October to April).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Season {
    pub from_month: u32,
    pub to_month: u32,
    pub sessions: Vec<Session>,
}

impl Season {
    fn months(&self) -> impl Iterator<Item = u32> {
        let (from, to) = (self.from_month, self.to_month);
        let len = if to >= from {
            to - from + 1
        } else {
            to + 12 - from + 1
        };
        (0..len).map(move |i| (from - 1 + i) % 12 + 1)
    }
}

/// Sessions of one month as second-of-day spans, fixed size so lookups never allocate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct MonthSpans {
    count: usize,
    spans: [(u32, u32); MAX_SESSIONS],
}

/// Office hours by season. Default (SPEC "Working days", "summer and winter hours differ"):
/// 08:30–12:00 and 13:30–17:30 from October to April, 08:30–12:00 and 14:00–18:00 from May to
/// September. Serialized as the list of seasons.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<Season>", into = "Vec<Season>")]
pub struct OfficeHours {
    seasons: Vec<Season>,
    months: [MonthSpans; 12],
}

impl Default for OfficeHours {
    fn default() -> Self {
        OfficeHours::standard()
    }
}

impl TryFrom<Vec<Season>> for OfficeHours {
    type Error = OfficeHoursError;
    fn try_from(seasons: Vec<Season>) -> Result<Self, Self::Error> {
        OfficeHours::new(seasons)
    }
}

impl From<OfficeHours> for Vec<Season> {
    fn from(h: OfficeHours) -> Self {
        h.seasons
    }
}

impl OfficeHours {
    /// Validates seasons: every month covered exactly once, 1 to 4 sessions each, in order
    /// and not overlapping (touching is allowed).
    pub fn new(seasons: Vec<Season>) -> Result<Self, OfficeHoursError> {
        let mut covered = [false; 12];
        for s in &seasons {
            for m in [s.from_month, s.to_month] {
                if !(1..=12).contains(&m) {
                    return Err(OfficeHoursError::BadMonth(m));
                }
            }
            let (from, to) = (s.from_month, s.to_month);
            if s.sessions.is_empty() {
                return Err(OfficeHoursError::NoSessions { from, to });
            }
            if s.sessions.len() > MAX_SESSIONS {
                return Err(OfficeHoursError::TooManySessions { from, to });
            }
            for w in s.sessions.windows(2) {
                if w[1].start < w[0].end {
                    return Err(OfficeHoursError::Overlap(w[0], w[1]));
                }
            }
            for m in s.months() {
                let slot = &mut covered[(m - 1) as usize];
                if *slot {
                    return Err(OfficeHoursError::MonthTwice(m));
                }
                *slot = true;
            }
        }
        if let Some(i) = covered.iter().position(|c| !c) {
            return Err(OfficeHoursError::MonthMissing(i as u32 + 1));
        }
        Ok(OfficeHours::build(seasons))
    }

    fn build(seasons: Vec<Season>) -> Self {
        let mut months = [MonthSpans {
            count: 0,
            spans: [(0, 0); MAX_SESSIONS],
        }; 12];
        for s in &seasons {
            for m in s.months() {
                let slot = &mut months[((m + 11) % 12) as usize];
                slot.count = 0;
                for (i, sess) in s.sessions.iter().take(MAX_SESSIONS).enumerate() {
                    slot.spans[i] = (u32::from(sess.start) * 60, u32::from(sess.end) * 60);
                    slot.count = i + 1;
                }
            }
        }
        OfficeHours { seasons, months }
    }

    /// The default hours (winter October–April, summer May–September).
    pub fn standard() -> Self {
        let s = |a: u16, b: u16| Session { start: a, end: b };
        OfficeHours::build(vec![
            Season {
                from_month: 10,
                to_month: 4,
                sessions: vec![s(8 * 60 + 30, 12 * 60), s(13 * 60 + 30, 17 * 60 + 30)],
            },
            Season {
                from_month: 5,
                to_month: 9,
                sessions: vec![s(8 * 60 + 30, 12 * 60), s(14 * 60, 18 * 60)],
            },
        ])
    }

    /// The configured seasons.
    pub fn seasons(&self) -> &[Season] {
        &self.seasons
    }

    /// Sessions that apply in `month` (1–12); empty for an invalid month.
    pub fn sessions_in_month(&self, month: u32) -> Vec<Session> {
        self.seasons
            .iter()
            .find(|s| s.months().any(|m| m == month))
            .map(|s| s.sessions.clone())
            .unwrap_or_default()
    }

    /// Sessions that apply on `date` if it is a working day.
    pub fn sessions_on(&self, date: NaiveDate) -> Vec<Session> {
        self.sessions_in_month(date.month())
    }

    /// Office minutes of a working day in `month`.
    pub fn minutes_per_day(&self, month: u32) -> u32 {
        self.sessions_in_month(month)
            .iter()
            .map(|s| s.minutes())
            .sum()
    }

    /// Second-of-day spans of a month (0 = January); fast path for the deadline engine.
    #[inline]
    pub(crate) fn spans(&self, month0: usize) -> &[(u32, u32)] {
        match self.months.get(month0) {
            Some(m) => m.spans.get(..m.count).unwrap_or(&[]),
            None => &[],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_parse_and_print_as_hh_mm_ranges() {
        assert_eq!(
            Session::parse("08:30-12:00").map(|s| s.to_string()),
            Ok("08:30-12:00".into())
        );
        assert_eq!(
            Session::parse("13:30-24:00").map(|s| s.end_minute()),
            Ok(1440)
        );
        assert!(Session::parse("8:30-12:00").is_err());
        assert!(Session::parse("12:00-08:30").is_err());
        assert!(Session::parse("24:30-25:00").is_err());
    }

    #[test]
    fn wrapping_seasons_cover_october_to_april() {
        let h = OfficeHours::standard();
        assert_eq!(h.minutes_per_day(1), 450);
        assert_eq!(h.minutes_per_day(10), 450);
        assert_eq!(h.minutes_per_day(4), 450);
        assert_eq!(h.minutes_per_day(5), 450); // 3.5 h + 4 h in summer too
        assert_eq!(h.spans(6), &[(30_600, 43_200), (50_400, 64_800)]);
        assert_eq!(OfficeHours::new(h.seasons().to_vec()), Ok(h));
    }
}
