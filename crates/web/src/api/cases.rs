//! Cases (办件): register, read, decide. The verification and commitment workflows hang on them.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use proofless_app::cases::{self, Case, Decision, NewCase};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::{ApiJson, ApiResult};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create))
        .routes(routes!(get))
        .routes(routes!(decide))
}

/// Registers a case at the caller's unit and starts its assessment clock.
#[utoipa::path(post, operation_id = "create_case", path = "/api/v1/cases", tag = "cases", request_body = NewCase,
    responses((status = 201, body = Case), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn create(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiJson(input): ApiJson<NewCase>,
) -> ApiResult<impl IntoResponse> {
    let c = cases::create(&s.app, &ctx.actor, &input).await?;
    Ok((StatusCode::CREATED, Json(c)))
}

/// A case of the caller's unit.
#[utoipa::path(get, operation_id = "get_case", path = "/api/v1/cases/{id}", tag = "cases", params(("id" = i64, Path)),
    responses((status = 200, body = Case), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
async fn get(State(s): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> ApiResult<Json<Case>> {
    Ok(Json(cases::get(&s.app, &ctx.actor, id).await?))
}

/// Decides an open case; its assessment clock stops.
#[utoipa::path(post, operation_id = "decide_case", path = "/api/v1/cases/{id}/decision", tag = "cases", params(("id" = i64, Path)), request_body = Decision,
    responses((status = 200, body = Case), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn decide(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<Decision>,
) -> ApiResult<Json<Case>> {
    Ok(Json(cases::decide(&s.app, &ctx.actor, id, &input).await?))
}
