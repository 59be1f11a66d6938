//! The SQL of publication (R4.7) and figures.

use proofless_domain::commitment::CommitmentState;
use proofless_store::{Exec, q};
use serde::{Deserialize, Serialize};

use crate::error::AppResult;

// --- publication and figures ---------------------------------------------------------------

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct LetterRow {
    pub id: i64,
    pub proof_item_name: String,
    pub org_name: String,
    pub letter: String,
    pub state: CommitmentState,
    pub signed_at: i64,
}

/// Sealed letters of items marked for publication, withdrawn ones left out.
pub(crate) async fn published_letters(db: &mut impl Exec, limit: i64) -> AppResult<Vec<LetterRow>> {
    Ok(db
        .fetch_all(
            q("SELECT c.id, p.name AS proof_item_name, o.name AS org_name, c.letter, c.state, c.signed_at \
               FROM commitments c JOIN proof_items p ON p.id = c.proof_item_id JOIN orgs o ON o.id = c.org_id \
               WHERE c.publish = ? AND c.state <> ? AND c.sealed_id <> '' ORDER BY c.id DESC LIMIT ?")
            .bind(true)
            .bind(CommitmentState::Withdrawn.as_str())
            .bind(limit),
        )
        .await?)
}

/// Counts per group and month.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct FigureRow {
    /// The item or unit name.
    pub label: String,
    /// `YYYY-MM`, Beijing time.
    pub month: String,
    pub signed: i64,
    pub checked: i64,
    pub found_false: i64,
    pub withdrawn: i64,
}

/// What the figures are grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FigureGrouping {
    Item,
    Unit,
    Month,
}

pub(crate) async fn figures(db: &mut impl Exec, by: FigureGrouping) -> AppResult<Vec<FigureRow>> {
    // Months in Beijing time: shift by 8 hours, then take the calendar month.
    let month = db.dialect().month_of_millis("c.signed_at", 8 * 3_600_000);
    let label = match by {
        FigureGrouping::Item => "p.name".to_owned(),
        FigureGrouping::Unit => "o.name".to_owned(),
        FigureGrouping::Month => month.clone(),
    };
    let sql = format!(
        "SELECT {label} AS label, {month} AS month, COUNT(*) AS signed, \
         SUM(CASE WHEN c.result IS NOT NULL THEN 1 ELSE 0 END) AS checked, \
         SUM(CASE WHEN c.result = 'false' THEN 1 ELSE 0 END) AS found_false, \
         SUM(CASE WHEN c.state = 'withdrawn' THEN 1 ELSE 0 END) AS withdrawn \
         FROM commitments c JOIN proof_items p ON p.id = c.proof_item_id JOIN orgs o ON o.id = c.org_id \
         GROUP BY {label}, {month} ORDER BY {month}, {label} LIMIT 2000"
    );
    let rows: Vec<FigureSums> = db.fetch_all(q(sql)).await?;
    // A group has rows, so a NULL sum is a sum of nothing: zero.
    Ok(rows
        .into_iter()
        .map(|r| FigureRow {
            label: r.label,
            month: r.month,
            signed: r.signed,
            checked: r.checked.unwrap_or(0),
            found_false: r.found_false.unwrap_or(0),
            withdrawn: r.withdrawn.unwrap_or(0),
        })
        .collect())
}

#[derive(Debug, Deserialize)]
struct FigureSums {
    label: String,
    month: String,
    signed: i64,
    checked: Option<i64>,
    found_false: Option<i64>,
    withdrawn: Option<i64>,
}
