use thiserror::Error;

/// Errors from the seal crate. Messages never contain key material or plaintext.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum SealError {
    /// The public key PEM is not an SM2 SubjectPublicKeyInfo.
    #[error("invalid SM2 public key: {0}")]
    InvalidPublicKey(String),
    /// The master key is not 32 bytes of hex or base64.
    #[error("invalid master key: expected 32 bytes as 64 hex characters or base64")]
    InvalidMasterKey,
    /// A stored secret could not be decoded into a key.
    #[error("invalid key material")]
    InvalidKey,
    /// Authenticated decryption failed: wrong master key, wrong context, or tampered data.
    #[error("decryption failed: wrong key or tampered data")]
    Decrypt,
    /// Ciphertext too short, unknown version, or bad encoding.
    #[error("malformed ciphertext: {0}")]
    Malformed(&'static str),
    /// The operating system's random number generator failed.
    #[error("system random number generator failed")]
    Random,
    /// Signing or encryption failed inside the crypto backend.
    #[error("crypto operation failed: {0}")]
    Crypto(&'static str),
}
