//! Staff accounts and the roles granted to them.

use proofless_domain::role::{Role, UNIT_ROLES};
use serde::Serialize;

use super::input::{StaffInput, parse_roles};
use super::repo::{self, StaffRow};
use crate::actor::{Actor, ActorKind};
use crate::audit::{self, Entry};
use crate::error::{AppError, AppResult};
use crate::{App, password};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Staff {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub username: String,
    pub display_name: String,
    pub phone: Option<String>,
    pub active: bool,
    pub roles: Vec<Role>,
    pub version: i64,
}

fn role_names(roles: &[Role]) -> Vec<&'static str> {
    roles.iter().map(|r| r.as_str()).collect()
}

/// Refuse grants beyond the granter's authority.
fn check_grants(actor: &Actor, org_id: i64, roles: &[Role]) -> AppResult<()> {
    if actor.has(Role::SystemAdmin) {
        return Ok(());
    }
    actor.require_any(&[Role::UnitAdmin])?;
    actor.require_org(org_id)?;
    if let Some(r) = roles.iter().find(|r| !UNIT_ROLES.contains(r)) {
        return Err(AppError::forbidden(format!(
            "单位管理员不能授予“{}”角色",
            r.label()
        )));
    }
    Ok(())
}

pub async fn create(app: &App, actor: &Actor, org_id: i64, input: StaffInput) -> AppResult<Staff> {
    let s = input.parse()?;
    check_grants(actor, org_id, &s.roles)?;
    crate::orgs::get(app, org_id).await?;
    let hash = password::hash(&s.password)?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let id = repo::insert(&mut tx, org_id, &s, &hash, now)
        .await
        .map_err(|e| match e.unique_violation() {
            Some(_) => AppError::field("username", format!("用户名 {} 已被使用", s.username)),
            None => e.into(),
        })?;
    repo::set_roles(&mut tx, id, &s.roles).await?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("staff.create", "staff", id).detail(serde_json::json!({
            "org_id": org_id, "username": s.username, "roles": role_names(&s.roles),
        })),
    )
    .await?;
    tx.commit().await?;
    get(app, id).await
}

/// Replace a staff member's roles (If-Match version).
pub async fn set_roles(
    app: &App,
    actor: &Actor,
    id: i64,
    expected_version: Option<i64>,
    raw: Vec<String>,
) -> AppResult<Staff> {
    let roles = parse_roles(&raw)?;
    let current = get(app, id).await?;
    check_grants(actor, current.org_id, &roles)?;
    // A unit admin may not take away roles they could not grant either.
    check_grants(actor, current.org_id, &current.roles)?;
    if expected_version.is_some_and(|v| v != current.version) {
        return Err(AppError::PreconditionFailed);
    }
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    if repo::bump_version(&mut tx, id, current.version, now).await? == 0 {
        return Err(AppError::PreconditionFailed);
    }
    repo::set_roles(&mut tx, id, &roles).await?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("staff.set_roles", "staff", id)
            .detail(serde_json::json!({"roles": role_names(&roles)})),
    )
    .await?;
    tx.commit().await?;
    get(app, id).await
}

/// Enable or disable an account; disabling ends its sessions.
pub async fn set_active(app: &App, actor: &Actor, id: i64, active: bool) -> AppResult<Staff> {
    let current = get(app, id).await?;
    check_grants(actor, current.org_id, &current.roles)?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    repo::set_active(&mut tx, id, active, now).await?;
    if !active {
        crate::auth::end_staff_sessions(&mut tx, id).await?;
    }
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("staff.set_active", "staff", id).detail(serde_json::json!({"active": active})),
    )
    .await?;
    tx.commit().await?;
    get(app, id).await
}

fn to_staff(r: StaffRow, roles: Vec<Role>) -> Staff {
    Staff {
        id: r.id,
        org_id: r.org_id,
        org_name: r.org_name,
        username: r.username,
        display_name: r.display_name,
        phone: r.phone,
        active: r.active,
        roles,
        version: r.version,
    }
}

pub async fn get(app: &App, id: i64) -> AppResult<Staff> {
    let mut db = app.db.reader();
    let row = repo::get(&mut db, id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("工作人员 {id}")))?;
    let roles = repo::roles_of(&mut db, id).await?;
    Ok(to_staff(row, roles))
}

/// Staff of a unit: its own admins, the system admin and the joint office (which keeps
/// the staff registry, A2 §6).
pub async fn list_for_org(app: &App, actor: &Actor, org_id: i64) -> AppResult<Vec<Staff>> {
    if !(actor.has_any(&[Role::SystemAdmin, Role::JointOffice]) && actor.kind == ActorKind::Staff) {
        actor.require_org(org_id)?;
        actor.require_staff()?;
    }
    let mut db = app.db.reader();
    let rows = repo::of_org(&mut db, org_id).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let roles = repo::roles_of(&mut db, r.id).await?;
        out.push(to_staff(r, roles));
    }
    Ok(out)
}
