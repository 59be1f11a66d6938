//! Identity help from staff: a counter clerk issues a citizen's activation code after
//! checking the ID card; a unit admin helps a colleague whose account is protected after
//! repeated login failures (issue #16 items 1b and 2). Both reached from the workbench.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum_extra::extract::Form;
use proofless_app::auth::{self, codes::IssuedCode};
use proofless_app::identity::{self, CounterCode, CounterCodeInput};
use proofless_app::{AppError, local_time, staff};
use proofless_domain::role::Role;
use serde::Deserialize;

use super::forms::{FormErrors, Kept};
use super::session::{page_error, require_staff};
use super::{Layout, render};
use crate::AppState;
use crate::ctx::Ctx;

#[derive(Template)]
#[template(path = "counter_activation.html")]
struct CounterPage {
    layout: Layout,
    /// Errors by their inputs, what was typed (issue #22 point 3).
    errors: FormErrors,
    kept: Kept,
    issued: Option<CounterCode>,
    expires: String,
}

fn counter_page(ctx: &Ctx, errors: FormErrors, issued: Option<CounterCode>) -> CounterPage {
    let expires = issued
        .as_ref()
        .map(|c| local_time(c.expires_at))
        .unwrap_or_default();
    CounterPage {
        layout: Layout::new("开通群众账号", ctx, "/counter/activation"),
        errors,
        kept: Kept::none(),
        issued,
        expires,
    }
}

fn clerk_only(ctx: &Ctx) -> Result<(), AppError> {
    require_staff(ctx)?;
    ctx.actor.require_any(&[Role::CounterClerk])
}

pub async fn counter_page_get(ctx: Ctx) -> Response {
    if let Err(e) = clerk_only(&ctx) {
        return page_error(&ctx, e, "/workbench");
    }
    render(
        StatusCode::OK,
        &counter_page(&ctx, FormErrors::none(), None),
    )
}

#[derive(Deserialize)]
pub struct CounterForm {
    #[serde(default)]
    resident_id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    phone: String,
}

pub async fn counter_submit(
    State(s): State<AppState>,
    ctx: Ctx,
    Form(f): Form<CounterForm>,
) -> Response {
    if let Err(e) = clerk_only(&ctx) {
        return page_error(&ctx, e, "/workbench");
    }
    let kept = Kept::none()
        .with("resident_id", f.resident_id.as_str())
        .with("name", f.name.as_str())
        .with("phone", f.phone.as_str());
    let input = CounterCodeInput {
        resident_id: f.resident_id,
        name: f.name,
        phone: Some(f.phone).filter(|p| !p.trim().is_empty()),
    };
    match identity::issue_counter_code(&s.app, &ctx.actor, input).await {
        Ok(c) => render(
            StatusCode::OK,
            &counter_page(&ctx, FormErrors::none(), Some(c)),
        ),
        Err(e @ AppError::Validation(_)) => {
            let fields = [
                ("resident_id", "resident_id"),
                ("name", "name"),
                ("phone", "phone"),
            ];
            let mut p = counter_page(&ctx, FormErrors::from_error(e, &fields), None);
            p.kept = kept;
            render(p.errors.status(), &p)
        }
        Err(e) => {
            let api = crate::error::ApiError::from(e);
            let mut p = counter_page(&ctx, FormErrors::general(api.detail), None);
            p.kept = kept;
            render(api.status, &p)
        }
    }
}

pub struct HelpRow {
    id: i64,
    name: String,
    username: String,
    protected: bool,
    is_self: bool,
}

#[derive(Template)]
#[template(path = "login_help.html")]
struct HelpPage {
    layout: Layout,
    error: String,
    rows: Vec<HelpRow>,
    issued: Option<IssuedCode>,
    issued_for: String,
    expires: String,
}

/// The admin's unit's staff, with whether each account is protected now.
async fn help_page(s: &AppState, ctx: &Ctx) -> Result<HelpPage, AppError> {
    require_staff(ctx)?;
    ctx.actor.require_any(&[Role::UnitAdmin])?;
    let org = ctx
        .actor
        .org_id
        .ok_or_else(|| AppError::forbidden("没有所属单位"))?;
    let mut rows = vec![];
    for m in staff::list_for_org(&s.app, &ctx.actor, org).await? {
        rows.push(HelpRow {
            protected: auth::needs_second_factor(&s.app, &m.username).await?,
            is_self: ctx.actor.staff_id() == Some(m.id),
            id: m.id,
            name: m.display_name,
            username: m.username,
        });
    }
    Ok(HelpPage {
        layout: Layout::new("登录协助", ctx, "/admin/login-help"),
        error: String::new(),
        rows,
        issued: None,
        issued_for: String::new(),
        expires: String::new(),
    })
}

pub async fn help_get(State(s): State<AppState>, ctx: Ctx) -> Response {
    match help_page(&s, &ctx).await {
        Ok(p) => render(StatusCode::OK, &p),
        Err(e) => page_error(&ctx, e, "/workbench"),
    }
}

/// `code` or `unlock` for one staff member, then the page again with the outcome.
pub async fn help_action(
    State(s): State<AppState>,
    ctx: Ctx,
    Path((id, action)): Path<(i64, String)>,
) -> Response {
    let mut issued = None;
    let done = match action.as_str() {
        "code" => auth::issue_login_code(&s.app, &ctx.actor, id)
            .await
            .map(|c| issued = Some(c)),
        "unlock" => auth::unlock(&s.app, &ctx.actor, id).await,
        _ => Err(AppError::NotFound("操作".to_owned())),
    };
    let mut page = match help_page(&s, &ctx).await {
        Ok(p) => p,
        Err(e) => return page_error(&ctx, e, "/workbench"),
    };
    let status = match done {
        Ok(()) => StatusCode::OK,
        Err(e) => {
            let api = crate::error::ApiError::from(e);
            page.error = api.detail;
            api.status
        }
    };
    page.issued_for = page
        .rows
        .iter()
        .find(|r| r.id == id)
        .map(|r| format!("{}（{}）", r.name, r.username))
        .unwrap_or_default();
    page.expires = issued
        .as_ref()
        .map(|c| local_time(c.expires_at))
        .unwrap_or_default();
    page.issued = issued;
    render(status, &page)
}
