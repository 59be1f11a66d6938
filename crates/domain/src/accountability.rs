//! Accountability and fault tolerance (责任追究和容错免责, A5; SPEC R9): who may be held
//! accountable, the cases' states, the competent organs and measures (A5 §5), appeals that do
//! not suspend the measure (A5 §6), and exemption (A5 §7–§11). Pure rules, no IO.

use serde::{Deserialize, Serialize};

use crate::commitment::text_enum;
use crate::role::Role;

text_enum! {
    /// A staff member's employment (A5 §2: 含借用、聘用、挂职人员).
    pub enum EmploymentType {
        Established => ("established", "在编"),
        Borrowed => ("borrowed", "借调"),
        Hired => ("hired", "聘用"),
        Attached => ("attached", "挂职"),
        Other => ("other", "其他"),
    }
}

text_enum! {
    /// Where a case came from.
    pub enum CaseOrigin {
        /// Proposed by the system from violation records.
        Automatic => ("automatic", "自动生成"),
        /// Entered by the accountability department.
        Manual => ("manual", "部门录入"),
    }
}

text_enum! {
    /// An accountability case's state.
    pub enum CaseState {
        /// 待处理: proposed, evidence may still be merged in.
        Proposed => ("proposed", "待处理"),
        /// 已移送: referred to the competent organ (A5 §5).
        Referred => ("referred", "已移送决定机关"),
        /// 已决定: a measure was decided and the subject notified.
        Decided => ("decided", "已作出问责决定"),
        /// 不予问责.
        Dismissed => ("dismissed", "不予问责"),
    }
}

text_enum! {
    /// The competent organs (具有问责职能的部门, A5 §5).
    pub enum Organ {
        Discipline => ("discipline", "纪检监察机关"),
        Personnel => ("personnel", "组织人事部门"),
        Supervising => ("supervising", "主管单位"),
        OwnUnit => ("own_unit", "所在单位"),
    }
}

text_enum! {
    /// The measures of A5 §5.
    pub enum Measure {
        /// (一) 责令限期整改: with a deadline that is tracked.
        Rectify => ("rectify", "责令限期整改"),
        /// (二) 责令书面检查.
        SelfCriticism => ("self_criticism", "责令书面检查"),
        /// (三) 通报批评.
        Circulated => ("circulated", "通报批评"),
        /// (四) 情节严重的，依照公务员法等规定处理.
        Referral => ("referral", "依法依规移交处理"),
    }
}

text_enum! {
    /// A review or appeal (复核、申诉, A5 §6).
    pub enum AppealState {
        Pending => ("pending", "复核中"),
        Maintained => ("maintained", "维持原决定"),
        Revoked => ("revoked", "撤销原决定"),
    }
}

text_enum! {
    /// The grounds for exemption (A5 §8).
    pub enum ExemptionGround {
        /// (一) 符合决策部署精神和确定的改革方向.
        ReformDirection => ("reform_direction", "符合决策部署精神和改革方向"),
        /// (二) 未违反禁止性、义务性规定.
        NoBreach => ("no_breach", "未违反禁止性、义务性规定"),
        /// (三) 依法经过科学、民主决策.
        DueProcess => ("due_process", "依法经过科学、民主决策"),
        /// (四) 主动挽回损失、消除不良影响.
        LimitedDamage => ("limited_damage", "主动挽回损失、消除不良影响"),
        /// (五) 其他依法不予追究责任的情形.
        Other => ("other", "其他依法不予追究的情形"),
    }
}

text_enum! {
    /// An exemption application (A5 §7, §10, §11).
    pub enum ExemptionState {
        /// Applied, waiting for the department's investigation.
        Applied => ("applied", "已申请"),
        /// The department reported its findings to the approving body.
        Investigated => ("investigated", "已调查核实"),
        /// Approved and filed (免责备案).
        Approved => ("approved", "予以免责并备案"),
        Rejected => ("rejected", "不予免责"),
    }
}

impl CaseState {
    /// Evidence of the same fact kind may still be merged in (duplicates merged).
    pub fn open(self) -> bool {
        matches!(self, CaseState::Proposed)
    }

    /// The department refers a proposed case to a competent organ, or dismisses it.
    pub fn can_refer(self) -> bool {
        matches!(self, CaseState::Proposed)
    }

    /// The organ decides a referred case.
    pub fn can_decide(self) -> bool {
        matches!(self, CaseState::Referred)
    }
}

impl Measure {
    /// A5 §5(一): rectification within a time limit needs the limit.
    pub fn needs_deadline(self) -> bool {
        matches!(self, Measure::Rectify)
    }
}

/// Whether an actor with `roles` at `actor_org` may act as the organ at `organ_org`
/// (A5 §5, §10): the accountability department or the unit's administrator of the very
/// unit the case was referred to. Nobody else — a clerk of that unit, or an administrator
/// of another — decides.
pub fn may_act_as_organ(roles: &[Role], actor_org: Option<i64>, organ_org: Option<i64>) -> bool {
    let right_role = roles
        .iter()
        .any(|r| matches!(r, Role::Accountability | Role::UnitAdmin));
    right_role && actor_org.is_some() && actor_org == organ_org
}

/// The lateness of a rectification: `Some(true)` overdue, `Some(false)` on time, `None`
/// when there is no deadline (A5 §5(一): the deadline is tracked).
pub fn rectification_late(
    rectify_by: Option<i64>,
    rectified_at: Option<i64>,
    now: i64,
) -> Option<bool> {
    let by = rectify_by?;
    Some(rectified_at.unwrap_or(now) > by)
}

/// A5 §11: a case counts in the assessment figures unless it was exempted or dismissed.
pub fn counts_in_assessment(state: CaseState, exempted: bool) -> bool {
    state == CaseState::Decided && !exempted
}

#[cfg(test)]
mod tests {
    use super::*;

    // A5 §5: four measures; only rectification carries a time limit.
    #[test]
    fn only_rectification_needs_a_deadline_a5_5() {
        assert_eq!(Measure::ALL.len(), 4);
        assert!(Measure::Rectify.needs_deadline());
        assert!(!Measure::Circulated.needs_deadline());
        assert_eq!(
            Measure::parse("self_criticism"),
            Some(Measure::SelfCriticism)
        );
        assert_eq!(Measure::parse("dismiss"), None);
    }

    // A5 §5: the case moves proposed → referred → decided; nothing decides a proposal.
    #[test]
    fn states_move_forward_only_a5_5() {
        assert!(CaseState::Proposed.can_refer() && !CaseState::Proposed.can_decide());
        assert!(CaseState::Referred.can_decide() && !CaseState::Referred.can_refer());
        assert!(!CaseState::Decided.can_decide() && !CaseState::Dismissed.can_refer());
        assert!(CaseState::Proposed.open() && !CaseState::Referred.open());
    }

    // A5 §5, §10: only the department or the administrator of the organ's own unit decides.
    #[test]
    fn only_the_organ_decides_a5_10() {
        assert!(may_act_as_organ(&[Role::Accountability], Some(3), Some(3)));
        assert!(may_act_as_organ(&[Role::UnitAdmin], Some(5), Some(5)));
        assert!(!may_act_as_organ(&[Role::UnitAdmin], Some(4), Some(5)));
        assert!(!may_act_as_organ(&[Role::CounterClerk], Some(5), Some(5)));
        assert!(!may_act_as_organ(&[Role::Accountability], None, None));
    }

    // A5 §5(一) and §11: a late rectification is marked; exempted cases do not count.
    #[test]
    fn rectification_and_assessment_a5_11() {
        assert_eq!(rectification_late(None, None, 10), None);
        assert_eq!(rectification_late(Some(5), None, 10), Some(true));
        assert_eq!(rectification_late(Some(5), Some(4), 10), Some(false));
        assert!(counts_in_assessment(CaseState::Decided, false));
        assert!(!counts_in_assessment(CaseState::Decided, true));
        assert!(!counts_in_assessment(CaseState::Dismissed, false));
    }

    // A5 §2 and §8: every employment type and ground has a label.
    #[test]
    fn labels_a5_2_8() {
        for e in EmploymentType::ALL {
            assert_eq!(EmploymentType::parse(e.as_str()), Some(*e));
        }
        assert_eq!(ExemptionGround::ALL.len(), 5);
        assert!(ExemptionGround::ALL.iter().all(|g| !g.label().is_empty()));
    }
}
