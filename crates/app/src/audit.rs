//! The audit log: append-only, every write and every read of personal data, each row
//! chained to the previous one with SM3 (DESIGN "Trust").

use proofless_store::{Db, StoreError, Tx, q};
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use crate::actor::Actor;
use crate::error::AppResult;

pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What happened, to what, and why.
pub struct Entry<'a> {
    pub action: &'a str,
    pub object_type: &'a str,
    pub object_id: String,
    /// `person:ID` or `entity:ID` when personal data of that subject was touched, so the
    /// subject can later see who looked at their data and why (A2 §12).
    pub subject_ref: Option<String>,
    pub purpose: &'a str,
    pub detail: Json,
}

impl<'a> Entry<'a> {
    pub fn new(action: &'a str, object_type: &'a str, object_id: impl ToString) -> Entry<'a> {
        Entry {
            action,
            object_type,
            object_id: object_id.to_string(),
            subject_ref: None,
            purpose: "",
            detail: Json::Null,
        }
    }

    pub fn purpose(mut self, p: &'a str) -> Self {
        self.purpose = p;
        self
    }

    pub fn subject(mut self, s: impl Into<String>) -> Self {
        self.subject_ref = Some(s.into());
        self
    }

    pub fn detail(mut self, d: Json) -> Self {
        self.detail = d;
        self
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct AuditRow {
    pub seq: i64,
    pub at: i64,
    pub actor_kind: String,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub org_id: Option<i64>,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    pub subject_ref: Option<String>,
    pub purpose: String,
    pub operation_id: String,
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

impl AuditRow {
    /// The bytes the chain hashes: every field but the hashes, in a fixed order,
    /// separated by a byte that cannot appear in UTF-8 text.
    fn chained_bytes(&self) -> Vec<u8> {
        let fields: [String; 13] = [
            self.seq.to_string(),
            self.at.to_string(),
            self.actor_kind.clone(),
            self.actor_id.map(|v| v.to_string()).unwrap_or_default(),
            self.actor_name.clone(),
            self.org_id.map(|v| v.to_string()).unwrap_or_default(),
            self.action.clone(),
            self.object_type.clone(),
            self.object_id.clone(),
            self.subject_ref.clone().unwrap_or_default(),
            self.purpose.clone(),
            self.operation_id.clone(),
            self.detail.clone(),
        ];
        let mut out = Vec::with_capacity(256);
        for f in fields {
            out.extend_from_slice(f.as_bytes());
            out.push(0xff);
        }
        out
    }

    fn expected_hash(&self, prev: &str) -> String {
        proofless_seal::chain_hash(prev, &self.chained_bytes())
    }
}

/// Append one row to the caller's transaction, so the row commits with the change it
/// records or not at all. The rows a transaction collects are chained at its commit
/// ([`chain_at_commit`]): the chain's head row, which serialises every writer, is then
/// locked only while committing, not from the first audited change to the end.
pub async fn append(tx: &mut Tx, actor: &Actor, at_ms: i64, e: Entry<'_>) -> AppResult<()> {
    let row = unchained(actor, at_ms, e);
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

/// A row with everything but its place in the chain.
fn unchained(actor: &Actor, at_ms: i64, e: Entry<'_>) -> AuditRow {
    AuditRow {
        seq: 0,
        at: at_ms,
        actor_kind: actor.kind.as_str().to_owned(),
        actor_id: actor.id,
        actor_name: actor.name.clone(),
        org_id: actor.org_id,
        action: e.action.to_owned(),
        object_type: e.object_type.to_owned(),
        object_id: e.object_id,
        subject_ref: e.subject_ref,
        purpose: e.purpose.to_owned(),
        operation_id: actor.operation_id.clone(),
        detail: if e.detail.is_null() {
            "{}".to_owned()
        } else {
            e.detail.to_string()
        },
        prev_hash: String::new(),
        hash: String::new(),
    }
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
        let rows: Vec<AuditRow> = db
            .reader()
            .fetch_all(
                q("SELECT * FROM audit_log WHERE seq >= ? ORDER BY seq LIMIT ?")
                    .bind(expected_seq)
                    .bind(BATCH),
            )
            .await?;
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
    let (head_seq, head_hash): (i64, String) = db
        .reader()
        .fetch_one(q("SELECT seq, hash FROM audit_head WHERE id = 1"))
        .await?;
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
    let mut where_sql = String::from(" WHERE 1 = 1");
    let mut args: Vec<proofless_store::Value> = Vec::new();
    if let Some(s) = &f.subject_ref {
        where_sql.push_str(" AND subject_ref = ?");
        args.push(s.into());
    }
    if let Some(s) = &f.object_type {
        where_sql.push_str(" AND object_type = ?");
        args.push(s.into());
    }
    if let Some(s) = &f.object_id {
        where_sql.push_str(" AND object_id = ?");
        args.push(s.into());
    }
    let mut count = q(format!("SELECT COUNT(*) FROM audit_log{where_sql}"));
    count.args = args.clone();
    let total = db.reader().scalar_i64(count).await?;
    let mut list = q(format!(
        "SELECT * FROM audit_log{where_sql} ORDER BY seq DESC LIMIT ? OFFSET ?"
    ));
    list.args = args;
    let rows = db
        .reader()
        .fetch_all(list.bind(f.limit).bind(f.offset))
        .await?;
    Ok((rows, total))
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
        .map(|e| unchained(actor, at_ms, e))
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
    let (last, mut prev_hash): (i64, String) = tx
        .fetch_one(
            q("UPDATE audit_head SET seq = seq + ? WHERE id = 1 RETURNING seq, hash").bind(k),
        )
        .await?;
    for (i, row) in rows.iter_mut().enumerate() {
        row.seq = last - k + 1 + i64::try_from(i).unwrap_or_default();
        row.prev_hash.clone_from(&prev_hash);
        row.hash = row.expected_hash(&prev_hash);
        prev_hash.clone_from(&row.hash);
    }
    tx.execute(q("UPDATE audit_head SET hash = ? WHERE id = 1").bind(&prev_hash))
        .await?;
    for chunk in rows.chunks(500) {
        let mut sql = String::from(
            "INSERT INTO audit_log (seq, at, actor_kind, actor_id, actor_name, org_id, action, \
             object_type, object_id, subject_ref, purpose, operation_id, detail, prev_hash, hash) VALUES ",
        );
        for i in 0..chunk.len() {
            if i > 0 {
                sql.push(',');
            }
            sql.push_str("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        }
        let mut query = q(sql);
        for row in chunk {
            query = query
                .bind(row.seq)
                .bind(row.at)
                .bind(&row.actor_kind)
                .bind(row.actor_id)
                .bind(&row.actor_name)
                .bind(row.org_id)
                .bind(&row.action)
                .bind(&row.object_type)
                .bind(&row.object_id)
                .bind(row.subject_ref.clone())
                .bind(&row.purpose)
                .bind(&row.operation_id)
                .bind(&row.detail)
                .bind(&row.prev_hash)
                .bind(&row.hash);
        }
        tx.execute(query).await?;
    }
    Ok(last)
}
