//! Provisional holidays of a year without a State Council notice (issue #15 item 12).
//!
//! 全国年节及纪念日放假办法 (as amended 2024, in force from 2025) fixes the statutory holidays
//! every citizen has; the State Council's yearly notice only arranges them (调休). Until the
//! notice of a year is loaded, the statutory days themselves are the best answer we have, so
//! they are used as *provisional* holidays and every answer touching them stays
//! `calendar_complete: false`:
//!
//! - 元旦 1 January; 春节 除夕 to 正月初三 (4 days); 清明节 the day of the solar term;
//!   劳动节 1–2 May; 端午节 五月初五; 中秋节 八月十五; 国庆节 1–3 October.
//! - Art. 6: a holiday that falls on a Saturday or Sunday is made up on the next working day
//!   (应当在工作日补假).
//!
//! Lunar dates and the solar term come from `tyme4rs` (astronomical computation, offline).

use std::collections::BTreeMap;
use std::sync::OnceLock;

use chrono::{Datelike, Days, NaiveDate, Weekday};
use tyme4rs::tyme::lunar::LunarDay;
use tyme4rs::tyme::solar::{SolarDay, SolarTerm};

use super::day::{Entry, EntryKind};
use super::table::TABLE_LAST_YEAR;

/// First year the amended 放假办法 governs (国务院令第795号, in force 2025-01-01).
pub const PROVISIONAL_FIRST_YEAR: i32 = 2025;
/// Last year provisional holidays are computed for (the day table's end).
pub const PROVISIONAL_LAST_YEAR: i32 = TABLE_LAST_YEAR;

/// The `source` of every provisional entry.
pub const PROVISIONAL_SOURCE: &str = "全国年节及纪念日放假办法（2024年修订，暂定）";

/// A Gregorian date from tyme4rs' solar day (by its distance from a fixed day, so no field
/// accessors of the crate are relied on).
fn naive(day: &SolarDay) -> Option<NaiveDate> {
    let base = NaiveDate::from_ymd_opt(2000, 1, 1)?;
    let offset = day.subtract(SolarDay::from_ymd(2000, 1, 1));
    let n = u64::try_from(offset.unsigned_abs()).ok()?;
    if offset >= 0 {
        base.checked_add_days(Days::new(n))
    } else {
        base.checked_sub_days(Days::new(n))
    }
}

/// The Gregorian date of a lunar date of `lunar_year` (non-leap month).
fn lunar(lunar_year: i32, month: u8, day: u8) -> Option<NaiveDate> {
    let d = LunarDay::new(lunar_year as isize, isize::from(month), usize::from(day)).ok()?;
    naive(&d.get_solar_day())
}

/// 清明: the day of the solar term in April of `year`.
fn qingming(year: i32) -> Option<NaiveDate> {
    let d = naive(&SolarTerm::new(year as isize, "清明").ok()?.get_solar_day())?;
    (d.year() == year && d.month() == 4).then_some(d)
}

/// The statutory holidays of one Gregorian year, in date order, before make-up days.
fn statutory_days(year: i32) -> Vec<(NaiveDate, &'static str)> {
    let mut days = Vec::new();
    let ymd = |m, d| NaiveDate::from_ymd_opt(year, m, d);
    days.extend(ymd(1, 1).map(|d| (d, "元旦")));
    // 春节: the lunar new year that falls in this Gregorian year, from its eve (除夕).
    if let Some(new_year) = lunar(year, 1, 1) {
        for i in 0..4u64 {
            let d = new_year
                .checked_sub_days(Days::new(1))
                .and_then(|eve| eve.checked_add_days(Days::new(i)));
            days.extend(d.map(|d| (d, "春节")));
        }
    }
    days.extend(qingming(year).map(|d| (d, "清明节")));
    days.extend(
        [ymd(5, 1), ymd(5, 2)]
            .into_iter()
            .flatten()
            .map(|d| (d, "劳动节")),
    );
    days.extend(lunar(year, 5, 5).map(|d| (d, "端午节")));
    days.extend(lunar(year, 8, 15).map(|d| (d, "中秋节")));
    days.extend(
        [ymd(10, 1), ymd(10, 2), ymd(10, 3)]
            .into_iter()
            .flatten()
            .map(|d| (d, "国庆节")),
    );
    days.retain(|(d, _)| d.year() == year);
    days.sort_by_key(|(d, _)| *d);
    days
}

fn weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The provisional holidays of `year`: the statutory days plus, for each one on a weekend,
/// a make-up day on the next weekday that is not itself a holiday (Art. 6).
pub fn provisional_holidays(year: i32) -> Vec<Entry> {
    let days = statutory_days(year);
    let mut out: BTreeMap<NaiveDate, String> = days
        .iter()
        .map(|(d, name)| (*d, (*name).to_owned()))
        .collect();
    for (d, name) in &days {
        if !weekend(*d) {
            continue;
        }
        let mut next = d.succ_opt();
        while let Some(n) = next {
            if !weekend(n) && !out.contains_key(&n) {
                out.insert(n, format!("{name}（补假）"));
                break;
            }
            next = n.succ_opt();
        }
    }
    out.into_iter()
        .filter(|(d, _)| d.year() == year)
        .map(|(date, name)| Entry {
            date,
            kind: EntryKind::Holiday,
            name,
            source: PROVISIONAL_SOURCE.to_owned(),
        })
        .collect()
}

/// Every provisional holiday of [`PROVISIONAL_FIRST_YEAR`]..=[`PROVISIONAL_LAST_YEAR`], by
/// year, computed once per process (the astronomy is the slow part).
pub(crate) fn all_provisional() -> &'static BTreeMap<i32, Vec<Entry>> {
    static ALL: OnceLock<BTreeMap<i32, Vec<Entry>>> = OnceLock::new();
    ALL.get_or_init(|| {
        (PROVISIONAL_FIRST_YEAR..=PROVISIONAL_LAST_YEAR)
            .map(|y| (y, provisional_holidays(y)))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    fn named(year: i32, name: &str) -> Vec<NaiveDate> {
        statutory_days(year)
            .into_iter()
            .filter(|(_, n)| *n == name)
            .map(|(d, _)| d)
            .collect()
    }

    // Issue #15 item 12: the lunar and solar-term holidays match the published dates.
    #[test]
    fn lunar_holidays_match_published_dates() {
        assert_eq!(
            named(2027, "春节"),
            ["2027-02-05", "2027-02-06", "2027-02-07", "2027-02-08"].map(date)
        );
        assert_eq!(named(2028, "春节")[1], date("2028-01-26"));
        assert_eq!(named(2027, "清明节"), [date("2027-04-05")]);
        assert_eq!(named(2027, "端午节"), [date("2027-06-09")]);
        assert_eq!(named(2027, "中秋节"), [date("2027-09-15")]);
        // Known years the notices confirm: 2025 and 2026.
        assert_eq!(named(2026, "春节")[1], date("2026-02-17"));
        assert_eq!(named(2025, "清明节"), [date("2025-04-04")]);
        assert_eq!(named(2026, "中秋节"), [date("2026-09-25")]);
        assert_eq!(named(2026, "端午节"), [date("2026-06-19")]);
    }

    // 放假办法 Art. 6: a holiday on a weekend is made up on the next working day.
    #[test]
    fn weekend_holidays_are_made_up_on_the_next_weekday() {
        // 2027-10-02/03 are Saturday and Sunday: made up on Monday 4 and Tuesday 5 October.
        let h = provisional_holidays(2027);
        let oct: Vec<_> = h
            .iter()
            .filter(|e| e.date.month() == 10)
            .map(|e| (e.date, e.name.as_str()))
            .collect();
        assert_eq!(
            oct,
            vec![
                (date("2027-10-01"), "国庆节"),
                (date("2027-10-02"), "国庆节"),
                (date("2027-10-03"), "国庆节"),
                (date("2027-10-04"), "国庆节（补假）"),
                (date("2027-10-05"), "国庆节（补假）"),
            ]
        );
        assert!(h.iter().all(|e| e.source == PROVISIONAL_SOURCE));
    }

    #[test]
    fn every_year_of_the_range_has_its_thirteen_statutory_days() {
        for (year, entries) in all_provisional() {
            assert_eq!(statutory_days(*year).len(), 13, "{year}");
            assert!(entries.len() >= 12, "{year}");
        }
    }
}
