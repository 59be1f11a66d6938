//! E-licences, e-proofs and their extracts (R3.2).

use proofless_domain::sharing::{EProofKind, EProofState};
use proofless_store::{Exec, q};
use serde::Deserialize;

use crate::error::AppResult;

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct EProofRow {
    pub id: i64,
    pub identifier: String,
    pub proof_item_id: i64,
    pub proof_item_name: String,
    pub kind: EProofKind,
    pub issuer_org_id: i64,
    pub issuer_name: String,
    pub person_id: i64,
    pub holder_public_id: String,
    pub holder_name_masked: String,
    pub data: String,
    pub sealed_id: String,
    pub valid_from: String,
    pub valid_to: Option<String>,
    pub state: EProofState,
    pub state_reason: Option<String>,
    pub replaced_by: Option<String>,
    pub issued_at: i64,
    pub issued_by: String,
    pub verify_code: String,
}

const COLS: &str = "SELECT p.id, p.identifier, p.proof_item_id, i.name AS proof_item_name, p.kind, p.issuer_org_id, \
    o.name AS issuer_name, p.person_id, h.public_id AS holder_public_id, h.name_masked AS holder_name_masked, \
    p.data, p.sealed_id, p.valid_from, p.valid_to, p.state, p.state_reason, \
    (SELECT r.identifier FROM eproofs r WHERE r.id = p.replaced_by) AS replaced_by, p.issued_at, p.issued_by, \
    (SELECT MIN(x.code) FROM eproof_extracts x WHERE x.eproof_id = p.id AND x.pull_id IS NULL) AS verify_code \
    FROM eproofs p JOIN proof_items i ON i.id = p.proof_item_id JOIN orgs o ON o.id = p.issuer_org_id \
    JOIN persons h ON h.id = p.person_id";

pub(crate) async fn by_id(ex: &mut impl Exec, id: i64) -> AppResult<Option<EProofRow>> {
    Ok(ex
        .fetch_optional(q(format!("{COLS} WHERE p.id = ?")).bind(id))
        .await?)
}

pub(crate) async fn by_identifier(
    ex: &mut impl Exec,
    identifier: &str,
) -> AppResult<Option<EProofRow>> {
    Ok(ex
        .fetch_optional(q(format!("{COLS} WHERE p.identifier = ?")).bind(identifier))
        .await?)
}

/// The newest document of a holder for an item that is in the `valid` state.
pub(crate) async fn current_of_holder(
    ex: &mut impl Exec,
    person: i64,
    item: i64,
) -> AppResult<Option<EProofRow>> {
    Ok(ex
        .fetch_optional(
            q(format!(
                "{COLS} WHERE p.person_id = ? AND p.proof_item_id = ? AND p.state = 'valid' ORDER BY p.id DESC LIMIT 1"
            ))
            .bind(person)
            .bind(item),
        )
        .await?)
}

pub(crate) async fn of_holder(ex: &mut impl Exec, person: i64) -> AppResult<Vec<EProofRow>> {
    Ok(ex
        .fetch_all(
            q(format!(
                "{COLS} WHERE p.person_id = ? ORDER BY p.id DESC LIMIT 200"
            ))
            .bind(person),
        )
        .await?)
}

pub(crate) async fn of_issuer(
    ex: &mut impl Exec,
    org: i64,
    limit: i64,
    offset: i64,
) -> AppResult<(Vec<EProofRow>, i64)> {
    let total = ex
        .scalar_i64(q("SELECT COUNT(*) FROM eproofs WHERE issuer_org_id = ?").bind(org))
        .await?;
    let rows = ex
        .fetch_all(
            q(format!(
                "{COLS} WHERE p.issuer_org_id = ? ORDER BY p.id DESC LIMIT ? OFFSET ?"
            ))
            .bind(org)
            .bind(limit)
            .bind(offset),
        )
        .await?;
    Ok((rows, total))
}

/// Identifier → content digest, for the identifiers of a batch that already exist.
pub(crate) async fn existing(
    ex: &mut impl Exec,
    identifier: &str,
) -> AppResult<Option<(i64, String)>> {
    Ok(ex
        .fetch_optional(
            q("SELECT issuer_org_id, content_sm3 FROM eproofs WHERE identifier = ?")
                .bind(identifier),
        )
        .await?)
}

pub(crate) struct NewEProof<'a> {
    pub identifier: &'a str,
    pub proof_item_id: i64,
    pub kind: EProofKind,
    pub issuer_org_id: i64,
    pub person_id: i64,
    pub data: &'a str,
    pub content_sm3: &'a str,
    pub sealed_id: &'a str,
    pub valid_from: &'a str,
    pub valid_to: Option<&'a str>,
    pub issued_at: i64,
    pub issued_by: &'a str,
}

pub(crate) async fn insert(ex: &mut impl Exec, e: &NewEProof<'_>) -> AppResult<i64> {
    Ok(ex
        .scalar_i64(
            q("INSERT INTO eproofs (identifier, proof_item_id, kind, issuer_org_id, person_id, data, content_sm3, \
               sealed_id, valid_from, valid_to, state, issued_at, issued_by) \
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'valid', ?, ?) RETURNING id")
            .bind(e.identifier)
            .bind(e.proof_item_id)
            .bind(e.kind.as_str())
            .bind(e.issuer_org_id)
            .bind(e.person_id)
            .bind(e.data)
            .bind(e.content_sm3)
            .bind(e.sealed_id)
            .bind(e.valid_from)
            .bind(e.valid_to)
            .bind(e.issued_at)
            .bind(e.issued_by),
        )
        .await?)
}

/// Ends a valid document (revoked or replaced); 0 rows when it was no longer valid.
pub(crate) async fn end(
    ex: &mut impl Exec,
    id: i64,
    to: EProofState,
    reason: &str,
    replaced_by: Option<i64>,
    now: i64,
) -> AppResult<u64> {
    Ok(ex
        .execute(
            q("UPDATE eproofs SET state = ?, state_reason = ?, replaced_by = ?, changed_at = ? WHERE id = ? AND state = 'valid'")
                .bind(to.as_str())
                .bind(reason)
                .bind(replaced_by)
                .bind(now)
                .bind(id),
        )
        .await?)
}

pub(crate) async fn insert_extract(
    ex: &mut impl Exec,
    code: &str,
    eproof: i64,
    org: i64,
    pull: Option<i64>,
    now: i64,
) -> AppResult<()> {
    ex.execute(
        q("INSERT INTO eproof_extracts (code, eproof_id, extracting_org_id, pull_id, extracted_at) VALUES (?, ?, ?, ?, ?)")
            .bind(code)
            .bind(eproof)
            .bind(org)
            .bind(pull)
            .bind(now),
    )
    .await?;
    Ok(())
}

/// An extract by its short code: the document and who extracted it, when.
pub(crate) async fn extract(
    ex: &mut impl Exec,
    code: &str,
) -> AppResult<Option<(i64, String, i64)>> {
    Ok(ex
        .fetch_optional(
            q("SELECT x.eproof_id, o.name, x.extracted_at FROM eproof_extracts x JOIN orgs o ON o.id = x.extracting_org_id \
               WHERE x.code = ?")
            .bind(code),
        )
        .await?)
}
