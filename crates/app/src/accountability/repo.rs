//! The SQL of accountability: cases, their evidence, appeals, exemptions, the sweep's cursor
//! and the staff's employment type.

use proofless_domain::accountability::{
    AppealState, CaseOrigin, CaseState, EmploymentType, ExemptionState, Measure, Organ,
};
use proofless_domain::violation::ViolationKind;
use proofless_store::{Exec, Query, q};
use serde::{Deserialize, Serialize};

use crate::error::AppResult;
use crate::violations::ViolationRecord;

/// An accountability case as stored, with the names a page shows.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct Case {
    #[serde(skip_serializing)]
    pub id: i64,
    /// The public id (the API's `id`).
    #[serde(rename(serialize = "id"))]
    #[schema(rename = "id")]
    pub public_id: String,
    pub kind: ViolationKind,
    pub origin: CaseOrigin,
    pub state: CaseState,
    pub org_id: i64,
    pub org_name: String,
    pub staff_id: Option<i64>,
    pub staff_name: Option<String>,
    pub employment_type: Option<EmploymentType>,
    pub summary: String,
    pub organ: Option<Organ>,
    pub organ_org_id: Option<i64>,
    pub organ_org_name: Option<String>,
    pub measure: Option<Measure>,
    pub decision_text: Option<String>,
    pub rectify_by: Option<i64>,
    pub rectified_at: Option<i64>,
    pub rectify_note: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<i64>,
    /// Exempted under A5 §11: excluded from the assessment figures.
    pub exempted: bool,
    pub created_by: String,
    pub created_at: i64,
}

const CASE_COLS: &str = "SELECT c.id, c.public_id, c.kind, c.origin, c.state, c.org_id, o.name AS org_name, \
    c.staff_id, s.display_name AS staff_name, s.employment_type, c.summary, c.organ, \
    c.organ_org_id, g.name AS organ_org_name, c.measure, c.decision_text, c.rectify_by, \
    c.rectified_at, c.rectify_note, c.decided_by, c.decided_at, c.exempted, c.created_by, \
    c.created_at FROM accountability_cases c JOIN orgs o ON o.id = c.org_id \
    LEFT JOIN staff s ON s.id = c.staff_id LEFT JOIN orgs g ON g.id = c.organ_org_id";

/// Who the list is for: everything, or the cases an organ decides and a subject receives.
pub(crate) struct Visible {
    pub all: bool,
    /// The unit whose referred cases the actor decides.
    pub organ_org: Option<i64>,
    /// The unit whose decided cases the actor (its admin) receives.
    pub subject_org: Option<i64>,
    /// The staff member whose decided cases the actor receives.
    pub subject_staff: Option<i64>,
}

pub(crate) async fn list(ex: &mut impl Exec, v: &Visible, limit: i64) -> AppResult<Vec<Case>> {
    let mut query = Query::new(format!("{CASE_COLS} WHERE "));
    if v.all {
        query.push_sql("1 = 1");
    } else {
        query.push_sql("(c.organ_org_id = ?");
        query.push_arg(v.organ_org.unwrap_or(-1));
        query.push_sql(
            " OR (c.state IN ('decided', 'dismissed') AND (c.org_id = ? OR c.staff_id = ?)))",
        );
        query.push_arg(v.subject_org.unwrap_or(-1));
        query.push_arg(v.subject_staff.unwrap_or(-1));
    }
    query.push_sql(" ORDER BY c.id DESC LIMIT ?");
    query.push_arg(limit);
    Ok(ex.fetch_all(query).await?)
}

pub(crate) async fn find(ex: &mut impl Exec, id: i64) -> AppResult<Option<Case>> {
    Ok(ex
        .fetch_optional(q(format!("{CASE_COLS} WHERE c.id = ?")).bind(id))
        .await?)
}

/// The open case of the same subject and ground, into which a new record is merged.
pub(crate) async fn open_duplicate(
    ex: &mut impl Exec,
    kind: ViolationKind,
    org_id: i64,
    staff_id: Option<i64>,
) -> AppResult<Option<i64>> {
    let row: Option<(i64,)> = ex
        .fetch_optional(
            q(
                "SELECT id FROM accountability_cases WHERE state = 'proposed' AND kind = ? \
               AND org_id = ? AND COALESCE(staff_id, 0) = ? ORDER BY id LIMIT 1",
            )
            .bind(kind.as_str())
            .bind(org_id)
            .bind(staff_id.unwrap_or(0)),
        )
        .await?;
    Ok(row.map(|r| r.0))
}

pub(crate) struct InsertCase<'a> {
    pub kind: ViolationKind,
    pub origin: CaseOrigin,
    pub org_id: i64,
    pub staff_id: Option<i64>,
    pub summary: &'a str,
    pub created_by: &'a str,
}

pub(crate) async fn insert_case(
    ex: &mut impl Exec,
    c: &InsertCase<'_>,
    now: i64,
) -> AppResult<i64> {
    Ok(ex
        .scalar_i64(
            q(
                "INSERT INTO accountability_cases (public_id, kind, origin, state, org_id, staff_id, \
               summary, created_by, created_at, updated_at) VALUES (?, ?, ?, 'proposed', ?, ?, ?, ?, ?, ?) \
               RETURNING id",
            )
            .bind(crate::public_ids::new_public_id())
            .bind(c.kind.as_str())
            .bind(c.origin.as_str())
            .bind(c.org_id)
            .bind(c.staff_id)
            .bind(c.summary)
            .bind(c.created_by)
            .bind(now)
            .bind(now),
        )
        .await?)
}

/// Links a violation record to a case; false when it is already evidence of one.
pub(crate) async fn link(
    ex: &mut impl Exec,
    case_id: i64,
    violation_id: i64,
    now: i64,
) -> AppResult<bool> {
    Ok(ex
        .execute(
            q(
                "INSERT INTO accountability_evidence (case_id, violation_id, added_at) \
               VALUES (?, ?, ?) ON CONFLICT (violation_id) DO NOTHING",
            )
            .bind(case_id)
            .bind(violation_id)
            .bind(now),
        )
        .await?
        == 1)
}

pub(crate) async fn evidence(ex: &mut impl Exec, case_id: i64) -> AppResult<Vec<ViolationRecord>> {
    Ok(ex
        .fetch_all(
            q(
                "SELECT v.id, v.kind, v.source, v.source_ref, v.org_id, o.name AS org_name, \
               v.staff_id, v.summary, v.occurred_at, v.recorded_by, v.recorded_at \
               FROM accountability_evidence e JOIN violation_records v ON v.id = e.violation_id \
               JOIN orgs o ON o.id = v.org_id WHERE e.case_id = ? ORDER BY v.id",
            )
            .bind(case_id),
        )
        .await?)
}

/// Takes the sweep's turn: touches the cursor row (the write lock both databases queue on)
/// and returns the last record already proposed.
pub(crate) async fn take_cursor(ex: &mut impl Exec, now: i64) -> AppResult<i64> {
    Ok(ex
        .scalar_i64(
            q(
                "UPDATE accountability_cursor SET touched_at = ? WHERE name = 'violations' \
               RETURNING last_id",
            )
            .bind(now),
        )
        .await?)
}

pub(crate) async fn move_cursor(ex: &mut impl Exec, last_id: i64) -> AppResult<()> {
    ex.execute(
        q("UPDATE accountability_cursor SET last_id = ? WHERE name = 'violations'").bind(last_id),
    )
    .await?;
    Ok(())
}

/// Moves a case from `from` to its next state with the given columns; 0 when another
/// request moved it first.
pub(crate) async fn refer(
    ex: &mut impl Exec,
    id: i64,
    organ: Organ,
    organ_org_id: i64,
    now: i64,
) -> AppResult<u64> {
    Ok(ex
        .execute(
            q(
                "UPDATE accountability_cases SET state = 'referred', organ = ?, organ_org_id = ?, \
               updated_at = ? WHERE id = ? AND state = 'proposed'",
            )
            .bind(organ.as_str())
            .bind(organ_org_id)
            .bind(now)
            .bind(id),
        )
        .await?)
}

pub(crate) async fn dismiss(
    ex: &mut impl Exec,
    id: i64,
    from: CaseState,
    text: &str,
    by: &str,
    now: i64,
) -> AppResult<u64> {
    Ok(ex
        .execute(
            q(
                "UPDATE accountability_cases SET state = 'dismissed', decision_text = ?, \
               decided_by = ?, decided_at = ?, updated_at = ? WHERE id = ? AND state = ?",
            )
            .bind(text)
            .bind(by)
            .bind(now)
            .bind(now)
            .bind(id)
            .bind(from.as_str()),
        )
        .await?)
}

pub(crate) async fn decide(
    ex: &mut impl Exec,
    id: i64,
    d: &super::input::Decision,
    by: &str,
    now: i64,
) -> AppResult<u64> {
    Ok(ex
        .execute(
            q("UPDATE accountability_cases SET state = 'decided', measure = ?, decision_text = ?, \
               rectify_by = ?, decided_by = ?, decided_at = ?, updated_at = ? \
               WHERE id = ? AND state = 'referred'")
            .bind(d.measure.as_str())
            .bind(d.text.as_str())
            .bind(d.rectify_by)
            .bind(by)
            .bind(now)
            .bind(now)
            .bind(id),
        )
        .await?)
}

pub(crate) async fn rectified(ex: &mut impl Exec, id: i64, note: &str, now: i64) -> AppResult<u64> {
    Ok(ex
        .execute(
            q("UPDATE accountability_cases SET rectified_at = ?, rectify_note = ?, updated_at = ? \
               WHERE id = ? AND state = 'decided' AND measure = 'rectify' AND rectified_at IS NULL")
            .bind(now)
            .bind(note)
            .bind(now)
            .bind(id),
        )
        .await?)
}

/// Links the rectification order's deadline (A5 §5(一)).
pub(crate) async fn set_rectify_deadline(
    ex: &mut impl Exec,
    id: i64,
    deadline_id: i64,
) -> AppResult<()> {
    ex.execute(
        q("UPDATE accountability_cases SET rectify_deadline_id = ? WHERE id = ?")
            .bind(deadline_id)
            .bind(id),
    )
    .await?;
    Ok(())
}

/// The case's rectification deadline while the engine still has it open.
pub(crate) async fn open_rectify_deadline(ex: &mut impl Exec, id: i64) -> AppResult<Option<i64>> {
    let r: Option<(i64,)> = ex
        .fetch_optional(
            q("SELECT d.id FROM accountability_cases c JOIN deadlines d ON d.id = c.rectify_deadline_id \
               WHERE c.id = ? AND d.state IN ('open', 'suspended', 'overdue')")
            .bind(id),
        )
        .await?;
    Ok(r.map(|r| r.0))
}

pub(crate) async fn set_exempted(ex: &mut impl Exec, id: i64, now: i64) -> AppResult<()> {
    ex.execute(
        q("UPDATE accountability_cases SET exempted = ?, updated_at = ? WHERE id = ?")
            .bind(true)
            .bind(now)
            .bind(id),
    )
    .await?;
    Ok(())
}

// --- appeals ------------------------------------------------------------------------------

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct Appeal {
    #[serde(skip_serializing)]
    pub id: i64,
    #[serde(skip_serializing)]
    pub case_id: i64,
    pub state: AppealState,
    pub grounds: String,
    pub filed_by: String,
    pub filed_at: i64,
    pub decision_text: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<i64>,
}

const APPEAL_COLS: &str = "SELECT id, case_id, state, grounds, filed_by, filed_at, decision_text, \
    decided_by, decided_at FROM accountability_appeals";

pub(crate) async fn appeals(ex: &mut impl Exec, case_id: i64) -> AppResult<Vec<Appeal>> {
    Ok(ex
        .fetch_all(q(format!("{APPEAL_COLS} WHERE case_id = ? ORDER BY id")).bind(case_id))
        .await?)
}

pub(crate) async fn insert_appeal(
    ex: &mut impl Exec,
    case_id: i64,
    grounds: &str,
    by: (&str, Option<i64>),
    now: i64,
) -> AppResult<i64> {
    Ok(ex
        .scalar_i64(
            q("INSERT INTO accountability_appeals (case_id, state, grounds, filed_by, filed_by_id, \
               filed_at) VALUES (?, 'pending', ?, ?, ?, ?) RETURNING id")
            .bind(case_id)
            .bind(grounds)
            .bind(by.0)
            .bind(by.1)
            .bind(now),
        )
        .await?)
}

pub(crate) async fn decide_appeal(
    ex: &mut impl Exec,
    id: i64,
    state: AppealState,
    text: &str,
    by: &str,
    now: i64,
) -> AppResult<u64> {
    Ok(ex
        .execute(
            q(
                "UPDATE accountability_appeals SET state = ?, decision_text = ?, decided_by = ?, \
               decided_at = ? WHERE id = ? AND state = 'pending'",
            )
            .bind(state.as_str())
            .bind(text)
            .bind(by)
            .bind(now)
            .bind(id),
        )
        .await?)
}

// --- exemptions ---------------------------------------------------------------------------

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct ExemptionRow {
    #[serde(skip_serializing)]
    pub id: i64,
    #[serde(skip_serializing)]
    pub case_id: i64,
    pub state: ExemptionState,
    /// Comma-separated A5 §8 grounds.
    pub grounds: String,
    pub statement: String,
    pub evidence: String,
    pub applied_by: String,
    pub applied_at: i64,
    pub report: Option<String>,
    pub reported_by: Option<String>,
    pub reported_at: Option<i64>,
    pub decision_text: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<i64>,
    pub filing_no: Option<String>,
}

const EXEMPTION_COLS: &str = "SELECT id, case_id, state, grounds, statement, evidence, \
    applied_by, applied_at, report, reported_by, reported_at, decision_text, decided_by, \
    decided_at, filing_no FROM accountability_exemptions";

pub(crate) async fn exemptions(ex: &mut impl Exec, case_id: i64) -> AppResult<Vec<ExemptionRow>> {
    Ok(ex
        .fetch_all(q(format!("{EXEMPTION_COLS} WHERE case_id = ? ORDER BY id")).bind(case_id))
        .await?)
}

pub(crate) async fn insert_exemption(
    ex: &mut impl Exec,
    case_id: i64,
    e: &super::input::Exemption,
    by: &str,
    now: i64,
) -> AppResult<i64> {
    let grounds: Vec<&str> = e.grounds.iter().map(|g| g.as_str()).collect();
    Ok(ex
        .scalar_i64(
            q("INSERT INTO accountability_exemptions (case_id, state, grounds, statement, evidence, \
               applied_by, applied_at) VALUES (?, 'applied', ?, ?, ?, ?, ?) RETURNING id")
            .bind(case_id)
            .bind(grounds.join(","))
            .bind(e.statement.as_str())
            .bind(e.evidence.as_str())
            .bind(by)
            .bind(now),
        )
        .await?)
}

pub(crate) async fn report_exemption(
    ex: &mut impl Exec,
    id: i64,
    report: &str,
    by: &str,
    now: i64,
) -> AppResult<u64> {
    Ok(ex
        .execute(
            q(
                "UPDATE accountability_exemptions SET state = 'investigated', report = ?, \
               reported_by = ?, reported_at = ? WHERE id = ? AND state = 'applied'",
            )
            .bind(report)
            .bind(by)
            .bind(now)
            .bind(id),
        )
        .await?)
}

pub(crate) async fn decide_exemption(
    ex: &mut impl Exec,
    id: i64,
    state: ExemptionState,
    text: &str,
    filing_no: Option<&str>,
    by: &str,
    now: i64,
) -> AppResult<u64> {
    Ok(ex
        .execute(
            q(
                "UPDATE accountability_exemptions SET state = ?, decision_text = ?, filing_no = ?, \
               decided_by = ?, decided_at = ? WHERE id = ? AND state = 'investigated'",
            )
            .bind(state.as_str())
            .bind(text)
            .bind(filing_no)
            .bind(by)
            .bind(now)
            .bind(id),
        )
        .await?)
}

/// The staff member's unit, if the staff member exists.
pub(crate) async fn staff_org(ex: &mut impl Exec, staff_id: i64) -> AppResult<Option<i64>> {
    let row: Option<(i64,)> = ex
        .fetch_optional(q("SELECT org_id FROM staff WHERE id = ?").bind(staff_id))
        .await?;
    Ok(row.map(|r| r.0))
}

pub(crate) async fn org_exists(ex: &mut impl Exec, org_id: i64) -> AppResult<bool> {
    Ok(ex
        .scalar_i64(q("SELECT COUNT(*) FROM orgs WHERE id = ?").bind(org_id))
        .await?
        > 0)
}

pub(crate) async fn set_employment(
    ex: &mut impl Exec,
    staff_id: i64,
    t: EmploymentType,
) -> AppResult<u64> {
    Ok(ex
        .execute(
            q("UPDATE staff SET employment_type = ? WHERE id = ?")
                .bind(t.as_str())
                .bind(staff_id),
        )
        .await?)
}

/// Per-unit counts for the transparency page (A5 §11: exempted measures not counted).
pub(crate) async fn figures(ex: &mut impl Exec) -> AppResult<Vec<super::access::Figure>> {
    Ok(ex
        .fetch_all(
            q("SELECT o.name AS org_name, \
             (SELECT COUNT(*) FROM violation_records v WHERE v.org_id = o.id) AS violations, \
             (SELECT COUNT(*) FROM violation_records v WHERE v.org_id = o.id \
                AND v.kind = 'verification_late') AS verifications_late, \
             (SELECT COUNT(*) FROM accountability_cases c WHERE c.org_id = o.id \
                AND c.state = 'decided' AND c.exempted = ?) AS measures, \
             (SELECT COUNT(*) FROM accountability_cases c WHERE c.org_id = o.id \
                AND c.exempted = ?) AS exempted \
             FROM orgs o WHERE EXISTS (SELECT 1 FROM violation_records v WHERE v.org_id = o.id) \
             OR EXISTS (SELECT 1 FROM accountability_cases c WHERE c.org_id = o.id) \
             ORDER BY o.name")
            .bind(false)
            .bind(true),
        )
        .await?)
}

/// Whether a violation record is already evidence of a case.
pub(crate) async fn is_linked(ex: &mut impl Exec, violation_id: i64) -> AppResult<bool> {
    Ok(ex
        .scalar_i64(
            q("SELECT COUNT(*) FROM accountability_evidence WHERE violation_id = ?")
                .bind(violation_id),
        )
        .await?
        > 0)
}

/// Whether records wait beyond the cursor (read before taking the write lock).
pub(crate) async fn pending(ex: &mut impl Exec) -> AppResult<bool> {
    Ok(ex
        .scalar_i64(q("SELECT COUNT(*) FROM violation_records WHERE id > \
             (SELECT last_id FROM accountability_cursor WHERE name = 'violations')"))
        .await?
        > 0)
}
