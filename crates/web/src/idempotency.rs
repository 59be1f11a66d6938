//! `Idempotency-Key` on POST under /api/v1: a retry returns the first answer.

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use proofless_app::idempotency::{self, Lookup};

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::ApiError;

pub async fn layer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let key = req
        .headers()
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let (Some(key), true) = (
        key,
        req.method() == Method::POST && req.uri().path().starts_with("/api/v1/"),
    ) else {
        return next.run(req).await;
    };
    let principal = req
        .extensions()
        .get::<Ctx>()
        .map(Ctx::principal)
        .unwrap_or_default();
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, crate::BODY_LIMIT).await else {
        return crate::error::too_large().into_response();
    };
    let mut signed = format!("{} {}\n", parts.method, parts.uri.path()).into_bytes();
    signed.extend_from_slice(&bytes);
    let sig = proofless_seal::sm3_hex(&signed);
    match idempotency::lookup(&state.app, &principal, &key, &sig).await {
        Ok(Lookup::Replay(stored)) => {
            let mut res = (
                StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK),
                stored.body,
            )
                .into_response();
            res.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            res.headers_mut()
                .insert("idempotent-replayed", HeaderValue::from_static("true"));
            return res;
        }
        Ok(Lookup::Fresh) => {}
        Err(e) => return ApiError::from(e).into_response(),
    }
    let res = next
        .run(Request::from_parts(parts, axum::body::Body::from(bytes)))
        .await;
    if !res.status().is_success() {
        return res;
    }
    let (rparts, rbody) = res.into_parts();
    let Ok(rbytes) = axum::body::to_bytes(rbody, 16 * 1024 * 1024).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let text = String::from_utf8_lossy(&rbytes).into_owned();
    if let Err(e) = idempotency::store(
        &state.app,
        &principal,
        &key,
        &sig,
        rparts.status.as_u16(),
        &text,
    )
    .await
    {
        tracing::warn!(error = %e, "could not store idempotency key");
    }
    Response::from_parts(rparts, axum::body::Body::from(rbytes))
}
