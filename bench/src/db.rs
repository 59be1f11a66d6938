//! Fresh databases for a run, and the storage ceiling: the raw single-row durable
//! commit rate of the same database, measured in the same run.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use proofless_store::{Db, DbOptions, q};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    }
}

/// A new, empty database for this run.
pub async fn fresh(backend: Backend, pg_admin: &str, workdir: &Path) -> anyhow::Result<String> {
    match backend {
        Backend::Sqlite => Ok(format!("sqlite://{}/bench.db", workdir.display())),
        Backend::Postgres => {
            use sqlx::Connection as _;
            use sqlx::Executor as _;
            let name = format!(
                "proofless_bench_{}_{}",
                std::process::id(),
                Instant::now().elapsed().as_nanos() + rand::random::<u32>() as u128
            );
            let mut c = sqlx::PgConnection::connect(pg_admin).await?;
            c.execute(format!("CREATE DATABASE {name}").as_str())
                .await?;
            let base = pg_admin
                .rsplit_once('/')
                .map(|(b, _)| b)
                .unwrap_or(pg_admin);
            Ok(format!("{base}/{name}"))
        }
    }
}

/// Commits per second of one-row transactions from `concurrency` tasks for `secs`, each
/// committing alone (no group commit): the raw durable-commit rate that the server's
/// grouped commits are compared with.
pub async fn storage_ceiling(url: &str, concurrency: usize, secs: f64) -> anyhow::Result<f64> {
    let db = Db::connect(
        url,
        &DbOptions {
            max_connections: concurrency.clamp(1, 64) as u32,
        },
    )
    .await?;
    let mut tx = db.begin().await?;
    tx.execute(q(
        "CREATE TABLE IF NOT EXISTS bench_commit (k TEXT PRIMARY KEY, v BIGINT NOT NULL)",
    ))
    .await?;
    tx.commit().await?;
    let stop = Arc::new(AtomicBool::new(false));
    let count = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut tasks = vec![];
    for t in 0..concurrency {
        let (db, stop, count) = (db.clone(), stop.clone(), count.clone());
        tasks.push(tokio::spawn(async move {
            let mut n = 0u64;
            while !stop.load(Ordering::Relaxed) {
                let Ok(mut tx) = db.begin_ungrouped().await else {
                    continue;
                };
                let ok = tx
                    .execute(
                        q("INSERT INTO bench_commit (k, v) VALUES (?, ?)")
                            .bind(format!("{t}-{n}"))
                            .bind(n as i64),
                    )
                    .await
                    .is_ok();
                if ok && tx.commit().await.is_ok() {
                    count.fetch_add(1, Ordering::Relaxed);
                }
                n += 1;
            }
        }));
    }
    tokio::time::sleep(Duration::from_secs_f64(secs)).await;
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        let _ = t.await;
    }
    let rate = count.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64();
    db.close().await;
    Ok(rate)
}

/// Rows of `table` now (a bench-owned table name, never user input).
pub async fn count(url: &str, table: &str) -> anyhow::Result<i64> {
    let db = Db::connect(url, &DbOptions { max_connections: 1 }).await?;
    let n = db
        .reader()
        .scalar_i64(q(format!("SELECT COUNT(*) FROM {table}")))
        .await?;
    db.close().await;
    Ok(n)
}
