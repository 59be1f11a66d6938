//! HTTP benchmark of inter-unit verification (issue #5 "Performance").
//!
//! A fresh database (SQLite in a temp dir, or `BENCH_DATABASE_URL=postgres://…`) with the
//! Gaoqing demo county, the real server in-process on its own 2-worker runtime, and C
//! keep-alive clients on another runtime:
//!
//! 1. **raw commits**: C tasks each committing one-row durable transactions on the same
//!    database (the storage ceiling the send rate is compared with);
//! 2. **send**: `POST /api/v1/verifications` (each send: verification row, deadline, jobs,
//!    notifications, history, audit rows — acknowledged after commit);
//! 3. **full cycle**: send as 县市场监管局, then answer (sealed with SM2) as 县公安局;
//! 4. **inbox** with N synthetic verifications added (`proofless gen`'s generator): the
//!    county police inbox, newest first and the overdue filter.
//!
//! Run: `cargo run --release --example bench_verification [seconds] [concurrency] [inbox_rows]`
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use proofless_app::{App, AppSettings, SystemClock};
use proofless_store::{Db, DbOptions, q};
use proofless_web::{AppState, WebConfig};
use serde_json::{Value, json};

/// The allocator the server binary uses (src/main.rs).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn pct(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn line(label: &str, conc: usize, n: usize, secs: f64, lat: &mut [Duration], errors: usize) -> f64 {
    lat.sort();
    let rate = n as f64 / secs;
    println!(
        "{label:<22} {conc:>3} clients: {rate:>8.0} /s  p50 {:>7.2} ms  p99 {:>7.2} ms  max {:>7.2} ms  errors {errors}",
        pct(lat, 0.5).as_secs_f64() * 1e3,
        pct(lat, 0.99).as_secs_f64() * 1e3,
        lat.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
    );
    rate
}

async fn login(base: &str, user: &str) -> (reqwest::Client, String) {
    let c = reqwest::Client::builder()
        .cookie_store(true)
        .pool_max_idle_per_host(256)
        .build()
        .unwrap();
    let me: Value = c
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"username": user, "password": proofless_fixtures::demo::DEMO_PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    (c, me["csrf_token"].as_str().unwrap().to_owned())
}

fn send_body(item: i64, k: u64) -> Value {
    json!({
        "proof_item_id": item,
        "subject": {"kind": "person", "code": "370322199001011238", "name": "张三"},
        "facts": {"facts": format!("张三户口已迁出（{k}）")},
        "case_ref": format!("BENCH-{k:08}"),
        "purpose": "基准测试：核对经营者户籍状态"
    })
}

/// How the SQLite writer spent a phase: mean transactions per durable commit, and the
/// share of the wall clock it ran statements and flushed.
fn writer_line(db: &Db, before: Option<proofless_store::GroupStats>, secs: f64) {
    if let (Some(b), Some(a)) = (before, db.group_stats()) {
        let commits = (a.commits - b.commits).max(1);
        println!(
            "  writer: {:.1} transactions per commit, statements {:.0}% and flushes {:.0}% of the time, {:.0} µs held per transaction",
            (a.members - b.members) as f64 / commits as f64,
            (a.held_us - b.held_us) as f64 / (secs * 1e4),
            (a.commit_us - b.commit_us) as f64 / (secs * 1e4),
            (a.held_us - b.held_us) as f64 / (a.members - b.members).max(1) as f64,
        );
    }
}

/// Closed loop of `conc` clients for `secs`; each iteration runs `f` and counts one op.
async fn run<F, Fut>(conc: usize, secs: u64, f: F) -> (usize, f64, Vec<Duration>, usize)
where
    F: Fn(u64) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let f = Arc::new(f);
    let stop = Arc::new(AtomicBool::new(false));
    let counter = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let mut tasks = vec![];
    for _ in 0..conc {
        let (f, stop, counter) = (f.clone(), stop.clone(), counter.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = vec![];
            let mut errors = 0usize;
            while !stop.load(Ordering::Relaxed) {
                let k = counter.fetch_add(1, Ordering::Relaxed);
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
    let mut all = vec![];
    let mut errors = 0;
    for t in tasks {
        let (l, e) = t.await.unwrap();
        all.extend(l);
        errors += e;
    }
    let elapsed = start.elapsed().as_secs_f64();
    (all.len(), elapsed, all, errors)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let secs: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(10);
    let conc: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(64);
    let inbox_rows: u64 = args
        .get(3)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir().unwrap();
    let url = std::env::var("BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}/bench.db", dir.path().display()));
    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("server")
        .enable_all()
        .build()
        .unwrap();
    let (base, app, item) = server_rt.block_on(async {
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
        let t = Instant::now();
        proofless_fixtures::demo::load(&app).await.unwrap();
        println!("demo county loaded in {:.1} s", t.elapsed().as_secs_f64());
        let (item,): (i64,) = app
            .db
            .reader()
            .fetch_one(q("SELECT id FROM proof_items WHERE name = ?").bind("注销户口证明"))
            .await
            .unwrap();
        let mut tx = app.db.begin().await.unwrap();
        tx.execute(q(
            "CREATE TABLE IF NOT EXISTS bench_commits (id BIGINT PRIMARY KEY, at BIGINT NOT NULL)",
        ))
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let state = AppState::new(app.clone(), WebConfig::default());
        tokio::spawn(async move {
            let _ = proofless_web::serve(listener, state, std::future::pending()).await;
        });
        (format!("http://{addr}"), app, item)
    });
    println!("backend: {}", app.db.dialect().name());
    let client_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("client")
        .enable_all()
        .build()
        .unwrap();
    client_rt.block_on(async {
        // 1. Storage ceiling: one-row durable commits from `conc` tasks, same database.
        let db = app.db.clone();
        let (n, s, mut lat, e) = run(conc, secs, move |k| {
            let db = db.clone();
            async move {
                let Ok(mut tx) = db.begin_ungrouped().await else {
                    return false;
                };
                let ok = tx
                    .execute(
                        q("INSERT INTO bench_commits (id, at) VALUES (?, ?)")
                            .bind(k as i64)
                            .bind(1i64),
                    )
                    .await
                    .is_ok();
                ok && tx.commit().await.is_ok()
            }
        })
        .await;
        let raw = line("raw 1-row commits", conc, n, s, &mut lat, e);

        // 2. Sends.
        let (sj, sj_csrf) = login(&base, "sj_liaison").await;
        let before = app.db.group_stats();
        let (b, c) = (base.clone(), sj_csrf.clone());
        let sjc = sj.clone();
        let (n, s, mut lat, e) = run(conc, secs, move |k| {
            let (sj, b, c) = (sjc.clone(), b.clone(), c.clone());
            async move {
                match sj
                    .post(format!("{b}/api/v1/verifications"))
                    .header("X-CSRF-Token", c)
                    .json(&send_body(item, k))
                    .send()
                    .await
                {
                    Ok(r) => r.status().as_u16() == 201 && r.bytes().await.is_ok(),
                    Err(_) => false,
                }
            }
        })
        .await;
        let sends = line("send", conc, n, s, &mut lat, e);
        writer_line(&app.db, before, s);
        println!("send / raw commit ratio: {:.3}", sends / raw.max(1.0));

        // 3. Full cycle: send, then answer under seal.
        let (ga, ga_csrf) = login(&base, "ga_proxy1").await;
        let before = app.db.group_stats();
        let (b, c1, c2) = (base.clone(), sj_csrf.clone(), ga_csrf.clone());
        let (sjc, gac) = (sj.clone(), ga.clone());
        let (n, s, mut lat, e) = run(conc, secs, move |k| {
            let (sj, ga, b, c1, c2) = (sjc.clone(), gac.clone(), b.clone(), c1.clone(), c2.clone());
            async move {
                let Ok(r) = sj
                    .post(format!("{b}/api/v1/verifications"))
                    .header("X-CSRF-Token", c1)
                    .json(&send_body(item, 10_000_000 + k))
                    .send()
                    .await
                else {
                    return false;
                };
                if r.status().as_u16() != 201 {
                    return false;
                }
                let Ok(v) = r.json::<Value>().await else {
                    return false;
                };
                let id = v["id"].as_i64().unwrap_or_default();
                match ga
                    .post(format!("{b}/api/v1/verifications/{id}/answer"))
                    .header("X-CSRF-Token", c2)
                    .json(&json!({"outcome": "confirmed", "answer": {"remarks": "属实"}}))
                    .send()
                    .await
                {
                    Ok(r) => r.status().as_u16() == 200 && r.bytes().await.is_ok(),
                    Err(_) => false,
                }
            }
        })
        .await;
        let cycles = line("full cycle", conc, n, s, &mut lat, e);
        writer_line(&app.db, before, s);
        println!("cycle / raw commit ratio: {:.3}", cycles / raw.max(1.0));

        // 4. Inbox with many verifications in the database.
        if inbox_rows > 0 {
            let t = Instant::now();
            let (_, written, _) =
                proofless_fixtures::verification_synth::generate(&app, inbox_rows)
                    .await
                    .unwrap();
            let total = app
                .db
                .reader()
                .scalar_i64(q("SELECT COUNT(*) FROM verifications"))
                .await
                .unwrap();
            println!(
                "generated {written} synthetic verifications in {:.1} s ({total} in the database)",
                t.elapsed().as_secs_f64()
            );
            for (label, path) in [
                ("inbox newest", "/api/v1/verifications/inbox?limit=50"),
                (
                    "inbox overdue",
                    "/api/v1/verifications/inbox?overdue=true&limit=50",
                ),
                (
                    "inbox answered",
                    "/api/v1/verifications/inbox?state=answered&limit=50",
                ),
            ] {
                for c in [1usize, conc] {
                    let (gac, b) = (ga.clone(), base.clone());
                    let (n, s, mut lat, e) = run(c, secs.min(5), move |_| {
                        let (ga, b) = (gac.clone(), b.clone());
                        async move {
                            match ga.get(format!("{b}{path}")).send().await {
                                Ok(r) => r.status().is_success() && r.bytes().await.is_ok(),
                                Err(_) => false,
                            }
                        }
                    })
                    .await;
                    line(label, c, n, s, &mut lat, e);
                }
            }
        }
    });
}
