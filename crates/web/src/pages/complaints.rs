//! Complaint pages (annex 4; issue #20): the public form, the receipt, the tracking page
//! with the satisfaction answer and the published channels (no login); the receivers' and
//! agencies' list, registration form, one complaint with its acts, and the figures.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use proofless_app::complaints::figures::{self, By};
use proofless_app::complaints::handling;
use proofless_app::complaints::intake;
use proofless_app::complaints::view::{self, Tracked};
use proofless_app::complaints::{
    AcceptInput, Complaint, ExtensionDecision, ExtensionInput, FigureQuery, FigureRow, LinkInput,
    ListFilter, PublicInput, RegisterInput, RejectInput, ResultInput, SatisfactionInput,
    TerminateInput, TrackInput, result,
};
use proofless_app::{ActorKind, AppError, local_time};
use proofless_domain::complaint::{
    Channel, ComplaintState, Ground, RejectGround, Satisfaction, TerminateGround,
};
use serde::Deserialize;

use super::forms::{FormErrors, Kept};
use super::session::page_error;
use super::{Layout, render};
use crate::AppState;
use crate::api::complaints::send_sms;
use crate::client_addr::ClientAddr;
use crate::ctx::Ctx;

/// A choice of a select: stored value and Chinese label.
pub struct Opt {
    pub value: String,
    pub label: String,
}

fn opts<T: Copy>(all: &[T], v: fn(T) -> &'static str, l: fn(T) -> &'static str) -> Vec<Opt> {
    all.iter()
        .map(|x| Opt {
            value: v(*x).to_owned(),
            label: l(*x).to_owned(),
        })
        .collect()
}

async fn agencies(s: &AppState) -> Vec<Opt> {
    view::agencies(&s.app)
        .await
        .map(|v| {
            v.into_iter()
                .map(|(id, name)| Opt {
                    value: id.to_string(),
                    label: name,
                })
                .collect()
        })
        .unwrap_or_default()
}

#[derive(Template)]
#[template(path = "complaint_public.html")]
struct PublicPage {
    layout: Layout,
    agencies: Vec<Opt>,
    grounds: Vec<Opt>,
    errors: FormErrors,
    /// What was sent, shown again when it is refused.
    form: PublicInput,
    receipt: String,
}

/// The public complaint form's inputs, by the service's field names.
const PUBLIC_FIELDS: &[(&str, &str)] = &[
    ("receiver", "c-receiver"),
    ("name", "c-name"),
    ("phone", "c-phone"),
    ("agency", "c-agency"),
    ("agency_org_id", "c-agency"),
    ("ground", "c-ground"),
    ("proof_name", "c-proof"),
    ("request", "c-request"),
    ("reasons", "c-reasons"),
];

async fn public_page(
    s: &AppState,
    ctx: &Ctx,
    errors: FormErrors,
    form: PublicInput,
    receipt: String,
) -> Response {
    render(
        errors.status(),
        &PublicPage {
            layout: Layout::new("我要投诉", ctx, "/complaints/new"),
            agencies: agencies(s).await,
            grounds: opts(Ground::ALL, Ground::as_str, Ground::label),
            errors,
            form,
            receipt,
        },
    )
}

pub async fn public_form(State(s): State<AppState>, ctx: Ctx) -> Response {
    public_page(
        &s,
        &ctx,
        FormErrors::none(),
        PublicInput::default(),
        String::new(),
    )
    .await
}

pub async fn public_submit(
    State(s): State<AppState>,
    ctx: Ctx,
    Form(f): Form<PublicInput>,
) -> Response {
    match intake::submit_public(&s.app, &ctx.actor, &f).await {
        Ok(r) => {
            let blank = PublicInput::default();
            public_page(&s, &ctx, FormErrors::none(), blank, r.receipt_no).await
        }
        Err(e) => {
            let errors = FormErrors::from_error(e, PUBLIC_FIELDS);
            public_page(&s, &ctx, errors, f, String::new()).await
        }
    }
}

#[derive(Template)]
#[template(path = "complaint_track.html")]
struct TrackPage {
    layout: Layout,
    receipt_no: String,
    phone: String,
    /// Errors by their inputs (issue #22 point 3).
    errors: FormErrors,
    found: Option<Tracked>,
    answers: Vec<Opt>,
}

fn track_page(
    ctx: &Ctx,
    receipt_no: String,
    phone: String,
    r: Result<Tracked, AppError>,
) -> Response {
    let fields = [
        ("receipt_no", "t-no"),
        ("phone", "t-phone"),
        ("answer", "t-answer"),
    ];
    let (found, errors) = match r {
        Ok(t) => (Some(t), FormErrors::none()),
        Err(AppError::Throttled(m)) => (
            None,
            FormErrors::general(format!("查询过于频繁，请 {m} 分钟后再试")),
        ),
        Err(e) => (None, FormErrors::from_error(e, &fields)),
    };
    render(
        errors.status(),
        &TrackPage {
            layout: Layout::new("投诉查询", ctx, "/complaints/track"),
            receipt_no,
            phone,
            errors,
            found,
            answers: opts(Satisfaction::ALL, Satisfaction::as_str, Satisfaction::label),
        },
    )
}

pub async fn track_form(ctx: Ctx) -> Response {
    track_page(
        &ctx,
        String::new(),
        String::new(),
        Err(AppError::Validation(vec![])),
    )
}

pub async fn track_submit(
    State(s): State<AppState>,
    ctx: Ctx,
    client: ClientAddr,
    Form(f): Form<TrackInput>,
) -> Response {
    let r = view::track(&s.app, &ctx.actor, client.as_str(), &f).await;
    track_page(&ctx, f.receipt_no, f.phone, r)
}

pub async fn rate_submit(
    State(s): State<AppState>,
    ctx: Ctx,
    client: ClientAddr,
    Form(f): Form<SatisfactionInput>,
) -> Response {
    let r = result::rate(&s.app, &ctx.actor, client.as_str(), &f).await;
    track_page(&ctx, f.receipt_no, f.phone, r)
}

#[derive(Template)]
#[template(path = "complaint_channels.html")]
struct ChannelsPage {
    layout: Layout,
}

/// The published complaint channels (R10.5, P 三(四)2).
pub async fn channels(ctx: Ctx) -> Response {
    render(
        StatusCode::OK,
        &ChannelsPage {
            layout: Layout::new("投诉举报渠道", &ctx, "/complaints/channels"),
        },
    )
}

/// One line of a list.
pub struct Row {
    pub id: i64,
    pub receipt_no: String,
    pub receiver: &'static str,
    pub channel: &'static str,
    pub agency: String,
    pub ground: &'static str,
    pub state: &'static str,
    pub received: String,
}

fn row(c: &Complaint) -> Row {
    Row {
        id: c.id,
        receipt_no: c.receipt_no.clone().unwrap_or_default(),
        receiver: c.receiver.label(),
        channel: c.channel.label(),
        agency: c.agency_org_name.clone(),
        ground: c.ground.label(),
        state: c.state.label(),
        received: local_time(c.received_at),
    }
}

#[derive(Template)]
#[template(path = "complaint_list.html")]
struct ListPage {
    layout: Layout,
    rows: Vec<Row>,
    total: i64,
    may_register: bool,
    may_figures: bool,
    states: Vec<Opt>,
    state: String,
}

pub async fn list(State(s): State<AppState>, ctx: Ctx, Query(f): Query<ListFilter>) -> Response {
    let page = match view::list(&s.app, &ctx.actor, &f).await {
        Ok(p) => p,
        Err(e) => return page_error(&ctx, e, "/workbench"),
    };
    let a = &ctx.actor;
    render(
        StatusCode::OK,
        &ListPage {
            layout: Layout::new("投诉举报", &ctx, "/complaints"),
            rows: page.items.iter().map(row).collect(),
            total: page.total,
            may_register: intake::receiver_role(a).is_some()
                || a.has_any(intake::AGENCY_RECEIVER_ROLES),
            may_figures: a.has_any(figures::READERS),
            states: opts(
                ComplaintState::ALL,
                ComplaintState::as_str,
                ComplaintState::label,
            ),
            state: f.state.unwrap_or_default(),
        },
    )
}

#[derive(Template)]
#[template(path = "complaint_register.html")]
struct RegisterPage {
    layout: Layout,
    agencies: Vec<Opt>,
    grounds: Vec<Opt>,
    channels: Vec<Opt>,
    /// Errors by their inputs and what was typed (issue #22 point 3).
    errors: FormErrors,
    kept: Kept,
}

/// The staff registration form's inputs, by the service's field names.
const REGISTER_FIELDS: &[(&str, &str)] = &[
    ("channel", "r-channel"),
    ("form", "r-form"),
    ("anonymous", "r-anon"),
    ("name", "r-name"),
    ("phone", "r-phone"),
    ("agent_name", "r-agent"),
    ("agent_authorisation", "r-auth"),
    ("agency", "r-agency"),
    ("agency_org_id", "r-agency"),
    ("ground", "r-ground"),
    ("proof_name", "r-proof"),
    ("request", "r-request"),
    ("reasons", "r-reasons"),
];

async fn register_page(s: &AppState, ctx: &Ctx, errors: FormErrors, kept: Kept) -> Response {
    render(
        errors.status(),
        &RegisterPage {
            layout: Layout::new("登记投诉", ctx, "/complaints"),
            agencies: agencies(s).await,
            grounds: opts(Ground::ALL, Ground::as_str, Ground::label),
            channels: opts(Channel::ALL, Channel::as_str, Channel::label),
            errors,
            kept,
        },
    )
}

pub async fn register_form(State(s): State<AppState>, ctx: Ctx) -> Response {
    if ctx.actor.kind != ActorKind::Staff {
        return Redirect::to("/login").into_response();
    }
    register_page(&s, &ctx, FormErrors::none(), Kept::none()).await
}

/// The staff form; `anonymous` arrives as a checkbox (`yes`).
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RegisterForm {
    channel: String,
    form: String,
    anonymous: String,
    name: String,
    phone: String,
    agent_name: String,
    agent_authorisation: String,
    agency_org_id: Option<i64>,
    ground: String,
    request: String,
    reasons: String,
    proof_name: String,
}

fn some(s: String) -> Option<String> {
    (!s.trim().is_empty()).then_some(s)
}

pub async fn register_submit(
    State(s): State<AppState>,
    ctx: Ctx,
    Form(f): Form<RegisterForm>,
) -> Response {
    let kept = Kept::none()
        .with("r-channel", f.channel.as_str())
        .with("r-form", f.form.as_str())
        .with("r-anon", f.anonymous.as_str())
        .with("r-name", f.name.as_str())
        .with("r-phone", f.phone.as_str())
        .with("r-agent", f.agent_name.as_str())
        .with("r-auth", f.agent_authorisation.as_str())
        .with(
            "r-agency",
            f.agency_org_id.map(|i| i.to_string()).unwrap_or_default(),
        )
        .with("r-ground", f.ground.as_str())
        .with("r-proof", f.proof_name.as_str())
        .with("r-request", f.request.as_str())
        .with("r-reasons", f.reasons.as_str());
    let input = RegisterInput {
        receiver: None,
        channel: f.channel,
        form: f.form,
        anonymous: f.anonymous == "yes",
        name: some(f.name),
        phone: some(f.phone),
        agent_name: some(f.agent_name),
        agent_authorisation: some(f.agent_authorisation),
        agency_org_id: f.agency_org_id,
        ground: f.ground,
        request: f.request,
        reasons: f.reasons,
        proof_item_id: None,
        service_item_id: None,
        proof_name: some(f.proof_name),
    };
    match intake::register(&s.app, &ctx.actor, &input).await {
        Ok(c) => Redirect::to(&format!("/complaints/{}", c.id)).into_response(),
        Err(e) if FormErrors::is_access(&e) => page_error(&ctx, e, "/complaints"),
        Err(e) => {
            let errors = FormErrors::from_error(e, REGISTER_FIELDS);
            register_page(&s, &ctx, errors, kept).await
        }
    }
}

#[derive(Template)]
#[template(path = "complaint_detail.html")]
struct DetailPage {
    layout: Layout,
    c: Complaint,
    received: String,
    is_receiver: bool,
    handles: bool,
    reject_grounds: Vec<Opt>,
    terminate_grounds: Vec<Opt>,
    agencies: Vec<Opt>,
    /// A refused act: its errors by their inputs, what was typed kept (issue #22 point 3).
    errors: FormErrors,
    kept: Kept,
}

#[derive(Deserialize, Default)]
pub struct DetailQuery {
    error: Option<String>,
}

pub async fn detail(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<DetailQuery>,
) -> Response {
    let errors = match q.error {
        Some(m) if !m.trim().is_empty() => FormErrors::general(m),
        _ => FormErrors::none(),
    };
    detail_view(&s, &ctx, id, errors, Kept::none()).await
}

async fn detail_view(s: &AppState, ctx: &Ctx, id: i64, errors: FormErrors, kept: Kept) -> Response {
    let c = match view::get(&s.app, &ctx.actor, id).await {
        Ok(c) => c,
        Err(e) => return page_error(ctx, e, "/complaints"),
    };
    let a = view::access(&ctx.actor, &c);
    let is_receiver = a == Some(view::Access::Receiver);
    let handles = a == Some(view::Access::Handler)
        || (is_receiver && c.handling_org_id == Some(c.receiver_org_id));
    let agencies = vec![
        Opt {
            value: c.agency_org_id.to_string(),
            label: format!("被投诉单位：{}", c.agency_org_name),
        },
        Opt {
            value: c.receiver_org_id.to_string(),
            label: format!("受理机构自办：{}", c.receiver_org_name),
        },
    ];
    render(
        errors.status(),
        &DetailPage {
            layout: Layout::new("投诉详情", ctx, "/complaints"),
            received: local_time(c.received_at),
            c,
            is_receiver,
            handles,
            reject_grounds: opts(RejectGround::ALL, RejectGround::as_str, RejectGround::label),
            terminate_grounds: opts(
                TerminateGround::ALL,
                TerminateGround::as_str,
                TerminateGround::label,
            ),
            agencies,
            errors,
            kept,
        },
    )
}

/// Every act's form: the fields of whichever act the button names.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ActForm {
    handling_org_id: Option<i64>,
    identity_needed: String,
    ground: String,
    note: String,
    first_id: Option<i64>,
    period: String,
    reason: String,
    ext_id: Option<i64>,
    approve: String,
    facts: String,
    upheld: String,
    measures: String,
}

pub async fn act(
    State(s): State<AppState>,
    ctx: Ctx,
    Path((id, what)): Path<(i64, String)>,
    Form(f): Form<ActForm>,
) -> Response {
    let (app, a) = (&s.app, &ctx.actor);
    let yes = |v: &str| v == "yes";
    // The act's inputs on the detail page, by the service's field names, and what was typed.
    let fields: &[(&str, &str)] = match what.as_str() {
        "accept" => &[("handling_org_id", "a-org")],
        "reject" => &[("ground", "rj-ground"), ("note", "rj-note")],
        "result" => &[
            ("facts", "rs-facts"),
            ("upheld", "rs-upheld"),
            ("measures", "rs-measures"),
        ],
        "extension" => &[("period", "ex-period"), ("reason", "ex-reason")],
        "terminate" => &[("ground", "tm-ground"), ("note", "tm-note")],
        _ => &[],
    };
    let typed = |f: &ActForm, field: &str| -> String {
        match field {
            "handling_org_id" => f.handling_org_id.map(|i| i.to_string()).unwrap_or_default(),
            "ground" => f.ground.clone(),
            "note" => f.note.clone(),
            "facts" => f.facts.clone(),
            "upheld" => f.upheld.clone(),
            "measures" => f.measures.clone(),
            "period" => f.period.clone(),
            "reason" => f.reason.clone(),
            _ => String::new(),
        }
    };
    let kept = fields
        .iter()
        .fold(Kept::none(), |k, (field, id)| k.with(*id, typed(&f, field)));
    let r: Result<Option<handling::Acted>, AppError> = match what.as_str() {
        "accept" => handling::accept(
            app,
            a,
            id,
            &AcceptInput {
                handling_org_id: f.handling_org_id,
                identity_needed: yes(&f.identity_needed),
                csrf: None,
            },
        )
        .await
        .map(Some),
        "reject" => handling::reject(
            app,
            a,
            id,
            &RejectInput {
                ground: f.ground,
                note: f.note,
                csrf: None,
            },
        )
        .await
        .map(Some),
        "link" => handling::link(
            app,
            a,
            id,
            &LinkInput {
                first_id: f.first_id.unwrap_or_default(),
                csrf: None,
            },
        )
        .await
        .map(Some),
        "extension" => handling::request_extension(
            app,
            a,
            id,
            &ExtensionInput {
                period: f.period,
                reason: f.reason,
                csrf: None,
            },
        )
        .await
        .map(|_| None),
        "decision" => handling::decide_extension(
            app,
            a,
            id,
            f.ext_id.unwrap_or_default(),
            &ExtensionDecision {
                approve: yes(&f.approve),
                csrf: None,
            },
        )
        .await
        .map(|_| None),
        "terminate" => handling::terminate(
            app,
            a,
            id,
            &TerminateInput {
                ground: f.ground,
                note: f.note,
                csrf: None,
            },
        )
        .await
        .map(Some),
        "result" => result::record_result(
            app,
            a,
            id,
            &ResultInput {
                facts: f.facts,
                upheld: yes(&f.upheld),
                measures: f.measures,
                csrf: None,
            },
        )
        .await
        .map(Some),
        "reopen" => handling::reopen(app, a, id).await.map(|_| None),
        _ => Err(AppError::NotFound("该操作".to_owned())),
    };
    let r = match r {
        Ok(Some(acted)) => {
            send_sms(&s, acted).await;
            Ok(())
        }
        Ok(None) => Ok(()),
        Err(e) => Err(e),
    };
    match r {
        Ok(()) => Redirect::to(&format!("/complaints/{id}")).into_response(),
        Err(e @ (AppError::Validation(_) | AppError::Conflict(_))) => {
            let errors = FormErrors::from_error(e, fields);
            detail_view(&s, &ctx, id, errors, kept).await
        }
        Err(e) => page_error(&ctx, e, &format!("/complaints/{id}")),
    }
}

#[derive(Template)]
#[template(path = "complaint_figures.html")]
struct FiguresPage {
    layout: Layout,
    period: String,
    by: String,
    bys: Vec<Opt>,
    rows: Vec<FigureRow>,
    hot: figures::HotSpots,
    chart: HotChart,
}

/// One bar pair of the hot-spot chart, in SVG user units.
pub struct HotBar {
    pub label: String,
    pub previous: i64,
    pub recent: i64,
    pub y_label: i64,
    pub y_previous: i64,
    pub y_recent: i64,
    pub w_previous: i64,
    pub w_recent: i64,
    pub x_previous_text: i64,
    pub x_recent_text: i64,
}

/// The hot spots as a server-rendered horizontal bar chart (no script, no inline style).
pub struct HotChart {
    pub height: i64,
    pub bars: Vec<HotBar>,
}

const CHART_LABEL_W: i64 = 220;
const CHART_BAR_W: i64 = 380;
const CHART_ROW_H: i64 = 34;

fn hot_chart(h: &figures::HotSpots) -> HotChart {
    let max = h
        .rising
        .iter()
        .map(|r| r.recent.max(r.previous))
        .max()
        .unwrap_or(1)
        .max(1);
    let width = |n: i64| (n * CHART_BAR_W / max).max(i64::from(n > 0));
    let bars = h
        .rising
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let top = 24 + i64::try_from(i).unwrap_or(0) * CHART_ROW_H;
            let label: String = r.label.chars().take(14).collect();
            let (wp, wr) = (width(r.previous), width(r.recent));
            HotBar {
                label,
                previous: r.previous,
                recent: r.recent,
                y_label: top + 18,
                y_previous: top + 2,
                y_recent: top + 15,
                w_previous: wp,
                w_recent: wr,
                x_previous_text: CHART_LABEL_W + wp + 4,
                x_recent_text: CHART_LABEL_W + wr + 4,
            }
        })
        .collect::<Vec<_>>();
    HotChart {
        height: 24 + i64::try_from(bars.len()).unwrap_or(0) * CHART_ROW_H + 8,
        bars,
    }
}

pub async fn figures_page(
    State(s): State<AppState>,
    ctx: Ctx,
    Query(q): Query<FigureQuery>,
) -> Response {
    let (period, by, rows) = match figures::figures(&s.app, &ctx.actor, &q).await {
        Ok(v) => v,
        Err(e) => return page_error(&ctx, e, "/complaints"),
    };
    let hot = match figures::hot_spots(&s.app, &ctx.actor, q.hot.as_deref()).await {
        Ok(h) => h,
        Err(e) => return page_error(&ctx, e, "/complaints/figures"),
    };
    let chart = hot_chart(&hot);
    let bys: Vec<Opt> = By::ALL
        .iter()
        .map(|b| Opt {
            value: b.1.to_owned(),
            label: b.2.to_owned(),
        })
        .collect();
    let by = By::ALL
        .iter()
        .find(|b| b.0 == by)
        .map_or("receiver", |b| b.1)
        .to_owned();
    render(
        StatusCode::OK,
        &FiguresPage {
            layout: Layout::new("投诉统计", &ctx, "/complaints"),
            period,
            by,
            bys,
            rows,
            hot,
            chart,
        },
    )
}

/// One of the citizen's own complaints as 我的投诉 lists it.
pub struct MineRow {
    pub receipt_no: String,
    pub agency: String,
    pub ground: &'static str,
    pub state: &'static str,
    pub received: String,
    /// The outcome in a line: the result, why it was not accepted or ended, or empty.
    pub outcome: String,
    pub satisfaction: &'static str,
    /// A result waits for the satisfaction answer (given on the tracking page).
    pub may_rate: bool,
    pub notice_id: Option<String>,
}

fn mine_row(c: &Complaint) -> MineRow {
    let outcome = match c.state {
        ComplaintState::Answered | ComplaintState::Closed => {
            let verdict = if c.upheld == Some(true) {
                "投诉属实"
            } else {
                "投诉不属实"
            };
            let measures = c.measures.clone().unwrap_or_default();
            if measures.is_empty() {
                verdict.to_owned()
            } else {
                format!("{verdict}；处理措施：{measures}")
            }
        }
        ComplaintState::Rejected => format!(
            "不予受理：{}",
            c.reject_ground.map(RejectGround::label).unwrap_or_default()
        ),
        ComplaintState::Terminated => format!(
            "已终止：{}",
            c.terminate_ground
                .map(TerminateGround::label)
                .unwrap_or_default()
        ),
        ComplaintState::Linked => "已并入首家受理机构办理，结果以首家为准".to_owned(),
        ComplaintState::Registered | ComplaintState::Accepted => String::new(),
    };
    MineRow {
        receipt_no: c.receipt_no.clone().unwrap_or_default(),
        agency: c.agency_org_name.clone(),
        ground: c.ground.label(),
        state: c.state.label(),
        received: local_time(c.received_at),
        outcome,
        satisfaction: c.satisfaction.map(Satisfaction::label).unwrap_or_default(),
        may_rate: c.state == ComplaintState::Answered && c.satisfaction.is_none(),
        notice_id: c.notice_id.clone(),
    }
}

#[derive(Template)]
#[template(path = "complaint_mine.html")]
struct MinePage {
    layout: Layout,
    rows: Vec<MineRow>,
    total: i64,
}

/// 我的投诉: the signed-in citizen's complaints with their status (portal; issue #20).
pub async fn mine_page(
    State(s): State<AppState>,
    ctx: Ctx,
    Query(f): Query<ListFilter>,
) -> Response {
    if ctx.actor.kind != ActorKind::Portal {
        return Redirect::to("/portal/login").into_response();
    }
    match view::list(&s.app, &ctx.actor, &f).await {
        Ok(page) => render(
            StatusCode::OK,
            &MinePage {
                layout: Layout::new("我的投诉", &ctx, "/portal/complaints"),
                rows: page.items.iter().map(mine_row).collect(),
                total: page.total,
            },
        ),
        Err(e) => page_error(&ctx, e, "/portal"),
    }
}
