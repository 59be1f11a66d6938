//! Data sharing (数据共享, issue #18): the data-sharing list, e-licences and e-proofs (issue,
//! batch, import, revoke, replace, status, PDF), public verification, entitled pulls with the
//! applicant's consent, e-proofs for use outside the city, and the city platform source.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use proofless_app::sharing::{
    self, BatchReport, CodeInput, CodeIssued, DecisionInput, EProof, EProofStatus, Entry,
    EntryInput, IssueInput, OutsideInput, OutsideIssueInput, OutsideRequest, PendingConsent, Pull,
    PullInput, ReplaceInput, ReviewInput, RevokeInput, SourceInput, SourceView, Verification,
};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::{ApiJson, ApiQuery, ApiResult, Problem};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(entries, save_entry))
        .routes(routes!(get_entry))
        .routes(routes!(submit_entry))
        .routes(routes!(review_entry))
        .routes(routes!(public_list))
        .routes(routes!(issue, eproofs))
        .routes(routes!(get_eproof))
        .routes(routes!(eproof_pdf))
        .routes(routes!(revoke))
        .routes(routes!(replace))
        .routes(routes!(batch))
        .routes(routes!(import))
        .routes(routes!(status))
        .routes(routes!(verify))
        .routes(routes!(pull, pulls))
        .routes(routes!(get_pull))
        .routes(routes!(my_consents))
        .routes(routes!(decide_consent))
        .routes(routes!(create_code))
        .routes(routes!(my_eproofs))
        .routes(routes!(request_outside, my_outside))
        .routes(routes!(outside_inbox))
        .routes(routes!(issue_outside))
        .routes(routes!(refuse_outside))
        .routes(routes!(sources, configure_source))
        .routes(routes!(my_case_consents, consent_case))
        .routes(routes!(withdraw_case_consent))
        .routes(routes!(consentable_cases))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct PageQuery {
    limit: Option<i64>,
    offset: Option<i64>,
}

#[derive(Serialize, utoipa::ToSchema)]
struct EProofPage {
    items: Vec<EProof>,
    total: i64,
}

#[derive(Serialize, utoipa::ToSchema)]
struct PullPage {
    items: Vec<Pull>,
    total: i64,
}

/// Data-sharing list entries (newest version each): the joint office all, a unit its own.
#[utoipa::path(get, path = "/api/v1/sharing/entries", tag = "sharing", operation_id = "list_sharing_entries",
    responses((status = 200, body = Vec<Entry>), (status = 403, body = Problem)))]
async fn entries(State(s): State<AppState>, ctx: Ctx) -> ApiResult<Json<Vec<Entry>>> {
    Ok(Json(sharing::entries(&s.app, &ctx.actor).await?))
}

/// The issuing unit saves an entry: template, source, entitled units and services (R3.1).
#[utoipa::path(post, path = "/api/v1/sharing/entries", tag = "sharing", operation_id = "save_sharing_entry",
    request_body = EntryInput,
    responses((status = 200, body = Entry), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn save_entry(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiJson(input): ApiJson<EntryInput>,
) -> ApiResult<Json<Entry>> {
    Ok(Json(sharing::save(&s.app, &ctx.actor, &input).await?))
}

/// One entry's newest version.
#[utoipa::path(get, path = "/api/v1/sharing/entries/{id}", tag = "sharing", operation_id = "get_sharing_entry",
    params(("id" = i64, Path)), responses((status = 200, body = Entry), (status = 403, body = Problem)))]
async fn get_entry(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> ApiResult<Json<Entry>> {
    Ok(Json(sharing::entry(&s.app, &ctx.actor, id).await?))
}

/// The issuing unit submits its draft to the joint office.
#[utoipa::path(post, path = "/api/v1/sharing/entries/{id}/submit", tag = "sharing", operation_id = "submit_sharing_entry",
    params(("id" = i64, Path)), responses((status = 200, body = Entry), (status = 403, body = Problem), (status = 409, body = Problem)))]
async fn submit_entry(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> ApiResult<Json<Entry>> {
    Ok(Json(sharing::submit(&s.app, &ctx.actor, id).await?))
}

/// The joint office publishes or returns a submitted version.
#[utoipa::path(post, path = "/api/v1/sharing/entries/{id}/review", tag = "sharing", operation_id = "review_sharing_entry",
    params(("id" = i64, Path)), request_body = ReviewInput,
    responses((status = 200, body = Entry), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn review_entry(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ReviewInput>,
) -> ApiResult<Json<Entry>> {
    Ok(Json(sharing::review(&s.app, &ctx.actor, id, &input).await?))
}

/// The published data-sharing list (public, no login).
#[utoipa::path(get, path = "/api/v1/public/sharing/list", tag = "sharing", operation_id = "public_sharing_list",
    responses((status = 200, body = Vec<Entry>)))]
async fn public_list(State(s): State<AppState>) -> ApiResult<Json<Vec<Entry>>> {
    Ok(Json(sharing::published(&s.app).await?))
}

/// Issues an e-licence or e-proof, sealed with the unit's SM2 key (R3.2).
#[utoipa::path(post, path = "/api/v1/sharing/eproofs", tag = "sharing", operation_id = "issue_eproof",
    request_body = IssueInput,
    responses((status = 201, body = EProof), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn issue(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiJson(input): ApiJson<IssueInput>,
) -> ApiResult<impl IntoResponse> {
    let e = sharing::issue(&s.app, &ctx.actor, &input).await?;
    Ok((StatusCode::CREATED, Json(e)))
}

/// The issuing unit's documents, newest first.
#[utoipa::path(get, path = "/api/v1/sharing/eproofs", tag = "sharing", operation_id = "list_eproofs", params(PageQuery),
    responses((status = 200, body = EProofPage), (status = 403, body = Problem)))]
async fn eproofs(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<EProofPage>> {
    let (items, total) = sharing::eproofs_of_unit(
        &s.app,
        &ctx.actor,
        q.limit.unwrap_or(50),
        q.offset.unwrap_or(0),
    )
    .await?;
    Ok(Json(EProofPage { items, total }))
}

/// One document (its issuer's staff, or its holder).
#[utoipa::path(get, path = "/api/v1/sharing/eproofs/{id}", tag = "sharing", operation_id = "get_eproof",
    params(("id" = i64, Path)), responses((status = 200, body = EProof), (status = 403, body = Problem)))]
async fn get_eproof(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> ApiResult<Json<EProof>> {
    Ok(Json(sharing::eproof(&s.app, &ctx.actor, id).await?))
}

/// The document as PDF, with the embedded CJK font, its QR code and short code.
#[utoipa::path(get, path = "/api/v1/sharing/eproofs/{id}/eproof.pdf", tag = "sharing", operation_id = "eproof_pdf",
    params(("id" = i64, Path)),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>), (status = 403, body = Problem)))]
async fn eproof_pdf(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> ApiResult<impl IntoResponse> {
    let pdf = sharing::eproof_pdf(&s.app, &ctx.actor, id).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"eproof-{id}.pdf\""),
            ),
        ],
        pdf,
    ))
}

/// The issuer revokes a document, with the reason.
#[utoipa::path(post, path = "/api/v1/sharing/eproofs/{id}/revoke", tag = "sharing", operation_id = "revoke_eproof",
    params(("id" = i64, Path)), request_body = RevokeInput,
    responses((status = 200, body = EProof), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn revoke(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<RevokeInput>,
) -> ApiResult<Json<EProof>> {
    Ok(Json(sharing::revoke(&s.app, &ctx.actor, id, &input).await?))
}

/// The issuer replaces a document: a new one is issued, the old one points to it.
#[utoipa::path(post, path = "/api/v1/sharing/eproofs/{id}/replace", tag = "sharing", operation_id = "replace_eproof",
    params(("id" = i64, Path)), request_body = ReplaceInput,
    responses((status = 201, body = EProof), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn replace(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ReplaceInput>,
) -> ApiResult<impl IntoResponse> {
    let e = sharing::replace(&s.app, &ctx.actor, id, &input).await?;
    Ok((StatusCode::CREATED, Json(e)))
}

fn header_text<'a>(h: &'a HeaderMap, name: &str) -> &'a str {
    h.get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

/// A signed batch from the issuer's own system (API token of the issuing unit). Headers
/// `X-Timestamp` (epoch ms), `X-Nonce` (hex), `X-Signature` = hex HMAC-SM3 under the API
/// token of `POST\n/api/v1/sharing/eproofs/batch\n{ts}\n{nonce}\n{SM3(body)}`. Idempotent per
/// identifier; all or nothing; at most 500 documents.
#[utoipa::path(post, path = "/api/v1/sharing/eproofs/batch", tag = "sharing", operation_id = "issue_eproof_batch",
    request_body = proofless_app::sharing::BatchInput,
    responses((status = 200, body = BatchReport), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn batch(
    State(s): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> ApiResult<Json<BatchReport>> {
    let token = header_text(&headers, "authorization")
        .trim_start_matches("Bearer ")
        .trim();
    Ok(Json(
        sharing::issue_batch(
            &s.app,
            &ctx.actor,
            token,
            header_text(&headers, "x-timestamp"),
            header_text(&headers, "x-nonce"),
            header_text(&headers, "x-signature"),
            &body,
        )
        .await?,
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ImportQuery {
    /// `.xlsx` or `.csv` (the file's name tells the format).
    filename: String,
}

/// Imports documents from an xlsx or CSV file (body: the file): all rows or none.
#[utoipa::path(post, path = "/api/v1/sharing/eproofs/import", tag = "sharing", operation_id = "import_eproofs",
    params(ImportQuery), request_body(content = Vec<u8>, content_type = "text/csv"),
    responses((status = 200, body = BatchReport), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn import(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiQuery(q): ApiQuery<ImportQuery>,
    body: axum::body::Bytes,
) -> ApiResult<Json<BatchReport>> {
    Ok(Json(
        sharing::import_file(&s.app, &ctx.actor, &q.filename, &body).await?,
    ))
}

/// The public status of an identifier (no personal data).
#[utoipa::path(get, path = "/api/v1/public/eproofs/{identifier}/status", tag = "sharing", operation_id = "eproof_status",
    params(("identifier" = String, Path)),
    responses((status = 200, body = EProofStatus), (status = 422, body = Problem)))]
async fn status(
    State(s): State<AppState>,
    Path(identifier): Path<String>,
) -> ApiResult<Json<EProofStatus>> {
    Ok(Json(sharing::status(&s.app, &identifier).await?))
}

/// What a copy's short code verifies: validity, issuer, kind, extract stamp, masked name.
#[utoipa::path(get, path = "/api/v1/public/verify/{code}", tag = "sharing", operation_id = "verify_eproof_code",
    params(("code" = String, Path)), responses((status = 200, body = Verification)))]
async fn verify(
    State(s): State<AppState>,
    Path(code): Path<String>,
) -> ApiResult<Json<Verification>> {
    Ok(Json(sharing::verify(&s.app, &code).await?))
}

/// An entitled unit pulls an applicant's data for a case (403 with the reason unless entitled).
#[utoipa::path(post, path = "/api/v1/sharing/pulls", tag = "sharing", operation_id = "pull_shared_data",
    request_body = PullInput,
    responses((status = 201, body = Pull), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn pull(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiJson(input): ApiJson<PullInput>,
) -> ApiResult<impl IntoResponse> {
    let p = sharing::pull(&s.app, &ctx.actor, &input).await?;
    Ok((StatusCode::CREATED, Json(p)))
}

/// The unit's pulls, newest first.
#[utoipa::path(get, path = "/api/v1/sharing/pulls", tag = "sharing", operation_id = "list_pulls", params(PageQuery),
    responses((status = 200, body = PullPage), (status = 403, body = Problem)))]
async fn pulls(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<PullPage>> {
    let (items, total) = sharing::pulls_of_unit(
        &s.app,
        &ctx.actor,
        q.limit.unwrap_or(50),
        q.offset.unwrap_or(0),
    )
    .await?;
    Ok(Json(PullPage { items, total }))
}

/// One pull of the unit, with the released data once released.
#[utoipa::path(get, path = "/api/v1/sharing/pulls/{id}", tag = "sharing", operation_id = "get_pull",
    params(("id" = String, Path)), responses((status = 200, body = Pull), (status = 403, body = Problem)))]
async fn get_pull(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<Json<Pull>> {
    Ok(Json(sharing::get_pull(&s.app, &ctx.actor, &id).await?))
}

/// Pulls waiting for my consent, each with the preview of what would be released (portal).
#[utoipa::path(get, path = "/api/v1/portal/sharing/consents", tag = "sharing", operation_id = "my_sharing_consents",
    responses((status = 200, body = Vec<PendingConsent>), (status = 403, body = Problem)))]
async fn my_consents(State(s): State<AppState>, ctx: Ctx) -> ApiResult<Json<Vec<PendingConsent>>> {
    Ok(Json(sharing::my_pending(&s.app, &ctx.actor).await?))
}

/// I allow or decline a pull after its preview (portal).
#[utoipa::path(post, path = "/api/v1/portal/sharing/consents/{id}", tag = "sharing", operation_id = "decide_sharing_consent",
    params(("id" = String, Path)), request_body = DecisionInput,
    responses((status = 200, body = Pull), (status = 403, body = Problem), (status = 409, body = Problem)))]
async fn decide_consent(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<DecisionInput>,
) -> ApiResult<Json<Pull>> {
    Ok(Json(
        sharing::decide(&s.app, &ctx.actor, &id, &input).await?,
    ))
}

/// I generate an 8-digit one-time code for one unit and one item (portal; 10 minutes, one use).
#[utoipa::path(post, path = "/api/v1/portal/sharing/codes", tag = "sharing", operation_id = "create_sharing_code",
    request_body = CodeInput,
    responses((status = 201, body = CodeIssued), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn create_code(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiJson(input): ApiJson<CodeInput>,
) -> ApiResult<impl IntoResponse> {
    let c = sharing::create_code(&s.app, &ctx.actor, &input).await?;
    Ok((StatusCode::CREATED, Json(c)))
}

/// My e-licences and e-proofs (portal).
#[utoipa::path(get, path = "/api/v1/portal/sharing/eproofs", tag = "sharing", operation_id = "my_eproofs",
    responses((status = 200, body = Vec<EProof>), (status = 403, body = Problem)))]
async fn my_eproofs(State(s): State<AppState>, ctx: Ctx) -> ApiResult<Json<Vec<EProof>>> {
    Ok(Json(sharing::my_eproofs(&s.app, &ctx.actor).await?))
}

/// I ask for an e-proof for use outside the city (portal; A4 §4(4)).
#[utoipa::path(post, path = "/api/v1/portal/sharing/outside", tag = "sharing", operation_id = "request_outside_eproof",
    request_body = OutsideInput,
    responses((status = 201, body = OutsideRequest), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn request_outside(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiJson(input): ApiJson<OutsideInput>,
) -> ApiResult<impl IntoResponse> {
    let r = sharing::request_outside(&s.app, &ctx.actor, &input).await?;
    Ok((StatusCode::CREATED, Json(r)))
}

/// My requests for e-proofs for use outside the city (portal).
#[utoipa::path(get, path = "/api/v1/portal/sharing/outside", tag = "sharing", operation_id = "my_outside_requests",
    responses((status = 200, body = Vec<OutsideRequest>), (status = 403, body = Problem)))]
async fn my_outside(State(s): State<AppState>, ctx: Ctx) -> ApiResult<Json<Vec<OutsideRequest>>> {
    Ok(Json(sharing::my_requests(&s.app, &ctx.actor).await?))
}

/// The issuer's inbox of outside-city requests, pending first by due time.
#[utoipa::path(get, path = "/api/v1/sharing/outside", tag = "sharing", operation_id = "outside_inbox",
    responses((status = 200, body = Vec<OutsideRequest>), (status = 403, body = Problem)))]
async fn outside_inbox(
    State(s): State<AppState>,
    ctx: Ctx,
) -> ApiResult<Json<Vec<OutsideRequest>>> {
    Ok(Json(sharing::inbox(&s.app, &ctx.actor).await?))
}

/// The issuer issues the sealed e-proof for an outside-city request.
#[utoipa::path(post, path = "/api/v1/sharing/outside/{id}/issue", tag = "sharing", operation_id = "issue_outside_eproof",
    params(("id" = i64, Path)), request_body = OutsideIssueInput,
    responses((status = 200, body = OutsideRequest), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn issue_outside(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<OutsideIssueInput>,
) -> ApiResult<Json<OutsideRequest>> {
    Ok(Json(
        sharing::issue_outside(&s.app, &ctx.actor, id, &input).await?,
    ))
}

/// The issuer refuses an outside-city request, with the reason.
#[utoipa::path(post, path = "/api/v1/sharing/outside/{id}/refuse", tag = "sharing", operation_id = "refuse_outside_eproof",
    params(("id" = i64, Path)), request_body = RevokeInput,
    responses((status = 200, body = OutsideRequest), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn refuse_outside(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<RevokeInput>,
) -> ApiResult<Json<OutsideRequest>> {
    Ok(Json(
        sharing::refuse_outside(&s.app, &ctx.actor, id, &input).await?,
    ))
}

/// The configured sources (system admin).
#[utoipa::path(get, path = "/api/v1/sharing/sources", tag = "sharing", operation_id = "list_sharing_sources",
    responses((status = 200, body = Vec<SourceView>), (status = 403, body = Problem)))]
async fn sources(State(s): State<AppState>, ctx: Ctx) -> ApiResult<Json<Vec<SourceView>>> {
    Ok(Json(sharing::sources(&s.app, &ctx.actor).await?))
}

/// Points the city platform source at its endpoint with its key (system admin).
#[utoipa::path(put, path = "/api/v1/sharing/sources", tag = "sharing", operation_id = "configure_sharing_source",
    request_body = SourceInput,
    responses((status = 200, body = SourceView), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn configure_source(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiJson(input): ApiJson<SourceInput>,
) -> ApiResult<Json<SourceView>> {
    Ok(Json(
        sharing::configure_source(&s.app, &ctx.actor, &input).await?,
    ))
}

/// My consents given once for all the data-sharing proofs of one case (portal).
#[utoipa::path(get, path = "/api/v1/portal/sharing/case-consents", tag = "sharing", operation_id = "my_case_consents",
    responses((status = 200, body = Vec<sharing::CaseConsent>), (status = 401, body = Problem), (status = 403, body = Problem)))]
async fn my_case_consents(
    State(s): State<AppState>,
    ctx: Ctx,
) -> ApiResult<Json<Vec<sharing::CaseConsent>>> {
    Ok(Json(sharing::my_case_consents(&s.app, &ctx.actor).await?))
}

/// I allow the unit of one of my cases to pull every data-sharing proof of that case, until
/// the consent expires (portal; issue #18 §3).
#[utoipa::path(post, path = "/api/v1/portal/sharing/case-consents", tag = "sharing", operation_id = "give_case_consent",
    request_body = sharing::CaseConsentInput,
    responses((status = 201, body = sharing::CaseConsent), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 422, body = Problem)))]
async fn consent_case(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiJson(input): ApiJson<sharing::CaseConsentInput>,
) -> ApiResult<impl IntoResponse> {
    let c = sharing::consent_case(&s.app, &ctx.actor, &input).await?;
    Ok((StatusCode::CREATED, Json(c)))
}

/// I withdraw a case consent; later pulls need my consent again (portal).
#[utoipa::path(post, path = "/api/v1/portal/sharing/case-consents/{id}/withdraw", tag = "sharing",
    operation_id = "withdraw_case_consent", params(("id" = i64, Path)),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn withdraw_case_consent(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    sharing::withdraw_case_consent(&s.app, &ctx.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// My open cases with data-sharing proofs, each with what a case consent would release.
#[utoipa::path(get, path = "/api/v1/portal/sharing/consentable-cases", tag = "sharing",
    operation_id = "consentable_cases",
    responses((status = 200, body = Vec<sharing::ConsentableCase>), (status = 401, body = Problem), (status = 403, body = Problem)))]
async fn consentable_cases(
    State(s): State<AppState>,
    ctx: Ctx,
) -> ApiResult<Json<Vec<sharing::ConsentableCase>>> {
    Ok(Json(sharing::consentable_cases(&s.app, &ctx.actor).await?))
}
