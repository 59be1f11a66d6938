//! An org as entered (API, admin page, import rows), parsed once into a [`NewOrg`].

use proofless_domain::codes::CreditCode;
use proofless_domain::org::{MAX_ORG_NAME_CHARS, OrgKind, clean_name};
use serde::Deserialize;

use crate::error::{AppResult, Problems};

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct OrgInput {
    pub name: String,
    pub credit_code: Option<String>,
    pub kind: String,
    pub region_code: String,
    pub supervisor_id: Option<i64>,
    /// The admin confirms a checksum warning on the credit code (issue #2 §4).
    #[serde(default)]
    pub confirm_warnings: bool,
}

/// An org's fields, checked: the clean name, the code and any warning the admin confirmed.
#[derive(Debug, Clone)]
pub struct NewOrg {
    pub name: String,
    pub credit_code: Option<CreditCode>,
    /// A checksum warning on the credit code the admin confirmed.
    pub warning: Option<String>,
    pub kind: OrgKind,
    /// Checked against the regions when the org is written.
    pub region_code: String,
    pub supervisor_id: Option<i64>,
}

impl OrgInput {
    /// Every field problem at once, in Chinese, naming the field.
    pub fn parse(&self) -> AppResult<NewOrg> {
        let mut p = Problems::default();
        let name = clean_name(&self.name, MAX_ORG_NAME_CHARS)
            .map_err(|e| p.add("name", format!("单位名称{e}")))
            .ok();
        let kind = OrgKind::parse(&self.kind);
        if kind.is_none() {
            p.add("kind", format!("单位类型“{}”无效", self.kind));
        }
        let (credit_code, warning) = self.credit_code(&mut p);
        p.into_result()?;
        match (name, kind) {
            (Some(name), Some(kind)) => Ok(NewOrg {
                name,
                credit_code,
                warning,
                kind,
                region_code: self.region_code.clone(),
                supervisor_id: self.supervisor_id,
            }),
            // Both were reported above; into_result has already returned.
            _ => Err(crate::AppError::field("name", "单位信息无效")),
        }
    }

    /// The credit code, if one was entered, and the checksum warning the admin confirmed.
    fn credit_code(&self, p: &mut Problems) -> (Option<CreditCode>, Option<String>) {
        let Some(raw) = self
            .credit_code
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        else {
            return (None, None);
        };
        match CreditCode::parse_lenient(raw) {
            Ok((code, warnings)) if warnings.is_empty() => (Some(code), None),
            Ok((code, warnings)) => {
                let text = warnings
                    .iter()
                    .map(|w| w.to_string())
                    .collect::<Vec<_>>()
                    .join("；");
                if self.confirm_warnings {
                    (Some(code), Some(text))
                } else {
                    p.add(
                        "credit_code",
                        format!("统一社会信用代码：{text}。如核对无误，请确认警告后再提交"),
                    );
                    (None, None)
                }
            }
            Err(e) => {
                p.add("credit_code", format!("统一社会信用代码：{e}"));
                (None, None)
            }
        }
    }
}
