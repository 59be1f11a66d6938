//! The counter's case pages (issue #17 §4): 受理办件 (search the service item, identify the
//! applicant), the case page with its proof checklist and one button per allowed method,
//! the decision; and the applicant's 我的办件 on the portal with its progress.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use proofless_app::cases::{
    self, CaseDetail, CaseLine, CaseProof, Decision, DemandReport, NewCase, ResolveInput,
    ServiceHit,
};
use proofless_app::commitment::{self, Eligibility, EligibilityQuery, SignInput};
use proofless_app::{ActorKind, AppError, local_time};
use proofless_domain::case::{ApplicantKind, CaseOutcome, CaseState, ProofState, ResolutionMethod};
use proofless_domain::commitment::SigningChannel;
use serde::Deserialize;

use super::forms::{FormErrors, Kept, done};
use super::session::{page_error, require_staff};
use super::{Layout, render};
use crate::AppState;
use crate::ctx::Ctx;

fn query(pairs: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

fn when(ms: Option<i64>) -> String {
    ms.map(local_time).unwrap_or_default()
}

#[derive(Template)]
#[template(path = "case_list.html")]
struct ListPage {
    layout: Layout,
    rows: Vec<(CaseLine, String)>,
}

/// The unit's cases, newest first, with the way to 受理办件.
pub async fn list_page(State(s): State<AppState>, ctx: Ctx) -> Response {
    if let Err(e) = require_staff(&ctx) {
        return page_error(&ctx, e, "/");
    }
    match cases::list(&s.app, &ctx.actor, None, 100, 0).await {
        Ok(p) => {
            let rows = p
                .items
                .into_iter()
                .map(|l| {
                    let at = local_time(l.created_at);
                    (l, at)
                })
                .collect();
            render(
                StatusCode::OK,
                &ListPage {
                    layout: Layout::new("本单位办件", &ctx, "/cases"),
                    rows,
                },
            )
        }
        Err(e) => page_error(&ctx, e, "/workbench"),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewQuery {
    q: String,
    code: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewForm {
    service_item_code: String,
    applicant_kind: String,
    applicant: String,
    applicant_name: String,
    immediate: String,
}

#[derive(Template)]
#[template(path = "case_new.html")]
struct NewPage {
    layout: Layout,
    q: String,
    hits: Vec<ServiceHit>,
    form: NewForm,
    errors: FormErrors,
}

/// The case form's inputs, by the service's field names.
const NEW_FIELDS: &[(&str, &str)] = &[
    ("service_item_code", "service_item_code"),
    ("applicant_kind", "applicant_kind"),
    ("applicant", "applicant"),
    ("applicant_name", "applicant_name"),
];

async fn new_form(
    s: &AppState,
    ctx: &Ctx,
    q: String,
    form: NewForm,
    errors: FormErrors,
) -> Response {
    let hits = match cases::search_services(&s.app, &ctx.actor, &q).await {
        Ok(h) => h,
        Err(e) => return page_error(ctx, e, "/cases"),
    };
    render(
        errors.status(),
        &NewPage {
            layout: Layout::new("受理办件", ctx, "/cases"),
            q,
            hits,
            form,
            errors,
        },
    )
}

/// Step 1 and 2: find the service item, then identify the applicant.
pub async fn new_page(State(s): State<AppState>, ctx: Ctx, Query(qy): Query<NewQuery>) -> Response {
    if let Err(e) = require_staff(&ctx) {
        return page_error(&ctx, e, "/");
    }
    let form = NewForm {
        service_item_code: qy.code,
        applicant_kind: "person".into(),
        ..Default::default()
    };
    new_form(&s, &ctx, qy.q, form, FormErrors::none()).await
}

pub async fn new_submit(State(s): State<AppState>, ctx: Ctx, Form(f): Form<NewForm>) -> Response {
    let input = NewCase {
        service_item_code: f.service_item_code.clone(),
        applicant_kind: f.applicant_kind.clone(),
        applicant: f.applicant.clone(),
        applicant_name: Some(f.applicant_name.clone()),
        immediate: f.immediate == "yes",
        statutory_limit: None,
    };
    match cases::create(&s.app, &ctx.actor, &input).await {
        Ok(c) => done(&format!("/cases/{}", c.id), "已受理，办件已生成"),
        Err(e @ (AppError::Unauthenticated | AppError::Forbidden(_))) => {
            page_error(&ctx, e, "/cases")
        }
        Err(e) => {
            let errors = FormErrors::from_error(e, NEW_FIELDS);
            new_form(&s, &ctx, String::new(), f, errors).await
        }
    }
}

/// One proof as the case page shows it, with the steps still open to it.
pub struct ProofRow {
    p: CaseProof,
    methods: String,
    state: &'static str,
    method: &'static str,
    at: String,
    /// Methods the clerk records here: (code, label, the id of its note input).
    buttons: Vec<(&'static str, &'static str, String)>,
    /// The ids of this proof's inputs, for its errors and kept values (issue #22 point 3).
    facts_id: String,
    chosen_id: String,
    confirmed_id: String,
    got_id: String,
    scan_id: String,
    verify: bool,
    commit: bool,
    sharing: bool,
    complete: bool,
    /// 调取: the data-sharing pull page for this proof of the case.
    pull: String,
    /// A proxy task: only the unit's proxy agents record it, with a scan.
    proxy_open: bool,
    late_rule: &'static str,
    /// The applicant may sign (portal) or withdraw (a commitment of an open case).
    withdraw: bool,
}

/// The id of the note input of method `method` for proof `item` on the case page.
fn note_id(item: i64, method: &str) -> String {
    format!("note-{item}-{method}")
}

fn row(c: &CaseDetail, p: CaseProof) -> ProofRow {
    let open = c.state == CaseState::Open;
    let pending = open && p.state == ProofState::Pending;
    let has = |m: ResolutionMethod| p.methods.contains(&m);
    let mut buttons = Vec::new();
    for m in [
        ResolutionMethod::Proxy,
        ResolutionMethod::DeficiencyAcceptance,
    ] {
        if pending && has(m) {
            buttons.push((m.as_str(), m.label(), note_id(p.proof_item_id, m.as_str())));
        }
    }
    let applicant = ResolutionMethod::ApplicantProvided;
    if open
        && has(applicant)
        && p.method != Some(ResolutionMethod::Abolished)
        && p.state != ProofState::Resolved
    {
        buttons.push((
            applicant.as_str(),
            applicant.label(),
            note_id(p.proof_item_id, applicant.as_str()),
        ));
    }
    ProofRow {
        methods: p
            .methods
            .iter()
            .map(|m| m.label())
            .collect::<Vec<_>>()
            .join("、"),
        state: p.state.label(),
        method: p.method.map(ResolutionMethod::label).unwrap_or("—"),
        at: when(p.resolved_at),
        buttons,
        facts_id: format!("facts-{}", p.proof_item_id),
        chosen_id: format!("chosen-{}", p.proof_item_id),
        confirmed_id: format!("confirmed-{}", p.proof_item_id),
        got_id: format!("got-{}", p.proof_item_id),
        scan_id: format!("scanfile-{}", p.proof_item_id),
        verify: pending && has(ResolutionMethod::Verification),
        commit: pending
            && has(ResolutionMethod::Commitment)
            && c.applicant_kind == ApplicantKind::Person,
        sharing: pending && has(ResolutionMethod::DataSharing),
        pull: if pending && has(ResolutionMethod::DataSharing) {
            format!(
                "/sharing/pulls/new?{}",
                query(&[
                    ("case", c.case_no.as_str()),
                    ("proof", p.proof_item_id.to_string().as_str())
                ])
            )
        } else {
            String::new()
        },
        proxy_open: open
            && (p.state, p.method) == (ProofState::InProgress, Some(ResolutionMethod::Proxy)),
        late_rule: p.late_rule.map(|r| r.label()).unwrap_or(""),
        withdraw: open
            && p.state == ProofState::Resolved
            && p.method == Some(ResolutionMethod::Commitment)
            && p.commitment_id.is_some(),
        complete: open
            && matches!(
                (p.state, p.method),
                (ProofState::InProgress, Some(ResolutionMethod::Proxy))
                    | (
                        ProofState::Deferred,
                        Some(ResolutionMethod::DeficiencyAcceptance)
                    )
            ),
        p,
    }
}

#[derive(Template)]
#[template(path = "case_page.html")]
struct CasePage {
    layout: Layout,
    c: CaseDetail,
    rows: Vec<ProofRow>,
    state: &'static str,
    outcome: &'static str,
    created: String,
    decided: String,
    outcomes: Vec<(&'static str, &'static str)>,
    sharing_note: &'static str,
    /// A refused form of the page: its errors next to its inputs, what was typed kept.
    errors: FormErrors,
    kept: Kept,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ErrorQuery {
    error: String,
}

/// The case page: proof checklist, one button per allowed method, the decision.
pub async fn case_page(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(qy): Query<ErrorQuery>,
) -> Response {
    let errors = if qy.error.trim().is_empty() {
        FormErrors::none()
    } else {
        FormErrors::general(qy.error)
    };
    case_view(&s, &ctx, id, errors, Kept::none()).await
}

/// The case page, with the errors of a refused form next to its inputs and what was typed
/// kept (issue #22 point 3); 422 when it shows errors.
pub(super) async fn case_view(
    s: &AppState,
    ctx: &Ctx,
    id: i64,
    errors: FormErrors,
    kept: Kept,
) -> Response {
    if let Err(e) = require_staff(ctx) {
        return page_error(ctx, e, "/");
    }
    let c = match cases::get(&s.app, &ctx.actor, id).await {
        Ok(c) => c,
        Err(e) => return page_error(ctx, e, "/cases"),
    };
    let rows = c.proofs.clone().into_iter().map(|p| row(&c, p)).collect();
    render(
        errors.status(),
        &CasePage {
            layout: Layout::new(&format!("办件 {}", c.case_no), ctx, "/cases"),
            state: c.state.label(),
            outcome: c.outcome.map(CaseOutcome::label).unwrap_or(""),
            created: local_time(c.created_at),
            decided: when(c.decided_at),
            outcomes: CaseOutcome::ALL
                .iter()
                .map(|o| (o.as_str(), o.label()))
                .collect(),
            sharing_note: cases::DATA_SHARING_UNAVAILABLE,
            errors,
            kept,
            rows,
            c,
        },
    )
}

/// After a form of the case page: the success message on the case page, or the page again
/// with the errors by their inputs (`fields`: the service's field → the page's input id)
/// and what was typed.
async fn back(
    s: &AppState,
    ctx: &Ctx,
    id: i64,
    r: Result<(), AppError>,
    said: &str,
    fields: &[(&str, &str)],
    kept: Kept,
) -> Response {
    match r {
        Ok(()) => done(&format!("/cases/{id}"), said),
        Err(e) if FormErrors::is_access(&e) => page_error(ctx, e, "/cases"),
        Err(e) => case_view(s, ctx, id, FormErrors::from_error(e, fields), kept).await,
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NoteForm {
    method: String,
    note: String,
    applicant_confirmed: String,
    chosen: String,
    /// `yes` once the clerk and the applicant have seen what will be sealed (当场承诺).
    confirm: String,
}

pub async fn resolve_submit(
    State(s): State<AppState>,
    ctx: Ctx,
    Path((id, item)): Path<(i64, i64)>,
    Form(f): Form<NoteForm>,
) -> Response {
    let note = note_id(item, &f.method);
    let kept = Kept::none().with(note.as_str(), f.note.as_str());
    let input = ResolveInput {
        method: f.method,
        note: f.note,
    };
    let r = cases::resolve(&s.app, &ctx.actor, id, item, &input)
        .await
        .map(|_| ());
    let fields = [("note", note.as_str()), ("method", note.as_str())];
    back(&s, &ctx, id, r, "已记录该项证明的办理方式", &fields, kept).await
}

/// The confirmation step before the counter's 当场承诺 is signed and sealed: what the
/// unit's SM2 seal will cover (issue #22 point 3).
#[derive(Template)]
#[template(path = "case_commit_confirm.html")]
struct CommitConfirm {
    layout: Layout,
    c: CaseDetail,
    item: i64,
    proof_name: String,
    e: Eligibility,
    facts: String,
}

/// 当场承诺: the applicant, present, chooses commitment and signs the letter at the counter.
/// First the confirmation step (what will be signed and sealed), then the signature.
pub async fn commit_submit(
    State(s): State<AppState>,
    ctx: Ctx,
    Path((id, item)): Path<(i64, i64)>,
    Form(f): Form<NoteForm>,
) -> Response {
    let c = match cases::get(&s.app, &ctx.actor, id).await {
        Ok(c) => c,
        Err(e) => return page_error(&ctx, e, "/cases"),
    };
    let (facts, chosen, confirmed) = (
        format!("facts-{item}"),
        format!("chosen-{item}"),
        format!("confirmed-{item}"),
    );
    let fields = [
        ("facts", facts.as_str()),
        ("chosen_by_applicant", chosen.as_str()),
        ("applicant_confirmed", confirmed.as_str()),
        ("proof_item_id", facts.as_str()),
    ];
    let kept = Kept::none()
        .with(facts.as_str(), f.note.as_str())
        .with(chosen.as_str(), f.chosen.as_str())
        .with(confirmed.as_str(), f.applicant_confirmed.as_str());
    let input = SignInput {
        case_id: id,
        proof_item_id: item,
        person_id: Some(c.applicant.clone()),
        entity_id: None,
        facts: f.note.clone(),
        applicant_confirmed: f.applicant_confirmed == "yes",
        chosen_by_applicant: f.chosen == "yes",
    };
    if f.confirm != "yes" {
        // The same checks the signature makes, said next to their inputs before the step.
        if let Err(e) = input.parse(SigningChannel::Counter) {
            return back(&s, &ctx, id, Err(e), "", &fields, kept).await;
        }
        let query = EligibilityQuery {
            proof_item_id: item,
            person_id: Some(c.applicant.clone()),
            entity_id: None,
        };
        let e = match commitment::check_eligibility(&s.app, &ctx.actor, &query).await {
            Ok(e) => e,
            Err(e) => return back(&s, &ctx, id, Err(e), "", &fields, kept).await,
        };
        if !e.eligible {
            let why = [e.reason.clone(), e.way_back.clone()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join("；");
            let errors = FormErrors::from_error(AppError::field("facts", why), &fields);
            return case_view(&s, &ctx, id, errors, kept).await;
        }
        let proof_name = c
            .proofs
            .iter()
            .find(|p| p.proof_item_id == item)
            .map(|p| p.proof_item_name.clone())
            .unwrap_or_default();
        return render(
            StatusCode::OK,
            &CommitConfirm {
                layout: Layout::new("确认当场承诺", &ctx, "/cases"),
                item,
                proof_name,
                e,
                facts: f.note,
                c,
            },
        );
    }
    let r = commitment::sign(&s.app, &ctx.actor, &input)
        .await
        .map(|_| ());
    back(
        &s,
        &ctx,
        id,
        r,
        "承诺书已当场签署，并已加盖本单位电子印章",
        &fields,
        kept,
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DemandForm {
    proof_name: String,
    note: String,
}

pub async fn demand_submit(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<DemandForm>,
) -> Response {
    let kept = Kept::none()
        .with("proof_name", f.proof_name.as_str())
        .with("demand_note", f.note.as_str());
    let input = DemandReport {
        proof_name: f.proof_name,
        note: f.note,
    };
    let r = cases::report_demand(&s.app, &ctx.actor, id, &input)
        .await
        .map(|_| ());
    let fields = [("proof_name", "proof_name"), ("note", "demand_note")];
    back(&s, &ctx, id, r, "已登记清单外索要证明的情况", &fields, kept).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DecisionForm {
    outcome: String,
    reason: String,
    /// `yes` once the clerk has seen the decision to be recorded and confirmed it.
    confirm: String,
}

/// The confirmation step before a decision, which cannot be changed once recorded.
#[derive(Template)]
#[template(path = "case_decision_confirm.html")]
struct DecisionConfirm {
    layout: Layout,
    c: CaseDetail,
    outcome: String,
    outcome_label: &'static str,
    reason: String,
}

pub async fn decision_submit(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<DecisionForm>,
) -> Response {
    const FIELDS: &[(&str, &str)] = &[("outcome", "outcome"), ("reason", "reason")];
    let kept = Kept::none()
        .with("outcome", f.outcome.as_str())
        .with("reason", f.reason.as_str());
    let input = Decision {
        outcome: f.outcome.clone(),
        reason: f.reason.clone(),
    };
    if f.confirm != "yes" {
        let Some(o) = CaseOutcome::ALL.iter().find(|o| o.as_str() == f.outcome) else {
            let e = AppError::field("outcome", "请选择办理决定");
            return back(&s, &ctx, id, Err(e), "", FIELDS, kept).await;
        };
        // A refusal without its reason is said next to the reason, before the step.
        if let Err(e) = input.parse() {
            return back(&s, &ctx, id, Err(e), "", FIELDS, kept).await;
        }
        let c = match cases::get(&s.app, &ctx.actor, id).await {
            Ok(c) => c,
            Err(e) => return page_error(&ctx, e, "/cases"),
        };
        return render(
            StatusCode::OK,
            &DecisionConfirm {
                layout: Layout::new("确认办理决定", &ctx, "/cases"),
                c,
                outcome: f.outcome,
                outcome_label: o.label(),
                reason: f.reason,
            },
        );
    }
    let r = cases::decide(&s.app, &ctx.actor, id, &input)
        .await
        .map(|_| ());
    back(&s, &ctx, id, r, "办理决定已记录", FIELDS, kept).await
}

// --- portal ---------------------------------------------------------------------------------

const NEXT_COOKIE: &str = "pl_next";

/// Only the case pages of the portal are followed after login (no open redirect).
fn valid_next(path: &str) -> bool {
    path.starts_with("/portal/cases")
        && !path.contains("//")
        && !path.contains('\\')
        && path.len() < 200
}

/// Sends the visitor to the portal login, remembering where they were going.
fn to_login(next: &str) -> Response {
    let mut r = Redirect::to("/portal/login").into_response();
    if valid_next(next) {
        let v = query(&[("p", next)]);
        if let Ok(h) = axum::http::HeaderValue::from_str(&format!(
            "{NEXT_COOKIE}={v}; Path=/portal; HttpOnly; SameSite=Lax; Max-Age=900"
        )) {
            r.headers_mut().append(axum::http::header::SET_COOKIE, h);
        }
    }
    r
}

/// The deep link a portal login should continue to, if one was remembered.
pub fn next_after_login(headers: &axum::http::HeaderMap) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().strip_prefix(NEXT_COOKIE)?.strip_prefix('='))
        .find_map(|v| {
            url::form_urlencoded::parse(v.as_bytes())
                .find(|(k, _)| k == "p")
                .map(|(_, p)| p.into_owned())
        })
        .filter(|p| valid_next(p))
}

/// The progress steps 受理 → 核验/承诺 → 办结, and how far the case got (1..=3).
fn progress(state: CaseState, unresolved: i64) -> u8 {
    match (state, unresolved) {
        (CaseState::Open, n) if n > 0 => 1,
        (CaseState::Open, _) => 2,
        _ => 3,
    }
}

#[derive(Template)]
#[template(path = "case_mine.html")]
struct MinePage {
    layout: Layout,
    rows: Vec<(CaseLine, String, u8)>,
}

/// 我的办件.
pub async fn mine_page(State(s): State<AppState>, ctx: Ctx) -> Response {
    if ctx.actor.kind != ActorKind::Portal {
        return to_login("/portal/cases");
    }
    match cases::mine(&s.app, &ctx.actor).await {
        Ok(rows) => {
            let rows = rows
                .into_iter()
                .map(|l| {
                    let (at, step) = (local_time(l.created_at), progress(l.state, l.unresolved));
                    (l, at, step)
                })
                .collect();
            render(
                StatusCode::OK,
                &MinePage {
                    layout: Layout::new("我的办件", &ctx, "/portal/cases"),
                    rows,
                },
            )
        }
        Err(e) => page_error(&ctx, e, "/portal"),
    }
}

#[derive(Template)]
#[template(path = "case_portal.html")]
struct PortalCase {
    layout: Layout,
    c: CaseDetail,
    rows: Vec<ProofRow>,
    step: u8,
    state: &'static str,
    outcome: &'static str,
}

/// One of the applicant's cases: every proof, how it was resolved, by whom and when.
pub async fn portal_case(State(s): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Response {
    if ctx.actor.kind != ActorKind::Portal {
        return to_login(&format!("/portal/cases/{id}"));
    }
    let c = match cases::get(&s.app, &ctx.actor, id).await {
        Ok(c) => c,
        Err(e) => return page_error(&ctx, e, "/portal/cases"),
    };
    let unresolved = c
        .proofs
        .iter()
        .filter(|p| !p.state.allows_decision())
        .count();
    let rows = c.proofs.clone().into_iter().map(|p| row(&c, p)).collect();
    render(
        StatusCode::OK,
        &PortalCase {
            layout: Layout::new(&format!("办件 {}", c.case_no), &ctx, "/portal/cases"),
            step: progress(c.state, i64::try_from(unresolved).unwrap_or(i64::MAX)),
            state: c.state.label(),
            outcome: c.outcome.map(CaseOutcome::label).unwrap_or(""),
            rows,
            c,
        },
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct StartQuery {
    code: String,
}

#[derive(Template)]
#[template(path = "case_start.html")]
struct StartPage {
    layout: Layout,
    code: String,
    name: String,
    org: String,
}

/// 在线办理 from an item or a service page: after login (the link survives it), the
/// applicant confirms, and the case starts (a POST: a link alone changes nothing).
pub async fn start_page(
    State(s): State<AppState>,
    ctx: Ctx,
    Query(qy): Query<StartQuery>,
) -> Response {
    if ctx.actor.kind != ActorKind::Portal {
        let q = query(&[("code", qy.code.as_str())]);
        return to_login(&format!("/portal/cases/start?{q}"));
    }
    let code = qy.code.trim().to_owned();
    let hit = cases::service_by_code(&s.app, &code).await;
    match hit {
        Ok(h) => render(
            StatusCode::OK,
            &StartPage {
                layout: Layout::new("在线办理", &ctx, "/portal/cases"),
                code,
                name: h.name,
                org: h.org_name,
            },
        ),
        Err(e) => page_error(&ctx, e, "/portal/cases"),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct StartForm {
    code: String,
}

/// The applicant confirmed: the case starts.
pub async fn start_submit(
    State(s): State<AppState>,
    ctx: Ctx,
    Form(f): Form<StartForm>,
) -> Response {
    if ctx.actor.kind != ActorKind::Portal {
        let q = query(&[("code", f.code.as_str())]);
        return to_login(&format!("/portal/cases/start?{q}"));
    }
    match cases::start_online(&s.app, &ctx.actor, &f.code).await {
        Ok(id) => Redirect::to(&format!("/portal/cases/{id}")).into_response(),
        Err(e) => page_error(&ctx, e, "/portal/cases"),
    }
}
