//! Public ids of the governance records (issue #21 gaps): the joint meeting's seats,
//! meetings, agenda items and decisions, risk points, supervision draws, inspections and
//! findings, and accountability cases are known outside by an opaque public id (128 random
//! bits, hex; column `public_id`), like persons and pulls. The integer ids stay inside the
//! database, the services and the audit log; the API translates at the edge. An id given in
//! any other shape (an integer) is refused as a bad field (422) before any query, so the
//! answer never says whether such a row exists.

mod repo;

use crate::App;
use crate::error::{AppError, AppResult};

/// The records addressed by public id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    JointMember,
    JointMeeting,
    JointAgendaItem,
    JointDecision,
    RiskPoint,
    SupervisionDraw,
    SupervisionInspection,
    SupervisionFinding,
    AccountabilityCase,
}

impl Kind {
    pub(crate) fn table(self) -> &'static str {
        match self {
            Kind::JointMember => "joint_members",
            Kind::JointMeeting => "joint_meetings",
            Kind::JointAgendaItem => "joint_agenda_items",
            Kind::JointDecision => "joint_decisions",
            Kind::RiskPoint => "risk_points",
            Kind::SupervisionDraw => "supervision_draws",
            Kind::SupervisionInspection => "supervision_inspections",
            Kind::SupervisionFinding => "supervision_findings",
            Kind::AccountabilityCase => "accountability_cases",
        }
    }

    /// The record's name in Chinese, for messages: the same word its service's "not found"
    /// uses, so an unknown id and a record the reader may not see answer alike.
    pub fn label(self) -> &'static str {
        match self {
            Kind::JointMember => "联席会议成员",
            Kind::JointMeeting => "联席会议",
            Kind::JointAgendaItem => "议题",
            Kind::JointDecision => "议定事项",
            Kind::RiskPoint => "风险点",
            Kind::SupervisionDraw => "抽查",
            Kind::SupervisionInspection => "检查",
            Kind::SupervisionFinding => "问题",
            Kind::AccountabilityCase => "问责事项",
        }
    }
}

/// A fresh public id for a new row.
pub fn new_public_id() -> String {
    crate::password::random_token(16)
}

/// Whether `s` has the shape of a public id (32 lower-case hex digits).
pub fn is_public_id(s: &str) -> bool {
    s.len() == 32
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The refusal of an id in another shape than a public id: names the field, says nothing of
/// whether the row exists.
pub fn not_public(kind: Kind, field: &str) -> AppError {
    AppError::field(
        field,
        format!(
            "{}须以公开编号指明（32位十六进制），不接受内部编号",
            kind.label()
        ),
    )
}

/// The row id of the record of `kind` whose public id was given in `field`: 422 naming the
/// field for any other shape, 404 when no such record exists.
pub async fn resolve(app: &App, kind: Kind, field: &str, public: &str) -> AppResult<i64> {
    if !is_public_id(public) {
        return Err(not_public(kind, field));
    }
    repo::row_id(&mut app.db.reader(), kind.table(), public)
        .await?
        .ok_or_else(|| AppError::NotFound(kind.label().to_owned()))
}

/// Like [`resolve`] for an optional filter: `None` or an empty value is no filter.
pub async fn resolve_opt(
    app: &App,
    kind: Kind,
    field: &str,
    public: Option<&str>,
) -> AppResult<Option<i64>> {
    match public.filter(|p| !p.is_empty()) {
        None => Ok(None),
        Some(p) => resolve(app, kind, field, p).await.map(Some),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Issue #21 gaps: an integer is never taken for a public id.
    #[test]
    fn only_32_hex_digits_are_public_ids() {
        assert!(is_public_id(&new_public_id()));
        assert!(!is_public_id("12"));
        assert!(!is_public_id(&"A".repeat(32)));
        assert!(!is_public_id(&"0".repeat(31)));
    }
}
