//! The SQL of cases, and only here.

pub(crate) mod proofs;
pub(crate) mod tasks;

use proofless_domain::case::{ApplicantKind, CaseOutcome, CaseState};
use proofless_store::{Exec, q};

use super::service::Case;
use crate::error::{AppError, AppResult};

const SELECT: &str = "SELECT id, case_no, org_id, service_item_id, applicant_kind, applicant_id, immediate, \
    state, outcome, decision_reason, assessment_deadline_id, waiting, created_by, created_at, decided_at, updated_at, version, \
    suspended_at, suspend_reason FROM cases";

pub(crate) async fn load(ex: &mut impl Exec, id: i64) -> AppResult<Case> {
    ex.fetch_optional(q(format!("{SELECT} WHERE id = ?")).bind(id))
        .await?
        .ok_or_else(|| AppError::NotFound(format!("办件 {id} 不存在")))
}

/// The id and unit of the case with this number.
pub(crate) async fn id_of_number(
    ex: &mut impl Exec,
    case_no: &str,
) -> AppResult<Option<(i64, i64)>> {
    Ok(ex
        .fetch_optional(q("SELECT id, org_id FROM cases WHERE case_no = ?").bind(case_no))
        .await?)
}

/// The id of the service item with this code in the catalogue.
pub(crate) async fn service_item_id(ex: &mut impl Exec, code: &str) -> AppResult<Option<i64>> {
    let found: Option<(i64,)> = ex
        .fetch_optional(q("SELECT id FROM service_items WHERE code = ?").bind(code))
        .await?;
    Ok(found.map(|(id,)| id))
}

/// A service item by code: its id and the unit that handles it.
pub(crate) async fn service_item(ex: &mut impl Exec, code: &str) -> AppResult<Option<(i64, i64)>> {
    Ok(ex
        .fetch_optional(q("SELECT id, org_id FROM service_items WHERE code = ?").bind(code))
        .await?)
}

/// Service items whose name or code contains the words, for the counter's search.
#[derive(Debug, Clone, serde::Deserialize, serde::Serialize, utoipa::ToSchema)]
pub struct ServiceHit {
    pub code: String,
    pub name: String,
    pub org_name: String,
}

pub(crate) async fn search_services(ex: &mut impl Exec, words: &str) -> AppResult<Vec<ServiceHit>> {
    let like = format!("%{}%", words.replace(['%', '_'], ""));
    Ok(ex
        .fetch_all(
            q("SELECT s.code, s.name, o.name AS org_name FROM service_items s JOIN orgs o ON o.id = s.org_id \
               WHERE s.name LIKE ? OR s.code LIKE ? ORDER BY s.name LIMIT 30")
            .bind(like.clone())
            .bind(like),
        )
        .await?)
}

/// The service item with this code, as the portal names it.
pub(crate) async fn service_hit(ex: &mut impl Exec, code: &str) -> AppResult<Option<ServiceHit>> {
    Ok(ex
        .fetch_optional(
            q("SELECT s.code, s.name, o.name AS org_name FROM service_items s JOIN orgs o ON o.id = s.org_id \
               WHERE s.code = ?")
            .bind(code),
        )
        .await?)
}

/// The entity with this unified social credit code.
pub(crate) async fn entity_by_credit_code(
    ex: &mut impl Exec,
    code: &str,
) -> AppResult<Option<i64>> {
    let found: Option<(i64,)> = ex
        .fetch_optional(q("SELECT id FROM entities WHERE credit_code = ?").bind(code))
        .await?;
    Ok(found.map(|(id,)| id))
}

/// What a case shows besides its row: the service item and the applicant as the API
/// names them (a person's public id and masked name, an entity's credit code and name).
#[derive(Debug, serde::Deserialize)]
pub(crate) struct Names {
    pub service_item_code: String,
    pub service_item_name: String,
    pub org_name: String,
    pub applicant: Option<String>,
    pub applicant_name: Option<String>,
}

pub(crate) async fn names(ex: &mut impl Exec, id: i64) -> AppResult<Names> {
    ex.fetch_optional(
        q("SELECT s.code AS service_item_code, s.name AS service_item_name, o.name AS org_name, \
           COALESCE(p.public_id, e.credit_code) AS applicant, COALESCE(p.name_masked, e.name) AS applicant_name \
           FROM cases c JOIN service_items s ON s.id = c.service_item_id JOIN orgs o ON o.id = c.org_id \
           LEFT JOIN persons p ON c.applicant_kind = 'person' AND p.id = c.applicant_id \
           LEFT JOIN entities e ON c.applicant_kind = 'entity' AND e.id = c.applicant_id WHERE c.id = ?")
        .bind(id),
    )
    .await?
    .ok_or_else(|| AppError::NotFound(format!("办件 {id} 不存在")))
}

/// One line of a list of cases.
#[derive(Debug, Clone, serde::Deserialize, serde::Serialize, utoipa::ToSchema)]
pub struct CaseLine {
    pub id: i64,
    pub case_no: String,
    pub service_item_name: String,
    pub org_name: String,
    pub applicant_name: Option<String>,
    pub state: CaseState,
    pub outcome: Option<CaseOutcome>,
    pub immediate: bool,
    /// Proofs of the case still to be resolved.
    pub unresolved: i64,
    pub created_at: i64,
    pub decided_at: Option<i64>,
}

const LINE: &str = "SELECT c.id, c.case_no, s.name AS service_item_name, o.name AS org_name, \
    COALESCE(p.name_masked, e.name) AS applicant_name, c.state, c.outcome, c.immediate, \
    (SELECT COUNT(*) FROM case_proofs cp WHERE cp.case_id = c.id AND cp.state IN ('pending', 'in_progress')) AS unresolved, \
    c.created_at, c.decided_at FROM cases c JOIN service_items s ON s.id = c.service_item_id \
    JOIN orgs o ON o.id = c.org_id \
    LEFT JOIN persons p ON c.applicant_kind = 'person' AND p.id = c.applicant_id \
    LEFT JOIN entities e ON c.applicant_kind = 'entity' AND e.id = c.applicant_id";

/// A unit's cases, newest first, optionally in one state; with the total.
pub(crate) async fn of_org(
    ex: &mut impl Exec,
    org_id: i64,
    state: Option<CaseState>,
    limit: i64,
    offset: i64,
) -> AppResult<(Vec<CaseLine>, i64)> {
    let mut list = q(format!("{LINE} WHERE c.org_id = ?")).bind(org_id);
    let mut count = q("SELECT COUNT(*) FROM cases c WHERE c.org_id = ?").bind(org_id);
    if let Some(st) = state {
        list.push_sql(" AND c.state = ?");
        list.push_arg(st.as_str());
        count.push_sql(" AND c.state = ?");
        count.push_arg(st.as_str());
    }
    list.push_sql(" ORDER BY c.id DESC LIMIT ? OFFSET ?");
    list.push_arg(limit);
    list.push_arg(offset);
    let items = ex.fetch_all(list).await?;
    Ok((items, ex.scalar_i64(count).await?))
}

/// A person's own cases (as applicant, or for an entity they represent), newest first.
pub(crate) async fn of_person(ex: &mut impl Exec, person_id: i64) -> AppResult<Vec<CaseLine>> {
    Ok(ex
        .fetch_all(
            q(format!(
                "{LINE} WHERE (c.applicant_kind = 'person' AND c.applicant_id = ?) OR (c.applicant_kind = 'entity' \
                 AND c.applicant_id IN (SELECT entity_id FROM entity_representatives WHERE person_id = ?)) \
                 ORDER BY c.id DESC LIMIT 200"
            ))
            .bind(person_id)
            .bind(person_id),
        )
        .await?)
}

/// Whether the person is the case's applicant or represents the entity that is.
pub(crate) async fn is_applicant(
    ex: &mut impl Exec,
    case_id: i64,
    person_id: i64,
) -> AppResult<bool> {
    let n = ex
        .scalar_i64(
            q("SELECT COUNT(*) FROM cases c WHERE c.id = ? AND ((c.applicant_kind = 'person' AND c.applicant_id = ?) \
               OR (c.applicant_kind = 'entity' AND c.applicant_id IN \
               (SELECT entity_id FROM entity_representatives WHERE person_id = ?)))")
            .bind(case_id)
            .bind(person_id)
            .bind(person_id),
        )
        .await?;
    Ok(n > 0)
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
    outcome: Option<(CaseOutcome, &str)>,
    now: i64,
) -> AppResult<u64> {
    Ok(ex
        .execute(
            q("UPDATE cases SET state = ?, outcome = ?, decision_reason = ?, decided_at = ?, updated_at = ?, \
               version = version + 1 WHERE id = ? AND state = ?")
            .bind(state.as_str())
            .bind(outcome.map(|o| o.0.as_str()))
            .bind(outcome.map(|o| o.1))
            .bind(now)
            .bind(now)
            .bind(id)
            .bind(CaseState::Open.as_str()),
        )
        .await?)
}
