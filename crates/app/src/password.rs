//! Secrets: Argon2id password hashes, random tokens and the hashes tokens are stored as.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::RngCore;
use rand::rngs::OsRng;

use crate::error::{AppError, AppResult};

/// A fresh random secret, hex encoded.
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    OsRng.fill_bytes(&mut buf);
    hex::encode(buf)
}

/// Only a hash of a session or API token is stored, so a stolen database copy grants
/// nothing.
pub fn token_hash(token: &str) -> String {
    proofless_seal::sm3_hex(token.as_bytes())
}

/// Argon2id with OWASP's second recommended setting (19 MiB, 2 passes): strong, and
/// cheap enough that a 2-core server can log a county's staff in at 09:00.
fn hasher() -> AppResult<Argon2<'static>> {
    let params =
        Params::new(19 * 1024, 2, 1, None).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

pub fn hash(password: &str) -> AppResult<String> {
    let salt = SaltString::generate(&mut OsRng);
    hasher()?
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(e.to_string()))
}

pub fn verify(password: &str, stored: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return false;
    };
    let Ok(h) = hasher() else { return false };
    h.verify_password(password.as_bytes(), &parsed).is_ok()
}

/// Minimum rules for a new password, in Chinese.
pub fn check_strength(password: &str) -> Result<(), String> {
    let n = password.chars().count();
    if n < 8 {
        return Err("密码至少 8 位".to_owned());
    }
    if n > 128 {
        return Err("密码最多 128 位".to_owned());
    }
    let has_letter = password.chars().any(|c| c.is_alphabetic());
    let has_digit = password.chars().any(|c| c.is_ascii_digit());
    if !(has_letter && has_digit) {
        return Err("密码须同时包含字母和数字".to_owned());
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_is_argon2id_and_verifies_only_the_right_password() {
        let h = hash("Gaoqing2021").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("Gaoqing2021", &h));
        assert!(!verify("gaoqing2021", &h));
        assert!(!verify("Gaoqing2021", "not a hash"));
    }

    #[test]
    fn weak_passwords_are_refused_in_chinese() {
        assert!(check_strength("short1").unwrap_err().contains("8"));
        assert!(check_strength("onlyletters").is_err());
        assert!(check_strength("abc12345").is_ok());
    }
}
