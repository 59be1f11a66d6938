//! Deadline rules against the working-day calendar and office hours (SPEC "Working days",
//! DESIGN "Deadlines"). Default office hours: 08:30–12:00, 13:30–17:30 (October–April) and
//! 08:30–12:00, 14:00–18:00 (May–September), Asia/Shanghai.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Utc};
use proofless_domain::calendar::{Calendar, OfficeHours, Season, Session};
use proofless_domain::deadline::{
    Computed, DeadlineError, DeadlineRecord, DeadlineRule, Extension, Period, RuleBook, RuleError,
    compute, effective_receipt, keys, office_minutes_between, office_time_between,
};

/// A local (+08:00) time "YYYY-MM-DD HH:MM" as a UTC instant.
fn at(s: &str) -> DateTime<Utc> {
    let naive = NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
    shanghai()
        .from_local_datetime(&naive)
        .unwrap()
        .with_timezone(&Utc)
}

fn local(s: &str) -> DateTime<FixedOffset> {
    at(s).with_timezone(&shanghai())
}

fn shanghai() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).unwrap()
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn p(s: &str) -> Period {
    Period::parse(s).unwrap()
}

fn run(cal: &Calendar, start: &str, period: &str) -> Computed {
    compute(
        cal,
        &OfficeHours::standard(),
        &DeadlineRecord::new(at(start), p(period)),
    )
}

#[track_caller]
fn due(start: &str, period: &str, expected: &str) {
    let c = run(&Calendar::official(), start, period);
    assert_eq!(c.due, Some(local(expected)), "{start} + {period}");
    assert!(c.calendar_complete);
    assert!(!c.suspended);
}

// --- office time: 30m and the like (A2 §7: data in a database answers within 30 minutes) ---

#[test]
fn an_electronic_verification_received_at_ten_is_due_at_half_past_ten() {
    due("2026-11-24 10:00", "30m", "2026-11-24 10:30"); // A2 §7
}

#[test]
fn thirty_minutes_from_half_past_eleven_end_at_noon_not_after_lunch() {
    due("2026-11-24 11:30", "30m", "2026-11-24 12:00"); // A2 §7
}

#[test]
fn thirty_minutes_from_a_quarter_to_twelve_finish_after_the_winter_lunch_break() {
    due("2026-11-24 11:45", "30m", "2026-11-24 13:45"); // A2 §7
}

#[test]
fn thirty_minutes_from_a_quarter_to_twelve_finish_after_the_longer_summer_lunch_break() {
    due("2026-06-10 11:45", "30m", "2026-06-10 14:15"); // A2 §7
}

#[test]
fn a_request_received_during_lunch_counts_from_the_afternoon_opening() {
    due("2026-11-24 12:30", "30m", "2026-11-24 14:00");
    assert_eq!(
        effective_receipt(
            &Calendar::official(),
            &OfficeHours::standard(),
            at("2026-11-24 12:30")
        ),
        Some(local("2026-11-24 13:30"))
    );
}

#[test]
fn thirty_minutes_from_a_quarter_past_five_run_into_the_next_morning() {
    due("2026-11-24 17:15", "30m", "2026-11-25 08:45");
}

#[test]
fn a_request_received_exactly_at_closing_counts_from_the_next_opening() {
    due("2026-11-24 17:30", "30m", "2026-11-25 09:00");
    due("2026-11-24 12:00", "30m", "2026-11-24 14:00");
}

#[test]
fn a_request_received_before_opening_counts_from_that_mornings_opening() {
    due("2026-11-24 07:00", "2h", "2026-11-24 10:30");
}

#[test]
fn hours_of_office_time_skip_the_night_and_the_weekend() {
    // Friday 16:30–17:30 is 1 h; Monday 08:30–12:00 and 13:30–17:00 are the other 7 h.
    due("2026-11-20 16:30", "8h", "2026-11-23 17:00");
}

#[test]
fn office_time_crosses_from_summer_to_winter_hours_over_national_day() {
    // Wednesday 30 September 17:45 (summer: closes 18:00) leaves 15 minutes; then the
    // National Day break; Thursday 8 October opens at 08:30.
    due("2026-09-30 17:45", "30m", "2026-10-08 08:45");
}

// --- working days (A2 §7, A3 §9, A4 §10) ---

#[test]
fn received_on_friday_evening_counts_from_monday_opening() {
    let cal = Calendar::official();
    let c = run(&cal, "2026-11-20 20:00", "1wd");
    assert_eq!(c.effective_start, Some(local("2026-11-23 08:30")));
    assert_eq!(c.due, Some(local("2026-11-24 17:30"))); // A2 §7: 1 working day
    due("2026-11-20 20:00", "30m", "2026-11-23 09:00");
}

#[test]
fn one_working_day_does_not_count_the_day_of_receipt() {
    due("2026-11-24 10:00", "1wd", "2026-11-25 17:30"); // A2 §7, 期间开始之日不计算在内
}

#[test]
fn a_request_received_before_opening_is_received_that_day() {
    due("2026-11-24 07:00", "1wd", "2026-11-25 17:30");
}

#[test]
fn a_request_received_after_closing_is_received_the_next_working_day() {
    due("2026-11-24 18:00", "1wd", "2026-11-26 17:30");
}

#[test]
fn a_working_day_deadline_in_summer_closes_at_six() {
    due("2026-06-09 10:00", "1wd", "2026-06-10 18:00");
}

#[test]
fn the_adjusted_saturday_before_spring_festival_counts_as_a_working_day() {
    // 2026-02-14 (Saturday) is worked (国办发明电〔2025〕7号); 15–23 February are off.
    due("2026-02-13 10:00", "1wd", "2026-02-14 17:30"); // A2 §7
    due("2026-02-13 10:00", "2wd", "2026-02-24 17:30"); // A2 §7
}

#[test]
fn a_request_received_on_the_adjusted_saturday_is_received_that_day() {
    due("2026-02-14 10:00", "1wd", "2026-02-24 17:30");
}

#[test]
fn a_request_received_during_spring_festival_counts_from_the_first_day_back() {
    let cal = Calendar::official();
    let c = run(&cal, "2026-02-17 09:00", "1wd");
    assert_eq!(c.effective_start, Some(local("2026-02-24 08:30")));
    assert_eq!(c.due, Some(local("2026-02-25 17:30")));
}

#[test]
fn national_day_is_skipped_and_its_adjusted_saturday_is_worked() {
    due("2026-09-30 10:00", "1wd", "2026-10-08 17:30"); // October: winter hours
    // A complaint accepted on Monday 28 September is handled within 5 working days (A4 §10):
    // 29, 30 September, 8, 9 October and Saturday 10 October (adjusted working day).
    due("2026-09-28 10:00", "5wd", "2026-10-10 17:30");
}

#[test]
fn a_request_received_on_a_saturday_before_an_adjusted_sunday_counts_from_that_sunday() {
    // 2026-09-20 (Sunday) is worked for National Day.
    let c = run(&Calendar::official(), "2026-09-19 10:00", "1wd");
    assert_eq!(c.effective_start, Some(local("2026-09-20 08:30")));
    assert_eq!(c.due, Some(local("2026-09-21 18:00")));
}

#[test]
fn an_adjustment_application_gets_seven_working_days_across_labour_day() {
    // A3 §9: 29, 30 April, 6, 7, 8 May, Saturday 9 May (adjusted), Monday 11 May.
    due("2026-04-28 10:00", "7wd", "2026-05-11 18:00");
}

#[test]
fn a_deadline_crosses_the_year_end_into_new_year_holidays() {
    // 1–3 January 2026 off, Sunday 4 January worked (国办发明电〔2025〕7号).
    due("2025-12-31 10:00", "1wd", "2026-01-04 17:30");
    due("2025-12-31 10:00", "2wd", "2026-01-05 17:30");
}

#[test]
fn a_deadline_reaching_into_an_unpublished_year_uses_provisional_holidays_and_is_flagged() {
    let cal = Calendar::official();
    // Issue #15 item 12: 2027 has no notice, so 元旦 (Friday 1 January 2027, 全国年节及纪念日
    // 放假办法) is a provisional holiday: the deadline skips it and says it is not final.
    let c = run(&cal, "2026-12-31 10:00", "2wd");
    assert_eq!(c.due, Some(local("2027-01-05 17:30")));
    assert!(!c.calendar_complete);
    // The same rule entirely inside 2026 is complete.
    let c = run(&cal, "2026-12-30 10:00", "1wd");
    assert_eq!(c.due, Some(local("2026-12-31 17:30")));
    assert!(c.calendar_complete);
}

#[test]
fn a_deadline_before_2021_is_flagged_incomplete() {
    let c = run(&Calendar::official(), "2020-09-30 10:00", "1wd");
    assert_eq!(c.due, Some(local("2020-10-01 17:30"))); // the real 2020 holiday is not guessed
    assert!(!c.calendar_complete);
}

// --- calendar days (statutory periods) ---

#[test]
fn calendar_days_do_not_count_the_day_of_start_and_end_at_closing() {
    due("2026-11-24 10:00", "10cd", "2026-12-04 17:30");
}

#[test]
fn calendar_days_ending_on_a_holiday_move_to_the_next_working_day() {
    // 24 September + 7 = 1 October (National Day) → 8 October.
    due("2026-09-24 10:00", "7cd", "2026-10-08 17:30");
    // Ending on a Sunday → Monday.
    due("2026-11-24 10:00", "5cd", "2026-11-30 17:30");
}

// --- suspensions ---

#[test]
fn a_suspension_moves_the_due_instant_by_the_office_time_suspended() {
    let cal = Calendar::official();
    let hours = OfficeHours::standard();
    let mut r = DeadlineRecord::new(at("2026-11-24 10:00"), p("1wd")); // due Wed 17:30
    r.suspend("等待部门核验（A2 §7）", at("2026-11-24 15:00"))
        .unwrap();
    let c = compute(&cal, &hours, &r);
    assert_eq!(c.due, None);
    assert!(c.suspended);
    r.resume(at("2026-11-25 10:00")).unwrap();
    // Suspended office time: Tue 15:00–17:30 + Wed 08:30–10:00 = 4 h.
    let c = compute(&cal, &hours, &r);
    assert_eq!(c.suspended_office_seconds, 4 * 3600);
    assert!(!c.suspended);
    // Wed 17:30 + 4 h office time = Thu 08:30–12:00 (3.5 h) + 13:30–14:00.
    assert_eq!(c.due, Some(local("2026-11-26 14:00")));
}

#[test]
fn a_suspension_over_a_night_only_changes_nothing() {
    let cal = Calendar::official();
    let mut r = DeadlineRecord::new(at("2026-11-24 10:00"), p("30m"));
    r.suspend("夜间", at("2026-11-24 19:00")).unwrap();
    r.resume(at("2026-11-25 07:00")).unwrap();
    let c = compute(&cal, &OfficeHours::standard(), &r);
    assert_eq!(c.suspended_office_seconds, 0);
    assert_eq!(c.due, Some(local("2026-11-24 10:30")));
}

#[test]
fn overlapping_suspensions_are_counted_once() {
    let cal = Calendar::official();
    let mut r = DeadlineRecord::new(at("2026-11-24 09:00"), p("30m")); // due 09:30
    for (a, b) in [
        ("2026-11-24 09:10", "2026-11-24 09:40"),
        ("2026-11-24 09:20", "2026-11-24 09:50"),
    ] {
        r.suspensions.push(proofless_domain::deadline::Suspension {
            reason: "核验".into(),
            start: at(a),
            end: Some(at(b)),
        });
    }
    let c = compute(&cal, &OfficeHours::standard(), &r);
    assert_eq!(c.suspended_office_seconds, 40 * 60);
    assert_eq!(c.due, Some(local("2026-11-24 10:10")));
}

#[test]
fn suspending_twice_or_resuming_without_a_suspension_is_refused() {
    let mut r = DeadlineRecord::new(at("2026-11-24 10:00"), p("1wd"));
    assert_eq!(
        r.resume(at("2026-11-24 11:00")),
        Err(DeadlineError::NotSuspended)
    );
    assert_eq!(
        r.suspend(" ", at("2026-11-24 11:00")),
        Err(DeadlineError::MissingReason)
    );
    assert_eq!(
        r.suspend("核验", at("2026-11-24 09:00")),
        Err(DeadlineError::SuspendBeforeStart)
    );
    r.suspend("核验", at("2026-11-24 11:00")).unwrap();
    assert_eq!(
        r.suspend("核验", at("2026-11-24 12:00")),
        Err(DeadlineError::AlreadySuspended)
    );
    assert_eq!(
        r.resume(at("2026-11-24 10:30")),
        Err(DeadlineError::ResumeBeforeSuspend)
    );
    assert_eq!(
        DeadlineError::AlreadySuspended.to_string(),
        "期限已中止，须先恢复再中止"
    );
}

// --- extensions (A4 §10) ---

fn extension(period: &str) -> Extension {
    Extension {
        period: p(period),
        extended_by: "投诉受理人 张三".into(),
        approved_by: "县大数据中心 李四".into(),
        reason: "案情复杂，需多部门核实".into(),
        at: at("2026-11-25 09:00"),
    }
}

fn complaint_rule() -> DeadlineRule {
    RuleBook::defaults()
        .in_force(keys::COMPLAINT_HANDLING, date("2026-11-24"))
        .unwrap()
        .clone()
}

#[test]
fn a_complaint_may_be_extended_by_five_working_days_in_all_and_no_more() {
    let rule = complaint_rule(); // A4 §10: 5 working days, at most 5 more in all
    let mut r = DeadlineRecord::from_rule(&rule, at("2026-11-24 10:00"));
    r.extend(&rule, extension("3wd")).unwrap();
    r.extend(&rule, extension("2wd")).unwrap();
    let err = r.extend(&rule, extension("1wd")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "延长期限合计不得超过5个工作日：已延长5个工作日，本次申请1个工作日，超出上限"
    );
    assert_eq!(r.extensions.len(), 2);
    assert_eq!(r.total_period(), Some(p("10wd")));
}

#[test]
fn a_single_extension_beyond_the_cap_is_refused() {
    let rule = complaint_rule();
    let mut r = DeadlineRecord::from_rule(&rule, at("2026-11-24 10:00"));
    let err = r.extend(&rule, extension("6wd")).unwrap_err();
    assert!(matches!(err, DeadlineError::ExtensionCap { .. }));
    assert!(r.extensions.is_empty());
}

#[test]
fn an_extension_must_say_who_extended_who_approved_and_why() {
    let rule = complaint_rule();
    let mut r = DeadlineRecord::from_rule(&rule, at("2026-11-24 10:00"));
    let mut e = extension("1wd");
    e.approved_by = String::new();
    assert_eq!(
        r.extend(&rule, e).unwrap_err().to_string(),
        "延长记录须写明审批人"
    );
    let mut e = extension("1wd");
    e.reason = "  ".into();
    assert_eq!(
        r.extend(&rule, e).unwrap_err().to_string(),
        "延长记录须写明延长理由"
    );
}

#[test]
fn a_rule_without_a_cap_cannot_be_extended() {
    let book = RuleBook::defaults();
    let rule = book
        .in_force(keys::VERIFICATION_ELECTRONIC, date("2026-11-24"))
        .unwrap();
    let mut r = DeadlineRecord::from_rule(rule, at("2026-11-24 10:00"));
    assert_eq!(
        r.extend(rule, extension("10m")).unwrap_err().to_string(),
        "规则 verification.electronic 不允许延长期限"
    );
}

#[test]
fn an_extension_in_another_unit_than_the_cap_is_refused() {
    let rule = complaint_rule();
    let mut r = DeadlineRecord::from_rule(&rule, at("2026-11-24 10:00"));
    assert!(matches!(
        r.extend(&rule, extension("3cd")).unwrap_err(),
        DeadlineError::ExtensionUnit { .. }
    ));
}

#[test]
fn extending_a_complaint_then_computing_equals_computing_the_longer_period() {
    let cal = Calendar::official();
    let hours = OfficeHours::standard();
    let rule = complaint_rule();
    let mut r = DeadlineRecord::from_rule(&rule, at("2026-09-28 10:00"));
    r.extend(&rule, extension("5wd")).unwrap();
    let longer = DeadlineRecord::new(at("2026-09-28 10:00"), p("10wd"));
    assert_eq!(compute(&cal, &hours, &r), compute(&cal, &hours, &longer));
    // 5wd → Sat 10 Oct; 5 more: 12, 13, 14, 15, 16 October.
    assert_eq!(
        compute(&cal, &hours, &r).due,
        Some(local("2026-10-16 17:30"))
    );
}

#[test]
fn an_extension_in_another_measure_is_added_after_the_due_instant() {
    let cal = Calendar::official();
    let mut r = DeadlineRecord::new(at("2026-11-24 10:00"), p("1wd")); // due Wed 17:30
    r.extensions.push(extension("30m"));
    let c = compute(&cal, &OfficeHours::standard(), &r);
    assert_eq!(c.due, Some(local("2026-11-26 09:00")));
}

// --- rules as versioned settings ---

#[test]
fn the_default_rules_are_in_force_from_the_seeds_date() {
    let book = RuleBook::defaults();
    let on = date("2021-03-12");
    let period = |k: &str| book.in_force(k, on).map(|r| r.period.to_string());
    assert_eq!(
        period(keys::VERIFICATION_ELECTRONIC).as_deref(),
        Some("30m")
    ); // A2 §7
    assert_eq!(
        period(keys::VERIFICATION_PAPER_ARCHIVE).as_deref(),
        Some("1wd")
    ); // A2 §7
    assert_eq!(
        period(keys::VERIFICATION_INCOMPLETE_ARCHIVE).as_deref(),
        Some("2wd")
    ); // A2 §7
    assert_eq!(period(keys::COMPLAINT_ACCEPTANCE).as_deref(), Some("1wd"));
    assert_eq!(period(keys::COMPLAINT_HANDLING).as_deref(), Some("5wd")); // A4 §10
    assert_eq!(period(keys::ADJUSTMENT_APPLICATION).as_deref(), Some("7wd")); // A3 §9
    let handling = book.in_force(keys::COMPLAINT_HANDLING, on).unwrap();
    assert_eq!(handling.max_extension, Some(p("5wd")));
    assert_eq!(handling.version, 1);
    assert!(
        book.in_force(keys::VERIFICATION_ELECTRONIC, date("2021-03-11"))
            .is_none()
    );
    assert!(book.in_force("no.such.rule", on).is_none());
    assert_eq!(book.keys().count(), 8);
}

fn v(version: u32, from: &str, period: &str) -> DeadlineRule {
    DeadlineRule {
        key: keys::VERIFICATION_ELECTRONIC.into(),
        period: p(period),
        max_extension: None,
        version,
        effective_from: date(from),
    }
}

#[test]
fn a_new_rule_version_applies_from_its_effective_date() {
    let mut book = RuleBook::defaults();
    book.insert(v(2, "2027-01-01", "20m")).unwrap();
    let period = |d: &str| {
        book.in_force(keys::VERIFICATION_ELECTRONIC, date(d))
            .unwrap()
            .period
    };
    assert_eq!(period("2026-12-31"), p("30m"));
    assert_eq!(period("2027-01-01"), p("20m"));
    assert_eq!(book.versions(keys::VERIFICATION_ELECTRONIC).len(), 2);
}

#[test]
fn duplicate_and_overlapping_rule_versions_are_refused() {
    let mut book = RuleBook::defaults();
    assert!(matches!(
        book.insert(v(1, "2027-01-01", "20m")),
        Err(RuleError::Duplicate { .. })
    ));
    assert!(matches!(
        book.insert(v(2, "2021-03-12", "20m")),
        Err(RuleError::SameDate { .. })
    ));
    assert!(matches!(
        book.insert(v(2, "2020-01-01", "20m")),
        Err(RuleError::OutOfOrder { .. })
    ));
    assert!(matches!(
        book.insert(v(0, "2028-01-01", "20m")),
        Err(RuleError::VersionZero(_))
    ));
    assert_eq!(
        book.insert(v(1, "2027-01-01", "20m"))
            .unwrap_err()
            .to_string(),
        "规则 verification.electronic 的第1版已存在"
    );
    let mut bad = v(2, "2027-01-01", "1wd");
    bad.max_extension = Some(p("3cd"));
    assert!(matches!(
        book.insert(bad),
        Err(RuleError::ExtensionUnit { .. })
    ));
    assert!(RuleBook::new(vec![v(1, "2021-01-01", "30m"), v(1, "2022-01-01", "20m")]).is_err());
}

// --- office time between instants ---

#[test]
fn office_minutes_between_two_instants_skip_lunch_nights_and_weekends() {
    let cal = Calendar::official();
    let hours = OfficeHours::standard();
    assert_eq!(
        office_minutes_between(&cal, &hours, at("2026-11-24 11:00"), at("2026-11-24 14:00")),
        90
    );
    assert_eq!(
        office_minutes_between(&cal, &hours, at("2026-11-20 17:00"), at("2026-11-23 09:00")),
        60
    );
    assert_eq!(
        office_minutes_between(&cal, &hours, at("2026-11-24 14:00"), at("2026-11-24 11:00")),
        0
    );
    // The whole Spring Festival break holds no office time.
    let t = office_time_between(&cal, &hours, at("2026-02-14 17:30"), at("2026-02-24 08:30"));
    assert_eq!(t.seconds, 0);
    assert!(t.calendar_complete);
    // 1 January 2027 is a provisional holiday (issue #15 item 12): only 17:00–17:30 counts.
    let t = office_time_between(&cal, &hours, at("2026-12-31 17:00"), at("2027-01-01 09:00"));
    assert_eq!(t.minutes(), 30);
    assert!(!t.calendar_complete);
}

// --- configurable office hours ---

#[test]
fn office_hours_can_be_configured_per_season() {
    let s = |x: &str| Session::parse(x).unwrap();
    let hours = OfficeHours::new(vec![Season {
        from_month: 1,
        to_month: 12,
        sessions: vec![s("09:00-12:00"), s("13:00-17:00")],
    }])
    .unwrap();
    let c = compute(
        &Calendar::official(),
        &hours,
        &DeadlineRecord::new(at("2026-11-24 11:45"), p("30m")),
    );
    assert_eq!(c.due, Some(local("2026-11-24 13:15")));
}

#[test]
fn office_hours_missing_or_repeating_a_month_are_refused_in_chinese() {
    let s = |x: &str| Session::parse(x).unwrap();
    let season = |a, b| Season {
        from_month: a,
        to_month: b,
        sessions: vec![s("08:30-12:00")],
    };
    assert_eq!(
        OfficeHours::new(vec![season(10, 4), season(5, 8)])
            .unwrap_err()
            .to_string(),
        "9月没有设置办公时间"
    );
    assert_eq!(
        OfficeHours::new(vec![season(10, 4), season(4, 9)])
            .unwrap_err()
            .to_string(),
        "4月被多个季节重复设置"
    );
    let overlapping = Season {
        from_month: 1,
        to_month: 12,
        sessions: vec![s("08:30-12:00"), s("11:00-17:00")],
    };
    assert_eq!(
        OfficeHours::new(vec![overlapping]).unwrap_err().to_string(),
        "办公时段 08:30-12:00 与 11:00-17:00 重叠或顺序颠倒"
    );
    assert_eq!(
        Session::parse("8点半-12点").unwrap_err().to_string(),
        "办公时段 '8点半-12点' 格式无效（应为 HH:MM-HH:MM，例如 08:30-12:00）"
    );
}

#[test]
fn a_local_closure_is_skipped_like_a_holiday() {
    let mut cal = Calendar::official();
    cal.import_local(
        "date,kind,name,source\n2026-11-25,closure,防汛应急停止办公,高青县人民政府通知\n",
    )
    .unwrap();
    let c = run(&cal, "2026-11-24 10:00", "1wd");
    assert_eq!(c.due, Some(local("2026-11-26 17:30")));
    assert!(c.calendar_complete);
}

#[test]
fn periods_read_and_write_as_their_strings() {
    use serde::Deserialize;
    use serde::de::value::{Error, StrDeserializer};
    let p5 = Period::deserialize(StrDeserializer::<Error>::new("5wd")).unwrap();
    assert_eq!(p5, Period::WorkingDays(5));
    assert_eq!(p5.to_string(), "5wd");
    assert!(Period::deserialize(StrDeserializer::<Error>::new("5 days")).is_err());
    assert_eq!(p("5wd").describe(), "5个工作日");
}
