//! One-time codes: a portal activation code (issued at the counter after the ID card is
//! checked, or sent to the phone on record) and a staff login's second factor (issued by
//! a unit admin). Random, short-lived, single use, stored as a salted hash, and each code
//! allows only a few attempts, counted atomically before the comparison.

use rand::Rng;
use rand::rngs::OsRng;

use super::repo;
use crate::App;
use crate::error::AppResult;
use crate::password::{random_token, token_hash};

/// Wrong tries a code survives; then it is dead and a new one must be issued.
pub const MAX_CODE_ATTEMPTS: i64 = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Opens (or re-opens, with a new password) a citizen's portal account.
    PortalActivation,
    /// Lets a staff member log in while their account requires a second factor.
    StaffLogin,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::PortalActivation => "portal_activation",
            Purpose::StaffLogin => "staff_login",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Counter,
    Sms,
    Admin,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Counter => "counter",
            Channel::Sms => "sms",
            Channel::Admin => "admin",
        }
    }

    /// Digits and lifetime: an SMS code is typed within minutes; a code handed over in
    /// person may take the citizen home first.
    fn shape(self) -> (usize, i64) {
        match self {
            Channel::Sms => (6, 10 * 60_000),
            Channel::Counter | Channel::Admin => (8, 30 * 60_000),
        }
    }
}

/// A code as issued: shown (or sent) once, only its hash is kept.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct IssuedCode {
    pub code: String,
    pub expires_at: i64,
}

fn digits(n: usize) -> String {
    (0..n)
        .map(|_| char::from(b'0' + OsRng.gen_range(0..10u8)))
        .collect()
}

fn hash_with(salt: &str, code: &str) -> String {
    format!("{salt}${}", token_hash(&format!("{salt}:{code}")))
}

fn matches(stored: &str, code: &str) -> bool {
    let Some((salt, _)) = stored.split_once('$') else {
        return false;
    };
    let fresh = hash_with(salt, code);
    // Constant time over the hex digest: no early exit on the first differing byte.
    fresh.len() == stored.len()
        && fresh
            .bytes()
            .zip(stored.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

pub struct NewCode {
    pub purpose: Purpose,
    pub principal_id: i64,
    pub channel: Channel,
    pub issued_by: Option<i64>,
}

/// Issue a code inside the caller's transaction (so its audit row commits with it).
pub async fn issue(tx: &mut proofless_store::Tx, c: NewCode, now: i64) -> AppResult<IssuedCode> {
    let (n, ttl) = c.channel.shape();
    let code = digits(n);
    let expires_at = now + ttl;
    repo::insert_code(
        tx,
        repo::CodeRow {
            purpose: c.purpose.as_str(),
            principal_id: c.principal_id,
            code_hash: &hash_with(&random_token(8), &code),
            channel: c.channel.as_str(),
            issued_by: c.issued_by,
            created_at: now,
            expires_at,
        },
    )
    .await?;
    Ok(IssuedCode { code, expires_at })
}

/// Whether `code` is the newest live code of this principal: the attempt is counted
/// first (one statement), so a code dies after [`MAX_CODE_ATTEMPTS`] tries however many
/// arrive at once. Returns the code's id to [`consume`] when everything else is right.
pub async fn check(
    app: &App,
    purpose: Purpose,
    principal_id: i64,
    code: &str,
) -> AppResult<Option<i64>> {
    let now = app.now_ms();
    let code = code.trim();
    let Some((id, stored)) =
        repo::live_code(&mut app.db.reader(), purpose.as_str(), principal_id, now).await?
    else {
        return Ok(None);
    };
    let mut tx = app.db.begin().await?;
    let counted = repo::count_code_attempt(&mut tx, id, MAX_CODE_ATTEMPTS).await?;
    tx.commit().await?;
    if counted.is_none() || code.is_empty() {
        return Ok(None);
    }
    Ok(matches(&stored, code).then_some(id))
}

/// Spend a checked code inside the caller's transaction: false when another request
/// spent it first (single use).
pub async fn consume(tx: &mut proofless_store::Tx, id: i64, now: i64) -> AppResult<bool> {
    Ok(repo::use_code(tx, id, now).await? == 1)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_code_hash_is_salted_and_matches_only_its_code() {
        let a = hash_with("s1", "123456");
        assert_ne!(a, hash_with("s2", "123456"), "salted");
        assert!(!a.contains("123456"));
        assert!(matches(&a, "123456"));
        assert!(!matches(&a, "123457"));
        assert!(!matches("garbage", "123456"));
        assert_eq!(digits(8).len(), 8);
        assert!(digits(6).chars().all(|c| c.is_ascii_digit()));
    }
}
