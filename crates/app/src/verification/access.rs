//! Who may read a verification and who may act on it (A2 §5–§7, §11, §12).

use proofless_domain::role::Role;
use proofless_domain::verification::{self as rules, Action, Side};

use super::records::Verification;
use crate::actor::{Actor, ActorKind};
use crate::error::{AppError, AppResult};

/// Who may read a verification: staff of the requesting or the issuing unit, the joint
/// office, the accountability department, the county government's approver (the joint
/// office refers an overdue issuer to it for a summons, A2 §11, and it reads what it is
/// asked to act on) and the system administrator.
pub(super) fn require_read(actor: &Actor, v: &Verification) -> AppResult<()> {
    actor.require_staff()?;
    if matches!(actor.kind, ActorKind::System) {
        return Ok(());
    }
    let own = actor.org_id == Some(v.requester_org_id) || actor.org_id == Some(v.issuer_org_id);
    let county = actor.kind == ActorKind::Staff
        && actor.has_any(&[
            Role::JointOffice,
            Role::Accountability,
            Role::CountyApprover,
            Role::SystemAdmin,
        ]);
    if own || county {
        Ok(())
    } else {
        Err(AppError::forbidden("无权查看其他单位的核验"))
    }
}

/// Whether `actor` sends or answers `v`, and so sees the subject's full identifier: a
/// liaison or proxy agent of the requesting or the issuing unit (A2 §5–§7). Everyone else
/// who may read it (a counter clerk of either unit, the joint office…) sees it masked
/// (issue #16 item 6).
pub(super) fn acts_on(actor: &Actor, v: &Verification) -> bool {
    if actor.kind == ActorKind::System {
        return true;
    }
    let own = actor.org_id == Some(v.requester_org_id) || actor.org_id == Some(v.issuer_org_id);
    own && actor.is_staff_like() && actor.has_any(&[Role::Liaison, Role::ProxyAgent])
}

/// Role and unit scope of an action on `v`; then the state machine.
pub(super) fn require_action(
    actor: &Actor,
    v: &Verification,
    action: Action,
    now: i64,
) -> AppResult<()> {
    actor.require_staff()?;
    if !rules::role_may(action, &actor.roles) {
        return Err(match action.side() {
            Side::JointOffice => AppError::forbidden("无权操作：需要联席会议办公室角色"),
            _ => AppError::forbidden("无权操作：需要联络员或代办员角色"),
        });
    }
    let org = match action.side() {
        Side::Issuer => Some(v.issuer_org_id),
        Side::Requester => Some(v.requester_org_id),
        Side::JointOffice => None,
    };
    if let Some(o) = org
        && actor.org_id != Some(o)
        && actor.kind != ActorKind::System
    {
        return Err(AppError::forbidden(match action.side() {
            Side::Issuer => "无权操作：只有开具单位的联络员、代办员可以办理",
            _ => "无权操作：只有需求单位的联络员、代办员可以办理",
        }));
    }
    rules::check(action, &v.facts_for_rules(), now).map_err(AppError::Conflict)
}

/// The requesting unit of a new request: the actor's own, and only for its liaison or
/// proxy agents (A2 §5).
pub(super) fn requesting_unit(actor: &Actor, refused: &str, no_unit: &str) -> AppResult<i64> {
    actor.require_staff()?;
    if !rules::role_may(Action::Report, &actor.roles) {
        return Err(AppError::forbidden(refused.to_owned()));
    }
    actor
        .org_id
        .ok_or_else(|| AppError::forbidden(no_unit.to_owned()))
}
