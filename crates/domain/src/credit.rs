//! Credit (信用) rules: the score kept per subject from its credit records, the levels,
//! the false-commitment blacklist's due process (propose → notify → objection period →
//! decide) and credit repair (SPEC R4.4, R4.8; P 三(四)3). No IO.

use serde::{Deserialize, Serialize};

use crate::commitment::text_enum;

pub const MAX_SCORE: i64 = 1000;
/// Every subject starts here (no records yet).
pub const INITIAL_SCORE: i64 = 750;

/// A subject's credit status as the eligibility and plan rules read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditStatus {
    pub score: i64,
    /// Serious bad credit records not yet repaired.
    pub serious_records: i64,
    pub blacklisted: bool,
}

impl Default for CreditStatus {
    fn default() -> Self {
        CreditStatus {
            score: INITIAL_SCORE,
            serious_records: 0,
            blacklisted: false,
        }
    }
}

text_enum! {
    /// Kinds of credit record (R4.8).
    pub enum RecordKind {
        /// 履行承诺: a check found the commitment true.
        CommitmentKept => ("commitment_kept", "履行承诺"),
        /// 虚假承诺: a check found it false (a serious bad record until repaired).
        CommitmentFalse => ("commitment_false", "虚假承诺"),
        /// Put on the false-commitment blacklist.
        Blacklisted => ("blacklisted", "列入虚假承诺黑名单"),
        /// Taken off after credit repair.
        Repaired => ("repaired", "信用修复"),
    }
}

impl RecordKind {
    /// Score change the record brings (守信激励, 失信惩戒).
    pub fn score_delta(self) -> i64 {
        match self {
            RecordKind::CommitmentKept => 20,
            RecordKind::CommitmentFalse => -300,
            RecordKind::Blacklisted => -100,
            RecordKind::Repaired => 150,
        }
    }

    /// Whether the record is a serious bad record (R4.4).
    pub fn serious(self) -> bool {
        matches!(self, RecordKind::CommitmentFalse)
    }
}

/// The status after one more record, with the seed's score change. Repair clears the
/// serious records and the blacklist.
pub fn apply(status: &CreditStatus, kind: RecordKind) -> CreditStatus {
    apply_with(status, kind, kind.score_delta())
}

/// The status after one more record whose score change is `delta` (the versioned setting in
/// force when the case the record closes started, SPEC "Trial rules").
pub fn apply_with(status: &CreditStatus, kind: RecordKind, delta: i64) -> CreditStatus {
    let score = (status.score + delta).clamp(0, MAX_SCORE);
    match kind {
        RecordKind::CommitmentKept => CreditStatus {
            score,
            ..status.clone()
        },
        RecordKind::CommitmentFalse => CreditStatus {
            score,
            serious_records: status.serious_records + 1,
            blacklisted: status.blacklisted,
        },
        RecordKind::Blacklisted => CreditStatus {
            score,
            serious_records: status.serious_records,
            blacklisted: true,
        },
        RecordKind::Repaired => CreditStatus {
            score,
            serious_records: 0,
            blacklisted: false,
        },
    }
}

/// The seed's lowest scores of levels A, B and C (D is below C).
pub const LEVEL_THRESHOLDS: [i64; 3] = [900, 700, 500];

/// The levels, best first, each with its label.
const LEVELS: [(&str, &str); 4] = [
    ("A", "守信"),
    ("B", "一般"),
    ("C", "较差"),
    ("D", "严重失信"),
];

/// Credit level shown to staff and citizens, under the seed's thresholds.
pub fn level(score: i64) -> (&'static str, &'static str) {
    level_by(score, &LEVEL_THRESHOLDS)
}

/// Credit level under `thresholds`: the lowest scores of A, B and C, in that order.
pub fn level_by(score: i64, thresholds: &[i64]) -> (&'static str, &'static str) {
    let i = thresholds
        .iter()
        .take(3)
        .position(|t| score >= *t)
        .unwrap_or(3);
    LEVELS[i]
}

/// R4.8 levels: three thresholds, strictly descending, within 1–1000.
pub fn threshold_problem(thresholds: &[i64]) -> Option<String> {
    if thresholds.len() != 3 {
        return Some(format!(
            "信用等级分数线应为 3 个数（A、B、C 级的最低分），收到 {} 个",
            thresholds.len()
        ));
    }
    if thresholds.iter().any(|t| !(1..=MAX_SCORE).contains(t)) {
        return Some(format!("信用等级分数线应在 1 到 {MAX_SCORE} 之间"));
    }
    if !thresholds.windows(2).all(|w| w[0] > w[1]) {
        return Some("信用等级分数线应从 A 到 C 依次降低（A 级最低分最高）".to_owned());
    }
    None
}

text_enum! {
    /// States of a blacklist proposal (due process, R4.8).
    pub enum ProposalState {
        /// Proposed on a false finding and the subject notified; objection period running.
        Notified => ("notified", "已告知，异议期中"),
        /// The subject objected within the period; the credit office must consider it.
        Objected => ("objected", "已提出异议"),
        /// Decided: put on the blacklist.
        Listed => ("listed", "已列入黑名单"),
        /// Decided: not put on the blacklist.
        Dismissed => ("dismissed", "不予列入"),
    }
}

text_enum! {
    /// The credit office's decision on a proposal.
    pub enum BlacklistDecision {
        List => ("list", "列入虚假承诺黑名单"),
        Dismiss => ("dismiss", "不予列入"),
    }
}

impl BlacklistDecision {
    pub fn state(self) -> ProposalState {
        match self {
            BlacklistDecision::List => ProposalState::Listed,
            BlacklistDecision::Dismiss => ProposalState::Dismissed,
        }
    }
}

text_enum! {
    /// States of a credit repair request.
    pub enum RepairState {
        Requested => ("requested", "待审核"),
        Approved => ("approved", "已修复"),
        Refused => ("refused", "不予修复"),
    }
}

text_enum! {
    /// How credit records left for 信用淄博.
    pub enum ExportChannel {
        /// Downloaded as a file.
        File => ("file", "文件导出"),
        /// Pushed to the platform's endpoint.
        Push => ("push", "接口推送"),
    }
}

text_enum! {
    /// Whether an export reached the platform.
    pub enum ExportStatus {
        Done => ("done", "已完成"),
        Failed => ("failed", "失败"),
    }
}

/// Default objection period, in calendar days.
pub const DEFAULT_OBJECTION_DAYS: i64 = 7;

/// R4.8 (notice and a chance to object): may the subject object now?
pub fn objection_refusal(
    state: ProposalState,
    now_ms: i64,
    objection_until: i64,
) -> Option<&'static str> {
    match state {
        ProposalState::Notified if now_ms <= objection_until => None,
        ProposalState::Notified => Some("异议期已过，不能再提出异议"),
        ProposalState::Objected => Some("已经提出过异议，请等待信用办决定"),
        ProposalState::Listed | ProposalState::Dismissed => Some("该事项已作出决定"),
    }
}

/// R4.8: the credit office decides only after the objection period ended, or once an
/// objection was made (then it must state how the objection was considered).
pub fn decision_refusal(
    state: ProposalState,
    now_ms: i64,
    objection_until: i64,
    reasons: &str,
) -> Option<&'static str> {
    match state {
        ProposalState::Notified if now_ms <= objection_until => {
            Some("异议期尚未届满，届满后才能作出决定")
        }
        ProposalState::Notified => None,
        ProposalState::Objected if reasons.trim().is_empty() => {
            Some("当事人提出了异议，决定须写明对异议的处理意见")
        }
        ProposalState::Objected => None,
        ProposalState::Listed | ProposalState::Dismissed => Some("该事项已作出决定，不能重复决定"),
    }
}

/// Conditions for credit repair (信用修复): only after the minimum time since the
/// blacklisting or the serious record, with the rectification done. 90 days is our default
/// (the county has not set one); the credit office may refuse longer.
pub const MIN_LISTED_DAYS: i64 = 90;

/// What a repair takes away (R4.4: both bar commitment until repaired).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RepairGround {
    /// On the false-commitment blacklist since this instant.
    Blacklisted { since_ms: i64 },
    /// Not listed (the proposal was dismissed, or none was made), but holding a serious
    /// bad record, the latest made at this instant.
    SeriousRecord { since_ms: i64 },
}

/// Why a repair may not be approved yet, or `None` when it may.
pub fn repair_refusal(
    ground: RepairGround,
    now_ms: i64,
    rectified: bool,
    min_days: i64,
) -> Option<String> {
    if !rectified {
        return Some("须先履行相关义务、纠正失信行为（整改完成）才能修复".to_owned());
    }
    let (since, what) = match ground {
        RepairGround::Blacklisted { since_ms } => (since_ms, "列入黑名单"),
        RepairGround::SeriousRecord { since_ms } => (since_ms, "最近一条虚假承诺记录产生"),
    };
    let days = (now_ms - since) / 86_400_000;
    if days < min_days {
        return Some(format!(
            "{what}满 {min_days} 天后方可修复（目前 {days} 天）"
        ));
    }
    None
}

/// A subject reference: `person:ID` or `entity:ID`.
pub fn subject_ref(kind: &str, id: i64) -> String {
    format!("{kind}:{id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeping_raises_and_breaking_lowers_the_score() {
        // SPEC R4.8: keeping or breaking enters the record.
        let s = CreditStatus::default();
        let kept = apply(&s, RecordKind::CommitmentKept);
        assert_eq!(kept.score, INITIAL_SCORE + 20);
        let broken = apply(&s, RecordKind::CommitmentFalse);
        assert_eq!(broken.serious_records, 1);
        assert_eq!(broken.score, 450);
        assert_eq!(level(broken.score).0, "D");
        let mut high = s.clone();
        for _ in 0..100 {
            high = apply(&high, RecordKind::CommitmentKept);
        }
        assert_eq!(high.score, MAX_SCORE);
    }

    #[test]
    fn levels_follow_the_thresholds_given() {
        // SPEC "Trial rules": the levels' thresholds are a versioned setting.
        assert_eq!(level(900).0, "A");
        assert_eq!(level(899).0, "B");
        assert_eq!(level_by(850, &[800, 600, 400]).0, "A");
        assert_eq!(level_by(399, &[800, 600, 400]).0, "D");
        assert_eq!(threshold_problem(&LEVEL_THRESHOLDS), None);
        assert!(threshold_problem(&[700, 700, 500]).is_some());
        assert!(threshold_problem(&[900, 700]).is_some());
        assert!(threshold_problem(&[2000, 700, 500]).is_some());
        let s = CreditStatus::default();
        assert_eq!(
            apply_with(&s, RecordKind::CommitmentKept, 50).score,
            INITIAL_SCORE + 50
        );
    }

    #[test]
    fn repair_clears_blacklist_and_serious_records() {
        // SPEC R4.4: until credit repair.
        let s = apply(
            &apply(&CreditStatus::default(), RecordKind::CommitmentFalse),
            RecordKind::Blacklisted,
        );
        assert!(s.blacklisted);
        let r = apply(&s, RecordKind::Repaired);
        assert!(!r.blacklisted);
        assert_eq!(r.serious_records, 0);
    }

    #[test]
    fn objection_only_within_the_period_and_once() {
        // SPEC R4.8: notice and a chance to object.
        assert_eq!(objection_refusal(ProposalState::Notified, 10, 10), None);
        assert!(objection_refusal(ProposalState::Notified, 11, 10).is_some());
        assert!(objection_refusal(ProposalState::Objected, 5, 10).is_some());
        assert!(objection_refusal(ProposalState::Listed, 5, 10).is_some());
    }

    #[test]
    fn decision_waits_for_the_objection_period() {
        // SPEC R4.8: decided according to law, after notice and objection.
        assert!(
            decision_refusal(ProposalState::Notified, 10, 10, "")
                .unwrap()
                .contains("异议期")
        );
        assert_eq!(decision_refusal(ProposalState::Notified, 11, 10, ""), None);
        assert!(decision_refusal(ProposalState::Objected, 5, 10, " ").is_some());
        assert_eq!(
            decision_refusal(ProposalState::Objected, 5, 10, "异议不成立"),
            None
        );
        assert!(decision_refusal(ProposalState::Listed, 50, 10, "x").is_some());
    }

    #[test]
    fn repair_needs_rectification_and_time() {
        // P 三(四)3 信用修复.
        let day = 86_400_000;
        let listed = RepairGround::Blacklisted { since_ms: 0 };
        assert!(repair_refusal(listed, 200 * day, false, 90).is_some());
        let early = repair_refusal(listed, 10 * day, true, 90).unwrap();
        assert!(early.contains("10 天") && early.contains("黑名单"));
        assert_eq!(repair_refusal(listed, 90 * day, true, 90), None);
    }

    #[test]
    fn a_serious_record_without_listing_is_repaired_on_the_same_conditions() {
        // SPEC R4.4: a serious bad record also bars commitment, so it needs its own way back
        // when the blacklist proposal was dismissed.
        let day = 86_400_000;
        let record = RepairGround::SeriousRecord { since_ms: 5 * day };
        let early = repair_refusal(record, 20 * day, true, 90).unwrap();
        assert!(early.contains("虚假承诺记录") && early.contains("15 天"));
        assert!(repair_refusal(record, 200 * day, false, 90).is_some());
        assert_eq!(repair_refusal(record, 95 * day, true, 90), None);
        // Repair clears the serious records, so commitment is open again.
        let st = CreditStatus {
            score: 500,
            serious_records: 2,
            blacklisted: false,
        };
        assert_eq!(apply(&st, RecordKind::Repaired).serious_records, 0);
    }
}
