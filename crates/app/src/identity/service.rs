//! Registering and logging in on the portal.

use std::future::Future;
use std::pin::Pin;

use proofless_domain::role::PrincipalKind;

use super::input::{PortalLoginInput, RegisterInput, normalise_login};
use super::repo;
use crate::actor::Actor;
use crate::audit::{self, Entry};
use crate::auth::{self, NewSession};
use crate::error::{AppError, AppResult};
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
            let row = repo::account(&mut app.db.reader(), login).await?;
            Ok(row
                .filter(|(_, h)| password::verify(secret, h))
                .map(|(id, _)| id))
        })
    }
}

async fn portal_actor_in(app: &App, person_id: i64, operation_id: &str) -> AppResult<Actor> {
    auth::portal_actor(app, person_id, operation_id)
        .await?
        .ok_or(AppError::Unauthenticated)
}

/// Register a citizen: the person record is made (or matched by resident ID and name)
/// and a local account attached.
pub async fn register(
    app: &App,
    operation_id: &str,
    input: RegisterInput,
) -> AppResult<(NewSession, Actor)> {
    let r = input.parse()?;
    // Stored as its blind index: no resident ID in clear at rest (issue #16 item 9).
    let login = applicants::login_index(app, &normalise_login(r.resident_id.as_str()))?;
    let system = Actor::system(operation_id);
    let person_id =
        applicants::ensure_person(app, &system, &r.resident_id, &r.name, r.phone.as_deref())
            .await?;
    let hash = password::hash(&r.password)?;
    // Read before the write lock.
    let actor = portal_actor_in(app, person_id, operation_id).await?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    repo::insert_account(&mut tx, person_id, &login, &hash, now)
        .await
        .map_err(|e| match e.unique_violation() {
            Some(_) => AppError::Conflict("该身份证号码已注册，请直接登录".to_owned()),
            None => e.into(),
        })?;
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

pub async fn login(
    app: &App,
    provider: &dyn IdentityProvider,
    operation_id: &str,
    input: &PortalLoginInput,
) -> AppResult<(NewSession, Actor)> {
    let login = applicants::login_index(app, &input.login()?)?;
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
