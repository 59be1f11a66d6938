//! The data-sharing workflow's trial-period settings (SPEC "Trial rules").

use proofless_domain::role::Role;

use crate::policy::{Setting, checks};

/// A4 §4(4), issue #18 §5: working days the issuer has to issue (or refuse, with reason) an
/// e-proof asked for use outside the city. Read as in force when the request was made.
pub static OUTSIDE_WORKING_DAYS: Setting<i64> = Setting {
    key: "sharing.outside_working_days",
    label: "异地使用电子证明的开具时限",
    basis: "A4 §4(4)",
    unit: "工作日",
    owners: &[Role::JointOffice],
    default: || 1,
    check: |v| checks::within(*v, 1, 20, "开具时限"),
};
