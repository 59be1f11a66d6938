//! Logging in on the portal with a local account.

use std::future::Future;
use std::pin::Pin;

use proofless_domain::role::PrincipalKind;

use super::input::PortalLoginInput;
use super::repo;
use crate::actor::Actor;
use crate::audit::{self, Entry};
use crate::auth::{self, NewSession, throttle};
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

/// Spends as long as a real check when there is no account, so timing tells nothing.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaA";

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
            let Some((id, hash)) = row else {
                let _ = password::verify(secret, DUMMY_HASH);
                return Ok(None);
            };
            Ok(password::verify(secret, &hash).then_some(id))
        })
    }
}

pub(super) async fn portal_actor_in(
    app: &App,
    person_id: i64,
    operation_id: &str,
) -> AppResult<Actor> {
    auth::portal_actor(app, person_id, operation_id)
        .await?
        .ok_or(AppError::Unauthenticated)
}

/// What a portal account over its failure limit asks for.
pub const PORTAL_PROTECTED: &str =
    "该账号登录失败次数过多，已启用保护：请用短信验证码或到窗口领取开通码，重新设置密码后登录";

/// Portal login: counted before the password is checked, per client address and per
/// account (issue #16 item 2). An account over its limit is not evaluated at all; its
/// owner re-opens it with an activation code (which resets the count).
pub async fn login(
    app: &App,
    provider: &dyn IdentityProvider,
    operation_id: &str,
    client: &str,
    input: &PortalLoginInput,
) -> AppResult<(NewSession, Actor)> {
    // Accounts are found by the blind index: no resident ID in clear at rest (issue #16 item 9).
    let login = applicants::login_index(app, &input.login()?)?;
    throttle::client_gate(app, operation_id, client).await?;
    let counted = throttle::bump(app, "portal", &login).await?;
    let limit = app.settings.max_login_failures;
    if counted.count == limit + 1 {
        let known = repo::account(&mut app.db.reader(), &login).await?;
        let id = known.map(|(id, _)| id.to_string()).unwrap_or_default();
        throttle::audit_lockout(
            app,
            operation_id,
            "person",
            &id,
            serde_json::json!({
                "client": client, "attempts": counted.count, "requires": "activation_code",
            }),
        )
        .await?;
    }
    if counted.count > limit {
        auth::slow_down(app).await;
        return Err(AppError::field("code", PORTAL_PROTECTED));
    }
    let Some(person_id) = provider.authenticate(app, &login, &input.password).await? else {
        return Err(AppError::field("password", "身份证号码或密码错误"));
    };
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
    throttle::reset(app, "portal", &login).await?;
    throttle::refund(app, "client", client).await?;
    let session = auth::create_session(app, PrincipalKind::Portal, person_id).await?;
    Ok((session, actor))
}
