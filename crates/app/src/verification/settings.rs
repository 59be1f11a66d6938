//! The verification workflow's trial-period settings (SPEC "Trial rules").

use proofless_domain::role::Role;

use crate::policy::{Setting, checks};

/// How long after receipt the issuer may still reclassify a request, in office minutes
/// (A2 §7, SPEC R5.3: the issuer reclassifies *when registering*, not when time runs short).
pub static RECLASSIFY_WINDOW_MINUTES: Setting<i64> = Setting {
    key: "verification.reclassify_window_minutes",
    label: "核验请求登记时可重新定类的时限",
    basis: "A2 §7",
    unit: "工作分钟",
    owners: &[Role::JointOffice],
    default: || 10,
    check: |v| checks::within(*v, 1, 240, "时限"),
};
