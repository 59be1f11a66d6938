//! The proofs of a case and how each is resolved (SPEC R6.1, R4.2, R5.6, R5.10; 优化营商环境
//! 条例 §44). Pure rules, no IO.

use serde::{Deserialize, Serialize};

use crate::catalogue::ReplacementMethod;

/// How one proof of a case was (or is being) resolved. The list's replacement methods, plus
/// the applicant's own copy, which the unit may never refuse (A2 §9, SPEC R5.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ResolutionMethod {
    Abolished,
    DataSharing,
    Verification,
    Commitment,
    ApplicantProvided,
    Proxy,
    DeficiencyAcceptance,
}

impl ResolutionMethod {
    pub const ALL: [ResolutionMethod; 7] = [
        ResolutionMethod::Abolished,
        ResolutionMethod::DataSharing,
        ResolutionMethod::Verification,
        ResolutionMethod::Commitment,
        ResolutionMethod::ApplicantProvided,
        ResolutionMethod::Proxy,
        ResolutionMethod::DeficiencyAcceptance,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            ResolutionMethod::Abolished => "abolished",
            ResolutionMethod::DataSharing => "data_sharing",
            ResolutionMethod::Verification => "verification",
            ResolutionMethod::Commitment => "commitment",
            ResolutionMethod::ApplicantProvided => "applicant_provided",
            ResolutionMethod::Proxy => "proxy",
            ResolutionMethod::DeficiencyAcceptance => "deficiency_acceptance",
        }
    }
    pub fn parse(s: &str) -> Option<ResolutionMethod> {
        ResolutionMethod::ALL.into_iter().find(|m| m.as_str() == s)
    }
    pub fn label(self) -> &'static str {
        match self {
            ResolutionMethod::Abolished => "直接取消",
            ResolutionMethod::DataSharing => "数据共享",
            ResolutionMethod::Verification => "部门核验",
            ResolutionMethod::Commitment => "告知承诺",
            ResolutionMethod::ApplicantProvided => "申请人自行提供",
            ResolutionMethod::Proxy => "干部代办",
            ResolutionMethod::DeficiencyAcceptance => "容缺受理",
        }
    }
    /// The resolution a listed replacement method allows; `other` (按办事指南自行获取) is
    /// the applicant's own copy, which every proof allows anyway.
    pub fn from_replacement(m: ReplacementMethod) -> Option<ResolutionMethod> {
        match m {
            ReplacementMethod::Abolished => Some(ResolutionMethod::Abolished),
            ReplacementMethod::DataSharing => Some(ResolutionMethod::DataSharing),
            ReplacementMethod::Commitment => Some(ResolutionMethod::Commitment),
            ReplacementMethod::Verification => Some(ResolutionMethod::Verification),
            ReplacementMethod::Proxy => Some(ResolutionMethod::Proxy),
            ReplacementMethod::DeficiencyAcceptance => Some(ResolutionMethod::DeficiencyAcceptance),
            ReplacementMethod::Other => None,
        }
    }
    /// Methods the clerk records directly on the case page; the others resolve through
    /// their own workflow (a verification answered, a commitment signed, a pull made).
    pub fn recorded_by_clerk(self) -> bool {
        matches!(
            self,
            ResolutionMethod::ApplicantProvided
                | ResolutionMethod::Proxy
                | ResolutionMethod::DeficiencyAcceptance
        )
    }
}

/// Where one proof of a case stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProofState {
    /// Nothing done yet.
    Pending,
    /// A verification is out or a proxy agent is fetching it.
    InProgress,
    /// Resolved: the case may be decided as far as this proof goes.
    Resolved,
    /// Accepted with the deficiency (容缺受理): to be supplied by its deadline.
    Deferred,
}

impl ProofState {
    pub const ALL: [ProofState; 4] = [
        ProofState::Pending,
        ProofState::InProgress,
        ProofState::Resolved,
        ProofState::Deferred,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            ProofState::Pending => "pending",
            ProofState::InProgress => "in_progress",
            ProofState::Resolved => "resolved",
            ProofState::Deferred => "deferred",
        }
    }
    pub fn parse(s: &str) -> Option<ProofState> {
        ProofState::ALL.into_iter().find(|m| m.as_str() == s)
    }
    pub fn label(self) -> &'static str {
        match self {
            ProofState::Pending => "待解决",
            ProofState::InProgress => "办理中",
            ProofState::Resolved => "已解决",
            ProofState::Deferred => "容缺待补",
        }
    }
    /// SPEC R6.1: a case is decided on the merits only when each proof is resolved, or
    /// accepted with its deficiency (R5.10).
    pub fn allows_decision(self) -> bool {
        matches!(self, ProofState::Resolved | ProofState::Deferred)
    }
}

/// The methods a proof of a case may be resolved by: what the published list gives it,
/// always the applicant's own copy (A2 §9: never refused), proxy service where the proof
/// can be neither replaced nor verified (R5.10), and deficiency acceptance for an
/// immediate case (R5.10). Data sharing stays listed even while no pull is available: the
/// page says so and the others remain.
pub fn allowed_methods(listed: &[ReplacementMethod], immediate: bool) -> Vec<ResolutionMethod> {
    let mut out: Vec<ResolutionMethod> = Vec::new();
    let mut push = |m: ResolutionMethod| {
        if !out.contains(&m) {
            out.push(m);
        }
    };
    if listed.contains(&ReplacementMethod::Abolished) {
        return vec![ResolutionMethod::Abolished];
    }
    for m in listed {
        if let Some(r) = ResolutionMethod::from_replacement(*m) {
            push(r);
        }
    }
    let replaceable = listed.iter().any(|m| {
        matches!(
            m,
            ReplacementMethod::Verification
                | ReplacementMethod::Commitment
                | ReplacementMethod::DataSharing
        )
    });
    if !replaceable {
        push(ResolutionMethod::Proxy);
    }
    if immediate {
        push(ResolutionMethod::DeficiencyAcceptance);
    }
    push(ResolutionMethod::ApplicantProvided);
    out.sort_by_key(|m| ResolutionMethod::ALL.iter().position(|x| x == m));
    out
}

/// Why a verification for this proof of the case is refused, if it is: once the applicant
/// signed a commitment for it, the unit may not ask for the proof (SPEC R4.2).
pub fn verification_refusal(
    state: ProofState,
    method: Option<ResolutionMethod>,
) -> Option<&'static str> {
    match (state, method) {
        (ProofState::Resolved, Some(ResolutionMethod::Commitment)) => Some(
            "申请人已就该证明签署告知承诺书，本办件不得再就该证明发起核验（告知承诺后不得再索要证明）",
        ),
        (ProofState::Resolved, Some(ResolutionMethod::Abolished)) => {
            Some("该证明已直接取消，不得发起核验")
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_applicants_own_copy_is_always_allowed() {
        // A2 §9, SPEC R5.6: an applicant who can and wants to provide it may not be refused.
        for listed in [
            vec![ReplacementMethod::Verification],
            vec![
                ReplacementMethod::Commitment,
                ReplacementMethod::DataSharing,
            ],
            vec![],
        ] {
            assert!(allowed_methods(&listed, false).contains(&ResolutionMethod::ApplicantProvided));
        }
    }

    #[test]
    fn an_abolished_proof_needs_nothing() {
        // P 二(三): an abolished proof is neither asked for nor replaced.
        assert_eq!(
            allowed_methods(&[ReplacementMethod::Abolished], true),
            vec![ResolutionMethod::Abolished]
        );
    }

    #[test]
    fn proxy_where_neither_replaced_nor_verified_and_deficiency_for_immediate_cases() {
        // SPEC R5.10.
        let m = allowed_methods(&[ReplacementMethod::Other], false);
        assert!(m.contains(&ResolutionMethod::Proxy));
        assert!(!m.contains(&ResolutionMethod::DeficiencyAcceptance));
        let m = allowed_methods(&[ReplacementMethod::Verification], true);
        assert!(!m.contains(&ResolutionMethod::Proxy));
        assert!(m.contains(&ResolutionMethod::DeficiencyAcceptance));
        assert_eq!(m[0], ResolutionMethod::Verification);
    }

    #[test]
    fn a_signed_commitment_bars_verification_of_that_proof() {
        // SPEC R4.2: after signing, the requester may not ask for the proof.
        assert!(
            verification_refusal(ProofState::Resolved, Some(ResolutionMethod::Commitment))
                .is_some()
        );
        assert!(verification_refusal(ProofState::Pending, None).is_none());
        assert!(
            verification_refusal(
                ProofState::Resolved,
                Some(ResolutionMethod::ApplicantProvided)
            )
            .is_none()
        );
    }

    #[test]
    fn decision_needs_resolved_or_deferred_proofs() {
        // SPEC R6.1, R5.10.
        assert!(ProofState::Resolved.allows_decision());
        assert!(ProofState::Deferred.allows_decision());
        assert!(!ProofState::Pending.allows_decision());
        assert!(!ProofState::InProgress.allows_decision());
        for s in ProofState::ALL {
            assert_eq!(ProofState::parse(s.as_str()), Some(s));
        }
        for m in ResolutionMethod::ALL {
            assert_eq!(ResolutionMethod::parse(m.as_str()), Some(m));
        }
    }
}
