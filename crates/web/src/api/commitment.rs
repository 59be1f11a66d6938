//! Notification-commitment (告知承诺): templates, check rules, eligibility, signing, the
//! letter PDF, withdrawal, post-checks, sampling, publication and figures (issue #6).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use proofless_app::applicants;
use proofless_app::commitment::public::{self, PublishedLetter};
use proofless_app::commitment::{
    self, CheckRule, Commitment, DueCheck, Eligibility, EligibilityQuery, FigureQuery, FigureRow,
    ResultInput, ReviewInput, RuleInput, SamplingReport, SignInput, Template, TemplateInput,
    WithdrawInput, checks, letter_pdf, rules, templates,
};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{etag, if_match};
use crate::AppState;
use crate::ctx::Ctx;
use crate::error::{ApiJson, ApiQuery, ApiResult};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_template))
        .routes(routes!(list_templates))
        .routes(routes!(get_template))
        .routes(routes!(review_template))
        .routes(routes!(publish_template))
        .routes(routes!(published_template))
        .routes(routes!(add_rule, rule_versions))
        .routes(routes!(eligibility))
        .routes(routes!(sign))
        .routes(routes!(get, edit_letter))
        .routes(routes!(letter_pdf))
        .routes(routes!(withdraw))
        .routes(routes!(due_checks))
        .routes(routes!(record_result))
        .routes(routes!(run_sampling))
        .routes(routes!(published_letters))
        .routes(routes!(figures))
        .routes(routes!(figures_svg))
}

/// A new template version for a proof item with a commitment method, sent to legal review.
#[utoipa::path(post, path = "/api/v1/catalogue/items/{id}/commitment-templates", tag = "commitment",
    params(("id" = i64, Path)), request_body = TemplateInput,
    responses((status = 201, body = Template), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn create_template(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<TemplateInput>,
) -> ApiResult<impl IntoResponse> {
    let t = templates::create(&s.app, &ctx.actor, id, &input).await?;
    Ok((StatusCode::CREATED, etag(t.version), Json(t)))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct StageQuery {
    /// `submitted`, `approved`, `returned`, `published`, `superseded`.
    stage: Option<String>,
}

/// Templates: the justice bureau's review queue, a unit's own.
#[utoipa::path(get, path = "/api/v1/commitment-templates", tag = "commitment", params(StageQuery),
    responses((status = 200, body = Vec<Template>)))]
async fn list_templates(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiQuery(qy): ApiQuery<StageQuery>,
) -> ApiResult<Json<Vec<Template>>> {
    Ok(Json(
        templates::list(&s.app, &ctx.actor, qy.stage.as_deref()).await?,
    ))
}

/// One template version (staff).
#[utoipa::path(get, path = "/api/v1/commitment-templates/{id}", tag = "commitment", params(("id" = i64, Path)),
    responses((status = 200, body = Template), (status = 404, body = crate::error::Problem)))]
async fn get_template(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> ApiResult<impl IntoResponse> {
    ctx.actor.require_staff()?;
    let t = templates::get(&s.app, id).await?;
    Ok((etag(t.version), Json(t)))
}

/// The justice bureau's legal review of a template (If-Match required).
#[utoipa::path(post, path = "/api/v1/commitment-templates/{id}/review", tag = "commitment", params(("id" = i64, Path)),
    request_body = ReviewInput,
    responses((status = 200, body = Template), (status = 409, body = crate::error::Problem), (status = 412, body = crate::error::Problem)))]
async fn review_template(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<ReviewInput>,
) -> ApiResult<impl IntoResponse> {
    let v = if_match(&headers)?;
    let t = templates::review(&s.app, &ctx.actor, id, v, &input).await?;
    Ok((etag(t.version), Json(t)))
}

/// Publishes an approved template beside the exemption list.
#[utoipa::path(post, path = "/api/v1/commitment-templates/{id}/publish", tag = "commitment", params(("id" = i64, Path)),
    responses((status = 200, body = Template), (status = 409, body = crate::error::Problem)))]
async fn publish_template(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> ApiResult<impl IntoResponse> {
    let t = templates::publish(&s.app, &ctx.actor, id).await?;
    Ok((etag(t.version), Json(t)))
}

/// The published template of a proof item (public, no login): read it before applying.
#[utoipa::path(get, path = "/api/v1/public/items/{id}/commitment-template", tag = "commitment", params(("id" = i64, Path)),
    responses((status = 200, body = Template), (status = 404, body = crate::error::Problem)))]
async fn published_template(
    State(s): State<AppState>,
    Path(id): Path<i64>,
) -> ApiResult<Json<Template>> {
    Ok(Json(templates::published_for_item(&s.app, id).await?))
}

/// A new version of an item's post-check rule: credit-score bands covering 0–1000 exactly once.
#[utoipa::path(post, operation_id = "add_commitment_rule", path = "/api/v1/catalogue/items/{id}/commitment-rules", tag = "commitment",
    params(("id" = i64, Path)), request_body = RuleInput,
    responses((status = 201, body = CheckRule), (status = 422, body = crate::error::Problem)))]
async fn add_rule(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<RuleInput>,
) -> ApiResult<impl IntoResponse> {
    let r = rules::add(&s.app, &ctx.actor, id, &input).await?;
    Ok((StatusCode::CREATED, Json(r)))
}

/// Every version of an item's post-check rule, newest first.
#[utoipa::path(get, path = "/api/v1/catalogue/items/{id}/commitment-rules", tag = "commitment",
    params(("id" = i64, Path)), responses((status = 200, body = Vec<CheckRule>)))]
async fn rule_versions(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<CheckRule>>> {
    Ok(Json(rules::versions(&s.app, &ctx.actor, id).await?))
}

/// May the applicant use commitment for this item, and which check would follow (R4.4, R4.3)?
#[utoipa::path(get, path = "/api/v1/commitments/eligibility", tag = "commitment", params(EligibilityQuery),
    responses((status = 200, body = Eligibility), (status = 422, body = crate::error::Problem)))]
async fn eligibility(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiQuery(qy): ApiQuery<EligibilityQuery>,
) -> ApiResult<Json<Eligibility>> {
    Ok(Json(
        commitment::check_eligibility(&s.app, &ctx.actor, &qy).await?,
    ))
}

/// Signs a commitment (portal: oneself; counter clerk: the applicant present, confirmed).
#[utoipa::path(post, path = "/api/v1/commitments", tag = "commitment", request_body = SignInput,
    responses((status = 201, body = Commitment), (status = 403, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn sign(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiJson(input): ApiJson<SignInput>,
) -> ApiResult<impl IntoResponse> {
    let mut c = commitment::sign(&s.app, &ctx.actor, &input).await?;
    applicants::publish_subject(&s.app, &mut c).await?;
    Ok((StatusCode::CREATED, etag(c.version), Json(c)))
}

/// A commitment with its sealed letter and plan.
#[utoipa::path(get, operation_id = "get_commitment", path = "/api/v1/commitments/{id}", tag = "commitment", params(("id" = i64, Path)),
    responses((status = 200, body = Commitment), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
async fn get(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> ApiResult<impl IntoResponse> {
    let mut c = commitment::get(&s.app, &ctx.actor, id).await?;
    applicants::publish_subject(&s.app, &mut c).await?;
    Ok((etag(c.version), Json(c)))
}

/// Editing a signed letter is refused: it is sealed (withdraw and sign anew instead).
#[utoipa::path(put, path = "/api/v1/commitments/{id}", tag = "commitment", params(("id" = i64, Path)),
    responses((status = 409, body = crate::error::Problem)))]
async fn edit_letter(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> ApiResult<Json<Commitment>> {
    let mut c = commitment::edit_letter(&s.app, &ctx.actor, id).await?;
    applicants::publish_subject(&s.app, &mut c).await?;
    Ok(Json(c))
}

/// The sealed letter as PDF (Chinese text).
#[utoipa::path(get, path = "/api/v1/commitments/{id}/letter.pdf", tag = "commitment", params(("id" = i64, Path)),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>), (status = 403, body = crate::error::Problem)))]
async fn letter_pdf(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> ApiResult<impl IntoResponse> {
    let pdf = letter_pdf::for_commitment(&s.app, &ctx.actor, id).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"commitment-{id}.pdf\""),
            ),
        ],
        pdf,
    ))
}

/// Withdraws a commitment before the case is decided; the case continues by the original
/// procedure (R4.6). Withdrawal is the applicant's act: on the portal by the applicant, at the
/// counter by a clerk only with `applicant_confirmed` (the applicant present asks for it).
#[utoipa::path(post, path = "/api/v1/commitments/{id}/withdraw", tag = "commitment", params(("id" = i64, Path)),
    request_body = WithdrawInput,
    responses((status = 200, body = Commitment, content_type = "application/json"),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
async fn withdraw(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<WithdrawInput>,
) -> ApiResult<Json<Commitment>> {
    let mut c = commitment::withdraw(&s.app, &ctx.actor, id, &input).await?;
    applicants::publish_subject(&s.app, &mut c).await?;
    Ok(Json(c))
}

/// Checks due at the inspector's unit, the soonest first.
#[utoipa::path(get, path = "/api/v1/commitment-checks/due", tag = "commitment",
    responses((status = 200, body = Vec<DueCheck>), (status = 403, body = crate::error::Problem)))]
async fn due_checks(State(s): State<AppState>, ctx: Ctx) -> ApiResult<Json<Vec<DueCheck>>> {
    Ok(Json(checks::due(&s.app, &ctx.actor).await?))
}

/// Records a check result with evidence; results go to the credit office.
#[utoipa::path(post, path = "/api/v1/commitments/{id}/check", tag = "commitment", params(("id" = i64, Path)),
    request_body = ResultInput,
    responses((status = 200, body = Commitment), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn record_result(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ResultInput>,
) -> ApiResult<Json<Commitment>> {
    let mut c = checks::record_result(&s.app, &ctx.actor, id, &input).await?;
    applicants::publish_subject(&s.app, &mut c).await?;
    Ok(Json(c))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct SamplingInput {
    /// The run's seed (e.g. the date as YYYYMMDD); the same seed draws the same commitments.
    seed: u64,
}

/// Runs the sampling draw now (system administrator or joint office); the runner does it daily.
#[utoipa::path(post, path = "/api/v1/commitment-checks/sampling", tag = "commitment", request_body = SamplingInput,
    responses((status = 200, body = SamplingReport), (status = 403, body = crate::error::Problem)))]
async fn run_sampling(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiJson(input): ApiJson<SamplingInput>,
) -> ApiResult<Json<SamplingReport>> {
    Ok(Json(
        checks::run_sampling(&s.app, &ctx.actor, input.seed).await?,
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct LimitQuery {
    limit: Option<i64>,
}

/// Published commitment letters, identifiers masked (public, R4.7).
#[utoipa::path(get, path = "/api/v1/public/commitment-letters", tag = "commitment", params(LimitQuery),
    responses((status = 200, body = Vec<PublishedLetter>)))]
async fn published_letters(
    State(s): State<AppState>,
    ApiQuery(qy): ApiQuery<LimitQuery>,
) -> ApiResult<Json<Vec<PublishedLetter>>> {
    Ok(Json(
        public::published_letters(&s.app, qy.limit.unwrap_or(50)).await?,
    ))
}

/// Commitments signed, checked, found false, withdrawn — by item, unit or month.
#[utoipa::path(get, path = "/api/v1/commitment-figures", tag = "commitment", params(FigureQuery),
    responses((status = 200, body = Vec<FigureRow>), (status = 403, body = crate::error::Problem)))]
async fn figures(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiQuery(qy): ApiQuery<FigureQuery>,
) -> ApiResult<Json<Vec<FigureRow>>> {
    Ok(Json(public::figures(&s.app, &ctx.actor, &qy).await?))
}

/// The same figures as an SVG bar chart.
#[utoipa::path(get, path = "/api/v1/commitment-figures.svg", tag = "commitment", params(FigureQuery),
    responses((status = 200, content_type = "image/svg+xml", body = String)))]
async fn figures_svg(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiQuery(qy): ApiQuery<FigureQuery>,
) -> ApiResult<impl IntoResponse> {
    let rows = public::figures(&s.app, &ctx.actor, &qy).await?;
    let title = match qy.by.as_deref().unwrap_or("item") {
        "unit" => "告知承诺：按单位统计",
        "month" => "告知承诺：按月统计",
        _ => "告知承诺：按证明事项统计",
    };
    Ok((
        [(header::CONTENT_TYPE, "image/svg+xml; charset=utf-8")],
        public::bar_chart_svg(title, &rows),
    ))
}
