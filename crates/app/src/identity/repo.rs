//! The portal accounts' and identity-provider sign-ins' SQL.

use proofless_store::{Exec, StoreError, q};

/// The person and password hash of a local account, by login.
pub(crate) async fn account(
    db: &mut impl Exec,
    login: &str,
) -> Result<Option<(i64, String)>, StoreError> {
    db.fetch_optional(
        q("SELECT person_id, password_hash FROM portal_accounts WHERE login = ?").bind(login),
    )
    .await
}

/// Create the person's local account, or set its new password (re-activation).
pub(crate) async fn upsert_account(
    tx: &mut impl Exec,
    person_id: i64,
    login: &str,
    password_hash: &str,
    now: i64,
) -> Result<(), StoreError> {
    tx.execute(
        q("INSERT INTO portal_accounts (person_id, login, password_hash, created_at) VALUES (?, ?, ?, ?) \
           ON CONFLICT (person_id) DO UPDATE SET password_hash = excluded.password_hash")
            .bind(person_id)
            .bind(login)
            .bind(password_hash)
            .bind(now),
    )
    .await?;
    Ok(())
}

pub(crate) async fn insert_oidc_login(
    tx: &mut impl Exec,
    state_hash: &str,
    pkce_verifier: &str,
    nonce: &str,
    expires_at: i64,
) -> Result<(), StoreError> {
    tx.execute(
        q("INSERT INTO oidc_logins (state_hash, pkce_verifier, nonce, expires_at) VALUES (?, ?, ?, ?)")
            .bind(state_hash)
            .bind(pkce_verifier)
            .bind(nonce)
            .bind(expires_at),
    )
    .await?;
    Ok(())
}

/// Take (read and delete: single use) a sign-in under way: its PKCE verifier and nonce.
pub(crate) async fn take_oidc_login(
    tx: &mut impl Exec,
    state_hash: &str,
    now: i64,
) -> Result<Option<(String, String)>, StoreError> {
    let row: Option<(String, String, i64)> = tx
        .fetch_optional(
            q("SELECT pkce_verifier, nonce, expires_at FROM oidc_logins WHERE state_hash = ?")
                .bind(state_hash),
        )
        .await?;
    tx.execute(
        q("DELETE FROM oidc_logins WHERE state_hash = ? OR expires_at < ?")
            .bind(state_hash)
            .bind(now),
    )
    .await?;
    Ok(row
        .filter(|(_, _, exp)| *exp >= now)
        .map(|(v, n, _)| (v, n)))
}

/// The entity registered under a credit code (an identity token may name one).
pub(crate) async fn entity_by_credit_code(
    db: &mut impl Exec,
    credit_code: &str,
) -> Result<Option<i64>, StoreError> {
    let row: Option<(i64,)> = db
        .fetch_optional(q("SELECT id FROM entities WHERE credit_code = ?").bind(credit_code))
        .await?;
    Ok(row.map(|(id,)| id))
}
