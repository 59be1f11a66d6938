//! Pages of accountability (A5, issue #21 §1–§2): the department's and the organ's list, a
//! case with the forms its reader may use, and the public per-unit figures.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use proofless_app::accountability::{
    self, Case, CaseDetail, CaseInput, DecideInput, ExemptionInput, Figure, ReferInput, TextInput,
    VerdictInput,
};
use proofless_app::orgs::{self, Org, OrgFilter};
use proofless_app::page::PageRequest;
use proofless_app::{AppError, local_time};
use proofless_domain::accountability::{ExemptionGround, Measure, Organ};
use proofless_domain::violation::ViolationKind;
use serde::Deserialize;

use super::forms::{FormErrors, Kept, done};
use super::session::page_error;
use super::{Layout, render};
use crate::AppState;
use crate::ctx::Ctx;

/// Every unit of the county, for the choice of subject and organ.
async fn units(s: &AppState, ctx: &Ctx) -> Result<Vec<Org>, AppError> {
    let page = PageRequest {
        limit: Some(500),
        offset: None,
    };
    Ok(orgs::list(&s.app, &ctx.actor, &OrgFilter::default(), page)
        .await?
        .items)
}

pub struct Row {
    pub c: Case,
    pub created: String,
}

#[derive(Template)]
#[template(path = "accountability_list.html")]
struct ListPage {
    layout: Layout,
    rows: Vec<Row>,
    department: bool,
    units: Vec<Org>,
    kinds: &'static [ViolationKind],
    /// The refused new case: errors by their inputs, what was typed (issue #22 point 3).
    errors: FormErrors,
    kept: Kept,
}

pub async fn list_page(State(s): State<AppState>, ctx: Ctx) -> Response {
    list_view(&s, &ctx, FormErrors::none(), Kept::none()).await
}

async fn list_view(s: &AppState, ctx: &Ctx, errors: FormErrors, kept: Kept) -> Response {
    let result = async {
        let cases = accountability::list(&s.app, &ctx.actor).await?;
        let department = ctx.actor.has(proofless_domain::role::Role::Accountability);
        let units = if department {
            units(s, ctx).await?
        } else {
            vec![]
        };
        Ok::<_, AppError>((cases, department, units))
    }
    .await;
    let (cases, department, units) = match result {
        Ok(r) => r,
        Err(e) => return page_error(ctx, e, "/workbench"),
    };
    render(
        errors.status(),
        &ListPage {
            layout: Layout::new("责任追究", ctx, "/accountability"),
            rows: cases
                .into_iter()
                .map(|c| Row {
                    created: local_time(c.created_at),
                    c,
                })
                .collect(),
            department,
            units,
            kinds: &ViolationKind::ALL,
            errors,
            kept,
        },
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewForm {
    kind: String,
    org_id: i64,
    summary: String,
}

pub async fn create_submit(
    State(s): State<AppState>,
    ctx: Ctx,
    Form(f): Form<NewForm>,
) -> Response {
    let kept = Kept::none()
        .with("new-kind", f.kind.as_str())
        .with("new-org", f.org_id.to_string())
        .with("new-summary", f.summary.as_str());
    let input = CaseInput {
        kind: f.kind,
        org_id: f.org_id,
        staff_id: None,
        summary: f.summary,
    };
    match accountability::create(&s.app, &ctx.actor, &input).await {
        Ok(id) => done(&format!("/accountability/{id}"), "问责事项已录入"),
        Err(e) if FormErrors::is_access(&e) => page_error(&ctx, e, "/accountability"),
        Err(e) => {
            let fields = [
                ("kind", "new-kind"),
                ("org_id", "new-org"),
                ("summary", "new-summary"),
            ];
            list_view(&s, &ctx, FormErrors::from_error(e, &fields), kept).await
        }
    }
}

pub struct EvidenceRow {
    pub source: &'static str,
    pub source_ref: String,
    pub summary: String,
    pub at: String,
}

#[derive(Template)]
#[template(path = "accountability_case.html")]
struct CasePage {
    layout: Layout,
    d: CaseDetail,
    evidence: Vec<EvidenceRow>,
    decided_at: String,
    rectify_by: String,
    units: Vec<Org>,
    /// The reader's unit, preselected as the deciding unit.
    own_org: i64,
    organs: &'static [Organ],
    measures: &'static [Measure],
    grounds: &'static [ExemptionGround],
    /// A refused form of the page: errors by their inputs, what was typed (issue #22 point 3).
    errors: FormErrors,
    kept: Kept,
}

impl CasePage {
    /// Whether ground `g` was ticked in a refused application.
    fn ticked(&self, g: &str) -> bool {
        self.kept.is("ex-grounds", g)
    }

    fn can(&self, action: &str) -> bool {
        self.d.actions.iter().any(|a| a == action)
    }

    /// The A5 §8 grounds of an application, as labels.
    fn ground_labels(&self, stored: &str) -> String {
        stored
            .split(',')
            .filter_map(ExemptionGround::parse)
            .map(ExemptionGround::label)
            .collect::<Vec<_>>()
            .join("；")
    }

    fn at(&self, t: &i64) -> String {
        local_time(*t)
    }
}

pub async fn case_page(State(s): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Response {
    case_view(&s, &ctx, id, FormErrors::none(), Kept::none()).await
}

async fn case_view(s: &AppState, ctx: &Ctx, id: i64, errors: FormErrors, kept: Kept) -> Response {
    let result = async {
        let d = accountability::get(&s.app, &ctx.actor, id).await?;
        let units = if d.actions.iter().any(|a| a == "refer") {
            units(s, ctx).await?
        } else {
            vec![]
        };
        Ok::<_, AppError>((d, units))
    }
    .await;
    let (d, units) = match result {
        Ok(r) => r,
        Err(e) => return page_error(ctx, e, "/accountability"),
    };
    let evidence = d
        .evidence
        .iter()
        .map(|v| EvidenceRow {
            source: v.source.label(),
            source_ref: v.source_ref.clone(),
            summary: v.summary.clone(),
            at: local_time(v.occurred_at),
        })
        .collect();
    render(
        errors.status(),
        &CasePage {
            layout: Layout::new("问责事项", ctx, "/accountability"),
            decided_at: d.case.decided_at.map(local_time).unwrap_or_default(),
            rectify_by: d.case.rectify_by.map(local_time).unwrap_or_default(),
            evidence,
            d,
            units,
            own_org: ctx.actor.org_id.unwrap_or_default(),
            organs: Organ::ALL,
            measures: Measure::ALL,
            grounds: ExemptionGround::ALL,
            errors,
            kept,
        },
    )
}

/// Every form of the case page; each action reads the fields it needs.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ActionForm {
    organ: String,
    organ_org_id: i64,
    measure: String,
    text: String,
    rectify_by: String,
    /// `yes` approves / maintains.
    approve: String,
    grounds: Vec<String>,
    statement: String,
    evidence: String,
    /// The id of the text input of the form (two forms dismiss: each says its own).
    from: String,
}

impl ActionForm {
    /// The inputs of `action`'s form by the service's field names, and what was typed.
    fn inputs(&self, action: &str) -> (Vec<(&'static str, String)>, Kept) {
        let text_id = |default: &str| {
            if self.from.starts_with("dismiss-text") && action == "dismiss" {
                self.from.clone()
            } else {
                default.to_owned()
            }
        };
        let fields: Vec<(&'static str, String)> = match action {
            "refer" => vec![
                ("organ", "organ".into()),
                ("organ_org_id", "organ-org".into()),
            ],
            "dismiss" => vec![("text", text_id("dismiss-text"))],
            "decide" => vec![
                ("measure", "measure".into()),
                ("rectify_by", "rectify-by".into()),
                ("text", "decide-text".into()),
            ],
            "rectified" => vec![("text", "rect-text".into())],
            "appeal" => vec![("text", "appeal-text".into())],
            "decide_appeal" => vec![("text", "da-text".into())],
            "exempt" => vec![
                ("grounds", "ex-grounds".into()),
                ("statement", "ex-statement".into()),
                ("evidence", "ex-evidence".into()),
            ],
            "report_exemption" => vec![("text", "rep-text".into())],
            "decide_exemption" => vec![("text", "de-text".into())],
            _ => vec![],
        };
        let mut kept = Kept::none();
        for (field, id) in &fields {
            match *field {
                "grounds" => {
                    for g in &self.grounds {
                        kept = kept.with(id.as_str(), g.as_str());
                    }
                }
                f => {
                    let v = match f {
                        "organ" => self.organ.clone(),
                        "organ_org_id" => self.organ_org_id.to_string(),
                        "measure" => self.measure.clone(),
                        "rectify_by" => self.rectify_by.clone(),
                        "statement" => self.statement.clone(),
                        "evidence" => self.evidence.clone(),
                        _ => self.text.clone(),
                    };
                    kept = kept.with(id.as_str(), v);
                }
            }
        }
        (fields, kept)
    }
}

pub async fn action_submit(
    State(s): State<AppState>,
    ctx: Ctx,
    Path((id, action)): Path<(i64, String)>,
    Form(f): Form<ActionForm>,
) -> Response {
    let (app, a) = (&s.app, &ctx.actor);
    let (fields, kept) = f.inputs(&action);
    let text = TextInput {
        text: f.text.clone(),
    };
    let verdict = VerdictInput {
        approve: f.approve == "yes",
        text: f.text.clone(),
    };
    let r = match action.as_str() {
        "refer" => {
            let input = ReferInput {
                organ: f.organ,
                organ_org_id: f.organ_org_id,
            };
            accountability::refer(app, a, id, &input).await
        }
        "dismiss" => accountability::dismiss(app, a, id, &text).await,
        "decide" => {
            let input = DecideInput {
                measure: f.measure,
                text: f.text,
                rectify_by: Some(f.rectify_by),
            };
            accountability::decide(app, a, id, &input).await
        }
        "rectified" => accountability::report_rectified(app, a, id, &text).await,
        "appeal" => accountability::appeal(app, a, id, &text).await,
        "decide_appeal" => accountability::decide_appeal(app, a, id, &verdict).await,
        "exempt" => {
            let input = ExemptionInput {
                grounds: f.grounds,
                statement: f.statement,
                evidence: f.evidence,
            };
            accountability::apply_exemption(app, a, id, &input).await
        }
        "report_exemption" => accountability::report_exemption(app, a, id, &text).await,
        "decide_exemption" => accountability::decide_exemption(app, a, id, &verdict).await,
        _ => Err(AppError::NotFound(format!("操作 {action}"))),
    };
    let back = format!("/accountability/{id}");
    match r {
        Ok(_) => Redirect::to(&back).into_response(),
        Err(e) if FormErrors::is_access(&e) => page_error(&ctx, e, &back),
        Err(e) => {
            let map: Vec<(&str, &str)> = fields.iter().map(|(f, i)| (*f, i.as_str())).collect();
            case_view(&s, &ctx, id, FormErrors::from_error(e, &map), kept).await
        }
    }
}

#[derive(Template)]
#[template(path = "accountability_public.html")]
struct PublicPage {
    layout: Layout,
    figures: Vec<Figure>,
}

/// The public transparency page: per-unit aggregate figures, no personal data.
pub async fn public_page(State(s): State<AppState>, ctx: Ctx) -> Response {
    match accountability::figures(&s.app).await {
        Ok(figures) => render(
            StatusCode::OK,
            &PublicPage {
                layout: Layout::new("问责与免责情况公开", &ctx, "/transparency/accountability"),
                figures,
            },
        ),
        Err(e) => page_error(&ctx, e, "/"),
    }
}
