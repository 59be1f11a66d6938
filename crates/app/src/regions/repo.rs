//! The regions' SQL.

use proofless_domain::region::RegionLevel;
use proofless_store::{Exec, StoreError, q};

use super::service::Region;

pub(crate) async fn exists(db: &mut impl Exec, code: &str) -> Result<bool, StoreError> {
    let found: Option<(String,)> = db
        .fetch_optional(q("SELECT code FROM regions WHERE code = ?").bind(code))
        .await?;
    Ok(found.is_some())
}

pub(crate) async fn insert(
    tx: &mut impl Exec,
    code: &str,
    name: &str,
    level: RegionLevel,
    parent: Option<&str>,
) -> Result<(), StoreError> {
    tx.execute(
        q("INSERT INTO regions (code, name, level, parent_code) VALUES (?, ?, ?, ?)")
            .bind(code)
            .bind(name)
            .bind(level.as_str())
            .bind(parent),
    )
    .await?;
    Ok(())
}

pub(crate) async fn get(db: &mut impl Exec, code: &str) -> Result<Option<Region>, StoreError> {
    db.fetch_optional(
        q("SELECT code, name, level, parent_code FROM regions WHERE code = ?").bind(code),
    )
    .await
}

/// Regions with this parent and level (each when given), ordered by code.
pub(crate) async fn list(
    db: &mut impl Exec,
    parent: Option<&str>,
    level: Option<RegionLevel>,
) -> Result<Vec<Region>, StoreError> {
    let mut qy = q("SELECT code, name, level, parent_code FROM regions WHERE 1 = 1");
    if let Some(p) = parent {
        qy.push_sql(" AND parent_code = ?");
        qy.push_arg(p);
    }
    if let Some(l) = level {
        qy.push_sql(" AND level = ?");
        qy.push_arg(l.as_str());
    }
    qy.push_sql(" ORDER BY code");
    db.fetch_all(qy).await
}
