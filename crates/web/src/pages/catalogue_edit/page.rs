//! The item form page: every field of SPEC R1.2 with its choices, each Chinese message
//! next to its control and all of them in a summary at the top.

use std::collections::HashMap;

use askama::Template;
use proofless_app::catalogue::items::ProofItem;
use proofless_app::catalogue::services;
use proofless_app::orgs::{self, OrgFilter};
use proofless_app::page::PageRequest;
use proofless_app::{Actor, AppError, FieldError};
use proofless_domain::catalogue::{
    BasisKind, CatalogueLevel, Disposition, EXCLUDED_RISK_DOMAINS, ReplacementMethod, Stage,
    Verdict,
};
use proofless_domain::role::Role;

use super::state::FormState;
use super::{COUNTY, MAX_ROWS, MIN_BASIS_ROWS, MIN_METHOD_ROWS};
use crate::AppState;
use crate::ctx::Ctx;
use crate::pages::Layout;

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
pub(super) struct ItemFormPage {
    layout: Layout,
    heading: String,
    action: String,
    item_id: Option<i64>,
    stage_label: String,
    /// Whether the saved item may go to legal review now (draft or returned).
    can_submit: bool,
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
    purpose: String,
    purpose_err: String,
    no_commitment_reason: String,
    no_commitment_reason_err: String,
    blocking: Vec<String>,
    flags: Vec<String>,
    review_remarks: String,
    published_note: bool,
}

/// The lists the form chooses from: regions, units and service items.
pub(super) struct Choices {
    regions: Vec<(String, String, String, Option<String>)>,
    /// (id, name, region name)
    orgs: Vec<(i64, String, String)>,
    /// (id, name, code, unit name)
    services: Vec<(i64, String, String, String)>,
    /// Risk domains barred from commitment now (the setting in force, R4.1).
    excluded_domains: Vec<String>,
}

pub(super) async fn choices(s: &AppState, actor: &Actor) -> Result<Choices, AppError> {
    let regions = proofless_app::regions::list(&s.app, None, None)
        .await?
        .into_iter()
        .filter(|r| {
            r.code.starts_with("370322")
                && matches!(r.level.as_str(), "county" | "town" | "village")
        })
        .map(|r| (r.code, r.name, r.level.as_str().to_owned(), r.parent_code))
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
    let excluded_domains = proofless_app::policy::in_force_now(
        &s.app,
        &proofless_app::catalogue::settings::EXCLUDED_RISK_DOMAINS,
    )
    .await?;
    Ok(Choices {
        regions,
        orgs,
        services,
        excluded_domains,
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

pub(super) fn with_blank(mut v: Vec<Opt>, label: &str) -> Vec<Opt> {
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

pub(super) struct FormCtx<'a> {
    pub heading: String,
    pub action: String,
    pub item: Option<&'a ProofItem>,
    pub message: String,
    pub error: String,
    pub show_blocking: bool,
}

/// The saved item's stage and review as the form shows them.
struct Status {
    stage_label: String,
    can_submit: bool,
    editable: bool,
    flags: Vec<String>,
    review_remarks: String,
    published_note: bool,
}

fn status(item: Option<&ProofItem>) -> Status {
    match item {
        Some(p) => Status {
            stage_label: p.stage_label.clone(),
            can_submit: p.stage.can_move_to(Stage::Submitted),
            editable: p.stage.editable(),
            flags: p.flags.clone(),
            review_remarks: p
                .last_review
                .as_ref()
                .filter(|r| r.verdict == Verdict::Return)
                .map(|r| r.remarks.clone())
                .unwrap_or_default(),
            published_note: p.stage == Stage::Reviewed,
        },
        None => Status {
            stage_label: String::new(),
            can_submit: false,
            editable: true,
            flags: vec![],
            review_remarks: String::new(),
            published_note: false,
        },
    }
}

/// Every error for the summary at the top, linked to its control.
fn summary(
    errors: &[FieldError],
    basis_map: &[usize],
    method_map: &[usize],
) -> Vec<(String, String)> {
    errors
        .iter()
        .map(|e| {
            let key = form_key(&e.field, basis_map, method_map);
            let anchor = match key.as_str() {
                "service_item_ids" | "issuer_ids" | "requester_ids" | "risk_domains"
                | "legal_basis" | "methods" => format!("{key}-group"),
                "region_code"
                | "level"
                | "name"
                | "disposition"
                | "remarks"
                | "purpose"
                | "no_commitment_reason"
                | "owner_org_id"
                | "issuer_can_verify"
                | "correctable_afterwards" => key.clone(),
                k if k.starts_with("lb") || k.starts_with("m") => key.clone(),
                _ => String::new(),
            };
            (anchor, e.message.clone())
        })
        .collect()
}

fn basis_rows(st: &FormState, errs: &mut Errors) -> Vec<BasisRow> {
    let n = st.bases.len().clamp(MIN_BASIS_ROWS, MAX_ROWS);
    (0..n)
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
        .collect()
}

fn method_rows(st: &FormState, errs: &mut Errors) -> Vec<MethodRow> {
    let n = st.methods.len().clamp(MIN_METHOD_ROWS, MAX_ROWS);
    (0..n)
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
            let class_err = [
                errs.take(&format!("m{i}_deadline_class")),
                errs.take(&format!("m{i}_statutory_limit")),
            ]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join("；");
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
                class_err,
            }
        })
        .collect()
}

/// The asking unit's choices: only the joint office (or the system admin) chooses, and
/// only for a new item.
fn owner_opts(ctx: &Ctx, c: &Choices, st: &FormState, new: bool) -> Vec<Opt> {
    if !new || !ctx.actor.has_any(&[Role::JointOffice, Role::SystemAdmin]) {
        return vec![];
    }
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
}

pub(super) fn form_page(
    ctx: &Ctx,
    c: &Choices,
    st: &FormState,
    errors: &[FieldError],
    fc: FormCtx<'_>,
) -> ItemFormPage {
    let (_, basis_map, method_map) = st.input();
    let mut errs = Errors::new(errors, &basis_map, &method_map);
    let owner_name = st
        .owner_org_id
        .and_then(|id| c.orgs.iter().find(|o| o.0 == id).map(|o| o.1.clone()))
        .or_else(|| fc.item.map(|i| i.item.owner_org_name.clone()))
        .unwrap_or_default();
    let status = status(fc.item);
    let mut page = ItemFormPage {
        layout: Layout::new(&fc.heading, ctx, "/catalogue/items"),
        heading: fc.heading,
        action: fc.action,
        item_id: fc.item.map(|p| p.id),
        stage_label: status.stage_label,
        can_submit: status.can_submit,
        editable: status.editable,
        message: fc.message,
        error: fc.error,
        summary: summary(errors, &basis_map, &method_map),
        version: st.version.map(|v| v.to_string()).unwrap_or_default(),
        owner_name,
        owner_opts: owner_opts(ctx, c, st, fc.item.is_none()),
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
        basis_rows: basis_rows(st, &mut errs),
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
        method_rows: method_rows(st, &mut errs),
        methods_err: errs.take("methods"),
        remarks: st.remarks.clone(),
        remarks_err: errs.take("remarks"),
        purpose: st.purpose.clone(),
        purpose_err: errs.take("purpose"),
        no_commitment_reason: st.no_commitment_reason.clone(),
        no_commitment_reason_err: errs.take("no_commitment_reason"),
        blocking: if fc.show_blocking {
            st.blocking(&c.excluded_domains)
        } else {
            vec![]
        },
        flags: status.flags,
        review_remarks: status.review_remarks,
        published_note: status.published_note,
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
