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

use proofless_domain::credit::RecordKind;
use proofless_domain::role::Role;
use proofless_store::{Tx, q};
use serde::{Deserialize, Serialize};
use serde_json::{Value as Json, json};

use crate::App;
use crate::actor::Actor;
use crate::audit::{self, Entry};
use crate::error::{AppError, AppResult};

pub const FORMAT: &str = "proofless.credit-feed/1";
const MAX_BATCH: i64 = 5000;

#[derive(Debug, Clone, Deserialize)]
struct FeedRow {
    id: i64,
    subject_ref: String,
    kind: String,
    note: String,
    score_after: i64,
    at: i64,
    person_code: Option<String>,
    person_name: Option<String>,
    entity_code: Option<String>,
    entity_name: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct ExportRow {
    pub id: i64,
    pub channel: String,
    pub target: String,
    pub first_id: i64,
    pub last_id: i64,
    pub count: i64,
    pub status: String,
    pub error: Option<String>,
    pub at: i64,
}

/// Builds the feed document of the records with `id > after_id` (at most `limit`).
async fn document(
    tx: &mut Tx,
    after_id: i64,
    limit: i64,
    now: i64,
) -> AppResult<(Json, i64, i64, i64)> {
    let rows: Vec<FeedRow> = tx
        .fetch_all(
            q("SELECT r.id, r.subject_ref, r.kind, r.note, r.score_after, r.at, \
               p.resident_id AS person_code, p.name AS person_name, e.credit_code AS entity_code, e.name AS entity_name \
               FROM credit_records r \
               LEFT JOIN persons p ON r.subject_ref = 'person:' || CAST(p.id AS TEXT) \
               LEFT JOIN entities e ON r.subject_ref = 'entity:' || CAST(e.id AS TEXT) \
               WHERE r.id > ? ORDER BY r.id LIMIT ?")
            .bind(after_id)
            .bind(limit.clamp(1, MAX_BATCH)),
        )
        .await?;
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
                "kind_label": RecordKind::parse(&r.kind).map(RecordKind::label),
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

#[allow(clippy::too_many_arguments)]
async fn record_export(
    tx: &mut Tx,
    actor: &Actor,
    channel: &str,
    target: &str,
    (first, last, count): (i64, i64, i64),
    status: &str,
    error: Option<&str>,
    now: i64,
) -> AppResult<ExportRow> {
    let id = tx
        .scalar_i64(
            q("INSERT INTO credit_exports (channel, target, first_id, last_id, count, status, error, at) \
               VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id")
            .bind(channel)
            .bind(target)
            .bind(first)
            .bind(last)
            .bind(count)
            .bind(status)
            .bind(error)
            .bind(now),
        )
        .await?;
    audit::append(
        tx,
        actor,
        now,
        Entry::new("credit.export", "credit_export", id)
            .purpose("向“信用淄博”报送信用记录")
            .detail(
                json!({"channel": channel, "target": target, "first_id": first,
                           "last_id": last, "count": count, "status": status}),
            ),
    )
    .await?;
    Ok(tx
        .fetch_one(
            q("SELECT id, channel, target, first_id, last_id, count, status, error, at FROM credit_exports WHERE id = ?")
                .bind(id),
        )
        .await?)
}

/// The feed as a file (credit office): records after `after_id`.
pub async fn export_file(app: &App, actor: &Actor, after_id: i64, limit: i64) -> AppResult<String> {
    actor.require_any(&[Role::CreditOffice, Role::SystemAdmin])?;
    if after_id < 0 {
        return Err(AppError::field("after_id", "起始编号不能为负数"));
    }
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let (doc, first, last, count) = document(&mut tx, after_id, limit, now).await?;
    record_export(
        &mut tx,
        actor,
        "file",
        "download",
        (first, last, count),
        "done",
        None,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(doc.to_string())
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PushInput {
    /// The platform's receiving endpoint (http:// or https://).
    pub url: String,
}

/// Pushes the records the platform has not acknowledged yet to `url` (credit office).
pub async fn push(app: &App, actor: &Actor, input: &PushInput) -> AppResult<ExportRow> {
    actor.require_any(&[Role::CreditOffice, Role::SystemAdmin])?;
    let url = input.url.trim();
    let parsed = reqwest::Url::parse(url)
        .map_err(|_| AppError::field("url", format!("接收地址“{url}”不是有效的网址")))?;
    if parsed.scheme() != "http" && parsed.scheme() != "https" {
        return Err(AppError::field(
            "url",
            "接收地址须以 http:// 或 https:// 开头",
        ));
    }
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let (after,): (Option<i64>,) = tx
        .fetch_one(q(
            "SELECT MAX(last_id) FROM credit_exports WHERE channel = 'push' AND status = 'done'",
        ))
        .await?;
    let (doc, first, last, count) = document(&mut tx, after.unwrap_or(0), MAX_BATCH, now).await?;
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
    let row = match &outcome {
        Ok(()) => {
            record_export(
                &mut tx,
                actor,
                "push",
                url,
                (first, last, count),
                "done",
                None,
                now,
            )
            .await?
        }
        Err(e) => {
            record_export(
                &mut tx,
                actor,
                "push",
                url,
                (first, last, count),
                "failed",
                Some(e),
                now,
            )
            .await?
        }
    };
    tx.commit().await?;
    Ok(row)
}

/// Past exports, newest first.
pub async fn exports(app: &App, actor: &Actor) -> AppResult<Vec<ExportRow>> {
    actor.require_any(&[Role::CreditOffice, Role::SystemAdmin])?;
    Ok(app
        .db
        .reader()
        .fetch_all(q(
            "SELECT id, channel, target, first_id, last_id, count, status, error, at FROM credit_exports \
             ORDER BY id DESC LIMIT 200",
        ))
        .await?)
}
