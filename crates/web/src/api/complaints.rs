//! Complaints (投诉举报, annex 4; issue #20): the receivers' registration and handling,
//! the public form and tracking, the 12345 work-order intake, figures and the assessment.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use proofless_app::complaints::handling::{self, Acted};
use proofless_app::complaints::hotline::{self, HotlineLink};
use proofless_app::complaints::intake::{self, Receipt, WorkOrderAck};
use proofless_app::complaints::view::{self, Tracked};
use proofless_app::complaints::{
    AcceptInput, Complaint, ExtensionDecision, ExtensionInput, FigureQuery, FigureRow,
    HotlineLinkInput, LinkInput, ListFilter, PublicInput, RegisterInput, RejectInput, ResultInput,
    SatisfactionInput, TerminateInput, TrackInput, WorkOrderInput, figures, result,
};
use proofless_app::page::Page;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::api::auth::refusal;
use crate::client_addr::ClientAddr;
use crate::ctx::Ctx;
use crate::error::{ApiJson, ApiQuery, ApiResult};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, register))
        .routes(routes!(get_one))
        .routes(routes!(accept))
        .routes(routes!(reject))
        .routes(routes!(link))
        .routes(routes!(request_extension))
        .routes(routes!(decide_extension))
        .routes(routes!(terminate))
        .routes(routes!(record_result))
        .routes(routes!(reopen))
        .routes(routes!(submit_public))
        .routes(routes!(track))
        .routes(routes!(rate))
        .routes(routes!(work_order))
        .routes(routes!(get_link, set_link))
        .routes(routes!(get_figures))
        .routes(routes!(assessment))
        .routes(routes!(get_hot_spots))
}

/// Sends the complainant's text message, if any, through the configured sender; a failed
/// send is logged (the result is on the tracking page whatever happens).
pub(crate) async fn send_sms(s: &AppState, acted: Acted) -> Complaint {
    if let Some(m) = &acted.sms
        && let Err(e) = s.sms.send(&m.phone, &m.text).await
    {
        tracing::warn!(error = %e, complaint = acted.complaint.id, "complaint SMS not sent");
    }
    acted.complaint
}

/// Complaints the caller may see, newest first (receivers: all, read-only for others').
#[utoipa::path(get, operation_id = "list_complaints", path = "/api/v1/complaints", tag = "complaints", params(ListFilter),
    responses((status = 200, body = Page<Complaint>), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn list(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiQuery(f): ApiQuery<ListFilter>,
) -> ApiResult<Json<Page<Complaint>>> {
    Ok(Json(view::list(&s.app, &ctx.actor, &f).await?))
}

/// A receiver (or an agency, about itself) registers a complaint (A4 §5–§7).
#[utoipa::path(post, operation_id = "register_complaint", path = "/api/v1/complaints", tag = "complaints", request_body = RegisterInput,
    responses((status = 201, body = Complaint), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn register(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiJson(input): ApiJson<RegisterInput>,
) -> ApiResult<(StatusCode, Json<Complaint>)> {
    Ok((
        StatusCode::CREATED,
        Json(intake::register(&s.app, &ctx.actor, &input).await?),
    ))
}

/// One complaint; the complainant masked unless the reader may see them; audited.
#[utoipa::path(get, operation_id = "get_complaint", path = "/api/v1/complaints/{id}", tag = "complaints", params(("id" = i64, Path)),
    responses((status = 200, body = Complaint), (status = 404, body = crate::error::Problem)))]
async fn get_one(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> ApiResult<Json<Complaint>> {
    Ok(Json(view::get(&s.app, &ctx.actor, id).await?))
}

/// Accept and assign the handling unit (A4 §8, §10).
#[utoipa::path(post, operation_id = "accept_complaint", path = "/api/v1/complaints/{id}/accept", tag = "complaints", params(("id" = i64, Path)), request_body = AcceptInput,
    responses((status = 200, body = Complaint), (status = 403, body = crate::error::Problem), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn accept(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<AcceptInput>,
) -> ApiResult<Json<Complaint>> {
    let a = handling::accept(&s.app, &ctx.actor, id, &input).await?;
    Ok(Json(send_sms(&s, a).await))
}

/// Not accepted, with a ground of A4 §8; the complainant is told why.
#[utoipa::path(post, operation_id = "reject_complaint", path = "/api/v1/complaints/{id}/reject", tag = "complaints", params(("id" = i64, Path)), request_body = RejectInput,
    responses((status = 200, body = Complaint), (status = 403, body = crate::error::Problem), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn reject(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<RejectInput>,
) -> ApiResult<Json<Complaint>> {
    let a = handling::reject(&s.app, &ctx.actor, id, &input).await?;
    Ok(Json(send_sms(&s, a).await))
}

/// Link to the first receiver's complaint (A4 §9).
#[utoipa::path(post, operation_id = "link_complaint", path = "/api/v1/complaints/{id}/link", tag = "complaints", params(("id" = i64, Path)), request_body = LinkInput,
    responses((status = 200, body = Complaint), (status = 403, body = crate::error::Problem), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn link(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<LinkInput>,
) -> ApiResult<Json<Complaint>> {
    let a = handling::link(&s.app, &ctx.actor, id, &input).await?;
    Ok(Json(send_sms(&s, a).await))
}

/// The handling unit applies for an extension (A4 §10).
#[utoipa::path(post, operation_id = "request_complaint_extension", path = "/api/v1/complaints/{id}/extensions", tag = "complaints", params(("id" = i64, Path)), request_body = ExtensionInput,
    responses((status = 200, body = Complaint), (status = 403, body = crate::error::Problem), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn request_extension(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ExtensionInput>,
) -> ApiResult<Json<Complaint>> {
    Ok(Json(
        handling::request_extension(&s.app, &ctx.actor, id, &input).await?,
    ))
}

/// The receiver approves or refuses an extension (at most 5 working days in all).
#[utoipa::path(post, operation_id = "decide_complaint_extension", path = "/api/v1/complaints/{id}/extensions/{ext_id}/decision", tag = "complaints",
    params(("id" = i64, Path), ("ext_id" = i64, Path)), request_body = ExtensionDecision,
    responses((status = 200, body = Complaint), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn decide_extension(
    State(s): State<AppState>,
    ctx: Ctx,
    Path((id, ext_id)): Path<(i64, i64)>,
    ApiJson(input): ApiJson<ExtensionDecision>,
) -> ApiResult<Json<Complaint>> {
    Ok(Json(
        handling::decide_extension(&s.app, &ctx.actor, id, ext_id, &input).await?,
    ))
}

/// Terminate handling (A4 §11).
#[utoipa::path(post, operation_id = "terminate_complaint", path = "/api/v1/complaints/{id}/terminate", tag = "complaints", params(("id" = i64, Path)), request_body = TerminateInput,
    responses((status = 200, body = Complaint), (status = 403, body = crate::error::Problem), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn terminate(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<TerminateInput>,
) -> ApiResult<Json<Complaint>> {
    let a = handling::terminate(&s.app, &ctx.actor, id, &input).await?;
    Ok(Json(send_sms(&s, a).await))
}

/// The result: facts, upheld or not, measures; a sealed notice to the complainant.
#[utoipa::path(post, operation_id = "record_complaint_result", path = "/api/v1/complaints/{id}/result", tag = "complaints", params(("id" = i64, Path)), request_body = ResultInput,
    responses((status = 200, body = Complaint), (status = 403, body = crate::error::Problem), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn record_result(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ResultInput>,
) -> ApiResult<Json<Complaint>> {
    let a = result::record_result(&s.app, &ctx.actor, id, &input).await?;
    Ok(Json(send_sms(&s, a).await))
}

/// After 不满意, the receiver has it handled once more.
#[utoipa::path(post, operation_id = "reopen_complaint", path = "/api/v1/complaints/{id}/reopen", tag = "complaints", params(("id" = i64, Path)),
    responses((status = 200, body = Complaint), (status = 403, body = crate::error::Problem), (status = 409, body = crate::error::Problem)))]
async fn reopen(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> ApiResult<Json<Complaint>> {
    Ok(Json(handling::reopen(&s.app, &ctx.actor, id).await?))
}

/// A citizen's complaint (no login, or as a portal user): answers the receipt number.
#[utoipa::path(post, operation_id = "submit_public_complaint", path = "/api/v1/public/complaints", tag = "complaints", request_body = PublicInput,
    responses((status = 201, body = Receipt), (status = 422, body = crate::error::Problem)))]
async fn submit_public(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiJson(input): ApiJson<PublicInput>,
) -> ApiResult<(StatusCode, Json<Receipt>)> {
    Ok((
        StatusCode::CREATED,
        Json(intake::submit_public(&s.app, &ctx.actor, &input).await?),
    ))
}

/// Track a complaint by receipt number and phone (throttled per client).
#[utoipa::path(post, operation_id = "track_complaint", path = "/api/v1/public/complaints/track", tag = "complaints", request_body = TrackInput,
    responses((status = 200, body = Tracked), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem),
        (status = 429, body = crate::error::Problem, content_type = "application/problem+json",
            headers(("Retry-After" = i64, description = "seconds until the client may try again")))))]
async fn track(
    State(s): State<AppState>,
    ctx: Ctx,
    client: ClientAddr,
    ApiJson(input): ApiJson<TrackInput>,
) -> Response {
    match view::track(&s.app, &ctx.actor, client.as_str(), &input).await {
        Ok(t) => Json(t).into_response(),
        Err(e) => refusal(e),
    }
}

/// The complainant's answer to the result: 满意, 基本满意 or 不满意.
#[utoipa::path(post, operation_id = "rate_complaint", path = "/api/v1/public/complaints/satisfaction", tag = "complaints", request_body = SatisfactionInput,
    responses((status = 200, body = Tracked), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem),
        (status = 429, body = crate::error::Problem, content_type = "application/problem+json",
            headers(("Retry-After" = i64, description = "seconds until the client may try again")))))]
async fn rate(
    State(s): State<AppState>,
    ctx: Ctx,
    client: ClientAddr,
    ApiJson(input): ApiJson<SatisfactionInput>,
) -> Response {
    match result::rate(&s.app, &ctx.actor, client.as_str(), &input).await {
        Ok(t) => Json(t).into_response(),
        Err(e) => refusal(e),
    }
}

/// The 12345 platform's work-order intake (the hotline's API token); idempotent by number.
#[utoipa::path(post, operation_id = "intake_hotline_work_order", path = "/api/v1/hotline/work-orders", tag = "complaints", request_body = WorkOrderInput,
    responses((status = 201, body = WorkOrderAck), (status = 200, body = WorkOrderAck, description = "registered before"),
        (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem),
        (status = 413, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn work_order(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiJson(input): ApiJson<WorkOrderInput>,
) -> ApiResult<(StatusCode, Json<WorkOrderAck>)> {
    let ack = intake::work_order(&s.app, &ctx.actor, &input).await?;
    let status = if ack.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(ack)))
}

/// Where results of work orders are pushed (system administrator or the hotline).
#[utoipa::path(get, operation_id = "get_hotline_link", path = "/api/v1/hotline/callback", tag = "complaints",
    responses((status = 200, body = HotlineLink), (status = 403, body = crate::error::Problem)))]
async fn get_link(State(s): State<AppState>, ctx: Ctx) -> ApiResult<Json<HotlineLink>> {
    Ok(Json(hotline::link(&s.app, &ctx.actor).await?))
}

/// Set the callback URL and the HMAC-SM3 signing secret.
#[utoipa::path(put, operation_id = "set_hotline_link", path = "/api/v1/hotline/callback", tag = "complaints", request_body = HotlineLinkInput,
    responses((status = 200, body = HotlineLink), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn set_link(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiJson(input): ApiJson<HotlineLinkInput>,
) -> ApiResult<Json<HotlineLink>> {
    Ok(Json(hotline::set_link(&s.app, &ctx.actor, &input).await?))
}

#[derive(Serialize, utoipa::ToSchema)]
struct Figures {
    period: String,
    by: String,
    rows: Vec<FigureRow>,
}

/// Figures of a year or month by receiver, channel, ground, agency, proof or month.
#[utoipa::path(get, operation_id = "complaint_figures", path = "/api/v1/complaints/figures", tag = "complaints", params(FigureQuery),
    responses((status = 200, body = Figures), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn get_figures(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiQuery(f): ApiQuery<FigureQuery>,
) -> ApiResult<Json<Figures>> {
    let (period, by, rows) = figures::figures(&s.app, &ctx.actor, &f).await?;
    let by = figures::By::ALL
        .iter()
        .find(|b| b.0 == by)
        .map_or("receiver", |b| b.1)
        .to_owned();
    Ok(Json(Figures { period, by, rows }))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct HotQuery {
    /// `agency` (default), `ground` or `proof`.
    by: Option<String>,
}

/// Hot spots (A4 §12): units, grounds or proofs whose complaints rose in the last three
/// months against the three before, from the kept aggregates.
#[utoipa::path(get, operation_id = "complaint_hot_spots", path = "/api/v1/complaints/hot-spots", tag = "complaints", params(HotQuery),
    responses((status = 200, body = figures::HotSpots), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn get_hot_spots(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiQuery(q): ApiQuery<HotQuery>,
) -> ApiResult<Json<figures::HotSpots>> {
    Ok(Json(
        figures::hot_spots(&s.app, &ctx.actor, q.by.as_deref()).await?,
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct YearQuery {
    /// e.g. `2026`.
    year: Option<String>,
}

/// The 12345 monthly and annual assessment (xlsx).
#[utoipa::path(get, operation_id = "complaint_assessment_xlsx", path = "/api/v1/complaints/assessment.xlsx", tag = "complaints", params(YearQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn assessment(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiQuery(q): ApiQuery<YearQuery>,
) -> ApiResult<Response> {
    let (name, bytes) = figures::assessment_xlsx(&s.app, &ctx.actor, q.year.as_deref()).await?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}
