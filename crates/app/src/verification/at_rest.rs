//! A verification's subject (name, resident ID or credit code), the facts the applicant
//! stated (they name the applicant) and a ledger entry's
//! subject name are stored encrypted under the data key (issue #16 item 9; the columns
//! are named in `applicants/columns.rs`, which re-encrypts them on rotation). Lists read
//! the masked name column; whatever shows or signs the subject reads it through here.

use proofless_domain::verification::SubjectCode;

use super::records::{LedgerEntry, Verification};
use super::repo;
use crate::App;
use crate::applicants::{self, CopySealer, SealedSubject};
use crate::error::AppResult;

/// The subject and the stated facts (JSON text) as stored: encrypted under the active
/// key, the name masked.
pub(super) async fn seal_subject(
    app: &App,
    name: &str,
    code: &SubjectCode,
    facts: &str,
) -> AppResult<(SealedSubject, String)> {
    let s = CopySealer::new(app).await?;
    Ok((s.subject(name, code.as_str())?, s.facts(facts)?))
}

/// A ledger entry's subject name as stored: the ciphertext, the masked name, the version.
pub(super) async fn seal_ledger_name(app: &App, name: &str) -> AppResult<(String, String, i64)> {
    let s = CopySealer::new(app).await?;
    let (enc, masked) = s.ledger_name(name)?;
    Ok((enc, masked, s.version()))
}

/// A request as read with its subject in clear.
pub(super) async fn opened(app: &App, mut v: Verification) -> AppResult<Verification> {
    (v.subject_name, v.subject_code) =
        applicants::open_subject(app, &v.subject_name, &v.subject_code).await?;
    v.facts = applicants::open_facts(app, &v.facts).await?;
    Ok(v)
}

/// The committed request with its subject in clear, read outside any write transaction.
pub(super) async fn load(app: &App, id: i64) -> AppResult<Verification> {
    opened(app, repo::load(&mut app.db.reader(), id).await?).await
}

/// Ledger entries with their subject names in clear.
pub(super) async fn ledger_opened(
    app: &App,
    mut rows: Vec<LedgerEntry>,
) -> AppResult<Vec<LedgerEntry>> {
    for r in &mut rows {
        r.subject_name = applicants::open_ledger_name(app, &r.subject_name).await?;
    }
    Ok(rows)
}
