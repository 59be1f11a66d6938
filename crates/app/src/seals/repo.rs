//! The seals' SQL: keys, sealed documents, and the org lookups sealing needs.

use proofless_domain::codes::CreditCode;
use proofless_store::{Exec, StoreError, q};

use super::service::{PublicKeyInfo, SealedDoc};

/// A stored key: its id and the private part encrypted at rest (base64).
pub(crate) struct StoredKey {
    pub key_id: String,
    pub private_enc: String,
}

pub(crate) async fn insert_key(
    tx: &mut impl Exec,
    org_id: i64,
    key_id: &str,
    public_pem: &str,
    private_enc: &str,
    now: i64,
) -> Result<(), StoreError> {
    tx.execute(
        q(
            "INSERT INTO seal_keys (org_id, key_id, public_pem, private_enc, created_at) \
           VALUES (?, ?, ?, ?, ?)",
        )
        .bind(org_id)
        .bind(key_id)
        .bind(public_pem)
        .bind(private_enc)
        .bind(now),
    )
    .await?;
    Ok(())
}

/// The org's active key, if it has one.
pub(crate) async fn active_key(
    db: &mut impl Exec,
    org_id: i64,
) -> Result<Option<StoredKey>, StoreError> {
    let row: Option<(String, String)> = db
        .fetch_optional(
            q(
                "SELECT key_id, private_enc FROM seal_keys WHERE org_id = ? AND retired_at IS NULL \
               ORDER BY id DESC LIMIT 1",
            )
            .bind(org_id),
        )
        .await?;
    Ok(row.map(|(key_id, private_enc)| StoredKey {
        key_id,
        private_enc,
    }))
}

/// Retires the org's active key (rotation).
pub(crate) async fn retire_active(
    tx: &mut impl Exec,
    org_id: i64,
    by: Option<i64>,
    now: i64,
) -> Result<(), StoreError> {
    tx.execute(
        q("UPDATE seal_keys SET retired_at = ?, retired_by = ? WHERE org_id = ? AND retired_at IS NULL")
            .bind(now)
            .bind(by)
            .bind(org_id),
    )
    .await?;
    Ok(())
}

/// Every key of an org, the active one first.
pub(crate) async fn keys_of_org(
    db: &mut impl Exec,
    org_id: i64,
) -> Result<Vec<PublicKeyInfo>, StoreError> {
    db.fetch_all(
        q(
            "SELECT key_id, public_pem, created_at, retired_at FROM seal_keys WHERE org_id = ? \
           ORDER BY CASE WHEN retired_at IS NULL THEN 0 ELSE 1 END, id DESC",
        )
        .bind(org_id),
    )
    .await
}

pub(crate) async fn org_exists(db: &mut impl Exec, org_id: i64) -> Result<bool, StoreError> {
    let found: Option<(i64,)> = db
        .fetch_optional(q("SELECT id FROM orgs WHERE id = ?").bind(org_id))
        .await?;
    Ok(found.is_some())
}

pub(crate) async fn org_by_credit_code(
    db: &mut impl Exec,
    code: &CreditCode,
) -> Result<Option<i64>, StoreError> {
    let found: Option<(i64,)> = db
        .fetch_optional(q("SELECT id FROM orgs WHERE credit_code = ?").bind(code.as_str()))
        .await?;
    Ok(found.map(|(id,)| id))
}

/// A sealed document to record (see `service::record_in`).
pub(crate) struct NewSealed<'a> {
    pub public_id: &'a str,
    pub org_id: i64,
    pub key_id: &'a str,
    pub kind: &'a str,
    pub object_type: &'a str,
    pub object_id: &'a str,
    /// The signed bytes encrypted at rest, and the data key version.
    pub body: (&'a str, i64),
    pub body_sm3: &'a str,
    pub signature_b64: &'a str,
    pub sealed_at: i64,
    pub sealed_by: Option<i64>,
}

pub(crate) async fn insert_sealed(tx: &mut impl Exec, d: NewSealed<'_>) -> Result<(), StoreError> {
    tx.execute(
        q("INSERT INTO sealed_documents (public_id, org_id, key_id, kind, object_type, object_id, \
           body, body_key_version, body_sm3, signature, sealed_at, sealed_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        .bind(d.public_id)
        .bind(d.org_id)
        .bind(d.key_id)
        .bind(d.kind)
        .bind(d.object_type)
        .bind(d.object_id)
        .bind(d.body.0)
        .bind(d.body.1)
        .bind(d.body_sm3)
        .bind(d.signature_b64)
        .bind(d.sealed_at)
        .bind(d.sealed_by),
    )
    .await?;
    Ok(())
}

pub(crate) async fn sealed(
    db: &mut impl Exec,
    public_id: &str,
) -> Result<Option<SealedDoc>, StoreError> {
    db.fetch_optional(
        q("SELECT d.public_id, d.org_id, o.name AS org_name, o.credit_code AS org_credit_code, \
           d.key_id, d.kind, d.object_type, d.object_id, d.body, d.body_sm3, d.signature, d.sealed_at \
           FROM sealed_documents d JOIN orgs o ON o.id = d.org_id WHERE d.public_id = ?")
        .bind(public_id),
    )
    .await
}

/// How many seal keys are stored (active and retired).
pub(crate) async fn count_keys(db: &mut impl Exec) -> Result<i64, StoreError> {
    db.scalar_i64(q("SELECT COUNT(*) FROM seal_keys")).await
}

/// The newest `limit` stored keys, for the start-up check that the master key opens them.
pub(crate) async fn newest_keys(
    db: &mut impl Exec,
    limit: i64,
) -> Result<Vec<StoredKey>, StoreError> {
    let rows: Vec<(String, String)> = db
        .fetch_all(
            q("SELECT key_id, private_enc FROM seal_keys ORDER BY id DESC LIMIT ?").bind(limit),
        )
        .await?;
    Ok(rows
        .into_iter()
        .map(|(key_id, private_enc)| StoredKey {
            key_id,
            private_enc,
        })
        .collect())
}
