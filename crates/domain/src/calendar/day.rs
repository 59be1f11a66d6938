//! What the calendar says about one date.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The kind of a date, as shown to users and written to JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    /// Monday to Friday with no entry.
    Workday,
    /// Saturday or Sunday with no entry.
    Weekend,
    /// A public holiday (放假), or a county closure: not a working day.
    Holiday,
    /// A Saturday or Sunday that the State Council made a working day (调休上班).
    AdjustedWorkday,
}

impl DayKind {
    /// Whether offices are open on a day of this kind.
    pub fn is_working(self) -> bool {
        matches!(self, DayKind::Workday | DayKind::AdjustedWorkday)
    }

    /// Chinese label: 工作日, 周末, 节假日, 调休上班日.
    pub fn label(self) -> &'static str {
        match self {
            DayKind::Workday => "工作日",
            DayKind::Weekend => "周末",
            DayKind::Holiday => "节假日",
            DayKind::AdjustedWorkday => "调休上班日",
        }
    }
}

/// One date as the calendar sees it (SPEC "Working days").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayInfo {
    pub date: NaiveDate,
    pub working_day: bool,
    pub kind: DayKind,
    /// The holiday (or closure) name, e.g. 春节; also set on an adjusted working day.
    pub name: Option<String>,
    /// Whether the year of `date` has a published State Council notice loaded. When `false`
    /// the answer is provisional (statutory holidays and weekends) and not final.
    pub calendar_complete: bool,
    /// A statutory holiday of a year without a notice (全国年节及纪念日放假办法), used until the
    /// notice is loaded (issue #15 item 12).
    pub provisional: bool,
}

/// The kind of a calendar entry (a row of a data or import file).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    /// 放假: a public holiday of a State Council notice.
    Holiday,
    /// 调休上班: a weekend day that becomes a working day.
    AdjustedWorkday,
    /// The county's own closure (extra non-working day), e.g. an emergency closure.
    Closure,
}

impl EntryKind {
    /// The word used in data and import files.
    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Holiday => "holiday",
            EntryKind::AdjustedWorkday => "adjusted_workday",
            EntryKind::Closure => "closure",
        }
    }

    /// Parses the word used in data and import files.
    pub fn parse(s: &str) -> Option<EntryKind> {
        match s {
            "holiday" => Some(EntryKind::Holiday),
            "adjusted_workday" => Some(EntryKind::AdjustedWorkday),
            "closure" => Some(EntryKind::Closure),
            _ => None,
        }
    }

    /// Chinese label: 节假日, 调休上班日, 本地停止办公日.
    pub fn label(self) -> &'static str {
        match self {
            EntryKind::Holiday => "节假日",
            EntryKind::AdjustedWorkday => "调休上班日",
            EntryKind::Closure => "本地停止办公日",
        }
    }

    /// Whether offices are open on a date with this entry.
    pub fn is_working(self) -> bool {
        matches!(self, EntryKind::AdjustedWorkday)
    }

    /// The day kind a date with this entry shows.
    pub fn day_kind(self) -> DayKind {
        match self {
            EntryKind::Holiday | EntryKind::Closure => DayKind::Holiday,
            EntryKind::AdjustedWorkday => DayKind::AdjustedWorkday,
        }
    }
}

/// One row of the calendar data: a date that differs from the plain Monday–Friday week.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Entry {
    pub date: NaiveDate,
    pub kind: EntryKind,
    /// e.g. 春节, 国庆节, or the closure's reason.
    pub name: String,
    /// The notice the entry comes from, e.g. 国办发明电〔2025〕7号 or a county notice.
    pub source: String,
}

/// Where a stored calendar date comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DayOrigin {
    /// A State Council notice (built in or imported with its year).
    Official,
    /// The county's own override.
    Local,
}

impl DayOrigin {
    pub const fn as_str(self) -> &'static str {
        match self {
            DayOrigin::Official => "official",
            DayOrigin::Local => "local",
        }
    }

    /// Chinese label: 国务院安排, 本地调整.
    pub fn label(self) -> &'static str {
        match self {
            DayOrigin::Official => "国务院安排",
            DayOrigin::Local => "本地调整",
        }
    }
}

/// How a year's State Council notice was loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum YearOrigin {
    /// Shipped with the binary and seeded at start-up.
    Builtin,
    /// Imported by an administrator.
    Import,
}

impl YearOrigin {
    pub const fn as_str(self) -> &'static str {
        match self {
            YearOrigin::Builtin => "builtin",
            YearOrigin::Import => "import",
        }
    }

    /// Chinese label: 内置, 导入.
    pub fn label(self) -> &'static str {
        match self {
            YearOrigin::Builtin => "内置",
            YearOrigin::Import => "导入",
        }
    }
}
