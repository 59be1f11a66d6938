//! The JSON API under /api/v1. Every route is registered through `OpenApiRouter`, so
//! the OpenAPI document covers every route by construction.

mod accountability;
mod adjustment;
mod applicants;
mod archive;
pub(crate) mod auth;
mod calendar;
mod cases;
mod catalogue;
mod commitment;
pub(crate) mod complaints;
mod contract;
mod credit;
mod deadlines;
mod joint;
mod orgs;
mod policy;
mod portal;
mod regions;
mod seals;
mod sharing;
mod supervision;
mod system;
mod tokens;
mod verification;

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

use crate::AppState;
use crate::error::ApiError;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Proofless 无证明城市应用系统 API",
        description = "高青县“无证明城市”应用系统接口。错误以 application/problem+json（RFC 9457）返回，含中文说明与 operation_id。创建类 POST 接受 Idempotency-Key；更新须带 If-Match。",
        version = env!("CARGO_PKG_VERSION")
    ),
    components(schemas(crate::error::Problem)),
    modifiers(&Security)
)]
struct ApiDoc;

struct Security;

impl utoipa::Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{
            ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme,
        };
        let c = openapi.components.get_or_insert_with(Default::default);
        c.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        c.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(crate::ctx::SESSION_COOKIE))),
        );
    }
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(system::router())
        .merge(auth::router())
        .merge(regions::router())
        .merge(orgs::router())
        .merge(tokens::router())
        .merge(applicants::router())
        .merge(portal::router())
        .merge(seals::router())
        .merge(catalogue::router())
        .merge(calendar::router())
        .merge(deadlines::router())
        .merge(cases::router())
        .merge(commitment::router())
        .merge(complaints::router())
        .merge(credit::router())
        .merge(verification::router())
        .merge(policy::router())
        .merge(accountability::router())
        .merge(adjustment::router())
        .merge(sharing::router())
        .merge(archive::router())
        .merge(joint::router())
        .merge(supervision::router())
}

/// The OpenAPI 3.1 document, completed with the errors every operation can answer.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = router().split_for_parts().1;
    contract::complete(&mut doc);
    doc
}

/// `ETag` for a row version.
pub fn etag(version: i64) -> HeaderMap {
    let mut h = HeaderMap::new();
    if let Ok(v) = HeaderValue::from_str(&format!("\"v{version}\"")) {
        h.insert(header::ETAG, v);
    }
    h
}

/// The version an update expects, from `If-Match`. Updates without it are refused, so
/// a concurrent edit is never silently overwritten.
pub fn if_match(headers: &HeaderMap) -> Result<i64, ApiError> {
    let Some(raw) = headers.get(header::IF_MATCH).and_then(|v| v.to_str().ok()) else {
        return Err(ApiError::new(
            StatusCode::PRECONDITION_REQUIRED,
            "precondition-required",
            "缺少 If-Match",
            "修改数据时必须带上 If-Match 请求头（取自读取时的 ETag）",
        ));
    };
    raw.trim()
        .trim_start_matches("W/")
        .trim_matches('"')
        .strip_prefix('v')
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| {
            ApiError::field(
                StatusCode::BAD_REQUEST,
                "If-Match",
                "If-Match 格式应为 \"v数字\"",
            )
        })
}
