//! The database handle: an SQLite file or a PostgreSQL server behind one API.

use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use log::LevelFilter;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions, PgRow};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use sqlx::{Column as _, ConnectOptions as _, Postgres, Row as _, Transaction, TypeInfo as _};

use crate::group::{Group, Member};
use crate::query::NullKind;
use crate::row::{Row, decode};
use crate::sqlite::{self, Readers};
use crate::{Query, StoreError, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Backend {
    Sqlite,
    Postgres,
}

/// Pool sizes for a 2-core machine: SQLite has one writer anyway, PostgreSQL gains
/// little past a few connections per core.
/// Group-commit counters since start (SQLite): members ÷ commits is the mean number of
/// transactions acknowledged per durable commit; `held_us` is the time transactions held
/// the write connection, `commit_us` the time spent flushing, both in microseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GroupStats {
    pub commits: u64,
    pub members: u64,
    pub held_us: u64,
    pub commit_us: u64,
}

#[derive(Debug, Clone)]
pub struct DbOptions {
    pub max_connections: u32,
}

impl Default for DbOptions {
    fn default() -> Self {
        DbOptions { max_connections: 8 }
    }
}

#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(Arc<SqliteDb>),
    Postgres(PgPool),
}

/// Readers, and the single writer connection with the group committing on it: SQLite
/// admits one writer at a time, and queueing writers in-process is fair and immediate,
/// where contending for the file lock sleeps in the busy handler.
pub struct SqliteDb {
    url: String,
    readers: Readers,
    group: Group,
}

impl std::fmt::Debug for SqliteDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SqliteDb")
    }
}

macro_rules! bind_pg_null {
    ($qy:ident, $k:ident) => {
        match $k {
            NullKind::I64 => $qy.bind(Option::<i64>::None),
            NullKind::F64 => $qy.bind(Option::<f64>::None),
            NullKind::Bool => $qy.bind(Option::<bool>::None),
            NullKind::Text => $qy.bind(Option::<String>::None),
            NullKind::Bytes => $qy.bind(Option::<Vec<u8>>::None),
        }
    };
}

/// Whether PostgreSQL statements are prepared as named statements and kept per connection.
/// A URL with `statement-cache-capacity=0` turns them off for the whole process: behind
/// PgBouncer in transaction mode a server connection serves many clients, so a named
/// statement one client prepared may be missing or clash for the next; unnamed statements
/// (parsed on each use) are safe there. Off stays off once any pool asked for it.
static NAMED_STATEMENTS: AtomicBool = AtomicBool::new(true);

/// Whether `url` asks for a statement cache of zero (see [`NAMED_STATEMENTS`]).
fn wants_unnamed_statements(url: &str) -> bool {
    url.split_once('?').is_some_and(|(_, q)| {
        q.split('&')
            .any(|kv| kv.trim() == "statement-cache-capacity=0")
    })
}

/// A PostgreSQL statement, named or not as the deployment asks.
fn pg_query(sql: &str) -> sqlx::query::Query<'_, Postgres, sqlx::postgres::PgArguments> {
    sqlx::query(sql).persistent(NAMED_STATEMENTS.load(Ordering::Relaxed))
}

fn bind_pg<'q>(
    mut qy: sqlx::query::Query<'q, Postgres, sqlx::postgres::PgArguments>,
    args: &'q [Value],
) -> sqlx::query::Query<'q, Postgres, sqlx::postgres::PgArguments> {
    for a in args {
        qy = match a {
            Value::Null(k) => bind_pg_null!(qy, k),
            Value::I64(v) => qy.bind(*v),
            Value::F64(v) => qy.bind(*v),
            Value::Bool(v) => qy.bind(*v),
            Value::Text(v) => qy.bind(v.as_str()),
            Value::Bytes(v) => qy.bind(v.as_slice()),
        };
    }
    qy
}

/// The column names of a PostgreSQL result.
fn pg_columns(row: &PgRow) -> Arc<[String]> {
    row.columns().iter().map(|c| c.name().to_owned()).collect()
}

/// A PostgreSQL row as neutral values, by the column's type.
fn pg_values(row: &PgRow) -> Result<Vec<Value>, StoreError> {
    let mut out = Vec::with_capacity(row.len());
    for (i, c) in row.columns().iter().enumerate() {
        let v = match c.type_info().name() {
            "INT8" => row.try_get::<Option<i64>, _>(i)?.map(Value::I64),
            "INT4" => row
                .try_get::<Option<i32>, _>(i)?
                .map(|v| Value::I64(v.into())),
            "INT2" => row
                .try_get::<Option<i16>, _>(i)?
                .map(|v| Value::I64(v.into())),
            "FLOAT8" => row.try_get::<Option<f64>, _>(i)?.map(Value::F64),
            "FLOAT4" => row
                .try_get::<Option<f32>, _>(i)?
                .map(|v| Value::F64(v.into())),
            "BOOL" => row.try_get::<Option<bool>, _>(i)?.map(Value::Bool),
            "BYTEA" => row.try_get::<Option<Vec<u8>>, _>(i)?.map(Value::Bytes),
            "TEXT" | "VARCHAR" | "BPCHAR" | "NAME" | "UNKNOWN" => {
                row.try_get::<Option<String>, _>(i)?.map(Value::Text)
            }
            other => {
                return Err(StoreError::Decode(format!(
                    "列 {} 的类型 {other} 不受支持（请在查询中转换为 BIGINT、TEXT 等）",
                    c.name()
                )));
            }
        };
        out.push(v.unwrap_or(Value::Null(NullKind::I64)));
    }
    Ok(out)
}

fn pg_decode<T: Row>(rows: Vec<PgRow>) -> Result<Vec<T>, StoreError> {
    let Some(first) = rows.first() else {
        return Ok(Vec::new());
    };
    let cols = pg_columns(first);
    rows.iter().map(|r| decode(&cols, pg_values(r)?)).collect()
}

/// Implements execute / fetch_* for a type whose SQLite connection and PostgreSQL executor
/// are reached by the given expressions. SQLite statements run inline (see
/// [`crate::sqlite`]).
macro_rules! executor_methods {
    ($sqlite:ident, $pg:ident) => {
        /// Run a statement; returns the number of rows affected.
        pub async fn execute(&mut self, q: Query) -> Result<u64, StoreError> {
            exec!(self, $sqlite, $pg, |c| sqlite::execute(c, &q), |c| {
                let sql = q.postgres_sql();
                let r = bind_pg(pg_query(sql.as_str()), &q.args).execute(c).await?;
                Ok(r.rows_affected())
            })
        }

        pub async fn fetch_all<T: Row>(&mut self, q: Query) -> Result<Vec<T>, StoreError> {
            exec!(self, $sqlite, $pg, |c| sqlite::fetch(c, &q, None), |c| {
                let sql = q.postgres_sql();
                pg_decode(
                    bind_pg(pg_query(sql.as_str()), &q.args)
                        .fetch_all(c)
                        .await?,
                )
            })
        }

        pub async fn fetch_optional<T: Row>(&mut self, q: Query) -> Result<Option<T>, StoreError> {
            exec!(
                self,
                $sqlite,
                $pg,
                |c| Ok(sqlite::fetch(c, &q, Some(1))?.pop()),
                |c| {
                    let sql = q.postgres_sql();
                    let row = bind_pg(pg_query(sql.as_str()), &q.args)
                        .fetch_optional(c)
                        .await?;
                    match row {
                        Some(r) => Ok(Some(decode(&pg_columns(&r), pg_values(&r)?)?)),
                        None => Ok(None),
                    }
                }
            )
        }

        pub async fn fetch_one<T: Row>(&mut self, q: Query) -> Result<T, StoreError> {
            match self.fetch_optional(q).await? {
                Some(v) => Ok(v),
                None => Err(StoreError::Sqlx(sqlx::Error::RowNotFound)),
            }
        }

        /// A single scalar, e.g. `SELECT COUNT(*)` or `INSERT … RETURNING id`.
        pub async fn scalar_i64(&mut self, q: Query) -> Result<i64, StoreError> {
            let (v,): (i64,) = self.fetch_one(q).await?;
            Ok(v)
        }
    };
}

/// Any number fits: instances of Proofless on one database agree on it.
const MIGRATION_LOCK: i64 = 0x5052_4f4f_464c_4553; // "PROOFLES"

/// Migrates PostgreSQL. Directly connected: sqlx's migrator as it is. Behind PgBouncer in
/// transaction mode (unnamed statements, see [`NAMED_STATEMENTS`]) sqlx's session lock and
/// named bookkeeping statements would land on whichever server connection is free, so the
/// whole run goes into one transaction, which pins one server connection: a
/// transaction-scoped lock first (a second instance waits, then sees what the first
/// committed), the migrations as savepoints, and the named statements dropped before the
/// connection goes back to the pool.
async fn migrate_postgres(p: &PgPool) -> Result<(), StoreError> {
    if NAMED_STATEMENTS.load(Ordering::Relaxed) {
        crate::MIGRATIONS_POSTGRES.run(p).await?;
        return Ok(());
    }
    let mut tx = p.begin().await?;
    pg_query("SELECT pg_advisory_xact_lock($1)")
        .bind(MIGRATION_LOCK)
        .execute(&mut *tx)
        .await?;
    crate::MIGRATIONS_POSTGRES.run(&mut *tx).await?;
    pg_query("DEALLOCATE ALL").execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(())
}

/// The file path in a `sqlite://path?options` URL.
fn sqlite_path(url: &str) -> &str {
    let path = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:");
    path.split('?').next().unwrap_or(path)
}

impl Db {
    /// Connect to `sqlite://path` or `postgres://…`, creating the SQLite file and its
    /// directory when missing.
    pub async fn connect(url: &str, opts: &DbOptions) -> Result<Db, StoreError> {
        if url.starts_with("sqlite:") {
            let path = sqlite_path(url);
            if path.is_empty() || path.starts_with(":memory:") {
                return Err(StoreError::BadUrl(
                    "SQLite 数据库须为文件（内存数据库不能在连接间共享）".to_owned(),
                ));
            }
            if let Some(parent) = std::path::Path::new(path).parent() {
                if !parent.as_os_str().is_empty() {
                    std::fs::create_dir_all(parent)?;
                }
            }
            let writer = sqlite::open(path, sqlite::WRITER_CACHE_MIB)?;
            Ok(Db::Sqlite(Arc::new(SqliteDb {
                url: url.to_owned(),
                readers: Readers::new(path, opts.max_connections.clamp(1, 16), false),
                group: Group::new(writer),
            })))
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            if wants_unnamed_statements(url) {
                NAMED_STATEMENTS.store(false, Ordering::Relaxed);
            }
            let co = PgConnectOptions::from_str(url)
                .map_err(|e| StoreError::BadUrl(e.to_string()))?
                // Bulk statements would flood the log with their SQL text; request
                // latency is measured in /metrics instead.
                .log_slow_statements(LevelFilter::Off, Duration::from_secs(1));
            let pool = PgPoolOptions::new()
                .max_connections(opts.max_connections.clamp(1, 64))
                .acquire_timeout(Duration::from_secs(15))
                .connect_with(co)
                .await?;
            Ok(Db::Postgres(pool))
        } else {
            Err(StoreError::BadUrl(format!(
                "不支持的数据库地址（应以 sqlite:// 或 postgres:// 开头）：{}",
                redact_url(url)
            )))
        }
    }

    /// Opens an existing, migrated database read-only (issue #16 item 4): nothing is
    /// created, migrated or written. Fails on a missing or empty SQLite file, and on any
    /// database without Proofless's schema. PostgreSQL sessions are read-only too.
    pub async fn open_read_only(url: &str, opts: &DbOptions) -> Result<Db, StoreError> {
        let db = if url.starts_with("sqlite:") {
            let path = sqlite_path(url);
            let meta = std::fs::metadata(path).map_err(|_| {
                StoreError::NotADatabase(format!("数据库文件不存在：{path}（只读打开，不会新建）"))
            })?;
            if !meta.is_file() || meta.len() == 0 {
                return Err(StoreError::NotADatabase(format!(
                    "数据库文件为空或不是文件：{path}"
                )));
            }
            let writer = sqlite::open_read_only(path, sqlite::WRITER_CACHE_MIB)?;
            Db::Sqlite(Arc::new(SqliteDb {
                url: url.to_owned(),
                readers: Readers::new(path, opts.max_connections.clamp(1, 16), true),
                group: Group::new(writer),
            }))
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let co = PgConnectOptions::from_str(url)
                .map_err(|e| StoreError::BadUrl(e.to_string()))?
                .options([("default_transaction_read_only", "on")])
                .log_slow_statements(LevelFilter::Off, Duration::from_secs(1));
            let pool = PgPoolOptions::new()
                .max_connections(opts.max_connections.clamp(1, 8))
                .acquire_timeout(Duration::from_secs(15))
                .connect_with(co)
                .await?;
            Db::Postgres(pool)
        } else {
            return Err(StoreError::BadUrl(format!(
                "不支持的数据库地址（应以 sqlite:// 或 postgres:// 开头）：{}",
                redact_url(url)
            )));
        };
        db.require_schema().await?;
        Ok(db)
    }

    /// Fails unless the migrations have run on this database (at least one recorded).
    async fn require_schema(&self) -> Result<(), StoreError> {
        let table = match self {
            Db::Sqlite(_) => {
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'"
            }
            Db::Postgres(_) => {
                "SELECT COUNT(*) FROM information_schema.tables WHERE table_name = '_sqlx_migrations'"
            }
        };
        let empty = || {
            StoreError::NotADatabase(
                "数据库为空：没有 Proofless 的表（尚未迁移，或不是 Proofless 数据库）".to_owned(),
            )
        };
        if self.reader().scalar_i64(crate::q(table)).await? == 0 {
            return Err(empty());
        }
        let applied = self
            .reader()
            .scalar_i64(crate::q(
                "SELECT COUNT(*) FROM _sqlx_migrations WHERE success",
            ))
            .await?;
        if applied == 0 {
            return Err(empty());
        }
        Ok(())
    }

    pub(crate) fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(..) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// Applies the migrations (sqlx's migrator, on a connection of its own).
    pub async fn migrate(&self) -> Result<(), StoreError> {
        match self {
            Db::Sqlite(s) => {
                let co = SqliteConnectOptions::from_str(&s.url)
                    .map_err(|e| StoreError::BadUrl(e.to_string()))?
                    .create_if_missing(true)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(10))
                    .log_statements(LevelFilter::Off);
                let pool = SqlitePoolOptions::new()
                    .max_connections(1)
                    .connect_with(co)
                    .await?;
                let r = crate::MIGRATIONS_SQLITE.run(&pool).await;
                pool.close().await;
                r?;
            }
            Db::Postgres(p) => migrate_postgres(p).await?,
        }
        Ok(())
    }

    /// Begin a write transaction. On SQLite it joins the group commit (see
    /// [`crate::group`]): it holds the write lock from its first statement, so a
    /// read-then-write never fails with a stale snapshot, and `commit` returns once durable.
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        Ok(match self {
            Db::Sqlite(s) => TxConn::Group(s.group.begin(false).await?).into(),
            Db::Postgres(p) => TxConn::Postgres(p.begin().await?).into(),
        })
    }

    /// A write transaction that commits alone, outside the group: each commit waits for
    /// its own flush. Only benchmarks use it, to measure the storage ceiling that grouping
    /// commits gets past.
    pub async fn begin_ungrouped(&self) -> Result<Tx, StoreError> {
        Ok(match self {
            Db::Sqlite(s) => TxConn::Group(s.group.begin(true).await?).into(),
            Db::Postgres(p) => TxConn::Postgres(p.begin().await?).into(),
        })
    }

    /// Group-commit counters on SQLite (see [`GroupStats`]).
    pub fn group_stats(&self) -> Option<GroupStats> {
        use std::sync::atomic::Ordering::Relaxed;
        match self {
            Db::Sqlite(s) => {
                let st = s.group.stats();
                Some(GroupStats {
                    commits: st.commits.load(Relaxed),
                    members: st.members.load(Relaxed),
                    held_us: st.held_us.load(Relaxed),
                    commit_us: st.commit_us.load(Relaxed),
                })
            }
            Db::Postgres(_) => None,
        }
    }

    /// Write transactions waiting for the SQLite write connection (0 on PostgreSQL).
    pub fn writers_queued(&self) -> usize {
        match self {
            Db::Sqlite(s) => s.group.queued(),
            Db::Postgres(_) => 0,
        }
    }

    /// The SQL dialect of this database (see [`crate::Dialect`]).
    pub fn dialect(&self) -> crate::Dialect {
        crate::Dialect(self.backend())
    }

    /// Whether the database answers a trivial query (health checks).
    pub async fn ping(&self) -> bool {
        self.reader()
            .scalar_i64(crate::q("SELECT CAST(1 AS BIGINT)"))
            .await
            .is_ok()
    }

    /// The query plan of a statement, one line a step (for benchmarks and operators).
    /// PostgreSQL plans it with its arguments in place, as the server would run it.
    pub async fn explain(&self, q: Query) -> Result<Vec<String>, StoreError> {
        match self.backend() {
            Backend::Sqlite => {
                let mut plan = q;
                plan.sql = format!("EXPLAIN QUERY PLAN {}", plan.sql);
                let rows: Vec<(i64, i64, i64, String)> = self.reader().fetch_all(plan).await?;
                Ok(rows.into_iter().map(|r| r.3).collect())
            }
            Backend::Postgres => {
                let mut plan = q;
                plan.sql = format!("EXPLAIN {}", plan.sql);
                let rows: Vec<(String,)> = self.reader().fetch_all(plan).await?;
                Ok(rows.into_iter().map(|r| r.0).collect())
            }
        }
    }

    /// A read-only handle usable for single statements outside a transaction.
    pub fn reader(&self) -> Reader<'_> {
        Reader(self)
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite(s) => s.readers.close(),
            Db::Postgres(p) => p.close().await,
        }
    }
}

/// Hide the password part of a database URL before it is shown anywhere.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &creds[..c], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// Statements on the pool, outside any explicit transaction.
pub struct Reader<'a>(&'a Db);

macro_rules! exec {
    ($self:ident, Pool, Pool, |$c:ident| $s:expr, |$c2:ident| $p:block) => {
        match $self.0 {
            Db::Sqlite(s) => {
                let conn = s.readers.get().await?;
                let $c: &rusqlite::Connection = &conn;
                $s
            }
            Db::Postgres(pool) if NAMED_STATEMENTS.load(Ordering::Relaxed) => {
                let $c2 = pool;
                $p
            }
            Db::Postgres(pool) => {
                // Behind a transaction-mode pooler an unnamed statement is parsed in one
                // round trip and run in the next: only a transaction keeps both on the
                // same server connection.
                let mut tx = pool.begin().await?;
                let r = {
                    let $c2 = &mut *tx;
                    $p
                };
                tx.commit().await?;
                r
            }
        }
    };
    ($self:ident, Tx, Tx, |$c:ident| $s:expr, |$c2:ident| $p:block) => {
        match $self {
            TxConn::Group(m) => m.with(|$c| $s),
            TxConn::Postgres(tx) => {
                let $c2 = &mut **tx;
                $p
            }
        }
    };
}

impl Reader<'_> {
    executor_methods!(Pool, Pool);

    pub(crate) fn backend(&self) -> Backend {
        self.0.backend()
    }
}

/// An open transaction on either backend. Dropped without `commit`, it rolls back.
pub struct Tx {
    conn: TxConn,
    /// State a service keeps with the transaction until commit (see [`Tx::state_until_commit`]).
    state: Vec<Box<dyn std::any::Any + Send>>,
    /// Run first thing at commit, in registration order.
    hooks: Vec<CommitHook>,
}

/// Work a service leaves for the end of the transaction: the audit log chains the rows a
/// transaction collected there, so the chain's head row is locked only while committing.
pub type CommitHook = for<'a> fn(
    &'a mut Tx,
) -> std::pin::Pin<
    Box<dyn std::future::Future<Output = Result<(), StoreError>> + Send + 'a>,
>;

enum TxConn {
    /// SQLite: a member of the group commit.
    Group(Member),
    Postgres(Transaction<'static, Postgres>),
}

impl TxConn {
    executor_methods!(Tx, Tx);
}

impl From<TxConn> for Tx {
    fn from(conn: TxConn) -> Tx {
        Tx {
            conn,
            state: Vec::new(),
            hooks: Vec::new(),
        }
    }
}

impl Tx {
    pub(crate) fn backend(&self) -> Backend {
        match self.conn {
            TxConn::Group(_) => Backend::Sqlite,
            TxConn::Postgres(_) => Backend::Postgres,
        }
    }

    /// The transaction's state of type `T`, created empty on first use together with
    /// `at_commit`, which runs first thing at commit (its error fails the commit) and takes
    /// the state with [`Tx::take_state`].
    pub fn state_until_commit<T: std::any::Any + Send + Default>(
        &mut self,
        at_commit: CommitHook,
    ) -> &mut T {
        let i = match self.state.iter().position(|b| b.is::<T>()) {
            Some(i) => i,
            None => {
                self.state.push(Box::new(T::default()));
                self.hooks.push(at_commit);
                self.state.len() - 1
            }
        };
        match self.state[i].downcast_mut::<T>() {
            Some(t) => t,
            None => unreachable!("position found by type"),
        }
    }

    /// Takes the transaction's state of type `T` (empty when there is none).
    pub fn take_state<T: std::any::Any + Send + Default>(&mut self) -> T {
        match self.state.iter().position(|b| b.is::<T>()) {
            Some(i) => match self.state.swap_remove(i).downcast::<T>() {
                Ok(t) => *t,
                Err(_) => T::default(),
            },
            None => T::default(),
        }
    }

    /// Run a statement; returns the number of rows affected.
    pub async fn execute(&mut self, q: Query) -> Result<u64, StoreError> {
        self.conn.execute(q).await
    }

    pub async fn fetch_all<T: Row>(&mut self, q: Query) -> Result<Vec<T>, StoreError> {
        self.conn.fetch_all(q).await
    }

    pub async fn fetch_optional<T: Row>(&mut self, q: Query) -> Result<Option<T>, StoreError> {
        self.conn.fetch_optional(q).await
    }

    pub async fn fetch_one<T: Row>(&mut self, q: Query) -> Result<T, StoreError> {
        self.conn.fetch_one(q).await
    }

    /// A single scalar, e.g. `SELECT COUNT(*)` or `INSERT … RETURNING id`.
    pub async fn scalar_i64(&mut self, q: Query) -> Result<i64, StoreError> {
        self.conn.scalar_i64(q).await
    }

    /// Commits, after running the commit hooks ([`Tx::state_until_commit`]); in the group,
    /// returns once the batch holding this transaction is durable.
    pub async fn commit(mut self) -> Result<(), StoreError> {
        for hook in std::mem::take(&mut self.hooks) {
            hook(&mut self).await?;
        }
        match self.conn {
            TxConn::Group(m) => m.commit().await?,
            TxConn::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_passwords_are_hidden_before_display() {
        assert_eq!(
            redact_url("postgres://app:s3cret@db.local:5432/proofless"),
            "postgres://app:***@db.local:5432/proofless"
        );
        assert_eq!(redact_url("sqlite://data/x.db"), "sqlite://data/x.db");
    }
}
