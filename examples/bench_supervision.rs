//! Benchmark of the supervision dashboard over province data (issue #21 §5: p99 ≤ 200 ms,
//! aggregates maintained incrementally, never recomputed per request).
//!
//! 1. A synthetic world through `proofless gen`'s own generators: `orgs` units (default
//!    20,000), 1,000,000 verifications (`verification_synth`), accountability cases
//!    (`accountability_synth`, 20,000), the supervision counters rebuilt from those rows once
//!    (`supervision_synth`), then every unit given counters in every month of the year (the
//!    aggregate table's province bound, 20,000 × 12 rows) and the complaints workflow's
//!    `complaint_figures` for 1,000,000 complaints.
//! 2. Timed: the county-wide dashboard of the year (every unit, the monthly series), one
//!    unit's dashboard, the assessment feed and the public figures.
//!
//! Run: `cargo run --release --example bench_supervision -- [orgs] [verifications] [complaints]`.
//! SQLite in a temporary directory; `BENCH_POSTGRES_URL=postgres://…/postgres` for PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use proofless_app::supervision::{self, PeriodQuery};
use proofless_app::{Actor, ActorKind, App, AppSettings, SystemClock};
use proofless_domain::role::Role;
use proofless_fixtures::synth::Scale;
use proofless_store::{Db, DbOptions, Query, q};
use proofless_web::{AppState, WebConfig};

fn pct(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

async fn timed<F, Fut>(what: &str, n: usize, mut f: F)
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = usize>,
{
    let mut lat = Vec::with_capacity(n);
    let mut rows = 0;
    for i in 0..n {
        let t = Instant::now();
        rows = f(i).await;
        lat.push(t.elapsed());
    }
    lat.sort();
    println!(
        "{what}: {n} runs, {rows} lines (or bytes) each: p50 {:?} p99 {:?} max {:?}",
        pct(&lat, 0.5),
        pct(&lat, 0.99),
        lat[lat.len() - 1]
    );
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |i: usize, d: u64| args.get(i).and_then(|s| s.parse().ok()).unwrap_or(d);
    let (orgs, verifications, complaints) = (arg(1, 20_000), arg(2, 1_000_000), arg(3, 1_000_000));
    let dir = tempfile::tempdir().unwrap();
    let url = match std::env::var("BENCH_POSTGRES_URL")
        .ok()
        .filter(|s| !s.is_empty())
    {
        Some(admin) => {
            let name = format!("proofless_bench_supervision_{}", std::process::id());
            let a = Db::connect(&admin, &DbOptions { max_connections: 1 })
                .await
                .unwrap();
            if let Db::Postgres(pool) = &a {
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(pool)
                    .await
                    .unwrap();
            }
            a.close().await;
            format!("{}/{name}", &admin[..admin.rfind('/').unwrap()])
        }
        None => format!("sqlite://{}/bench.db", dir.path().display()),
    };
    let db = Db::connect(&url, &DbOptions { max_connections: 8 })
        .await
        .unwrap();
    db.migrate().await.unwrap();
    let settings = AppSettings {
        master_key: Some(Arc::new(proofless_seal::MasterKey::generate().unwrap())),
        ..AppSettings::default()
    };
    let app = App::new(db, Arc::new(SystemClock), settings);
    proofless_app::regions::ensure_builtin(&app).await.unwrap();
    println!(
        "database: {}",
        if url.starts_with("sqlite") {
            "SQLite"
        } else {
            "PostgreSQL"
        }
    );

    let t = Instant::now();
    let scale = Scale {
        name: "bench",
        cities: 1,
        counties_per_city: 1,
        towns_per_county: 12,
        villages_per_town: 2,
        orgs,
        persons: 1_000,
        audit_rows: verifications,
        proof_items: 100,
        cases: 0,
        commitments: 0,
        complaints: 0,
        adjustments: 0,
    };
    let report = proofless_fixtures::synth::generate(&app, &scale)
        .await
        .unwrap();
    let acc = proofless_fixtures::accountability_synth::generate(
        &app,
        &Scale {
            cases: 1_000_000,
            ..scale
        },
    )
    .await
    .unwrap();
    let rebuilt = proofless_fixtures::supervision_synth::generate(&app)
        .await
        .unwrap();
    for (what, n, d) in report
        .lines
        .iter()
        .chain(acc.iter())
        .chain(std::iter::once(&rebuilt))
    {
        println!("  generated {n} {what} in {:.1} s", d.as_secs_f64());
    }
    // Every unit in every month of the year: the aggregate table's bound at this scale.
    let year = proofless_app::local_time(app.now_ms())[..4].to_owned();
    let ids: Vec<(i64,)> = app
        .db
        .reader()
        .fetch_all(q("SELECT id FROM orgs ORDER BY id"))
        .await
        .unwrap();
    let mut written = 0u64;
    for chunk in ids.chunks(400) {
        for m in 1..=12 {
            let mut stmt = Query::new(
                "INSERT INTO supervision_figures (org_id, month, answered_on_time, answered_late, n_30m, ms_30m, measures) VALUES",
            );
            for (i, (id,)) in chunk.iter().enumerate() {
                stmt.push_sql(if i == 0 { " (" } else { ", (" });
                stmt.push_sql(&Query::placeholders(7));
                stmt.push_sql(")");
                stmt.push_arg(*id);
                stmt.push_arg(format!("{year}-{m:02}"));
                stmt.push_arg(4i64);
                stmt.push_arg(1i64);
                stmt.push_arg(5i64);
                stmt.push_arg(5 * 600_000i64);
                stmt.push_arg(i64::from(i % 7 == 0));
            }
            stmt.push_sql(" ON CONFLICT DO NOTHING");
            let mut tx = app.db.begin().await.unwrap();
            written += tx.execute(stmt).await.unwrap();
            tx.commit().await.unwrap();
        }
    }
    proofless_app::supervision::rebuild_years(&app)
        .await
        .unwrap();
    let cf = proofless_fixtures::supervision_synth::complaint_figures(&app, &year, complaints)
        .await
        .unwrap();
    let rows = app
        .db
        .reader()
        .scalar_i64(q("SELECT COUNT(*) FROM supervision_figures"))
        .await
        .unwrap();
    println!(
        "  topped up {written} unit-months; supervision_figures {rows} rows; complaint_figures {cf} rows for {complaints} complaints; set up in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    let joint = Actor {
        kind: ActorKind::Staff,
        id: None,
        name: "基准".into(),
        org_id: None,
        org_name: None,
        region_code: None,
        roles: vec![Role::JointOffice],
        operation_id: "bench".into(),
    };
    let all = PeriodQuery {
        period: Some(year.clone()),
        org_id: None,
    };
    timed("dashboard, every unit, year", 100, |_| async {
        let d = supervision::dashboard(&app, &joint, &all).await.unwrap();
        d.units.len()
    })
    .await;
    timed("dashboard, every unit, one month", 100, |_| async {
        let d = supervision::dashboard(
            &app,
            &joint,
            &PeriodQuery {
                period: Some(format!("{year}-06")),
                org_id: None,
            },
        )
        .await
        .unwrap();
        d.units.len()
    })
    .await;
    timed("dashboard, one unit, year", 1000, |i| {
        let org = ids[i * 7919 % ids.len()].0;
        let (app, joint, year) = (&app, &joint, year.clone());
        async move {
            let d = supervision::dashboard(
                app,
                joint,
                &PeriodQuery {
                    period: Some(year),
                    org_id: Some(org),
                },
            )
            .await
            .unwrap();
            d.months.len()
        }
    })
    .await;
    timed("assessment feed, year", 100, |_| async {
        supervision::feed(&app, &joint, &all).await.unwrap().len()
    })
    .await;
    timed("public figures, year", 100, |_| async {
        supervision::public_figures(&app, Some(&year))
            .await
            .unwrap()
            .1
            .len()
    })
    .await;
    over_http(&app, ids[0].0, &year).await;
}

/// The same reads over HTTP (issue #21 §5): the server in this process on loopback, a
/// joint-office account logged in through the API, one client, bodies read in full.
async fn over_http(app: &App, org_id: i64, year: &str) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let state = AppState::new(app.clone(), WebConfig::local(addr.port()));
    tokio::spawn(async move {
        let _ = proofless_web::serve(listener, state, std::future::pending()).await;
    });
    let password = "Bench-joint-2026!";
    proofless_app::staff::create(
        app,
        &Actor::system("bench"),
        org_id,
        proofless_app::staff::StaffInput {
            username: "bench_joint".into(),
            display_name: "基准联席办".into(),
            phone: None,
            password: password.into(),
            roles: vec!["joint_office".into()],
        },
    )
    .await
    .unwrap();
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let base = format!("http://{addr}");
    let login = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({"username": "bench_joint", "password": password}))
        .send()
        .await
        .unwrap();
    assert!(login.status().is_success(), "login: {}", login.status());
    for (what, path) in [
        (
            "HTTP JSON dashboard, every unit, year",
            format!("/api/v1/supervision/dashboard?period={year}"),
        ),
        (
            "HTTP page 监督考核, every unit, year",
            format!("/supervision?period={year}"),
        ),
        (
            "HTTP JSON assessment feed, year",
            format!("/api/v1/supervision/feed?period={year}"),
        ),
        (
            "HTTP public figures page, year",
            format!("/transparency/supervision?period={year}"),
        ),
    ] {
        let (http, url) = (&http, format!("{base}{path}"));
        timed(what, 100, |_| {
            let url = url.clone();
            async move {
                let res = http.get(&url).send().await.unwrap();
                assert!(res.status().is_success(), "{url}: {}", res.status());
                res.bytes().await.unwrap().len()
            }
        })
        .await;
    }
}
