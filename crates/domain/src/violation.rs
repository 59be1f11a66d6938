//! Violation records (问责线索): the facts other workflows establish that may call for
//! accountability (A5 §4, P 四(三)). Cases, complaints, list adjustments, verifications and
//! commitment checks record them; the accountability workflow turns them into proposals.
//! Pure types, no IO.

use serde::{Deserialize, Serialize};

/// The conduct A5 §4 names as grounds for accountability.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ViolationKind {
    /// 擅自索要证明材料 (A5 §4(1)): a proof demanded that the published list does not
    /// allow, or demanded in disguise.
    ProofDemanded,
    /// 擅自改变证明事项办理方式 (A5 §4(2)).
    MethodChanged,
    /// 未按时限完成核验 (A5 §4(3)).
    VerificationLate,
    /// 查询、开具、核验、代办中弄虚作假 (A5 §4(4)).
    Falsified,
    /// 未按规定对告知承诺事项进行核查 (A5 §4(5)).
    CommitmentUnchecked,
    /// 落实不力、未完成目标任务 (A5 §4(6)), e.g. a list adjustment not filed in time.
    WeakImplementation,
    /// 其他造成严重后果的情形 (A5 §4(7)).
    Other,
}

impl ViolationKind {
    pub const ALL: [ViolationKind; 7] = [
        ViolationKind::ProofDemanded,
        ViolationKind::MethodChanged,
        ViolationKind::VerificationLate,
        ViolationKind::Falsified,
        ViolationKind::CommitmentUnchecked,
        ViolationKind::WeakImplementation,
        ViolationKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ViolationKind::ProofDemanded => "proof_demanded",
            ViolationKind::MethodChanged => "method_changed",
            ViolationKind::VerificationLate => "verification_late",
            ViolationKind::Falsified => "falsified",
            ViolationKind::CommitmentUnchecked => "commitment_unchecked",
            ViolationKind::WeakImplementation => "weak_implementation",
            ViolationKind::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<ViolationKind> {
        ViolationKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The one Chinese label (A5 §4's words).
    pub fn label(self) -> &'static str {
        match self {
            ViolationKind::ProofDemanded => "擅自索要证明材料",
            ViolationKind::MethodChanged => "擅自改变证明事项办理方式",
            ViolationKind::VerificationLate => "未按时限完成核验",
            ViolationKind::Falsified => "查询、开具、核验、代办中弄虚作假",
            ViolationKind::CommitmentUnchecked => "未按规定核查告知承诺事项",
            ViolationKind::WeakImplementation => "落实不力、未完成目标任务",
            ViolationKind::Other => "其他造成严重后果的情形",
        }
    }
}

/// Which workflow established the fact; with `source_ref` it names the evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ViolationSource {
    /// A clerk recorded that an applicant was asked for a proof outside the list (R6.1).
    Case,
    /// An upheld complaint (A4 §11).
    Complaint,
    /// A list adjustment filed late or not at all (A3 §4).
    Adjustment,
    /// An overdue verification request (A2 §7).
    Verification,
    /// A commitment check not done in time (R4.4).
    CommitmentCheck,
    /// Entered by the accountability department.
    Manual,
}

impl ViolationSource {
    pub const ALL: [ViolationSource; 6] = [
        ViolationSource::Case,
        ViolationSource::Complaint,
        ViolationSource::Adjustment,
        ViolationSource::Verification,
        ViolationSource::CommitmentCheck,
        ViolationSource::Manual,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ViolationSource::Case => "case",
            ViolationSource::Complaint => "complaint",
            ViolationSource::Adjustment => "adjustment",
            ViolationSource::Verification => "verification",
            ViolationSource::CommitmentCheck => "commitment_check",
            ViolationSource::Manual => "manual",
        }
    }

    pub fn parse(s: &str) -> Option<ViolationSource> {
        ViolationSource::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            ViolationSource::Case => "办件记录",
            ViolationSource::Complaint => "投诉查实",
            ViolationSource::Adjustment => "清单调整",
            ViolationSource::Verification => "核验超时",
            ViolationSource::CommitmentCheck => "承诺核查",
            ViolationSource::Manual => "人工录入",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // A5 §4: seven grounds, each with one stored name and one label.
    #[test]
    fn kinds_round_trip_a5_4() {
        for k in ViolationKind::ALL {
            assert_eq!(ViolationKind::parse(k.as_str()), Some(k));
            assert!(!k.label().is_empty());
        }
        for s in ViolationSource::ALL {
            assert_eq!(ViolationSource::parse(s.as_str()), Some(s));
        }
        assert_eq!(ViolationKind::parse("nope"), None);
    }
}
