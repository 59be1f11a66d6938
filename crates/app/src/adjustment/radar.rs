//! The demand radar and the synonyms (issue #19 §4): public searches that find nothing are
//! counted per normalised query (no personal data), and shown to the joint office with the
//! proofs recorded at the counter as demanded outside the list, ranked by frequency, each
//! with "start an adjustment". The joint office maintains synonyms so an everyday word
//! (户口证明) finds the list's word (户籍证明): the table is the catalogue's
//! (`catalogue::synonyms`, which the search index uses); the functions here keep their names.

use proofless_domain::adjustment::normalise_query;
use proofless_domain::role::Role;
use serde::Serialize;
use std::sync::Arc;

use super::repo::{self, DemandedProof, Miss};
use crate::App;
use crate::actor::Actor;
use crate::catalogue::input::SearchParams;
use crate::catalogue::public::{self, SearchPage};
use crate::catalogue::synonyms::{self as table, Synonym, SynonymInput};
use crate::error::AppResult;

/// The query with every synonym it contains replaced by the list's word (longest first).
async fn expand(app: &App, q: &str) -> AppResult<Option<String>> {
    let norm = normalise_query(q);
    if norm.is_empty() {
        return Ok(None);
    }
    let mut syns = table::in_query(app, &norm).await?;
    if syns.is_empty() {
        return Ok(None);
    }
    syns.sort_by_key(|s| std::cmp::Reverse(s.term.chars().count()));
    let mut out = norm;
    for s in syns {
        out = out.replace(&s.term, &s.canonical);
    }
    Ok(Some(out))
}

/// The parameters with synonyms applied to the text, when a synonym applies.
async fn with_synonyms(app: &App, p: &SearchParams) -> AppResult<Option<SearchParams>> {
    let Some(q) = p.q.as_deref() else {
        return Ok(None);
    };
    Ok(expand(app, q).await?.map(|expanded| SearchParams {
        q: Some(expanded),
        ..p.clone()
    }))
}

async fn count_miss(app: &App, p: &SearchParams) -> AppResult<()> {
    let norm = p.q.as_deref().map(normalise_query).unwrap_or_default();
    if !norm.is_empty() {
        let mut tx = app.db.begin().await?;
        repo::count_miss(&mut tx, &norm, app.now_ms()).await?;
        tx.commit().await?;
    }
    Ok(())
}

/// The public search (no login): the words as typed first; when they find nothing, the
/// list's words the synonyms give; a search that still finds nothing is counted.
pub async fn search(app: &App, p: &SearchParams) -> AppResult<SearchPage> {
    let page = public::search(app, p).await?;
    if page.total > 0 {
        return Ok(page);
    }
    if let Some(p2) = with_synonyms(app, p).await? {
        let again = public::search(app, &p2).await?;
        if again.total > 0 {
            return Ok(again);
        }
    }
    count_miss(app, p).await?;
    Ok(page)
}

fn is_empty_page(page: &str) -> bool {
    page.starts_with("{\"items\":[]") && page.contains("\"total\":0,")
}

/// [`search`] as the catalogue's pre-serialised JSON page.
pub async fn search_json(app: &App, p: &SearchParams) -> AppResult<Arc<str>> {
    let page = public::search_json(app, p).await?;
    if !is_empty_page(&page) {
        return Ok(page);
    }
    if let Some(p2) = with_synonyms(app, p).await? {
        let again = public::search_json(app, &p2).await?;
        if !is_empty_page(&again) {
            return Ok(again);
        }
    }
    count_miss(app, p).await?;
    Ok(page)
}

/// The radar as the joint office reads it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Radar {
    /// Searches that found nothing, most frequent first.
    pub misses: Vec<Miss>,
    /// Proofs recorded at the counter as demanded outside the list (SPEC R6.1).
    pub demanded: Vec<DemandedProof>,
    pub synonyms: Vec<Synonym>,
}

/// The demand radar (joint office).
pub async fn radar(app: &App, actor: &Actor) -> AppResult<Radar> {
    actor.require_any(&[Role::JointOffice, Role::SystemAdmin])?;
    let mut r = app.db.reader();
    Ok(Radar {
        misses: repo::misses(&mut r, 200).await?,
        demanded: repo::demanded_proofs(&mut r, 200).await?,
        synonyms: table::list(app, actor).await?,
    })
}

/// The synonyms (joint office).
pub async fn synonyms(app: &App, actor: &Actor) -> AppResult<Vec<Synonym>> {
    table::list(app, actor).await
}

/// Adds a synonym pair (joint office); the same pair twice is refused.
pub async fn put_synonym(app: &App, actor: &Actor, input: &SynonymInput) -> AppResult<Synonym> {
    table::add(app, actor, input).await
}

/// Removes every pair of an everyday word (joint office).
pub async fn delete_synonym(app: &App, actor: &Actor, term: &str) -> AppResult<()> {
    table::remove(app, actor, term, None).await
}
