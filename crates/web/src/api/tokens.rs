use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use proofless_app::auth::{self, ApiToken, ApiTokenInput, CreatedToken};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::{ApiJson, ApiQuery, ApiResult};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(revoke))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct TokenQuery {
    org_id: i64,
}

/// API tokens of one org (its unit admin or the system administrator).
#[utoipa::path(get, operation_id = "list_api_tokens", path = "/api/v1/api-tokens", tag = "auth", params(TokenQuery), responses((status = 200, body = Vec<ApiToken>)))]
async fn list(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiQuery(tq): ApiQuery<TokenQuery>,
) -> ApiResult<Json<Vec<ApiToken>>> {
    Ok(Json(
        auth::list_tokens(&s.app, &ctx.actor, tq.org_id).await?,
    ))
}

/// Create a bearer token for another system, scoped to one org; the secret is shown once.
#[utoipa::path(post, operation_id = "create_api_token", path = "/api/v1/api-tokens", tag = "auth", request_body = ApiTokenInput,
    responses((status = 201, body = CreatedToken), (status = 403, body = crate::error::Problem)))]
async fn create(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiJson(input): ApiJson<ApiTokenInput>,
) -> ApiResult<(StatusCode, Json<CreatedToken>)> {
    Ok((
        StatusCode::CREATED,
        Json(auth::create_token(&s.app, &ctx.actor, input).await?),
    ))
}

/// Revoke a token at once.
#[utoipa::path(delete, path = "/api/v1/api-tokens/{id}", tag = "auth", params(("id" = i64, Path)), responses((status = 200, body = ApiToken)))]
async fn revoke(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> ApiResult<Json<ApiToken>> {
    Ok(Json(auth::revoke_token(&s.app, &ctx.actor, id).await?))
}
