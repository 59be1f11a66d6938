//! The figures sweep: a cursor over the audit log that counts each act once into
//! `supervision_figures`, and records the violation of a commitment check the engine found
//! overdue (A5 §4(5)) so the accountability sweep proposes it.
//!
//! Exactly once: the audit log's `seq` is assigned under the chain head's lock just before
//! commit, so rows appear in `seq` order and every row up to the committed head is there.
//! Each batch updates the cursor row first (a second instance waits for the first to commit
//! and then reads on from where it stopped), counts the acts in `(cursor, upto]` and moves
//! the cursor to `upto`, in one transaction.

use chrono::TimeZone;
use proofless_domain::violation::{ViolationKind, ViolationSource};
use proofless_store::Tx;
use serde_json::Value;

use super::repo::{self, Acc, C, Event};
use crate::App;
use crate::actor::Actor;
use crate::error::AppResult;
use crate::violations::{self, NewViolation};

/// The runner's sweep that keeps the figures.
pub const SWEEP_FIGURES: &str = "supervision.figures";

/// Audit rows looked at per transaction.
const SPAN: i64 = 5000;

/// `YYYY-MM` of an instant, Beijing time.
pub(crate) fn month_of(ms: i64) -> String {
    crate::beijing()
        .timestamp_millis_opt(ms)
        .single()
        .map(|t| t.format("%Y-%m").to_string())
        .unwrap_or_else(|| "1970-01".to_owned())
}

/// Counts the acts committed since the cursor; returns how many were counted.
pub async fn sweep_pending(app: &App) -> AppResult<usize> {
    let system = Actor::system("jobs:supervision");
    let mut total = 0;
    loop {
        let (last, head) = repo::progress(&mut app.db.reader()).await?;
        if last >= head {
            return Ok(total);
        }
        let now = app.now_ms();
        let mut tx = app.db.begin().await?;
        let last = repo::take_cursor(&mut tx, now).await?;
        let head = repo::audit_head(&mut tx).await?;
        if last >= head {
            tx.commit().await?;
            return Ok(total);
        }
        let upto = head.min(last + SPAN);
        let events = repo::events(&mut tx, last, upto).await?;
        let mut acc = Acc::default();
        for e in &events {
            count(&mut tx, &system, &mut acc, e, now).await?;
        }
        repo::bump_all(&mut tx, &acc).await?;
        repo::move_cursor(&mut tx, upto).await?;
        tx.commit().await?;
        total += events.len();
    }
}

/// Rebuilds the figures from the verification and accountability rows (after `proofless gen`
/// wrote them in bulk) and moves the cursor to the audit head.
pub async fn rebuild_from_rows(app: &App) -> AppResult<u64> {
    let mut tx = app.db.begin().await?;
    let n = repo::rebuild_from_rows(&mut tx).await?;
    tx.commit().await?;
    Ok(n)
}

/// Rebuilds the yearly rows from the monthly ones (after monthly rows were written in bulk).
pub async fn rebuild_years(app: &App) -> AppResult<()> {
    let mut tx = app.db.begin().await?;
    repo::rebuild_years(&mut tx).await?;
    tx.commit().await?;
    Ok(())
}

fn class_counters(period: &str) -> (C, C) {
    match period {
        "30m" => (C::N30m, C::Ms30m),
        "1wd" => (C::N1wd, C::Ms1wd),
        "2wd" => (C::N2wd, C::Ms2wd),
        _ => (C::NOther, C::MsOther),
    }
}

async fn count(tx: &mut Tx, system: &Actor, acc: &mut Acc, e: &Event, now: i64) -> AppResult<()> {
    let detail: Value = serde_json::from_str(&e.detail).unwrap_or(Value::Null);
    let late = detail["late"].as_bool().unwrap_or(false);
    let id: i64 = e.object_id.parse().unwrap_or(0);
    let month = month_of(e.at);
    match e.action.as_str() {
        "verification.answer" | "verification.return" => {
            let Some(v) = repo::verification(tx, id).await? else {
                return Ok(());
            };
            let c = match (e.action.as_str(), late) {
                ("verification.answer", false) => C::AnsweredOnTime,
                ("verification.answer", true) => C::AnsweredLate,
                (_, false) => C::ReturnedOnTime,
                (_, true) => C::ReturnedLate,
            };
            acc.add(v.issuer_org_id, &month, c, 1);
            let (n, ms) = class_counters(&v.deadline_period);
            acc.add(v.issuer_org_id, &month, n, 1);
            acc.add(v.issuer_org_id, &month, ms, (e.at - v.sent_at).max(0));
        }
        "adjustment.file" => {
            if let Some(org) = repo::adjustment_org(tx, id).await? {
                let c = if late { C::AdjLate } else { C::AdjOnTime };
                acc.add(org, &month, c, 1);
            }
        }
        "commitment.check" => {
            if let Some((org, due)) = repo::check_fact(tx, id).await? {
                let c = if due.is_some_and(|d| e.at > d) {
                    C::ChecksLate
                } else {
                    C::ChecksOnTime
                };
                acc.add(org, &month, c, 1);
            }
        }
        "deadline.escalate" => unchecked_commitment(tx, system, id, now).await?,
        "accountability.decide" => {
            let Some((org, decided)) = repo::measure_of(tx, &e.object_id).await? else {
                return Ok(());
            };
            let m = month_of(decided);
            acc.add(org, &m, C::Measures, 1);
            // An exemption approved before the decision leaves it out at once (A5 §11).
            if repo::exempted_at(tx, id).await?.is_some_and(|t| t <= e.at) {
                acc.add(org, &m, C::Exempted, 1);
            }
        }
        "accountability.exemption_decide" if detail["state"] == "approved" => {
            let Some((org, decided)) = repo::measure_of(tx, &e.object_id).await? else {
                return Ok(());
            };
            let revoked_before = repo::revoked_at(tx, id).await?.is_some_and(|t| t < e.at);
            if decided <= e.at && !revoked_before {
                acc.add(org, &month_of(decided), C::Exempted, 1);
            }
        }
        "accountability.appeal_decide" if detail["state"] == "revoked" => {
            let Some((org, decided)) = repo::measure_of(tx, &e.object_id).await? else {
                return Ok(());
            };
            let exempted_before = repo::exempted_at(tx, id).await?.is_some_and(|t| t < e.at);
            if !exempted_before {
                acc.add(org, &month_of(decided), C::Revoked, 1);
            }
        }
        _ => {}
    }
    Ok(())
}

/// A commitment check the engine escalated while the commitment still waits for it: the
/// violation of A5 §4(5), recorded once (the record is unique per source reference).
async fn unchecked_commitment(
    tx: &mut Tx,
    system: &Actor,
    deadline_id: i64,
    now: i64,
) -> AppResult<()> {
    let Some(d) = repo::deadline(tx, deadline_id).await? else {
        return Ok(());
    };
    if d.subject_type != "commitment_check" {
        return Ok(());
    }
    let Ok(cid) = d.subject_id.parse::<i64>() else {
        return Ok(());
    };
    if !repo::commitment_unchecked(tx, cid).await? {
        return Ok(());
    }
    let source_ref = format!("commitment:{cid}/check");
    let due = d.due_at.map(crate::local_time).unwrap_or_default();
    let summary = format!("告知承诺事项（承诺 {cid}）的事后核查逾期未完成，期限 {due}");
    let fact = NewViolation {
        kind: ViolationKind::CommitmentUnchecked,
        source: ViolationSource::CommitmentCheck,
        source_ref: &source_ref,
        org_id: d.org_id,
        staff_id: None,
        summary: &summary,
        occurred_at: d.due_at.unwrap_or(now),
    };
    violations::record(tx, system, now, &fact).await?;
    Ok(())
}
