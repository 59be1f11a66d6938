//! Exemption lists and their versions.

use chrono::NaiveDate;
use proofless_domain::catalogue::{CatalogueLevel, Stage};
use proofless_store::{Exec, q};

use super::Result;
use crate::catalogue::lists::ListVersion;

const VERSION_SELECT: &str = "SELECT v.id, v.list_id, l.title, l.level, l.region_code, v.number, \
    v.stage, v.item_count, v.note, v.prepared_by, v.prepared_at, v.approval_doc_no, v.approver_name, \
    v.approved_at, v.effective_date, v.published_by, v.published_at \
    FROM list_versions v JOIN exemption_lists l ON l.id = v.list_id";

pub(crate) async fn exemption_list(x: &mut impl Exec, region_code: &str) -> Result<Option<i64>> {
    let r: Option<(i64,)> = x
        .fetch_optional(q("SELECT id FROM exemption_lists WHERE region_code = ?").bind(region_code))
        .await?;
    Ok(r.map(|r| r.0))
}

pub(crate) async fn insert_exemption_list(
    x: &mut impl Exec,
    level: CatalogueLevel,
    region_code: &str,
    title: &str,
    now: i64,
) -> Result<i64> {
    x.scalar_i64(
        q("INSERT INTO exemption_lists (level, region_code, title, created_at) VALUES (?, ?, ?, ?) RETURNING id")
            .bind(level.as_str())
            .bind(region_code)
            .bind(title)
            .bind(now),
    )
    .await
}

/// A version of the list waiting for approval or publication, if any.
pub(crate) async fn pending_version(x: &mut impl Exec, list_id: i64) -> Result<Option<i64>> {
    let r: Option<(i64,)> = x
        .fetch_optional(
            q("SELECT id FROM list_versions WHERE list_id = ? AND stage IN (?, ?)")
                .bind(list_id)
                .bind(Stage::Prepared.as_str())
                .bind(Stage::Approved.as_str()),
        )
        .await?;
    Ok(r.map(|r| r.0))
}

pub(crate) async fn insert_version(
    x: &mut impl Exec,
    list_id: i64,
    item_count: usize,
    note: &str,
    prepared_by: &str,
    now: i64,
) -> Result<i64> {
    x.scalar_i64(
        q("INSERT INTO list_versions (list_id, stage, item_count, note, prepared_by, prepared_at) \
           VALUES (?, ?, ?, ?, ?, ?) RETURNING id")
        .bind(list_id)
        .bind(Stage::Prepared.as_str())
        .bind(item_count as i64)
        .bind(note)
        .bind(prepared_by)
        .bind(now),
    )
    .await
}

pub(crate) async fn insert_version_item(
    x: &mut impl Exec,
    version_id: i64,
    item_id: i64,
    position: usize,
    name: &str,
    snapshot_json: &str,
) -> Result<()> {
    x.execute(
        q("INSERT INTO list_version_items (version_id, proof_item_id, position, name, snapshot) VALUES (?, ?, ?, ?, ?)")
            .bind(version_id)
            .bind(item_id)
            .bind(position as i64)
            .bind(name)
            .bind(snapshot_json),
    )
    .await?;
    Ok(())
}

/// The stored JSON snapshots of a version's items, in list order.
pub(crate) async fn version_snapshots(x: &mut impl Exec, version_id: i64) -> Result<Vec<String>> {
    let rows: Vec<(String,)> = x
        .fetch_all(
            q("SELECT snapshot FROM list_version_items WHERE version_id = ? ORDER BY position")
                .bind(version_id),
        )
        .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

pub(crate) async fn version(x: &mut impl Exec, id: i64) -> Result<Option<ListVersion>> {
    x.fetch_optional(q(format!("{VERSION_SELECT} WHERE v.id = ?")).bind(id))
        .await
}

/// Every version (staff), or the published ones newest first.
pub(crate) async fn versions(x: &mut impl Exec, all_stages: bool) -> Result<Vec<ListVersion>> {
    if all_stages {
        x.fetch_all(q(format!("{VERSION_SELECT} ORDER BY v.id DESC LIMIT 1000")))
            .await
    } else {
        x.fetch_all(
            q(format!(
                "{VERSION_SELECT} WHERE v.stage = ? ORDER BY v.published_at DESC, v.id DESC LIMIT 1000"
            ))
            .bind(Stage::Published.as_str()),
        )
        .await
    }
}

/// The list's latest published version, or the latest before number `before`.
pub(crate) async fn latest_published(
    x: &mut impl Exec,
    list_id: i64,
    before: Option<i64>,
) -> Result<Option<ListVersion>> {
    let mut query = q(format!(
        "{VERSION_SELECT} WHERE v.list_id = ? AND v.stage = ?"
    ))
    .bind(list_id)
    .bind(Stage::Published.as_str());
    if let Some(n) = before {
        query.push_sql(" AND v.number < ?");
        query.push_arg(n);
    }
    query.push_sql(" ORDER BY v.number DESC LIMIT 1");
    x.fetch_optional(query).await
}

/// The latest published version of every list (what the public reads).
pub(crate) async fn current_versions(x: &mut impl Exec) -> Result<Vec<ListVersion>> {
    x.fetch_all(
        q(format!(
            "{VERSION_SELECT} WHERE v.stage = ? AND v.number = \
             (SELECT MAX(x.number) FROM list_versions x WHERE x.list_id = v.list_id AND x.stage = ?) \
             ORDER BY l.level, l.region_code"
        ))
        .bind(Stage::Published.as_str())
        .bind(Stage::Published.as_str()),
    )
    .await
}

/// How many versions are published: the public catalogue's generation.
pub(crate) async fn published_count(x: &mut impl Exec) -> Result<i64> {
    x.scalar_i64(
        q("SELECT COUNT(*) FROM list_versions WHERE stage = ?").bind(Stage::Published.as_str()),
    )
    .await
}

/// Record the approval; 0 rows when the version is no longer in `from`.
pub(crate) async fn approve_version(
    x: &mut impl Exec,
    id: i64,
    from: Stage,
    doc_no: &str,
    approver: &str,
    now: i64,
) -> Result<u64> {
    x.execute(
        q("UPDATE list_versions SET stage = ?, approval_doc_no = ?, approver_name = ?, approved_at = ? \
           WHERE id = ? AND stage = ?")
        .bind(Stage::Approved.as_str())
        .bind(doc_no)
        .bind(approver)
        .bind(now)
        .bind(id)
        .bind(from.as_str()),
    )
    .await
}

/// The number the list's next published version gets.
pub(crate) async fn next_version_number(x: &mut impl Exec, list_id: i64) -> Result<i64> {
    x.scalar_i64(
        q("SELECT COALESCE(MAX(number), 0) + 1 FROM list_versions WHERE list_id = ?").bind(list_id),
    )
    .await
}

/// Publish under `number`; 0 rows when the version is no longer in `from`.
pub(crate) async fn publish_version(
    x: &mut impl Exec,
    id: i64,
    from: Stage,
    number: i64,
    effective: NaiveDate,
    publisher: &str,
    now: i64,
) -> Result<u64> {
    x.execute(
        q(
            "UPDATE list_versions SET stage = ?, number = ?, effective_date = ?, published_by = ?, \
           published_at = ? WHERE id = ? AND stage = ?",
        )
        .bind(Stage::Published.as_str())
        .bind(number)
        .bind(effective.format("%Y-%m-%d").to_string())
        .bind(publisher)
        .bind(now)
        .bind(id)
        .bind(from.as_str()),
    )
    .await
}

// --- amendments between versions (issue #19) ------------------------------------------------

const AMENDMENT_SELECT: &str = "SELECT a.id, a.proof_item_id, p.name AS item_name, a.effect, \
    '' AS effect_label, a.methods, a.source_kind, a.source_id, a.note, a.created_at, a.version_id \
    FROM list_amendments a JOIN proof_items p ON p.id = a.proof_item_id";

pub(crate) async fn insert_amendment(
    x: &mut impl Exec,
    a: &crate::catalogue::amendments::NewAmendment<'_>,
    methods_json: &str,
    now: i64,
) -> Result<i64> {
    x.scalar_i64(
        q("INSERT INTO list_amendments (proof_item_id, effect, methods, source_kind, source_id, note, created_at) \
           VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id")
        .bind(a.proof_item_id)
        .bind(a.effect.as_str())
        .bind(methods_json)
        .bind(a.source_kind)
        .bind(a.source_id)
        .bind(a.note)
        .bind(now),
    )
    .await
}

/// Every amendment of these items, oldest first.
pub(crate) async fn amendments_for(
    x: &mut impl Exec,
    items: &[i64],
) -> Result<Vec<crate::catalogue::amendments::Amendment>> {
    let mut out = vec![];
    for chunk in items.chunks(500) {
        let marks = vec!["?"; chunk.len()].join(", ");
        let mut query = q(format!(
            "{AMENDMENT_SELECT} WHERE a.proof_item_id IN ({marks}) ORDER BY a.id"
        ));
        for id in chunk {
            query = query.bind(*id);
        }
        let rows: Vec<crate::catalogue::amendments::Amendment> = x.fetch_all(query).await?;
        out.extend(rows);
    }
    out.sort_by_key(|a| a.id);
    Ok(out)
}

pub(crate) async fn amendments_of_version(
    x: &mut impl Exec,
    version_id: i64,
) -> Result<Vec<crate::catalogue::amendments::Amendment>> {
    x.fetch_all(
        q(format!(
            "{AMENDMENT_SELECT} WHERE a.version_id = ? ORDER BY a.id"
        ))
        .bind(version_id),
    )
    .await
}

pub(crate) async fn gather_amendment(x: &mut impl Exec, id: i64, version_id: i64) -> Result<()> {
    x.execute(
        q("UPDATE list_amendments SET version_id = ? WHERE id = ? AND version_id IS NULL")
            .bind(version_id)
            .bind(id),
    )
    .await?;
    Ok(())
}
