//! Trust primitives for Proofless (无证明城市): SM2 e-seals, SM3 hashing and the
//! audit hash chain, SM4-GCM encryption at rest, and canonical JSON.
//!
//! All cryptography is the Chinese commercial suite, implemented by the RustCrypto
//! crates (`sm2`, `sm3`, `sm4`, `aes-gcm`, `hmac`) and checked against OpenSSL 3:
//!
//! * **SM3** (GB/T 32905) — [`sm3()`], [`sm3_hex`], the audit log's [`chain_hash`].
//! * **SM2** (GB/T 32918) — [`SealKey`] signs with SM3 and the default distinguishing
//!   ID [`DEFAULT_ID`]; [`verify`] checks a DER signature against a PEM public key.
//!   The same signature verifies with
//!   `openssl pkeyutl -verify -rawin -digest sm3 -pkeyopt distid:1234567812345678 -pubin -inkey seal.pem -in doc -sigfile sig`
//!   (OpenSSL 3.0 assumes an *empty* ID, so `distid` must always be passed).
//! * **SM4-GCM** (RFC 8998 / GB/T 32907) — [`SealKey::encrypt_at_rest`],
//!   [`encrypt_field`]; keys derive from a [`MasterKey`] (`PROOFLESS_MASTER_KEY`).
//! * **HMAC-SM3** — [`MasterKey::derive`] and the [`blind_index`] for equality lookups
//!   on encrypted personal identifiers.
//!
//! Sealed documents are [`canonical_json`] bytes signed as-is.

mod canon;
mod chain;
mod error;
mod field;
mod keys;
mod sm4gcm;
mod wrap;

pub use canon::canonical_json;
pub use chain::{ChainLink, GENESIS_HASH, chain_hash};
pub use error::SealError;
pub use field::{
    DataKey, blind_index, data_key_version, data_key_version_of_bytes, decrypt_field, encrypt_field,
};
pub use keys::{DEFAULT_ID, MASTER_KEY_ENV, MasterKey, SealKey, Signer, public_key_id, verify};
pub use wrap::{
    MIN_PASSPHRASE_CHARS, WrapParams, master_key_id, unwrap_master_key, wrap_master_key,
};

use sm3::{Digest, Sm3};

/// SM3 digest (GB/T 32905) of `data`.
pub fn sm3(data: &[u8]) -> [u8; 32] {
    Sm3::digest(data).into()
}

/// SM3 digest of a file, read in blocks (a backup's database may not fit in memory), as
/// 64 lowercase hex characters.
pub fn sm3_file_hex(path: &std::path::Path) -> std::io::Result<String> {
    use std::io::Read as _;
    let mut f = std::fs::File::open(path)?;
    let mut h = Sm3::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex::encode(h.finalize()))
}

/// HMAC-SM3 of `msg` under a key of any length, as 64 lowercase hex: signs what another
/// system must verify with a shared secret (the 12345 callback, issue #20; requests to the
/// city data-sharing platform, issue #18 §4).
pub fn hmac_sm3_hex(key: &[u8], msg: &[u8]) -> String {
    use hmac::Mac as _;
    // HMAC accepts keys of any length (a long one is hashed first).
    let mut mac = match <hmac::Hmac<Sm3> as hmac::KeyInit>::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => return String::new(),
    };
    mac.update(msg);
    hex::encode(mac.finalize().into_bytes())
}

/// SM3 digest of `data` as 64 lowercase hex characters.
pub fn sm3_hex(data: &[u8]) -> String {
    hex::encode(sm3(data))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sm3_gbt32905_vector_abc() {
        assert_eq!(
            sm3_hex(b"abc"),
            "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
        );
    }

    #[test]
    fn sm3_gbt32905_vector_abcd_x16() {
        let msg = b"abcd".repeat(16);
        assert_eq!(msg.len(), 64);
        assert_eq!(
            sm3_hex(&msg),
            "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"
        );
    }

    #[test]
    fn sm3_raw_matches_hex() {
        assert_eq!(hex::encode(sm3(b"")), sm3_hex(b""));
        assert_eq!(
            sm3_hex(b""),
            "1ab21d8355cfa17f8e61194831e81a8f22bec8c728fefb747ed035eb5082aa2b"
        );
    }
}
