//! Synthetic verifications for `proofless gen` (issue #5 performance): rows in every state
//! between the generated orgs, for the inbox-listing benchmark at a million rows. Written in
//! bulk through the store layer, like the rest of the synthetic world.

use std::time::{Duration, Instant};

use proofless_store::{Query, Value, q};

use crate::App;
use crate::error::AppResult;

const ROWS_PER_STATEMENT: usize = 200;
const ROWS_PER_TX: usize = 20_000;
/// Issuing units that receive most requests (police, market regulation, …).
const BUSY_ISSUERS: usize = 50;

/// Inserts `count` verifications (none when there are fewer than two orgs or no person).
pub async fn generate(app: &App, count: u64) -> AppResult<(String, u64, Duration)> {
    let t = Instant::now();
    let orgs: Vec<(i64,)> = app
        .db
        .reader()
        .fetch_all(q("SELECT id FROM orgs ORDER BY id"))
        .await?;
    let persons: Vec<(i64, String, String)> = app
        .db
        .reader()
        .fetch_all(q(
            "SELECT id, resident_id, name FROM persons ORDER BY id LIMIT 100000",
        ))
        .await?;
    if orgs.len() < 2 || persons.is_empty() {
        return Ok(("verifications".into(), 0, t.elapsed()));
    }
    let now = app.now_ms();
    let mut written = 0u64;
    let mut tx = app.db.begin().await?;
    let mut in_tx = 0usize;
    let mut i = 0u64;
    while i < count {
        let n = (count - i).min(ROWS_PER_STATEMENT as u64);
        let mut stmt = Query::new(
            "INSERT INTO verifications (channel, state, requester_org_id, issuer_org_id, proof_item_id, proof_item_name, \
             subject_kind, subject_id, subject_name, subject_code, facts, case_ref, purpose, catalogue_class, \
             deadline_class, deadline_period, sent_by_name, sent_at, due_at, outcome, answered_by_name, answered_at, \
             updated_at) VALUES",
        );
        for k in 0..n {
            let j = i + k;
            let ju = usize::try_from(j).unwrap_or_default();
            let issuer = orgs[ju % BUSY_ISSUERS.min(orgs.len())].0;
            let mut requester = orgs[(ju * 7 + 3) % orgs.len()].0;
            if requester == issuer {
                requester = orgs[(ju * 7 + 4) % orgs.len()].0;
            }
            let p = &persons[ju % persons.len()];
            // Spread over the last ~12 days; one in ten still running (some overdue).
            let sent = now - i64::try_from(j % 1_000_000).unwrap_or_default() * 1_000;
            let (state, outcome, answered) = match j % 20 {
                0 | 1 => ("registered", None, None),
                2 => ("returned", None, Some(sent + 600_000)),
                3 => ("answered", Some("not_matching"), Some(sent + 900_000)),
                _ => ("answered", Some("confirmed"), Some(sent + 600_000)),
            };
            let row: Vec<Value> = vec![
                "system".into(),
                state.into(),
                requester.into(),
                issuer.into(),
                i64::try_from(j % 500).unwrap_or_default().into(),
                "合成证明事项".into(),
                "person".into(),
                p.0.into(),
                p.2.clone().into(),
                p.1.clone().into(),
                "{\"facts\":\"合成\"}".into(),
                format!("GEN-{j:08}").into(),
                "合成数据：性能测试".into(),
                "electronic".into(),
                "electronic".into(),
                "30m".into(),
                "合成代办员".into(),
                sent.into(),
                (sent + 1_800_000).into(),
                outcome.into(),
                answered.map(|_| "合成代办员").into(),
                answered.into(),
                sent.into(),
            ];
            stmt.push_sql(if k == 0 { " (" } else { ", (" });
            stmt.push_sql(&Query::placeholders(row.len()));
            stmt.push_sql(")");
            for v in row {
                stmt.push_arg(v);
            }
        }
        tx.execute(stmt).await?;
        written += n;
        in_tx += usize::try_from(n).unwrap_or_default();
        i += n;
        if in_tx >= ROWS_PER_TX {
            tx.commit().await?;
            tx = app.db.begin().await?;
            in_tx = 0;
        }
    }
    tx.commit().await?;
    Ok(("verifications".into(), written, t.elapsed()))
}
