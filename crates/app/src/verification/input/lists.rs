//! The filters of the inbox, the outbox and the joint office's board (issue #16 §8: every cut
//! list has a total and a next page).

use proofless_domain::verification::State;
use serde::Deserialize;

use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, Deserialize, utoipa::IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct ListFilter {
    /// `registered`, `answered` or `returned`.
    pub state: Option<String>,
    /// Only registered requests past their due instant.
    pub overdue: Option<bool>,
    /// Only registered requests due before the end of today (Beijing time).
    pub due_today: Option<bool>,
    /// Lines per page, 1–200 (50 when not given).
    pub limit: Option<i64>,
    /// Lines to skip (the next page starts at `offset + limit`).
    pub offset: Option<i64>,
    /// Continue after this id (newest-first lists).
    pub before_id: Option<i64>,
}

/// A list asked for: which lines and how many.
#[derive(Debug, Clone, Copy)]
pub struct ListQuery {
    pub state: Option<State>,
    pub overdue: bool,
    pub due_today: bool,
    pub limit: i64,
    pub offset: i64,
    pub before_id: Option<i64>,
}

impl ListFilter {
    pub fn parse(&self) -> AppResult<ListQuery> {
        let state = match self
            .state
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(s) => Some(State::parse(s).ok_or_else(|| {
                AppError::field("state", "状态应为 registered、answered 或 returned")
            })?),
            None => None,
        };
        Ok(ListQuery {
            state,
            overdue: self.overdue == Some(true),
            due_today: self.due_today == Some(true),
            limit: self.limit.unwrap_or(50).clamp(1, 200),
            offset: offset(self.offset)?,
            before_id: self.before_id,
        })
    }
}

/// A page start: not negative.
fn offset(o: Option<i64>) -> AppResult<i64> {
    match o {
        Some(o) if o < 0 => Err(AppError::field("offset", "offset 不能为负数")),
        o => Ok(o.unwrap_or(0)),
    }
}

/// The joint office's board: one page size, and where each section's page starts
/// (issue #16 §8: every cut list has a total and a next page).
#[derive(Debug, Clone, Deserialize, utoipa::IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct BoardFilter {
    /// Lines per section, 1–200 (50 when not given).
    pub limit: Option<i64>,
    /// Start of the overdue section's page.
    pub overdue_offset: Option<i64>,
    /// Start of the reported section's page.
    pub reported_offset: Option<i64>,
    /// Start of the reclassified section's page.
    pub reclassified_offset: Option<i64>,
}

/// The board asked for.
#[derive(Debug, Clone, Copy)]
pub struct BoardQuery {
    pub limit: i64,
    pub overdue_offset: i64,
    pub reported_offset: i64,
    pub reclassified_offset: i64,
}

impl BoardFilter {
    pub fn parse(&self) -> AppResult<BoardQuery> {
        let field = |name: &str, o: Option<i64>| {
            offset(o).map_err(|_| AppError::field(name, format!("{name} 不能为负数")))
        };
        Ok(BoardQuery {
            limit: self.limit.unwrap_or(50).clamp(1, 200),
            overdue_offset: field("overdue_offset", self.overdue_offset)?,
            reported_offset: field("reported_offset", self.reported_offset)?,
            reclassified_offset: field("reclassified_offset", self.reclassified_offset)?,
        })
    }
}
