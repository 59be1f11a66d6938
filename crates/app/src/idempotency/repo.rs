//! The stored answers' SQL.

use proofless_store::{Exec, StoreError, q};

/// The signature, status and body stored under `principal` and `key`.
pub(crate) async fn find(
    db: &mut impl Exec,
    principal: &str,
    key: &str,
) -> Result<Option<(String, i64, String)>, StoreError> {
    db.fetch_optional(
        q("SELECT request_sig, status, body FROM idempotency_keys WHERE principal = ? AND key = ?")
            .bind(principal)
            .bind(key),
    )
    .await
}

pub(crate) struct NewAnswer<'a> {
    pub principal: &'a str,
    pub key: &'a str,
    pub request_sig: &'a str,
    pub status: u16,
    pub body: &'a str,
    pub now: i64,
}

pub(crate) async fn insert(tx: &mut impl Exec, a: NewAnswer<'_>) -> Result<(), StoreError> {
    tx.execute(
        q("INSERT INTO idempotency_keys (principal, key, request_sig, status, body, created_at) VALUES (?, ?, ?, ?, ?, ?)")
            .bind(a.principal)
            .bind(a.key)
            .bind(a.request_sig)
            .bind(i64::from(a.status))
            .bind(a.body)
            .bind(a.now),
    )
    .await?;
    Ok(())
}

pub(crate) async fn delete_before(tx: &mut impl Exec, before: i64) -> Result<(), StoreError> {
    tx.execute(q("DELETE FROM idempotency_keys WHERE created_at < ?").bind(before))
        .await?;
    Ok(())
}
