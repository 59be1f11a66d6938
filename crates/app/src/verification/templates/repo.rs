//! The SQL of templates (A2 §4) and the catalogue reads a request is checked against
//! (SPEC R5.1, A3 §9).

use proofless_domain::catalogue::Stage;
use proofless_store::{Exec, Query, q};

use crate::error::AppResult;
use crate::verification::VERIFICATION_METHOD;
use crate::verification::records::TemplateRow;

const TEMPLATE_COLS: &str = "SELECT id, proof_item_id, issuer_org_id, requester_org_id, request_fields, reply_fields, \
    method, process, updated_by, updated_at, version FROM verification_templates";

// ---------------------------------------------------------------------------------------
// Templates (A2 §4) and the catalogue a request is checked against

pub(crate) async fn template_row(
    ex: &mut impl Exec,
    item: i64,
    issuer: i64,
    requester: i64,
) -> AppResult<Option<TemplateRow>> {
    Ok(ex
        .fetch_optional(
            q(format!(
                "{TEMPLATE_COLS} WHERE proof_item_id = ? AND issuer_org_id = ? AND requester_org_id = ?"
            ))
            .bind(item)
            .bind(issuer)
            .bind(requester),
        )
        .await?)
}

/// A template written by a pair of units; a stored one is replaced and its version bumped.
pub(crate) struct TemplateWrite<'a> {
    pub proof_item_id: i64,
    pub issuer_org_id: i64,
    pub requester_org_id: i64,
    /// JSON array text.
    pub request_fields: &'a str,
    pub reply_fields: &'a str,
    pub method: &'a str,
    pub process: &'a str,
    pub updated_by: &'a str,
    pub now: i64,
}

pub(crate) async fn upsert_template(ex: &mut impl Exec, t: &TemplateWrite<'_>) -> AppResult<()> {
    ex.execute(
        q("INSERT INTO verification_templates (proof_item_id, issuer_org_id, requester_org_id, request_fields, \
           reply_fields, method, process, updated_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
           ON CONFLICT (proof_item_id, issuer_org_id, requester_org_id) DO UPDATE SET \
           request_fields = excluded.request_fields, reply_fields = excluded.reply_fields, method = excluded.method, \
           process = excluded.process, updated_by = excluded.updated_by, updated_at = excluded.updated_at, \
           version = verification_templates.version + 1")
        .bind(t.proof_item_id)
        .bind(t.issuer_org_id)
        .bind(t.requester_org_id)
        .bind(t.request_fields)
        .bind(t.reply_fields)
        .bind(t.method)
        .bind(t.process)
        .bind(t.updated_by)
        .bind(t.now)
        .bind(t.now),
    )
    .await?;
    Ok(())
}

pub(crate) async fn org_exists(ex: &mut impl Exec, id: i64) -> AppResult<bool> {
    let org: Option<(i64,)> = ex
        .fetch_optional(q("SELECT id FROM orgs WHERE id = ?").bind(id))
        .await?;
    Ok(org.is_some())
}

pub(crate) async fn org_name(ex: &mut impl Exec, id: i64) -> AppResult<String> {
    let (name,): (String,) = ex
        .fetch_one(q("SELECT name FROM orgs WHERE id = ?").bind(id))
        .await?;
    Ok(name)
}

/// A proof item's name and stage, whatever its stage.
pub(crate) async fn item_stage(ex: &mut impl Exec, id: i64) -> AppResult<Option<(String, Stage)>> {
    Ok(ex
        .fetch_optional(q("SELECT name, stage FROM proof_items WHERE id = ?").bind(id))
        .await?)
}

/// Whether the unit owns the item or is one of its requesting units.
pub(crate) async fn unit_asks_for(ex: &mut impl Exec, item: i64, org: i64) -> AppResult<bool> {
    let asks: Option<(i64,)> = ex
        .fetch_optional(
            q(
                "SELECT 1 FROM proof_item_requesters WHERE proof_item_id = ? AND org_id = ? \
               UNION SELECT 1 FROM proof_items WHERE id = ? AND owner_org_id = ?",
            )
            .bind(item)
            .bind(org)
            .bind(item)
            .bind(org),
        )
        .await?;
    Ok(asks.is_some())
}

/// The period of the item's first verification replacement: none when it has no such
/// replacement, `Some(None)` when the replacement names no period.
pub(crate) async fn verification_period(
    ex: &mut impl Exec,
    item: i64,
) -> AppResult<Option<Option<String>>> {
    let row: Option<(Option<String>,)> = ex
        .fetch_optional(
            q(
                "SELECT deadline_period FROM replacements WHERE proof_item_id = ? AND method = ? \
               ORDER BY position LIMIT 1",
            )
            .bind(item)
            .bind(VERIFICATION_METHOD.as_str()),
        )
        .await?;
    Ok(row.map(|(p,)| p))
}

/// The issuers of a proof item as recorded in the catalogue (id, name), whatever its stage.
pub(crate) async fn issuers_of(ex: &mut impl Exec, item: i64) -> AppResult<Vec<(i64, String)>> {
    Ok(ex
        .fetch_all(
            q(
                "SELECT o.id, o.name FROM proof_item_issuers i JOIN orgs o ON o.id = i.org_id \
               WHERE i.proof_item_id = ? ORDER BY o.id",
            )
            .bind(item),
        )
        .await?)
}

/// The unit's items at one of `stages` with verification as a chosen replacement: id,
/// name and the replacement's period.
pub(crate) async fn items_with_verification(
    ex: &mut impl Exec,
    org: i64,
    stages: &[Stage],
) -> AppResult<Vec<(i64, String, Option<String>)>> {
    let mut query = q(format!(
        "SELECT p.id, p.name, r.deadline_period FROM proof_items p \
         JOIN replacements r ON r.proof_item_id = p.id AND r.method = ? \
         WHERE p.stage IN ({}) \
         AND (p.owner_org_id = ? OR EXISTS (SELECT 1 FROM proof_item_requesters q \
              WHERE q.proof_item_id = p.id AND q.org_id = ?)) ORDER BY p.id LIMIT 500",
        Query::placeholders(stages.len())
    ));
    query.push_arg(VERIFICATION_METHOD.as_str());
    for stage in stages {
        query.push_arg(stage.as_str());
    }
    query.push_arg(org);
    query.push_arg(org);
    Ok(ex.fetch_all(query).await?)
}
