//! The catalogue's SQL, and only here. Each function runs on a reader or the caller's
//! transaction (`&mut impl Exec`); rows decode straight into records whose stages, kinds
//! and methods are domain enums, so a stored value that is not one fails to decode.
//! One file per group of tables: `items` (proof items, their links and legal reviews),
//! `services` (service items), `lists` (exemption lists and their versions).

mod items;
mod lists;
mod services;
mod synonyms;

pub(crate) use items::*;
pub(crate) use lists::*;
pub(crate) use services::*;
pub(crate) use synonyms::*;

use proofless_domain::region::RegionLevel;
use proofless_store::{Exec, StoreError, q};
use serde::Deserialize;

type Result<T> = std::result::Result<T, StoreError>;

/// A region's name and level.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct RegionRow {
    pub name: String,
    pub level: RegionLevel,
    pub parent_code: Option<String>,
}

pub(crate) async fn region(x: &mut impl Exec, code: &str) -> Result<Option<RegionRow>> {
    x.fetch_optional(q("SELECT name, level, parent_code FROM regions WHERE code = ?").bind(code))
        .await
}

pub(crate) async fn org_exists(x: &mut impl Exec, id: i64) -> Result<bool> {
    let found: Option<(i64,)> = x
        .fetch_optional(q("SELECT id FROM orgs WHERE id = ?").bind(id))
        .await?;
    Ok(found.is_some())
}

/// The region a unit belongs to.
pub(crate) async fn org_region(x: &mut impl Exec, org_id: i64) -> Result<Option<String>> {
    let r: Option<(String,)> = x
        .fetch_optional(q("SELECT region_code FROM orgs WHERE id = ?").bind(org_id))
        .await?;
    Ok(r.map(|r| r.0))
}

/// Up to two units of exactly this name (the import refuses an ambiguous name).
pub(crate) async fn orgs_named(x: &mut impl Exec, name: &str) -> Result<Vec<i64>> {
    let rows: Vec<(i64,)> = x
        .fetch_all(q("SELECT id FROM orgs WHERE name = ? ORDER BY id LIMIT 2").bind(name))
        .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}
