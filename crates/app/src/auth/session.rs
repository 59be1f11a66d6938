//! Staff login, sessions, and the actor behind a session cookie.

use proofless_domain::role::{PrincipalKind, Role};
use serde::Serialize;

use super::codes::{self, Purpose};
use super::input::LoginInput;
use super::repo::{self, NewSessionRow, StaffActorRow};
use super::throttle;
use crate::actor::{Actor, ActorKind};
use crate::audit::{self, Entry};
use crate::error::{AppError, AppResult};
use crate::password::{random_token, token_hash};
use crate::{App, password};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NewSession {
    /// Goes into the cookie; never stored.
    pub token: String,
    pub csrf_token: String,
    pub expires_at: i64,
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
    repo::delete_sessions_expired(&mut tx, now).await?;
    repo::insert_session(
        &mut tx,
        NewSessionRow {
            token_hash: &token_hash(&token),
            kind,
            principal_id,
            csrf_token: &csrf_token,
            created_at: now,
            expires_at,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(NewSession {
        token,
        csrf_token,
        expires_at,
    })
}

/// A hash to spend the same time on as a real check, so timing does not reveal which
/// usernames exist.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaA";

/// Staff login (issue #16 item 2). Attempts are counted before the password is checked,
/// per client address and per account; a client over its own limit gets 429, an account
/// over its limit is never locked against its owner but asks for a one-time code from
/// the unit admin (and answers slowly) — the attacker without the code learns nothing
/// more, the owner with it gets in. Audited; the same answer for a wrong user or password.
pub async fn staff_login(
    app: &App,
    operation_id: &str,
    client: &str,
    input: &LoginInput,
) -> AppResult<(NewSession, Actor)> {
    let login = input.login()?;
    throttle::client_gate(app, operation_id, client).await?;
    let counted = throttle::bump(app, "staff", &login).await?;
    let account = repo::staff_credentials(&mut app.db.reader(), &login).await?;
    let limit = app.settings.max_login_failures;
    if counted.count == limit + 1 {
        let id = account
            .as_ref()
            .map(|a| a.id.to_string())
            .unwrap_or_default();
        throttle::audit_lockout(
            app,
            operation_id,
            "staff",
            &id,
            serde_json::json!({
                "login": login, "client": client, "attempts": counted.count,
                "requires": "one_time_code",
            }),
        )
        .await?;
    }
    let mut code_id = None;
    if counted.count > limit {
        code_id = match (&input.code, &account) {
            (Some(code), Some(a)) => codes::check(app, Purpose::StaffLogin, a.id, code).await?,
            _ => None,
        };
        if code_id.is_none() {
            slow_down(app).await;
            return Err(AppError::field("code", SECOND_FACTOR));
        }
    }
    let ok = match &account {
        Some(a) => a.active && password::verify(&input.password, &a.password_hash),
        None => {
            let _ = password::verify(&input.password, DUMMY_HASH);
            false
        }
    };
    let Some(id) = account.filter(|_| ok).map(|a| a.id) else {
        return Err(AppError::field("password", "用户名或密码错误"));
    };
    let actor = staff_actor(app, id, operation_id)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    if let Some(cid) = code_id
        && !codes::consume(&mut tx, cid, now).await?
    {
        return Err(AppError::field("code", SECOND_FACTOR));
    }
    audit::append(
        &mut tx,
        &actor,
        now,
        Entry::new("auth.login", "staff", id)
            .detail(serde_json::json!({"second_factor": code_id.is_some()})),
    )
    .await?;
    tx.commit().await?;
    throttle::reset(app, "staff", &login).await?;
    throttle::refund(app, "client", client).await?;
    let session = create_session(app, PrincipalKind::Staff, id).await?;
    Ok((session, actor))
}

/// What an account over its failure limit asks for.
pub const SECOND_FACTOR: &str =
    "该账号登录失败次数过多，已启用保护：请输入本单位管理员发放的一次性验证码后再登录";

/// Answers to an account under attack come slowly, so guessing stays expensive.
pub(crate) async fn slow_down(app: &App) {
    tokio::time::sleep(std::time::Duration::from_millis(
        app.settings.lockout_delay_ms,
    ))
    .await;
}

fn staff_actor_of(rows: Vec<StaffActorRow>, operation_id: &str) -> Option<Actor> {
    let mut roles: Vec<Role> = rows.iter().filter_map(|r| r.role).collect();
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

/// An active staff member as the actor, with their unit and roles.
pub async fn staff_actor(app: &App, staff_id: i64, operation_id: &str) -> AppResult<Option<Actor>> {
    let rows = repo::active_staff_actor(&mut app.db.reader(), staff_id).await?;
    Ok(staff_actor_of(rows, operation_id))
}

fn portal_actor_of(person_id: i64, name: String, operation_id: &str) -> Actor {
    Actor {
        kind: ActorKind::Portal,
        id: Some(person_id),
        name,
        org_id: None,
        org_name: None,
        region_code: None,
        roles: vec![],
        operation_id: operation_id.to_owned(),
    }
}

/// A citizen with a portal account as the actor.
pub async fn portal_actor(
    app: &App,
    person_id: i64,
    operation_id: &str,
) -> AppResult<Option<Actor>> {
    let name = repo::person_name(&mut app.db.reader(), person_id).await?;
    Ok(name.map(|n| portal_actor_of(person_id, n, operation_id)))
}

/// The actor behind a session cookie, and the session's CSRF token.
pub async fn session_actor(
    app: &App,
    token: &str,
    operation_id: &str,
) -> AppResult<Option<(Actor, String)>> {
    let hash = token_hash(token);
    // A staff session (nearly every request) in one query with its staff member.
    let rows = repo::staff_session(&mut app.db.reader(), &hash).await?;
    if let Some(first) = rows.first() {
        if first.expires_at < app.now_ms() {
            return Ok(None);
        }
        let csrf = first.csrf_token.clone();
        let actor = staff_actor_of(rows.into_iter().map(|r| r.staff).collect(), operation_id);
        return Ok(actor.map(|a| (a, csrf)));
    }
    let Some(s) = repo::session(&mut app.db.reader(), &hash).await? else {
        return Ok(None);
    };
    // A staff session whose staff member was deactivated is no session.
    if s.expires_at < app.now_ms() || s.principal_kind != PrincipalKind::Portal {
        return Ok(None);
    }
    Ok(s.person_name.map(|name| {
        (
            portal_actor_of(s.principal_id, name, operation_id),
            s.csrf_token,
        )
    }))
}

pub async fn logout(app: &App, actor: &Actor, token: &str) -> AppResult<()> {
    let mut tx = app.db.begin().await?;
    repo::delete_session(&mut tx, &token_hash(token)).await?;
    if let Some(staff_id) = actor.staff_id() {
        audit::append(
            &mut tx,
            actor,
            app.now_ms(),
            Entry::new("auth.logout", "staff", staff_id),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}
