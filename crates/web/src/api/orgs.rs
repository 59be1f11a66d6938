use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use proofless_app::orgs::{self, Org, OrgFilter, OrgInput};
use proofless_app::page::{Page, PageRequest};
use proofless_app::staff::{self, DutyPost, DutyPostInput, Staff, StaffInput, UnitStaffing};
use proofless_domain::org::OrgKind;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{etag, if_match};
use crate::AppState;
use crate::ctx::Ctx;
use crate::error::{ApiJson, ApiQuery, ApiResult};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(import))
        .routes(routes!(get, update))
        .routes(routes!(list_staff, create_staff))
        .routes(routes!(get_staff))
        .routes(routes!(set_roles))
        .routes(routes!(set_active))
        .routes(routes!(list_posts, add_post))
        .routes(routes!(remove_post))
        .routes(routes!(set_absent))
        .routes(routes!(staffing))
        .routes(routes!(registry))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    /// Region code; lists the region and everything under it.
    region: Option<String>,
    kind: Option<String>,
    q: Option<String>,
    limit: Option<i64>,
    offset: Option<i64>,
}

/// The org directory (staff only).
#[utoipa::path(get, operation_id = "list_orgs", path = "/api/v1/orgs", tag = "orgs", params(ListQuery), responses((status = 200, body = Page<Org>)))]
async fn list(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiQuery(lq): ApiQuery<ListQuery>,
) -> ApiResult<Json<Page<Org>>> {
    let page = PageRequest {
        limit: lq.limit,
        offset: lq.offset,
    };
    // A kind that is no kind matches no org, as it always has.
    let kind = match lq.kind.as_deref().filter(|k| !k.is_empty()) {
        None => None,
        Some(k) => match OrgKind::parse(k) {
            Some(k) => Some(k),
            None => {
                ctx.actor.require_staff()?;
                return Ok(Json(Page {
                    items: vec![],
                    total: 0,
                    limit: page.limit(),
                    offset: page.offset(),
                }));
            }
        },
    };
    let f = OrgFilter {
        region: lq.region,
        kind,
        q: lq.q,
    };
    Ok(Json(orgs::list(&s.app, &ctx.actor, &f, page).await?))
}

/// Create an org (system administrator). A credit code whose checksum fails is refused
/// unless `confirm_warnings` is set.
#[utoipa::path(post, operation_id = "create_org", path = "/api/v1/orgs", tag = "orgs", request_body = OrgInput,
    responses((status = 201, body = Org), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn create(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiJson(input): ApiJson<OrgInput>,
) -> ApiResult<impl IntoResponse> {
    let org = orgs::create(&s.app, &ctx.actor, input).await?;
    Ok((StatusCode::CREATED, etag(org.version), Json(org)))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct ImportInput {
    rows: Vec<OrgInput>,
}

/// Import many orgs: every row is checked first and nothing is written unless all are good.
#[utoipa::path(post, operation_id = "import_orgs", path = "/api/v1/orgs/import", tag = "orgs", request_body = ImportInput,
    responses((status = 201, body = Vec<Org>), (status = 422, body = crate::error::Problem)))]
async fn import(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiJson(input): ApiJson<ImportInput>,
) -> ApiResult<impl IntoResponse> {
    Ok((
        StatusCode::CREATED,
        Json(orgs::import(&s.app, &ctx.actor, input.rows).await?),
    ))
}

#[utoipa::path(get, operation_id = "get_org", path = "/api/v1/orgs/{id}", tag = "orgs", params(("id" = i64, Path)),
    responses((status = 200, body = Org, headers(("ETag" = String))), (status = 404, body = crate::error::Problem)))]
async fn get(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> ApiResult<impl IntoResponse> {
    ctx.actor.require_staff()?;
    let org = orgs::get(&s.app, id).await?;
    Ok((etag(org.version), Json(org)))
}

/// Update an org; requires `If-Match` with the ETag read before (412 when stale).
#[utoipa::path(put, path = "/api/v1/orgs/{id}", tag = "orgs", params(("id" = i64, Path)), request_body = OrgInput,
    responses((status = 200, body = Org), (status = 412, body = crate::error::Problem), (status = 428, body = crate::error::Problem)))]
async fn update(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<OrgInput>,
) -> ApiResult<impl IntoResponse> {
    ctx.actor
        .require_any(&[proofless_domain::role::Role::SystemAdmin])?;
    let version = if_match(&headers)?;
    let org = orgs::update(&s.app, &ctx.actor, id, Some(version), input).await?;
    Ok((etag(org.version), Json(org)))
}

/// Staff of a unit (its unit admin, the joint office, the system administrator).
#[utoipa::path(get, path = "/api/v1/orgs/{id}/staff", tag = "staff", params(("id" = i64, Path)), responses((status = 200, body = Vec<Staff>)))]
async fn list_staff(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<Staff>>> {
    Ok(Json(staff::list_for_org(&s.app, &ctx.actor, id).await?))
}

/// Create a staff account. A unit admin may grant only unit roles in their own unit.
#[utoipa::path(post, path = "/api/v1/orgs/{id}/staff", tag = "staff", params(("id" = i64, Path)), request_body = StaffInput,
    responses((status = 201, body = Staff), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn create_staff(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<StaffInput>,
) -> ApiResult<impl IntoResponse> {
    let st = staff::create(&s.app, &ctx.actor, id, input).await?;
    Ok((StatusCode::CREATED, etag(st.version), Json(st)))
}

#[utoipa::path(get, path = "/api/v1/staff/{id}", tag = "staff", params(("id" = i64, Path)), responses((status = 200, body = Staff)))]
async fn get_staff(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> ApiResult<impl IntoResponse> {
    let st = staff::get(&s.app, id).await?;
    if ctx.actor.id != Some(st.id) || ctx.actor.kind != proofless_app::ActorKind::Staff {
        staff::list_for_org(&s.app, &ctx.actor, st.org_id).await?;
    }
    Ok((etag(st.version), Json(st)))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct RolesInput {
    roles: Vec<String>,
}

/// Replace a staff member's roles (`If-Match` required).
#[utoipa::path(put, path = "/api/v1/staff/{id}/roles", tag = "staff", params(("id" = i64, Path)), request_body = RolesInput,
    responses((status = 200, body = Staff), (status = 412, body = crate::error::Problem)))]
async fn set_roles(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<RolesInput>,
) -> ApiResult<impl IntoResponse> {
    let version = if_match(&headers)?;
    let st = staff::set_roles(&s.app, &ctx.actor, id, Some(version), input.roles).await?;
    Ok((etag(st.version), Json(st)))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct ActiveInput {
    active: bool,
}

/// Enable or disable an account (disabling ends its sessions).
#[utoipa::path(put, path = "/api/v1/staff/{id}/active", tag = "staff", params(("id" = i64, Path)), request_body = ActiveInput, responses((status = 200, body = Staff)))]
async fn set_active(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ActiveInput>,
) -> ApiResult<Json<Staff>> {
    Ok(Json(
        staff::set_active(&s.app, &ctx.actor, id, input.active).await?,
    ))
}

/// A unit's liaison and proxy-agent posts with their A/B holders (A2 §6).
#[utoipa::path(get, path = "/api/v1/orgs/{id}/duty-posts", tag = "staff", params(("id" = i64, Path)), responses((status = 200, body = Vec<DutyPost>)))]
async fn list_posts(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<DutyPost>>> {
    ctx.actor.require_staff()?;
    ctx.actor.require_see_org(id)?;
    Ok(Json(staff::posts(&s.app, id).await?))
}

#[utoipa::path(post, path = "/api/v1/orgs/{id}/duty-posts", tag = "staff", params(("id" = i64, Path)), request_body = DutyPostInput,
    responses((status = 201, body = DutyPost), (status = 422, body = crate::error::Problem)))]
async fn add_post(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<DutyPostInput>,
) -> ApiResult<impl IntoResponse> {
    Ok((
        StatusCode::CREATED,
        Json(staff::add_post(&s.app, &ctx.actor, id, input).await?),
    ))
}

#[utoipa::path(delete, path = "/api/v1/duty-posts/{id}", tag = "staff", params(("id" = i64, Path)), responses((status = 204)))]
async fn remove_post(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    staff::remove_post(&s.app, &ctx.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct AbsentInput {
    absent: bool,
}

/// Mark the A holder absent, so the B stand-in is notified too (A2 §6).
#[utoipa::path(put, path = "/api/v1/duty-posts/{id}/absent", tag = "staff", params(("id" = i64, Path)), request_body = AbsentInput, responses((status = 204)))]
async fn set_absent(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<AbsentInput>,
) -> ApiResult<StatusCode> {
    staff::set_absent(&s.app, &ctx.actor, id, input.absent).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Whether the unit meets "at least 1 liaison and 2 proxy agents" with B stand-ins.
#[utoipa::path(get, path = "/api/v1/orgs/{id}/staffing", tag = "staff", params(("id" = i64, Path)), responses((status = 200, body = Object)))]
async fn staffing(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> ApiResult<Json<proofless_domain::role::Staffing>> {
    ctx.actor.require_staff()?;
    ctx.actor.require_see_org(id)?;
    Ok(Json(staff::staffing(&s.app, id).await?))
}

/// Every unit's staffing: the joint office's registry (A2 §6).
#[utoipa::path(get, path = "/api/v1/staffing-registry", tag = "staff", responses((status = 200, body = Vec<UnitStaffing>)))]
async fn registry(State(s): State<AppState>, ctx: Ctx) -> ApiResult<Json<Vec<UnitStaffing>>> {
    Ok(Json(staff::registry(&s.app, &ctx.actor).await?))
}
