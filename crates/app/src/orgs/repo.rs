//! The orgs' SQL.

use proofless_domain::org::OrgKind;
use proofless_store::{Exec, StoreError, q};

use super::input::NewOrg;
use super::service::{Org, OrgFilter};

const SELECT: &str = "SELECT o.id, o.name, o.credit_code, o.credit_code_warning, o.kind, o.region_code, \
    r.name AS region_name, o.supervisor_id, o.version FROM orgs o JOIN regions r ON r.code = o.region_code";

pub(crate) async fn region_exists(db: &mut impl Exec, code: &str) -> Result<bool, StoreError> {
    let found: Option<(String,)> = db
        .fetch_optional(q("SELECT code FROM regions WHERE code = ?").bind(code))
        .await?;
    Ok(found.is_some())
}

pub(crate) async fn exists(db: &mut impl Exec, id: i64) -> Result<bool, StoreError> {
    let found: Option<(i64,)> = db
        .fetch_optional(q("SELECT id FROM orgs WHERE id = ?").bind(id))
        .await?;
    Ok(found.is_some())
}

pub(crate) async fn insert(tx: &mut impl Exec, o: &NewOrg, now: i64) -> Result<i64, StoreError> {
    tx.scalar_i64(
        q("INSERT INTO orgs (name, credit_code, credit_code_warning, kind, region_code, supervisor_id, \
           created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id")
        .bind(&o.name)
        .bind(o.credit_code.as_ref().map(|c| c.as_str().to_owned()))
        .bind(o.warning.clone())
        .bind(o.kind.as_str())
        .bind(&o.region_code)
        .bind(o.supervisor_id)
        .bind(now)
        .bind(now),
    )
    .await
}

pub(crate) async fn version(db: &mut impl Exec, id: i64) -> Result<Option<i64>, StoreError> {
    let v: Option<(i64,)> = db
        .fetch_optional(q("SELECT version FROM orgs WHERE id = ?").bind(id))
        .await?;
    Ok(v.map(|(v,)| v))
}

/// Writes `o` over the org at `version`; 0 rows when someone changed it in between.
pub(crate) async fn update(
    tx: &mut impl Exec,
    id: i64,
    version: i64,
    o: &NewOrg,
    now: i64,
) -> Result<u64, StoreError> {
    tx.execute(
        q("UPDATE orgs SET name = ?, credit_code = ?, credit_code_warning = ?, kind = ?, region_code = ?, \
           supervisor_id = ?, updated_at = ?, version = version + 1 WHERE id = ? AND version = ?")
        .bind(&o.name)
        .bind(o.credit_code.as_ref().map(|c| c.as_str().to_owned()))
        .bind(o.warning.clone())
        .bind(o.kind.as_str())
        .bind(&o.region_code)
        .bind(o.supervisor_id)
        .bind(now)
        .bind(id)
        .bind(version),
    )
    .await
}

pub(crate) async fn get(db: &mut impl Exec, id: i64) -> Result<Option<Org>, StoreError> {
    db.fetch_optional(q(format!("{SELECT} WHERE o.id = ?")).bind(id))
        .await
}

pub(crate) async fn find_by_name(
    db: &mut impl Exec,
    name: &str,
) -> Result<Option<Org>, StoreError> {
    db.fetch_optional(q(format!("{SELECT} WHERE o.name = ? ORDER BY o.id LIMIT 1")).bind(name))
        .await
}

/// A page of the directory matching `f`, and how many match.
pub(crate) async fn list(
    db: &mut impl Exec,
    f: &OrgFilter,
    limit: i64,
    offset: i64,
) -> Result<(Vec<Org>, i64), StoreError> {
    let mut where_sql = String::from(" WHERE 1 = 1");
    let mut args: Vec<proofless_store::Value> = vec![];
    if let Some(r) = f.region.as_deref().filter(|s| !s.is_empty()) {
        let prefix = r.trim_end_matches("000");
        where_sql.push_str(" AND o.region_code LIKE ?");
        args.push(format!("{}%", prefix.replace(['%', '_'], "")).into());
    }
    if let Some(k) = f.kind.map(OrgKind::as_str) {
        where_sql.push_str(" AND o.kind = ?");
        args.push(k.into());
    }
    if let Some(t) = f.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        where_sql.push_str(" AND o.name LIKE ?");
        let t: String = t
            .chars()
            .take(50)
            .filter(|c| *c != '%' && *c != '_')
            .collect();
        args.push(format!("%{t}%").into());
    }
    let mut count = q(format!("SELECT COUNT(*) FROM orgs o{where_sql}"));
    count.args = args.clone();
    let total = db.scalar_i64(count).await?;
    let mut list = q(format!(
        "{SELECT}{where_sql} ORDER BY o.region_code, o.id LIMIT ? OFFSET ?"
    ));
    list.args = args;
    let items = db.fetch_all(list.bind(limit).bind(offset)).await?;
    Ok((items, total))
}
