//! The SQL of credit, and only here: subjects' status, records, blacklist proposals and
//! entries, repairs and the exports to 信用淄博. Rows decode straight into records whose
//! kinds and states are `domain` enums.

use proofless_domain::credit::{
    CreditStatus, ExportChannel, ExportStatus, ProposalState, RecordKind, RepairState,
};
use proofless_store::{Exec, Query, q};
use serde::{Deserialize, Serialize};

use crate::error::{AppError, AppResult};

/// The name of the person or entity a row's `subject_ref` (`person:ID` or `entity:ID`, both
/// prefixes 7 characters) points at, as a column of the same query: a list reads its names
/// with its rows instead of one query per row.
macro_rules! subject_name_col {
    () => {
        "COALESCE(CASE WHEN substr(subject_ref, 1, 7) = 'person:' \
         THEN (SELECT sp.name_masked FROM persons sp WHERE sp.id = CAST(substr(subject_ref, 8) AS BIGINT)) \
         ELSE (SELECT se.name FROM entities se WHERE se.id = CAST(substr(subject_ref, 8) AS BIGINT)) END, '') \
         AS subject_name"
    };
}

// --- subjects and records ------------------------------------------------------------------

/// A subject without a row has the default status (full score, nothing recorded).
pub(crate) async fn status(
    db: &mut impl Exec,
    subject_ref: &str,
) -> AppResult<Option<CreditStatus>> {
    Ok(db
        .fetch_optional(
            q("SELECT score, serious_records, blacklisted FROM credit_subjects WHERE subject_ref = ?")
                .bind(subject_ref),
        )
        .await?)
}

pub(crate) async fn save_status(
    db: &mut impl Exec,
    subject_ref: &str,
    st: &CreditStatus,
    now: i64,
) -> AppResult<()> {
    db.execute(
        q("INSERT INTO credit_subjects (subject_ref, score, serious_records, blacklisted, updated_at) \
           VALUES (?, ?, ?, ?, ?) ON CONFLICT (subject_ref) DO UPDATE SET score = excluded.score, \
           serious_records = excluded.serious_records, blacklisted = excluded.blacklisted, updated_at = excluded.updated_at")
        .bind(subject_ref)
        .bind(st.score)
        .bind(st.serious_records)
        .bind(st.blacklisted)
        .bind(now),
    )
    .await?;
    Ok(())
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct CreditRecord {
    pub id: i64,
    pub subject_ref: String,
    pub kind: RecordKind,
    pub commitment_id: Option<i64>,
    pub org_id: Option<i64>,
    pub note: String,
    pub score_after: i64,
    pub at: i64,
    /// The kind in Chinese.
    #[serde(skip_deserializing)]
    pub kind_label: String,
    /// Read with the row where the query selects it.
    #[serde(default)]
    pub subject_name: String,
}

impl CreditRecord {
    fn labelled(mut self) -> CreditRecord {
        self.kind_label = self.kind.label().to_owned();
        self
    }
}

#[allow(clippy::too_many_arguments)]
pub(crate) async fn insert_record(
    db: &mut impl Exec,
    subject_ref: &str,
    kind: RecordKind,
    commitment_id: Option<i64>,
    org_id: Option<i64>,
    note: &str,
    score_after: i64,
    now: i64,
) -> AppResult<i64> {
    Ok(db
        .scalar_i64(
            q("INSERT INTO credit_records (subject_ref, kind, commitment_id, org_id, note, score_after, at) \
               VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id")
            .bind(subject_ref)
            .bind(kind.as_str())
            .bind(commitment_id)
            .bind(org_id)
            .bind(note)
            .bind(score_after)
            .bind(now),
        )
        .await?)
}

/// Display name of a person (masked: names are encrypted at rest, issue #16 item 9) or an
/// entity; empty when it does not exist.
pub(crate) async fn subject_name(db: &mut impl Exec, person: bool, id: i64) -> AppResult<String> {
    let sql = if person {
        "SELECT name_masked FROM persons WHERE id = ?"
    } else {
        "SELECT name FROM entities WHERE id = ?"
    };
    let row: Option<(String,)> = db.fetch_optional(q(sql).bind(id)).await?;
    Ok(row.map(|r| r.0).unwrap_or_default())
}

pub(crate) async fn records_of(
    db: &mut impl Exec,
    subject_ref: &str,
) -> AppResult<Vec<CreditRecord>> {
    let rows: Vec<CreditRecord> = db
        .fetch_all(
            q("SELECT id, subject_ref, kind, commitment_id, org_id, note, score_after, at FROM credit_records \
               WHERE subject_ref = ? ORDER BY id DESC LIMIT 500")
            .bind(subject_ref),
        )
        .await?;
    Ok(rows.into_iter().map(CreditRecord::labelled).collect())
}

/// Records newest first, optionally of one kind, below an id (paging backwards).
pub(crate) async fn records(
    db: &mut impl Exec,
    kind: Option<RecordKind>,
    before_id: Option<i64>,
    limit: i64,
) -> AppResult<Vec<CreditRecord>> {
    let mut query = Query::new(concat!(
        "SELECT r.id, r.subject_ref, r.kind, r.commitment_id, r.org_id, r.note, r.score_after, r.at, ",
        subject_name_col!(),
        " FROM credit_records r WHERE 1 = 1"
    ));
    if let Some(kind) = kind {
        query.push_sql(" AND r.kind = ?");
        query.push_arg(kind.as_str());
    }
    if let Some(b) = before_id {
        query.push_sql(" AND r.id < ?");
        query.push_arg(b);
    }
    query.push_sql(&format!(" ORDER BY r.id DESC LIMIT {limit}"));
    let rows: Vec<CreditRecord> = db.fetch_all(query).await?;
    Ok(rows.into_iter().map(CreditRecord::labelled).collect())
}

/// When the subject's latest false-commitment record was made, if any.
pub(crate) async fn latest_false_record(
    db: &mut impl Exec,
    subject_ref: &str,
) -> AppResult<Option<i64>> {
    let row: Option<(Option<i64>,)> = db
        .fetch_optional(
            q("SELECT MAX(at) FROM credit_records WHERE subject_ref = ? AND kind = ?")
                .bind(subject_ref)
                .bind(RecordKind::CommitmentFalse.as_str()),
        )
        .await?;
    Ok(row.and_then(|r| r.0))
}

// --- blacklist proposals ---------------------------------------------------------------------

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct Proposal {
    pub id: i64,
    pub subject_ref: String,
    pub commitment_id: i64,
    pub state: ProposalState,
    pub reason: String,
    pub objection_until: i64,
    pub objection: Option<String>,
    pub objected_at: Option<i64>,
    pub decision_reasons: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<i64>,
    pub created_at: i64,
    pub version: i64,
    pub subject_name: String,
}

const PROPOSAL_COLS: &str = concat!(
    "SELECT id, subject_ref, commitment_id, state, reason, objection_until, objection, \
     objected_at, decision_reasons, decided_by, decided_at, created_at, version, ",
    subject_name_col!(),
    " FROM blacklist_proposals"
);

pub(crate) async fn insert_proposal(
    db: &mut impl Exec,
    subject_ref: &str,
    commitment_id: i64,
    reason: &str,
    objection_until: i64,
    now: i64,
) -> AppResult<i64> {
    Ok(db
        .scalar_i64(
            q("INSERT INTO blacklist_proposals (subject_ref, commitment_id, state, reason, objection_until, created_at) \
               VALUES (?, ?, ?, ?, ?, ?) RETURNING id")
            .bind(subject_ref)
            .bind(commitment_id)
            .bind(ProposalState::Notified.as_str())
            .bind(reason)
            .bind(objection_until)
            .bind(now),
        )
        .await?)
}

pub(crate) async fn find_proposal(db: &mut impl Exec, id: i64) -> AppResult<Option<Proposal>> {
    Ok(db
        .fetch_optional(q(format!("{PROPOSAL_COLS} WHERE id = ?")).bind(id))
        .await?)
}

pub(crate) async fn proposal(db: &mut impl Exec, id: i64) -> AppResult<Proposal> {
    find_proposal(db, id)
        .await?
        .ok_or_else(|| AppError::NotFound("黑名单拟列入事项".to_owned()))
}

/// Whose proposals a list shows.
pub(crate) enum ProposalScope<'a> {
    /// The person's own and those of the entities they represent.
    Person(i64),
    /// One subject (the credit office's filter).
    Subject(&'a str),
    /// All (the credit office).
    All,
}

pub(crate) async fn proposals(
    db: &mut impl Exec,
    scope: ProposalScope<'_>,
    state: Option<ProposalState>,
) -> AppResult<Vec<Proposal>> {
    let mut query = Query::new(format!("{PROPOSAL_COLS} WHERE 1 = 1"));
    match scope {
        ProposalScope::Person(pid) => {
            query.push_sql(
                " AND (subject_ref = ? OR subject_ref IN (SELECT 'entity:' || CAST(entity_id AS TEXT) \
                 FROM entity_representatives WHERE person_id = ?))",
            );
            query.push_arg(format!("person:{pid}"));
            query.push_arg(pid);
        }
        ProposalScope::Subject(s) => {
            query.push_sql(" AND subject_ref = ?");
            query.push_arg(s);
        }
        ProposalScope::All => {}
    }
    if let Some(s) = state {
        query.push_sql(" AND state = ?");
        query.push_arg(s.as_str());
    }
    query.push_sql(" ORDER BY id DESC LIMIT 500");
    Ok(db.fetch_all(query).await?)
}

pub(crate) async fn record_objection(
    db: &mut impl Exec,
    id: i64,
    text: &str,
    now: i64,
) -> AppResult<()> {
    db.execute(
        q("UPDATE blacklist_proposals SET state = ?, objection = ?, objected_at = ?, version = version + 1 \
           WHERE id = ? AND state = ?")
        .bind(ProposalState::Objected.as_str())
        .bind(text)
        .bind(now)
        .bind(id)
        .bind(ProposalState::Notified.as_str()),
    )
    .await?;
    Ok(())
}

/// Decides a proposal still in `from`; false when someone else decided it meanwhile.
pub(crate) async fn decide_proposal(
    db: &mut impl Exec,
    id: i64,
    from: ProposalState,
    to: ProposalState,
    reasons: &str,
    decided_by: &str,
    now: i64,
) -> AppResult<bool> {
    let n = db
        .execute(
            q("UPDATE blacklist_proposals SET state = ?, decision_reasons = ?, decided_by = ?, decided_at = ?, \
               version = version + 1 WHERE id = ? AND state = ?")
            .bind(to.as_str())
            .bind(reasons)
            .bind(decided_by)
            .bind(now)
            .bind(id)
            .bind(from.as_str()),
        )
        .await?;
    Ok(n == 1)
}

// --- the blacklist -----------------------------------------------------------------------------

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct BlacklistEntry {
    pub id: i64,
    pub subject_ref: String,
    pub proposal_id: i64,
    pub listed_at: i64,
    pub removed_at: Option<i64>,
    pub repair_id: Option<i64>,
    pub subject_name: String,
}

pub(crate) async fn insert_entry(
    db: &mut impl Exec,
    subject_ref: &str,
    proposal_id: i64,
    now: i64,
) -> AppResult<i64> {
    Ok(db
        .scalar_i64(
            q("INSERT INTO blacklist_entries (subject_ref, proposal_id, listed_at) VALUES (?, ?, ?) RETURNING id")
                .bind(subject_ref)
                .bind(proposal_id)
                .bind(now),
        )
        .await?)
}

/// Current entries, or all with those taken off by repair.
pub(crate) async fn entries(db: &mut impl Exec, all: bool) -> AppResult<Vec<BlacklistEntry>> {
    let sql = format!(
        "SELECT id, subject_ref, proposal_id, listed_at, removed_at, repair_id, {} FROM blacklist_entries {} \
         ORDER BY id DESC LIMIT 1000",
        subject_name_col!(),
        if all { "" } else { "WHERE removed_at IS NULL" }
    );
    Ok(db.fetch_all(q(sql)).await?)
}

/// An entry's subject, when it was listed and whether it was taken off.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct EntryRef {
    pub subject_ref: String,
    pub listed_at: i64,
    pub removed_at: Option<i64>,
}

pub(crate) async fn entry(db: &mut impl Exec, id: i64) -> AppResult<Option<EntryRef>> {
    Ok(db
        .fetch_optional(
            q("SELECT subject_ref, listed_at, removed_at FROM blacklist_entries WHERE id = ?")
                .bind(id),
        )
        .await?)
}

/// The subject's entry on the blacklist now, the latest if several.
pub(crate) async fn current_entry(db: &mut impl Exec, subject_ref: &str) -> AppResult<Option<i64>> {
    let row: Option<(i64,)> = db
        .fetch_optional(
            q(
                "SELECT id FROM blacklist_entries WHERE subject_ref = ? AND removed_at IS NULL \
               ORDER BY id DESC LIMIT 1",
            )
            .bind(subject_ref),
        )
        .await?;
    Ok(row.map(|r| r.0))
}

pub(crate) async fn remove_entry(
    db: &mut impl Exec,
    id: i64,
    repair_id: i64,
    now: i64,
) -> AppResult<()> {
    db.execute(
        q("UPDATE blacklist_entries SET removed_at = ?, repair_id = ? WHERE id = ?")
            .bind(now)
            .bind(repair_id)
            .bind(id),
    )
    .await?;
    Ok(())
}

// --- credit repair -----------------------------------------------------------------------------

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct Repair {
    pub id: i64,
    pub subject_ref: String,
    /// The blacklist entry taken off; none when the repair is of a serious record alone.
    pub entry_id: Option<i64>,
    pub rectification: String,
    pub state: RepairState,
    pub reasons: Option<String>,
    pub requested_by: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<i64>,
    pub created_at: i64,
    pub subject_name: String,
}

const REPAIR_COLS: &str = concat!(
    "SELECT id, subject_ref, entry_id, rectification, state, reasons, requested_by, \
     decided_by, decided_at, created_at, ",
    subject_name_col!(),
    " FROM credit_repairs"
);

/// A subject's repair request under review (one at a time).
pub(crate) async fn pending_repair(
    db: &mut impl Exec,
    subject_ref: &str,
) -> AppResult<Option<i64>> {
    let row: Option<(i64,)> = db
        .fetch_optional(
            q("SELECT id FROM credit_repairs WHERE subject_ref = ? AND state = ?")
                .bind(subject_ref)
                .bind(RepairState::Requested.as_str()),
        )
        .await?;
    Ok(row.map(|r| r.0))
}

pub(crate) async fn insert_repair(
    db: &mut impl Exec,
    subject_ref: &str,
    entry_id: Option<i64>,
    rectification: &str,
    requested_by: &str,
    now: i64,
) -> AppResult<i64> {
    Ok(db
        .scalar_i64(
            q("INSERT INTO credit_repairs (subject_ref, entry_id, rectification, state, requested_by, created_at) \
               VALUES (?, ?, ?, ?, ?, ?) RETURNING id")
            .bind(subject_ref)
            .bind(entry_id)
            .bind(rectification)
            .bind(RepairState::Requested.as_str())
            .bind(requested_by)
            .bind(now),
        )
        .await?)
}

pub(crate) async fn repair(db: &mut impl Exec, id: i64) -> AppResult<Repair> {
    db.fetch_optional(q(format!("{REPAIR_COLS} WHERE id = ?")).bind(id))
        .await?
        .ok_or_else(|| AppError::NotFound("信用修复申请".to_owned()))
}

/// The queue: requests under review first, then the newest.
pub(crate) async fn repairs(db: &mut impl Exec) -> AppResult<Vec<Repair>> {
    Ok(db
        .fetch_all(
            q(format!(
                "{REPAIR_COLS} ORDER BY CASE WHEN state = ? THEN 0 ELSE 1 END, id DESC LIMIT 500"
            ))
            .bind(RepairState::Requested.as_str()),
        )
        .await?)
}

pub(crate) async fn decide_repair(
    db: &mut impl Exec,
    id: i64,
    state: RepairState,
    reasons: &str,
    decided_by: &str,
    now: i64,
) -> AppResult<()> {
    db.execute(
        q("UPDATE credit_repairs SET state = ?, reasons = ?, decided_by = ?, decided_at = ? WHERE id = ?")
            .bind(state.as_str())
            .bind(reasons)
            .bind(decided_by)
            .bind(now)
            .bind(id),
    )
    .await?;
    Ok(())
}

// --- the feed to 信用淄博 ------------------------------------------------------------------------

/// A record with the codes and names the platform keys on.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct FeedRow {
    pub id: i64,
    pub subject_ref: String,
    pub kind: RecordKind,
    pub note: String,
    pub score_after: i64,
    pub at: i64,
    pub person_code: Option<String>,
    pub person_name: Option<String>,
    pub entity_code: Option<String>,
    pub entity_name: Option<String>,
}

pub(crate) async fn feed_rows(
    db: &mut impl Exec,
    after_id: i64,
    limit: i64,
) -> AppResult<Vec<FeedRow>> {
    Ok(db
        .fetch_all(
            q("SELECT r.id, r.subject_ref, r.kind, r.note, r.score_after, r.at, \
               p.resident_id_enc AS person_code, p.name_enc AS person_name, e.credit_code AS entity_code, e.name AS entity_name \
               FROM credit_records r \
               LEFT JOIN persons p ON r.subject_ref = 'person:' || CAST(p.id AS TEXT) \
               LEFT JOIN entities e ON r.subject_ref = 'entity:' || CAST(e.id AS TEXT) \
               WHERE r.id > ? ORDER BY r.id LIMIT ?")
            .bind(after_id)
            .bind(limit),
        )
        .await?)
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct ExportRow {
    pub id: i64,
    pub channel: ExportChannel,
    pub target: String,
    pub first_id: i64,
    pub last_id: i64,
    pub count: i64,
    pub status: ExportStatus,
    pub error: Option<String>,
    pub at: i64,
}

const EXPORT_COLS: &str =
    "SELECT id, channel, target, first_id, last_id, count, status, error, at FROM credit_exports";

/// One export: where it went, which records, how it ended.
pub(crate) struct NewExport<'a> {
    pub channel: ExportChannel,
    pub target: &'a str,
    pub range: (i64, i64, i64),
    pub status: ExportStatus,
    pub error: Option<&'a str>,
}

pub(crate) async fn insert_export(
    db: &mut impl Exec,
    e: &NewExport<'_>,
    now: i64,
) -> AppResult<i64> {
    let (first, last, count) = e.range;
    Ok(db
        .scalar_i64(
            q("INSERT INTO credit_exports (channel, target, first_id, last_id, count, status, error, at) \
               VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id")
            .bind(e.channel.as_str())
            .bind(e.target)
            .bind(first)
            .bind(last)
            .bind(count)
            .bind(e.status.as_str())
            .bind(e.error)
            .bind(now),
        )
        .await?)
}

pub(crate) async fn export(db: &mut impl Exec, id: i64) -> AppResult<ExportRow> {
    Ok(db
        .fetch_one(q(format!("{EXPORT_COLS} WHERE id = ?")).bind(id))
        .await?)
}

pub(crate) async fn exports(db: &mut impl Exec) -> AppResult<Vec<ExportRow>> {
    Ok(db
        .fetch_all(q(format!("{EXPORT_COLS} ORDER BY id DESC LIMIT 200")))
        .await?)
}

/// The last record the platform acknowledged (0: none yet).
pub(crate) async fn last_pushed(db: &mut impl Exec) -> AppResult<i64> {
    let (after,): (Option<i64>,) = db
        .fetch_one(
            q("SELECT MAX(last_id) FROM credit_exports WHERE channel = ? AND status = ?")
                .bind(ExportChannel::Push.as_str())
                .bind(ExportStatus::Done.as_str()),
        )
        .await?;
    Ok(after.unwrap_or(0))
}

// Rows shown outside name persons by public id (issue #16 item 6): the API publishes them.
macro_rules! subject_ref_of {
    ($($t:ty),*) => {
        $(impl crate::applicants::SubjectRef for $t {
            fn subject_ref_mut(&mut self) -> &mut String {
                &mut self.subject_ref
            }
        })*
    };
}
subject_ref_of!(CreditRecord, Proposal, BlacklistEntry, Repair);
