//! Proxy service (干部代办) and deficiency acceptance (容缺受理), SPEC R5.10, P 三(二)3,
//! A2 §5–§6.
//!
//! A proxy task is a proof of a case handed to the requesting unit's proxy agents: every
//! holder of a proxy agent post, A and B, sees it in the unit's proxy inbox; only a proxy
//! agent records what was obtained (a scan with its SM3 hash, who, when). Its deadline is
//! the `cases.proxy_working_days` setting in the deadline engine; once due, the sweep
//! escalates it like an overdue verification: the unit and the joint office are told and a
//! violation record is made (A5 §4).
//!
//! A deficiency accepted gives the applicant a written notice sealed by the unit: what is
//! missing, the supplement deadline and what follows a late supplement — the rule the unit
//! set (a versioned unit setting: suspend or refuse), fixed when accepted. A supplement on
//! time resolves the proof; once due, the sweep applies the rule and records it.

use base64::Engine as _;
use proofless_domain::case::{CaseOutcome, CaseState, LateRule, ResolutionMethod};
use proofless_domain::notification::NotificationKind;
use proofless_domain::role::{ActorKind, Role};
use proofless_domain::seal::SealKind;
use proofless_domain::violation::{ViolationKind, ViolationSource};
use proofless_store::{Exec, Tx};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::repo::proofs::CaseProof;
use super::repo::tasks::{self as trepo, LateRuleVersion, ProxyTask, Scan};
use super::service::{Case, close_in};
use crate::App;
use crate::actor::Actor;
use crate::applicants::{self, FileSealer};
use crate::audit::{self, Entry};
use crate::deadlines;
use crate::error::{AppError, AppResult};
use crate::jobs::BoxFuture;
use crate::notifications::{self, Recipient};
use crate::seals::{self, ToSeal};
use crate::violations::{self, NewViolation};

/// Largest scan a proxy agent records (a page or two scanned as PDF, PNG or JPEG).
pub const MAX_SCAN_BYTES: usize = 512 * 1024;

/// A page of the unit's proxy tasks.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProxyTaskPage {
    pub items: Vec<ProxyTask>,
    pub total: i64,
}

/// Whether the actor is a proxy agent of the unit: the role there, or a proxy agent post
/// held as A or B (A2 §6). The system acts for every unit.
pub(crate) async fn is_proxy_agent(
    ex: &mut impl Exec,
    actor: &Actor,
    org_id: i64,
) -> AppResult<bool> {
    if actor.kind == ActorKind::System {
        return Ok(true);
    }
    if actor.org_id != Some(org_id) {
        return Ok(false);
    }
    if actor.has(Role::ProxyAgent) {
        return Ok(true);
    }
    match actor.staff_id() {
        Some(sid) => trepo::holds_proxy_post(ex, org_id, sid).await,
        None => Ok(false),
    }
}

fn not_an_agent() -> AppError {
    AppError::forbidden("只有本单位的代办员（A角或B角）可以办理代办任务")
}

/// The unit's open proxy tasks, most urgent first (A and B see the same inbox).
pub async fn proxy_inbox(
    app: &App,
    actor: &Actor,
    limit: i64,
    offset: i64,
) -> AppResult<ProxyTaskPage> {
    actor.require_staff()?;
    let org = actor
        .org_id
        .ok_or_else(|| AppError::forbidden("代办任务按单位查看"))?;
    let mut r = app.db.reader();
    if !is_proxy_agent(&mut r, actor, org).await? {
        return Err(not_an_agent());
    }
    let (items, total) =
        trepo::proxy_tasks(&mut r, org, limit.clamp(1, 200), offset.max(0)).await?;
    Ok(ProxyTaskPage { items, total })
}

/// How many proxy tasks wait for the actor's unit; `None` when the actor is no proxy agent.
pub async fn proxy_count(app: &App, actor: &Actor) -> AppResult<Option<i64>> {
    let Some(org) = actor.org_id else {
        return Ok(None);
    };
    let mut r = app.db.reader();
    if actor.kind != ActorKind::Staff || !is_proxy_agent(&mut r, actor, org).await? {
        return Ok(None);
    }
    Ok(Some(trepo::proxy_count(&mut r, org).await?))
}

/// The kind of a scan, by its first bytes: PDF, PNG or JPEG, nothing else.
pub fn scan_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a]) {
        Some("image/png")
    } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        Some("image/jpeg")
    } else {
        None
    }
}

/// A scan as sent: checked for size and kind.
pub(crate) fn checked_scan(bytes: &[u8]) -> AppResult<&'static str> {
    if bytes.is_empty() {
        return Err(AppError::field(
            "scan",
            "请上传取得的证明扫描件（PDF、PNG 或 JPEG）",
        ));
    }
    if bytes.len() > MAX_SCAN_BYTES {
        return Err(AppError::field("scan", "扫描件不能超过 512 KB"));
    }
    scan_type(bytes).ok_or_else(|| AppError::field("scan", "扫描件须为 PDF、PNG 或 JPEG 文件"))
}

/// The scan from the API's base64 text.
pub fn decode_scan(b64: &str) -> AppResult<Vec<u8>> {
    if b64.len() > MAX_SCAN_BYTES * 4 / 3 + 8 {
        return Err(AppError::field("scan", "扫描件不能超过 512 KB"));
    }
    base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .map_err(|_| AppError::field("scan", "扫描件须为 base64 编码的 PDF、PNG 或 JPEG 文件"))
}

/// Records the scan inside the proxy completion's transaction, encrypted at rest under the
/// data key `sealer` holds (the scan names the applicant); returns the evidence words.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn record_scan_in(
    tx: &mut Tx,
    actor: &Actor,
    sealer: &FileSealer,
    p: &CaseProof,
    case_id: i64,
    bytes: &[u8],
    note: &str,
    now: i64,
) -> AppResult<String> {
    let content_type = checked_scan(bytes)?;
    let sm3 = proofless_seal::sm3_hex(bytes);
    let sealed = sealer.scan(bytes)?;
    let id = trepo::insert_scan(
        tx,
        &trepo::NewScan {
            case_id,
            proof_item_id: p.proof_item_id,
            content_type,
            content: &sealed,
            size: bytes.len(),
            sm3: &sm3,
            note,
            by: &actor.name,
            by_staff: actor.staff_id(),
            now,
        },
    )
    .await?;
    Ok(format!(
        "代办员 {} 于 {} 登记取得：{note}（扫描件 #{id}，{} 字节，SM3 {}…）",
        actor.name,
        crate::local_time(now),
        bytes.len(),
        &sm3[..16.min(sm3.len())]
    ))
}

/// The latest scan of the proof, to staff of the case's unit; the read is audited (the scan
/// carries the applicant's personal data).
pub async fn scan(app: &App, actor: &Actor, case_id: i64, proof_item_id: i64) -> AppResult<Scan> {
    actor.require_staff()?;
    let c = super::repo::load(&mut app.db.reader(), case_id).await?;
    actor.require_see_org(c.org_id)?;
    let mut s = trepo::latest_scan(&mut app.db.reader(), case_id, proof_item_id)
        .await?
        .ok_or_else(|| AppError::NotFound("该证明没有代办扫描件".to_owned()))?;
    s.content =
        applicants::open_scan(app, s.content_key_version, std::mem::take(&mut s.content)).await?;
    let mut tx = app.db.begin().await?;
    audit::append(
        &mut tx,
        actor,
        app.now_ms(),
        Entry::new("case.scan.read", "case", case_id)
            .subject(format!("{}:{}", c.applicant_kind.as_str(), c.applicant_id))
            .purpose("办件办理")
            .detail(json!({"proof_item_id": proof_item_id, "scan_id": s.id})),
    )
    .await?;
    tx.commit().await?;
    Ok(s)
}

/// Tells the unit's proxy agents (A and B; the unit when it has no post) of a new task.
pub(crate) async fn notify_agents_in(
    tx: &mut Tx,
    c: &Case,
    p: &CaseProof,
    due_at: Option<i64>,
    now: i64,
) -> AppResult<()> {
    let text = format!(
        "【干部代办】办件 {} 需代为向开具单位调取“{}”{}。",
        c.case_no,
        p.proof_item_name,
        due_at
            .map(|d| format!("，请于 {} 前办结", crate::local_time(d)))
            .unwrap_or_default()
    );
    let agents = trepo::proxy_agents(tx, c.org_id).await?;
    let to: Vec<Recipient> = if agents.is_empty() {
        vec![Recipient::Org(c.org_id)]
    } else {
        agents.into_iter().map(Recipient::Staff).collect()
    };
    for r in to {
        // An agent goes to the task's card in the inbox; a unit without proxy agents (whose
        // staff have no inbox) to the proof on the case page.
        let (key, link) = match &r {
            Recipient::Staff(s) => (
                format!("case:{}:proxy:{}:staff:{s}", c.id, p.proof_item_id),
                format!("/cases/proxy#task-{}-{}", c.id, p.proof_item_id),
            ),
            _ => (
                format!("case:{}:proxy:{}:org", c.id, p.proof_item_id),
                format!("/cases/{}#proof-{}", c.id, p.proof_item_id),
            ),
        };
        notifications::insert_in(tx, &r, NotificationKind::ProxyTask, &text, &link, &key, now)
            .await?;
    }
    Ok(())
}

/// The unit's rule for a late supplement in force on the day of `at_ms`.
pub(crate) async fn late_rule_at(
    ex: &mut impl Exec,
    org_id: i64,
    at_ms: i64,
) -> AppResult<LateRule> {
    let versions = trepo::late_rules(ex, org_id).await?;
    let v: Vec<(i64, &str, LateRule)> = versions
        .iter()
        .map(|v| (v.version, v.effective_from.as_str(), v.rule))
        .collect();
    Ok(proofless_domain::case::late_rule_in_force(
        &v,
        &local_date(at_ms),
    ))
}

fn local_date(ms: i64) -> String {
    deadlines::to_utc(ms)
        .map(|t| {
            t.with_timezone(&crate::beijing())
                .format("%Y-%m-%d")
                .to_string()
        })
        .unwrap_or_default()
}

/// Seals the written notice of the deficiency (what is missing, by when, what follows a
/// late supplement) and records it on the proof; returns the notice's public id.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn deficiency_notice_in(
    tx: &mut Tx,
    app: &App,
    actor: &Actor,
    c: &Case,
    p: &CaseProof,
    missing: &str,
    due_at: Option<i64>,
    now: i64,
) -> AppResult<String> {
    let rule = late_rule_at(tx, c.org_id, now).await?;
    let n = super::repo::names(tx, c.id).await?;
    let due = due_at.map(crate::local_time).unwrap_or_default();
    let body = json!({
        "title": "容缺受理告知书",
        "case_no": c.case_no,
        "unit": n.org_name,
        "service_item": n.service_item_name,
        "applicant": n.applicant_name,
        "proof": p.proof_item_name,
        "missing": missing,
        "supplement_by": due,
        "if_late": rule.label(),
        "text": format!(
            "您申请办理的“{}”（办件 {}）已容缺受理。所缺材料：{missing}。请于 {due} 前补正；逾期未补正的，本单位将{}。",
            n.service_item_name, c.case_no, rule.label()
        ),
        "issued_at": crate::local_time(now),
    });
    let id = seals::seal(
        app,
        tx,
        actor,
        ToSeal {
            org_id: c.org_id,
            kind: SealKind::DeficiencyNotice,
            object_type: "case",
            object_id: format!("{}/proof:{}", c.case_no, p.proof_item_id),
            body: &body,
        },
    )
    .await?;
    trepo::set_deficiency(tx, p.id, missing, &id, rule).await?;
    Ok(id)
}

/// A unit's late-supplement rule: the one in force and every version.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LateRules {
    pub in_force: LateRule,
    pub in_force_label: String,
    pub versions: Vec<LateRuleVersion>,
}

/// A new version of the unit's rule for a late supplement.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct LateRuleInput {
    /// `suspend` (中止办理) or `refuse` (不予办理).
    pub rule: String,
    /// YYYY-MM-DD, today or later (no back-dated versions).
    pub effective_from: String,
    /// Why (optional).
    #[serde(default)]
    pub note: String,
}

/// The actor's unit's rule for a late supplement.
pub async fn late_rules(app: &App, actor: &Actor) -> AppResult<LateRules> {
    actor.require_staff()?;
    let org = actor
        .org_id
        .ok_or_else(|| AppError::forbidden("容缺受理规则按单位设置"))?;
    let mut r = app.db.reader();
    let versions = trepo::late_rules(&mut r, org).await?;
    let in_force = late_rule_at(&mut r, org, app.now_ms()).await?;
    Ok(LateRules {
        in_force,
        in_force_label: in_force.label().to_owned(),
        versions,
    })
}

/// The unit administrator sets a new version of the unit's rule (audited).
pub async fn set_late_rule(
    app: &App,
    actor: &Actor,
    input: &LateRuleInput,
) -> AppResult<LateRules> {
    actor.require_staff()?;
    actor.require_any(&[Role::UnitAdmin])?;
    let org = actor
        .org_id
        .ok_or_else(|| AppError::forbidden("容缺受理规则按单位设置"))?;
    let now = app.now_ms();
    let mut p = crate::error::Problems::default();
    let rule = LateRule::parse(&input.rule);
    if rule.is_none() {
        p.add("rule", "规则须为 suspend（中止办理）或 refuse（不予办理）");
    }
    let from = chrono::NaiveDate::parse_from_str(input.effective_from.trim(), "%Y-%m-%d").ok();
    let today = local_date(now);
    match from {
        None => p.add("effective_from", "生效日期须为 YYYY-MM-DD 格式的日期"),
        Some(d) if d.format("%Y-%m-%d").to_string() < today => {
            p.add("effective_from", "生效日期不能早于今天（不得追溯调整）")
        }
        Some(_) => {}
    }
    let note = input.note.trim();
    if note.chars().count() > super::input::MAX_TEXT_CHARS {
        p.add("note", "说明不能超过500字");
    }
    p.into_result()?;
    let (Some(rule), Some(from)) = (rule, from) else {
        return Err(AppError::Internal("校验失败".into()));
    };
    let from = from.format("%Y-%m-%d").to_string();
    let mut tx = app.db.begin().await?;
    let version =
        trepo::insert_late_rule(&mut tx, org, rule, &from, note, &actor.name, now).await?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("case.late_rule.version", "org", org).detail(json!({
            "version": version, "rule": rule, "effective_from": from, "note": note,
        })),
    )
    .await?;
    tx.commit().await?;
    late_rules(app, actor).await
}

/// The sweep of proxy tasks and supplements whose deadline has passed (R5.10).
pub fn overdue_sweep<'a>(app: &'a App, runner: &'a str) -> BoxFuture<'a, usize> {
    Box::pin(escalate_late(app, runner))
}

/// Escalates every late proxy task and applies the unit's rule to every late supplement,
/// one transaction each; returns how many.
pub async fn escalate_late(app: &App, runner: &str) -> AppResult<usize> {
    let sys = Actor::system(&format!("jobs:{runner}"));
    let mut total = 0;
    loop {
        let now = app.now_ms();
        let late = trepo::late_ones(&mut app.db.reader(), now, 100).await?;
        if late.is_empty() {
            return Ok(total);
        }
        let mut any = false;
        for l in &late {
            let mut tx = app.db.begin().await?;
            match handle_late_in(&mut tx, app, &sys, l.case_id, l.proof_item_id, now).await {
                Ok(done) => {
                    tx.commit().await?;
                    if done {
                        total += 1;
                        any = true;
                    }
                }
                // One case that cannot be handled does not hold up the others; it is
                // tried again on the next pass.
                Err(e) => {
                    drop(tx);
                    tracing::warn!(case_id = l.case_id, error = %e, "逾期代办或补正处理失败");
                }
            }
        }
        if !any || late.len() < 100 {
            return Ok(total);
        }
    }
}

/// Handles one late proof once: a proxy task is escalated (notifications and a violation
/// record), a supplement follows the rule fixed at acceptance. False when it was done before.
pub(crate) async fn handle_late_in(
    tx: &mut Tx,
    app: &App,
    actor: &Actor,
    case_id: i64,
    proof_item_id: i64,
    now: i64,
) -> AppResult<bool> {
    let c = super::repo::load(tx, case_id).await?;
    let Some(p) = super::repo::proofs::one(tx, case_id, proof_item_id).await? else {
        return Ok(false);
    };
    if c.state != CaseState::Open || p.overdue_at.is_some() {
        return Ok(false);
    }
    if trepo::mark_overdue(tx, p.id, now).await? == 0 {
        return Ok(false);
    }
    let link = format!("/cases/{case_id}");
    match p.method {
        Some(ResolutionMethod::Proxy) => {
            let summary = format!(
                "办件 {} 的干部代办任务“{}”逾期未办结",
                c.case_no, p.proof_item_name
            );
            violations::record(
                tx,
                actor,
                now,
                &NewViolation {
                    kind: ViolationKind::WeakImplementation,
                    source: ViolationSource::Case,
                    source_ref: &format!("case:{case_id}/proxy:{proof_item_id}"),
                    org_id: c.org_id,
                    staff_id: None,
                    summary: &summary,
                    occurred_at: now,
                },
            )
            .await?;
            let text = format!("【代办逾期】{summary}，请代办员（A/B角）尽快办结。");
            for (to, who) in [
                (Recipient::Org(c.org_id), "org"),
                (Recipient::Role(Role::JointOffice), "joint"),
            ] {
                notifications::insert_in(
                    tx,
                    &to,
                    NotificationKind::Overdue,
                    &text,
                    &link,
                    &format!("case:{case_id}:proxy:{proof_item_id}:overdue:{who}"),
                    now,
                )
                .await?;
            }
            audit::append(
                tx,
                actor,
                now,
                Entry::new("case.proxy.overdue", "case", case_id)
                    .detail(json!({"proof_item_id": proof_item_id, "deadline_id": p.deadline_id})),
            )
            .await?;
        }
        Some(ResolutionMethod::DeficiencyAcceptance) => {
            let rule = p.late_rule.unwrap_or(LateRule::DEFAULT);
            let reason = format!(
                "容缺受理的“{}”逾期未补正（所缺：{}），按本单位规则{}",
                p.proof_item_name,
                if p.missing.is_empty() {
                    p.proof_item_name.as_str()
                } else {
                    p.missing.as_str()
                },
                rule.label()
            );
            match rule {
                LateRule::Suspend => {
                    trepo::suspend_case(tx, case_id, &reason, now).await?;
                    // The assessment clock stops (unless a verification stopped it already);
                    // a clock that cannot be stopped any more (e.g. already overdue) stays.
                    if c.waiting == 0 {
                        match deadlines::suspend_in(
                            tx,
                            app,
                            actor,
                            c.assessment_deadline_id,
                            "容缺受理逾期未补正，中止办理",
                        )
                        .await
                        {
                            Ok(_) | Err(AppError::Conflict(_)) => {}
                            Err(e) => return Err(e),
                        }
                    }
                }
                LateRule::Refuse => {
                    close_in(
                        tx,
                        app,
                        actor,
                        &c,
                        CaseState::Decided,
                        Some((CaseOutcome::Refused, &reason)),
                    )
                    .await?;
                }
            }
            notifications::insert_in(
                tx,
                &Recipient::Org(c.org_id),
                NotificationKind::Overdue,
                &format!("【补正逾期】办件 {}：{reason}。", c.case_no),
                &link,
                &format!("case:{case_id}:supplement:{proof_item_id}:late"),
                now,
            )
            .await?;
            audit::append(
                tx,
                actor,
                now,
                Entry::new("case.supplement.late", "case", case_id).detail(json!({
                    "proof_item_id": proof_item_id, "rule": rule, "reason": reason,
                })),
            )
            .await?;
        }
        _ => {}
    }
    Ok(true)
}

/// A supplement that came after a suspension: the case resumes (its clock restarts unless
/// it still waits on a verification).
pub(crate) async fn resume_in(
    tx: &mut Tx,
    app: &App,
    actor: &Actor,
    c: &Case,
    now: i64,
) -> AppResult<()> {
    if c.suspended_at.is_none() || trepo::resume_case(tx, c.id, now).await? == 0 {
        return Ok(());
    }
    if c.waiting == 0 {
        let sys = Actor::system(&actor.operation_id);
        match deadlines::resume_in(tx, app, &sys, c.assessment_deadline_id).await {
            Ok(_) | Err(AppError::Conflict(_)) => {}
            Err(e) => return Err(e),
        }
    }
    audit::append(
        tx,
        actor,
        now,
        Entry::new("case.resume", "case", c.id).detail(json!({"after": c.suspend_reason})),
    )
    .await
}
