//! The embedded State Council arrangements, spot-checked against each year's notice
//! (SPEC "Working days").
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::NaiveDate;
use proofless_domain::calendar::{Calendar, DayKind, EntryKind, OFFICIAL_YEARS};
use serde::Deserialize;

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn cal() -> Calendar {
    Calendar::try_official().expect("every embedded year loads")
}

#[track_caller]
fn holiday(cal: &Calendar, d: &str, name: &str) {
    let info = cal.day(date(d));
    assert_eq!(info.kind, DayKind::Holiday, "{d} should be a holiday");
    assert!(!info.working_day, "{d}");
    assert_eq!(info.name.as_deref(), Some(name), "{d}");
    assert!(info.calendar_complete, "{d}");
}

#[track_caller]
fn adjusted(cal: &Calendar, d: &str, name: &str) {
    let info = cal.day(date(d));
    assert_eq!(
        info.kind,
        DayKind::AdjustedWorkday,
        "{d} should be an adjusted working day"
    );
    assert!(info.working_day, "{d}");
    assert_eq!(info.name.as_deref(), Some(name), "{d}");
}

#[track_caller]
fn plain(cal: &Calendar, d: &str, kind: DayKind) {
    let info = cal.day(date(d));
    assert_eq!(info.kind, kind, "{d}");
    assert_eq!(info.name, None, "{d}");
}

/// (year, notice, days off, adjusted working days) as counted from the notices.
const EXPECTED: [(i32, &str, usize, usize); 6] = [
    (2021, "国办发明电〔2020〕27号", 31, 7),
    (2022, "国办发明电〔2021〕11号", 31, 7),
    (2023, "国办发明电〔2022〕16号", 27, 7),
    (2024, "国办发明电〔2023〕7号", 28, 8),
    (2025, "国办发明电〔2024〕12号", 28, 5),
    (2026, "国办发明电〔2025〕7号", 33, 6),
];

#[test]
fn every_published_year_from_2021_to_2026_is_complete_with_its_notice() {
    let cal = cal();
    assert_eq!(
        cal.years_complete(),
        vec![2021, 2022, 2023, 2024, 2025, 2026]
    );
    let notices: Vec<(i32, &str)> = cal.notices().collect();
    assert_eq!(
        notices,
        EXPECTED.iter().map(|e| (e.0, e.1)).collect::<Vec<_>>()
    );
    assert_eq!(OFFICIAL_YEARS.len(), EXPECTED.len());
    assert_eq!(
        Calendar::official(),
        cal,
        "the lenient loader loads the same data"
    );
}

#[test]
fn each_year_has_as_many_days_off_and_adjusted_working_days_as_its_notice() {
    let cal = cal();
    for (year, notice, off, adjusted) in EXPECTED {
        let of_notice: Vec<_> = cal.entries().filter(|e| e.source == notice).collect();
        let h = of_notice
            .iter()
            .filter(|e| e.kind == EntryKind::Holiday)
            .count();
        let w = of_notice
            .iter()
            .filter(|e| e.kind == EntryKind::AdjustedWorkday)
            .count();
        assert_eq!((h, w), (off, adjusted), "{year} {notice}");
    }
}

#[test]
fn every_adjusted_working_day_is_a_weekend_day_and_no_official_entry_is_a_closure() {
    use chrono::{Datelike, Weekday};
    for e in cal().entries() {
        assert_ne!(e.kind, EntryKind::Closure);
        if e.kind == EntryKind::AdjustedWorkday {
            assert!(
                matches!(e.date.weekday(), Weekday::Sat | Weekday::Sun),
                "{}",
                e.date
            );
        }
    }
}

#[test]
fn year_2021_follows_guobanfa_mingdian_2020_27() {
    let cal = cal();
    holiday(&cal, "2021-01-01", "元旦");
    holiday(&cal, "2021-02-11", "春节");
    holiday(&cal, "2021-02-17", "春节");
    adjusted(&cal, "2021-02-07", "春节");
    adjusted(&cal, "2021-02-20", "春节");
    holiday(&cal, "2021-05-05", "劳动节");
    adjusted(&cal, "2021-04-25", "劳动节");
    adjusted(&cal, "2021-05-08", "劳动节");
    adjusted(&cal, "2021-09-18", "中秋节");
    holiday(&cal, "2021-10-01", "国庆节");
    holiday(&cal, "2021-10-07", "国庆节");
    adjusted(&cal, "2021-09-26", "国庆节");
    adjusted(&cal, "2021-10-09", "国庆节");
    plain(&cal, "2021-10-08", DayKind::Workday);
}

#[test]
fn year_2022_follows_guobanfa_mingdian_2021_11() {
    let cal = cal();
    holiday(&cal, "2022-01-31", "春节");
    holiday(&cal, "2022-02-06", "春节");
    adjusted(&cal, "2022-01-29", "春节");
    adjusted(&cal, "2022-01-30", "春节");
    plain(&cal, "2022-02-07", DayKind::Workday);
    adjusted(&cal, "2022-04-02", "清明节");
    holiday(&cal, "2022-05-04", "劳动节");
    adjusted(&cal, "2022-05-07", "劳动节");
    holiday(&cal, "2022-09-12", "中秋节");
    holiday(&cal, "2022-10-07", "国庆节");
    adjusted(&cal, "2022-10-08", "国庆节");
    adjusted(&cal, "2022-10-09", "国庆节");
}

#[test]
fn year_2023_follows_guobanfa_mingdian_2022_16_including_new_year_eve_2022() {
    let cal = cal();
    // 元旦：2022年12月31日至2023年1月2日放假调休 (the 2023 notice reaches into 2022).
    holiday(&cal, "2022-12-31", "元旦");
    holiday(&cal, "2023-01-02", "元旦");
    holiday(&cal, "2023-01-21", "春节");
    holiday(&cal, "2023-01-27", "春节");
    adjusted(&cal, "2023-01-28", "春节");
    adjusted(&cal, "2023-01-29", "春节");
    holiday(&cal, "2023-04-05", "清明节");
    adjusted(&cal, "2023-04-23", "劳动节");
    adjusted(&cal, "2023-06-25", "端午节");
    holiday(&cal, "2023-09-29", "中秋节、国庆节");
    holiday(&cal, "2023-10-06", "中秋节、国庆节");
    adjusted(&cal, "2023-10-07", "中秋节、国庆节");
    adjusted(&cal, "2023-10-08", "中秋节、国庆节");
}

#[test]
fn year_2024_follows_guobanfa_mingdian_2023_7() {
    let cal = cal();
    holiday(&cal, "2024-01-01", "元旦");
    holiday(&cal, "2024-02-10", "春节");
    holiday(&cal, "2024-02-17", "春节");
    adjusted(&cal, "2024-02-04", "春节");
    adjusted(&cal, "2024-02-18", "春节");
    adjusted(&cal, "2024-04-07", "清明节");
    adjusted(&cal, "2024-05-11", "劳动节");
    holiday(&cal, "2024-06-10", "端午节");
    adjusted(&cal, "2024-09-14", "中秋节");
    holiday(&cal, "2024-10-01", "国庆节");
    adjusted(&cal, "2024-09-29", "国庆节");
    adjusted(&cal, "2024-10-12", "国庆节");
}

#[test]
fn year_2025_follows_guobanfa_mingdian_2024_12() {
    let cal = cal();
    holiday(&cal, "2025-01-01", "元旦");
    plain(&cal, "2025-01-02", DayKind::Workday);
    holiday(&cal, "2025-01-28", "春节");
    holiday(&cal, "2025-02-04", "春节");
    plain(&cal, "2025-02-05", DayKind::Workday);
    adjusted(&cal, "2025-01-26", "春节");
    adjusted(&cal, "2025-02-08", "春节");
    holiday(&cal, "2025-04-04", "清明节");
    holiday(&cal, "2025-05-05", "劳动节");
    adjusted(&cal, "2025-04-27", "劳动节");
    holiday(&cal, "2025-06-02", "端午节");
    holiday(&cal, "2025-10-01", "国庆节、中秋节");
    holiday(&cal, "2025-10-08", "国庆节、中秋节");
    adjusted(&cal, "2025-09-28", "国庆节、中秋节");
    adjusted(&cal, "2025-10-11", "国庆节、中秋节");
}

#[test]
fn year_2026_follows_guobanfa_mingdian_2025_7() {
    let cal = cal();
    holiday(&cal, "2026-01-01", "元旦");
    holiday(&cal, "2026-01-03", "元旦");
    adjusted(&cal, "2026-01-04", "元旦");
    // 2月14日（周六）上班 — the example.
    adjusted(&cal, "2026-02-14", "春节");
    holiday(&cal, "2026-02-15", "春节");
    holiday(&cal, "2026-02-23", "春节");
    plain(&cal, "2026-02-24", DayKind::Workday);
    adjusted(&cal, "2026-02-28", "春节");
    holiday(&cal, "2026-04-06", "清明节");
    holiday(&cal, "2026-05-05", "劳动节");
    adjusted(&cal, "2026-05-09", "劳动节");
    holiday(&cal, "2026-06-19", "端午节");
    holiday(&cal, "2026-09-25", "中秋节");
    adjusted(&cal, "2026-09-20", "国庆节");
    holiday(&cal, "2026-10-01", "国庆节");
    holiday(&cal, "2026-10-07", "国庆节");
    plain(&cal, "2026-10-08", DayKind::Workday);
    adjusted(&cal, "2026-10-10", "国庆节");
}

#[test]
fn spring_festival_eve_is_a_holiday_only_from_2025_after_the_rule_change() {
    // 国务院令第795号 added the eve (除夕) to the Spring Festival from 2025.
    let cal = cal();
    plain(&cal, "2024-02-09", DayKind::Workday); // 2024 eve: a Friday, still worked
    holiday(&cal, "2025-01-28", "春节"); // 2025 eve
    holiday(&cal, "2026-02-16", "春节"); // 2026 eve
    holiday(&cal, "2025-05-02", "劳动节"); // 2 May became statutory too
}

#[test]
fn ordinary_weekends_and_weekdays_have_no_name() {
    let cal = cal();
    plain(&cal, "2026-11-28", DayKind::Weekend);
    plain(&cal, "2026-11-26", DayKind::Workday);
    assert!(cal.day(date("2026-11-26")).calendar_complete);
}

#[test]
fn an_unpublished_year_uses_provisional_statutory_holidays_and_says_it_is_incomplete() {
    let cal = cal();
    // Issue #15 item 12: 2027's notice is not published, so the statutory holidays of
    // 全国年节及纪念日放假办法 stand in, marked provisional and incomplete.
    let info = cal.day(date("2027-01-01"));
    assert_eq!(info.kind, DayKind::Holiday);
    assert!(!info.working_day);
    assert!(info.provisional);
    assert_eq!(info.name.as_deref(), Some("元旦"));
    assert!(!info.calendar_complete);
    assert!(!cal.is_year_complete(2027));
    for (d, name) in [
        ("2027-02-05", "春节"),
        ("2027-02-08", "春节"),
        ("2027-04-05", "清明节"),
        ("2027-05-03", "劳动节（补假）"),
        ("2027-06-09", "端午节"),
        ("2027-09-15", "中秋节"),
        ("2027-10-01", "国庆节"),
        ("2028-01-26", "春节"),
    ] {
        let info = cal.day(date(d));
        assert!(info.provisional && !info.working_day, "{d}");
        assert_eq!(info.name.as_deref(), Some(name), "{d}");
        assert!(!cal.is_working_day(date(d)), "{d}");
    }
    // An ordinary day of 2027 is a workday, still incomplete; a published day is never
    // provisional.
    let info = cal.day(date("2027-03-10"));
    assert!(info.working_day && !info.provisional && !info.calendar_complete);
    assert!(!cal.day(date("2026-10-01")).provisional);
    // Before 2021 there is no data either.
    assert!(!cal.day(date("2020-10-01")).calendar_complete);
    assert!(cal.is_working_day(date("2020-10-01")));
}

#[test]
fn the_version_is_stable_and_changes_with_the_data() {
    let a = Calendar::official();
    let b = Calendar::official();
    assert_eq!(a.version(), b.version());
    assert!(a.version().starts_with("cal1-"));
    assert_ne!(a.version(), Calendar::empty().version());
    let mut c = a.clone();
    c.import_local("date,kind,name,source\n2026-12-01,closure,停电检修,县政府通知\n")
        .unwrap();
    assert_ne!(a.version(), c.version());
    c.remove_local(date("2026-12-01")).unwrap();
    assert_eq!(a.version(), c.version());
}

#[test]
fn day_kinds_read_from_their_snake_case_names() {
    use serde::de::value::{Error, StrDeserializer};
    for (s, k) in [
        ("workday", DayKind::Workday),
        ("weekend", DayKind::Weekend),
        ("holiday", DayKind::Holiday),
        ("adjusted_workday", DayKind::AdjustedWorkday),
    ] {
        assert_eq!(
            DayKind::deserialize(StrDeserializer::<Error>::new(s)).unwrap(),
            k
        );
    }
}
