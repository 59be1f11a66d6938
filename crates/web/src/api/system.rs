use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(healthz))
        .routes(routes!(livez))
        .routes(routes!(openapi_json))
}

/// Liveness of the process alone, without touching the database (for orchestrators,
/// and the HTTP ceiling of the load harness).
#[utoipa::path(get, path = "/livez", tag = "system", responses((status = 200, description = "进程存活")))]
async fn livez() -> &'static str {
    "ok"
}

/// Liveness and database reachability.
#[utoipa::path(get, path = "/healthz", tag = "system", responses((status = 200, description = "服务正常"), (status = 503, description = "数据库不可用")))]
async fn healthz(State(s): State<AppState>) -> impl IntoResponse {
    match proofless_app::database_ok(&s.app).await {
        true => (
            StatusCode::OK,
            Json(serde_json::json!({"status": "ok", "version": env!("CARGO_PKG_VERSION")})),
        )
            .into_response(),
        false => crate::error::ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "服务暂不可用",
            "数据库不可用",
        )
        .into_response(),
    }
}

/// This document.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "system", responses((status = 200, description = "OpenAPI 3.1")))]
async fn openapi_json(State(s): State<AppState>) -> impl IntoResponse {
    let mut doc = super::openapi();
    // The configured public address, never the Host header (issue #16 item 5).
    doc.servers = Some(vec![utoipa::openapi::server::Server::new(
        &s.config.public_base_url,
    )]);
    Json(doc)
}
