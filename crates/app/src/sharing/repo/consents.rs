//! Case-level consents, durable retries of pulls and the outside-city deadline.

use proofless_domain::sharing::PullOutcome;
use proofless_store::{Exec, q};
use serde::Deserialize;

use crate::error::AppResult;

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct CaseConsentRow {
    pub id: i64,
    pub case_id: i64,
    pub case_no: String,
    pub org_name: String,
    pub service_item_name: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub withdrawn_at: Option<i64>,
}

const CONSENT_COLS: &str = "SELECT k.id, k.case_id, c.case_no, o.name AS org_name, \
    s.name AS service_item_name, k.created_at, k.expires_at, k.withdrawn_at FROM sharing_case_consents k \
    JOIN cases c ON c.id = k.case_id JOIN orgs o ON o.id = k.org_id JOIN service_items s ON s.id = c.service_item_id";

pub(crate) async fn insert_case_consent(
    ex: &mut impl Exec,
    person: i64,
    case_id: i64,
    org: i64,
    now: i64,
    expires: i64,
) -> AppResult<i64> {
    Ok(ex
        .scalar_i64(
            q("INSERT INTO sharing_case_consents (person_id, case_id, org_id, created_at, expires_at) \
               VALUES (?, ?, ?, ?, ?) RETURNING id")
            .bind(person)
            .bind(case_id)
            .bind(org)
            .bind(now)
            .bind(expires),
        )
        .await?)
}

/// The consent in force for (person, case, unit) at `now`, if any.
pub(crate) async fn case_consent_in_force(
    ex: &mut impl Exec,
    person: i64,
    case_id: i64,
    org: i64,
    now: i64,
) -> AppResult<Option<i64>> {
    let r: Option<(i64,)> = ex
        .fetch_optional(
            q("SELECT id FROM sharing_case_consents WHERE case_id = ? AND person_id = ? AND org_id = ? \
               AND withdrawn_at IS NULL AND expires_at > ? ORDER BY id DESC LIMIT 1")
            .bind(case_id)
            .bind(person)
            .bind(org)
            .bind(now),
        )
        .await?;
    Ok(r.map(|(id,)| id))
}

pub(crate) async fn case_consents_of(
    ex: &mut impl Exec,
    person: i64,
) -> AppResult<Vec<CaseConsentRow>> {
    Ok(ex
        .fetch_all(
            q(format!(
                "{CONSENT_COLS} WHERE k.person_id = ? ORDER BY k.id DESC LIMIT 100"
            ))
            .bind(person),
        )
        .await?)
}

/// Withdraws the person's consent; 0 rows when not theirs or already withdrawn.
pub(crate) async fn withdraw_case_consent(
    ex: &mut impl Exec,
    id: i64,
    person: i64,
    now: i64,
) -> AppResult<u64> {
    Ok(ex
        .execute(
            q("UPDATE sharing_case_consents SET withdrawn_at = ? WHERE id = ? AND person_id = ? AND withdrawn_at IS NULL")
                .bind(now)
                .bind(id)
                .bind(person),
        )
        .await?)
}

/// A case as consent needs it: its unit, and whether the person is its applicant.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct CaseRef {
    pub org_id: i64,
    pub state: String,
}

pub(crate) async fn case_of_person(
    ex: &mut impl Exec,
    case_id: i64,
    person: i64,
) -> AppResult<Option<CaseRef>> {
    Ok(ex
        .fetch_optional(
            q("SELECT org_id, state FROM cases WHERE id = ? AND ((applicant_kind = 'person' AND applicant_id = ?) \
               OR (applicant_kind = 'entity' AND applicant_id IN \
               (SELECT entity_id FROM entity_representatives WHERE person_id = ?)))")
            .bind(case_id)
            .bind(person)
            .bind(person),
        )
        .await?)
}

/// The data-sharing proofs of a case listed for its unit (what a case-level consent covers).
pub(crate) async fn shared_items_of_case(
    ex: &mut impl Exec,
    case_id: i64,
) -> AppResult<Vec<(i64, String)>> {
    Ok(ex
        .fetch_all(
            q(
                "SELECT cp.proof_item_id, cp.proof_item_name FROM case_proofs cp \
               WHERE cp.case_id = ? AND cp.methods LIKE '%data_sharing%' ORDER BY cp.id",
            )
            .bind(case_id),
        )
        .await?)
}

/// The person's open cases with at least one data-sharing proof (to offer a case consent).
pub(crate) async fn open_cases_with_sharing(
    ex: &mut impl Exec,
    person: i64,
) -> AppResult<Vec<(i64, String, String, String)>> {
    Ok(ex
        .fetch_all(
            q("SELECT c.id, c.case_no, o.name, s.name FROM cases c JOIN orgs o ON o.id = c.org_id \
               JOIN service_items s ON s.id = c.service_item_id \
               WHERE c.applicant_kind = 'person' AND c.applicant_id = ? AND c.state = 'open' \
               AND EXISTS (SELECT 1 FROM case_proofs cp WHERE cp.case_id = c.id AND cp.methods LIKE '%data_sharing%') \
               ORDER BY c.id DESC LIMIT 50")
            .bind(person),
        )
        .await?)
}

/// A pull whose source was unavailable gets a durable retry's result; 0 rows when it moved on.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn retry_result(
    ex: &mut impl Exec,
    id: i64,
    outcome: PullOutcome,
    reason: &str,
    preview: Option<&str>,
    retries: i64,
    now: i64,
) -> AppResult<u64> {
    let decided = outcome.is_final().then_some(now);
    Ok(ex
        .execute(
            q("UPDATE sharing_pulls SET outcome = ?, reason = ?, preview = ?, retries = ?, decided_at = ? \
               WHERE id = ? AND outcome = 'source_unavailable'")
            .bind(outcome.as_str())
            .bind(reason)
            .bind(preview)
            .bind(retries)
            .bind(decided)
            .bind(id),
        )
        .await?)
}

pub(crate) async fn pull_retries(ex: &mut impl Exec, id: i64) -> AppResult<i64> {
    Ok(ex
        .scalar_i64(q("SELECT retries FROM sharing_pulls WHERE id = ?").bind(id))
        .await?)
}

pub(crate) async fn set_outside_deadline(
    ex: &mut impl Exec,
    id: i64,
    deadline: i64,
    due_at: i64,
) -> AppResult<()> {
    ex.execute(
        q("UPDATE sharing_outside_requests SET deadline_id = ?, due_at = ? WHERE id = ?")
            .bind(deadline)
            .bind(due_at)
            .bind(id),
    )
    .await?;
    Ok(())
}

pub(crate) async fn outside_deadline(ex: &mut impl Exec, id: i64) -> AppResult<Option<i64>> {
    let r: Option<(Option<i64>,)> = ex
        .fetch_optional(q("SELECT deadline_id FROM sharing_outside_requests WHERE id = ?").bind(id))
        .await?;
    Ok(r.and_then(|(d,)| d))
}

/// A case's id by its number (the case page links the pull page by number).
pub(crate) async fn case_id_by_no(ex: &mut impl Exec, case_no: &str) -> AppResult<Option<i64>> {
    let r: Option<(i64,)> = ex
        .fetch_optional(q("SELECT id FROM cases WHERE case_no = ?").bind(case_no))
        .await?;
    Ok(r.map(|(id,)| id))
}

/// The number a case is known by (the failed-retry notice names it).
pub(crate) async fn case_no_of(ex: &mut impl Exec, case_id: i64) -> AppResult<Option<String>> {
    let r: Option<(String,)> = ex
        .fetch_optional(q("SELECT case_no FROM cases WHERE id = ?").bind(case_id))
        .await?;
    Ok(r.map(|(n,)| n))
}
