//! Data sharing (数据共享, P 三(二)1; SPEC R3; issue #18).
//!
//! - The data-sharing list (`list.rs`, R3.1): per proof item with the data-sharing method,
//!   the standard data template (typed fields, as verification templates), the issuing unit
//!   and source, the units entitled to pull it and for which service items. Maintained by
//!   the issuing unit, reviewed by the joint office, versioned, published (public page and
//!   JSON).
//! - E-licences and e-proofs (`eproofs.rs`, `batch.rs`, R3.2): issued with structured data,
//!   sealed with the issuer's SM2 key (`seals`), identified by a GB/T 36904 identifier with
//!   its check character; valid from/to; revocation and replacement with reason; every
//!   rendered copy (extract) has a short code and QR for the public verify page, stamped with
//!   the extracting unit, the producing unit and the time (Ningbo practice).
//! - Entitled pulls with consent (`pulls.rs`, `consent.rs`; R3.2, A2 §12, R5.9): only an
//!   entitled unit pulls, for a case and a purpose; the applicant allows after a preview on
//!   the portal (EU Once-Only) or gives an 8-digit one-time code (Beijing practice); every
//!   pull, allowed or refused, is in the applicant's access log.
//! - The city platform connector (`connector.rs`): HMAC-SM3 signed requests, replay window,
//!   timeouts, retries with backoff, a circuit breaker per source.
//! - E-proofs for use outside the city (`outside.rs`, A4 §4(4)): portal request → issuer's
//!   inbox with a deadline (`settings.rs`) → issued or refused with reason.
//!
//! ## The city platform protocol (as our connector speaks it)
//! `POST {base_url}/share/v1/query` with JSON `{transaction_id, item_id, item_name,
//! holder_id}` and headers `X-App-Id`, `X-Timestamp` (epoch ms), `X-Nonce` (hex),
//! `X-Transaction-Id`, `X-Signature` = hex HMAC-SM3(secret, signing string), the signing
//! string being `METHOD\nPATH\nTIMESTAMP\nNONCE\nSM3(body)` (`domain::sharing::signing_string`).
//! The answer is signed the same way with method `RESPONSE`; its JSON is
//! `{transaction_id, found, holder_id, holder_name, issuer, data}`.

mod batch;
mod connector;
mod consent;
mod eproofs;
mod input;
mod list;
mod outside;
mod pulls;
mod records;
mod render;
mod repo;
pub mod settings;

pub use batch::{BATCH_PATH, BatchReport, import_file, issue_batch};
pub use connector::{SourceInput, SourceView, configure_source, sources};
pub use consent::{
    CodeIssued, consent_case, consentable_cases, create_code, decide, my_case_consents, my_pending,
    withdraw_case_consent,
};
pub use eproofs::{eproof, eproofs_of_unit, issue, my_eproofs, replace, revoke, status, verify};
pub use input::*;
pub use list::{entries, entry, published, review, save, submit};
pub use outside::{inbox, issue_outside, my_requests, refuse_outside, request_outside};
pub use pulls::{KIND_CITY_RETRY, case_ref, get_pull, pull, pulls_of_unit, run_city_retry};
pub use records::*;
pub use render::{eproof_pdf, qr_svg};
