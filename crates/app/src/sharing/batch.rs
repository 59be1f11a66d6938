//! Bulk issuance from an issuer's own system (issue #18 §2): a signed batch API, idempotent
//! per identifier, and an xlsx/CSV import with the same all-or-nothing check: every row is
//! checked first, every error reported at once, and nothing is written unless all pass.

use std::collections::HashMap;
use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use proofless_domain::sharing as rules;
use proofless_seal::{hmac_sm3_hex, sm3_hex};
use serde::Serialize;
use serde_json::{Map, Value as Json, json};

use super::eproofs::{Prepared, check_data, content_digest, issuable, prepare, write};
use super::input::{BatchInput, BatchItem, BatchRow};
use super::repo::{self, VersionRow};
use crate::App;
use crate::actor::{Actor, ActorKind};
use crate::audit::{self, Entry};
use crate::error::{AppError, AppResult, Problems};

/// The path the batch signature covers.
pub const BATCH_PATH: &str = "/api/v1/sharing/eproofs/batch";
const MAX_FILE_BYTES: usize = 2 * 1024 * 1024;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BatchReport {
    pub total: usize,
    /// Identifiers issued now.
    pub issued: Vec<String>,
    /// Identifiers already issued with the same content (a batch sent again).
    pub unchanged: Vec<String>,
}

/// Checks a signed batch and issues it (API tokens of the issuing unit). The signature is
/// HMAC-SM3 under the caller's API token over `POST`, the path, the timestamp, the nonce and
/// the SM3 of the body; a nonce is accepted once inside the replay window.
pub async fn issue_batch(
    app: &App,
    actor: &Actor,
    token: &str,
    timestamp: &str,
    nonce: &str,
    signature: &str,
    body: &[u8],
) -> AppResult<BatchReport> {
    if actor.kind != ActorKind::Token {
        return Err(AppError::forbidden(
            "批量签发须由开具单位的业务系统以接口令牌调用",
        ));
    }
    let org = actor
        .org_id
        .ok_or_else(|| AppError::forbidden("接口令牌未绑定单位"))?;
    actor.require_any(&super::eproofs::ISSUERS)?;
    let ts: i64 = timestamp.trim().parse().unwrap_or(0);
    if !rules::nonce_ok(nonce) {
        return Err(AppError::field(
            "X-Nonce",
            "X-Nonce 应为16至64位十六进制字符",
        ));
    }
    if !rules::within_replay_window(ts, app.now_ms()) {
        return Err(AppError::forbidden(
            "批次签名时间超出5分钟的防重放窗口，请用当前时间重新签名",
        ));
    }
    let expected = hmac_sm3_hex(
        token.as_bytes(),
        rules::signing_string("POST", BATCH_PATH, ts, nonce, &sm3_hex(body)).as_bytes(),
    );
    if !signature.trim().eq_ignore_ascii_case(&expected) {
        return Err(AppError::forbidden(
            "批次签名无效：签名与请求内容不符，未写入任何数据",
        ));
    }
    let input: BatchInput = serde_json::from_slice(body)
        .map_err(|e| AppError::field("body", format!("批次格式错误：{e}")))?;
    let rows = input.parse()?;
    run(app, actor, org, rows, Some((nonce, ts))).await
}

/// Persons of the batch: existing ones checked by name, missing ones to be registered.
async fn holders(app: &App, rows: &[BatchRow], p: &mut Problems) -> AppResult<Vec<Option<i64>>> {
    let mut out = Vec::with_capacity(rows.len());
    for (i, r) in rows.iter().enumerate() {
        let id = crate::applicants::person_id_by_resident_id(app, &r.rid).await?;
        if let Some(id) = id {
            let (_, enc) = repo::person_names(&mut app.db.reader(), id)
                .await?
                .ok_or_else(|| AppError::NotFound("持证人".into()))?;
            if crate::applicants::reveal_name(app, &enc).await? != r.name {
                p.add(
                    &format!("items[{i}].holder_name"),
                    "持证人姓名与该身份证号码登记的姓名不一致",
                );
            }
        }
        out.push(id);
    }
    Ok(out)
}

/// Checks every row, then issues all new ones in one transaction.
async fn run(
    app: &App,
    actor: &Actor,
    org: i64,
    rows: Vec<BatchRow>,
    nonce: Option<(&str, i64)>,
) -> AppResult<BatchReport> {
    let mut p = Problems::default();
    let mut entries: HashMap<i64, VersionRow> = HashMap::new();
    for (i, r) in rows.iter().enumerate() {
        let item = r.cmd.proof_item_id;
        if !entries.contains_key(&item) {
            match issuable(app, org, item, &format!("items[{i}].proof_item_id")).await {
                Ok(v) => {
                    entries.insert(item, v);
                }
                Err(AppError::Validation(e)) => p.0.extend(e),
                Err(AppError::Forbidden(m)) => p.add(&format!("items[{i}].proof_item_id"), m),
                Err(e) => return Err(e),
            }
        }
        if let Some(v) = entries.get(&item) {
            check_data(&mut p, &format!("items[{i}]."), v, &r.cmd.data)?;
        }
    }
    let persons = holders(app, &rows, &mut p).await?;
    let mut unchanged = vec![];
    let mut todo = vec![];
    for (i, (r, person)) in rows.iter().zip(&persons).enumerate() {
        match repo::existing(&mut app.db.reader(), r.identifier.as_str()).await? {
            None => todo.push((r, *person)),
            Some((issuer, digest))
                if issuer == org
                    && person.is_some_and(|pid| content_digest(pid, &r.cmd) == digest) =>
            {
                unchanged.push(r.identifier.as_str().to_owned());
            }
            Some(_) => p.add(
                &format!("items[{i}].identifier"),
                format!(
                    "证照标识 {} 已签发且内容不同：换发请用换发接口",
                    r.identifier
                ),
            ),
        }
    }
    p.into_result()?;
    let mut prepared: Vec<Prepared> = Vec::with_capacity(todo.len());
    for (r, person) in todo {
        let person = match person {
            Some(id) => id,
            None => crate::applicants::ensure_person(app, actor, &r.rid, &r.name, None).await?,
        };
        let entry = entries
            .get(&r.cmd.proof_item_id)
            .cloned()
            .ok_or_else(|| AppError::Internal("批次事项缺失".into()))?;
        prepared.push(prepare(app, org, entry, person, &r.cmd).await?);
    }
    let issued: Vec<String> = prepared
        .iter()
        .map(|p| p.identifier.as_str().to_owned())
        .collect();
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    if let Some((n, _)) = nonce
        && !repo::fresh_nonce(&mut tx, n, now, rules::REPLAY_WINDOW_MS).await?
    {
        return Err(AppError::Conflict(
            "该批次的 X-Nonce 已使用过（重放），未写入任何数据".into(),
        ));
    }
    for p in prepared {
        write(&mut tx, actor, now, p).await?;
    }
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("sharing.eproof.batch", "org", org)
            .detail(json!({ "issued": issued.len(), "unchanged": unchanged.len() })),
    )
    .await?;
    tx.commit().await?;
    Ok(BatchReport {
        total: rows.len(),
        issued,
        unchanged,
    })
}

/// Splits CSV text into rows (RFC 4180 quoting).
fn csv_rows(text: &str) -> Vec<Vec<String>> {
    let mut rows = vec![];
    let mut row = vec![];
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = text.trim_start_matches('\u{feff}').chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (true, c) => cell.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut cell)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => cell.push(c),
        }
    }
    if !cell.is_empty() || !row.is_empty() {
        row.push(cell);
        rows.push(row);
    }
    rows.retain(|r| r.iter().any(|c| !c.trim().is_empty()));
    rows
}

fn xlsx_rows(bytes: &[u8]) -> AppResult<Vec<Vec<String>>> {
    let mut book = Xlsx::new(Cursor::new(bytes.to_vec()))
        .map_err(|_| AppError::field("file", "文件不是有效的 xlsx 工作簿"))?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| AppError::field("file", "工作簿中没有工作表"))?
        .map_err(|_| AppError::field("file", "工作表无法读取"))?;
    Ok(range
        .rows()
        .map(|r| {
            r.iter()
                .map(|d| match d {
                    Data::Empty => String::new(),
                    Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => {
                        format!("{}", *f as i64)
                    }
                    other => other.to_string(),
                })
                .collect()
        })
        .filter(|r: &Vec<String>| r.iter().any(|c| !c.trim().is_empty()))
        .collect())
}

/// The standard columns, by their Chinese header or key; every other column is a data field
/// of the template, by its key or label.
fn column(h: &str) -> Option<&'static str> {
    Some(match h.trim() {
        "证照标识" | "identifier" => "identifier",
        "证明事项编号" | "proof_item_id" => "proof_item_id",
        "持证人身份证号码" | "持证人身份证号" | "holder_resident_id" => {
            "holder_resident_id"
        }
        "持证人姓名" | "holder_name" => "holder_name",
        "有效期起" | "valid_from" => "valid_from",
        "有效期止" | "valid_to" => "valid_to",
        _ => return None,
    })
}

/// Imports an xlsx or CSV file of documents: all rows or none (issuer staff).
pub async fn import_file(
    app: &App,
    actor: &Actor,
    filename: &str,
    bytes: &[u8],
) -> AppResult<BatchReport> {
    actor.require_any(&super::eproofs::ISSUERS)?;
    let org = actor
        .org_id
        .ok_or_else(|| AppError::forbidden("须以开具单位的身份导入"))?;
    if bytes.len() > MAX_FILE_BYTES {
        return Err(AppError::field("file", "文件不能超过2MB"));
    }
    let rows = if filename.to_ascii_lowercase().ends_with(".xlsx") {
        xlsx_rows(bytes)?
    } else {
        let text = std::str::from_utf8(bytes)
            .map_err(|_| AppError::field("file", "CSV 文件应为 UTF-8 编码"))?;
        csv_rows(text)
    };
    let Some((header, body)) = rows.split_first() else {
        return Err(AppError::field("file", "文件中没有数据"));
    };
    let mut items = Vec::with_capacity(body.len());
    for r in body {
        let mut std: HashMap<&str, String> = HashMap::new();
        let mut data = Map::new();
        for (h, v) in header.iter().zip(r) {
            match column(h) {
                Some(k) => {
                    std.insert(k, v.trim().to_owned());
                }
                None if !v.trim().is_empty() => {
                    data.insert(h.trim().to_owned(), Json::String(v.trim().to_owned()));
                }
                None => {}
            }
        }
        let get = |k: &str| std.get(k).cloned().unwrap_or_default();
        items.push(BatchItem {
            identifier: get("identifier"),
            proof_item_id: get("proof_item_id").parse().unwrap_or(0),
            holder_resident_id: get("holder_resident_id"),
            holder_name: get("holder_name"),
            data,
            valid_from: get("valid_from"),
            valid_to: Some(get("valid_to")).filter(|s| !s.is_empty()),
        });
    }
    let items = keys_for_labels(app, items).await?;
    let rows = BatchInput { items }.parse()?;
    run(app, actor, org, rows, None).await
}

/// Data columns may be headed by a field's label: renamed to its key, 是/否 to true/false.
async fn keys_for_labels(app: &App, mut items: Vec<BatchItem>) -> AppResult<Vec<BatchItem>> {
    for it in &mut items {
        let Some(v) = repo::published_of_item(&mut app.db.reader(), it.proof_item_id).await? else {
            continue;
        };
        let fields = super::list::fields_of(&v)?;
        let mut data = Map::new();
        for (k, val) in std::mem::take(&mut it.data) {
            let f = fields.iter().find(|f| f.key == k || f.label == k);
            let key = f.map_or(k, |f| f.key.clone());
            let val = match (f.map(|f| f.kind), val.as_str()) {
                (Some(proofless_domain::verification::FieldKind::YesNo), Some("是")) => {
                    Json::String("true".into())
                }
                (Some(proofless_domain::verification::FieldKind::YesNo), Some("否")) => {
                    Json::String("false".into())
                }
                _ => val,
            };
            data.insert(key, val);
        }
        it.data = data;
    }
    Ok(items)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_commas_and_doubled_quotes() {
        let rows = csv_rows("\u{feff}a,b\r\n\"x,1\",\"he said \"\"hi\"\"\"\n\n");
        assert_eq!(rows, vec![vec!["a", "b"], vec!["x,1", "he said \"hi\""]]);
    }
}
