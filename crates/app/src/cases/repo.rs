//! The SQL of cases, and only here.

use proofless_domain::case::{ApplicantKind, CaseOutcome, CaseState};
use proofless_store::{Exec, q};

use super::service::Case;
use crate::error::{AppError, AppResult};

const SELECT: &str = "SELECT id, case_no, org_id, service_item_id, applicant_kind, applicant_id, immediate, \
    state, outcome, assessment_deadline_id, waiting, created_by, created_at, decided_at, updated_at, version FROM cases";

pub(crate) async fn load(ex: &mut impl Exec, id: i64) -> AppResult<Case> {
    ex.fetch_optional(q(format!("{SELECT} WHERE id = ?")).bind(id))
        .await?
        .ok_or_else(|| AppError::NotFound(format!("办件 {id} 不存在")))
}

/// The id of the service item with this code in the catalogue.
pub(crate) async fn service_item_id(ex: &mut impl Exec, code: &str) -> AppResult<Option<i64>> {
    let found: Option<(i64,)> = ex
        .fetch_optional(q("SELECT id FROM service_items WHERE code = ?").bind(code))
        .await?;
    Ok(found.map(|(id,)| id))
}

pub(crate) async fn applicant_exists(
    ex: &mut impl Exec,
    kind: ApplicantKind,
    id: i64,
) -> AppResult<bool> {
    let table = match kind {
        ApplicantKind::Person => "persons",
        ApplicantKind::Entity => "entities",
    };
    let found: Option<(i64,)> = ex
        .fetch_optional(q(format!("SELECT id FROM {table} WHERE id = ?")).bind(id))
        .await?;
    Ok(found.is_some())
}

/// A case as registered: open, its assessment clock running.
pub(crate) struct NewCaseRow<'a> {
    pub case_no: &'a str,
    pub org_id: i64,
    pub service_item_id: i64,
    pub applicant_kind: ApplicantKind,
    pub applicant_id: i64,
    pub immediate: bool,
    pub assessment_deadline_id: i64,
    pub created_by: &'a str,
    pub now: i64,
}

pub(crate) async fn insert(ex: &mut impl Exec, r: &NewCaseRow<'_>) -> AppResult<i64> {
    Ok(ex
        .scalar_i64(
            q("INSERT INTO cases (case_no, org_id, service_item_id, applicant_kind, applicant_id, immediate, state, \
               assessment_deadline_id, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id")
            .bind(r.case_no)
            .bind(r.org_id)
            .bind(r.service_item_id)
            .bind(r.applicant_kind.as_str())
            .bind(r.applicant_id)
            .bind(r.immediate)
            .bind(CaseState::Open.as_str())
            .bind(r.assessment_deadline_id)
            .bind(r.created_by)
            .bind(r.now)
            .bind(r.now),
        )
        .await?)
}

/// Adds `by` to the number of verifications the case waits on.
pub(crate) async fn bump_waiting(ex: &mut impl Exec, id: i64, by: i64, now: i64) -> AppResult<()> {
    ex.execute(
        q("UPDATE cases SET waiting = waiting + ?, updated_at = ?, version = version + 1 WHERE id = ?")
            .bind(by)
            .bind(now)
            .bind(id),
    )
    .await?;
    Ok(())
}

/// Closes an open case; rows changed (0 when it was no longer open).
pub(crate) async fn close(
    ex: &mut impl Exec,
    id: i64,
    state: CaseState,
    outcome: Option<CaseOutcome>,
    now: i64,
) -> AppResult<u64> {
    Ok(ex
        .execute(
            q("UPDATE cases SET state = ?, outcome = ?, decided_at = ?, updated_at = ?, version = version + 1 \
               WHERE id = ? AND state = ?")
            .bind(state.as_str())
            .bind(outcome.map(CaseOutcome::as_str))
            .bind(now)
            .bind(now)
            .bind(id)
            .bind(CaseState::Open.as_str()),
        )
        .await?)
}
