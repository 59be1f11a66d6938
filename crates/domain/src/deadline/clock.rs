//! The office clock: walks the precomputed day table and the month's sessions, in local
//! seconds (Unix seconds + 8 h). Allocation-free; work is O(days spanned).

use chrono::{DateTime, FixedOffset, Utc};

use crate::calendar::{Calendar, OfficeHours, SHANGHAI_OFFSET_SECS, shanghai};

const DAY: i64 = 86_400;
/// A search for the next working day or session gives up after this many days (a calendar
/// with decades of closures, or an instant at the edge of chrono's range).
const MAX_SCAN_DAYS: i64 = 100_000;

/// Local seconds of a UTC instant (sub-second part dropped).
pub(crate) fn local_secs(t: DateTime<Utc>) -> i64 {
    t.timestamp() + i64::from(SHANGHAI_OFFSET_SECS)
}

/// The instant of local seconds, in +08:00.
pub(crate) fn to_instant(local: i64) -> Option<DateTime<FixedOffset>> {
    DateTime::<Utc>::from_timestamp(local - i64::from(SHANGHAI_OFFSET_SECS), 0)
        .map(|t| t.with_timezone(&shanghai()))
}

pub(crate) struct Clock<'a> {
    cal: &'a Calendar,
    hours: &'a OfficeHours,
    /// False once any day read lies in a year without a published notice.
    pub(crate) complete: bool,
}

impl<'a> Clock<'a> {
    pub(crate) fn new(cal: &'a Calendar, hours: &'a OfficeHours) -> Self {
        Clock {
            cal,
            hours,
            complete: true,
        }
    }

    /// Sessions of `day` as second-of-day spans; empty on a non-working day.
    #[inline]
    fn day(&mut self, day: i64) -> &'a [(u32, u32)] {
        let b = self.cal.bits(day);
        self.complete &= b.complete();
        if b.working() {
            self.hours.spans(b.month0())
        } else {
            &[]
        }
    }

    /// The instant itself when inside a session (`[open, close)`), else the next opening.
    pub(crate) fn effective(&mut self, local: i64) -> Option<i64> {
        let first = local.div_euclid(DAY);
        let mut sec = local.rem_euclid(DAY);
        for day in first..first + MAX_SCAN_DAYS {
            for &(open, close) in self.day(day) {
                if sec < i64::from(close) {
                    return Some(day * DAY + sec.max(i64::from(open)));
                }
            }
            sec = 0;
        }
        None
    }

    /// Moves `seconds` of office time forward from `local`. Zero leaves the instant where it
    /// is; otherwise the result lies in `(open, close]` of a session, so a due instant exactly
    /// at a session's end stays there (11:30 + 30m = 12:00).
    pub(crate) fn advance(&mut self, local: i64, seconds: i64) -> Option<i64> {
        if seconds <= 0 {
            return Some(local);
        }
        let mut remaining = seconds;
        let first = local.div_euclid(DAY);
        let mut sec = local.rem_euclid(DAY);
        for day in first..first + MAX_SCAN_DAYS {
            for &(open, close) in self.day(day) {
                let (open, close) = (i64::from(open), i64::from(close));
                if sec >= close {
                    continue;
                }
                let from = sec.max(open);
                let available = close - from;
                if remaining <= available {
                    return Some(day * DAY + from + remaining);
                }
                remaining -= available;
                sec = close;
            }
            sec = 0;
        }
        None
    }

    /// The `n`th working day after `day` (`day` itself not counted).
    pub(crate) fn working_days_after(&mut self, day: i64, n: u32) -> Option<i64> {
        let mut d = day;
        let mut left = n;
        let mut scanned = 0;
        while left > 0 {
            d += 1;
            scanned += 1;
            if scanned > MAX_SCAN_DAYS + i64::from(n) {
                return None;
            }
            if !self.day(d).is_empty() {
                left -= 1;
            }
        }
        Some(d)
    }

    /// `day` if it is a working day, else the next working day.
    pub(crate) fn this_or_next_working_day(&mut self, day: i64) -> Option<i64> {
        (0..MAX_SCAN_DAYS)
            .map(|i| day + i)
            .find(|&d| !self.day(d).is_empty())
    }

    /// Close of office hours (end of the last session) of working day `day`.
    pub(crate) fn close_of(&mut self, day: i64) -> Option<i64> {
        self.day(day)
            .last()
            .map(|&(_, close)| day * DAY + i64::from(close))
    }

    /// Office seconds inside `[from, to)`.
    pub(crate) fn office_between(&mut self, from: i64, to: i64) -> i64 {
        if to <= from {
            return 0;
        }
        let mut total = 0;
        let last = (to - 1).div_euclid(DAY);
        let mut day = from.div_euclid(DAY);
        while day <= last {
            let base = day * DAY;
            for &(open, close) in self.day(day) {
                let a = (base + i64::from(open)).max(from);
                let b = (base + i64::from(close)).min(to);
                if b > a {
                    total += b - a;
                }
            }
            day += 1;
        }
        total
    }
}
