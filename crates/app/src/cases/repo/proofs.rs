//! The SQL of a case's proofs: derived from the published list in force, resolved one by one.

use proofless_domain::case::{LateRule, ProofState, ResolutionMethod};
use proofless_domain::catalogue::ItemSnapshot;
use proofless_store::{Exec, q};
use serde::Deserialize;

use crate::error::{AppError, AppResult};

/// One proof of a case as the API and the pages show it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct CaseProof {
    pub id: i64,
    pub proof_item_id: i64,
    pub proof_item_name: String,
    /// The published list version the proof was read from.
    pub list_version_id: i64,
    /// The methods this proof may be resolved by (from the list, plus the applicant's own copy).
    pub methods: Vec<ResolutionMethod>,
    pub state: ProofState,
    pub method: Option<ResolutionMethod>,
    /// What resolved it: a reply, a letter, a note of the document seen.
    pub evidence: String,
    pub verification_id: Option<i64>,
    pub commitment_id: Option<i64>,
    /// The proxy task's or the supplement's deadline.
    pub deadline_id: Option<i64>,
    pub resolved_by: Option<String>,
    pub resolved_at: Option<i64>,
    pub updated_at: i64,
    pub version: i64,
    /// Under deficiency acceptance: what is missing (容缺受理).
    pub missing: String,
    /// The sealed written notice of the deficiency (`/sealed/{id}`).
    pub notice_id: Option<String>,
    /// The unit's rule for a late supplement, fixed when the deficiency was accepted.
    pub late_rule: Option<LateRule>,
    /// When the proxy task or the supplement was found overdue and escalated.
    pub overdue_at: Option<i64>,
}

#[derive(Deserialize)]
struct Row {
    id: i64,
    proof_item_id: i64,
    proof_item_name: String,
    list_version_id: i64,
    methods: String,
    state: ProofState,
    method: Option<ResolutionMethod>,
    evidence: String,
    verification_id: Option<i64>,
    commitment_id: Option<i64>,
    deadline_id: Option<i64>,
    resolved_by: Option<String>,
    resolved_at: Option<i64>,
    updated_at: i64,
    version: i64,
    missing: String,
    notice_id: Option<String>,
    late_rule: Option<String>,
    overdue_at: Option<i64>,
}

impl Row {
    fn into_proof(self) -> AppResult<CaseProof> {
        let methods = self
            .methods
            .split(',')
            .filter(|s| !s.is_empty())
            .map(|s| {
                ResolutionMethod::parse(s)
                    .ok_or_else(|| AppError::Internal(format!("办件证明的办理方式无效：{s}")))
            })
            .collect::<AppResult<Vec<_>>>()?;
        Ok(CaseProof {
            id: self.id,
            proof_item_id: self.proof_item_id,
            proof_item_name: self.proof_item_name,
            list_version_id: self.list_version_id,
            methods,
            state: self.state,
            method: self.method,
            evidence: self.evidence,
            verification_id: self.verification_id,
            commitment_id: self.commitment_id,
            deadline_id: self.deadline_id,
            resolved_by: self.resolved_by,
            resolved_at: self.resolved_at,
            updated_at: self.updated_at,
            version: self.version,
            missing: self.missing,
            notice_id: self.notice_id,
            late_rule: self.late_rule.as_deref().and_then(LateRule::parse),
            overdue_at: self.overdue_at,
        })
    }
}

const SELECT: &str = "SELECT id, proof_item_id, proof_item_name, list_version_id, methods, state, method, \
    evidence, verification_id, commitment_id, deadline_id, resolved_by, resolved_at, updated_at, version, \
    missing, notice_id, late_rule, overdue_at FROM case_proofs";

pub(crate) async fn of_case(ex: &mut impl Exec, case_id: i64) -> AppResult<Vec<CaseProof>> {
    let rows: Vec<Row> = ex
        .fetch_all(q(format!("{SELECT} WHERE case_id = ? ORDER BY id")).bind(case_id))
        .await?;
    rows.into_iter().map(Row::into_proof).collect()
}

pub(crate) async fn one(
    ex: &mut impl Exec,
    case_id: i64,
    proof_item_id: i64,
) -> AppResult<Option<CaseProof>> {
    let row: Option<Row> = ex
        .fetch_optional(
            q(format!("{SELECT} WHERE case_id = ? AND proof_item_id = ?"))
                .bind(case_id)
                .bind(proof_item_id),
        )
        .await?;
    row.map(Row::into_proof).transpose()
}

/// The proof a verification is linked to, with its case.
pub(crate) async fn by_verification(
    ex: &mut impl Exec,
    verification_id: i64,
) -> AppResult<Option<(i64, i64)>> {
    Ok(ex
        .fetch_optional(
            q("SELECT case_id, proof_item_id FROM case_proofs WHERE verification_id = ?")
                .bind(verification_id),
        )
        .await?)
}

/// A proof item of the published list in force that the service item may involve.
pub(crate) struct Published {
    pub version_id: i64,
    pub item: ItemSnapshot,
    /// While the item's adjustment is under way (调整中): the interim method the unit filed
    /// and the public mark shows (A3 §9), with the mark's words.
    pub interim: Option<(proofless_domain::catalogue::ReplacementMethod, String)>,
}

/// SPEC R6.1, 优化营商环境条例 §44: the proofs a service may involve are those the latest
/// published version of each exemption list gives for it — the public's list, nothing else.
pub(crate) async fn published_for_service(
    ex: &mut impl Exec,
    service_item_id: i64,
) -> AppResult<Vec<Published>> {
    let rows: Vec<(i64, String)> = ex
        .fetch_all(
            q("SELECT i.version_id, i.snapshot FROM list_version_items i \
               JOIN list_versions v ON v.id = i.version_id \
               WHERE v.stage = 'published' AND v.number = (SELECT MAX(x.number) FROM list_versions x \
                 WHERE x.list_id = v.list_id AND x.stage = 'published') \
               AND i.proof_item_id IN (SELECT proof_item_id FROM proof_item_services WHERE service_item_id = ?) \
               ORDER BY i.position, i.proof_item_id")
            .bind(service_item_id),
        )
        .await?;
    let mut out = Vec::new();
    for (version_id, snapshot) in rows {
        let item: ItemSnapshot = serde_json::from_str(&snapshot)
            .map_err(|e| AppError::Internal(format!("清单条目无法读取：{e}")))?;
        // The published snapshot decides, not the live catalogue.
        if item.service_items.iter().any(|s| s.id == service_item_id)
            && !out.iter().any(|p: &Published| p.item.id == item.id)
        {
            out.push(Published {
                version_id,
                item,
                interim: None,
            });
        }
    }
    Ok(out)
}

pub(crate) struct NewProof<'a> {
    pub case_id: i64,
    pub proof_item_id: i64,
    pub name: &'a str,
    pub version_id: i64,
    pub methods: &'a [ResolutionMethod],
    pub state: ProofState,
    pub method: Option<ResolutionMethod>,
    pub evidence: &'a str,
    pub resolved_by: Option<&'a str>,
    pub now: i64,
}

pub(crate) async fn insert(ex: &mut impl Exec, p: &NewProof<'_>) -> AppResult<()> {
    let methods: Vec<&str> = p.methods.iter().map(|m| m.as_str()).collect();
    let resolved_at = (p.state == ProofState::Resolved).then_some(p.now);
    ex.execute(
        q("INSERT INTO case_proofs (case_id, proof_item_id, proof_item_name, list_version_id, methods, state, \
           method, evidence, resolved_by, resolved_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        .bind(p.case_id)
        .bind(p.proof_item_id)
        .bind(p.name)
        .bind(p.version_id)
        .bind(methods.join(","))
        .bind(p.state.as_str())
        .bind(p.method.map(ResolutionMethod::as_str))
        .bind(p.evidence)
        .bind(p.resolved_by)
        .bind(resolved_at)
        .bind(p.now),
    )
    .await?;
    Ok(())
}

/// A change of one proof's resolution. `links` sets the verification or commitment it
/// hangs on (None leaves them), `deadline_id` the proxy or supplement deadline.
pub(crate) struct Change<'a> {
    pub state: ProofState,
    pub method: Option<ResolutionMethod>,
    pub evidence: &'a str,
    pub verification_id: Option<i64>,
    pub commitment_id: Option<i64>,
    pub deadline_id: Option<i64>,
    pub by: Option<&'a str>,
    pub now: i64,
}

/// Applies the change to the proof at `version`; rows changed (0: it changed meanwhile).
pub(crate) async fn update(
    ex: &mut impl Exec,
    id: i64,
    version: i64,
    c: &Change<'_>,
) -> AppResult<u64> {
    let resolved_at =
        matches!(c.state, ProofState::Resolved | ProofState::Deferred).then_some(c.now);
    Ok(ex
        .execute(
            q("UPDATE case_proofs SET state = ?, method = ?, evidence = ?, verification_id = ?, commitment_id = ?, \
               deadline_id = ?, resolved_by = ?, resolved_at = ?, updated_at = ?, version = version + 1 \
               WHERE id = ? AND version = ?")
            .bind(c.state.as_str())
            .bind(c.method.map(ResolutionMethod::as_str))
            .bind(c.evidence)
            .bind(c.verification_id)
            .bind(c.commitment_id)
            .bind(c.deadline_id)
            .bind(c.by)
            .bind(resolved_at)
            .bind(c.now)
            .bind(id)
            .bind(version),
        )
        .await?)
}
