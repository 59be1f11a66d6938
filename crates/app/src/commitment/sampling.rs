//! The daily sampling run (R4.3): every commitment waiting for a draw is drawn at its
//! band's rate, reproducibly from the run's seed; a drawn one gets its check deadline at the
//! supervising department, the others stay under routine supervision. A background job.

use std::collections::BTreeMap;

use chrono::TimeZone;
use proofless_domain::commitment::drawn;
use proofless_domain::deadline::{DeadlineRecord, Period};
use proofless_domain::role::Role;
use proofless_store::Tx;
use serde::Serialize;
use serde_json::json;

use super::repo::{self, CheckDeadline, Pending};
use super::{CHECK_RULE_KEY, CHECK_RULE_PERIOD};
use crate::App;
use crate::actor::Actor;
use crate::audit::{self, Entry};
use crate::error::{AppError, AppResult};
use crate::notifications::{self, Recipient};

pub const KIND_SAMPLING: &str = "commitment.sampling";

/// What one sampling run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct SamplingReport {
    pub considered: i64,
    pub drawn: i64,
    pub not_drawn: i64,
}

/// Rows considered per transaction.
const SAMPLING_BATCH: i64 = 5000;
/// Deadline rows per insert statement.
const DEADLINES_PER_STATEMENT: usize = 200;

/// The sampling run, on demand (system administrator or joint office). One transaction per
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
    let bad_time = || AppError::Internal(format!("时间 {now} 无效"));
    let local = crate::deadlines::to_utc(now)
        .ok_or_else(bad_time)?
        .with_timezone(&crate::beijing())
        .date_naive();
    let next = local.succ_opt().ok_or_else(bad_time)?;
    let at = next
        .and_hms_opt(1, 0, 0)
        .and_then(|t| crate::beijing().from_local_datetime(&t).single())
        .ok_or_else(bad_time)?
        .timestamp_millis();
    let seed: u64 = next
        .format("%Y%m%d")
        .to_string()
        .parse()
        .map_err(|_| bad_time())?;
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
    let rows = repo::pending_draws(tx, after, SAMPLING_BATCH).await?;
    let Some(last) = rows.last().map(|r| r.id) else {
        return Ok(None);
    };
    let (chosen, not_drawn): (Vec<Pending>, Vec<Pending>) = rows
        .iter()
        .partition(|r| drawn(r.id, seed, r.sample_permille));
    let not_drawn: Vec<i64> = not_drawn.iter().map(|r| r.id).collect();
    // Drawn ones are marked together with their new deadline (one write per row).
    repo::mark_not_drawn(tx, &not_drawn, now).await?;
    open_checks_bulk_in(tx, app, actor, &chosen, now).await?;
    report.drawn += chosen.len() as i64;
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
            "seed": seed, "considered": rows.len(), "drawn": chosen.len(), "not_drawn": not_drawn.len(),
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
    drawn: &[Pending],
    now: i64,
) -> AppResult<()> {
    let (Some(first), Some(last)) = (drawn.first(), drawn.last()) else {
        return Ok(());
    };
    repo::seed_check_rule(tx, now).await?;
    let cal = app.calendar();
    let start =
        crate::deadlines::to_utc(now).ok_or_else(|| AppError::Internal("时间无效".into()))?;
    let period = Period::parse(CHECK_RULE_PERIOD).map_err(|e| AppError::Internal(e.to_string()))?;
    let mut per_org: BTreeMap<i64, i64> = BTreeMap::new();
    for chunk in drawn.chunks(DEADLINES_PER_STATEMENT) {
        let mut rows = Vec::with_capacity(chunk.len());
        for p in chunk {
            let within = u32::try_from(p.within_wd)
                .ok()
                .filter(|w| *w > 0)
                .ok_or_else(|| {
                    AppError::Internal(format!("承诺 #{} 的核查时限 {} 无效", p.id, p.within_wd))
                })?;
            let stat = Period::WorkingDays(within);
            let computed = crate::deadlines::recompute(
                &cal,
                app,
                proofless_domain::deadline::DeadlineState::Open,
                &DeadlineRecord::new(start, period),
                Some(stat),
                now,
            );
            rows.push(CheckDeadline {
                commitment_id: p.id,
                org_id: p.supervising_org_id,
                statutory_limit: stat.to_string(),
                computed,
            });
            *per_org.entry(p.supervising_org_id).or_default() += 1;
        }
        repo::open_drawn_checks(tx, &rows, cal.version(), &actor.name, now).await?;
    }
    audit::append(
        tx,
        actor,
        now,
        Entry::new(
            "commitment.checks.open",
            "commitment",
            format!("{}..{}", first.id, last.id),
        )
        .detail(json!({"count": drawn.len(), "rule": format!("{CHECK_RULE_KEY}#1")})),
    )
    .await?;
    for (org, n) in per_org {
        notifications::insert_in(
            tx,
            &Recipient::Org(org),
            proofless_domain::notification::NotificationKind::CommitmentCheck,
            &format!("【告知承诺核查】抽查抽中 {n} 件承诺，请在核查时限内完成核查。"),
            "/commitments/checks",
            &format!("commitment:sampled:{org}:{now}:{}", first.id),
            now,
        )
        .await?;
    }
    Ok(())
}
