//! Documents an org seals with its e-seal (issue #5 §10).

use serde::{Deserialize, Serialize};

/// What a sealed document is; stored as its snake_case name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SealKind {
    /// A unit's sealed answer to a verification request (A2).
    VerificationReply,
    /// An applicant's signed commitment letter, sealed by the accepting unit (R5).
    CommitmentLetter,
    /// The result of a complaint told to the complainant, sealed by the handling unit (A4 §10).
    ComplaintResult,
    /// An e-licence or e-proof sealed by its issuer (R3.2).
    #[serde(rename = "eproof")]
    EProof,
    /// The written notice of a deficiency accepted (容缺受理, R5.10): what is missing and by
    /// when it must be supplied, sealed by the accepting unit.
    DeficiencyNotice,
    /// The minutes of a joint meeting, sealed by the joint office (A1 三(五)).
    JointMinutes,
}

impl SealKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SealKind::VerificationReply => "verification_reply",
            SealKind::CommitmentLetter => "commitment_letter",
            SealKind::ComplaintResult => "complaint_result",
            SealKind::EProof => "eproof",
            SealKind::DeficiencyNotice => "deficiency_notice",
            SealKind::JointMinutes => "joint_minutes",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SealKind::VerificationReply => "核验回复",
            SealKind::CommitmentLetter => "告知承诺书",
            SealKind::ComplaintResult => "投诉办理结果告知书",
            SealKind::EProof => "电子证照证明",
            SealKind::DeficiencyNotice => "容缺受理告知书",
            SealKind::JointMinutes => "联席会议纪要",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kind_serialises_as_its_stored_name() {
        for k in [
            SealKind::VerificationReply,
            SealKind::CommitmentLetter,
            SealKind::EProof,
        ] {
            assert_eq!(
                serde_json::to_value(k).unwrap(),
                serde_json::json!(k.as_str())
            );
        }
    }
}
