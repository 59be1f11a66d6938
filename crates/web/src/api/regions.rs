use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use proofless_app::regions::{self, NewRegion, Region};
use proofless_domain::region::RegionLevel;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::{ApiJson, ApiQuery, ApiResult};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct RegionFilter {
    /// Parent region code (12 digits).
    parent: Option<String>,
    /// province | city | county | town | village
    level: Option<String>,
}

/// Regions (public: the administrative division is public information).
#[utoipa::path(get, operation_id = "list_regions", path = "/api/v1/regions", tag = "regions", params(RegionFilter), responses((status = 200, body = Vec<Region>)))]
async fn list(
    State(s): State<AppState>,
    ApiQuery(f): ApiQuery<RegionFilter>,
) -> ApiResult<Json<Vec<Region>>> {
    // A level that is no level matches no region, as it always has.
    let level = match f.level.as_deref() {
        None => None,
        Some(l) => match RegionLevel::parse(l) {
            Some(l) => Some(l),
            None => return Ok(Json(vec![])),
        },
    };
    Ok(Json(
        regions::list(&s.app, f.parent.as_deref(), level).await?,
    ))
}

#[utoipa::path(get, operation_id = "get_region", path = "/api/v1/regions/{code}", tag = "regions", params(("code" = String, Path)), responses((status = 200, body = Region), (status = 404, body = crate::error::Problem)))]
async fn get(State(s): State<AppState>, Path(code): Path<String>) -> ApiResult<Json<Region>> {
    Ok(Json(regions::get(&s.app, &code).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct RegionInput {
    code: String,
    name: String,
    parent_code: Option<String>,
}

/// Add a region (e.g. a village); system administrator only.
#[utoipa::path(post, operation_id = "create_region", path = "/api/v1/regions", tag = "regions", request_body = RegionInput,
    responses((status = 201, body = Region), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn create(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiJson(i): ApiJson<RegionInput>,
) -> ApiResult<(StatusCode, Json<Region>)> {
    let r = regions::create(
        &s.app,
        &ctx.actor,
        NewRegion {
            code: i.code,
            name: i.name,
            parent_code: i.parent_code,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(r)))
}
