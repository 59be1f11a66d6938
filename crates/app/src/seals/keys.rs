//! Seal keys: made at org creation or rotation, decrypted once and cached.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use proofless_seal::{MasterKey, SealKey};
use proofless_store::{Db, Tx};

use super::repo::{self, StoredKey};
use crate::App;
use crate::error::{AppError, AppResult};

pub(super) fn master(app: &App) -> AppResult<&MasterKey> {
    app.settings.master_key.as_deref().ok_or_else(|| {
        AppError::Internal(
            "系统未配置主密钥（PROOFLESS_MASTER_KEY），无法生成或使用电子印章".to_owned(),
        )
    })
}

pub(super) fn seal_err(e: proofless_seal::SealError) -> AppError {
    AppError::Internal(format!("电子印章错误：{e}"))
}

/// Creates a new active key for `org_id` inside `tx` (org creation and rotation).
/// Without a configured master key nothing is created; the key is then made at the
/// first sealing once a master key is set.
pub async fn create_key(app: &App, tx: &mut Tx, org_id: i64) -> AppResult<Option<SealKey>> {
    let Some(m) = app.settings.master_key.as_deref() else {
        return Ok(None);
    };
    let key = SealKey::generate().map_err(seal_err)?;
    let enc = key.encrypt_at_rest(m).map_err(seal_err)?;
    repo::insert_key(
        tx,
        org_id,
        &key.key_id(),
        &key.public_pem(),
        &B64.encode(enc),
        app.now_ms(),
    )
    .await?;
    Ok(Some(key))
}

/// Decrypted seal keys by key id. A key row never changes (rotation retires it and adds
/// another), so a cached key is never stale; decrypting one costs as much as a signature.
#[derive(Clone, Default)]
pub struct KeyCache(Arc<Mutex<HashMap<String, Arc<SealKey>>>>);

impl KeyCache {
    /// At most this many keys are kept (a county has a few hundred units); past it the
    /// cache starts again rather than grow without bound.
    const MAX: usize = 4096;

    fn get(&self, key_id: &str) -> Option<Arc<SealKey>> {
        self.0.lock().ok()?.get(key_id).cloned()
    }

    fn put(&self, key: Arc<SealKey>) {
        if let Ok(mut m) = self.0.lock() {
            if m.len() >= Self::MAX {
                m.clear();
            }
            m.insert(key.key_id(), key);
        }
    }
}

impl std::fmt::Debug for KeyCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeyCache")
    }
}

/// The key of an active-key row, from the cache or decrypted.
fn key_of(app: &App, stored: StoredKey) -> AppResult<Arc<SealKey>> {
    if let Some(k) = app.seal_keys.get(&stored.key_id) {
        return Ok(k);
    }
    let m = master(app)?;
    let bytes = B64
        .decode(stored.private_enc)
        .map_err(|_| AppError::Internal("印章私钥存储损坏".to_owned()))?;
    let key =
        Arc::new(SealKey::decrypt_at_rest(&bytes, m).map_err(|_| {
            AppError::Internal("印章私钥无法解密：主密钥与生成时不一致".to_owned())
        })?);
    app.seal_keys.put(key.clone());
    Ok(key)
}

/// The org's current signer inside `tx`, created on first use if the org has no key yet.
pub(super) async fn active_signer_in(
    app: &App,
    tx: &mut Tx,
    org_id: i64,
) -> AppResult<Arc<SealKey>> {
    master(app)?;
    match repo::active_key(tx, org_id).await? {
        Some(stored) => key_of(app, stored),
        // An org created before a master key was configured gets its key now.
        None => create_key(app, tx, org_id)
            .await?
            .map(Arc::new)
            .ok_or_else(|| AppError::Internal("印章密钥生成失败".to_owned())),
    }
}

/// The org's current signer, read outside any transaction.
pub(super) async fn active_signer(app: &App, org_id: i64) -> AppResult<Arc<SealKey>> {
    master(app)?;
    if let Some(stored) = repo::active_key(&mut app.db.reader(), org_id).await? {
        return key_of(app, stored);
    }
    let mut tx = app.db.begin().await?;
    let key = active_signer_in(app, &mut tx, org_id).await?;
    tx.commit().await?;
    Ok(key)
}

/// How many stored keys the start-up check decrypts: a wrong master key fails on every one,
/// so a few newest suffice and a province-sized key table does not slow the start.
const KEYS_CHECKED: i64 = 16;

/// What start-up learnt about the stored seal keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeysChecked {
    /// Seal keys stored in the database.
    pub stored: i64,
    /// Of them, decrypted with the master key to prove it is the right one.
    pub checked: usize,
}

/// How many seal keys the database holds (decides whether a new master key may be made).
pub async fn stored_key_count(db: &Db) -> AppResult<i64> {
    Ok(repo::count_keys(&mut db.reader()).await?)
}

/// Fails closed (issue #16 item 4) unless `master` decrypts the newest stored seal keys:
/// a server started with the wrong master key would answer 500 at the first seal instead.
/// The error names the first key that does not open.
pub async fn check_master_key(db: &Db, master: &MasterKey) -> AppResult<KeysChecked> {
    let stored = repo::count_keys(&mut db.reader()).await?;
    let keys = repo::newest_keys(&mut db.reader(), KEYS_CHECKED).await?;
    for k in &keys {
        let opened = B64
            .decode(&k.private_enc)
            .ok()
            .and_then(|bytes| SealKey::decrypt_at_rest(&bytes, master).ok());
        if opened.is_none() {
            return Err(AppError::Internal(format!(
                "主密钥无法解密数据库中的印章私钥（密钥 {}，共 {stored} 把）：\
                 所给主密钥不是生成这些密钥时的主密钥",
                k.key_id
            )));
        }
    }
    Ok(KeysChecked {
        stored,
        checked: keys.len(),
    })
}
