//! Persistence: one query codebase for SQLite and PostgreSQL.
//!
//! Queries are written once with `?` placeholders and bound with [`Value`]s; the
//! PostgreSQL side rewrites placeholders to `$n`. Rows decode through `sqlx::FromRow`,
//! which is generic over both backends. Dialect differences (pragmas, `SKIP LOCKED`,
//! `BEGIN IMMEDIATE`) stay in this crate.

mod db;
mod error;
pub mod group;
mod migrate;
mod query;

pub use db::{Backend, Db, DbOptions, Tx};
pub use error::StoreError;
pub use migrate::{MIGRATIONS_POSTGRES, MIGRATIONS_SQLITE, migration_versions};
pub use query::{NullKind, Query, Value, q};
pub use sqlx::FromRow;

/// A row type that decodes on both backends.
pub trait Row:
    for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
    + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>
    + Send
    + Unpin
{
}

impl<T> Row for T where
    T: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
        + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>
        + Send
        + Unpin
{
}
