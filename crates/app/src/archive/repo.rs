//! The e-archives' SQL: the stored packages, the sealed documents of a case, and the lookup
//! of a proof an archived case established.

use proofless_store::{Exec, q};
use serde::Deserialize;

use crate::error::AppResult;

/// A stored package without its bytes.
#[derive(Debug, Clone, Deserialize, serde::Serialize, utoipa::ToSchema)]
#[schema(as = archive_ArchiveInfo)]
pub struct ArchiveInfo {
    pub case_id: i64,
    /// 档号
    pub archive_no: String,
    /// SM3 of the whole zip, hex.
    pub sm3: String,
    pub size: i64,
    /// SM3 of `manifest.json`, hex.
    pub manifest_sm3: String,
    /// The receiving unit's seal key that signed the manifest.
    pub key_id: String,
    pub files: i64,
    pub created_at: i64,
}

pub(crate) struct NewArchive<'a> {
    pub case_id: i64,
    pub org_id: i64,
    pub archive_no: &'a str,
    pub sm3: &'a str,
    pub manifest_sm3: &'a str,
    pub key_id: &'a str,
    pub files: i64,
    pub content: &'a [u8],
    pub now: i64,
}

/// Stores the package unless the case has one; returns whether it was stored.
pub(crate) async fn insert(ex: &mut impl Exec, a: &NewArchive<'_>) -> AppResult<bool> {
    let n = ex
        .execute(
            q("INSERT INTO case_archives (case_id, org_id, archive_no, sm3, size, manifest_sm3, key_id, files, content, created_at) \
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (case_id) DO NOTHING")
            .bind(a.case_id)
            .bind(a.org_id)
            .bind(a.archive_no)
            .bind(a.sm3)
            .bind(a.content.len() as i64)
            .bind(a.manifest_sm3)
            .bind(a.key_id)
            .bind(a.files)
            .bind(a.content)
            .bind(a.now),
        )
        .await?;
    Ok(n > 0)
}

pub(crate) async fn info(ex: &mut impl Exec, case_id: i64) -> AppResult<Option<ArchiveInfo>> {
    Ok(ex
        .fetch_optional(
            q(
                "SELECT case_id, archive_no, sm3, size, manifest_sm3, key_id, files, created_at \
               FROM case_archives WHERE case_id = ?",
            )
            .bind(case_id),
        )
        .await?)
}

#[derive(Deserialize)]
struct Content {
    content: Bytes,
}

/// Bytes decoded from a BLOB/BYTEA column.
struct Bytes(Vec<u8>);

impl<'de> Deserialize<'de> for Bytes {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Bytes, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Bytes;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("bytes")
            }
            fn visit_byte_buf<E>(self, v: Vec<u8>) -> Result<Bytes, E> {
                Ok(Bytes(v))
            }
            fn visit_bytes<E>(self, v: &[u8]) -> Result<Bytes, E> {
                Ok(Bytes(v.to_vec()))
            }
        }
        d.deserialize_bytes(V)
    }
}

pub(crate) async fn content(ex: &mut impl Exec, case_id: i64) -> AppResult<Option<Vec<u8>>> {
    let row: Option<Content> = ex
        .fetch_optional(q("SELECT content FROM case_archives WHERE case_id = ?").bind(case_id))
        .await?;
    Ok(row.map(|r| r.content.0))
}

/// The sealed documents of a case: verification replies, commitment letters, and whatever
/// was sealed about the case itself (notices), oldest first.
pub(crate) async fn sealed_ids(ex: &mut impl Exec, case_id: i64) -> AppResult<Vec<String>> {
    let rows: Vec<(String, i64, i64)> = ex
        .fetch_all(
            // Three indexed lookups (a UNION, not an OR the planner would scan for).
            q("SELECT public_id, sealed_at, id FROM sealed_documents WHERE public_id IN \
                 (SELECT sealed_id FROM verifications WHERE case_id = ? AND sealed_id IS NOT NULL) \
               UNION SELECT public_id, sealed_at, id FROM sealed_documents WHERE public_id IN \
                 (SELECT sealed_id FROM commitments WHERE case_id = ? AND sealed_id <> '') \
               UNION SELECT public_id, sealed_at, id FROM sealed_documents WHERE object_type = 'case' AND object_id = ? \
               ORDER BY 2, 3")
            .bind(case_id)
            .bind(case_id)
            .bind(case_id.to_string()),
        )
        .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// The org's credit code (the published key's address).
pub(crate) async fn org_credit_code(ex: &mut impl Exec, org_id: i64) -> AppResult<Option<String>> {
    let row: Option<(Option<String>,)> = ex
        .fetch_optional(q("SELECT credit_code FROM orgs WHERE id = ?").bind(org_id))
        .await?;
    Ok(row.and_then(|r| r.0))
}

/// A proof an archived case of the person established (SPEC R6.2): resolved by a method
/// that shows the proof itself — a verification answered, a copy the applicant provided, a
/// proof the proxy agent obtained, data shared — newest first.
#[derive(Debug, Clone, Deserialize)]
pub struct Established {
    pub case_id: i64,
    pub case_no: String,
    pub org_name: String,
    pub archive_no: String,
    pub archive_sm3: String,
    pub proof_item_name: String,
    pub method: String,
    pub evidence: String,
    pub resolved_at: Option<i64>,
    pub decided_at: Option<i64>,
}

pub(crate) async fn established(
    ex: &mut impl Exec,
    person_id: i64,
    proof_item_id: i64,
) -> AppResult<Option<Established>> {
    Ok(ex
        .fetch_optional(
            q("SELECT c.id AS case_id, c.case_no, o.name AS org_name, a.archive_no, a.sm3 AS archive_sm3, \
               p.proof_item_name, p.method, p.evidence, p.resolved_at, c.decided_at \
               FROM case_archives a JOIN cases c ON c.id = a.case_id JOIN orgs o ON o.id = c.org_id \
               JOIN case_proofs p ON p.case_id = c.id \
               WHERE c.applicant_kind = 'person' AND c.applicant_id = ? AND p.proof_item_id = ? \
               AND p.state = 'resolved' AND p.method IN ('verification', 'applicant_provided', 'proxy', 'data_sharing') \
               ORDER BY a.created_at DESC, a.id DESC LIMIT 1")
            .bind(person_id)
            .bind(proof_item_id),
        )
        .await?)
}

/// Decided cases without an archive (and no archive job yet), for `proofless gen` and
/// catch-up: ids only, oldest first.
pub(crate) async fn decided_without_archive(ex: &mut impl Exec, limit: i64) -> AppResult<Vec<i64>> {
    let rows: Vec<(i64,)> = ex
        .fetch_all(
            q("SELECT c.id FROM cases c WHERE c.state = 'decided' \
               AND NOT EXISTS (SELECT 1 FROM case_archives a WHERE a.case_id = c.id) ORDER BY c.id LIMIT ?")
            .bind(limit),
        )
        .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}
