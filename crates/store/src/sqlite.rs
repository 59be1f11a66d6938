//! SQLite through rusqlite, called directly on the task's own thread.
//!
//! A statement on an indexed table takes microseconds; handing each one to a connection
//! thread and back (as an async driver does) cost more than the statement itself and, under
//! the single writer, serialised every request behind those hand-offs. So statements run
//! inline, prepared once per connection (`prepare_cached`); only the durable `COMMIT`
//! (an fsync) goes to the blocking pool, see [`crate::group`].

use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, OpenFlags, ToSql};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::row::{Row, decode};
use crate::{NullKind, Query, StoreError, Value};

/// Prepared statements kept per connection: every distinct SQL text the app runs.
const STATEMENT_CACHE: usize = 512;
/// Page cache of the write connection and of each read connection, in MiB.
pub(crate) const WRITER_CACHE_MIB: u32 = 64;
const READER_CACHE_MIB: u32 = 16;

/// Opens a connection with the settings every connection needs: WAL (readers never wait
/// for the writer), `synchronous=FULL` (anything a user was told is saved survives a power
/// cut), foreign keys, and a busy timeout for another process holding the write lock.
/// `cache_mib` bounds the connection's page cache: the writer's must hold a whole batch of
/// group-committed transactions without spilling pages to the WAL mid-batch.
pub(crate) fn open(path: &str, cache_mib: u32) -> Result<Connection, StoreError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_URI;
    let conn = Connection::open_with_flags(path, flags)?;
    configure(&conn, cache_mib)?;
    Ok(conn)
}

/// Opens an existing database read-only: never creates the file, never writes (issue #16
/// item 4: verifying a database must not change or create it). The journal mode is left
/// as the file has it. (`query_only` is not set: it would also refuse `VACUUM INTO`, which
/// writes only the backup file; the read-only open already refuses writes to this one.)
pub(crate) fn open_read_only(path: &str, cache_mib: u32) -> Result<Connection, StoreError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_URI;
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(Duration::from_secs(10))?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    conn.execute_batch(&format!("PRAGMA cache_size = -{};", cache_mib * 1024))?;
    Ok(conn)
}

fn configure(conn: &Connection, cache_mib: u32) -> Result<(), StoreError> {
    conn.busy_timeout(Duration::from_secs(10))?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    conn.execute_batch(&format!(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; \
         PRAGMA temp_store = MEMORY; PRAGMA cache_size = -{}; PRAGMA mmap_size = 268435456;",
        cache_mib * 1024
    ))?;
    Ok(())
}

impl ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match self {
            Value::Null(_) => ValueRef::Null,
            Value::I64(v) => ValueRef::Integer(*v),
            Value::F64(v) => ValueRef::Real(*v),
            Value::Bool(v) => ValueRef::Integer(i64::from(*v)),
            Value::Text(v) => ValueRef::Text(v.as_bytes()),
            Value::Bytes(v) => ValueRef::Blob(v),
        }))
    }
}

fn value_of(v: ValueRef<'_>) -> Result<Value, StoreError> {
    Ok(match v {
        ValueRef::Null => Value::Null(NullKind::I64),
        ValueRef::Integer(i) => Value::I64(i),
        ValueRef::Real(f) => Value::F64(f),
        ValueRef::Text(t) => Value::Text(
            std::str::from_utf8(t)
                .map_err(|e| StoreError::Decode(format!("文本不是UTF-8：{e}")))?
                .to_owned(),
        ),
        ValueRef::Blob(b) => Value::Bytes(b.to_vec()),
    })
}

fn prepared<'c>(
    conn: &'c Connection,
    q: &Query,
) -> Result<rusqlite::CachedStatement<'c>, StoreError> {
    let mut st = conn.prepare_cached(&q.sql)?;
    for (i, a) in q.args.iter().enumerate() {
        st.raw_bind_parameter(i + 1, a)?;
    }
    Ok(st)
}

/// A statement that walks more rows than this in a full table scan is named in the log
/// once: on a table that grows with use (cases, verifications, audit) it lacks an index.
const SCAN_WARN_ROWS: i32 = 5_000;

/// Logs, once per statement text, a statement that just scanned a whole large table.
fn note_full_scan(st: &rusqlite::Statement<'_>, sql: &str) {
    let rows = st.reset_status(rusqlite::StatementStatus::FullscanStep);
    if rows <= SCAN_WARN_ROWS {
        return;
    }
    static WARNED: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
    let mut warned = WARNED
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if warned.iter().any(|w| w == sql) {
        return;
    }
    warned.push(sql.to_owned());
    tracing::warn!(rows, sql, "SQLite 语句全表扫描（可能缺少索引）");
}

/// Runs a statement; returns the rows it changed. Statements with a result (`RETURNING`)
/// are stepped to the end.
pub(crate) fn execute(conn: &Connection, q: &Query) -> Result<u64, StoreError> {
    if q.args.is_empty() && q.sql.trim_end().trim_end_matches(';').contains(';') {
        // Several statements without arguments (schema scripts, `ANALYZE; …`).
        conn.execute_batch(&q.sql)?;
        return Ok(conn.changes());
    }
    let mut st = prepared(conn, q)?;
    if st.column_count() == 0 {
        let n = st.raw_execute()? as u64;
        note_full_scan(&st, &q.sql);
        return Ok(n);
    }
    let mut rows = st.raw_query();
    while rows.next()?.is_some() {}
    drop(rows);
    note_full_scan(&st, &q.sql);
    Ok(conn.changes())
}

/// Runs a query and decodes at most `limit` rows.
pub(crate) fn fetch<T: Row>(
    conn: &Connection,
    q: &Query,
    limit: Option<usize>,
) -> Result<Vec<T>, StoreError> {
    let mut st = prepared(conn, q)?;
    let n = st.column_count();
    let cols: Arc<[String]> = st.column_names().into_iter().map(str::to_owned).collect();
    let mut rows = st.raw_query();
    let mut out = Vec::new();
    while limit.is_none_or(|l| out.len() < l) {
        let Some(r) = rows.next()? else { break };
        let mut vals = Vec::with_capacity(n);
        for i in 0..n {
            vals.push(value_of(r.get_ref(i)?)?);
        }
        out.push(decode(&cols, vals)?);
    }
    drop(rows);
    note_full_scan(&st, &q.sql);
    Ok(out)
}

/// Read connections, opened as needed up to a bound; a reader waits for a free one.
pub(crate) struct Readers {
    path: String,
    read_only: bool,
    idle: Mutex<Vec<Connection>>,
    permits: Arc<Semaphore>,
}

/// A read connection, returned to the pool when dropped.
pub(crate) struct ReadConn<'a> {
    pool: &'a Readers,
    conn: Option<Connection>,
    _permit: OwnedSemaphorePermit,
}

impl std::ops::Deref for ReadConn<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        // Present from creation until drop.
        self.conn.as_ref().unwrap_or_else(|| unreachable!())
    }
}

impl Drop for ReadConn<'_> {
    fn drop(&mut self) {
        if let (Some(c), Ok(mut idle)) = (self.conn.take(), self.pool.idle.lock()) {
            idle.push(c);
        }
    }
}

impl Readers {
    pub(crate) fn new(path: &str, max: u32, read_only: bool) -> Readers {
        Readers {
            path: path.to_owned(),
            read_only,
            idle: Mutex::new(Vec::new()),
            permits: Arc::new(Semaphore::new(max.clamp(1, 64) as usize)),
        }
    }

    pub(crate) async fn get(&self) -> Result<ReadConn<'_>, StoreError> {
        let permit = tokio::time::timeout(
            Duration::from_secs(15),
            self.permits.clone().acquire_owned(),
        )
        .await
        .map_err(|_| StoreError::PoolTimedOut)?
        .map_err(|_| StoreError::PoolTimedOut)?;
        let idle = self.idle.lock().ok().and_then(|mut v| v.pop());
        let conn = match idle {
            Some(c) => c,
            None if self.read_only => open_read_only(&self.path, READER_CACHE_MIB)?,
            None => open(&self.path, READER_CACHE_MIB)?,
        };
        Ok(ReadConn {
            pool: self,
            conn: Some(conn),
            _permit: permit,
        })
    }

    /// Closes the idle connections (on shutdown; the others close when returned).
    pub(crate) fn close(&self) {
        if let Ok(mut idle) = self.idle.lock() {
            idle.clear();
        }
    }
}
