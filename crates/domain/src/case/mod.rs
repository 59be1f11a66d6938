//! Cases (办件, SPEC R6): where a case stands, who applied and how it was decided.
//! Pure types, no IO.

use serde::{Deserialize, Serialize};

/// Where a case stands. Its assessment clock runs while it is open (A2 §7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CaseState {
    Open,
    Decided,
    /// Withdrawn back to the original procedure (R4.6).
    Withdrawn,
}

impl CaseState {
    pub fn as_str(self) -> &'static str {
        match self {
            CaseState::Open => "open",
            CaseState::Decided => "decided",
            CaseState::Withdrawn => "withdrawn",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            CaseState::Open => "在办",
            CaseState::Decided => "办结",
            CaseState::Withdrawn => "撤回",
        }
    }
}

/// Who applied: a person (resident) or an entity (R6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ApplicantKind {
    Person,
    Entity,
}

impl ApplicantKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ApplicantKind::Person => "person",
            ApplicantKind::Entity => "entity",
        }
    }
    pub fn parse(s: &str) -> Option<ApplicantKind> {
        match s {
            "person" => Some(ApplicantKind::Person),
            "entity" => Some(ApplicantKind::Entity),
            _ => None,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            ApplicantKind::Person => "自然人",
            ApplicantKind::Entity => "法人",
        }
    }
}

/// How a case ended: 准予, 不予 (with the reason), withdrawn by the applicant, or
/// terminated on a ground (R6.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CaseOutcome {
    Approved,
    Refused,
    WithdrawnByApplicant,
    Terminated,
}

impl CaseOutcome {
    pub const ALL: [CaseOutcome; 4] = [
        CaseOutcome::Approved,
        CaseOutcome::Refused,
        CaseOutcome::WithdrawnByApplicant,
        CaseOutcome::Terminated,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            CaseOutcome::Approved => "approved",
            CaseOutcome::Refused => "refused",
            CaseOutcome::WithdrawnByApplicant => "withdrawn_by_applicant",
            CaseOutcome::Terminated => "terminated",
        }
    }
    pub fn parse(s: &str) -> Option<CaseOutcome> {
        CaseOutcome::ALL.into_iter().find(|o| o.as_str() == s)
    }
    pub fn label(self) -> &'static str {
        match self {
            CaseOutcome::Approved => "准予",
            CaseOutcome::Refused => "不予",
            CaseOutcome::WithdrawnByApplicant => "申请人撤回",
            CaseOutcome::Terminated => "终止办理",
        }
    }
    /// A refusal states its reason and a termination its ground; the others need none.
    pub fn needs_reason(self) -> bool {
        matches!(self, CaseOutcome::Refused | CaseOutcome::Terminated)
    }
    /// A decision on the merits needs every proof resolved first (SPEC R6.1); the applicant
    /// may withdraw and the unit may terminate at any time.
    pub fn on_the_merits(self) -> bool {
        matches!(self, CaseOutcome::Approved | CaseOutcome::Refused)
    }
}

mod proofs;
pub use proofs::*;
mod late;
pub use late::*;

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn stored_and_api_spellings_are_the_snake_case_names() {
        // R6: the stored text and the API's strings are the same words.
        for s in [CaseState::Open, CaseState::Decided, CaseState::Withdrawn] {
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
        for k in [ApplicantKind::Person, ApplicantKind::Entity] {
            assert_eq!(ApplicantKind::parse(k.as_str()), Some(k));
        }
        for o in CaseOutcome::ALL {
            assert_eq!(CaseOutcome::parse(o.as_str()), Some(o));
            assert_eq!(serde_json::to_value(o).unwrap(), o.as_str());
        }
        assert_eq!(ApplicantKind::parse("robot"), None);
    }
}
