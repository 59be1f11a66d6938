//! The rules a proof item must meet before it can be published (SPEC R1.3, R4.1).

use serde::{Deserialize, Serialize};

use super::kinds::{BasisKind, Disposition, ReplacementMethod};

/// Domains where commitment (告知承诺) is not used: 国办发〔2020〕42号 excludes proofs that
/// directly concern these high-risk, costly-to-correct matters (SPEC "Rules the seed relies on").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RiskDomain {
    pub code: &'static str,
    pub label: &'static str,
}

pub const EXCLUDED_RISK_DOMAINS: &[RiskDomain] = &[
    RiskDomain {
        code: "national_security",
        label: "国家安全",
    },
    RiskDomain {
        code: "state_secrets",
        label: "国家秘密",
    },
    RiskDomain {
        code: "public_safety",
        label: "公共安全",
    },
    RiskDomain {
        code: "financial_prudential_supervision",
        label: "金融业审慎监管",
    },
    RiskDomain {
        code: "ecological_environment",
        label: "生态环境保护",
    },
    RiskDomain {
        code: "personal_health",
        label: "直接关系人身健康",
    },
    RiskDomain {
        code: "life_and_property_safety",
        label: "直接关系生命财产安全",
    },
    RiskDomain {
        code: "important_foreign_affairs",
        label: "重要涉外事项",
    },
];

impl RiskDomain {
    pub fn find(code: &str) -> Option<RiskDomain> {
        let code = code.trim();
        EXCLUDED_RISK_DOMAINS
            .iter()
            .copied()
            .find(|d| d.code == code || d.label == code)
    }
}

/// What the rules look at, whatever the storage.
#[derive(Debug, Clone, Default)]
pub struct ItemFacts {
    pub disposition: Option<Disposition>,
    /// Kinds of the legal bases given (empty: no legal basis).
    pub basis_kinds: Vec<BasisKind>,
    /// 开具单位能够调查核实.
    pub issuer_can_verify: bool,
    /// 能够通过事中事后监管纠正且风险可控 (R4.1).
    pub correctable_afterwards: bool,
    /// Codes of the excluded risk domains the item touches.
    pub risk_domains: Vec<String>,
    /// The domains barred from commitment by the setting in force (codes or labels;
    /// `commitment.excluded_risk_domains`, seed value [`EXCLUDED_RISK_DOMAINS`]).
    pub excluded_domains: Vec<String>,
    pub methods: Vec<ReplacementMethod>,
    /// How many service items use the proof (R1.2: the list names them item by item).
    pub service_items: usize,
}

/// Why commitment may not replace this proof, or `None` when it may (R4.1; 国办发〔2020〕42号).
/// The barred domains are those of the setting in force (`f.excluded_domains`), so the
/// catalogue and the commitment workflow refuse the same items.
pub fn commitment_refusal(f: &ItemFacts) -> Option<String> {
    crate::commitment::item_refusal(
        &f.risk_domains,
        f.correctable_afterwards,
        &f.excluded_domains,
    )
}

/// Every reason the item cannot be published as it stands, as (field, message) pairs.
/// R1.3: without a legal basis, or not verifiable by its issuer, it cannot be retained and
/// the system proposes cancellation (直接取消) instead.
pub fn retention_problems(f: &ItemFacts) -> Vec<(&'static str, String)> {
    let mut out = vec![];
    let abolished_only =
        !f.methods.is_empty() && f.methods.iter().all(|m| *m == ReplacementMethod::Abolished);
    match f.disposition {
        Some(Disposition::Cancelled) => {
            if !abolished_only {
                out.push((
                    "methods",
                    "已取消的证明事项的替代取消方式只能是“直接取消”".to_owned(),
                ));
            }
            return out;
        }
        None => {
            out.push(("disposition", "请选择保留或取消".to_owned()));
            return out;
        }
        Some(Disposition::Retained) => {}
    }
    if f.basis_kinds.is_empty() {
        out.push((
            "legal_basis",
            "没有法律法规依据的证明事项不能保留，建议直接取消".to_owned(),
        ));
    }
    if !f.issuer_can_verify {
        out.push((
            "issuer_can_verify",
            "开具单位无法调查核实的证明事项不能保留，建议直接取消".to_owned(),
        ));
    }
    if f.methods.is_empty() {
        out.push((
            "methods",
            "保留的证明事项至少需要一种替代方式，申请人无需提交证明".to_owned(),
        ));
    } else if f.methods.contains(&ReplacementMethod::Abolished) {
        out.push(("methods", "“直接取消”只适用于取消的证明事项".to_owned()));
    } else if let Some(why) = deficiency_only_refusal(&f.methods) {
        out.push(("methods", why.to_owned()));
    }
    if f.service_items == 0 {
        out.push((
            "service_item_ids",
            "保留的证明事项须逐项列明使用它的政务服务事项，至少关联一个（优化营商环境条例第四十四条）"
                .to_owned(),
        ));
    }
    if f.methods.contains(&ReplacementMethod::Commitment)
        && let Some(why) = commitment_refusal(f)
    {
        out.push(("methods", why));
    }
    out
}

/// Why deficiency acceptance (容缺受理) cannot be a retained item's only replacement, when it is
/// (P 三(二)3: it lets an immediate case go ahead and the proof follow later; the proof is
/// still owed, so the applicant is not spared it).
pub fn deficiency_only_refusal(methods: &[ReplacementMethod]) -> Option<&'static str> {
    (!methods.is_empty()
        && methods
            .iter()
            .all(|m| *m == ReplacementMethod::DeficiencyAcceptance))
        .then_some(
            "“容缺受理”只是让即办件先行受理、证明事后补交，并不替代证明，不能作为保留事项唯一的替代方式；请同时选择数据共享、告知承诺、部门核验或干部代办等方式（P 三(二)3）",
        )
}

/// Legal bases that the justice bureau must decide on: those whose kind is not among the
/// kinds that may set a proof item by themselves (`accepted`, a versioned setting).
pub fn flagged_bases(kinds: &[BasisKind], accepted: &[BasisKind]) -> Vec<BasisKind> {
    kinds
        .iter()
        .copied()
        .filter(|k| !accepted.contains(k))
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn retained() -> ItemFacts {
        ItemFacts {
            disposition: Some(Disposition::Retained),
            basis_kinds: vec![BasisKind::AdministrativeRegulation],
            issuer_can_verify: true,
            correctable_afterwards: true,
            risk_domains: vec![],
            excluded_domains: crate::commitment::default_excluded_domains(),
            methods: vec![ReplacementMethod::Verification],
            service_items: 1,
        }
    }

    #[test]
    fn a_retained_item_with_basis_verifiable_issuer_and_a_replacement_passes() {
        assert!(retention_problems(&retained()).is_empty());
    }

    #[test]
    fn no_legal_basis_means_it_cannot_be_retained() {
        // SPEC R1.3: 凡是无法律法规依据的证明事项一律取消
        let f = ItemFacts {
            basis_kinds: vec![],
            ..retained()
        };
        let p = retention_problems(&f);
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].0, "legal_basis");
        assert!(p[0].1.contains("建议直接取消"));
    }

    #[test]
    fn an_issuer_that_cannot_verify_means_it_cannot_be_retained() {
        // SPEC R1.3: 开具单位无法调查核实的一律取消
        let f = ItemFacts {
            issuer_can_verify: false,
            ..retained()
        };
        let p = retention_problems(&f);
        assert!(
            p.iter()
                .any(|(field, m)| *field == "issuer_can_verify" && m.contains("取消"))
        );
    }

    #[test]
    fn a_cancelled_item_needs_no_basis_but_only_abolition() {
        // SPEC R1.3: the proposed outcome is cancellation (直接取消).
        let f = ItemFacts {
            disposition: Some(Disposition::Cancelled),
            basis_kinds: vec![],
            issuer_can_verify: false,
            methods: vec![ReplacementMethod::Abolished],
            ..retained()
        };
        assert!(retention_problems(&f).is_empty());
        let f = ItemFacts {
            methods: vec![ReplacementMethod::DataSharing],
            ..f
        };
        assert_eq!(retention_problems(&f)[0].0, "methods");
    }

    #[test]
    fn a_retained_item_needs_a_replacement_and_cannot_be_abolished() {
        let f = ItemFacts {
            methods: vec![],
            ..retained()
        };
        assert_eq!(retention_problems(&f)[0].0, "methods");
        let f = ItemFacts {
            methods: vec![ReplacementMethod::Abolished],
            ..retained()
        };
        assert_eq!(retention_problems(&f)[0].0, "methods");
    }

    #[test]
    fn commitment_is_refused_in_every_excluded_high_risk_domain() {
        // SPEC R4.1 and 国办发〔2020〕42号: no commitment for high-risk domains.
        assert_eq!(EXCLUDED_RISK_DOMAINS.len(), 8);
        for d in EXCLUDED_RISK_DOMAINS {
            let f = ItemFacts {
                risk_domains: vec![d.code.to_owned()],
                methods: vec![ReplacementMethod::Commitment],
                ..retained()
            };
            let why = commitment_refusal(&f).unwrap();
            assert!(why.contains(d.label), "{why}");
            assert!(why.contains("国办发〔2020〕42号"));
            assert!(!retention_problems(&f).is_empty());
        }
    }

    #[test]
    fn the_excluded_domains_are_those_of_the_setting_in_force() {
        // SPEC R4.1, "Trial rules": a domain the joint office removed from the setting no
        // longer bars commitment; one it keeps still does.
        let f = ItemFacts {
            risk_domains: vec!["ecological_environment".to_owned()],
            methods: vec![ReplacementMethod::Commitment],
            excluded_domains: vec!["国家安全".to_owned()],
            ..retained()
        };
        assert_eq!(commitment_refusal(&f), None);
        let f = ItemFacts {
            excluded_domains: vec!["生态环境保护".to_owned()],
            ..f
        };
        assert!(commitment_refusal(&f).unwrap().contains("生态环境保护"));
    }

    #[test]
    fn commitment_needs_correction_by_supervision_afterwards() {
        // SPEC R4.1: 能够通过事中事后监管纠正且风险可控
        let f = ItemFacts {
            correctable_afterwards: false,
            methods: vec![ReplacementMethod::Commitment],
            ..retained()
        };
        assert!(commitment_refusal(&f).unwrap().contains("事中事后"));
        let ok = ItemFacts {
            methods: vec![ReplacementMethod::Commitment],
            ..retained()
        };
        assert_eq!(commitment_refusal(&ok), None);
        assert!(retention_problems(&ok).is_empty());
    }

    #[test]
    fn rules_and_policy_documents_are_flagged_for_the_justice_bureau() {
        // SPEC "defaults we chose": 规章 and 规范性文件 are flagged.
        assert_eq!(
            flagged_bases(
                &[BasisKind::Law, BasisKind::PolicyDocument],
                &BasisKind::STATUTORY_DEFAULT
            ),
            vec![BasisKind::PolicyDocument]
        );
        // The accepted kinds are a setting: a narrower list flags more.
        assert_eq!(
            flagged_bases(&[BasisKind::LocalRegulation], &[BasisKind::Law]),
            vec![BasisKind::LocalRegulation]
        );
    }

    #[test]
    fn a_retained_item_without_any_service_item_cannot_pass() {
        // SPEC R1.2, 优化营商环境条例 §44: the list names, item by item, the services using it.
        let f = ItemFacts {
            service_items: 0,
            ..retained()
        };
        let p = retention_problems(&f);
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].0, "service_item_ids");
        // A cancelled item is not listed as retained: no service item needed.
        let c = ItemFacts {
            disposition: Some(Disposition::Cancelled),
            methods: vec![ReplacementMethod::Abolished],
            service_items: 0,
            ..retained()
        };
        assert!(retention_problems(&c).is_empty());
    }

    #[test]
    fn deficiency_acceptance_alone_does_not_replace_a_retained_proof() {
        // P 三(二)3: 容缺受理 defers the proof for an immediate case; it does not replace it.
        let f = ItemFacts {
            methods: vec![ReplacementMethod::DeficiencyAcceptance],
            ..retained()
        };
        let p = retention_problems(&f);
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].0, "methods");
        assert!(p[0].1.contains("不替代证明"), "{}", p[0].1);
        let with_proxy = ItemFacts {
            methods: vec![
                ReplacementMethod::Proxy,
                ReplacementMethod::DeficiencyAcceptance,
            ],
            ..retained()
        };
        assert!(retention_problems(&with_proxy).is_empty());
    }
}
