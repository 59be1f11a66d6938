use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use proofless_app::applicants::{self, AccessRecord, Entity, Person};
use proofless_app::identity::{self, PortalLoginInput, RegisterInput};
use proofless_app::{ActorKind, AppError};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::session_cookie;
use crate::AppState;
use crate::ctx::Ctx;
use crate::error::{ApiJson, ApiQuery, ApiResult};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(register))
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

/// A citizen registers with resident ID, name and password; logged in at once.
#[utoipa::path(post, path = "/api/v1/portal/register", tag = "portal", request_body = RegisterInput,
    responses((status = 201, body = PortalMe), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn register(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiJson(input): ApiJson<RegisterInput>,
) -> ApiResult<impl IntoResponse> {
    let (session, actor) = identity::register(&s.app, ctx.op(), input).await?;
    let me = me_of(&s, &actor, &session.csrf_token).await?;
    Ok((StatusCode::CREATED, session_cookie(&s, &session), Json(me)))
}

/// Portal login (local accounts; the province's unified identity plugs in behind the same interface).
#[utoipa::path(post, operation_id = "portal_login", path = "/api/v1/portal/login", tag = "portal", request_body = PortalLoginInput,
    responses((status = 200, body = PortalMe), (status = 422, body = crate::error::Problem), (status = 429, body = crate::error::Problem)))]
async fn login(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiJson(input): ApiJson<PortalLoginInput>,
) -> ApiResult<impl IntoResponse> {
    let (session, actor) = identity::login(&s.app, s.identity.as_ref(), ctx.op(), &input).await?;
    let me = me_of(&s, &actor, &session.csrf_token).await?;
    Ok((session_cookie(&s, &session), Json(me)))
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
    /// `person:ID` (yourself) or `entity:ID` (an entity you represent); default yourself.
    subject: Option<String>,
    limit: Option<i64>,
    offset: Option<i64>,
}

#[derive(Serialize, utoipa::ToSchema)]
struct AccessPage {
    items: Vec<AccessRecord>,
    total: i64,
}

/// Who looked at my data, when, and why (A2 §12).
#[utoipa::path(get, path = "/api/v1/portal/access-log", tag = "portal", params(AccessQuery),
    responses((status = 200, body = AccessPage), (status = 403, body = crate::error::Problem)))]
async fn access_log(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiQuery(aq): ApiQuery<AccessQuery>,
) -> ApiResult<Json<AccessPage>> {
    let subject = aq
        .subject
        .unwrap_or_else(|| format!("person:{}", ctx.actor.id.unwrap_or_default()));
    let (items, total) = applicants::access_log(
        &s.app,
        &ctx.actor,
        &subject,
        aq.limit.unwrap_or(50),
        aq.offset.unwrap_or(0),
    )
    .await?;
    Ok(Json(AccessPage { items, total }))
}
