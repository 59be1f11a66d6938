//! Inter-unit verification (部门核验, issue #5): send, inbox/outbox, answer under seal,
//! return, reclassify, overdue report, joint-office order and summon request, ledger,
//! offline records, templates.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use proofless_app::verification::{
    self, AnswerInput, Board, BoardFilter, Box_, Detail, LedgerEntry, LedgerInput, LedgerPage,
    ListFilter, ListPage, OfflineInput, OrderInput, ReclassifyInput, ReturnInput, SendInput,
    SummonInput, Template, TemplateInput,
};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::{ApiJson, ApiQuery, ApiResult};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(send))
        .routes(routes!(inbox))
        .routes(routes!(outbox))
        .routes(routes!(board))
        .routes(routes!(get))
        .routes(routes!(reclassify))
        .routes(routes!(answer))
        .routes(routes!(return_request))
        .routes(routes!(report))
        .routes(routes!(order))
        .routes(routes!(summon))
        .routes(routes!(offline))
        .routes(routes!(ledger_list, ledger_add))
        .routes(routes!(template_get, template_set))
        .routes(routes!(grace_get, grace_set))
}

/// Sends a verification (A2 §5): registered at once in the issuer's inbox, deadline running.
#[utoipa::path(post, path = "/api/v1/verifications", tag = "verification", request_body = SendInput,
    responses((status = 201, body = Detail), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn send(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiJson(input): ApiJson<SendInput>,
) -> ApiResult<impl IntoResponse> {
    let d = verification::send(&s.app, &ctx.actor, &input).await?;
    Ok((StatusCode::CREATED, Json(d)))
}

/// The unit's inbox: requests to answer (A and B alike see all of it, A2 §6).
#[utoipa::path(get, path = "/api/v1/verifications/inbox", tag = "verification", params(ListFilter),
    responses((status = 200, body = ListPage), (status = 403, body = crate::error::Problem)))]
async fn inbox(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiQuery(f): ApiQuery<ListFilter>,
) -> ApiResult<Json<ListPage>> {
    Ok(Json(
        verification::list(&s.app, &ctx.actor, Box_::Inbox, &f).await?,
    ))
}

/// The unit's outbox: requests sent.
#[utoipa::path(get, path = "/api/v1/verifications/outbox", tag = "verification", params(ListFilter),
    responses((status = 200, body = ListPage), (status = 403, body = crate::error::Problem)))]
async fn outbox(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiQuery(f): ApiQuery<ListFilter>,
) -> ApiResult<Json<ListPage>> {
    Ok(Json(
        verification::list(&s.app, &ctx.actor, Box_::Outbox, &f).await?,
    ))
}

/// The joint office's board (A2 §7, §11): overdue, reported and reclassified verifications
/// county-wide, each section a page with its total, and each issuing unit's figures.
#[utoipa::path(get, path = "/api/v1/verifications/board", tag = "verification", params(BoardFilter),
    responses((status = 200, body = Board),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
async fn board(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiQuery(f): ApiQuery<BoardFilter>,
) -> ApiResult<Json<Board>> {
    Ok(Json(verification::board(&s.app, &ctx.actor, &f).await?))
}

/// One verification with its history; the read is recorded with case and purpose (A2 §12).
#[utoipa::path(get, operation_id = "get_verification", path = "/api/v1/verifications/{id}", tag = "verification", params(("id" = i64, Path)),
    responses((status = 200, body = Detail), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
async fn get(State(s): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> ApiResult<Json<Detail>> {
    Ok(Json(verification::get(&s.app, &ctx.actor, id).await?))
}

/// The issuer reclassifies the deadline class with a reason (A2 §7).
#[utoipa::path(post, path = "/api/v1/verifications/{id}/reclassify", tag = "verification", params(("id" = i64, Path)),
    request_body = ReclassifyInput,
    responses((status = 200, body = Detail), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn reclassify(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ReclassifyInput>,
) -> ApiResult<Json<Detail>> {
    Ok(Json(
        verification::reclassify(&s.app, &ctx.actor, id, &input).await?,
    ))
}

/// The issuer answers; the reply letter is sealed with the issuer's SM2 key.
#[utoipa::path(post, path = "/api/v1/verifications/{id}/answer", tag = "verification", params(("id" = i64, Path)),
    request_body = AnswerInput,
    responses((status = 200, body = Detail), (status = 403, body = crate::error::Problem), (status = 409, body = crate::error::Problem)))]
async fn answer(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<AnswerInput>,
) -> ApiResult<Json<Detail>> {
    Ok(Json(
        verification::answer(&s.app, &ctx.actor, id, &input).await?,
    ))
}

/// The issuer returns the request as outside its remit, with the reason.
#[utoipa::path(post, path = "/api/v1/verifications/{id}/return", tag = "verification", params(("id" = i64, Path)),
    request_body = ReturnInput,
    responses((status = 200, body = Detail), (status = 403, body = crate::error::Problem), (status = 409, body = crate::error::Problem)))]
async fn return_request(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ReturnInput>,
) -> ApiResult<Json<Detail>> {
    Ok(Json(
        verification::return_request(&s.app, &ctx.actor, id, &input).await?,
    ))
}

/// The requester reports the overdue request to the joint office (A2 §11).
#[utoipa::path(post, path = "/api/v1/verifications/{id}/report", tag = "verification", params(("id" = i64, Path)),
    responses((status = 200, body = Detail), (status = 409, body = crate::error::Problem)))]
async fn report(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> ApiResult<Json<Detail>> {
    Ok(Json(verification::report(&s.app, &ctx.actor, id).await?))
}

/// The joint office orders the issuer to finish by a new time limit (A2 §11).
#[utoipa::path(post, path = "/api/v1/verifications/{id}/order", tag = "verification", params(("id" = i64, Path)),
    request_body = OrderInput,
    responses((status = 200, body = Detail), (status = 403, body = crate::error::Problem), (status = 409, body = crate::error::Problem)))]
async fn order(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<OrderInput>,
) -> ApiResult<Json<Detail>> {
    Ok(Json(
        verification::order(&s.app, &ctx.actor, id, &input).await?,
    ))
}

/// The joint office records its request to the county government to summon (约谈).
#[utoipa::path(post, path = "/api/v1/verifications/{id}/summon", tag = "verification", params(("id" = i64, Path)),
    request_body = SummonInput,
    responses((status = 200, body = Detail), (status = 403, body = crate::error::Problem), (status = 409, body = crate::error::Problem)))]
async fn summon(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<SummonInput>,
) -> ApiResult<Json<Detail>> {
    Ok(Json(
        verification::summon(&s.app, &ctx.actor, id, &input).await?,
    ))
}

/// Records a verification done by fax, e-mail or the office system (A2 §3); never secrets.
#[utoipa::path(post, path = "/api/v1/verifications/offline", tag = "verification", request_body = OfflineInput,
    responses((status = 201, body = Detail), (status = 422, body = crate::error::Problem)))]
async fn offline(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiJson(input): ApiJson<OfflineInput>,
) -> ApiResult<impl IntoResponse> {
    let d = verification::record_offline(&s.app, &ctx.actor, &input).await?;
    Ok((StatusCode::CREATED, Json(d)))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct LedgerQuery {
    /// Entries per page, 1–500 (100 when not given).
    limit: Option<i64>,
    /// Entries to skip.
    offset: Option<i64>,
}

/// The unit's ledger (台账): supplementary material, on-site checks, applicant-provided; a
/// page with the total.
#[utoipa::path(get, path = "/api/v1/verifications/ledger", tag = "verification", params(LedgerQuery),
    responses((status = 200, body = LedgerPage),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
async fn ledger_list(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiQuery(lq): ApiQuery<LedgerQuery>,
) -> ApiResult<Json<LedgerPage>> {
    let (limit, offset) = (lq.limit.unwrap_or(100), lq.offset.unwrap_or(0));
    Ok(Json(
        verification::ledger(&s.app, &ctx.actor, limit, offset).await?,
    ))
}

/// Adds a ledger entry (A2 §8, §9).
#[utoipa::path(post, path = "/api/v1/verifications/ledger", tag = "verification", request_body = LedgerInput,
    responses((status = 201, body = LedgerEntry), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn ledger_add(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiJson(input): ApiJson<LedgerInput>,
) -> ApiResult<impl IntoResponse> {
    let e = verification::record_ledger(&s.app, &ctx.actor, &input).await?;
    Ok((StatusCode::CREATED, Json(e)))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct TemplateQuery {
    proof_item_id: i64,
    issuer_org_id: Option<i64>,
    /// Default: the caller's unit.
    requester_org_id: Option<i64>,
}

/// The request/reply letter template of a pair of units for a proof item (A2 §4).
#[utoipa::path(get, path = "/api/v1/verification-templates", tag = "verification", params(TemplateQuery),
    responses((status = 200, body = Template, headers(("ETag" = String))), (status = 422, body = crate::error::Problem)))]
async fn template_get(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiQuery(tq): ApiQuery<TemplateQuery>,
) -> ApiResult<impl axum::response::IntoResponse> {
    let t = verification::template(
        &s.app,
        &ctx.actor,
        tq.proof_item_id,
        tq.issuer_org_id,
        tq.requester_org_id,
    )
    .await?;
    Ok((super::etag(t.version), Json(t)))
}

/// Sets (creates or replaces) the template of a pair of units for a proof item (A2 §4).
#[utoipa::path(put, path = "/api/v1/verification-templates", tag = "verification", request_body = TemplateInput,
    responses((status = 200, body = Template, headers(("ETag" = String))), (status = 403, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem), (status = 412, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn template_set(
    State(s): State<AppState>,
    ctx: Ctx,
    headers: axum::http::HeaderMap,
    ApiJson(input): ApiJson<TemplateInput>,
) -> ApiResult<impl axum::response::IntoResponse> {
    // Replacing a stored template needs the ETag read before; creating one does not.
    let expected = match headers.contains_key(axum::http::header::IF_MATCH) {
        true => Some(super::if_match(&headers)?),
        false => None,
    };
    let t = verification::set_template(&s.app, &ctx.actor, &input, expected).await?;
    Ok((super::etag(t.version), Json(t)))
}

#[derive(Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct Grace {
    /// Minutes after the due instant before an unanswered request is reported automatically.
    minutes: i64,
}

/// The grace before automatic reporting to the joint office (A2 §11).
#[utoipa::path(get, path = "/api/v1/verifications/settings/grace", tag = "verification",
    responses((status = 200, body = Grace)))]
async fn grace_get(State(s): State<AppState>, ctx: Ctx) -> ApiResult<Json<Grace>> {
    ctx.actor.require_staff()?;
    Ok(Json(Grace {
        minutes: verification::grace_minutes(&s.app).await?,
    }))
}

/// Sets the grace (joint office or system administrator) as a new version of the
/// trial-period setting `verification.report_grace_minutes`, in force from today (the generic
/// `/api/v1/policy` adds versions with any effective date).
#[utoipa::path(put, path = "/api/v1/verifications/settings/grace", tag = "verification", request_body = Grace,
    responses((status = 200, body = Grace), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn grace_set(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiJson(g): ApiJson<Grace>,
) -> ApiResult<Json<Grace>> {
    Ok(Json(Grace {
        minutes: verification::set_grace_minutes(&s.app, &ctx.actor, g.minutes).await?,
    }))
}
