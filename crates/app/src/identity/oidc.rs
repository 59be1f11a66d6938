//! Sign-in through the province's unified identity platform by OpenID Connect (issue #16
//! item 1a): authorization code flow with PKCE (S256), state bound to the browser and
//! kept server-side (single use), nonce checked, the ID token's signature verified
//! against the issuer's JWKS (the `openidconnect` crate). The resident ID and credit code
//! come from claims whose names the deployment configures.

use std::fmt;

use base64::Engine;
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, Scope, TokenResponse,
};
use proofless_domain::codes::{CreditCode, ResidentId};
use proofless_domain::role::PrincipalKind;
use serde::Deserialize;

use super::repo;
use super::service::portal_actor_in;
use crate::actor::Actor;
use crate::applicants::{self, RepresentativeInput};
use crate::audit::{self, Entry};
use crate::auth::{self, NewSession, throttle};
use crate::error::{AppError, AppResult};
use crate::{App, password};

/// The deployment's identity provider (`[oidc]` in the configuration file).
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OidcConfig {
    /// The issuer URL; its `/.well-known/openid-configuration` is read at each sign-in.
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    /// Where the provider sends the browser back: `https://<site>/portal/oidc/callback`.
    pub redirect_url: String,
    /// Scopes besides `openid`.
    #[serde(default = "default_scopes")]
    pub scopes: Vec<String>,
    /// The claim carrying the citizen's resident ID number.
    #[serde(default = "default_resident_id_claim")]
    pub resident_id_claim: String,
    /// The claim carrying a company's unified social credit code (legal-person login).
    #[serde(default = "default_credit_code_claim")]
    pub credit_code_claim: String,
    #[serde(default = "default_name_claim")]
    pub name_claim: String,
}

fn default_scopes() -> Vec<String> {
    vec!["profile".to_owned()]
}
fn default_resident_id_claim() -> String {
    "resident_id".to_owned()
}
fn default_credit_code_claim() -> String {
    "credit_code".to_owned()
}
fn default_name_claim() -> String {
    "name".to_owned()
}

impl fmt::Debug for OidcConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OidcConfig")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("client_secret", &"***")
            .field("redirect_url", &self.redirect_url)
            .finish_non_exhaustive()
    }
}

/// The configured provider and the HTTP client that talks to it (no redirects followed,
/// bounded time).
pub struct Oidc {
    pub config: OidcConfig,
    http: reqwest::Client,
}

/// How long a sign-in may stay at the provider.
const PENDING_MS: i64 = 10 * 60_000;

fn unreachable(e: impl fmt::Display) -> AppError {
    AppError::Internal(format!("统一身份认证平台无法使用：{e}"))
}

/// The one answer to a sign-in that cannot be trusted (wrong state, replay, bad token).
fn refused() -> AppError {
    AppError::forbidden("统一身份认证登录未能完成，请重新登录")
}

impl Oidc {
    pub fn new(config: OidcConfig) -> AppResult<Oidc> {
        IssuerUrl::new(config.issuer.clone()).map_err(|e| unreachable(format!("issuer {e}")))?;
        RedirectUrl::new(config.redirect_url.clone())
            .map_err(|e| unreachable(format!("redirect_url {e}")))?;
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .map_err(unreachable)?;
        Ok(Oidc { config, http })
    }

    async fn metadata(&self) -> AppResult<CoreProviderMetadata> {
        let issuer = IssuerUrl::new(self.config.issuer.clone()).map_err(unreachable)?;
        CoreProviderMetadata::discover_async(issuer, &self.http)
            .await
            .map_err(unreachable)
    }

    fn redirect(&self) -> AppResult<RedirectUrl> {
        RedirectUrl::new(self.config.redirect_url.clone()).map_err(unreachable)
    }
}

/// Where to send the browser, and the state to bind to it (a cookie).
pub struct OidcStart {
    pub url: String,
    pub state: String,
}

/// Start a sign-in: PKCE verifier, state and nonce kept server-side for ten minutes.
pub async fn begin(
    app: &App,
    oidc: &Oidc,
    operation_id: &str,
    client: &str,
) -> AppResult<OidcStart> {
    throttle::client_gate(app, operation_id, client).await?;
    let c = &oidc.config;
    let provider = CoreClient::from_provider_metadata(
        oidc.metadata().await?,
        ClientId::new(c.client_id.clone()),
        Some(ClientSecret::new(c.client_secret.clone())),
    )
    .set_redirect_uri(oidc.redirect()?);
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut req = provider.authorize_url(
        CoreAuthenticationFlow::AuthorizationCode,
        CsrfToken::new_random,
        Nonce::new_random,
    );
    for s in &c.scopes {
        req = req.add_scope(Scope::new(s.clone()));
    }
    let (url, state, nonce) = req.set_pkce_challenge(challenge).url();
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    repo::insert_oidc_login(
        &mut tx,
        &password::token_hash(state.secret()),
        verifier.secret(),
        nonce.secret(),
        now + PENDING_MS,
    )
    .await?;
    tx.commit().await?;
    Ok(OidcStart {
        url: url.to_string(),
        state: state.secret().clone(),
    })
}

/// What the provider sent back to the callback.
pub struct Callback<'a> {
    /// The state this browser was given (its cookie).
    pub bound_state: Option<&'a str>,
    pub state: &'a str,
    pub code: &'a str,
}

/// The claims of a token whose signature was verified: the payload of that same token.
fn verified_payload(jwt: &str) -> AppResult<serde_json::Map<String, serde_json::Value>> {
    let part = jwt.split('.').nth(1).ok_or_else(refused)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part.trim_end_matches('='))
        .map_err(|_| refused())?;
    serde_json::from_slice(&bytes).map_err(|_| refused())
}

fn claim<'a>(m: &'a serde_json::Map<String, serde_json::Value>, name: &str) -> Option<&'a str> {
    m.get(name)
        .and_then(|v| v.as_str())
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// Finish a sign-in: check state (bound to this browser, single use), exchange the code
/// with the PKCE verifier, verify the ID token (signature by JWKS, issuer, audience,
/// expiry, nonce), map its claims to a person, and open a portal session.
pub async fn finish(
    app: &App,
    oidc: &Oidc,
    operation_id: &str,
    client: &str,
    cb: Callback<'_>,
) -> AppResult<(NewSession, Actor)> {
    throttle::client_gate(app, operation_id, client).await?;
    if cb.bound_state != Some(cb.state) || cb.state.is_empty() {
        return Err(refused());
    }
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let pending = repo::take_oidc_login(&mut tx, &password::token_hash(cb.state), now).await?;
    tx.commit().await?;
    let (verifier, nonce) = pending.ok_or_else(refused)?;
    let c = &oidc.config;
    let provider = CoreClient::from_provider_metadata(
        oidc.metadata().await?,
        ClientId::new(c.client_id.clone()),
        Some(ClientSecret::new(c.client_secret.clone())),
    )
    .set_redirect_uri(oidc.redirect()?);
    let token = provider
        .exchange_code(AuthorizationCode::new(cb.code.to_owned()))
        .map_err(unreachable)?
        .set_pkce_verifier(PkceCodeVerifier::new(verifier))
        .request_async(&oidc.http)
        .await
        .map_err(|e| {
            tracing::warn!(error = %e, "统一身份认证换取令牌失败");
            refused()
        })?;
    let id_token = token.id_token().ok_or_else(refused)?;
    let claims = id_token
        .claims(&provider.id_token_verifier(), &Nonce::new(nonce))
        .map_err(|e| {
            tracing::warn!(error = %e, "统一身份认证的身份令牌未通过校验");
            refused()
        })?;
    let subject = claims.subject().as_str().to_owned();
    let payload = verified_payload(&id_token.to_string())?;
    let person_id = person_of(app, operation_id, c, &payload).await?;
    let entity = represent(app, operation_id, c, &payload, person_id).await?;
    let actor = portal_actor_in(app, person_id, operation_id).await?;
    let mut tx = app.db.begin().await?;
    audit::append(
        &mut tx,
        &actor,
        app.now_ms(),
        Entry::new("portal.login", "person", person_id)
            .subject(format!("person:{person_id}"))
            .detail(serde_json::json!({
                "provider": "oidc", "issuer": c.issuer, "sub": subject, "entity_id": entity,
            })),
    )
    .await?;
    tx.commit().await?;
    throttle::refund(app, "client", client).await?;
    let session = auth::create_session(app, PrincipalKind::Portal, person_id).await?;
    Ok((session, actor))
}

/// The person the token names by resident ID, registered on first sign-in.
async fn person_of(
    app: &App,
    operation_id: &str,
    c: &OidcConfig,
    payload: &serde_json::Map<String, serde_json::Value>,
) -> AppResult<i64> {
    let rid = claim(payload, &c.resident_id_claim)
        .and_then(|s| ResidentId::parse(s).ok())
        .ok_or_else(|| AppError::forbidden("统一身份认证未提供有效的居民身份证号码"))?;
    if let Some(id) = applicants::person_id_for_proofing(app, &rid).await? {
        return Ok(id);
    }
    let name = claim(payload, &c.name_claim)
        .ok_or_else(|| AppError::forbidden("统一身份认证未提供姓名"))?;
    let system = Actor::system(operation_id);
    applicants::ensure_person(app, &system, &rid, name, None).await
}

/// A legal-person sign-in names the company: the person is recorded as acting for it
/// when the company is registered here.
async fn represent(
    app: &App,
    operation_id: &str,
    c: &OidcConfig,
    payload: &serde_json::Map<String, serde_json::Value>,
    person_id: i64,
) -> AppResult<Option<i64>> {
    let Some(code) = claim(payload, &c.credit_code_claim).and_then(|s| CreditCode::parse(s).ok())
    else {
        return Ok(None);
    };
    let Some(entity_id) = repo::entity_by_credit_code(&mut app.db.reader(), code.as_str()).await?
    else {
        return Ok(None);
    };
    let already = applicants::entities_of(app, person_id)
        .await?
        .iter()
        .any(|e| e.id == entity_id);
    if !already {
        let system = Actor::system(operation_id);
        let input = RepresentativeInput {
            person_id: applicants::public_id_of(app, person_id).await?,
            capacity: "统一身份认证授权".to_owned(),
        };
        applicants::add_representative(app, &system, entity_id, input).await?;
    }
    Ok(Some(entity_id))
}
