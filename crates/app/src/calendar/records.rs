//! The calendar's stored years and dates, as written to JSON.

use std::sync::Arc;

use chrono::NaiveDate;
use proofless_domain::calendar::{Calendar, DayOrigin, EntryKind, YearOrigin};
use serde::{Deserialize, Serialize};

/// The cached effective calendar and the revision it was loaded at.
pub struct Cached {
    pub calendar: Arc<Calendar>,
    /// `None`: the built-in data, not yet read from the database.
    pub revision: Option<String>,
}

impl Cached {
    pub fn builtin() -> Cached {
        Cached {
            calendar: Arc::new(Calendar::official()),
            revision: None,
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct CalendarYear {
    pub year: i64,
    /// The State Council notice (document number) the year comes from.
    pub notice: String,
    pub published: Option<String>,
    /// `builtin` (shipped with the binary) or `import` (loaded by an admin).
    pub origin: YearOrigin,
    pub loaded_by: String,
    pub loaded_at: i64,
    pub entries: i64,
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct CalendarDay {
    /// YYYY-MM-DD.
    #[schema(value_type = String)]
    pub day: NaiveDate,
    /// `holiday`, `adjusted_workday` or `closure`.
    pub kind: EntryKind,
    pub name: String,
    pub source: String,
    /// `official` or `local`.
    pub origin: DayOrigin,
    pub year: Option<i64>,
    pub created_by: String,
    pub created_at: i64,
}

/// A year the calendar shows, with whether its notice is loaded.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct YearStatus {
    pub year: i32,
    pub complete: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ImportReport {
    pub year: Option<i32>,
    pub entries: usize,
    pub calendar_version: String,
}
