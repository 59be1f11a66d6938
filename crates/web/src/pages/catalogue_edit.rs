//! The unit admin's proof item form (every field of SPEC R1.2) and the `.xlsx` import page
//! (issue #3 §7). Plain HTML forms without JavaScript: a validation error or a stale version
//! brings the form back with everything the user typed and each Chinese message next to its
//! field; "再加一行" is a submit button that adds an empty row without saving.

use std::collections::HashMap;

use askama::Template;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use proofless_app::catalogue::import::{self, ImportedItem};
use proofless_app::catalogue::items::{self, BasisInput, MethodInput, ProofItem, ProofItemInput};
use proofless_app::catalogue::{services, xlsx};
use proofless_app::orgs::{self, OrgFilter};
use proofless_app::page::PageRequest;
use proofless_app::{Actor, AppError, FieldError};
use proofless_domain::catalogue::{
    BasisKind, CatalogueLevel, Disposition, EXCLUDED_RISK_DOMAINS, ItemFacts, ReplacementMethod,
    Stage, retention_problems,
};
use proofless_domain::role::Role;
use serde::Deserialize;

use super::session::{page_error, require_staff};
use super::{FormData, Layout, render};
use crate::AppState;
use crate::ctx::Ctx;

/// Rows of legal bases and replacement methods shown at least, and at most.
const MIN_BASIS_ROWS: usize = 3;
const MIN_METHOD_ROWS: usize = 2;
const MAX_ROWS: usize = items::MAX_LINKS;
const COUNTY: &str = "370322000000";

const EDITORS: [Role; 3] = [Role::UnitAdmin, Role::JointOffice, Role::SystemAdmin];

/// An option of a select, a checkbox or a radio.
pub struct Opt {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// Checkboxes under one heading (a region's units, a unit's service items).
pub struct Group {
    pub label: String,
    pub open: bool,
    pub opts: Vec<Opt>,
}

pub struct BasisRow {
    pub idx: usize,
    pub kinds: Vec<Opt>,
    pub law: String,
    pub article: String,
    pub text: String,
    pub kind_err: String,
    pub law_err: String,
    pub article_err: String,
    pub text_err: String,
}

pub struct MethodRow {
    pub idx: usize,
    pub methods: Vec<Opt>,
    pub classes: Vec<Opt>,
    pub citizen_text: String,
    pub guide: String,
    pub statutory_limit: String,
    pub method_err: String,
    pub citizen_text_err: String,
    pub guide_err: String,
    pub class_err: String,
}

/// What the form holds, from a submission or from a saved item.
#[derive(Clone, Default)]
struct FormState {
    version: Option<i64>,
    owner_org_id: Option<i64>,
    name: String,
    level: String,
    region_code: String,
    disposition: String,
    service_item_ids: Vec<i64>,
    issuer_ids: Vec<i64>,
    requester_ids: Vec<i64>,
    issuer_can_verify: bool,
    correctable_afterwards: bool,
    risk_domains: Vec<String>,
    /// kind, law, article, text
    bases: Vec<[String; 4]>,
    /// method, citizen_text, guide, deadline_class, statutory_limit
    methods: Vec<[String; 5]>,
    remarks: String,
}

fn ids(f: &FormData, key: &str, errors: &mut Vec<FieldError>) -> Vec<i64> {
    let mut out = vec![];
    for v in f.all(key).into_iter().take(MAX_ROWS + 1) {
        match v.trim().parse::<i64>() {
            Ok(id) if !out.contains(&id) => out.push(id),
            Ok(_) => {}
            Err(_) => errors.push(FieldError::new(key, "选项无效，请从列表中选择")),
        }
    }
    out
}

fn row_count(f: &FormData, key: &str, min: usize) -> usize {
    f.get(key)
        .trim()
        .parse::<usize>()
        .unwrap_or(min)
        .clamp(min, MAX_ROWS)
}

impl FormState {
    fn blank(actor: &Actor) -> FormState {
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
    fn parse(f: &FormData) -> (FormState, Vec<FieldError>) {
        let mut errors = vec![];
        let opt_id = |key: &str, errors: &mut Vec<FieldError>| {
            let v = f.get(key);
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
        let version = opt_id("version", &mut errors);
        let owner_org_id = opt_id("owner_org_id", &mut errors);
        let n_bases = row_count(f, "basis_rows", MIN_BASIS_ROWS);
        let n_methods = row_count(f, "method_rows", MIN_METHOD_ROWS);
        let bases = (0..n_bases)
            .map(|i| ["kind", "law", "article", "text"].map(|k| f.get(&format!("lb{i}_{k}"))))
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
                .map(|k| f.get(&format!("m{i}_{k}")))
            })
            .collect();
        let mut risk_domains: Vec<String> = vec![];
        for d in f.all("risk_domains").into_iter().take(MAX_ROWS + 1) {
            if !risk_domains.contains(&d) {
                risk_domains.push(d);
            }
        }
        let s = FormState {
            version,
            owner_org_id,
            name: f.get("name"),
            level: f.get("level"),
            region_code: f.get("region_code"),
            disposition: f.get("disposition"),
            service_item_ids: ids(f, "service_item_ids", &mut errors),
            issuer_ids: ids(f, "issuer_ids", &mut errors),
            requester_ids: ids(f, "requester_ids", &mut errors),
            issuer_can_verify: !f.get("issuer_can_verify").is_empty(),
            correctable_afterwards: !f.get("correctable_afterwards").is_empty(),
            risk_domains,
            bases,
            methods,
            remarks: f.get("remarks"),
        };
        (s, errors)
    }

    fn of_item(p: &ProofItem) -> FormState {
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
        }
    }

    /// The service input, with the form row each legal basis and method came from
    /// (empty rows are left out).
    fn input(&self) -> (ProofItemInput, Vec<usize>, Vec<usize>) {
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
        };
        (input, basis_rows, method_rows)
    }

    /// R1.3 and R4.1 as they stand for what the form holds (a proposal, not a refusal).
    fn blocking(&self) -> Vec<String> {
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
            methods: input
                .methods
                .iter()
                .filter_map(|m| ReplacementMethod::parse(&m.method))
                .collect(),
        };
        retention_problems(&facts)
            .into_iter()
            .map(|(_, m)| m)
            .collect()
    }
}

/// Service errors keyed by the form control they belong to (`lb2_law`, `m0_method`…).
struct Errors(HashMap<String, Vec<String>>);

impl Errors {
    fn new(list: &[FieldError], basis_rows: &[usize], method_rows: &[usize]) -> Errors {
        let mut map: HashMap<String, Vec<String>> = HashMap::new();
        for e in list {
            let key = form_key(&e.field, basis_rows, method_rows);
            map.entry(key).or_default().push(e.message.clone());
        }
        Errors(map)
    }

    fn take(&mut self, key: &str) -> String {
        self.0.remove(key).map(|v| v.join("；")).unwrap_or_default()
    }
}

fn form_key(field: &str, basis_rows: &[usize], method_rows: &[usize]) -> String {
    let indexed = |prefix: &str, rows: &[usize], short: &str| -> Option<String> {
        let rest = field.strip_prefix(prefix)?.strip_prefix('[')?;
        let (n, tail) = rest.split_once(']')?;
        let j: usize = n.parse().ok()?;
        let row = *rows.get(j)?;
        let sub = tail.strip_prefix('.').unwrap_or("");
        if sub.is_empty() {
            return Some(prefix.to_owned());
        }
        Some(format!("{short}{row}_{sub}"))
    };
    if let Some(k) = indexed("legal_basis", basis_rows, "lb") {
        return k;
    }
    if let Some(k) = indexed("methods", method_rows, "m") {
        return k;
    }
    if field.starts_with("risk_domains") {
        return "risk_domains".to_owned();
    }
    field.to_owned()
}

#[derive(Template)]
#[template(path = "catalogue_item_form.html")]
struct ItemFormPage {
    layout: Layout,
    heading: String,
    action: String,
    item_id: Option<i64>,
    stage: String,
    stage_label: String,
    editable: bool,
    message: String,
    error: String,
    /// (control id, message) for the summary at the top.
    summary: Vec<(String, String)>,
    version: String,
    owner_name: String,
    owner_opts: Vec<Opt>,
    owner_err: String,
    name: String,
    name_err: String,
    levels: Vec<Opt>,
    level_err: String,
    regions: Vec<Group>,
    region_err: String,
    dispositions: Vec<Opt>,
    disposition_err: String,
    services: Vec<Group>,
    service_err: String,
    basis_rows: Vec<BasisRow>,
    basis_err: String,
    issuers: Vec<Group>,
    issuer_err: String,
    requesters: Vec<Group>,
    requester_err: String,
    issuer_can_verify: bool,
    icv_err: String,
    correctable_afterwards: bool,
    ca_err: String,
    risks: Vec<Opt>,
    risk_err: String,
    method_rows: Vec<MethodRow>,
    methods_err: String,
    remarks: String,
    remarks_err: String,
    blocking: Vec<String>,
    flags: Vec<String>,
    review_remarks: String,
    published_note: bool,
}

/// The lists the form chooses from: regions, units and service items.
struct Choices {
    regions: Vec<(String, String, String, Option<String>)>,
    /// (id, name, region name)
    orgs: Vec<(i64, String, String)>,
    /// (id, name, code, unit name)
    services: Vec<(i64, String, String, String)>,
}

async fn choices(s: &AppState, actor: &Actor) -> Result<Choices, AppError> {
    let regions = proofless_app::regions::list(&s.app, None, None)
        .await?
        .into_iter()
        .filter(|r| {
            r.code.starts_with("370322")
                && matches!(r.level.as_str(), "county" | "town" | "village")
        })
        .map(|r| (r.code, r.name, r.level, r.parent_code))
        .collect();
    let orgs = orgs::list(
        &s.app,
        actor,
        &OrgFilter {
            region: Some(COUNTY.to_owned()),
            ..OrgFilter::default()
        },
        PageRequest {
            limit: Some(500),
            offset: None,
        },
    )
    .await?
    .items
    .into_iter()
    .map(|o| (o.id, o.name, o.region_name))
    .collect();
    let services = services::list(&s.app, actor, None)
        .await?
        .into_iter()
        .map(|x| (x.id, x.name, x.code, x.org_name))
        .collect();
    Ok(Choices {
        regions,
        orgs,
        services,
    })
}

fn vocab<T: Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
    current: &str,
) -> Vec<Opt> {
    all.iter()
        .map(|v| Opt {
            value: code(*v).to_owned(),
            label: label(*v).to_owned(),
            selected: code(*v) == current.trim() || label(*v) == current.trim(),
        })
        .collect()
}

fn with_blank(mut v: Vec<Opt>, label: &str) -> Vec<Opt> {
    let none = !v.iter().any(|o| o.selected);
    v.insert(
        0,
        Opt {
            value: String::new(),
            label: label.to_owned(),
            selected: none,
        },
    );
    v
}

fn org_groups(orgs: &[(i64, String, String)], checked: &[i64]) -> Vec<Group> {
    let mut groups: Vec<Group> = vec![];
    for (id, name, region) in orgs {
        let opt = Opt {
            value: id.to_string(),
            label: name.clone(),
            selected: checked.contains(id),
        };
        match groups.iter_mut().find(|g| &g.label == region) {
            Some(g) => g.opts.push(opt),
            None => groups.push(Group {
                label: region.clone(),
                open: false,
                opts: vec![opt],
            }),
        }
    }
    let first = groups.first().map(|g| g.label.clone());
    for g in &mut groups {
        // The county's own units and any group with a ticked unit start open.
        g.open = g.opts.iter().any(|o| o.selected) || Some(&g.label) == first.as_ref();
    }
    groups
}

fn service_groups(services: &[(i64, String, String, String)], checked: &[i64]) -> Vec<Group> {
    let mut groups: Vec<Group> = vec![];
    for (id, name, code, org) in services {
        let opt = Opt {
            value: id.to_string(),
            label: format!("{name}（{code}）"),
            selected: checked.contains(id),
        };
        match groups.iter_mut().find(|g| &g.label == org) {
            Some(g) => g.opts.push(opt),
            None => groups.push(Group {
                label: org.clone(),
                open: false,
                opts: vec![opt],
            }),
        }
    }
    let single = groups.len() == 1;
    for g in &mut groups {
        g.open = single || g.opts.iter().any(|o| o.selected);
    }
    groups
}

fn region_groups(
    regions: &[(String, String, String, Option<String>)],
    current: &str,
) -> Vec<Group> {
    let mut groups: Vec<Group> = vec![];
    let opt = |code: &str, label: String| Opt {
        value: code.to_owned(),
        label,
        selected: code == current.trim(),
    };
    for (code, name, level, _) in regions {
        match level.as_str() {
            "county" => groups.push(Group {
                label: "县级清单".to_owned(),
                open: true,
                opts: vec![opt(code, format!("{name}（县级）"))],
            }),
            "town" => {
                let mut g = Group {
                    label: format!("{name}及所辖村（社区）"),
                    open: true,
                    opts: vec![opt(code, format!("{name}（镇级）"))],
                };
                for (vcode, vname, vlevel, parent) in regions {
                    if vlevel == "village" && parent.as_deref() == Some(code.as_str()) {
                        g.opts.push(opt(vcode, format!("{vname}（村级）")));
                    }
                }
                groups.push(g);
            }
            _ => {}
        }
    }
    groups
}

struct FormCtx<'a> {
    heading: String,
    action: String,
    item: Option<&'a ProofItem>,
    message: String,
    error: String,
    show_blocking: bool,
}

fn form_page(
    ctx: &Ctx,
    c: &Choices,
    st: &FormState,
    errors: &[FieldError],
    fc: FormCtx<'_>,
) -> ItemFormPage {
    let (_, basis_map, method_map) = st.input();
    let mut errs = Errors::new(errors, &basis_map, &method_map);
    let mut summary = vec![];
    for e in errors {
        let key = form_key(&e.field, &basis_map, &method_map);
        let anchor = match key.as_str() {
            "service_item_ids" | "issuer_ids" | "requester_ids" | "risk_domains"
            | "legal_basis" | "methods" => format!("{key}-group"),
            "region_code"
            | "level"
            | "name"
            | "disposition"
            | "remarks"
            | "owner_org_id"
            | "issuer_can_verify"
            | "correctable_afterwards" => key.clone(),
            k if k.starts_with("lb") || k.starts_with("m") => key.clone(),
            _ => String::new(),
        };
        summary.push((anchor, e.message.clone()));
    }
    let n_bases = st.bases.len().clamp(MIN_BASIS_ROWS, MAX_ROWS);
    let basis_rows = (0..n_bases)
        .map(|i| {
            let b = st.bases.get(i).cloned().unwrap_or_default();
            BasisRow {
                idx: i,
                kinds: with_blank(
                    vocab(BasisKind::ALL, BasisKind::as_str, BasisKind::label, &b[0]),
                    "请选择类别",
                ),
                law: b[1].clone(),
                article: b[2].clone(),
                text: b[3].clone(),
                kind_err: errs.take(&format!("lb{i}_kind")),
                law_err: errs.take(&format!("lb{i}_law")),
                article_err: errs.take(&format!("lb{i}_article")),
                text_err: errs.take(&format!("lb{i}_text")),
            }
        })
        .collect();
    let n_methods = st.methods.len().clamp(MIN_METHOD_ROWS, MAX_ROWS);
    let method_rows = (0..n_methods)
        .map(|i| {
            let m = st.methods.get(i).cloned().unwrap_or_default();
            let classes = [
                ("electronic", "电子档案（30分钟）"),
                ("paper_archive", "纸质档案（1个工作日）"),
                ("incomplete_archive", "档案不全（2个工作日）"),
                ("statutory", "法定程序（填写法定时限）"),
            ]
            .iter()
            .map(|(v, l)| Opt {
                value: (*v).to_owned(),
                label: (*l).to_owned(),
                selected: *v == m[3].trim(),
            })
            .collect();
            MethodRow {
                idx: i,
                methods: with_blank(
                    vocab(
                        ReplacementMethod::ALL,
                        ReplacementMethod::as_str,
                        ReplacementMethod::label,
                        &m[0],
                    ),
                    "请选择方式",
                ),
                classes: with_blank(classes, "不适用（非部门核验）"),
                citizen_text: m[1].clone(),
                guide: m[2].clone(),
                statutory_limit: m[4].clone(),
                method_err: errs.take(&format!("m{i}_method")),
                citizen_text_err: errs.take(&format!("m{i}_citizen_text")),
                guide_err: errs.take(&format!("m{i}_guide")),
                class_err: {
                    let a = errs.take(&format!("m{i}_deadline_class"));
                    let b = errs.take(&format!("m{i}_statutory_limit"));
                    [a, b]
                        .into_iter()
                        .filter(|s| !s.is_empty())
                        .collect::<Vec<_>>()
                        .join("；")
                },
            }
        })
        .collect();
    let owner_name = st
        .owner_org_id
        .and_then(|id| c.orgs.iter().find(|o| o.0 == id).map(|o| o.1.clone()))
        .or_else(|| fc.item.map(|i| i.item.owner_org_name.clone()))
        .unwrap_or_default();
    // Only the joint office (or the system admin) chooses the unit, and only for a new item.
    let owner_opts =
        if fc.item.is_none() && ctx.actor.has_any(&[Role::JointOffice, Role::SystemAdmin]) {
            with_blank(
                c.orgs
                    .iter()
                    .map(|(id, name, region)| Opt {
                        value: id.to_string(),
                        label: format!("{name}（{region}）"),
                        selected: st.owner_org_id == Some(*id),
                    })
                    .collect(),
                "请选择索要单位",
            )
        } else {
            vec![]
        };
    let (stage, stage_label, editable, flags, review_remarks, published_note) = match fc.item {
        Some(p) => {
            let stage = Stage::parse(&p.stage).unwrap_or(Stage::Draft);
            (
                p.stage.clone(),
                p.stage_label.clone(),
                stage.editable(),
                p.flags.clone(),
                p.last_review
                    .as_ref()
                    .filter(|r| r.verdict == "return")
                    .map(|r| r.remarks.clone())
                    .unwrap_or_default(),
                stage == Stage::Reviewed,
            )
        }
        None => (
            String::new(),
            String::new(),
            true,
            vec![],
            String::new(),
            false,
        ),
    };
    let mut page = ItemFormPage {
        layout: Layout::new(&fc.heading, ctx, "/catalogue/items"),
        heading: fc.heading,
        action: fc.action,
        item_id: fc.item.map(|p| p.id),
        stage,
        stage_label,
        editable,
        message: fc.message,
        error: fc.error,
        summary,
        version: st.version.map(|v| v.to_string()).unwrap_or_default(),
        owner_name,
        owner_opts,
        owner_err: errs.take("owner_org_id"),
        name: st.name.clone(),
        name_err: errs.take("name"),
        levels: vocab(
            CatalogueLevel::ALL,
            CatalogueLevel::as_str,
            CatalogueLevel::label,
            &st.level,
        ),
        level_err: errs.take("level"),
        regions: region_groups(&c.regions, &st.region_code),
        region_err: errs.take("region_code"),
        dispositions: vocab(
            Disposition::ALL,
            Disposition::as_str,
            Disposition::label,
            &st.disposition,
        ),
        disposition_err: errs.take("disposition"),
        services: service_groups(&c.services, &st.service_item_ids),
        service_err: errs.take("service_item_ids"),
        basis_rows,
        basis_err: errs.take("legal_basis"),
        issuers: org_groups(&c.orgs, &st.issuer_ids),
        issuer_err: errs.take("issuer_ids"),
        requesters: org_groups(&c.orgs, &st.requester_ids),
        requester_err: errs.take("requester_ids"),
        issuer_can_verify: st.issuer_can_verify,
        icv_err: errs.take("issuer_can_verify"),
        correctable_afterwards: st.correctable_afterwards,
        ca_err: errs.take("correctable_afterwards"),
        risks: EXCLUDED_RISK_DOMAINS
            .iter()
            .map(|d| Opt {
                value: d.code.to_owned(),
                label: d.label.to_owned(),
                selected: st.risk_domains.iter().any(|r| r == d.code),
            })
            .collect(),
        risk_err: errs.take("risk_domains"),
        method_rows,
        methods_err: errs.take("methods"),
        remarks: st.remarks.clone(),
        remarks_err: errs.take("remarks"),
        blocking: if fc.show_blocking {
            st.blocking()
        } else {
            vec![]
        },
        flags,
        review_remarks,
        published_note,
    };
    // Whatever field no control shows goes to the alert at the top.
    let rest: Vec<String> = errs.0.into_values().flatten().collect();
    if !rest.is_empty() {
        if !page.error.is_empty() {
            page.error.push('；');
        }
        page.error.push_str(&rest.join("；"));
    }
    page
}

fn require_editor(ctx: &Ctx) -> Result<(), AppError> {
    require_staff(ctx)?;
    ctx.actor.require_any(&EDITORS)
}

#[derive(Deserialize, Default)]
pub struct Msg {
    msg: Option<String>,
}

/// `GET /catalogue/items/new`: the empty form.
pub async fn new_page(State(s): State<AppState>, ctx: Ctx) -> Response {
    if let Err(e) = require_editor(&ctx) {
        return page_error(&ctx, e, "/workbench");
    }
    let c = match choices(&s, &ctx.actor).await {
        Ok(c) => c,
        Err(e) => return page_error(&ctx, e, "/catalogue/items"),
    };
    let st = FormState::blank(&ctx.actor);
    let fc = FormCtx {
        heading: "新增证明事项".to_owned(),
        action: "/catalogue/items/new".to_owned(),
        item: None,
        message: String::new(),
        error: String::new(),
        show_blocking: false,
    };
    render(StatusCode::OK, &form_page(&ctx, &c, &st, &[], fc))
}

/// "再加一行": one more empty row of legal bases or methods, nothing saved.
fn add_row(st: &mut FormState, action: &str) -> bool {
    match action {
        "add_basis" => {
            while st.bases.len() < MIN_BASIS_ROWS {
                st.bases.push(Default::default());
            }
            if st.bases.len() < MAX_ROWS {
                st.bases.push(Default::default());
            }
            true
        }
        "add_method" => {
            while st.methods.len() < MIN_METHOD_ROWS {
                st.methods.push(Default::default());
            }
            if st.methods.len() < MAX_ROWS {
                st.methods.push(Default::default());
            }
            true
        }
        _ => false,
    }
}

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn validation(e: AppError) -> Result<Vec<FieldError>, AppError> {
    match e {
        AppError::Validation(v) => Ok(v),
        other => Err(other),
    }
}

/// `POST /catalogue/items/new`: save a draft, or bring the form back with every value.
pub async fn create_submit(State(s): State<AppState>, ctx: Ctx, body: Bytes) -> Response {
    if let Err(e) = require_editor(&ctx) {
        return page_error(&ctx, e, "/workbench");
    }
    let f = FormData::parse(&body);
    let (mut st, parse_errors) = FormState::parse(&f);
    if !ctx.actor.has_any(&[Role::JointOffice, Role::SystemAdmin]) {
        st.owner_org_id = ctx.actor.org_id;
    }
    let c = match choices(&s, &ctx.actor).await {
        Ok(c) => c,
        Err(e) => return page_error(&ctx, e, "/catalogue/items"),
    };
    let fc = |error: String, show_blocking: bool| FormCtx {
        heading: "新增证明事项".to_owned(),
        action: "/catalogue/items/new".to_owned(),
        item: None,
        message: String::new(),
        error,
        show_blocking,
    };
    if add_row(&mut st, &f.get("action")) {
        return render(
            StatusCode::OK,
            &form_page(&ctx, &c, &st, &parse_errors, fc(String::new(), false)),
        );
    }
    if !parse_errors.is_empty() {
        return render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &form_page(&ctx, &c, &st, &parse_errors, fc(String::new(), true)),
        );
    }
    let (input, _, _) = st.input();
    match items::create(&s.app, &ctx.actor, &input).await {
        Ok(item) => Redirect::to(&format!(
            "/catalogue/items/{}/edit?msg={}",
            item.id,
            enc("已保存为草稿")
        ))
        .into_response(),
        Err(e) => match validation(e) {
            Ok(list) => render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &form_page(
                    &ctx,
                    &c,
                    &st,
                    &list,
                    fc(
                        "请按提示修改后重新保存，您填写的内容都已保留。".to_owned(),
                        true,
                    ),
                ),
            ),
            Err(e @ (AppError::Forbidden(_) | AppError::Unauthenticated)) => {
                page_error(&ctx, e, "/catalogue/items")
            }
            Err(e) => {
                let api = crate::error::ApiError::from(e);
                render(
                    api.status,
                    &form_page(&ctx, &c, &st, &[], fc(api.detail, true)),
                )
            }
        },
    }
}

/// `GET /catalogue/items/{id}/edit`: the saved item in the form, with what blocks it.
pub async fn edit_page(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(m): Query<Msg>,
) -> Response {
    if let Err(e) = require_editor(&ctx) {
        return page_error(&ctx, e, "/workbench");
    }
    let item = match items::get(&s.app, &ctx.actor, id).await {
        Ok(i) => i,
        Err(e) => return page_error(&ctx, e, "/catalogue/items"),
    };
    let c = match choices(&s, &ctx.actor).await {
        Ok(c) => c,
        Err(e) => return page_error(&ctx, e, "/catalogue/items"),
    };
    let st = FormState::of_item(&item);
    let fc = FormCtx {
        heading: format!("编辑证明事项：{}", item.item.name),
        action: format!("/catalogue/items/{id}/edit"),
        item: Some(&item),
        message: m.msg.unwrap_or_default(),
        error: String::new(),
        show_blocking: true,
    };
    render(StatusCode::OK, &form_page(&ctx, &c, &st, &[], fc))
}

/// `POST /catalogue/items/{id}/edit`: save against the version the form was read at.
pub async fn edit_submit(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Bytes,
) -> Response {
    if let Err(e) = require_editor(&ctx) {
        return page_error(&ctx, e, "/workbench");
    }
    let item = match items::get(&s.app, &ctx.actor, id).await {
        Ok(i) => i,
        Err(e) => return page_error(&ctx, e, "/catalogue/items"),
    };
    let f = FormData::parse(&body);
    let (mut st, mut parse_errors) = FormState::parse(&f);
    // The unit is not changed through the form.
    st.owner_org_id = Some(item.item.owner_org_id);
    let c = match choices(&s, &ctx.actor).await {
        Ok(c) => c,
        Err(e) => return page_error(&ctx, e, "/catalogue/items"),
    };
    let heading = format!("编辑证明事项：{}", item.item.name);
    let page = |st: &FormState,
                item: &ProofItem,
                errors: &[FieldError],
                error: String,
                show_blocking: bool| {
        form_page(
            &ctx,
            &c,
            st,
            errors,
            FormCtx {
                heading: heading.clone(),
                action: format!("/catalogue/items/{id}/edit"),
                item: Some(item),
                message: String::new(),
                error,
                show_blocking,
            },
        )
    };
    if add_row(&mut st, &f.get("action")) {
        return render(
            StatusCode::OK,
            &page(&st, &item, &parse_errors, String::new(), false),
        );
    }
    let Some(version) = st.version else {
        parse_errors.push(FieldError::new(
            "version",
            "表单缺少版本号，请重新打开编辑页面",
        ));
        return render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &page(&st, &item, &parse_errors, String::new(), true),
        );
    };
    if !parse_errors.is_empty() {
        return render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &page(&st, &item, &parse_errors, String::new(), true),
        );
    }
    let (input, _, _) = st.input();
    match items::update(&s.app, &ctx.actor, id, Some(version), &input).await {
        Ok(saved) => Redirect::to(&format!(
            "/catalogue/items/{}/edit?msg={}",
            saved.id,
            enc(&format!("已保存（第 {} 版）", saved.version))
        ))
        .into_response(),
        Err(AppError::PreconditionFailed) => {
            // Someone saved in between: say so, keep the user's input, and let a second
            // deliberate save replace the newer version.
            let current = items::get(&s.app, &ctx.actor, id).await.unwrap_or(item);
            let msg = format!(
                "此事项已被他人修改：您打开的是第 {version} 版，现在是第 {} 版。您填写的内容保留在下方，未保存；请核对后再次保存（将覆盖对方的修改），或重新打开页面查看最新内容。",
                current.version
            );
            st.version = Some(current.version);
            render(StatusCode::CONFLICT, &page(&st, &current, &[], msg, true))
        }
        Err(e) => match validation(e) {
            Ok(list) => render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &page(
                    &st,
                    &item,
                    &list,
                    "请按提示修改后重新保存，您填写的内容都已保留。".to_owned(),
                    true,
                ),
            ),
            Err(
                e @ (AppError::Forbidden(_) | AppError::Unauthenticated | AppError::NotFound(_)),
            ) => page_error(&ctx, e, "/catalogue/items"),
            Err(e) => {
                let api = crate::error::ApiError::from(e);
                render(api.status, &page(&st, &item, &[], api.detail, true))
            }
        },
    }
}

// ---- spreadsheet import ----

pub struct RowProblem {
    pub row: String,
    pub column: String,
    pub message: String,
}

pub struct ImportResult {
    /// Whether anything was written.
    pub written: bool,
    pub sheet: String,
    pub created: Vec<ImportedItem>,
    pub service_items_created: usize,
    pub problems: Vec<RowProblem>,
}

#[derive(Template)]
#[template(path = "catalogue_import.html")]
struct ImportPage {
    layout: Layout,
    error: String,
    owner_opts: Vec<Opt>,
    owner_err: String,
    good_rows: bool,
    max_kb: usize,
    result: Option<ImportResult>,
}

fn problem(e: &FieldError) -> RowProblem {
    // `rows[5].开具单位` with "第 5 行“开具单位”：…"; anything else is about the file.
    if let Some(rest) = e.field.strip_prefix("rows[")
        && let Some((n, col)) = rest.split_once("].")
    {
        let prefix = format!("第 {n} 行“{col}”：");
        return RowProblem {
            row: n.to_owned(),
            column: col.to_owned(),
            message: e
                .message
                .strip_prefix(&prefix)
                .unwrap_or(&e.message)
                .to_owned(),
        };
    }
    RowProblem {
        row: "—".to_owned(),
        column: match e.field.as_str() {
            "file" => "文件".to_owned(),
            "owner_org_id" => "索要单位".to_owned(),
            other => other.to_owned(),
        },
        message: e.message.clone(),
    }
}

async fn import_page_for(
    s: &AppState,
    ctx: &Ctx,
    owner: Option<i64>,
    good_rows: bool,
    error: String,
    owner_err: String,
    result: Option<ImportResult>,
) -> ImportPage {
    let owner_opts = if ctx.actor.has_any(&[Role::JointOffice, Role::SystemAdmin]) {
        let orgs = orgs::list(
            &s.app,
            &ctx.actor,
            &OrgFilter {
                region: Some(COUNTY.to_owned()),
                ..OrgFilter::default()
            },
            PageRequest {
                limit: Some(500),
                offset: None,
            },
        )
        .await
        .map(|p| p.items)
        .unwrap_or_default();
        with_blank(
            orgs.into_iter()
                .map(|o| Opt {
                    selected: owner == Some(o.id),
                    value: o.id.to_string(),
                    label: format!("{}（{}）", o.name, o.region_name),
                })
                .collect(),
            "请选择索要单位",
        )
    } else {
        vec![]
    };
    ImportPage {
        layout: Layout::new("导入证明事项", ctx, "/catalogue/items"),
        error,
        owner_opts,
        owner_err,
        good_rows,
        max_kb: import::MAX_BYTES / 1024,
        result,
    }
}

/// `GET /catalogue/import`: the upload form.
pub async fn import_page(State(s): State<AppState>, ctx: Ctx) -> Response {
    if let Err(e) = require_editor(&ctx) {
        return page_error(&ctx, e, "/workbench");
    }
    let p = import_page_for(&s, &ctx, None, false, String::new(), String::new(), None).await;
    render(StatusCode::OK, &p)
}

/// One part of a `multipart/form-data` body.
struct Part {
    name: String,
    file: bool,
    data: Vec<u8>,
}

fn multipart(headers: &HeaderMap, body: &[u8]) -> Result<Vec<Part>, String> {
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !ct.starts_with("multipart/form-data") {
        return Err("请通过页面上的表单上传文件".to_owned());
    }
    let boundary = ct
        .split(';')
        .filter_map(|p| p.trim().strip_prefix("boundary="))
        .next()
        .map(|b| b.trim_matches('"').to_owned())
        .filter(|b| !b.is_empty())
        .ok_or("上传请求缺少分隔标记（boundary）")?;
    let delim = format!("--{boundary}").into_bytes();
    let find = |hay: &[u8], needle: &[u8], from: usize| -> Option<usize> {
        hay.get(from..)?
            .windows(needle.len())
            .position(|w| w == needle)
            .map(|i| i + from)
    };
    let mut parts = vec![];
    let mut pos = find(body, &delim, 0).ok_or("上传内容格式错误")?;
    while parts.len() < 20 {
        let start = pos + delim.len();
        if body.get(start..start + 2) == Some(b"--") || start >= body.len() {
            break;
        }
        let head_end = find(body, b"\r\n\r\n", start).ok_or("上传内容分段格式错误")?;
        let head = String::from_utf8_lossy(&body[start..head_end]).into_owned();
        let next = find(body, &delim, head_end + 4).ok_or("上传内容没有结束标记")?;
        let end = next.saturating_sub(2).max(head_end + 4);
        let name = head
            .split(';')
            .filter_map(|p| p.trim().strip_prefix("name="))
            .next()
            .map(|n| {
                n.split(['\r', '\n'])
                    .next()
                    .unwrap_or("")
                    .trim_matches('"')
                    .to_owned()
            })
            .unwrap_or_default();
        parts.push(Part {
            name,
            file: head.contains("filename="),
            data: body[head_end + 4..end].to_vec(),
        });
        pos = next;
    }
    Ok(parts)
}

/// `POST /catalogue/import`: check the whole file; list every bad row and cell, or the
/// drafts created with links.
pub async fn import_submit(
    State(s): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    if let Err(e) = require_editor(&ctx) {
        return page_error(&ctx, e, "/workbench");
    }
    let too_big = format!(
        "文件过大：最多 {} KB，请拆分后分批导入",
        import::MAX_BYTES / 1024
    );
    let body = match body {
        Ok(b) => b,
        Err(e) => {
            let msg = if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                too_big
            } else {
                "上传失败，请重试".to_owned()
            };
            let p = import_page_for(&s, &ctx, None, false, msg, String::new(), None).await;
            return render(StatusCode::PAYLOAD_TOO_LARGE, &p);
        }
    };
    let parts = match multipart(&headers, &body) {
        Ok(p) => p,
        Err(msg) => {
            let p = import_page_for(&s, &ctx, None, false, msg, String::new(), None).await;
            return render(StatusCode::BAD_REQUEST, &p);
        }
    };
    let text = |name: &str| {
        parts
            .iter()
            .find(|p| p.name == name && !p.file)
            .map(|p| String::from_utf8_lossy(&p.data).trim().to_owned())
            .unwrap_or_default()
    };
    let good_rows = text("mode") == "good_rows";
    let owner_raw = text("owner_org_id");
    let owner = if owner_raw.is_empty() {
        None
    } else {
        match owner_raw.parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                let p = import_page_for(
                    &s,
                    &ctx,
                    None,
                    good_rows,
                    String::new(),
                    "选项无效，请从列表中选择".to_owned(),
                    None,
                )
                .await;
                return render(StatusCode::UNPROCESSABLE_ENTITY, &p);
            }
        }
    };
    let file = parts.iter().find(|p| p.file && p.name == "file");
    let bytes = file.map(|f| f.data.as_slice()).unwrap_or(&[]);
    let (sr, cr) = (&s, &ctx);
    let refuse = move |msg: String, status: StatusCode| async move {
        let p = import_page_for(sr, cr, owner, good_rows, msg, String::new(), None).await;
        render(status, &p)
    };
    if bytes.is_empty() {
        return refuse(
            "请选择要上传的 .xlsx 文件".to_owned(),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    if bytes.len() > import::MAX_BYTES {
        return refuse(too_big, StatusCode::PAYLOAD_TOO_LARGE).await;
    }
    match import::import(&s.app, &ctx.actor, owner, bytes, good_rows).await {
        Ok(out) => {
            let result = ImportResult {
                written: !out.created.is_empty(),
                sheet: out.sheet,
                created: out.created,
                service_items_created: out.service_items_created,
                problems: out.skipped.iter().map(problem).collect(),
            };
            let p = import_page_for(
                &s,
                &ctx,
                owner,
                good_rows,
                String::new(),
                String::new(),
                Some(result),
            )
            .await;
            render(StatusCode::OK, &p)
        }
        Err(AppError::Validation(list)) => {
            let result = ImportResult {
                written: false,
                sheet: String::new(),
                created: vec![],
                service_items_created: 0,
                problems: list.iter().map(problem).collect(),
            };
            let p = import_page_for(
                &s,
                &ctx,
                owner,
                good_rows,
                "文件有误，未导入任何事项。请按下表逐项修改后重新上传。".to_owned(),
                String::new(),
                Some(result),
            )
            .await;
            render(StatusCode::UNPROCESSABLE_ENTITY, &p)
        }
        Err(e @ (AppError::Forbidden(_) | AppError::Unauthenticated)) => {
            page_error(&ctx, e, "/catalogue/import")
        }
        Err(e) => {
            let api = crate::error::ApiError::from(e);
            let status = api.status;
            refuse(api.detail, status).await
        }
    }
}

/// `GET /catalogue/import/template.xlsx`: an empty workbook with the official columns,
/// written by the same code as the list export.
pub async fn import_template(ctx: Ctx) -> Response {
    if let Err(e) = require_editor(&ctx) {
        return page_error(&ctx, e, "/workbench");
    }
    let bytes = match xlsx::workbook("证明事项导入模板", &[]) {
        Ok(b) => b,
        Err(e) => return page_error(&ctx, e, "/workbench"),
    };
    (
        [
            (header::CONTENT_TYPE, xlsx::CONTENT_TYPE),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"proof-items-import-template.xlsx\"",
            ),
        ],
        bytes,
    )
        .into_response()
}
