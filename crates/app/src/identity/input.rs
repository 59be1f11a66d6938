//! Registration and portal login as they arrive, parsed once.

use proofless_domain::codes::ResidentId;
use proofless_domain::org::clean_name;
use serde::Deserialize;

use crate::error::{AppError, AppResult, Problems};
use crate::password;

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterInput {
    pub resident_id: String,
    pub name: String,
    pub phone: Option<String>,
    pub password: String,
}

/// A citizen registering: a valid resident ID, a clean name, a strong enough password.
#[derive(Debug, Clone)]
pub struct Registration {
    pub resident_id: ResidentId,
    pub name: String,
    pub phone: Option<String>,
    pub password: String,
}

impl RegisterInput {
    /// Every field problem at once, in Chinese, naming the field.
    pub fn parse(self) -> AppResult<Registration> {
        let mut p = Problems::default();
        let rid = ResidentId::parse(&self.resident_id)
            .map_err(|e| p.add("resident_id", format!("身份证号码：{e}")))
            .ok();
        let name = clean_name(&self.name, 40)
            .map_err(|e| p.add("name", format!("姓名{e}")))
            .ok();
        if let Err(e) = password::check_strength(&self.password) {
            p.add("password", e);
        }
        p.into_result()?;
        match (rid, name) {
            (Some(resident_id), Some(name)) => Ok(Registration {
                resident_id,
                name,
                phone: self.phone,
                password: self.password,
            }),
            _ => Err(AppError::field("resident_id", "身份证号码无效")),
        }
    }
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PortalLoginInput {
    pub resident_id: String,
    pub password: String,
}

/// A portal login is the resident ID in upper case (the final X).
pub(super) fn normalise_login(raw: &str) -> String {
    raw.trim().to_uppercase()
}

impl PortalLoginInput {
    /// The login as stored; both fields must be given.
    pub fn login(&self) -> AppResult<String> {
        let login = normalise_login(&self.resident_id);
        if login.is_empty() || self.password.is_empty() {
            return Err(AppError::field("resident_id", "请输入身份证号码和密码"));
        }
        Ok(login)
    }
}
