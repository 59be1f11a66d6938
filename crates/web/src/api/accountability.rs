//! Accountability and fault tolerance (A5, issue #21 §1–§2): cases proposed from violation
//! records or entered by the department, referral, decision, rectification, appeal and
//! exemption; the staff's employment type; the public per-unit figures.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use proofless_app::accountability::{
    self, Case, CaseDetail, CaseInput, DecideInput, EmploymentInput, ExemptionInput, Figure,
    ReferInput, TextInput, VerdictInput,
};
use proofless_domain::accountability::EmploymentType;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::{ApiJson, ApiResult, Problem};
use crate::public_id::{AccountabilityCaseId, ById};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_cases, create_case))
        .routes(routes!(get_case))
        .routes(routes!(refer_case))
        .routes(routes!(dismiss_case))
        .routes(routes!(decide_case))
        .routes(routes!(report_rectification))
        .routes(routes!(appeal_case))
        .routes(routes!(decide_appeal))
        .routes(routes!(apply_exemption))
        .routes(routes!(report_exemption))
        .routes(routes!(decide_exemption))
        .routes(routes!(set_employment_type))
        .routes(routes!(public_figures))
}

/// The cases the caller may see: all (the department), those referred to the caller's unit
/// (the organ), the caller's own decided ones (the subject). Audited.
#[utoipa::path(get, operation_id = "list_accountability_cases", path = "/api/v1/accountability/cases", tag = "accountability",
    responses((status = 200, body = Vec<Case>), (status = 401, body = Problem), (status = 403, body = Problem)))]
async fn list_cases(State(s): State<AppState>, ctx: Ctx) -> ApiResult<Json<Vec<Case>>> {
    Ok(Json(accountability::list(&s.app, &ctx.actor).await?))
}

/// The department enters a case (A5 §4).
#[utoipa::path(post, operation_id = "create_accountability_case", path = "/api/v1/accountability/cases", tag = "accountability",
    request_body = CaseInput,
    responses((status = 201, body = CaseDetail), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn create_case(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiJson(input): ApiJson<CaseInput>,
) -> ApiResult<(StatusCode, Json<CaseDetail>)> {
    let id = accountability::create(&s.app, &ctx.actor, &input).await?;
    let d = accountability::get(&s.app, &ctx.actor, id).await?;
    Ok((StatusCode::CREATED, Json(d)))
}

/// One case with its evidence, appeals, exemptions and the caller's possible actions. Audited.
#[utoipa::path(get, operation_id = "get_accountability_case", path = "/api/v1/accountability/cases/{id}", tag = "accountability",
    params(("id" = String, Path, description = "公开编号")),
    responses((status = 200, body = CaseDetail), (status = 401, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn get_case(
    State(s): State<AppState>,
    ctx: Ctx,
    ById(id, _): ById<AccountabilityCaseId>,
) -> ApiResult<Json<CaseDetail>> {
    Ok(Json(accountability::get(&s.app, &ctx.actor, id).await?))
}

/// The department refers a proposal to the competent organ (A5 §5).
#[utoipa::path(post, operation_id = "refer_accountability_case", path = "/api/v1/accountability/cases/{id}/referral", tag = "accountability",
    params(("id" = String, Path, description = "公开编号")), request_body = ReferInput,
    responses((status = 200, body = CaseDetail), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem), (status = 401, body = Problem)))]
async fn refer_case(
    State(s): State<AppState>,
    ctx: Ctx,
    ById(id, _): ById<AccountabilityCaseId>,
    ApiJson(input): ApiJson<ReferInput>,
) -> ApiResult<Json<CaseDetail>> {
    Ok(Json(
        accountability::refer(&s.app, &ctx.actor, id, &input).await?,
    ))
}

/// No accountability: the department (a proposal) or the organ (a referred case).
#[utoipa::path(post, operation_id = "dismiss_accountability_case", path = "/api/v1/accountability/cases/{id}/dismissal", tag = "accountability",
    params(("id" = String, Path, description = "公开编号")), request_body = TextInput,
    responses((status = 200, body = CaseDetail), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem), (status = 401, body = Problem)))]
async fn dismiss_case(
    State(s): State<AppState>,
    ctx: Ctx,
    ById(id, _): ById<AccountabilityCaseId>,
    ApiJson(input): ApiJson<TextInput>,
) -> ApiResult<Json<CaseDetail>> {
    Ok(Json(
        accountability::dismiss(&s.app, &ctx.actor, id, &input).await?,
    ))
}

/// The organ decides a measure (A5 §5); the subject is notified.
#[utoipa::path(post, operation_id = "decide_accountability_case", path = "/api/v1/accountability/cases/{id}/decision", tag = "accountability",
    params(("id" = String, Path, description = "公开编号")), request_body = DecideInput,
    responses((status = 200, body = CaseDetail), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem), (status = 401, body = Problem)))]
async fn decide_case(
    State(s): State<AppState>,
    ctx: Ctx,
    ById(id, _): ById<AccountabilityCaseId>,
    ApiJson(input): ApiJson<DecideInput>,
) -> ApiResult<Json<CaseDetail>> {
    Ok(Json(
        accountability::decide(&s.app, &ctx.actor, id, &input).await?,
    ))
}

/// The subject reports the rectification done (A5 §5(一)).
#[utoipa::path(post, operation_id = "report_accountability_rectification", path = "/api/v1/accountability/cases/{id}/rectification", tag = "accountability",
    params(("id" = String, Path, description = "公开编号")), request_body = TextInput,
    responses((status = 200, body = CaseDetail), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem), (status = 401, body = Problem)))]
async fn report_rectification(
    State(s): State<AppState>,
    ctx: Ctx,
    ById(id, _): ById<AccountabilityCaseId>,
    ApiJson(input): ApiJson<TextInput>,
) -> ApiResult<Json<CaseDetail>> {
    Ok(Json(
        accountability::report_rectified(&s.app, &ctx.actor, id, &input).await?,
    ))
}

/// The subject applies for review or appeals (A5 §6); the measure is not suspended.
#[utoipa::path(post, operation_id = "appeal_accountability_case", path = "/api/v1/accountability/cases/{id}/appeals", tag = "accountability",
    params(("id" = String, Path, description = "公开编号")), request_body = TextInput,
    responses((status = 200, body = CaseDetail), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem), (status = 401, body = Problem)))]
async fn appeal_case(
    State(s): State<AppState>,
    ctx: Ctx,
    ById(id, _): ById<AccountabilityCaseId>,
    ApiJson(input): ApiJson<TextInput>,
) -> ApiResult<Json<CaseDetail>> {
    Ok(Json(
        accountability::appeal(&s.app, &ctx.actor, id, &input).await?,
    ))
}

/// The organ decides the pending appeal (`approve`: maintain the decision).
#[utoipa::path(post, operation_id = "decide_accountability_appeal", path = "/api/v1/accountability/cases/{id}/appeal-decision", tag = "accountability",
    params(("id" = String, Path, description = "公开编号")), request_body = VerdictInput,
    responses((status = 200, body = CaseDetail), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem), (status = 401, body = Problem)))]
async fn decide_appeal(
    State(s): State<AppState>,
    ctx: Ctx,
    ById(id, _): ById<AccountabilityCaseId>,
    ApiJson(input): ApiJson<VerdictInput>,
) -> ApiResult<Json<CaseDetail>> {
    Ok(Json(
        accountability::decide_appeal(&s.app, &ctx.actor, id, &input).await?,
    ))
}

/// The subject applies for exemption with grounds and evidence (A5 §7, §8).
#[utoipa::path(post, operation_id = "apply_accountability_exemption", path = "/api/v1/accountability/cases/{id}/exemptions", tag = "accountability",
    params(("id" = String, Path, description = "公开编号")), request_body = ExemptionInput,
    responses((status = 200, body = CaseDetail), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem), (status = 401, body = Problem)))]
async fn apply_exemption(
    State(s): State<AppState>,
    ctx: Ctx,
    ById(id, _): ById<AccountabilityCaseId>,
    ApiJson(input): ApiJson<ExemptionInput>,
) -> ApiResult<Json<CaseDetail>> {
    Ok(Json(
        accountability::apply_exemption(&s.app, &ctx.actor, id, &input).await?,
    ))
}

/// The department reports its investigation of the exemption (A5 §10).
#[utoipa::path(post, operation_id = "report_accountability_exemption", path = "/api/v1/accountability/cases/{id}/exemption-report", tag = "accountability",
    params(("id" = String, Path, description = "公开编号")), request_body = TextInput,
    responses((status = 200, body = CaseDetail), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem), (status = 401, body = Problem)))]
async fn report_exemption(
    State(s): State<AppState>,
    ctx: Ctx,
    ById(id, _): ById<AccountabilityCaseId>,
    ApiJson(input): ApiJson<TextInput>,
) -> ApiResult<Json<CaseDetail>> {
    Ok(Json(
        accountability::report_exemption(&s.app, &ctx.actor, id, &input).await?,
    ))
}

/// The organ approves (filed, the case marked exempted, A5 §11) or rejects the exemption.
#[utoipa::path(post, operation_id = "decide_accountability_exemption", path = "/api/v1/accountability/cases/{id}/exemption-decision", tag = "accountability",
    params(("id" = String, Path, description = "公开编号")), request_body = VerdictInput,
    responses((status = 200, body = CaseDetail), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem), (status = 401, body = Problem)))]
async fn decide_exemption(
    State(s): State<AppState>,
    ctx: Ctx,
    ById(id, _): ById<AccountabilityCaseId>,
    ApiJson(input): ApiJson<VerdictInput>,
) -> ApiResult<Json<CaseDetail>> {
    Ok(Json(
        accountability::decide_exemption(&s.app, &ctx.actor, id, &input).await?,
    ))
}

/// A staff member's employment type (A5 §2: borrowed, hired and seconded staff included).
#[utoipa::path(post, operation_id = "set_staff_employment_type", path = "/api/v1/accountability/staff/{id}/employment-type", tag = "accountability",
    params(("id" = i64, Path)), request_body = EmploymentInput,
    responses((status = 200, body = EmploymentType), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn set_employment_type(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<EmploymentInput>,
) -> ApiResult<Json<EmploymentType>> {
    Ok(Json(
        accountability::set_employment_type(&s.app, &ctx.actor, id, &input).await?,
    ))
}

/// Per-unit figures for the public: violation records, overdue verifications, measures
/// counted and exemptions filed (A5 §11). No personal data.
#[utoipa::path(get, operation_id = "accountability_public_figures", path = "/api/v1/public/accountability-figures", tag = "accountability",
    responses((status = 200, body = Vec<Figure>)))]
async fn public_figures(State(s): State<AppState>) -> ApiResult<Json<Vec<Figure>>> {
    Ok(Json(accountability::figures(&s.app).await?))
}
