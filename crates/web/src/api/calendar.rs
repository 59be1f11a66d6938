//! The working-day calendar: the public contract used by outside checks
//! (`/api/v1/calendar/{date}`, `/api/v1/calendar/deadline`) and the admin routes.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::IntoResponse;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use proofless_app::calendar::{
    self, CalendarDay, CalendarYear, ImportInput, ImportReport, OverrideInput,
};
use proofless_domain::calendar::{DayKind, TABLE_FIRST_YEAR, TABLE_LAST_YEAR};
use proofless_domain::deadline::Period;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::{ApiError, ApiJson, ApiQuery, ApiResult};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(day))
        .routes(routes!(deadline))
        .routes(routes!(years))
        .routes(routes!(days))
        .routes(routes!(import))
        .routes(routes!(add_override))
        .routes(routes!(remove_override))
}

/// One date as the calendar sees it.
#[derive(Serialize, utoipa::ToSchema)]
struct DayAnswer {
    /// YYYY-MM-DD.
    date: String,
    working_day: bool,
    /// `workday`, `weekend`, `holiday` or `adjusted_workday`.
    #[schema(value_type = String)]
    kind: DayKind,
    /// The holiday's Chinese name (also on an adjusted working day), or null.
    name: Option<String>,
    /// False when the year has no State Council notice loaded: the answer is provisional.
    calendar_complete: bool,
    /// A statutory holiday of 全国年节及纪念日放假办法 standing in for the year's notice until it
    /// is loaded (issue #15 item 12).
    provisional: bool,
}

/// Whether the calendar can answer for `date` (its day table's years).
fn in_range(date: NaiveDate) -> bool {
    (TABLE_FIRST_YEAR..=TABLE_LAST_YEAR).contains(&date.year())
}

fn out_of_range(field: &str, what: &str) -> ApiError {
    ApiError::field(
        StatusCode::UNPROCESSABLE_ENTITY,
        field,
        format!(
            "{what}超出支持范围：须在 {TABLE_FIRST_YEAR}-01-01 至 {TABLE_LAST_YEAR}-12-31 之间"
        ),
    )
}

fn parse_date(raw: &str, field: &str) -> Result<NaiveDate, ApiError> {
    let s = raw.trim();
    let ok =
        s.len() == 10 && s.as_bytes().get(4) == Some(&b'-') && s.as_bytes().get(7) == Some(&b'-');
    match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        Ok(d) if ok => Ok(d),
        _ => Err(ApiError::field(
            StatusCode::BAD_REQUEST,
            field,
            format!(
                "日期“{}”无效：应为 YYYY-MM-DD 格式的真实日期，例如 2026-02-14",
                clip(s)
            ),
        )),
    }
}

/// Hostile or huge input is quoted back only in part.
fn clip(s: &str) -> String {
    clip_to(s, 40)
}

fn clip_to(s: &str, max: usize) -> String {
    let mut out: String = s.chars().take(max).collect();
    if s.chars().count() > max {
        out.push('…');
    }
    out
}

/// Whether a date is a working day (public, no login). `calendar_complete: false` (also in
/// the header `X-Calendar-Complete`) says the year has no published State Council notice
/// loaded: its statutory holidays are answered as provisional (issue #15 item 12).
#[utoipa::path(get, path = "/api/v1/calendar/{date}", tag = "calendar", params(("date" = String, Path, description = "YYYY-MM-DD")),
    responses((status = 200, body = DayAnswer), (status = 400, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
async fn day(State(s): State<AppState>, Path(date): Path<String>) -> ApiResult<impl IntoResponse> {
    let d = parse_date(&date, "date")?;
    // Issue #16 item 8: no answer for a date the calendar cannot hold.
    if !in_range(d) {
        return Err(out_of_range("date", "日期"));
    }
    let info = calendar::day(&s.app, d);
    let mut h = HeaderMap::new();
    h.insert(
        "x-calendar-complete",
        HeaderValue::from_static(if info.calendar_complete {
            "true"
        } else {
            "false"
        }),
    );
    Ok((
        h,
        Json(DayAnswer {
            date: info.date.to_string(),
            working_day: info.working_day,
            kind: info.kind,
            name: info.name,
            calendar_complete: info.calendar_complete,
            provisional: info.provisional,
        }),
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct DeadlineQuery {
    /// RFC 3339, e.g. 2026-03-12T09:30:00+08:00.
    start: Option<String>,
    /// `30m`, `2h`, `1wd`, `2wd`, `5wd`, `7wd`, `10cd`…
    period: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
struct DeadlineAnswer {
    /// RFC 3339 with +08:00.
    due: String,
    /// False when the computation reached into a year with no published notice.
    calendar_complete: bool,
}

/// The due instant of a period from a start, with the deployment's office hours (public).
#[utoipa::path(get, path = "/api/v1/calendar/deadline", tag = "calendar", params(DeadlineQuery),
    responses((status = 200, body = DeadlineAnswer), (status = 400, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
async fn deadline(
    State(s): State<AppState>,
    ApiQuery(dq): ApiQuery<DeadlineQuery>,
) -> ApiResult<Json<DeadlineAnswer>> {
    let mut errors = vec![];
    let start = match dq.start.as_deref().map(str::trim) {
        None | Some("") => {
            errors.push((
                "start",
                "缺少起算时间 start（RFC 3339，例如 2026-03-12T09:30:00+08:00）".to_owned(),
            ));
            None
        }
        Some(raw) => match DateTime::parse_from_rfc3339(raw) {
            Ok(t) => Some(t.with_timezone(&Utc)),
            Err(_) => {
                errors.push((
                    "start",
                    format!("起算时间 start“{}”无效：应为 RFC 3339 格式，例如 2026-03-12T09:30:00+08:00", clip(raw)),
                ));
                None
            }
        },
    };
    let period = match dq.period.as_deref().map(str::trim) {
        None | Some("") => {
            errors.push((
                "period",
                "缺少期限 period（例如 30m、1wd、2wd、5wd、7wd）".to_owned(),
            ));
            None
        }
        Some(raw) => match Period::parse(raw) {
            Ok(p) => Some(p),
            Err(e) => {
                errors.push((
                    "period",
                    format!("期限 period 无效：{}", clip_to(&e.to_string(), 160)),
                ));
                None
            }
        },
    };
    if !errors.is_empty() {
        let detail = errors
            .iter()
            .map(|(_, m)| m.clone())
            .collect::<Vec<_>>()
            .join("；");
        let mut e = ApiError::field(StatusCode::BAD_REQUEST, errors[0].0, detail);
        e.errors = errors
            .into_iter()
            .map(|(f, m)| proofless_app::FieldError::new(f, m))
            .collect();
        return Err(e);
    }
    let (Some(start), Some(period)) = (start, period) else {
        return Err(ApiError::field(
            StatusCode::BAD_REQUEST,
            "start",
            "起算时间或期限无效",
        ));
    };
    // Issue #16 item 8: a start or a due instant outside the calendar's years is refused
    // (a year past 9999 is not even RFC 3339).
    if !in_range(start.with_timezone(&proofless_app::beijing()).date_naive()) {
        return Err(out_of_range("start", "起算时间 start "));
    }
    let c = calendar::compute(&s.app, start, period);
    let due = c
        .due
        .filter(|d| in_range(d.date_naive()))
        .ok_or_else(|| out_of_range("period", "期限 period 的到期时间"))?;
    Ok(Json(DeadlineAnswer {
        due: due.to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
        calendar_complete: c.calendar_complete,
    }))
}

/// Loaded years with their source notices (staff).
#[utoipa::path(get, path = "/api/v1/calendar/years", tag = "calendar",
    responses((status = 200, body = Vec<CalendarYear>), (status = 401, body = crate::error::Problem)))]
async fn years(State(s): State<AppState>, ctx: Ctx) -> ApiResult<Json<Vec<CalendarYear>>> {
    ctx.actor.require_staff()?;
    Ok(Json(calendar::years(&s.app).await?))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct DaysQuery {
    year: Option<i32>,
    /// Only the county's own overrides.
    local: Option<bool>,
}

/// Calendar entries of a year, or local overrides (staff).
#[utoipa::path(get, path = "/api/v1/calendar/days", tag = "calendar", params(DaysQuery),
    responses((status = 200, body = Vec<CalendarDay>), (status = 401, body = crate::error::Problem)))]
async fn days(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiQuery(dq): ApiQuery<DaysQuery>,
) -> ApiResult<Json<Vec<CalendarDay>>> {
    ctx.actor.require_staff()?;
    Ok(Json(
        calendar::days(&s.app, dq.year, dq.local.unwrap_or(false)).await?,
    ))
}

/// Imports a calendar file, all or nothing (system administrator): a year's State Council
/// arrangement (`year` and `notice`) or local overrides. Row errors name line and field.
#[utoipa::path(post, operation_id = "import_calendar", path = "/api/v1/calendar/import", tag = "calendar", request_body = ImportInput,
    responses((status = 201, body = ImportReport), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn import(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiJson(input): ApiJson<ImportInput>,
) -> ApiResult<impl IntoResponse> {
    let r = calendar::import(&s.app, &ctx.actor, &input).await?;
    Ok((StatusCode::CREATED, Json(r)))
}

/// Adds a local override, e.g. the county's own closure (system administrator).
#[utoipa::path(post, path = "/api/v1/calendar/overrides", tag = "calendar", request_body = OverrideInput,
    responses((status = 201, body = CalendarDay), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn add_override(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiJson(input): ApiJson<OverrideInput>,
) -> ApiResult<impl IntoResponse> {
    let d = calendar::add_override(&s.app, &ctx.actor, &input).await?;
    Ok((StatusCode::CREATED, Json(d)))
}

/// Removes a local override (system administrator); official entries cannot be removed.
#[utoipa::path(delete, path = "/api/v1/calendar/overrides/{date}", tag = "calendar", params(("date" = String, Path)),
    responses((status = 204), (status = 404, body = crate::error::Problem)))]
async fn remove_override(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(date): Path<String>,
) -> ApiResult<StatusCode> {
    let d = parse_date(&date, "date")?;
    calendar::remove_override(&s.app, &ctx.actor, d).await?;
    Ok(StatusCode::NO_CONTENT)
}
