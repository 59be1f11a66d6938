//! Benchmark of notification-commitment (issue #6 "Performance"):
//! 1. eligibility + plan decision (credit status by primary key, the item's rule in force,
//!    the pure decision) with `subjects × 10` credit records in the database;
//! 2. the daily sampling run over `commitments` pending commitments.
//!
//! Run: `cargo run --release --example bench_commitment -- [subjects] [commitments] [permille]`
//! (defaults 1,000,000 subjects = 10,000,000 credit records, 1,000,000 commitments, 200‰).
//! SQLite in a temporary directory; set `BENCH_POSTGRES_URL=postgres://…/postgres` to run on
//! a fresh PostgreSQL database instead.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use proofless_app::cases::{self, NewCase};
use proofless_app::commitment::{self as signing, checks};
use proofless_app::{Actor, ActorKind, App, AppSettings, SystemClock};
use proofless_domain::role::Role;
use proofless_fixtures::commitment::synth::{self, Fixture};
use proofless_store::{Db, DbOptions, q};

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

async fn one(app: &App, sql: &str, arg: &str) -> i64 {
    let (id,): (i64,) = app.db.reader().fetch_one(q(sql).bind(arg)).await.unwrap();
    id
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let subjects: u64 = args
        .get(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let commitments: u64 = args
        .get(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let permille: i64 = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(200);
    let dir = tempfile::tempdir().unwrap();
    let url = match std::env::var("BENCH_POSTGRES_URL")
        .ok()
        .filter(|s| !s.is_empty())
    {
        Some(admin) => {
            let name = format!("proofless_bench_commitment_{}", std::process::id());
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
    proofless_fixtures::demo::load(&app).await.unwrap();
    println!(
        "database: {}",
        if url.starts_with("sqlite") {
            "SQLite"
        } else {
            "PostgreSQL"
        }
    );

    let t = Instant::now();
    let (records, subj) = synth::credit_records(&app, subjects, synth::RECORDS_PER_SUBJECT)
        .await
        .unwrap();
    println!(
        "generated {records} credit records of {subj} subjects in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    // 1. Eligibility + plan.
    let item = one(
        &app,
        "SELECT id FROM proof_items WHERE name = ? ORDER BY id LIMIT 1",
        "经济困难证明（法律援助）",
    )
    .await;
    let mut rng = Rng(0x1234_5678_9abc_def1);
    let n = 20_000;
    let mut lat = Vec::with_capacity(n);
    let (mut eligible, mut refused) = (0, 0);
    for _ in 0..n {
        let s = format!("person:{}", rng.next() % subjects.max(1) + 1);
        let t = Instant::now();
        let d = signing::plan_for(&app, &s, item).await.unwrap();
        lat.push(t.elapsed());
        match d {
            Ok(Some(_)) => eligible += 1,
            _ => refused += 1,
        }
    }
    lat.sort();
    println!(
        "eligibility+plan over {n} random subjects: p50 {:?} p99 {:?} max {:?} ({eligible} eligible, {refused} refused)",
        pct(&lat, 0.5),
        pct(&lat, 0.99),
        lat[lat.len() - 1]
    );

    // 2. Daily sampling.
    let org = one(
        &app,
        "SELECT id FROM orgs WHERE name = ? ORDER BY id LIMIT 1",
        "县司法局",
    )
    .await;
    let person = one(
        &app,
        "SELECT id FROM persons WHERE resident_id = ?",
        "370322199001011238",
    )
    .await;
    let (code,): (String,) = app
        .db
        .reader()
        .fetch_one(q("SELECT code FROM service_items ORDER BY id LIMIT 1"))
        .await
        .unwrap();
    let clerk = Actor {
        kind: ActorKind::Staff,
        id: None,
        name: "基准".into(),
        org_id: Some(org),
        org_name: None,
        region_code: None,
        roles: vec![Role::CounterClerk],
        operation_id: "bench".into(),
    };
    let case = cases::create(
        &app,
        &clerk,
        &NewCase {
            service_item_code: code,
            applicant_kind: "person".into(),
            applicant: proofless_app::applicants::public_id_of(&app, person)
                .await
                .unwrap(),
            applicant_name: None,
            immediate: false,
            statutory_limit: None,
        },
    )
    .await
    .unwrap();
    let (template_id, rule_id, sup): (i64, i64, i64) = app
        .db
        .reader()
        .fetch_one(
            q("SELECT t.id, r.id, r.supervising_org_id FROM commitment_templates t JOIN commitment_rules r \
               ON r.proof_item_id = t.proof_item_id WHERE t.proof_item_id = ? AND t.stage = 'published' \
               ORDER BY r.number DESC LIMIT 1")
            .bind(item),
        )
        .await
        .unwrap();
    let f = Fixture {
        case_id: case.id,
        proof_item_id: item,
        template_id,
        rule_id,
        person_id: person,
        org_id: org,
        supervising_org_id: sup,
    };
    let t = Instant::now();
    let made = synth::pending_commitments(&app, f, commitments, permille)
        .await
        .unwrap();
    println!(
        "generated {made} pending commitments ({permille}‰) in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let sys = Actor::system("bench");
    let t = Instant::now();
    let r = checks::run_sampling(&app, &sys, 20_260_312).await.unwrap();
    println!(
        "sampling run: {} considered, {} drawn (deadlines opened), {} not drawn in {:.1} s",
        r.considered,
        r.drawn,
        r.not_drawn,
        t.elapsed().as_secs_f64()
    );
}
