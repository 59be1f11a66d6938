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

/// Liveness, the database and the jobs runner (issue #22 §8). Cheap: one statement per
/// figure, each an index lookup. `status` is `ok`, or `degraded` while this process's
/// runner fails or stalls; a database that does not answer is a 503.
#[utoipa::path(get, path = "/healthz", tag = "system", responses((status = 200, description = "服务正常（status 为 ok），或任务执行器异常（status 为 degraded）；database 与 jobs 分别给出数据库和期限任务执行器的状态"), (status = 503, description = "数据库不可用")))]
async fn healthz(State(s): State<AppState>) -> impl IntoResponse {
    use proofless_app::jobs::{self, RunnerState};
    let started = std::time::Instant::now();
    let db_ok = proofless_app::database_ok(&s.app).await;
    let db_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    let jobs = match db_ok {
        true => jobs::health(&s.app).await.ok(),
        false => None,
    };
    let Some(jobs) = jobs else {
        return crate::error::ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "服务暂不可用",
            "数据库不可用",
        )
        .into_response();
    };
    let degraded = matches!(jobs.state, RunnerState::Failing | RunnerState::Stalled);
    (
        StatusCode::OK,
        Json(serde_json::json!({
            "status": if degraded { "degraded" } else { "ok" },
            "version": env!("CARGO_PKG_VERSION"),
            "database": {
                "state": "ok",
                "backend": s.app.db.dialect().name(),
                "latency_ms": db_ms,
            },
            "jobs": {
                "state": jobs.state,
                "last_pass_at": jobs.last_pass_ms.map(proofless_app::local_time),
                "due": jobs.due,
                "oldest_due_seconds": jobs.oldest_due_seconds,
                "failed": jobs.failed,
            },
        })),
    )
        .into_response()
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
