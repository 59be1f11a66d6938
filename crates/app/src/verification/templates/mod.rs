//! What may be asked and in which words: the catalogue's verifiable items and their
//! issuers (SPEC R5.1, A3 §9), and the request and reply letter templates of a pair of
//! units (A2 §4, SPEC R5.2).

use proofless_domain::catalogue::{Stage, VerificationDeadlineClass};
use proofless_domain::role::Role;
use proofless_domain::verification::{self as rules, ClassCode, FieldSpec};
use serde_json::{Map, Value as Json, json};

use super::VERIFICATION_METHOD;

mod input;
pub(crate) mod repo;

use super::input::invalid;
use super::records::{Template, TemplateRow};
use crate::App;
use crate::actor::Actor;
use crate::audit::{self, Entry};
use crate::error::{AppError, AppResult, FieldError};
pub use input::*;
use repo::TemplateWrite;

/// The item, its verification method's class, and the issuer (checked against the
/// catalogue: a forged issuer is refused).
pub(super) struct Asked {
    pub(super) item_name: String,
    pub(super) issuer_org_id: i64,
    pub(super) class: VerificationDeadlineClass,
    /// Not yet on the published list: the unit's adjustment is pending and it chose
    /// verification itself (A3 §9).
    pub(super) pending_adjustment: bool,
    /// The requesting units the list names for the item (empty for a pending item, whose
    /// asking unit was checked when it was found).
    pub(super) requester_ids: Vec<i64>,
    /// Their names, for the refusal.
    pub(super) requesters: Vec<String>,
}

/// A2 §12, SPEC R5.9: data is used only for the duty it was asked for, so only a requesting
/// unit of the item may ask for it (and a pair of units has its own templates, A2 §4).
///
/// Hook for A3 §9 list adjustment: a unit that has *filed an adjustment* of the item (the
/// list-adjustment workflow, not built yet) will also be allowed here; today the only
/// adjustment path is the catalogue's pending item, let through as `pending_adjustment`.
pub(super) fn require_requesting_unit(a: &Asked, org: i64) -> AppResult<()> {
    if a.pending_adjustment || a.requester_ids.contains(&org) {
        return Ok(());
    }
    let named = if a.requesters.is_empty() {
        "清单未载明索要单位".to_owned()
    } else {
        format!("清单载明的索要单位：{}", a.requesters.join("、"))
    };
    Err(AppError::forbidden(format!(
        "无权核验：本单位不是“{}”的索要单位（{named}）。核验数据只能用于本单位依职责办理的事项（附件2第十二条）",
        a.item_name
    )))
}

/// The class of a method's period; a method naming none is an electronic one (30 minutes).
fn class_of(period: Option<&str>, what: &str) -> AppResult<VerificationDeadlineClass> {
    rules::class_of_period(period.unwrap_or("30m"))
        .map_err(|e| AppError::Internal(format!("{what}中的核验时限无效：{e}")))
}

/// The item a verification may be asked for: on the published list with a verification
/// method, or — for `requester`, when given — an item of the requesting unit whose
/// adjustment is pending with verification as its chosen replacement (A3 §9, SPEC R7.5).
pub(super) async fn verifiable(
    app: &App,
    proof_item_id: i64,
    issuer: Option<i64>,
    requester: Option<i64>,
) -> AppResult<Asked> {
    let item = match crate::catalogue::public::item(app, proof_item_id).await {
        Ok(item) => item,
        Err(_) => {
            if let Some(r) = requester
                && let Some(a) = pending_verifiable(app, proof_item_id, issuer, r).await?
            {
                return Ok(a);
            }
            return Err(AppError::field(
                "proof_item_id",
                format!(
                    "证明事项 {proof_item_id} 不在现行公布的证明事项清单中，也不是本单位已申请调整、待公布的事项"
                ),
            ));
        }
    };
    let Some(m) = item
        .replacements
        .iter()
        .find(|m| m.method == VERIFICATION_METHOD)
    else {
        return Err(AppError::field(
            "proof_item_id",
            format!("“{}”的替代方式不含部门核验，不能发起核验", item.name),
        ));
    };
    let class = class_of(m.deadline_period.as_deref(), "清单")?;
    let issuers: Vec<(i64, String)> = item
        .issuer_ids
        .iter()
        .copied()
        .zip(item.issuers.iter().cloned())
        .collect();
    Ok(Asked {
        issuer_org_id: choose_issuer(&item.name, &issuers, issuer)?,
        item_name: item.name.clone(),
        class,
        pending_adjustment: false,
        // The owner lists the item for its own services: a requesting unit too (as for a
        // pending item, `repo::unit_asks_for`).
        requester_ids: item
            .requester_ids
            .iter()
            .copied()
            .chain([item.owner_org_id])
            .collect(),
        requesters: item.requesters.clone(),
    })
}

/// Stages at which a unit's adjustment application is lodged and not yet published
/// (A3 §9): submitted for review, reviewed, gathered into a list, approved. A draft is not
/// an application, and a returned item must be corrected first.
pub(super) const PENDING_STAGES: [Stage; 4] = [
    Stage::Submitted,
    Stage::Reviewed,
    Stage::Prepared,
    Stage::Approved,
];

async fn pending_verifiable(
    app: &App,
    proof_item_id: i64,
    issuer: Option<i64>,
    requester: i64,
) -> AppResult<Option<Asked>> {
    let mut r = app.db.reader();
    let Some((name, stage)) = repo::item_stage(&mut r, proof_item_id).await? else {
        return Ok(None);
    };
    if !PENDING_STAGES.contains(&stage)
        || !repo::unit_asks_for(&mut r, proof_item_id, requester).await?
    {
        return Ok(None);
    }
    let Some(period) = repo::verification_period(&mut r, proof_item_id).await? else {
        return Err(AppError::field(
            "proof_item_id",
            format!("待公布的“{name}”未选择部门核验作为替代方式，不能发起核验"),
        ));
    };
    let class = class_of(period.as_deref(), "事项")?;
    let issuers = repo::issuers_of(&mut r, proof_item_id).await?;
    Ok(Some(Asked {
        issuer_org_id: choose_issuer(&name, &issuers, issuer)?,
        item_name: name,
        class,
        pending_adjustment: true,
        requester_ids: vec![requester],
        requesters: vec![],
    }))
}

/// The issuer asked: one of the item's issuers, or the only one when none is named.
fn choose_issuer(name: &str, issuers: &[(i64, String)], asked: Option<i64>) -> AppResult<i64> {
    let names = || {
        issuers
            .iter()
            .map(|(_, n)| n.as_str())
            .collect::<Vec<_>>()
            .join("、")
    };
    match asked {
        Some(o) if issuers.iter().any(|(id, _)| *id == o) => Ok(o),
        Some(o) => Err(AppError::field(
            "issuer_org_id",
            format!(
                "单位 {o} 不是“{name}”的开具单位（清单载明的开具单位：{}）",
                names()
            ),
        )),
        None if issuers.len() == 1 => Ok(issuers[0].0),
        None => Err(AppError::field(
            "issuer_org_id",
            format!("“{name}”有多个开具单位，请选择：{}", names()),
        )),
    }
}

/// A stored field list (JSON text); one that does not read is an error, never empty.
pub(super) fn parse_fields(s: &str) -> AppResult<Vec<FieldSpec>> {
    serde_json::from_str(s).map_err(|e| AppError::Internal(format!("核验模板字段无法读取：{e}")))
}

/// The stored fields, or the default ones when the pair of units set none.
fn fields_or(stored: Vec<FieldSpec>, default: fn() -> Vec<FieldSpec>) -> Vec<FieldSpec> {
    if stored.is_empty() { default() } else { stored }
}

pub(super) fn template_of(
    a: &Asked,
    item: i64,
    requester: i64,
    row: Option<TemplateRow>,
) -> AppResult<Template> {
    let (id, req, rep, method, process, version) = match row {
        Some(r) => (
            Some(r.id),
            parse_fields(&r.request_fields)?,
            parse_fields(&r.reply_fields)?,
            r.method,
            r.process,
            r.version,
        ),
        None => (
            None,
            vec![],
            vec![],
            "通过无证明城市应用系统协查".to_owned(),
            "需求单位发起—开具单位即时登记—限时反馈（加盖电子印章）".to_owned(),
            0,
        ),
    };
    Ok(Template {
        id,
        proof_item_id: item,
        proof_item_name: a.item_name.clone(),
        issuer_org_id: a.issuer_org_id,
        requester_org_id: requester,
        request_fields: fields_or(req, rules::default_request_fields),
        reply_fields: fields_or(rep, rules::default_reply_fields),
        method,
        process,
        deadline_class: ClassCode::of(a.class),
        deadline_period: a.class.period(),
        class_label: a.class.label(),
        version,
    })
}

/// The facts against the request template's typed fields (A2 §4).
pub(super) fn check_facts(tpl: &Template, facts: &Map<String, Json>) -> AppResult<()> {
    let errs = rules::check_values(&tpl.request_fields, facts);
    if errs.is_empty() {
        return Ok(());
    }
    Err(AppError::Validation(
        errs.into_iter()
            .map(|(k, m)| FieldError::new(format!("facts.{k}"), m))
            .collect(),
    ))
}

/// The template a pair of units uses for a proof item (the default one when none is set).
pub async fn template(
    app: &App,
    actor: &Actor,
    proof_item_id: i64,
    issuer_org_id: Option<i64>,
    requester_org_id: Option<i64>,
) -> AppResult<Template> {
    actor.require_staff()?;
    let a = verifiable(app, proof_item_id, issuer_org_id, None).await?;
    let requester = requester_org_id
        .or(actor.org_id)
        .ok_or_else(|| AppError::field("requester_org_id", "须指明需求单位"))?;
    require_requesting_unit(&a, requester)?;
    let row = repo::template_row(
        &mut app.db.reader(),
        proof_item_id,
        a.issuer_org_id,
        requester,
    )
    .await?;
    template_of(&a, proof_item_id, requester, row)
}

/// Sets the request/reply letter template of a pair of units for a proof item (A2 §4):
/// the liaison of either unit, or its unit admin.
///
/// `expected_version` is the version the caller read (its ETag): replacing a stored template
/// needs it, so a concurrent edit by the other unit is never silently overwritten; creating
/// one needs none (or 0, the version of the default template).
pub async fn set_template(
    app: &App,
    actor: &Actor,
    input: &TemplateInput,
    expected_version: Option<i64>,
) -> AppResult<Template> {
    actor.require_any(&[Role::Liaison, Role::UnitAdmin, Role::SystemAdmin])?;
    if !(actor.has(Role::SystemAdmin)
        || actor.org_id == Some(input.issuer_org_id)
        || actor.org_id == Some(input.requester_org_id))
    {
        return Err(AppError::forbidden(
            "无权操作：只有需求单位或开具单位可以编制协查函、反馈函模板",
        ));
    }
    let a = verifiable(
        app,
        input.proof_item_id,
        Some(input.issuer_org_id),
        Some(input.requester_org_id),
    )
    .await?;
    // A template serves a pair of units of the item (A2 §4): the requester named is one.
    require_requesting_unit(&a, input.requester_org_id)?;
    let cmd = input.parse().map_err(invalid)?;
    let (item, issuer, requester) = (input.proof_item_id, a.issuer_org_id, input.requester_org_id);
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    if !repo::org_exists(&mut tx, requester).await? {
        return Err(AppError::field("requester_org_id", "需求单位不存在"));
    }
    let current = repo::template_row(&mut tx, item, issuer, requester)
        .await?
        .map(|r| r.version);
    match (current, expected_version) {
        (Some(_), None) => {
            return Err(AppError::Conflict(
                "该模板已存在：修改时须带上 If-Match 请求头（取自读取模板时的 ETag）".to_owned(),
            ));
        }
        (Some(v), Some(e)) if v != e => return Err(AppError::PreconditionFailed),
        (None, Some(e)) if e != 0 => return Err(AppError::PreconditionFailed),
        _ => {}
    }
    let text =
        |f: &[FieldSpec]| serde_json::to_string(f).map_err(|e| AppError::Internal(e.to_string()));
    let (req, rep) = (text(&cmd.request_fields)?, text(&cmd.reply_fields)?);
    let write = TemplateWrite {
        proof_item_id: item,
        issuer_org_id: issuer,
        requester_org_id: requester,
        request_fields: &req,
        reply_fields: &rep,
        method: &cmd.method,
        process: &cmd.process,
        updated_by: &actor.name,
        now,
    };
    repo::upsert_template(&mut tx, &write).await?;
    let row = repo::template_row(&mut tx, item, issuer, requester).await?;
    let Some(id) = row.as_ref().map(|r| r.id) else {
        return Err(AppError::Internal("核验模板写入后未能读回".into()));
    };
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("verification.template.set", "verification_template", id).detail(json!({
            "proof_item_id": item, "issuer_org_id": issuer, "requester_org_id": requester,
        })),
    )
    .await?;
    tx.commit().await?;
    template_of(&a, item, requester, row)
}
