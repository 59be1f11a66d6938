//! The due instant recomputed from a record with the effective calendar and office hours,
//! and what follows from it (state, reminders, lateness). No I/O.

use chrono::{DateTime, FixedOffset, Utc};
use proofless_domain::calendar::Calendar;
use proofless_domain::deadline::{
    self, DeadlineRecord, DeadlineRule, DeadlineState, Extension, Period, Suspension,
};

use super::records::{Deadline, ExtensionRow, Lateness, RuleVersion, SuspensionRow};
use crate::App;
use crate::error::{AppError, AppResult};

/// Reminders at these shares of the allowed office time (numerator, denominator).
pub const REMINDER_SHARES: [(i64, i64); 2] = [(1, 2), (4, 5)];

pub fn to_utc(ms: i64) -> Option<DateTime<Utc>> {
    DateTime::<Utc>::from_timestamp_millis(ms)
}

pub fn rfc3339(ms: i64) -> Option<String> {
    to_utc(ms).map(|t| {
        t.with_timezone(&crate::beijing())
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
    })
}

fn ms(t: DateTime<FixedOffset>) -> i64 {
    t.timestamp_millis()
}

/// An instant from a stored millisecond value, or an internal error naming what it is.
pub(super) fn instant(ms: i64) -> AppResult<DateTime<Utc>> {
    to_utc(ms).ok_or_else(|| AppError::Internal("时间无效".into()))
}

/// Lateness of an item due at `due_ms`, at `now_ms`.
pub fn lateness(app: &App, due_ms: i64, now_ms: i64) -> Option<Lateness> {
    if now_ms <= due_ms {
        return None;
    }
    let (from, to) = (to_utc(due_ms)?, to_utc(now_ms)?);
    let cal = app.calendar();
    let office = deadline::office_minutes_between(&cal, app.office_hours(), from, to);
    let wall = (now_ms - due_ms) / 60_000;
    let (d, h, m) = (wall / 1440, wall % 1440 / 60, wall % 60);
    let mut text = String::from("逾期 ");
    if d > 0 {
        text.push_str(&format!("{d} 天 "));
    }
    if d > 0 || h > 0 {
        text.push_str(&format!("{h} 小时 "));
    }
    text.push_str(&format!(
        "{m} 分钟（办公时间 {} 小时 {} 分钟）",
        office / 60,
        office % 60
    ));
    Some(Lateness {
        wall_minutes: wall,
        office_minutes: office,
        text,
    })
}

/// The domain rule of a stored version.
pub(super) fn rule_of(r: &RuleVersion) -> AppResult<DeadlineRule> {
    Ok(DeadlineRule {
        key: r.rule_key.as_str().to_owned(),
        period: r.period,
        max_extension: r.max_extension,
        version: u32::try_from(r.version).map_err(|_| {
            AppError::Internal(format!("规则 {} 第{}版的版本号无效", r.rule_key, r.version))
        })?,
        effective_from: r.effective_from,
    })
}

/// The domain record of a stored deadline.
pub fn record_of(
    d: &Deadline,
    susp: &[SuspensionRow],
    ext: &[ExtensionRow],
) -> AppResult<DeadlineRecord> {
    let bad = || AppError::Internal(format!("期限 {} 的记录无效", d.id));
    let mut r = DeadlineRecord::new(to_utc(d.start_at).ok_or_else(bad)?, d.period);
    for s in susp {
        r.suspensions.push(Suspension {
            reason: s.reason.clone(),
            start: to_utc(s.start_at).ok_or_else(bad)?,
            end: match s.end_at {
                Some(e) => Some(to_utc(e).ok_or_else(bad)?),
                None => None,
            },
        });
    }
    for e in ext {
        r.extensions.push(Extension {
            period: e.period,
            extended_by: e.extended_by.clone(),
            approved_by: e.approved_by.clone(),
            reason: e.reason.clone(),
            at: to_utc(e.at).ok_or_else(bad)?,
        });
    }
    Ok(r)
}

/// The cached columns recomputed from a record.
#[derive(Debug, Clone, PartialEq)]
pub struct Recomputed {
    pub state: DeadlineState,
    pub due_at: Option<i64>,
    pub rule_due_at: Option<i64>,
    pub statutory_due_at: Option<i64>,
    pub effective_start: Option<i64>,
    pub calendar_complete: bool,
    pub suspended_office_seconds: i64,
}

/// Recomputes the due instant (and the state that follows from it) of a record.
pub fn recompute(
    cal: &Calendar,
    app: &App,
    current_state: DeadlineState,
    record: &DeadlineRecord,
    statutory: Option<Period>,
    now_ms: i64,
) -> Recomputed {
    let hours = app.office_hours();
    let c = deadline::compute(cal, hours, record);
    let stat =
        statutory.map(|p| deadline::compute(cal, hours, &DeadlineRecord::new(record.start, p)));
    let rule_due_at = c.due.map(ms);
    // A legal time limit keeps running while the case waits (SPEC A2 §7).
    let statutory_due_at = stat.and_then(|s| s.due).map(ms);
    let due_at = if c.suspended {
        // The clock of the rule stops; a statutory limit does not.
        statutory_due_at
    } else {
        match (rule_due_at, statutory_due_at) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    };
    let state = match current_state {
        DeadlineState::Done => DeadlineState::Done,
        DeadlineState::Overdue if due_at.is_some_and(|d| d <= now_ms) => DeadlineState::Overdue,
        _ if c.suspended => DeadlineState::Suspended,
        // Open again when an extension moved the due instant past now; a due instant already
        // passed is escalated by the runner.
        _ => DeadlineState::Open,
    };
    Recomputed {
        state,
        due_at,
        rule_due_at,
        statutory_due_at,
        effective_start: c.effective_start.map(ms),
        calendar_complete: c.calendar_complete && stat.is_none_or(|s| s.calendar_complete),
        suspended_office_seconds: c.suspended_office_seconds,
    }
}

/// The instant of a reminder at `num/den` of the allowed office time.
pub fn reminder_at(
    cal: &Calendar,
    app: &App,
    effective_start: i64,
    due: i64,
    suspended_office_seconds: i64,
    (num, den): (i64, i64),
) -> Option<i64> {
    let (from, to) = (to_utc(effective_start)?, to_utc(due)?);
    let hours = app.office_hours();
    let span = deadline::office_time_between(cal, hours, from, to).seconds;
    let allowed = (span - suspended_office_seconds).max(0);
    let offset = allowed * num / den + suspended_office_seconds;
    deadline::add_office_time(cal, hours, from, offset).map(ms)
}
