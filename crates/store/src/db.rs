//! The database handle: an SQLite file or a PostgreSQL server behind one API.

use std::str::FromStr;
use std::time::Duration;

use log::LevelFilter;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{ConnectOptions as _, Postgres, Sqlite, Transaction};

use crate::group::{Group, Member};

use crate::query::NullKind;
use crate::{Query, Row, StoreError, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Pool sizes for a 2-core machine: SQLite has one writer anyway, PostgreSQL gains
/// little past a few connections per core.
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
    /// Readers, the single writer connection, and the group committing on it: SQLite
    /// admits one writer at a time, and queueing writers on our own pool is fair and
    /// immediate, where contending for the file lock sleeps in the busy handler.
    Sqlite(SqlitePool, SqlitePool, Group),
    Postgres(PgPool),
}

pub(crate) fn bind_sqlite<'q>(
    mut qy: sqlx::query::Query<'q, Sqlite, sqlx::sqlite::SqliteArguments<'q>>,
    args: &'q [Value],
) -> sqlx::query::Query<'q, Sqlite, sqlx::sqlite::SqliteArguments<'q>> {
    for a in args {
        qy = match a {
            Value::Null(_) => qy.bind(Option::<i64>::None),
            Value::I64(v) => qy.bind(*v),
            Value::F64(v) => qy.bind(*v),
            Value::Bool(v) => qy.bind(*v),
            Value::Text(v) => qy.bind(v.as_str()),
            Value::Bytes(v) => qy.bind(v.as_slice()),
        };
    }
    qy
}

fn bind_sqlite_as<'q, T>(
    mut qy: sqlx::query::QueryAs<'q, Sqlite, T, sqlx::sqlite::SqliteArguments<'q>>,
    args: &'q [Value],
) -> sqlx::query::QueryAs<'q, Sqlite, T, sqlx::sqlite::SqliteArguments<'q>> {
    for a in args {
        qy = match a {
            Value::Null(_) => qy.bind(Option::<i64>::None),
            Value::I64(v) => qy.bind(*v),
            Value::F64(v) => qy.bind(*v),
            Value::Bool(v) => qy.bind(*v),
            Value::Text(v) => qy.bind(v.as_str()),
            Value::Bytes(v) => qy.bind(v.as_slice()),
        };
    }
    qy
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

fn bind_pg_as<'q, T>(
    mut qy: sqlx::query::QueryAs<'q, Postgres, T, sqlx::postgres::PgArguments>,
    args: &'q [Value],
) -> sqlx::query::QueryAs<'q, Postgres, T, sqlx::postgres::PgArguments> {
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

/// Implements execute / fetch_* for a type whose sqlite and postgres executors are
/// reached by the two given expressions.
macro_rules! executor_methods {
    ($sqlite:ident, $pg:ident) => {
        /// Run a statement; returns the number of rows affected.
        pub async fn execute(&mut self, q: Query) -> Result<u64, StoreError> {
            exec!(
                self,
                $sqlite,
                $pg,
                |c| {
                    let r = bind_sqlite(sqlx::query(q.sql.as_str()), &q.args)
                        .execute(c)
                        .await?;
                    Ok(r.rows_affected())
                },
                |c| {
                    let sql = q.postgres_sql();
                    let r = bind_pg(sqlx::query(sql.as_str()), &q.args)
                        .execute(c)
                        .await?;
                    Ok(r.rows_affected())
                }
            )
        }

        pub async fn fetch_all<T: Row>(&mut self, q: Query) -> Result<Vec<T>, StoreError> {
            exec!(
                self,
                $sqlite,
                $pg,
                |c| {
                    Ok(
                        bind_sqlite_as(sqlx::query_as::<_, T>(q.sql.as_str()), &q.args)
                            .fetch_all(c)
                            .await?,
                    )
                },
                |c| {
                    let sql = q.postgres_sql();
                    Ok(bind_pg_as(sqlx::query_as::<_, T>(sql.as_str()), &q.args)
                        .fetch_all(c)
                        .await?)
                }
            )
        }

        pub async fn fetch_optional<T: Row>(&mut self, q: Query) -> Result<Option<T>, StoreError> {
            exec!(
                self,
                $sqlite,
                $pg,
                |c| {
                    Ok(
                        bind_sqlite_as(sqlx::query_as::<_, T>(q.sql.as_str()), &q.args)
                            .fetch_optional(c)
                            .await?,
                    )
                },
                |c| {
                    let sql = q.postgres_sql();
                    Ok(bind_pg_as(sqlx::query_as::<_, T>(sql.as_str()), &q.args)
                        .fetch_optional(c)
                        .await?)
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

impl Db {
    /// Connect to `sqlite://path` or `postgres://…`, creating the SQLite file and its
    /// directory when missing.
    pub async fn connect(url: &str, opts: &DbOptions) -> Result<Db, StoreError> {
        if url.starts_with("sqlite:") {
            let path = url
                .trim_start_matches("sqlite://")
                .trim_start_matches("sqlite:");
            let path = path.split('?').next().unwrap_or(path);
            if !path.is_empty() && path != ":memory:" {
                if let Some(parent) = std::path::Path::new(path).parent() {
                    if !parent.as_os_str().is_empty() {
                        std::fs::create_dir_all(parent)?;
                    }
                }
            }
            let co = SqliteConnectOptions::from_str(url)
                .map_err(|e| StoreError::BadUrl(e.to_string()))?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                // Anything a user was told is saved must survive a power cut.
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                .log_slow_statements(LevelFilter::Off, Duration::from_secs(1));
            let pool = SqlitePoolOptions::new()
                .max_connections(opts.max_connections.clamp(1, 16))
                .acquire_timeout(Duration::from_secs(15))
                .connect_with(co.clone())
                .await?;
            let writer = SqlitePoolOptions::new()
                .max_connections(1)
                .acquire_timeout(Duration::from_secs(30))
                .connect_with(co)
                .await?;
            let group = Group::new(writer.clone());
            Ok(Db::Sqlite(pool, writer, group))
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
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

    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(..) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    pub async fn migrate(&self) -> Result<(), StoreError> {
        match self {
            Db::Sqlite(_, w, _) => crate::MIGRATIONS_SQLITE.run(w).await?,
            Db::Postgres(p) => crate::MIGRATIONS_POSTGRES.run(p).await?,
        }
        Ok(())
    }

    /// Begin a write transaction. On SQLite it joins the group commit (see
    /// [`crate::group`]): it holds the write lock from its first statement, so a
    /// read-then-write never fails with a stale snapshot, and `commit` returns once durable.
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        Ok(match self {
            Db::Sqlite(_, _, g) => TxConn::Group(g.begin().await?).into(),
            Db::Postgres(p) => TxConn::Postgres(p.begin().await?).into(),
        })
    }

    /// A write transaction that commits alone, outside the group: each commit waits for
    /// its own flush. Only benchmarks use it, to measure the storage ceiling that grouping
    /// commits gets past.
    pub async fn begin_ungrouped(&self) -> Result<Tx, StoreError> {
        Ok(match self {
            Db::Sqlite(_, w, _) => TxConn::Sqlite(w.begin_with("BEGIN IMMEDIATE").await?).into(),
            Db::Postgres(p) => TxConn::Postgres(p.begin().await?).into(),
        })
    }

    /// Group-commit counters on SQLite: (commits, members); members ÷ commits is the
    /// mean number of transactions acknowledged per durable commit.
    pub fn group_stats(&self) -> Option<(u64, u64)> {
        use std::sync::atomic::Ordering::Relaxed;
        match self {
            Db::Sqlite(_, _, g) => Some((
                g.stats().commits.load(Relaxed),
                g.stats().members.load(Relaxed),
            )),
            Db::Postgres(_) => None,
        }
    }

    /// Write transactions waiting for the SQLite write connection (0 on PostgreSQL).
    pub fn writers_queued(&self) -> usize {
        match self {
            Db::Sqlite(_, _, g) => g.queued(),
            Db::Postgres(_) => 0,
        }
    }

    /// A read-only handle usable for single statements outside a transaction.
    pub fn reader(&self) -> Reader<'_> {
        Reader(self)
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite(r, w, _) => {
                r.close().await;
                w.close().await;
            }
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
    ($self:ident, Pool, Pool, |$c:ident| $s:block, |$c2:ident| $p:block) => {
        match $self.0 {
            Db::Sqlite(pool, _, _) => {
                let $c = pool;
                $s
            }
            Db::Postgres(pool) => {
                let $c2 = pool;
                $p
            }
        }
    };
    ($self:ident, Tx, Tx, |$c:ident| $s:block, |$c2:ident| $p:block) => {
        match $self {
            TxConn::Group(m) => {
                let $c = m.conn();
                $s
            }
            TxConn::Sqlite(tx) => {
                let $c = &mut **tx;
                $s
            }
            TxConn::Postgres(tx) => {
                let $c2 = &mut **tx;
                $p
            }
        }
    };
}

impl Reader<'_> {
    executor_methods!(Pool, Pool);
}

/// An open transaction on either backend. Dropped without `commit`, it rolls back.
pub struct Tx {
    conn: TxConn,
    /// Writes to run before the next statement or the commit, in one round trip.
    deferred: Vec<Query>,
}

enum TxConn {
    /// SQLite: a member of the group commit.
    Group(Member),
    /// SQLite, committing alone ([`Db::begin_ungrouped`]).
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

impl TxConn {
    executor_methods!(Tx, Tx);
}

impl From<TxConn> for Tx {
    fn from(conn: TxConn) -> Tx {
        Tx {
            conn,
            deferred: Vec::new(),
        }
    }
}

/// One statement of several, in order: SQLite runs them in one call (`?` arguments
/// bind in sequence across the statements).
fn joined(qs: Vec<Query>) -> Query {
    let mut all = Query::new(String::new());
    for qy in qs {
        if !all.sql.is_empty() {
            all.sql.push_str(";\n");
        }
        all.sql.push_str(&qy.sql);
        all.args.extend(qy.args);
    }
    all
}

impl Tx {
    pub fn backend(&self) -> Backend {
        match self.conn {
            TxConn::Group(_) | TxConn::Sqlite(_) => Backend::Sqlite,
            TxConn::Postgres(_) => Backend::Postgres,
        }
    }

    /// Runs a write later in this transaction: before its next statement or at commit,
    /// together with the other deferred writes, in one round trip on SQLite (each
    /// statement to the database thread costs more than most writes themselves). Only for
    /// writes that return nothing and whose failure fails the whole transaction anyway:
    /// the error surfaces at the next statement or at `commit`.
    pub fn defer(&mut self, q: Query) {
        self.deferred.push(q);
    }

    async fn flush(&mut self) -> Result<(), StoreError> {
        if self.deferred.is_empty() {
            return Ok(());
        }
        let qs = std::mem::take(&mut self.deferred);
        match self.conn {
            TxConn::Postgres(_) => {
                for qy in qs {
                    self.conn.execute(qy).await?;
                }
            }
            TxConn::Group(_) | TxConn::Sqlite(_) => {
                self.conn.execute(joined(qs)).await?;
            }
        }
        Ok(())
    }

    /// Run a statement; returns the number of rows affected.
    pub async fn execute(&mut self, q: Query) -> Result<u64, StoreError> {
        self.flush().await?;
        self.conn.execute(q).await
    }

    pub async fn fetch_all<T: Row>(&mut self, q: Query) -> Result<Vec<T>, StoreError> {
        self.flush().await?;
        self.conn.fetch_all(q).await
    }

    pub async fn fetch_optional<T: Row>(&mut self, q: Query) -> Result<Option<T>, StoreError> {
        self.flush().await?;
        self.conn.fetch_optional(q).await
    }

    pub async fn fetch_one<T: Row>(&mut self, q: Query) -> Result<T, StoreError> {
        self.flush().await?;
        self.conn.fetch_one(q).await
    }

    /// A single scalar, e.g. `SELECT COUNT(*)` or `INSERT … RETURNING id`.
    pub async fn scalar_i64(&mut self, q: Query) -> Result<i64, StoreError> {
        self.flush().await?;
        self.conn.scalar_i64(q).await
    }

    /// Commits; in the group, the deferred writes and the end of the savepoint go in one call.
    pub async fn commit(mut self) -> Result<(), StoreError> {
        if !matches!(self.conn, TxConn::Group(_)) {
            self.flush().await?;
        }
        match self.conn {
            TxConn::Group(m) => m.commit(joined(self.deferred)).await?,
            TxConn::Sqlite(t) => t.commit().await?,
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
