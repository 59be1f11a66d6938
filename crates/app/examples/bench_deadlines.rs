//! Deadline engine benchmark (issue #4 "Performance").
//!
//! ```text
//! cargo run --release -p proofless-app --example bench_deadlines -- sqlite:///tmp/bench-deadlines.db [N]
//! cargo run --release -p proofless-app --example bench_deadlines -- postgres://postgres@127.0.0.1:5432/postgres [N]
//! ```
//!
//! 1. Inserts N (default 1,000,000) open deadlines, due instants computed by the domain.
//! 2. Shows the query plan of the runner's due query on the backend (an index range scan).
//! 3. Inserts 10,000 deadlines all due in the same second and times the runner escalating
//!    them (state → overdue, two notifications and an audit row each).
//! 4. Measures the deadline computation rate on one core.
//!
//! On PostgreSQL a fresh database `proofless_bench_deadlines` is created on the server.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Duration, TimeZone, Utc};
use proofless_app::{App, AppSettings, TestClock, jobs};
use proofless_domain::calendar::{Calendar, OfficeHours};
use proofless_domain::deadline::{DeadlineRecord, Period, compute};
use proofless_store::{Db, DbOptions, Value, q};

const ROWS_PER_INSERT: usize = 500;

async fn connect(url: &str) -> Db {
    if url.starts_with("postgres") {
        let admin = Db::connect(url, &DbOptions { max_connections: 1 })
            .await
            .unwrap();
        let _ = admin
            .reader()
            .execute(q("DROP DATABASE IF EXISTS proofless_bench_deadlines"))
            .await;
        admin
            .reader()
            .execute(q("CREATE DATABASE proofless_bench_deadlines"))
            .await
            .unwrap();
        admin.close().await;
        let i = url.rfind('/').unwrap();
        let url = format!("{}/proofless_bench_deadlines", &url[..i]);
        Db::connect(&url, &DbOptions { max_connections: 8 })
            .await
            .unwrap()
    } else {
        let path = url.trim_start_matches("sqlite://");
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{path}{suffix}"));
        }
        Db::connect(url, &DbOptions { max_connections: 8 })
            .await
            .unwrap()
    }
}

fn periods() -> [Period; 6] {
    [
        Period::Minutes(30),
        Period::WorkingDays(1),
        Period::WorkingDays(2),
        Period::WorkingDays(5),
        Period::WorkingDays(7),
        Period::CalendarDays(30),
    ]
}

/// Inserts `n` open deadlines of `org`; `row(i)` gives the i-th one's (start, period, due).
async fn insert_deadlines(
    app: &App,
    org: i64,
    n: usize,
    cal_version: &str,
    mut row: impl FnMut(usize) -> (i64, Period, i64),
) {
    let mut i = 0;
    while i < n {
        let mut tx = app.db.begin().await.unwrap();
        for _ in 0..100 {
            if i >= n {
                break;
            }
            let k = ROWS_PER_INSERT.min(n - i);
            let mut sql = String::from(
                "INSERT INTO deadlines (subject_type, subject_id, org_id, rule_key, rule_version, start_at, period, \
                 state, due_at, rule_due_at, effective_start, calendar_version, calendar_complete, created_by, \
                 created_at, updated_at) VALUES ",
            );
            let mut args: Vec<Value> = Vec::with_capacity(k * 13);
            for j in 0..k {
                if j > 0 {
                    sql.push(',');
                }
                sql.push_str("(?, ?, ?, ?, 1, ?, ?, 'open', ?, ?, ?, ?, ?, 'bench', ?, ?)");
                let (start, period, due) = row(i + j);
                args.extend([
                    Value::from("complaint"),
                    Value::from(format!("B-{}", i + j)),
                    Value::from(org),
                    Value::from("verification.paper_archive"),
                    Value::from(start),
                    Value::from(period.to_string()),
                    Value::from(due),
                    Value::from(due),
                    Value::from(start),
                    Value::from(cal_version),
                    Value::from(true),
                    Value::from(start),
                    Value::from(start),
                ]);
            }
            let mut query = q(sql);
            for a in args {
                query = query.bind(a);
            }
            tx.execute(query).await.unwrap();
            i += k;
        }
        tx.commit().await.unwrap();
    }
}

async fn explain(app: &App) -> Vec<String> {
    // The statement as the runner sends it, with its parameters in place.
    app.db
        .explain(jobs::due_query(1_773_280_801_000))
        .await
        .unwrap()
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let url = args
        .get(1)
        .cloned()
        .unwrap_or_else(|| "sqlite:///tmp/bench-deadlines.db".into());
    let n: usize = args
        .get(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let db = connect(&url).await;
    db.migrate().await.unwrap();
    let now: DateTime<Utc> = Utc.with_ymd_and_hms(2026, 3, 12, 1, 30, 0).unwrap();
    let clock = Arc::new(TestClock::new(now));
    let app = App::new(db, clock.clone(), AppSettings::default());
    proofless_app::regions::ensure_builtin(&app).await.unwrap();
    proofless_app::calendar::reload(&app).await.unwrap();
    let region: (String,) = app
        .db
        .reader()
        .fetch_one(q("SELECT code FROM regions ORDER BY code LIMIT 1"))
        .await
        .unwrap();
    let org = app
        .db
        .reader()
        .scalar_i64(
            q(
                "INSERT INTO orgs (name, kind, region_code, created_at, updated_at) \
               VALUES ('基准测试单位', 'administrative_body', ?, 0, 0) RETURNING id",
            )
            .bind(region.0),
        )
        .await
        .unwrap();
    let cal = app.calendar();
    let hours = app.office_hours().clone();
    let version = cal.version().to_owned();
    println!("backend: {}, open deadlines: {n}", app.db.dialect().name());

    // 1. N open deadlines, started over the coming two years (none due yet).
    let t = Instant::now();
    let ps = periods();
    insert_deadlines(&app, org, n, &version, |i| {
        let start = now + Duration::minutes(10 + (i as i64 * 7919) % (2 * 365 * 24 * 60));
        let period = ps[i % ps.len()];
        let due = compute(&cal, &hours, &DeadlineRecord::new(start, period))
            .due
            .unwrap();
        (start.timestamp_millis(), period, due.timestamp_millis())
    })
    .await;
    println!(
        "inserted {n} open deadlines in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    app.db.reader().execute(q("ANALYZE")).await.unwrap();

    // 2. The due query's plan.
    println!("due query: {}", jobs::due_query(0).sql);
    for line in explain(&app).await {
        println!("  plan: {line}");
    }
    let t = Instant::now();
    let none = jobs::escalate_due(&app, "bench").await.unwrap();
    println!(
        "due query over {n} open deadlines, none due: {none} escalated in {:.1} ms",
        t.elapsed().as_secs_f64() * 1e3
    );

    // 3. 10,000 deadlines due in the same second.
    let due_at = Utc
        .with_ymd_and_hms(2026, 3, 12, 2, 0, 0)
        .unwrap()
        .timestamp_millis();
    insert_deadlines(&app, org, 10_000, &version, |_| {
        (now.timestamp_millis(), Period::Minutes(30), due_at)
    })
    .await;
    clock.set(Utc.with_ymd_and_hms(2026, 3, 12, 2, 0, 1).unwrap());
    let t = Instant::now();
    let escalated = jobs::escalate_due(&app, "bench").await.unwrap();
    let secs = t.elapsed().as_secs_f64();
    let notes = app
        .db
        .reader()
        .scalar_i64(q("SELECT COUNT(*) FROM notifications"))
        .await
        .unwrap();
    let audits = app
        .db
        .reader()
        .scalar_i64(q(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'deadline.escalate'",
        ))
        .await
        .unwrap();
    println!(
        "escalated {escalated} deadlines due in the same second in {secs:.2} s ({notes} notifications, {audits} audit rows)"
    );
    assert_eq!(escalated, 10_000);

    // 4. Computation rate on one core.
    let cal = Calendar::official();
    let hours = OfficeHours::standard();
    let starts: Vec<DateTime<Utc>> = (0..10_000)
        .map(|i| now + Duration::minutes(i * 37))
        .collect();
    let t = Instant::now();
    let mut count = 0u64;
    let mut sink = 0i64;
    while t.elapsed().as_secs_f64() < 2.0 {
        for (i, s) in starts.iter().enumerate() {
            let r = DeadlineRecord::new(*s, ps[i % ps.len()]);
            sink = sink.wrapping_add(compute(&cal, &hours, &r).due.map_or(0, |d| d.timestamp()));
            count += 1;
        }
    }
    let rate = count as f64 / t.elapsed().as_secs_f64();
    println!(
        "computation: {rate:.0} deadlines/s on one core (mix 30m/1wd/2wd/5wd/7wd/30cd; checksum {sink})"
    );
}
