//! One interface over a reader and a transaction, so a workflow's repository writes each
//! query once and its callers choose where it runs: a reader for reads that may see the
//! last commit, the caller's transaction for reads that must see its own writes.

use std::future::Future;

use crate::db::{Backend, Reader, Tx};
use crate::{Query, Row, StoreError};

/// Something that runs statements: [`Reader`] or [`Tx`].
pub trait Exec: Send {
    /// Run a statement; returns the number of rows affected.
    fn execute(&mut self, q: Query) -> impl Future<Output = Result<u64, StoreError>> + Send;
    fn fetch_all<T: Row>(
        &mut self,
        q: Query,
    ) -> impl Future<Output = Result<Vec<T>, StoreError>> + Send;
    fn fetch_optional<T: Row>(
        &mut self,
        q: Query,
    ) -> impl Future<Output = Result<Option<T>, StoreError>> + Send;
    fn fetch_one<T: Row>(&mut self, q: Query)
    -> impl Future<Output = Result<T, StoreError>> + Send;
    /// A single scalar, e.g. `SELECT COUNT(*)` or `INSERT … RETURNING id`.
    fn scalar_i64(&mut self, q: Query) -> impl Future<Output = Result<i64, StoreError>> + Send;
    /// The SQL dialect, for the few fragments the two databases spell differently.
    fn dialect(&self) -> Dialect;
}

macro_rules! delegate {
    ($t:ty, $name:ident) => {
        impl Exec for $t {
            fn execute(
                &mut self,
                q: Query,
            ) -> impl Future<Output = Result<u64, StoreError>> + Send {
                $name::execute(self, q)
            }
            fn fetch_all<T: Row>(
                &mut self,
                q: Query,
            ) -> impl Future<Output = Result<Vec<T>, StoreError>> + Send {
                $name::fetch_all(self, q)
            }
            fn fetch_optional<T: Row>(
                &mut self,
                q: Query,
            ) -> impl Future<Output = Result<Option<T>, StoreError>> + Send {
                $name::fetch_optional(self, q)
            }
            fn fetch_one<T: Row>(
                &mut self,
                q: Query,
            ) -> impl Future<Output = Result<T, StoreError>> + Send {
                $name::fetch_one(self, q)
            }
            fn scalar_i64(
                &mut self,
                q: Query,
            ) -> impl Future<Output = Result<i64, StoreError>> + Send {
                $name::scalar_i64(self, q)
            }
            fn dialect(&self) -> Dialect {
                Dialect(self.backend())
            }
        }
    };
}

delegate!(Reader<'_>, Reader);
delegate!(Tx, Tx);

/// The SQL fragments SQLite and PostgreSQL spell differently. Only this crate knows which
/// database it is; callers ask for the fragment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dialect(pub(crate) Backend);

impl Dialect {
    /// `"SQLite"` or `"PostgreSQL"`, for messages and benchmark reports.
    pub fn name(self) -> &'static str {
        match self.0 {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    }

    /// The calendar month (`YYYY-MM`) of an epoch-milliseconds expression, in a zone
    /// `offset_ms` east of UTC (Beijing: 8 h, no daylight saving).
    pub fn month_of_millis(self, expr: &str, offset_ms: i64) -> String {
        match self.0 {
            Backend::Sqlite => {
                format!("strftime('%Y-%m', (({expr}) + {offset_ms}) / 1000, 'unixepoch')")
            }
            Backend::Postgres => format!(
                "to_char(to_timestamp((({expr}) + {offset_ms}) / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM')"
            ),
        }
    }

    /// After rows were inserted with explicit ids, the statement that moves the table's id
    /// sequence past them (PostgreSQL); SQLite needs none.
    pub fn reset_id_sequence(self, table: &str) -> Option<Query> {
        match self.0 {
            Backend::Sqlite => None,
            Backend::Postgres => Some(Query::new(format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
            ))),
        }
    }
}
