//! Cases (办件): register (the proofs derived from the published list), read, list, resolve
//! proofs, report a demanded proof, decide. Applicants are named by public id or credit code.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use proofless_app::cases::{
    self, CaseDetail, CaseLine, CasePage, CaseQuery, CompleteInput, Decision, DemandReport,
    LateRuleInput, LateRules, NewCase, ProxyTaskPage, ResolveInput,
};
use serde::Serialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::{ApiJson, ApiQuery, ApiResult, Problem};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create, list))
        .routes(routes!(get))
        .routes(routes!(decide))
        .routes(routes!(resolve))
        .routes(routes!(complete))
        .routes(routes!(report_demand))
        .routes(routes!(mine))
        .routes(routes!(proxy_tasks))
        .routes(routes!(scan))
        .routes(routes!(late_rules, set_late_rule))
}

/// Registers a case at the caller's unit, derives its proofs from the published list in
/// force and starts its assessment clock.
#[utoipa::path(post, operation_id = "create_case", path = "/api/v1/cases", tag = "cases", request_body = NewCase,
    responses((status = 201, body = CaseDetail), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn create(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiJson(input): ApiJson<NewCase>,
) -> ApiResult<impl IntoResponse> {
    let c = cases::create(&s.app, &ctx.actor, &input).await?;
    Ok((StatusCode::CREATED, Json(c)))
}

/// The caller's unit's cases, newest first.
#[utoipa::path(get, operation_id = "list_cases", path = "/api/v1/cases", tag = "cases", params(CaseQuery),
    responses((status = 200, body = CasePage), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 422, body = Problem)))]
async fn list(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiQuery(qy): ApiQuery<CaseQuery>,
) -> ApiResult<Json<CasePage>> {
    let page = cases::list(
        &s.app,
        &ctx.actor,
        qy.state,
        qy.limit.unwrap_or(50),
        qy.offset.unwrap_or(0),
    )
    .await?;
    Ok(Json(page))
}

/// A case with its proofs, to its unit or its applicant (the read is audited).
#[utoipa::path(get, operation_id = "get_case", path = "/api/v1/cases/{id}", tag = "cases", params(("id" = i64, Path)),
    responses((status = 200, body = CaseDetail), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem)))]
async fn get(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> ApiResult<Json<CaseDetail>> {
    Ok(Json(cases::get(&s.app, &ctx.actor, id).await?))
}

/// Decides an open case: approved or refused only with every proof resolved.
#[utoipa::path(post, operation_id = "decide_case", path = "/api/v1/cases/{id}/decision", tag = "cases", params(("id" = i64, Path)), request_body = Decision,
    responses((status = 200, body = CaseDetail), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn decide(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<Decision>,
) -> ApiResult<Json<CaseDetail>> {
    Ok(Json(cases::decide(&s.app, &ctx.actor, id, &input).await?))
}

/// Records how the clerk resolves one proof: the applicant's own copy, a proxy task or
/// deficiency acceptance.
#[utoipa::path(post, operation_id = "resolve_case_proof", path = "/api/v1/cases/{id}/proofs/{proof_item_id}/resolution", tag = "cases",
    params(("id" = i64, Path), ("proof_item_id" = i64, Path)), request_body = ResolveInput,
    responses((status = 200, body = CaseDetail), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn resolve(
    State(s): State<AppState>,
    ctx: Ctx,
    Path((id, item)): Path<(i64, i64)>,
    ApiJson(input): ApiJson<ResolveInput>,
) -> ApiResult<Json<CaseDetail>> {
    Ok(Json(
        cases::resolve(&s.app, &ctx.actor, id, item, &input).await?,
    ))
}

/// The proxy agent obtained the proof, or the missing material was supplied.
#[utoipa::path(post, operation_id = "complete_case_proof", path = "/api/v1/cases/{id}/proofs/{proof_item_id}/completion", tag = "cases",
    params(("id" = i64, Path), ("proof_item_id" = i64, Path)), request_body = CompleteInput,
    responses((status = 200, body = CaseDetail), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn complete(
    State(s): State<AppState>,
    ctx: Ctx,
    Path((id, item)): Path<(i64, i64)>,
    ApiJson(input): ApiJson<CompleteInput>,
) -> ApiResult<Json<CaseDetail>> {
    Ok(Json(
        cases::complete(&s.app, &ctx.actor, id, item, &input).await?,
    ))
}

#[derive(Serialize, utoipa::ToSchema)]
struct DemandRecorded {
    /// The violation record made; null when the same demand was recorded before.
    violation_id: Option<i64>,
}

/// Records that the applicant was asked for a proof outside the list: a violation record.
#[utoipa::path(post, operation_id = "report_case_demand", path = "/api/v1/cases/{id}/demanded-proofs", tag = "cases",
    params(("id" = i64, Path)), request_body = DemandReport,
    responses((status = 201, body = DemandRecorded), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn report_demand(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<DemandReport>,
) -> ApiResult<impl IntoResponse> {
    let violation_id = cases::report_demand(&s.app, &ctx.actor, id, &input).await?;
    Ok((StatusCode::CREATED, Json(DemandRecorded { violation_id })))
}

/// The portal user's own cases (我的办件).
#[utoipa::path(get, operation_id = "my_cases", path = "/api/v1/portal/cases", tag = "cases",
    responses((status = 200, body = Vec<CaseLine>), (status = 401, body = Problem), (status = 403, body = Problem)))]
async fn mine(State(s): State<AppState>, ctx: Ctx) -> ApiResult<Json<Vec<CaseLine>>> {
    Ok(Json(cases::mine(&s.app, &ctx.actor).await?))
}

/// Paging of the proxy inbox.
#[derive(Debug, Clone, serde::Deserialize, utoipa::IntoParams, Default)]
#[into_params(parameter_in = Query)]
struct ProxyQuery {
    limit: Option<i64>,
    offset: Option<i64>,
}

/// The unit's open proxy tasks (干部代办), most urgent first: every proxy agent of the unit,
/// A and B, sees them.
#[utoipa::path(get, operation_id = "list_case_proxy_tasks", path = "/api/v1/cases/proxy-tasks", tag = "cases", params(ProxyQuery),
    responses((status = 200, body = ProxyTaskPage), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 422, body = Problem)))]
async fn proxy_tasks(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiQuery(qy): ApiQuery<ProxyQuery>,
) -> ApiResult<Json<ProxyTaskPage>> {
    Ok(Json(
        cases::proxy_inbox(
            &s.app,
            &ctx.actor,
            qy.limit.unwrap_or(50),
            qy.offset.unwrap_or(0),
        )
        .await?,
    ))
}

/// The scan a proxy agent recorded for the proof (PDF, PNG or JPEG); the read is audited.
#[utoipa::path(get, operation_id = "get_case_proof_scan", path = "/api/v1/cases/{id}/proofs/{proof_item_id}/scan", tag = "cases",
    params(("id" = i64, Path), ("proof_item_id" = i64, Path)),
    responses((status = 200, content_type = "application/octet-stream", body = Vec<u8>), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn scan(
    State(s): State<AppState>,
    ctx: Ctx,
    Path((id, item)): Path<(i64, i64)>,
) -> ApiResult<impl IntoResponse> {
    let sc = cases::scan(&s.app, &ctx.actor, id, item).await?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, sc.content_type),
            (
                axum::http::header::CONTENT_DISPOSITION,
                "attachment".to_owned(),
            ),
        ],
        sc.content,
    ))
}

/// The caller's unit's rule for a supplement not made in time under deficiency acceptance.
#[utoipa::path(get, operation_id = "get_case_late_rules", path = "/api/v1/cases/late-rules", tag = "cases",
    responses((status = 200, body = LateRules), (status = 401, body = Problem), (status = 403, body = Problem)))]
async fn late_rules(State(s): State<AppState>, ctx: Ctx) -> ApiResult<Json<LateRules>> {
    Ok(Json(cases::late_rules(&s.app, &ctx.actor).await?))
}

/// The unit administrator sets a new version of the unit's late-supplement rule (suspend or
/// refuse), effective from a date not in the past.
#[utoipa::path(post, operation_id = "set_case_late_rule", path = "/api/v1/cases/late-rules", tag = "cases", request_body = LateRuleInput,
    responses((status = 201, body = LateRules), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 422, body = Problem)))]
async fn set_late_rule(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiJson(input): ApiJson<LateRuleInput>,
) -> ApiResult<impl IntoResponse> {
    let r = cases::set_late_rule(&s.app, &ctx.actor, &input).await?;
    Ok((StatusCode::CREATED, Json(r)))
}
