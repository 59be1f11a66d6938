//! The justice bureau's review of commitment letter templates (R1.4 applied to templates,
//! R4.1): the queue a notification links to (issue #22 §2: `/commitments/templates` used to
//! answer 400), each template's five parts, approve or return with remarks.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use proofless_app::commitment::ReviewInput;
use proofless_app::commitment::templates::{self, Template as CommitmentTemplate};
use proofless_domain::role::Role;
use serde::Deserialize;

use super::forms::{FormErrors, Kept};
use super::session::{page_error, require_staff};
use super::{Layout, render};
use crate::AppState;
use crate::ctx::Ctx;

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[derive(Template)]
#[template(path = "commitment_templates.html")]
struct TemplatesPage {
    layout: Layout,
    message: String,
    templates: Vec<CommitmentTemplate>,
    can_review: bool,
    /// A refused review: the error by its input, the remarks kept (issue #22 point 3).
    errors: FormErrors,
    kept: Kept,
}

impl TemplatesPage {
    /// The id of the remarks input of template `id`.
    fn remarks_id(&self, id: &i64) -> String {
        format!("remarks-{id}")
    }
}

#[derive(Deserialize, Default)]
pub struct Msg {
    msg: Option<String>,
}

/// Templates waiting for legal review (the reviewer), or the actor's templates in review.
pub async fn templates_page(State(s): State<AppState>, ctx: Ctx, Query(m): Query<Msg>) -> Response {
    let message = m.msg.unwrap_or_default();
    templates_view(&s, &ctx, message, FormErrors::none(), Kept::none()).await
}

async fn templates_view(
    s: &AppState,
    ctx: &Ctx,
    message: String,
    errors: FormErrors,
    kept: Kept,
) -> Response {
    if let Err(e) = require_staff(ctx) {
        return page_error(ctx, e, "/");
    }
    match templates::list(&s.app, &ctx.actor, Some("submitted")).await {
        Ok(templates) => render(
            errors.status(),
            &TemplatesPage {
                layout: Layout::new("告知承诺书格式文本审查", ctx, "/commitments/templates"),
                message,
                templates,
                can_review: ctx.actor.has(Role::LegalReviewer),
                errors,
                kept,
            },
        ),
        Err(e) => page_error(ctx, e, "/workbench"),
    }
}

#[derive(Deserialize, Default)]
pub struct ReviewForm {
    #[serde(default)]
    verdict: String,
    #[serde(default)]
    remarks: String,
    #[serde(default)]
    version: i64,
}

/// Approves or returns one template.
pub async fn review_submit(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<ReviewForm>,
) -> Response {
    let remarks = format!("remarks-{id}");
    let kept = Kept::none().with(remarks.as_str(), f.remarks.as_str());
    let input = ReviewInput {
        verdict: f.verdict,
        remarks: f.remarks,
    };
    match templates::review(&s.app, &ctx.actor, id, f.version, &input).await {
        Ok(t) => Redirect::to(&format!(
            "/commitments/templates?msg={}",
            enc(&format!(
                "“{}”第{}版：{}",
                t.proof_item_name,
                t.number,
                t.stage.label()
            ))
        ))
        .into_response(),
        Err(e) if FormErrors::is_access(&e) => page_error(&ctx, e, "/commitments/templates"),
        Err(e) => {
            let fields = [("remarks", remarks.as_str()), ("verdict", remarks.as_str())];
            let errors = FormErrors::from_error(e, &fields);
            templates_view(&s, &ctx, String::new(), errors, kept).await
        }
    }
}
