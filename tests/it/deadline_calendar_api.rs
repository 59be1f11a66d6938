//! The public calendar API contract (issue #4 "API contract used by outside checks") and the
//! deadline rules around breaks, evenings, weekends, Spring Festival, National Day, year ends
//! and an unpublished year, checked against the State Council notices embedded in the domain.

use proofless_domain::calendar::{Calendar, OFFICIAL_YEARS, parse_entries};
use serde_json::{Value, json};

use crate::common::{Backend, spawn};

async fn day(t: &crate::common::TestApp, date: &str) -> (u16, Value, Option<String>) {
    let res = t.client().get(&format!("/api/v1/calendar/{date}")).await;
    let status = res.status().as_u16();
    let complete = res
        .headers()
        .get("x-calendar-complete")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    (status, res.json().await.unwrap(), complete)
}

async fn due(t: &crate::common::TestApp, start: &str, period: &str) -> (u16, Value) {
    let c = t.client();
    let res = c
        .http
        .get(c.url("/api/v1/calendar/deadline"))
        .query(&[("start", start), ("period", period)])
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.json().await.unwrap())
}

async fn calendar_day_answers_the_exact_contract(b: Backend) {
    let Some(t) = spawn(b).await else { return };
    // The example of the contract: 2026-02-14 is a Saturday made a working day for 春节
    // (国办发明电〔2025〕7号).
    let (s, v, complete) = day(&t, "2026-02-14").await;
    assert_eq!(s, 200);
    assert_eq!(
        v,
        json!({"date":"2026-02-14","working_day":true,"kind":"adjusted_workday","name":"春节"})
    );
    assert_eq!(complete.as_deref(), Some("true"));
    let (_, v, _) = day(&t, "2026-02-17").await;
    assert_eq!(
        v,
        json!({"date":"2026-02-17","working_day":false,"kind":"holiday","name":"春节"})
    );
    let (_, v, _) = day(&t, "2026-03-12").await;
    assert_eq!(
        v,
        json!({"date":"2026-03-12","working_day":true,"kind":"workday","name":null})
    );
    let (_, v, _) = day(&t, "2026-03-14").await;
    assert_eq!(
        v,
        json!({"date":"2026-03-14","working_day":false,"kind":"weekend","name":null})
    );
    let (_, v, _) = day(&t, "2026-10-10").await;
    assert_eq!(
        v,
        json!({"date":"2026-10-10","working_day":true,"kind":"adjusted_workday","name":"国庆节"})
    );
    // An unpublished year: plain weekends, and the header says the answer is not final.
    let (s, v, complete) = day(&t, "2027-10-01").await;
    assert_eq!(s, 200);
    assert_eq!(
        v,
        json!({"date":"2027-10-01","working_day":true,"kind":"workday","name":null})
    );
    assert_eq!(complete.as_deref(), Some("false"));
}

async fn every_official_entry_is_served_as_in_its_notice(b: Backend) {
    let Some(t) = spawn(b).await else { return };
    // Seed the database as `proofless serve` does and answer from it.
    proofless_app::calendar::reload(&t.app).await.unwrap();
    for y in OFFICIAL_YEARS {
        for row in parse_entries(y.csv).unwrap() {
            let e = row.entry;
            let (s, v, complete) = day(&t, &e.date.to_string()).await;
            assert_eq!(s, 200);
            assert_eq!(
                v["kind"],
                json!(e.kind.day_kind()),
                "{} {}",
                y.notice,
                e.date
            );
            assert_eq!(v["working_day"], json!(e.kind.is_working()), "{}", e.date);
            assert_eq!(v["name"], json!(e.name), "{}", e.date);
            assert_eq!(e.source, y.notice);
            assert_eq!(complete.as_deref(), Some("true"));
        }
    }
    // The database holds the same data as the binary: same fingerprint.
    assert_eq!(t.app.calendar().version(), Calendar::official().version());
    let years = proofless_app::calendar::years(&t.app).await.unwrap();
    assert_eq!(years.len(), OFFICIAL_YEARS.len());
    assert!(
        years
            .iter()
            .all(|y| y.origin.as_str() == "builtin" && !y.notice.is_empty())
    );
}

async fn deadline_api_follows_the_rules(b: Backend) {
    let Some(t) = spawn(b).await else { return };
    let cases: &[(&str, &str, &str, bool)] = &[
        // 30 minutes across the lunch break (winter: 12:00–13:30).
        (
            "2026-03-12T11:45:00+08:00",
            "30m",
            "2026-03-12T13:45:00+08:00",
            true,
        ),
        // Summer hours: the afternoon opens at 14:00.
        (
            "2026-06-10T11:50:00+08:00",
            "30m",
            "2026-06-10T14:20:00+08:00",
            true,
        ),
        // Ending exactly at noon stays at noon.
        (
            "2026-03-12T11:30:00+08:00",
            "30m",
            "2026-03-12T12:00:00+08:00",
            true,
        ),
        // Evening: 10 minutes today, 20 tomorrow morning.
        (
            "2026-03-12T17:20:00+08:00",
            "30m",
            "2026-03-13T08:50:00+08:00",
            true,
        ),
        // Received after hours: counts from the next opening.
        (
            "2026-03-12T19:00:00+08:00",
            "30m",
            "2026-03-13T09:00:00+08:00",
            true,
        ),
        // Weekend skipped.
        (
            "2026-03-13T17:20:00+08:00",
            "30m",
            "2026-03-16T08:50:00+08:00",
            true,
        ),
        (
            "2026-03-14T10:00:00+08:00",
            "30m",
            "2026-03-16T09:00:00+08:00",
            true,
        ),
        // UTC input, answer in +08:00; the day of receipt is not counted.
        (
            "2026-03-12T02:00:00Z",
            "1wd",
            "2026-03-13T17:30:00+08:00",
            true,
        ),
        (
            "2026-03-12T10:00:00+08:00",
            "2wd",
            "2026-03-16T17:30:00+08:00",
            true,
        ),
        (
            "2026-03-12T10:00:00+08:00",
            "5wd",
            "2026-03-19T17:30:00+08:00",
            true,
        ),
        (
            "2026-03-12T10:00:00+08:00",
            "7wd",
            "2026-03-23T17:30:00+08:00",
            true,
        ),
        // Spring Festival 2026: Sat 14 Feb works, 15–23 Feb off, Sat 28 Feb works.
        (
            "2026-02-13T17:15:00+08:00",
            "30m",
            "2026-02-14T08:45:00+08:00",
            true,
        ),
        (
            "2026-02-14T10:00:00+08:00",
            "1wd",
            "2026-02-24T17:30:00+08:00",
            true,
        ),
        (
            "2026-02-12T10:00:00+08:00",
            "5wd",
            "2026-02-26T17:30:00+08:00",
            true,
        ),
        (
            "2026-02-12T10:00:00+08:00",
            "7wd",
            "2026-02-28T17:30:00+08:00",
            true,
        ),
        // National Day 2026: 1–7 Oct off (September still on summer hours, October winter).
        (
            "2026-09-30T17:45:00+08:00",
            "30m",
            "2026-10-08T08:45:00+08:00",
            true,
        ),
        (
            "2026-09-30T10:00:00+08:00",
            "2wd",
            "2026-10-09T17:30:00+08:00",
            true,
        ),
        // Year end into a published year: 1–3 Jan off, Sunday 4 Jan 2026 works.
        (
            "2025-12-31T10:00:00+08:00",
            "1wd",
            "2026-01-04T17:30:00+08:00",
            true,
        ),
        // Year end into an unpublished year: plain weekends, and said so.
        (
            "2026-12-31T10:00:00+08:00",
            "1wd",
            "2027-01-01T17:30:00+08:00",
            false,
        ),
        (
            "2027-03-10T10:00:00+08:00",
            "2wd",
            "2027-03-12T17:30:00+08:00",
            false,
        ),
    ];
    for (start, period, expected, complete) in cases {
        let (s, v) = due(&t, start, period).await;
        assert_eq!(s, 200, "{start} {period}: {v}");
        assert_eq!(
            v,
            json!({"due": expected, "calendar_complete": complete}),
            "{start} + {period}"
        );
    }
}

async fn bad_dates_and_periods_are_400_with_chinese_field_messages(b: Backend) {
    let Some(t) = spawn(b).await else { return };
    for bad in [
        "2026-02-30",
        "2026-2-14",
        "abc",
        "20260214",
        "2026-13-01",
        "%3Cscript%3E",
    ] {
        let (s, v, _) = day(&t, bad).await;
        assert_eq!(s, 400, "{bad}: {v}");
        assert_eq!(v["errors"][0]["field"], "date", "{v}");
        assert!(v["detail"].as_str().unwrap().contains("日期"), "{v}");
    }
    let cases: &[(&str, &str, &str)] = &[
        ("2026-03-12T10:00:00+08:00", "5x", "period"),
        ("2026-03-12T10:00:00+08:00", "0wd", "period"),
        ("2026-03-12T10:00:00+08:00", "", "period"),
        ("2026-03-12T10:00:00+08:00", "99999wd", "period"),
        ("2026-03-12 10:00", "1wd", "start"),
        ("2026-02-30T10:00:00+08:00", "1wd", "start"),
        ("", "1wd", "start"),
        ("<script>alert(1)</script>", "30m", "start"),
    ];
    for (start, period, field) in cases {
        let (s, v) = due(&t, start, period).await;
        assert_eq!(s, 400, "{start} {period}: {v}");
        assert_eq!(v["errors"][0]["field"], *field, "{v}");
        let detail = v["detail"].as_str().unwrap();
        assert!(
            detail.contains("期限") || detail.contains("起算时间"),
            "{detail}"
        );
    }
    // Both missing: both named.
    let res = t.client().get("/api/v1/calendar/deadline").await;
    assert_eq!(res.status(), 400);
    let v: Value = res.json().await.unwrap();
    let fields: Vec<&str> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["start", "period"]);
}

both_backends!(
    calendar_day_answers_the_exact_contract,
    every_official_entry_is_served_as_in_its_notice,
    deadline_api_follows_the_rules,
    bad_dates_and_periods_are_400_with_chinese_field_messages,
);
