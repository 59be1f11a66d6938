//! The read replica (issue #23): figures, dashboards and exports read the replica, which
//! may be a moment behind; what must show a write just made reads the primary. Runs against
//! the streaming replica `.ci/replica` starts (`PROOFLESS_TEST_POSTGRES_REPLICA_URL`, e.g.
//! `postgres://postgres@127.0.0.1:5433/postgres`), with its replay paused to make the lag.

use std::time::Duration;

use proofless_store::{Db, DbOptions};
use serde_json::Value;

use crate::common::{Backend, Client, fresh_app, postgres_db_url, spawn_app};
use crate::complaints_flow::{org_id, public_complaint};

fn replica_url() -> Option<String> {
    std::env::var("PROOFLESS_TEST_POSTGRES_REPLICA_URL")
        .ok()
        .filter(|s| !s.is_empty())
}

async fn sql(db: &Db, text: &str) -> String {
    let Db::Postgres(pool) = db else {
        panic!("PostgreSQL only")
    };
    let (v,): (String,) = sqlx::query_as(text).fetch_one(pool).await.unwrap();
    v
}

/// Waits until the replica has replayed everything the primary wrote so far.
async fn caught_up(primary: &Db, replica: &Db) {
    let lsn = sql(primary, "SELECT pg_current_wal_lsn()::text").await;
    for _ in 0..200 {
        let done = sql(
            replica,
            &format!("SELECT (pg_last_wal_replay_lsn() >= '{lsn}'::pg_lsn)::text"),
        )
        .await;
        if done == "true" {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the replica did not catch up within 10 s");
}

async fn received(window: &Client) -> i64 {
    let f: Value = window.json("/api/v1/complaints/figures?by=receiver").await;
    f["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == "window")
        .and_then(|r| r["received"].as_i64())
        .unwrap_or(0)
}

// Issue #23 "read replicas": reads that may lag (figures) go to the replica, reads that must
// see a just-committed write (the complaint list) stay on the primary; the replica catches up.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn figures_lag_on_the_replica_while_own_writes_read_the_primary_postgres() {
    let Some(replica_admin) = replica_url() else {
        eprintln!(
            "skipped: read-replica test (run .ci/replica and set PROOFLESS_TEST_POSTGRES_REPLICA_URL)"
        );
        return;
    };
    let Some((mut app, clock, dir)) = fresh_app(Backend::Postgres).await else {
        return;
    };
    let name = sql(&app.db, "SELECT current_database()::text").await;
    // The new database reaches the replica through the WAL like any write.
    let url = postgres_db_url(&replica_admin, &name);
    let mut replica = None;
    for _ in 0..200 {
        if let Ok(db) = Db::connect(&url, &DbOptions { max_connections: 4 }).await {
            replica = Some(db);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let replica = replica.expect("the test database on the replica within 10 s");
    assert_eq!(
        sql(&replica, "SELECT pg_is_in_recovery()::text").await,
        "true"
    );
    app.replica = Some(replica.clone());
    proofless_fixtures::demo::load(&app).await.expect("demo");
    let t = spawn_app(app.clone(), clock, Backend::Postgres, dir).await;
    let window = t.staff("window").await;
    let ga = org_id(&t, "县公安局").await;
    caught_up(&app.db, &replica).await;
    let before = received(&window).await;

    // The replica stops replaying: from now on it lags.
    sql(&replica, "SELECT pg_wal_replay_pause()::text").await;
    for _ in 0..200 {
        if sql(&replica, "SELECT pg_get_wal_replay_pause_state()").await == "paused" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let receipt = public_complaint(&t, ga, "13800138123", "副本滞后时仍须看到刚登记的投诉").await;
    let list: Value = window.json("/api/v1/complaints?per_page=200").await;
    let on_primary = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["receipt_no"] == receipt.as_str());
    let while_paused = received(&window).await;
    sql(&replica, "SELECT pg_wal_replay_resume()::text").await;

    assert!(
        on_primary,
        "the complaint list reads the primary: {receipt} is in it"
    );
    assert_eq!(
        while_paused, before,
        "the figures read the paused replica, which has not seen the complaint yet"
    );
    let mut after = while_paused;
    for _ in 0..200 {
        after = received(&window).await;
        if after == before + 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        after,
        before + 1,
        "the replica caught up and the figures count it"
    );
}
