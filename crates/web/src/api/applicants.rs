use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use proofless_app::applicants::{
    self, AtRestStatus, Entity, EntityInput, Person, PersonInput, RepresentativeInput,
};
use proofless_app::audit::{self, AuditQuery, AuditRow, VerifyReport};
use proofless_domain::role::Role;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::{ApiJson, ApiQuery, ApiResult};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_person))
        .routes(routes!(get_person))
        .routes(routes!(find_person))
        .routes(routes!(data_keys_status))
        .routes(routes!(rotate_data_key))
        .routes(routes!(create_entity))
        .routes(routes!(add_representative))
        .routes(routes!(audit_list))
        .routes(routes!(audit_verify))
}

/// Register a natural person (resident ID checked: GB 11643 MOD 11-2 and a real birth date).
#[utoipa::path(post, path = "/api/v1/applicants/persons", tag = "applicants", request_body = PersonInput,
    responses((status = 201, body = Person), (status = 422, body = crate::error::Problem)))]
async fn create_person(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiJson(input): ApiJson<PersonInput>,
) -> ApiResult<(StatusCode, Json<Person>)> {
    Ok((
        StatusCode::CREATED,
        Json(applicants::create_person(&s.app, &ctx.actor, input).await?),
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct PurposeQuery {
    /// Why the data is read; written to the audit log and shown to the person.
    purpose: Option<String>,
}

/// Read a person by opaque public id, for a case, verification or check of the reader's
/// unit involving the person (the read, its purpose and basis are audited and visible to
/// the person).
#[utoipa::path(get, path = "/api/v1/applicants/persons/{id}", tag = "applicants", operation_id = "get_person",
    params(("id" = String, Path, description = "the person's opaque public id"), PurposeQuery),
    responses((status = 200, body = Person),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
async fn get_person(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    ApiQuery(pq): ApiQuery<PurposeQuery>,
) -> ApiResult<Json<Person>> {
    Ok(Json(
        applicants::read_person_by_public_id(
            &s.app,
            &ctx.actor,
            &id,
            pq.purpose.as_deref().unwrap_or(""),
        )
        .await?,
    ))
}

/// Personal data at rest: the active data key version and how many persons each holds
/// (system administrator).
#[utoipa::path(get, path = "/api/v1/admin/data-keys", tag = "applicants", operation_id = "data_keys_status",
    responses((status = 200, body = AtRestStatus),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json")))]
async fn data_keys_status(State(s): State<AppState>, ctx: Ctx) -> ApiResult<Json<AtRestStatus>> {
    Ok(Json(applicants::at_rest_status(&s.app, &ctx.actor).await?))
}

/// Rotate the data key of personal data at rest: new rows use the new version at once and
/// the jobs runner re-encrypts the others in the background (system administrator).
#[utoipa::path(post, path = "/api/v1/admin/data-keys/rotate", tag = "applicants", operation_id = "rotate_data_key",
    responses((status = 200, body = AtRestStatus),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, body = crate::error::Problem, content_type = "application/problem+json")))]
async fn rotate_data_key(State(s): State<AppState>, ctx: Ctx) -> ApiResult<Json<AtRestStatus>> {
    Ok(Json(applicants::rotate_data_key(&s.app, &ctx.actor).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct FindInput {
    resident_id: String,
    purpose: String,
}

/// Look a person up by resident ID (POST so the number never appears in URLs or logs).
#[utoipa::path(post, path = "/api/v1/applicants/persons/lookup", tag = "applicants", request_body = FindInput,
    responses((status = 200, body = Person), (status = 404, body = crate::error::Problem)))]
async fn find_person(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiJson(i): ApiJson<FindInput>,
) -> ApiResult<Json<Person>> {
    Ok(Json(
        applicants::find_person(&s.app, &ctx.actor, &i.resident_id, &i.purpose).await?,
    ))
}

/// Register an entity by unified social credit code.
#[utoipa::path(post, path = "/api/v1/applicants/entities", tag = "applicants", request_body = EntityInput,
    responses((status = 201, body = Entity), (status = 422, body = crate::error::Problem)))]
async fn create_entity(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiJson(input): ApiJson<EntityInput>,
) -> ApiResult<(StatusCode, Json<Entity>)> {
    Ok((
        StatusCode::CREATED,
        Json(applicants::create_entity(&s.app, &ctx.actor, input).await?),
    ))
}

/// Add an authorised representative of an entity.
#[utoipa::path(post, path = "/api/v1/applicants/entities/{id}/representatives", tag = "applicants", params(("id" = i64, Path)),
    request_body = RepresentativeInput, responses((status = 204), (status = 409, body = crate::error::Problem)))]
async fn add_representative(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<RepresentativeInput>,
) -> ApiResult<StatusCode> {
    applicants::add_representative(&s.app, &ctx.actor, id, input).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct AuditFilter {
    object_type: Option<String>,
    object_id: Option<String>,
    subject_ref: Option<String>,
    limit: Option<i64>,
    offset: Option<i64>,
}

#[derive(Serialize, utoipa::ToSchema)]
struct AuditPage {
    items: Vec<AuditRow>,
    total: i64,
}

/// The audit log (system administrator and accountability department).
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditFilter), responses((status = 200, body = AuditPage),
    (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
async fn audit_list(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiQuery(f): ApiQuery<AuditFilter>,
) -> ApiResult<Json<AuditPage>> {
    ctx.actor
        .require_any(&[Role::SystemAdmin, Role::Accountability])?;
    // Persons are named by public id outside (issue #16 item 6); the log keeps `person:N`.
    let subject_ref = match f.subject_ref {
        Some(r) => Some(applicants::internal_ref_of(&s.app, "subject_ref", &r).await?),
        None => None,
    };
    let q = AuditQuery {
        subject_ref,
        object_type: f.object_type,
        object_id: f.object_id,
        limit: f.limit.unwrap_or(50).clamp(1, 500),
        offset: f.offset.unwrap_or(0).max(0),
    };
    let (mut items, total) = audit::list(&s.app.db, &q).await?;
    applicants::publish_audit_rows(&s.app, &mut items).await?;
    Ok(Json(AuditPage { items, total }))
}

/// Walk the SM3 hash chain and report the first broken link.
#[utoipa::path(get, path = "/api/v1/audit/verify", tag = "audit", responses((status = 200, body = Object)))]
async fn audit_verify(State(s): State<AppState>, ctx: Ctx) -> ApiResult<Json<VerifyReport>> {
    ctx.actor
        .require_any(&[Role::SystemAdmin, Role::Accountability])?;
    Ok(Json(audit::verify(&s.app.db).await?))
}
