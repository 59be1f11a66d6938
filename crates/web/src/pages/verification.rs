//! Pages of inter-unit verification (issue #5 §12): inbox and outbox with filters and
//! coloured countdowns, the send form, the detail page with the whole history and the
//! actions of each side, and the joint office's overdue board. zh-CN, phone-first.

use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use proofless_app::verification::{
    self, AnswerInput, Board, Box_, Detail, LedgerInput, ListFilter, ListRow, OrderInput,
    ReclassifyInput, ReturnInput, SendInput, SubjectInput, SummonInput, Verifiable,
};
use proofless_app::{AppError, local_time};
use proofless_domain::role::Role;
use proofless_domain::verification::State as VState;
use serde::Deserialize;
use serde_json::{Map, Value as Json};

use super::session::{page_error, require_staff};
use super::{FormData, Layout, render};
use crate::AppState;
use crate::ctx::Ctx;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/verifications", get(list_page))
        .route("/verifications/new", get(new_page).post(new_submit))
        .route("/verifications/board", get(board_page))
        .route("/verifications/{id}", get(detail_page))
        .route("/verifications/{id}/{action}", post(action_submit))
}

fn problem_text(e: AppError) -> String {
    match e {
        AppError::Validation(errs) => errs
            .into_iter()
            .map(|e| format!("{}：{}", e.field, e.message))
            .collect::<Vec<_>>()
            .join("；"),
        other => crate::error::ApiError::from(other).detail,
    }
}

pub struct Row {
    id: i64,
    number: String,
    item: String,
    other_unit: String,
    subject: String,
    case_ref: String,
    state_label: String,
    colour: &'static str,
    countdown: String,
    due: String,
    escalated: bool,
}

fn row(r: ListRow, inbox: bool) -> Row {
    let colour = match r.countdown_class.as_str() {
        "ok" => "ok",
        "warn" => "warn",
        "bad" | "late" => "bad",
        _ => "",
    };
    Row {
        id: r.id,
        number: r.number,
        item: r.proof_item_name,
        other_unit: if inbox {
            r.requester_name
        } else {
            r.issuer_name
        },
        subject: r.subject_name,
        case_ref: r.case_ref,
        state_label: r.state_label,
        colour,
        countdown: r.countdown_text,
        due: r.due_at.map(local_time).unwrap_or_default(),
        escalated: r.reported_at.is_some(),
    }
}

#[derive(Template)]
#[template(path = "verifications.html")]
struct ListPageT {
    layout: Layout,
    inbox: bool,
    box_name: &'static str,
    filter: String,
    rows: Vec<Row>,
    has_more: bool,
    can_send: bool,
    is_joint: bool,
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(rename = "box")]
    which: Option<String>,
    /// `overdue`, `due_today`, `registered`, `answered`, `returned` or empty.
    filter: Option<String>,
}

pub async fn list_page(
    State(s): State<AppState>,
    ctx: Ctx,
    Query(lq): Query<ListQuery>,
) -> Response {
    if let Err(e) = require_staff(&ctx) {
        return page_error(&ctx, e, "/");
    }
    let inbox = lq.which.as_deref() != Some("outbox");
    let filter = lq.filter.unwrap_or_default();
    let mut f = ListFilter {
        limit: Some(100),
        ..Default::default()
    };
    match filter.as_str() {
        "overdue" => f.overdue = Some(true),
        "due_today" => f.due_today = Some(true),
        "registered" | "answered" | "returned" => f.state = Some(filter.clone()),
        _ => {}
    }
    let which = if inbox { Box_::Inbox } else { Box_::Outbox };
    let page = match verification::list(&s.app, &ctx.actor, which, &f).await {
        Ok(p) => p,
        Err(e) => return page_error(&ctx, e, "/workbench"),
    };
    let t = ListPageT {
        layout: Layout::new("部门核验", &ctx, "/verifications"),
        inbox,
        box_name: if inbox { "inbox" } else { "outbox" },
        filter,
        rows: page.items.into_iter().map(|r| row(r, inbox)).collect(),
        has_more: page.has_more,
        can_send: ctx.actor.has_any(&[Role::Liaison, Role::ProxyAgent]),
        is_joint: ctx
            .actor
            .has_any(&[Role::JointOffice, Role::SystemAdmin, Role::Accountability]),
    };
    render(StatusCode::OK, &t)
}

#[derive(Template)]
#[template(path = "verification_new.html")]
struct NewPage {
    layout: Layout,
    items: Vec<Verifiable>,
    error: String,
    form: NewForm,
}

#[derive(Default)]
pub struct NewForm {
    proof_item_id: String,
    issuer_org_id: String,
    subject_kind: String,
    subject_code: String,
    subject_name: String,
    facts: String,
    case_ref: String,
    purpose: String,
}

async fn new_form(
    s: &AppState,
    ctx: &Ctx,
    form: NewForm,
    error: String,
    status: StatusCode,
) -> Response {
    if let Err(e) = require_staff(ctx) {
        return page_error(ctx, e, "/");
    }
    let items = match verification::verifiable_items(&s.app, ctx.actor.org_id).await {
        Ok(i) => i,
        Err(e) => return page_error(ctx, e, "/verifications"),
    };
    let t = NewPage {
        layout: Layout::new("发起核验", ctx, "/verifications"),
        items,
        error,
        form,
    };
    render(status, &t)
}

pub async fn new_page(State(s): State<AppState>, ctx: Ctx) -> Response {
    let form = NewForm {
        subject_kind: "person".into(),
        ..Default::default()
    };
    new_form(&s, &ctx, form, String::new(), StatusCode::OK).await
}

pub async fn new_submit(State(s): State<AppState>, ctx: Ctx, body: Bytes) -> Response {
    let f = FormData::parse(&body);
    let form = NewForm {
        proof_item_id: f.get("proof_item_id"),
        issuer_org_id: f.get("issuer_org_id"),
        subject_kind: f.get("subject_kind"),
        subject_code: f.get("subject_code"),
        subject_name: f.get("subject_name"),
        facts: f.get("facts"),
        case_ref: f.get("case_ref"),
        purpose: f.get("purpose"),
    };
    let Ok(item) = form.proof_item_id.trim().parse::<i64>() else {
        return new_form(
            &s,
            &ctx,
            form,
            "请选择要核验的证明事项".into(),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let mut facts = Map::new();
    facts.insert("facts".into(), Json::String(form.facts.clone()));
    let input = SendInput {
        proof_item_id: item,
        issuer_org_id: form.issuer_org_id.trim().parse().ok(),
        subject: SubjectInput {
            kind: form.subject_kind.clone(),
            code: form.subject_code.clone(),
            name: form.subject_name.clone(),
        },
        facts,
        case_ref: form.case_ref.clone(),
        case_id: None,
        purpose: form.purpose.clone(),
    };
    match verification::send(&s.app, &ctx.actor, &input).await {
        Ok(d) => Redirect::to(&format!("/verifications/{}", d.v.id)).into_response(),
        Err(e @ (AppError::Unauthenticated | AppError::Forbidden(_))) => {
            page_error(&ctx, e, "/verifications")
        }
        Err(e) => {
            new_form(
                &s,
                &ctx,
                form,
                problem_text(e),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

pub struct EventRow {
    at: String,
    who: String,
    text: String,
}

pub struct KV {
    k: String,
    v: String,
}

#[derive(Template)]
#[template(path = "verification.html")]
struct DetailPage {
    layout: Layout,
    d: Detail,
    error: String,
    sent_at: String,
    due: String,
    due_ms: i64,
    colour: &'static str,
    facts: Vec<KV>,
    answer: Vec<KV>,
    events: Vec<EventRow>,
    ledger: Vec<EventRow>,
    channel_label: String,
    subject_masked: String,
    outcome_label: String,
    is_issuer: bool,
    is_requester: bool,
    is_joint: bool,
    registered: bool,
    not_matching: bool,
    can_onsite: bool,
    order_due: String,
}

fn kvs(json: Option<&str>) -> Vec<KV> {
    let Some(Json::Object(m)) = json.and_then(|s| serde_json::from_str(s).ok()) else {
        return vec![];
    };
    m.into_iter()
        .map(|(k, v)| KV {
            k,
            v: match v {
                Json::String(s) => s,
                other => other.to_string(),
            },
        })
        .collect()
}

async fn detail(s: &AppState, ctx: &Ctx, id: i64, error: String, status: StatusCode) -> Response {
    if let Err(e) = require_staff(ctx) {
        return page_error(ctx, e, "/");
    }
    let d = match verification::get(&s.app, &ctx.actor, id).await {
        Ok(d) => d,
        Err(e) => return page_error(ctx, e, "/verifications"),
    };
    let a = &ctx.actor;
    let acting = a.has_any(&[Role::Liaison, Role::ProxyAgent]);
    let registered = d.v.state == VState::Registered.as_str();
    let t = DetailPage {
        layout: Layout::new(&format!("核验 {}", d.number), ctx, "/verifications"),
        error,
        sent_at: local_time(d.v.sent_at),
        due: d.v.due_at.map(local_time).unwrap_or_default(),
        due_ms: d.v.due_at.unwrap_or_default(),
        colour: match d.countdown_class.as_str() {
            "ok" => "ok",
            "warn" => "warn",
            "bad" | "late" => "bad",
            _ => "",
        },
        facts: kvs(Some(&d.v.facts)),
        answer: kvs(d.v.answer.as_deref()),
        events: d
            .events
            .iter()
            .map(|e| EventRow {
                at: local_time(e.at),
                who: if e.org_name.is_empty() {
                    e.actor_name.clone()
                } else {
                    format!("{}（{}）", e.actor_name, e.org_name)
                },
                text: e.text.clone(),
            })
            .collect(),
        ledger: d
            .ledger
            .iter()
            .map(|e| EventRow {
                at: local_time(e.at),
                who: e.recorded_by_name.clone(),
                text: format!("{}：{}（事由：{}）", e.kind, e.what, e.why),
            })
            .collect(),
        channel_label: proofless_domain::verification::Channel::parse(&d.v.channel)
            .map(|c| c.label())
            .unwrap_or("")
            .to_owned(),
        subject_masked: d.v.subject_name.clone(),
        outcome_label: d
            .v
            .outcome
            .as_deref()
            .and_then(proofless_domain::verification::Outcome::parse)
            .map(|o| o.label().to_owned())
            .unwrap_or_default(),
        is_issuer: acting && a.org_id == Some(d.v.issuer_org_id),
        is_requester: acting && a.org_id == Some(d.v.requester_org_id),
        is_joint: a.has(Role::JointOffice),
        registered,
        not_matching: d.v.outcome.as_deref() == Some("not_matching"),
        can_onsite: d.v.state == "returned" || d.overdue,
        order_due: d.v.order_due_at.map(local_time).unwrap_or_default(),
        d,
    };
    render(status, &t)
}

pub async fn detail_page(State(s): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Response {
    detail(&s, &ctx, id, String::new(), StatusCode::OK).await
}

fn map_of(f: &FormData, prefix: &str) -> Map<String, Json> {
    let mut m = Map::new();
    for (k, v) in &f.0 {
        if let Some(key) = k.strip_prefix(prefix)
            && !v.trim().is_empty()
        {
            m.insert(key.to_owned(), Json::String(v.clone()));
        }
    }
    m
}

pub async fn action_submit(
    State(s): State<AppState>,
    ctx: Ctx,
    Path((id, action)): Path<(i64, String)>,
    body: Bytes,
) -> Response {
    let f = FormData::parse(&body);
    let app = &s.app;
    let a = &ctx.actor;
    let r: Result<(), AppError> = match action.as_str() {
        "answer" => verification::answer(
            app,
            a,
            id,
            &AnswerInput {
                outcome: f.get("outcome"),
                answer: map_of(&f, "answer."),
                records_say: Some(f.get("records_say")),
            },
        )
        .await
        .map(|_| ()),
        "return" => verification::return_request(
            app,
            a,
            id,
            &ReturnInput {
                reason: f.get("reason"),
            },
        )
        .await
        .map(|_| ()),
        "reclassify" => {
            let limit = f.get("statutory_limit");
            verification::reclassify(
                app,
                a,
                id,
                &ReclassifyInput {
                    deadline_class: f.get("deadline_class"),
                    statutory_limit: if limit.trim().is_empty() {
                        None
                    } else {
                        Some(limit)
                    },
                    reason: f.get("reason"),
                },
            )
            .await
            .map(|_| ())
        }
        "report" => verification::report(app, a, id).await.map(|_| ()),
        "order" => {
            // The form gives a local date and time (Beijing).
            let raw = f.get("finish_by");
            let finish_by = if raw.len() == 16 {
                format!("{raw}:00+08:00")
            } else {
                raw
            };
            verification::order(
                app,
                a,
                id,
                &OrderInput {
                    finish_by,
                    text: f.get("text"),
                },
            )
            .await
            .map(|_| ())
        }
        "summon" => verification::summon(
            app,
            a,
            id,
            &SummonInput {
                text: f.get("text"),
            },
        )
        .await
        .map(|_| ()),
        "ledger" => verification::record_ledger(
            app,
            a,
            &LedgerInput {
                kind: f.get("kind"),
                verification_id: Some(id),
                what: f.get("what"),
                why: f.get("why"),
                ..Default::default()
            },
        )
        .await
        .map(|_| ()),
        _ => return super::not_found_page(),
    };
    match r {
        Ok(_) => Redirect::to(&format!("/verifications/{id}")).into_response(),
        Err(e @ (AppError::Unauthenticated | AppError::Forbidden(_) | AppError::NotFound(_))) => {
            page_error(&ctx, e, "/verifications")
        }
        Err(e) => {
            detail(
                &s,
                &ctx,
                id,
                problem_text(e),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

#[derive(Template)]
#[template(path = "verification_board.html")]
struct BoardPage {
    layout: Layout,
    overdue: Vec<Row>,
    reported: Vec<Row>,
}

pub async fn board_page(State(s): State<AppState>, ctx: Ctx) -> Response {
    if let Err(e) = require_staff(&ctx) {
        return page_error(&ctx, e, "/");
    }
    let b: Board = match verification::board(&s.app, &ctx.actor).await {
        Ok(b) => b,
        Err(e) => return page_error(&ctx, e, "/verifications"),
    };
    let t = BoardPage {
        layout: Layout::new("核验逾期督办", &ctx, "/verifications"),
        overdue: b.overdue.into_iter().map(|r| row(r, false)).collect(),
        reported: b.reported.into_iter().map(|r| row(r, false)).collect(),
    };
    render(StatusCode::OK, &t)
}
