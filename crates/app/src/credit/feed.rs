//! The feed of credit records to the city credit platform 信用淄博 (R4.8, P 三(四)3
//! "利用‘信用淄博’网站，将承诺人履行承诺情况全面纳入信用记录").
//!
//! Format `proofless.credit-feed/1`, one JSON document:
//! ```json
//! {"format": "proofless.credit-feed/1", "generated_at": "2026-03-12T09:30:00+08:00",
//!  "first_id": 1, "last_id": 2, "count": 2,
//!  "records": [{"id": 1, "subject_type": "person", "subject_code": "370322…",
//!               "subject_name": "张三", "kind": "commitment_false", "kind_label": "虚假承诺",
//!               "note": "…", "score_after": 450, "at": "2026-03-12T09:30:00+08:00"}]}
//! ```
//! `subject_code` is the resident ID or the unified social credit code: the platform keys
//! its records on them. Records are append-only, so `id` is a cursor: each push sends the
//! records after the last one the platform acknowledged (HTTP 2xx); a failed push is
//! recorded and the same records go again next time.

use proofless_domain::credit::{ExportChannel, ExportStatus};
use proofless_domain::role::Role;
use proofless_store::Tx;
use serde_json::{Value as Json, json};

use super::input::PushInput;
pub use super::repo::ExportRow;
use super::repo::{self, NewExport};
use crate::App;
use crate::actor::Actor;
use crate::audit::{self, Entry};
use crate::error::{AppError, AppResult};

pub const FORMAT: &str = "proofless.credit-feed/1";
const MAX_BATCH: i64 = 5000;

/// Builds the feed document of the records with `id > after_id` (at most `limit`).
async fn document(
    app: &App,
    tx: &mut Tx,
    after_id: i64,
    limit: i64,
    now: i64,
) -> AppResult<(Json, i64, i64, i64)> {
    let mut rows = repo::feed_rows(tx, after_id, limit.clamp(1, MAX_BATCH)).await?;
    // The platform keys records by resident ID: persons' identifiers are decrypted here.
    for r in &mut rows {
        if let Some(c) = r.person_code.as_mut() {
            *c = crate::applicants::reveal_resident_id(app, c).await?;
        }
        if let Some(n) = r.person_name.as_mut() {
            *n = crate::applicants::reveal_name(app, n).await?;
        }
    }
    let first = rows.first().map(|r| r.id).unwrap_or(after_id);
    let last = rows.last().map(|r| r.id).unwrap_or(after_id);
    let count = rows.len() as i64;
    let records: Vec<Json> = rows
        .into_iter()
        .map(|r| {
            let person = r.subject_ref.starts_with("person:");
            json!({
                "id": r.id,
                "subject_type": if person { "person" } else { "entity" },
                "subject_code": if person { r.person_code } else { r.entity_code },
                "subject_name": if person { r.person_name } else { r.entity_name },
                "kind": r.kind,
                "kind_label": r.kind.label(),
                "note": r.note,
                "score_after": r.score_after,
                "at": crate::deadlines::rfc3339(r.at),
            })
        })
        .collect();
    let doc = json!({
        "format": FORMAT,
        "generated_at": crate::deadlines::rfc3339(now),
        "first_id": first, "last_id": last, "count": count,
        "records": records,
    });
    Ok((doc, first, last, count))
}

async fn record_export(
    tx: &mut Tx,
    actor: &Actor,
    e: &NewExport<'_>,
    now: i64,
) -> AppResult<ExportRow> {
    let id = repo::insert_export(tx, e, now).await?;
    let (first, last, count) = e.range;
    audit::append(
        tx,
        actor,
        now,
        Entry::new("credit.export", "credit_export", id)
            .purpose("向“信用淄博”报送信用记录")
            .detail(
                json!({"channel": e.channel, "target": e.target, "first_id": first,
                           "last_id": last, "count": count, "status": e.status}),
            ),
    )
    .await?;
    repo::export(tx, id).await
}

/// The feed as a file (credit office): records after `after_id`.
pub async fn export_file(app: &App, actor: &Actor, after_id: i64, limit: i64) -> AppResult<String> {
    actor.require_any(&[Role::CreditOffice, Role::SystemAdmin])?;
    if after_id < 0 {
        return Err(AppError::field("after_id", "起始编号不能为负数"));
    }
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let (doc, first, last, count) = document(app, &mut tx, after_id, limit, now).await?;
    record_export(
        &mut tx,
        actor,
        &NewExport {
            channel: ExportChannel::File,
            target: "download",
            range: (first, last, count),
            status: ExportStatus::Done,
            error: None,
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(doc.to_string())
}

/// Pushes the records the platform has not acknowledged yet to `url` (credit office).
pub async fn push(app: &App, actor: &Actor, input: &PushInput) -> AppResult<ExportRow> {
    actor.require_any(&[Role::CreditOffice, Role::SystemAdmin])?;
    let parsed = input.parse()?;
    let url = input.url.trim();
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let after = repo::last_pushed(&mut tx).await?;
    let (doc, first, last, count) = document(app, &mut tx, after, MAX_BATCH, now).await?;
    tx.commit().await?;
    let outcome = if count == 0 {
        Ok(())
    } else {
        let client = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(30))
            .build()
            .map_err(|e| AppError::Internal(format!("HTTP 客户端：{e}")))?;
        match client.post(parsed).json(&doc).send().await {
            Ok(r) if r.status().is_success() => Ok(()),
            Ok(r) => Err(format!("信用平台返回 HTTP {}", r.status().as_u16())),
            Err(e) => Err(format!("无法连接信用平台：{e}")),
        }
    };
    let mut tx = app.db.begin().await?;
    let row = record_export(
        &mut tx,
        actor,
        &NewExport {
            channel: ExportChannel::Push,
            target: url,
            range: (first, last, count),
            status: if outcome.is_ok() {
                ExportStatus::Done
            } else {
                ExportStatus::Failed
            },
            error: outcome.as_ref().err().map(String::as_str),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(row)
}

/// Past exports, newest first.
pub async fn exports(app: &App, actor: &Actor) -> AppResult<Vec<ExportRow>> {
    actor.require_any(&[Role::CreditOffice, Role::SystemAdmin])?;
    repo::exports(&mut app.db.reader()).await
}
