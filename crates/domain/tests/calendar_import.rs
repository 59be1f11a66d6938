//! Local overrides and the import file format `date,kind,name,source` (SPEC "Working days").
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{Datelike, NaiveDate};
use proofless_domain::calendar::{
    Calendar, CalendarError, DayKind, Entry, EntryKind, Field, parse_entries,
};

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn messages(text: &str) -> Vec<String> {
    parse_entries(text)
        .unwrap_err()
        .errors
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn a_county_closure_becomes_a_non_working_day_with_its_name() {
    let mut cal = Calendar::official();
    let n = cal
        .import_local(
            "date,kind,name,source\n2026-07-20,closure,防汛应急停止办公,高青县人民政府通知\n",
        )
        .unwrap();
    assert_eq!(n, 1);
    let info = cal.day(date("2026-07-20"));
    assert!(!info.working_day);
    assert_eq!(info.kind, DayKind::Holiday);
    assert_eq!(info.name.as_deref(), Some("防汛应急停止办公"));
    assert_eq!(cal.local_entries().count(), 1);
}

#[test]
fn local_entries_never_make_an_unpublished_year_complete() {
    let mut cal = Calendar::official();
    cal.import_local("date,kind,name,source\n2027-01-01,closure,元旦（待国务院通知）,县政府通知\n")
        .unwrap();
    assert!(!cal.day(date("2027-01-01")).working_day);
    assert!(!cal.day(date("2027-01-01")).calendar_complete);
    assert!(!cal.is_year_complete(2027));
}

#[test]
fn every_bad_row_is_reported_with_its_line_number_and_field_in_chinese() {
    let text = "date,kind,name,source
2026-07-20,closure,防汛停止办公,县政府通知
2026-02-30,closure,停电,县政府通知
2026-07-21,vacation,,县政府通知
2026-07-22,adjusted_workday,补班,县政府通知
2026-07-20,holiday,重复的日期,县政府通知
2026-07-23,closure,只有三列
2026-07-24,closure,停电,
";
    assert_eq!(
        messages(text),
        vec![
            "第3行 日期：'2026-02-30' 不是有效日期",
            "第4行 类型：'vacation' 不是有效类型（应为 holiday、adjusted_workday 或 closure）",
            "第4行 名称：不能为空",
            "第5行 类型：'2026-07-22' 是星期三，本来就是工作日，不能设为调休上班日（adjusted_workday 只用于周六、周日）",
            "第6行 日期：'2026-07-20' 与第2行冲突（第2行为本地停止办公日，本行为节假日）",
            "第7行 列数：应有4列（date,kind,name,source），实际有3列",
            "第8行 来源：不能为空",
        ]
    );
}

#[test]
fn a_file_with_any_bad_row_imports_nothing() {
    let mut cal = Calendar::official();
    let before = cal.clone();
    let text = "date,kind,name,source\n2026-07-20,closure,防汛,县政府通知\n2026-13-01,closure,x,县政府通知\n";
    let err = cal.import_local(text).unwrap_err();
    assert_eq!(err.errors.len(), 1);
    assert_eq!(err.errors[0].line, 3);
    assert_eq!(err.errors[0].field, Field::Date);
    assert_eq!(cal, before);
}

#[test]
fn the_same_date_twice_in_one_file_is_a_duplicate() {
    let text = "date,kind,name,source\n2026-07-20,closure,防汛,县政府通知\n2026-07-20,closure,防汛,县政府通知\n";
    assert_eq!(messages(text), vec!["第3行 日期：'2026-07-20' 与第2行重复"]);
}

#[test]
fn an_entry_on_a_date_the_state_council_already_arranged_is_refused() {
    let mut cal = Calendar::official();
    let err = cal
        .import_local(
            "date,kind,name,source\n2026-10-01,holiday,国庆节,县政府通知\n2026-02-14,closure,停电,县政府通知\n",
        )
        .unwrap_err();
    let msgs: Vec<String> = err.errors.iter().map(ToString::to_string).collect();
    assert_eq!(
        msgs,
        vec![
            "第2行 日期：'2026-10-01' 已有节假日（国庆节，国办发明电〔2025〕7号），重复",
            "第3行 日期：'2026-02-14' 已有调休上班日（春节，国办发明电〔2025〕7号），冲突",
        ]
    );
}

#[test]
fn a_wrong_or_missing_header_is_refused() {
    assert_eq!(
        messages("日期,类型,名称,来源\n2026-07-20,closure,防汛,县政府通知\n"),
        vec!["第1行 表头：应为 'date,kind,name,source'，实际为 '日期,类型,名称,来源'"]
    );
    assert_eq!(
        messages(""),
        vec!["第1行 表头：文件为空，缺少表头 'date,kind,name,source'"]
    );
}

#[test]
fn quoted_fields_blank_lines_crlf_and_a_byte_order_mark_are_accepted() {
    let text =
        "\u{feff}date,kind,name,source\r\n\r\n2026-07-20,closure,\"停电, 检修\",\"县政府通知\"\r\n";
    let rows = parse_entries(text).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].line, 3);
    assert_eq!(rows[0].entry.name, "停电, 检修");
}

#[test]
fn dates_must_be_written_in_full_and_within_the_supported_range() {
    assert_eq!(
        messages("date,kind,name,source\n2026-7-20,closure,x,y\n1999-01-04,closure,x,y\n"),
        vec![
            "第2行 日期：'2026-7-20' 不是有效日期",
            "第3行 日期：'1999-01-04' 超出支持范围（2000–2199年）"
        ]
    );
}

#[test]
fn entries_built_in_code_are_checked_like_imported_rows() {
    let mut cal = Calendar::official();
    let e = |d: &str, kind| Entry {
        date: date(d),
        kind,
        name: "停电".into(),
        source: "县政府通知".into(),
    };
    let err = cal
        .add_local(vec![
            e("2026-07-20", EntryKind::Closure),
            e("2026-07-20", EntryKind::Closure),
        ])
        .unwrap_err();
    assert_eq!(
        err.errors[0].to_string(),
        "第3行 日期：'2026-07-20' 与第2行重复"
    );
    assert_eq!(
        cal.add_local(vec![e("2026-07-25", EntryKind::AdjustedWorkday)]),
        Ok(1)
    );
    assert!(cal.is_working_day(date("2026-07-25"))); // a Saturday made working locally
    assert!(
        cal.remove_local(date("2026-10-01")).is_none(),
        "official entries stay"
    );
}

#[test]
fn a_newly_published_year_can_be_loaded_and_then_counts_as_complete() {
    // Test data only: the real 2027 notice is not published yet.
    let mut cal = Calendar::official();
    let csv = "date,kind,name,source\n2027-01-01,holiday,元旦,测试通知〔2026〕1号\n";
    assert_eq!(
        cal.add_published_year(2027, "测试通知〔2026〕1号", csv),
        Ok(1)
    );
    assert!(cal.is_year_complete(2027));
    assert!(cal.day(date("2027-01-01")).calendar_complete);
    assert_eq!(
        cal.add_published_year(2027, "测试通知〔2026〕1号", csv),
        Err(CalendarError::YearAlreadyLoaded(2027))
    );
}

#[test]
fn a_published_year_must_carry_its_notice_and_stay_in_its_year() {
    let mut cal = Calendar::official();
    let csv = "date,kind,name,source\n2027-01-01,holiday,元旦,别的通知\n2028-01-01,holiday,元旦,测试通知\n2027-07-20,closure,停电,测试通知\n";
    let err = cal.add_published_year(2027, "测试通知", csv).unwrap_err();
    let CalendarError::Rows(2027, rows) = err else {
        panic!("{err:?}")
    };
    let msgs: Vec<String> = rows.errors.iter().map(ToString::to_string).collect();
    assert_eq!(
        msgs,
        vec![
            "第2行 来源：应为 '测试通知'，实际为 '别的通知'",
            "第3行 日期：'2028-01-01' 不属于2027年的放假安排",
            "第4行 类型：国务院放假安排只能是 holiday 或 adjusted_workday",
        ]
    );
    assert!(!cal.is_year_complete(2027));
}

#[test]
fn a_loaded_notice_replaces_the_provisional_days_of_its_year() {
    // Issue #15 item 12: until the notice is loaded, 2027-10-04 is a provisional make-up day
    // for National Day; the (test) notice says otherwise and wins entirely.
    let mut cal = Calendar::official();
    let before = cal.version().to_owned();
    assert!(cal.day(date("2027-10-04")).provisional);
    assert!(cal.day(date("2028-01-26")).provisional);
    let csv = "date,kind,name,source\n2027-10-01,holiday,国庆节,测试通知〔2026〕1号\n\
               2027-10-09,adjusted_workday,国庆节,测试通知〔2026〕1号\n";
    cal.add_published_year(2027, "测试通知〔2026〕1号", csv)
        .unwrap();
    let info = cal.day(date("2027-10-04"));
    assert!(info.working_day && !info.provisional && info.calendar_complete);
    assert!(cal.is_working_day(date("2027-10-09")));
    assert!(cal.provisional_entries().all(|e| e.date.year() != 2027));
    // Other unpublished years keep theirs; the version changes.
    assert!(cal.day(date("2028-01-26")).provisional);
    assert_ne!(cal.version(), before);
}
