//! The data-sharing workflow's trial-period settings (SPEC "Trial rules").

use proofless_domain::role::Role;

use crate::policy::{Setting, checks};

/// A4 §4(4), issue #18 §5: working days the issuer has to issue (or refuse, with reason) an
/// e-proof asked for use outside the city. Read as in force when the request was made.
pub static OUTSIDE_WORKING_DAYS: Setting<i64> = Setting {
    key: "sharing.outside_working_days",
    label: "异地使用电子证明的开具时限",
    basis: "附件4第四条第（四）项",
    unit: "工作日",
    owners: &[Role::JointOffice],
    default: || 1,
    check: |v| checks::within(*v, 1, 20, "开具时限"),
    words: None,
};

/// Issue #18 §3: calendar days a consent given once for all the data-sharing proofs of one
/// case stays valid (for that case and its unit only). Read as in force when given.
pub static CASE_CONSENT_DAYS: Setting<i64> = Setting {
    key: "sharing.case_consent_days",
    label: "办件一次授权的有效期",
    basis: "附件2第十二条",
    unit: "自然日",
    owners: &[Role::JointOffice],
    default: || proofless_domain::sharing::CASE_CONSENT_DEFAULT_DAYS,
    check: |v| checks::within(*v, 1, 90, "有效期"),
    words: None,
};
