//! The raw inputs of the calendar admin (import file, one local override), parsed once into
//! typed commands with Chinese errors naming the field.

use chrono::NaiveDate;
use proofless_domain::calendar::{
    Entry, Field, IMPORT_HEADER, ImportError, ImportedEntry, parse_entries,
};
use serde::Deserialize;

use crate::error::{AppError, AppResult, FieldError, Problems};

/// Largest import file accepted.
pub const MAX_IMPORT_BYTES: usize = 256 * 1024;

/// What an admin imports: the State Council arrangement of a year (`year` and `notice`
/// set; every row's source must be the notice), or local overrides (both unset).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct ImportInput {
    pub year: Option<i32>,
    pub notice: Option<String>,
    /// Publication date of the notice, YYYY-MM-DD (informative).
    pub published: Option<String>,
    /// The file: `date,kind,name,source`, one entry a line.
    pub csv: String,
}

/// An import file checked as far as it can be without the stored calendar.
#[derive(Debug, Clone)]
pub struct Import {
    /// `Some((year, notice))`: a State Council year; `None`: local overrides.
    pub official: Option<(i32, String)>,
    pub published: Option<String>,
    pub csv: String,
    pub rows: Vec<ImportedEntry>,
}

/// Every bad row of a file, against the `csv` field.
pub(super) fn row_problems(e: &ImportError) -> AppError {
    AppError::Validation(
        e.errors
            .iter()
            .map(|r| FieldError::new("csv", r.to_string()))
            .collect(),
    )
}

impl ImportInput {
    pub fn parse(&self) -> AppResult<Import> {
        let mut p = Problems::default();
        if self.csv.len() > MAX_IMPORT_BYTES {
            p.add(
                "csv",
                format!("文件过大（最多 {} KB）", MAX_IMPORT_BYTES / 1024),
            );
        }
        if self.csv.trim().is_empty() {
            p.add("csv", "文件内容不能为空");
        }
        let official = match (self.year, self.notice.as_deref().map(str::trim)) {
            (None, None) => None,
            (Some(y), Some(n)) if !n.is_empty() => Some((y, n.to_owned())),
            (Some(_), _) => {
                p.add("notice", "载入国务院放假安排须填写通知文号");
                None
            }
            (None, Some(_)) => {
                p.add("year", "载入国务院放假安排须填写年份");
                None
            }
        };
        let published = self
            .published
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        if let Some(pubd) = published
            && NaiveDate::parse_from_str(pubd, "%Y-%m-%d").is_err()
        {
            p.add(
                "published",
                format!(
                    "发布日期“{}”无效（应为 YYYY-MM-DD）",
                    self.published.as_deref().unwrap_or_default()
                ),
            );
        }
        p.into_result()?;
        let rows = parse_entries(&self.csv).map_err(|e| row_problems(&e))?;
        Ok(Import {
            official,
            published: published.map(str::to_owned),
            csv: self.csv.clone(),
            rows,
        })
    }
}

/// One local override (the county's own closure, or an extra entry).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct OverrideInput {
    /// YYYY-MM-DD.
    pub date: String,
    /// `closure` (extra non-working day), `holiday` or `adjusted_workday`.
    pub kind: String,
    pub name: String,
    /// The county notice it comes from.
    pub source: String,
}

/// One CSV field, quoted when needed.
pub(super) fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) || s.trim() != s {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

impl OverrideInput {
    /// The entry, checked like a row of an import file and reported against the form's
    /// fields.
    pub fn parse(&self) -> AppResult<Entry> {
        let csv = format!(
            "{IMPORT_HEADER}\n{},{},{},{}\n",
            csv_field(self.date.trim()),
            csv_field(self.kind.trim()),
            csv_field(&self.name),
            csv_field(&self.source)
        );
        let rows = parse_entries(&csv).map_err(|e| {
            AppError::Validation(
                e.errors
                    .iter()
                    .map(|r| {
                        let field = match r.field {
                            Field::Date => "date",
                            Field::Kind => "kind",
                            Field::Name => "name",
                            Field::Source => "source",
                            _ => "date",
                        };
                        FieldError::new(field, format!("{}：{}", r.field.label(), r.message))
                    })
                    .collect(),
            )
        })?;
        rows.into_iter()
            .next()
            .map(|r| r.entry)
            .ok_or_else(|| AppError::field("date", "没有可添加的日期"))
    }
}
