//! Pages of the joint meeting (A1; R10.1): the office's 联席会议 page (registry, liaisons,
//! rhythm, meetings), a meeting from agenda to sealed minutes, 我的决定事项 with progress
//! reports; the risk register 风险台账 (R10.3); training records of liaisons and proxy agents
//! (A2 §6).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use proofless_app::joint::{
    self, AgendaInput, AgendaVerdict, AttendanceEntry, AttendanceInput, DecisionDetail,
    DecisionInput, LiaisonInput, LiaisonMeetingInput, Meeting, MeetingDetail, MeetingInput,
    MemberInput, MinutesInput, ProgressInput, Registry, Tracked,
};
use proofless_app::orgs::{self, Org, OrgFilter};
use proofless_app::page::PageRequest;
use proofless_app::risks::{self, ReviewInput, RiskInput, UnitRegister};
use proofless_app::staff::{self, TrainingInput, TrainingRecord};
use proofless_app::{AppError, local_time};
use proofless_domain::joint::{MeetingKind, Position, RiskLevel};
use proofless_domain::role::Role;
use serde::Deserialize;

use super::forms::{FormErrors, Kept};
use super::session::{page_error, require_staff};
use super::{Layout, render};
use crate::AppState;
use crate::ctx::Ctx;

/// Every unit of the county, for the forms.
async fn units(s: &AppState, ctx: &Ctx) -> Result<Vec<Org>, AppError> {
    let page = PageRequest {
        limit: Some(500),
        offset: None,
    };
    Ok(orgs::list(&s.app, &ctx.actor, &OrgFilter::default(), page)
        .await?
        .items)
}

fn at(t: i64) -> String {
    local_time(t)
}

#[derive(Template)]
#[template(path = "joint.html")]
struct JointPage {
    layout: Layout,
    r: Registry,
    meetings: Vec<Meeting>,
    office: bool,
    /// The reader's unit, when its admin may file its liaison.
    own_unit: Option<(i64, String)>,
    units: Vec<Org>,
    positions: &'static [Position],
    kinds: &'static [MeetingKind],
    due: String,
    /// A refused form of the page: errors by their inputs, what was typed (issue #22 point 3).
    errors: FormErrors,
    kept: Kept,
}

pub async fn joint_page(State(s): State<AppState>, ctx: Ctx) -> Response {
    joint_view(&s, &ctx, FormErrors::none(), Kept::none()).await
}

/// After a refused form of the joint page: the page again, the errors by their inputs.
async fn joint_refused(
    s: &AppState,
    ctx: &Ctx,
    e: AppError,
    fields: &[(&str, &str)],
    kept: Kept,
) -> Response {
    if FormErrors::is_access(&e) {
        return page_error(ctx, e, "/joint");
    }
    joint_view(s, ctx, FormErrors::from_error(e, fields), kept).await
}

async fn joint_view(s: &AppState, ctx: &Ctx, errors: FormErrors, kept: Kept) -> Response {
    if let Err(e) = require_staff(ctx) {
        return page_error(ctx, e, "/");
    }
    let result = async {
        let r = joint::registry(&s.app, &ctx.actor).await?;
        // The page lists the newest 200 meetings (the API pages through all).
        let meetings = joint::list(
            &s.app,
            &ctx.actor,
            PageRequest {
                limit: Some(200),
                offset: None,
            },
        )
        .await?
        .items;
        let office = ctx.actor.has(Role::JointOffice);
        let units = if office { units(s, ctx).await? } else { vec![] };
        Ok::<_, AppError>((r, meetings, office, units))
    }
    .await;
    let (r, meetings, office, units) = match result {
        Ok(x) => x,
        Err(e) => return page_error(ctx, e, "/workbench"),
    };
    let own_unit = match (&ctx.actor.org_id, &ctx.actor.org_name) {
        (Some(id), Some(n)) if ctx.actor.has(Role::UnitAdmin) => Some((*id, n.clone())),
        _ => None,
    };
    render(
        errors.status(),
        &JointPage {
            layout: Layout::new("联席会议", ctx, "/joint"),
            due: r.rhythm.due_at.map(at).unwrap_or_default(),
            r,
            meetings,
            office,
            own_unit,
            units,
            positions: Position::ALL,
            kinds: MeetingKind::ALL,
            errors,
            kept,
        },
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MeetingForm {
    kind: String,
    title: String,
    planned_on: String,
    place: String,
}

pub async fn create_meeting(
    State(s): State<AppState>,
    ctx: Ctx,
    Form(f): Form<MeetingForm>,
) -> Response {
    let kept = Kept::none()
        .with("m-kind", f.kind.as_str())
        .with("m-title", f.title.as_str())
        .with("m-date", f.planned_on.as_str())
        .with("m-place", f.place.as_str());
    let input = MeetingInput {
        kind: f.kind,
        title: f.title,
        planned_on: f.planned_on,
        place: f.place,
    };
    match joint::create(&s.app, &ctx.actor, &input).await {
        Ok(id) => Redirect::to(&format!("/joint/meetings/{id}")).into_response(),
        Err(e) => {
            let fields = [
                ("kind", "m-kind"),
                ("title", "m-title"),
                ("planned_on", "m-date"),
                ("place", "m-place"),
            ];
            joint_refused(&s, &ctx, e, &fields, kept).await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MemberForm {
    org_id: i64,
    position: String,
    person_name: String,
    person_title: String,
}

pub async fn add_member(
    State(s): State<AppState>,
    ctx: Ctx,
    Form(f): Form<MemberForm>,
) -> Response {
    let kept = Kept::none()
        .with("mem-org", f.org_id.to_string())
        .with("mem-pos", f.position.as_str())
        .with("mem-name", f.person_name.as_str())
        .with("mem-title", f.person_title.as_str());
    let input = MemberInput {
        org_id: f.org_id,
        position: f.position,
        person_name: f.person_name,
        person_title: f.person_title,
    };
    match joint::add_member(&s.app, &ctx.actor, &input).await {
        Ok(_) => Redirect::to("/joint").into_response(),
        Err(e) => {
            let fields = [
                ("org_id", "mem-org"),
                ("position", "mem-pos"),
                ("person_name", "mem-name"),
                ("person_title", "mem-title"),
            ];
            joint_refused(&s, &ctx, e, &fields, kept).await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LiaisonForm {
    org_id: i64,
    person_name: String,
    phone: String,
    since_on: String,
    reason: String,
}

pub async fn file_liaison(
    State(s): State<AppState>,
    ctx: Ctx,
    Form(f): Form<LiaisonForm>,
) -> Response {
    let kept = Kept::none()
        .with("l-org", f.org_id.to_string())
        .with("l-name", f.person_name.as_str())
        .with("l-phone", f.phone.as_str())
        .with("l-since", f.since_on.as_str())
        .with("l-reason", f.reason.as_str());
    let input = LiaisonInput {
        org_id: f.org_id,
        person_name: f.person_name,
        phone: f.phone,
        since_on: f.since_on,
        reason: f.reason,
    };
    match joint::file_liaison(&s.app, &ctx.actor, &input).await {
        Ok(_) => Redirect::to("/joint").into_response(),
        Err(e) => {
            let fields = [
                ("org_id", "l-org"),
                ("person_name", "l-name"),
                ("phone", "l-phone"),
                ("since_on", "l-since"),
                ("reason", "l-reason"),
            ];
            joint_refused(&s, &ctx, e, &fields, kept).await
        }
    }
}

#[derive(Template)]
#[template(path = "joint_meeting.html")]
struct MeetingPage {
    layout: Layout,
    d: MeetingDetail,
    units: Vec<Org>,
    sealed_at: String,
    /// The minutes' five decision rows, with what a refused form had in them.
    rows: Vec<MinuteRow>,
    /// A refused form of the page: errors by their inputs, what was typed (issue #22 point 3).
    errors: FormErrors,
    kept: Kept,
}

/// One decision row of the minutes form: its input ids and the values typed.
pub struct MinuteRow {
    i: usize,
    kind_id: String,
    text_id: String,
    owner_id: String,
    due_id: String,
}

impl MeetingPage {
    fn can(&self, action: &str) -> bool {
        self.d.actions.iter().any(|a| a == action)
    }

    /// The recorded attendance of a unit: (present, attendee, reason).
    fn attended(&self, org: &i64) -> (bool, String, String) {
        self.d
            .attendance
            .iter()
            .find(|a| a.org_id == *org)
            .map(|a| (a.present, a.attendee.clone(), a.reason.clone()))
            .unwrap_or((true, String::new(), String::new()))
    }
}

pub async fn meeting_page(State(s): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Response {
    meeting_view(&s, &ctx, id, FormErrors::none(), Kept::none()).await
}

async fn meeting_view(
    s: &AppState,
    ctx: &Ctx,
    id: i64,
    errors: FormErrors,
    kept: Kept,
) -> Response {
    if let Err(e) = require_staff(ctx) {
        return page_error(ctx, e, "/");
    }
    let result = async {
        let d = joint::get(&s.app, &ctx.actor, id).await?;
        let units = if d.actions.iter().any(|a| a == "minutes") {
            units(s, ctx).await?
        } else {
            vec![]
        };
        Ok::<_, AppError>((d, units))
    }
    .await;
    let (d, units) = match result {
        Ok(x) => x,
        Err(e) => return page_error(ctx, e, "/joint"),
    };
    let rows = (0..5)
        .map(|i| MinuteRow {
            i,
            kind_id: format!("dk-{i}"),
            text_id: format!("dt-{i}"),
            owner_id: format!("do-{i}"),
            due_id: format!("dd-{i}"),
        })
        .collect();
    render(
        errors.status(),
        &MeetingPage {
            layout: Layout::new("联席会议", ctx, "/joint"),
            sealed_at: d.meeting.sealed_at.map(at).unwrap_or_default(),
            d,
            units,
            rows,
            errors,
            kept,
        },
    )
}

/// Every form of the meeting page; each action reads the fields it needs.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MeetingActionForm {
    title: String,
    description: String,
    item: i64,
    accept: String,
    held_on: String,
    notes: String,
    summary: String,
    org_id: Vec<i64>,
    status: Vec<String>,
    attendee: Vec<String>,
    reason: Vec<String>,
    d_kind: Vec<String>,
    d_text: Vec<String>,
    d_owner: Vec<String>,
    d_due: Vec<String>,
}

fn minutes_of(f: &MeetingActionForm) -> MinutesInput {
    let decisions = f
        .d_text
        .iter()
        .enumerate()
        .filter(|(_, t)| !t.trim().is_empty())
        .map(|(i, t)| DecisionInput {
            kind: f.d_kind.get(i).cloned().unwrap_or_default(),
            text: t.clone(),
            owner_org_id: f.d_owner.get(i).and_then(|o| o.trim().parse().ok()),
            due_on: f.d_due.get(i).cloned(),
        })
        .collect();
    MinutesInput {
        held_on: f.held_on.clone(),
        summary: f.summary.clone(),
        decisions,
    }
}

fn attendance_of(f: &MeetingActionForm) -> AttendanceInput {
    AttendanceInput {
        entries: f
            .org_id
            .iter()
            .enumerate()
            .map(|(i, o)| AttendanceEntry {
                org_id: *o,
                present: f.status.get(i).map(String::as_str) != Some("absent"),
                attendee: f.attendee.get(i).cloned().unwrap_or_default(),
                reason: f.reason.get(i).cloned().unwrap_or_default(),
            })
            .collect(),
    }
}

pub async fn meeting_action(
    State(s): State<AppState>,
    ctx: Ctx,
    Path((id, action)): Path<(i64, String)>,
    Form(f): Form<MeetingActionForm>,
) -> Response {
    let (app, a) = (&s.app, &ctx.actor);
    let (fields, kept) = meeting_inputs(&action, &f);
    let r = match action.as_str() {
        "agenda" => {
            let input = AgendaInput {
                title: f.title.clone(),
                description: f.description.clone(),
            };
            joint::propose_agenda(app, a, id, &input).await
        }
        "decide_agenda" => {
            let v = AgendaVerdict {
                accept: f.accept == "yes",
            };
            joint::decide_agenda(app, a, id, f.item, &v).await
        }
        "liaison_meeting" => {
            let input = LiaisonMeetingInput {
                held_on: f.held_on.clone(),
                notes: f.notes.clone(),
            };
            joint::liaison_meeting(app, a, id, &input).await
        }
        "attendance" => joint::record_attendance(app, a, id, &attendance_of(&f)).await,
        "minutes" => joint::write_minutes(app, a, id, &minutes_of(&f)).await,
        "seal" => joint::seal(app, a, id).await,
        _ => Err(AppError::NotFound(format!("操作 {action}"))),
    };
    let back = format!("/joint/meetings/{id}");
    match r {
        Ok(_) => Redirect::to(&back).into_response(),
        Err(e) if FormErrors::is_access(&e) => page_error(&ctx, e, &back),
        Err(e) => {
            let map: Vec<(&str, &str)> = fields
                .iter()
                .map(|(f, i)| (f.as_str(), i.as_str()))
                .collect();
            meeting_view(&s, &ctx, id, FormErrors::from_error(e, &map), kept).await
        }
    }
}

/// The inputs of the meeting page's form `action`, by the service's field names, and what
/// was typed into them.
fn meeting_inputs(action: &str, f: &MeetingActionForm) -> (Vec<(String, String)>, Kept) {
    let pair = |a: &str, b: &str| (a.to_owned(), b.to_owned());
    match action {
        "agenda" => (
            vec![pair("title", "a-title"), pair("description", "a-desc")],
            Kept::none()
                .with("a-title", f.title.as_str())
                .with("a-desc", f.description.as_str()),
        ),
        "liaison_meeting" => (
            vec![pair("held_on", "lm-date"), pair("notes", "lm-notes")],
            Kept::none()
                .with("lm-date", f.held_on.as_str())
                .with("lm-notes", f.notes.as_str()),
        ),
        "minutes" => {
            let mut fields = vec![
                pair("held_on", "mi-date"),
                pair("summary", "mi-summary"),
                pair("decisions", "dt-0"),
            ];
            let mut kept = Kept::none()
                .with("mi-date", f.held_on.as_str())
                .with("mi-summary", f.summary.as_str());
            // The service numbers the rows it was given: the filled ones, in order.
            let filled = f
                .d_text
                .iter()
                .enumerate()
                .filter(|(_, t)| !t.trim().is_empty())
                .map(|(i, _)| i);
            for (n, i) in filled.enumerate() {
                for (name, id) in [
                    ("kind", "dk"),
                    ("text", "dt"),
                    ("owner_org_id", "do"),
                    ("due_on", "dd"),
                ] {
                    fields.push((format!("decisions[{n}].{name}"), format!("{id}-{i}")));
                }
            }
            for i in 0..5 {
                let at = |v: &Vec<String>| v.get(i).cloned().unwrap_or_default();
                kept = kept
                    .with(format!("dk-{i}"), at(&f.d_kind))
                    .with(format!("dt-{i}"), at(&f.d_text))
                    .with(format!("do-{i}"), at(&f.d_owner))
                    .with(format!("dd-{i}"), at(&f.d_due));
            }
            (fields, kept)
        }
        _ => (vec![], Kept::none()),
    }
}

pub async fn minutes_pdf(State(s): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Response {
    match joint::minutes_pdf(&s.app, &ctx.actor, id).await {
        Ok(pdf) => (
            [
                (header::CONTENT_TYPE, "application/pdf".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"joint-minutes-{id}.pdf\""),
                ),
            ],
            pdf,
        )
            .into_response(),
        Err(e) => page_error(&ctx, e, &format!("/joint/meetings/{id}")),
    }
}

pub struct DecisionRow {
    pub t: Tracked,
    /// The engine's due instant, shown as the title of the deadline column.
    pub due: String,
}

#[derive(Template)]
#[template(path = "joint_decisions.html")]
struct DecisionsPage {
    layout: Layout,
    rows: Vec<DecisionRow>,
    office: bool,
}

pub async fn decisions_page(State(s): State<AppState>, ctx: Ctx) -> Response {
    if let Err(e) = require_staff(&ctx) {
        return page_error(&ctx, e, "/");
    }
    let office = ctx.actor.has(Role::JointOffice);
    // The first 500 in tracking order (open first, by due date); the API pages through all.
    let first = PageRequest {
        limit: Some(500),
        offset: None,
    };
    match joint::decisions(&s.app, &ctx.actor, false, first)
        .await
        .map(|p| p.items)
    {
        Ok(list) => render(
            StatusCode::OK,
            &DecisionsPage {
                layout: Layout::new(
                    if office {
                        "议定事项督办"
                    } else {
                        "我的决定事项"
                    },
                    &ctx,
                    "/joint/decisions",
                ),
                rows: list
                    .into_iter()
                    .map(|t| DecisionRow {
                        due: t.decision.due_at.map(at).unwrap_or_default(),
                        t,
                    })
                    .collect(),
                office,
            },
        ),
        Err(e) => page_error(&ctx, e, "/workbench"),
    }
}

#[derive(Template)]
#[template(path = "joint_decision.html")]
struct DecisionPage {
    layout: Layout,
    d: DecisionDetail,
    due: String,
    /// The refused report: errors by their inputs, what was typed (issue #22 point 3).
    errors: FormErrors,
    kept: Kept,
}

impl DecisionPage {
    fn at(&self, t: &i64) -> String {
        local_time(*t)
    }
}

pub async fn decision_page(State(s): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Response {
    decision_view(&s, &ctx, id, FormErrors::none(), Kept::none()).await
}

async fn decision_view(
    s: &AppState,
    ctx: &Ctx,
    id: i64,
    errors: FormErrors,
    kept: Kept,
) -> Response {
    if let Err(e) = require_staff(ctx) {
        return page_error(ctx, e, "/");
    }
    match joint::get_decision(&s.app, &ctx.actor, id).await {
        Ok(d) => render(
            errors.status(),
            &DecisionPage {
                layout: Layout::new("议定事项", ctx, "/joint/decisions"),
                due: d.decision.due_at.map(at).unwrap_or_default(),
                d,
                errors,
                kept,
            },
        ),
        Err(e) => page_error(ctx, e, "/joint/decisions"),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ProgressForm {
    text: String,
    /// `yes`: carried out.
    done: String,
}

pub async fn progress_submit(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<ProgressForm>,
) -> Response {
    let kept = Kept::none()
        .with("p-text", f.text.as_str())
        .with("p-done", f.done.as_str());
    let input = ProgressInput {
        text: f.text,
        done: f.done == "yes",
    };
    let back = format!("/joint/decisions/{id}");
    match joint::report(&s.app, &ctx.actor, id, &input).await {
        Ok(_) => Redirect::to(&back).into_response(),
        Err(e) if FormErrors::is_access(&e) => page_error(&ctx, e, &back),
        Err(e) => {
            let errors = FormErrors::from_error(e, &[("text", "p-text"), ("done", "p-done")]);
            decision_view(&s, &ctx, id, errors, kept).await
        }
    }
}

#[derive(Template)]
#[template(path = "risks.html")]
struct RisksPage {
    layout: Layout,
    registers: Vec<UnitRegister>,
    keeper: bool,
    levels: &'static [RiskLevel],
}

impl RisksPage {
    fn at(&self, t: &i64) -> String {
        local_time(*t)
    }
}

pub async fn risks_page(State(s): State<AppState>, ctx: Ctx) -> Response {
    if let Err(e) = require_staff(&ctx) {
        return page_error(&ctx, e, "/");
    }
    match risks::registers(&s.app, &ctx.actor, None).await {
        Ok(registers) => render(
            StatusCode::OK,
            &RisksPage {
                layout: Layout::new("风险台账", &ctx, "/risks"),
                registers,
                keeper: ctx.actor.has_any(&[Role::UnitAdmin, Role::Liaison]),
                levels: RiskLevel::ALL,
            },
        ),
        Err(e) => page_error(&ctx, e, "/workbench"),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RiskForm {
    step: String,
    risk: String,
    level: String,
    controls: String,
    note: String,
}

pub async fn risk_action(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(action): Path<String>,
    Form(f): Form<RiskForm>,
) -> Response {
    let r = match action.as_str() {
        "add" => {
            let input = RiskInput {
                step: f.step,
                risk: f.risk,
                level: f.level,
                controls: f.controls,
            };
            risks::add(&s.app, &ctx.actor, &input).await.map(|_| ())
        }
        "review" => risks::review(&s.app, &ctx.actor, &ReviewInput { note: f.note })
            .await
            .map(|_| ()),
        _ => Err(AppError::NotFound(format!("操作 {action}"))),
    };
    match r {
        Ok(()) => Redirect::to("/risks").into_response(),
        Err(e) => page_error(&ctx, e, "/risks"),
    }
}

pub async fn risk_retire(State(s): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Response {
    match risks::retire(&s.app, &ctx.actor, id).await {
        Ok(()) => Redirect::to("/risks").into_response(),
        Err(e) => page_error(&ctx, e, "/risks"),
    }
}

#[derive(Template)]
#[template(path = "joint_training.html")]
struct TrainingPage {
    layout: Layout,
    rows: Vec<TrainingRecord>,
    office: bool,
    /// Liaisons and proxy agents the office may record: (staff id, "name（unit）").
    trainees: Vec<(i64, String)>,
}

impl TrainingPage {
    fn at(&self, t: &i64) -> String {
        local_time(*t)
    }
}

pub async fn training_page(State(s): State<AppState>, ctx: Ctx) -> Response {
    if let Err(e) = require_staff(&ctx) {
        return page_error(&ctx, e, "/");
    }
    let office = ctx.actor.has(Role::JointOffice);
    let result = async {
        let rows = staff::training(&s.app, &ctx.actor, None).await?;
        let mut trainees = vec![];
        if office {
            for u in units(&s, &ctx).await? {
                for p in staff::list_for_org(&s.app, &ctx.actor, u.id).await? {
                    if p.roles.contains(&Role::Liaison) || p.roles.contains(&Role::ProxyAgent) {
                        trainees.push((p.id, format!("{}（{}）", p.display_name, u.name)));
                    }
                }
            }
        }
        Ok::<_, AppError>((rows, trainees))
    }
    .await;
    match result {
        Ok((rows, trainees)) => render(
            StatusCode::OK,
            &TrainingPage {
                layout: Layout::new("联络员、代办员培训记录", &ctx, "/joint/training"),
                rows,
                office,
                trainees,
            },
        ),
        Err(e) => page_error(&ctx, e, "/workbench"),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TrainingForm {
    staff_id: i64,
    trained_on: String,
    course: String,
    hours: String,
}

pub async fn training_submit(
    State(s): State<AppState>,
    ctx: Ctx,
    Form(f): Form<TrainingForm>,
) -> Response {
    let hours = match f.hours.trim().parse::<f64>() {
        Ok(h) => h,
        Err(_) => {
            return page_error(
                &ctx,
                AppError::field("hours", "学时应为数字，如 2 或 1.5"),
                "/joint/training",
            );
        }
    };
    let input = TrainingInput {
        staff_id: f.staff_id,
        trained_on: f.trained_on,
        course: f.course,
        hours,
    };
    match staff::record_training(&s.app, &ctx.actor, &input).await {
        Ok(_) => Redirect::to("/joint/training").into_response(),
        Err(e) => page_error(&ctx, e, "/joint/training"),
    }
}
