//! The records of the deadline engine, as stored and as written to JSON.

use chrono::NaiveDate;
use proofless_domain::deadline::{DeadlineState, Period, RuleKey, SubjectType};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct Deadline {
    pub id: i64,
    pub subject_type: SubjectType,
    pub subject_id: String,
    /// The unit responsible.
    pub org_id: i64,
    #[schema(value_type = String)]
    pub rule_key: RuleKey,
    pub rule_version: i64,
    /// When the period started (ms since the epoch, UTC).
    pub start_at: i64,
    /// `30m`, `1wd`, `5wd`…
    #[schema(value_type = String)]
    pub period: Period,
    /// Legal time limit of the proof item, in working or calendar days (`20wd`, `30cd`).
    #[schema(value_type = Option<String>)]
    pub statutory_limit: Option<Period>,
    pub state: DeadlineState,
    /// The earlier of `rule_due_at` and `statutory_due_at`; while suspended, the statutory
    /// due instant (which keeps running) or null.
    pub due_at: Option<i64>,
    pub rule_due_at: Option<i64>,
    pub statutory_due_at: Option<i64>,
    pub effective_start: Option<i64>,
    pub calendar_version: String,
    pub calendar_complete: bool,
    pub escalated_at: Option<i64>,
    pub done_at: Option<i64>,
    pub created_by: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub version: i64,
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct SuspensionRow {
    pub id: i64,
    pub reason: String,
    pub start_at: i64,
    pub end_at: Option<i64>,
    pub suspended_by: String,
    pub resumed_by: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct ExtensionRow {
    pub id: i64,
    #[schema(value_type = String)]
    pub period: Period,
    pub extended_by: String,
    pub extended_by_id: Option<i64>,
    pub approved_by: String,
    pub approved_by_id: Option<i64>,
    pub reason: String,
    pub at: i64,
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct RuleVersion {
    #[schema(value_type = String)]
    pub rule_key: RuleKey,
    pub version: i64,
    #[schema(value_type = String)]
    pub period: Period,
    #[schema(value_type = Option<String>)]
    pub max_extension: Option<Period>,
    /// YYYY-MM-DD, local date.
    #[schema(value_type = String)]
    pub effective_from: NaiveDate,
    pub note: String,
    pub created_by: String,
    pub created_at: i64,
}

/// How late an overdue item is.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Lateness {
    /// Wall-clock minutes since the due instant.
    pub wall_minutes: i64,
    /// Office minutes since the due instant (breaks, nights and holidays not counted).
    pub office_minutes: i64,
    /// Chinese text, e.g. "逾期 2 天 3 小时（办公时间 11 小时 30 分钟）".
    pub text: String,
}

/// A deadline with everything its due instant is recomputed from.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DeadlineView {
    #[serde(flatten)]
    pub deadline: Deadline,
    /// The due instant in RFC 3339 with +08:00.
    pub due: Option<String>,
    pub rule: Option<RuleVersion>,
    pub suspensions: Vec<SuspensionRow>,
    pub extensions: Vec<ExtensionRow>,
    pub late: Option<Lateness>,
}

/// An overdue or nearly due item for the workbench and the joint office.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct DueItem {
    pub id: i64,
    pub subject_type: SubjectType,
    pub subject_id: String,
    pub org_id: i64,
    pub org_name: String,
    #[schema(value_type = String)]
    pub rule_key: RuleKey,
    #[schema(value_type = String)]
    pub period: Period,
    pub state: DeadlineState,
    pub due_at: Option<i64>,
    pub escalated_at: Option<i64>,
    #[serde(skip_deserializing)]
    pub due: Option<String>,
    #[serde(skip_deserializing)]
    pub late: Option<Lateness>,
}

/// A deadline just opened: its id, due instant and the instant its clock started.
#[derive(Debug, Clone, Copy)]
pub struct Opened {
    pub id: i64,
    pub due_at: Option<i64>,
    pub effective_start: Option<i64>,
}

/// Which items a list covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// One unit (its own workbench).
    Org(i64),
    /// Every unit (the joint office's overdue view).
    County,
}
