//! What a deadline is in, what it is about, and which rule it follows, as stored and as
//! written to JSON (DESIGN "Deadlines").

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Serialize};

/// Where a deadline stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineState {
    /// The clock runs.
    Open,
    /// The clock of the rule stops (a statutory limit keeps running, A2 §7).
    Suspended,
    /// Its work is finished, on time or late.
    Done,
    /// The due instant passed before the work was finished (escalated).
    Overdue,
}

impl DeadlineState {
    pub const fn as_str(self) -> &'static str {
        match self {
            DeadlineState::Open => "open",
            DeadlineState::Suspended => "suspended",
            DeadlineState::Done => "done",
            DeadlineState::Overdue => "overdue",
        }
    }

    /// Chinese label: 办理中, 已中止计时, 已办结, 已逾期.
    pub fn label(self) -> &'static str {
        match self {
            DeadlineState::Open => "办理中",
            DeadlineState::Suspended => "已中止计时",
            DeadlineState::Done => "已办结",
            DeadlineState::Overdue => "已逾期",
        }
    }
}

/// Compares with the stored word (`state == "open"`), for checks written against the JSON.
impl PartialEq<&str> for DeadlineState {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// What a deadline is about: the record it belongs to is `(subject_type, subject_id)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SubjectType {
    /// A verification request (A2 §7).
    Verification,
    /// The assessment of a case (办件).
    Case,
    /// The post-check of a commitment (告知承诺核查).
    CommitmentCheck,
    /// A complaint (A4 §10).
    Complaint,
    /// A list adjustment application (A3 §9).
    Adjustment,
    /// A request for an e-proof for use outside the city (A4 §4(4); issue #18 §5).
    SharingOutside,
    /// The half-yearly regular joint meeting (A1 三(一)).
    JointMeeting,
    /// A decision of the joint meeting, or a matter referred to the county government (A1 三(四)(五)).
    JointDecision,
    /// A unit's yearly review of its risk register (P 三(四)5).
    RiskReview,
    /// The follow-up of a supervision finding (P 四).
    SupervisionFinding,
    /// An accountability order to rectify within a time limit (A5 §5(一)).
    AccountabilityRectification,
}

impl SubjectType {
    pub const ALL: [SubjectType; 11] = [
        SubjectType::Verification,
        SubjectType::Case,
        SubjectType::CommitmentCheck,
        SubjectType::Complaint,
        SubjectType::Adjustment,
        SubjectType::SharingOutside,
        SubjectType::JointMeeting,
        SubjectType::JointDecision,
        SubjectType::RiskReview,
        SubjectType::SupervisionFinding,
        SubjectType::AccountabilityRectification,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            SubjectType::Verification => "verification",
            SubjectType::Case => "case",
            SubjectType::CommitmentCheck => "commitment_check",
            SubjectType::Complaint => "complaint",
            SubjectType::Adjustment => "adjustment",
            SubjectType::SharingOutside => "sharing_outside",
            SubjectType::JointMeeting => "joint_meeting",
            SubjectType::JointDecision => "joint_decision",
            SubjectType::RiskReview => "risk_review",
            SubjectType::SupervisionFinding => "supervision_finding",
            SubjectType::AccountabilityRectification => "accountability_rectification",
        }
    }

    pub fn parse(s: &str) -> Option<SubjectType> {
        SubjectType::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// Chinese label: 核验, 办件, 承诺核查, 投诉, 调整申请.
    pub fn label(self) -> &'static str {
        match self {
            SubjectType::Verification => "核验",
            SubjectType::Case => "办件",
            SubjectType::CommitmentCheck => "承诺核查",
            SubjectType::Complaint => "投诉",
            SubjectType::Adjustment => "调整申请",
            SubjectType::SharingOutside => "异地使用证明申请",
            SubjectType::JointMeeting => "联席会议例会",
            SubjectType::JointDecision => "联席会议议定事项",
            SubjectType::RiskReview => "风险台账复核",
            SubjectType::SupervisionFinding => "督查整改",
            SubjectType::AccountabilityRectification => "问责整改",
        }
    }
}

impl fmt::Display for SubjectType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The key of a deadline rule, e.g. `verification.electronic` (see [`super::keys`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RuleKey(Cow<'static, str>);

/// Longest rule key accepted.
pub const MAX_RULE_KEY_CHARS: usize = 100;

impl RuleKey {
    /// One of the keys written in code (e.g. [`super::keys`]).
    pub const fn from_static(key: &'static str) -> RuleKey {
        RuleKey(Cow::Borrowed(key))
    }

    /// A key as typed: trimmed; `None` when empty or longer than [`MAX_RULE_KEY_CHARS`].
    pub fn parse(key: &str) -> Option<RuleKey> {
        let k = key.trim();
        (!k.is_empty() && k.chars().count() <= MAX_RULE_KEY_CHARS)
            .then(|| RuleKey(Cow::Owned(k.to_owned())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The rule's one Chinese name (`核验：电子档案`); a key no workflow writes (one typed
    /// into the rule settings) is shown as typed.
    pub fn label(&self) -> &str {
        rule_label(&self.0).unwrap_or(&self.0)
    }
}

/// The Chinese name of every rule key the workflows open deadlines with.
pub const RULE_LABELS: &[(&str, &str)] = &[
    ("verification.electronic", "部门核验（电子档案）"),
    ("verification.paper_archive", "部门核验（纸质档案）"),
    ("verification.incomplete_archive", "部门核验（档案不全）"),
    ("verification.statutory", "部门核验（法定程序）"),
    ("complaint.acceptance", "投诉受理"),
    ("complaint.handling", "投诉办理"),
    ("adjustment.application", "清单调整申请"),
    ("case.immediate", "即办件审查"),
    ("case.promised", "承诺件审查"),
    ("case.proxy", "干部代办"),
    ("case.supplement", "容缺后补正"),
    ("commitment.post_check", "告知承诺事后核查"),
    ("joint.decision", "联席会议议定事项办理"),
    ("joint.meeting", "联席会议例会"),
    ("risk.review", "风险年度评估"),
    ("supervision.follow_up", "督查整改跟踪"),
    ("accountability.rectification", "问责整改"),
    ("sharing.outside", "外地电子证明调取"),
];

/// The Chinese name of a rule key, if it is one the workflows write.
pub fn rule_label(key: &str) -> Option<&'static str> {
    RULE_LABELS.iter().find(|(k, _)| *k == key).map(|(_, l)| *l)
}

impl fmt::Display for RuleKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_and_subject_types_serialise_as_their_stored_words() {
        for s in [
            DeadlineState::Open,
            DeadlineState::Suspended,
            DeadlineState::Done,
            DeadlineState::Overdue,
        ] {
            let json = serde_json::to_string(&s).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", s.as_str()));
        }
        for t in SubjectType::ALL {
            assert_eq!(SubjectType::parse(t.as_str()), Some(t));
            let json = serde_json::to_string(&t).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", t.as_str()));
        }
        assert!(serde_json::from_str::<DeadlineState>("\"closed\"").is_err());
    }

    #[test]
    fn rule_keys_are_trimmed_and_bounded() {
        assert_eq!(
            RuleKey::parse(" complaint.handling ").map(|k| k.to_string()),
            Some("complaint.handling".to_owned())
        );
        assert_eq!(RuleKey::parse("  "), None);
        assert_eq!(RuleKey::parse(&"k".repeat(101)), None);
        assert_eq!(
            RuleKey::from_static("case.promised"),
            RuleKey::parse("case.promised").unwrap_or(RuleKey::from_static(""))
        );
    }
}
