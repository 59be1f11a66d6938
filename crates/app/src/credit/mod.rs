//! Credit records, the false-commitment blacklist with its due process, credit repair and
//! the feed to the city credit platform 信用淄博 (SPEC R4.4, R4.8; P 三(四)3; issue #6 §6).
//!
//! Each subject has one `credit_subjects` row holding the status the eligibility and plan
//! rules read; it changes only together with an appended credit record, in one transaction,
//! so eligibility is one primary-key lookup however many records there are.

pub mod blacklist;
pub mod feed;

use proofless_domain::credit::{self, CreditStatus, RecordKind};
use proofless_domain::role::Role;
use proofless_store::{Tx, q};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::App;
use crate::actor::{Actor, ActorKind};
use crate::audit::{self, Entry};
use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct CreditRecord {
    pub id: i64,
    pub subject_ref: String,
    pub kind: String,
    pub commitment_id: Option<i64>,
    pub org_id: Option<i64>,
    pub note: String,
    pub score_after: i64,
    pub at: i64,
    #[serde(skip_deserializing)]
    pub kind_label: String,
    /// Read with the row where the query selects it ([`subject_name_col`]).
    #[serde(default)]
    pub subject_name: String,
}

/// A subject's credit as shown: status, level and the records.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SubjectCredit {
    pub subject_ref: String,
    pub subject_name: String,
    pub score: i64,
    pub level: String,
    pub level_label: String,
    pub serious_records: i64,
    pub blacklisted: bool,
    pub records: Vec<CreditRecord>,
}

/// The name of the person or entity a row's `subject_ref` (`person:ID` or `entity:ID`, both
/// prefixes 7 characters) points at, as a column of the same query: a list reads its names
/// with its rows instead of one query per row.
macro_rules! subject_name_col {
    () => {
        "COALESCE(CASE WHEN substr(subject_ref, 1, 7) = 'person:' \
         THEN (SELECT sp.name FROM persons sp WHERE sp.id = CAST(substr(subject_ref, 8) AS BIGINT)) \
         ELSE (SELECT se.name FROM entities se WHERE se.id = CAST(substr(subject_ref, 8) AS BIGINT)) END, '') \
         AS subject_name"
    };
}
pub(crate) use subject_name_col;

/// A subject without a row has the default status (full score, nothing recorded).
const STATUS: &str =
    "SELECT score, serious_records, blacklisted FROM credit_subjects WHERE subject_ref = ?";

/// The status the rules read, inside `tx`.
pub async fn status_in(tx: &mut Tx, subject_ref: &str) -> AppResult<CreditStatus> {
    Ok(tx
        .fetch_optional(q(STATUS).bind(subject_ref))
        .await?
        .unwrap_or_default())
}

/// The status the rules read, from the committed state.
pub async fn status(app: &App, subject_ref: &str) -> AppResult<CreditStatus> {
    Ok(app
        .db
        .reader()
        .fetch_optional(q(STATUS).bind(subject_ref))
        .await?
        .unwrap_or_default())
}

/// Appends a credit record and moves the subject's status with it, inside `tx`.
#[allow(clippy::too_many_arguments)]
pub async fn add_record_in(
    tx: &mut Tx,
    actor: &Actor,
    subject_ref: &str,
    kind: RecordKind,
    commitment_id: Option<i64>,
    org_id: Option<i64>,
    note: &str,
    now: i64,
) -> AppResult<i64> {
    let before = status_in(tx, subject_ref).await?;
    let after = credit::apply(&before, kind);
    tx.execute(
        q("INSERT INTO credit_subjects (subject_ref, score, serious_records, blacklisted, updated_at) \
           VALUES (?, ?, ?, ?, ?) ON CONFLICT (subject_ref) DO UPDATE SET score = excluded.score, \
           serious_records = excluded.serious_records, blacklisted = excluded.blacklisted, updated_at = excluded.updated_at")
        .bind(subject_ref)
        .bind(after.score)
        .bind(after.serious_records)
        .bind(after.blacklisted)
        .bind(now),
    )
    .await?;
    let id = tx
        .scalar_i64(
            q("INSERT INTO credit_records (subject_ref, kind, commitment_id, org_id, note, score_after, at) \
               VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id")
            .bind(subject_ref)
            .bind(kind.as_str())
            .bind(commitment_id)
            .bind(org_id)
            .bind(note)
            .bind(after.score)
            .bind(now),
        )
        .await?;
    audit::append(
        tx,
        actor,
        now,
        Entry::new("credit.record", "credit_record", id)
            .subject(subject_ref)
            .detail(json!({
                "kind": kind.as_str(), "commitment_id": commitment_id,
                "score_before": before.score, "score_after": after.score,
                "blacklisted": after.blacklisted,
            })),
    )
    .await?;
    Ok(id)
}

/// Display name of a subject (`person:ID` or `entity:ID`).
pub async fn subject_name_in(tx: &mut Tx, subject_ref: &str) -> AppResult<String> {
    let (kind, id) = split_ref(subject_ref)?;
    let sql = match kind {
        "person" => "SELECT name FROM persons WHERE id = ?",
        _ => "SELECT name FROM entities WHERE id = ?",
    };
    let row: Option<(String,)> = tx.fetch_optional(q(sql).bind(id)).await?;
    Ok(row.map(|r| r.0).unwrap_or_default())
}

pub fn split_ref(subject_ref: &str) -> AppResult<(&str, i64)> {
    let (kind, id) = subject_ref.split_once(':').ok_or_else(|| {
        AppError::field("subject_ref", "信用主体应写作 person:编号 或 entity:编号")
    })?;
    let id: i64 = id
        .parse()
        .map_err(|_| AppError::field("subject_ref", "信用主体编号应为数字"))?;
    if kind != "person" && kind != "entity" {
        return Err(AppError::field(
            "subject_ref",
            "信用主体应写作 person:编号 或 entity:编号",
        ));
    }
    Ok((kind, id))
}

/// Whether a portal user is the subject, or represents the entity that is.
pub async fn portal_owns(tx: &mut Tx, actor: &Actor, subject_ref: &str) -> AppResult<bool> {
    if actor.kind != ActorKind::Portal {
        return Ok(false);
    }
    let Some(pid) = actor.id else {
        return Ok(false);
    };
    let (kind, id) = split_ref(subject_ref)?;
    if kind == "person" {
        return Ok(id == pid);
    }
    let row: Option<(i64,)> = tx
        .fetch_optional(
            q("SELECT entity_id FROM entity_representatives WHERE entity_id = ? AND person_id = ?")
                .bind(id)
                .bind(pid),
        )
        .await?;
    Ok(row.is_some())
}

/// A subject's credit (the credit office; or the subject itself on the portal).
pub async fn subject_credit(
    app: &App,
    actor: &Actor,
    subject_ref: &str,
    purpose: &str,
) -> AppResult<SubjectCredit> {
    split_ref(subject_ref)?;
    let mut tx = app.db.begin().await?;
    if !portal_owns(&mut tx, actor, subject_ref).await? {
        actor.require_any(&[Role::CreditOffice, Role::SystemAdmin])?;
    }
    let st = status_in(&mut tx, subject_ref).await?;
    let name = subject_name_in(&mut tx, subject_ref).await?;
    let mut records: Vec<CreditRecord> = tx
        .fetch_all(
            q("SELECT id, subject_ref, kind, commitment_id, org_id, note, score_after, at FROM credit_records \
               WHERE subject_ref = ? ORDER BY id DESC LIMIT 500")
            .bind(subject_ref),
        )
        .await?;
    for r in &mut records {
        r.kind_label = RecordKind::parse(&r.kind)
            .map(|k| k.label().to_owned())
            .unwrap_or_default();
        r.subject_name.clone_from(&name);
    }
    audit::append(
        &mut tx,
        actor,
        app.now_ms(),
        Entry::new("credit.read", "credit_subject", subject_ref)
            .subject(subject_ref)
            .purpose(if purpose.is_empty() {
                "查看信用记录"
            } else {
                purpose
            }),
    )
    .await?;
    tx.commit().await?;
    let (level, label) = credit::level(st.score);
    Ok(SubjectCredit {
        subject_ref: subject_ref.to_owned(),
        subject_name: name,
        score: st.score,
        level: level.to_owned(),
        level_label: label.to_owned(),
        serious_records: st.serious_records,
        blacklisted: st.blacklisted,
        records,
    })
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct RecordFilter {
    /// `commitment_kept`, `commitment_false`, `blacklisted`, `repaired`.
    pub kind: Option<String>,
    /// Records with an id below this (paging backwards).
    pub before_id: Option<i64>,
    pub limit: Option<i64>,
}

/// The credit office's record list, newest first.
pub async fn records(app: &App, actor: &Actor, f: &RecordFilter) -> AppResult<Vec<CreditRecord>> {
    actor.require_any(&[Role::CreditOffice, Role::SystemAdmin])?;
    let mut sql = concat!(
        "SELECT r.id, r.subject_ref, r.kind, r.commitment_id, r.org_id, r.note, r.score_after, r.at, ",
        subject_name_col!(),
        " FROM credit_records r WHERE 1 = 1"
    )
    .to_owned();
    let mut args: Vec<proofless_store::Value> = vec![];
    if let Some(k) = f.kind.as_deref().filter(|k| !k.is_empty()) {
        let kind = RecordKind::parse(k)
            .ok_or_else(|| AppError::field("kind", format!("记录类型“{k}”无效")))?;
        sql.push_str(" AND r.kind = ?");
        args.push(kind.as_str().into());
    }
    if let Some(b) = f.before_id {
        sql.push_str(" AND r.id < ?");
        args.push(b.into());
    }
    let limit = f.limit.unwrap_or(100).clamp(1, 500);
    sql.push_str(&format!(" ORDER BY r.id DESC LIMIT {limit}"));
    let mut query = q(sql);
    query.args = args;
    let mut rows: Vec<CreditRecord> = app.db.reader().fetch_all(query).await?;
    for r in &mut rows {
        r.kind_label = RecordKind::parse(&r.kind)
            .map(|k| k.label().to_owned())
            .unwrap_or_default();
    }
    audit::record_read(
        &app.db,
        actor,
        app.now_ms(),
        Entry::new("credit.list", "credit_record", "*")
            .purpose("信用办查看信用记录")
            .detail(json!({"count": rows.len()})),
    )
    .await?;
    Ok(rows)
}
