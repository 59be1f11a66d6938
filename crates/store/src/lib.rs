//! Persistence: one query codebase for SQLite and PostgreSQL.
//!
//! Queries are written once with `?` placeholders and bound with [`Value`]s; the
//! PostgreSQL side rewrites placeholders to `$n`. Rows decode through serde (`Deserialize`
//! structs and tuples, see [`row`]) on both backends. SQLite runs through rusqlite on the
//! caller's thread, PostgreSQL through sqlx. Dialect differences (pragmas, `SKIP LOCKED`,
//! `BEGIN IMMEDIATE`) stay in this crate.

mod db;
mod error;
mod exec;
pub mod group;
mod migrate;
mod query;
mod row;
mod sqlite;

pub use db::{CommitHook, Db, DbOptions, GroupStats, Reader, SqliteDb, Tx};
pub use error::StoreError;
pub use exec::{Dialect, Exec};
pub use migrate::{MIGRATIONS_POSTGRES, MIGRATIONS_SQLITE, migration_versions};
pub use query::{NullKind, Query, Value, q};
pub use row::Row;
