//! The SQL of sign-in: login failures, sessions, the actor behind a session, API tokens.

use proofless_domain::role::{PrincipalKind, Role, RoleList};
use proofless_store::{Exec, StoreError, q};
use serde::Deserialize;

use super::input::NewApiToken;
use super::tokens::ApiToken;

/// Count one attempt and return the count, in ONE statement: concurrent attempts each
/// get their own number (SQLite's single writer; PostgreSQL's row lock on conflict).
pub(crate) async fn bump_counter(
    tx: &mut impl Exec,
    key: &str,
    window_start: i64,
) -> Result<i64, StoreError> {
    tx.scalar_i64(
        q(
            "INSERT INTO attempt_counters (key, window_start, count) VALUES (?, ?, 1) \
           ON CONFLICT (key, window_start) DO UPDATE SET count = attempt_counters.count + 1 \
           RETURNING count",
        )
        .bind(key)
        .bind(window_start),
    )
    .await
}

pub(crate) async fn refund_counter(
    tx: &mut impl Exec,
    key: &str,
    window_start: i64,
) -> Result<(), StoreError> {
    tx.execute(
        q("UPDATE attempt_counters SET count = count - 1 WHERE key = ? AND window_start = ? AND count > 0")
            .bind(key)
            .bind(window_start),
    )
    .await?;
    Ok(())
}

pub(crate) async fn delete_counter(tx: &mut impl Exec, key: &str) -> Result<(), StoreError> {
    tx.execute(q("DELETE FROM attempt_counters WHERE key = ?").bind(key))
        .await?;
    Ok(())
}

pub(crate) async fn delete_counters_before(
    tx: &mut impl Exec,
    before: i64,
) -> Result<(), StoreError> {
    tx.execute(q("DELETE FROM attempt_counters WHERE window_start < ?").bind(before))
        .await?;
    Ok(())
}

pub(crate) async fn counter(
    db: &mut impl Exec,
    key: &str,
    window_start: i64,
) -> Result<i64, StoreError> {
    let row: Option<(i64,)> = db
        .fetch_optional(
            q("SELECT count FROM attempt_counters WHERE key = ? AND window_start = ?")
                .bind(key)
                .bind(window_start),
        )
        .await?;
    Ok(row.map(|(c,)| c).unwrap_or(0))
}

pub(crate) struct CodeRow<'a> {
    pub purpose: &'a str,
    pub principal_id: i64,
    pub code_hash: &'a str,
    pub channel: &'a str,
    pub issued_by: Option<i64>,
    pub created_at: i64,
    pub expires_at: i64,
}

pub(crate) async fn insert_code(tx: &mut impl Exec, c: CodeRow<'_>) -> Result<(), StoreError> {
    tx.execute(
        q("INSERT INTO one_time_codes (purpose, principal_id, code_hash, channel, issued_by, created_at, expires_at) \
           VALUES (?, ?, ?, ?, ?, ?, ?)")
        .bind(c.purpose)
        .bind(c.principal_id)
        .bind(c.code_hash)
        .bind(c.channel)
        .bind(c.issued_by)
        .bind(c.created_at)
        .bind(c.expires_at),
    )
    .await?;
    Ok(())
}

/// The newest unused, unexpired code of a principal: its id and hash.
pub(crate) async fn live_code(
    db: &mut impl Exec,
    purpose: &str,
    principal_id: i64,
    now: i64,
) -> Result<Option<(i64, String)>, StoreError> {
    db.fetch_optional(
        q(
            "SELECT id, code_hash FROM one_time_codes WHERE purpose = ? AND principal_id = ? \
           AND used_at IS NULL AND expires_at > ? ORDER BY id DESC LIMIT 1",
        )
        .bind(purpose)
        .bind(principal_id)
        .bind(now),
    )
    .await
}

/// Count a try on a code in one statement; none when the code is spent or out of tries.
pub(crate) async fn count_code_attempt(
    tx: &mut impl Exec,
    id: i64,
    max: i64,
) -> Result<Option<i64>, StoreError> {
    let row: Option<(i64,)> = tx
        .fetch_optional(
            q("UPDATE one_time_codes SET attempts = attempts + 1 \
               WHERE id = ? AND attempts < ? AND used_at IS NULL RETURNING attempts")
            .bind(id)
            .bind(max),
        )
        .await?;
    Ok(row.map(|(a,)| a))
}

pub(crate) async fn use_code(tx: &mut impl Exec, id: i64, now: i64) -> Result<u64, StoreError> {
    tx.execute(
        q("UPDATE one_time_codes SET used_at = ? WHERE id = ? AND used_at IS NULL")
            .bind(now)
            .bind(id),
    )
    .await
}

/// A staff member's unit and login name (for an admin's unlock or code).
pub(crate) async fn staff_login_of(
    db: &mut impl Exec,
    staff_id: i64,
) -> Result<Option<(i64, String)>, StoreError> {
    db.fetch_optional(q("SELECT org_id, username FROM staff WHERE id = ?").bind(staff_id))
        .await
}

pub(crate) async fn delete_sessions_expired(
    tx: &mut impl Exec,
    now: i64,
) -> Result<(), StoreError> {
    tx.execute(q("DELETE FROM sessions WHERE expires_at < ?").bind(now))
        .await?;
    Ok(())
}

pub(crate) struct NewSessionRow<'a> {
    pub token_hash: &'a str,
    pub kind: PrincipalKind,
    pub principal_id: i64,
    pub csrf_token: &'a str,
    pub created_at: i64,
    pub expires_at: i64,
}

pub(crate) async fn insert_session(
    tx: &mut impl Exec,
    s: NewSessionRow<'_>,
) -> Result<(), StoreError> {
    tx.execute(
        q("INSERT INTO sessions (token_hash, principal_kind, principal_id, csrf_token, created_at, expires_at) \
           VALUES (?, ?, ?, ?, ?, ?)")
        .bind(s.token_hash)
        .bind(s.kind.as_str())
        .bind(s.principal_id)
        .bind(s.csrf_token)
        .bind(s.created_at)
        .bind(s.expires_at),
    )
    .await?;
    Ok(())
}

pub(crate) async fn delete_session(tx: &mut impl Exec, token_hash: &str) -> Result<(), StoreError> {
    tx.execute(q("DELETE FROM sessions WHERE token_hash = ?").bind(token_hash))
        .await?;
    Ok(())
}

pub(crate) async fn delete_sessions_of(
    tx: &mut impl Exec,
    kind: PrincipalKind,
    principal_id: i64,
) -> Result<(), StoreError> {
    tx.execute(
        q("DELETE FROM sessions WHERE principal_kind = ? AND principal_id = ?")
            .bind(kind.as_str())
            .bind(principal_id),
    )
    .await?;
    Ok(())
}

/// A staff account's id, password hash and whether it is active, by login name.
#[derive(Deserialize)]
pub(crate) struct StaffCredentials {
    pub id: i64,
    pub password_hash: String,
    pub active: bool,
}

pub(crate) async fn staff_credentials(
    db: &mut impl Exec,
    login: &str,
) -> Result<Option<StaffCredentials>, StoreError> {
    db.fetch_optional(
        q("SELECT id, password_hash, active FROM staff WHERE LOWER(username) = ?").bind(login),
    )
    .await
}

#[derive(Deserialize)]
pub(crate) struct StaffActorRow {
    pub id: i64,
    pub display_name: String,
    pub org_id: i64,
    pub org_name: String,
    pub region_code: String,
    /// One row per role (none when the staff member has no role).
    pub role: Option<Role>,
}

/// An active staff member with their unit and roles, one row per role: one query serves
/// every authenticated request.
const STAFF_ACTOR: &str = "SELECT s.id, s.display_name, s.org_id, o.name AS org_name, o.region_code, r.role \
    FROM staff s JOIN orgs o ON o.id = s.org_id LEFT JOIN staff_roles r ON r.staff_id = s.id";

pub(crate) async fn active_staff_actor(
    db: &mut impl Exec,
    staff_id: i64,
) -> Result<Vec<StaffActorRow>, StoreError> {
    db.fetch_all(
        q(format!("{STAFF_ACTOR} WHERE s.id = ? AND s.active = ?"))
            .bind(staff_id)
            .bind(true),
    )
    .await
}

#[derive(Deserialize)]
pub(crate) struct StaffSessionRow {
    pub csrf_token: String,
    pub expires_at: i64,
    #[serde(flatten)]
    pub staff: StaffActorRow,
}

/// A staff session with its active staff member, unit and roles: the one query every
/// staff request pays.
pub(crate) async fn staff_session(
    db: &mut impl Exec,
    token_hash: &str,
) -> Result<Vec<StaffSessionRow>, StoreError> {
    db.fetch_all(
        q(format!(
            "SELECT se.csrf_token, se.expires_at, x.* FROM sessions se JOIN ({STAFF_ACTOR} WHERE s.active = ?) x \
             ON x.id = se.principal_id WHERE se.token_hash = ? AND se.principal_kind = 'staff'"
        ))
        .bind(true)
        .bind(token_hash),
    )
    .await
}

/// Any session by its hash, with the person's name when it is a portal session.
#[derive(Deserialize)]
pub(crate) struct SessionRow {
    pub principal_kind: PrincipalKind,
    pub principal_id: i64,
    pub csrf_token: String,
    pub expires_at: i64,
    pub person_name: Option<String>,
}

pub(crate) async fn session(
    db: &mut impl Exec,
    token_hash: &str,
) -> Result<Option<SessionRow>, StoreError> {
    db.fetch_optional(
        q("SELECT se.principal_kind, se.principal_id, se.csrf_token, se.expires_at, p.name_masked AS person_name \
           FROM sessions se LEFT JOIN persons p ON se.principal_kind = 'portal' AND p.id = se.principal_id \
           WHERE se.token_hash = ?")
        .bind(token_hash),
    )
    .await
}

pub(crate) async fn person_name(
    db: &mut impl Exec,
    person_id: i64,
) -> Result<Option<String>, StoreError> {
    let row: Option<(String,)> = db
        .fetch_optional(q("SELECT name_masked FROM persons WHERE id = ?").bind(person_id))
        .await?;
    Ok(row.map(|(n,)| n))
}

const TOKEN: &str =
    "SELECT id, org_id, name, roles, created_by, created_at, revoked_at FROM api_tokens";

pub(crate) async fn insert_token(
    tx: &mut impl Exec,
    t: &NewApiToken,
    token_hash: &str,
    created_by: i64,
    now: i64,
) -> Result<i64, StoreError> {
    tx.scalar_i64(
        q("INSERT INTO api_tokens (org_id, name, token_hash, roles, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id")
            .bind(t.org_id)
            .bind(&t.name)
            .bind(token_hash)
            .bind(RoleList(t.roles.clone()).joined())
            .bind(created_by)
            .bind(now),
    )
    .await
}

pub(crate) async fn token(db: &mut impl Exec, id: i64) -> Result<Option<ApiToken>, StoreError> {
    db.fetch_optional(q(format!("{TOKEN} WHERE id = ?")).bind(id))
        .await
}

pub(crate) async fn tokens_of_org(
    db: &mut impl Exec,
    org_id: i64,
) -> Result<Vec<ApiToken>, StoreError> {
    db.fetch_all(q(format!("{TOKEN} WHERE org_id = ? ORDER BY id")).bind(org_id))
        .await
}

pub(crate) async fn revoke_token(tx: &mut impl Exec, id: i64, now: i64) -> Result<(), StoreError> {
    tx.execute(
        q("UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")
            .bind(now)
            .bind(id),
    )
    .await?;
    Ok(())
}

/// A live token with its org, by the secret's hash.
#[derive(Deserialize)]
pub(crate) struct TokenActorRow {
    pub id: i64,
    pub org_id: i64,
    pub name: String,
    pub roles: RoleList,
    pub org_name: String,
    pub region_code: String,
}

pub(crate) async fn live_token(
    db: &mut impl Exec,
    token_hash: &str,
) -> Result<Option<TokenActorRow>, StoreError> {
    db.fetch_optional(
        q(
            "SELECT t.id, t.org_id, t.name, t.roles, o.name AS org_name, o.region_code \
           FROM api_tokens t JOIN orgs o ON o.id = t.org_id \
           WHERE t.token_hash = ? AND t.revoked_at IS NULL",
        )
        .bind(token_hash),
    )
    .await
}
