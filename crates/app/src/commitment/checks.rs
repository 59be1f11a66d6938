//! Post-checks (核查): the supervising department's inspectors see their due checks and
//! record the result with evidence; results go to the credit office as credit records, a
//! false commitment opens the blacklist due process (R4.3, R4.8). The daily sampling run
//! draws the sampled commitments at their band's rate (R4.3).

use proofless_domain::commitment::{self as rules, CheckResult, consequence_label, state};
use proofless_domain::credit::RecordKind;
use proofless_domain::role::Role;
use proofless_store::{Tx, q};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{Commitment, load};
use crate::App;
use crate::actor::Actor;
use crate::audit::{self, Entry};
use crate::credit;
use crate::error::{AppError, AppResult, Problems};
use crate::notifications::{self, Recipient};

pub const KIND_SAMPLING: &str = "commitment.sampling";

/// A check due at the inspector's unit.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct DueCheck {
    pub commitment_id: i64,
    pub proof_item_name: String,
    pub org_name: String,
    pub signer_name: String,
    pub plan_kind: String,
    pub method: Option<String>,
    pub signed_at: i64,
    pub deadline_id: Option<i64>,
    pub due_at: Option<i64>,
    pub deadline_state: Option<String>,
}

/// Checks waiting at the actor's unit (inspectors), the soonest due first.
pub async fn due(app: &App, actor: &Actor) -> AppResult<Vec<DueCheck>> {
    actor.require_any(&[Role::Inspector, Role::UnitAdmin, Role::SystemAdmin])?;
    let org = actor.org_id.unwrap_or(-1);
    let rows: Vec<DueCheck> = app
        .db
        .reader()
        .fetch_all(
            q("SELECT c.id AS commitment_id, p.name AS proof_item_name, o.name AS org_name, ps.name AS signer_name, \
               c.plan_kind, c.method, c.signed_at, c.deadline_id, d.due_at, d.state AS deadline_state \
               FROM commitments c JOIN proof_items p ON p.id = c.proof_item_id JOIN orgs o ON o.id = c.org_id \
               JOIN persons ps ON ps.id = c.person_id JOIN deadlines d ON d.id = c.deadline_id \
               WHERE c.supervising_org_id = ? AND c.state = ? \
               ORDER BY d.due_at LIMIT 500")
            .bind(org)
            .bind(state::SIGNED),
        )
        .await?;
    // The list names the signers: a read of personal data, on record with its purpose.
    let ids: Vec<i64> = rows.iter().map(|r| r.commitment_id).collect();
    crate::audit::record_read(
        &app.db,
        actor,
        app.now_ms(),
        crate::audit::Entry::new("commitment.checks.list", "org", org)
            .purpose("承诺事后核查待办（R4.3）")
            .detail(serde_json::json!({"commitment_ids": ids})),
    )
    .await?;
    Ok(rows)
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResultInput {
    /// `kept` (承诺属实), `false` (虚假承诺), `could_not_check` (无法核查).
    pub result: String,
    /// What was checked and found (记录核查证据).
    pub evidence: String,
    /// For a false commitment: `end_processing`, `order_rectification`, `revoke_decision`,
    /// `penalty` (国办发〔2020〕42号).
    pub consequence: Option<String>,
}

/// Records a check result (inspector of the supervising department).
pub async fn record_result(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &ResultInput,
) -> AppResult<Commitment> {
    actor.require_any(&[Role::Inspector])?;
    let mut p = Problems::default();
    let result = CheckResult::parse(&input.result);
    if result.is_none() {
        p.add(
            "result",
            "核查结果应为 kept（承诺属实）、false（虚假承诺）或 could_not_check（无法核查）",
        );
    }
    let ev = input.evidence.trim().chars().count();
    if ev < 2 {
        p.add("evidence", "请记录核查证据（核查了什么、发现了什么）");
    } else if ev > 10_000 {
        p.add("evidence", "核查证据不能超过10000字");
    }
    let consequence = input
        .consequence
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    match (result, consequence) {
        (Some(CheckResult::False), None) => p.add(
            "consequence",
            "虚假承诺须选择处理措施：终止办理、责令限期整改、撤销行政决定或依法予以行政处罚",
        ),
        (Some(CheckResult::False), Some(c)) if consequence_label(c).is_none() => p.add(
            "consequence",
            format!("处理措施“{}”无效", c.chars().take(40).collect::<String>()),
        ),
        (Some(r), Some(_)) if r != CheckResult::False => {
            p.add("consequence", "只有虚假承诺才需要处理措施")
        }
        _ => {}
    }
    p.into_result()?;
    let Some(result) = result else {
        return Err(AppError::Internal("校验失败".to_owned()));
    };
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let c = load(&mut tx, id).await?;
    actor.require_org(c.supervising_org_id)?;
    if c.state != state::SIGNED {
        return Err(AppError::Conflict(match c.state.as_str() {
            state::WITHDRAWN => "该承诺已撤回，无需核查".to_owned(),
            _ => "该承诺已有核查结果".to_owned(),
        }));
    }
    tx.execute(
        q("UPDATE commitments SET state = ?, result = ?, evidence = ?, consequence = ?, checked_by = ?, checked_at = ?, \
           version = version + 1 WHERE id = ? AND state = ?")
        .bind(result.state())
        .bind(result.as_str())
        .bind(input.evidence.trim())
        .bind(consequence)
        .bind(&actor.name)
        .bind(now)
        .bind(id)
        .bind(state::SIGNED),
    )
    .await?;
    if let Some(d) = c.deadline_id {
        tx.execute(
            q("UPDATE deadlines SET state = 'done', done_at = ?, updated_at = ?, version = version + 1 \
               WHERE id = ? AND state IN ('open', 'suspended', 'overdue')")
            .bind(now)
            .bind(now)
            .bind(d),
        )
        .await?;
    }
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("commitment.check", "commitment", id)
            .subject(&c.subject_ref)
            .detail(json!({"result": result.as_str(), "consequence": consequence})),
    )
    .await?;
    let record_kind = match result {
        CheckResult::Kept => Some(RecordKind::CommitmentKept),
        CheckResult::False => Some(RecordKind::CommitmentFalse),
        CheckResult::CouldNotCheck => None,
    };
    if let Some(kind) = record_kind {
        credit::add_record_in(
            &mut tx,
            actor,
            &c.subject_ref,
            kind,
            Some(id),
            actor.org_id,
            &format!(
                "“{}”告知承诺经{}核查：{}",
                c.proof_item_name,
                c.supervising_org_name,
                result.label()
            ),
            now,
        )
        .await?;
    }
    notifications::insert_in(
        &mut tx,
        &Recipient::Role(proofless_domain::role::Role::CreditOffice),
        proofless_domain::notification::NotificationKind::CommitmentResult,
        &format!(
            "【核查结果】承诺 #{id}（{}）核查结果：{}。",
            c.proof_item_name,
            result.label()
        ),
        &format!("/commitments/{id}"),
        &format!("commitment:result:{id}"),
        now,
    )
    .await?;
    if result == CheckResult::False {
        let consequence_text = consequence.and_then(consequence_label).unwrap_or_default();
        notifications::insert_in(
            &mut tx,
            &Recipient::Org(c.org_id),
            proofless_domain::notification::NotificationKind::CommitmentFalse,
            &format!(
                "【虚假承诺】办件 #{} 的“{}”承诺经核查不实，处理措施：{consequence_text}。",
                c.case_id, c.proof_item_name
            ),
            &format!("/commitments/{id}"),
            &format!("commitment:false:{id}"),
            now,
        )
        .await?;
        credit::blacklist::propose_in(
            &mut tx,
            actor,
            &c.subject_ref,
            id,
            &format!(
                "“{}”告知承诺经核查为虚假承诺（{consequence_text}），拟列入虚假承诺黑名单",
                c.proof_item_name
            ),
            now,
        )
        .await?;
    }
    let out = load(&mut tx, id).await?;
    tx.commit().await?;
    Ok(out)
}

/// What one sampling run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct SamplingReport {
    pub considered: i64,
    pub drawn: i64,
    pub not_drawn: i64,
}

/// Rows considered per transaction.
const SAMPLING_BATCH: i64 = 5000;

/// The daily sampling run: every commitment waiting for a draw is drawn at its band's rate
/// (reproducible from the run's seed); a drawn one gets its check deadline at the
/// supervising department, the others stay under routine supervision. One transaction per
/// batch, so a long run never holds the writer for long.
pub async fn run_sampling(app: &App, actor: &Actor, seed: u64) -> AppResult<SamplingReport> {
    actor.require_any(&[Role::SystemAdmin, Role::JointOffice])?;
    let mut report = SamplingReport::default();
    let mut after = 0i64;
    loop {
        let mut tx = app.db.begin().await?;
        let last = sample_batch_in(&mut tx, app, actor, seed, after, &mut report).await?;
        tx.commit().await?;
        match last {
            Some(l) => after = l,
            None => break,
        }
    }
    Ok(report)
}

/// The sampling job of one day, run by the jobs runner inside its claiming transaction.
pub async fn run_sampling_in(tx: &mut Tx, app: &App, seed: u64) -> AppResult<SamplingReport> {
    let sys = Actor::system("job:commitment.sampling");
    let mut report = SamplingReport::default();
    let mut after = 0i64;
    while let Some(l) = sample_batch_in(tx, app, &sys, seed, after, &mut report).await? {
        after = l;
    }
    Ok(report)
}

/// Enqueues the next daily sampling run (idempotent per day): at 01:00 Beijing time on
/// the day after `now`, seeded by that date.
pub(crate) async fn enqueue_next_sampling(tx: &mut Tx, now: i64) -> AppResult<()> {
    use chrono::TimeZone;
    let local = crate::deadlines::to_utc(now)
        .map(|t| t.with_timezone(&crate::beijing()).date_naive())
        .unwrap_or_default();
    let next = local.succ_opt().unwrap_or(local);
    let at = next
        .and_hms_opt(1, 0, 0)
        .and_then(|t| crate::beijing().from_local_datetime(&t).single())
        .map(|t| t.timestamp_millis())
        .unwrap_or(now);
    let seed: u64 = next.format("%Y%m%d").to_string().parse().unwrap_or(0);
    crate::jobs::enqueue_in(
        tx,
        KIND_SAMPLING,
        &format!("commitment:sampling:{next}"),
        at,
        &json!({"seed": seed}),
        now,
    )
    .await
}

/// Draws one batch of pending commitments with `id > after`; the last id, or `None` when
/// nothing was left.
async fn sample_batch_in(
    tx: &mut Tx,
    app: &App,
    actor: &Actor,
    seed: u64,
    after: i64,
    report: &mut SamplingReport,
) -> AppResult<Option<i64>> {
    let now = app.now_ms();
    let rows: Vec<(i64, i64, i64, i64)> = tx
        .fetch_all(
            q(
                "SELECT id, sample_permille, supervising_org_id, within_wd FROM commitments \
               WHERE sample_state = 'pending' AND id > ? ORDER BY id LIMIT ?",
            )
            .bind(after)
            .bind(SAMPLING_BATCH),
        )
        .await?;
    let Some(last) = rows.last().map(|r| r.0) else {
        return Ok(None);
    };
    let mut not_drawn: Vec<i64> = vec![];
    let mut drawn: Vec<(i64, i64, i64)> = vec![];
    for (id, permille, org, within) in &rows {
        if rules::drawn(*id, seed, *permille) {
            drawn.push((*id, *org, *within));
        } else {
            not_drawn.push(*id);
        }
    }
    // Drawn ones are marked together with their new deadline (one write per row).
    for chunk in not_drawn.chunks(500) {
        let mut query = q(format!(
            "UPDATE commitments SET sample_state = 'not_drawn', drawn_at = ? WHERE id IN ({})",
            proofless_store::Query::placeholders(chunk.len())
        ))
        .bind(now);
        for id in chunk {
            query = query.bind(*id);
        }
        tx.execute(query).await?;
    }
    open_checks_bulk_in(tx, app, actor, &drawn, now).await?;
    let drawn = drawn.len() as i64;
    report.drawn += drawn;
    report.not_drawn += not_drawn.len() as i64;
    report.considered += rows.len() as i64;
    audit::append(
        tx,
        actor,
        now,
        Entry::new(
            "commitment.sampling",
            "commitment",
            format!("{}..{last}", after + 1),
        )
        .detail(json!({
            "seed": seed, "considered": rows.len(), "drawn": drawn, "not_drawn": not_drawn.len(),
        })),
    )
    .await?;
    Ok(Some(last))
}

/// Opens the check deadlines of many drawn commitments at once: each deadline row is
/// computed by the deadline engine's own `recompute` (rule `commitment.post_check`, the
/// plan's N working days as statutory limit) and inserted 200 per statement; one audit row
/// and one notification per supervising department for the batch.
async fn open_checks_bulk_in(
    tx: &mut Tx,
    app: &App,
    actor: &Actor,
    drawn: &[(i64, i64, i64)],
    now: i64,
) -> AppResult<()> {
    use proofless_domain::deadline::{DeadlineRecord, Period};
    if drawn.is_empty() {
        return Ok(());
    }
    super::seed_check_rule(tx, now).await?;
    let cal = app.calendar();
    let start =
        crate::deadlines::to_utc(now).ok_or_else(|| AppError::Internal("时间无效".into()))?;
    let period =
        Period::parse(super::CHECK_RULE_PERIOD).map_err(|e| AppError::Internal(e.to_string()))?;
    let mut per_org: std::collections::BTreeMap<i64, i64> = Default::default();
    for chunk in drawn.chunks(200) {
        let mut stmt = proofless_store::Query::new(
            "INSERT INTO deadlines (subject_type, subject_id, org_id, rule_key, rule_version, start_at, period, \
             statutory_limit, state, due_at, rule_due_at, statutory_due_at, effective_start, calendar_version, \
             calendar_complete, created_by, created_at, updated_at) VALUES",
        );
        for (i, (id, org, within)) in chunk.iter().enumerate() {
            let stat = Period::WorkingDays(u32::try_from(*within).unwrap_or(1).max(1));
            let r = crate::deadlines::recompute(
                &cal,
                app,
                proofless_domain::deadline::DeadlineState::Open,
                &DeadlineRecord::new(start, period),
                Some(stat),
                now,
            );
            stmt.push_sql(if i == 0 { " (" } else { ", (" });
            stmt.push_sql(&proofless_store::Query::placeholders(18));
            stmt.push_sql(")");
            stmt.push_arg("commitment_check");
            stmt.push_arg(id.to_string());
            stmt.push_arg(*org);
            stmt.push_arg(super::CHECK_RULE_KEY);
            stmt.push_arg(1i64);
            stmt.push_arg(now);
            stmt.push_arg(super::CHECK_RULE_PERIOD);
            stmt.push_arg(stat.to_string());
            stmt.push_arg(r.state.as_str());
            stmt.push_arg(r.due_at);
            stmt.push_arg(r.rule_due_at);
            stmt.push_arg(r.statutory_due_at);
            stmt.push_arg(r.effective_start);
            stmt.push_arg(cal.version());
            stmt.push_arg(r.calendar_complete);
            stmt.push_arg(actor.name.as_str());
            stmt.push_arg(now);
            stmt.push_arg(now);
            *per_org.entry(*org).or_default() += 1;
        }
        stmt.push_sql(" RETURNING id, subject_id");
        let made: Vec<(i64, String)> = tx.fetch_all(stmt).await?;
        // One statement marks and links the whole chunk: `CASE id WHEN … THEN … END`.
        let mut link = proofless_store::Query::new(
            "UPDATE commitments SET sample_state = 'drawn', drawn_at = ?, deadline_id = CASE id",
        );
        link.push_arg(now);
        let mut ids = vec![];
        for (deadline_id, subject_id) in &made {
            let cid: i64 = subject_id.parse().unwrap_or_default();
            link.push_sql(" WHEN ? THEN ?");
            link.push_arg(cid);
            link.push_arg(*deadline_id);
            ids.push(cid);
        }
        if !ids.is_empty() {
            link.push_sql(" END WHERE id IN (");
            link.push_sql(&proofless_store::Query::placeholders(ids.len()));
            link.push_sql(")");
            for id in ids {
                link.push_arg(id);
            }
            tx.execute(link).await?;
        }
    }
    audit::append(
        tx,
        actor,
        now,
        Entry::new(
            "commitment.checks.open",
            "commitment",
            format!("{}..{}", drawn[0].0, drawn[drawn.len() - 1].0),
        )
        .detail(json!({"count": drawn.len(), "rule": format!("{}#1", super::CHECK_RULE_KEY)})),
    )
    .await?;
    for (org, n) in per_org {
        notifications::insert_in(
            tx,
            &Recipient::Org(org),
            proofless_domain::notification::NotificationKind::CommitmentCheck,
            &format!("【告知承诺核查】抽查抽中 {n} 件承诺，请在核查时限内完成核查。"),
            "/commitments/checks",
            &format!("commitment:sampled:{org}:{now}:{}", drawn[0].0),
            now,
        )
        .await?;
    }
    Ok(())
}
