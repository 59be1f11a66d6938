//! HTTP benchmark of the public catalogue search (issue #3 "Performance").
//!
//! Generates a province-sized published exemption list (default 100,000 proof items) in a
//! fresh SQLite database (or `--postgres URL`), starts the real server in-process, and drives
//! it with 64 concurrent keep-alive clients: first the public search
//! (`/api/v1/public/search` with a mix of Chinese, pinyin, initials, filtered and paged
//! queries), then a trivial route (`/healthz`) in the same run, for comparison.
//!
//! Run: `cargo run --release --example bench_public_search [items] [seconds] [concurrency]`
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use proofless_app::{App, AppSettings, SystemClock};
use proofless_domain::catalogue::{ItemSnapshot, MethodSnapshot, ServiceItemRef};
use proofless_store::{Db, DbOptions, q};
use proofless_web::{AppState, WebConfig};

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[(self.next() % v.len() as u64) as usize]
    }
}

const SUBJECTS: &[&str] = &[
    "户籍",
    "无犯罪记录",
    "社保缴纳",
    "亲属关系",
    "居住",
    "收入",
    "婚姻状况",
    "死亡",
    "出生",
    "独生子女",
    "低保",
    "残疾",
    "学历",
    "工作经历",
    "房产",
    "土地承包",
    "宅基地",
    "纳税",
    "医保参保",
    "养老保险",
    "失业登记",
    "退役军人",
    "特困供养",
    "健康状况",
    "营业执照",
    "不动产登记",
    "公积金缴存",
    "住房困难",
    "监护关系",
    "赡养关系",
    "就业",
    "经营场所",
    "无欠税",
    "火化",
    "门牌号码",
    "村民身份",
    "种植面积",
    "受灾情况",
];
const QUALIFIERS: &[&str] = &[
    "",
    "",
    "个人",
    "家庭",
    "本人",
    "子女",
    "配偶",
    "企业",
    "困难群众",
];
const SUFFIXES: &[&str] = &["证明", "证明", "情况证明", "证明材料", "说明", "核实证明"];
const SERVICES: &[&str] = &[
    "户籍迁移登记",
    "社保待遇领取资格认证",
    "最低生活保障审核确认",
    "教师资格认定",
    "食品经营许可",
    "市场主体设立登记",
    "结婚登记",
    "法律援助申请",
    "工伤认定",
    "居住证申领",
    "宅基地申请审批",
    "公租房申请",
    "临时救助",
    "医保报销",
    "不动产登记",
];
const METHODS: &[&str] = &[
    "data_sharing",
    "commitment",
    "verification",
    "proxy",
    "abolished",
    "deficiency_acceptance",
    "other",
];
const LEVELS: &[&str] = &["county", "town", "village"];
const QUERIES: &[&str] = &[
    "q=户籍",
    "q=社保",
    "q=证明",
    "q=hjzm",
    "q=hujizhengming",
    "q=无犯罪",
    "q=亲属关系证明",
    "q=婚",
    "q=居住&level=county",
    "q=shebao",
    "q=低保&method=verification",
    "q=",
    "q=宅基地&offset=20",
    "q=家庭收入证明",
    "q=%E2%80%99%20OR%201%3D1",
    "q=jzzm",
    "q=不动产&level=town",
    "q=籍证",
];

async fn generate(db: &Db, n: usize) {
    let now = 1_700_000_000_000i64;
    let mut tx = db.begin().await.unwrap();
    let list = tx
        .scalar_i64(q("INSERT INTO exemption_lists (level, region_code, title, created_at) VALUES ('county', '370322000000', '基准测试清单', ?) RETURNING id").bind(now))
        .await
        .unwrap();
    let version = tx
        .scalar_i64(
            q("INSERT INTO list_versions (list_id, number, stage, item_count, note, prepared_by, prepared_at, approval_doc_no, approver_name, approved_at, effective_date, published_by, published_at) \
               VALUES (?, 1, 'published', ?, '', 'bench', ?, '基准〔2026〕1号', 'bench', ?, '2026-01-01', 'bench', ?) RETURNING id")
            .bind(list).bind(n as i64).bind(now).bind(now).bind(now),
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut tx = db.begin().await.unwrap();
    for i in 0..n {
        let name = format!(
            "{}{}{}{}",
            rng.pick(QUALIFIERS),
            rng.pick(SUBJECTS),
            rng.pick(SUFFIXES),
            if i % 3 == 0 {
                String::new()
            } else {
                format!("（{}）", i % 997)
            }
        );
        let svc = rng.pick(SERVICES);
        let level = rng.pick(LEVELS);
        let s = ItemSnapshot {
            id: i as i64 + 1,
            name: name.clone(),
            level: (*level).to_owned(),
            region_code: "370322000000".to_owned(),
            region_name: "高青县".to_owned(),
            disposition: "retained".to_owned(),
            service_items: vec![ServiceItemRef {
                id: 1,
                name: (*svc).to_owned(),
                code: format!("BENCH-{:08}", i % 5000),
                kind: "administrative_confirmation".to_owned(),
                org_name: "县公安局".to_owned(),
            }],
            issuer_ids: vec![(i % 40) as i64 + 1],
            issuers: vec![format!("单位{}", i % 40)],
            methods: vec![MethodSnapshot {
                method: (*rng.pick(METHODS)).to_owned(),
                citizen_text: "无需提交".to_owned(),
                ..MethodSnapshot::default()
            }],
            ..ItemSnapshot::default()
        };
        tx.execute(
            q("INSERT INTO list_version_items (version_id, proof_item_id, position, name, snapshot) VALUES (?, ?, ?, ?, ?)")
                .bind(version).bind(s.id).bind(i as i64).bind(name).bind(serde_json::to_string(&s).unwrap()),
        )
        .await
        .unwrap();
        if i % 10_000 == 9_999 {
            tx.commit().await.unwrap();
            tx = db.begin().await.unwrap();
        }
    }
    tx.commit().await.unwrap();
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

async fn load(
    base: &str,
    paths: Vec<String>,
    secs: u64,
    conc: usize,
) -> (f64, Vec<Duration>, usize) {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(conc)
        .build()
        .unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let paths = Arc::new(paths);
    let start = Instant::now();
    let mut tasks = vec![];
    for w in 0..conc {
        let (client, stop, paths, base) =
            (client.clone(), stop.clone(), paths.clone(), base.to_owned());
        tasks.push(tokio::spawn(async move {
            let mut lat = vec![];
            let mut errors = 0usize;
            let mut k = w;
            while !stop.load(Ordering::Relaxed) {
                let url = format!("{base}{}", paths[k % paths.len()]);
                k += 1;
                let t = Instant::now();
                match client.get(&url).send().await {
                    Ok(r) if r.status().is_success() => {
                        let _ = r.bytes().await;
                        lat.push(t.elapsed());
                    }
                    _ => errors += 1,
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
    all.sort();
    (all.len() as f64 / elapsed, all, errors)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let secs: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(10);
    let conc: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(64);
    let dir = tempfile::tempdir().unwrap();
    let url = std::env::var("BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}/bench.db", dir.path().display()));
    // The server gets its own runtime (2 workers, like `proofless serve` on this machine);
    // the clients get another, so neither starves the other's scheduler.
    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (base, app) = server_rt.block_on(async {
        let db = Db::connect(&url, &DbOptions { max_connections: 8 })
            .await
            .unwrap();
        db.migrate().await.unwrap();
        let app = App::new(db, Arc::new(SystemClock), AppSettings::default());
        proofless_app::regions::ensure_builtin(&app).await.unwrap();
        let t = Instant::now();
        generate(&app.db, n).await;
        println!(
            "generated {n} published items in {:.1} s",
            t.elapsed().as_secs_f64()
        );
        let t = Instant::now();
        app.catalogue.refresh(&app).await.unwrap();
        println!(
            "index built from the published list in {:.2} s ({} items)",
            t.elapsed().as_secs_f64(),
            app.catalogue.len()
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let state = AppState::new(app.clone(), WebConfig::default());
        tokio::spawn(async move {
            let _ = proofless_web::serve(listener, state, std::future::pending()).await;
        });
        (format!("http://{addr}"), app)
    });
    let _ = &app;
    let client_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    client_rt.block_on(async {
        let search: Vec<String> = QUERIES.iter().map(|q| format!("/api/v1/public/search?{q}&limit=20")).collect();
        // Warm-up.
        load(&base, search.clone(), 2, conc).await;
        for (label, paths) in [
            ("search", search),
            ("trivial /healthz", vec!["/healthz".to_owned()]),
            ("static app.css", vec!["/assets/app.css".to_owned()]),
        ] {
            let (rps, lat, errors) = load(&base, paths, secs, conc).await;
            println!(
                "{label:<18} {conc} clients {secs}s: {rps:>8.0} req/s  p50 {:>7.2} ms  p90 {:>7.2} ms  p99 {:>7.2} ms  max {:>7.2} ms  errors {errors}",
                pct(&lat, 0.5).as_secs_f64() * 1e3,
                pct(&lat, 0.9).as_secs_f64() * 1e3,
                pct(&lat, 0.99).as_secs_f64() * 1e3,
                lat.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
            );
        }
    });
    server_rt.block_on(change_visibility(&app, &url));
}

/// Publishes a new version of a town list (500 items) next to the big county list and
/// measures how long until search shows it: on this instance (the publisher calls
/// `PublicCatalogue::update`, as `lists::publish` does) and on a second instance on the same
/// database (which notices through its freshness poll).
async fn change_visibility(app: &App, url: &str) {
    let other_db = Db::connect(url, &DbOptions { max_connections: 2 })
        .await
        .unwrap();
    let other = App::new(other_db, Arc::new(SystemClock), AppSettings::default());
    other.catalogue.refresh(&other).await.unwrap();
    for round in 1..=3 {
        let marker = format!("基准变更{round}号证明");
        let now = 1_800_000_000_000i64 + round;
        let mut tx = app.db.begin().await.unwrap();
        let list = match tx
            .fetch_optional::<(i64,)>(q("SELECT id FROM exemption_lists WHERE region_code = '370322001000'"))
            .await
            .unwrap()
        {
            Some((id,)) => id,
            None => tx
                .scalar_i64(q("INSERT INTO exemption_lists (level, region_code, title, created_at) VALUES ('town', '370322001000', '基准镇清单', ?) RETURNING id").bind(now))
                .await
                .unwrap(),
        };
        let version = tx
            .scalar_i64(
                q("INSERT INTO list_versions (list_id, number, stage, item_count, note, prepared_by, prepared_at, approval_doc_no, approver_name, approved_at, effective_date, published_by, published_at) \
                   VALUES (?, ?, 'published', 500, '', 'bench', ?, '基准〔2026〕2号', 'bench', ?, '2026-02-01', 'bench', ?) RETURNING id")
                .bind(list).bind(round).bind(now).bind(now).bind(now),
            )
            .await
            .unwrap();
        for i in 0..500i64 {
            let name = if i == 0 {
                marker.clone()
            } else {
                format!("镇级证明{round}-{i}")
            };
            let s = ItemSnapshot {
                id: 10_000_000 + round * 1000 + i,
                name: name.clone(),
                level: "town".to_owned(),
                region_code: "370322001000".to_owned(),
                region_name: "田镇街道".to_owned(),
                disposition: "retained".to_owned(),
                ..ItemSnapshot::default()
            };
            tx.execute(
                q("INSERT INTO list_version_items (version_id, proof_item_id, position, name, snapshot) VALUES (?, ?, ?, ?, ?)")
                    .bind(version).bind(s.id).bind(i).bind(name).bind(serde_json::to_string(&s).unwrap()),
            )
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
        let published = Instant::now();
        app.catalogue.update(app).await.unwrap();
        let here = published.elapsed();
        let find = |a: &App| {
            let a = a.clone();
            let marker = marker.clone();
            async move {
                let p = proofless_app::catalogue::public::SearchParams {
                    q: Some(marker),
                    ..Default::default()
                };
                proofless_app::catalogue::public::search(&a, &p)
                    .await
                    .unwrap()
                    .total
            }
        };
        assert_eq!(find(app).await, 1);
        let mut polls = 0;
        while find(&other).await != 1 {
            polls += 1;
            assert!(polls < 1000, "the other instance never saw the publication");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        println!(
            "publication {round} (500-item town list beside {} items): visible here after {:.1} ms, on a second instance after {:.1} ms",
            app.catalogue.len() - 500,
            here.as_secs_f64() * 1e3,
            published.elapsed().as_secs_f64() * 1e3
        );
    }
}
