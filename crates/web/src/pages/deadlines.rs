//! Pages of the calendar and the deadline engine: the calendar admin page, the overdue view,
//! a deadline's record and the notifications list.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use proofless_app::calendar::{
    self, CalendarDay, CalendarYear, ImportInput, OverrideInput, YearStatus,
};
use proofless_app::deadlines::{self, DeadlineView, DueItem, Scope};
use proofless_app::notifications::{self, Notification};
use std::collections::HashMap;

use proofless_app::actor::Actor;
use proofless_app::verification;
use proofless_app::{App, AppError, local_time};
use proofless_domain::calendar::YearOrigin;
use proofless_domain::deadline::SubjectType;
use proofless_domain::role::Role;
use serde::Deserialize;

use super::session::{page_error, require_staff};
use super::{Layout, render};
use crate::AppState;
use crate::ctx::Ctx;

pub struct DayRow {
    day: String,
    kind: &'static str,
    name: String,
    source: String,
    created_by: String,
}

fn day_row(d: CalendarDay) -> DayRow {
    DayRow {
        kind: d.kind.label(),
        day: d.day.to_string(),
        name: d.name,
        source: d.source,
        created_by: d.created_by,
    }
}

pub struct YearRow {
    year: i64,
    notice: String,
    published: String,
    origin: &'static str,
    loaded_by: String,
    loaded_at: String,
    entries: i64,
}

#[derive(Template)]
#[template(path = "calendar.html")]
struct CalendarPage {
    layout: Layout,
    years: Vec<YearRow>,
    statuses: Vec<YearStatus>,
    missing: Vec<i32>,
    overrides: Vec<DayRow>,
    can_edit: bool,
    error: String,
    message: String,
    version: String,
}

async fn calendar_page(
    s: &AppState,
    ctx: &Ctx,
    error: String,
    message: String,
    status: StatusCode,
) -> Response {
    if let Err(e) = require_staff(ctx) {
        return page_error(ctx, e, "/");
    }
    let years = match calendar::years(&s.app).await {
        Ok(y) => y,
        Err(e) => return page_error(ctx, e, "/workbench"),
    };
    let overrides = calendar::days(&s.app, None, true).await.unwrap_or_default();
    let statuses = calendar::year_statuses(&s.app);
    let missing = statuses
        .iter()
        .filter(|y| !y.complete)
        .map(|y| y.year)
        .collect();
    let page = CalendarPage {
        layout: Layout::new("工作日历", ctx, "/admin/calendar"),
        years: years
            .into_iter()
            .map(|y: CalendarYear| YearRow {
                year: y.year,
                notice: y.notice,
                published: y.published.unwrap_or_default(),
                origin: match y.origin {
                    YearOrigin::Builtin => "随系统发布",
                    YearOrigin::Import => "管理员导入",
                },
                loaded_by: y.loaded_by,
                loaded_at: local_time(y.loaded_at),
                entries: y.entries,
            })
            .collect(),
        statuses,
        missing,
        overrides: overrides.into_iter().map(day_row).collect(),
        can_edit: ctx.actor.has(Role::SystemAdmin),
        error,
        message,
        version: s.app.calendar().version().to_owned(),
    };
    render(status, &page)
}

pub async fn calendar_admin(State(s): State<AppState>, ctx: Ctx) -> Response {
    calendar_page(&s, &ctx, String::new(), String::new(), StatusCode::OK).await
}

fn problem_text(e: AppError) -> String {
    match e {
        AppError::Validation(errs) => errs
            .into_iter()
            .map(|e| e.message)
            .collect::<Vec<_>>()
            .join("\n"),
        other => crate::error::ApiError::from(other).detail,
    }
}

/// The calendar import form (`csrf` is checked by the middleware).
#[derive(Deserialize)]
pub struct ImportForm {
    #[serde(default)]
    year: String,
    #[serde(default)]
    notice: String,
    #[serde(default)]
    published: String,
    #[serde(default)]
    csv: String,
}

pub async fn calendar_import(
    State(s): State<AppState>,
    ctx: Ctx,
    Form(f): Form<ImportForm>,
) -> Response {
    let year = f.year.trim();
    let input = ImportInput {
        // A year that is no number is reported by the service as a bad year (0).
        year: (!year.is_empty()).then(|| year.parse().unwrap_or(0)),
        notice: Some(f.notice).filter(|n| !n.trim().is_empty()),
        published: Some(f.published).filter(|p| !p.trim().is_empty()),
        csv: f.csv,
    };
    match calendar::import(&s.app, &ctx.actor, &input).await {
        Ok(r) => {
            let msg = format!(
                "已导入 {} 条记录，日历版本 {}",
                r.entries, r.calendar_version
            );
            calendar_page(&s, &ctx, String::new(), msg, StatusCode::OK).await
        }
        Err(e @ (AppError::Validation(_) | AppError::Conflict(_))) => {
            calendar_page(
                &s,
                &ctx,
                problem_text(e),
                String::new(),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => page_error(&ctx, e, "/admin/calendar"),
    }
}

/// A local working-day override (`csrf` is checked by the middleware).
#[derive(Deserialize)]
pub struct OverrideForm {
    #[serde(default)]
    date: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    source: String,
}

pub async fn calendar_override(
    State(s): State<AppState>,
    ctx: Ctx,
    Form(f): Form<OverrideForm>,
) -> Response {
    let input = OverrideInput {
        date: f.date,
        kind: f.kind,
        name: f.name,
        source: f.source,
    };
    match calendar::add_override(&s.app, &ctx.actor, &input).await {
        Ok(d) => {
            let msg = format!("已添加本地调整：{} {}", d.day, d.name);
            calendar_page(&s, &ctx, String::new(), msg, StatusCode::OK).await
        }
        Err(e @ (AppError::Validation(_) | AppError::Conflict(_))) => {
            calendar_page(
                &s,
                &ctx,
                problem_text(e),
                String::new(),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => page_error(&ctx, e, "/admin/calendar"),
    }
}

pub struct ItemRow {
    /// Where the line leads: the verification itself for a verification's deadline, else
    /// the deadline's record.
    pub link: String,
    pub subject: String,
    pub org_name: String,
    pub period: String,
    pub due: String,
    pub late: String,
}

/// The lines of a deadline list. A verification's line reads as the verification does in
/// its inbox, outbox and on the joint office's board — original limit missed and the
/// ordered limit's time both shown — from the one function that decides it (issue #15 §11).
pub async fn item_rows(app: &App, actor: &Actor, items: Vec<DueItem>) -> Vec<ItemRow> {
    let ids: Vec<i64> = items
        .iter()
        .filter(|i| i.subject_type == SubjectType::Verification)
        .filter_map(|i| verification_id(&i.subject_id))
        .collect();
    let shown: HashMap<i64, verification::Shown> = if ids.is_empty() {
        HashMap::new()
    } else {
        // A line the shared view cannot fill keeps the deadline engine's words.
        verification::shown(app, actor, &ids)
            .await
            .unwrap_or_default()
            .into_iter()
            .collect()
    };
    let items = items
        .into_iter()
        .map(|i| {
            let v = (i.subject_type == SubjectType::Verification)
                .then(|| verification_id(&i.subject_id))
                .flatten()
                .and_then(|id| shown.get(&id).map(|s| (id, s)));
            let (link, subject, late) = match v {
                Some((vid, s)) => (
                    format!("/verifications/{vid}"),
                    format!(
                        "{} {} {}",
                        i.subject_type.label(),
                        s.number,
                        s.proof_item_name
                    ),
                    s.countdown_text.clone(),
                ),
                None => (
                    String::new(),
                    format!("{} {}", i.subject_type.label(), i.subject_id),
                    i.late.as_ref().map(|l| l.text.clone()).unwrap_or_default(),
                ),
            };
            (i, link, subject, late)
        })
        .collect::<Vec<_>>();
    let mut rows = Vec::with_capacity(items.len());
    for (i, link, subject, late) in items {
        let link = if link.is_empty() {
            subject_link(app, actor, &i).await
        } else {
            link
        };
        rows.push(ItemRow {
            link,
            subject,
            org_name: i.org_name,
            period: i.period.describe(),
            due: i.due_at.map(local_time).unwrap_or_default(),
            late,
        });
    }
    rows
}

/// The page of the matter a deadline is about (issue #22 §2: an overdue line opens the
/// request, the case, the decision…); the deadline's own record only when the matter has no
/// page of its own.
async fn subject_link(app: &App, actor: &Actor, i: &DueItem) -> String {
    let id = &i.subject_id;
    let numeric = id.parse::<i64>().ok();
    match (i.subject_type, numeric) {
        (SubjectType::Verification, _) => {
            if let Some(v) = verification_id(id) {
                return format!("/verifications/{v}");
            }
        }
        (SubjectType::Case, _) => {
            let case_no = id.split('/').next().unwrap_or(id);
            if let Ok(Some(cid)) = proofless_app::cases::id_of_number(app, actor, case_no).await {
                return format!("/cases/{cid}");
            }
        }
        (SubjectType::CommitmentCheck, Some(n)) => return format!("/commitments/{n}"),
        (SubjectType::JointDecision, Some(n)) => return format!("/joint/decisions/{n}"),
        (SubjectType::AccountabilityRectification, Some(n)) => {
            return format!("/accountability/{n}");
        }
        (SubjectType::JointMeeting, _) => return "/joint".to_owned(),
        (SubjectType::RiskReview, _) => return "/risks".to_owned(),
        (SubjectType::SharingOutside, _) => return "/sharing".to_owned(),
        (SubjectType::Adjustment, _) => return "/adjustments".to_owned(),
        (SubjectType::Complaint, _) => return "/complaints".to_owned(),
        (SubjectType::SupervisionFinding, _) => return "/supervision/checks".to_owned(),
        _ => {}
    }
    format!("/deadlines/{}", i.id)
}

/// The id in a verification's number (`HY00000007` → 7).
fn verification_id(number: &str) -> Option<i64> {
    number.strip_prefix("HY")?.parse().ok()
}

/// The deadline page's name, distinct from the joint office's verification board (issue
/// #15 §11).
pub const OVERDUE_TITLE: &str = "期限督办";

#[derive(Template)]
#[template(path = "overdue.html")]
struct OverduePage {
    layout: Layout,
    county: bool,
    overdue: Vec<ItemRow>,
    soon: Vec<ItemRow>,
}

pub async fn overdue(State(s): State<AppState>, ctx: Ctx) -> Response {
    if let Err(e) = require_staff(&ctx) {
        return page_error(&ctx, e, "/");
    }
    let scope = match deadlines::scope_for(&ctx.actor, None) {
        Ok(sc) => sc,
        Err(e) => return page_error(&ctx, e, "/workbench"),
    };
    let overdue = deadlines::overdue(&s.app, &ctx.actor, scope, 500).await;
    let soon = deadlines::due_soon(&s.app, scope, 24 * 3_600_000, 500).await;
    match (overdue, soon) {
        (Ok(o), Ok(so)) => render(
            StatusCode::OK,
            &OverduePage {
                layout: Layout::new(OVERDUE_TITLE, &ctx, "/overdue"),
                county: scope == Scope::County,
                overdue: item_rows(&s.app, &ctx.actor, o).await,
                soon: item_rows(&s.app, &ctx.actor, so).await,
            },
        ),
        (Err(e), _) | (_, Err(e)) => page_error(&ctx, e, "/workbench"),
    }
}

pub struct SuspensionLine {
    reason: String,
    start: String,
    end: String,
    by: String,
}

pub struct ExtensionLine {
    period: String,
    extended_by: String,
    approved_by: String,
    reason: String,
    at: String,
}

#[derive(Template)]
#[template(path = "deadline.html")]
struct DeadlinePage {
    layout: Layout,
    d: DeadlineView,
    state_label: &'static str,
    start: String,
    due: String,
    statutory_due: String,
    late: String,
    rule: String,
    suspensions: Vec<SuspensionLine>,
    extensions: Vec<ExtensionLine>,
}

pub async fn deadline(State(s): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Response {
    if let Err(e) = require_staff(&ctx) {
        return page_error(&ctx, e, "/");
    }
    let d = match deadlines::get(&s.app, &ctx.actor, id).await {
        Ok(d) => d,
        Err(e) => return page_error(&ctx, e, "/overdue"),
    };
    let page = DeadlinePage {
        layout: Layout::new("期限详情", &ctx, "/overdue"),
        state_label: d.deadline.state.label(),
        start: local_time(d.deadline.start_at),
        due: d
            .deadline
            .due_at
            .map(local_time)
            .unwrap_or_else(|| "（中止计时中，恢复后重新计算）".to_owned()),
        statutory_due: d
            .deadline
            .statutory_due_at
            .map(local_time)
            .unwrap_or_default(),
        late: d.late.as_ref().map(|l| l.text.clone()).unwrap_or_default(),
        rule: d
            .rule
            .as_ref()
            .map(|r| {
                format!(
                    "{} 第{}版（{} 起施行）：期限 {}，延长上限 {}",
                    r.rule_key.label(),
                    r.version,
                    r.effective_from,
                    r.period.describe(),
                    r.max_extension
                        .map(|m| m.describe())
                        .unwrap_or_else(|| "不可延长".to_owned())
                )
            })
            .unwrap_or_default(),
        suspensions: d
            .suspensions
            .iter()
            .map(|x| SuspensionLine {
                reason: x.reason.clone(),
                start: local_time(x.start_at),
                end: x
                    .end_at
                    .map(local_time)
                    .unwrap_or_else(|| "中止中".to_owned()),
                by: x.suspended_by.clone(),
            })
            .collect(),
        extensions: d
            .extensions
            .iter()
            .map(|x| ExtensionLine {
                period: x.period.describe(),
                extended_by: x.extended_by.clone(),
                approved_by: x.approved_by.clone(),
                reason: x.reason.clone(),
                at: local_time(x.at),
            })
            .collect(),
        d,
    };
    render(StatusCode::OK, &page)
}

pub struct NoteRow {
    id: i64,
    /// The kind's one Chinese label (干部代办, 数据调取失败, …).
    kind: &'static str,
    text: String,
    link: String,
    at: String,
    read: bool,
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct NotificationsPage {
    layout: Layout,
    unread: i64,
    items: Vec<NoteRow>,
}

pub async fn notifications_page(State(s): State<AppState>, ctx: Ctx) -> Response {
    if let Err(e) = require_staff(&ctx) {
        return page_error(&ctx, e, "/");
    }
    let items = match notifications::list(&s.app, &ctx.actor, false, 200).await {
        Ok(i) => i,
        Err(e) => return page_error(&ctx, e, "/workbench"),
    };
    let unread = notifications::unread_count(&s.app, &ctx.actor)
        .await
        .unwrap_or(0);
    render(
        StatusCode::OK,
        &NotificationsPage {
            layout: Layout::new("通知", &ctx, "/notifications"),
            unread,
            items: items
                .into_iter()
                .map(|n: Notification| NoteRow {
                    id: n.id,
                    kind: n.kind.label(),
                    text: n.text,
                    link: n.link,
                    at: local_time(n.created_at),
                    read: n.read_at.is_some(),
                })
                .collect(),
        },
    )
}

pub async fn notification_read(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Response {
    match notifications::mark_read(&s.app, &ctx.actor, id).await {
        Ok(()) => Redirect::to("/notifications").into_response(),
        Err(e) => page_error(&ctx, e, "/notifications"),
    }
}
