//! Group commit for SQLite: concurrent write transactions share one database transaction
//! and one durable commit (one fsync), each inside its own savepoint.
//!
//! SQLite has one writer, and with `synchronous=FULL` every commit waits for the disk: a
//! transaction per request caps writes at the disk's flush rate, whatever the work. Here
//! writers queue for the one write connection as before; each runs its statements inside
//! `SAVEPOINT member`, releases it, and then waits until the shared transaction is committed
//! before it reports success. The member that finds nobody queued behind it commits for
//! everybody. So a lone request commits at once, and under load one flush acknowledges a
//! whole queue of requests. Nothing is acknowledged before it is durable: a failed commit
//! fails every member of that batch.
//!
//! A member that fails (or is dropped) rolls back only its own savepoint; the others in the
//! batch are not affected.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use sqlx::pool::PoolConnection;
use sqlx::{Executor as _, Sqlite, SqliteConnection, SqlitePool};
use tokio::sync::{Mutex, OwnedMutexGuard, watch};

use crate::db::bind_sqlite;
use crate::{Query, StoreError};

/// At most this many members share one commit, so a batch's latency stays bounded.
const MAX_MEMBERS: usize = 256;
/// A member waiting for its batch commits it itself after this long: the writer that was
/// queued behind it, and so expected to commit, may have been cancelled while queued.
const FALLBACK: Duration = Duration::from_secs(1);

/// How long a writer waits for the write connection before giving up.
const WAIT_FOR_WRITER: Duration = Duration::from_secs(30);

type Outcome = Option<Result<(), String>>;

#[derive(Clone)]
pub struct Group {
    slot: Arc<Mutex<Slot>>,
    waiting: Arc<AtomicUsize>,
    pool: SqlitePool,
    stats: Arc<Stats>,
}

impl std::fmt::Debug for Group {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Group")
    }
}

/// Commits and members since start: members ÷ commits is the mean batch size.
#[derive(Default, Debug)]
pub struct Stats {
    pub commits: AtomicU64,
    pub members: AtomicU64,
}

#[derive(Default)]
struct Slot {
    /// The write connection, present while a batch transaction is open.
    conn: Option<PoolConnection<Sqlite>>,
    /// Members that released their savepoint and wait for this batch's commit.
    members: usize,
    outcome: Option<watch::Sender<Outcome>>,
    /// A member left without committing: its savepoint must be rolled back first.
    abandoned: bool,
}

impl Slot {
    fn conn(&mut self) -> &mut SqliteConnection {
        self.conn
            .as_mut()
            .expect("group member without a connection")
    }

    async fn run(&mut self, sql: &'static str) -> Result<(), sqlx::Error> {
        self.conn().execute(sql).await.map(|_| ())
    }

    /// Rolls back the savepoint of a member that left without committing.
    async fn clean(&mut self) {
        if !self.abandoned {
            return;
        }
        self.abandoned = false;
        let undone = self.run("ROLLBACK TO SAVEPOINT member").await.is_ok()
            && self.run("RELEASE SAVEPOINT member").await.is_ok();
        if !undone {
            // SQLite rolled the whole transaction back (disk full, I/O error).
            let _ = self.finish(Err("数据库事务已中止".to_owned())).await;
        }
    }

    /// Commits (or, on `Err`, rolls back) the batch and tells its members.
    async fn finish(&mut self, forced: Result<(), String>) -> Result<(), String> {
        let result = match forced {
            Ok(()) if self.conn.is_some() => self.run("COMMIT").await.map_err(|e| e.to_string()),
            Ok(()) => Ok(()),
            Err(e) => Err(e),
        };
        if result.is_err() && self.conn.is_some() {
            // Leave nothing open on the connection; ignore "no transaction is active".
            let _ = self.run("ROLLBACK").await;
        }
        self.conn = None;
        self.members = 0;
        if let Some(tx) = self.outcome.take() {
            tx.send_replace(Some(result.clone()));
        }
        result
    }
}

impl Group {
    pub fn new(pool: SqlitePool) -> Group {
        Group {
            slot: Arc::new(Mutex::new(Slot::default())),
            waiting: Arc::new(AtomicUsize::new(0)),
            pool,
            stats: Arc::new(Stats::default()),
        }
    }

    pub fn queued(&self) -> usize {
        self.waiting.load(Ordering::SeqCst)
    }

    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// Joins the open batch, or opens one (`BEGIN IMMEDIATE`), and starts this member's
    /// savepoint.
    pub async fn begin(&self) -> Result<Member, StoreError> {
        let mut slot = {
            let _queued = Queued::new(&self.waiting);
            // As the writer pool's acquire timeout did: a writer that never comes back (or a
            // transaction begun inside another on the same task) fails instead of hanging.
            tokio::time::timeout(WAIT_FOR_WRITER, self.slot.clone().lock_owned())
                .await
                .map_err(|_| StoreError::Sqlx(sqlx::Error::PoolTimedOut))?
        };
        slot.clean().await;
        if slot.conn.is_none() {
            slot.conn = Some(self.pool.acquire().await?);
            if let Err(e) = slot.run("BEGIN IMMEDIATE").await {
                slot.conn = None;
                return Err(e.into());
            }
            slot.outcome = Some(watch::channel(None).0);
        }
        slot.run("SAVEPOINT member").await?;
        Ok(Member {
            slot: Some(slot),
            group: self.clone(),
        })
    }
}

/// Counts a task queued for the write connection, also when its wait is cancelled.
struct Queued<'a>(&'a AtomicUsize);

impl<'a> Queued<'a> {
    fn new(n: &'a AtomicUsize) -> Self {
        n.fetch_add(1, Ordering::SeqCst);
        Queued(n)
    }
}

impl Drop for Queued<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// One write transaction inside a batch. Dropped without `commit`, it rolls back.
pub struct Member {
    slot: Option<OwnedMutexGuard<Slot>>,
    group: Group,
}

impl Member {
    pub fn conn(&mut self) -> &mut SqliteConnection {
        self.slot.as_mut().expect("member already finished").conn()
    }

    /// Runs `last` (statements deferred to the end, possibly none) and releases the
    /// savepoint in the same call, then returns once the batch holding it is durable.
    pub async fn commit(mut self, last: Query) -> Result<(), StoreError> {
        let mut slot = self.slot.take().expect("member already finished");
        let mut end = last;
        if !end.sql.is_empty() {
            end.sql.push_str(";\n");
        }
        end.sql.push_str("RELEASE SAVEPOINT member");
        let released = bind_sqlite(sqlx::query(end.sql.as_str()), &end.args)
            .execute(slot.conn())
            .await;
        if let Err(e) = released {
            slot.abandoned = true;
            self.slot = Some(slot);
            return Err(e.into());
        }
        slot.members += 1;
        self.group.stats.members.fetch_add(1, Ordering::Relaxed);
        let mut rx = slot
            .outcome
            .as_ref()
            .expect("open batch without outcome")
            .subscribe();
        if self.group.waiting.load(Ordering::SeqCst) == 0 || slot.members >= MAX_MEMBERS {
            self.group.stats.commits.fetch_add(1, Ordering::Relaxed);
            return slot.finish(Ok(())).await.map_err(StoreError::Commit);
        }
        drop(slot);
        loop {
            if let Ok(r) = tokio::time::timeout(FALLBACK, rx.wait_for(Option::is_some)).await {
                return match r {
                    Ok(v) => v.clone().unwrap_or(Ok(())).map_err(StoreError::Commit),
                    Err(_) => Err(StoreError::Commit("批量提交中断".to_owned())),
                };
            }
            // Nobody committed our batch yet: do it, unless it happened meanwhile.
            let mut slot = {
                let _queued = Queued::new(&self.group.waiting);
                self.group.slot.lock().await
            };
            if rx.borrow().is_none() {
                slot.clean().await;
                self.group.stats.commits.fetch_add(1, Ordering::Relaxed);
                let _ = slot.finish(Ok(())).await;
            }
        }
    }
}

impl Drop for Member {
    fn drop(&mut self) {
        let Some(mut slot) = self.slot.take() else {
            return;
        };
        slot.abandoned = true;
        // Undo this member now, and commit the batch for the others when nobody is queued
        // to do it, rather than keep SQLite's write lock until the next writer arrives.
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            let group = self.group.clone();
            rt.spawn(async move {
                let mut slot = slot;
                slot.clean().await;
                if group.waiting.load(Ordering::SeqCst) == 0 && slot.conn.is_some() {
                    if slot.members > 0 {
                        group.stats.commits.fetch_add(1, Ordering::Relaxed);
                    }
                    let _ = slot.finish(Ok(())).await;
                }
            });
        }
    }
}
