//! The proof catalogue API (issue #3): staff drafting, legal review, list preparation,
//! approval and publication; and the public, login-free search, item, service item,
//! version, diff and feed routes.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use proofless_app::catalogue::import::{self, ImportOutcome};
use proofless_app::catalogue::input::{
    ApproveInput, ItemFilterInput, PrepareInput, ProofItemInput, PublishInput, ReviewInput,
    SearchParams, ServiceItemInput,
};
use proofless_app::catalogue::items::{self, ProofItem};
use proofless_app::catalogue::lists::{self, ListVersion, VersionDetail, VersionDiff};
use proofless_app::catalogue::public::{self, PublicItem, SearchPage, ServiceProofs};
use proofless_app::catalogue::review::{self, Review};
use proofless_app::catalogue::services::{self, ServiceItem};
use proofless_app::catalogue::{draft, feeds};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{etag, if_match};
use crate::AppState;
use crate::ctx::Ctx;
use crate::error::{ApiJson, ApiQuery, ApiResult};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_services, create_service))
        .routes(routes!(get_service, update_service))
        .routes(routes!(list_items, create_item))
        .routes(routes!(get_item, update_item))
        .routes(routes!(submit_item))
        .routes(routes!(import_items))
        .routes(routes!(review_item, review_history))
        .routes(routes!(review_queue))
        .routes(routes!(list_versions_staff, prepare))
        .routes(routes!(get_version_staff))
        .routes(routes!(approve))
        .routes(routes!(publish))
        .routes(routes!(public_search))
        .routes(routes!(public_proof_items))
        .routes(routes!(public_item))
        .routes(routes!(public_service_proofs))
        .routes(routes!(public_versions))
        .routes(routes!(public_version))
        .routes(routes!(public_version_xlsx))
        .routes(routes!(public_diff))
        .routes(routes!(feed_atom))
        .routes(routes!(feed_json))
}

// ---- staff: service items ----

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ServiceQuery {
    org_id: Option<i64>,
}

/// Service items of a unit (default: the actor's; county-wide roles see all).
#[utoipa::path(get, path = "/api/v1/catalogue/service-items", tag = "catalogue", params(ServiceQuery),
    responses((status = 200, body = Vec<ServiceItem>)))]
async fn list_services(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiQuery(sq): ApiQuery<ServiceQuery>,
) -> ApiResult<Json<Vec<ServiceItem>>> {
    Ok(Json(services::list(&s.app, &ctx.actor, sq.org_id).await?))
}

/// Register a service item (unit admin of its unit, or the joint office).
#[utoipa::path(post, path = "/api/v1/catalogue/service-items", tag = "catalogue", request_body = ServiceItemInput,
    responses((status = 201, body = ServiceItem), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn create_service(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiJson(input): ApiJson<ServiceItemInput>,
) -> ApiResult<impl IntoResponse> {
    ctx.actor.require_any(&proofless_app::catalogue::EDITORS)?;
    let it = services::create(&s.app, &ctx.actor, &input.parse()?).await?;
    Ok((StatusCode::CREATED, etag(it.version), Json(it)))
}

#[utoipa::path(get, path = "/api/v1/catalogue/service-items/{id}", tag = "catalogue", params(("id" = i64, Path)),
    responses((status = 200, body = ServiceItem), (status = 404, body = crate::error::Problem)))]
async fn get_service(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> ApiResult<impl IntoResponse> {
    ctx.actor.require_staff()?;
    let it = services::get(&s.app, id).await?;
    Ok((etag(it.version), Json(it)))
}

/// Update a service item; needs `If-Match`.
#[utoipa::path(put, path = "/api/v1/catalogue/service-items/{id}", tag = "catalogue", params(("id" = i64, Path)),
    request_body = ServiceItemInput,
    responses((status = 200, body = ServiceItem), (status = 412, body = crate::error::Problem), (status = 428, body = crate::error::Problem)))]
async fn update_service(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<ServiceItemInput>,
) -> ApiResult<impl IntoResponse> {
    let v = if_match(&headers)?;
    ctx.actor.require_any(&proofless_app::catalogue::EDITORS)?;
    let it = services::update(&s.app, &ctx.actor, id, Some(v), &input.parse()?).await?;
    Ok((etag(it.version), Json(it)))
}

// ---- staff: proof items ----

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ItemQuery {
    /// draft, submitted, reviewed, returned
    stage: Option<String>,
    owner_org_id: Option<i64>,
    region_code: Option<String>,
}

/// Proof items: the actor's unit's, or all for county-wide roles.
#[utoipa::path(get, path = "/api/v1/catalogue/items", tag = "catalogue", params(ItemQuery),
    responses((status = 200, body = Vec<ProofItem>)))]
async fn list_items(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiQuery(iq): ApiQuery<ItemQuery>,
) -> ApiResult<Json<Vec<ProofItem>>> {
    let f = ItemFilterInput {
        stage: iq.stage,
        owner_org_id: iq.owner_org_id,
        region_code: iq.region_code,
    }
    .parse()?;
    Ok(Json(items::list(&s.app, &ctx.actor, &f).await?))
}

/// Draft a proof item for the actor's unit. Commitment in an excluded high-risk domain is
/// refused; an item without legal basis is saved with a proposal to cancel it (`blocking`).
#[utoipa::path(post, path = "/api/v1/catalogue/items", tag = "catalogue", request_body = ProofItemInput,
    responses((status = 201, body = ProofItem), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn create_item(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiJson(input): ApiJson<ProofItemInput>,
) -> ApiResult<impl IntoResponse> {
    ctx.actor.require_any(&proofless_app::catalogue::EDITORS)?;
    let it = draft::create(&s.app, &ctx.actor, &input.parse()?).await?;
    Ok((StatusCode::CREATED, etag(it.version), Json(it)))
}

#[utoipa::path(get, path = "/api/v1/catalogue/items/{id}", tag = "catalogue", params(("id" = i64, Path)),
    responses((status = 200, body = ProofItem), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
async fn get_item(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> ApiResult<impl IntoResponse> {
    let it = items::get(&s.app, &ctx.actor, id).await?;
    Ok((etag(it.version), Json(it)))
}

/// Edit a proof item (draft, returned or reviewed; a reviewed item needs review again).
#[utoipa::path(put, path = "/api/v1/catalogue/items/{id}", tag = "catalogue", params(("id" = i64, Path)),
    request_body = ProofItemInput,
    responses((status = 200, body = ProofItem), (status = 409, body = crate::error::Problem), (status = 412, body = crate::error::Problem)))]
async fn update_item(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<ProofItemInput>,
) -> ApiResult<impl IntoResponse> {
    let v = if_match(&headers)?;
    ctx.actor.require_any(&proofless_app::catalogue::EDITORS)?;
    let it = draft::update(&s.app, &ctx.actor, id, Some(v), &input.parse()?).await?;
    Ok((etag(it.version), Json(it)))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ImportQuery {
    /// Import the good rows and skip the bad ones (default: write nothing if any row is bad).
    #[serde(default)]
    import_good_rows: bool,
    /// For the joint office: the unit whose items these are (default: the actor's unit).
    owner_org_id: Option<i64>,
}

/// The `.xlsx` bytes of a request: the raw body, or the first file part of a
/// `multipart/form-data` body.
async fn xlsx_bytes(
    headers: &HeaderMap,
    body: axum::body::Bytes,
) -> Result<Vec<u8>, crate::error::ApiError> {
    use crate::upload::{self, UploadError};
    if !upload::is_multipart(headers) {
        return Ok(body.to_vec());
    }
    let bad = |d: &str| {
        crate::error::ApiError::new(StatusCode::BAD_REQUEST, "bad-request", "请求无效", d)
    };
    let up = upload::read(headers, body).await.map_err(|e| match e {
        UploadError::NoBoundary | UploadError::NotMultipart => bad("multipart 请求缺少 boundary"),
        UploadError::Malformed => bad("multipart 分段格式错误"),
    })?;
    up.first_file()
        .map(<[u8]>::to_vec)
        .ok_or_else(|| bad("multipart 请求中没有名为 file 的文件"))
}

/// The 422 answer of an import whose rows have errors: problem+json with the whole report
/// (every error and every warning of every row, the columns read and those ignored).
#[derive(Serialize, utoipa::ToSchema)]
pub struct ImportProblem {
    #[serde(rename = "type")]
    type_: &'static str,
    title: &'static str,
    status: u16,
    detail: String,
    #[serde(flatten)]
    report: ImportOutcome,
}

/// Import the unit's proof items from an `.xlsx` as drafts: our own columns (序号, 证明名称,
/// 涉及的政务服务事项名称, 事项编码, 设定依据, 开具单位, 索要单位, 替代取消方式, 办理指引, 层级, 备注)
/// or a real county list's (证明用途, 依据条文及内容, 行使层级, 事项类型, 不能实行告知承诺及保留原因…),
/// by the header names of the setting `catalogue.import_header_aliases`; a title row above
/// the header is skipped. The body is the file
/// (`application/vnd.openxmlformats-officedocument.spreadsheetml.sheet`) or a
/// `multipart/form-data` with a `file` part. The report lists the ignored columns and every
/// error and warning per row (fields like `rows[5].开具单位`); with any error nothing is
/// written (422 with the report), unless `import_good_rows=true`.
#[utoipa::path(post, path = "/api/v1/catalogue/items/import", tag = "catalogue", params(ImportQuery),
    request_body(content = Vec<u8>, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    responses((status = 201, body = ImportOutcome), (status = 400, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 413, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = ImportProblem, content_type = "application/problem+json")))]
async fn import_items(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiQuery(iq): ApiQuery<ImportQuery>,
    headers: HeaderMap,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> ApiResult<impl IntoResponse> {
    ctx.actor.require_any(&[
        proofless_domain::role::Role::UnitAdmin,
        proofless_domain::role::Role::JointOffice,
        proofless_domain::role::Role::SystemAdmin,
    ])?;
    let body = body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            crate::error::too_large()
        } else {
            crate::error::ApiError::new(e.status(), "bad-request", "请求无效", e.body_text())
        }
    })?;
    if body.len() > import::MAX_BYTES {
        return Err(crate::error::too_large());
    }
    let bytes = xlsx_bytes(&headers, body).await?;
    if bytes.is_empty() {
        return Err(proofless_app::error::AppError::field("file", "请上传 .xlsx 文件").into());
    }
    let out = import::import(
        &s.app,
        &ctx.actor,
        iq.owner_org_id,
        &bytes,
        iq.import_good_rows,
    )
    .await?;
    if out.written {
        return Ok((StatusCode::CREATED, Json(out)).into_response());
    }
    let detail = format!(
        "文件有 {} 处错误、{} 条提醒，未导入任何事项",
        out.errors.len(),
        out.warnings.len()
    );
    let body = ImportProblem {
        type_: "urn:proofless:problem:validation",
        title: "输入有误",
        status: 422,
        detail,
        report: out,
    };
    let mut res = (StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response();
    res.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("application/problem+json"),
    );
    Ok(res)
}

/// Submit an item to the justice bureau for legal review.
#[utoipa::path(post, path = "/api/v1/catalogue/items/{id}/submit", tag = "catalogue", params(("id" = i64, Path)),
    responses((status = 200, body = ProofItem), (status = 409, body = crate::error::Problem)))]
async fn submit_item(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> ApiResult<Json<ProofItem>> {
    Ok(Json(draft::submit(&s.app, &ctx.actor, id).await?))
}

/// Legal review verdict (justice bureau): `pass` or `return` with reasons.
#[utoipa::path(post, path = "/api/v1/catalogue/items/{id}/reviews", tag = "catalogue", params(("id" = i64, Path)),
    request_body = ReviewInput,
    responses((status = 200, body = ProofItem), (status = 403, body = crate::error::Problem), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn review_item(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ReviewInput>,
) -> ApiResult<Json<ProofItem>> {
    ctx.actor
        .require_any(&[proofless_domain::role::Role::LegalReviewer])?;
    Ok(Json(
        review::review(&s.app, &ctx.actor, id, &input.parse()?).await?,
    ))
}

/// Review history of an item.
#[utoipa::path(get, path = "/api/v1/catalogue/items/{id}/reviews", tag = "catalogue", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Review>)))]
async fn review_history(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<Review>>> {
    Ok(Json(review::history(&s.app, &ctx.actor, id).await?))
}

/// Items waiting for legal review.
#[utoipa::path(get, path = "/api/v1/catalogue/review-queue", tag = "catalogue",
    responses((status = 200, body = Vec<ProofItem>), (status = 403, body = crate::error::Problem)))]
async fn review_queue(State(s): State<AppState>, ctx: Ctx) -> ApiResult<Json<Vec<ProofItem>>> {
    Ok(Json(review::queue(&s.app, &ctx.actor).await?))
}

// ---- staff: list versions ----

/// Every list version, in every stage (staff).
#[utoipa::path(get, path = "/api/v1/catalogue/versions", tag = "catalogue",
    responses((status = 200, body = Vec<ListVersion>)))]
async fn list_versions_staff(
    State(s): State<AppState>,
    ctx: Ctx,
) -> ApiResult<Json<Vec<ListVersion>>> {
    Ok(Json(lists::versions(&s.app, &ctx.actor, true).await?))
}

/// Prepare a version of the county's or a town's exemption list (joint office).
#[utoipa::path(post, path = "/api/v1/catalogue/versions", tag = "catalogue", request_body = PrepareInput,
    responses((status = 201, body = VersionDetail), (status = 403, body = crate::error::Problem), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn prepare(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiJson(input): ApiJson<PrepareInput>,
) -> ApiResult<impl IntoResponse> {
    ctx.actor
        .require_any(&[proofless_domain::role::Role::JointOffice])?;
    Ok((
        StatusCode::CREATED,
        Json(lists::prepare(&s.app, &ctx.actor, &input.parse()?).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/catalogue/versions/{id}", tag = "catalogue", params(("id" = i64, Path)),
    responses((status = 200, body = VersionDetail), (status = 404, body = crate::error::Problem)))]
async fn get_version_staff(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> ApiResult<Json<VersionDetail>> {
    Ok(Json(lists::get_version(&s.app, &ctx.actor, id).await?))
}

/// The county government's approval with its document number.
#[utoipa::path(post, path = "/api/v1/catalogue/versions/{id}/approve", tag = "catalogue", params(("id" = i64, Path)),
    request_body = ApproveInput,
    responses((status = 200, body = VersionDetail), (status = 403, body = crate::error::Problem), (status = 409, body = crate::error::Problem)))]
async fn approve(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ApproveInput>,
) -> ApiResult<Json<VersionDetail>> {
    ctx.actor
        .require_any(&[proofless_domain::role::Role::CountyApprover])?;
    Ok(Json(
        lists::approve(&s.app, &ctx.actor, id, &input.parse()?).await?,
    ))
}

/// Publish an approved version: numbered, dated, immutable; the public search follows at once.
#[utoipa::path(post, path = "/api/v1/catalogue/versions/{id}/publish", tag = "catalogue", params(("id" = i64, Path)),
    request_body = PublishInput,
    responses((status = 200, body = VersionDetail), (status = 403, body = crate::error::Problem), (status = 409, body = crate::error::Problem)))]
async fn publish(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<PublishInput>,
) -> ApiResult<Json<VersionDetail>> {
    ctx.actor
        .require_any(&[proofless_domain::role::Role::JointOffice])?;
    Ok(Json(
        lists::publish(&s.app, &ctx.actor, id, input.parse()?).await?,
    ))
}

// ---- public, no login ----

/// Search the current published exemption lists (no login).
#[utoipa::path(get, path = "/api/v1/public/search", tag = "public", params(SearchParams),
    responses((status = 200, body = SearchPage), (status = 422, body = crate::error::Problem)))]
async fn public_search(
    State(s): State<AppState>,
    ApiQuery(p): ApiQuery<SearchParams>,
) -> ApiResult<impl IntoResponse> {
    Ok((
        [(header::CONTENT_TYPE, "application/json")],
        proofless_app::adjustment::radar::search_json(&s.app, &p)
            .await?
            .to_string(),
    ))
}

/// The same search under the contract's name: `{"items":[…], "total": N}` (no login).
#[utoipa::path(get, path = "/api/v1/public/proof-items", tag = "public", params(SearchParams),
    responses((status = 200, body = SearchPage), (status = 422, body = crate::error::Problem)))]
async fn public_proof_items(
    State(s): State<AppState>,
    ApiQuery(p): ApiQuery<SearchParams>,
) -> ApiResult<impl IntoResponse> {
    Ok((
        [(header::CONTENT_TYPE, "application/json")],
        proofless_app::adjustment::radar::search_json(&s.app, &p)
            .await?
            .to_string(),
    ))
}

/// One proof item of the current published lists.
#[utoipa::path(get, path = "/api/v1/public/proof-items/{id}", tag = "public", params(("id" = i64, Path)),
    responses((status = 200, body = PublicItem), (status = 404, body = crate::error::Problem)))]
async fn public_item(
    State(s): State<AppState>,
    Path(id): Path<i64>,
) -> ApiResult<Json<PublicItem>> {
    Ok(Json((*public::item(&s.app, id).await?).clone()))
}

/// "What may this office require?": the proofs a service involves and how the office
/// obtains each; the applicant submits none of them.
#[utoipa::path(get, path = "/api/v1/public/service-items/{code}/proofs", tag = "public", params(("code" = String, Path)),
    responses((status = 200, body = ServiceProofs), (status = 404, body = crate::error::Problem)))]
async fn public_service_proofs(
    State(s): State<AppState>,
    Path(code): Path<String>,
) -> ApiResult<Json<ServiceProofs>> {
    Ok(Json(public::service_proofs(&s.app, &code).await?))
}

/// Every published version of every exemption list, newest first.
#[utoipa::path(get, path = "/api/v1/public/exemption-lists", tag = "public",
    responses((status = 200, body = Vec<ListVersion>)))]
async fn public_versions(State(s): State<AppState>, ctx: Ctx) -> ApiResult<Json<Vec<ListVersion>>> {
    Ok(Json(lists::versions(&s.app, &ctx.actor, false).await?))
}

/// One published version with every item exactly as published.
#[utoipa::path(get, path = "/api/v1/public/exemption-lists/{version}", tag = "public", params(("version" = i64, Path)),
    responses((status = 200, body = VersionDetail), (status = 404, body = crate::error::Problem)))]
async fn public_version(
    State(s): State<AppState>,
    Path(version): Path<i64>,
) -> ApiResult<Json<VersionDetail>> {
    let anon = proofless_app::Actor::anonymous("public");
    Ok(Json(
        lists::get_version(&s.app, &anon, version)
            .await
            .map_err(hide_unpublished)?,
    ))
}

/// A published version as `.xlsx` in the columns officials use (序号, 证明名称, …, 备注).
#[utoipa::path(get, path = "/api/v1/public/exemption-lists/{version}/export.xlsx", tag = "public", params(("version" = i64, Path)),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>), (status = 404, body = crate::error::Problem)))]
async fn public_version_xlsx(
    State(s): State<AppState>,
    Path(version): Path<i64>,
) -> ApiResult<impl IntoResponse> {
    use proofless_app::catalogue::xlsx;
    let anon = proofless_app::Actor::anonymous("public");
    let v = lists::get_version(&s.app, &anon, version)
        .await
        .map_err(hide_unpublished)?;
    let title = format!("{}第{}版", v.version.title, v.version.number.unwrap_or(0));
    let bytes = xlsx::workbook(&title, &v.items)?;
    let filename: String =
        url::form_urlencoded::byte_serialize(format!("{title}.xlsx").as_bytes()).collect();
    Ok((
        [
            (header::CONTENT_TYPE, xlsx::CONTENT_TYPE.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"exemption-list-{version}.xlsx\"; filename*=UTF-8''{filename}"
                ),
            ),
        ],
        bytes,
    ))
}

fn hide_unpublished(e: proofless_app::AppError) -> proofless_app::AppError {
    match e {
        proofless_app::AppError::Unauthenticated | proofless_app::AppError::Forbidden(_) => {
            proofless_app::AppError::NotFound("已发布的清单版本".to_owned())
        }
        other => other,
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct DiffQuery {
    /// The older version id.
    from: i64,
    /// The newer version id.
    to: i64,
}

/// Added, changed (field by field) and cancelled items between two published versions.
#[utoipa::path(get, path = "/api/v1/public/diff", tag = "public", params(DiffQuery),
    responses((status = 200, body = VersionDiff), (status = 404, body = crate::error::Problem)))]
async fn public_diff(
    State(s): State<AppState>,
    ApiQuery(d): ApiQuery<DiffQuery>,
) -> ApiResult<Json<VersionDiff>> {
    let anon = proofless_app::Actor::anonymous("public");
    Ok(Json(
        lists::diff_versions(&s.app, &anon, d.from, d.to)
            .await
            .map_err(hide_unpublished)?,
    ))
}

/// Atom feed of published list versions and what each changed.
#[utoipa::path(get, path = "/feeds/exemptions.atom", tag = "public",
    responses((status = 200, content_type = "application/atom+xml", body = String)))]
async fn feed_atom(State(s): State<AppState>) -> ApiResult<impl IntoResponse> {
    let entries = feeds::entries(&s.app).await?;
    // Each version's entry names the adjustments it gathered, with their grounds (A3 §5).
    let entries = proofless_app::adjustment::publication::feed_entries(&s.app, &entries).await?;
    Ok((
        [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
        feeds::atom(&s.config.public_base_url, &entries)?,
    ))
}

/// JSON Feed 1.1 of published list versions and what each changed.
#[utoipa::path(get, path = "/feeds/exemptions.json", tag = "public",
    responses((status = 200, content_type = "application/feed+json", body = Object)))]
async fn feed_json(State(s): State<AppState>) -> ApiResult<impl IntoResponse> {
    let entries = feeds::entries(&s.app).await?;
    // Each version's entry names the adjustments it gathered, with their grounds (A3 §5).
    let entries = proofless_app::adjustment::publication::feed_entries(&s.app, &entries).await?;
    Ok((
        [(header::CONTENT_TYPE, "application/feed+json; charset=utf-8")],
        feeds::json_feed(&s.config.public_base_url, &entries).to_string(),
    ))
}
