//! The verification workflow's trial-period settings (SPEC "Trial rules").

use proofless_domain::role::Role;

use crate::policy::{Setting, checks};

/// How long after receipt the issuer may still reclassify a request, in office minutes
/// (A2 §7, SPEC R5.3: the issuer reclassifies *when registering*, not when time runs short).
pub static RECLASSIFY_WINDOW_MINUTES: Setting<i64> = Setting {
    key: "verification.reclassify_window_minutes",
    label: "核验请求登记时可重新定类的时限",
    basis: "附件2第七条",
    unit: "工作分钟",
    owners: &[Role::JointOffice],
    default: || 10,
    check: |v| checks::within(*v, 1, 240, "时限"),
    words: None,
};

/// The key of [`REPORT_GRACE_MINUTES`].
pub const REPORT_GRACE_KEY: &str = "verification.report_grace_minutes";

/// Minutes after a request's due instant before it is reported to the joint office
/// automatically, when the requesting unit has not reported it (A2 §11: overdue requests
/// are reported; the grace is the county's trial-period choice). A request uses the version
/// in force on the day it was sent (SPEC "Trial rules": a later version never reaches
/// back): a version effective today moves the pending reports of today's requests, through
/// whichever interface it is added (`jobs::follow_grace_version`); one effective later
/// governs the requests sent from that day.
pub static REPORT_GRACE_MINUTES: Setting<i64> = Setting {
    key: REPORT_GRACE_KEY,
    label: "逾期核验自动报告联席会议办公室的宽限时间（按核验发出当日施行的版本计算）",
    basis: "附件2第十一条",
    unit: "分钟",
    owners: &[Role::JointOffice],
    default: || 60,
    check: |v| checks::within(*v, 0, 7 * 24 * 60, "宽限时间"),
    words: None,
};
