//! Org e-seals and sealed documents (issue #5 §10).
//!
//! Every org has an SM2 key, generated when the org is created, its private part
//! encrypted at rest under the deployment master key. Rotation retires the old key,
//! which keeps verifying the documents it sealed. Documents are canonical JSON signed
//! as-is, so anyone can check them with the public key alone (OpenSSL included).
//! Signing goes through [`proofless_seal::Signer`], the one seam where a certified
//! GB/T 38540 e-seal platform can take over.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use proofless_domain::role::Role;
use proofless_seal::{MasterKey, SealKey, Signer, canonical_json, sm3_hex};
use proofless_store::{Tx, q};
use serde::{Deserialize, Serialize};
use serde_json::{Value as Json, json};

use crate::App;
use crate::actor::Actor;
use crate::audit::{self, Entry};
use crate::auth::random_token;
use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct PublicKeyInfo {
    pub key_id: String,
    pub public_pem: String,
    pub created_at: i64,
    /// Set when the key was rotated out; it still verifies what it sealed.
    pub retired_at: Option<i64>,
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct SealedDoc {
    pub public_id: String,
    pub org_id: i64,
    pub org_name: String,
    pub org_credit_code: Option<String>,
    pub key_id: String,
    pub kind: String,
    pub object_type: String,
    pub object_id: String,
    /// The exact signed bytes (canonical JSON).
    pub body: String,
    pub body_sm3: String,
    /// DER signature, base64.
    pub signature: String,
    pub sealed_at: i64,
}

/// The outcome of checking a sealed document against its org's published key.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Verdict {
    pub public_id: String,
    pub valid: bool,
    pub org_name: String,
    pub org_credit_code: Option<String>,
    pub key_id: String,
    pub key_retired: bool,
    pub body_sm3: String,
    pub sealed_at: i64,
    /// Why the document is not valid, in Chinese.
    pub problem: Option<String>,
}

fn master(app: &App) -> AppResult<&MasterKey> {
    app.settings.master_key.as_deref().ok_or_else(|| {
        AppError::Internal(
            "系统未配置主密钥（PROOFLESS_MASTER_KEY），无法生成或使用电子印章".to_owned(),
        )
    })
}

fn seal_err(e: proofless_seal::SealError) -> AppError {
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
    tx.execute(
        q(
            "INSERT INTO seal_keys (org_id, key_id, public_pem, private_enc, created_at) \
           VALUES (?, ?, ?, ?, ?)",
        )
        .bind(org_id)
        .bind(key.key_id())
        .bind(key.public_pem())
        .bind(B64.encode(enc))
        .bind(app.now_ms()),
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

const ACTIVE_KEY: &str = "SELECT key_id, private_enc FROM seal_keys WHERE org_id = ? AND retired_at IS NULL \
                          ORDER BY id DESC LIMIT 1";

/// The key of an active-key row, from the cache or decrypted.
fn key_of(app: &App, (key_id, enc): (String, String)) -> AppResult<Arc<SealKey>> {
    if let Some(k) = app.seal_keys.get(&key_id) {
        return Ok(k);
    }
    let m = master(app)?;
    let bytes = B64
        .decode(enc)
        .map_err(|_| AppError::Internal("印章私钥存储损坏".to_owned()))?;
    let key =
        Arc::new(SealKey::decrypt_at_rest(&bytes, m).map_err(|_| {
            AppError::Internal("印章私钥无法解密：主密钥与生成时不一致".to_owned())
        })?);
    app.seal_keys.put(key.clone());
    Ok(key)
}

/// The org's current signer inside `tx`, created on first use if the org has no key yet.
async fn active_signer_in(app: &App, tx: &mut Tx, org_id: i64) -> AppResult<Arc<SealKey>> {
    master(app)?;
    match tx.fetch_optional(q(ACTIVE_KEY).bind(org_id)).await? {
        Some(row) => key_of(app, row),
        // An org created before a master key was configured gets its key now.
        None => create_key(app, tx, org_id)
            .await?
            .map(Arc::new)
            .ok_or_else(|| AppError::Internal("印章密钥生成失败".to_owned())),
    }
}

/// The org's current signer, read outside any transaction.
async fn active_signer(app: &App, org_id: i64) -> AppResult<Arc<SealKey>> {
    master(app)?;
    if let Some(row) = app
        .db
        .reader()
        .fetch_optional(q(ACTIVE_KEY).bind(org_id))
        .await?
    {
        return key_of(app, row);
    }
    let mut tx = app.db.begin().await?;
    let key = active_signer_in(app, &mut tx, org_id).await?;
    tx.commit().await?;
    Ok(key)
}

/// What to seal: a document of `kind` about an object, in the org's name.
pub struct ToSeal<'a> {
    pub org_id: i64,
    pub kind: &'a str,
    pub object_type: &'a str,
    pub object_id: String,
    pub body: &'a Json,
}

/// A document signed and not yet recorded (see [`sign`]).
pub struct Signed {
    /// The id the document will be published under.
    pub public_id: String,
    org_id: i64,
    key_id: String,
    body: String,
    digest: String,
    signature: Vec<u8>,
}

fn signed_with(key: &SealKey, org_id: i64, body: &Json) -> AppResult<Signed> {
    let bytes = canonical_json(body);
    let signature = key.sign(&bytes).map_err(seal_err)?;
    let body = String::from_utf8(bytes)
        .map_err(|_| AppError::Internal("规范化 JSON 不是 UTF-8".to_owned()))?;
    Ok(Signed {
        public_id: random_token(16),
        org_id,
        key_id: Signer::key_id(key),
        digest: sm3_hex(body.as_bytes()),
        body,
        signature,
    })
}

/// Signs `body` with the org's active key outside any transaction, for a workflow that
/// records it with [`record_in`]: a signature takes about 0.1 ms of CPU, which should not
/// be spent holding the write lock. (A key rotated in between is no harm: a retired key
/// keeps verifying what it signed.)
pub async fn sign(app: &App, org_id: i64, body: &Json) -> AppResult<Signed> {
    let key = active_signer(app, org_id).await?;
    signed_with(&key, org_id, body)
}

/// Records a signed document and its audit row inside `tx`; returns the public id.
/// The caller has already checked that the actor may act for the org.
pub async fn record_in(
    tx: &mut Tx,
    actor: &Actor,
    now: i64,
    doc: &ToSeal<'_>,
    signed: Signed,
) -> AppResult<String> {
    tx.execute(
        q("INSERT INTO sealed_documents (public_id, org_id, key_id, kind, object_type, object_id, \
           body, body_sm3, signature, sealed_at, sealed_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        .bind(&signed.public_id)
        .bind(signed.org_id)
        .bind(&signed.key_id)
        .bind(doc.kind)
        .bind(doc.object_type)
        .bind(&doc.object_id)
        .bind(&signed.body)
        .bind(&signed.digest)
        .bind(B64.encode(&signed.signature))
        .bind(now)
        .bind(actor.staff_id()),
    )
    .await?;
    audit::append(
        tx,
        actor,
        now,
        Entry::new("seal.document", "sealed_document", &signed.public_id).detail(json!({
            "org_id": signed.org_id, "kind": doc.kind, "object_type": doc.object_type,
            "object_id": doc.object_id, "key_id": signed.key_id, "body_sm3": signed.digest,
        })),
    )
    .await?;
    Ok(signed.public_id)
}

/// Seals `doc.body` with the org's active key inside `tx`; returns the public id.
/// The caller has already checked that the actor may act for the org.
pub async fn seal(app: &App, tx: &mut Tx, actor: &Actor, doc: ToSeal<'_>) -> AppResult<String> {
    let key = active_signer_in(app, tx, doc.org_id).await?;
    let signed = signed_with(&key, doc.org_id, doc.body)?;
    record_in(tx, actor, app.now_ms(), &doc, signed).await
}

/// Retires the org's active key and creates a new one (unit admin of the org, or the
/// system admin). Documents sealed before keep verifying with the retired key.
pub async fn rotate(app: &App, actor: &Actor, org_id: i64) -> AppResult<Vec<PublicKeyInfo>> {
    actor.require_any(&[Role::UnitAdmin, Role::SystemAdmin])?;
    actor.require_org(org_id)?;
    master(app)?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let exists: Option<(i64,)> = tx
        .fetch_optional(q("SELECT id FROM orgs WHERE id = ?").bind(org_id))
        .await?;
    if exists.is_none() {
        return Err(AppError::NotFound("单位".to_owned()));
    }
    tx.execute(
        q("UPDATE seal_keys SET retired_at = ?, retired_by = ? WHERE org_id = ? AND retired_at IS NULL")
            .bind(now)
            .bind(actor.staff_id())
            .bind(org_id),
    )
    .await?;
    let key_id = create_key(app, &mut tx, org_id).await?.map(|k| k.key_id());
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("seal.rotate", "org", org_id).detail(json!({ "new_key_id": key_id })),
    )
    .await?;
    tx.commit().await?;
    keys_of_org(app, org_id).await
}

/// Every key of an org, the active one first.
pub async fn keys_of_org(app: &App, org_id: i64) -> AppResult<Vec<PublicKeyInfo>> {
    Ok(app
        .db
        .reader()
        .fetch_all(
            q(
                "SELECT key_id, public_pem, created_at, retired_at FROM seal_keys WHERE org_id = ? \
               ORDER BY CASE WHEN retired_at IS NULL THEN 0 ELSE 1 END, id DESC",
            )
            .bind(org_id),
        )
        .await?)
}

/// Public keys of the org with this credit code (public, no login).
pub async fn keys_by_credit_code(app: &App, credit_code: &str) -> AppResult<Vec<PublicKeyInfo>> {
    let org: Option<(i64,)> = app
        .db
        .reader()
        .fetch_optional(q("SELECT id FROM orgs WHERE credit_code = ?").bind(credit_code.trim()))
        .await?;
    let Some((org_id,)) = org else {
        return Err(AppError::NotFound(format!(
            "统一社会信用代码为 {credit_code} 的单位"
        )));
    };
    keys_of_org(app, org_id).await
}

/// A sealed document by its public id (public: whoever holds the id may check it).
pub async fn get(app: &App, public_id: &str) -> AppResult<SealedDoc> {
    app.db
        .reader()
        .fetch_optional(
            q("SELECT d.public_id, d.org_id, o.name AS org_name, o.credit_code AS org_credit_code, \
               d.key_id, d.kind, d.object_type, d.object_id, d.body, d.body_sm3, d.signature, d.sealed_at \
               FROM sealed_documents d JOIN orgs o ON o.id = d.org_id WHERE d.public_id = ?")
            .bind(public_id),
        )
        .await?
        .ok_or_else(|| AppError::NotFound("电子文件".to_owned()))
}

/// The DER signature bytes of a sealed document.
pub fn signature_der(doc: &SealedDoc) -> AppResult<Vec<u8>> {
    B64.decode(&doc.signature)
        .map_err(|_| AppError::Internal("签名存储损坏".to_owned()))
}

/// Checks `body` (the stored bytes, or bytes someone presents) against the document's
/// signature and its org's key, as any outside verifier would.
pub async fn verify_bytes(app: &App, doc: &SealedDoc, body: &[u8]) -> AppResult<Verdict> {
    let keys = keys_of_org(app, doc.org_id).await?;
    let key = keys.iter().find(|k| k.key_id == doc.key_id);
    let mut problem = None;
    let valid = match key {
        None => {
            problem = Some("找不到签章所用的公钥".to_owned());
            false
        }
        Some(k) => {
            let sig = signature_der(doc)?;
            let ok = proofless_seal::verify(&k.public_pem, body, &sig).unwrap_or(false);
            if !ok {
                problem = Some("签名与文件内容不符：文件已被改动或不是本单位签发".to_owned());
            }
            ok
        }
    };
    Ok(Verdict {
        public_id: doc.public_id.clone(),
        valid,
        org_name: doc.org_name.clone(),
        org_credit_code: doc.org_credit_code.clone(),
        key_id: doc.key_id.clone(),
        key_retired: key.is_some_and(|k| k.retired_at.is_some()),
        body_sm3: sm3_hex(body),
        sealed_at: doc.sealed_at,
        problem,
    })
}
