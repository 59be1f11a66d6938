//! Resolving the proofs of a case (SPEC R6.1): the clerk's own records (the applicant's
//! copy, A2 §9; a proxy task and deficiency acceptance, R5.10), the hooks through which a
//! verification (R5) and a commitment (R4.2) resolve theirs, the data-sharing pull's entry
//! point, and the report of a proof demanded outside the list (A5 §4(1)).

use proofless_domain::case::{CaseState, ProofState, ResolutionMethod, verification_refusal};
use proofless_domain::deadline::{Period, RuleKey, SubjectType};
use proofless_domain::violation::{ViolationKind, ViolationSource};
use proofless_store::Tx;
use serde_json::json;

use super::input::{CompleteInput, DemandReport, ResolveInput};
use super::repo::proofs::{self as prepo, CaseProof, Change};
use super::service::{CASE_ROLES, Case, CaseDetail, detail, open_case_in};
use super::settings;
use crate::App;
use crate::actor::Actor;
use crate::audit::{self, Entry};
use crate::deadlines::{self, NewDeadline};
use crate::error::{AppError, AppResult};
use crate::policy;
use crate::violations::{self, NewViolation};

/// What the case page says of data sharing until the pull is wired (issue #18).
pub const DATA_SHARING_UNAVAILABLE: &str =
    "数据共享由本单位调取电子证照完成，调取成功后此项自动办结；调取不到时请选择其他方式";

fn not_on_list(case_no: &str) -> AppError {
    AppError::field(
        "proof_item_id",
        format!("该证明不在办件 {case_no} 的证明清单中：清单之外的证明一律不得索要"),
    )
}

/// The open case and its proof, for a step by the case's own unit.
async fn case_and_proof(
    tx: &mut Tx,
    actor: &Actor,
    case_id: i64,
    proof_item_id: i64,
) -> AppResult<(Case, CaseProof)> {
    let c = open_case_in(tx, case_id).await?;
    actor.require_org(c.org_id)?;
    let p = prepo::one(tx, case_id, proof_item_id)
        .await?
        .ok_or_else(|| not_on_list(&c.case_no))?;
    Ok((c, p))
}

/// Records a resolution the clerk makes on the case page.
pub async fn resolve(
    app: &App,
    actor: &Actor,
    case_id: i64,
    proof_item_id: i64,
    input: &ResolveInput,
) -> AppResult<CaseDetail> {
    actor.require_staff()?;
    actor.require_any(&CASE_ROLES)?;
    let (method, note) = input.parse()?;
    if method == ResolutionMethod::DataSharing {
        return Err(AppError::field("method", DATA_SHARING_UNAVAILABLE));
    }
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let (c, p) = case_and_proof(&mut tx, actor, case_id, proof_item_id).await?;
    if !p.methods.contains(&method) {
        return Err(AppError::field(
            "method",
            format!(
                "现行清单未规定“{}”可以{}方式办理",
                p.proof_item_name,
                method.label()
            ),
        ));
    }
    // A2 §9: the applicant's own copy is never refused; the other methods need a proof
    // that is not resolved yet.
    if method != ResolutionMethod::ApplicantProvided && p.state != ProofState::Pending {
        return Err(AppError::Conflict(format!(
            "“{}”当前{}，不能改为{}",
            p.proof_item_name,
            p.state.label(),
            method.label()
        )));
    }
    let (state, due, evidence) = match method {
        ResolutionMethod::Proxy => {
            let d = open_due(&mut tx, app, actor, &c, &p, method, now).await?;
            (
                ProofState::InProgress,
                Some(d),
                or(&note, "已转代办员向开具单位调取"),
            )
        }
        ResolutionMethod::DeficiencyAcceptance => {
            let d = open_due(&mut tx, app, actor, &c, &p, method, now).await?;
            (
                ProofState::Deferred,
                Some(d),
                format!("容缺受理，待申请人补正：{}", or(&note, &p.proof_item_name)),
            )
        }
        _ => (
            ProofState::Resolved,
            None,
            or(&note, "申请人自行提供，已当场核对"),
        ),
    };
    let change = Change {
        state,
        method: Some(method),
        evidence: &evidence,
        verification_id: None,
        commitment_id: None,
        deadline_id: due.as_ref().map(|d| d.id),
        by: Some(&actor.name),
        now,
    };
    apply(&mut tx, &p, &change).await?;
    if let Some(old) = p
        .deadline_id
        .filter(|_| method == ResolutionMethod::ApplicantProvided)
    {
        let sys = Actor::system(&actor.operation_id);
        deadlines::complete_in(&mut tx, app, &sys, old).await?;
    }
    // R5.10: the proxy agents (A and B) are told of their task; the applicant gets the
    // deficiency in writing, sealed by the unit.
    let mut notice = None;
    match (method, &due) {
        (ResolutionMethod::Proxy, Some(d)) => {
            super::tasks::notify_agents_in(&mut tx, &c, &p, d.due_at, now).await?;
        }
        (ResolutionMethod::DeficiencyAcceptance, Some(d)) => {
            let missing = or(&note, &p.proof_item_name);
            notice = Some(
                super::tasks::deficiency_notice_in(
                    &mut tx, app, actor, &c, &p, &missing, d.due_at, now,
                )
                .await?,
            );
        }
        _ => {}
    }
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("case.proof.resolve", "case", case_id).detail(json!({
            "proof_item_id": proof_item_id, "method": method, "state": state, "note": note,
            "notice_id": notice,
        })),
    )
    .await?;
    tx.commit().await?;
    detail(app, case_id).await
}

fn or(note: &str, default: &str) -> String {
    if note.is_empty() {
        default.to_owned()
    } else {
        note.to_owned()
    }
}

async fn apply(tx: &mut Tx, p: &CaseProof, change: &Change<'_>) -> AppResult<()> {
    if prepo::update(tx, p.id, p.version, change).await? == 0 {
        return Err(AppError::Conflict(
            "该证明刚刚已被他人处理，请刷新后重试".to_owned(),
        ));
    }
    Ok(())
}

/// The proxy task's or the supplement's deadline, by the setting in force (R5.10).
async fn open_due(
    tx: &mut Tx,
    app: &App,
    actor: &Actor,
    c: &Case,
    p: &CaseProof,
    method: ResolutionMethod,
    now: i64,
) -> AppResult<deadlines::Opened> {
    let (key, setting) = if method == ResolutionMethod::Proxy {
        ("case.proxy", &settings::PROXY_WORKING_DAYS)
    } else {
        ("case.supplement", &settings::SUPPLEMENT_WORKING_DAYS)
    };
    let days = policy::in_force(tx, setting, now).await?;
    let days = u32::try_from(days).map_err(|_| AppError::Internal("时限设置无效".into()))?;
    let start = deadlines::to_utc(now).ok_or_else(|| AppError::Internal("时钟时间无效".into()))?;
    deadlines::open_in(
        tx,
        app,
        actor,
        &NewDeadline {
            subject_type: SubjectType::Case,
            subject_id: format!("{}/proof:{}", c.case_no, p.proof_item_id),
            org_id: c.org_id,
            rule_key: RuleKey::from_static(if key == "case.proxy" {
                "case.proxy"
            } else {
                "case.supplement"
            }),
            start,
            statutory_limit: Some(Period::WorkingDays(days)),
        },
    )
    .await
}

/// The proxy agent obtained the proof from the issuer (with its scan), or the applicant
/// supplied what was missing: the proof is resolved and its deadline done (R5.10).
pub async fn complete(
    app: &App,
    actor: &Actor,
    case_id: i64,
    proof_item_id: i64,
    input: &CompleteInput,
) -> AppResult<CaseDetail> {
    let scan = match input.scan.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(b64) => Some(super::tasks::decode_scan(b64)?),
        None => None,
    };
    complete_with(
        app,
        actor,
        case_id,
        proof_item_id,
        &input.note,
        scan.as_deref(),
    )
    .await
}

/// [`complete`] with the scan as bytes (the page's upload).
pub async fn complete_with(
    app: &App,
    actor: &Actor,
    case_id: i64,
    proof_item_id: i64,
    note: &str,
    scan: Option<&[u8]>,
) -> AppResult<CaseDetail> {
    actor.require_staff()?;
    actor.require_any(&CASE_ROLES)?;
    let note = note.trim();
    if note.is_empty() || note.chars().count() > super::input::MAX_TEXT_CHARS {
        return Err(AppError::field(
            "note",
            "请填写取得的材料（如扫描件编号、开具单位、经办人），不超过500字",
        ));
    }
    let now = app.now_ms();
    // The scan is encrypted at rest; the data key is read before the write lock.
    let sealer = match scan {
        Some(_) => Some(crate::applicants::FileSealer::new(app).await?),
        None => None,
    };
    let mut tx = app.db.begin().await?;
    let c = super::repo::load(&mut tx, case_id).await?;
    actor.require_org(c.org_id)?;
    let p = prepo::one(&mut tx, case_id, proof_item_id)
        .await?
        .ok_or_else(|| not_on_list(&c.case_no))?;
    let deferred = (p.state, p.method)
        == (
            ProofState::Deferred,
            Some(ResolutionMethod::DeficiencyAcceptance),
        );
    let proxy = (p.state, p.method) == (ProofState::InProgress, Some(ResolutionMethod::Proxy));
    // A supplement after its deadline: the unit's rule applies first (if the sweep has not
    // applied it yet); refused, the case is closed and the supplement comes too late.
    if deferred && c.state == CaseState::Open && p.overdue_at.is_none() {
        let due = match p.deadline_id {
            Some(d) => super::repo::tasks::deadline_due(&mut tx, d).await?,
            None => None,
        };
        if proofless_domain::case::is_late(due, now) {
            let sys = Actor::system(&actor.operation_id);
            super::tasks::handle_late_in(&mut tx, app, &sys, case_id, proof_item_id, now).await?;
        }
    }
    let c = super::repo::load(&mut tx, case_id).await?;
    let late_handled = prepo::one(&mut tx, case_id, proof_item_id)
        .await?
        .is_some_and(|x| x.overdue_at.is_some());
    if deferred && late_handled && c.state != CaseState::Open {
        tx.commit().await?;
        return Err(AppError::Conflict(format!(
            "“{}”的补正已逾期，办件 {} 已按本单位规则{}，不能再登记补正",
            p.proof_item_name,
            c.case_no,
            c.outcome.map(|o| o.label()).unwrap_or(c.state.label())
        )));
    }
    let c = open_case_in(&mut tx, case_id).await?;
    if !deferred && !proxy {
        return Err(AppError::Conflict(format!(
            "“{}”不在代办或容缺待补中，无需登记补正",
            p.proof_item_name
        )));
    }
    let evidence = if proxy {
        // R5.10: only the unit's proxy agents (A or B) record what they obtained, with the scan.
        if !super::tasks::is_proxy_agent(&mut tx, actor, c.org_id).await? {
            return Err(AppError::forbidden(
                "只有本单位的代办员（A角或B角）可以登记代办取得的证明",
            ));
        }
        let (Some(bytes), Some(sealer)) = (scan, sealer.as_ref()) else {
            return Err(AppError::field(
                "scan",
                "请上传取得的证明扫描件（PDF、PNG 或 JPEG）",
            ));
        };
        super::tasks::record_scan_in(&mut tx, actor, sealer, &p, case_id, bytes, note, now).await?
    } else {
        if let (Some(bytes), Some(sealer)) = (scan, sealer.as_ref()) {
            super::tasks::record_scan_in(&mut tx, actor, sealer, &p, case_id, bytes, note, now)
                .await?;
        }
        format!("{}；已补正：{note}", p.evidence)
    };
    let change = Change {
        state: ProofState::Resolved,
        method: p.method,
        evidence: &evidence,
        verification_id: None,
        commitment_id: None,
        deadline_id: p.deadline_id,
        by: Some(&actor.name),
        now,
    };
    apply(&mut tx, &p, &change).await?;
    if let Some(d) = p.deadline_id {
        let sys = Actor::system(&actor.operation_id);
        deadlines::complete_in(&mut tx, app, &sys, d).await?;
    }
    if deferred {
        super::tasks::resume_in(&mut tx, app, actor, &c, now).await?;
    }
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("case.proof.complete", "case", case_id).detail(
            json!({"proof_item_id": proof_item_id, "method": p.method, "note": note,
                "scan": scan.is_some()}),
        ),
    )
    .await?;
    tx.commit().await?;
    detail(app, case_id).await
}

/// The clerk records that the applicant was asked for a proof this service's list does
/// not give: a violation record (A5 §4(1), 优化营商环境条例 §44). Nothing is added to the
/// case: there is no free-form required proof.
pub async fn report_demand(
    app: &App,
    actor: &Actor,
    case_id: i64,
    input: &DemandReport,
) -> AppResult<Option<i64>> {
    actor.require_staff()?;
    actor.require_any(&CASE_ROLES)?;
    let (name, note) = input.parse()?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let c = super::repo::load(&mut tx, case_id).await?;
    actor.require_org(c.org_id)?;
    let listed = prepo::of_case(&mut tx, case_id).await?;
    if listed.iter().any(|p| p.proof_item_name == name) {
        return Err(AppError::field(
            "proof_name",
            format!("“{name}”在本办件的证明清单中，请按清单规定的方式办理"),
        ));
    }
    let source_ref = format!("case:{case_id}/demanded:{name}");
    let summary = format!(
        "办件 {} 中，申请人被要求提供清单之外的证明“{name}”{}",
        c.case_no,
        if note.is_empty() {
            String::new()
        } else {
            format!("（{note}）")
        }
    );
    let id = violations::record(
        &mut tx,
        actor,
        now,
        &NewViolation {
            kind: ViolationKind::ProofDemanded,
            source: ViolationSource::Case,
            source_ref: &source_ref,
            org_id: c.org_id,
            staff_id: actor.staff_id(),
            summary: &summary,
            occurred_at: now,
        },
    )
    .await?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("case.demand_reported", "case", case_id)
            .detail(json!({"proof_name": name, "violation_id": id})),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// A verification for the proof of the case was sent (called by the verification
/// workflow in its transaction): refused when the proof is not on the case's list, when the
/// list does not allow verification for it, or after a signed commitment (SPEC R4.2).
pub async fn verification_sent_in(
    tx: &mut Tx,
    actor: &Actor,
    case_id: i64,
    proof_item_id: i64,
    verification_id: i64,
    now: i64,
) -> AppResult<()> {
    let c = open_case_in(tx, case_id).await?;
    let p = prepo::one(tx, case_id, proof_item_id)
        .await?
        .ok_or_else(|| not_on_list(&c.case_no))?;
    if let Some(why) = verification_refusal(p.state, p.method) {
        return Err(AppError::field("proof_item_id", why));
    }
    if !p.methods.contains(&ResolutionMethod::Verification) {
        return Err(AppError::field(
            "proof_item_id",
            format!("现行清单未规定“{}”以部门核验方式办理", p.proof_item_name),
        ));
    }
    let evidence = format!("已发起部门核验（{}）", crate::local_time(now));
    let change = Change {
        state: ProofState::InProgress,
        method: Some(ResolutionMethod::Verification),
        evidence: &evidence,
        verification_id: Some(verification_id),
        commitment_id: p.commitment_id,
        deadline_id: p.deadline_id,
        by: Some(&actor.name),
        now,
    };
    apply(tx, &p, &change).await
}

/// The verification was answered or returned: its proof is resolved with the reply as
/// evidence (SPEC R6.1). A verification linked to no case proof changes nothing.
pub async fn verification_ended_in(
    tx: &mut Tx,
    actor: &Actor,
    verification_id: i64,
    evidence: &str,
    now: i64,
) -> AppResult<()> {
    let Some((case_id, item)) = prepo::by_verification(tx, verification_id).await? else {
        return Ok(());
    };
    let Some(p) = prepo::one(tx, case_id, item).await? else {
        return Ok(());
    };
    if p.verification_id != Some(verification_id) || p.state == ProofState::Resolved {
        return Ok(());
    }
    let change = Change {
        state: ProofState::Resolved,
        method: Some(ResolutionMethod::Verification),
        evidence,
        verification_id: Some(verification_id),
        commitment_id: p.commitment_id,
        deadline_id: p.deadline_id,
        by: Some(&actor.name),
        now,
    };
    apply(tx, &p, &change).await
}

/// The applicant signed a commitment for the proof (called by the commitment workflow in
/// its transaction): the proof is resolved, and from now on the unit may not ask for it in
/// this case (SPEC R4.2). A case without that proof on its list changes nothing (the
/// commitment workflow checks the list itself).
pub async fn commitment_signed_in(
    tx: &mut Tx,
    actor: &Actor,
    case_id: i64,
    proof_item_id: i64,
    commitment_id: i64,
    now: i64,
) -> AppResult<()> {
    let Some(p) = prepo::one(tx, case_id, proof_item_id).await? else {
        return Ok(());
    };
    let evidence = format!("申请人已签署告知承诺书（承诺 #{commitment_id}）");
    let change = Change {
        state: ProofState::Resolved,
        method: Some(ResolutionMethod::Commitment),
        evidence: &evidence,
        verification_id: p.verification_id,
        commitment_id: Some(commitment_id),
        deadline_id: p.deadline_id,
        by: Some(&actor.name),
        now,
    };
    apply(tx, &p, &change).await
}

/// The applicant withdrew the commitment before the decision (R4.6): the proof goes back
/// to be resolved by the original procedure.
pub async fn commitment_withdrawn_in(
    tx: &mut Tx,
    actor: &Actor,
    case_id: i64,
    proof_item_id: i64,
    commitment_id: i64,
    now: i64,
) -> AppResult<()> {
    let Some(p) = prepo::one(tx, case_id, proof_item_id).await? else {
        return Ok(());
    };
    if p.commitment_id != Some(commitment_id) {
        return Ok(());
    }
    let evidence = format!("申请人已撤回告知承诺（承诺 #{commitment_id}），按原程序办理");
    let change = Change {
        state: ProofState::Pending,
        method: None,
        evidence: &evidence,
        verification_id: None,
        commitment_id: None,
        deadline_id: None,
        by: Some(&actor.name),
        now,
    };
    apply(tx, &p, &change).await
}

/// The data-sharing pull delivered the e-licence or e-proof for the proof (R3.2): resolved
/// with the extract's reference as evidence. For the data-sharing workflow to call in its
/// transaction once it lands (issue #18).
pub async fn resolve_shared(
    tx: &mut Tx,
    actor: &Actor,
    case_id: i64,
    proof_item_id: i64,
    evidence_ref: &str,
    now_ms: i64,
) -> AppResult<()> {
    let (_, p) = case_and_proof(tx, actor, case_id, proof_item_id).await?;
    if !p.methods.contains(&ResolutionMethod::DataSharing) {
        return Err(AppError::field(
            "proof_item_id",
            format!("现行清单未规定“{}”以数据共享方式办理", p.proof_item_name),
        ));
    }
    let evidence = format!("数据共享调取：{evidence_ref}");
    let change = Change {
        state: ProofState::Resolved,
        method: Some(ResolutionMethod::DataSharing),
        evidence: &evidence,
        verification_id: p.verification_id,
        commitment_id: p.commitment_id,
        deadline_id: p.deadline_id,
        by: Some(&actor.name),
        now: now_ms,
    };
    apply(tx, &p, &change).await?;
    audit::append(
        tx,
        actor,
        now_ms,
        Entry::new("case.proof.resolve", "case", case_id).detail(json!({
            "proof_item_id": proof_item_id, "method": ResolutionMethod::DataSharing,
            "evidence_ref": evidence_ref,
        })),
    )
    .await
}
