//! The catalogue's inputs as they arrive (JSON, forms, spreadsheet rows), each parsed once
//! into a typed command; every field error at once, in Chinese, naming the field.

//! Proof items are here; `services`, `review` (legal review and list versions) and `search`
//! (the public search) beside it.

mod review;
mod search;
mod services;

pub use review::{
    ApproveInput, Preparation, PrepareInput, PublishInput, ReviewDecision, ReviewInput,
};
pub use search::{MAX_PUBLIC_LIMIT, MAX_PUBLIC_OFFSET, SearchParams, SearchQuery};
pub use services::{ServiceItemDraft, ServiceItemInput};

use proofless_domain::catalogue::{
    BasisKind, CatalogueLevel, Disposition, ItemFacts, MAX_NAME_CHARS, MAX_TEXT_CHARS,
    ReplacementMethod, RiskDomain, Stage, VerificationDeadlineClass, commitment_refusal,
    deficiency_only_refusal,
};
use proofless_domain::org::clean_name;
use serde::{Deserialize, Serialize};

use super::clean_text;
use crate::error::{AppError, AppResult, Problems};

/// Most legal bases, service items, issuers, requesters or methods one item may carry.
pub const MAX_LINKS: usize = 50;

const LEVEL_HINT: &str = "层级应为 county（县级）、town（镇级）或 village（村级）";

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct BasisInput {
    /// `law`, `administrative_regulation`, `local_regulation`, `state_council_decision`,
    /// `departmental_rule`, `local_government_rule`, `policy_document` (or the Chinese name).
    pub kind: String,
    /// 法律法规名称, e.g. 《中华人民共和国户口登记条例》.
    pub law: String,
    /// 条款, e.g. 第七条.
    #[serde(default)]
    pub article: String,
    /// 条文内容.
    #[serde(default)]
    pub text: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct MethodInput {
    /// `abolished`, `data_sharing`, `commitment`, `verification`, `proxy`,
    /// `deficiency_acceptance` or `other`.
    pub method: String,
    /// What the applicant does instead, in plain words.
    #[serde(default)]
    pub citizen_text: String,
    /// 办理指引 / 办事指南.
    #[serde(default)]
    pub guide: String,
    /// For `verification`: `electronic`, `paper_archive`, `incomplete_archive` or `statutory`.
    pub deadline_class: Option<String>,
    /// For `statutory`: the legal time limit, e.g. `20wd` or `30cd`.
    pub statutory_limit: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct ProofItemInput {
    /// The unit that asks for the proof and maintains the item; defaults to the actor's.
    pub owner_org_id: Option<i64>,
    pub name: String,
    /// `county`, `town` or `village`: the implementation list that carries the item.
    pub level: String,
    /// 12-digit code of the list's region (the county, a town or a village).
    pub region_code: String,
    /// `retained` (kept, replaced) or `cancelled` (直接取消).
    pub disposition: String,
    #[serde(default)]
    pub service_item_ids: Vec<i64>,
    #[serde(default)]
    pub legal_basis: Vec<BasisInput>,
    #[serde(default)]
    pub issuer_ids: Vec<i64>,
    /// Defaults to the owner unit.
    #[serde(default)]
    pub requester_ids: Vec<i64>,
    /// 开具单位能够调查核实 (R1.3).
    #[serde(default = "yes")]
    pub issuer_can_verify: bool,
    /// 能够通过事中事后监管纠正且风险可控 (R4.1).
    #[serde(default)]
    pub correctable_afterwards: bool,
    /// Excluded high-risk domains the proof touches (国办发〔2020〕42号), by code.
    #[serde(default)]
    pub risk_domains: Vec<String>,
    #[serde(default)]
    pub methods: Vec<MethodInput>,
    #[serde(default)]
    pub remarks: String,
    /// 证明用途: what the proof is used for (real lists carry it; SPEC "Real lists").
    #[serde(default)]
    pub purpose: String,
    /// 不能实行告知承诺及保留原因, as the list states it.
    #[serde(default)]
    pub no_commitment_reason: String,
}

fn yes() -> bool {
    true
}

/// One legal basis of a proof item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Basis {
    pub kind: BasisKind,
    pub law: String,
    pub article: String,
    pub text: String,
}

/// One replacement method of a proof item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Method {
    pub method: ReplacementMethod,
    pub citizen_text: String,
    pub guide: String,
    /// For verification only: the issuer's default deadline class (A2 §7).
    pub deadline_class: Option<VerificationDeadlineClass>,
}

/// A proof item as drafted: every field of SPEC R1.2, checked.
#[derive(Debug, Clone)]
pub struct ProofItemDraft {
    /// The asking unit; `None`: the actor's own.
    pub owner_org_id: Option<i64>,
    pub name: String,
    pub level: CatalogueLevel,
    pub region_code: String,
    pub disposition: Disposition,
    pub service_item_ids: Vec<i64>,
    pub bases: Vec<Basis>,
    pub issuer_ids: Vec<i64>,
    /// As given; empty means the owner unit alone.
    pub requester_ids: Vec<i64>,
    pub issuer_can_verify: bool,
    pub correctable_afterwards: bool,
    /// Risk domain codes, without repeats.
    pub risk_domains: Vec<String>,
    pub methods: Vec<Method>,
    pub remarks: String,
    pub purpose: String,
    pub no_commitment_reason: String,
    /// What the audit row records: the fields as the user sent them.
    pub(crate) audit_detail: serde_json::Value,
}

impl ProofItemDraft {
    /// R4.1 and 国办发〔2020〕42号: commitment is refused at once, not only at publication,
    /// for an item in a domain the setting in force (`excluded`) bars, or one that cannot be
    /// corrected afterwards.
    pub fn commitment_problem(&self, excluded: &[String]) -> Option<String> {
        if !self
            .methods
            .iter()
            .any(|m| m.method == ReplacementMethod::Commitment)
        {
            return None;
        }
        commitment_refusal(&ItemFacts {
            correctable_afterwards: self.correctable_afterwards,
            risk_domains: self.risk_domains.clone(),
            excluded_domains: excluded.to_vec(),
            ..ItemFacts::default()
        })
    }

    /// The requesting units: those given, or the owner unit.
    pub(crate) fn requesters(&self, owner: i64) -> Vec<i64> {
        if self.requester_ids.is_empty() {
            vec![owner]
        } else {
            self.requester_ids.clone()
        }
    }
}

fn dedup(v: &[i64]) -> Vec<i64> {
    let mut out: Vec<i64> = vec![];
    for x in v {
        if !out.contains(x) {
            out.push(*x);
        }
    }
    out
}

impl ProofItemInput {
    /// Check every field (SPEC R1.2; R4.1 for commitment) and return the typed draft.
    pub fn parse(&self) -> AppResult<ProofItemDraft> {
        let mut p = Problems::default();
        let name = clean_name(&self.name, MAX_NAME_CHARS).unwrap_or_else(|e| {
            p.add("name", format!("证明名称{e}"));
            String::new()
        });
        let level = CatalogueLevel::parse(&self.level);
        if level.is_none() {
            p.add("level", LEVEL_HINT);
        }
        let disposition = Disposition::parse(&self.disposition);
        if disposition.is_none() {
            p.add(
                "disposition",
                "处理结果应为 retained（保留）或 cancelled（取消）",
            );
        }
        self.check_counts(&mut p);
        let bases = parse_bases(&self.legal_basis, &mut p);
        let risk_domains = parse_risk_domains(&self.risk_domains, &mut p);
        let methods = parse_methods(&self.methods, &mut p);
        let remarks = clean_text(&self.remarks, MAX_TEXT_CHARS).unwrap_or_else(|e| {
            p.add("remarks", format!("备注{e}"));
            String::new()
        });
        let purpose = clean_text(&self.purpose, MAX_TEXT_CHARS).unwrap_or_else(|e| {
            p.add("purpose", format!("证明用途{e}"));
            String::new()
        });
        let no_commitment_reason = clean_text(&self.no_commitment_reason, MAX_TEXT_CHARS)
            .unwrap_or_else(|e| {
                p.add("no_commitment_reason", format!("不能实行告知承诺的原因{e}"));
                String::new()
            });
        // P 三(二)3: deficiency acceptance defers the proof, it does not replace it.
        if disposition == Some(Disposition::Retained)
            && let Some(why) =
                deficiency_only_refusal(&methods.iter().map(|m| m.method).collect::<Vec<_>>())
        {
            p.add("methods", why);
        }
        // R4.1 (commitment in an excluded domain) is checked against the setting in force by
        // `ProofItemDraft::commitment_problem` when the draft is written.
        p.into_result()?;
        let (Some(level), Some(disposition)) = (level, disposition) else {
            return Err(AppError::field("level", "层级或处理结果无效"));
        };
        let audit_detail = serde_json::json!({
            "name": name, "level": level.as_str(), "region_code": self.region_code,
            "disposition": disposition.as_str(), "service_item_ids": self.service_item_ids,
            "issuer_ids": self.issuer_ids, "requester_ids": self.requester_ids,
            "legal_basis": self.legal_basis, "methods": self.methods,
            "risk_domains": risk_domains, "issuer_can_verify": self.issuer_can_verify,
            "correctable_afterwards": self.correctable_afterwards,
            "purpose": purpose, "no_commitment_reason": no_commitment_reason,
        });
        Ok(ProofItemDraft {
            owner_org_id: self.owner_org_id,
            name,
            level,
            region_code: self.region_code.trim().to_owned(),
            disposition,
            service_item_ids: dedup(&self.service_item_ids),
            bases,
            issuer_ids: dedup(&self.issuer_ids),
            requester_ids: dedup(&self.requester_ids),
            issuer_can_verify: self.issuer_can_verify,
            correctable_afterwards: self.correctable_afterwards,
            risk_domains,
            methods,
            remarks,
            purpose,
            no_commitment_reason,
            audit_detail,
        })
    }

    fn check_counts(&self, p: &mut Problems) {
        for (field, n) in [
            ("service_item_ids", self.service_item_ids.len()),
            ("legal_basis", self.legal_basis.len()),
            ("issuer_ids", self.issuer_ids.len()),
            ("requester_ids", self.requester_ids.len()),
            ("methods", self.methods.len()),
            ("risk_domains", self.risk_domains.len()),
        ] {
            if n > MAX_LINKS {
                p.add(field, format!("最多 {MAX_LINKS} 项，收到 {n} 项"));
            }
        }
        if self.issuer_ids.is_empty() {
            p.add("issuer_ids", "请至少填写一个开具单位");
        }
    }
}

fn parse_bases(input: &[BasisInput], p: &mut Problems) -> Vec<Basis> {
    let mut bases = vec![];
    for (i, b) in input.iter().enumerate() {
        let kind = BasisKind::parse(&b.kind);
        if kind.is_none() {
            p.add(
                &format!("legal_basis[{i}].kind"),
                format!(
                    "依据类别无效（{}）",
                    BasisKind::ALL
                        .iter()
                        .map(|k| k.label())
                        .collect::<Vec<_>>()
                        .join("、")
                ),
            );
        }
        let law = clean_name(&b.law, 200).unwrap_or_else(|e| {
            p.add(&format!("legal_basis[{i}].law"), format!("法律法规名称{e}"));
            String::new()
        });
        let article = clean_text(&b.article, 200).unwrap_or_else(|e| {
            p.add(&format!("legal_basis[{i}].article"), format!("条款{e}"));
            String::new()
        });
        let text = clean_text(&b.text, MAX_TEXT_CHARS).unwrap_or_else(|e| {
            p.add(&format!("legal_basis[{i}].text"), format!("条文内容{e}"));
            String::new()
        });
        if let Some(kind) = kind {
            bases.push(Basis {
                kind,
                law,
                article,
                text,
            });
        }
    }
    bases
}

fn parse_risk_domains(input: &[String], p: &mut Problems) -> Vec<String> {
    let mut out: Vec<String> = vec![];
    for (i, d) in input.iter().enumerate() {
        match RiskDomain::find(d) {
            Some(r) if !out.iter().any(|c| c == r.code) => out.push(r.code.to_owned()),
            Some(_) => {}
            None => p.add(
                &format!("risk_domains[{i}]"),
                format!("风险领域“{}”无效", d.chars().take(40).collect::<String>()),
            ),
        }
    }
    out
}

fn parse_methods(input: &[MethodInput], p: &mut Problems) -> Vec<Method> {
    let mut methods: Vec<Method> = vec![];
    for (i, m) in input.iter().enumerate() {
        let Some(method) = ReplacementMethod::parse(&m.method) else {
            p.add(
                &format!("methods[{i}].method"),
                "替代取消方式无效（直接取消、数据共享、告知承诺、部门核验、干部代办、容缺受理、其他）",
            );
            continue;
        };
        if methods.iter().any(|x| x.method == method) {
            p.add(
                &format!("methods[{i}].method"),
                format!("替代方式“{}”重复", method.label()),
            );
        }
        let citizen_text = clean_text(&m.citizen_text, MAX_TEXT_CHARS).unwrap_or_else(|e| {
            p.add(
                &format!("methods[{i}].citizen_text"),
                format!("群众须知{e}"),
            );
            String::new()
        });
        let guide = clean_text(&m.guide, MAX_TEXT_CHARS).unwrap_or_else(|e| {
            p.add(&format!("methods[{i}].guide"), format!("办理指引{e}"));
            String::new()
        });
        let deadline_class = deadline_class(i, method, m, p);
        methods.push(Method {
            method,
            citizen_text,
            guide,
            deadline_class,
        });
    }
    methods
}

/// A2 §7: verification names the issuer's deadline class; no other method has one.
fn deadline_class(
    i: usize,
    method: ReplacementMethod,
    m: &MethodInput,
    p: &mut Problems,
) -> Option<VerificationDeadlineClass> {
    let field = format!("methods[{i}].deadline_class");
    match (
        method,
        m.deadline_class.as_deref().filter(|s| !s.trim().is_empty()),
    ) {
        (ReplacementMethod::Verification, Some(c)) => {
            match VerificationDeadlineClass::parse(c, m.statutory_limit.as_deref()) {
                Ok(c) => Some(c),
                Err(e) => {
                    p.add(&field, e);
                    None
                }
            }
        }
        (ReplacementMethod::Verification, None) => {
            p.add(
                &field,
                "部门核验须写明开具单位的默认核验时限类别（电子档案、纸质档案、档案不全或法定程序）",
            );
            None
        }
        (_, Some(_)) => {
            p.add(&field, "只有部门核验需要核验时限类别");
            None
        }
        (_, None) => None,
    }
}

/// The staff list's filter as it arrives (query string).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ItemFilterInput {
    pub stage: Option<String>,
    pub owner_org_id: Option<i64>,
    pub region_code: Option<String>,
}

/// Which proof items to list.
#[derive(Debug, Clone, Default)]
pub struct ItemFilter {
    pub stage: Option<Stage>,
    /// Honoured for county-wide roles; others see their own unit's.
    pub owner_org_id: Option<i64>,
    pub region_code: Option<String>,
}

impl ItemFilterInput {
    pub fn parse(&self) -> AppResult<ItemFilter> {
        let stage = match self.stage.as_deref().filter(|s| !s.is_empty()) {
            Some(s) => Some(Stage::parse(s).ok_or_else(|| AppError::field("stage", "状态无效"))?),
            None => None,
        };
        Ok(ItemFilter {
            stage,
            owner_org_id: self.owner_org_id,
            region_code: self.region_code.clone().filter(|s| !s.is_empty()),
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use proofless_domain::catalogue::Verdict;

    use super::*;

    fn item() -> ProofItemInput {
        ProofItemInput {
            name: "户籍证明".into(),
            level: "county".into(),
            region_code: " 370322000000 ".into(),
            disposition: "retained".into(),
            issuer_ids: vec![3, 3, 4],
            methods: vec![MethodInput {
                method: "部门核验".into(),
                deadline_class: Some("paper_archive".into()),
                ..MethodInput::default()
            }],
            ..ProofItemInput::default()
        }
    }

    #[test]
    fn a_proof_item_parses_into_typed_fields() {
        // SPEC R1.2: every field checked once; A2 §7 deadline class for verification.
        let d = item().parse().unwrap();
        assert_eq!(d.level, CatalogueLevel::County);
        assert_eq!(d.region_code, "370322000000");
        assert_eq!(d.issuer_ids, vec![3, 4]);
        assert_eq!(d.methods[0].method, ReplacementMethod::Verification);
        assert_eq!(
            d.methods[0].deadline_class,
            Some(VerificationDeadlineClass::PaperArchive)
        );
        assert_eq!(d.requesters(9), vec![9]);
    }

    #[test]
    fn every_bad_field_is_named_at_once() {
        let mut i = item();
        i.level = "city".into();
        i.disposition = "kept".into();
        i.issuer_ids.clear();
        let Err(AppError::Validation(v)) = i.parse() else {
            panic!("expected field errors")
        };
        let fields: Vec<_> = v.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["level", "disposition", "issuer_ids"]);
    }

    #[test]
    fn deficiency_acceptance_alone_is_refused_for_a_retained_item() {
        // P 三(二)3: 容缺受理 defers the proof for an immediate case; it does not replace it.
        let mut i = item();
        i.methods = vec![MethodInput {
            method: "容缺受理".into(),
            ..MethodInput::default()
        }];
        let Err(AppError::Validation(v)) = i.parse() else {
            panic!("expected a refusal")
        };
        assert_eq!(v[0].field, "methods");
        assert!(v[0].message.contains("不替代证明"), "{}", v[0].message);
        i.methods.push(MethodInput {
            method: "干部代办".into(),
            ..MethodInput::default()
        });
        assert!(i.parse().is_ok());
    }

    #[test]
    fn a_return_needs_reasons() {
        // SPEC R1.4: an item sent back carries the reasons.
        let r = ReviewInput {
            verdict: "return".into(),
            remarks: " ".into(),
        };
        assert!(r.parse().is_err());
        let r = ReviewInput {
            verdict: "pass".into(),
            remarks: String::new(),
        };
        assert_eq!(r.parse().unwrap().verdict, Verdict::Pass);
    }
}
