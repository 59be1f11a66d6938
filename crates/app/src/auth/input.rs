//! Login and API-token requests as they arrive, parsed once.

use proofless_domain::org::clean_name;
use proofless_domain::role::{Role, UNIT_ROLES};
use serde::Deserialize;

use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginInput {
    pub username: String,
    pub password: String,
    /// The one-time code from the unit admin, needed only while the account is
    /// protected after repeated failures.
    #[serde(default)]
    pub code: Option<String>,
}

impl LoginInput {
    /// The login name as stored (trimmed, lower case); both fields must be given.
    pub fn login(&self) -> AppResult<String> {
        let login = self.username.trim().to_lowercase();
        if login.is_empty() || self.password.is_empty() {
            return Err(AppError::field("username", "请输入用户名和密码"));
        }
        Ok(login)
    }
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApiTokenInput {
    pub org_id: i64,
    pub name: String,
    pub roles: Vec<String>,
}

/// A token to issue: its org, clean name and the unit roles it carries.
#[derive(Debug, Clone)]
pub struct NewApiToken {
    pub org_id: i64,
    pub name: String,
    pub roles: Vec<Role>,
}

impl ApiTokenInput {
    /// A token carries unit roles only, and never the unit admin's.
    pub fn parse(&self) -> AppResult<NewApiToken> {
        let name = clean_name(&self.name, 60)
            .map_err(|e| AppError::field("name", format!("令牌名称{e}")))?;
        let mut roles = Vec::with_capacity(self.roles.len());
        for r in &self.roles {
            let role = Role::parse(r)
                .ok_or_else(|| AppError::field("roles", format!("角色“{r}”不存在")))?;
            // The 12345 platform's intake token carries the hotline's receiver role (issue #20).
            let allowed = UNIT_ROLES.contains(&role) || role == Role::ComplaintHotline;
            if !allowed || role == Role::UnitAdmin {
                return Err(AppError::field(
                    "roles",
                    format!("接口令牌不能带有“{}”角色", role.label()),
                ));
            }
            roles.push(role);
        }
        Ok(NewApiToken {
            org_id: self.org_id,
            name,
            roles,
        })
    }
}
