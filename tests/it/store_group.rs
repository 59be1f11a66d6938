//! Group commit (SQLite): concurrent write transactions share one durable commit, each in
//! its own savepoint. Whatever the batching, a commit that returned is durable and
//! visible, and a failed or abandoned transaction takes nobody else's work with it.
//! The same properties are checked on PostgreSQL, where each transaction commits alone.

use std::time::Duration;

use proofless_store::{Db, q};

use crate::common::{Backend, fresh_app};

async fn table(db: &Db) {
    let mut tx = db.begin().await.unwrap();
    tx.execute(q(
        "CREATE TABLE gc_probe (id BIGINT PRIMARY KEY, note TEXT NOT NULL)",
    ))
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

async fn count(db: &Db) -> i64 {
    db.reader()
        .scalar_i64(q("SELECT COUNT(*) FROM gc_probe"))
        .await
        .unwrap()
}

async fn insert(db: &Db, id: i64) -> Result<(), proofless_store::StoreError> {
    let mut tx = db.begin().await?;
    tx.execute(q("INSERT INTO gc_probe (id, note) VALUES (?, 'x')").bind(id))
        .await?;
    tx.commit().await
}

/// Every acknowledged write is visible to another connection when `commit` returns.
async fn concurrent_commits_are_all_durable(backend: Backend) {
    let Some((app, _, _dir)) = fresh_app(backend).await else {
        return;
    };
    let db = app.db.clone();
    table(&db).await;
    let mut tasks = vec![];
    for i in 0..200 {
        let db = db.clone();
        tasks.push(tokio::spawn(async move {
            insert(&db, i).await.unwrap();
            // Acknowledged: a reader on another connection must see it now.
            let seen = db
                .reader()
                .scalar_i64(q("SELECT COUNT(*) FROM gc_probe WHERE id = ?").bind(i))
                .await
                .unwrap();
            assert_eq!(seen, 1, "row {i} acknowledged but not visible");
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(count(&db).await, 200);
    if let Some(st) = db.group_stats() {
        let (commits, members) = (st.commits, st.members);
        assert!(
            commits >= 1 && commits <= members,
            "{commits} commits for {members} members"
        );
    }
}

/// Writers queued behind an open transaction are acknowledged by one commit (SQLite).
async fn a_queue_of_writers_shares_one_commit(backend: Backend) {
    let Some((app, _, _dir)) = fresh_app(backend).await else {
        return;
    };
    let db = app.db.clone();
    table(&db).await;
    let before = db.group_stats();
    let mut first = db.begin().await.unwrap();
    first
        .execute(q("INSERT INTO gc_probe (id, note) VALUES (0, 'first')"))
        .await
        .unwrap();
    let mut queued = vec![];
    for i in 1..=10 {
        let db = db.clone();
        queued.push(tokio::spawn(async move { insert(&db, i).await }));
    }
    if backend == Backend::Sqlite {
        // Bounded wait until all ten stand in the queue for the write connection.
        for _ in 0..500 {
            if db.writers_queued() == 10 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        assert_eq!(db.writers_queued(), 10);
    }
    first.commit().await.unwrap();
    for t in queued {
        t.await.unwrap().unwrap();
    }
    assert_eq!(count(&db).await, 11);
    if let (Some(b), Some(a)) = (before, db.group_stats()) {
        assert_eq!(a.members - b.members, 11, "eleven transactions");
        assert_eq!(
            a.commits - b.commits,
            1,
            "one durable commit for all eleven"
        );
        assert!(a.held_us > b.held_us, "the writer's busy time is counted");
    }
}

/// A member whose statement fails, and one dropped without committing, lose only their
/// own work; the batch around them commits.
async fn a_failed_member_takes_nothing_else_with_it(backend: Backend) {
    let Some((app, _, _dir)) = fresh_app(backend).await else {
        return;
    };
    let db = app.db.clone();
    table(&db).await;
    insert(&db, 1).await.unwrap();
    let mut holder = db.begin().await.unwrap();
    holder
        .execute(q("INSERT INTO gc_probe (id, note) VALUES (2, 'kept')"))
        .await
        .unwrap();
    let mut tasks = vec![];
    // Duplicate key: fails inside its savepoint.
    let d = db.clone();
    tasks.push(tokio::spawn(async move { insert(&d, 1).await.is_err() }));
    // Writes, then is dropped without commit.
    let d = db.clone();
    tasks.push(tokio::spawn(async move {
        let mut tx = d.begin().await.unwrap();
        tx.execute(q("INSERT INTO gc_probe (id, note) VALUES (3, 'abandoned')"))
            .await
            .unwrap();
        drop(tx);
        true
    }));
    let d = db.clone();
    tasks.push(tokio::spawn(async move { insert(&d, 4).await.is_ok() }));
    holder.commit().await.unwrap();
    for t in tasks {
        assert!(t.await.unwrap());
    }
    let ids: Vec<(i64,)> = db
        .reader()
        .fetch_all(q("SELECT id FROM gc_probe ORDER BY id"))
        .await
        .unwrap();
    assert_eq!(ids, vec![(1,), (2,), (4,)]);
}

/// A lone transaction dropped without commit releases the write lock at once.
async fn an_abandoned_transaction_frees_the_writer(backend: Backend) {
    let Some((app, _, _dir)) = fresh_app(backend).await else {
        return;
    };
    let db = app.db.clone();
    table(&db).await;
    {
        let mut tx = db.begin().await.unwrap();
        tx.execute(q("INSERT INTO gc_probe (id, note) VALUES (7, 'gone')"))
            .await
            .unwrap();
    }
    tokio::time::timeout(Duration::from_secs(5), insert(&db, 8))
        .await
        .expect("writer free again")
        .unwrap();
    let ids: Vec<(i64,)> = db
        .reader()
        .fetch_all(q("SELECT id FROM gc_probe ORDER BY id"))
        .await
        .unwrap();
    assert_eq!(ids, vec![(8,)]);
}

both_backends!(
    concurrent_commits_are_all_durable,
    a_queue_of_writers_shares_one_commit,
    a_failed_member_takes_nothing_else_with_it,
    an_abandoned_transaction_frees_the_writer,
);
