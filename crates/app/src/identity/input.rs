//! Activation, portal login and code requests as they arrive, parsed once.

use proofless_domain::codes::ResidentId;
use proofless_domain::org::clean_name;
use serde::Deserialize;

use crate::error::{AppError, AppResult, Problems};
use crate::password;

/// A citizen opens (or re-opens) a portal account: the resident ID, the one-time code
/// they were given at the counter or by SMS, and a new password. The name alone proves
/// nothing any more (issue #16 item 1).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterInput {
    pub resident_id: String,
    /// The activation code (8 digits from the counter, 6 by SMS).
    pub code: String,
    pub password: String,
}

#[derive(Debug, Clone)]
pub struct Registration {
    pub resident_id: ResidentId,
    pub code: String,
    pub password: String,
}

fn parse_rid(p: &mut Problems, raw: &str) -> Option<ResidentId> {
    ResidentId::parse(raw)
        .map_err(|e| p.add("resident_id", format!("身份证号码：{e}")))
        .ok()
}

impl RegisterInput {
    /// Every field problem at once, in Chinese, naming the field. Only the form of the
    /// input is judged here; whether the ID is known is never said.
    pub fn parse(self) -> AppResult<Registration> {
        let mut p = Problems::default();
        let rid = parse_rid(&mut p, &self.resident_id);
        let code = self.code.trim().to_owned();
        if code.is_empty() {
            p.add("code", "请输入开通码");
        }
        if let Err(e) = password::check_strength(&self.password) {
            p.add("password", e);
        }
        p.into_result()?;
        let resident_id = rid.ok_or_else(|| AppError::field("resident_id", "身份证号码无效"))?;
        Ok(Registration {
            resident_id,
            code,
            password: self.password,
        })
    }
}

/// A clerk issues an activation code after checking the ID card in front of them.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CounterCodeInput {
    pub resident_id: String,
    /// The name on the ID card.
    pub name: String,
    pub phone: Option<String>,
}

pub struct CounterCode {
    pub resident_id: ResidentId,
    pub name: String,
    pub phone: Option<String>,
}

impl CounterCodeInput {
    pub fn parse(self) -> AppResult<CounterCode> {
        let mut p = Problems::default();
        let rid = parse_rid(&mut p, &self.resident_id);
        let name = clean_name(&self.name, 40)
            .map_err(|e| p.add("name", format!("姓名{e}")))
            .ok();
        p.into_result()?;
        match (rid, name) {
            (Some(resident_id), Some(name)) => Ok(CounterCode {
                resident_id,
                name,
                phone: self.phone.filter(|s| !s.trim().is_empty()),
            }),
            _ => Err(AppError::field("resident_id", "身份证号码无效")),
        }
    }
}

/// Ask for an activation code by SMS to the phone on record.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SmsCodeInput {
    pub resident_id: String,
}

impl SmsCodeInput {
    pub fn parse(&self) -> AppResult<ResidentId> {
        let mut p = Problems::default();
        let rid = parse_rid(&mut p, &self.resident_id);
        p.into_result()?;
        rid.ok_or_else(|| AppError::field("resident_id", "身份证号码无效"))
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
