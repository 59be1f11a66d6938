//! The data-sharing list (SPEC R3.1): entries, their versions and the published grants.

use proofless_domain::sharing::{EProofKind, EntryState, SharingSource};
use proofless_store::{Exec, q};
use serde::Deserialize;

use crate::error::AppResult;

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct VersionRow {
    pub entry_id: i64,
    pub version_id: i64,
    pub proof_item_id: i64,
    pub issuer_org_id: i64,
    pub version: i64,
    pub state: EntryState,
    pub source: SharingSource,
    pub kind: EProofKind,
    pub fields: String,
    pub grants: String,
    pub note: String,
    pub review_note: Option<String>,
    pub created_by: String,
    pub created_at: i64,
    pub published_at: Option<i64>,
}

const VERSION_COLS: &str = "SELECT e.id AS entry_id, v.id AS version_id, e.proof_item_id, e.issuer_org_id, \
    v.version, v.state, v.source, v.kind, v.fields, v.grants, v.note, v.review_note, v.created_by, \
    v.created_at, v.published_at FROM sharing_entries e JOIN sharing_entry_versions v ON v.entry_id = e.id";

pub(crate) async fn entry_by_item(ex: &mut impl Exec, item: i64) -> AppResult<Option<(i64, i64)>> {
    Ok(ex
        .fetch_optional(
            q("SELECT id, issuer_org_id FROM sharing_entries WHERE proof_item_id = ?").bind(item),
        )
        .await?)
}

pub(crate) async fn insert_entry(
    ex: &mut impl Exec,
    item: i64,
    issuer: i64,
    now: i64,
) -> AppResult<i64> {
    Ok(ex
        .scalar_i64(
            q("INSERT INTO sharing_entries (proof_item_id, issuer_org_id, created_at) VALUES (?, ?, ?) RETURNING id")
                .bind(item)
                .bind(issuer)
                .bind(now),
        )
        .await?)
}

/// The newest version of an entry.
pub(crate) async fn latest(ex: &mut impl Exec, entry: i64) -> AppResult<Option<VersionRow>> {
    Ok(ex
        .fetch_optional(
            q(format!(
                "{VERSION_COLS} WHERE e.id = ? ORDER BY v.version DESC LIMIT 1"
            ))
            .bind(entry),
        )
        .await?)
}

/// The published version of an item's entry.
pub(crate) async fn published_of_item(
    ex: &mut impl Exec,
    item: i64,
) -> AppResult<Option<VersionRow>> {
    Ok(ex
        .fetch_optional(
            q(format!(
                "{VERSION_COLS} WHERE e.proof_item_id = ? AND v.state = 'published'"
            ))
            .bind(item),
        )
        .await?)
}

pub(crate) async fn all_published(ex: &mut impl Exec) -> AppResult<Vec<VersionRow>> {
    Ok(ex
        .fetch_all(q(format!(
            "{VERSION_COLS} WHERE v.state = 'published' ORDER BY e.proof_item_id"
        )))
        .await?)
}

/// The newest version of every entry, of one issuer or of all.
pub(crate) async fn latest_versions(
    ex: &mut impl Exec,
    issuer: Option<i64>,
) -> AppResult<Vec<VersionRow>> {
    let mut qy = q(format!(
        "{VERSION_COLS} WHERE v.version = (SELECT MAX(v2.version) FROM sharing_entry_versions v2 WHERE v2.entry_id = e.id)"
    ));
    if let Some(o) = issuer {
        qy.push_sql(" AND e.issuer_org_id = ?");
        qy.push_arg(o);
    }
    qy.push_sql(" ORDER BY e.id");
    Ok(ex.fetch_all(qy).await?)
}

pub(crate) struct NewVersion<'a> {
    pub entry_id: i64,
    pub version: i64,
    pub source: SharingSource,
    pub kind: EProofKind,
    pub fields: &'a str,
    pub grants: &'a str,
    pub note: &'a str,
    pub by: &'a str,
    pub now: i64,
}

pub(crate) async fn insert_version(ex: &mut impl Exec, v: &NewVersion<'_>) -> AppResult<()> {
    ex.execute(
        q("INSERT INTO sharing_entry_versions (entry_id, version, state, source, kind, fields, grants, note, \
           created_by, created_at) VALUES (?, ?, 'draft', ?, ?, ?, ?, ?, ?, ?)")
        .bind(v.entry_id)
        .bind(v.version)
        .bind(v.source.as_str())
        .bind(v.kind.as_str())
        .bind(v.fields)
        .bind(v.grants)
        .bind(v.note)
        .bind(v.by)
        .bind(v.now),
    )
    .await?;
    Ok(())
}

pub(crate) async fn update_draft(
    ex: &mut impl Exec,
    version_id: i64,
    v: &NewVersion<'_>,
) -> AppResult<u64> {
    Ok(ex
        .execute(
            q("UPDATE sharing_entry_versions SET state = 'draft', source = ?, kind = ?, fields = ?, grants = ?, \
               note = ?, created_by = ?, created_at = ? WHERE id = ? AND state IN ('draft', 'returned')")
            .bind(v.source.as_str())
            .bind(v.kind.as_str())
            .bind(v.fields)
            .bind(v.grants)
            .bind(v.note)
            .bind(v.by)
            .bind(v.now)
            .bind(version_id),
        )
        .await?)
}

/// Moves a version from one state to another; 0 rows when it was not in `from`.
pub(crate) async fn set_state(
    ex: &mut impl Exec,
    version_id: i64,
    from: EntryState,
    to: EntryState,
    now: i64,
) -> AppResult<u64> {
    let stamp = match to {
        EntryState::Submitted => "submitted_at",
        EntryState::Published => "published_at",
        _ => "reviewed_at",
    };
    Ok(ex
        .execute(
            q(format!(
                "UPDATE sharing_entry_versions SET state = ?, {stamp} = ? WHERE id = ? AND state = ?"
            ))
            .bind(to.as_str())
            .bind(now)
            .bind(version_id)
            .bind(from.as_str()),
        )
        .await?)
}

pub(crate) async fn set_review(
    ex: &mut impl Exec,
    version_id: i64,
    by: &str,
    note: &str,
    now: i64,
) -> AppResult<()> {
    ex.execute(
        q("UPDATE sharing_entry_versions SET reviewed_by = ?, review_note = ?, reviewed_at = ? WHERE id = ?")
            .bind(by)
            .bind(note)
            .bind(now)
            .bind(version_id),
    )
    .await?;
    Ok(())
}

/// Publishes a version: the former published one is superseded and the grants replaced.
pub(crate) async fn supersede_published(ex: &mut impl Exec, entry: i64) -> AppResult<()> {
    ex.execute(
        q("UPDATE sharing_entry_versions SET state = 'superseded' WHERE entry_id = ? AND state = 'published'")
            .bind(entry),
    )
    .await?;
    ex.execute(q("DELETE FROM sharing_grants WHERE entry_id = ?").bind(entry))
        .await?;
    Ok(())
}

pub(crate) async fn insert_grant(
    ex: &mut impl Exec,
    entry: i64,
    item: i64,
    org: i64,
    service: &str,
) -> AppResult<()> {
    ex.execute(
        q("INSERT INTO sharing_grants (proof_item_id, org_id, service_code, entry_id) VALUES (?, ?, ?, ?)")
            .bind(item)
            .bind(org)
            .bind(service)
            .bind(entry),
    )
    .await?;
    Ok(())
}

/// Whether `org` may pull `item` for `service` under the published list (A2 §12, R5.9).
pub(crate) async fn entitled(
    ex: &mut impl Exec,
    item: i64,
    org: i64,
    service: &str,
) -> AppResult<bool> {
    let r: Option<(i64,)> = ex
        .fetch_optional(
            q("SELECT org_id FROM sharing_grants WHERE proof_item_id = ? AND org_id = ? AND service_code = ?")
                .bind(item)
                .bind(org)
                .bind(service),
        )
        .await?;
    Ok(r.is_some())
}
