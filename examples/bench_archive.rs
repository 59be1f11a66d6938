//! Benchmark of case e-archives (issue #17 §5): builds the sealed packages of `cases`
//! decided cases of the demo county (each with its PDF/A renderings, SM3 manifest and SM2
//! seal) through the same code as the `case.archive` job, then checks every package the way
//! `proofless archive verify --key` does (unzip, SM3 of every file, the manifest's seal with
//! the published key, the sealed documents' own seals), one thread, and prints the rates.
//! Target: ≥ 200 packages/s verified.
//!
//! Run: `cargo run --release --example bench_archive -- [cases]` (default 1,000), SQLite in a
//! temporary directory.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::Instant;

use proofless_app::cases::{self, Decision, NewCase};
use proofless_app::{Actor, ActorKind, App, AppSettings, SystemClock};
use proofless_domain::role::Role;
use proofless_store::{Db, DbOptions, q};

#[tokio::main]
async fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000);
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/bench.db", dir.path().display());
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

    let (org, credit): (i64, String) = app
        .db
        .reader()
        .fetch_one(q("SELECT id, credit_code FROM orgs WHERE name = ?").bind("县司法局"))
        .await
        .unwrap();
    let (code,): (String,) = app
        .db
        .reader()
        .fetch_one(
            q("SELECT code FROM service_items WHERE org_id = ? ORDER BY id LIMIT 1").bind(org),
        )
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
    let (person,): (i64,) = app
        .db
        .reader()
        .fetch_one(q("SELECT id FROM persons ORDER BY id LIMIT 1"))
        .await
        .unwrap();
    let applicant = proofless_app::applicants::public_id_of(&app, person)
        .await
        .unwrap();
    let t = Instant::now();
    let mut ids = Vec::with_capacity(n);
    for _ in 0..n {
        let c = cases::create(
            &app,
            &clerk,
            &NewCase {
                service_item_code: code.clone(),
                applicant_kind: "person".into(),
                applicant: applicant.clone(),
                applicant_name: None,
                immediate: true,
                statutory_limit: None,
            },
        )
        .await
        .unwrap();
        cases::decide(
            &app,
            &clerk,
            c.id,
            &Decision {
                outcome: "terminated".into(),
                reason: "基准测试终止".into(),
            },
        )
        .await
        .unwrap();
        ids.push(c.id);
    }
    println!(
        "{n} cases opened and decided in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    let t = Instant::now();
    let written = proofless_app::archive::archive_missing(&app, i64::MAX)
        .await
        .unwrap();
    let took = t.elapsed().as_secs_f64();
    println!(
        "{written} packages built, sealed and stored in {took:.1} s: {:.0} packages/s",
        written as f64 / took
    );

    let mut packages = Vec::with_capacity(n);
    for id in &ids {
        // As the unit downloads it (an audited read).
        let bytes = proofless_app::archive::download(&app, &clerk, *id)
            .await
            .unwrap()
            .bytes;
        packages.push(bytes);
    }
    let size: usize = packages.iter().map(Vec::len).sum();
    let pem = proofless_app::seals::keys_of_org(&app, org)
        .await
        .unwrap()
        .into_iter()
        .find(|k| k.retired_at.is_none())
        .unwrap()
        .public_pem;
    let t = Instant::now();
    for p in &packages {
        proofless_app::archive::verify(p, Some(&pem)).unwrap();
    }
    let took = t.elapsed().as_secs_f64();
    println!(
        "{} packages verified (hashes + seals, published key of {credit}) in {took:.2} s: {:.0} packages/s, one thread; mean package {:.0} KiB",
        packages.len(),
        packages.len() as f64 / took,
        size as f64 / packages.len().max(1) as f64 / 1024.0
    );
}
