//! Personal data at rest (issue #16 item 9): a person's resident ID, name and phone are
//! stored SM4-GCM encrypted under a versioned data key, and found by a keyed HMAC-SM3
//! blind index of the resident ID.
//!
//! Version 1 of the data key derives from the master key (nothing to store before the
//! first person); each rotation adds a random version, kept in `data_keys` wrapped under
//! the master key. Keys are decrypted once per process into the [`Keyring`]. The newest version encrypts; any
//! version decrypts (a ciphertext names its version). The blind-index key derives from
//! the master key itself, so rotating the data key never changes an index and lookups
//! keep working while the background job re-encrypts (see `rotation.rs`).

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use proofless_domain::codes::ResidentId;
use proofless_seal::{DataKey, MasterKey, blind_index, data_key_version};

use super::repo;
use crate::App;
use crate::error::{AppError, AppResult};

/// The column a ciphertext belongs to, bound as associated data: a value copied into
/// another column does not decrypt there.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Field {
    ResidentId,
    Name,
    Phone,
    /// The subject of a verification as the requester named it, and its resident ID or
    /// credit code (the other copies of a person's identifiers, issue #16 item 9).
    VerificationSubjectName,
    VerificationSubjectCode,
    VerificationFacts,
    LedgerSubjectName,
    /// A sealed commitment letter names the applicant and their resident ID.
    CommitmentLetter,
    /// A sealed document's signed bytes (letters, replies, decisions name persons).
    SealedBody,
    /// The 12345 platform's callback secret (issue #20): not personal, but a secret kept
    /// under the same rotated data key rather than in clear.
    HotlineSecret,
    /// A proxy agent's scan of an obtained proof (R5.10; a file, see `blobs.rs`).
    ProxyScan,
}

impl Field {
    pub(crate) fn context(self) -> &'static str {
        match self {
            Field::ResidentId => "persons.resident_id",
            Field::Name => "persons.name",
            Field::Phone => "persons.phone",
            Field::VerificationSubjectName => "verifications.subject_name",
            Field::VerificationSubjectCode => "verifications.subject_code",
            Field::VerificationFacts => "verifications.facts",
            Field::LedgerSubjectName => "verification_ledger.subject_name",
            Field::CommitmentLetter => "commitments.letter",
            Field::SealedBody => "sealed_documents.body",
            Field::HotlineSecret => "complaint_hotline_link.secret",
            Field::ProxyScan => "case_proof_scans.content",
        }
    }
}

/// How long a loaded active version is trusted before the table is read again: another
/// instance may have rotated meanwhile (its job re-encrypts what we wrote after that).
const REFRESH: Duration = Duration::from_secs(30);

#[derive(Default)]
struct Ring {
    keys: HashMap<u32, Arc<DataKey>>,
    active: Option<u32>,
    loaded: Option<Instant>,
}

/// The data keys this process has decrypted, shared by every clone of [`App`].
#[derive(Clone, Default)]
pub struct Keyring(Arc<RwLock<Ring>>);

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keyring")
    }
}

pub(crate) fn master(app: &App) -> AppResult<&MasterKey> {
    app.settings.master_key.as_deref().ok_or_else(|| {
        AppError::Internal(
            "系统未配置主密钥（PROOFLESS_MASTER_KEY 或 data/master.key），无法保存或读取个人信息"
                .to_owned(),
        )
    })
}

fn unwrap_err(version: u32) -> AppError {
    AppError::Internal(format!(
        "个人信息数据密钥（第 {version} 版）无法用当前主密钥解密：请提供生成这些数据时的主密钥\
         （PROOFLESS_MASTER_KEY 或 data/master.key）"
    ))
}

impl Keyring {
    fn cached(&self, version: u32) -> Option<Arc<DataKey>> {
        self.0.read().ok()?.keys.get(&version).cloned()
    }

    fn fresh_active(&self) -> Option<Arc<DataKey>> {
        let r = self.0.read().ok()?;
        let fresh = r.loaded.is_some_and(|t| t.elapsed() < REFRESH);
        let v = r.active.filter(|_| fresh)?;
        r.keys.get(&v).cloned()
    }

    /// Reads every stored data key, unwrapping the ones not yet cached.
    pub(crate) async fn load(&self, app: &App) -> AppResult<Option<u32>> {
        let m = master(app)?;
        let rows = repo::data_keys(&mut app.db.reader()).await?;
        let mut keys = HashMap::new();
        keys.insert(1, Arc::new(DataKey::derived(m, 1)));
        for (v, wrapped) in &rows {
            let v = u32::try_from(*v).map_err(|_| unwrap_err(0))?;
            let key = match self.cached(v) {
                Some(k) => k,
                None => Arc::new(DataKey::unwrap(m, v, wrapped).map_err(|_| unwrap_err(v))?),
            };
            keys.insert(v, key);
        }
        let active = keys.keys().max().copied();
        if let Ok(mut r) = self.0.write() {
            r.keys.extend(keys);
            r.active = active;
            r.loaded = Some(Instant::now());
        }
        Ok(active)
    }

    /// The key new ciphertexts are made under: the newest version.
    pub(crate) async fn active(&self, app: &App) -> AppResult<Arc<DataKey>> {
        if let Some(k) = self.fresh_active() {
            return Ok(k);
        }
        self.load(app).await?;
        self.fresh_active()
            .ok_or_else(|| AppError::Internal("个人信息数据密钥不可用".to_owned()))
    }

    /// The key of `version`, read from the table when another instance made it.
    pub(crate) async fn key(&self, app: &App, version: u32) -> AppResult<Arc<DataKey>> {
        if let Some(k) = self.cached(version) {
            return Ok(k);
        }
        self.load(app).await?;
        self.cached(version)
            .ok_or_else(|| AppError::Internal(format!("个人信息数据密钥第 {version} 版不存在")))
    }
}

pub(crate) fn seal_err(e: proofless_seal::SealError) -> AppError {
    AppError::Internal(format!("个人信息加密错误：{e}"))
}

/// The blind index a resident ID is looked up by.
pub(crate) fn rid_index(app: &App, rid: &ResidentId) -> AppResult<String> {
    Ok(blind_index(master(app)?, rid.as_str()))
}

/// What a portal account's login (the normalised resident ID) is stored and looked up as:
/// its blind index, so `portal_accounts` (and the login throttle) hold no resident ID.
pub fn login_index(app: &App, login: &str) -> AppResult<String> {
    Ok(blind_index(master(app)?, login))
}

/// `plain` encrypted for `field` under `key`.
pub(crate) fn encrypt(key: &DataKey, field: Field, plain: &str) -> AppResult<String> {
    key.encrypt(field.context(), plain).map_err(seal_err)
}

/// A stored ciphertext of `field` in clear, under whichever key version made it.
pub(crate) async fn reveal(app: &App, field: Field, stored: &str) -> AppResult<String> {
    let v = data_key_version(stored)
        .map_err(|_| AppError::Internal("个人信息存储格式有误".to_owned()))?;
    let key = app.pii.key(app, v).await?;
    key.decrypt(field.context(), stored)
        .map_err(|_| AppError::Internal("个人信息无法解密：数据密钥与密文不符".to_owned()))
}

/// A stored name in clear (for the other workflows and the fixtures, which read names
/// joined to their rows).
pub async fn reveal_name(app: &App, stored: &str) -> AppResult<String> {
    reveal(app, Field::Name, stored).await
}

/// A stored resident ID in clear.
pub async fn reveal_resident_id(app: &App, stored: &str) -> AppResult<String> {
    reveal(app, Field::ResidentId, stored).await
}

/// Encrypts other workflows' copies of personal data under one active key version, so a
/// row's fields share the `key_version` the rotation sweep reads (see `columns.rs`).
pub(crate) struct TextSealer {
    key: Arc<DataKey>,
}

impl TextSealer {
    pub(crate) async fn new(app: &App) -> AppResult<TextSealer> {
        Ok(TextSealer {
            key: app.pii.active(app).await?,
        })
    }

    pub(crate) fn seal(&self, field: Field, plain: &str) -> AppResult<String> {
        encrypt(&self.key, field, plain)
    }

    pub(crate) fn version(&self) -> i64 {
        i64::from(self.key.version())
    }
}

/// A stored copy of `field` in clear; an empty value (a letter not yet sealed) stays empty.
pub(crate) async fn open_text(app: &App, field: Field, stored: &str) -> AppResult<String> {
    if stored.is_empty() {
        return Ok(String::new());
    }
    reveal(app, field, stored).await
}

/// A person's fields as stored: encrypted under the active key, with the blind index.
pub(crate) struct Sealed {
    pub rid_index: String,
    pub resident_id: String,
    pub name: String,
    /// The name as lists show it, stored in clear beside the ciphertext.
    pub name_masked: String,
    pub phone: Option<String>,
    pub version: u32,
}

/// A name as lists show it: the first character, the rest starred (`张**`).
pub(crate) fn mask_name(name: &str) -> String {
    let mut c = name.chars();
    match c.next() {
        Some(first) => format!("{first}{}", "*".repeat(c.count().max(1))),
        None => String::new(),
    }
}

pub(crate) async fn seal_person(
    app: &App,
    rid: &ResidentId,
    name: &str,
    phone: Option<&str>,
) -> AppResult<Sealed> {
    let key = app.pii.active(app).await?;
    Ok(Sealed {
        rid_index: rid_index(app, rid)?,
        resident_id: encrypt(&key, Field::ResidentId, rid.as_str())?,
        name: encrypt(&key, Field::Name, name)?,
        name_masked: mask_name(name),
        phone: phone.map(|p| encrypt(&key, Field::Phone, p)).transpose()?,
        version: key.version(),
    })
}

/// A fresh opaque public id: 128 random bits as 32 lowercase hex characters.
pub(crate) fn new_public_id() -> String {
    use rand::RngCore as _;
    let mut b = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut b);
    hex::encode(b)
}

/// Whether `s` has the shape of a public id (so a malformed one is a 404 without a query).
pub(crate) fn is_public_id(s: &str) -> bool {
    s.len() == 32
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Seals many persons under one key without a query per person: `proofless gen` writes
/// its synthetic persons in bulk through it, encrypted exactly as registered ones.
pub struct PersonSealer {
    app: App,
    key: Arc<DataKey>,
}

/// A person's row as [`PersonSealer::seal`] makes it, ready to insert.
pub struct SealedPerson {
    pub public_id: String,
    pub rid_index: String,
    pub resident_id_enc: String,
    pub name_enc: String,
    pub name_masked: String,
    pub key_version: i64,
}

impl PersonSealer {
    pub async fn new(app: &App) -> AppResult<PersonSealer> {
        let key = app.pii.active(app).await?;
        Ok(PersonSealer {
            app: app.clone(),
            key,
        })
    }

    pub fn seal(&self, rid: &ResidentId, name: &str) -> AppResult<SealedPerson> {
        Ok(SealedPerson {
            public_id: new_public_id(),
            rid_index: rid_index(&self.app, rid)?,
            resident_id_enc: encrypt(&self.key, Field::ResidentId, rid.as_str())?,
            name_enc: encrypt(&self.key, Field::Name, name)?,
            name_masked: mask_name(name),
            key_version: i64::from(self.key.version()),
        })
    }
}

/// A contact kept outside `persons` (a complainant's name and phone, issue #20), encrypted
/// like a person's: the name and phone under the active data key, the phone also as a
/// blind index it can be found by.
#[derive(Debug, Clone, Default)]
pub struct SealedContact {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub phone_index: Option<String>,
    /// The data key version the name and phone are under (the row's key version column, so
    /// a rotation re-encrypts it; see `columns.rs`); 1 when there is nothing to seal.
    pub version: i64,
}

/// Seals a contact (see [`SealedContact`]).
pub async fn seal_contact(
    app: &App,
    name: Option<&str>,
    phone: Option<&str>,
) -> AppResult<SealedContact> {
    if name.is_none() && phone.is_none() {
        return Ok(SealedContact {
            version: 1,
            ..SealedContact::default()
        });
    }
    let key = app.pii.active(app).await?;
    Ok(SealedContact {
        name: name.map(|n| encrypt(&key, Field::Name, n)).transpose()?,
        phone: phone.map(|p| encrypt(&key, Field::Phone, p)).transpose()?,
        phone_index: phone.map(|p| phone_index(app, p)).transpose()?,
        version: i64::from(key.version()),
    })
}

/// A secret another workflow keeps (the 12345 callback secret), encrypted under the active
/// data key: the ciphertext and its key version.
pub async fn seal_secret(app: &App, plain: &str) -> AppResult<(String, i64)> {
    let key = app.pii.active(app).await?;
    Ok((
        encrypt(&key, Field::HotlineSecret, plain)?,
        i64::from(key.version()),
    ))
}

/// A secret sealed by [`seal_secret`] in clear.
pub async fn open_secret(app: &App, stored: &str) -> AppResult<String> {
    reveal(app, Field::HotlineSecret, stored).await
}

/// The blind index a contact's phone is found by.
pub fn phone_index(app: &App, phone: &str) -> AppResult<String> {
    Ok(blind_index(master(app)?, &format!("phone:{phone}")))
}

/// A stored phone in clear.
pub async fn reveal_phone(app: &App, stored: &str) -> AppResult<String> {
    reveal(app, Field::Phone, stored).await
}
