//! Citizens' and companies' portal accounts. Identity sits behind one interface so the
//! province's unified identity login can replace the local accounts later.

use std::future::Future;
use std::pin::Pin;

use proofless_domain::codes::ResidentId;
use proofless_store::q;
use serde::Deserialize;

use crate::actor::{Actor, ActorKind};
use crate::audit::{self, Entry};
use crate::auth::{self, NewSession, PrincipalKind};
use crate::error::{AppError, AppResult, Problems};
use crate::{App, applicants, password};

/// Proves who a citizen is and returns their person id.
pub trait IdentityProvider: Send + Sync {
    fn name(&self) -> &'static str;
    fn authenticate<'a>(
        &'a self,
        app: &'a App,
        login: &'a str,
        secret: &'a str,
    ) -> Pin<Box<dyn Future<Output = AppResult<Option<i64>>> + Send + 'a>>;
}

/// Accounts kept in our own database: login by resident ID number and password.
pub struct LocalIdentity;

impl IdentityProvider for LocalIdentity {
    fn name(&self) -> &'static str {
        "local"
    }

    fn authenticate<'a>(
        &'a self,
        app: &'a App,
        login: &'a str,
        secret: &'a str,
    ) -> Pin<Box<dyn Future<Output = AppResult<Option<i64>>> + Send + 'a>> {
        Box::pin(async move {
            let row: Option<(i64, String)> = app
                .db
                .reader()
                .fetch_optional(
                    q("SELECT person_id, password_hash FROM portal_accounts WHERE login = ?")
                        .bind(login),
                )
                .await?;
            Ok(row
                .filter(|(_, h)| password::verify(secret, h))
                .map(|(id, _)| id))
        })
    }
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterInput {
    pub resident_id: String,
    pub name: String,
    pub phone: Option<String>,
    pub password: String,
}

fn normalise_login(raw: &str) -> String {
    raw.trim().to_uppercase()
}

/// Register a citizen: the person record is made (or matched by resident ID and name)
/// and a local account attached.
pub async fn register(
    app: &App,
    operation_id: &str,
    input: RegisterInput,
) -> AppResult<(NewSession, Actor)> {
    let mut p = Problems::default();
    let rid = match ResidentId::parse(&input.resident_id) {
        Ok(r) => Some(r),
        Err(e) => {
            p.add("resident_id", format!("身份证号码：{e}"));
            None
        }
    };
    if let Err(e) = proofless_domain::org::clean_name(&input.name, 40) {
        p.add("name", format!("姓名{e}"));
    }
    if let Err(e) = password::check_strength(&input.password) {
        p.add("password", e);
    }
    p.into_result()?;
    let rid = rid.ok_or_else(|| AppError::field("resident_id", "身份证号码无效"))?;
    let login = normalise_login(rid.as_str());
    let system = Actor::system(operation_id);
    let person_id = applicants::ensure_person(
        app,
        &system,
        &rid,
        input.name.trim(),
        input.phone.as_deref(),
    )
    .await?;
    let hash = password::hash(&input.password)?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    tx.execute(
        q("INSERT INTO portal_accounts (person_id, login, password_hash, created_at) VALUES (?, ?, ?, ?)")
            .bind(person_id)
            .bind(&login)
            .bind(hash)
            .bind(now),
    )
    .await
    .map_err(|e| match e.unique_violation() {
        Some(_) => AppError::Conflict("该身份证号码已注册，请直接登录".to_owned()),
        None => e.into(),
    })?;
    let actor = portal_actor_in(app, person_id, operation_id).await?;
    audit::append(
        &mut tx,
        &actor,
        now,
        Entry::new("portal.register", "person", person_id).subject(format!("person:{person_id}")),
    )
    .await?;
    tx.commit().await?;
    let session = auth::create_session(app, PrincipalKind::Portal, person_id).await?;
    Ok((session, actor))
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PortalLoginInput {
    pub resident_id: String,
    pub password: String,
}

pub async fn login(
    app: &App,
    provider: &dyn IdentityProvider,
    operation_id: &str,
    input: &PortalLoginInput,
) -> AppResult<(NewSession, Actor)> {
    let login = normalise_login(&input.resident_id);
    if login.is_empty() || input.password.is_empty() {
        return Err(AppError::field("resident_id", "请输入身份证号码和密码"));
    }
    let throttle_key = format!("portal:{login}");
    auth::check_throttle(app, &throttle_key).await?;
    let Some(person_id) = provider.authenticate(app, &login, &input.password).await? else {
        auth::record_failure(app, &throttle_key).await?;
        return Err(AppError::field("password", "身份证号码或密码错误"));
    };
    let session = auth::create_session(app, PrincipalKind::Portal, person_id).await?;
    let actor = portal_actor_in(app, person_id, operation_id).await?;
    let mut tx = app.db.begin().await?;
    audit::append(
        &mut tx,
        &actor,
        app.now_ms(),
        Entry::new("portal.login", "person", person_id).subject(format!("person:{person_id}")),
    )
    .await?;
    tx.commit().await?;
    Ok((session, actor))
}

async fn portal_actor_in(app: &App, person_id: i64, operation_id: &str) -> AppResult<Actor> {
    portal_actor(app, person_id, operation_id)
        .await?
        .ok_or(AppError::Unauthenticated)
}

pub async fn portal_actor(
    app: &App,
    person_id: i64,
    operation_id: &str,
) -> AppResult<Option<Actor>> {
    let row: Option<(String,)> = app
        .db
        .reader()
        .fetch_optional(q("SELECT name FROM persons WHERE id = ?").bind(person_id))
        .await?;
    Ok(row.map(|(name,)| Actor {
        kind: ActorKind::Portal,
        id: Some(person_id),
        name,
        org_id: None,
        org_name: None,
        region_code: None,
        roles: vec![],
        operation_id: operation_id.to_owned(),
    }))
}
