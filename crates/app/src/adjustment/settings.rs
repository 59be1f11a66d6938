//! The adjustment workflow's trial-period settings (SPEC "Trial rules"; A3 §13): the grounds
//! of each kind of adjustment (A3 §6–§8), read at the instant the application was filed.

use proofless_domain::adjustment::{
    AdjustmentKind, OTHER_GROUND, default_add_grounds, default_cancel_grounds,
    default_change_grounds,
};
use proofless_domain::role::Role;

use crate::policy::{Setting, checks};

// `Setting::check` takes `fn(&T)` with `T = Vec<String>`.
#[allow(clippy::ptr_arg)]
fn check_grounds(v: &Vec<String>) -> Result<(), String> {
    checks::non_empty_distinct(v, "调整理由")?;
    if !v.iter().any(|g| g == OTHER_GROUND) {
        return Err(format!("理由清单须保留“{OTHER_GROUND}”一项（A3 §6–§8）"));
    }
    Ok(())
}

/// A3 §6: grounds to add a proof.
pub static ADD_GROUNDS: Setting<Vec<String>> = Setting {
    key: "adjustment.grounds.add",
    label: "清单调整理由：新增",
    basis: "附件3第六条",
    unit: "",
    owners: &[Role::JointOffice],
    default: default_add_grounds,
    check: check_grounds,
    words: None,
};

/// A3 §7: grounds to change a listed proof.
pub static CHANGE_GROUNDS: Setting<Vec<String>> = Setting {
    key: "adjustment.grounds.change",
    label: "清单调整理由：变更",
    basis: "附件3第七条",
    unit: "",
    owners: &[Role::JointOffice],
    default: default_change_grounds,
    check: check_grounds,
    words: None,
};

/// A3 §8: grounds to cancel a listed proof.
pub static CANCEL_GROUNDS: Setting<Vec<String>> = Setting {
    key: "adjustment.grounds.cancel",
    label: "清单调整理由：取消",
    basis: "附件3第八条",
    unit: "",
    owners: &[Role::JointOffice],
    default: default_cancel_grounds,
    check: check_grounds,
    words: None,
};

/// The setting holding a kind's grounds.
pub fn grounds_setting(kind: AdjustmentKind) -> &'static Setting<Vec<String>> {
    match kind {
        AdjustmentKind::Add => &ADD_GROUNDS,
        AdjustmentKind::Change => &CHANGE_GROUNDS,
        AdjustmentKind::Cancel => &CANCEL_GROUNDS,
    }
}
