//! The master key wrapped under a passphrase, for backups (issue #16 item 4).
//!
//! A backup holds the database and the key needed to use it; the key must not travel in the
//! clear. It is encrypted with SM4-GCM under a key derived from the operator's passphrase by
//! Argon2id (salted, memory-hard), and written as a small JSON document that names its
//! parameters, so a later release can raise them and still open old backups:
//!
//! ```json
//! {"format":"proofless-master-key-v1","kdf":"argon2id","m_kib":65536,"t":3,"p":1,
//!  "salt":"…","key_id":"…","ciphertext":"…"}
//! ```
//!
//! `key_id` (an HMAC-SM3 fingerprint of the key, not the key) lets `restore` say which key
//! a backup holds without the passphrase.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::{Value, json};
use zeroize::Zeroizing;

use crate::{MasterKey, SealError, sm4gcm};

const FORMAT: &str = "proofless-master-key-v1";
/// Bound to the ciphertext: a blob made for another purpose does not open here.
const AAD: &[u8] = b"proofless/v1/backup-master-key";
/// A passphrase shorter than this is refused.
pub const MIN_PASSPHRASE_CHARS: usize = 12;

/// Argon2id cost parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WrapParams {
    /// Memory in KiB.
    pub m_kib: u32,
    /// Iterations.
    pub t: u32,
    /// Lanes.
    pub p: u32,
}

impl Default for WrapParams {
    /// 64 MiB, 3 passes: about a second on a server core, far too slow to guess passphrases.
    fn default() -> Self {
        WrapParams {
            m_kib: 64 * 1024,
            t: 3,
            p: 1,
        }
    }
}

fn kek(passphrase: &str, salt: &[u8], p: WrapParams) -> Result<Zeroizing<[u8; 16]>, SealError> {
    let params = argon2::Params::new(p.m_kib, p.t, p.p, Some(16))
        .map_err(|_| SealError::Malformed("argon2 parameters"))?;
    let a = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let mut out = Zeroizing::new([0u8; 16]);
    a.hash_password_into(passphrase.as_bytes(), salt, out.as_mut())
        .map_err(|_| SealError::Crypto("argon2"))?;
    Ok(out)
}

/// The master key encrypted under `passphrase`, as the JSON document described above.
pub fn wrap_master_key(
    master: &MasterKey,
    passphrase: &str,
    params: WrapParams,
) -> Result<String, SealError> {
    if passphrase.chars().count() < MIN_PASSPHRASE_CHARS {
        return Err(SealError::Malformed("passphrase too short"));
    }
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|_| SealError::Random)?;
    let k = kek(passphrase, &salt, params)?;
    let ct = sm4gcm::seal(&k, AAD, master.bytes())?;
    Ok(json!({
        "format": FORMAT,
        "kdf": "argon2id",
        "m_kib": params.m_kib,
        "t": params.t,
        "p": params.p,
        "salt": B64.encode(salt),
        "key_id": master_key_id(master),
        "ciphertext": B64.encode(ct),
    })
    .to_string())
}

/// A public fingerprint of a master key (HMAC-SM3 under the key of a fixed label).
pub fn master_key_id(master: &MasterKey) -> String {
    hex::encode(&master.derive("backup/key-id").bytes()[..8])
}

fn field<'a>(v: &'a Value, name: &'static str) -> Result<&'a Value, SealError> {
    v.get(name).ok_or(SealError::Malformed(name))
}

fn number(v: &Value, name: &'static str) -> Result<u32, SealError> {
    field(v, name)?
        .as_u64()
        .and_then(|n| u32::try_from(n).ok())
        .ok_or(SealError::Malformed(name))
}

fn bytes(v: &Value, name: &'static str) -> Result<Vec<u8>, SealError> {
    let s = field(v, name)?.as_str().ok_or(SealError::Malformed(name))?;
    B64.decode(s).map_err(|_| SealError::Malformed(name))
}

/// Opens a document made by [`wrap_master_key`]. A wrong passphrase or an edited document
/// is [`SealError::Decrypt`].
pub fn unwrap_master_key(doc: &str, passphrase: &str) -> Result<MasterKey, SealError> {
    let v: Value = serde_json::from_str(doc).map_err(|_| SealError::Malformed("not JSON"))?;
    if field(&v, "format")?.as_str() != Some(FORMAT)
        || field(&v, "kdf")?.as_str() != Some("argon2id")
    {
        return Err(SealError::Malformed("unknown format"));
    }
    let params = WrapParams {
        m_kib: number(&v, "m_kib")?,
        t: number(&v, "t")?,
        p: number(&v, "p")?,
    };
    // A document asking for absurd work is refused before any is done.
    if params.m_kib > 4 * 1024 * 1024 || params.t > 64 || params.p > 64 {
        return Err(SealError::Malformed("argon2 parameters"));
    }
    let k = kek(passphrase, &bytes(&v, "salt")?, params)?;
    let plain = sm4gcm::open(&k, AAD, &bytes(&v, "ciphertext")?)?;
    let arr: [u8; 32] = plain
        .as_slice()
        .try_into()
        .map_err(|_| SealError::InvalidKey)?;
    Ok(MasterKey::from_bytes(arr))
}

#[cfg(test)]
mod tests {
    use super::*;

    const FAST: WrapParams = WrapParams {
        m_kib: 1024,
        t: 1,
        p: 1,
    };

    // Issue #16 item 4: the backup's key opens only with its passphrase.
    #[test]
    fn a_wrapped_key_opens_only_with_its_passphrase() -> Result<(), SealError> {
        let m = MasterKey::generate()?;
        let doc = wrap_master_key(&m, "正确的备份口令-2026", FAST)?;
        assert!(!doc.contains(m.expose_base64().as_str()));
        let back = unwrap_master_key(&doc, "正确的备份口令-2026")?;
        assert_eq!(back.expose_base64(), m.expose_base64());
        assert_eq!(master_key_id(&back), master_key_id(&m));
        assert_eq!(
            unwrap_master_key(&doc, "错误的备份口令-2026").err(),
            Some(SealError::Decrypt)
        );
        let edited = doc.replace("\"t\":1", "\"t\":2");
        assert_eq!(
            unwrap_master_key(&edited, "正确的备份口令-2026").err(),
            Some(SealError::Decrypt)
        );
        assert!(wrap_master_key(&m, "short", FAST).is_err());
        Ok(())
    }
}
