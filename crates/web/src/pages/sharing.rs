//! Pages of data sharing (issue #18): the public data-sharing list, the public verify page of
//! a copy (with its QR code), the citizen's consent page on the portal (preview, allow or
//! decline; one-time codes; outside-city requests), the unit's sharing page and the rendered
//! e-licence / e-proof.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use proofless_app::sharing::{
    self, CodeInput, DecisionInput, EProof, Entry, OutsideInput, OutsideRequest, PendingConsent,
    Pull, ReviewInput, Verification,
};
use proofless_app::{ActorKind, AppError, local_time};
use serde::Deserialize;

use super::forms::{FormErrors, Kept};
use super::session::page_error;
use super::{Layout, render};
use crate::AppState;
use crate::ctx::Ctx;

fn portal_error(ctx: &Ctx, e: AppError, back: &str) -> Response {
    match e {
        AppError::Unauthenticated => Redirect::to("/portal/login").into_response(),
        other => page_error(ctx, other, back),
    }
}

#[derive(Template)]
#[template(path = "sharing_list.html")]
struct ListPage {
    layout: Layout,
    entries: Vec<Entry>,
}

/// The published data-sharing list (public).
pub async fn list_page(State(s): State<AppState>, ctx: Ctx) -> Response {
    match sharing::published(&s.app).await {
        Ok(entries) => render(
            StatusCode::OK,
            &ListPage {
                layout: Layout::new("数据共享清单", &ctx, "/sharing/list"),
                entries,
            },
        ),
        Err(e) => page_error(&ctx, e, "/"),
    }
}

#[derive(Template)]
#[template(path = "sharing_verify.html")]
struct VerifyPage {
    layout: Layout,
    v: Verification,
    valid: bool,
    extracted: String,
}

/// The public verify page of a copy (no login): validity, issuer, kind, the extract stamp and
/// the masked name only.
pub async fn verify_page(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
) -> Response {
    match sharing::verify(&s.app, &code).await {
        Ok(v) => render(
            StatusCode::OK,
            &VerifyPage {
                layout: Layout::new("电子证照证明验证", &ctx, "/verify"),
                valid: v.validity == proofless_domain::sharing::Validity::Valid,
                extracted: local_time(v.extracted_at),
                v,
            },
        ),
        Err(e) => page_error(&ctx, e, "/"),
    }
}

/// The QR code of a copy's verify address (SVG).
pub async fn qr(State(s): State<AppState>, ctx: Ctx, Path(code): Path<String>) -> Response {
    let code = code.trim_end_matches(".svg").to_ascii_uppercase();
    if !proofless_domain::sharing::short_code_ok(&code) {
        return page_error(&ctx, AppError::NotFound("验证码".into()), "/");
    }
    let url = format!("{}/verify/{code}", s.app.settings.public_base_url);
    match sharing::qr_svg(&url) {
        Ok(svg) => ([(header::CONTENT_TYPE, "image/svg+xml")], svg).into_response(),
        Err(e) => page_error(&ctx, e, "/"),
    }
}

#[derive(Template)]
#[template(path = "sharing_portal.html")]
struct PortalPage {
    layout: Layout,
    pending: Vec<PendingConsent>,
    eproofs: Vec<EProof>,
    outside: Vec<OutsideRequest>,
    /// (value `org:item`, label) of every unit a code can be given to.
    grants: Vec<(String, String)>,
    /// Items of the county library that can be asked for outside the city.
    items: Vec<(i64, String)>,
    code: Option<(String, String)>,
    consentable: Vec<sharing::ConsentableCase>,
    case_consents: Vec<sharing::CaseConsent>,
    /// A refused request for use outside the city: errors by their inputs, what was typed
    /// (issue #22 point 3).
    errors: FormErrors,
    kept: Kept,
}

#[derive(Deserialize, Default)]
pub struct PortalQuery {
    code: Option<String>,
    code_for: Option<String>,
}

async fn portal_data(s: &AppState, ctx: &Ctx, q: PortalQuery) -> Result<PortalPage, AppError> {
    let a = &ctx.actor;
    let entries = sharing::published(&s.app).await?;
    let mut grants = vec![];
    let mut items = vec![];
    for e in &entries {
        if e.source == proofless_domain::sharing::SharingSource::CountyLibrary {
            items.push((e.proof_item_id, e.proof_item_name.clone()));
        }
        let mut seen = std::collections::BTreeSet::new();
        for g in &e.grants {
            if seen.insert(g.org_id) {
                grants.push((
                    format!("{}:{}", g.org_id, e.proof_item_id),
                    format!("{}：{}", g.org_name, e.proof_item_name),
                ));
            }
        }
    }
    Ok(PortalPage {
        layout: Layout::new("数据共享授权", ctx, "/portal/sharing"),
        pending: sharing::my_pending(&s.app, a).await?,
        eproofs: sharing::my_eproofs(&s.app, a).await?,
        outside: sharing::my_requests(&s.app, a).await?,
        grants,
        items,
        code: q.code.zip(q.code_for),
        consentable: sharing::consentable_cases(&s.app, a).await?,
        case_consents: sharing::my_case_consents(&s.app, a).await?,
        errors: FormErrors::none(),
        kept: Kept::none(),
    })
}

/// The citizen's sharing page: pulls waiting with their preview, codes, documents.
pub async fn portal_page(
    State(s): State<AppState>,
    ctx: Ctx,
    axum::extract::Query(q): axum::extract::Query<PortalQuery>,
) -> Response {
    if ctx.actor.kind != ActorKind::Portal {
        return Redirect::to("/portal/login").into_response();
    }
    match portal_data(&s, &ctx, q).await {
        Ok(p) => render(StatusCode::OK, &p),
        Err(e) => portal_error(&ctx, e, "/portal"),
    }
}

#[derive(Deserialize)]
pub struct DecisionForm {
    /// `yes` to allow, anything else declines.
    allow: String,
}

pub async fn decide_submit(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<DecisionForm>,
) -> Response {
    let input = DecisionInput {
        allow: f.allow == "yes",
    };
    match sharing::decide(&s.app, &ctx.actor, &id, &input).await {
        Ok(_) => Redirect::to("/portal/sharing#done").into_response(),
        Err(e) => portal_error(&ctx, e, "/portal/sharing"),
    }
}

#[derive(Deserialize)]
pub struct CodeForm {
    /// `org_id:proof_item_id`.
    grant: String,
}

pub async fn code_submit(State(s): State<AppState>, ctx: Ctx, Form(f): Form<CodeForm>) -> Response {
    let mut parts = f.grant.split(':').map(|p| p.parse::<i64>().unwrap_or(0));
    let input = CodeInput {
        org_id: parts.next().unwrap_or(0),
        proof_item_id: parts.next().unwrap_or(0),
    };
    match sharing::create_code(&s.app, &ctx.actor, &input).await {
        Ok(c) => {
            let label = format!("{}：{}", c.org_name, c.proof_item_name);
            let q: String = url::form_urlencoded::Serializer::new(String::new())
                .append_pair("code", &c.code)
                .append_pair("code_for", &label)
                .finish();
            Redirect::to(&format!("/portal/sharing?{q}#code")).into_response()
        }
        Err(e) => portal_error(&ctx, e, "/portal/sharing"),
    }
}

#[derive(Deserialize)]
pub struct OutsideForm {
    proof_item_id: i64,
    destination: String,
    purpose: String,
}

pub async fn outside_submit(
    State(s): State<AppState>,
    ctx: Ctx,
    Form(f): Form<OutsideForm>,
) -> Response {
    let kept = Kept::none()
        .with("outside-item", f.proof_item_id.to_string())
        .with("destination", f.destination.as_str())
        .with("outside-purpose", f.purpose.as_str());
    let input = OutsideInput {
        proof_item_id: f.proof_item_id,
        destination: f.destination,
        purpose: f.purpose,
    };
    match sharing::request_outside(&s.app, &ctx.actor, &input).await {
        Ok(_) => Redirect::to("/portal/sharing#outside").into_response(),
        Err(e) if FormErrors::is_access(&e) => portal_error(&ctx, e, "/portal/sharing"),
        Err(e) => {
            // The page again, the error by its input, what was typed kept.
            let fields = [
                ("proof_item_id", "outside-item"),
                ("destination", "destination"),
                ("purpose", "outside-purpose"),
            ];
            match portal_data(&s, &ctx, PortalQuery::default()).await {
                Ok(mut p) => {
                    p.errors = FormErrors::from_error(e, &fields);
                    p.kept = kept;
                    render(p.errors.status(), &p)
                }
                Err(e) => portal_error(&ctx, e, "/portal/sharing"),
            }
        }
    }
}

#[derive(Template)]
#[template(path = "sharing_staff.html")]
struct StaffPage {
    layout: Layout,
    entries: Vec<Entry>,
    reviewer: bool,
    eproofs: Vec<EProof>,
    pulls: Vec<Pull>,
    outside: Vec<(OutsideRequest, String)>,
}

/// The unit's sharing page: its list entries (the joint office: all, with review), its
/// issued documents, its pulls and the outside-city inbox.
pub async fn staff_page(State(s): State<AppState>, ctx: Ctx) -> Response {
    let a = &ctx.actor;
    if a.kind != ActorKind::Staff {
        return Redirect::to("/login").into_response();
    }
    let entries = match sharing::entries(&s.app, a).await {
        Ok(e) => e,
        Err(e) => return page_error(&ctx, e, "/workbench"),
    };
    let eproofs = sharing::eproofs_of_unit(&s.app, a, 50, 0)
        .await
        .map(|p| p.0)
        .unwrap_or_default();
    let pulls = sharing::pulls_of_unit(&s.app, a, 50, 0)
        .await
        .map(|p| p.0)
        .unwrap_or_default();
    let outside = sharing::inbox(&s.app, a)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|r| {
            let due = local_time(r.due_at);
            (r, due)
        })
        .collect();
    render(
        StatusCode::OK,
        &StaffPage {
            layout: Layout::new("数据共享", &ctx, "/sharing"),
            reviewer: a.has(proofless_domain::role::Role::JointOffice),
            entries,
            eproofs,
            pulls,
            outside,
        },
    )
}

#[derive(Deserialize)]
pub struct ReviewForm {
    approve: String,
    #[serde(default)]
    note: String,
}

pub async fn review_submit(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<ReviewForm>,
) -> Response {
    let input = ReviewInput {
        approve: f.approve == "yes",
        note: f.note,
    };
    match sharing::review(&s.app, &ctx.actor, id, &input).await {
        Ok(_) => Redirect::to("/sharing").into_response(),
        Err(e) => page_error(&ctx, e, "/sharing"),
    }
}

#[derive(Template)]
#[template(path = "sharing_eproof.html")]
struct EProofPage {
    layout: Layout,
    e: EProof,
    rows: Vec<(String, String)>,
    issued: String,
}

/// The rendered document (HTML) with its QR code and short code.
pub async fn eproof_page(State(s): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Response {
    let portal = ctx.actor.kind == ActorKind::Portal;
    let e = match sharing::eproof(&s.app, &ctx.actor, id).await {
        Ok(e) => e,
        Err(e) => return portal_error(&ctx, e, "/"),
    };
    let rows = e
        .fields
        .iter()
        .map(|f| {
            let v = match &e.data[&f.key] {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Null => String::new(),
                other => other.to_string(),
            };
            (f.label.clone(), v)
        })
        .collect();
    let path = if portal {
        "/portal/sharing"
    } else {
        "/sharing"
    };
    render(
        StatusCode::OK,
        &EProofPage {
            layout: Layout::new(&e.kind_label.clone(), &ctx, path),
            issued: local_time(e.issued_at),
            rows,
            e,
        },
    )
}

#[derive(Template)]
#[template(path = "sharing_pull_new.html")]
struct PullNewPage {
    layout: Layout,
    case_id: i64,
    case_no: String,
    service_name: String,
    applicant_name: String,
    /// The applicant is a person (only persons' data are pulled here).
    person: bool,
    proof_id: i64,
    proof_name: String,
    proof_state: String,
    purpose: String,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct PullNewQuery {
    /// The case's number (办件编号, as the case page links it) or its id.
    case: String,
    proof: i64,
}

/// The case and its proof for the counter's pull page (the case read is audited).
async fn pull_form(
    s: &AppState,
    ctx: &Ctx,
    case_id: i64,
    proof: i64,
    error: Option<String>,
    purpose: Option<String>,
) -> Result<PullNewPage, AppError> {
    super::session::require_staff(ctx)?;
    let c = proofless_app::cases::get(&s.app, &ctx.actor, case_id).await?;
    let p = c
        .proofs
        .iter()
        .find(|p| p.proof_item_id == proof)
        .ok_or_else(|| AppError::NotFound(format!("办件 {} 中的证明事项 {proof}", c.case_no)))?;
    Ok(PullNewPage {
        layout: Layout::new("数据调取", ctx, "/sharing"),
        purpose: purpose
            .unwrap_or_else(|| format!("办理“{}”核对{}", c.service_item_name, p.proof_item_name)),
        person: c.applicant_kind == proofless_domain::case::ApplicantKind::Person,
        case_id: c.id,
        case_no: c.case_no.clone(),
        service_name: c.service_item_name.clone(),
        applicant_name: c.applicant_name.clone(),
        proof_id: proof,
        proof_name: p.proof_item_name.clone(),
        proof_state: p.state.label().to_owned(),
        error,
    })
}

/// The counter's pull page for one proof of a case (`?case={case id}&proof={proof item id}`):
/// the applicant and the proof, the consent code or a portal consent request.
pub async fn pull_new_page(
    State(s): State<AppState>,
    ctx: Ctx,
    axum::extract::Query(q): axum::extract::Query<PullNewQuery>,
) -> Response {
    let page = match sharing::case_ref(&s.app, &ctx.actor, &q.case).await {
        Ok(case_id) => pull_form(&s, &ctx, case_id, q.proof, None, None).await,
        Err(e) => Err(e),
    };
    match page {
        Ok(p) => render(StatusCode::OK, &p),
        Err(e) => page_error(&ctx, e, "/cases"),
    }
}

#[derive(Deserialize)]
pub struct PullForm {
    case: i64,
    proof: i64,
    purpose: String,
    #[serde(default)]
    subject_name: String,
    #[serde(default)]
    consent_code: String,
    /// `code`: with the applicant's code; `portal`: ask the applicant on the portal.
    mode: String,
}

/// Pulls for the case's proof; a refusal or a bad code shows the form again with the reason.
pub async fn pull_submit(State(s): State<AppState>, ctx: Ctx, Form(f): Form<PullForm>) -> Response {
    let c = match super::session::require_staff(&ctx) {
        Ok(()) => proofless_app::cases::detail(&s.app, f.case).await,
        Err(e) => Err(e),
    };
    let c = match c {
        Ok(c) if ctx.actor.require_see_org(c.org_id).is_ok() => c,
        Ok(_) => {
            return page_error(
                &ctx,
                AppError::NotFound(format!("办件 {}", f.case)),
                "/cases",
            );
        }
        Err(e) => return page_error(&ctx, e, "/cases"),
    };
    let code = (f.mode == "code").then(|| f.consent_code.trim().to_owned());
    if f.mode == "code" && code.as_deref().is_none_or(str::is_empty) {
        return match pull_form(
            &s,
            &ctx,
            f.case,
            f.proof,
            Some("请填写申请人提供的8位授权码，或选择“请申请人在门户确认”".into()),
            Some(f.purpose),
        )
        .await
        {
            Ok(p) => render(StatusCode::UNPROCESSABLE_ENTITY, &p),
            Err(e) => page_error(&ctx, e, "/cases"),
        };
    }
    let input = sharing::PullInput {
        subject_id: c.applicant.clone(),
        subject_name: Some(f.subject_name.clone()).filter(|n| !n.trim().is_empty()),
        proof_item_id: f.proof,
        case_id: c.id,
        service_code: c.service_item_code.clone(),
        purpose: f.purpose.clone(),
        consent_code: code,
    };
    match sharing::pull(&s.app, &ctx.actor, &input).await {
        Ok(p) => Redirect::to(&format!("/sharing/pulls/{}", p.id)).into_response(),
        Err(e @ (AppError::Forbidden(_) | AppError::Validation(_) | AppError::Conflict(_))) => {
            let api = crate::error::ApiError::from(e);
            let status = api.status;
            match pull_form(&s, &ctx, f.case, f.proof, Some(api.detail), Some(f.purpose)).await {
                Ok(p) => render(status, &p),
                Err(e) => page_error(&ctx, e, "/cases"),
            }
        }
        Err(e) => page_error(&ctx, e, &format!("/cases/{}", f.case)),
    }
}

#[derive(Template)]
#[template(path = "sharing_pull.html")]
struct PullPage {
    layout: Layout,
    p: Pull,
    created: String,
    awaiting: bool,
}

/// One pull of the unit: its outcome and next step, the released data.
pub async fn pull_page(State(s): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Response {
    if let Err(e) = super::session::require_staff(&ctx) {
        return page_error(&ctx, e, "/");
    }
    match sharing::get_pull(&s.app, &ctx.actor, &id).await {
        Ok(p) => render(
            StatusCode::OK,
            &PullPage {
                layout: Layout::new("数据调取结果", &ctx, "/sharing"),
                created: local_time(p.created_at),
                awaiting: p.outcome == proofless_domain::sharing::PullOutcome::AwaitingConsent,
                p,
            },
        ),
        Err(e) => page_error(&ctx, e, "/sharing"),
    }
}

#[derive(Deserialize)]
pub struct CaseConsentForm {
    case_id: i64,
}

pub async fn case_consent_submit(
    State(s): State<AppState>,
    ctx: Ctx,
    Form(f): Form<CaseConsentForm>,
) -> Response {
    let input = sharing::CaseConsentInput { case_id: f.case_id };
    match sharing::consent_case(&s.app, &ctx.actor, &input).await {
        Ok(_) => Redirect::to("/portal/sharing#case-consent").into_response(),
        Err(e) => portal_error(&ctx, e, "/portal/sharing"),
    }
}

pub async fn case_consent_withdraw(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Response {
    match sharing::withdraw_case_consent(&s.app, &ctx.actor, id).await {
        Ok(()) => Redirect::to("/portal/sharing#case-consent").into_response(),
        Err(e) => portal_error(&ctx, e, "/portal/sharing"),
    }
}
