//! Properties of the deadline maths over random receipts from 2021 to 2027 (published years
//! and the unpublished 2027) and random periods.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use proofless_domain::calendar::{Calendar, OfficeHours};
use proofless_domain::deadline::{
    DeadlineRecord, Extension, Period, Suspension, compute, office_time_between,
    within_office_hours,
};
use proptest::prelude::*;

static CAL: LazyLock<Calendar> = LazyLock::new(Calendar::official);
static HOURS: LazyLock<OfficeHours> = LazyLock::new(OfficeHours::standard);

/// 2021-01-01T00:00+08:00 .. 2028-01-01T00:00+08:00.
fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    (1_609_430_400i64..1_830_268_800i64).prop_map(|s| DateTime::from_timestamp(s, 0).unwrap())
}

fn period() -> impl Strategy<Value = Period> {
    prop_oneof![
        (1u32..=2_000).prop_map(Period::Minutes),
        (1u32..=40).prop_map(Period::Hours),
        (1u32..=30).prop_map(Period::WorkingDays),
        (1u32..=60).prop_map(Period::CalendarDays),
    ]
}

/// Two periods of one unit, for extensions.
fn same_unit_pair() -> impl Strategy<Value = (Period, Period)> {
    prop_oneof![
        (1u32..=600, 1u32..=600).prop_map(|(a, b)| (Period::Minutes(a), Period::Minutes(b))),
        (1u32..=20, 1u32..=20).prop_map(|(a, b)| (Period::Hours(a), Period::Hours(b))),
        (1u32..=10, 1u32..=5).prop_map(|(a, b)| (Period::WorkingDays(a), Period::WorkingDays(b))),
        (1u32..=30, 1u32..=30)
            .prop_map(|(a, b)| (Period::CalendarDays(a), Period::CalendarDays(b))),
    ]
}

fn extension(period: Period, at: DateTime<Utc>) -> Extension {
    Extension {
        period,
        extended_by: "承办人".into(),
        approved_by: "负责人".into(),
        reason: "情况复杂".into(),
        at,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn a_due_instant_never_falls_outside_office_hours(start in instant(), period in period()) {
        let c = compute(&CAL, &HOURS, &DeadlineRecord::new(start, period));
        let due = c.due.unwrap();
        prop_assert!(within_office_hours(&CAL, &HOURS, due.with_timezone(&Utc)), "{start} + {period} = {due}");
        prop_assert_eq!(due.offset().local_minus_utc(), 8 * 3600);
    }

    #[test]
    fn the_clock_starts_at_receipt_or_later_and_the_due_instant_comes_after(start in instant(), period in period()) {
        let c = compute(&CAL, &HOURS, &DeadlineRecord::new(start, period));
        let eff = c.effective_start.unwrap();
        prop_assert!(eff >= start);
        prop_assert!(within_office_hours(&CAL, &HOURS, eff.with_timezone(&Utc)));
        prop_assert!(c.due.unwrap() > eff);
    }

    #[test]
    fn suspending_for_zero_time_changes_nothing(
        start in instant(), period in period(), offset in 0i64..30 * 86_400,
    ) {
        let plain = DeadlineRecord::new(start, period);
        let at = start + chrono::Duration::seconds(offset);
        let mut suspended = plain.clone();
        suspended.suspensions.push(Suspension { reason: "核验".into(), start: at, end: Some(at) });
        prop_assert_eq!(compute(&CAL, &HOURS, &suspended), compute(&CAL, &HOURS, &plain));
    }

    #[test]
    fn a_suspension_moves_the_due_instant_by_exactly_its_office_time(
        start in instant(), minutes in 1u32..=3_000, from in 0i64..10 * 86_400, len in 0i64..5 * 86_400,
    ) {
        let plain = DeadlineRecord::new(start, Period::Minutes(minutes));
        let a = start + chrono::Duration::seconds(from);
        let b = a + chrono::Duration::seconds(len);
        let mut suspended = plain.clone();
        suspended.suspensions.push(Suspension { reason: "核验".into(), start: a, end: Some(b) });
        let before = compute(&CAL, &HOURS, &plain);
        let after = compute(&CAL, &HOURS, &suspended);
        let expected = office_time_between(&CAL, &HOURS, a, b).seconds;
        prop_assert_eq!(after.suspended_office_seconds, expected);
        let moved = office_time_between(
            &CAL, &HOURS, before.due.unwrap().with_timezone(&Utc), after.due.unwrap().with_timezone(&Utc),
        );
        prop_assert_eq!(moved.seconds, expected);
    }

    #[test]
    fn an_open_suspension_leaves_the_due_instant_unknown(start in instant(), period in period()) {
        let mut r = DeadlineRecord::new(start, period);
        r.suspend("等待核验", start).unwrap();
        let c = compute(&CAL, &HOURS, &r);
        prop_assert!(c.suspended);
        prop_assert_eq!(c.due, None);
    }

    #[test]
    fn extending_then_computing_equals_computing_with_the_longer_period(
        start in instant(), (base, more) in same_unit_pair(),
    ) {
        let mut extended = DeadlineRecord::new(start, base);
        extended.extensions.push(extension(more, start));
        let longer = DeadlineRecord::new(start, base.checked_add(more).unwrap());
        prop_assert_eq!(compute(&CAL, &HOURS, &extended).due, compute(&CAL, &HOURS, &longer).due);
    }

    #[test]
    fn a_longer_period_is_never_due_earlier((base, more) in same_unit_pair(), start in instant()) {
        let short = compute(&CAL, &HOURS, &DeadlineRecord::new(start, base)).due.unwrap();
        let long = compute(&CAL, &HOURS, &DeadlineRecord::new(start, base.checked_add(more).unwrap()))
            .due
            .unwrap();
        prop_assert!(long >= short);
    }

    #[test]
    fn the_due_instant_is_monotonic_in_the_start(
        start in instant(), later in 0i64..20 * 86_400, period in period(),
    ) {
        let s2 = start + chrono::Duration::seconds(later);
        let d1 = compute(&CAL, &HOURS, &DeadlineRecord::new(start, period)).due.unwrap();
        let d2 = compute(&CAL, &HOURS, &DeadlineRecord::new(s2, period)).due.unwrap();
        prop_assert!(d1 <= d2, "{start} → {d1}, {s2} → {d2}");
    }

    #[test]
    fn periods_print_back_to_the_string_they_were_parsed_from(period in period()) {
        prop_assert_eq!(Period::parse(&period.to_string()), Ok(period));
    }
}
