//! The applicants' SQL: persons, entities, representatives.

use proofless_store::{Exec, StoreError, q};
use serde::Deserialize;

use super::at_rest::Sealed;
use super::blobs::{BlobColumns, SealedFile};
use super::columns::{Columns, MAX_FIELDS, Resealed, StoredRow};
use super::entities::Entity;
use super::input::{NewEntity, NewRepresentative};

/// A person's row as stored: the identifiers encrypted (see `at_rest.rs`).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct StoredPerson {
    pub id: i64,
    pub public_id: String,
    pub rid_index: String,
    pub resident_id_enc: Option<String>,
    pub name_enc: String,
    pub phone_enc: Option<String>,
    pub key_version: i64,
}

const PERSON_COLS: &str = "SELECT id, public_id, rid_index, resident_id_enc, name_enc, phone_enc, key_version FROM persons";

/// The person whose resident ID has this blind index.
pub(crate) async fn person_by_index(
    db: &mut impl Exec,
    rid_index: &str,
) -> Result<Option<StoredPerson>, StoreError> {
    db.fetch_optional(q(format!("{PERSON_COLS} WHERE rid_index = ?")).bind(rid_index))
        .await
}

pub(crate) async fn person(
    db: &mut impl Exec,
    id: i64,
) -> Result<Option<StoredPerson>, StoreError> {
    db.fetch_optional(q(format!("{PERSON_COLS} WHERE id = ?")).bind(id))
        .await
}

pub(crate) async fn public_id(
    db: &mut impl Exec,
    id: i64,
) -> Result<Option<(String,)>, StoreError> {
    db.fetch_optional(q("SELECT public_id FROM persons WHERE id = ?").bind(id))
        .await
}

pub(crate) async fn person_by_public_id(
    db: &mut impl Exec,
    public_id: &str,
) -> Result<Option<StoredPerson>, StoreError> {
    db.fetch_optional(q(format!("{PERSON_COLS} WHERE public_id = ?")).bind(public_id))
        .await
}

pub(crate) async fn insert_person(
    tx: &mut impl Exec,
    public_id: &str,
    p: &Sealed,
    now: i64,
) -> Result<i64, StoreError> {
    tx.scalar_i64(
        q("INSERT INTO persons (public_id, rid_index, resident_id_enc, name_enc, name_masked, phone_enc, key_version, created_at) \
           VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id")
            .bind(public_id)
            .bind(p.rid_index.as_str())
            .bind(p.resident_id.as_str())
            .bind(p.name.as_str())
            .bind(p.name_masked.as_str())
            .bind(p.phone.as_deref())
            .bind(i64::from(p.version))
            .bind(now),
    )
    .await
}

/// Persons still under a key version older than `below`, after `after_id`, by id.
pub(crate) async fn persons_below(
    db: &mut impl Exec,
    below: u32,
    after_id: i64,
    limit: i64,
) -> Result<Vec<StoredPerson>, StoreError> {
    db.fetch_all(
        q(format!(
            "{PERSON_COLS} WHERE key_version < ? AND id > ? ORDER BY id LIMIT ?"
        ))
        .bind(i64::from(below))
        .bind(after_id)
        .bind(limit),
    )
    .await
}

/// Replaces a row's stored identifiers if it is still under `old_version` (a concurrent
/// re-encryption of the same row then changes nothing). Whether it changed.
pub(crate) async fn reseal_person(
    tx: &mut impl Exec,
    id: i64,
    old_version: i64,
    p: &Sealed,
) -> Result<bool, StoreError> {
    let n = tx
        .execute(
            q("UPDATE persons SET rid_index = ?, resident_id_enc = ?, name_enc = ?, name_masked = ?, phone_enc = ?, \
               key_version = ? WHERE id = ? AND key_version = ?")
            .bind(p.rid_index.as_str())
            .bind(p.resident_id.as_str())
            .bind(p.name.as_str())
            .bind(p.name_masked.as_str())
            .bind(p.phone.as_deref())
            .bind(i64::from(p.version))
            .bind(id)
            .bind(old_version),
        )
        .await?;
    Ok(n > 0)
}

/// How many persons each key version holds (0: not yet encrypted).
pub(crate) async fn persons_per_version(db: &mut impl Exec) -> Result<Vec<(i64, i64)>, StoreError> {
    db.fetch_all(q(
        "SELECT key_version, COUNT(*) FROM persons GROUP BY key_version ORDER BY key_version",
    ))
    .await
}

/// One stored name per key version in use (a sample the start-up check decrypts).
pub(crate) async fn name_per_version(db: &mut impl Exec) -> Result<Vec<(i64, String)>, StoreError> {
    db.fetch_all(q(
        "SELECT key_version, MIN(name_enc) FROM persons WHERE key_version > 0 GROUP BY key_version",
    ))
    .await
}

/// Portal accounts whose login is still a resident ID in clear (from before item 9).
pub(crate) async fn clear_logins(db: &mut impl Exec) -> Result<Vec<(i64, String)>, StoreError> {
    db.fetch_all(q(
        "SELECT id, login FROM portal_accounts WHERE length(login) < 64",
    ))
    .await
}

pub(crate) async fn set_login(tx: &mut impl Exec, id: i64, login: &str) -> Result<(), StoreError> {
    tx.execute(
        q("UPDATE portal_accounts SET login = ? WHERE id = ?")
            .bind(login)
            .bind(id),
    )
    .await?;
    Ok(())
}

pub(crate) async fn data_keys(db: &mut impl Exec) -> Result<Vec<(i64, String)>, StoreError> {
    db.fetch_all(q("SELECT version, wrapped FROM data_keys ORDER BY version"))
        .await
}

pub(crate) async fn insert_data_key(
    tx: &mut impl Exec,
    version: u32,
    wrapped: &str,
    now: i64,
) -> Result<(), StoreError> {
    tx.execute(
        q("INSERT INTO data_keys (version, wrapped, created_at) VALUES (?, ?, ?)")
            .bind(i64::from(version))
            .bind(wrapped)
            .bind(now),
    )
    .await?;
    Ok(())
}

/// What ties a person to the reader's unit, if anything (A2 §12, issue #16 item 6): a case
/// of the unit for the person, a verification the unit sent or was asked about the person,
/// or a commitment the person signed at the unit or the unit checks. `(kind, id)`.
pub(crate) async fn involvement(
    db: &mut impl Exec,
    person_id: i64,
    org_id: i64,
) -> Result<Option<(String, i64)>, StoreError> {
    db.fetch_optional(
        q("SELECT 'case' AS kind, id FROM cases WHERE applicant_kind = 'person' AND applicant_id = ? AND org_id = ? \
           UNION ALL SELECT 'verification', id FROM verifications \
             WHERE subject_kind = 'person' AND subject_id = ? AND (requester_org_id = ? OR issuer_org_id = ?) \
           UNION ALL SELECT 'commitment', id FROM commitments \
             WHERE person_id = ? AND (org_id = ? OR supervising_org_id = ?) \
           LIMIT 1")
        .bind(person_id)
        .bind(org_id)
        .bind(person_id)
        .bind(org_id)
        .bind(org_id)
        .bind(person_id)
        .bind(org_id)
        .bind(org_id),
    )
    .await
}

pub(crate) async fn insert_entity(
    tx: &mut impl Exec,
    e: &NewEntity,
    now: i64,
) -> Result<i64, StoreError> {
    tx.scalar_i64(
        q("INSERT INTO entities (credit_code, name, created_at) VALUES (?, ?, ?) RETURNING id")
            .bind(e.credit_code.as_str())
            .bind(&e.name)
            .bind(now),
    )
    .await
}

pub(crate) async fn entity(db: &mut impl Exec, id: i64) -> Result<Option<Entity>, StoreError> {
    db.fetch_optional(q("SELECT id, credit_code, name FROM entities WHERE id = ?").bind(id))
        .await
}

pub(crate) async fn insert_representative(
    tx: &mut impl Exec,
    entity_id: i64,
    person_id: i64,
    r: &NewRepresentative,
) -> Result<(), StoreError> {
    tx.execute(
        q("INSERT INTO entity_representatives (entity_id, person_id, capacity) VALUES (?, ?, ?)")
            .bind(entity_id)
            .bind(person_id)
            .bind(&r.capacity),
    )
    .await?;
    Ok(())
}

/// Entities the person represents.
pub(crate) async fn entities_of(
    db: &mut impl Exec,
    person_id: i64,
) -> Result<Vec<Entity>, StoreError> {
    db.fetch_all(
        q("SELECT e.id, e.credit_code, e.name FROM entities e JOIN entity_representatives r ON r.entity_id = e.id \
           WHERE r.person_id = ? ORDER BY e.id")
        .bind(person_id),
    )
    .await
}

/// Whether the person is on record as a representative of the entity (a company commits and
/// reads its credit record through its representatives).
pub(crate) async fn represents(
    db: &mut impl Exec,
    entity_id: i64,
    person_id: i64,
) -> Result<bool, StoreError> {
    let row: Option<(i64,)> = db
        .fetch_optional(
            q("SELECT entity_id FROM entity_representatives WHERE entity_id = ? AND person_id = ?")
                .bind(entity_id)
                .bind(person_id),
        )
        .await?;
    Ok(row.is_some())
}

// --- the other copies of personal data (see `columns.rs`) ---------------------------

/// Rows of `c` under a key version below `below`, after `after_id`, by id.
pub(crate) async fn copies_below(
    db: &mut impl Exec,
    c: &Columns,
    below: i64,
    after_id: i64,
    limit: i64,
) -> Result<Vec<StoredRow>, StoreError> {
    let cols: Vec<&str> = (0..MAX_FIELDS)
        .map(|i| c.fields.get(i).map_or("CAST(NULL AS TEXT)", |f| f.0))
        .collect();
    db.fetch_all(
        q(format!(
            "SELECT id, {v}, {cols} FROM {t} WHERE {v} < ? AND id > ? ORDER BY id LIMIT ?",
            v = c.version,
            cols = cols.join(", "),
            t = c.table
        ))
        .bind(below)
        .bind(after_id)
        .bind(limit),
    )
    .await
}

/// How many rows of `c` are under a key version below `below`.
pub(crate) async fn copies_pending(
    db: &mut impl Exec,
    c: &Columns,
    below: i64,
) -> Result<i64, StoreError> {
    db.scalar_i64(
        q(format!(
            "SELECT COUNT(*) FROM {t} WHERE {v} < ?",
            t = c.table,
            v = c.version
        ))
        .bind(below),
    )
    .await
}

/// Replaces a row's stored copies if it is still under `old_version`.
pub(crate) async fn reseal_copy(
    tx: &mut impl Exec,
    c: &Columns,
    id: i64,
    old_version: i64,
    r: &Resealed,
) -> Result<bool, StoreError> {
    let mut set: Vec<String> = c.fields.iter().map(|f| format!("{} = ?", f.0)).collect();
    if let Some(col) = c.masked {
        set.push(format!("{col} = ?"));
    }
    let mut query = q(format!(
        "UPDATE {t} SET {set}, {v} = ? WHERE id = ? AND {v} = ?",
        t = c.table,
        set = set.join(", "),
        v = c.version
    ));
    for text in &r.texts {
        query = query.bind(text.clone());
    }
    if c.masked.is_some() {
        query = query.bind(r.masked.as_str());
    }
    let n = tx
        .execute(query.bind(r.version).bind(id).bind(old_version))
        .await?;
    Ok(n > 0)
}

/// Files of `c` under a key version below `below`, after id `after_id`: (id, version, bytes).
pub(crate) async fn blobs_below(
    db: &mut impl Exec,
    c: &BlobColumns,
    below: i64,
    after_id: i64,
    limit: i64,
) -> Result<Vec<(i64, i64, Vec<u8>)>, StoreError> {
    db.fetch_all(
        q(format!(
            "SELECT id, {v}, {f} FROM {t} WHERE {v} < ? AND id > ? ORDER BY id LIMIT ?",
            v = c.version,
            f = c.content,
            t = c.table
        ))
        .bind(below)
        .bind(after_id)
        .bind(limit),
    )
    .await
}

/// How many files of `c` are under a key version below `below`.
pub(crate) async fn blobs_pending(
    db: &mut impl Exec,
    c: &BlobColumns,
    below: i64,
) -> Result<i64, StoreError> {
    db.scalar_i64(
        q(format!(
            "SELECT COUNT(*) FROM {t} WHERE {v} < ?",
            t = c.table,
            v = c.version
        ))
        .bind(below),
    )
    .await
}

/// Replaces a file's stored bytes if it is still under `old_version`.
pub(crate) async fn reseal_blob(
    tx: &mut impl Exec,
    c: &BlobColumns,
    id: i64,
    old_version: i64,
    f: &SealedFile,
) -> Result<bool, StoreError> {
    let n = tx
        .execute(
            q(format!(
                "UPDATE {t} SET {f} = ?, {v} = ? WHERE id = ? AND {v} = ?",
                t = c.table,
                f = c.content,
                v = c.version
            ))
            .bind(f.content.as_slice())
            .bind(f.key_version)
            .bind(id)
            .bind(old_version),
        )
        .await?;
    Ok(n > 0)
}

/// A unit's name, for the access log (read here so `applicants` need not depend on `orgs`).
pub(crate) async fn org_name(db: &mut impl Exec, id: i64) -> Result<Option<String>, StoreError> {
    let row: Option<(String,)> = db
        .fetch_optional(q("SELECT name FROM orgs WHERE id = ?").bind(id))
        .await?;
    Ok(row.map(|r| r.0))
}
