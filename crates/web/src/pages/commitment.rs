//! Pages of notification-commitment and credit (issue #6): the citizen's signing page and
//! letters, the inspector's checks, the credit office's screens, the joint office's charts.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use proofless_app::commitment::public::{self, FigureQuery};
use proofless_app::commitment::{
    self, Commitment, DueCheck, Eligibility, EligibilityQuery, ResultInput, SignInput,
    WithdrawInput, checks,
};
use proofless_app::credit::{
    self, BlacklistEntry, CreditRecord, DecisionInput, ObjectionInput, Proposal, ProposalFilter,
    RecordFilter, Repair, RepairDecision, RepairRequest, blacklist, repair,
};
use proofless_app::{ActorKind, AppError, local_time};
use proofless_domain::commitment::{Consequence, SigningChannel};
use proofless_domain::credit::ProposalState;
use serde::Deserialize;

use super::forms::{FormErrors, Kept, done};
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

/// A checkbox or button sent as `yes`.
fn yes(v: &str) -> bool {
    v == "yes"
}

#[derive(Deserialize, Default)]
pub struct SignQuery {
    case_id: Option<i64>,
    proof_item_id: Option<i64>,
    entity_id: Option<i64>,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "commitment_sign.html")]
struct SignPage {
    layout: Layout,
    case_id: i64,
    proof_item_id: i64,
    entity_id: String,
    e: Eligibility,
    facts: String,
    errors: FormErrors,
}

/// The confirmation step before the letter is signed and sealed: what will be sealed.
#[derive(Template)]
#[template(path = "commitment_confirm.html")]
struct ConfirmPage {
    layout: Layout,
    case_id: i64,
    proof_item_id: i64,
    entity_id: String,
    e: Eligibility,
    signer: String,
    facts: String,
}

/// The signing form's inputs, by the service's field names.
const SIGN_FIELDS: &[(&str, &str)] = &[("facts", "facts"), ("chosen_by_applicant", "chosen")];

async fn sign_form(
    s: &AppState,
    ctx: &Ctx,
    case_id: i64,
    proof_item_id: i64,
    entity_id: Option<i64>,
    facts: String,
    errors: FormErrors,
) -> Response {
    if ctx.actor.kind != ActorKind::Portal {
        return Redirect::to("/portal/login").into_response();
    }
    let query = EligibilityQuery {
        proof_item_id,
        person_id: None,
        entity_id,
    };
    let e = match commitment::check_eligibility(&s.app, &ctx.actor, &query).await {
        Ok(e) => e,
        Err(e) => return portal_error(ctx, e, "/portal/commitments"),
    };
    render(
        errors.status(),
        &SignPage {
            layout: Layout::new("签署告知承诺书", ctx, "/portal/commitments"),
            case_id,
            proof_item_id,
            entity_id: entity_id.map(|e| e.to_string()).unwrap_or_default(),
            e,
            facts,
            errors,
        },
    )
}

/// The citizen reads the template, sees whether commitment is open to them and which
/// check would follow, and signs.
pub async fn sign_page(
    State(s): State<AppState>,
    ctx: Ctx,
    Query(qy): Query<SignQuery>,
) -> Response {
    let errors = match qy.error {
        Some(m) if !m.trim().is_empty() => FormErrors::general(m),
        _ => FormErrors::none(),
    };
    sign_form(
        &s,
        &ctx,
        qy.case_id.unwrap_or_default(),
        qy.proof_item_id.unwrap_or_default(),
        qy.entity_id,
        String::new(),
        errors,
    )
    .await
}

/// The portal's signing form (the token travels as `csrf`, checked by the middleware).
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SignForm {
    case_id: i64,
    proof_item_id: i64,
    /// Empty when signing for oneself.
    entity_id: Option<i64>,
    facts: String,
    /// The box the applicant ticks to choose commitment (`yes`).
    chosen: String,
    /// `yes` once the applicant has seen what will be sealed and confirmed it.
    confirm: String,
}

/// First the confirmation step (what will be signed and sealed), then the signature.
pub async fn sign_submit(State(s): State<AppState>, ctx: Ctx, Form(f): Form<SignForm>) -> Response {
    if !yes(&f.confirm) {
        if !yes(&f.chosen) || f.facts.chars().count() > 2000 {
            // The same checks the service makes, said next to their fields before the step.
            let input = SignInput {
                case_id: f.case_id,
                proof_item_id: f.proof_item_id,
                person_id: None,
                entity_id: f.entity_id,
                facts: f.facts.clone(),
                applicant_confirmed: false,
                chosen_by_applicant: yes(&f.chosen),
            };
            let errors = match input.parse(SigningChannel::Portal) {
                Err(e) => FormErrors::from_error(e, SIGN_FIELDS),
                Ok(_) => FormErrors::general("请勾选确认自愿以告知承诺代替提交证明"),
            };
            return sign_form(
                &s,
                &ctx,
                f.case_id,
                f.proof_item_id,
                f.entity_id,
                f.facts,
                errors,
            )
            .await;
        }
        if ctx.actor.kind != ActorKind::Portal {
            return Redirect::to("/portal/login").into_response();
        }
        let query = EligibilityQuery {
            proof_item_id: f.proof_item_id,
            person_id: None,
            entity_id: f.entity_id,
        };
        let e = match commitment::check_eligibility(&s.app, &ctx.actor, &query).await {
            Ok(e) => e,
            Err(e) => return portal_error(&ctx, e, "/portal/commitments"),
        };
        return render(
            StatusCode::OK,
            &ConfirmPage {
                layout: Layout::new("确认签署告知承诺书", &ctx, "/portal/commitments"),
                case_id: f.case_id,
                proof_item_id: f.proof_item_id,
                entity_id: f.entity_id.map(|e| e.to_string()).unwrap_or_default(),
                e,
                signer: ctx.actor.name.clone(),
                facts: f.facts,
            },
        );
    }
    let input = SignInput {
        case_id: f.case_id,
        proof_item_id: f.proof_item_id,
        person_id: None,
        entity_id: f.entity_id,
        facts: f.facts.clone(),
        applicant_confirmed: false,
        chosen_by_applicant: yes(&f.chosen),
    };
    match commitment::sign(&s.app, &ctx.actor, &input).await {
        Ok(c) => done(
            &format!("/portal/commitments/{}", c.id),
            "承诺书已签署，并已加盖受理单位电子印章",
        ),
        Err(e @ (AppError::Unauthenticated | AppError::Forbidden(_))) => {
            portal_error(&ctx, e, "/portal/commitments")
        }
        Err(e) => {
            let errors = FormErrors::from_error(e, SIGN_FIELDS);
            sign_form(
                &s,
                &ctx,
                f.case_id,
                f.proof_item_id,
                f.entity_id,
                f.facts,
                errors,
            )
            .await
        }
    }
}

pub struct LetterView {
    c: Commitment,
    letter: serde_json::Value,
    signed: String,
}

#[derive(Template)]
#[template(path = "commitment_letter.html")]
struct LetterPage {
    layout: Layout,
    v: LetterView,
    portal: bool,
    /// A counter clerk of the receiving unit may record the applicant's withdrawal.
    counter: bool,
    /// The refused withdrawal: errors by their inputs, what was typed (issue #22 point 3).
    errors: FormErrors,
    kept: Kept,
}

/// One commitment: the sealed letter, the plan, the PDF, withdrawal.
pub async fn letter_page(State(s): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Response {
    letter_view(&s, &ctx, id, FormErrors::none(), Kept::none()).await
}

async fn letter_view(s: &AppState, ctx: &Ctx, id: i64, errors: FormErrors, kept: Kept) -> Response {
    let c = match commitment::get(&s.app, &ctx.actor, id).await {
        Ok(c) => c,
        Err(e) => return portal_error(ctx, e, "/"),
    };
    let letter = serde_json::from_str(&c.letter).unwrap_or_default();
    let portal = ctx.actor.kind == ActorKind::Portal;
    let counter = !portal
        && ctx.actor.has(proofless_domain::role::Role::CounterClerk)
        && ctx.actor.org_id == Some(c.org_id);
    let path = if portal {
        "/portal/commitments"
    } else {
        "/commitments/checks"
    };
    render(
        errors.status(),
        &LetterPage {
            layout: Layout::new("告知承诺书", ctx, path),
            v: LetterView {
                signed: local_time(c.signed_at),
                c,
                letter,
            },
            portal,
            counter,
            errors,
            kept,
        },
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct WithdrawForm {
    reason: String,
    /// Counter: `yes` when the clerk confirms the applicant's own request (R4.6).
    applicant_confirmed: String,
}

/// Withdrawal by the applicant on the portal, or at the counter with the applicant's
/// confirmation (R4.6); the same service decides.
pub async fn withdraw_submit(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<WithdrawForm>,
) -> Response {
    let kept = Kept::none()
        .with("reason", f.reason.as_str())
        .with("applicant_confirmed", f.applicant_confirmed.as_str());
    let input = WithdrawInput {
        reason: f.reason,
        applicant_confirmed: yes(&f.applicant_confirmed),
    };
    let back = if ctx.actor.kind == ActorKind::Portal {
        format!("/portal/commitments/{id}")
    } else {
        format!("/commitments/{id}")
    };
    match commitment::withdraw(&s.app, &ctx.actor, id, &input).await {
        Ok(_) => Redirect::to(&back).into_response(),
        Err(e) if FormErrors::is_access(&e) => portal_error(&ctx, e, &back),
        Err(e) => {
            let fields = [
                ("reason", "reason"),
                ("applicant_confirmed", "applicant_confirmed"),
            ];
            letter_view(&s, &ctx, id, FormErrors::from_error(e, &fields), kept).await
        }
    }
}

#[derive(Template)]
#[template(path = "commitment_unit.html")]
struct UnitPage {
    layout: Layout,
    /// Id, case, item, applicant, channel label, state label, signed at.
    rows: Vec<(i64, i64, String, String, &'static str, &'static str, String)>,
}

/// The commitments of the clerk's unit: where the counter opens one to record the
/// applicant's withdrawal (R4.6).
pub async fn unit_page(State(s): State<AppState>, ctx: Ctx) -> Response {
    let rows = match commitment::of_unit(&s.app, &ctx.actor).await {
        Ok(r) => r,
        Err(e) => return page_error(&ctx, e, "/workbench"),
    };
    let rows = rows
        .into_iter()
        .map(|c| {
            let at = local_time(c.signed_at);
            let (channel, state) = (c.channel.label(), c.state.label());
            (
                c.id,
                c.case_id,
                c.proof_item_name,
                c.signer_name,
                channel,
                state,
                at,
            )
        })
        .collect();
    let page = UnitPage {
        layout: Layout::new("本单位告知承诺", &ctx, "/commitments"),
        rows,
    };
    render(StatusCode::OK, &page)
}

#[derive(Template)]
#[template(path = "commitment_mine.html")]
struct MinePage {
    layout: Layout,
    /// Id, item, state label, signed at.
    commitments: Vec<(i64, String, &'static str, String)>,
    proposals: Vec<ProposalRow>,
    /// Why commitment is barred and repair is open (R4.4), with a request under review.
    repair: Option<(String, bool)>,
    /// A refused objection or repair request: errors by their inputs, what was typed
    /// (issue #22 point 3).
    errors: FormErrors,
    kept: Kept,
}

impl MinePage {
    /// The id of the objection input of proposal `id`.
    fn objection_id(&self, id: &i64) -> String {
        format!("objection-{id}")
    }
}

pub struct ProposalRow {
    p: Proposal,
    until: String,
    open: bool,
}

/// The citizen's commitments and any blacklist notice about them (with the objection form).
pub async fn mine_page(State(s): State<AppState>, ctx: Ctx) -> Response {
    mine_view(&s, &ctx, FormErrors::none(), Kept::none()).await
}

/// After a refused form of 我的告知承诺: the page again, the errors by their inputs.
async fn mine_refused(
    s: &AppState,
    ctx: &Ctx,
    e: AppError,
    fields: &[(&str, &str)],
    kept: Kept,
) -> Response {
    if FormErrors::is_access(&e) {
        return portal_error(ctx, e, "/portal/commitments");
    }
    mine_view(s, ctx, FormErrors::from_error(e, fields), kept).await
}

async fn mine_view(s: &AppState, ctx: &Ctx, errors: FormErrors, kept: Kept) -> Response {
    if ctx.actor.kind != ActorKind::Portal {
        return Redirect::to("/portal/login").into_response();
    }
    let rows = match commitment::mine(&s.app, &ctx.actor).await {
        Ok(r) => r,
        Err(e) => return portal_error(ctx, e, "/portal"),
    };
    let proposals = match blacklist::proposals(&s.app, &ctx.actor, &ProposalFilter::default()).await
    {
        Ok(p) => p,
        Err(e) => return portal_error(ctx, e, "/portal"),
    };
    let repair = match repair_box(s, ctx).await {
        Ok(r) => r,
        Err(e) => return portal_error(ctx, e, "/portal"),
    };
    let now = s.app.now_ms();
    render(
        errors.status(),
        &MinePage {
            repair,
            errors,
            kept,
            layout: Layout::new("我的告知承诺", ctx, "/portal/commitments"),
            commitments: rows
                .into_iter()
                .map(|c| {
                    (
                        c.id,
                        c.proof_item_name,
                        c.state.label(),
                        local_time(c.signed_at),
                    )
                })
                .collect(),
            proposals: proposals
                .into_iter()
                .map(|p| ProposalRow {
                    until: local_time(p.objection_until),
                    open: p.state == ProposalState::Notified && now <= p.objection_until,
                    p,
                })
                .collect(),
        },
    )
}

/// What bars the applicant from commitment, if anything, and whether a repair request is
/// already under review.
async fn repair_box(s: &AppState, ctx: &Ctx) -> Result<Option<(String, bool)>, AppError> {
    let Some(pid) = ctx.actor.id else {
        return Ok(None);
    };
    let me = proofless_domain::credit::subject_ref("person", pid);
    let st = proofless_app::credit::status(&s.app, &me).await?;
    let why = if st.blacklisted {
        "您已被列入虚假承诺黑名单，暂不能适用告知承诺制。".to_owned()
    } else if st.serious_records > 0 {
        format!(
            "您有 {} 条较严重的不良信用记录，暂不能适用告知承诺制。",
            st.serious_records
        )
    } else {
        return Ok(None);
    };
    let pending = repair::pending_repair(&s.app, &me).await?.is_some();
    Ok(Some((why, pending)))
}

/// The applicant asks for credit repair of their own record (R4.4's way back).
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RepairRequestForm {
    rectification: String,
}

pub async fn repair_request_submit(
    State(s): State<AppState>,
    ctx: Ctx,
    Form(f): Form<RepairRequestForm>,
) -> Response {
    let kept = Kept::none().with("rectification", f.rectification.as_str());
    match repair::request_repair(
        &s.app,
        &ctx.actor,
        &RepairRequest {
            entry_id: None,
            subject_ref: None,
            rectification: f.rectification,
        },
    )
    .await
    {
        Ok(_) => Redirect::to("/portal/commitments#repair").into_response(),
        Err(e) => mine_refused(&s, &ctx, e, &[("rectification", "rectification")], kept).await,
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ObjectionForm {
    objection: String,
}

pub async fn objection_submit(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<ObjectionForm>,
) -> Response {
    let input_id = format!("objection-{id}");
    let kept = Kept::none().with(input_id.as_str(), f.objection.as_str());
    match blacklist::object(
        &s.app,
        &ctx.actor,
        id,
        &ObjectionInput {
            objection: f.objection,
        },
    )
    .await
    {
        Ok(_) => Redirect::to("/portal/commitments").into_response(),
        Err(e) => mine_refused(&s, &ctx, e, &[("objection", input_id.as_str())], kept).await,
    }
}

#[derive(Template)]
#[template(path = "commitment_checks.html")]
struct ChecksPage {
    layout: Layout,
    due: Vec<(DueCheck, String)>,
    consequences: Vec<(&'static str, &'static str)>,
    /// A refused result: errors by their inputs (`{field}-{commitment}`), what was typed.
    errors: FormErrors,
    kept: Kept,
}

impl ChecksPage {
    /// The id of input `name` of commitment `id`'s form.
    fn id(&self, name: &str, id: &i64) -> String {
        format!("{name}-{id}")
    }
}

/// The inspector's due checks with the result form.
pub async fn checks_page(State(s): State<AppState>, ctx: Ctx) -> Response {
    checks_view(&s, &ctx, FormErrors::none(), Kept::none()).await
}

async fn checks_view(s: &AppState, ctx: &Ctx, errors: FormErrors, kept: Kept) -> Response {
    let due = match checks::due(&s.app, &ctx.actor).await {
        Ok(d) => d,
        Err(e) => return page_error(ctx, e, "/workbench"),
    };
    render(
        errors.status(),
        &ChecksPage {
            layout: Layout::new("告知承诺核查", ctx, "/commitments/checks"),
            due: due
                .into_iter()
                .map(|d| {
                    let when = d.due_at.map(local_time).unwrap_or_default();
                    (d, when)
                })
                .collect(),
            consequences: Consequence::ALL
                .iter()
                .map(|c| (c.as_str(), c.label()))
                .collect(),
            errors,
            kept,
        },
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CheckForm {
    result: String,
    evidence: String,
    /// Empty (`—`) unless the promise was false.
    consequence: String,
}

pub async fn check_submit(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<CheckForm>,
) -> Response {
    let (result, evidence, consequence) = (
        format!("result-{id}"),
        format!("evidence-{id}"),
        format!("consequence-{id}"),
    );
    let kept = Kept::none()
        .with(result.as_str(), f.result.as_str())
        .with(evidence.as_str(), f.evidence.as_str())
        .with(consequence.as_str(), f.consequence.as_str());
    let input = ResultInput {
        result: f.result,
        evidence: f.evidence,
        consequence: Some(f.consequence).filter(|c| !c.is_empty()),
    };
    match checks::record_result(&s.app, &ctx.actor, id, &input).await {
        Ok(_) => Redirect::to("/commitments/checks").into_response(),
        Err(e) if FormErrors::is_access(&e) => page_error(&ctx, e, "/commitments/checks"),
        Err(e) => {
            let fields = [
                ("result", result.as_str()),
                ("evidence", evidence.as_str()),
                ("consequence", consequence.as_str()),
            ];
            checks_view(&s, &ctx, FormErrors::from_error(e, &fields), kept).await
        }
    }
}

#[derive(Template)]
#[template(path = "credit_office.html")]
struct CreditPage {
    layout: Layout,
    proposals: Vec<ProposalRow>,
    blacklist: Vec<(BlacklistEntry, String)>,
    repairs: Vec<Repair>,
    records: Vec<(CreditRecord, String)>,
    /// A refused decision: errors by their inputs, what was typed (issue #22 point 3).
    errors: FormErrors,
    kept: Kept,
}

impl CreditPage {
    /// The id of input `name` of row `id` (`reasons-7`, `rr-7`).
    fn fid(&self, name: &str, id: &i64) -> String {
        format!("{name}-{id}")
    }
}

/// The credit office: proposals to decide, the blacklist, the repair queue, the records.
pub async fn credit_page(State(s): State<AppState>, ctx: Ctx) -> Response {
    credit_view(&s, &ctx, FormErrors::none(), Kept::none()).await
}

/// After a refused decision of the credit office: the page again, the errors by their inputs.
async fn credit_refused(
    s: &AppState,
    ctx: &Ctx,
    e: AppError,
    fields: &[(&str, &str)],
    kept: Kept,
) -> Response {
    if FormErrors::is_access(&e) {
        return page_error(ctx, e, "/credit");
    }
    credit_view(s, ctx, FormErrors::from_error(e, fields), kept).await
}

async fn credit_view(s: &AppState, ctx: &Ctx, errors: FormErrors, kept: Kept) -> Response {
    let now = s.app.now_ms();
    let result = async {
        let proposals =
            blacklist::proposals(&s.app, &ctx.actor, &ProposalFilter::default()).await?;
        let bl = blacklist::blacklist(&s.app, &ctx.actor, false).await?;
        let repairs = repair::repairs(&s.app, &ctx.actor).await?;
        let records = credit::records(&s.app, &ctx.actor, &RecordFilter::default()).await?;
        Ok::<_, AppError>((proposals, bl, repairs, records))
    }
    .await;
    let (proposals, bl, repairs, records) = match result {
        Ok(r) => r,
        Err(e) => return page_error(ctx, e, "/workbench"),
    };
    render(
        errors.status(),
        &CreditPage {
            errors,
            kept,
            layout: Layout::new("信用办", ctx, "/credit"),
            proposals: proposals
                .into_iter()
                .map(|p| ProposalRow {
                    until: local_time(p.objection_until),
                    open: (p.state == ProposalState::Notified && now > p.objection_until)
                        || p.state == ProposalState::Objected,
                    p,
                })
                .collect(),
            blacklist: bl
                .into_iter()
                .map(|b| {
                    let at = local_time(b.listed_at);
                    (b, at)
                })
                .collect(),
            repairs,
            records: records
                .into_iter()
                .map(|r| {
                    let at = local_time(r.at);
                    (r, at)
                })
                .collect(),
        },
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DecisionForm {
    decision: String,
    reasons: String,
}

pub async fn decide_submit(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<DecisionForm>,
) -> Response {
    let (decision, reasons) = (format!("decision-{id}"), format!("reasons-{id}"));
    let kept = Kept::none()
        .with(decision.as_str(), f.decision.as_str())
        .with(reasons.as_str(), f.reasons.as_str());
    let input = DecisionInput {
        decision: f.decision,
        reasons: f.reasons,
    };
    match blacklist::decide(&s.app, &ctx.actor, id, &input).await {
        Ok(_) => Redirect::to("/credit").into_response(),
        Err(e) => {
            let fields = [
                ("decision", decision.as_str()),
                ("reasons", reasons.as_str()),
            ];
            credit_refused(&s, &ctx, e, &fields, kept).await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RepairForm {
    /// The button pressed: `yes` (approve) or `no`.
    approve: String,
    /// The box ticked when the rectification was verified (`yes`).
    rectified: String,
    reasons: String,
}

pub async fn repair_submit(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<RepairForm>,
) -> Response {
    let (reasons, rectified) = (format!("rr-{id}"), format!("rectified-{id}"));
    let kept = Kept::none()
        .with(reasons.as_str(), f.reasons.as_str())
        .with(rectified.as_str(), f.rectified.as_str());
    let input = RepairDecision {
        approve: yes(&f.approve),
        rectified: yes(&f.rectified),
        reasons: f.reasons,
    };
    match repair::decide_repair(&s.app, &ctx.actor, id, &input).await {
        Ok(_) => Redirect::to("/credit").into_response(),
        Err(e) => {
            let fields = [
                ("reasons", reasons.as_str()),
                ("rectified", rectified.as_str()),
            ];
            credit_refused(&s, &ctx, e, &fields, kept).await
        }
    }
}

#[derive(Template)]
#[template(path = "commitment_figures.html")]
struct FiguresPage {
    layout: Layout,
    by_item: String,
    by_unit: String,
    by_month: String,
}

/// Charts for the joint office: signed, checked, false, by item, unit and month.
pub async fn figures_page(State(s): State<AppState>, ctx: Ctx) -> Response {
    let mut charts = vec![];
    for (by, title) in [
        ("item", "按证明事项"),
        ("unit", "按受理单位"),
        ("month", "按月份"),
    ] {
        match public::figures(
            &s.app,
            &ctx.actor,
            &FigureQuery {
                by: Some(by.to_owned()),
            },
        )
        .await
        {
            Ok(rows) => charts.push(public::bar_chart_svg(
                &format!("告知承诺{title}统计"),
                &rows,
            )),
            Err(e) => return page_error(&ctx, e, "/workbench"),
        }
    }
    let by_month = charts.pop().unwrap_or_default();
    let by_unit = charts.pop().unwrap_or_default();
    let by_item = charts.pop().unwrap_or_default();
    render(
        StatusCode::OK,
        &FiguresPage {
            layout: Layout::new("告知承诺统计", &ctx, "/commitments/figures"),
            by_item,
            by_unit,
            by_month,
        },
    )
}
