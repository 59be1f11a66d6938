//! Sealing documents, rotating keys, and checking what was sealed.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use proofless_domain::codes::CreditCode;
use proofless_domain::role::Role;
use proofless_domain::seal::SealKind;
use proofless_seal::{SealKey, Signer, canonical_json, sm3_hex};
use proofless_store::Tx;
use serde::{Deserialize, Serialize};
use serde_json::{Value as Json, json};

use super::keys::{active_signer, active_signer_in, create_key, master, seal_err};
use super::repo::{self, NewSealed};
use crate::App;
use crate::actor::Actor;
use crate::audit::{self, Entry};
use crate::error::{AppError, AppResult};
use crate::password::random_token;

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
    pub kind: SealKind,
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
#[schema(as = SealVerdict)]
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

/// What to seal: a document of `kind` about an object, in the org's name.
pub struct ToSeal<'a> {
    pub org_id: i64,
    pub kind: SealKind,
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
    /// The signed bytes as stored: encrypted under the data key, with its version (sealed
    /// documents name persons; issue #16 item 9).
    stored: (String, i64),
    digest: String,
    signature: Vec<u8>,
}

async fn signed_with(app: &App, key: &SealKey, org_id: i64, body: &Json) -> AppResult<Signed> {
    let bytes = canonical_json(body);
    let signature = key.sign(&bytes).map_err(seal_err)?;
    let body = String::from_utf8(bytes)
        .map_err(|_| AppError::Internal("规范化 JSON 不是 UTF-8".to_owned()))?;
    let sealer = crate::applicants::CopySealer::new(app).await?;
    Ok(Signed {
        public_id: random_token(16),
        org_id,
        key_id: Signer::key_id(key),
        digest: sm3_hex(body.as_bytes()),
        stored: (sealer.sealed_body(&body)?, sealer.version()),
        signature,
    })
}

/// Signs `body` with the org's active key outside any transaction, for a workflow that
/// records it with [`record_in`]: a signature takes about 0.1 ms of CPU, which should not
/// be spent holding the write lock. (A key rotated in between is no harm: a retired key
/// keeps verifying what it signed.)
pub async fn sign(app: &App, org_id: i64, body: &Json) -> AppResult<Signed> {
    let key = active_signer(app, org_id).await?;
    signed_with(app, &key, org_id, body).await
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
    repo::insert_sealed(
        tx,
        NewSealed {
            public_id: &signed.public_id,
            org_id: signed.org_id,
            key_id: &signed.key_id,
            kind: doc.kind.as_str(),
            object_type: doc.object_type,
            object_id: &doc.object_id,
            body: (&signed.stored.0, signed.stored.1),
            body_sm3: &signed.digest,
            signature_b64: &B64.encode(&signed.signature),
            sealed_at: now,
            sealed_by: actor.staff_id(),
        },
    )
    .await?;
    audit::append(
        tx,
        actor,
        now,
        Entry::new("seal.document", "sealed_document", &signed.public_id).detail(json!({
            "org_id": signed.org_id, "kind": doc.kind.as_str(), "object_type": doc.object_type,
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
    let signed = signed_with(app, &key, doc.org_id, doc.body).await?;
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
    if !repo::org_exists(&mut tx, org_id).await? {
        return Err(AppError::NotFound("单位".to_owned()));
    }
    repo::retire_active(&mut tx, org_id, actor.staff_id(), now).await?;
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
    Ok(repo::keys_of_org(&mut app.db.reader(), org_id).await?)
}

/// Public keys of the org with this credit code (public, no login).
pub async fn keys_by_credit_code(
    app: &App,
    credit_code: &CreditCode,
) -> AppResult<Vec<PublicKeyInfo>> {
    let Some(org_id) = repo::org_by_credit_code(&mut app.db.reader(), credit_code).await? else {
        return Err(AppError::NotFound(format!(
            "统一社会信用代码为 {credit_code} 的单位"
        )));
    };
    keys_of_org(app, org_id).await
}

/// A sealed document by its public id (public: whoever holds the id may check it), its
/// body decrypted. A stored body that no longer decrypts was altered where it is stored:
/// it reads as empty, which no signature matches, so checking it says it was changed.
pub async fn get(app: &App, public_id: &str) -> AppResult<SealedDoc> {
    let mut doc = repo::sealed(&mut app.db.reader(), public_id)
        .await?
        .ok_or_else(|| AppError::NotFound("电子文件".to_owned()))?;
    doc.body = match crate::applicants::open_sealed_body(app, &doc.body).await {
        Ok(b) => b,
        Err(e) => {
            tracing::warn!(public_id, error = %e, "电子文件存储内容无法解密：视为已被改动");
            String::new()
        }
    };
    Ok(doc)
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

/// What [`sign_bytes`] made: the key that signed, its public PEM and the DER signature.
pub struct RawSignature {
    pub key_id: String,
    pub public_pem: String,
    pub der: Vec<u8>,
}

/// Signs raw bytes that are not a sealed document (an e-archive manifest, issue #17 §3)
/// with the org's active key, outside any transaction; the caller records and audits what
/// it signed.
pub async fn sign_bytes(app: &App, org_id: i64, bytes: &[u8]) -> AppResult<RawSignature> {
    let key = active_signer(app, org_id).await?;
    Ok(RawSignature {
        key_id: key.key_id(),
        public_pem: key.public_pem(),
        der: key.sign(bytes).map_err(seal_err)?,
    })
}
