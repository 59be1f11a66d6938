//! The SQL of proxy tasks (干部代办), the scans agents record, deficiency notices, the units'
//! late-supplement rules and the overdue sweep (R5.10).

use proofless_domain::case::LateRule;
use proofless_store::{Exec, q};
use serde::{Deserialize, Serialize};

use crate::applicants::SealedFile;
use crate::error::AppResult;

/// One proxy task as the unit's proxy agents see it in their inbox (A and B alike).
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct ProxyTask {
    pub case_id: i64,
    pub case_no: String,
    pub service_item_name: String,
    /// Masked (张*) for a person.
    pub applicant_name: Option<String>,
    pub proof_item_id: i64,
    pub proof_item_name: String,
    /// What the clerk wrote when handing it over.
    pub evidence: String,
    /// Who handed it over, and when.
    pub assigned_by: Option<String>,
    pub assigned_at: Option<i64>,
    pub deadline_id: Option<i64>,
    pub due_at: Option<i64>,
    /// Set once the task was found overdue and escalated.
    pub overdue_at: Option<i64>,
}

const TASKS: &str = "FROM case_proofs cp JOIN cases c ON c.id = cp.case_id \
    JOIN service_items s ON s.id = c.service_item_id \
    LEFT JOIN deadlines d ON d.id = cp.deadline_id \
    LEFT JOIN persons p ON c.applicant_kind = 'person' AND p.id = c.applicant_id \
    LEFT JOIN entities e ON c.applicant_kind = 'entity' AND e.id = c.applicant_id \
    WHERE c.org_id = ? AND c.state = 'open' AND cp.method = 'proxy' AND cp.state = 'in_progress'";

/// The unit's open proxy tasks, most urgent first; with the total.
pub(crate) async fn proxy_tasks(
    ex: &mut impl Exec,
    org_id: i64,
    limit: i64,
    offset: i64,
) -> AppResult<(Vec<ProxyTask>, i64)> {
    let items = ex
        .fetch_all(
            q(format!(
                "SELECT c.id AS case_id, c.case_no, s.name AS service_item_name, \
                 COALESCE(p.name_masked, e.name) AS applicant_name, cp.proof_item_id, cp.proof_item_name, \
                 cp.evidence, cp.resolved_by AS assigned_by, cp.updated_at AS assigned_at, cp.deadline_id, \
                 d.due_at, cp.overdue_at {TASKS} ORDER BY d.due_at IS NULL, d.due_at, cp.id LIMIT ? OFFSET ?"
            ))
            .bind(org_id)
            .bind(limit)
            .bind(offset),
        )
        .await?;
    let total = proxy_count(ex, org_id).await?;
    Ok((items, total))
}

/// How many proxy tasks the unit has open (the workbench card's count).
pub(crate) async fn proxy_count(ex: &mut impl Exec, org_id: i64) -> AppResult<i64> {
    Ok(ex
        .scalar_i64(q(format!("SELECT COUNT(*) {TASKS}")).bind(org_id))
        .await?)
}

/// Whether the staff member holds a proxy agent post of the unit, as A or as B (A2 §6).
pub(crate) async fn holds_proxy_post(
    ex: &mut impl Exec,
    org_id: i64,
    staff_id: i64,
) -> AppResult<bool> {
    Ok(ex
        .scalar_i64(
            q(
                "SELECT COUNT(*) FROM duty_posts WHERE org_id = ? AND duty = 'proxy_agent' \
               AND (a_staff_id = ? OR b_staff_id = ?)",
            )
            .bind(org_id)
            .bind(staff_id)
            .bind(staff_id),
        )
        .await?
        > 0)
}

/// The staff holding the unit's proxy agent posts, A and B.
pub(crate) async fn proxy_agents(ex: &mut impl Exec, org_id: i64) -> AppResult<Vec<i64>> {
    let rows: Vec<(i64, Option<i64>)> = ex
        .fetch_all(
            q("SELECT a_staff_id, b_staff_id FROM duty_posts WHERE org_id = ? AND duty = 'proxy_agent' ORDER BY id")
                .bind(org_id),
        )
        .await?;
    let mut out = Vec::new();
    for id in rows
        .into_iter()
        .flat_map(|(a, b)| std::iter::once(a).chain(b))
    {
        if !out.contains(&id) {
            out.push(id);
        }
    }
    Ok(out)
}

/// A scan the proxy agent recorded.
pub(crate) struct NewScan<'a> {
    pub case_id: i64,
    pub proof_item_id: i64,
    pub content_type: &'a str,
    /// The scan encrypted at rest (`applicants::FileSealer`) and its key version.
    pub content: &'a SealedFile,
    /// The size of the scan in clear.
    pub size: usize,
    pub sm3: &'a str,
    pub note: &'a str,
    pub by: &'a str,
    pub by_staff: Option<i64>,
    pub now: i64,
}

pub(crate) async fn insert_scan(ex: &mut impl Exec, s: &NewScan<'_>) -> AppResult<i64> {
    Ok(ex
        .scalar_i64(
            q("INSERT INTO case_proof_scans (case_id, proof_item_id, content_type, content, content_key_version, \
               size_bytes, sm3, note, uploaded_by, uploaded_by_staff, uploaded_at) \
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id")
            .bind(s.case_id)
            .bind(s.proof_item_id)
            .bind(s.content_type)
            .bind(s.content.content.as_slice())
            .bind(s.content.key_version)
            .bind(i64::try_from(s.size).unwrap_or(i64::MAX))
            .bind(s.sm3)
            .bind(s.note)
            .bind(s.by)
            .bind(s.by_staff)
            .bind(s.now),
        )
        .await?)
}

/// A recorded scan: its metadata and bytes (in clear once read through `tasks::scan`).
#[derive(Debug, Clone, Deserialize)]
pub struct Scan {
    pub id: i64,
    pub content_type: String,
    pub content: Vec<u8>,
    /// The data key version `content` is stored under (0: stored in clear, from before).
    pub content_key_version: i64,
    pub sm3: String,
    pub uploaded_by: String,
    pub uploaded_at: i64,
}

/// The latest scan recorded for the proof of the case.
pub(crate) async fn latest_scan(
    ex: &mut impl Exec,
    case_id: i64,
    proof_item_id: i64,
) -> AppResult<Option<Scan>> {
    Ok(ex
        .fetch_optional(
            q("SELECT id, content_type, content, content_key_version, sm3, uploaded_by, uploaded_at FROM case_proof_scans \
               WHERE case_id = ? AND proof_item_id = ? ORDER BY id DESC LIMIT 1")
            .bind(case_id)
            .bind(proof_item_id),
        )
        .await?)
}

/// Records what is missing, the sealed notice and the late rule on the deferred proof.
pub(crate) async fn set_deficiency(
    ex: &mut impl Exec,
    id: i64,
    missing: &str,
    notice_id: &str,
    rule: LateRule,
) -> AppResult<()> {
    ex.execute(
        q("UPDATE case_proofs SET missing = ?, notice_id = ?, late_rule = ? WHERE id = ?")
            .bind(missing)
            .bind(notice_id)
            .bind(rule.as_str())
            .bind(id),
    )
    .await?;
    Ok(())
}

/// One version of a unit's late-supplement rule.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct LateRuleVersion {
    pub version: i64,
    pub rule: LateRule,
    /// YYYY-MM-DD.
    pub effective_from: String,
    pub note: String,
    pub created_by: String,
    pub created_at: i64,
}

#[derive(Deserialize)]
struct LateRow {
    version: i64,
    rule: String,
    effective_from: String,
    note: String,
    created_by: String,
    created_at: i64,
}

pub(crate) async fn late_rules(ex: &mut impl Exec, org_id: i64) -> AppResult<Vec<LateRuleVersion>> {
    let rows: Vec<LateRow> = ex
        .fetch_all(
            q("SELECT version, rule, effective_from, note, created_by, created_at FROM case_late_rules \
               WHERE org_id = ? ORDER BY version")
            .bind(org_id),
        )
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| LateRuleVersion {
            version: r.version,
            rule: LateRule::parse(&r.rule).unwrap_or(LateRule::DEFAULT),
            effective_from: r.effective_from,
            note: r.note,
            created_by: r.created_by,
            created_at: r.created_at,
        })
        .collect())
}

pub(crate) async fn insert_late_rule(
    ex: &mut impl Exec,
    org_id: i64,
    rule: LateRule,
    effective_from: &str,
    note: &str,
    by: &str,
    now: i64,
) -> AppResult<i64> {
    Ok(ex
        .scalar_i64(
            q("INSERT INTO case_late_rules (org_id, version, rule, effective_from, note, created_by, created_at) \
               VALUES (?, (SELECT COALESCE(MAX(version), 0) + 1 FROM case_late_rules WHERE org_id = ?), ?, ?, ?, ?, ?) \
               RETURNING version")
            .bind(org_id)
            .bind(org_id)
            .bind(rule.as_str())
            .bind(effective_from)
            .bind(note)
            .bind(by)
            .bind(now),
        )
        .await?)
}

/// A proxy task or a supplement whose deadline has passed and that was not escalated yet.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Late {
    pub case_id: i64,
    pub proof_item_id: i64,
}

pub(crate) async fn late_ones(ex: &mut impl Exec, now: i64, limit: i64) -> AppResult<Vec<Late>> {
    Ok(ex
        .fetch_all(
            q("SELECT cp.case_id, cp.proof_item_id FROM case_proofs cp JOIN deadlines d ON d.id = cp.deadline_id \
               JOIN cases c ON c.id = cp.case_id \
               WHERE cp.overdue_at IS NULL AND c.state = 'open' AND d.state IN ('open', 'overdue') AND d.due_at <= ? \
               AND ((cp.method = 'proxy' AND cp.state = 'in_progress') \
                 OR (cp.method = 'deficiency_acceptance' AND cp.state = 'deferred')) \
               ORDER BY cp.id LIMIT ?")
            .bind(now)
            .bind(limit),
        )
        .await?)
}

/// Marks the proof escalated; rows changed (0: another runner did it first).
pub(crate) async fn mark_overdue(ex: &mut impl Exec, id: i64, now: i64) -> AppResult<u64> {
    Ok(ex
        .execute(
            q("UPDATE case_proofs SET overdue_at = ?, version = version + 1 WHERE id = ? AND overdue_at IS NULL")
                .bind(now)
                .bind(id),
        )
        .await?)
}

/// Suspends (中止) the open case with the reason; rows changed.
pub(crate) async fn suspend_case(
    ex: &mut impl Exec,
    id: i64,
    reason: &str,
    now: i64,
) -> AppResult<u64> {
    Ok(ex
        .execute(
            q("UPDATE cases SET suspended_at = ?, suspend_reason = ?, updated_at = ?, version = version + 1 \
               WHERE id = ? AND state = 'open' AND suspended_at IS NULL")
            .bind(now)
            .bind(reason)
            .bind(now)
            .bind(id),
        )
        .await?)
}

/// Lifts the suspension; rows changed.
pub(crate) async fn resume_case(ex: &mut impl Exec, id: i64, now: i64) -> AppResult<u64> {
    Ok(ex
        .execute(
            q("UPDATE cases SET suspended_at = NULL, suspend_reason = NULL, updated_at = ?, version = version + 1 \
               WHERE id = ? AND suspended_at IS NOT NULL")
            .bind(now)
            .bind(id),
        )
        .await?)
}

/// The due instant of a deadline (null while suspended without a statutory limit).
pub(crate) async fn deadline_due(ex: &mut impl Exec, id: i64) -> AppResult<Option<i64>> {
    let r: Option<(Option<i64>,)> = ex
        .fetch_optional(q("SELECT due_at FROM deadlines WHERE id = ?").bind(id))
        .await?;
    Ok(r.and_then(|(d,)| d))
}
