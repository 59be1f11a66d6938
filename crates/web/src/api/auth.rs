use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::IntoResponse;
use proofless_app::auth::{self, LoginInput, NewSession};
use serde::Serialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::ctx::{Credential, Ctx, SESSION_COOKIE};
use crate::error::{ApiJson, ApiResult};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(me))
}

/// The session cookie: HttpOnly, SameSite=Lax, Secure when served over HTTPS.
pub fn session_cookie(state: &AppState, s: &NewSession) -> HeaderMap {
    let max_age = state.app.settings.session_minutes * 60;
    let secure = if state.config.cookie_secure {
        "; Secure"
    } else {
        ""
    };
    let mut h = HeaderMap::new();
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}",
        s.token
    )) {
        h.insert(header::SET_COOKIE, v);
    }
    h
}

pub fn clear_cookie() -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert(
        header::SET_COOKIE,
        HeaderValue::from_static("pl_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"),
    );
    h
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Me {
    pub kind: String,
    pub id: Option<i64>,
    pub name: String,
    pub org_id: Option<i64>,
    pub org_name: Option<String>,
    pub roles: Vec<String>,
    /// Send back as `X-CSRF-Token` on every write made with the session cookie.
    pub csrf_token: String,
}

fn me_of(ctx_actor: &proofless_app::Actor, csrf: &str) -> Me {
    Me {
        kind: ctx_actor.kind.as_str().to_owned(),
        id: ctx_actor.id,
        name: ctx_actor.name.clone(),
        org_id: ctx_actor.org_id,
        org_name: ctx_actor.org_name.clone(),
        roles: ctx_actor
            .roles
            .iter()
            .map(|r| r.as_str().to_owned())
            .collect(),
        csrf_token: csrf.to_owned(),
    }
}

/// Staff login: sets the session cookie. Throttled after repeated failures.
#[utoipa::path(post, operation_id = "staff_login", path = "/api/v1/auth/login", tag = "auth", request_body = LoginInput,
    responses((status = 200, body = Me), (status = 422, body = crate::error::Problem), (status = 429, body = crate::error::Problem)))]
async fn login(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiJson(input): ApiJson<LoginInput>,
) -> ApiResult<impl IntoResponse> {
    let (session, actor) = auth::staff_login(&s.app, ctx.op(), &input).await?;
    Ok((
        session_cookie(&s, &session),
        Json(me_of(&actor, &session.csrf_token)),
    ))
}

/// End the session.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", responses((status = 204)))]
async fn logout(State(s): State<AppState>, ctx: Ctx) -> ApiResult<impl IntoResponse> {
    if let Credential::Session { token, .. } = &ctx.credential {
        auth::logout(&s.app, &ctx.actor, token).await?;
    }
    Ok((axum::http::StatusCode::NO_CONTENT, clear_cookie()))
}

/// Who am I (and the CSRF token for this session).
#[utoipa::path(get, operation_id = "staff_me", path = "/api/v1/auth/me", tag = "auth", responses((status = 200, body = Me), (status = 401, body = crate::error::Problem)))]
async fn me(ctx: Ctx) -> ApiResult<Json<Me>> {
    if ctx.actor.kind == proofless_app::ActorKind::Anonymous {
        return Err(proofless_app::AppError::Unauthenticated.into());
    }
    Ok(Json(me_of(&ctx.actor, ctx.csrf())))
}
