//! Service items (政务服务事项).

use proofless_store::{Exec, q};

use super::Result;
use crate::catalogue::input::ServiceItemDraft;
use crate::catalogue::services::ServiceItem;

const SERVICE_SELECT: &str = "SELECT s.id, s.org_id, o.name AS org_name, s.name, s.code, s.kind, s.level, s.version \
    FROM service_items s JOIN orgs o ON o.id = s.org_id";

pub(crate) async fn insert_service_item(
    x: &mut impl Exec,
    org_id: i64,
    d: &ServiceItemDraft,
    now: i64,
) -> Result<i64> {
    x.scalar_i64(
        q(
            "INSERT INTO service_items (org_id, name, code, kind, level, created_at, updated_at) \
           VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(org_id)
        .bind(d.name.as_str())
        .bind(d.code.as_str())
        .bind(d.kind.as_str())
        .bind(d.level.as_str())
        .bind(now)
        .bind(now),
    )
    .await
}

/// 0 rows when the version moved.
pub(crate) async fn update_service_item(
    x: &mut impl Exec,
    id: i64,
    version: i64,
    d: &ServiceItemDraft,
    now: i64,
) -> Result<u64> {
    x.execute(
        q(
            "UPDATE service_items SET name = ?, code = ?, kind = ?, level = ?, updated_at = ?, \
           version = version + 1 WHERE id = ? AND version = ?",
        )
        .bind(d.name.as_str())
        .bind(d.code.as_str())
        .bind(d.kind.as_str())
        .bind(d.level.as_str())
        .bind(now)
        .bind(id)
        .bind(version),
    )
    .await
}

pub(crate) async fn service_item(x: &mut impl Exec, id: i64) -> Result<Option<ServiceItem>> {
    x.fetch_optional(q(format!("{SERVICE_SELECT} WHERE s.id = ?")).bind(id))
        .await
}

/// One unit's service items, or every unit's (`None`, bounded).
pub(crate) async fn service_items(x: &mut impl Exec, org: Option<i64>) -> Result<Vec<ServiceItem>> {
    match org {
        Some(o) => {
            x.fetch_all(q(format!("{SERVICE_SELECT} WHERE s.org_id = ? ORDER BY s.id")).bind(o))
                .await
        }
        None => {
            x.fetch_all(q(format!("{SERVICE_SELECT} ORDER BY s.id LIMIT 5000")))
                .await
        }
    }
}

pub(crate) async fn service_item_by_code(
    x: &mut impl Exec,
    code: &str,
) -> Result<Option<ServiceItem>> {
    x.fetch_optional(q(format!("{SERVICE_SELECT} WHERE s.code = ?")).bind(code))
        .await
}

pub(crate) async fn service_item_id(x: &mut impl Exec, code: &str) -> Result<Option<i64>> {
    let r: Option<(i64,)> = x
        .fetch_optional(q("SELECT id FROM service_items WHERE code = ?").bind(code))
        .await?;
    Ok(r.map(|r| r.0))
}

/// The kind of the service item registered under `code`, if any.
pub(crate) async fn service_item_kind(
    x: &mut impl Exec,
    code: &str,
) -> Result<Option<proofless_domain::catalogue::ServiceItemKind>> {
    let r: Option<(proofless_domain::catalogue::ServiceItemKind,)> = x
        .fetch_optional(q("SELECT kind FROM service_items WHERE code = ?").bind(code))
        .await?;
    Ok(r.map(|r| r.0))
}

/// Up to two service items of this unit with exactly this name and their codes (a list that
/// names the service without its code is matched by name; two matches are ambiguous).
pub(crate) async fn service_items_named(
    x: &mut impl Exec,
    org_id: i64,
    name: &str,
) -> Result<Vec<String>> {
    let rows: Vec<(String,)> = x
        .fetch_all(
            q("SELECT code FROM service_items WHERE org_id = ? AND name = ? ORDER BY id LIMIT 2")
                .bind(org_id)
                .bind(name),
        )
        .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}
