//! A unit admin helps a staff member whose account asks for a second factor: issue a
//! one-time login code (handed over in person, or by phone after recognising the voice)
//! or lift the protection. Both audited.

use proofless_domain::role::Role;

use super::codes::{self, Channel, IssuedCode, NewCode, Purpose};
use super::{repo, throttle};
use crate::App;
use crate::actor::{Actor, ActorKind};
use crate::audit::{self, Entry};
use crate::error::{AppError, AppResult};

/// The admin's right over this staff member: their own unit's admin, or a system admin.
async fn target(app: &App, actor: &Actor, staff_id: i64) -> AppResult<String> {
    if actor.kind != ActorKind::Staff {
        return Err(AppError::forbidden("只有本单位管理员可以协助工作人员登录"));
    }
    let (org_id, username) = repo::staff_login_of(&mut app.db.reader(), staff_id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("工作人员 {staff_id}")))?;
    if !actor.has(Role::SystemAdmin) {
        actor.require_any(&[Role::UnitAdmin])?;
        actor.require_org(org_id)?;
    }
    if actor.staff_id() == Some(staff_id) {
        return Err(AppError::forbidden("不能为自己发放登录验证码或解除限制"));
    }
    Ok(username.to_lowercase())
}

/// Whether this staff member's account currently asks for a second factor.
pub async fn needs_second_factor(app: &App, username: &str) -> AppResult<bool> {
    let n = throttle::current(app, "staff", &username.trim().to_lowercase()).await?;
    Ok(n > app.settings.max_login_failures)
}

/// A one-time login code for a staff member of the admin's unit, shown once.
pub async fn issue_login_code(app: &App, actor: &Actor, staff_id: i64) -> AppResult<IssuedCode> {
    target(app, actor, staff_id).await?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let issued = codes::issue(
        &mut tx,
        NewCode {
            purpose: Purpose::StaffLogin,
            principal_id: staff_id,
            channel: Channel::Admin,
            issued_by: actor.staff_id(),
        },
        now,
    )
    .await?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("auth.login_code.issue", "staff", staff_id)
            .detail(serde_json::json!({"expires_at": issued.expires_at})),
    )
    .await?;
    tx.commit().await?;
    Ok(issued)
}

/// Lift the protection of a staff account (its failure count starts again from zero).
pub async fn unlock(app: &App, actor: &Actor, staff_id: i64) -> AppResult<()> {
    let login = target(app, actor, staff_id).await?;
    throttle::reset(app, "staff", &login).await?;
    let mut tx = app.db.begin().await?;
    audit::append(
        &mut tx,
        actor,
        app.now_ms(),
        Entry::new("auth.unlock", "staff", staff_id),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
