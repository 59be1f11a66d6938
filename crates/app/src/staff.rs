//! Staff accounts, their roles, and the A/B duty posts of each unit (A2 §6).

use proofless_domain::org::clean_name;
use proofless_domain::role::{Duty, Post, Role, Staffing, assess_staffing};
use proofless_store::q;
use serde::{Deserialize, Serialize};

use crate::actor::Actor;
use crate::audit::{self, Entry};
use crate::error::{AppError, AppResult, Problems};
use crate::{App, password};

/// Roles a unit admin may grant inside their own unit; the rest are county-wide and
/// granted by the system administrator.
pub const UNIT_ROLES: [Role; 5] = [
    Role::CounterClerk,
    Role::Liaison,
    Role::ProxyAgent,
    Role::Inspector,
    Role::UnitAdmin,
];

#[derive(Debug, Clone, Deserialize)]
struct StaffRow {
    id: i64,
    org_id: i64,
    org_name: String,
    username: String,
    display_name: String,
    phone: Option<String>,
    active: bool,
    version: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Staff {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub username: String,
    pub display_name: String,
    pub phone: Option<String>,
    pub active: bool,
    #[schema(value_type = Vec<String>)]
    pub roles: Vec<Role>,
    pub version: i64,
}

const SELECT: &str = "SELECT s.id, s.org_id, o.name AS org_name, s.username, s.display_name, s.phone, s.active, \
    s.version FROM staff s JOIN orgs o ON o.id = s.org_id";

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StaffInput {
    pub username: String,
    pub display_name: String,
    pub phone: Option<String>,
    pub password: String,
    pub roles: Vec<String>,
}

fn parse_roles(raw: &[String], p: &mut Problems) -> Vec<Role> {
    let mut roles = Vec::new();
    for r in raw {
        match Role::parse(r) {
            Some(role) if !roles.contains(&role) => roles.push(role),
            Some(_) => {}
            None => p.add("roles", format!("角色“{r}”不存在")),
        }
    }
    roles
}

fn check_username(u: &str) -> Result<(), String> {
    let n = u.chars().count();
    if !(3..=32).contains(&n) {
        return Err("用户名长度应为 3–32 个字符".to_owned());
    }
    if !u
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-')
    {
        return Err("用户名只能包含英文字母、数字、下划线、点和连字符".to_owned());
    }
    Ok(())
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
    let mut p = Problems::default();
    let username = input.username.trim().to_owned();
    if let Err(e) = check_username(&username) {
        p.add("username", e);
    }
    if let Err(e) = clean_name(&input.display_name, 40) {
        p.add("display_name", format!("姓名{e}"));
    }
    if let Err(e) = password::check_strength(&input.password) {
        p.add("password", e);
    }
    let roles = parse_roles(&input.roles, &mut p);
    p.into_result()?;
    check_grants(actor, org_id, &roles)?;
    crate::orgs::get(app, org_id).await?;
    let hash = password::hash(&input.password)?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let id = tx
        .scalar_i64(
            q("INSERT INTO staff (org_id, username, display_name, phone, password_hash, created_at, updated_at) \
               VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id")
            .bind(org_id)
            .bind(&username)
            .bind(input.display_name.trim())
            .bind(input.phone.as_deref().map(str::trim))
            .bind(hash)
            .bind(now)
            .bind(now),
        )
        .await
        .map_err(|e| match e.unique_violation() {
            Some(_) => AppError::field("username", format!("用户名 {username} 已被使用")),
            None => e.into(),
        })?;
    for r in &roles {
        tx.execute(
            q("INSERT INTO staff_roles (staff_id, role) VALUES (?, ?)")
                .bind(id)
                .bind(r.as_str()),
        )
        .await?;
    }
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("staff.create", "staff", id).detail(serde_json::json!({
            "org_id": org_id, "username": username,
            "roles": roles.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
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
    let mut p = Problems::default();
    let roles = parse_roles(&raw, &mut p);
    p.into_result()?;
    let current = get(app, id).await?;
    check_grants(actor, current.org_id, &roles)?;
    // A unit admin may not take away roles they could not grant either.
    check_grants(actor, current.org_id, &current.roles)?;
    if expected_version.is_some_and(|v| v != current.version) {
        return Err(AppError::PreconditionFailed);
    }
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let n = tx
        .execute(
            q("UPDATE staff SET version = version + 1, updated_at = ? WHERE id = ? AND version = ?")
                .bind(now)
                .bind(id)
                .bind(current.version),
        )
        .await?;
    if n == 0 {
        return Err(AppError::PreconditionFailed);
    }
    tx.execute(q("DELETE FROM staff_roles WHERE staff_id = ?").bind(id))
        .await?;
    for r in &roles {
        tx.execute(
            q("INSERT INTO staff_roles (staff_id, role) VALUES (?, ?)")
                .bind(id)
                .bind(r.as_str()),
        )
        .await?;
    }
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("staff.set_roles", "staff", id).detail(
            serde_json::json!({"roles": roles.iter().map(|r| r.as_str()).collect::<Vec<_>>()}),
        ),
    )
    .await?;
    tx.commit().await?;
    get(app, id).await
}

pub async fn set_active(app: &App, actor: &Actor, id: i64, active: bool) -> AppResult<Staff> {
    let current = get(app, id).await?;
    check_grants(actor, current.org_id, &current.roles)?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    tx.execute(
        q("UPDATE staff SET active = ?, version = version + 1, updated_at = ? WHERE id = ?")
            .bind(active)
            .bind(now)
            .bind(id),
    )
    .await?;
    if !active {
        tx.execute(
            q("DELETE FROM sessions WHERE principal_kind = 'staff' AND principal_id = ?").bind(id),
        )
        .await?;
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

async fn roles_of(app: &App, id: i64) -> AppResult<Vec<Role>> {
    let rows: Vec<(String,)> = app
        .db
        .reader()
        .fetch_all(q("SELECT role FROM staff_roles WHERE staff_id = ? ORDER BY role").bind(id))
        .await?;
    Ok(rows.iter().filter_map(|(r,)| Role::parse(r)).collect())
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
    let row: StaffRow = app
        .db
        .reader()
        .fetch_optional(q(format!("{SELECT} WHERE s.id = ?")).bind(id))
        .await?
        .ok_or_else(|| AppError::NotFound(format!("工作人员 {id}")))?;
    let roles = roles_of(app, id).await?;
    Ok(to_staff(row, roles))
}

/// Staff of a unit: its own admins, the system admin and the joint office (which keeps
/// the staff registry, A2 §6).
pub async fn list_for_org(app: &App, actor: &Actor, org_id: i64) -> AppResult<Vec<Staff>> {
    if !(actor.has_any(&[Role::SystemAdmin, Role::JointOffice])
        && actor.kind == crate::ActorKind::Staff)
    {
        actor.require_org(org_id)?;
        actor.require_staff()?;
    }
    let rows: Vec<StaffRow> = app
        .db
        .reader()
        .fetch_all(q(format!("{SELECT} WHERE s.org_id = ? ORDER BY s.id")).bind(org_id))
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let roles = roles_of(app, r.id).await?;
        out.push(to_staff(r, roles));
    }
    Ok(out)
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct DutyPost {
    pub id: i64,
    pub org_id: i64,
    pub duty: String,
    pub a_staff_id: i64,
    pub a_name: String,
    pub b_staff_id: Option<i64>,
    pub b_name: Option<String>,
    pub a_absent: bool,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DutyPostInput {
    pub duty: String,
    pub a_staff_id: i64,
    pub b_staff_id: Option<i64>,
}

const POSTS: &str = "SELECT p.id, p.org_id, p.duty, p.a_staff_id, a.display_name AS a_name, p.b_staff_id, \
    b.display_name AS b_name, p.a_absent FROM duty_posts p JOIN staff a ON a.id = p.a_staff_id \
    LEFT JOIN staff b ON b.id = p.b_staff_id";

pub async fn posts(app: &App, org_id: i64) -> AppResult<Vec<DutyPost>> {
    Ok(app
        .db
        .reader()
        .fetch_all(q(format!("{POSTS} WHERE p.org_id = ? ORDER BY p.duty, p.id")).bind(org_id))
        .await?)
}

/// Create an A/B post. A and B must be active staff of the same unit and not the same
/// person; a proxy agent may be the liaison's B (A2 §6).
pub async fn add_post(
    app: &App,
    actor: &Actor,
    org_id: i64,
    input: DutyPostInput,
) -> AppResult<DutyPost> {
    if !actor.has(Role::SystemAdmin) {
        actor.require_any(&[Role::UnitAdmin])?;
        actor.require_org(org_id)?;
    }
    let duty = Duty::parse(&input.duty).ok_or_else(|| {
        AppError::field(
            "duty",
            "岗位类型应为 liaison（联络员）或 proxy_agent（代办员）",
        )
    })?;
    let a = get(app, input.a_staff_id)
        .await
        .map_err(|_| AppError::field("a_staff_id", "A 角人员不存在"))?;
    if a.org_id != org_id || !a.active {
        return Err(AppError::field("a_staff_id", "A 角必须是本单位在岗人员"));
    }
    if let Some(b_id) = input.b_staff_id {
        if b_id == a.id {
            return Err(AppError::field("b_staff_id", "B 角不能与 A 角是同一人"));
        }
        let b = get(app, b_id)
            .await
            .map_err(|_| AppError::field("b_staff_id", "B 角人员不存在"))?;
        if b.org_id != org_id || !b.active {
            return Err(AppError::field("b_staff_id", "B 角必须是本单位在岗人员"));
        }
    }
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let id = tx
        .scalar_i64(
            q("INSERT INTO duty_posts (org_id, duty, a_staff_id, b_staff_id, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id")
                .bind(org_id)
                .bind(duty.as_str())
                .bind(a.id)
                .bind(input.b_staff_id)
                .bind(now),
        )
        .await
        .map_err(|e| match e.unique_violation() {
            Some(_) => AppError::Conflict(format!("{} 已担任本单位{}", a.display_name, duty.label())),
            None => e.into(),
        })?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("duty_post.create", "duty_post", id).detail(serde_json::json!({
            "org_id": org_id, "duty": duty.as_str(), "a": a.id, "b": input.b_staff_id,
        })),
    )
    .await?;
    tx.commit().await?;
    let post = app
        .db
        .reader()
        .fetch_one(q(format!("{POSTS} WHERE p.id = ?")).bind(id))
        .await?;
    Ok(post)
}

pub async fn remove_post(app: &App, actor: &Actor, post_id: i64) -> AppResult<()> {
    let post: DutyPost = app
        .db
        .reader()
        .fetch_optional(q(format!("{POSTS} WHERE p.id = ?")).bind(post_id))
        .await?
        .ok_or_else(|| AppError::NotFound(format!("岗位 {post_id}")))?;
    if !actor.has(Role::SystemAdmin) {
        actor.require_any(&[Role::UnitAdmin])?;
        actor.require_org(post.org_id)?;
    }
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    tx.execute(q("DELETE FROM duty_posts WHERE id = ?").bind(post_id))
        .await?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("duty_post.delete", "duty_post", post_id),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Mark the A holder of a post absent, so notifications also reach B (A2 §6).
pub async fn set_absent(app: &App, actor: &Actor, post_id: i64, absent: bool) -> AppResult<()> {
    let (org_id, a_id): (i64, i64) = app
        .db
        .reader()
        .fetch_optional(q("SELECT org_id, a_staff_id FROM duty_posts WHERE id = ?").bind(post_id))
        .await?
        .ok_or_else(|| AppError::NotFound(format!("岗位 {post_id}")))?;
    if actor.id != Some(a_id) && !actor.has(Role::SystemAdmin) {
        actor.require_any(&[Role::UnitAdmin])?;
        actor.require_org(org_id)?;
    }
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    tx.execute(
        q("UPDATE duty_posts SET a_absent = ? WHERE id = ?")
            .bind(absent)
            .bind(post_id),
    )
    .await?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("duty_post.set_absent", "duty_post", post_id)
            .detail(serde_json::json!({"absent": absent})),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn staffing(app: &App, org_id: i64) -> AppResult<Staffing> {
    let posts = posts(app, org_id).await?;
    let domain_posts: Vec<Post> = posts
        .iter()
        .filter_map(|p| {
            Duty::parse(&p.duty).map(|duty| Post {
                duty,
                a: p.a_staff_id,
                b: p.b_staff_id,
            })
        })
        .collect();
    Ok(assess_staffing(&domain_posts))
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UnitStaffing {
    pub org_id: i64,
    pub org_name: String,
    pub region_name: String,
    #[schema(value_type = Object)]
    pub staffing: Staffing,
}

/// Every unit's staffing, for the joint office's registry (A2 §6).
pub async fn registry(app: &App, actor: &Actor) -> AppResult<Vec<UnitStaffing>> {
    actor.require_any(&[Role::JointOffice, Role::SystemAdmin])?;
    let orgs: Vec<(i64, String, String)> = app
        .db
        .reader()
        .fetch_all(q("SELECT o.id, o.name, r.name FROM orgs o JOIN regions r ON r.code = o.region_code ORDER BY o.region_code, o.id"))
        .await?;
    let mut out = Vec::with_capacity(orgs.len());
    for (org_id, org_name, region_name) in orgs {
        out.push(UnitStaffing {
            org_id,
            org_name,
            region_name,
            staffing: staffing(app, org_id).await?,
        });
    }
    Ok(out)
}
