//! Pages of supervision and assessment (P 四, issue #21 §4): the dashboard with its chart
//! and reports, random checks with their reproducible draw, inspections with findings and
//! follow-up, the public transparency figures.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use proofless_app::orgs::{self, Org, OrgFilter};
use proofless_app::page::PageRequest;
use proofless_app::supervision::{
    self, Dashboard, Draw, DrawInput, FindingInput, Inspection, InspectionDetail, InspectionInput,
    PeriodQuery, TextInput, UnitFigures,
};
use proofless_app::{AppError, local_time};
use proofless_domain::role::Role;
use serde::Deserialize;

use super::forms::{FormErrors, Kept};
use super::session::page_error;
use super::{Layout, render};
use crate::AppState;
use crate::ctx::Ctx;

fn opt(v: &Option<f64>) -> String {
    v.map_or("—".to_owned(), |x| format!("{x:.1}"))
}

fn rate(u: &UnitFigures) -> String {
    u.on_time_rate()
        .map_or("—".to_owned(), |r| format!("{r:.1}%"))
}

fn kind_label(k: &str) -> &'static str {
    proofless_domain::supervision::InspectionKind::parse(k).map_or("检查", |k| k.label())
}

#[derive(Template)]
#[template(path = "supervision_dashboard.html")]
struct DashboardPage {
    layout: Layout,
    d: Dashboard,
    /// The query string of the period and unit, for the chart and the reports.
    qs: String,
    period: String,
    units: Vec<Org>,
    org_id: i64,
    county: bool,
}

impl DashboardPage {
    fn opt(&self, v: &Option<f64>) -> String {
        opt(v)
    }
    fn rate(&self, u: &UnitFigures) -> String {
        rate(u)
    }
}

fn qs(f: &PeriodQuery) -> String {
    let mut parts = vec![];
    if let Some(p) = f.period.as_deref().filter(|p| !p.is_empty()) {
        parts.push(format!(
            "period={}",
            p.chars()
                .filter(|c| c.is_ascii_digit() || *c == '-')
                .collect::<String>()
        ));
    }
    if let Some(o) = f.org_id {
        parts.push(format!("org_id={o}"));
    }
    parts.join("&")
}

/// Every unit of the county, for the choice of unit.
async fn units(s: &AppState, ctx: &Ctx) -> Result<Vec<Org>, AppError> {
    let page = PageRequest {
        limit: Some(500),
        offset: None,
    };
    Ok(orgs::list(&s.app, &ctx.actor, &OrgFilter::default(), page)
        .await?
        .items)
}

/// The query of the dashboard's form: an empty unit means every unit.
#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub struct DashboardForm {
    period: String,
    org_id: String,
}

impl DashboardForm {
    fn query(&self) -> PeriodQuery {
        PeriodQuery {
            period: Some(self.period.clone()).filter(|p| !p.trim().is_empty()),
            org_id: self.org_id.trim().parse().ok(),
        }
    }
}

pub async fn dashboard_page(
    State(s): State<AppState>,
    ctx: Ctx,
    Query(f): Query<DashboardForm>,
) -> Response {
    let q = f.query();
    let county = ctx.actor.has_any(supervision::READERS);
    let result = async {
        let d = supervision::dashboard(&s.app, &ctx.actor, &q).await?;
        let units = if county {
            units(&s, &ctx).await?
        } else {
            vec![]
        };
        Ok::<_, AppError>((d, units))
    }
    .await;
    let (d, units) = match result {
        Ok(r) => r,
        Err(e) => return page_error(&ctx, e, "/workbench"),
    };
    render(
        StatusCode::OK,
        &DashboardPage {
            layout: Layout::new("监督考核", &ctx, "/supervision"),
            qs: qs(&q),
            period: d.period.label.clone(),
            org_id: q.org_id.unwrap_or_default(),
            d,
            units,
            county,
        },
    )
}

fn attachment(content_type: &str, name: &str, bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// `/supervision/chart.svg`, `/supervision/report.xlsx`, `/supervision/report.pdf`,
/// `/supervision/feed.xlsx`.
pub async fn download(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(name): Path<String>,
    Query(f): Query<DashboardForm>,
) -> Response {
    let q = f.query();
    let (app, a) = (&s.app, &ctx.actor);
    let r: Result<Response, AppError> = async {
        Ok(match name.as_str() {
            "chart.svg" => {
                let d = supervision::dashboard(app, a, &q).await?;
                (
                    [(header::CONTENT_TYPE, "image/svg+xml; charset=utf-8")],
                    supervision::chart_svg(&d),
                )
                    .into_response()
            }
            "report.xlsx" => {
                let d = supervision::dashboard(app, a, &q).await?;
                attachment(
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    &format!("supervision-{}.xlsx", d.period.label),
                    supervision::report_xlsx(&d)?,
                )
            }
            "report.pdf" => {
                let d = supervision::dashboard(app, a, &q).await?;
                attachment(
                    "application/pdf",
                    &format!("supervision-{}.pdf", d.period.label),
                    supervision::report_pdf(&d)?,
                )
            }
            "feed.xlsx" => {
                let rows = supervision::feed(app, a, &q).await?;
                attachment(
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    "assessment-feed.xlsx",
                    supervision::feed_xlsx(&rows)?,
                )
            }
            _ => return Err(AppError::NotFound(name.clone())),
        })
    }
    .await;
    r.unwrap_or_else(|e| page_error(&ctx, e, "/supervision"))
}

pub struct DrawRow {
    pub d: Draw,
    pub at: String,
}

#[derive(Template)]
#[template(path = "supervision_checks.html")]
struct ChecksPage {
    layout: Layout,
    draws: Vec<DrawRow>,
    inspections: Vec<Inspection>,
    units: Vec<Org>,
    organiser: bool,
    /// A refused draw or inspection: errors by their inputs, what was typed (issue #22 point 3).
    errors: FormErrors,
    kept: Kept,
}

impl ChecksPage {
    /// The kept value of input `id`, or `default` when nothing was kept.
    fn or(&self, id: &str, default: &str) -> String {
        if self.kept.is_empty() {
            default.to_owned()
        } else {
            self.kept.get(id).to_owned()
        }
    }

    fn kind(&self, k: &str) -> &'static str {
        kind_label(k)
    }
}

pub async fn checks_page(State(s): State<AppState>, ctx: Ctx) -> Response {
    checks_view(&s, &ctx, FormErrors::none(), Kept::none()).await
}

/// After a refused form of the checks page: the page again, the errors by their inputs.
async fn checks_refused(
    s: &AppState,
    ctx: &Ctx,
    e: AppError,
    fields: &[(&str, &str)],
    kept: Kept,
) -> Response {
    if FormErrors::is_access(&e) {
        return page_error(ctx, e, "/supervision/checks");
    }
    checks_view(s, ctx, FormErrors::from_error(e, fields), kept).await
}

async fn checks_view(s: &AppState, ctx: &Ctx, errors: FormErrors, kept: Kept) -> Response {
    let organiser = ctx.actor.has(Role::JointOffice);
    let result = async {
        let draws =
            if ctx
                .actor
                .has_any(&[Role::JointOffice, Role::Accountability, Role::SystemAdmin])
            {
                supervision::draws(&s.app, &ctx.actor).await?
            } else {
                vec![]
            };
        let inspections = supervision::inspections(&s.app, &ctx.actor, None).await?;
        let units = if organiser {
            units(s, ctx).await?
        } else {
            vec![]
        };
        Ok::<_, AppError>((draws, inspections, units))
    }
    .await;
    let (draws, inspections, units) = match result {
        Ok(r) => r,
        Err(e) => return page_error(ctx, e, "/workbench"),
    };
    render(
        errors.status(),
        &ChecksPage {
            layout: Layout::new("督查检查", ctx, "/supervision/checks"),
            draws: draws
                .into_iter()
                .map(|d| DrawRow {
                    at: local_time(d.created_at),
                    d,
                })
                .collect(),
            inspections,
            units,
            organiser,
            errors,
            kept,
        },
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DrawForm {
    title: String,
    unit_count: String,
    inspectors_per_unit: String,
    seed: String,
    planned_on: String,
}

pub async fn draw_submit(State(s): State<AppState>, ctx: Ctx, Form(f): Form<DrawForm>) -> Response {
    let kept = Kept::none()
        .with("draw-title", f.title.as_str())
        .with("draw-units", f.unit_count.as_str())
        .with("draw-per", f.inspectors_per_unit.as_str())
        .with("draw-seed", f.seed.as_str())
        .with("draw-day", f.planned_on.as_str());
    let input = DrawInput {
        title: f.title,
        unit_pool: vec![],
        inspector_pool: vec![],
        unit_count: f.unit_count.trim().parse().unwrap_or(0),
        inspectors_per_unit: f.inspectors_per_unit.trim().parse().unwrap_or(0),
        seed: Some(f.seed),
        planned_on: f.planned_on,
    };
    match supervision::create_draw(&s.app, &ctx.actor, &input).await {
        Ok(d) => Redirect::to(&format!("/supervision/draws/{}", d.id)).into_response(),
        Err(e) => {
            let fields = [
                ("title", "draw-title"),
                ("unit_count", "draw-units"),
                ("unit_pool", "draw-units"),
                ("inspectors_per_unit", "draw-per"),
                ("inspectors", "draw-per"),
                ("seed", "draw-seed"),
                ("planned_on", "draw-day"),
            ];
            checks_refused(&s, &ctx, e, &fields, kept).await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct InspectionForm {
    kind: String,
    org_id: i64,
    title: String,
    planned_on: String,
}

pub async fn inspection_submit(
    State(s): State<AppState>,
    ctx: Ctx,
    Form(f): Form<InspectionForm>,
) -> Response {
    let kept = Kept::none()
        .with("ins-kind", f.kind.as_str())
        .with("ins-org", f.org_id.to_string())
        .with("ins-title", f.title.as_str())
        .with("ins-day", f.planned_on.as_str());
    let input = InspectionInput {
        kind: f.kind,
        org_id: f.org_id,
        title: f.title,
        inspectors: vec![],
        planned_on: f.planned_on,
    };
    match supervision::create_inspection(&s.app, &ctx.actor, &input).await {
        Ok(d) => {
            Redirect::to(&format!("/supervision/inspections/{}", d.inspection.id)).into_response()
        }
        Err(e) => {
            let fields = [
                ("kind", "ins-kind"),
                ("org_id", "ins-org"),
                ("title", "ins-title"),
                ("planned_on", "ins-day"),
            ];
            checks_refused(&s, &ctx, e, &fields, kept).await
        }
    }
}

pub struct DrawnRow {
    pub unit: String,
    pub inspectors: String,
}

#[derive(Template)]
#[template(path = "supervision_draw.html")]
struct DrawPage {
    layout: Layout,
    d: Draw,
    at: String,
    unit_pool_size: usize,
    inspector_pool_size: usize,
    drawn: Vec<DrawnRow>,
    inspections: Vec<Inspection>,
}

pub async fn draw_page(State(s): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Response {
    let result = async {
        let d = supervision::get_draw(&s.app, &ctx.actor, id).await?;
        let inspections = supervision::inspections(&s.app, &ctx.actor, Some(id)).await?;
        Ok::<_, AppError>((d, inspections))
    }
    .await;
    let (d, inspections) = match result {
        Ok(r) => r,
        Err(e) => return page_error(&ctx, e, "/supervision/checks"),
    };
    let units: Vec<i64> = serde_json::from_str(&d.unit_pool).unwrap_or_default();
    let insp: Vec<(i64, i64)> = serde_json::from_str(&d.inspector_pool).unwrap_or_default();
    let drawn_ids: Vec<(i64, Vec<i64>)> = serde_json::from_str(&d.units_drawn).unwrap_or_default();
    let drawn = drawn_ids
        .iter()
        .map(|(u, ins)| DrawnRow {
            unit: inspections
                .iter()
                .find(|i| i.org_id == *u)
                .map_or_else(|| format!("单位 {u}"), |i| format!("{}（{u}）", i.org_name)),
            inspectors: ins
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("、"),
        })
        .collect();
    render(
        StatusCode::OK,
        &DrawPage {
            layout: Layout::new("双随机抽查", &ctx, "/supervision/checks"),
            at: local_time(d.created_at),
            unit_pool_size: units.len(),
            inspector_pool_size: insp.len(),
            drawn,
            d,
            inspections,
        },
    )
}

#[derive(Template)]
#[template(path = "supervision_inspection.html")]
struct InspectionPage {
    layout: Layout,
    d: InspectionDetail,
    kind: &'static str,
    organiser: bool,
    unit_admin: bool,
    /// A refused finding or follow-up: errors by their inputs, what was typed.
    errors: FormErrors,
    kept: Kept,
}

impl InspectionPage {
    /// The id of the follow-up input of finding `id`.
    fn follow(&self, id: &i64) -> String {
        format!("follow-{id}")
    }

    fn at(&self, t: &i64) -> String {
        local_time(*t)
    }
    fn late(&self, due: &i64, done: &Option<i64>) -> bool {
        done.is_some_and(|d| d > *due)
    }
}

pub async fn inspection_page(State(s): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Response {
    inspection_view(&s, &ctx, id, FormErrors::none(), Kept::none()).await
}

async fn inspection_view(
    s: &AppState,
    ctx: &Ctx,
    id: i64,
    errors: FormErrors,
    kept: Kept,
) -> Response {
    match supervision::get_inspection(&s.app, &ctx.actor, id).await {
        Ok(d) => render(
            errors.status(),
            &InspectionPage {
                layout: Layout::new("督查检查", ctx, "/supervision/checks"),
                kind: kind_label(&d.inspection.kind),
                organiser: ctx.actor.has(Role::JointOffice),
                unit_admin: ctx.actor.has(Role::UnitAdmin)
                    && ctx.actor.org_id == Some(d.inspection.org_id),
                d,
                errors,
                kept,
            },
        ),
        Err(e) => page_error(ctx, e, "/supervision/checks"),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ActionForm {
    text: String,
    follow_up_days: String,
    finding_id: i64,
}

/// The forms of an inspection: `finding`, `follow_up`, `close`.
pub async fn inspection_action(
    State(s): State<AppState>,
    ctx: Ctx,
    Path((id, action)): Path<(i64, String)>,
    Form(f): Form<ActionForm>,
) -> Response {
    let (app, a) = (&s.app, &ctx.actor);
    let follow = format!("follow-{}", f.finding_id);
    let (fields, kept) = match action.as_str() {
        "finding" => (
            vec![("text", "finding-text"), ("follow_up_days", "finding-days")],
            Kept::none()
                .with("finding-text", f.text.as_str())
                .with("finding-days", f.follow_up_days.as_str()),
        ),
        "follow_up" => (
            vec![("text", follow.as_str())],
            Kept::none().with(follow.as_str(), f.text.as_str()),
        ),
        _ => (vec![], Kept::none()),
    };
    let r = match action.as_str() {
        "finding" => {
            let input = FindingInput {
                text: f.text,
                follow_up_days: f.follow_up_days.trim().parse().unwrap_or(0),
            };
            supervision::record_finding(app, a, id, &input).await
        }
        "follow_up" => {
            let input = TextInput { text: f.text };
            supervision::report_follow_up(app, a, f.finding_id, &input).await
        }
        "close" => supervision::close_inspection(app, a, id).await,
        _ => Err(AppError::NotFound(format!("操作 {action}"))),
    };
    let back = format!("/supervision/inspections/{id}");
    match r {
        Ok(_) => Redirect::to(&back).into_response(),
        Err(e) if FormErrors::is_access(&e) => page_error(&ctx, e, &back),
        Err(e) => {
            let errors = FormErrors::from_error(e, &fields);
            inspection_view(&s, &ctx, id, errors, kept).await
        }
    }
}

#[derive(Template)]
#[template(path = "supervision_public.html")]
struct PublicPage {
    layout: Layout,
    year: String,
    units: Vec<UnitFigures>,
}

impl PublicPage {
    fn rate(&self, u: &UnitFigures) -> String {
        rate(u)
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct YearForm {
    year: String,
}

/// The public transparency page: every unit's aggregate figures of a year, no personal data.
pub async fn public_page(
    State(s): State<AppState>,
    ctx: Ctx,
    Query(f): Query<YearForm>,
) -> Response {
    match supervision::public_figures(&s.app, Some(&f.year)).await {
        Ok((year, units)) => render(
            StatusCode::OK,
            &PublicPage {
                layout: Layout::new("监督考核情况公开", &ctx, "/transparency/supervision"),
                year,
                units,
            },
        ),
        Err(e) => page_error(&ctx, e, "/"),
    }
}
