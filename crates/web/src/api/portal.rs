use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use proofless_app::applicants::{self, AccessView, Entity, Person};
use proofless_app::identity::{
    self, CounterCode, CounterCodeInput, PortalLoginInput, RegisterInput, SmsCodeInput,
};
use proofless_app::{ActorKind, AppError};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::{refusal, session_cookie};
use crate::AppState;
use crate::client_addr::ClientAddr;
use crate::ctx::Ctx;
use crate::error::{ApiJson, ApiQuery, ApiResult};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(register))
        .routes(routes!(request_sms_code))
        .routes(routes!(issue_counter_code))
        .routes(routes!(login))
        .routes(routes!(me))
        .routes(routes!(access_log))
}

#[derive(Serialize, utoipa::ToSchema)]
struct PortalMe {
    person: Person,
    entities: Vec<Entity>,
    csrf_token: String,
}

async fn me_of(s: &AppState, ctx_actor: &proofless_app::Actor, csrf: &str) -> ApiResult<PortalMe> {
    let id = ctx_actor.id.unwrap_or_default();
    let person = applicants::read_person(&s.app, ctx_actor, id, "").await?;
    let entities = applicants::entities_of(&s.app, id).await?;
    Ok(PortalMe {
        person,
        entities,
        csrf_token: csrf.to_owned(),
    })
}

/// A citizen opens (or re-opens) a portal account with the one-time activation code from
/// the counter or the SMS to their phone on record, and a new password; logged in at
/// once. Every failure (unknown ID, no code, wrong or spent code) is the same 422.
#[utoipa::path(post, path = "/api/v1/portal/register", tag = "portal", operation_id = "register_portal_account", request_body = RegisterInput,
    responses((status = 201, body = PortalMe),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 429, body = crate::error::Problem, content_type = "application/problem+json",
            headers(("Retry-After" = i64, description = "seconds until the client may try again")))))]
async fn register(
    State(s): State<AppState>,
    ctx: Ctx,
    client: ClientAddr,
    ApiJson(input): ApiJson<RegisterInput>,
) -> Response {
    let (session, actor) = match identity::register(&s.app, ctx.op(), client.as_str(), input).await
    {
        Ok(v) => v,
        Err(e) => return refusal(e),
    };
    match me_of(&s, &actor, &session.csrf_token).await {
        Ok(me) => (StatusCode::CREATED, session_cookie(&s, &session), Json(me)).into_response(),
        Err(e) => e.into_response(),
    }
}

#[derive(Serialize, utoipa::ToSchema)]
struct Accepted {
    detail: String,
}

/// Send an activation code to the phone on record (if any; the answer never says).
#[utoipa::path(post, path = "/api/v1/portal/activation-sms", tag = "portal", operation_id = "request_activation_sms", request_body = SmsCodeInput,
    responses((status = 202, body = Accepted),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 429, body = crate::error::Problem, content_type = "application/problem+json",
            headers(("Retry-After" = i64, description = "seconds until the client may try again")))))]
async fn request_sms_code(
    State(s): State<AppState>,
    ctx: Ctx,
    client: ClientAddr,
    ApiJson(input): ApiJson<SmsCodeInput>,
) -> Response {
    match identity::request_sms_code(&s.app, s.sms.as_ref(), ctx.op(), client.as_str(), &input)
        .await
    {
        Ok(()) => (
            StatusCode::ACCEPTED,
            Json(Accepted {
                detail: identity::SMS_SENT.to_owned(),
            }),
        )
            .into_response(),
        Err(e) => refusal(e),
    }
}

/// A counter clerk, having checked the ID card, issues an activation code to hand over
/// (audited; the person is registered if new).
#[utoipa::path(post, path = "/api/v1/portal/activation-codes", tag = "portal", operation_id = "issue_activation_code", request_body = CounterCodeInput,
    responses((status = 201, body = CounterCode),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
async fn issue_counter_code(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiJson(input): ApiJson<CounterCodeInput>,
) -> ApiResult<impl IntoResponse> {
    let code = identity::issue_counter_code(&s.app, &ctx.actor, input).await?;
    Ok((StatusCode::CREATED, Json(code)))
}

/// Portal login with a local account. Counted per account and client before the password
/// is checked (429 with `Retry-After` for a client over its limit).
#[utoipa::path(post, path = "/api/v1/portal/login", tag = "portal", operation_id = "login_portal", request_body = PortalLoginInput,
    responses((status = 200, body = PortalMe),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 429, body = crate::error::Problem, content_type = "application/problem+json",
            headers(("Retry-After" = i64, description = "seconds until the client may try again")))))]
async fn login(
    State(s): State<AppState>,
    ctx: Ctx,
    client: ClientAddr,
    ApiJson(input): ApiJson<PortalLoginInput>,
) -> Response {
    let res = identity::login(
        &s.app,
        s.identity.as_ref(),
        ctx.op(),
        client.as_str(),
        &input,
    )
    .await;
    let (session, actor) = match res {
        Ok(v) => v,
        Err(e) => return refusal(e),
    };
    match me_of(&s, &actor, &session.csrf_token).await {
        Ok(me) => (session_cookie(&s, &session), Json(me)).into_response(),
        Err(e) => e.into_response(),
    }
}

#[utoipa::path(get, operation_id = "portal_me", path = "/api/v1/portal/me", tag = "portal", responses((status = 200, body = PortalMe), (status = 401, body = crate::error::Problem)))]
async fn me(State(s): State<AppState>, ctx: Ctx) -> ApiResult<Json<PortalMe>> {
    if ctx.actor.kind != ActorKind::Portal {
        return Err(AppError::Unauthenticated.into());
    }
    Ok(Json(me_of(&s, &ctx.actor, ctx.csrf()).await?))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct AccessQuery {
    /// `person:PUBLIC_ID` (yourself, by your opaque id) or `entity:ID` (an entity you
    /// represent); default yourself.
    subject: Option<String>,
    /// Rows per page, 1 to 200; default 50.
    limit: Option<i64>,
    /// Rows to skip, for the next pages; default 0.
    offset: Option<i64>,
}

/// 谁查阅了我的信息: the rows the portal's page shows, one page of them.
#[derive(Serialize, utoipa::ToSchema)]
struct AccessPage {
    /// Newest first, one row per access (a page reloaded or one act written as several audit
    /// rows is one access), each with the unit, the post (not the name), what was done and
    /// why in plain words, and the case it served.
    items: Vec<AccessView>,
    /// How many rows there are in all, on every page.
    total: i64,
}

/// Who looked at my data, when, and why (A2 §12, issue #22 point 6): the same rows as the
/// portal's page 谁查阅了我的信息, not the raw audit log.
#[utoipa::path(get, path = "/api/v1/portal/access-log", tag = "portal", params(AccessQuery),
    responses((status = 200, body = AccessPage), (status = 403, body = crate::error::Problem)))]
async fn access_log(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiQuery(aq): ApiQuery<AccessQuery>,
) -> ApiResult<Json<AccessPage>> {
    // A person is named by public id (issue #16 item 6); one named otherwise is nobody's
    // log the caller may read.
    let subject = match aq.subject {
        Some(r) => applicants::internal_ref(&s.app, &r)
            .await?
            .ok_or_else(|| AppError::forbidden("只能查看本人或本人所代表法人的数据查阅记录"))?,
        None => format!("person:{}", ctx.actor.id.unwrap_or_default()),
    };
    let (items, total) = applicants::access_page(
        &s.app,
        &ctx.actor,
        &subject,
        aq.limit.unwrap_or(50),
        aq.offset.unwrap_or(0),
    )
    .await?;
    Ok(Json(AccessPage { items, total }))
}
