//! Cases (办件, SPEC R6; P 三(三)): one application for a service item by one applicant,
//! handled by one unit. Opening a case derives from the published list in force the proofs
//! the service may involve (优化营商环境条例 §44: nothing else may be demanded); each is
//! resolved by one of its replacement methods — abolished, data sharing, verification
//! (A2), commitment (R4.2), the applicant's own copy (A2 §9), proxy service or deficiency
//! acceptance (R5.10) — and the case page shows how. A case is decided only when every
//! proof is resolved (or accepted with its deficiency). The assessment clock waits while
//! verifications are out (A2 §7, SPEC R5.4).
//!
//! `input` parses the raw inputs, `repo` holds the SQL, `service` registers and reads,
//! `proofs` resolves proofs (and holds the hooks the verification and commitment workflows
//! call), `decide` decides; `settings` the versioned time limits. States, kinds and
//! methods are `proofless_domain::case`.

mod decide;
mod input;
mod online;
mod proofs;
pub(crate) mod repo;
mod service;
pub mod settings;
mod tasks;

pub use decide::*;
pub use input::*;
pub use online::*;
pub use proofs::*;
pub use repo::proofs::CaseProof;
pub use repo::tasks::{LateRuleVersion, ProxyTask, Scan};
pub use repo::{CaseLine, ServiceHit};
pub use service::*;
pub use tasks::{
    LateRuleInput, LateRules, MAX_SCAN_BYTES, ProxyTaskPage, decode_scan, escalate_late,
    late_rules, overdue_sweep, proxy_count, proxy_inbox, scan, scan_type, set_late_rule,
};
