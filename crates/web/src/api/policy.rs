//! Trial-period settings (SPEC "Trial rules"): every limit, ground and threshold with its
//! seed value, the value in force and its history (public), and new versions added by the
//! responsible office (audited).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use proofless_app::policy::{self, SettingView, VersionInput};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::{ApiJson, ApiResult};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_settings))
        .routes(routes!(get_setting))
        .routes(routes!(add_setting_version))
}

/// Every trial-period setting: seed value, value in force today, versions (public).
#[utoipa::path(get, path = "/api/v1/policy", tag = "policy", operation_id = "list_settings",
    responses((status = 200, body = Vec<SettingView>, content_type = "application/json")))]
async fn list_settings(State(s): State<AppState>) -> ApiResult<Json<Vec<SettingView>>> {
    Ok(Json(policy::settings(&s.app).await?))
}

/// One setting (public).
#[utoipa::path(get, path = "/api/v1/policy/{key}", tag = "policy", operation_id = "get_setting",
    params(("key" = String, Path, description = "the setting's key, e.g. credit.objection_days")),
    responses((status = 200, body = SettingView, content_type = "application/json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
async fn get_setting(
    State(s): State<AppState>,
    Path(key): Path<String>,
) -> ApiResult<Json<SettingView>> {
    Ok(Json(policy::describe(&s.app, &key).await?))
}

/// A new version of a setting, effective today or later (the responsible office, or the
/// system administrator); audited. Cases started before its date keep their rules.
#[utoipa::path(post, path = "/api/v1/policy/{key}/versions", tag = "policy",
    operation_id = "add_setting_version",
    params(("key" = String, Path, description = "the setting's key")),
    request_body = VersionInput,
    responses((status = 201, body = SettingView, content_type = "application/json"),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
async fn add_setting_version(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(key): Path<String>,
    ApiJson(input): ApiJson<VersionInput>,
) -> ApiResult<(StatusCode, Json<SettingView>)> {
    let v = policy::add_version(&s.app, &ctx.actor, &key, &input).await?;
    Ok((StatusCode::CREATED, Json(v)))
}
