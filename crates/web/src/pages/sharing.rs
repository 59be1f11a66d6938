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
    let input = OutsideInput {
        proof_item_id: f.proof_item_id,
        destination: f.destination,
        purpose: f.purpose,
    };
    match sharing::request_outside(&s.app, &ctx.actor, &input).await {
        Ok(_) => Redirect::to("/portal/sharing#outside").into_response(),
        Err(e) => portal_error(&ctx, e, "/portal/sharing"),
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
