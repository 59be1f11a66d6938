//! 政务服务事项 as registered.

use proofless_domain::catalogue::{CatalogueLevel, MAX_NAME_CHARS, ServiceItemKind};
use proofless_domain::codes::ImplementationCode;
use proofless_domain::org::clean_name;
use serde::Deserialize;

use super::LEVEL_HINT;
use crate::error::{AppError, AppResult, Problems};

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct ServiceItemInput {
    /// The implementing org; defaults to the actor's unit.
    pub org_id: Option<i64>,
    pub name: String,
    /// 事项编码 (实施编码), 12–33 characters of digits, upper-case letters and `-`.
    pub code: String,
    /// `administrative_licence` … `public_service`, or the Chinese name (行政许可 …).
    pub kind: String,
    /// `county`, `town` or `village`.
    pub level: String,
}

/// A service item as registered.
#[derive(Debug, Clone)]
pub struct ServiceItemDraft {
    /// The implementing unit; `None`: the actor's own.
    pub org_id: Option<i64>,
    pub name: String,
    pub code: String,
    pub kind: ServiceItemKind,
    pub level: CatalogueLevel,
}

impl ServiceItemInput {
    pub fn parse(&self) -> AppResult<ServiceItemDraft> {
        let mut p = Problems::default();
        let name = clean_name(&self.name, MAX_NAME_CHARS).unwrap_or_else(|e| {
            p.add("name", format!("事项名称{e}"));
            String::new()
        });
        let code = match ImplementationCode::parse(&self.code) {
            Ok(c) => c.as_str().to_owned(),
            Err(e) => {
                p.add("code", format!("事项编码：{e}"));
                String::new()
            }
        };
        let kind = ServiceItemKind::parse(&self.kind);
        if kind.is_none() {
            p.add(
                "kind",
                format!(
                    "事项类型“{}”无效（可用：行政许可、行政确认、行政给付、行政奖励、行政裁决、其他行政权力、依申请公共服务）",
                    self.kind.chars().take(40).collect::<String>()
                ),
            );
        }
        let level = CatalogueLevel::parse(&self.level);
        if level.is_none() {
            p.add("level", LEVEL_HINT);
        }
        p.into_result()?;
        let (Some(kind), Some(level)) = (kind, level) else {
            return Err(AppError::field("kind", "事项类型或层级无效"));
        };
        Ok(ServiceItemDraft {
            org_id: self.org_id,
            name,
            code,
            kind,
            level,
        })
    }
}
