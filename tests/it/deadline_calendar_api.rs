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
        json!({"date":"2026-02-14","working_day":true,"kind":"adjusted_workday","name":"春节",
            "calendar_complete":true,"provisional":false})
    );
    assert_eq!(complete.as_deref(), Some("true"));
    let (_, v, _) = day(&t, "2026-02-17").await;
    assert_eq!(
        v,
        json!({"date":"2026-02-17","working_day":false,"kind":"holiday","name":"春节",
            "calendar_complete":true,"provisional":false})
    );
    let (_, v, _) = day(&t, "2026-03-12").await;
    assert_eq!(
        v,
        json!({"date":"2026-03-12","working_day":true,"kind":"workday","name":null,
            "calendar_complete":true,"provisional":false})
    );
    let (_, v, _) = day(&t, "2026-03-14").await;
    assert_eq!(
        v,
        json!({"date":"2026-03-14","working_day":false,"kind":"weekend","name":null,
            "calendar_complete":true,"provisional":false})
    );
    let (_, v, _) = day(&t, "2026-10-10").await;
    assert_eq!(
        v,
        json!({"date":"2026-10-10","working_day":true,"kind":"adjusted_workday","name":"国庆节",
            "calendar_complete":true,"provisional":false})
    );
    // Issue #15 item 12: an unpublished year answers with the statutory holidays of
    // 全国年节及纪念日放假办法 as provisional holidays, and says the answer is not final.
    let (s, v, complete) = day(&t, "2027-10-01").await;
    assert_eq!(s, 200);
    assert_eq!(
        v,
        json!({"date":"2027-10-01","working_day":false,"kind":"holiday","name":"国庆节",
            "calendar_complete":false,"provisional":true})
    );
    assert_eq!(complete.as_deref(), Some("false"));
    let (_, v, _) = day(&t, "2027-10-08").await;
    assert_eq!(
        v,
        json!({"date":"2027-10-08","working_day":true,"kind":"workday","name":null,
            "calendar_complete":false,"provisional":false})
    );
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
        // Year end into an unpublished year: 1 January 2027 is a provisional holiday
        // (issue #15 item 12), and the answer says it is not final.
        (
            "2026-12-31T10:00:00+08:00",
            "1wd",
            "2027-01-04T17:30:00+08:00",
            false,
        ),
        // Across the provisional National Day of 2027 (1–3 Oct, made up on 4–5 Oct).
        (
            "2027-09-30T10:00:00+08:00",
            "1wd",
            "2027-10-06T17:30:00+08:00",
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

/// Issue #16 item 8: inputs and periods that leave the calendar's years are refused with a
/// Chinese field error (422 problem+json), never answered with a non-RFC 3339 instant.
async fn dates_and_deadlines_outside_the_supported_range_are_422(b: Backend) {
    let Some(t) = spawn(b).await else { return };
    let cases: &[(&str, &str, &str)] = &[
        ("9999-12-31T09:00:00+08:00", "10cd", "start"),
        ("1999-12-31T09:00:00+08:00", "1wd", "start"),
        ("2199-12-30T09:00:00+08:00", "5wd", "period"),
        ("2199-12-01T09:00:00+08:00", "9999cd", "period"),
    ];
    for (start, period, field) in cases {
        let c = t.client();
        let res = c
            .http
            .get(c.url("/api/v1/calendar/deadline"))
            .query(&[("start", start), ("period", period)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 422, "{start} {period}");
        assert_eq!(
            res.headers()["content-type"].to_str().unwrap(),
            "application/problem+json"
        );
        let v: Value = res.json().await.unwrap();
        assert_eq!(v["errors"][0]["field"], *field, "{v}");
        assert!(
            v["detail"].as_str().unwrap().contains("超出支持范围"),
            "{v}"
        );
        assert!(!v.to_string().contains("+10000"), "{v}");
    }
    // The last supported day still answers.
    let (s, v) = due(&t, "2199-12-29T09:00:00+08:00", "1wd").await;
    assert_eq!(s, 200, "{v}");
    for bad in ["1999-12-31", "2200-01-01", "9999-12-31"] {
        let (s, v, _) = day(&t, bad).await;
        assert_eq!(s, 422, "{bad}: {v}");
        assert_eq!(v["errors"][0]["field"], "date", "{v}");
    }
}

/// Issue #15 item 12: importing the notice replaces the provisional days and recomputes the
/// open deadlines that used them; they are no longer flagged incomplete.
async fn importing_the_notice_replaces_provisional_days_and_recomputes_deadlines(b: Backend) {
    let Some(t) = crate::common::spawn_demo(b).await else {
        return;
    };
    let sys = proofless_app::Actor::system("test");
    let org = t
        .app
        .db
        .reader()
        .scalar_i64(proofless_store::q("SELECT id FROM orgs WHERE name = ?").bind("县市场监管局"))
        .await
        .unwrap();
    let open = proofless_app::deadlines::OpenInput {
        subject_type: "complaint".into(),
        subject_id: "CAL-2027".into(),
        org_id: org,
        rule_key: "verification.incomplete_archive".into(),
        start: Some("2027-09-30T10:00:00+08:00".into()),
        statutory_limit: None,
    };
    let d = proofless_app::deadlines::open(&t.app, &sys, &open)
        .await
        .unwrap();
    // 2wd across the provisional 1–5 October: due Thursday 7 October, not final.
    assert_eq!(d.due.as_deref(), Some("2027-10-07T17:30:00+08:00"));
    assert!(!d.deadline.calendar_complete);
    // A (made-up, test-only) notice: 1–7 October off, Saturday 9 October worked.
    let notice = "国办发明电〔2026〕98号";
    let csv = (1..=7)
        .map(|d| {
            format!(
                "2027-10-0{d},holiday,国庆节,{notice}
"
            )
        })
        .collect::<String>()
        + &format!(
            "2027-10-09,adjusted_workday,国庆节,{notice}
"
        );
    let admin = t.staff("admin").await;
    let res = admin
        .post_json(
            "/api/v1/calendar/import",
            &json!({"year": 2027, "notice": notice, "csv": format!("date,kind,name,source\n{csv}")}),
        )
        .await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    let after = proofless_app::deadlines::get(&t.app, &sys, d.deadline.id)
        .await
        .unwrap();
    assert_eq!(after.due.as_deref(), Some("2027-10-09T17:30:00+08:00"));
    assert!(after.deadline.calendar_complete);
    let (_, v, complete) = day(&t, "2027-10-01").await;
    assert_eq!(v["provisional"], false);
    assert_eq!(v["calendar_complete"], true);
    assert_eq!(complete.as_deref(), Some("true"));
    // Days the notice does not list are ordinary days now, not provisional ones.
    let (_, v, _) = day(&t, "2027-01-01").await;
    assert_eq!(
        (v["working_day"].clone(), v["provisional"].clone()),
        (json!(true), json!(false))
    );
}

both_backends!(
    dates_and_deadlines_outside_the_supported_range_are_422,
    importing_the_notice_replaces_provisional_days_and_recomputes_deadlines,
    calendar_day_answers_the_exact_contract,
    every_official_entry_is_served_as_in_its_notice,
    deadline_api_follows_the_rules,
    bad_dates_and_periods_are_400_with_chinese_field_messages,
);
