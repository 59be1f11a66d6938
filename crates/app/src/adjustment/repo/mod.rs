//! The SQL of list adjustment, and only here: applications, attachments, recorded events,
//! public comments, the demand radar's misses and the synonyms. Rows decode straight into
//! records whose kinds and states are `domain` enums.

use proofless_domain::adjustment::{AdjustmentKind, AdjustmentState, ChangeTarget};
use proofless_domain::catalogue::ReplacementMethod;
use proofless_store::{Exec, Query, q};
use serde::{Deserialize, Serialize};

use super::input::Application;
use crate::error::AppResult;

/// An adjustment application as staff read it.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct Adjustment {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub proof_item_id: i64,
    pub item_name: String,
    pub service_item: String,
    pub kind: AdjustmentKind,
    pub target: Option<ChangeTarget>,
    pub method: Option<ReplacementMethod>,
    pub method_text: String,
    pub interim_method: ReplacementMethod,
    pub interim_text: String,
    pub ground: String,
    pub ground_text: String,
    pub basis_law: String,
    pub basis_article: String,
    pub description: String,
    /// YYYY-MM-DD.
    pub trigger_date: String,
    pub filed_at: i64,
    /// The end of the 7-working-day limit (A3 §9), by the calendar.
    pub due_at: i64,
    /// Filed after `due_at`: recorded and counted in the unit's figures.
    pub late: bool,
    pub deadline_id: Option<i64>,
    pub event_id: Option<i64>,
    /// The public suggestion it came from.
    pub comment_id: Option<i64>,
    pub started_by_office: bool,
    pub state: AdjustmentState,
    pub supplement_note: String,
    pub supplement_due: Option<String>,
    pub supplement_reply: String,
    pub return_reasons: String,
    /// The justice bureau's legal review it relies on (catalogue `legal_reviews`).
    pub legal_review_id: Option<i64>,
    pub decided_by: Option<String>,
    pub decided_at: Option<i64>,
    pub published_version_id: Option<i64>,
    pub published_at: Option<i64>,
    pub filed_by: String,
    pub updated_at: i64,
    #[serde(default)]
    pub kind_label: String,
    #[serde(default)]
    pub state_label: String,
    #[serde(default)]
    pub target_label: String,
    #[serde(default)]
    pub interim_method_label: String,
    #[serde(default)]
    pub method_label: String,
}

impl Adjustment {
    fn labelled(mut self) -> Adjustment {
        self.kind_label = self.kind.label().to_owned();
        self.state_label = self.state.label().to_owned();
        self.target_label = self
            .target
            .map(|t| t.label().to_owned())
            .unwrap_or_default();
        self.interim_method_label = self.interim_method.label().to_owned();
        self.method_label = self
            .method
            .map(|m| m.label().to_owned())
            .unwrap_or_default();
        self
    }
}

const ADJ_COLS: &str = "SELECT a.id, a.org_id, o.name AS org_name, a.proof_item_id, a.item_name, \
    a.service_item, a.kind, a.target, a.method, a.method_text, a.interim_method, a.interim_text, \
    a.ground, a.ground_text, a.basis_law, a.basis_article, a.description, a.trigger_date, \
    a.filed_at, a.due_at, a.late, a.deadline_id, a.event_id, a.comment_id, a.started_by_office, \
    a.state, a.supplement_note, a.supplement_due, a.supplement_reply, a.return_reasons, \
    a.legal_review_id, a.decided_by, a.decided_at, a.published_version_id, a.published_at, \
    a.filed_by, a.updated_at FROM adjustments a JOIN orgs o ON o.id = a.org_id";

/// What is written with a new application besides the command.
pub(crate) struct NewRow<'a> {
    pub org_id: i64,
    pub item_name: &'a str,
    pub due_at: i64,
    pub late: bool,
    pub deadline_id: Option<i64>,
    pub started_by_office: bool,
    pub filed_by: &'a str,
    pub now: i64,
}

pub(crate) async fn insert(ex: &mut impl Exec, a: &Application, r: &NewRow<'_>) -> AppResult<i64> {
    let row: (i64,) = ex
        .fetch_one(
            q("INSERT INTO adjustments (org_id, proof_item_id, item_name, service_item, kind, target, \
               method, method_text, interim_method, interim_text, ground, ground_text, basis_law, \
               basis_article, description, trigger_date, filed_at, due_at, late, deadline_id, \
               event_id, comment_id, started_by_office, state, filed_by, updated_at) VALUES \
               (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id")
            .bind(r.org_id)
            .bind(a.proof_item_id)
            .bind(r.item_name)
            .bind(&a.service_item)
            .bind(a.kind.as_str())
            .bind(a.target.map(|t| t.as_str()))
            .bind(a.method.map(|m| m.as_str()))
            .bind(&a.method_text)
            .bind(a.interim_method.as_str())
            .bind(&a.interim_text)
            .bind(&a.ground)
            .bind(&a.ground_text)
            .bind(&a.basis_law)
            .bind(&a.basis_article)
            .bind(&a.description)
            .bind(a.trigger_date.format("%Y-%m-%d").to_string())
            .bind(r.now)
            .bind(r.due_at)
            .bind(r.late)
            .bind(r.deadline_id)
            .bind(a.event_id)
            .bind(a.comment_id)
            .bind(r.started_by_office)
            .bind(AdjustmentState::Filed.as_str())
            .bind(r.filed_by)
            .bind(r.now),
        )
        .await?;
    Ok(row.0)
}

pub(crate) async fn get(ex: &mut impl Exec, id: i64) -> AppResult<Option<Adjustment>> {
    let r: Option<Adjustment> = ex
        .fetch_optional(q(format!("{ADJ_COLS} WHERE a.id = ?")).bind(id))
        .await?;
    Ok(r.map(Adjustment::labelled))
}

/// Applications of one unit (or all), newest first, optionally of one state.
pub(crate) async fn list(
    ex: &mut impl Exec,
    org: Option<i64>,
    state: Option<AdjustmentState>,
    limit: i64,
) -> AppResult<Vec<Adjustment>> {
    let mut query = Query::new(format!("{ADJ_COLS} WHERE 1 = 1"));
    if let Some(o) = org {
        query.push_sql(" AND a.org_id = ?");
        query.push_arg(o);
    }
    if let Some(s) = state {
        query.push_sql(" AND a.state = ?");
        query.push_arg(s.as_str());
    }
    query.push_sql(" ORDER BY a.id DESC LIMIT ?");
    query.push_arg(limit);
    let rows: Vec<Adjustment> = ex.fetch_all(query).await?;
    Ok(rows.into_iter().map(Adjustment::labelled).collect())
}

/// The open application of an item, if any (A3 §9: one at a time).
pub(crate) async fn open_for_item(ex: &mut impl Exec, item: i64) -> AppResult<Option<i64>> {
    let r: Option<(i64,)> = ex
        .fetch_optional(
            q("SELECT id FROM adjustments WHERE proof_item_id = ? AND state IN ('filed', 'supplement_requested')")
                .bind(item),
        )
        .await?;
    Ok(r.map(|x| x.0))
}

/// The newest application of an item that the public should see (open, approved or published).
pub(crate) async fn latest_visible(ex: &mut impl Exec, item: i64) -> AppResult<Option<Adjustment>> {
    let r: Option<Adjustment> = ex
        .fetch_optional(
            q(format!(
                "{ADJ_COLS} WHERE a.proof_item_id = ? AND a.state IN \
                 ('filed', 'supplement_requested', 'approved', 'published') ORDER BY a.id DESC LIMIT 1"
            ))
            .bind(item),
        )
        .await?;
    Ok(r.map(Adjustment::labelled))
}

/// Approved or published cancellations whose item name contains `needle` (A3 §11: a
/// cancelled item stays findable).
pub(crate) async fn cancelled_matching(
    ex: &mut impl Exec,
    needle: &str,
    limit: i64,
) -> AppResult<Vec<Adjustment>> {
    let escaped: String = needle
        .chars()
        .flat_map(|c| match c {
            '%' | '_' | '\\' => vec!['\\', c],
            c => vec![c],
        })
        .collect();
    let rows: Vec<Adjustment> = ex
        .fetch_all(
            q(format!(
                "{ADJ_COLS} WHERE a.kind = 'cancel' AND a.state IN ('approved', 'published') \
                 AND a.item_name LIKE ? ESCAPE '\\' ORDER BY a.id DESC LIMIT ?"
            ))
            .bind(format!("%{escaped}%"))
            .bind(limit),
        )
        .await?;
    Ok(rows.into_iter().map(Adjustment::labelled).collect())
}

/// Moves an application between states, guarded by the state it was read in; rows changed.
pub(crate) async fn set_state(
    ex: &mut impl Exec,
    id: i64,
    from: AdjustmentState,
    to: AdjustmentState,
    now: i64,
) -> AppResult<u64> {
    Ok(ex
        .execute(
            q("UPDATE adjustments SET state = ?, updated_at = ? WHERE id = ? AND state = ?")
                .bind(to.as_str())
                .bind(now)
                .bind(id)
                .bind(from.as_str()),
        )
        .await?)
}

pub(crate) async fn set_supplement(
    ex: &mut impl Exec,
    id: i64,
    note: &str,
    due: &str,
) -> AppResult<()> {
    ex.execute(
        q("UPDATE adjustments SET supplement_note = ?, supplement_due = ? WHERE id = ?")
            .bind(note)
            .bind(due)
            .bind(id),
    )
    .await?;
    Ok(())
}

pub(crate) async fn set_reply(ex: &mut impl Exec, id: i64, reply: &str) -> AppResult<()> {
    ex.execute(
        q("UPDATE adjustments SET supplement_reply = ? WHERE id = ?")
            .bind(reply)
            .bind(id),
    )
    .await?;
    Ok(())
}

pub(crate) async fn set_decision(
    ex: &mut impl Exec,
    id: i64,
    reasons: &str,
    legal_review_id: Option<i64>,
    by: &str,
    now: i64,
) -> AppResult<()> {
    ex.execute(
        q("UPDATE adjustments SET return_reasons = ?, legal_review_id = ?, decided_by = ?, decided_at = ? WHERE id = ?")
            .bind(reasons)
            .bind(legal_review_id)
            .bind(by)
            .bind(now)
            .bind(id),
    )
    .await?;
    Ok(())
}

/// Approved adjustments whose item's exemption list has published a version since the
/// approval: (adjustment id, the first such version, its publication instant).
pub(crate) async fn publishable(ex: &mut impl Exec) -> AppResult<Vec<(i64, i64, i64)>> {
    // Gathered by the catalogue into a version (its amendment, issue #19) that is now
    // published.
    Ok(ex
        .fetch_all(q("SELECT a.id, lv.id, lv.published_at FROM adjustments a \
             JOIN list_amendments m ON m.source_kind = 'adjustment' AND m.source_id = a.id \
             JOIN list_versions lv ON lv.id = m.version_id \
             WHERE a.state = 'approved' AND lv.stage = 'published' \
             ORDER BY a.id"))
        .await?)
}

pub(crate) async fn mark_published(
    ex: &mut impl Exec,
    id: i64,
    version_id: i64,
    at: i64,
) -> AppResult<u64> {
    Ok(ex
        .execute(
            q("UPDATE adjustments SET state = 'published', published_version_id = ?, published_at = ?, \
               updated_at = ? WHERE id = ? AND state = 'approved'")
                .bind(version_id)
                .bind(at)
                .bind(at)
                .bind(id),
        )
        .await?)
}

/// Decided adjustments gathered into a list version, for its diff and the feeds.
pub(crate) async fn of_version(ex: &mut impl Exec, version_id: i64) -> AppResult<Vec<Adjustment>> {
    let rows: Vec<Adjustment> = ex
        .fetch_all(
            q(format!(
                "{ADJ_COLS} WHERE a.id IN (SELECT m.source_id FROM list_amendments m \
                 WHERE m.source_kind = 'adjustment' AND m.version_id = ?) ORDER BY a.id"
            ))
            .bind(version_id),
        )
        .await?;
    Ok(rows.into_iter().map(Adjustment::labelled).collect())
}

/// Decided (approved or published) adjustments, newest decision first.
pub(crate) async fn decided(ex: &mut impl Exec, limit: i64) -> AppResult<Vec<Adjustment>> {
    let rows: Vec<Adjustment> = ex
        .fetch_all(
            q(format!(
                "{ADJ_COLS} WHERE a.state IN ('approved', 'published') ORDER BY a.decided_at DESC LIMIT ?"
            ))
            .bind(limit),
        )
        .await?;
    Ok(rows.into_iter().map(Adjustment::labelled).collect())
}

/// Each exemption list with the instant of its newest publication.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct ListPublication {
    pub list_id: i64,
    pub title: String,
    pub last_published_at: Option<i64>,
}

pub(crate) async fn publications(ex: &mut impl Exec) -> AppResult<Vec<ListPublication>> {
    Ok(ex
        .fetch_all(q(
            "SELECT el.id AS list_id, el.title, MAX(lv.published_at) AS last_published_at \
             FROM exemption_lists el LEFT JOIN list_versions lv ON lv.list_id = el.id AND lv.stage = 'published' \
             GROUP BY el.id, el.title ORDER BY el.id",
        ))
        .await?)
}

// --- attachments ---------------------------------------------------------------------------

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct Attachment {
    pub id: i64,
    pub adjustment_id: i64,
    pub file_name: String,
    /// SM3 of the bytes, hex.
    pub sm3: String,
    pub size: i64,
    pub uploaded_by: String,
    pub uploaded_at: i64,
}

pub(crate) async fn insert_attachment(
    ex: &mut impl Exec,
    adjustment_id: i64,
    file_name: &str,
    sm3: &str,
    content: &[u8],
    by: &str,
    now: i64,
) -> AppResult<i64> {
    let r: (i64,) = ex
        .fetch_one(
            q("INSERT INTO adjustment_attachments (adjustment_id, file_name, sm3, size, content, uploaded_by, uploaded_at) \
               VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id")
            .bind(adjustment_id)
            .bind(file_name)
            .bind(sm3)
            .bind(content.len() as i64)
            .bind(content)
            .bind(by)
            .bind(now),
        )
        .await?;
    Ok(r.0)
}

pub(crate) async fn attachments(
    ex: &mut impl Exec,
    adjustment_id: i64,
) -> AppResult<Vec<Attachment>> {
    Ok(ex
        .fetch_all(
            q(
                "SELECT id, adjustment_id, file_name, sm3, size, uploaded_by, uploaded_at \
               FROM adjustment_attachments WHERE adjustment_id = ? ORDER BY id",
            )
            .bind(adjustment_id),
        )
        .await?)
}

#[derive(Deserialize)]
struct Content {
    content: serde_bytes_vec::Bytes,
}

mod serde_bytes_vec {
    /// Bytes decoded from a BLOB/BYTEA column.
    #[derive(Debug)]
    pub struct Bytes(pub Vec<u8>);
    impl<'de> serde::Deserialize<'de> for Bytes {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Bytes, D::Error> {
            struct V;
            impl serde::de::Visitor<'_> for V {
                type Value = Bytes;
                fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str("bytes")
                }
                fn visit_byte_buf<E>(self, v: Vec<u8>) -> Result<Bytes, E> {
                    Ok(Bytes(v))
                }
                fn visit_bytes<E>(self, v: &[u8]) -> Result<Bytes, E> {
                    Ok(Bytes(v.to_vec()))
                }
            }
            d.deserialize_byte_buf(V)
        }
    }
}

pub(crate) async fn attachment_content(
    ex: &mut impl Exec,
    adjustment_id: i64,
    id: i64,
) -> AppResult<Option<Vec<u8>>> {
    let r: Option<Content> = ex
        .fetch_optional(
            q("SELECT content FROM adjustment_attachments WHERE id = ? AND adjustment_id = ?")
                .bind(id)
                .bind(adjustment_id),
        )
        .await?;
    Ok(r.map(|c| c.content.0))
}

// --- events the joint office recorded ------------------------------------------------------

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[schema(as = AdjustmentEvent)]
pub struct Event {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub proof_item_id: i64,
    pub description: String,
    pub event_date: String,
    pub deadline_id: Option<i64>,
    pub due_at: i64,
    pub recorded_by: String,
    pub recorded_at: i64,
    pub adjustment_id: Option<i64>,
}

const EVENT_COLS: &str = "SELECT e.id, e.org_id, o.name AS org_name, e.proof_item_id, e.description, \
    e.event_date, e.deadline_id, e.due_at, e.recorded_by, e.recorded_at, e.adjustment_id \
    FROM adjustment_events e JOIN orgs o ON o.id = e.org_id";

#[allow(clippy::too_many_arguments)]
pub(crate) async fn insert_event(
    ex: &mut impl Exec,
    org_id: i64,
    item: i64,
    description: &str,
    event_date: &str,
    due_at: i64,
    by: &str,
    now: i64,
) -> AppResult<i64> {
    let r: (i64,) = ex
        .fetch_one(
            q("INSERT INTO adjustment_events (org_id, proof_item_id, description, event_date, due_at, recorded_by, recorded_at) \
               VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id")
            .bind(org_id)
            .bind(item)
            .bind(description)
            .bind(event_date)
            .bind(due_at)
            .bind(by)
            .bind(now),
        )
        .await?;
    Ok(r.0)
}

pub(crate) async fn set_event_deadline(
    ex: &mut impl Exec,
    id: i64,
    deadline: i64,
    due_at: i64,
) -> AppResult<()> {
    ex.execute(
        q("UPDATE adjustment_events SET deadline_id = ?, due_at = ? WHERE id = ?")
            .bind(deadline)
            .bind(due_at)
            .bind(id),
    )
    .await?;
    Ok(())
}

pub(crate) async fn event(ex: &mut impl Exec, id: i64) -> AppResult<Option<Event>> {
    Ok(ex
        .fetch_optional(q(format!("{EVENT_COLS} WHERE e.id = ?")).bind(id))
        .await?)
}

pub(crate) async fn events(ex: &mut impl Exec, org: Option<i64>) -> AppResult<Vec<Event>> {
    let mut query = Query::new(format!("{EVENT_COLS} WHERE 1 = 1"));
    if let Some(o) = org {
        query.push_sql(" AND e.org_id = ?");
        query.push_arg(o);
    }
    query.push_sql(" ORDER BY e.id DESC LIMIT 500");
    Ok(ex.fetch_all(query).await?)
}

/// Events past their limit with no application filed.
pub(crate) async fn unanswered_overdue(ex: &mut impl Exec, now: i64) -> AppResult<Vec<Event>> {
    Ok(ex
        .fetch_all(
            q(format!(
                "{EVENT_COLS} WHERE e.adjustment_id IS NULL AND e.due_at <= ? ORDER BY e.id LIMIT 500"
            ))
            .bind(now),
        )
        .await?)
}

pub(crate) async fn answer_event(
    ex: &mut impl Exec,
    id: i64,
    adjustment_id: i64,
) -> AppResult<u64> {
    Ok(ex
        .execute(
            q("UPDATE adjustment_events SET adjustment_id = ? WHERE id = ? AND adjustment_id IS NULL")
                .bind(adjustment_id)
                .bind(id),
        )
        .await?)
}

// --- figures -------------------------------------------------------------------------------

/// Per-unit figures (A3 §4 accountability; issue #19 §5).
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[schema(as = AdjustmentUnitFigures)]
pub struct UnitFigures {
    pub org_id: i64,
    pub org_name: String,
    pub applications: i64,
    pub on_time: i64,
    pub late: i64,
    pub approved: i64,
    pub returned: i64,
    pub open: i64,
}

pub(crate) async fn figures(ex: &mut impl Exec) -> AppResult<Vec<UnitFigures>> {
    Ok(ex
        .fetch_all(q(
            "SELECT a.org_id, o.name AS org_name, COUNT(*) AS applications, \
             SUM(CASE WHEN a.late THEN 0 ELSE 1 END) AS on_time, \
             SUM(CASE WHEN a.late THEN 1 ELSE 0 END) AS late, \
             SUM(CASE WHEN a.state IN ('approved', 'published') THEN 1 ELSE 0 END) AS approved, \
             SUM(CASE WHEN a.state = 'returned' THEN 1 ELSE 0 END) AS returned, \
             SUM(CASE WHEN a.state IN ('filed', 'supplement_requested') THEN 1 ELSE 0 END) AS open \
             FROM adjustments a JOIN orgs o ON o.id = a.org_id GROUP BY a.org_id, o.name ORDER BY o.name",
        ))
        .await?)
}

mod voice;

pub use voice::*;
