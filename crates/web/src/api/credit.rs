//! The credit office: credit records, blacklist proposals with objection and decision, the
//! blacklist, credit repair, and the feed to 信用淄博 (issue #6 §6).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use proofless_app::applicants;
use proofless_app::credit::{
    self, BlacklistEntry, CreditRecord, DecisionInput, ExportRow, ObjectionInput, Proposal,
    ProposalFilter, PushInput, RecordFilter, Repair, RepairDecision, RepairRequest, SubjectCredit,
    blacklist, feed, repair,
};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::{ApiJson, ApiQuery, ApiResult};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(records))
        .routes(routes!(subject))
        .routes(routes!(proposals))
        .routes(routes!(object))
        .routes(routes!(decide))
        .routes(routes!(list_blacklist))
        .routes(routes!(request_repair, repairs))
        .routes(routes!(decide_repair))
        .routes(routes!(export_file))
        .routes(routes!(push, exports))
}

/// Credit records, newest first (credit office).
#[utoipa::path(get, path = "/api/v1/credit/records", tag = "credit", params(RecordFilter),
    responses((status = 200, body = Vec<CreditRecord>), (status = 403, body = crate::error::Problem)))]
async fn records(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiQuery(f): ApiQuery<RecordFilter>,
) -> ApiResult<Json<Vec<CreditRecord>>> {
    let mut rows = credit::records(&s.app, &ctx.actor, &f).await?;
    applicants::publish_subjects(&s.app, &mut rows).await?;
    Ok(Json(rows))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct PurposeQuery {
    /// Why the record is read (written to the audit log).
    purpose: Option<String>,
}

/// One subject's credit: score, level, blacklist status and records (credit office, or the subject).
#[utoipa::path(get, path = "/api/v1/credit/subjects/{subject_ref}", tag = "credit",
    params(("subject_ref" = String, Path, description = "person:<public id> or entity:ID"), PurposeQuery),
    responses((status = 200, body = SubjectCredit), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn subject(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(subject_ref): Path<String>,
    ApiQuery(qy): ApiQuery<PurposeQuery>,
) -> ApiResult<Json<SubjectCredit>> {
    let purpose = qy.purpose.unwrap_or_default();
    let purpose: String = purpose.chars().take(200).collect();
    // Persons are named by public id outside (issue #16 item 6); credit keeps `person:N`.
    let inside = applicants::internal_ref_of(&s.app, "subject_ref", &subject_ref).await?;
    let mut c = credit::subject_credit(&s.app, &ctx.actor, &inside, &purpose).await?;
    applicants::publish_subjects(&s.app, &mut c.records).await?;
    c.subject_ref = applicants::public_ref(&s.app, &c.subject_ref).await?;
    Ok(Json(c))
}

/// Blacklist proposals (credit office: all; portal: those about oneself).
#[utoipa::path(get, path = "/api/v1/credit/proposals", tag = "credit", params(ProposalFilter),
    responses((status = 200, body = Vec<Proposal>)))]
async fn proposals(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiQuery(mut f): ApiQuery<ProposalFilter>,
) -> ApiResult<Json<Vec<Proposal>>> {
    if let Some(r) = f.subject_ref.as_deref().filter(|r| !r.trim().is_empty()) {
        f.subject_ref = Some(applicants::internal_ref_of(&s.app, "subject_ref", r).await?);
    }
    let mut rows = blacklist::proposals(&s.app, &ctx.actor, &f).await?;
    applicants::publish_subjects(&s.app, &mut rows).await?;
    Ok(Json(rows))
}

/// The subject objects within the objection period.
#[utoipa::path(post, path = "/api/v1/credit/proposals/{id}/objection", tag = "credit", params(("id" = i64, Path)),
    request_body = ObjectionInput,
    responses((status = 200, body = Proposal), (status = 409, body = crate::error::Problem)))]
async fn object(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ObjectionInput>,
) -> ApiResult<Json<Proposal>> {
    let mut p = blacklist::object(&s.app, &ctx.actor, id, &input).await?;
    applicants::publish_subject(&s.app, &mut p).await?;
    Ok(Json(p))
}

/// The credit office decides after the objection period (or on an objection).
#[utoipa::path(post, operation_id = "decide_credit_proposal", path = "/api/v1/credit/proposals/{id}/decision", tag = "credit", params(("id" = i64, Path)),
    request_body = DecisionInput,
    responses((status = 200, body = Proposal), (status = 409, body = crate::error::Problem)))]
async fn decide(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<DecisionInput>,
) -> ApiResult<Json<Proposal>> {
    let mut p = blacklist::decide(&s.app, &ctx.actor, id, &input).await?;
    applicants::publish_subject(&s.app, &mut p).await?;
    Ok(Json(p))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct AllQuery {
    /// Include entries taken off by credit repair.
    all: Option<bool>,
}

/// The false-commitment blacklist.
#[utoipa::path(get, path = "/api/v1/credit/blacklist", tag = "credit", params(AllQuery),
    responses((status = 200, body = Vec<BlacklistEntry>)))]
async fn list_blacklist(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiQuery(qy): ApiQuery<AllQuery>,
) -> ApiResult<Json<Vec<BlacklistEntry>>> {
    let mut rows = blacklist::blacklist(&s.app, &ctx.actor, qy.all.unwrap_or(false)).await?;
    applicants::publish_subjects(&s.app, &mut rows).await?;
    Ok(Json(rows))
}

/// Asks for credit repair (the subject on the portal, or the credit office on its behalf).
#[utoipa::path(post, path = "/api/v1/credit/repairs", tag = "credit", request_body = RepairRequest,
    responses((status = 201, body = Repair), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn request_repair(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiJson(mut input): ApiJson<RepairRequest>,
) -> ApiResult<impl IntoResponse> {
    if let Some(r) = input
        .subject_ref
        .as_deref()
        .filter(|r| !r.trim().is_empty())
    {
        input.subject_ref = Some(applicants::internal_ref_of(&s.app, "subject_ref", r).await?);
    }
    let mut r = repair::request_repair(&s.app, &ctx.actor, &input).await?;
    applicants::publish_subject(&s.app, &mut r).await?;
    Ok((StatusCode::CREATED, Json(r)))
}

/// The repair queue.
#[utoipa::path(get, path = "/api/v1/credit/repairs", tag = "credit",
    responses((status = 200, body = Vec<Repair>)))]
async fn repairs(State(s): State<AppState>, ctx: Ctx) -> ApiResult<Json<Vec<Repair>>> {
    let mut rows = repair::repairs(&s.app, &ctx.actor).await?;
    applicants::publish_subjects(&s.app, &mut rows).await?;
    Ok(Json(rows))
}

/// Decides a repair: approved only when the conditions are met.
#[utoipa::path(post, path = "/api/v1/credit/repairs/{id}/decision", tag = "credit", params(("id" = i64, Path)),
    request_body = RepairDecision,
    responses((status = 200, body = Repair), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn decide_repair(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<RepairDecision>,
) -> ApiResult<Json<Repair>> {
    let mut r = repair::decide_repair(&s.app, &ctx.actor, id, &input).await?;
    applicants::publish_subject(&s.app, &mut r).await?;
    Ok(Json(r))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ExportQuery {
    /// Records with an id above this one (default 0: from the start).
    after_id: Option<i64>,
    /// At most this many (default and maximum 5000).
    limit: Option<i64>,
}

/// The feed to 信用淄博 as a file (format `proofless.credit-feed/1`).
#[utoipa::path(get, path = "/api/v1/credit/feed", tag = "credit", params(ExportQuery),
    responses((status = 200, content_type = "application/json", body = Object), (status = 403, body = crate::error::Problem)))]
async fn export_file(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiQuery(qy): ApiQuery<ExportQuery>,
) -> ApiResult<impl IntoResponse> {
    let body = feed::export_file(
        &s.app,
        &ctx.actor,
        qy.after_id.unwrap_or(0),
        qy.limit.unwrap_or(5000),
    )
    .await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/json; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"credit-feed.json\"",
            ),
        ],
        body,
    ))
}

/// Pushes the records not yet acknowledged to the platform's endpoint.
#[utoipa::path(post, path = "/api/v1/credit/feed/pushes", tag = "credit", request_body = PushInput,
    responses((status = 201, body = ExportRow), (status = 422, body = crate::error::Problem)))]
async fn push(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiJson(input): ApiJson<PushInput>,
) -> ApiResult<impl IntoResponse> {
    let r = feed::push(&s.app, &ctx.actor, &input).await?;
    Ok((StatusCode::CREATED, Json(r)))
}

/// Past exports and pushes, newest first.
#[utoipa::path(get, path = "/api/v1/credit/feed/pushes", tag = "credit",
    responses((status = 200, body = Vec<ExportRow>)))]
async fn exports(State(s): State<AppState>, ctx: Ctx) -> ApiResult<Json<Vec<ExportRow>>> {
    Ok(Json(feed::exports(&s.app, &ctx.actor).await?))
}
