//! What the item form holds: the submitted form as it arrives (every value kept as typed,
//! so a bad one comes back with its message instead of losing the form), and the same
//! state from a saved item.

use std::collections::HashMap;

use proofless_app::catalogue::input::{BasisInput, MethodInput, ProofItemInput};
use proofless_app::catalogue::items::ProofItem;
use proofless_app::{Actor, FieldError};
use proofless_domain::catalogue::{
    BasisKind, Disposition, ItemFacts, ReplacementMethod, retention_problems,
};
use serde::Deserialize;

use super::{COUNTY, MAX_ROWS, MIN_BASIS_ROWS, MIN_METHOD_ROWS};

/// The item form as posted. Legal basis and method rows are numbered controls
/// (`lb2_law`, `m0_method`), kept in `rows`; everything is text until [`FormState::parse`].
#[derive(Debug, Default, Deserialize)]
pub struct ItemForm {
    #[serde(default)]
    version: String,
    #[serde(default)]
    owner_org_id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    level: String,
    #[serde(default)]
    region_code: String,
    #[serde(default)]
    disposition: String,
    #[serde(default)]
    service_item_ids: Vec<String>,
    #[serde(default)]
    issuer_ids: Vec<String>,
    #[serde(default)]
    requester_ids: Vec<String>,
    /// A ticked checkbox sends a value; an unticked one sends nothing.
    #[serde(default)]
    issuer_can_verify: String,
    #[serde(default)]
    correctable_afterwards: String,
    #[serde(default)]
    risk_domains: Vec<String>,
    #[serde(default)]
    remarks: String,
    #[serde(default)]
    purpose: String,
    #[serde(default)]
    no_commitment_reason: String,
    /// How many basis and method rows the form showed.
    #[serde(default)]
    basis_rows: String,
    #[serde(default)]
    method_rows: String,
    /// `add_basis` or `add_method`: "再加一行", nothing saved.
    #[serde(default)]
    pub action: String,
    #[serde(flatten)]
    rows: HashMap<String, String>,
}

impl ItemForm {
    fn row(&self, key: &str) -> String {
        self.rows.get(key).cloned().unwrap_or_default()
    }
}

/// What the form holds, from a submission or from a saved item.
#[derive(Clone, Default)]
pub(super) struct FormState {
    pub version: Option<i64>,
    pub owner_org_id: Option<i64>,
    pub name: String,
    pub level: String,
    pub region_code: String,
    pub disposition: String,
    pub service_item_ids: Vec<i64>,
    pub issuer_ids: Vec<i64>,
    pub requester_ids: Vec<i64>,
    pub issuer_can_verify: bool,
    pub correctable_afterwards: bool,
    pub risk_domains: Vec<String>,
    /// kind, law, article, text
    pub bases: Vec<[String; 4]>,
    /// method, citizen_text, guide, deadline_class, statutory_limit
    pub methods: Vec<[String; 5]>,
    pub remarks: String,
    /// 证明用途 and 不能实行告知承诺的原因 (real lists carry them; SPEC "Real lists").
    pub purpose: String,
    pub no_commitment_reason: String,
}

fn ids(values: &[String], key: &str, errors: &mut Vec<FieldError>) -> Vec<i64> {
    let mut out = vec![];
    for v in values.iter().take(MAX_ROWS + 1) {
        match v.trim().parse::<i64>() {
            Ok(id) if !out.contains(&id) => out.push(id),
            Ok(_) => {}
            Err(_) => errors.push(FieldError::new(key, "选项无效，请从列表中选择")),
        }
    }
    out
}

fn row_count(raw: &str, min: usize) -> usize {
    raw.trim()
        .parse::<usize>()
        .unwrap_or(min)
        .clamp(min, MAX_ROWS)
}

impl FormState {
    pub(super) fn blank(actor: &Actor) -> FormState {
        FormState {
            owner_org_id: actor.org_id,
            level: "county".to_owned(),
            region_code: COUNTY.to_owned(),
            disposition: "retained".to_owned(),
            issuer_can_verify: true,
            ..FormState::default()
        }
    }

    /// The submitted form; ill-formed ids become field errors, never a lost form.
    pub(super) fn parse(f: &ItemForm) -> (FormState, Vec<FieldError>) {
        let mut errors = vec![];
        let opt_id = |key: &str, v: &str, errors: &mut Vec<FieldError>| {
            let v = v.trim();
            if v.is_empty() {
                return None;
            }
            match v.parse::<i64>() {
                Ok(n) => Some(n),
                Err(_) => {
                    errors.push(FieldError::new(key, "选项无效，请从列表中选择"));
                    None
                }
            }
        };
        let version = opt_id("version", &f.version, &mut errors);
        let owner_org_id = opt_id("owner_org_id", &f.owner_org_id, &mut errors);
        let n_bases = row_count(&f.basis_rows, MIN_BASIS_ROWS);
        let n_methods = row_count(&f.method_rows, MIN_METHOD_ROWS);
        let bases = (0..n_bases)
            .map(|i| ["kind", "law", "article", "text"].map(|k| f.row(&format!("lb{i}_{k}"))))
            .collect();
        let methods = (0..n_methods)
            .map(|i| {
                [
                    "method",
                    "citizen_text",
                    "guide",
                    "deadline_class",
                    "statutory_limit",
                ]
                .map(|k| f.row(&format!("m{i}_{k}")))
            })
            .collect();
        let mut risk_domains: Vec<String> = vec![];
        for d in f.risk_domains.iter().take(MAX_ROWS + 1) {
            if !risk_domains.contains(d) {
                risk_domains.push(d.clone());
            }
        }
        let s = FormState {
            version,
            owner_org_id,
            name: f.name.clone(),
            level: f.level.clone(),
            region_code: f.region_code.clone(),
            disposition: f.disposition.clone(),
            service_item_ids: ids(&f.service_item_ids, "service_item_ids", &mut errors),
            issuer_ids: ids(&f.issuer_ids, "issuer_ids", &mut errors),
            requester_ids: ids(&f.requester_ids, "requester_ids", &mut errors),
            issuer_can_verify: !f.issuer_can_verify.is_empty(),
            correctable_afterwards: !f.correctable_afterwards.is_empty(),
            risk_domains,
            bases,
            methods,
            remarks: f.remarks.clone(),
            purpose: f.purpose.clone(),
            no_commitment_reason: f.no_commitment_reason.clone(),
        };
        (s, errors)
    }

    pub(super) fn of_item(p: &ProofItem) -> FormState {
        let i = &p.item;
        FormState {
            version: Some(p.version),
            owner_org_id: Some(i.owner_org_id),
            name: i.name.clone(),
            level: i.level.clone(),
            region_code: i.region_code.clone(),
            disposition: i.disposition.clone(),
            service_item_ids: i.service_items.iter().map(|s| s.id).collect(),
            issuer_ids: i.issuer_ids.clone(),
            requester_ids: i.requester_ids.clone(),
            issuer_can_verify: p.issuer_can_verify,
            correctable_afterwards: p.correctable_afterwards,
            risk_domains: p.risk_domains.clone(),
            bases: i
                .legal_basis
                .iter()
                .map(|b| {
                    [
                        b.kind.clone(),
                        b.law.clone(),
                        b.article.clone(),
                        b.text.clone(),
                    ]
                })
                .collect(),
            methods: i
                .methods
                .iter()
                .map(|m| {
                    let class = m.deadline_class.clone().unwrap_or_default();
                    let limit = if class == "statutory" {
                        m.deadline_period.clone().unwrap_or_default()
                    } else {
                        String::new()
                    };
                    [
                        m.method.clone(),
                        m.citizen_text.clone(),
                        m.guide.clone(),
                        class,
                        limit,
                    ]
                })
                .collect(),
            remarks: i.remarks.clone(),
            purpose: i.purpose.clone(),
            no_commitment_reason: i.no_commitment_reason.clone(),
        }
    }

    /// The service input, with the form row each legal basis and method came from
    /// (empty rows are left out).
    pub(super) fn input(&self) -> (ProofItemInput, Vec<usize>, Vec<usize>) {
        let blank = |s: &String| s.trim().is_empty();
        let mut basis_rows = vec![];
        let mut legal_basis = vec![];
        for (i, b) in self.bases.iter().enumerate() {
            if b.iter().all(blank) {
                continue;
            }
            basis_rows.push(i);
            legal_basis.push(BasisInput {
                kind: b[0].clone(),
                law: b[1].clone(),
                article: b[2].clone(),
                text: b[3].clone(),
            });
        }
        let mut method_rows = vec![];
        let mut methods = vec![];
        for (i, m) in self.methods.iter().enumerate() {
            if m.iter().all(blank) {
                continue;
            }
            method_rows.push(i);
            let opt = |s: &String| Some(s.clone()).filter(|s| !s.trim().is_empty());
            methods.push(MethodInput {
                method: m[0].clone(),
                citizen_text: m[1].clone(),
                guide: m[2].clone(),
                deadline_class: opt(&m[3]),
                statutory_limit: opt(&m[4]),
            });
        }
        let input = ProofItemInput {
            owner_org_id: self.owner_org_id,
            name: self.name.clone(),
            level: self.level.clone(),
            region_code: self.region_code.clone(),
            disposition: self.disposition.clone(),
            service_item_ids: self.service_item_ids.clone(),
            legal_basis,
            issuer_ids: self.issuer_ids.clone(),
            requester_ids: self.requester_ids.clone(),
            issuer_can_verify: self.issuer_can_verify,
            correctable_afterwards: self.correctable_afterwards,
            risk_domains: self.risk_domains.clone(),
            methods,
            remarks: self.remarks.clone(),
            purpose: self.purpose.clone(),
            no_commitment_reason: self.no_commitment_reason.clone(),
        };
        (input, basis_rows, method_rows)
    }

    /// R1.3 and R4.1 as they stand for what the form holds (a proposal, not a refusal).
    pub(super) fn blocking(&self, excluded_domains: &[String]) -> Vec<String> {
        let (input, _, _) = self.input();
        let facts = ItemFacts {
            disposition: Disposition::parse(&input.disposition),
            basis_kinds: input
                .legal_basis
                .iter()
                .filter_map(|b| BasisKind::parse(&b.kind))
                .collect(),
            issuer_can_verify: input.issuer_can_verify,
            correctable_afterwards: input.correctable_afterwards,
            risk_domains: input.risk_domains.clone(),
            excluded_domains: excluded_domains.to_vec(),
            methods: input
                .methods
                .iter()
                .filter_map(|m| ReplacementMethod::parse(&m.method))
                .collect(),
            service_items: input.service_item_ids.len(),
        };
        retention_problems(&facts)
            .into_iter()
            .map(|(_, m)| m)
            .collect()
    }
}
