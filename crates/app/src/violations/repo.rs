//! The SQL of violation records.

use proofless_domain::violation::{ViolationKind, ViolationSource};
use proofless_store::{Exec, Query, q};
use serde::{Deserialize, Serialize};

use super::service::NewViolation;
use crate::error::AppResult;

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct ViolationRecord {
    pub id: i64,
    pub kind: ViolationKind,
    pub source: ViolationSource,
    /// The evidence in the source workflow, e.g. `case:12/proof:3`.
    pub source_ref: String,
    pub org_id: i64,
    pub org_name: String,
    pub staff_id: Option<i64>,
    pub summary: String,
    pub occurred_at: i64,
    pub recorded_by: String,
    pub recorded_at: i64,
}

/// Inserts the record unless the same fact is there; its id when it was new.
pub(crate) async fn insert(
    ex: &mut impl Exec,
    v: &NewViolation<'_>,
    recorded_by: &str,
    now_ms: i64,
) -> AppResult<Option<i64>> {
    let row: Option<(i64,)> = ex
        .fetch_optional(
            q("INSERT INTO violation_records (kind, source, source_ref, org_id, staff_id, summary, \
               occurred_at, recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) \
               ON CONFLICT (source, source_ref, kind) DO NOTHING RETURNING id")
            .bind(v.kind.as_str())
            .bind(v.source.as_str())
            .bind(v.source_ref)
            .bind(v.org_id)
            .bind(v.staff_id)
            .bind(v.summary)
            .bind(v.occurred_at)
            .bind(recorded_by)
            .bind(now_ms),
        )
        .await?;
    Ok(row.map(|r| r.0))
}

const COLS: &str = "SELECT v.id, v.kind, v.source, v.source_ref, v.org_id, o.name AS org_name, \
    v.staff_id, v.summary, v.occurred_at, v.recorded_by, v.recorded_at \
    FROM violation_records v JOIN orgs o ON o.id = v.org_id";

/// Records recorded after `after_id`, oldest first (the accountability workflow's cursor).
pub(crate) async fn after(
    ex: &mut impl Exec,
    after_id: i64,
    limit: i64,
) -> AppResult<Vec<ViolationRecord>> {
    Ok(ex
        .fetch_all(
            q(format!("{COLS} WHERE v.id > ? ORDER BY v.id LIMIT ?"))
                .bind(after_id)
                .bind(limit),
        )
        .await?)
}

/// Records of one unit (or all), newest first.
pub(crate) async fn list(
    ex: &mut impl Exec,
    org_id: Option<i64>,
    limit: i64,
) -> AppResult<Vec<ViolationRecord>> {
    let mut query = Query::new(format!("{COLS} WHERE 1 = 1"));
    if let Some(org) = org_id {
        query.push_sql(" AND v.org_id = ?");
        query.push_arg(org);
    }
    query.push_sql(" ORDER BY v.id DESC LIMIT ?");
    query.push_arg(limit);
    Ok(ex.fetch_all(query).await?)
}

pub(crate) async fn by_id(ex: &mut impl Exec, id: i64) -> AppResult<Option<ViolationRecord>> {
    Ok(ex
        .fetch_optional(q(format!("{COLS} WHERE v.id = ?")).bind(id))
        .await?)
}
