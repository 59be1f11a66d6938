//! The commitment workflow's trial-period settings (SPEC "Trial rules").

use proofless_domain::commitment::{default_excluded_domains, excluded_domains_problem};
use proofless_domain::role::Role;

use crate::policy::Setting;

/// Domains where commitment is not used (国办发〔2020〕42号), by label (or code). Read at the
/// start of the case a commitment is signed in, and when a template is drafted.
pub static EXCLUDED_RISK_DOMAINS: Setting<Vec<String>> = Setting {
    key: "commitment.excluded_risk_domains",
    label: "不适用告知承诺的高风险领域",
    basis: "国办发〔2020〕42号；SPEC R4.1",
    unit: "",
    owners: &[Role::JointOffice],
    default: default_excluded_domains,
    check: |v| excluded_domains_problem(v).map_or(Ok(()), Err),
};
