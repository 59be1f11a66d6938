//! Notification-commitment (告知承诺), SPEC R4 and issue #6: templates reviewed by the
//! justice bureau and published (R4.1), signing at the portal or the counter with the
//! receiving unit's seal (R4.2), eligibility by credit (R4.4), post-check plans from per-item
//! rules (R4.3, R4.5) as deadlines of the supervising department, results feeding credit
//! records (R4.8), withdrawal (R4.6), publication (R4.7) and figures.
//!
//! `input.rs` parses what arrives, `repo.rs` holds the SQL, and one file per use case:
//! `templates`, `rules`, `eligibility`, `sign`, `withdraw`, `checks`, `sampling` (the daily
//! draw, a job), `public` (publication and figures), `view` (reading a commitment).

pub mod checks;
pub mod eligibility;
pub mod input;
mod items;
pub mod letter_pdf;
pub mod public;
mod repo;
pub mod rules;
pub mod sampling;
pub mod sign;
pub mod templates;
mod view;
pub mod withdraw;

pub use eligibility::{Eligibility, check_eligibility, decide, plan_for};
pub use input::{
    BandInput, CheckCommand, EligibilityQuery, FigureQuery, ResultInput, ReviewInput, RuleCommand,
    RuleInput, SignCommand, SignInput, TemplateInput, WithdrawInput,
};
pub use repo::{
    CheckRule, Commitment, DueCheck, FigureGrouping, FigureRow, MyCommitment, Template,
    UnitCommitment,
};
pub use sampling::SamplingReport;
pub use sign::sign;
pub use view::{get, mine, of_unit};
pub use withdraw::{edit_letter, withdraw};

pub(crate) use items::commitment_item;

/// The deadline rule of post-checks. The plan's own time limit (N working days) goes in as
/// the deadline's statutory limit, which the engine honours when it is the earlier one.
pub const CHECK_RULE_KEY: &str = "commitment.post_check";
/// Upper bound of any post-check: the rule's period.
pub const CHECK_RULE_PERIOD: &str = "120wd";
