//! The A/B duty posts of each unit and whether its staffing meets A2 §6.

use proofless_domain::role::{Duty, Post, Role, Staffing, assess_staffing};
use serde::{Deserialize, Serialize};

use super::accounts::{self, Staff};
use super::input::DutyPostInput;
use super::repo;
use crate::App;
use crate::actor::Actor;
use crate::audit::{self, Entry};
use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct DutyPost {
    pub id: i64,
    pub org_id: i64,
    pub duty: Duty,
    pub a_staff_id: i64,
    pub a_name: String,
    pub b_staff_id: Option<i64>,
    pub b_name: Option<String>,
    pub a_absent: bool,
}

pub async fn posts(app: &App, org_id: i64) -> AppResult<Vec<DutyPost>> {
    Ok(repo::posts_of_org(&mut app.db.reader(), org_id).await?)
}

/// The unit admin of the org, or the system admin.
fn require_post_admin(actor: &Actor, org_id: i64) -> AppResult<()> {
    if !actor.has(Role::SystemAdmin) {
        actor.require_any(&[Role::UnitAdmin])?;
        actor.require_org(org_id)?;
    }
    Ok(())
}

/// An active staff member of `org_id` named in `field`.
async fn holder(app: &App, org_id: i64, id: i64, field: &str, role: &str) -> AppResult<Staff> {
    let s = accounts::get(app, id)
        .await
        .map_err(|_| AppError::field(field, format!("{role}人员不存在")))?;
    if s.org_id != org_id || !s.active {
        return Err(AppError::field(
            field,
            format!("{role}必须是本单位在岗人员"),
        ));
    }
    Ok(s)
}

/// Create an A/B post. A and B must be active staff of the same unit and not the same
/// person; a proxy agent may be the liaison's B (A2 §6).
pub async fn add_post(
    app: &App,
    actor: &Actor,
    org_id: i64,
    input: DutyPostInput,
) -> AppResult<DutyPost> {
    require_post_admin(actor, org_id)?;
    let p = input.parse()?;
    let a = holder(app, org_id, p.a_staff_id, "a_staff_id", "A 角").await?;
    if let Some(b_id) = p.b_staff_id {
        if b_id == a.id {
            return Err(AppError::field("b_staff_id", "B 角不能与 A 角是同一人"));
        }
        holder(app, org_id, b_id, "b_staff_id", "B 角").await?;
    }
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let id = repo::insert_post(&mut tx, org_id, p.duty, a.id, p.b_staff_id, now)
        .await
        .map_err(|e| match e.unique_violation() {
            Some(_) => {
                AppError::Conflict(format!("{} 已担任本单位{}", a.display_name, p.duty.label()))
            }
            None => e.into(),
        })?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("duty_post.create", "duty_post", id).detail(serde_json::json!({
            "org_id": org_id, "duty": p.duty.as_str(), "a": a.id, "b": p.b_staff_id,
        })),
    )
    .await?;
    tx.commit().await?;
    repo::post(&mut app.db.reader(), id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("岗位 {id}")))
}

async fn get_post(app: &App, post_id: i64) -> AppResult<DutyPost> {
    repo::post(&mut app.db.reader(), post_id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("岗位 {post_id}")))
}

pub async fn remove_post(app: &App, actor: &Actor, post_id: i64) -> AppResult<()> {
    let post = get_post(app, post_id).await?;
    require_post_admin(actor, post.org_id)?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    repo::delete_post(&mut tx, post_id).await?;
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
    let post = get_post(app, post_id).await?;
    if actor.id != Some(post.a_staff_id) {
        require_post_admin(actor, post.org_id)?;
    }
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    repo::set_absent(&mut tx, post_id, absent).await?;
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
    let posts: Vec<Post> = posts(app, org_id)
        .await?
        .iter()
        .map(|p| Post {
            duty: p.duty,
            a: p.a_staff_id,
            b: p.b_staff_id,
        })
        .collect();
    Ok(assess_staffing(&posts))
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
    let orgs = repo::orgs_with_region(&mut app.db.reader()).await?;
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
