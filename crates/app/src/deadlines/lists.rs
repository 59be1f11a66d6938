//! The overdue and nearly due lists of a unit's workbench and of the joint office.

use proofless_domain::role::Role;

use super::compute::{lateness, rfc3339};
use super::records::{DueItem, Scope};
use super::repo;
use crate::App;
use crate::actor::Actor;
use crate::error::{AppError, AppResult};

/// The scope an actor may see: the county for county-wide roles asking for it, else their unit.
pub fn scope_for(actor: &Actor, org: Option<i64>) -> AppResult<Scope> {
    actor.require_staff()?;
    match org {
        Some(o) => {
            actor.require_see_org(o)?;
            Ok(Scope::Org(o))
        }
        None if actor.has_any(&[Role::JointOffice, Role::SystemAdmin, Role::Accountability]) => {
            Ok(Scope::County)
        }
        None => actor
            .org_id
            .map(Scope::Org)
            .ok_or_else(|| AppError::forbidden("无权查看全县逾期事项")),
    }
}

fn finish(app: &App, mut items: Vec<DueItem>, now: i64) -> Vec<DueItem> {
    for i in &mut items {
        i.due = i.due_at.and_then(rfc3339);
        i.late = i.due_at.and_then(|d| lateness(app, d, now));
    }
    items
}

/// Overdue items, most late first.
pub async fn overdue(
    app: &App,
    actor: &Actor,
    scope: Scope,
    limit: i64,
) -> AppResult<Vec<DueItem>> {
    let _ = actor;
    let now = app.now_ms();
    let items = repo::overdue(&mut app.db.reader(), scope, limit.clamp(1, 500)).await?;
    Ok(finish(app, items, now))
}

/// Open items due within `within_ms` (including those already due but not yet escalated).
pub async fn due_soon(
    app: &App,
    scope: Scope,
    within_ms: i64,
    limit: i64,
) -> AppResult<Vec<DueItem>> {
    let now = app.now_ms();
    let items = repo::open_due_by(
        &mut app.db.reader(),
        scope,
        now + within_ms,
        limit.clamp(1, 500),
    )
    .await?;
    Ok(finish(app, items, now))
}
