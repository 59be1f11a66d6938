//! SM2 e-seal keys, the master key, and signature verification.

use std::fmt;
use std::str::FromStr;

use base64::Engine as _;
use sm2::dsa::signature::Signer as _;
use sm2::dsa::signature::Verifier as _;
use sm2::dsa::{DerSignature, Signature, SigningKey, VerifyingKey};
use sm2::elliptic_curve::Generate as _;
use sm2::pkcs8::{DecodePublicKey as _, EncodePublicKey as _, LineEnding};
use sm2::{NonZeroScalar, PublicKey, SecretKey};
use zeroize::{Zeroize as _, Zeroizing};

use crate::SealError;
use crate::sm4gcm;

/// GB/T 32918 default distinguishing ID (`ENTL || ID` enters `Z_A`).
pub const DEFAULT_ID: &[u8] = DEFAULT_ID_STR.as_bytes();
const DEFAULT_ID_STR: &str = "1234567812345678";

/// Environment variable the application reads the master key from.
pub const MASTER_KEY_ENV: &str = "PROOFLESS_MASTER_KEY";

/// Something that can apply an organisation's e-seal (SM2 with SM3 and [`DEFAULT_ID`])
/// to bytes.
///
/// This is the single seam for a certified e-seal platform: today [`SealKey`] signs
/// in-process, later a GB/T 38540 (电子印章) service or a signing server / HSM can
/// implement this trait without any caller changing. Implementations must produce
/// DER-encoded SM2 signatures over the raw message (SM3 with the GB/T 32918 default ID),
/// so that [`verify`] and OpenSSL keep verifying sealed documents with the public key
/// alone.
pub trait Signer: Send + Sync {
    /// Short stable identifier of the public key (see [`public_key_id`]).
    fn key_id(&self) -> String;
    /// SubjectPublicKeyInfo PEM of the public key.
    fn public_pem(&self) -> String;
    /// DER signature of `msg` (SM2, SM3, default ID).
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, SealError>;
}

// ---------------------------------------------------------------------------
// MasterKey
// ---------------------------------------------------------------------------

/// A 32-byte secret from configuration (`PROOFLESS_MASTER_KEY`) from which all
/// at-rest keys derive. Zeroized on drop; `Debug` is redacted.
pub struct MasterKey(Zeroizing<[u8; 32]>);

impl MasterKey {
    /// Wraps 32 secret bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        let mut bytes = bytes;
        let key = Self(Zeroizing::new(bytes));
        bytes.zeroize();
        key
    }

    /// Parses 64 hex characters or base64 (standard or URL-safe, padded or not)
    /// of exactly 32 bytes. Surrounding whitespace is ignored.
    pub fn parse(s: &str) -> Result<Self, SealError> {
        let s = s.trim();
        let decoded: Zeroizing<Vec<u8>> =
            if s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()) {
                Zeroizing::new(hex::decode(s).map_err(|_| SealError::InvalidMasterKey)?)
            } else {
                let engines = [
                    &base64::engine::general_purpose::STANDARD,
                    &base64::engine::general_purpose::STANDARD_NO_PAD,
                    &base64::engine::general_purpose::URL_SAFE,
                    &base64::engine::general_purpose::URL_SAFE_NO_PAD,
                ];
                let found = engines.iter().find_map(|e| e.decode(s).ok());
                Zeroizing::new(found.ok_or(SealError::InvalidMasterKey)?)
            };
        let arr: [u8; 32] = decoded
            .as_slice()
            .try_into()
            .map_err(|_| SealError::InvalidMasterKey)?;
        Ok(Self::from_bytes(arr))
    }

    /// A fresh random master key from the OS RNG.
    pub fn generate() -> Result<Self, SealError> {
        let mut bytes = Zeroizing::new([0u8; 32]);
        getrandom::fill(bytes.as_mut()).map_err(|_| SealError::Random)?;
        Ok(Self(bytes))
    }

    /// The key as standard base64, for writing a freshly generated key into
    /// configuration. Treat the result as a secret.
    pub fn expose_base64(&self) -> Zeroizing<String> {
        Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(self.0.as_ref()))
    }

    /// A purpose-bound sub-key: `HMAC-SM3(master, "proofless/v1/" || purpose)`.
    /// Different purposes give independent keys.
    pub fn derive(&self, purpose: &str) -> MasterKey {
        let out = hmac_sm3(&self.0, &[b"proofless/v1/", purpose.as_bytes()]);
        Self(out)
    }

    pub(crate) fn sm4_key(&self, purpose: &str) -> Zeroizing<[u8; 16]> {
        let derived = self.derive(purpose);
        let mut k = Zeroizing::new([0u8; 16]);
        k.copy_from_slice(&derived.0[..16]);
        k
    }

    /// The raw key bytes, for wrapping the key under a passphrase ([`crate::wrap`]).
    pub(crate) fn bytes(&self) -> &[u8; 32] {
        &self.0
    }

    pub(crate) fn hmac(&self, parts: &[&[u8]]) -> Zeroizing<[u8; 32]> {
        hmac_sm3(&self.0, parts)
    }
}

impl FromStr for MasterKey {
    type Err = SealError;
    fn from_str(s: &str) -> Result<Self, SealError> {
        Self::parse(s)
    }
}

impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MasterKey(<redacted>)")
    }
}

/// HMAC-SM3 with a 32-byte key. HMAC zero-pads keys shorter than the 64-byte block,
/// so padding here is exactly HMAC with the 32-byte key and keeps this infallible.
fn hmac_sm3(key: &[u8; 32], parts: &[&[u8]]) -> Zeroizing<[u8; 32]> {
    use hmac::{KeyInit as _, Mac as _};
    let mut block = Zeroizing::new([0u8; 64]);
    block[..32].copy_from_slice(key);
    let mut mac = hmac::Hmac::<sm3::Sm3>::new(&(*block).into());
    for p in parts {
        mac.update(p);
    }
    let mut out = Zeroizing::new([0u8; 32]);
    out.copy_from_slice(&mac.finalize().into_bytes());
    out
}

// ---------------------------------------------------------------------------
// SealKey
// ---------------------------------------------------------------------------

const AT_REST_PURPOSE: &str = "sealkey-at-rest";
const AT_REST_AAD: &[u8] = b"proofless-seal/sealkey/v1";

/// An organisation's SM2 e-seal private key.
///
/// The secret scalar lives in `elliptic_curve::SecretKey`, which zeroizes on drop.
/// (`sm2::dsa::SigningKey` 0.14 does not zeroize, so one is built only for the duration
/// of each signature.) `Debug` prints the key id only.
pub struct SealKey {
    secret: SecretKey,
    public_pem: String,
    key_id: String,
}

impl SealKey {
    /// A fresh key from the OS RNG.
    pub fn generate() -> Result<Self, SealError> {
        let scalar = NonZeroScalar::try_generate().map_err(|_| SealError::Random)?;
        Self::from_secret(SecretKey::from(scalar))
    }

    fn from_secret(secret: SecretKey) -> Result<Self, SealError> {
        let public = secret.public_key();
        let der = public
            .to_public_key_der()
            .map_err(|_| SealError::Crypto("public key encoding"))?;
        let public_pem = public
            .to_public_key_pem(LineEnding::LF)
            .map_err(|_| SealError::Crypto("public key encoding"))?;
        let key_id = key_id_of_der(der.as_bytes());
        Ok(Self {
            secret,
            public_pem,
            key_id,
        })
    }

    /// SubjectPublicKeyInfo PEM (`-----BEGIN PUBLIC KEY-----`), readable by
    /// `openssl pkey -pubin`.
    pub fn public_pem(&self) -> String {
        self.public_pem.clone()
    }

    /// First 16 hex characters of SM3 over the public key's SPKI DER.
    pub fn key_id(&self) -> String {
        self.key_id.clone()
    }

    /// DER-encoded SM2 signature of `msg` with SM3 and [`DEFAULT_ID`]
    /// (deterministic nonce, RFC 6979 style).
    pub fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, SealError> {
        let signing = SigningKey::new(DEFAULT_ID_STR, &self.secret)
            .map_err(|_| SealError::Crypto("signing key"))?;
        let sig: Signature = signing
            .try_sign(msg)
            .map_err(|_| SealError::Crypto("sign"))?;
        Ok(sig.to_der().to_vec())
    }

    /// The secret key encrypted with SM4-GCM under a key derived from `master`
    /// (random 96-bit nonce). Format: `0x01 || nonce(12) || ciphertext(32) || tag(16)`.
    pub fn encrypt_at_rest(&self, master: &MasterKey) -> Result<Vec<u8>, SealError> {
        let key = master.sm4_key(AT_REST_PURPOSE);
        let plain = Zeroizing::new(self.secret.to_bytes());
        sm4gcm::seal(&key, AT_REST_AAD, plain.as_slice())
    }

    /// Inverse of [`SealKey::encrypt_at_rest`]. A wrong master key or any changed byte
    /// gives [`SealError::Decrypt`].
    pub fn decrypt_at_rest(bytes: &[u8], master: &MasterKey) -> Result<SealKey, SealError> {
        let key = master.sm4_key(AT_REST_PURPOSE);
        let plain = sm4gcm::open(&key, AT_REST_AAD, bytes)?;
        let secret = SecretKey::from_slice(&plain).map_err(|_| SealError::InvalidKey)?;
        Self::from_secret(secret)
    }
}

impl Signer for SealKey {
    fn key_id(&self) -> String {
        SealKey::key_id(self)
    }
    fn public_pem(&self) -> String {
        SealKey::public_pem(self)
    }
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, SealError> {
        SealKey::sign(self, msg)
    }
}

impl fmt::Debug for SealKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SealKey")
            .field("key_id", &self.key_id)
            .field("secret", &"<redacted>")
            .finish()
    }
}

// ---------------------------------------------------------------------------
// Verification
// ---------------------------------------------------------------------------

fn key_id_of_der(der: &[u8]) -> String {
    let mut h = crate::sm3_hex(der);
    h.truncate(16);
    h
}

fn parse_public_pem(public_pem: &str) -> Result<PublicKey, SealError> {
    PublicKey::from_public_key_pem(public_pem.trim())
        .map_err(|e| SealError::InvalidPublicKey(e.to_string()))
}

/// The key id ([`SealKey::key_id`]) of a PEM public key, for matching a sealed
/// document's key id against a published key.
pub fn public_key_id(public_pem: &str) -> Result<String, SealError> {
    let der = parse_public_pem(public_pem)?
        .to_public_key_der()
        .map_err(|e| SealError::InvalidPublicKey(e.to_string()))?;
    Ok(key_id_of_der(der.as_bytes()))
}

/// Verifies a DER SM2 signature (SM3, [`DEFAULT_ID`]) of `msg` against a PEM public key.
///
/// An unreadable or non-SM2 PEM is an error; a malformed or non-matching signature
/// is `Ok(false)`.
pub fn verify(public_pem: &str, msg: &[u8], sig_der: &[u8]) -> Result<bool, SealError> {
    let public = parse_public_pem(public_pem)?;
    let vk = VerifyingKey::new(DEFAULT_ID_STR, public)
        .map_err(|_| SealError::InvalidPublicKey("unusable SM2 point".into()))?;
    let Ok(der) = DerSignature::from_bytes(sig_der) else {
        return Ok(false);
    };
    let Ok(sig) = Signature::try_from(der) else {
        return Ok(false);
    };
    Ok(vk.verify(msg, &sig).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> Result<SealKey, SealError> {
        SealKey::generate()
    }

    #[test]
    fn sign_verify_roundtrip() -> Result<(), SealError> {
        let k = key()?;
        let msg = "盖章文件 sealed document".as_bytes();
        let sig = k.sign(msg)?;
        assert_eq!(sig[0], 0x30, "DER SEQUENCE");
        assert!(verify(&k.public_pem(), msg, &sig)?);
        Ok(())
    }

    #[test]
    fn changed_byte_fails() -> Result<(), SealError> {
        let k = key()?;
        let msg = b"reply letter 2024-001".to_vec();
        let sig = k.sign(&msg)?;
        let mut bad = msg.clone();
        bad[3] ^= 1;
        assert!(!verify(&k.public_pem(), &bad, &sig)?);
        let mut bad_sig = sig.clone();
        let last = bad_sig.len() - 1;
        bad_sig[last] ^= 1;
        assert!(!verify(&k.public_pem(), &msg, &bad_sig)?);
        assert!(!verify(&k.public_pem(), &msg, b"not der")?);
        assert!(!verify(&k.public_pem(), &msg, &[])?);
        Ok(())
    }

    #[test]
    fn wrong_key_fails() -> Result<(), SealError> {
        let (a, b) = (key()?, key()?);
        let sig = a.sign(b"doc")?;
        assert!(!verify(&b.public_pem(), b"doc", &sig)?);
        assert_ne!(a.key_id(), b.key_id());
        Ok(())
    }

    #[test]
    fn bad_pem_is_error() {
        assert!(matches!(
            verify("nope", b"x", b"y"),
            Err(SealError::InvalidPublicKey(_))
        ));
        // A P-256 key is not an SM2 key.
        let p256 = "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEHKz/tV8vLO/YnYnrN0smgRUkUoAt\n7qCZFgaBN9g5z3/EgaREkjBNfvZqwRe+/oOo0I8VXytS+fYY3URwKQSODw==\n-----END PUBLIC KEY-----\n";
        assert!(verify(p256, b"x", b"y").is_err());
    }

    #[test]
    fn public_pem_and_key_id() -> Result<(), SealError> {
        let k = key()?;
        let pem = k.public_pem();
        assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----\n"));
        assert!(pem.trim_end().ends_with("-----END PUBLIC KEY-----"));
        assert_eq!(k.key_id().len(), 16);
        assert!(
            k.key_id()
                .bytes()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
        assert_eq!(public_key_id(&pem)?, k.key_id());
        Ok(())
    }

    #[test]
    fn signer_trait_object() -> Result<(), SealError> {
        let s: std::sync::Arc<dyn Signer> = std::sync::Arc::new(key()?);
        let sig = s.sign(b"x")?;
        assert!(verify(&s.public_pem(), b"x", &sig)?);
        assert_eq!(s.key_id(), public_key_id(&s.public_pem())?);
        Ok(())
    }

    #[test]
    fn at_rest_roundtrip_and_tamper() -> Result<(), SealError> {
        let master = MasterKey::from_bytes([7u8; 32]);
        let k = key()?;
        let blob = k.encrypt_at_rest(&master)?;
        assert_eq!(blob.len(), 1 + 12 + 32 + 16);
        let back = SealKey::decrypt_at_rest(&blob, &master)?;
        assert_eq!(back.key_id(), k.key_id());
        let sig = back.sign(b"m")?;
        assert!(verify(&k.public_pem(), b"m", &sig)?);
        // Random nonce: two encryptions differ.
        assert_ne!(k.encrypt_at_rest(&master)?, blob);
        // Any flipped byte is rejected.
        for i in 0..blob.len() {
            let mut t = blob.clone();
            t[i] ^= 0x01;
            assert!(SealKey::decrypt_at_rest(&t, &master).is_err(), "byte {i}");
        }
        assert!(SealKey::decrypt_at_rest(&blob[..20], &master).is_err());
        let other = MasterKey::from_bytes([8u8; 32]);
        assert_eq!(
            SealKey::decrypt_at_rest(&blob, &other).err(),
            Some(SealError::Decrypt)
        );
        Ok(())
    }

    #[test]
    fn debug_is_redacted() -> Result<(), SealError> {
        let k = key()?;
        let secret_hex = hex::encode(k.secret.to_bytes());
        let dbg = format!("{k:?} {k:#?}");
        assert!(!dbg.contains(&secret_hex));
        assert!(!dbg.to_lowercase().contains(&secret_hex[..8]));
        assert!(dbg.contains("redacted"));

        let bytes = [0xabu8; 32];
        let m = MasterKey::from_bytes(bytes);
        let dbg = format!("{m:?} {m:#?}");
        assert!(!dbg.contains("ab"), "{dbg}");
        assert!(!dbg.contains("171"));
        assert!(dbg.contains("redacted"));
        // Errors don't carry secrets either.
        let e = SealKey::decrypt_at_rest(&[1u8; 60], &m).err();
        assert_eq!(e, Some(SealError::Decrypt));
        Ok(())
    }

    #[test]
    fn master_key_parse() -> Result<(), SealError> {
        let raw: [u8; 32] = core::array::from_fn(|i| i as u8);
        let hex_s = hex::encode(raw);
        let b64 = base64::engine::general_purpose::STANDARD.encode(raw);
        let b64url = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw);
        let reference = MasterKey::from_bytes(raw);
        for s in [
            hex_s.clone(),
            hex_s.to_uppercase(),
            format!("  {b64}\n"),
            b64url,
        ] {
            let m: MasterKey = s.parse()?;
            assert_eq!(*m.0, *reference.0, "{s}");
        }
        assert_eq!(
            MasterKey::parse(&hex_s[..62]).err(),
            Some(SealError::InvalidMasterKey)
        );
        assert!(MasterKey::parse("").is_err());
        assert!(MasterKey::parse("not a key!").is_err());
        let short = base64::engine::general_purpose::STANDARD.encode([1u8; 16]);
        assert!(MasterKey::parse(&short).is_err());
        let g = MasterKey::generate()?;
        assert_eq!(*MasterKey::parse(&g.expose_base64())?.0, *g.0);
        Ok(())
    }

    #[test]
    fn derive_separates_purposes() {
        let m = MasterKey::from_bytes([1u8; 32]);
        let a = m.derive("a");
        let b = m.derive("b");
        assert_ne!(*a.0, *b.0);
        assert_eq!(*a.0, *m.derive("a").0);
        assert_ne!(*a.0, *m.0);
    }

    #[test]
    fn derive_is_hmac_sm3_openssl_known_answer() {
        // printf 'proofless/v1/blind-index' | openssl mac -digest SM3 -macopt hexkey:0101..01 HMAC
        let m = MasterKey::from_bytes([1u8; 32]);
        assert_eq!(
            hex::encode(*m.derive("blind-index").0),
            "d0d114e4de40a7f877a6e80ecb98c884a658b575764a6405edb0cc43783ad8c9"
        );
    }
}
