//! Accountability and fault tolerance (责任追究和容错免责, A5; SPEC R9.1–R9.5, issue #21 §1–§2).
//!
//! Cases are proposed automatically from the violation records other workflows leave
//! (`sweep.rs`: a cursor over `violations::after`, taken in turns so every record becomes
//! evidence of exactly one case even with several instances; a record of the same subject
//! and ground as an open case is merged into it) or entered by the accountability
//! department. The department refers a case to the competent organ (A5 §5: discipline
//! inspection, organisation/personnel, the supervising unit or the unit itself), which decides
//! a measure (rectification within a tracked time limit, written self-criticism, circulated
//! criticism, referral) and the subject is notified; the subject may appeal (A5 §6; the
//! measure is not suspended) and apply for exemption (A5 §7–§11: grounds and evidence, the
//! department's investigation report, the organ's decision, filing 备案). Exempted cases are
//! marked and left out of the assessment figures (A5 §11).
//!
//! Access (R9.4): the department sees every case; an organ the cases referred to it; the
//! subject (the unit's admin, or the staff member) its own decided cases. Every read is
//! audited.

mod access;
mod decide;
mod exemption;
mod input;
mod repo;
mod sweep;

pub use access::{CaseDetail, Figure, figures, get, list, set_employment_type};
pub use decide::{appeal, decide, decide_appeal, dismiss, refer, report_rectified};
pub use exemption::{apply_exemption, decide_exemption, report_exemption};
pub use input::{
    CaseInput, DecideInput, EmploymentInput, ExemptionInput, ReferInput, TextInput, VerdictInput,
};
pub use repo::{Appeal, Case, ExemptionRow};
pub use sweep::{SWEEP_PROPOSE, create, propose_pending};
