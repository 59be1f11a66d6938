//! The proxy agents' inbox (干部代办, R5.10: A and B see the unit's tasks), recording what was
//! obtained with its scan, the supplement under deficiency acceptance, the scan download,
//! and the unit administrator's late-supplement rule (suspend or refuse, versioned).

use askama::Template;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use proofless_app::cases::{self, LateRuleInput, ProxyTask};
use proofless_app::{AppError, local_time};
use proofless_domain::case::LateRule;
use serde::Deserialize;

use super::forms::{FormErrors, Kept};
use super::session::{page_error, require_staff};
use super::{Layout, render};
use crate::AppState;
use crate::ctx::Ctx;
use crate::upload;

fn problem_text(e: AppError) -> String {
    match e {
        AppError::Validation(errs) => errs
            .into_iter()
            .map(|e| e.message)
            .collect::<Vec<_>>()
            .join("；"),
        other => crate::error::ApiError::from(other).detail,
    }
}

fn with_error(path: &str, e: AppError) -> Response {
    let q = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("error", &problem_text(e))
        .finish();
    Redirect::to(&format!("{path}?{q}")).into_response()
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ErrorQuery {
    error: String,
}

/// One task as the inbox shows it.
pub struct TaskRow {
    t: ProxyTask,
    assigned: String,
    due: String,
    late: bool,
}

#[derive(Template)]
#[template(path = "case_proxy.html")]
struct ProxyPage {
    layout: Layout,
    rows: Vec<TaskRow>,
    total: i64,
    error: String,
}

/// 代办任务: the unit's open proxy tasks, each with the form to record what was obtained.
pub async fn proxy_page(
    State(s): State<AppState>,
    ctx: Ctx,
    axum::extract::Query(qy): axum::extract::Query<ErrorQuery>,
) -> Response {
    if let Err(e) = require_staff(&ctx) {
        return page_error(&ctx, e, "/");
    }
    let page = match cases::proxy_inbox(&s.app, &ctx.actor, 200, 0).await {
        Ok(p) => p,
        Err(e) => return page_error(&ctx, e, "/workbench"),
    };
    let now = s.app.now_ms();
    let rows = page
        .items
        .into_iter()
        .map(|t| TaskRow {
            assigned: t.assigned_at.map(local_time).unwrap_or_default(),
            due: t.due_at.map(local_time).unwrap_or_default(),
            late: t.due_at.is_some_and(|d| d <= now),
            t,
        })
        .collect();
    let status = if qy.error.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(
        status,
        &ProxyPage {
            layout: Layout::new("代办任务", &ctx, "/cases/proxy"),
            rows,
            total: page.total,
            error: qy.error,
        },
    )
}

/// What the proxy agent obtained, or what the applicant supplied: a note and, for a proxy
/// task, the scan. Takes the page's multipart upload (or a plain form without a scan).
pub async fn complete_submit(
    State(s): State<AppState>,
    ctx: Ctx,
    Path((id, item)): Path<(i64, i64)>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let back_case = format!("/cases/{id}");
    let Ok(body) = body else {
        return with_error(&back_case, AppError::field("scan", "扫描件不能超过 512 KB"));
    };
    let (note, scan, back) = if upload::is_multipart(&headers) {
        match upload::read(&headers, body).await {
            Ok(up) => (
                up.text("note"),
                up.file("scan")
                    .filter(|b| !b.is_empty())
                    .map(<[u8]>::to_vec),
                up.text("back"),
            ),
            Err(_) => {
                return with_error(
                    &back_case,
                    AppError::field("scan", "上传内容无法读取，请重新选择扫描件"),
                );
            }
        }
    } else {
        let mut note = String::new();
        let mut back = String::new();
        for (k, v) in url::form_urlencoded::parse(&body) {
            match k.as_ref() {
                "note" => note = v.into_owned(),
                "back" => back = v.into_owned(),
                _ => {}
            }
        }
        (note, None, back)
    };
    let to = if back == "proxy" {
        "/cases/proxy".to_owned()
    } else {
        back_case
    };
    match cases::complete_with(&s.app, &ctx.actor, id, item, &note, scan.as_deref()).await {
        Ok(_) => Redirect::to(&to).into_response(),
        Err(e @ AppError::Unauthenticated) => page_error(&ctx, e, "/"),
        Err(e) if back != "proxy" && !FormErrors::is_access(&e) => {
            // From the case page: the page again, the error by its input, the note kept.
            let (got, file) = (format!("got-{item}"), format!("scanfile-{item}"));
            let errors =
                FormErrors::from_error(e, &[("note", got.as_str()), ("scan", file.as_str())]);
            let kept = Kept::none().with(got.as_str(), note.as_str());
            super::cases::case_view(&s, &ctx, id, errors, kept).await
        }
        Err(e) => with_error(&to, e),
    }
}

/// The scan a proxy agent recorded (staff of the case's unit; the read is audited).
pub async fn scan_download(
    State(s): State<AppState>,
    ctx: Ctx,
    Path((id, item)): Path<(i64, i64)>,
) -> Response {
    if let Err(e) = require_staff(&ctx) {
        return page_error(&ctx, e, "/");
    }
    match cases::scan(&s.app, &ctx.actor, id, item).await {
        Ok(sc) => (
            [
                (header::CONTENT_TYPE, sc.content_type),
                (header::CONTENT_DISPOSITION, "attachment".to_owned()),
            ],
            sc.content,
        )
            .into_response(),
        Err(e) => page_error(&ctx, e, &format!("/cases/{id}")),
    }
}

#[derive(Template)]
#[template(path = "case_late_rule.html")]
struct LateRulePage {
    layout: Layout,
    in_force: String,
    rows: Vec<(i64, String, String, String, String, String)>,
    rules: Vec<(&'static str, &'static str)>,
    admin: bool,
    today: String,
    error: String,
}

/// 容缺受理规则: the unit's rule for a supplement not made in time, its versions, and (for
/// the unit administrator) the form for a new version.
pub async fn late_rule_page(
    State(s): State<AppState>,
    ctx: Ctx,
    axum::extract::Query(qy): axum::extract::Query<ErrorQuery>,
) -> Response {
    if let Err(e) = require_staff(&ctx) {
        return page_error(&ctx, e, "/");
    }
    let r = match cases::late_rules(&s.app, &ctx.actor).await {
        Ok(r) => r,
        Err(e) => return page_error(&ctx, e, "/workbench"),
    };
    let today = local_time(s.app.now_ms()).chars().take(10).collect();
    let status = if qy.error.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(
        status,
        &LateRulePage {
            layout: Layout::new("容缺受理规则", &ctx, "/cases/late-rule"),
            in_force: r.in_force_label,
            rows: r
                .versions
                .into_iter()
                .rev()
                .map(|v| {
                    (
                        v.version,
                        v.rule.label().to_owned(),
                        v.effective_from,
                        v.note,
                        v.created_by,
                        local_time(v.created_at),
                    )
                })
                .collect(),
            rules: LateRule::ALL
                .iter()
                .map(|r| (r.as_str(), r.label()))
                .collect(),
            admin: ctx.actor.has(proofless_domain::role::Role::UnitAdmin),
            today,
            error: qy.error,
        },
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LateRuleForm {
    rule: String,
    effective_from: String,
    note: String,
}

pub async fn late_rule_submit(
    State(s): State<AppState>,
    ctx: Ctx,
    Form(f): Form<LateRuleForm>,
) -> Response {
    let input = LateRuleInput {
        rule: f.rule,
        effective_from: f.effective_from,
        note: f.note,
    };
    match cases::set_late_rule(&s.app, &ctx.actor, &input).await {
        Ok(_) => Redirect::to("/cases/late-rule").into_response(),
        Err(e @ (AppError::Unauthenticated | AppError::Forbidden(_))) => {
            page_error(&ctx, e, "/cases/late-rule")
        }
        Err(e) => with_error("/cases/late-rule", e),
    }
}
