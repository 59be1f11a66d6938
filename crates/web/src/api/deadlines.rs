//! Deadlines, their rules and the notifications the runner sends.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use proofless_app::deadlines::{
    self, DeadlineView, DueItem, ExtendInput, OpenInput, RuleInput, RuleVersion, SuspendInput,
};
use proofless_app::notifications::{self, Notification};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::{ApiJson, ApiQuery, ApiResult};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(open))
        .routes(routes!(overdue))
        .routes(routes!(due_soon))
        .routes(routes!(get))
        .routes(routes!(suspend))
        .routes(routes!(resume))
        .routes(routes!(extend))
        .routes(routes!(complete))
        .routes(routes!(rules, add_rule))
        .routes(routes!(list_notifications))
        .routes(routes!(mark_read))
}

/// Opens a deadline for the responsible unit under the rule version in force at `start`.
#[utoipa::path(post, path = "/api/v1/deadlines", tag = "deadlines", request_body = OpenInput,
    responses((status = 201, body = DeadlineView), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn open(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiJson(input): ApiJson<OpenInput>,
) -> ApiResult<impl IntoResponse> {
    let v = deadlines::open(&s.app, &ctx.actor, &input).await?;
    Ok((StatusCode::CREATED, Json(v)))
}

/// A deadline with its record: suspensions, extensions and the rule version it used.
#[utoipa::path(get, operation_id = "get_deadline", path = "/api/v1/deadlines/{id}", tag = "deadlines", params(("id" = i64, Path)),
    responses((status = 200, body = DeadlineView), (status = 404, body = crate::error::Problem)))]
async fn get(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> ApiResult<Json<DeadlineView>> {
    Ok(Json(deadlines::get(&s.app, &ctx.actor, id).await?))
}

/// Stops the clock.
#[utoipa::path(post, path = "/api/v1/deadlines/{id}/suspend", tag = "deadlines", params(("id" = i64, Path)), request_body = SuspendInput,
    responses((status = 200, body = DeadlineView), (status = 409, body = crate::error::Problem)))]
async fn suspend(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<SuspendInput>,
) -> ApiResult<Json<DeadlineView>> {
    Ok(Json(
        deadlines::suspend(&s.app, &ctx.actor, id, &input).await?,
    ))
}

/// Restarts the clock; the due instant moves by the office time suspended.
#[utoipa::path(post, path = "/api/v1/deadlines/{id}/resume", tag = "deadlines", params(("id" = i64, Path)),
    responses((status = 200, body = DeadlineView), (status = 409, body = crate::error::Problem)))]
async fn resume(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> ApiResult<Json<DeadlineView>> {
    Ok(Json(deadlines::resume(&s.app, &ctx.actor, id).await?))
}

/// Extends within the rule's cap; records who extended, who approved and why.
#[utoipa::path(post, path = "/api/v1/deadlines/{id}/extend", tag = "deadlines", params(("id" = i64, Path)), request_body = ExtendInput,
    responses((status = 200, body = DeadlineView), (status = 422, body = crate::error::Problem)))]
async fn extend(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ExtendInput>,
) -> ApiResult<Json<DeadlineView>> {
    Ok(Json(
        deadlines::extend(&s.app, &ctx.actor, id, &input).await?,
    ))
}

/// Marks the deadline's work done.
#[utoipa::path(post, path = "/api/v1/deadlines/{id}/complete", tag = "deadlines", params(("id" = i64, Path)),
    responses((status = 200, body = DeadlineView), (status = 409, body = crate::error::Problem)))]
async fn complete(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> ApiResult<Json<DeadlineView>> {
    Ok(Json(deadlines::complete(&s.app, &ctx.actor, id).await?))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ScopeQuery {
    /// A unit; omitted: the county (joint office, system admin, accountability) or one's unit.
    org_id: Option<i64>,
    /// For `due-soon`: the window in hours (default 24).
    hours: Option<i64>,
    limit: Option<i64>,
}

/// Overdue items with how late they are (wall time and office time), most late first.
#[utoipa::path(get, path = "/api/v1/deadlines/overdue", tag = "deadlines", params(ScopeQuery),
    responses((status = 200, body = Vec<DueItem>), (status = 403, body = crate::error::Problem)))]
async fn overdue(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiQuery(sq): ApiQuery<ScopeQuery>,
) -> ApiResult<Json<Vec<DueItem>>> {
    let scope = deadlines::scope_for(&ctx.actor, sq.org_id)?;
    Ok(Json(
        deadlines::overdue(&s.app, &ctx.actor, scope, sq.limit.unwrap_or(200)).await?,
    ))
}

/// Open items falling due within the window.
#[utoipa::path(get, path = "/api/v1/deadlines/due-soon", tag = "deadlines", params(ScopeQuery),
    responses((status = 200, body = Vec<DueItem>), (status = 403, body = crate::error::Problem)))]
async fn due_soon(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiQuery(sq): ApiQuery<ScopeQuery>,
) -> ApiResult<Json<Vec<DueItem>>> {
    let scope = deadlines::scope_for(&ctx.actor, sq.org_id)?;
    let hours = sq.hours.unwrap_or(24).clamp(1, 24 * 31);
    Ok(Json(
        deadlines::due_soon(&s.app, scope, hours * 3_600_000, sq.limit.unwrap_or(200)).await?,
    ))
}

/// Every version of every deadline rule (staff).
#[utoipa::path(get, path = "/api/v1/deadline-rules", tag = "deadlines",
    responses((status = 200, body = Vec<RuleVersion>)))]
async fn rules(State(s): State<AppState>, ctx: Ctx) -> ApiResult<Json<Vec<RuleVersion>>> {
    ctx.actor.require_staff()?;
    Ok(Json(deadlines::rules(&s.app).await?))
}

/// Adds a rule version with its effective date (system administrator).
#[utoipa::path(post, operation_id = "add_deadline_rule", path = "/api/v1/deadline-rules", tag = "deadlines", request_body = RuleInput,
    responses((status = 201, body = RuleVersion), (status = 422, body = crate::error::Problem)))]
async fn add_rule(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiJson(input): ApiJson<RuleInput>,
) -> ApiResult<impl IntoResponse> {
    let r = deadlines::add_rule_version(&s.app, &ctx.actor, &input).await?;
    Ok((StatusCode::CREATED, Json(r)))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct NotificationsQuery {
    unread: Option<bool>,
    limit: Option<i64>,
}

#[derive(Serialize, utoipa::ToSchema)]
struct NotificationList {
    unread: i64,
    items: Vec<Notification>,
}

/// The caller's notifications (own, their unit's, their roles'), newest first.
#[utoipa::path(get, path = "/api/v1/notifications", tag = "notifications", params(NotificationsQuery),
    responses((status = 200, body = NotificationList)))]
async fn list_notifications(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiQuery(nq): ApiQuery<NotificationsQuery>,
) -> ApiResult<Json<NotificationList>> {
    let items = notifications::list(
        &s.app,
        &ctx.actor,
        nq.unread.unwrap_or(false),
        nq.limit.unwrap_or(100),
    )
    .await?;
    let unread = notifications::unread_count(&s.app, &ctx.actor).await?;
    Ok(Json(NotificationList { unread, items }))
}

/// Marks a notification read.
#[utoipa::path(post, path = "/api/v1/notifications/{id}/read", tag = "notifications", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = crate::error::Problem)))]
async fn mark_read(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    notifications::mark_read(&s.app, &ctx.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
