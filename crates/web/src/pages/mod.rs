//! Server-rendered pages (zh-CN): public home, logins, workbench, administration, portal.

mod accountability;
mod adjustment;
mod admin;
mod cases;
mod cases_tasks;
mod catalogue;
mod catalogue_edit;
mod commitment;
mod complaints;
mod deadlines;
mod forms;
mod furniture;
mod identity;
mod joint;
mod layout;
mod next;
mod policy;
mod portal;
mod readable;
mod sealed;
mod session;
mod sharing;
mod supervision;
mod synonyms;
mod templates_review;
mod verification;

use askama::Template;
use axum::Router;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};

pub use forms::flash_layer;
pub use layout::{Layout, Message};

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(session::home))
        .route(
            "/login",
            get(session::login_page).post(session::login_submit),
        )
        .route("/logout", post(session::logout))
        .route("/complaints", get(complaints::list))
        .route(
            "/complaints/new",
            get(complaints::public_form).post(complaints::public_submit),
        )
        .route(
            "/complaints/track",
            get(complaints::track_form).post(complaints::track_submit),
        )
        .route("/complaints/satisfaction", post(complaints::rate_submit))
        .route("/complaints/channels", get(complaints::channels))
        .route("/portal/complaints", get(complaints::mine_page))
        .route(
            "/complaints/register",
            get(complaints::register_form).post(complaints::register_submit),
        )
        .route("/complaints/figures", get(complaints::figures_page))
        .route("/complaints/{id}", get(complaints::detail))
        .route("/complaints/{id}/act/{what}", post(complaints::act))
        .route("/workbench", get(session::workbench))
        .route("/joint", get(joint::joint_page))
        .route("/joint/new", post(joint::create_meeting))
        .route("/joint/members", post(joint::add_member))
        .route("/joint/liaisons", post(joint::file_liaison))
        .route("/joint/meetings/{id}", get(joint::meeting_page))
        .route("/joint/meetings/{id}/minutes.pdf", get(joint::minutes_pdf))
        .route("/joint/meetings/{id}/{action}", post(joint::meeting_action))
        .route("/joint/decisions", get(joint::decisions_page))
        .route(
            "/joint/decisions/{id}",
            get(joint::decision_page).post(joint::progress_submit),
        )
        .route(
            "/joint/training",
            get(joint::training_page).post(joint::training_submit),
        )
        .route("/risks", get(joint::risks_page))
        .route("/risks/{id}/retire", post(joint::risk_retire))
        .route("/risks/act/{action}", post(joint::risk_action))
        .route("/accountability", get(accountability::list_page))
        .route("/accountability/new", post(accountability::create_submit))
        .route("/accountability/{id}", get(accountability::case_page))
        .route(
            "/accountability/{id}/{action}",
            post(accountability::action_submit),
        )
        .route(
            "/transparency/accountability",
            get(accountability::public_page),
        )
        .route("/supervision", get(supervision::dashboard_page))
        .route("/supervision/checks", get(supervision::checks_page))
        .route("/supervision/draws", post(supervision::draw_submit))
        .route("/supervision/draws/{id}", get(supervision::draw_page))
        .route(
            "/supervision/inspections/new",
            post(supervision::inspection_submit),
        )
        .route(
            "/supervision/inspections/{id}",
            get(supervision::inspection_page),
        )
        .route(
            "/supervision/inspections/{id}/{action}",
            post(supervision::inspection_action),
        )
        .route("/supervision/{name}", get(supervision::download))
        .route("/transparency/supervision", get(supervision::public_page))
        .route("/cases", get(cases::list_page))
        .route("/cases/new", get(cases::new_page).post(cases::new_submit))
        .route("/cases/{id}", get(cases::case_page))
        .route("/cases/{id}/decision", post(cases::decision_submit))
        .route("/cases/{id}/demand", post(cases::demand_submit))
        .route(
            "/cases/{id}/proofs/{item}/resolve",
            post(cases::resolve_submit),
        )
        .route(
            "/cases/{id}/proofs/{item}/complete",
            post(cases_tasks::complete_submit),
        )
        .route("/cases/proxy", get(cases_tasks::proxy_page))
        .route(
            "/cases/late-rule",
            get(cases_tasks::late_rule_page).post(cases_tasks::late_rule_submit),
        )
        .route(
            "/cases/{id}/proofs/{item}/scan",
            get(cases_tasks::scan_download),
        )
        .route(
            "/cases/{id}/proofs/{item}/commit",
            post(cases::commit_submit),
        )
        .route("/portal/cases", get(cases::mine_page))
        .route(
            "/portal/cases/start",
            get(cases::start_page).post(cases::start_submit),
        )
        .route("/portal/cases/{id}", get(cases::portal_case))
        .route("/admin/orgs", get(admin::orgs).post(admin::create_org))
        .route("/admin/orgs/{id}", get(admin::org))
        .route("/admin/orgs/{id}/staff", post(admin::create_staff))
        .route("/admin/registry", get(admin::registry))
        .route("/admin/audit", get(admin::audit))
        .route("/portal", get(portal::home))
        .route("/portal/access-log", get(portal::access_log_page))
        .route(
            "/portal/login",
            get(portal::login_page).post(portal::login_submit),
        )
        .route(
            "/portal/register",
            get(portal::register_page).post(portal::register_submit),
        )
        .route("/portal/logout", post(portal::logout))
        .route("/portal/activation-sms", post(portal::sms_submit))
        .route("/portal/oidc/start", get(portal::oidc_start))
        .route("/portal/oidc/callback", get(portal::oidc_callback))
        .route(
            "/counter/activation",
            get(identity::counter_page_get).post(identity::counter_submit),
        )
        .route("/admin/login-help", get(identity::help_get))
        .route(
            "/admin/login-help/{id}/{action}",
            post(identity::help_action),
        )
        .route("/admin/calendar", get(deadlines::calendar_admin))
        .route("/admin/calendar/import", post(deadlines::calendar_import))
        .route(
            "/admin/calendar/overrides",
            post(deadlines::calendar_override),
        )
        .route("/overdue", get(deadlines::overdue))
        .route("/deadlines/{id}", get(deadlines::deadline))
        .route("/notifications", get(deadlines::notifications_page))
        .route(
            "/notifications/{id}/read",
            post(deadlines::notification_read),
        )
        .route("/sealed/{id}", get(sealed::page))
        .route("/proofs", get(catalogue::search_page))
        .route("/proofs/results", get(catalogue::search_results))
        .route("/proofs/items/{id}", get(catalogue::item_page))
        .route(
            "/proofs/items/{id}/comments",
            post(adjustment::comment_submit),
        )
        .route(
            "/adjustments",
            get(adjustment::list_page).post(adjustment::file_submit),
        )
        .route("/adjustments/events", post(adjustment::event_submit))
        .route("/adjustments/voice", get(adjustment::voice_page))
        .route("/adjustments/voice/{id}", post(adjustment::moderate_submit))
        .route("/adjustments/synonyms", post(adjustment::synonym_submit))
        .route(
            "/search-synonyms",
            get(synonyms::synonyms_page).post(synonyms::add_submit),
        )
        .route("/search-synonyms/remove", post(synonyms::remove_submit))
        .route("/adjustments/{id}", get(adjustment::detail_page))
        .route(
            "/adjustments/{id}/attachments",
            post(adjustment::attach_submit),
        )
        .route(
            "/adjustments/{id}/do/{action}",
            post(adjustment::action_submit),
        )
        .route("/proofs/services/{code}", get(catalogue::service_page))
        .route("/proofs/versions", get(catalogue::versions_page))
        .route("/proofs/versions/{id}", get(catalogue::version_page))
        .route("/proofs/diff", get(catalogue::diff_page))
        .route("/catalogue/items", get(catalogue::items_page))
        .route("/catalogue/items/{id}/submit", post(catalogue::submit_item))
        .route("/catalogue/review", get(catalogue::review_page))
        .route("/catalogue/review/{id}", post(catalogue::review_submit))
        .route("/catalogue/lists", get(catalogue::lists_page))
        .route("/catalogue/lists/prepare", post(catalogue::prepare_submit))
        .route(
            "/catalogue/lists/{id}/approve",
            post(catalogue::approve_submit),
        )
        .route(
            "/catalogue/lists/{id}/publish",
            post(catalogue::publish_submit),
        )
        .route(
            "/catalogue/items/new",
            get(catalogue_edit::new_page).post(catalogue_edit::create_submit),
        )
        .route(
            "/catalogue/items/{id}/edit",
            get(catalogue_edit::edit_page).post(catalogue_edit::edit_submit),
        )
        .route(
            "/catalogue/import",
            get(catalogue_edit::import_page).post(catalogue_edit::import_submit),
        )
        .route(
            "/catalogue/import/template.xlsx",
            get(catalogue_edit::import_template),
        )
        .merge(verification::router())
        .merge(sharing_routes())
        .merge(commitment_routes())
        .route("/policy", get(policy::policy_page))
        .route("/policy/{key}", post(policy::version_submit))
        .merge(furniture::router())
        .layer(axum::middleware::from_fn(next::remember))
}

fn sharing_routes() -> Router<AppState> {
    Router::new()
        .route("/sharing", get(sharing::staff_page))
        .route("/sharing/list", get(sharing::list_page))
        .route("/sharing/entries/{id}/review", post(sharing::review_submit))
        .route("/sharing/eproofs/{id}", get(sharing::eproof_page))
        .route("/verify/{code}", get(sharing::verify_page))
        .route("/verify/{code}/qr.svg", get(sharing::qr))
        .route("/portal/sharing", get(sharing::portal_page))
        .route("/portal/sharing/eproofs/{id}", get(sharing::eproof_page))
        .route(
            "/portal/sharing/consents/{id}",
            post(sharing::decide_submit),
        )
        .route("/portal/sharing/codes", post(sharing::code_submit))
        .route("/portal/sharing/outside", post(sharing::outside_submit))
        .route(
            "/sharing/pulls/new",
            get(sharing::pull_new_page).post(sharing::pull_submit),
        )
        .route("/sharing/pulls/{id}", get(sharing::pull_page))
        .route(
            "/portal/sharing/case-consents",
            post(sharing::case_consent_submit),
        )
        .route(
            "/portal/sharing/case-consents/{id}/withdraw",
            post(sharing::case_consent_withdraw),
        )
}

fn commitment_routes() -> Router<AppState> {
    Router::new()
        .route(
            "/portal/commitments",
            get(commitment::mine_page).post(commitment::sign_submit),
        )
        .route("/portal/commitments/new", get(commitment::sign_page))
        .route("/portal/commitments/{id}", get(commitment::letter_page))
        .route(
            "/portal/commitments/{id}/withdraw",
            post(commitment::withdraw_submit),
        )
        .route(
            "/portal/proposals/{id}/objection",
            post(commitment::objection_submit),
        )
        .route(
            "/portal/credit/repair",
            post(commitment::repair_request_submit),
        )
        .route("/commitments", get(commitment::unit_page))
        .route(
            "/commitments/templates",
            get(templates_review::templates_page),
        )
        .route(
            "/commitments/templates/{id}/review",
            post(templates_review::review_submit),
        )
        .route("/commitments/checks", get(commitment::checks_page))
        .route("/commitments/figures", get(commitment::figures_page))
        .route("/commitments/{id}", get(commitment::letter_page))
        .route("/commitments/{id}/check", post(commitment::check_submit))
        .route(
            "/commitments/{id}/withdraw",
            post(commitment::withdraw_submit),
        )
        .route("/credit", get(commitment::credit_page))
        .route(
            "/credit/proposals/{id}/decision",
            post(commitment::decide_submit),
        )
        .route(
            "/credit/repairs/{id}/decision",
            post(commitment::repair_submit),
        )
}

/// Whether htmx sent the request (`HX-Request: true`): it swaps in a page's fragment, so it
/// gets the fragment alone.
#[derive(Debug, Clone, Copy, Default)]
pub struct Hx(pub bool);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Hx {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(Hx(parts
            .headers
            .get("hx-request")
            .is_some_and(|v| v.as_bytes() == b"true")))
    }
}

/// A page with a part htmx replaces on its own (the search results as the citizen types).
/// The full template shows the fragment with `{{ fragment|safe }}`.
pub trait WithFragment: Template {
    type Fragment: Template;
    fn fragment(&self) -> &Self::Fragment;
}

/// The full page, or for htmx only its fragment: the one place that choice is made.
pub fn render_page<T: WithFragment>(hx: Hx, status: StatusCode, page: &T) -> Response {
    if hx.0 {
        render(status, page.fragment())
    } else {
        render(status, page)
    }
}

/// Render a template, or a plain error page if rendering itself fails.
pub fn render<T: Template>(status: StatusCode, t: &T) -> Response {
    match t.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template error");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                Html("<h1>页面生成失败</h1>".to_owned()),
            )
                .into_response()
        }
    }
}

/// The page for an address whose id, query or form value does not parse (axum's
/// rejection, rewritten by `error::problem_layer`), said in plain Chinese.
pub fn bad_address_page(status: StatusCode) -> Response {
    let (heading, text) = if status == StatusCode::PAYLOAD_TOO_LARGE {
        (
            "提交内容过大",
            "提交的内容超过了允许的大小，请缩小文件后重试。",
        )
    } else if status == StatusCode::NOT_FOUND {
        ("页面不存在", "您访问的页面不存在或已被移除。")
    } else {
        (
            "网址无效",
            "您打开的网址有误：其中的编号或查询条件无法识别。请从页面上的链接重新进入。",
        )
    };
    let m = Message {
        layout: Layout::bare(heading),
        heading: heading.to_owned(),
        text: text.to_owned(),
        back: "/".to_owned(),
    };
    render(status, &m)
}

pub fn not_found_page() -> Response {
    let m = Message {
        layout: Layout::bare("页面不存在"),
        heading: "页面不存在".to_owned(),
        text: "您访问的页面不存在或已被移除。".to_owned(),
        back: "/".to_owned(),
    };
    render(StatusCode::NOT_FOUND, &m)
}
