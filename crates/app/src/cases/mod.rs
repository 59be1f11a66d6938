//! Cases (办件, SPEC R6): one application for a service item by one applicant, handled by
//! one unit. This is the minimum the verification and commitment workflows hang on: the
//! assessment clock, which waits while verifications are out (A2 §7, SPEC R5.4), the
//! decision, and withdrawal back to the original procedure.
//!
//! `input` parses the raw inputs, `repo` holds the SQL, `service` the use cases; states,
//! applicant kinds and outcomes are `proofless_domain::case`.

mod input;
pub(crate) mod repo;
mod service;

pub use input::*;
pub use service::*;
