//! The catalogue's trial-period settings (SPEC "Trial rules"): which kinds of legal basis may
//! set a proof item by themselves, and the header names the spreadsheet import accepts.

use std::collections::BTreeMap;

use proofless_domain::catalogue::BasisKind;
use proofless_domain::commitment::{default_excluded_domains, excluded_domains_problem};
use proofless_domain::role::Role;

use super::import::columns;
use crate::policy::{Setting, Words, checks};

/// A high-risk domain by its code or its label (the setting stores labels; older versions
/// may hold codes).
fn risk_domain(s: &str) -> Option<&'static proofless_domain::catalogue::RiskDomain> {
    proofless_domain::catalogue::EXCLUDED_RISK_DOMAINS
        .iter()
        .find(|d| d.code == s || d.label == s)
}

/// The legal-basis kinds that may set a proof item by themselves (优化营商环境条例 §44; SPEC
/// "defaults we chose": laws, administrative and local regulations, State Council decisions).
/// Other kinds are flagged for the justice bureau to decide. Codes of [`BasisKind`].
pub static STATUTORY_BASIS_KINDS: Setting<Vec<String>> = Setting {
    key: "catalogue.statutory_basis_kinds",
    label: "可以单独设定证明事项的法律依据类别",
    basis: "优化营商环境条例第四十四条",
    unit: "",
    owners: &[Role::JointOffice, Role::LegalReviewer],
    default: || {
        BasisKind::STATUTORY_DEFAULT
            .iter()
            .map(|k| k.as_str().to_owned())
            .collect()
    },
    check: check_basis_kinds,
    words: Some(Words {
        word: |c| BasisKind::parse(c).map(BasisKind::label),
        code: |w| BasisKind::parse(w).map(BasisKind::as_str),
    }),
};

fn check_basis_kinds(v: &Vec<String>) -> Result<(), String> {
    checks::non_empty_distinct(v, "依据类别")?;
    for s in v {
        if BasisKind::parse(s).is_none() {
            return Err(format!(
                "依据类别“{s}”无效（可用：{}）",
                BasisKind::ALL
                    .iter()
                    .map(|k| format!("{} {}", k.as_str(), k.label()))
                    .collect::<Vec<_>>()
                    .join("、")
            ));
        }
    }
    Ok(())
}

/// The kinds of a stored list (checked when stored, so every entry parses).
pub(crate) fn basis_kinds(codes: &[String]) -> Vec<BasisKind> {
    codes.iter().filter_map(|c| BasisKind::parse(c)).collect()
}

/// The header names the import accepts for each field: our own export's and those of real
/// county lists (SPEC "Real lists": 行使层级, 证明用途, 依据条文及内容, 事项类型…). The joint office
/// adds the names another list uses by storing a new version of the whole table.
pub static IMPORT_HEADER_ALIASES: Setting<BTreeMap<String, Vec<String>>> = Setting {
    key: "catalogue.import_header_aliases",
    label: "证明事项导入可识别的表头名称",
    basis: "实施清单的编制要求",
    unit: "",
    owners: &[Role::JointOffice],
    default: columns::default_aliases,
    check: columns::check_aliases,
    words: Some(Words {
        word: |key| {
            columns::FIELDS
                .iter()
                .find(|f| f.key == key)
                .map(|f| f.label())
        },
        code: |name| {
            columns::FIELDS
                .iter()
                .find(|f| f.key == name || f.names.iter().any(|n| *n == name))
                .map(|f| f.key)
        },
    }),
};

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_kinds_are_the_default_and_unknown_kinds_are_refused() {
        // SPEC "Trial rules": the legal-basis kinds are a versioned setting with a check.
        let d = (STATUTORY_BASIS_KINDS.default)();
        assert_eq!(
            d,
            [
                "law",
                "administrative_regulation",
                "local_regulation",
                "state_council_decision"
            ]
        );
        assert!((STATUTORY_BASIS_KINDS.check)(&d).is_ok());
        assert!((STATUTORY_BASIS_KINDS.check)(&vec!["法律".into(), "部门规章".into()]).is_ok());
        assert!((STATUTORY_BASIS_KINDS.check)(&vec!["红头文件".into()]).is_err());
        assert!((STATUTORY_BASIS_KINDS.check)(&vec![]).is_err());
    }

    #[test]
    fn the_default_header_table_passes_its_own_check() {
        let d = (IMPORT_HEADER_ALIASES.default)();
        assert!((IMPORT_HEADER_ALIASES.check)(&d).is_ok());
        assert!(d["level"].contains(&"行使层级".to_owned()));
    }
}

/// Domains where commitment is not used (国办发〔2020〕42号), by label (or code). Read when an
/// item is drafted or published, at the start of the case a commitment is signed in, and
/// when a template is drafted. The key keeps its first name, so stored versions stay valid.
pub static EXCLUDED_RISK_DOMAINS: Setting<Vec<String>> = Setting {
    key: "commitment.excluded_risk_domains",
    label: "不适用告知承诺的高风险领域",
    basis: "国办发〔2020〕42号",
    unit: "",
    owners: &[Role::JointOffice],
    default: default_excluded_domains,
    check: |v| excluded_domains_problem(v).map_or(Ok(()), Err),
    words: Some(Words {
        word: |c| risk_domain(c).map(|d| d.label),
        code: |w| risk_domain(w).map(|d| d.label),
    }),
};
