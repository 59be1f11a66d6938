//! The proof catalogue (SPEC R1, R2): service items, proof items, replacement methods,
//! the review and publication stages, and the diff between published list versions.

mod kinds;
mod rules;
mod snapshot;
mod stage;

pub use kinds::{
    BasisKind, CatalogueLevel, Disposition, ReplacementMethod, ServiceItemKind,
    VerificationDeadlineClass,
};
pub use rules::{
    EXCLUDED_RISK_DOMAINS, ItemFacts, RiskDomain, commitment_refusal, deficiency_only_refusal,
    flagged_bases, retention_problems,
};
pub use snapshot::{
    BasisSnapshot, FieldChange, ItemChange, ItemSnapshot, ListDiff, MethodSnapshot, ServiceItemRef,
    diff, period_words,
};
pub use stage::{Stage, Verdict};

/// Longest proof or service item name accepted (characters).
pub const MAX_NAME_CHARS: usize = 100;
/// Longest free text (legal basis text, citizen text, guide, remarks), in characters.
pub const MAX_TEXT_CHARS: usize = 4000;
