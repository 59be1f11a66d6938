//! The other copies of personal data at rest (issue #16 item 9): a verification's subject
//! (name, resident ID or credit code), a ledger entry's subject name, a commitment letter
//! (it names the applicant and their resident ID) and the signed bytes of sealed documents
//! are encrypted under the same versioned data key as persons, each row with the
//! `key_version` it is under. This file names those columns once, so the start-up upgrade
//! (rows from before, version 0, in clear) and the rotation sweep cover them all; the
//! workflows that own the tables encrypt on write with a [`TextSealer`] and decrypt on read
//! with [`open_text`](super::at_rest::open_text).
//!
//! None of them is looked up by value (verifications are found by id, subject and unit),
//! so none needs a blind index; lists show the masked name column.

use std::time::{Duration, Instant};

use super::at_rest::{self, Field, TextSealer};
use super::repo;
use crate::App;
use crate::error::AppResult;

/// One table's encrypted copies: up to three fields ([`MAX_FIELDS`]), an optional
/// masked-name column taken from the first field, and the column naming the key version.
pub(crate) struct Columns {
    pub table: &'static str,
    pub version: &'static str,
    pub fields: &'static [(&'static str, Field)],
    pub masked: Option<&'static str>,
}

/// The most fields a table's copies have (the row type of the re-encryption reads).
pub(crate) const MAX_FIELDS: usize = 3;

/// Every table other than `persons` that holds a copy of personal data.
pub(crate) const TABLES: &[Columns] = &[
    Columns {
        table: "verifications",
        version: "pii_key_version",
        fields: &[
            ("subject_name_enc", Field::VerificationSubjectName),
            ("subject_code_enc", Field::VerificationSubjectCode),
            // The facts as the applicant stated them name the applicant.
            ("facts", Field::VerificationFacts),
        ],
        masked: Some("subject_name_masked"),
    },
    Columns {
        table: "verification_ledger",
        version: "pii_key_version",
        fields: &[("subject_name_enc", Field::LedgerSubjectName)],
        masked: Some("subject_name_masked"),
    },
    Columns {
        table: "commitments",
        version: "letter_key_version",
        fields: &[("letter", Field::CommitmentLetter)],
        masked: None,
    },
    Columns {
        table: "sealed_documents",
        version: "body_key_version",
        fields: &[("body", Field::SealedBody)],
        masked: None,
    },
    // A complainant's contact (issue #20), sealed as a person's name and phone; the masked
    // name column keeps "匿名" for an anonymous complaint, so it is not recomputed here.
    Columns {
        table: "complaints",
        version: "contact_key_version",
        fields: &[("name_enc", Field::Name), ("phone_enc", Field::Phone)],
        masked: None,
    },
    // A commenter's phone (A3 §12), sealed as a person's phone.
    Columns {
        table: "adjustment_comments",
        version: "phone_key_version",
        fields: &[("phone_sealed", Field::Phone)],
        masked: None,
    },
    // The 12345 callback secret; version 0 is a secret stored in clear before encryption.
    Columns {
        table: "complaint_hotline_link",
        version: "secret_key_version",
        fields: &[("secret", Field::HotlineSecret)],
        masked: None,
    },
];

/// A row read for re-encryption: id, key version and the stored fields (unused ones NULL).
pub(crate) type StoredRow = (i64, i64, Option<String>, Option<String>, Option<String>);

/// A row sealed again: the new texts in the order of [`Columns::fields`], the masked
/// name and the version.
pub(crate) struct Resealed {
    pub texts: Vec<Option<String>>,
    pub masked: String,
    pub version: i64,
}

async fn clear(
    app: &App,
    field: Field,
    version: i64,
    stored: Option<String>,
) -> AppResult<Option<String>> {
    match stored {
        // Version 0: written before encryption at rest, still in clear.
        Some(s) if version > 0 => Ok(Some(at_rest::open_text(app, field, &s).await?)),
        other => Ok(other),
    }
}

async fn reseal(app: &App, c: &Columns, sealer: &TextSealer, r: StoredRow) -> AppResult<Resealed> {
    let (_, version, a, b, d) = r;
    let mut texts = Vec::with_capacity(c.fields.len());
    let mut masked = String::new();
    for (i, (stored, (_, field))) in [a, b, d].into_iter().zip(c.fields).enumerate() {
        let plain = clear(app, *field, version, stored).await?;
        if i == 0 {
            masked = at_rest::mask_name(plain.as_deref().unwrap_or_default());
        }
        texts.push(match plain.as_deref() {
            // A letter not yet sealed stays empty.
            Some("") | None => plain,
            Some(p) => Some(sealer.seal(*field, p)?),
        });
    }
    Ok(Resealed {
        texts,
        masked,
        version: sealer.version(),
    })
}

/// Re-encrypts up to `limit` rows of `c` under a version below `below`, after id `after`,
/// in one transaction. How many rows it read, and the last id.
async fn batch(
    app: &App,
    c: &Columns,
    sealer: &TextSealer,
    (below, after): (i64, i64),
    limit: i64,
) -> AppResult<(i64, i64)> {
    let mut tx = app.db.begin().await?;
    let rows = repo::copies_below(&mut tx, c, below, after, limit).await?;
    let n = i64::try_from(rows.len()).unwrap_or(limit);
    let last = rows.last().map_or(after, |r| r.0);
    for r in rows {
        let (id, old) = (r.0, r.1);
        let sealed = reseal(app, c, sealer, r).await?;
        repo::reseal_copy(&mut tx, c, id, old, &sealed).await?;
    }
    tx.commit().await?;
    Ok((n, last))
}

/// Re-encrypts every copy under a version below `below` with the active key, batch by
/// batch, until none is left or `budget` is spent (then the next pass resumes). How many
/// rows it did.
async fn reencrypt_below(
    app: &App,
    below: Option<i64>,
    budget: Option<Duration>,
    batch_size: i64,
) -> AppResult<usize> {
    let sealer = TextSealer::new(app).await?;
    let files_below = below;
    let below = below.unwrap_or(sealer.version());
    let started = Instant::now();
    let mut total = 0;
    for c in TABLES {
        if repo::copies_pending(&mut app.db.reader(), c, below).await? == 0 {
            continue;
        }
        let mut after = 0;
        loop {
            let (n, last) = batch(app, c, &sealer, (below, after), batch_size).await?;
            total += usize::try_from(n).unwrap_or_default();
            if n < batch_size {
                break;
            }
            if budget.is_some_and(|b| started.elapsed() >= b) {
                return Ok(total);
            }
            after = last;
        }
    }
    // Then the files (proxy scans), with what is left of the budget.
    Ok(total + super::blobs::reencrypt_below(app, files_below, started, budget).await?)
}

/// The rotation sweep's share: every copy under an older version than the active one.
pub(crate) async fn reencrypt_copies(
    app: &App,
    budget: Duration,
    batch_size: i64,
) -> AppResult<usize> {
    reencrypt_below(app, None, Some(budget), batch_size).await
}

/// At start-up: every copy written before encryption at rest (version 0, in clear).
pub(crate) async fn reencrypt_below_one(app: &App, batch_size: i64) -> AppResult<usize> {
    reencrypt_below(app, Some(1), None, batch_size).await
}

/// Rows of every copy still under a version below `active` (the sweep's remaining work).
pub(crate) async fn copies_pending(app: &App, active: u32) -> AppResult<i64> {
    let mut n = 0;
    for c in TABLES {
        n += repo::copies_pending(&mut app.db.reader(), c, i64::from(active)).await?;
    }
    Ok(n + super::blobs::pending(app, i64::from(active)).await?)
}

/// A verification subject's copies as stored: the name and the code encrypted, the name
/// masked for lists, and the key version.
pub struct SealedSubject {
    pub name_enc: String,
    pub code_enc: String,
    pub name_masked: String,
    pub key_version: i64,
}

/// Seals the copies other workflows keep, many rows under one key (the synthetic data
/// writes thousands of verifications in bulk through it).
pub struct CopySealer(TextSealer);

impl CopySealer {
    pub async fn new(app: &App) -> AppResult<CopySealer> {
        Ok(CopySealer(TextSealer::new(app).await?))
    }

    pub fn version(&self) -> i64 {
        self.0.version()
    }

    /// A verification's subject as the requester named it.
    pub fn subject(&self, name: &str, code: &str) -> AppResult<SealedSubject> {
        Ok(SealedSubject {
            name_enc: self.0.seal(Field::VerificationSubjectName, name)?,
            code_enc: self.0.seal(Field::VerificationSubjectCode, code)?,
            name_masked: at_rest::mask_name(name),
            key_version: self.0.version(),
        })
    }

    /// A verification's facts as the applicant stated them (JSON text).
    pub fn facts(&self, json: &str) -> AppResult<String> {
        self.0.seal(Field::VerificationFacts, json)
    }

    /// A ledger entry's subject name: the ciphertext and the masked name.
    pub fn ledger_name(&self, name: &str) -> AppResult<(String, String)> {
        Ok((
            self.0.seal(Field::LedgerSubjectName, name)?,
            at_rest::mask_name(name),
        ))
    }

    /// A sealed commitment letter's canonical JSON.
    pub fn letter(&self, json: &str) -> AppResult<String> {
        self.0.seal(Field::CommitmentLetter, json)
    }

    /// A sealed document's signed bytes.
    pub fn sealed_body(&self, body: &str) -> AppResult<String> {
        self.0.seal(Field::SealedBody, body)
    }

    /// A complainant's name, sealed as a person's (`complaints.name_enc`).
    pub fn contact_name(&self, name: &str) -> AppResult<String> {
        self.0.seal(Field::Name, name)
    }

    /// A complainant's or commenter's phone, sealed as a person's.
    pub fn contact_phone(&self, phone: &str) -> AppResult<String> {
        self.0.seal(Field::Phone, phone)
    }
}

/// A verification's stored subject in clear: its name and code.
pub async fn open_subject(
    app: &App,
    name_enc: &str,
    code_enc: &str,
) -> AppResult<(String, String)> {
    Ok((
        at_rest::open_text(app, Field::VerificationSubjectName, name_enc).await?,
        at_rest::open_text(app, Field::VerificationSubjectCode, code_enc).await?,
    ))
}

/// A verification's stored facts in clear.
pub async fn open_facts(app: &App, stored: &str) -> AppResult<String> {
    at_rest::open_text(app, Field::VerificationFacts, stored).await
}

/// A ledger entry's stored subject name in clear.
pub async fn open_ledger_name(app: &App, stored: &str) -> AppResult<String> {
    at_rest::open_text(app, Field::LedgerSubjectName, stored).await
}

/// A stored commitment letter in clear (empty until it is sealed).
pub async fn open_letter(app: &App, stored: &str) -> AppResult<String> {
    at_rest::open_text(app, Field::CommitmentLetter, stored).await
}

/// A sealed document's stored bytes in clear.
pub async fn open_sealed_body(app: &App, stored: &str) -> AppResult<String> {
    at_rest::open_text(app, Field::SealedBody, stored).await
}
