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
}
