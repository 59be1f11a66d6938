//! Appending to the chain, walking it, and reading it.

use proofless_store::{Db, StoreError, Tx};
use serde::Serialize;

use super::repo;
use super::row::{AuditRow, Entry, GENESIS};
use crate::actor::Actor;
use crate::error::AppResult;
/// Append one row to the caller's transaction, so the row commits with the change it
/// records or not at all. The rows a transaction collects are chained at its commit
/// ([`chain_at_commit`]): the chain's head row, which serialises every writer, is then
/// locked only while committing, not from the first audited change to the end.
pub async fn append(tx: &mut Tx, actor: &Actor, at_ms: i64, e: Entry<'_>) -> AppResult<()> {
    let row = AuditRow::unchained(actor, at_ms, e);
    tx.state_until_commit::<Pending>(chain_at_commit)
        .0
        .push(row);
    Ok(())
}

/// Rows appended to a transaction and not yet chained.
#[derive(Default)]
struct Pending(Vec<AuditRow>);

fn chain_at_commit(
    tx: &mut Tx,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), StoreError>> + Send + '_>> {
    Box::pin(async move {
        let rows = tx.take_state::<Pending>().0;
        chain_in(tx, rows)
            .await
            .map(|_| ())
            .map_err(|e| StoreError::Commit(format!("审计日志写入失败：{e}")))
    })
}

/// Record a read in its own transaction (reads have no write to ride on).
pub async fn record_read(db: &Db, actor: &Actor, at_ms: i64, e: Entry<'_>) -> AppResult<()> {
    let mut tx = db.begin().await?;
    append(&mut tx, actor, at_ms, e).await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct VerifyReport {
    pub rows_checked: i64,
    pub ok: bool,
    /// The first row whose link is broken, and why (in Chinese).
    pub first_broken_seq: Option<i64>,
    pub problem: Option<String>,
}

/// Walk the whole chain in order and report the first broken link: an edited row
/// (hash mismatch), a removed row (gap in sequence or wrong prev hash) or a removed tail
/// (head ahead of the last row).
pub async fn verify(db: &Db) -> AppResult<VerifyReport> {
    const BATCH: i64 = 5000;
    let mut prev = GENESIS.to_owned();
    let mut expected_seq = 1i64;
    let mut checked = 0i64;
    loop {
        let rows = repo::rows_from(&mut db.reader(), expected_seq, BATCH).await?;
        if rows.is_empty() {
            break;
        }
        for r in &rows {
            let broken = |why: String| VerifyReport {
                rows_checked: checked,
                ok: false,
                first_broken_seq: Some(expected_seq),
                problem: Some(why),
            };
            if r.seq != expected_seq {
                return Ok(broken(format!(
                    "第 {expected_seq} 条记录缺失（下一条是第 {} 条）",
                    r.seq
                )));
            }
            if r.prev_hash != prev {
                return Ok(broken(format!("第 {} 条记录的前序哈希与上一条不符", r.seq)));
            }
            if r.hash != r.expected_hash(&prev) {
                return Ok(broken(format!(
                    "第 {} 条记录内容已被修改（SM3 哈希不符）",
                    r.seq
                )));
            }
            prev = r.hash.clone();
            expected_seq += 1;
            checked += 1;
        }
    }
    let (head_seq, head_hash) = repo::head(&mut db.reader()).await?;
    if head_seq != checked || head_hash != prev {
        return Ok(VerifyReport {
            rows_checked: checked,
            ok: false,
            first_broken_seq: Some(checked + 1),
            problem: Some(format!(
                "日志末尾被删除：链头记录到第 {head_seq} 条，实际只有 {checked} 条"
            )),
        });
    }
    Ok(VerifyReport {
        rows_checked: checked,
        ok: true,
        first_broken_seq: None,
        problem: None,
    })
}

/// Filters for reading the log.
#[derive(Debug, Default, Clone)]
pub struct AuditQuery {
    pub subject_ref: Option<String>,
    pub object_type: Option<String>,
    pub object_id: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

pub async fn list(db: &Db, f: &AuditQuery) -> AppResult<(Vec<AuditRow>, i64)> {
    Ok(repo::list(&mut db.reader(), f).await?)
}

/// The rows about a subject made by others than the portal user `person_id`, a page and the
/// count of all such rows (the citizen's access log: their own acts are not "someone looking
/// at my data", and the total counts only what the pages show).
pub async fn about_subject_by_others(
    db: &Db,
    subject_ref: &str,
    person_id: i64,
    limit: i64,
    offset: i64,
) -> AppResult<(Vec<AuditRow>, i64)> {
    Ok(
        repo::about_subject_by_others(&mut db.reader(), subject_ref, person_id, limit, offset)
            .await?,
    )
}

/// Append many rows by one actor inside the caller's transaction, chained at once with a
/// few statements instead of three per row (the job runner escalating thousands of
/// deadlines at once). Returns the last sequence.
pub async fn append_many(
    tx: &mut Tx,
    actor: &Actor,
    at_ms: i64,
    entries: Vec<Entry<'_>>,
) -> AppResult<i64> {
    let rows = entries
        .into_iter()
        .map(|e| AuditRow::unchained(actor, at_ms, e))
        .collect();
    chain_in(tx, rows).await
}

/// Gives `rows` the next sequence numbers and hashes, in order, and writes them with the
/// new head. Returns the last sequence (0 when there is nothing to write).
async fn chain_in(tx: &mut Tx, mut rows: Vec<AuditRow>) -> AppResult<i64> {
    if rows.is_empty() {
        return Ok(0);
    }
    let k = i64::try_from(rows.len()).unwrap_or(i64::MAX);
    // Reserving the range of sequence numbers takes the head row: appenders stay serialised.
    let (last, mut prev_hash) = repo::reserve_seqs(tx, k).await?;
    for (i, row) in rows.iter_mut().enumerate() {
        row.seq = last - k + 1 + i64::try_from(i).unwrap_or_default();
        row.prev_hash.clone_from(&prev_hash);
        row.hash = row.expected_hash(&prev_hash);
        prev_hash.clone_from(&row.hash);
    }
    repo::set_head_hash(tx, &prev_hash).await?;
    repo::insert_rows(tx, &rows).await?;
    Ok(last)
}
