//! Supervision and assessment (P 四, A2 §13, A4 §13, A5 §11; issue #21 §4): the dashboard
//! with its chart, xlsx and PDF reports, the county assessment feed (JSON + xlsx), random
//! checks with their reproducible draw, inspections and findings, the public figures.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use proofless_app::public_ids::{self, Kind};
use proofless_app::supervision::{
    self, Dashboard, Draw, DrawInput, FeedRow, FindingInput, Inspection, InspectionDetail,
    InspectionInput, PeriodQuery, TextInput, UnitFigures,
};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::{ApiJson, ApiQuery, ApiResult, Problem};
use crate::public_id::{ById, DrawId, FindingId, InspectionId};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_dashboard))
        .routes(routes!(dashboard_xlsx))
        .routes(routes!(dashboard_pdf))
        .routes(routes!(dashboard_chart))
        .routes(routes!(get_feed))
        .routes(routes!(feed_xlsx))
        .routes(routes!(list_draws, create_draw))
        .routes(routes!(get_draw))
        .routes(routes!(list_inspections, create_inspection))
        .routes(routes!(get_inspection))
        .routes(routes!(record_finding))
        .routes(routes!(close_inspection))
        .routes(routes!(report_follow_up))
        .routes(routes!(public_supervision_figures))
}

fn file(content_type: &str, name: &str, bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Figures per unit over a year or month and per month of its year (county-wide readers;
/// a unit's administrator sees the own unit). Read from counters, never recomputed.
#[utoipa::path(get, operation_id = "supervision_dashboard", path = "/api/v1/supervision/dashboard", tag = "supervision",
    params(PeriodQuery),
    responses((status = 200, body = Dashboard), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn get_dashboard(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiQuery(f): ApiQuery<PeriodQuery>,
) -> ApiResult<Json<Dashboard>> {
    Ok(Json(supervision::dashboard(&s.app, &ctx.actor, &f).await?))
}

/// The dashboard as an xlsx workbook.
#[utoipa::path(get, operation_id = "supervision_dashboard_xlsx", path = "/api/v1/supervision/dashboard.xlsx", tag = "supervision",
    params(PeriodQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn dashboard_xlsx(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiQuery(f): ApiQuery<PeriodQuery>,
) -> ApiResult<Response> {
    let d = supervision::dashboard(&s.app, &ctx.actor, &f).await?;
    let bytes = supervision::report_xlsx(&d)?;
    Ok(file(
        XLSX,
        &format!("supervision-{}.xlsx", d.period.label),
        bytes,
    ))
}

/// The dashboard as a PDF report.
#[utoipa::path(get, operation_id = "supervision_dashboard_pdf", path = "/api/v1/supervision/dashboard.pdf", tag = "supervision",
    params(PeriodQuery),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn dashboard_pdf(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiQuery(f): ApiQuery<PeriodQuery>,
) -> ApiResult<Response> {
    let d = supervision::dashboard(&s.app, &ctx.actor, &f).await?;
    let bytes = supervision::report_pdf(&d)?;
    Ok(file(
        "application/pdf",
        &format!("supervision-{}.pdf", d.period.label),
        bytes,
    ))
}

/// The monthly chart (server-rendered SVG).
#[utoipa::path(get, operation_id = "supervision_dashboard_chart", path = "/api/v1/supervision/dashboard.svg", tag = "supervision",
    params(PeriodQuery),
    responses((status = 200, content_type = "image/svg+xml", body = String), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn dashboard_chart(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiQuery(f): ApiQuery<PeriodQuery>,
) -> ApiResult<Response> {
    let d = supervision::dashboard(&s.app, &ctx.actor, &f).await?;
    Ok((
        [(header::CONTENT_TYPE, "image/svg+xml; charset=utf-8")],
        supervision::chart_svg(&d),
    )
        .into_response())
}

/// The feed the county's service assessment reads: one line per unit.
#[utoipa::path(get, operation_id = "supervision_feed", path = "/api/v1/supervision/feed", tag = "supervision",
    params(PeriodQuery),
    responses((status = 200, body = Vec<FeedRow>), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn get_feed(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiQuery(f): ApiQuery<PeriodQuery>,
) -> ApiResult<Json<Vec<FeedRow>>> {
    Ok(Json(supervision::feed(&s.app, &ctx.actor, &f).await?))
}

/// The assessment feed as xlsx.
#[utoipa::path(get, operation_id = "supervision_feed_xlsx", path = "/api/v1/supervision/feed.xlsx", tag = "supervision",
    params(PeriodQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn feed_xlsx(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiQuery(f): ApiQuery<PeriodQuery>,
) -> ApiResult<Response> {
    let rows = supervision::feed(&s.app, &ctx.actor, &f).await?;
    let label = rows
        .first()
        .map_or("period".to_owned(), |r| r.period.clone());
    let bytes = supervision::feed_xlsx(&rows)?;
    Ok(file(XLSX, &format!("assessment-feed-{label}.xlsx"), bytes))
}

/// Random checks drawn so far, newest first.
#[utoipa::path(get, operation_id = "list_supervision_draws", path = "/api/v1/supervision/draws", tag = "supervision",
    responses((status = 200, body = Vec<Draw>), (status = 401, body = Problem), (status = 403, body = Problem)))]
async fn list_draws(State(s): State<AppState>, ctx: Ctx) -> ApiResult<Json<Vec<Draw>>> {
    Ok(Json(supervision::draws(&s.app, &ctx.actor).await?))
}

/// Draws units and inspectors (双随机) with a recorded seed; an inspection per drawn unit.
#[utoipa::path(post, operation_id = "create_supervision_draw", path = "/api/v1/supervision/draws", tag = "supervision",
    request_body = DrawInput,
    responses((status = 201, body = Draw), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn create_draw(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiJson(input): ApiJson<DrawInput>,
) -> ApiResult<(StatusCode, Json<Draw>)> {
    let d = supervision::create_draw(&s.app, &ctx.actor, &input).await?;
    Ok((StatusCode::CREATED, Json(d)))
}

/// One draw with its seed, algorithm and pools (enough to reproduce it).
#[utoipa::path(get, operation_id = "get_supervision_draw", path = "/api/v1/supervision/draws/{id}", tag = "supervision",
    params(("id" = String, Path, description = "公开编号")),
    responses((status = 200, body = Draw), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn get_draw(
    State(s): State<AppState>,
    ctx: Ctx,
    ById(id, _): ById<DrawId>,
) -> ApiResult<Json<Draw>> {
    Ok(Json(supervision::get_draw(&s.app, &ctx.actor, id).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct InspectionFilter {
    /// Only the inspections of one draw (its public id).
    draw_id: Option<String>,
}

/// Inspections the caller may see, newest first.
#[utoipa::path(get, operation_id = "list_supervision_inspections", path = "/api/v1/supervision/inspections", tag = "supervision",
    params(InspectionFilter),
    responses((status = 200, body = Vec<Inspection>), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn list_inspections(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiQuery(f): ApiQuery<InspectionFilter>,
) -> ApiResult<Json<Vec<Inspection>>> {
    let draw = public_ids::resolve_opt(
        &s.app,
        Kind::SupervisionDraw,
        "draw_id",
        f.draw_id.as_deref(),
    )
    .await?;
    Ok(Json(
        supervision::inspections(&s.app, &ctx.actor, draw).await?,
    ))
}

/// A scheduled review or a special inspection of one unit (the joint office).
#[utoipa::path(post, operation_id = "create_supervision_inspection", path = "/api/v1/supervision/inspections", tag = "supervision",
    request_body = InspectionInput,
    responses((status = 201, body = InspectionDetail), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn create_inspection(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiJson(input): ApiJson<InspectionInput>,
) -> ApiResult<(StatusCode, Json<InspectionDetail>)> {
    let d = supervision::create_inspection(&s.app, &ctx.actor, &input).await?;
    Ok((StatusCode::CREATED, Json(d)))
}

/// One inspection with its findings.
#[utoipa::path(get, operation_id = "get_supervision_inspection", path = "/api/v1/supervision/inspections/{id}", tag = "supervision",
    params(("id" = String, Path, description = "公开编号")),
    responses((status = 200, body = InspectionDetail), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn get_inspection(
    State(s): State<AppState>,
    ctx: Ctx,
    ById(id, _): ById<InspectionId>,
) -> ApiResult<Json<InspectionDetail>> {
    Ok(Json(
        supervision::get_inspection(&s.app, &ctx.actor, id).await?,
    ))
}

/// A finding with its follow-up deadline in working days (the joint office or an inspector).
#[utoipa::path(post, operation_id = "record_supervision_finding", path = "/api/v1/supervision/inspections/{id}/findings", tag = "supervision",
    params(("id" = String, Path, description = "公开编号")), request_body = FindingInput,
    responses((status = 201, body = InspectionDetail), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem), (status = 401, body = Problem)))]
async fn record_finding(
    State(s): State<AppState>,
    ctx: Ctx,
    ById(id, _): ById<InspectionId>,
    ApiJson(input): ApiJson<FindingInput>,
) -> ApiResult<(StatusCode, Json<InspectionDetail>)> {
    let d = supervision::record_finding(&s.app, &ctx.actor, id, &input).await?;
    Ok((StatusCode::CREATED, Json(d)))
}

/// The joint office closes an inspection whose findings are all followed up.
#[utoipa::path(post, operation_id = "close_supervision_inspection", path = "/api/v1/supervision/inspections/{id}/closing", tag = "supervision",
    params(("id" = String, Path, description = "公开编号")),
    responses((status = 200, body = InspectionDetail), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 401, body = Problem), (status = 422, body = Problem)))]
async fn close_inspection(
    State(s): State<AppState>,
    ctx: Ctx,
    ById(id, _): ById<InspectionId>,
) -> ApiResult<Json<InspectionDetail>> {
    Ok(Json(
        supervision::close_inspection(&s.app, &ctx.actor, id).await?,
    ))
}

/// The inspected unit reports a finding followed up (its deadline completes).
#[utoipa::path(post, operation_id = "report_supervision_follow_up", path = "/api/v1/supervision/findings/{id}/follow-up", tag = "supervision",
    params(("id" = String, Path, description = "公开编号")), request_body = TextInput,
    responses((status = 200, body = InspectionDetail), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem), (status = 401, body = Problem)))]
async fn report_follow_up(
    State(s): State<AppState>,
    ctx: Ctx,
    ById(id, _): ById<FindingId>,
    ApiJson(input): ApiJson<TextInput>,
) -> ApiResult<Json<InspectionDetail>> {
    Ok(Json(
        supervision::report_follow_up(&s.app, &ctx.actor, id, &input).await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct YearFilter {
    /// e.g. `2026`; empty: this year.
    year: Option<String>,
}

/// The public figures of a year per unit (no personal data).
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = supervision_PublicFigures)]
struct PublicFigures {
    year: String,
    units: Vec<UnitFigures>,
}

/// The public transparency figures of every unit for a year (no personal data).
#[utoipa::path(get, operation_id = "public_supervision_figures", path = "/api/v1/public/supervision-figures", tag = "supervision",
    params(YearFilter),
    responses((status = 200, body = PublicFigures), (status = 422, body = Problem)))]
async fn public_supervision_figures(
    State(s): State<AppState>,
    ApiQuery(f): ApiQuery<YearFilter>,
) -> ApiResult<Json<PublicFigures>> {
    let (year, units) = supervision::public_figures(&s.app, f.year.as_deref()).await?;
    Ok(Json(PublicFigures { year, units }))
}
