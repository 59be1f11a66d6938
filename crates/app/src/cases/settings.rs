//! The case workflow's trial-period settings (SPEC "Trial rules"), read as in force when
//! the proxy task or the deficiency acceptance starts.

use proofless_domain::role::Role;

use crate::policy::{Setting, checks};

/// Working days a proxy agent has to obtain a proof from its issuer (干部代办, R5.10).
pub static PROXY_WORKING_DAYS: Setting<i64> = Setting {
    key: "cases.proxy_working_days",
    label: "干部代办的办理时限",
    basis: "实施方案三（二）3",
    unit: "工作日",
    owners: &[Role::JointOffice],
    default: || 2,
    check: |v| checks::within(*v, 1, 30, "时限"),
    words: None,
};

/// Working days an applicant has to supply what was missing under deficiency acceptance
/// (容缺受理, R5.10).
pub static SUPPLEMENT_WORKING_DAYS: Setting<i64> = Setting {
    key: "cases.supplement_working_days",
    label: "容缺受理的补正时限",
    basis: "实施方案三（二）3",
    unit: "工作日",
    owners: &[Role::JointOffice],
    default: || 5,
    check: |v| checks::within(*v, 1, 60, "时限"),
    words: None,
};
