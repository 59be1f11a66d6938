//! Personal identifiers at rest: SM4-GCM field encryption and an HMAC-SM3 blind index.

use base64::Engine as _;

use crate::{MasterKey, SealError, sm4gcm};

const FIELD_PURPOSE: &str = "field-encryption";
const BLIND_PURPOSE: &str = "blind-index";
const PREFIX: &str = "sm4gcm1:";
const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD_NO_PAD;

fn aad(context: &str) -> Vec<u8> {
    let mut a = b"proofless-seal/field/v1/".to_vec();
    a.extend_from_slice(context.as_bytes());
    a
}

/// Encrypts a personal identifier (e.g. a resident ID number) for storage in a text
/// column: `"sm4gcm1:" || base64(0x01 || nonce || ciphertext || tag)`.
///
/// `context` (e.g. `"applicant.id_number"`) is bound as associated data, so a value
/// copied into another column does not decrypt there. The nonce is random, so equal
/// plaintexts give different ciphertexts; use [`blind_index`] for equality lookups.
pub fn encrypt_field(
    master: &MasterKey,
    context: &str,
    plaintext: &str,
) -> Result<String, SealError> {
    let key = master.sm4_key(FIELD_PURPOSE);
    let blob = sm4gcm::seal(&key, &aad(context), plaintext.as_bytes())?;
    Ok(format!("{PREFIX}{}", B64.encode(blob)))
}

/// Inverse of [`encrypt_field`] with the same `context`.
pub fn decrypt_field(master: &MasterKey, context: &str, stored: &str) -> Result<String, SealError> {
    let b64 = stored
        .strip_prefix(PREFIX)
        .ok_or(SealError::Malformed("unknown field prefix"))?;
    let blob = B64
        .decode(b64)
        .map_err(|_| SealError::Malformed("bad base64"))?;
    let key = master.sm4_key(FIELD_PURPOSE);
    let plain = sm4gcm::open(&key, &aad(context), &blob)?;
    String::from_utf8(plain.to_vec()).map_err(|_| SealError::Malformed("not UTF-8"))
}

/// Deterministic keyed index of `value`: 64 lowercase hex of
/// `HMAC-SM3(master.derive("blind-index"), value)`.
///
/// Store it beside the [`encrypt_field`] ciphertext and look rows up by
/// `WHERE id_index = blind_index(master, input)`. Without the master key the index
/// reveals nothing beyond equality. Normalise `value` first (e.g. upper-case the
/// trailing `X` of a resident ID) so equal identifiers index equally.
pub fn blind_index(master: &MasterKey, value: &str) -> String {
    hex::encode(*master.derive(BLIND_PURPOSE).hmac(&[value.as_bytes()]))
}

const WRAP_PURPOSE: &str = "data-key-wrap";
const WRAP_AAD: &[u8] = b"proofless-seal/data-key/v1";

/// A versioned SM4 data key for personal data at rest. Random, kept in the database
/// wrapped (SM4-GCM) under a key derived from the [`MasterKey`], so rotating it re-encrypts
/// rows without touching the master key. Its ciphertexts name their version
/// (`"k" version ":" base64(0x01 || nonce || ciphertext || tag)`), so a reader decrypts
/// any row without asking which version it is under.
pub struct DataKey {
    version: u32,
    key: zeroize::Zeroizing<[u8; 16]>,
}

impl DataKey {
    /// A fresh random key of `version`.
    pub fn generate(version: u32) -> Result<Self, SealError> {
        let mut key = zeroize::Zeroizing::new([0u8; 16]);
        getrandom::fill(key.as_mut()).map_err(|_| SealError::Random)?;
        Ok(DataKey { version, key })
    }

    /// A key derived from `master` instead of drawn at random: the first version, which
    /// every deployment has without storing anything (so no write is needed before the
    /// first person is stored); rotation adds random, stored versions after it.
    pub fn derived(master: &MasterKey, version: u32) -> Self {
        let key = master.sm4_key(&format!("data-key/v{version}"));
        DataKey { version, key }
    }

    pub fn version(&self) -> u32 {
        self.version
    }

    /// The key encrypted under `master` for storage; the version is bound as associated data.
    pub fn wrap(&self, master: &MasterKey) -> Result<String, SealError> {
        let wk = master.sm4_key(WRAP_PURPOSE);
        let blob = sm4gcm::seal(&wk, &wrap_aad(self.version), self.key.as_slice())?;
        Ok(B64.encode(blob))
    }

    /// Inverse of [`DataKey::wrap`]: a wrong master key or version gives [`SealError::Decrypt`].
    pub fn unwrap(master: &MasterKey, version: u32, wrapped: &str) -> Result<Self, SealError> {
        let blob = B64
            .decode(wrapped.trim())
            .map_err(|_| SealError::Malformed("bad base64"))?;
        let wk = master.sm4_key(WRAP_PURPOSE);
        let plain = sm4gcm::open(&wk, &wrap_aad(version), &blob)?;
        let mut key = zeroize::Zeroizing::new([0u8; 16]);
        if plain.len() != 16 {
            return Err(SealError::InvalidKey);
        }
        key.copy_from_slice(&plain);
        Ok(DataKey { version, key })
    }

    /// Encrypts `plaintext` for the column named by `context` (bound as associated data).
    pub fn encrypt(&self, context: &str, plaintext: &str) -> Result<String, SealError> {
        let blob = sm4gcm::seal(&self.key, &aad(context), plaintext.as_bytes())?;
        Ok(format!("k{}:{}", self.version, B64.encode(blob)))
    }

    /// Encrypts a file (a scanned document) for a binary column named by `context`:
    /// `b"K" || version (u32, big-endian) || 0x01 || nonce || ciphertext || tag`. Binary,
    /// not base64 text, so a 512 KB scan stays 512 KB (+33 bytes) at rest.
    pub fn encrypt_bytes(&self, context: &str, plaintext: &[u8]) -> Result<Vec<u8>, SealError> {
        let blob = sm4gcm::seal(&self.key, &aad(context), plaintext)?;
        let mut out = Vec::with_capacity(BYTES_HEADER + blob.len());
        out.push(BYTES_PREFIX);
        out.extend_from_slice(&self.version.to_be_bytes());
        out.extend_from_slice(&blob);
        Ok(out)
    }

    /// Decrypts a value [`DataKey::encrypt_bytes`] made under this key and `context`.
    pub fn decrypt_bytes(&self, context: &str, stored: &[u8]) -> Result<Vec<u8>, SealError> {
        if data_key_version_of_bytes(stored)? != self.version {
            return Err(SealError::Decrypt);
        }
        let blob = stored
            .get(BYTES_HEADER..)
            .ok_or(SealError::Malformed("too short"))?;
        let plain = sm4gcm::open(&self.key, &aad(context), blob)?;
        Ok(plain.to_vec())
    }

    /// Decrypts a value [`DataKey::encrypt`] made under this key and `context`.
    pub fn decrypt(&self, context: &str, stored: &str) -> Result<String, SealError> {
        let (v, b64) = split_versioned(stored)?;
        if v != self.version {
            return Err(SealError::Decrypt);
        }
        let blob = B64
            .decode(b64)
            .map_err(|_| SealError::Malformed("bad base64"))?;
        let plain = sm4gcm::open(&self.key, &aad(context), &blob)?;
        String::from_utf8(plain.to_vec()).map_err(|_| SealError::Malformed("not UTF-8"))
    }
}

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DataKey(v{}, <redacted>)", self.version)
    }
}

fn wrap_aad(version: u32) -> Vec<u8> {
    let mut a = WRAP_AAD.to_vec();
    a.extend_from_slice(format!("/{version}").as_bytes());
    a
}

fn split_versioned(stored: &str) -> Result<(u32, &str), SealError> {
    let rest = stored
        .strip_prefix('k')
        .ok_or(SealError::Malformed("unknown field prefix"))?;
    let (v, b64) = rest
        .split_once(':')
        .ok_or(SealError::Malformed("no key version"))?;
    let v = v
        .parse::<u32>()
        .map_err(|_| SealError::Malformed("bad key version"))?;
    Ok((v, b64))
}

const BYTES_PREFIX: u8 = b'K';
const BYTES_HEADER: usize = 5;

/// The data-key version a [`DataKey::encrypt_bytes`] value was made under.
pub fn data_key_version_of_bytes(stored: &[u8]) -> Result<u32, SealError> {
    match stored {
        [BYTES_PREFIX, a, b, c, d, ..] => Ok(u32::from_be_bytes([*a, *b, *c, *d])),
        _ => Err(SealError::Malformed("unknown binary prefix")),
    }
}

/// The data-key version a [`DataKey::encrypt`] value was made under.
pub fn data_key_version(stored: &str) -> Result<u32, SealError> {
    split_versioned(stored).map(|(v, _)| v)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "11010519491231002X";

    #[test]
    fn field_roundtrip_context_and_tamper() -> Result<(), SealError> {
        let m = MasterKey::from_bytes([9u8; 32]);
        let c1 = encrypt_field(&m, "applicant.id_number", ID)?;
        let c2 = encrypt_field(&m, "applicant.id_number", ID)?;
        assert!(c1.starts_with("sm4gcm1:"));
        assert!(!c1.contains(ID));
        assert_ne!(c1, c2);
        assert_eq!(decrypt_field(&m, "applicant.id_number", &c1)?, ID);
        assert_eq!(
            decrypt_field(&m, "other.column", &c1).err(),
            Some(SealError::Decrypt)
        );
        let other = MasterKey::from_bytes([10u8; 32]);
        assert_eq!(
            decrypt_field(&other, "applicant.id_number", &c1).err(),
            Some(SealError::Decrypt)
        );
        let mut t = c1.clone().into_bytes();
        let i = t.len() - 3;
        t[i] = if t[i] == b'A' { b'B' } else { b'A' };
        let t = String::from_utf8(t).map_err(|_| SealError::Malformed("test"))?;
        assert!(decrypt_field(&m, "applicant.id_number", &t).is_err());
        assert!(decrypt_field(&m, "applicant.id_number", "plain").is_err());
        assert_eq!(
            decrypt_field(&m, "c", &encrypt_field(&m, "c", "张三")?)?,
            "张三"
        );
        Ok(())
    }

    #[test]
    fn blind_index_is_keyed_and_deterministic() {
        let m = MasterKey::from_bytes([9u8; 32]);
        let a = blind_index(&m, ID);
        assert_eq!(a, blind_index(&m, ID));
        assert_eq!(a.len(), 64);
        assert_ne!(a, blind_index(&m, "110105194912310021"));
        assert_ne!(a, blind_index(&MasterKey::from_bytes([1u8; 32]), ID));
        assert_ne!(a, crate::sm3_hex(ID.as_bytes()));
    }
    #[test]
    fn data_key_wrap_encrypt_and_versions() -> Result<(), SealError> {
        let m = MasterKey::from_bytes([9u8; 32]);
        let k1 = DataKey::generate(1)?;
        let wrapped = k1.wrap(&m)?;
        assert!(DataKey::unwrap(&MasterKey::from_bytes([8u8; 32]), 1, &wrapped).is_err());
        assert!(DataKey::unwrap(&m, 2, &wrapped).is_err());
        let again = DataKey::unwrap(&m, 1, &wrapped)?;
        let c = k1.encrypt("persons.name", "张三")?;
        assert!(c.starts_with("k1:"));
        assert!(!c.contains("张三"));
        assert_eq!(data_key_version(&c)?, 1);
        assert_eq!(again.decrypt("persons.name", &c)?, "张三");
        assert_eq!(
            again.decrypt("persons.phone", &c).err(),
            Some(SealError::Decrypt)
        );
        let d = DataKey::derived(&m, 1);
        assert_eq!(
            DataKey::derived(&m, 1).decrypt("c", &d.encrypt("c", "x")?)?,
            "x"
        );
        assert!(
            DataKey::derived(&MasterKey::from_bytes([8u8; 32]), 1)
                .decrypt("c", &d.encrypt("c", "x")?)
                .is_err()
        );
        let k2 = DataKey::generate(2)?;
        assert!(k2.decrypt("persons.name", &c).is_err());
        // Files: binary, versioned, bound to their column, tamper-evident.
        let pdf = b"%PDF-1.4\n%scan of a proof\n%%EOF\n";
        let b = k2.encrypt_bytes("case_proof_scans.content", pdf)?;
        assert_eq!(data_key_version_of_bytes(&b)?, 2);
        assert_eq!(b.len(), pdf.len() + 5 + 1 + 12 + 16);
        assert!(!b.windows(4).any(|w| w == b"%PDF"));
        assert_eq!(k2.decrypt_bytes("case_proof_scans.content", &b)?, pdf);
        assert!(k2.decrypt_bytes("other.column", &b).is_err());
        assert!(k1.decrypt_bytes("case_proof_scans.content", &b).is_err());
        let mut t = b.clone();
        let last = t.len() - 1;
        t[last] ^= 1;
        assert!(k2.decrypt_bytes("case_proof_scans.content", &t).is_err());
        assert!(data_key_version_of_bytes(pdf).is_err());
        assert!(data_key_version_of_bytes(b"K12").is_err());
        assert!(format!("{k2:?}").contains("redacted"));
        Ok(())
    }
}
