//! Deadlines computed from the working-day calendar (SPEC "Working days", DESIGN "Deadlines").
//!
//! A deadline is a [`DeadlineRecord`]: start, period, suspensions, extensions. The due
//! instant is always recomputed from it with the pure [`compute`]:
//!
//! - A request received outside office hours counts as received at the next opening.
//! - `Nm` / `Nh`: N minutes / hours of office time from the (effective) receipt, skipping
//!   breaks, nights, weekends and holidays; a due instant exactly at a session's end stays
//!   there (11:30 + 30m = 12:00).
//! - `Nwd`: the day of receipt is not counted (期间开始之日不计算在内); due at the close of
//!   office hours on the Nth working day after the (effective) day of receipt.
//! - `Ncd`: calendar days (statutory periods), the day of start not counted; due at the close
//!   of office hours on start + N, or of the next working day when that day is not one.
//! - Suspensions stop the clock: the due instant moves by exactly the office time inside the
//!   suspension intervals (overlaps counted once); while a suspension is open the due
//!   instant is unknown (`due: None`, `suspended: true`).
//! - Extensions (bounded by the rule, e.g. 5 working days in all for complaints, A4 §10) add
//!   to the period; extending then computing equals computing with the longer period.
//! - `calendar_complete` is false when any day the computation looked at lies in a year
//!   without a published State Council notice (plain weekends were used there).
//!
//! All instants are UTC in records and +08:00 (Asia/Shanghai, fixed) in results; sub-second
//! parts are dropped.

mod clock;
mod period;
mod record;
mod rule;
mod state;

use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};

use crate::calendar::{Calendar, OfficeHours};
use clock::{Clock, local_secs, to_instant};

pub use period::{MAX_PERIOD_UNITS, Period, PeriodError, PeriodUnit};
pub use record::{DeadlineError, DeadlineRecord, Extension, Suspension};
pub use rule::{DeadlineRule, RuleBook, RuleError, SEED_EFFECTIVE_FROM, keys};
pub use state::{DeadlineState, MAX_RULE_KEY_CHARS, RULE_LABELS, RuleKey, SubjectType, rule_label};

const DAY: i64 = 86_400;

/// The result of [`compute`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Computed {
    /// The due instant in +08:00; `None` while suspended (or if it cannot be represented).
    pub due: Option<DateTime<FixedOffset>>,
    /// When the clock started: the receipt, or the next opening if received outside hours.
    pub effective_start: Option<DateTime<FixedOffset>>,
    /// False when a day looked at lies in a year with no published notice.
    pub calendar_complete: bool,
    /// A suspension is still open.
    pub suspended: bool,
    /// Office time, in seconds, inside the closed suspensions (added to the due instant).
    pub suspended_office_seconds: i64,
}

/// Recomputes the due instant of `record` (see the module documentation for the rules).
pub fn compute(calendar: &Calendar, hours: &OfficeHours, record: &DeadlineRecord) -> Computed {
    let mut clock = Clock::new(calendar, hours);
    let start = local_secs(record.start);
    let effective = clock.effective(start);
    let mut due = effective.and_then(|eff| match record.total_period() {
        Some(total) => apply_period(&mut clock, eff, total),
        None => record
            .extensions
            .iter()
            .fold(apply_period(&mut clock, eff, record.period), |due, e| {
                due.and_then(|d| extend_due(&mut clock, d, e.period))
            }),
    });
    let (suspended, suspended_office_seconds) =
        suspension_office_seconds(&mut clock, start, &record.suspensions);
    if suspended {
        due = None;
    } else if suspended_office_seconds > 0 {
        due = due.and_then(|d| clock.advance(d, suspended_office_seconds));
    }
    Computed {
        due: due.and_then(to_instant),
        effective_start: effective.and_then(to_instant),
        calendar_complete: clock.complete,
        suspended,
        suspended_office_seconds,
    }
}

/// The due instant (local seconds) of `period` counted from the effective start `eff`.
fn apply_period(clock: &mut Clock<'_>, eff: i64, period: Period) -> Option<i64> {
    let receipt_day = eff.div_euclid(DAY);
    match period {
        Period::Minutes(_) | Period::Hours(_) => clock.advance(eff, period.office_seconds()?),
        Period::WorkingDays(n) => {
            let day = clock.working_days_after(receipt_day, n)?;
            clock.close_of(day)
        }
        Period::CalendarDays(n) => {
            let day = clock.this_or_next_working_day(receipt_day + i64::from(n))?;
            clock.close_of(day)
        }
    }
}

/// Adds an extension of another measure than the period to an already computed due instant.
fn extend_due(clock: &mut Clock<'_>, due: i64, period: Period) -> Option<i64> {
    // A due instant lies in (open, close] of a session: `due - 1` is on the due day even
    // when the session closes at 24:00.
    let due_day = (due - 1).div_euclid(DAY);
    match period {
        Period::Minutes(_) | Period::Hours(_) => clock.advance(due, period.office_seconds()?),
        Period::WorkingDays(n) => {
            let day = clock.working_days_after(due_day, n)?;
            clock.close_of(day)
        }
        Period::CalendarDays(n) => {
            let day = clock.this_or_next_working_day(due_day + i64::from(n))?;
            clock.close_of(day)
        }
    }
}

/// Whether a suspension is open, and the office seconds inside the union of the closed
/// suspensions from `start` on. O(k²) in the number of suspensions, without allocation.
fn suspension_office_seconds(
    clock: &mut Clock<'_>,
    start: i64,
    suspensions: &[Suspension],
) -> (bool, i64) {
    let open = suspensions.iter().any(|s| s.end.is_none());
    let mut cursor = start;
    let mut total = 0;
    loop {
        let mut next: Option<(i64, i64)> = None;
        for s in suspensions {
            let Some(end) = s.end else { continue };
            let end = local_secs(end);
            if end <= cursor {
                continue;
            }
            let from = local_secs(s.start).max(cursor);
            if next.is_none_or(|(f, e)| from < f || (from == f && end > e)) {
                next = Some((from, end));
            }
        }
        let Some((from, end)) = next else { break };
        total += clock.office_between(from, end);
        cursor = end;
    }
    (open, total)
}

/// Office time between two instants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficeTime {
    pub seconds: i64,
    /// False when a day in the interval lies in a year with no published notice.
    pub calendar_complete: bool,
}

impl OfficeTime {
    /// Whole minutes.
    pub fn minutes(self) -> i64 {
        self.seconds.div_euclid(60)
    }
}

/// Office time inside `[from, to)` (zero when `to <= from`).
pub fn office_time_between(
    calendar: &Calendar,
    hours: &OfficeHours,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> OfficeTime {
    let mut clock = Clock::new(calendar, hours);
    let seconds = clock.office_between(local_secs(from), local_secs(to));
    OfficeTime {
        seconds,
        calendar_complete: clock.complete,
    }
}

/// Whole office minutes inside `[from, to)`.
pub fn office_minutes_between(
    calendar: &Calendar,
    hours: &OfficeHours,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> i64 {
    office_time_between(calendar, hours, from, to).minutes()
}

/// When a request received at `at` counts as received: `at` inside office hours, else the
/// next opening.
pub fn effective_receipt(
    calendar: &Calendar,
    hours: &OfficeHours,
    at: DateTime<Utc>,
) -> Option<DateTime<FixedOffset>> {
    Clock::new(calendar, hours)
        .effective(local_secs(at))
        .and_then(to_instant)
}

/// Whether `at` lies on a working day within a session, the closing instant included
/// (where a due instant may fall).
pub fn within_office_hours(calendar: &Calendar, hours: &OfficeHours, at: DateTime<Utc>) -> bool {
    let local = local_secs(at);
    let (day, sec) = (local.div_euclid(DAY), local.rem_euclid(DAY));
    let b = calendar.bits(day);
    b.working()
        && hours
            .spans(b.month0())
            .iter()
            .any(|&(open, close)| i64::from(open) <= sec && sec <= i64::from(close))
}

/// The instant `seconds` of office time after `from` (counted from the next opening when
/// `from` lies outside office hours); used to place reminders at a share of the allowed time.
pub fn add_office_time(
    calendar: &Calendar,
    hours: &OfficeHours,
    from: DateTime<Utc>,
    seconds: i64,
) -> Option<DateTime<FixedOffset>> {
    let mut clock = Clock::new(calendar, hours);
    let eff = clock.effective(local_secs(from))?;
    clock.advance(eff, seconds).and_then(to_instant)
}
