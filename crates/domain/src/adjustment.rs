//! List adjustment (动态调整, annex 3; SPEC R7): the kinds, states and grounds of an
//! adjustment application, the rules that refuse one, and the half-yearly publication
//! rhythm. Pure types, no IO.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::catalogue::ReplacementMethod;
use crate::commitment::text_enum;

text_enum! {
    /// 调整类型 (A3 §6–§8).
    pub enum AdjustmentKind {
        Add => ("add", "新增"),
        Change => ("change", "变更"),
        Cancel => ("cancel", "取消"),
    }
}

text_enum! {
    /// What a change touches (A3 §3): the proof itself (only as laws allow) or its
    /// replacement method (for convenience).
    pub enum ChangeTarget {
        Proof => ("proof", "证明材料本身（须有法律依据）"),
        Method => ("method", "替代取消方式（便民）"),
    }
}

text_enum! {
    /// Where an application stands (A3 §9–§11).
    pub enum AdjustmentState {
        /// Filed; the item is "调整中" until publication.
        Filed => ("filed", "已申请，调整中"),
        /// The joint office asked the unit to supplement, with a deadline.
        SupplementRequested => ("supplement_requested", "待补正"),
        /// Returned with reasons; closed.
        Returned => ("returned", "已退回"),
        /// Approved: in effect at once, waiting for the next list version.
        Approved => ("approved", "已批准，已生效"),
        /// Gathered into a published list version.
        Published => ("published", "已随清单版本公布"),
    }
}

impl AdjustmentState {
    /// An open application blocks a second one for the same item.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            AdjustmentState::Filed | AdjustmentState::SupplementRequested
        )
    }
}

text_enum! {
    /// What the public wrote (A3 §12).
    pub enum CommentKind {
        Comment => ("comment", "意见"),
        Suggestion => ("suggestion", "调整建议"),
    }
}

text_enum! {
    /// Where a public comment stands after moderation.
    pub enum CommentState {
        Pending => ("pending", "待处理"),
        Answered => ("answered", "已公开答复"),
        Hidden => ("hidden", "已屏蔽"),
        Merged => ("merged", "已合并（重复）"),
    }
}

/// The replacement methods an application may name (A3 §9: sharing, commitment,
/// verification, other).
pub const APPLICATION_METHODS: [ReplacementMethod; 4] = [
    ReplacementMethod::DataSharing,
    ReplacementMethod::Commitment,
    ReplacementMethod::Verification,
    ReplacementMethod::Other,
];

/// The ground that needs a text of its own (A3 §6–§8 "其他").
pub const OTHER_GROUND: &str = "其他";

/// A3 §6: grounds to add a proof to the list.
pub fn default_add_grounds() -> Vec<String> {
    [
        "新颁布的法律法规设定证明事项",
        "上级机关下放事权",
        "部门职能调整",
        "仍需提交但未列入清单的证明事项",
        OTHER_GROUND,
    ]
    .map(str::to_owned)
    .to_vec()
}

/// A3 §7: grounds to change a listed proof.
pub fn default_change_grounds() -> Vec<String> {
    [
        "索要单位或开具单位发生变化",
        "办理事项名称发生变化",
        "证明名称或类型发生变化",
        "替代取消方式发生变化",
        OTHER_GROUND,
    ]
    .map(str::to_owned)
    .to_vec()
}

/// A3 §8: grounds to cancel a listed proof.
pub fn default_cancel_grounds() -> Vec<String> {
    [
        "法律法规修改或废止",
        "国务院、省、市、县取消办理事项",
        "职能调整不再办理，或改变管理方式可实现管理目的",
        OTHER_GROUND,
    ]
    .map(str::to_owned)
    .to_vec()
}

/// Why a ground does not fit (A3 §6–§8): missing, not one of the kind's grounds in force,
/// or "其他" without a text.
pub fn ground_problem(grounds: &[String], ground: &str, other_text: &str) -> Option<String> {
    let ground = ground.trim();
    if ground.is_empty() {
        return Some("请选择调整理由".to_owned());
    }
    if !grounds.iter().any(|g| g == ground) {
        return Some(format!(
            "理由“{ground}”不是此类调整的理由（可选：{}）",
            grounds.join("、")
        ));
    }
    if ground == OTHER_GROUND && other_text.trim().is_empty() {
        return Some("选择“其他”时须写明具体理由".to_owned());
    }
    None
}

/// A3 §3, §10: adding a proof, or changing the proof itself, needs the justice bureau's
/// legal review before approval; a change of method or a cancellation does not.
pub fn needs_legal_review(kind: AdjustmentKind, target: Option<ChangeTarget>) -> bool {
    match kind {
        AdjustmentKind::Add => true,
        AdjustmentKind::Change => target == Some(ChangeTarget::Proof),
        AdjustmentKind::Cancel => false,
    }
}

/// A3 §3: a proof may only be added or its content changed as laws allow, so the
/// application names a law and its article.
pub fn needs_legal_basis(kind: AdjustmentKind, target: Option<ChangeTarget>) -> bool {
    needs_legal_review(kind, target)
}

/// Whether the trigger date lies in the future (refused: the event has not happened).
pub fn trigger_in_future(trigger: NaiveDate, today: NaiveDate) -> bool {
    trigger > today
}

/// The half-yearly rhythm of publication (A3 §5 "原则上每半年"): where the newest
/// publication stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PublicationRhythm {
    /// Published within the last five months.
    OnTime,
    /// Five months passed: the joint office is reminded.
    Reminder,
    /// Six months passed: overdue.
    Overdue,
}

impl PublicationRhythm {
    pub fn label(self) -> &'static str {
        match self {
            PublicationRhythm::OnTime => "按期",
            PublicationRhythm::Reminder => "已满5个月，请准备发布新版清单",
            PublicationRhythm::Overdue => "已超过6个月未发布新版清单（逾期）",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PublicationRhythm::OnTime => "on_time",
            PublicationRhythm::Reminder => "reminder",
            PublicationRhythm::Overdue => "overdue",
        }
    }
}

/// Where the rhythm stands on `today` for a list last published on `last` (local dates):
/// a reminder from five months after, overdue from six (A3 §5).
pub fn rhythm(last: NaiveDate, today: NaiveDate) -> PublicationRhythm {
    let plus = |m: u32| last.checked_add_months(chrono::Months::new(m));
    if plus(6).is_some_and(|d| today >= d) {
        PublicationRhythm::Overdue
    } else if plus(5).is_some_and(|d| today >= d) {
        PublicationRhythm::Reminder
    } else {
        PublicationRhythm::OnTime
    }
}

/// Normalises a public search text for the demand radar and the synonym table: trimmed,
/// inner whitespace dropped, ASCII lowercased, at most 64 characters (no personal data is
/// kept: only the words searched).
pub fn normalise_query(q: &str) -> String {
    q.chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .map(|c| c.to_ascii_lowercase())
        .take(64)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or(NaiveDate::MIN)
    }

    // A3 §6–§8: a ground must be one of the kind's; "其他" needs a text.
    #[test]
    fn grounds_a3_6_to_8() {
        let add = default_add_grounds();
        assert!(ground_problem(&add, "", "").is_some());
        assert!(ground_problem(&add, "上级机关下放事权", "").is_none());
        assert!(ground_problem(&add, "法律法规修改或废止", "").is_some());
        assert!(ground_problem(&add, "其他", " ").is_some());
        assert!(ground_problem(&add, "其他", "群众反映").is_none());
        assert_eq!(default_cancel_grounds().len(), 4);
        assert_eq!(default_change_grounds().len(), 5);
    }

    // A3 §3, §10: legal review for an added proof or a changed proof, not for a method.
    #[test]
    fn legal_review_a3_3() {
        assert!(needs_legal_review(AdjustmentKind::Add, None));
        assert!(needs_legal_review(
            AdjustmentKind::Change,
            Some(ChangeTarget::Proof)
        ));
        assert!(!needs_legal_review(
            AdjustmentKind::Change,
            Some(ChangeTarget::Method)
        ));
        assert!(!needs_legal_review(AdjustmentKind::Cancel, None));
    }

    // A3 §5: reminder at five months, overdue at six.
    #[test]
    fn half_year_rhythm_a3_5() {
        let last = d(2026, 1, 15);
        assert_eq!(rhythm(last, d(2026, 6, 14)), PublicationRhythm::OnTime);
        assert_eq!(rhythm(last, d(2026, 6, 15)), PublicationRhythm::Reminder);
        assert_eq!(rhythm(last, d(2026, 7, 15)), PublicationRhythm::Overdue);
    }

    #[test]
    fn states_and_queries() {
        assert!(AdjustmentState::Filed.is_open());
        assert!(!AdjustmentState::Approved.is_open());
        assert!(trigger_in_future(d(2026, 3, 13), d(2026, 3, 12)));
        assert_eq!(normalise_query(" 户口 证明 "), "户口证明");
        assert_eq!(normalise_query("HJZM"), "hjzm");
        for k in AdjustmentKind::ALL {
            assert_eq!(AdjustmentKind::parse(k.as_str()), Some(*k));
        }
    }
}
