//! E-seals: public keys and sealed documents anyone can check, and key rotation
//! (issue #5 §10).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use proofless_app::seals::{self, PublicKeyInfo, Verdict};
use proofless_domain::codes::CreditCode;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::{ApiQuery, ApiResult};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(seal_pem))
        .routes(routes!(public_keys))
        .routes(routes!(sealed_body))
        .routes(routes!(sealed_signature))
        .routes(routes!(sealed_verify))
        .routes(routes!(org_keys))
        .routes(routes!(rotate))
}

fn typed(content_type: &'static str, body: impl IntoResponse) -> Response {
    let mut r = body.into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
}

/// The keys of the org with this credit code; a code that cannot be one names no org.
async fn keys_by_credit_code(s: &AppState, raw: &str) -> ApiResult<Vec<PublicKeyInfo>> {
    match CreditCode::parse_lenient(raw.trim()) {
        Ok((code, _)) => Ok(seals::keys_by_credit_code(&s.app, &code).await?),
        Err(_) => Err(proofless_app::AppError::NotFound(format!(
            "统一社会信用代码为 {raw} 的单位"
        ))
        .into()),
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct PemQuery {
    /// One key by its id; without it every key of the org, the active one first.
    key_id: Option<String>,
}

/// An org's e-seal public keys as PEM (public). `openssl pkeyutl -verify` reads the first.
#[utoipa::path(get, path = "/api/v1/public/orgs/{credit_code}/seal.pem", tag = "seals",
    params(("credit_code" = String, Path), PemQuery),
    responses((status = 200, content_type = "application/x-pem-file", body = String), (status = 404, body = crate::error::Problem)))]
async fn seal_pem(
    State(s): State<AppState>,
    Path(credit_code): Path<String>,
    ApiQuery(pq): ApiQuery<PemQuery>,
) -> ApiResult<Response> {
    let keys = keys_by_credit_code(&s, &credit_code).await?;
    let chosen: Vec<&PublicKeyInfo> = keys
        .iter()
        .filter(|k| pq.key_id.as_deref().is_none_or(|id| id == k.key_id))
        .collect();
    if chosen.is_empty() {
        return Err(proofless_app::AppError::NotFound("该单位的电子印章公钥".to_owned()).into());
    }
    let pem: String = chosen.iter().map(|k| k.public_pem.as_str()).collect();
    Ok(typed("application/x-pem-file", pem))
}

/// An org's e-seal public keys with their ids and validity (public).
#[utoipa::path(get, path = "/api/v1/public/orgs/{credit_code}/seal-keys", tag = "seals",
    params(("credit_code" = String, Path)),
    responses((status = 200, body = Vec<PublicKeyInfo>), (status = 404, body = crate::error::Problem)))]
async fn public_keys(
    State(s): State<AppState>,
    Path(credit_code): Path<String>,
) -> ApiResult<Json<Vec<PublicKeyInfo>>> {
    Ok(Json(keys_by_credit_code(&s, &credit_code).await?))
}

/// The exact signed bytes of a sealed document (canonical JSON).
#[utoipa::path(get, path = "/api/v1/public/sealed/{id}", tag = "seals",
    params(("id" = String, Path, description = "The document's public id")),
    responses((status = 200, content_type = "application/json", body = String), (status = 404, body = crate::error::Problem)))]
async fn sealed_body(State(s): State<AppState>, Path(id): Path<String>) -> ApiResult<Response> {
    let doc = seals::get(&s.app, &id).await?;
    let mut r = typed("application/json", doc.body);
    if let Ok(v) = HeaderValue::from_str(&doc.key_id) {
        r.headers_mut().insert("x-seal-key-id", v);
    }
    Ok(r)
}

/// The DER SM2 signature (SM3, ID 1234567812345678) of a sealed document.
#[utoipa::path(get, path = "/api/v1/public/sealed/{id}/signature", tag = "seals",
    params(("id" = String, Path)),
    responses((status = 200, content_type = "application/octet-stream", body = Vec<u8>), (status = 404, body = crate::error::Problem)))]
async fn sealed_signature(
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let doc = seals::get(&s.app, &id).await?;
    Ok(typed(
        "application/octet-stream",
        seals::signature_der(&doc)?,
    ))
}

/// Whether a sealed document's signature holds, checked with its org's public key.
#[utoipa::path(get, path = "/api/v1/public/sealed/{id}/verify", tag = "seals",
    params(("id" = String, Path)),
    responses((status = 200, body = Verdict), (status = 404, body = crate::error::Problem)))]
async fn sealed_verify(
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<Verdict>> {
    let doc = seals::get(&s.app, &id).await?;
    Ok(Json(
        seals::verify_bytes(&s.app, &doc, doc.body.as_bytes()).await?,
    ))
}

/// An org's seal keys (staff who may see the org).
#[utoipa::path(get, path = "/api/v1/orgs/{id}/seal-keys", tag = "seals",
    params(("id" = i64, Path)),
    responses((status = 200, body = Vec<PublicKeyInfo>), (status = 403, body = crate::error::Problem)))]
async fn org_keys(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<PublicKeyInfo>>> {
    ctx.actor.require_staff()?;
    ctx.actor.require_see_org(id)?;
    Ok(Json(seals::keys_of_org(&s.app, id).await?))
}

/// Rotate the org's seal key (its unit admin, or the system admin). Old keys keep
/// verifying what they sealed.
#[utoipa::path(post, path = "/api/v1/orgs/{id}/seal-keys/rotate", tag = "seals",
    params(("id" = i64, Path)),
    responses((status = 200, body = Vec<PublicKeyInfo>), (status = 403, body = crate::error::Problem)))]
async fn rotate(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<PublicKeyInfo>>> {
    Ok(Json(seals::rotate(&s.app, &ctx.actor, id).await?))
}
