//! API tokens for other systems: scoped to one org and a few unit roles.

use proofless_domain::role::{Role, RoleList};
use serde::{Deserialize, Serialize};

use super::input::ApiTokenInput;
use super::repo;
use crate::App;
use crate::actor::{Actor, ActorKind};
use crate::audit::{self, Entry};
use crate::error::{AppError, AppResult};
use crate::password::{random_token, token_hash};

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct ApiToken {
    pub id: i64,
    pub org_id: i64,
    pub name: String,
    /// The token's roles, comma-separated (`counter_clerk,liaison`).
    #[schema(value_type = String)]
    pub roles: RoleList,
    pub created_by: i64,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
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
    let t = input.parse()?;
    crate::orgs::get(app, t.org_id).await?;
    let secret = format!("pl_{}", random_token(24));
    let now = app.now_ms();
    let created_by = actor.staff_id().unwrap_or_default();
    let mut tx = app.db.begin().await?;
    let id = repo::insert_token(&mut tx, &t, &token_hash(&secret), created_by, now).await?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("api_token.create", "api_token", id).detail(serde_json::json!({
            "org_id": t.org_id, "name": t.name,
            "roles": t.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
        })),
    )
    .await?;
    tx.commit().await?;
    let token = get_token(app, id).await?;
    Ok(CreatedToken { token, secret })
}

async fn get_token(app: &App, id: i64) -> AppResult<ApiToken> {
    repo::token(&mut app.db.reader(), id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("接口令牌 {id}")))
}

pub async fn list_tokens(app: &App, actor: &Actor, org_id: i64) -> AppResult<Vec<ApiToken>> {
    may_manage_tokens(actor, org_id)?;
    Ok(repo::tokens_of_org(&mut app.db.reader(), org_id).await?)
}

pub async fn revoke_token(app: &App, actor: &Actor, id: i64) -> AppResult<ApiToken> {
    let t = get_token(app, id).await?;
    may_manage_tokens(actor, t.org_id)?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    repo::revoke_token(&mut tx, id, now).await?;
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
    let row = repo::live_token(&mut app.db.reader(), &token_hash(secret)).await?;
    Ok(row.map(|t| Actor {
        kind: ActorKind::Token,
        id: Some(t.id),
        name: format!("接口：{}", t.name),
        org_id: Some(t.org_id),
        org_name: Some(t.org_name),
        region_code: Some(t.region_code),
        roles: t.roles.0,
        operation_id: operation_id.to_owned(),
    }))
}
