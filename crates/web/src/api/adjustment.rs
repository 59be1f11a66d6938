//! List adjustment (annex 3; issue #19): applications, attachments, review, recorded
//! events, publication rhythm, public marks and comments, the demand radar and synonyms,
//! per-unit figures.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use proofless_app::adjustment::{
    Adjustment, ApplicationInput, Attachment, Comment, CommentInput, Event, EventInput, ListRhythm,
    ModerationInput, PublicMark, Radar, SupplementRequest, Synonym, SynonymInput, TextInput,
    UnitFigures, apply, figures, publication, radar, review, voice,
};
use proofless_domain::adjustment::{AdjustmentState, CommentState};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::{ApiError, ApiJson, ApiQuery, ApiResult};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(file, list))
        .routes(routes!(get_one))
        .routes(routes!(attach, attachments))
        .routes(routes!(attachment))
        .routes(routes!(request_supplement))
        .routes(routes!(supplement))
        .routes(routes!(return_it))
        .routes(routes!(approve))
        .routes(routes!(record_event, events))
        .routes(routes!(rhythms))
        .routes(routes!(figures_json))
        .routes(routes!(figures_xlsx))
        .routes(routes!(public_mark))
        .routes(routes!(public_decided))
        .routes(routes!(post_comment))
        .routes(routes!(comments))
        .routes(routes!(moderate))
        .routes(routes!(comment_to_adjustment))
        .routes(routes!(get_radar))
        .routes(routes!(put_synonym, synonyms))
        .routes(routes!(delete_synonym))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct StateQuery {
    /// `filed`, `supplement_requested`, `returned`, `approved` or `published`.
    state: Option<String>,
}

/// The `state` filter of a list: empty is none, an unknown value a 422 naming the field.
fn state_filter<T>(raw: Option<&str>, parse: fn(&str) -> Option<T>) -> ApiResult<Option<T>> {
    match raw.filter(|x| !x.is_empty()) {
        None => Ok(None),
        Some(x) => parse(x)
            .map(Some)
            .ok_or_else(|| proofless_app::error::AppError::field("state", "状态无效").into()),
    }
}

/// A unit (or the joint office) files an adjustment application (A3 §9).
#[utoipa::path(post, path = "/api/v1/adjustments", tag = "adjustment", request_body = ApplicationInput,
    responses((status = 201, body = Adjustment), (status = 403, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn file(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiJson(input): ApiJson<ApplicationInput>,
) -> ApiResult<impl IntoResponse> {
    ctx.actor.require_any(&apply::FILERS)?;
    let a = apply::file(&s.app, &ctx.actor, &input).await?;
    Ok((StatusCode::CREATED, Json(a)))
}

/// Applications the caller may read, newest first.
#[utoipa::path(get, path = "/api/v1/adjustments", tag = "adjustment", params(StateQuery),
    responses((status = 200, body = Vec<Adjustment>), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn list(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiQuery(qy): ApiQuery<StateQuery>,
) -> ApiResult<Json<Vec<Adjustment>>> {
    let state = state_filter(qy.state.as_deref(), AdjustmentState::parse)?;
    Ok(Json(apply::list(&s.app, &ctx.actor, state).await?))
}

/// One application.
#[utoipa::path(get, path = "/api/v1/adjustments/{id}", tag = "adjustment", params(("id" = i64, Path)),
    responses((status = 200, body = Adjustment), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
async fn get_one(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> ApiResult<Json<Adjustment>> {
    Ok(Json(apply::get(&s.app, &ctx.actor, id).await?))
}

/// Attaches a PDF (multipart field `file`), kept with its SM3 hash.
#[utoipa::path(post, path = "/api/v1/adjustments/{id}/attachments", tag = "adjustment", params(("id" = i64, Path)),
    request_body(content = String, content_type = "multipart/form-data"),
    responses((status = 201, body = Attachment), (status = 400, body = crate::error::Problem), (status = 403, body = crate::error::Problem),
        (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem),
        (status = 413, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn attach(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    headers: HeaderMap,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> ApiResult<impl IntoResponse> {
    use crate::upload::{self, UploadError};
    ctx.actor.require_any(&apply::FILERS)?;
    let body = body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            crate::error::too_large()
        } else {
            ApiError::new(e.status(), "bad-request", "请求无效", e.body_text())
        }
    })?;
    let bad = |d: &str| ApiError::new(StatusCode::BAD_REQUEST, "bad-request", "请求无效", d);
    let up = upload::read(&headers, body).await.map_err(|e| match e {
        UploadError::NotMultipart => bad("请以 multipart/form-data 上传，文件字段名为 file"),
        UploadError::NoBoundary => bad("multipart 请求缺少 boundary"),
        UploadError::Malformed => bad("multipart 分段格式错误"),
    })?;
    let bytes = up
        .file("file")
        .ok_or_else(|| bad("multipart 请求中没有名为 file 的文件"))?;
    let mut name = up.text("file_name");
    if name.is_empty() {
        name = "附件.pdf".to_owned();
    }
    let a = apply::attach(&s.app, &ctx.actor, id, &name, bytes).await?;
    Ok((StatusCode::CREATED, Json(a)))
}

/// The attachments of an application (names, sizes, SM3 hashes).
#[utoipa::path(get, path = "/api/v1/adjustments/{id}/attachments", tag = "adjustment", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Attachment>), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
async fn attachments(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<Attachment>>> {
    Ok(Json(apply::attachments(&s.app, &ctx.actor, id).await?))
}

/// One attachment's PDF.
#[utoipa::path(get, path = "/api/v1/adjustments/{id}/attachments/{aid}", tag = "adjustment",
    params(("id" = i64, Path), ("aid" = i64, Path)),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
async fn attachment(
    State(s): State<AppState>,
    ctx: Ctx,
    Path((id, aid)): Path<(i64, i64)>,
) -> ApiResult<impl IntoResponse> {
    let bytes = apply::attachment_content(&s.app, &ctx.actor, id, aid).await?;
    Ok(([(header::CONTENT_TYPE, "application/pdf")], bytes))
}

/// The joint office asks the unit to supplement by a date.
#[utoipa::path(post, path = "/api/v1/adjustments/{id}/supplement-request", tag = "adjustment", params(("id" = i64, Path)),
    request_body = SupplementRequest,
    responses((status = 200, body = Adjustment), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn request_supplement(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<SupplementRequest>,
) -> ApiResult<Json<Adjustment>> {
    Ok(Json(
        review::request_supplement(&s.app, &ctx.actor, id, &input).await?,
    ))
}

/// The unit supplements.
#[utoipa::path(post, path = "/api/v1/adjustments/{id}/supplement", tag = "adjustment", params(("id" = i64, Path)),
    request_body = TextInput,
    responses((status = 200, body = Adjustment), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn supplement(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<TextInput>,
) -> ApiResult<Json<Adjustment>> {
    Ok(Json(
        review::supplement(&s.app, &ctx.actor, id, &input).await?,
    ))
}

/// The joint office returns the application with its reasons.
#[utoipa::path(post, operation_id = "return_adjustment", path = "/api/v1/adjustments/{id}/return", tag = "adjustment", params(("id" = i64, Path)),
    request_body = TextInput,
    responses((status = 200, body = Adjustment), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn return_it(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<TextInput>,
) -> ApiResult<Json<Adjustment>> {
    Ok(Json(
        review::return_with_reasons(&s.app, &ctx.actor, id, &input).await?,
    ))
}

/// The joint office approves: in effect at once (A3 §11).
#[utoipa::path(post, operation_id = "approve_adjustment", path = "/api/v1/adjustments/{id}/approve", tag = "adjustment", params(("id" = i64, Path)),
    responses((status = 200, body = Adjustment), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem)))]
async fn approve(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> ApiResult<Json<Adjustment>> {
    Ok(Json(review::approve(&s.app, &ctx.actor, id).await?))
}

/// The joint office records an event that starts a unit's 7-working-day limit.
#[utoipa::path(post, path = "/api/v1/adjustment-events", tag = "adjustment", request_body = EventInput,
    responses((status = 201, body = Event), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn record_event(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiJson(input): ApiJson<EventInput>,
) -> ApiResult<impl IntoResponse> {
    ctx.actor
        .require_any(&[proofless_domain::role::Role::JointOffice])?;
    let e = apply::record_event(&s.app, &ctx.actor, &input).await?;
    Ok((StatusCode::CREATED, Json(e)))
}

/// Recorded events the caller may see.
#[utoipa::path(get, path = "/api/v1/adjustment-events", tag = "adjustment",
    responses((status = 200, body = Vec<Event>), (status = 403, body = crate::error::Problem)))]
async fn events(State(s): State<AppState>, ctx: Ctx) -> ApiResult<Json<Vec<Event>>> {
    Ok(Json(apply::events(&s.app, &ctx.actor).await?))
}

/// Each exemption list's publication rhythm (A3 §5).
#[utoipa::path(get, path = "/api/v1/adjustments-publication", tag = "adjustment",
    responses((status = 200, body = Vec<ListRhythm>), (status = 403, body = crate::error::Problem)))]
async fn rhythms(State(s): State<AppState>, ctx: Ctx) -> ApiResult<Json<Vec<ListRhythm>>> {
    Ok(Json(publication::rhythms(&s.app, &ctx.actor).await?))
}

#[derive(Serialize, utoipa::ToSchema)]
struct FiguresPage {
    items: Vec<UnitFigures>,
    total: usize,
}

/// Per-unit figures: applications, on time / late, approved / returned.
#[utoipa::path(get, path = "/api/v1/adjustments-figures", tag = "adjustment",
    responses((status = 200, body = FiguresPage), (status = 403, body = crate::error::Problem)))]
async fn figures_json(State(s): State<AppState>, ctx: Ctx) -> ApiResult<Json<FiguresPage>> {
    let items = figures::figures(&s.app, &ctx.actor).await?;
    Ok(Json(FiguresPage {
        total: items.len(),
        items,
    }))
}

/// The same figures as xlsx.
#[utoipa::path(get, path = "/api/v1/adjustments-figures.xlsx", tag = "adjustment",
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>),
        (status = 403, body = crate::error::Problem)))]
async fn figures_xlsx(State(s): State<AppState>, ctx: Ctx) -> ApiResult<impl IntoResponse> {
    let bytes = figures::figures_xlsx(&s.app, &ctx.actor).await?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                proofless_app::catalogue::xlsx::CONTENT_TYPE,
            ),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"adjustment-figures.xlsx\"",
            ),
        ],
        bytes,
    ))
}

#[derive(Serialize, utoipa::ToSchema)]
struct PublicItemVoice {
    /// The item's adjustment, if any ("调整中", "已取消，无需提交"…).
    mark: Option<PublicMark>,
    /// Answered comments.
    comments: Vec<Comment>,
}

/// An item's adjustment mark and its answered comments (no login).
#[utoipa::path(get, path = "/api/v1/public/adjustments/items/{id}", tag = "public", params(("id" = i64, Path)),
    responses((status = 200, body = PublicItemVoice)))]
async fn public_mark(
    State(s): State<AppState>,
    Path(id): Path<i64>,
) -> ApiResult<Json<PublicItemVoice>> {
    let mark = publication::public_mark(&s.app, id).await?;
    let mut comments = voice::answered(&s.app, id).await?;
    comments.iter_mut().for_each(|c| c.has_phone = false);
    Ok(Json(PublicItemVoice { mark, comments }))
}

#[derive(Serialize, utoipa::ToSchema)]
struct DecidedPage {
    items: Vec<PublicMark>,
    total: usize,
}

/// Decided adjustments with their grounds, newest first (no login).
#[utoipa::path(get, path = "/api/v1/public/adjustments", tag = "public",
    responses((status = 200, body = DecidedPage)))]
async fn public_decided(State(s): State<AppState>) -> ApiResult<Json<DecidedPage>> {
    let items = publication::decided(&s.app, 200).await?;
    Ok(Json(DecidedPage {
        total: items.len(),
        items,
    }))
}

/// A comment or suggestion on a published item (no login; optional name and phone).
#[utoipa::path(post, path = "/api/v1/public/adjustment-comments", tag = "public", request_body = CommentInput,
    responses((status = 201, body = Comment), (status = 422, body = crate::error::Problem)))]
async fn post_comment(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiJson(input): ApiJson<CommentInput>,
) -> ApiResult<impl IntoResponse> {
    let mut c = voice::comment(&s.app, &ctx.actor, &input).await?;
    c.has_phone = false;
    Ok((StatusCode::CREATED, Json(c)))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct CommentQuery {
    /// `pending`, `answered`, `hidden` or `merged`.
    state: Option<String>,
}

/// Comments for moderation (joint office).
#[utoipa::path(get, path = "/api/v1/adjustment-comments", tag = "adjustment", params(CommentQuery),
    responses((status = 200, body = Vec<Comment>), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn comments(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiQuery(qy): ApiQuery<CommentQuery>,
) -> ApiResult<Json<Vec<Comment>>> {
    let state = state_filter(qy.state.as_deref(), CommentState::parse)?;
    Ok(Json(voice::comments(&s.app, &ctx.actor, state).await?))
}

/// Moderates a comment: hide, merge into a duplicate, or answer in public (joint office).
#[utoipa::path(post, path = "/api/v1/adjustment-comments/{id}/moderation", tag = "adjustment", params(("id" = i64, Path)),
    request_body = ModerationInput,
    responses((status = 200, body = Comment), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn moderate(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ModerationInput>,
) -> ApiResult<Json<Comment>> {
    Ok(Json(voice::moderate(&s.app, &ctx.actor, id, &input).await?))
}

/// Turns a suggestion into an adjustment the joint office starts (A3 §11), keeping the link.
#[utoipa::path(post, path = "/api/v1/adjustment-comments/{id}/adjustment", tag = "adjustment", params(("id" = i64, Path)),
    request_body = ApplicationInput,
    responses((status = 201, body = Adjustment), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn comment_to_adjustment(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ApplicationInput>,
) -> ApiResult<impl IntoResponse> {
    ctx.actor
        .require_any(&[proofless_domain::role::Role::JointOffice])?;
    let a = voice::to_adjustment(&s.app, &ctx.actor, id, &input).await?;
    Ok((StatusCode::CREATED, Json(a)))
}

/// The demand radar: searches that found nothing, proofs demanded outside the list, and the
/// synonyms (joint office).
#[utoipa::path(get, path = "/api/v1/adjustment-radar", tag = "adjustment",
    responses((status = 200, body = Radar), (status = 403, body = crate::error::Problem)))]
async fn get_radar(State(s): State<AppState>, ctx: Ctx) -> ApiResult<Json<Radar>> {
    Ok(Json(radar::radar(&s.app, &ctx.actor).await?))
}

/// Adds a synonym pair (joint office); the same pair twice is refused (422), the search
/// index follows at once.
#[utoipa::path(post, path = "/api/v1/search-synonyms", tag = "adjustment", request_body = SynonymInput,
    responses((status = 201, body = Synonym), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn put_synonym(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiJson(input): ApiJson<SynonymInput>,
) -> ApiResult<impl IntoResponse> {
    ctx.actor
        .require_any(&[proofless_domain::role::Role::JointOffice])?;
    Ok((
        StatusCode::CREATED,
        Json(radar::put_synonym(&s.app, &ctx.actor, &input).await?),
    ))
}

/// The synonyms (joint office).
#[utoipa::path(get, path = "/api/v1/search-synonyms", tag = "adjustment",
    responses((status = 200, body = Vec<Synonym>), (status = 403, body = crate::error::Problem)))]
async fn synonyms(State(s): State<AppState>, ctx: Ctx) -> ApiResult<Json<Vec<Synonym>>> {
    Ok(Json(radar::synonyms(&s.app, &ctx.actor).await?))
}

/// Removes every pair of an everyday word (joint office).
#[utoipa::path(delete, path = "/api/v1/search-synonyms/{term}", tag = "adjustment", params(("term" = String, Path)),
    responses((status = 204), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
async fn delete_synonym(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(term): Path<String>,
) -> ApiResult<StatusCode> {
    radar::delete_synonym(&s.app, &ctx.actor, &term).await?;
    Ok(StatusCode::NO_CONTENT)
}
