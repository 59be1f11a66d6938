use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(healthz))
        .routes(routes!(livez))
        .routes(routes!(metrics))
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
        ),
        false => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(serde_json::json!({"status": "database_unavailable"})),
        ),
    }
}

/// Prometheus metrics.
#[utoipa::path(get, path = "/metrics", tag = "system", responses((status = 200, description = "Prometheus 文本格式")))]
async fn metrics(State(s): State<AppState>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        s.metrics.render(),
    )
}

/// This document.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "system", responses((status = 200, description = "OpenAPI 3.1")))]
async fn openapi_json() -> impl IntoResponse {
    Json(super::openapi())
}
