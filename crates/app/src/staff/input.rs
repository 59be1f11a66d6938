//! Staff accounts and duty posts as entered, parsed once.

use proofless_domain::org::clean_name;
use proofless_domain::role::{Duty, Role};
use serde::Deserialize;

use crate::error::{AppError, AppResult, Problems};
use crate::password;

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StaffInput {
    pub username: String,
    pub display_name: String,
    pub phone: Option<String>,
    pub password: String,
    pub roles: Vec<String>,
}

/// A staff account to create, checked.
#[derive(Debug, Clone)]
pub struct NewStaff {
    pub username: String,
    pub display_name: String,
    pub phone: Option<String>,
    pub password: String,
    pub roles: Vec<Role>,
}

fn collect_roles(raw: &[String], p: &mut Problems) -> Vec<Role> {
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

/// Role names as entered, each once; every unknown name is reported.
pub fn parse_roles(raw: &[String]) -> AppResult<Vec<Role>> {
    let mut p = Problems::default();
    let roles = collect_roles(raw, &mut p);
    p.into_result()?;
    Ok(roles)
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

impl StaffInput {
    /// Every field problem at once, in Chinese, naming the field.
    pub fn parse(self) -> AppResult<NewStaff> {
        let mut p = Problems::default();
        let username = self.username.trim().to_owned();
        if let Err(e) = check_username(&username) {
            p.add("username", e);
        }
        let display_name = clean_name(&self.display_name, 40)
            .map_err(|e| p.add("display_name", format!("姓名{e}")))
            .ok();
        if let Err(e) = password::check_strength(&self.password) {
            p.add("password", e);
        }
        let roles = collect_roles(&self.roles, &mut p);
        p.into_result()?;
        let Some(display_name) = display_name else {
            return Err(AppError::field("display_name", "姓名无效"));
        };
        Ok(NewStaff {
            username,
            display_name,
            phone: self.phone.as_deref().map(str::trim).map(str::to_owned),
            password: self.password,
            roles,
        })
    }
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DutyPostInput {
    pub duty: String,
    pub a_staff_id: i64,
    pub b_staff_id: Option<i64>,
}

/// A post to create: its duty and the A holder, with the B stand-in if named.
#[derive(Debug, Clone)]
pub struct NewDutyPost {
    pub duty: Duty,
    pub a_staff_id: i64,
    pub b_staff_id: Option<i64>,
}

impl DutyPostInput {
    pub fn parse(&self) -> AppResult<NewDutyPost> {
        let duty = Duty::parse(&self.duty).ok_or_else(|| {
            AppError::field(
                "duty",
                "岗位类型应为 liaison（联络员）或 proxy_agent（代办员）",
            )
        })?;
        Ok(NewDutyPost {
            duty,
            a_staff_id: self.a_staff_id,
            b_staff_id: self.b_staff_id,
        })
    }
}
