//! The credit workflow's trial-period settings (SPEC "Trial rules"): the blacklist's
//! objection period, the credit-repair minimum, the score each record brings and the levels'
//! thresholds. Each is read at the instant the act it governs started: the proposal, the
//! repair request, the commitment or proposal whose outcome a record is.

use proofless_domain::credit::{
    DEFAULT_OBJECTION_DAYS, LEVEL_THRESHOLDS, MIN_LISTED_DAYS, RecordKind, threshold_problem,
};
use proofless_domain::role::Role;

use crate::policy::{Setting, checks};

/// R4.8 (notice and a chance to object): calendar days the subject has to object.
pub static OBJECTION_DAYS: Setting<i64> = Setting {
    key: "credit.objection_days",
    label: "虚假承诺黑名单异议期",
    basis: "依法告知并给予异议机会",
    unit: "天",
    owners: &[Role::CreditOffice],
    default: || DEFAULT_OBJECTION_DAYS,
    check: |v| checks::within(*v, 1, 60, "异议期"),
    words: None,
};

/// P 三(四)3 信用修复: days after the listing (or the serious record) before repair.
pub static REPAIR_MIN_DAYS: Setting<i64> = Setting {
    key: "credit.repair_min_days",
    label: "信用修复最短期限（列入黑名单或产生虚假承诺记录后）",
    basis: "实施方案三（四）3",
    unit: "天",
    owners: &[Role::CreditOffice],
    default: || MIN_LISTED_DAYS,
    check: |v| checks::within(*v, 0, 1825, "修复期限"),
    words: None,
};

/// R4.8 (守信激励): points a kept commitment adds.
pub static KEPT_DELTA: Setting<i64> = Setting {
    key: "credit.delta.commitment_kept",
    label: "信用分变动：履行承诺（加分）",
    basis: "守信联合激励",
    unit: "分",
    owners: &[Role::CreditOffice],
    default: || RecordKind::CommitmentKept.score_delta(),
    check: |v| checks::within(*v, 0, 1000, "加分"),
    words: None,
};

/// R4.8 (失信惩戒): points a false commitment takes away (a negative number).
pub static FALSE_DELTA: Setting<i64> = Setting {
    key: "credit.delta.commitment_false",
    label: "信用分变动：虚假承诺（减分，填负数）",
    basis: "守信联合激励、失信联合惩戒",
    unit: "分",
    owners: &[Role::CreditOffice],
    default: || RecordKind::CommitmentFalse.score_delta(),
    check: |v| checks::within(*v, -1000, 0, "减分"),
    words: None,
};

/// R4.8: points the blacklisting takes away (a negative number).
pub static BLACKLISTED_DELTA: Setting<i64> = Setting {
    key: "credit.delta.blacklisted",
    label: "信用分变动：列入虚假承诺黑名单（减分，填负数）",
    basis: "守信联合激励、失信联合惩戒",
    unit: "分",
    owners: &[Role::CreditOffice],
    default: || RecordKind::Blacklisted.score_delta(),
    check: |v| checks::within(*v, -1000, 0, "减分"),
    words: None,
};

/// P 三(四)3: points a credit repair gives back.
pub static REPAIRED_DELTA: Setting<i64> = Setting {
    key: "credit.delta.repaired",
    label: "信用分变动：信用修复（加分）",
    basis: "实施方案三（四）3",
    unit: "分",
    owners: &[Role::CreditOffice],
    default: || RecordKind::Repaired.score_delta(),
    check: |v| checks::within(*v, 0, 1000, "加分"),
    words: None,
};

/// The lowest scores of levels A, B and C (D is below C).
pub static LEVEL_THRESHOLDS_SETTING: Setting<Vec<i64>> = Setting {
    key: "credit.level_thresholds",
    label: "信用等级分数线（A、B、C 级的最低分，低于 C 级为 D 级）",
    basis: "守信联合激励、失信联合惩戒",
    unit: "分",
    owners: &[Role::CreditOffice],
    default: || LEVEL_THRESHOLDS.to_vec(),
    check: |v| threshold_problem(v).map_or(Ok(()), Err),
    words: None,
};

/// The setting of a record kind's score change.
pub fn delta_setting(kind: RecordKind) -> &'static Setting<i64> {
    match kind {
        RecordKind::CommitmentKept => &KEPT_DELTA,
        RecordKind::CommitmentFalse => &FALSE_DELTA,
        RecordKind::Blacklisted => &BLACKLISTED_DELTA,
        RecordKind::Repaired => &REPAIRED_DELTA,
    }
}
