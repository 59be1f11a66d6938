//! Persons, entities and representatives as entered, parsed once.

use proofless_domain::codes::{CreditCode, ResidentId};
use proofless_domain::org::clean_name;
use serde::Deserialize;

use crate::error::{AppError, AppResult, Problems};

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonInput {
    pub resident_id: String,
    pub name: String,
    pub phone: Option<String>,
}

/// A person to register: a valid resident ID, a clean name, a phone if one was given.
#[derive(Debug, Clone)]
pub struct NewPerson {
    pub resident_id: ResidentId,
    pub name: String,
    pub phone: Option<String>,
}

fn check_phone(p: Option<&str>, problems: &mut Problems) {
    let ok = |ph: &str| {
        ph.len() <= 20
            && ph
                .chars()
                .all(|c| c.is_ascii_digit() || c == '-' || c == '+')
    };
    if p.is_some_and(|ph| !ok(ph)) {
        problems.add("phone", "电话号码只能包含数字、+ 和 -，最长 20 位");
    }
}

impl PersonInput {
    /// Every field problem at once, in Chinese, naming the field.
    pub fn parse(&self) -> AppResult<NewPerson> {
        let mut p = Problems::default();
        let rid = ResidentId::parse(&self.resident_id)
            .map_err(|e| p.add("resident_id", format!("身份证号码：{e}")))
            .ok();
        let name = clean_name(&self.name, 40)
            .map_err(|e| p.add("name", format!("姓名{e}")))
            .ok();
        let phone = self
            .phone
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        check_phone(phone, &mut p);
        p.into_result()?;
        match (rid, name) {
            (Some(resident_id), Some(name)) => Ok(NewPerson {
                resident_id,
                name,
                phone: phone.map(str::to_owned),
            }),
            _ => Err(AppError::field("resident_id", "身份证号码无效")),
        }
    }
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EntityInput {
    pub credit_code: String,
    pub name: String,
}

#[derive(Debug, Clone)]
pub struct NewEntity {
    pub credit_code: CreditCode,
    pub name: String,
}

impl EntityInput {
    /// Every field problem at once; the credit code must pass every GB 32100 check.
    pub fn parse(&self) -> AppResult<NewEntity> {
        let mut p = Problems::default();
        let code = CreditCode::parse(&self.credit_code)
            .map_err(|e| p.add("credit_code", format!("统一社会信用代码：{e}")))
            .ok();
        let name = clean_name(&self.name, 100)
            .map_err(|e| p.add("name", format!("名称{e}")))
            .ok();
        p.into_result()?;
        match (code, name) {
            (Some(credit_code), Some(name)) => Ok(NewEntity { credit_code, name }),
            _ => Err(AppError::field("credit_code", "统一社会信用代码无效")),
        }
    }
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RepresentativeInput {
    /// The person's opaque public id (`Person.id`).
    pub person_id: String,
    /// 法定代表人 / 授权代理人 …
    pub capacity: String,
}

#[derive(Debug, Clone)]
pub struct NewRepresentative {
    pub person_id: String,
    pub capacity: String,
}

impl RepresentativeInput {
    pub fn parse(&self) -> AppResult<NewRepresentative> {
        let capacity = clean_name(&self.capacity, 20)
            .map_err(|e| AppError::field("capacity", format!("身份{e}")))?;
        Ok(NewRepresentative {
            person_id: self.person_id.trim().to_owned(),
            capacity,
        })
    }
}
