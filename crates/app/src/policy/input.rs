//! A new version of a setting, as the API and the page send it.

use chrono::NaiveDate;
use serde::Deserialize;

use crate::error::{AppResult, Problems};

/// Longest note accepted (why the value changes, the document that decided it).
pub const MAX_NOTE_CHARS: usize = 500;

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct VersionInput {
    /// The new value, of the setting's type (a number of days, a list of names…).
    pub value: serde_json::Value,
    /// `YYYY-MM-DD`, today or later: the value governs cases started on or after it.
    pub effective_from: String,
    /// Why, and the document that decided it (e.g. 县政府办公室文件).
    pub note: String,
}

/// The parsed command.
pub(crate) struct NewVersion {
    pub value_json: String,
    pub effective_from: NaiveDate,
    pub note: String,
}

impl VersionInput {
    pub(crate) fn parse(&self, setting: &dyn super::AnySetting) -> AppResult<NewVersion> {
        let mut p = Problems::default();
        let value_json = match setting.check_json(&self.value) {
            Ok(v) => Some(v),
            Err(e) => {
                p.add("value", e);
                None
            }
        };
        let effective_from = match self.effective_from.trim().parse::<NaiveDate>() {
            Ok(d) => Some(d),
            Err(_) => {
                p.add(
                    "effective_from",
                    "生效日期应写成 YYYY-MM-DD，例如 2027-01-01",
                );
                None
            }
        };
        let note = self.note.trim();
        if note.is_empty() {
            p.add("note", "请写明调整的理由和依据文件");
        } else if note.chars().count() > MAX_NOTE_CHARS {
            p.add("note", format!("说明不能超过{MAX_NOTE_CHARS}字"));
        }
        p.into_result()?;
        match (value_json, effective_from) {
            (Some(value_json), Some(effective_from)) => Ok(NewVersion {
                value_json,
                effective_from,
                note: note.to_owned(),
            }),
            _ => Err(crate::error::AppError::Internal(
                "设置输入校验不一致".into(),
            )),
        }
    }
}
