//! Files holding personal data at rest: the scans a proxy agent records for a case (干部代办,
//! R5.10: an obtained proof names the applicant) are SM4-GCM encrypted under the same
//! versioned data key as persons' fields (`at_rest.rs`), in binary (`DataKey::encrypt_bytes`),
//! each row naming its key version. Version 0 is a file written before encryption at rest,
//! still in clear: the start-up upgrade and the rotation sweep (`columns.rs` calls
//! [`reencrypt_below`]) re-encrypt such rows and rows under older versions, a few per
//! transaction (a scan is up to 512 KB).

use std::sync::Arc;
use std::time::{Duration, Instant};

use proofless_seal::{DataKey, data_key_version_of_bytes};

use super::at_rest::{Field, seal_err};
use super::repo;
use crate::App;
use crate::error::{AppError, AppResult};

/// One table's encrypted file column and the column naming its key version.
pub(crate) struct BlobColumns {
    pub table: &'static str,
    pub version: &'static str,
    pub content: &'static str,
    pub field: Field,
}

/// Every table holding files with personal data.
pub(crate) const TABLES: &[BlobColumns] = &[BlobColumns {
    table: "case_proof_scans",
    version: "content_key_version",
    content: "content",
    field: Field::ProxyScan,
}];

/// Files re-encrypted per transaction (up to 512 KB each: a few MB per batch).
const BATCH: i64 = 8;

/// Encrypts files under one active data key version: made before the write transaction
/// (reads before the write lock), used inside it.
pub struct FileSealer {
    key: Arc<DataKey>,
}

/// A file as stored: the ciphertext and the data key version it is under.
pub struct SealedFile {
    pub content: Vec<u8>,
    pub key_version: i64,
}

impl FileSealer {
    pub async fn new(app: &App) -> AppResult<FileSealer> {
        Ok(FileSealer {
            key: app.pii.active(app).await?,
        })
    }

    /// A proxy agent's scan (`case_proof_scans.content`), encrypted.
    pub fn scan(&self, plain: &[u8]) -> AppResult<SealedFile> {
        seal(&self.key, Field::ProxyScan, plain)
    }
}

fn seal(key: &DataKey, field: Field, plain: &[u8]) -> AppResult<SealedFile> {
    Ok(SealedFile {
        content: key
            .encrypt_bytes(field.context(), plain)
            .map_err(seal_err)?,
        key_version: i64::from(key.version()),
    })
}

async fn open(app: &App, field: Field, version: i64, stored: Vec<u8>) -> AppResult<Vec<u8>> {
    // Version 0: written before encryption at rest, still in clear.
    if version <= 0 {
        return Ok(stored);
    }
    let v = data_key_version_of_bytes(&stored)
        .map_err(|_| AppError::Internal("加密文件存储格式有误".to_owned()))?;
    let key = app.pii.key(app, v).await?;
    key.decrypt_bytes(field.context(), &stored)
        .map_err(|_| AppError::Internal("加密文件无法解密：数据密钥与密文不符".to_owned()))
}

/// A stored proxy scan in clear, whatever key version (or none, version 0) it is under.
pub async fn open_scan(app: &App, key_version: i64, stored: Vec<u8>) -> AppResult<Vec<u8>> {
    open(app, Field::ProxyScan, key_version, stored).await
}

/// Re-encrypts every file under a version below `below` with the active key, a batch per
/// transaction, until none is left or `budget` (from `started`) is spent. How many it did.
pub(crate) async fn reencrypt_below(
    app: &App,
    below: Option<i64>,
    started: Instant,
    budget: Option<Duration>,
) -> AppResult<usize> {
    let key = app.pii.active(app).await?;
    let below = below.unwrap_or(i64::from(key.version()));
    let mut total = 0;
    for c in TABLES {
        if repo::blobs_pending(&mut app.db.reader(), c, below).await? == 0 {
            continue;
        }
        let mut after = 0;
        loop {
            if budget.is_some_and(|b| started.elapsed() >= b) {
                return Ok(total);
            }
            let mut tx = app.db.begin().await?;
            let rows = repo::blobs_below(&mut tx, c, below, after, BATCH).await?;
            let n = rows.len();
            for (id, version, stored) in rows {
                after = id;
                let plain = open(app, c.field, version, stored).await?;
                let sealed = seal(&key, c.field, &plain)?;
                repo::reseal_blob(&mut tx, c, id, version, &sealed).await?;
            }
            tx.commit().await?;
            total += n;
            if i64::try_from(n).unwrap_or(BATCH) < BATCH {
                break;
            }
        }
    }
    Ok(total)
}

/// Files still under a version below `below` (the sweep's remaining work).
pub(crate) async fn pending(app: &App, below: i64) -> AppResult<i64> {
    let mut n = 0;
    for c in TABLES {
        n += repo::blobs_pending(&mut app.db.reader(), c, below).await?;
    }
    Ok(n)
}
