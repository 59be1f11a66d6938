//! The synonym table (issue #22 §2): everyday words and the list's words they should find,
//! one row per pair, and the revision every change moves on.

use proofless_store::{Exec, q};

use super::Result;
use crate::catalogue::synonyms::Synonym;

/// Inserts the pair; 0 rows when it is already there.
pub(crate) async fn insert_synonym(
    ex: &mut impl Exec,
    term: &str,
    canonical: &str,
    by: &str,
    now: i64,
) -> Result<u64> {
    ex.execute(
        q("INSERT INTO search_synonyms (term, canonical, created_by, created_at) VALUES (?, ?, ?, ?) \
           ON CONFLICT (term, canonical) DO NOTHING")
        .bind(term)
        .bind(canonical)
        .bind(by)
        .bind(now),
    )
    .await
}

/// Deletes one pair, or every pair of `term` when `canonical` is `None`.
pub(crate) async fn delete_synonyms(
    ex: &mut impl Exec,
    term: &str,
    canonical: Option<&str>,
) -> Result<u64> {
    match canonical {
        Some(c) => {
            ex.execute(
                q("DELETE FROM search_synonyms WHERE term = ? AND canonical = ?")
                    .bind(term)
                    .bind(c),
            )
            .await
        }
        None => {
            ex.execute(q("DELETE FROM search_synonyms WHERE term = ?").bind(term))
                .await
        }
    }
}

pub(crate) async fn bump_synonym_revision(ex: &mut impl Exec) -> Result<u64> {
    ex.execute(q(
        "UPDATE search_synonym_revision SET revision = revision + 1 WHERE id = 1",
    ))
    .await
}

pub(crate) async fn synonym_revision(ex: &mut impl Exec) -> Result<i64> {
    ex.scalar_i64(q(
        "SELECT revision FROM search_synonym_revision WHERE id = 1",
    ))
    .await
}

pub(crate) async fn synonyms(ex: &mut impl Exec) -> Result<Vec<Synonym>> {
    ex.fetch_all(q(
        "SELECT term, canonical, created_by, created_at FROM search_synonyms ORDER BY term, canonical",
    ))
    .await
}

/// The pairs whose term the (normalised) query contains.
pub(crate) async fn synonyms_in(ex: &mut impl Exec, query: &str) -> Result<Vec<Synonym>> {
    ex.fetch_all(
        q(
            "SELECT term, canonical, created_by, created_at FROM search_synonyms \
           WHERE ? LIKE '%' || term || '%' ORDER BY term, canonical LIMIT 20",
        )
        .bind(query),
    )
    .await
}
