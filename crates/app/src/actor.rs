//! Who is acting, for which unit, under which operation id.

use proofless_domain::role::Role;
use serde::Serialize;

use crate::error::{AppError, AppResult};

pub use proofless_domain::role::ActorKind;

#[derive(Debug, Clone, Serialize)]
pub struct Actor {
    pub kind: ActorKind,
    /// Staff id, token id or portal account's person id.
    pub id: Option<i64>,
    pub name: String,
    pub org_id: Option<i64>,
    pub org_name: Option<String>,
    pub region_code: Option<String>,
    pub roles: Vec<Role>,
    /// Carried from the request into every audit row and error message.
    pub operation_id: String,
}

impl Actor {
    pub fn system(operation_id: &str) -> Actor {
        Actor {
            kind: ActorKind::System,
            id: None,
            name: "系统".to_owned(),
            org_id: None,
            org_name: None,
            region_code: None,
            roles: vec![Role::SystemAdmin],
            operation_id: operation_id.to_owned(),
        }
    }

    pub fn anonymous(operation_id: &str) -> Actor {
        Actor {
            kind: ActorKind::Anonymous,
            id: None,
            name: "匿名访客".to_owned(),
            org_id: None,
            org_name: None,
            region_code: None,
            roles: vec![],
            operation_id: operation_id.to_owned(),
        }
    }

    /// The staff member's id when a person at a unit is acting (not a token or the system).
    pub fn staff_id(&self) -> Option<i64> {
        if self.kind == ActorKind::Staff {
            self.id
        } else {
            None
        }
    }

    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    pub fn has_any(&self, roles: &[Role]) -> bool {
        roles.iter().any(|r| self.has(*r))
    }

    pub fn is_staff_like(&self) -> bool {
        matches!(
            self.kind,
            ActorKind::Staff | ActorKind::Token | ActorKind::System
        )
    }

    /// Refuse unless the actor holds one of `roles`.
    pub fn require_any(&self, roles: &[Role]) -> AppResult<()> {
        if matches!(self.kind, ActorKind::Anonymous) {
            return Err(AppError::Unauthenticated);
        }
        if self.has_any(roles) {
            return Ok(());
        }
        let names: Vec<&str> = roles.iter().map(|r| r.label()).collect();
        Err(AppError::forbidden(format!(
            "无权操作：需要以下角色之一：{}",
            names.join("、")
        )))
    }

    /// Refuse unless the actor acts for `org_id`: a user acts only for their own unit.
    /// System administrators (and the system itself) may act for any unit.
    pub fn require_org(&self, org_id: i64) -> AppResult<()> {
        if matches!(self.kind, ActorKind::System)
            || (self.has(Role::SystemAdmin) && self.kind == ActorKind::Staff)
        {
            return Ok(());
        }
        if self.org_id == Some(org_id) {
            return Ok(());
        }
        Err(AppError::forbidden("无权操作：只能办理本单位的事务"))
    }

    /// Whether the actor may see data of `org_id` (own unit, or a county-wide role).
    pub fn can_see_org(&self, org_id: i64) -> bool {
        self.kind == ActorKind::System
            || self.org_id == Some(org_id)
            || (self.kind == ActorKind::Staff && self.roles.iter().any(|r| r.is_county_wide()))
    }

    pub fn require_see_org(&self, org_id: i64) -> AppResult<()> {
        if self.can_see_org(org_id) {
            Ok(())
        } else {
            Err(AppError::forbidden("无权查看其他单位的数据"))
        }
    }

    pub fn require_staff(&self) -> AppResult<()> {
        match self.kind {
            ActorKind::Staff | ActorKind::Token | ActorKind::System => Ok(()),
            ActorKind::Anonymous => Err(AppError::Unauthenticated),
            ActorKind::Portal => Err(AppError::forbidden("此功能仅限工作人员使用")),
        }
    }
}
