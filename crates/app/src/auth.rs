//! Staff sign-in, browser sessions, API tokens and login throttling.

use proofless_domain::role::Role;
use proofless_store::q;
use rand::RngCore;
use serde::{Deserialize, Serialize};

use crate::actor::{Actor, ActorKind};
use crate::audit::{self, Entry};
use crate::error::{AppError, AppResult};
use crate::{App, password};

/// A fresh random secret, hex encoded.
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buf);
    hex::encode(buf)
}

/// Only a hash of a session or API token is stored, so a stolen database copy grants
/// nothing.
pub fn token_hash(token: &str) -> String {
    proofless_seal::sm3_hex(token.as_bytes())
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NewSession {
    /// Goes into the cookie; never stored.
    pub token: String,
    pub csrf_token: String,
    pub expires_at: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrincipalKind {
    Staff,
    Portal,
}

impl PrincipalKind {
    fn as_str(self) -> &'static str {
        match self {
            PrincipalKind::Staff => "staff",
            PrincipalKind::Portal => "portal",
        }
    }
}

/// Refuse when `login` has failed too often recently (password guessing).
pub async fn check_throttle(app: &App, login: &str) -> AppResult<()> {
    let since = app.now_ms() - app.settings.throttle_window_minutes * 60_000;
    let failures = app
        .db
        .reader()
        .scalar_i64(
            q("SELECT COUNT(*) FROM login_failures WHERE login = ? AND at > ?")
                .bind(login)
                .bind(since),
        )
        .await?;
    if failures >= app.settings.max_login_failures {
        return Err(AppError::Throttled(app.settings.throttle_window_minutes));
    }
    Ok(())
}

pub async fn record_failure(app: &App, login: &str) -> AppResult<()> {
    let mut tx = app.db.begin().await?;
    tx.execute(
        q("INSERT INTO login_failures (login, at) VALUES (?, ?)")
            .bind(login)
            .bind(app.now_ms()),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn create_session(
    app: &App,
    kind: PrincipalKind,
    principal_id: i64,
) -> AppResult<NewSession> {
    let token = random_token(32);
    let csrf_token = random_token(16);
    let now = app.now_ms();
    let expires_at = now + app.settings.session_minutes * 60_000;
    let mut tx = app.db.begin().await?;
    // Expired sessions are swept as new ones are made.
    tx.execute(q("DELETE FROM sessions WHERE expires_at < ?").bind(now))
        .await?;
    tx.execute(
        q("INSERT INTO sessions (token_hash, principal_kind, principal_id, csrf_token, created_at, expires_at) \
           VALUES (?, ?, ?, ?, ?, ?)")
        .bind(token_hash(&token))
        .bind(kind.as_str())
        .bind(principal_id)
        .bind(&csrf_token)
        .bind(now)
        .bind(expires_at),
    )
    .await?;
    tx.execute(q("DELETE FROM login_failures WHERE at < ?").bind(now - 86_400_000))
        .await?;
    tx.commit().await?;
    Ok(NewSession {
        token,
        csrf_token,
        expires_at,
    })
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginInput {
    pub username: String,
    pub password: String,
}

/// Staff login: throttled, audited, the same answer for a wrong user or password.
pub async fn staff_login(
    app: &App,
    operation_id: &str,
    input: &LoginInput,
) -> AppResult<(NewSession, Actor)> {
    let login = input.username.trim().to_lowercase();
    if login.is_empty() || input.password.is_empty() {
        return Err(AppError::field("username", "请输入用户名和密码"));
    }
    check_throttle(app, &login).await?;
    let row: Option<(i64, String, bool)> = app
        .db
        .reader()
        .fetch_optional(
            q("SELECT id, password_hash, active FROM staff WHERE LOWER(username) = ?").bind(&login),
        )
        .await?;
    let ok = match &row {
        Some((_, hash, active)) => *active && password::verify(&input.password, hash),
        None => {
            // Spend the same time as a real check so timing does not reveal which
            // usernames exist.
            let _ = password::verify(
                &input.password,
                "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaA",
            );
            false
        }
    };
    let Some((id, _, _)) = row.filter(|_| ok) else {
        record_failure(app, &login).await?;
        return Err(AppError::Validation(vec![crate::FieldError::new(
            "password",
            "用户名或密码错误",
        )]));
    };
    let session = create_session(app, PrincipalKind::Staff, id).await?;
    let actor = staff_actor(app, id, operation_id)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    let mut tx = app.db.begin().await?;
    tx.execute(q("DELETE FROM login_failures WHERE login = ?").bind(&login))
        .await?;
    audit::append(
        &mut tx,
        &actor,
        app.now_ms(),
        Entry::new("auth.login", "staff", id),
    )
    .await?;
    tx.commit().await?;
    Ok((session, actor))
}

#[derive(Deserialize)]
struct StaffActorRow {
    id: i64,
    display_name: String,
    org_id: i64,
    org_name: String,
    region_code: String,
    /// One row per role (none when the staff member has no role).
    role: Option<String>,
}

/// An active staff member with their unit and roles, one row per role: one query serves
/// every authenticated request.
const STAFF_ACTOR: &str = "SELECT s.id, s.display_name, s.org_id, o.name AS org_name, o.region_code, r.role \
    FROM staff s JOIN orgs o ON o.id = s.org_id LEFT JOIN staff_roles r ON r.staff_id = s.id";

fn staff_actor_of(rows: Vec<StaffActorRow>, operation_id: &str) -> Option<Actor> {
    let mut roles: Vec<Role> = rows
        .iter()
        .filter_map(|r| r.role.as_deref().and_then(Role::parse))
        .collect();
    roles.sort_by_key(|r| r.as_str());
    let r = rows.into_iter().next()?;
    Some(Actor {
        kind: ActorKind::Staff,
        id: Some(r.id),
        name: r.display_name,
        org_id: Some(r.org_id),
        org_name: Some(r.org_name),
        region_code: Some(r.region_code),
        roles,
        operation_id: operation_id.to_owned(),
    })
}

pub async fn staff_actor(app: &App, staff_id: i64, operation_id: &str) -> AppResult<Option<Actor>> {
    let rows = app
        .db
        .reader()
        .fetch_all(
            q(format!("{STAFF_ACTOR} WHERE s.id = ? AND s.active = ?"))
                .bind(staff_id)
                .bind(true),
        )
        .await?;
    Ok(staff_actor_of(rows, operation_id))
}

#[derive(Deserialize)]
struct StaffSessionRow {
    csrf_token: String,
    expires_at: i64,
    #[serde(flatten)]
    staff: StaffActorRow,
}

/// The actor behind a session cookie, and the session's CSRF token.
pub async fn session_actor(
    app: &App,
    token: &str,
    operation_id: &str,
) -> AppResult<Option<(Actor, String)>> {
    let hash = token_hash(token);
    // A staff session (nearly every request) in one query with its staff member.
    let rows: Vec<StaffSessionRow> = app
        .db
        .reader()
        .fetch_all(
            q(format!(
                "SELECT se.csrf_token, se.expires_at, x.* FROM sessions se JOIN ({STAFF_ACTOR} WHERE s.active = ?) x \
                 ON x.id = se.principal_id WHERE se.token_hash = ? AND se.principal_kind = 'staff'"
            ))
            .bind(true)
            .bind(&hash),
        )
        .await?;
    if let Some(first) = rows.first() {
        if first.expires_at < app.now_ms() {
            return Ok(None);
        }
        let csrf = first.csrf_token.clone();
        let actor = staff_actor_of(rows.into_iter().map(|r| r.staff).collect(), operation_id);
        return Ok(actor.map(|a| (a, csrf)));
    }
    let row: Option<(String, i64, String, i64)> = app
        .db
        .reader()
        .fetch_optional(
            q("SELECT principal_kind, principal_id, csrf_token, expires_at FROM sessions WHERE token_hash = ?")
                .bind(&hash),
        )
        .await?;
    let Some((kind, id, csrf, expires_at)) = row else {
        return Ok(None);
    };
    // A staff session whose staff member was deactivated is no session.
    if expires_at < app.now_ms() || kind != "portal" {
        return Ok(None);
    }
    let actor = crate::identity::portal_actor(app, id, operation_id).await?;
    Ok(actor.map(|a| (a, csrf)))
}

pub async fn logout(app: &App, actor: &Actor, token: &str) -> AppResult<()> {
    let mut tx = app.db.begin().await?;
    tx.execute(q("DELETE FROM sessions WHERE token_hash = ?").bind(token_hash(token)))
        .await?;
    if actor.kind == ActorKind::Staff {
        audit::append(
            &mut tx,
            actor,
            app.now_ms(),
            Entry::new("auth.logout", "staff", actor.id.unwrap_or_default()),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

// ---- API tokens for other systems ----

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct ApiToken {
    pub id: i64,
    pub org_id: i64,
    pub name: String,
    pub roles: String,
    pub created_by: i64,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApiTokenInput {
    pub org_id: i64,
    pub name: String,
    pub roles: Vec<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CreatedToken {
    pub token: ApiToken,
    /// Shown once; only its hash is kept.
    pub secret: String,
}

fn may_manage_tokens(actor: &Actor, org_id: i64) -> AppResult<()> {
    if actor.kind != ActorKind::Staff {
        return Err(AppError::forbidden("只有登录的管理员才能管理接口令牌"));
    }
    if actor.has(Role::SystemAdmin) {
        return Ok(());
    }
    actor.require_any(&[Role::UnitAdmin])?;
    actor.require_org(org_id)
}

pub async fn create_token(
    app: &App,
    actor: &Actor,
    input: ApiTokenInput,
) -> AppResult<CreatedToken> {
    may_manage_tokens(actor, input.org_id)?;
    let name = proofless_domain::org::clean_name(&input.name, 60)
        .map_err(|e| AppError::field("name", format!("令牌名称{e}")))?;
    let mut roles = Vec::new();
    for r in &input.roles {
        let role =
            Role::parse(r).ok_or_else(|| AppError::field("roles", format!("角色“{r}”不存在")))?;
        if !crate::staff::UNIT_ROLES.contains(&role) || role == Role::UnitAdmin {
            return Err(AppError::field(
                "roles",
                format!("接口令牌不能带有“{}”角色", role.label()),
            ));
        }
        roles.push(role.as_str());
    }
    crate::orgs::get(app, input.org_id).await?;
    let secret = format!("pl_{}", random_token(24));
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let id = tx
        .scalar_i64(
            q("INSERT INTO api_tokens (org_id, name, token_hash, roles, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id")
                .bind(input.org_id)
                .bind(&name)
                .bind(token_hash(&secret))
                .bind(roles.join(","))
                .bind(actor.id.unwrap_or_default())
                .bind(now),
        )
        .await?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("api_token.create", "api_token", id).detail(serde_json::json!({
            "org_id": input.org_id, "name": name, "roles": roles,
        })),
    )
    .await?;
    tx.commit().await?;
    let token = get_token(app, id).await?;
    Ok(CreatedToken { token, secret })
}

async fn get_token(app: &App, id: i64) -> AppResult<ApiToken> {
    app.db
        .reader()
        .fetch_optional(q("SELECT id, org_id, name, roles, created_by, created_at, revoked_at FROM api_tokens WHERE id = ?").bind(id))
        .await?
        .ok_or_else(|| AppError::NotFound(format!("接口令牌 {id}")))
}

pub async fn list_tokens(app: &App, actor: &Actor, org_id: i64) -> AppResult<Vec<ApiToken>> {
    may_manage_tokens(actor, org_id)?;
    Ok(app
        .db
        .reader()
        .fetch_all(
            q("SELECT id, org_id, name, roles, created_by, created_at, revoked_at FROM api_tokens WHERE org_id = ? ORDER BY id")
                .bind(org_id),
        )
        .await?)
}

pub async fn revoke_token(app: &App, actor: &Actor, id: i64) -> AppResult<ApiToken> {
    let t = get_token(app, id).await?;
    may_manage_tokens(actor, t.org_id)?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    tx.execute(
        q("UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")
            .bind(now)
            .bind(id),
    )
    .await?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("api_token.revoke", "api_token", id),
    )
    .await?;
    tx.commit().await?;
    get_token(app, id).await
}

/// The actor behind a bearer token: the token's org and roles, never more.
pub async fn token_actor(app: &App, secret: &str, operation_id: &str) -> AppResult<Option<Actor>> {
    let row: Option<(i64, i64, String, String, String, String)> = app
        .db
        .reader()
        .fetch_optional(
            q("SELECT t.id, t.org_id, t.name, t.roles, o.name, o.region_code FROM api_tokens t JOIN orgs o ON o.id = t.org_id \
               WHERE t.token_hash = ? AND t.revoked_at IS NULL")
            .bind(token_hash(secret)),
        )
        .await?;
    Ok(
        row.map(|(id, org_id, name, roles, org_name, region_code)| Actor {
            kind: ActorKind::Token,
            id: Some(id),
            name: format!("接口：{name}"),
            org_id: Some(org_id),
            org_name: Some(org_name),
            region_code: Some(region_code),
            roles: roles.split(',').filter_map(Role::parse).collect(),
            operation_id: operation_id.to_owned(),
        }),
    )
}
