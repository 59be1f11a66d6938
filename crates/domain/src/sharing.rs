//! Data sharing (数据共享, P 三(二)1, SPEC R3): the data-sharing list, e-licences and
//! e-proofs, entitled pulls with the citizen's consent, and the signed requests to the city
//! sharing platform. Pure rules; no IO.

use serde::{Deserialize, Serialize};

use crate::commitment::text_enum;

text_enum! {
    /// Where the data of a shared proof comes from (SPEC R3.1: the issuing unit and source).
    pub enum SharingSource {
        /// The county's own e-licence and e-proof library (issued in this system).
        CountyLibrary => ("county_library", "县电子证照证明库"),
        /// The city data-sharing exchange (淄博市共享交换平台, P 三(二)1).
        CityPlatform => ("city_platform", "市共享交换平台"),
    }
}

text_enum! {
    /// A version of a data-sharing list entry: maintained by the issuing unit, reviewed by
    /// the joint office, then published (SPEC R3.1).
    pub enum EntryState {
        Draft => ("draft", "草稿"),
        Submitted => ("submitted", "待联席办审核"),
        Published => ("published", "已公布"),
        Returned => ("returned", "已退回修改"),
        /// Replaced by a later published version.
        Superseded => ("superseded", "已被新版本替代"),
    }
}

impl EntryState {
    /// Whether the issuing unit may still edit the version.
    pub fn editable(self) -> bool {
        matches!(self, EntryState::Draft | EntryState::Returned)
    }
}

text_enum! {
    /// What an issued document is (SPEC glossary: 电子证照 / 电子证明).
    pub enum EProofKind {
        Licence => ("licence", "电子证照"),
        Proof => ("proof", "电子证明"),
    }
}

text_enum! {
    /// The stored state of an e-licence or e-proof (SPEC R3.2: revocation and replacement).
    pub enum EProofState {
        Valid => ("valid", "有效"),
        Revoked => ("revoked", "已撤销"),
        Replaced => ("replaced", "已换发"),
    }
}

text_enum! {
    /// Whether a document holds at a given instant: its state and its validity period.
    pub enum Validity {
        Valid => ("valid", "有效"),
        NotYetValid => ("not_yet_valid", "尚未生效"),
        Expired => ("expired", "已过有效期"),
        Revoked => ("revoked", "已撤销"),
        Replaced => ("replaced", "已换发（以新证为准）"),
    }
}

/// A document's validity on `today` (dates as `YYYY-MM-DD`, both ends inclusive; no end:
/// valid until revoked). A revoked or replaced document never holds again.
pub fn validity(state: EProofState, from: &str, to: Option<&str>, today: &str) -> Validity {
    match state {
        EProofState::Revoked => Validity::Revoked,
        EProofState::Replaced => Validity::Replaced,
        EProofState::Valid if today < from => Validity::NotYetValid,
        EProofState::Valid if to.is_some_and(|t| today > t) => Validity::Expired,
        EProofState::Valid => Validity::Valid,
    }
}

text_enum! {
    /// The outcome of a pull (issue #18 §3): each has a next step for the counter.
    pub enum PullOutcome {
        /// Found; waiting for the applicant to allow or decline on the portal (OOTS preview).
        AwaitingConsent => ("awaiting_consent", "等待申请人确认"),
        Released => ("released", "已调取"),
        NotFound => ("not_found", "未查到数据"),
        IdentityMismatch => ("identity_mismatch", "身份信息不一致"),
        Declined => ("declined", "申请人拒绝授权"),
        SourceUnavailable => ("source_unavailable", "数据源暂不可用"),
        /// The unit is not entitled (A2 §12, R5.9); answered 403 and logged.
        Refused => ("refused", "无权调取"),
    }
}

impl PullOutcome {
    /// What the counter does next (issue #18 §3: every outcome has a next step).
    pub fn next_step(self) -> &'static str {
        match self {
            PullOutcome::AwaitingConsent => {
                "请申请人登录办事门户查看将提供的数据并确认，或在门户生成8位授权码告知窗口"
            }
            PullOutcome::Released => "数据已调取，可直接办理，无需申请人提交证明",
            PullOutcome::NotFound => {
                "共享库中没有该数据：可一键改用部门核验或告知承诺，办件保留本次调取记录"
            }
            PullOutcome::IdentityMismatch => {
                "请核对申请人身份证件与登记信息；确属本人的，改用部门核验"
            }
            PullOutcome::Declined => {
                "申请人拒绝提供共享数据：可改用部门核验或告知承诺，不得要求申请人自行开具"
            }
            PullOutcome::SourceUnavailable => {
                "数据源暂时无法访问，系统将自动重试；急办的可改用部门核验或告知承诺"
            }
            PullOutcome::Refused => "本单位不在该数据的授权使用单位之列，请通过部门核验办理",
        }
    }

    /// Whether the pull is finished (no further answer will come).
    pub fn is_final(self) -> bool {
        !matches!(self, PullOutcome::AwaitingConsent)
    }
}

text_enum! {
    /// How the applicant consented (issue #18 §3; SPEC R3 good practice).
    pub enum ConsentChannel {
        /// Confirmed on the portal after a preview (EU Once-Only).
        Portal => ("portal", "门户预览确认"),
        /// An 8-digit one-time code given to the counter (Beijing).
        Code => ("code", "一次性授权码"),
        /// Given once on the portal for every data-sharing proof of one case, to the case's
        /// unit only, until it expires (issue #18 §3: a case carries the applicant's consent).
        Case => ("case", "办件一次授权"),
    }
}

text_enum! {
    /// A request for an e-proof for use outside the city (A4 §4(4)).
    pub enum OutsideState {
        Pending => ("pending", "待开具"),
        Issued => ("issued", "已开具"),
        Refused => ("refused", "不予开具"),
    }
}

/// Digits of a one-time authorisation code.
pub const CONSENT_CODE_DIGITS: usize = 8;
/// Minutes a one-time code stays usable (Beijing's practice: short-lived, one use).
pub const CONSENT_CODE_MINUTES: i64 = 10;

/// Whether `s` has the shape of a one-time authorisation code: exactly 8 ASCII digits.
pub fn consent_code_ok(s: &str) -> bool {
    s.len() == CONSENT_CODE_DIGITS && s.bytes().all(|b| b.is_ascii_digit())
}

/// Characters of a verification short code: no 0/O, 1/I/L, so it can be read aloud.
pub const SHORT_CODE_CHARS: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
pub const SHORT_CODE_LEN: usize = 10;

/// Whether `s` could be a short code (checked before any lookup).
pub fn short_code_ok(s: &str) -> bool {
    s.len() == SHORT_CODE_LEN && s.bytes().all(|b| SHORT_CODE_CHARS.contains(&b))
}

/// The name as the public verify page shows it: the first character, the rest masked
/// (issue #18 §2: never more personal data than a masked name).
pub fn mask_name(name: &str) -> String {
    let mut chars = name.trim().chars();
    match chars.next() {
        None => String::new(),
        Some(first) => {
            let rest = chars.count().max(1);
            format!("{first}{}", "*".repeat(rest))
        }
    }
}

/// The most documents one signed batch may carry (larger batches are refused whole).
pub const MAX_BATCH: usize = 500;
/// How far a signed request's timestamp may lie from our clock (replay window).
pub const REPLAY_WINDOW_MS: i64 = 5 * 60 * 1000;

/// The string both sides sign with HMAC-SM3 (issue #18 §4): method, path, timestamp,
/// nonce and the SM3 of the body, one per line.
pub fn signing_string(
    method: &str,
    path: &str,
    timestamp_ms: i64,
    nonce: &str,
    body_sm3_hex: &str,
) -> String {
    format!(
        "{}\n{}\n{}\n{}\n{}",
        method.to_ascii_uppercase(),
        path,
        timestamp_ms,
        nonce,
        body_sm3_hex
    )
}

/// Whether a signed request's timestamp is inside the replay window around `now_ms`.
pub fn within_replay_window(timestamp_ms: i64, now_ms: i64) -> bool {
    (now_ms - timestamp_ms).abs() <= REPLAY_WINDOW_MS
}

/// Whether a nonce is acceptable: 16–64 hex characters.
pub fn nonce_ok(nonce: &str) -> bool {
    (16..=64).contains(&nonce.len()) && nonce.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A circuit breaker for one source (issue #18 §4): after `THRESHOLD` failures in a row it
/// opens for `OPEN_MS`, answering "unavailable" at once; then one trial call is let through
/// (half open) and its result closes or reopens it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Breaker {
    failures: u32,
    open_until: Option<i64>,
}

impl Breaker {
    pub const THRESHOLD: u32 = 3;
    pub const OPEN_MS: i64 = 30_000;

    /// Whether a call may go out at `now_ms`.
    pub fn allows(&self, now_ms: i64) -> bool {
        self.open_until.is_none_or(|until| now_ms >= until)
    }

    pub fn is_open(&self, now_ms: i64) -> bool {
        !self.allows(now_ms)
    }

    pub fn success(&mut self) {
        self.failures = 0;
        self.open_until = None;
    }

    pub fn failure(&mut self, now_ms: i64) {
        self.failures = self.failures.saturating_add(1);
        if self.failures >= Self::THRESHOLD {
            self.open_until = Some(now_ms + Self::OPEN_MS);
        }
    }
}

/// Durable retries of a pull whose city source was unavailable (issue #18 §3, §4): how many
/// jobs the runner makes after the request's own attempts before the failure is final.
pub const CITY_RETRY_JOBS: u32 = 4;

/// Delay before durable retry `n` (1-based): 1, 2, 4, 8 minutes; capped at 30 minutes.
pub fn retry_delay_ms(n: u32) -> i64 {
    let shift = n.saturating_sub(1).min(5);
    (60_000i64 << shift).min(30 * 60_000)
}

/// Calendar days a case-level consent stays valid when the policy gives none.
pub const CASE_CONSENT_DEFAULT_DAYS: i64 = 30;

/// Delay before retry `attempt` (1-based): 100 ms doubling, capped at 2 s.
pub fn backoff_ms(attempt: u32) -> u64 {
    let shift = attempt.saturating_sub(1).min(5);
    (100u64 << shift).min(2_000)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    // issue #18 §4: retries with backoff; the durable retries wait longer each time.
    #[test]
    fn durable_retries_back_off_and_are_bounded() {
        assert_eq!(retry_delay_ms(1), 60_000);
        assert_eq!(retry_delay_ms(2), 120_000);
        assert_eq!(retry_delay_ms(4), 480_000);
        assert_eq!(retry_delay_ms(40), 30 * 60_000);
        assert!(CITY_RETRY_JOBS >= 1);
    }

    // issue #18 §3: a case's consent is its own channel, stored as a word.
    #[test]
    fn case_consent_is_a_channel() {
        assert_eq!(ConsentChannel::parse("case"), Some(ConsentChannel::Case));
        assert_eq!(ConsentChannel::Case.label(), "办件一次授权");
    }

    // SPEC R3.2: a revoked or replaced document never holds; dates bound the rest.
    #[test]
    fn validity_follows_state_then_dates() {
        let v = |s, f, t: Option<&str>, d| validity(s, f, t, d);
        assert_eq!(
            v(EProofState::Valid, "2026-01-01", None, "2026-12-05"),
            Validity::Valid
        );
        assert_eq!(
            v(EProofState::Valid, "2027-01-01", None, "2026-12-05"),
            Validity::NotYetValid
        );
        assert_eq!(
            v(
                EProofState::Valid,
                "2025-01-01",
                Some("2026-12-04"),
                "2026-12-05"
            ),
            Validity::Expired
        );
        assert_eq!(
            v(
                EProofState::Valid,
                "2025-01-01",
                Some("2026-12-05"),
                "2026-12-05"
            ),
            Validity::Valid
        );
        assert_eq!(
            v(EProofState::Revoked, "2025-01-01", None, "2026-12-05"),
            Validity::Revoked
        );
        assert_eq!(
            v(EProofState::Replaced, "2025-01-01", None, "2026-12-05"),
            Validity::Replaced
        );
    }

    // Issue #18 §3 (Beijing practice): 8 digits, nothing else.
    #[test]
    fn a_consent_code_is_exactly_eight_digits() {
        assert!(consent_code_ok("01234567"));
        assert!(!consent_code_ok("1234567"));
        assert!(!consent_code_ok("123456789"));
        assert!(!consent_code_ok("1234567a"));
        assert!(!consent_code_ok("１２３４５６７８"));
    }

    // Issue #18 §2: the public page shows a masked name only.
    #[test]
    fn names_are_masked_after_the_first_character() {
        assert_eq!(mask_name("张三"), "张*");
        assert_eq!(mask_name("欧阳娜娜"), "欧***");
        assert_eq!(mask_name("王"), "王*");
        assert_eq!(mask_name(""), "");
    }

    #[test]
    fn short_codes_avoid_ambiguous_characters() {
        assert!(short_code_ok("ABCDEFGH23"));
        assert!(!short_code_ok("ABCDEFGH2O"));
        assert!(!short_code_ok("abcdefgh23"));
        assert!(!short_code_ok("ABC"));
    }

    // Issue #18 §4: the signed string covers method, path, timestamp, nonce and body.
    #[test]
    fn the_signing_string_names_every_part() {
        assert_eq!(
            signing_string("post", "/api/share/query", 1, "ab", "cd"),
            "POST\n/api/share/query\n1\nab\ncd"
        );
        assert!(within_replay_window(1_000, 1_000 + REPLAY_WINDOW_MS));
        assert!(!within_replay_window(1_000, 1_001 + REPLAY_WINDOW_MS));
        assert!(nonce_ok("0123456789abcdef"));
        assert!(!nonce_ok("short"));
        assert!(!nonce_ok("zzzzzzzzzzzzzzzz"));
    }

    // Issue #18 §4: the breaker opens after repeated failures and lets a trial through later.
    #[test]
    fn the_breaker_opens_and_half_opens() {
        let mut b = Breaker::default();
        for _ in 0..Breaker::THRESHOLD - 1 {
            b.failure(0);
        }
        assert!(b.allows(0));
        b.failure(0);
        assert!(b.is_open(1));
        assert!(b.allows(Breaker::OPEN_MS));
        b.success();
        assert!(b.allows(1));
        assert_eq!(backoff_ms(1), 100);
        assert_eq!(backoff_ms(2), 200);
        assert_eq!(backoff_ms(10), 2_000);
    }

    #[test]
    fn every_outcome_has_a_next_step() {
        for o in PullOutcome::ALL {
            assert!(!o.next_step().is_empty());
            assert!(!o.label().is_empty());
        }
        assert!(!PullOutcome::AwaitingConsent.is_final());
        assert!(PullOutcome::Declined.is_final());
    }
}
