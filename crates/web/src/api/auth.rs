use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use proofless_app::AppError;
use proofless_app::auth::codes::IssuedCode;
use proofless_app::auth::{self, LoginInput, NewSession};
use serde::Serialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::client_addr::ClientAddr;
use crate::ctx::{Credential, Ctx, SESSION_COOKIE};
use crate::error::{ApiError, ApiJson, ApiResult};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(me))
        .routes(routes!(issue_login_code))
        .routes(routes!(unlock))
}

/// A refusal as problem+json; a throttled client also learns when to come back
/// (`Retry-After`, seconds).
pub fn refusal(e: AppError) -> Response {
    let retry = match &e {
        AppError::Throttled(min) => Some(min * 60),
        _ => None,
    };
    let mut res = ApiError::from(e).into_response();
    if let Some(secs) = retry {
        res.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs.max(1)));
    }
    res
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

/// Staff login: sets the session cookie. Attempts are counted per account and per client
/// address before the password is checked: a client over its limit gets 429 with
/// `Retry-After`; an account over its limit asks for a one-time `code` from the unit admin.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", operation_id = "login_staff", request_body = LoginInput,
    responses((status = 200, body = Me),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 429, body = crate::error::Problem, content_type = "application/problem+json",
            headers(("Retry-After" = i64, description = "seconds until the client may try again")))))]
async fn login(
    State(s): State<AppState>,
    ctx: Ctx,
    client: ClientAddr,
    ApiJson(input): ApiJson<LoginInput>,
) -> Response {
    match auth::staff_login(&s.app, ctx.op(), client.as_str(), &input).await {
        Ok((session, actor)) => (
            session_cookie(&s, &session),
            Json(me_of(&actor, &session.csrf_token)),
        )
            .into_response(),
        Err(e) => refusal(e),
    }
}

/// A one-time login code for a staff member of the admin's unit whose account asks for
/// one (shown once; audited).
#[utoipa::path(post, path = "/api/v1/auth/staff/{id}/login-code", tag = "auth", operation_id = "issue_staff_login_code",
    params(("id" = i64, Path, description = "staff id")),
    responses((status = 201, body = IssuedCode),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
async fn issue_login_code(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> ApiResult<impl IntoResponse> {
    let code = auth::issue_login_code(&s.app, &ctx.actor, id).await?;
    Ok((StatusCode::CREATED, Json(code)))
}

/// Lift the protection of a staff account of the admin's unit (audited).
#[utoipa::path(post, path = "/api/v1/auth/staff/{id}/unlock", tag = "auth", operation_id = "unlock_staff_login",
    params(("id" = i64, Path, description = "staff id")),
    responses((status = 204),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
async fn unlock(State(s): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> ApiResult<StatusCode> {
    auth::unlock(&s.app, &ctx.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
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
