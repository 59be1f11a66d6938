//! Org, staff, registry and audit administration pages.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use proofless_app::AppError;
use proofless_app::audit::{self, AuditQuery, VerifyReport};
use proofless_app::orgs::{self, Org, OrgFilter, OrgInput};
use proofless_app::page::PageRequest;
use proofless_app::regions::{self, Region};
use proofless_app::staff::{self, StaffInput, UNIT_ROLES, UnitStaffing};
use proofless_domain::org::ALL_ORG_KINDS;
use proofless_domain::region::RegionLevel;
use proofless_domain::role::{ALL_ROLES, Role, Staffing};
use serde::Deserialize;

use super::forms::{FormErrors, Kept};
use super::session::{page_error, require_staff};
use axum_extra::extract::Form;

use super::{Layout, render};
use crate::AppState;
use crate::ctx::Ctx;

pub use proofless_app::local_time;

pub struct OrgRow {
    id: i64,
    name: String,
    kind_label: &'static str,
    region_name: String,
    credit_code: String,
    warning: bool,
}

#[derive(Template)]
#[template(path = "orgs.html")]
struct OrgsPage {
    layout: Layout,
    orgs: Vec<OrgRow>,
    total: i64,
    regions: Vec<Region>,
    region: String,
    q: String,
    can_create: bool,
    kinds: Vec<(&'static str, &'static str)>,
    /// The refused new unit: errors by their inputs, what was typed (issue #22 point 3).
    errors: FormErrors,
    kept: Kept,
}

#[derive(Deserialize, Default)]
pub struct OrgsQuery {
    region: Option<String>,
    q: Option<String>,
}

async fn orgs_page(
    s: &AppState,
    ctx: &Ctx,
    f: OrgsQuery,
    errors: FormErrors,
    kept: Kept,
) -> Response {
    if let Err(e) = require_staff(ctx) {
        return page_error(ctx, e, "/");
    }
    let a = &ctx.actor;
    if !a.has_any(&[Role::SystemAdmin, Role::JointOffice]) {
        // A unit admin manages only their own unit.
        if a.has(Role::UnitAdmin)
            && let Some(org) = a.org_id
        {
            return Redirect::to(&format!("/admin/orgs/{org}")).into_response();
        }
        return page_error(
            ctx,
            AppError::forbidden("无权访问单位管理：需要系统管理员或联席会议办公室角色"),
            "/workbench",
        );
    }
    let filter = OrgFilter {
        region: f.region.clone(),
        kind: None,
        q: f.q.clone(),
    };
    let page = match orgs::list(
        &s.app,
        a,
        &filter,
        PageRequest {
            limit: Some(500),
            offset: None,
        },
    )
    .await
    {
        Ok(p) => p,
        Err(e) => return page_error(ctx, e, "/workbench"),
    };
    let regions = match regions::list(&s.app, None, None).await {
        Ok(r) => r,
        Err(e) => return page_error(ctx, e, "/workbench"),
    };
    let rows = page
        .items
        .into_iter()
        .map(|o: Org| OrgRow {
            id: o.id,
            kind_label: o.kind.label(),
            name: o.name,
            region_name: o.region_name,
            credit_code: o.credit_code.unwrap_or_default(),
            warning: o.credit_code_warning.is_some(),
        })
        .collect();
    let p = OrgsPage {
        layout: Layout::new("单位管理", ctx, "/admin/orgs"),
        orgs: rows,
        total: page.total,
        regions: regions
            .into_iter()
            .filter(|r| r.level != RegionLevel::Province)
            .collect(),
        region: f.region.unwrap_or_default(),
        q: f.q.unwrap_or_default(),
        can_create: a.has(Role::SystemAdmin),
        kinds: ALL_ORG_KINDS
            .iter()
            .map(|k| (k.as_str(), k.label()))
            .collect(),
        errors,
        kept,
    };
    render(p.errors.status(), &p)
}

pub async fn orgs(State(s): State<AppState>, ctx: Ctx, Query(f): Query<OrgsQuery>) -> Response {
    orgs_page(&s, &ctx, f, FormErrors::none(), Kept::none()).await
}

/// The new-org form (`csrf` is checked by the middleware).
#[derive(Deserialize)]
pub struct OrgForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    credit_code: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    region_code: String,
    /// The checkbox sends `true` when ticked.
    #[serde(default)]
    confirm_warnings: String,
}

pub async fn create_org(State(s): State<AppState>, ctx: Ctx, Form(f): Form<OrgForm>) -> Response {
    let kept = Kept::none()
        .with("new-name", f.name.as_str())
        .with("new-code", f.credit_code.as_str())
        .with("new-kind", f.kind.as_str())
        .with("new-region", f.region_code.as_str());
    let input = OrgInput {
        name: f.name,
        credit_code: Some(f.credit_code),
        kind: f.kind,
        region_code: f.region_code,
        supervisor_id: None,
        confirm_warnings: f.confirm_warnings == "true",
    };
    match orgs::create(&s.app, &ctx.actor, input).await {
        Ok(org) => Redirect::to(&format!("/admin/orgs/{}", org.id)).into_response(),
        Err(e @ (AppError::Validation(_) | AppError::Conflict(_))) => {
            let fields = [
                ("name", "new-name"),
                ("credit_code", "new-code"),
                ("kind", "new-kind"),
                ("region_code", "new-region"),
                ("confirm_warnings", "new-code"),
            ];
            let errors = FormErrors::from_error(e, &fields);
            orgs_page(&s, &ctx, OrgsQuery::default(), errors, kept).await
        }
        Err(e) => page_error(&ctx, e, "/admin/orgs"),
    }
}

pub struct PostRow {
    duty_label: &'static str,
    a_name: String,
    b_name: String,
    a_absent: bool,
}

pub struct StaffRow {
    name: String,
    username: String,
    roles: String,
    active: bool,
}

#[derive(Template)]
#[template(path = "org.html")]
struct OrgPage {
    layout: Layout,
    org: Org,
    kind_label: &'static str,
    staffing: Staffing,
    posts: Vec<PostRow>,
    staff: Vec<StaffRow>,
    can_manage: bool,
    grantable: Vec<(&'static str, &'static str)>,
    /// The refused new staff member: errors by their inputs, what was typed.
    errors: FormErrors,
    kept: Kept,
}

async fn org_page(s: &AppState, ctx: &Ctx, id: i64, errors: FormErrors, kept: Kept) -> Response {
    if let Err(e) = require_staff(ctx) {
        return page_error(ctx, e, "/");
    }
    let a = &ctx.actor;
    let members = match staff::list_for_org(&s.app, a, id).await {
        Ok(m) => m,
        Err(e) => return page_error(ctx, e, "/workbench"),
    };
    let org = match orgs::get(&s.app, id).await {
        Ok(o) => o,
        Err(e) => return page_error(ctx, e, "/admin/orgs"),
    };
    let posts = match staff::posts(&s.app, id).await {
        Ok(p) => p,
        Err(e) => return page_error(ctx, e, "/admin/orgs"),
    };
    let staffing = match staff::staffing(&s.app, id).await {
        Ok(st) => st,
        Err(e) => return page_error(ctx, e, "/admin/orgs"),
    };
    let can_manage = a.has(Role::SystemAdmin) || (a.has(Role::UnitAdmin) && a.org_id == Some(id));
    let grantable: Vec<Role> = if a.has(Role::SystemAdmin) {
        ALL_ROLES.to_vec()
    } else {
        UNIT_ROLES.to_vec()
    };
    let p = OrgPage {
        layout: Layout::new(&org.name, ctx, "/admin/orgs"),
        kind_label: org.kind.label(),
        staffing,
        posts: posts
            .into_iter()
            .map(|p| PostRow {
                duty_label: p.duty.label(),
                a_name: p.a_name,
                b_name: p.b_name.unwrap_or_else(|| "（未设）".to_owned()),
                a_absent: p.a_absent,
            })
            .collect(),
        staff: members
            .into_iter()
            .map(|m| StaffRow {
                name: m.display_name,
                username: m.username,
                roles: m
                    .roles
                    .iter()
                    .map(|r| r.label())
                    .collect::<Vec<_>>()
                    .join("、"),
                active: m.active,
            })
            .collect(),
        org,
        can_manage,
        grantable: grantable.iter().map(|r| (r.as_str(), r.label())).collect(),
        errors,
        kept,
    };
    render(p.errors.status(), &p)
}

pub async fn org(State(s): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Response {
    org_page(&s, &ctx, id, FormErrors::none(), Kept::none()).await
}

/// The new-staff form: one `roles` field per ticked role.
#[derive(Deserialize)]
pub struct StaffForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    roles: Vec<String>,
}

pub async fn create_staff(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<StaffForm>,
) -> Response {
    let mut kept = Kept::none()
        .with("s-name", f.display_name.as_str())
        .with("s-user", f.username.as_str());
    for r in &f.roles {
        kept = kept.with("s-roles", r.as_str());
    }
    let input = StaffInput {
        username: f.username,
        display_name: f.display_name,
        phone: None,
        password: f.password,
        roles: f.roles,
    };
    match staff::create(&s.app, &ctx.actor, id, input).await {
        Ok(_) => Redirect::to(&format!("/admin/orgs/{id}")).into_response(),
        Err(e @ (AppError::Validation(_) | AppError::Conflict(_))) => {
            let fields = [
                ("display_name", "s-name"),
                ("username", "s-user"),
                ("password", "s-pass"),
                ("roles", "s-roles"),
            ];
            org_page(&s, &ctx, id, FormErrors::from_error(e, &fields), kept).await
        }
        Err(e) => page_error(&ctx, e, &format!("/admin/orgs/{id}")),
    }
}

#[derive(Template)]
#[template(path = "registry.html")]
struct RegistryPage {
    layout: Layout,
    rows: Vec<UnitStaffing>,
    failing: usize,
    /// Training records of liaisons and proxy agents (A2 §6).
    training: Vec<staff::TrainingRecord>,
}

pub async fn registry(State(s): State<AppState>, ctx: Ctx) -> Response {
    if let Err(e) = require_staff(&ctx) {
        return page_error(&ctx, e, "/");
    }
    match staff::registry(&s.app, &ctx.actor).await {
        Ok(rows) => {
            let failing = rows.iter().filter(|r| !r.staffing.meets_minimum).count();
            let training = staff::training(&s.app, &ctx.actor, None)
                .await
                .unwrap_or_default();
            render(
                StatusCode::OK,
                &RegistryPage {
                    layout: Layout::new("联络员登记", &ctx, "/admin/registry"),
                    rows,
                    failing,
                    training,
                },
            )
        }
        Err(e) => page_error(&ctx, e, "/workbench"),
    }
}

pub struct AuditLine {
    seq: i64,
    time: String,
    actor: String,
    /// The action's Chinese label, or `None` (the code is then shown as code).
    action: Option<&'static str>,
    action_code: String,
    object: Option<&'static str>,
    object_code: String,
    object_id: String,
    detail: Vec<super::readable::Line>,
    purpose: String,
    operation_id: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    layout: Layout,
    report: VerifyReport,
    rows: Vec<AuditLine>,
}

pub async fn audit(State(s): State<AppState>, ctx: Ctx) -> Response {
    if let Err(e) = require_staff(&ctx).and_then(|_| {
        ctx.actor
            .require_any(&[Role::SystemAdmin, Role::Accountability])
    }) {
        return page_error(&ctx, e, "/workbench");
    }
    let report = match audit::verify(&s.app.db).await {
        Ok(r) => r,
        Err(e) => return page_error(&ctx, e, "/workbench"),
    };
    let (mut rows, _) = match audit::list(
        &s.app.db,
        &AuditQuery {
            limit: 200,
            ..Default::default()
        },
    )
    .await
    {
        Ok(r) => r,
        Err(e) => return page_error(&ctx, e, "/workbench"),
    };
    // Persons by public id only (issue #16 item 6).
    if let Err(e) = proofless_app::applicants::publish_audit_rows(&s.app, &mut rows).await {
        return page_error(&ctx, e, "/workbench");
    }
    let rows = rows
        .into_iter()
        .map(|r| AuditLine {
            seq: r.seq,
            time: local_time(r.at),
            actor: r.actor_name,
            action: proofless_domain::audit::action_label(&r.action),
            action_code: r.action,
            object: proofless_domain::audit::object_label(&r.object_type),
            object_code: r.object_type,
            object_id: r.object_id,
            detail: super::readable::lines_of(&r.detail, proofless_domain::audit::detail_key_label),
            purpose: r.purpose,
            operation_id: r.operation_id,
        })
        .collect();
    render(
        StatusCode::OK,
        &AuditPage {
            layout: Layout::new("审计日志", &ctx, "/admin/audit"),
            report,
            rows,
        },
    )
}
