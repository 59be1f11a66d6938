//! Group commit for SQLite: concurrent write transactions share one database transaction
//! and one durable commit (one fsync), each inside its own savepoint.
//!
//! SQLite has one writer, and with `synchronous=FULL` every commit waits for the disk: a
//! transaction per request caps writes at the disk's flush rate, whatever the work. Here
//! writers queue for the one write connection; each runs its statements inside
//! `SAVEPOINT member`, releases it, and then waits until the shared transaction is committed
//! before it reports success. The member that finds nobody queued behind it commits for
//! everybody. So a lone request commits at once, and under load one flush acknowledges a
//! whole queue of requests. Nothing is acknowledged before it is durable: a failed commit
//! fails every member of that batch.
//!
//! A member that fails (or is dropped) rolls back only its own savepoint; the others in the
//! batch are not affected.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex as SyncMutex, MutexGuard};
use std::time::{Duration, Instant};

use rusqlite::Connection;
use tokio::sync::{Mutex, OwnedMutexGuard, watch};

use crate::StoreError;

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
    stats: Arc<Stats>,
}

impl std::fmt::Debug for Group {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Group")
    }
}

/// Counters since start: members ÷ commits is the mean batch size; `held_us` is the time
/// members held the write connection running their statements, `commit_us` the time spent
/// in `COMMIT` (the flush), so their sum against the wall clock is how busy the writer was.
#[derive(Default, Debug)]
pub struct Stats {
    pub commits: AtomicU64,
    pub members: AtomicU64,
    pub held_us: AtomicU64,
    pub commit_us: AtomicU64,
}

fn micros(since: Instant) -> u64 {
    u64::try_from(since.elapsed().as_micros()).unwrap_or(u64::MAX)
}

struct Slot {
    /// The write connection. Shared with the blocking thread that runs `COMMIT`.
    conn: Arc<SyncMutex<Connection>>,
    /// A batch transaction is open.
    open: bool,
    /// Members that released their savepoint and wait for this batch's commit.
    members: usize,
    outcome: Option<watch::Sender<Outcome>>,
    /// A member left without committing: its savepoint must be rolled back first.
    abandoned: bool,
}

fn lock(c: &SyncMutex<Connection>) -> MutexGuard<'_, Connection> {
    // A panic while holding the connection leaves it usable: SQLite state is in SQLite.
    c.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Slot {
    fn run(&self, sql: &str) -> Result<(), StoreError> {
        lock(&self.conn).execute_batch(sql)?;
        Ok(())
    }

    /// Rolls back the savepoint of a member that left without committing.
    fn clean(&mut self) {
        if !self.abandoned {
            return;
        }
        self.abandoned = false;
        if self
            .run("ROLLBACK TO SAVEPOINT member; RELEASE SAVEPOINT member")
            .is_err()
        {
            // SQLite rolled the whole transaction back (disk full, I/O error).
            self.settle(Err("数据库事务已中止".to_owned()));
        }
    }

    /// Ends the batch: rolls back on `Err`, and tells its members the result.
    fn settle(&mut self, result: Result<(), String>) {
        if result.is_err() && self.open {
            // Leave nothing open on the connection; ignore "no transaction is active".
            let _ = self.run("ROLLBACK");
        }
        self.open = false;
        self.members = 0;
        if let Some(tx) = self.outcome.take() {
            tx.send_replace(Some(result));
        }
    }

    /// Commits the batch (the fsync on the blocking pool) and tells its members.
    async fn finish(&mut self, stats: &Stats) -> Result<(), String> {
        let started = Instant::now();
        let result = if self.open {
            let conn = self.conn.clone();
            tokio::task::spawn_blocking(move || lock(&conn).execute_batch("COMMIT"))
                .await
                .map_err(|e| e.to_string())
                .and_then(|r| r.map_err(|e| e.to_string()))
        } else {
            Ok(())
        };
        self.settle(result.clone());
        stats
            .commit_us
            .fetch_add(micros(started), Ordering::Relaxed);
        result
    }
}

impl Group {
    pub(crate) fn new(conn: Connection) -> Group {
        Group {
            slot: Arc::new(Mutex::new(Slot {
                conn: Arc::new(SyncMutex::new(conn)),
                open: false,
                members: 0,
                outcome: None,
                abandoned: false,
            })),
            waiting: Arc::new(AtomicUsize::new(0)),
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
    /// savepoint. A `solo` member commits its batch itself, whoever is queued.
    pub(crate) async fn begin(&self, solo: bool) -> Result<Member, StoreError> {
        let mut slot = {
            let _queued = Queued::new(&self.waiting);
            // A writer that never comes back (or a transaction begun inside another on the
            // same task) fails instead of hanging.
            tokio::time::timeout(WAIT_FOR_WRITER, self.slot.clone().lock_owned())
                .await
                .map_err(|_| StoreError::PoolTimedOut)?
        };
        slot.clean();
        if !slot.open {
            slot.run("BEGIN IMMEDIATE")?;
            slot.open = true;
            slot.outcome = Some(watch::channel(None).0);
        }
        slot.run("SAVEPOINT member")?;
        Ok(Member {
            slot: Some(slot),
            group: self.clone(),
            solo,
            since: Instant::now(),
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
    solo: bool,
    /// When the member took the write connection.
    since: Instant,
}

impl Member {
    /// Runs `f` on the write connection, inside this member's savepoint.
    pub(crate) fn with<R>(&mut self, f: impl FnOnce(&Connection) -> R) -> R {
        // Present until commit or drop, which consume the member.
        let slot = self.slot.as_ref().unwrap_or_else(|| unreachable!());
        f(&lock(&slot.conn))
    }

    /// Releases the savepoint, then returns once the batch holding it is durable.
    pub(crate) async fn commit(mut self) -> Result<(), StoreError> {
        let ran = self.with(|c| c.execute_batch("RELEASE SAVEPOINT member"));
        // Drop rolls the savepoint back when the member fails here.
        ran?;
        let Some(mut slot) = self.slot.take() else {
            unreachable!()
        };
        slot.members += 1;
        let stats = &self.group.stats;
        stats.members.fetch_add(1, Ordering::Relaxed);
        stats
            .held_us
            .fetch_add(micros(self.since), Ordering::Relaxed);
        let Some(outcome) = slot.outcome.as_ref() else {
            return Err(StoreError::Commit("批量提交状态异常".to_owned()));
        };
        let mut rx = outcome.subscribe();
        if self.solo
            || self.group.waiting.load(Ordering::SeqCst) == 0
            || slot.members >= MAX_MEMBERS
        {
            stats.commits.fetch_add(1, Ordering::Relaxed);
            // The commit goes on even if this request is cancelled meanwhile: the others of
            // the batch wait for it.
            let group = self.group.clone();
            let done = tokio::spawn(async move {
                let mut slot = slot;
                slot.finish(&group.stats).await
            });
            return match done.await {
                Ok(r) => r.map_err(StoreError::Commit),
                Err(e) => Err(StoreError::Commit(e.to_string())),
            };
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
                slot.clean();
                self.group.stats.commits.fetch_add(1, Ordering::Relaxed);
                let _ = slot.finish(&self.group.stats).await;
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
        slot.clean();
        if self.group.waiting.load(Ordering::SeqCst) > 0 || !slot.open {
            return;
        }
        // Nobody is queued to end the batch: end it now rather than keep SQLite's write
        // lock until the next writer arrives.
        if slot.members == 0 {
            let _ = slot.run("ROLLBACK");
            slot.settle(Ok(()));
        } else if let Ok(rt) = tokio::runtime::Handle::try_current() {
            self.group.stats.commits.fetch_add(1, Ordering::Relaxed);
            let group = self.group.clone();
            rt.spawn(async move {
                let mut slot = slot;
                let _ = slot.finish(&group.stats).await;
            });
        }
    }
}
