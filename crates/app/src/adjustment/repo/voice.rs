//! The SQL of the public's voice: comments, the demand radar's misses, the proofs demanded
//! outside the list, and the synonyms.

use proofless_domain::adjustment::{CommentKind, CommentState};
use proofless_store::{Exec, Query, q};
use serde::{Deserialize, Serialize};

use crate::error::AppResult;

// --- public comments -----------------------------------------------------------------------

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct Comment {
    pub id: i64,
    pub proof_item_id: i64,
    pub item_name: String,
    pub kind: CommentKind,
    pub body: String,
    /// As given, or empty (anonymous).
    pub author_name: String,
    pub portal_user: bool,
    /// Whether a phone number was left (it is kept sealed and never shown).
    pub has_phone: bool,
    pub state: CommentState,
    pub merged_into: Option<i64>,
    pub answer: String,
    pub answered_by: Option<String>,
    pub answered_at: Option<i64>,
    pub adjustment_id: Option<i64>,
    pub created_at: i64,
    #[serde(default)]
    pub kind_label: String,
    #[serde(default)]
    pub state_label: String,
}

impl Comment {
    fn labelled(mut self) -> Comment {
        self.kind_label = self.kind.label().to_owned();
        self.state_label = self.state.label().to_owned();
        self
    }
}

const COMMENT_COLS: &str = "SELECT id, proof_item_id, item_name, kind, body, author_name, portal_user, \
    (phone_sealed IS NOT NULL) AS has_phone, state, merged_into, answer, answered_by, answered_at, \
    adjustment_id, created_at FROM adjustment_comments";

/// What is stored of a new comment besides the parsed input.
pub(crate) struct NewCommentRow<'a> {
    pub item: i64,
    pub item_name: &'a str,
    pub kind: CommentKind,
    pub body: &'a str,
    pub name: &'a str,
    pub phone_sealed: Option<&'a str>,
    /// The data key version of the phone (rotated with the data key).
    pub phone_key_version: i64,
    pub portal_person: Option<i64>,
    pub now: i64,
}

pub(crate) async fn insert_comment(ex: &mut impl Exec, c: &NewCommentRow<'_>) -> AppResult<i64> {
    let r: (i64,) = ex
        .fetch_one(
            q("INSERT INTO adjustment_comments (proof_item_id, item_name, kind, body, author_name, \
               phone_sealed, portal_user, person_id, state, created_at, phone_key_version) \
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id")
            .bind(c.item)
            .bind(c.item_name)
            .bind(c.kind.as_str())
            .bind(c.body)
            .bind(c.name)
            .bind(c.phone_sealed)
            .bind(c.portal_person.is_some())
            .bind(c.portal_person)
            .bind(CommentState::Pending.as_str())
            .bind(c.now)
            .bind(c.phone_key_version),
        )
        .await?;
    Ok(r.0)
}

pub(crate) async fn comment(ex: &mut impl Exec, id: i64) -> AppResult<Option<Comment>> {
    let r: Option<Comment> = ex
        .fetch_optional(q(format!("{COMMENT_COLS} WHERE id = ?")).bind(id))
        .await?;
    Ok(r.map(Comment::labelled))
}

/// Comments of one state (or all), newest first.
pub(crate) async fn comments(
    ex: &mut impl Exec,
    state: Option<CommentState>,
) -> AppResult<Vec<Comment>> {
    let mut query = Query::new(format!("{COMMENT_COLS} WHERE 1 = 1"));
    if let Some(s) = state {
        query.push_sql(" AND state = ?");
        query.push_arg(s.as_str());
    }
    query.push_sql(" ORDER BY id DESC LIMIT 500");
    let rows: Vec<Comment> = ex.fetch_all(query).await?;
    Ok(rows.into_iter().map(Comment::labelled).collect())
}

/// The answered comments of an item, as the public reads them.
pub(crate) async fn answered_of_item(ex: &mut impl Exec, item: i64) -> AppResult<Vec<Comment>> {
    let rows: Vec<Comment> = ex
        .fetch_all(
            q(format!("{COMMENT_COLS} WHERE proof_item_id = ? AND state = 'answered' ORDER BY id DESC LIMIT 100"))
                .bind(item),
        )
        .await?;
    Ok(rows.into_iter().map(Comment::labelled).collect())
}

pub(crate) async fn moderate(
    ex: &mut impl Exec,
    id: i64,
    state: CommentState,
    merged_into: Option<i64>,
    answer: &str,
    by: &str,
    now: i64,
) -> AppResult<()> {
    ex.execute(
        q("UPDATE adjustment_comments SET state = ?, merged_into = ?, answer = ?, answered_by = ?, answered_at = ? WHERE id = ?")
            .bind(state.as_str())
            .bind(merged_into)
            .bind(answer)
            .bind(by)
            .bind(now)
            .bind(id),
    )
    .await?;
    Ok(())
}

pub(crate) async fn link_comment(ex: &mut impl Exec, id: i64, adjustment_id: i64) -> AppResult<()> {
    ex.execute(
        q("UPDATE adjustment_comments SET adjustment_id = ? WHERE id = ?")
            .bind(adjustment_id)
            .bind(id),
    )
    .await?;
    Ok(())
}

// --- demand radar and synonyms -------------------------------------------------------------

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct Miss {
    pub query: String,
    pub hits: i64,
    pub first_at: i64,
    pub last_at: i64,
}

pub(crate) async fn count_miss(ex: &mut impl Exec, query: &str, now: i64) -> AppResult<()> {
    ex.execute(
        q("INSERT INTO search_misses (query, hits, first_at, last_at) VALUES (?, 1, ?, ?) \
           ON CONFLICT (query) DO UPDATE SET hits = search_misses.hits + 1, last_at = excluded.last_at")
        .bind(query)
        .bind(now)
        .bind(now),
    )
    .await?;
    Ok(())
}

pub(crate) async fn misses(ex: &mut impl Exec, limit: i64) -> AppResult<Vec<Miss>> {
    Ok(ex
        .fetch_all(
            q("SELECT query, hits, first_at, last_at FROM search_misses ORDER BY hits DESC, last_at DESC LIMIT ?")
                .bind(limit),
        )
        .await?)
}

/// Proofs recorded at the counter as demanded outside the list, per summary (the cases
/// workflow records them as violation records, SPEC R6.1).
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct DemandedProof {
    pub summary: String,
    pub hits: i64,
}

pub(crate) async fn demanded_proofs(
    ex: &mut impl Exec,
    limit: i64,
) -> AppResult<Vec<DemandedProof>> {
    Ok(ex
        .fetch_all(
            q("SELECT summary, COUNT(*) AS hits FROM violation_records WHERE kind = 'proof_demanded' \
               GROUP BY summary ORDER BY hits DESC LIMIT ?")
            .bind(limit),
        )
        .await?)
}
