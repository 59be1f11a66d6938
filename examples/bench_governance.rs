//! Benchmark of list adjustment and complaints (issues #19 §5, #20 §5), over HTTP against
//! two in-process server instances sharing one database:
//! 1. public complaint submission (`POST /api/v1/public/complaints`, no login) against
//!    person creation (`POST /api/v1/applicants/persons`) in the same run, closed loop;
//! 2. the complaint figures page (`GET /complaints/figures`, with its hot-spot chart) over
//!    `complaints` synthetic complaints (`proofless gen`'s generator);
//! 3. publication of a list version that gathers the synthetic approved adjustments:
//!    from the publish answer on instance A until instance B's public search shows it.
//!
//! Run: `cargo run --release --example bench_governance -- [complaints] [secs] [clients] [orgs]
//! [items]` (defaults 1,000,000 complaints, 10 s, 16 clients, 400 units, 1,000 items). SQLite in a temporary directory;
//! `BENCH_POSTGRES_URL=postgres://…/postgres` runs it on a fresh PostgreSQL database.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use proofless_app::{App, AppSettings, SystemClock};
use proofless_fixtures::synth::{self, Scale};
use proofless_store::{Db, DbOptions, q};
use proofless_web::{AppState, WebConfig};
use serde_json::{Value, json};

fn pct(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)].as_secs_f64() * 1000.0
}

async fn database() -> (String, Option<tempfile::TempDir>) {
    match std::env::var("BENCH_POSTGRES_URL")
        .ok()
        .filter(|s| !s.is_empty())
    {
        Some(admin) => {
            let name = format!("proofless_bench_governance_{}", std::process::id());
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
            (
                format!("{}/{name}", &admin[..admin.rfind('/').unwrap()]),
                None,
            )
        }
        None => {
            let dir = tempfile::tempdir().unwrap();
            (
                format!("sqlite://{}/bench.db", dir.path().display()),
                Some(dir),
            )
        }
    }
}

/// An instance on the shared database: its own App (its own in-memory catalogue).
async fn instance(url: &str, key: &Arc<proofless_seal::MasterKey>) -> (App, String) {
    let db = Db::connect(url, &DbOptions { max_connections: 8 })
        .await
        .unwrap();
    let app = App::new(
        db,
        Arc::new(SystemClock),
        AppSettings {
            master_key: Some(key.clone()),
            ..AppSettings::default()
        },
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let state = AppState::new(app.clone(), WebConfig::local(addr.port()));
    tokio::spawn(async move {
        let _ = proofless_web::serve(listener, state, std::future::pending()).await;
    });
    (app, format!("http://{addr}"))
}

struct Session {
    http: reqwest::Client,
    csrf: String,
    base: String,
}

async fn login(base: &str, user: &str) -> Session {
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .pool_max_idle_per_host(64)
        .build()
        .unwrap();
    let me: Value = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"username": user, "password": proofless_fixtures::demo::DEMO_PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    Session {
        http,
        csrf: me["csrf_token"].as_str().unwrap_or_default().to_owned(),
        base: base.to_owned(),
    }
}

/// Closed loop of `clients` for `secs`: requests answered 2xx per second, p50, p99.
async fn closed_loop<F, Fut>(clients: usize, secs: u64, f: F) -> (f64, f64, f64, usize)
where
    F: Fn(u64) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let f = Arc::new(f);
    let stop = Arc::new(AtomicBool::new(false));
    let next = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let mut tasks = vec![];
    for _ in 0..clients {
        let (f, stop, next) = (f.clone(), stop.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let (mut lat, mut errors) = (vec![], 0usize);
            while !stop.load(Ordering::Relaxed) {
                let k = next.fetch_add(1, Ordering::Relaxed);
                let t = Instant::now();
                if f(k).await {
                    lat.push(t.elapsed());
                } else {
                    errors += 1;
                }
            }
            (lat, errors)
        }));
    }
    tokio::time::sleep(Duration::from_secs(secs)).await;
    stop.store(true, Ordering::Relaxed);
    let (mut all, mut errors) = (vec![], 0);
    for t in tasks {
        let (l, e) = t.await.unwrap();
        all.extend(l);
        errors += e;
    }
    let wall = start.elapsed().as_secs_f64();
    all.sort();
    (
        all.len() as f64 / wall,
        pct(&all, 0.5),
        pct(&all, 0.99),
        errors,
    )
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let complaints: u64 = args
        .get(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let secs: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(10);
    let clients: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(16);
    // The world's size (issue #19 §5 asks for province scale: 20,000 units, 100,000 items).
    let orgs: u64 = args.get(4).and_then(|s| s.parse().ok()).unwrap_or(400);
    let proof_items: u64 = args.get(5).and_then(|s| s.parse().ok()).unwrap_or(1_000);
    let (url, _dir) = database().await;
    let key = Arc::new(proofless_seal::MasterKey::generate().unwrap());
    {
        let db = Db::connect(&url, &DbOptions { max_connections: 2 })
            .await
            .unwrap();
        db.migrate().await.unwrap();
    }
    let (a, base_a) = instance(&url, &key).await;
    let (b, base_b) = instance(&url, &key).await;
    proofless_app::regions::ensure_builtin(&a).await.unwrap();
    proofless_fixtures::demo::load(&a).await.unwrap();
    // A synthetic world (by default a county of 1,000 published items), its complaints and adjustments.
    let t = Instant::now();
    let scale = Scale {
        name: "governance",
        cities: 1,
        counties_per_city: 1,
        towns_per_county: 12,
        villages_per_town: 2,
        orgs,
        persons: 0,
        audit_rows: 0,
        proof_items,
        cases: 0,
        commitments: 0,
        complaints,
        adjustments: 1_250,
    };
    let report = synth::generate(&a, &scale).await.unwrap();
    println!(
        "backend {}; generated in {:.0} s: {}",
        if url.starts_with("sqlite") {
            "SQLite"
        } else {
            "PostgreSQL"
        },
        t.elapsed().as_secs_f64(),
        report
            .lines
            .iter()
            .filter(|l| l.1 > 0)
            .map(|l| format!("{} {}", l.1, l.0))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let mut r = a.db.reader();
    let figure_rows = r
        .scalar_i64(q("SELECT COUNT(*) FROM complaint_figures"))
        .await
        .unwrap();
    let gathered = r
        .scalar_i64(q(
            "SELECT COUNT(*) FROM list_amendments WHERE version_id IS NULL",
        ))
        .await
        .unwrap();
    drop(r);

    // 1. Writes: person creation, then public complaint submission, same run.
    let clerk = Arc::new(login(&base_a, "ga_clerk").await);
    let (persons_rate, p50, p99, errors) = closed_loop(clients, secs, {
        let s = clerk.clone();
        move |k| {
            let s = s.clone();
            async move {
                let Some(rid) = synth::synthetic_resident_id(5_000_000 + k) else {
                    return false;
                };
                s.http
                    .post(format!("{}/api/v1/applicants/persons", s.base))
                    .header("X-CSRF-Token", &s.csrf)
                    .json(&json!({"resident_id": rid, "name": format!("压测{k}")}))
                    .send()
                    .await
                    .is_ok_and(|r| r.status().is_success())
            }
        }
    })
    .await;
    println!(
        "person create:     {persons_rate:8.0}/s  p50 {p50:6.1} ms  p99 {p99:6.1} ms  errors {errors}"
    );
    let (ga,): (i64,) =
        a.db.reader()
            .fetch_one(q("SELECT id FROM orgs WHERE name = ?").bind("县公安局"))
            .await
            .unwrap();
    let public = Arc::new(reqwest::Client::new());
    let (complaint_rate, p50, p99, errors) = closed_loop(clients, secs, {
        let (http, base) = (public.clone(), base_a.clone());
        move |k| {
            let (http, base) = (http.clone(), base.clone());
            async move {
                http.post(format!("{base}/api/v1/public/complaints"))
                    .json(
                        &json!({"name": "压测投诉人", "phone": format!("137{:08}", k % 100_000_000),
                        "agency_org_id": ga, "ground": "proof_demanded",
                        "request": format!("请纠正索要证明的做法（压测 {k}）"),
                        "reasons": "窗口要求提交已取消的证明。"}),
                    )
                    .send()
                    .await
                    .is_ok_and(|r| r.status().is_success())
            }
        }
    })
    .await;
    println!(
        "complaint submit:  {complaint_rate:8.0}/s  p50 {p50:6.1} ms  p99 {p99:6.1} ms  errors {errors}  ({:.0}% of person create)",
        complaint_rate * 100.0 / persons_rate.max(1.0)
    );

    // 2. The figures page over the generated complaints (aggregates, with the chart).
    let joint = login(&base_a, "joint").await;
    let total =
        a.db.reader()
            .scalar_i64(q("SELECT COUNT(*) FROM complaints"))
            .await
            .unwrap();
    for (label, path) in [
        (
            "figures by agency + hot units",
            "/complaints/figures?by=agency&hot=agency",
        ),
        (
            "figures by proof + hot proofs",
            "/complaints/figures?by=proof&hot=proof",
        ),
        (
            "figures by ground (month)",
            "/complaints/figures?by=ground&hot=ground&period=2026-12",
        ),
    ] {
        let mut lat = vec![];
        for _ in 0..200 {
            let t = Instant::now();
            let r = joint
                .http
                .get(format!("{}{path}", joint.base))
                .send()
                .await
                .unwrap();
            assert!(r.status().is_success(), "{}", r.status());
            let body = r.text().await.unwrap();
            assert!(body.contains("热点"));
            lat.push(t.elapsed());
        }
        lat.sort();
        println!(
            "{label:32} over {total} complaints ({figure_rows} aggregate rows): p50 {:6.1} ms  p99 {:6.1} ms",
            pct(&lat, 0.5),
            pct(&lat, 0.99)
        );
    }

    // 3. Publication of the version gathering the approved adjustments, seen on B.
    let approver = login(&base_a, "approver").await;
    let (region, cancelled): (String, i64) = a
        .db
        .reader()
        .fetch_one(q(
            "SELECT il.region_code, m.proof_item_id FROM list_amendments m \
             JOIN proof_items p ON p.id = m.proof_item_id JOIN implementation_lists il ON il.id = p.list_id \
             WHERE m.effect = 'remove' AND m.version_id IS NULL AND NOT EXISTS (SELECT 1 FROM list_amendments n \
             WHERE n.proof_item_id = m.proof_item_id AND n.id > m.id) ORDER BY m.id LIMIT 1",
        ))
        .await
        .unwrap();
    // B serves the current version first.
    let anon = reqwest::Client::new();
    let seen = anon
        .get(format!("{base_b}/api/v1/public/proof-items/{cancelled}"))
        .send()
        .await
        .unwrap();
    assert_eq!(seen.status(), 200);
    let t = Instant::now();
    let r: Value = joint
        .http
        .post(format!("{base_a}/api/v1/catalogue/versions"))
        .header("X-CSRF-Token", &joint.csrf)
        .json(&json!({"region_code": region, "note": "半年调整（压测）"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let vid = r["version"]["id"].as_i64().expect("prepared");
    let prepared = t.elapsed();
    approver
        .http
        .post(format!("{base_a}/api/v1/catalogue/versions/{vid}/approve"))
        .header("X-CSRF-Token", &approver.csrf)
        .json(&json!({"approval_doc_no": "高政字〔2026〕99号"}))
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap();
    let t = Instant::now();
    joint
        .http
        .post(format!("{base_a}/api/v1/catalogue/versions/{vid}/publish"))
        .header("X-CSRF-Token", &joint.csrf)
        .json(&json!({"effective_date": "2026-12-31"}))
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap();
    let published = t.elapsed();
    let t = Instant::now();
    let visible = loop {
        let s = anon
            .get(format!("{base_b}/api/v1/public/proof-items/{cancelled}"))
            .send()
            .await
            .unwrap()
            .status();
        if s == 404 {
            break t.elapsed();
        }
        if t.elapsed() > Duration::from_secs(30) {
            panic!("instance B never showed the new version");
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    let in_version =
        a.db.reader()
            .scalar_i64(q("SELECT COUNT(*) FROM list_amendments WHERE version_id = ?").bind(vid))
            .await
            .unwrap();
    println!(
        "publication: {in_version} adjustments gathered ({gathered} pending before); prepare {:.0} ms, publish {:.0} ms on A; visible in search on B {:.0} ms after the publish answer",
        prepared.as_secs_f64() * 1000.0,
        published.as_secs_f64() * 1000.0,
        visible.as_secs_f64() * 1000.0
    );
    drop(b);
}
