//! Pages of inter-unit verification (issue #5 §12): inbox and outbox with filters and
//! coloured countdowns, the send form, the detail page with the whole history and the
//! actions of each side, and the joint office's overdue board. zh-CN, phone-first.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum_extra::extract::Form;
use proofless_app::verification::{
    self, AnswerInput, Box_, Detail, LedgerInput, ListFilter, ListRow, OrderInput, ReclassifyInput,
    ReturnInput, SendInput, SubjectInput, SummonInput, Verifiable,
};
use proofless_app::{AppError, local_time};
use proofless_domain::role::Role;
use proofless_domain::verification::{Outcome, State as VState};
use serde::Deserialize;
use serde_json::{Map, Value as Json};
use std::collections::BTreeMap;

mod board;

use super::forms::{FormErrors, Kept, done};
use super::session::{page_error, require_staff};
use super::{Layout, render};
use crate::AppState;
use crate::ctx::Ctx;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/verifications", get(list_page))
        .route("/verifications/new", get(new_page).post(new_submit))
        .route("/verifications/board", get(board::board_page))
        .route("/verifications/{id}", get(detail_page))
        .route("/verifications/{id}/{action}", post(action_submit))
}

pub(super) struct Row {
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
    /// The limit ordered by the joint office, if any (A2 §11).
    order_due: String,
    reclass_reason: String,
    reclassified: String,
}

pub(super) fn row(r: ListRow, inbox: bool) -> Row {
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
        order_due: r.order_due_at.map(local_time).unwrap_or_default(),
        reclass_reason: r.reclass_reason.unwrap_or_default(),
        reclassified: r.reclassified_at.map(local_time).unwrap_or_default(),
    }
}

/// Where a cut list stands: "第 a–b 件，共 n 件" and the links to the pages around it
/// (issue #16 §8). `href` is the page's address up to the offset parameter's value.
pub struct Pager {
    pub total: i64,
    pub from: i64,
    pub to: i64,
    pub prev: String,
    pub next: String,
}

pub(super) fn pager(total: i64, offset: i64, shown: usize, limit: i64, href: &str) -> Pager {
    let to = offset + shown as i64;
    Pager {
        total,
        from: if shown == 0 { 0 } else { offset + 1 },
        to,
        prev: if offset > 0 {
            format!("{href}{}", (offset - limit).max(0))
        } else {
            String::new()
        },
        next: if to < total {
            format!("{href}{to}")
        } else {
            String::new()
        },
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
    pager: Pager,
    can_send: bool,
    is_joint: bool,
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(rename = "box")]
    which: Option<String>,
    /// `overdue`, `due_today`, `registered`, `answered`, `returned` or empty.
    filter: Option<String>,
    offset: Option<i64>,
}

/// Lines per page of the inbox and outbox.
const PAGE: i64 = 100;

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
    let offset = lq.offset.unwrap_or(0).max(0);
    let mut f = ListFilter {
        limit: Some(PAGE),
        offset: Some(offset),
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
    let box_name = if inbox { "inbox" } else { "outbox" };
    let href = format!("/verifications?box={box_name}&filter={filter}&offset=");
    let t = ListPageT {
        layout: Layout::new("部门核验", &ctx, "/verifications"),
        inbox,
        box_name,
        pager: pager(page.total, offset, page.items.len(), PAGE, &href),
        filter,
        rows: page.items.into_iter().map(|r| row(r, inbox)).collect(),
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
    /// Every issuing unit of the items, by name: (id, name).
    issuers: Vec<(String, String)>,
    errors: FormErrors,
    form: NewForm,
}

/// The send form's inputs, by the service's field names.
const NEW_FIELDS: &[(&str, &str)] = &[
    ("proof_item_id", "v-item"),
    ("issuer_org_id", "v-issuer"),
    ("subject.kind", "v-kind"),
    ("subject.code", "v-code"),
    ("subject.name", "v-name"),
    ("facts", "v-facts"),
    ("case_ref", "v-case"),
    ("purpose", "v-purpose"),
];

/// The send form as posted (and shown again with its error).
#[derive(Default, Deserialize)]
#[serde(default)]
pub struct NewForm {
    proof_item_id: String,
    issuer_org_id: String,
    subject_kind: String,
    subject_code: String,
    subject_name: String,
    facts: String,
    case_ref: String,
    purpose: String,
    /// The case the request serves, when sent from the case page (issue #17).
    case_id: String,
}

async fn new_form(s: &AppState, ctx: &Ctx, form: NewForm, errors: FormErrors) -> Response {
    if let Err(e) = require_staff(ctx) {
        return page_error(ctx, e, "/");
    }
    let items = match verification::verifiable_items(&s.app, ctx.actor.org_id).await {
        Ok(i) => i,
        Err(e) => return page_error(ctx, e, "/verifications"),
    };
    let mut issuers: Vec<(String, String)> = Vec::new();
    for i in &items {
        for (id, name) in i.issuer_ids.iter().zip(&i.issuers) {
            if !issuers.iter().any(|(x, _)| *x == id.to_string()) {
                issuers.push((id.to_string(), name.clone()));
            }
        }
    }
    issuers.sort_by(|a, b| a.1.cmp(&b.1));
    let t = NewPage {
        layout: Layout::new("发起核验", ctx, "/verifications"),
        items,
        issuers,
        errors,
        form,
    };
    render(t.errors.status(), &t)
}

pub async fn new_page(State(s): State<AppState>, ctx: Ctx, Query(q): Query<NewForm>) -> Response {
    // From the case page: the proof, the case and its number are filled in.
    let form = NewForm {
        subject_kind: "person".into(),
        proof_item_id: q.proof_item_id,
        case_ref: q.case_ref,
        case_id: q.case_id,
        ..Default::default()
    };
    new_form(&s, &ctx, form, FormErrors::none()).await
}

pub async fn new_submit(
    State(s): State<AppState>,
    ctx: Ctx,
    Form(form): Form<NewForm>,
) -> Response {
    let Ok(item) = form.proof_item_id.trim().parse::<i64>() else {
        let errors = FormErrors::from_error(
            AppError::field("proof_item_id", "请选择要核验的证明事项"),
            NEW_FIELDS,
        );
        return new_form(&s, &ctx, form, errors).await;
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
        case_id: form.case_id.trim().parse().ok(),
        purpose: form.purpose.clone(),
    };
    match verification::send(&s.app, &ctx.actor, &input).await {
        Ok(d) => match d.v.case_id {
            // Sent from a case page: back to its proof checklist.
            Some(case) => done(&format!("/cases/{case}"), "核验请求已发送"),
            None => done(&format!("/verifications/{}", d.v.id), "核验请求已发送"),
        },
        Err(e @ (AppError::Unauthenticated | AppError::Forbidden(_))) => {
            page_error(&ctx, e, "/verifications")
        }
        Err(e) => new_form(&s, &ctx, form, FormErrors::from_error(e, NEW_FIELDS)).await,
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
    /// A refused action form: its errors by their inputs (`{action}-{field}`), what was
    /// typed kept (issue #22 point 3).
    errors: FormErrors,
    kept: Kept,
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
            // Fields of the default templates by their label, never by their key.
            k: proofless_domain::verification::default_field_label(&k).unwrap_or(k),
            v: match v {
                Json::String(s) if s == "true" => "是".to_owned(),
                Json::String(s) if s == "false" => "否".to_owned(),
                Json::String(s) => s,
                Json::Bool(b) => (if b { "是" } else { "否" }).to_owned(),
                other => other.to_string(),
            },
        })
        .collect()
}

async fn detail(s: &AppState, ctx: &Ctx, id: i64, errors: FormErrors, kept: Kept) -> Response {
    if let Err(e) = require_staff(ctx) {
        return page_error(ctx, e, "/");
    }
    let d = match verification::get(&s.app, &ctx.actor, id).await {
        Ok(d) => d,
        Err(e) => return page_error(ctx, e, "/verifications"),
    };
    let a = &ctx.actor;
    let acting = a.has_any(&[Role::Liaison, Role::ProxyAgent]);
    let registered = d.v.state == VState::Registered;
    let t = DetailPage {
        layout: Layout::new(&format!("核验 {}", d.number), ctx, "/verifications"),
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
                text: format!("{}：{}（事由：{}）", e.kind.label(), e.what, e.why),
            })
            .collect(),
        channel_label: d.v.channel.label().to_owned(),
        subject_masked: d.v.subject_name.clone(),
        outcome_label: d
            .v
            .outcome
            .map(|o| o.label().to_owned())
            .unwrap_or_default(),
        is_issuer: acting && a.org_id == Some(d.v.issuer_org_id),
        is_requester: acting && a.org_id == Some(d.v.requester_org_id),
        is_joint: a.has(Role::JointOffice),
        registered,
        not_matching: d.v.outcome == Some(Outcome::NotMatching),
        can_onsite: d.v.state == VState::Returned || d.overdue,
        order_due: d.v.order_due_at.map(local_time).unwrap_or_default(),
        d,
        errors,
        kept,
    };
    render(t.errors.status(), &t)
}

pub async fn detail_page(State(s): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Response {
    detail(&s, &ctx, id, FormErrors::none(), Kept::none()).await
}

/// Any action form of the detail page as posted: each action reads its own fields.
#[derive(Default, Deserialize)]
#[serde(default)]
pub struct ActionForm {
    outcome: String,
    records_say: String,
    reason: String,
    deadline_class: String,
    statutory_limit: String,
    /// A local date and time (Beijing), from a `datetime-local` input.
    finish_by: String,
    text: String,
    kind: String,
    what: String,
    why: String,
    /// The reply template's fields, posted as `answer.<key>` (and the CSRF token).
    #[serde(flatten)]
    rest: BTreeMap<String, String>,
}

impl ActionForm {
    /// What was typed into the form of `action`, by the page's input ids (`{action}-{name}`).
    fn kept(&self, action: &str) -> Kept {
        let named = [
            ("outcome", &self.outcome),
            ("records_say", &self.records_say),
            ("reason", &self.reason),
            ("deadline_class", &self.deadline_class),
            ("statutory_limit", &self.statutory_limit),
            ("finish_by", &self.finish_by),
            ("text", &self.text),
            ("kind", &self.kind),
            ("what", &self.what),
            ("why", &self.why),
        ];
        let mut kept = Kept::none();
        for (k, v) in named {
            kept = kept.with(format!("{action}-{k}"), v.as_str());
        }
        for (k, v) in &self.rest {
            if let Some(key) = k.strip_prefix("answer.") {
                kept = kept.with(format!("{action}-{key}"), v.as_str());
            }
        }
        kept
    }

    fn answer(&self) -> Map<String, Json> {
        self.rest
            .iter()
            .filter_map(|(k, v)| Some((k.strip_prefix("answer.")?, v)))
            .filter(|(_, v)| !v.trim().is_empty())
            .map(|(k, v)| (k.to_owned(), Json::String(v.clone())))
            .collect()
    }

    fn finish_by(&self) -> String {
        let raw = &self.finish_by;
        if raw.len() == 16 {
            format!("{raw}:00+08:00")
        } else {
            raw.clone()
        }
    }
}

/// Runs one action of the detail page; `None` for an action that does not exist.
async fn run_action(
    app: &proofless_app::App,
    a: &proofless_app::Actor,
    id: i64,
    action: &str,
    f: ActionForm,
) -> Option<Result<(), AppError>> {
    let r = match action {
        "answer" => {
            let input = AnswerInput {
                answer: f.answer(),
                outcome: f.outcome,
                records_say: Some(f.records_say),
            };
            verification::answer(app, a, id, &input).await.map(|_| ())
        }
        "return" => {
            let input = ReturnInput { reason: f.reason };
            verification::return_request(app, a, id, &input)
                .await
                .map(|_| ())
        }
        "reclassify" => {
            let limit = f.statutory_limit;
            let input = ReclassifyInput {
                deadline_class: f.deadline_class,
                statutory_limit: (!limit.trim().is_empty()).then_some(limit),
                reason: f.reason,
            };
            verification::reclassify(app, a, id, &input)
                .await
                .map(|_| ())
        }
        "report" => verification::report(app, a, id).await.map(|_| ()),
        "order" => {
            // The form gives a local date and time (Beijing).
            let input = OrderInput {
                finish_by: f.finish_by(),
                text: f.text,
            };
            verification::order(app, a, id, &input).await.map(|_| ())
        }
        "summon" => {
            let input = SummonInput { text: f.text };
            verification::summon(app, a, id, &input).await.map(|_| ())
        }
        "ledger" => {
            let input = LedgerInput {
                kind: f.kind,
                verification_id: Some(id),
                what: f.what,
                why: f.why,
                ..Default::default()
            };
            verification::record_ledger(app, a, &input)
                .await
                .map(|_| ())
        }
        _ => return None,
    };
    Some(r)
}

/// The service's fields the detail page's action forms show, each as `{action}-{field}`.
const ACTION_FIELDS: &[&str] = &[
    "outcome",
    "records_say",
    "reason",
    "deadline_class",
    "statutory_limit",
    "finish_by",
    "text",
    "kind",
    "what",
    "why",
];

/// The confirmation step before an answer is sealed: what the unit's seal will cover.
#[derive(Template)]
#[template(path = "verification_confirm.html")]
struct ConfirmPage {
    layout: Layout,
    id: i64,
    number: String,
    unit: String,
    subject: String,
    outcome: String,
    outcome_label: &'static str,
    records_say: String,
    /// The reply's fields as posted: (`answer.<key>`, value).
    fields: Vec<(String, String)>,
}

/// What each action of the detail page says once done.
fn done_message(action: &str) -> &'static str {
    match action {
        "answer" => "反馈已加盖本单位电子印章并送达发起单位",
        "return" => "已退回发起单位",
        "reclassify" => "时限类别已改判",
        "report" => "已报告逾期，联席会议办公室已收到",
        "order" => "已责成限时办结",
        "summon" => "约谈请求已记录",
        "ledger" => "已记入台账",
        _ => "已完成",
    }
}

async fn confirm_answer(s: &AppState, ctx: &Ctx, id: i64, f: ActionForm) -> Response {
    if let Err(e) = require_staff(ctx) {
        return page_error(ctx, e, "/");
    }
    let d = match verification::get(&s.app, &ctx.actor, id).await {
        Ok(d) => d,
        Err(e) => return page_error(ctx, e, "/verifications"),
    };
    let outcome_label = match f.outcome.as_str() {
        "not_matching" => Outcome::NotMatching.label(),
        _ => Outcome::Confirmed.label(),
    };
    let fields = f
        .rest
        .iter()
        .filter(|(k, v)| k.starts_with("answer.") && !v.trim().is_empty())
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let t = ConfirmPage {
        layout: Layout::new(&format!("确认反馈 {}", d.number), ctx, "/verifications"),
        id,
        number: d.number.clone(),
        unit: ctx.actor.org_name.clone().unwrap_or_default(),
        subject: d.v.subject_name.clone(),
        outcome: f.outcome.clone(),
        outcome_label,
        records_say: f.records_say.clone(),
        fields,
    };
    render(StatusCode::OK, &t)
}

pub async fn action_submit(
    State(s): State<AppState>,
    ctx: Ctx,
    Path((id, action)): Path<(i64, String)>,
    Form(f): Form<ActionForm>,
) -> Response {
    // An answer is sealed with the unit's SM2 key and cannot be taken back: first show what
    // the seal will cover (issue #22 point 3).
    let kept = f.kept(&action);
    if action == "answer" && f.rest.get("confirm").map(String::as_str) != Some("yes") {
        // What the service would refuse is said by its field before the step.
        let input = AnswerInput {
            answer: f.answer(),
            outcome: f.outcome.clone(),
            records_say: Some(f.records_say.clone()),
        };
        if let Err(p) = input.parse() {
            let errors = FormErrors::prefixed(AppError::Validation(p.0), "answer-", ACTION_FIELDS);
            return detail(&s, &ctx, id, errors, kept).await;
        }
        return confirm_answer(&s, &ctx, id, f).await;
    }
    let Some(r) = run_action(&s.app, &ctx.actor, id, &action, f).await else {
        return super::not_found_page();
    };
    match r {
        Ok(_) => done(&format!("/verifications/{id}"), done_message(&action)),
        Err(e @ (AppError::Unauthenticated | AppError::Forbidden(_) | AppError::NotFound(_))) => {
            page_error(&ctx, e, "/verifications")
        }
        Err(e) => {
            let errors = FormErrors::prefixed(e, &format!("{action}-"), ACTION_FIELDS);
            detail(&s, &ctx, id, errors, kept).await
        }
    }
}
