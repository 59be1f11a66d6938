//! The portal accounts' SQL.

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

pub(crate) async fn insert_account(
    tx: &mut impl Exec,
    person_id: i64,
    login: &str,
    password_hash: &str,
    now: i64,
) -> Result<(), StoreError> {
    tx.execute(
        q("INSERT INTO portal_accounts (person_id, login, password_hash, created_at) VALUES (?, ?, ?, ?)")
            .bind(person_id)
            .bind(login)
            .bind(password_hash)
            .bind(now),
    )
    .await?;
    Ok(())
}
