//! Org e-seals and sealed documents (issue #5 §10).
//!
//! Every org has an SM2 key, generated when the org is created, its private part
//! encrypted at rest under the deployment master key. Rotation retires the old key,
//! which keeps verifying the documents it sealed. Documents are canonical JSON signed
//! as-is, so anyone can check them with the public key alone (OpenSSL included).
//! Signing goes through [`proofless_seal::Signer`], the one seam where a certified
//! GB/T 38540 e-seal platform can take over. A foundation module: workflows seal through
//! it, it uses none of them.

mod keys;
mod repo;
mod service;

pub use keys::{KeyCache, KeysChecked, check_master_key, create_key, stored_key_count};
pub use proofless_domain::seal::SealKind;
pub use service::{
    PublicKeyInfo, SealedDoc, Signed, ToSeal, Verdict, get, keys_by_credit_code, keys_of_org,
    record_in, rotate, seal, sign, signature_der, verify_bytes,
};
pub use service::{RawSignature, sign_bytes};
