//! Templates of request and reply letters (A2 §4, SPEC R5.2).

use super::*;
use serde::Deserialize;

// ---------------------------------------------------------------------------------------
// Templates (A2 §4)

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct TemplateRow {
    pub id: i64,
    pub proof_item_id: i64,
    pub issuer_org_id: i64,
    pub requester_org_id: i64,
    pub request_fields: String,
    pub reply_fields: String,
    pub method: String,
    pub process: String,
    pub updated_by: String,
    pub updated_at: i64,
    pub version: i64,
}

/// A template as used: typed fields, and the class the catalogue gives.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Template {
    pub id: Option<i64>,
    pub proof_item_id: i64,
    pub proof_item_name: String,
    pub issuer_org_id: i64,
    pub requester_org_id: i64,
    #[schema(value_type = Vec<Object>)]
    pub request_fields: Vec<FieldSpec>,
    #[schema(value_type = Vec<Object>)]
    pub reply_fields: Vec<FieldSpec>,
    pub method: String,
    pub process: String,
    /// The catalogue's default deadline class and its period (A2 §7).
    pub deadline_class: String,
    pub deadline_period: String,
    pub class_label: String,
    pub version: i64,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateInput {
    pub proof_item_id: i64,
    pub issuer_org_id: i64,
    pub requester_org_id: i64,
    #[schema(value_type = Vec<Object>)]
    pub request_fields: Vec<FieldSpec>,
    #[schema(value_type = Vec<Object>)]
    pub reply_fields: Vec<FieldSpec>,
    pub method: String,
    pub process: String,
}

pub(super) const TEMPLATE_COLS: &str = "SELECT id, proof_item_id, issuer_org_id, requester_org_id, request_fields, reply_fields, \
    method, process, updated_by, updated_at, version FROM verification_templates";

/// The item, its verification method's class, and the issuer (checked against the
/// catalogue: a forged issuer is refused).
pub(super) struct Asked {
    pub(super) item_name: String,
    pub(super) issuer_org_id: i64,
    pub(super) class: VerificationDeadlineClass,
    /// Not yet on the published list: the unit's adjustment is pending and it chose
    /// verification itself (A3 §9).
    pub(super) pending_adjustment: bool,
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
        .find(|m| m.method == proofless_domain::catalogue::ReplacementMethod::Verification)
    else {
        return Err(AppError::field(
            "proof_item_id",
            format!("“{}”的替代方式不含部门核验，不能发起核验", item.name),
        ));
    };
    let class = rules::class_of_period(m.deadline_period.as_deref().unwrap_or("30m"))
        .map_err(|e| AppError::Internal(format!("清单中的核验时限无效：{e}")))?;
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
    })
}

/// Stages at which a unit's adjustment application is lodged and not yet published
/// (A3 §9): submitted for review, reviewed, gathered into a list, approved. A draft is not
/// an application, and a returned item must be corrected first.
pub(super) const PENDING_STAGES: [&str; 4] = ["submitted", "reviewed", "prepared", "approved"];

async fn pending_verifiable(
    app: &App,
    proof_item_id: i64,
    issuer: Option<i64>,
    requester: i64,
) -> AppResult<Option<Asked>> {
    let mut r = app.db.reader();
    let Some((name, stage)): Option<(String, String)> = r
        .fetch_optional(q("SELECT name, stage FROM proof_items WHERE id = ?").bind(proof_item_id))
        .await?
    else {
        return Ok(None);
    };
    if !PENDING_STAGES.contains(&stage.as_str()) {
        return Ok(None);
    }
    let asks: Option<(i64,)> = r
        .fetch_optional(
            q(
                "SELECT 1 FROM proof_item_requesters WHERE proof_item_id = ? AND org_id = ? \
               UNION SELECT 1 FROM proof_items WHERE id = ? AND owner_org_id = ?",
            )
            .bind(proof_item_id)
            .bind(requester)
            .bind(proof_item_id)
            .bind(requester),
        )
        .await?;
    if asks.is_none() {
        return Ok(None);
    }
    let method: Option<(Option<String>,)> = r
        .fetch_optional(
            q("SELECT deadline_period FROM replacements WHERE proof_item_id = ? AND method = 'verification' \
               ORDER BY position LIMIT 1")
            .bind(proof_item_id),
        )
        .await?;
    let Some((period,)) = method else {
        return Err(AppError::field(
            "proof_item_id",
            format!("待公布的“{name}”未选择部门核验作为替代方式，不能发起核验"),
        ));
    };
    let class = rules::class_of_period(period.as_deref().unwrap_or("30m"))
        .map_err(|e| AppError::Internal(format!("事项中的核验时限无效：{e}")))?;
    let issuers = issuers_of(app, proof_item_id).await?;
    Ok(Some(Asked {
        issuer_org_id: choose_issuer(&name, &issuers, issuer)?,
        item_name: name,
        class,
        pending_adjustment: true,
    }))
}

/// The issuers of a proof item as recorded in the catalogue (id, name), whatever its stage.
pub(super) async fn issuers_of(app: &App, proof_item_id: i64) -> AppResult<Vec<(i64, String)>> {
    Ok(app
        .db
        .reader()
        .fetch_all(
            q(
                "SELECT o.id, o.name FROM proof_item_issuers i JOIN orgs o ON o.id = i.org_id \
               WHERE i.proof_item_id = ? ORDER BY o.id",
            )
            .bind(proof_item_id),
        )
        .await?)
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

pub(super) fn parse_fields(s: &str) -> Vec<FieldSpec> {
    serde_json::from_str(s).unwrap_or_default()
}

/// The template of an (item, issuer, requester) triple, if the units wrote one.
pub(super) fn template_query(item: i64, issuer: i64, requester: i64) -> Query {
    q(format!(
        "{TEMPLATE_COLS} WHERE proof_item_id = ? AND issuer_org_id = ? AND requester_org_id = ?"
    ))
    .bind(item)
    .bind(issuer)
    .bind(requester)
}

pub(super) async fn template_row_in(
    tx: &mut Tx,
    item: i64,
    issuer: i64,
    requester: i64,
) -> AppResult<Option<TemplateRow>> {
    Ok(tx
        .fetch_optional(template_query(item, issuer, requester))
        .await?)
}

pub(super) fn template_of(
    a: &Asked,
    item: i64,
    requester: i64,
    row: Option<TemplateRow>,
) -> Template {
    let (id, req, rep, method, process, version) = match row {
        Some(r) => (
            Some(r.id),
            parse_fields(&r.request_fields),
            parse_fields(&r.reply_fields),
            r.method,
            r.process,
            r.version,
        ),
        None => (
            None,
            rules::default_request_fields(),
            rules::default_reply_fields(),
            "通过无证明城市应用系统协查".to_owned(),
            "需求单位发起—开具单位即时登记—限时反馈（加盖电子印章）".to_owned(),
            0,
        ),
    };
    Template {
        id,
        proof_item_id: item,
        proof_item_name: a.item_name.clone(),
        issuer_org_id: a.issuer_org_id,
        requester_org_id: requester,
        request_fields: if req.is_empty() {
            rules::default_request_fields()
        } else {
            req
        },
        reply_fields: if rep.is_empty() {
            rules::default_reply_fields()
        } else {
            rep
        },
        method,
        process,
        deadline_class: a.class.code().to_owned(),
        deadline_period: a.class.period_string(),
        class_label: a.class.label(),
        version,
    }
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
    let mut tx = app.db.begin().await?;
    let row = template_row_in(&mut tx, proof_item_id, a.issuer_org_id, requester).await?;
    tx.commit().await?;
    Ok(template_of(&a, proof_item_id, requester, row))
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
    let a = verifiable(app, input.proof_item_id, Some(input.issuer_org_id), None).await?;
    let mut p = Problems::default();
    if let Err(e) = rules::check_fields(&input.request_fields) {
        p.add("request_fields", format!("协查函字段：{e}"));
    }
    if let Err(e) = rules::check_fields(&input.reply_fields) {
        p.add("reply_fields", format!("反馈函字段：{e}"));
    }
    let method = field_text(&mut p, "method", "协查方式", &input.method, 200);
    let process = field_text(&mut p, "process", "协查流程", &input.process, MAX_TEXT);
    p.into_result()?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let org: Option<(i64,)> = tx
        .fetch_optional(q("SELECT id FROM orgs WHERE id = ?").bind(input.requester_org_id))
        .await?;
    if org.is_none() {
        return Err(AppError::field("requester_org_id", "需求单位不存在"));
    }
    let current = template_row_in(
        &mut tx,
        input.proof_item_id,
        a.issuer_org_id,
        input.requester_org_id,
    )
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
    let req = serde_json::to_string(&input.request_fields)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let rep = serde_json::to_string(&input.reply_fields)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    tx.execute(
        q("INSERT INTO verification_templates (proof_item_id, issuer_org_id, requester_org_id, request_fields, \
           reply_fields, method, process, updated_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
           ON CONFLICT (proof_item_id, issuer_org_id, requester_org_id) DO UPDATE SET \
           request_fields = excluded.request_fields, reply_fields = excluded.reply_fields, method = excluded.method, \
           process = excluded.process, updated_by = excluded.updated_by, updated_at = excluded.updated_at, \
           version = verification_templates.version + 1")
        .bind(input.proof_item_id)
        .bind(a.issuer_org_id)
        .bind(input.requester_org_id)
        .bind(&req)
        .bind(&rep)
        .bind(&method)
        .bind(&process)
        .bind(&actor.name)
        .bind(now)
        .bind(now),
    )
    .await?;
    let row = template_row_in(
        &mut tx,
        input.proof_item_id,
        a.issuer_org_id,
        input.requester_org_id,
    )
    .await?;
    let id = row.as_ref().map(|r| r.id).unwrap_or_default();
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("verification.template.set", "verification_template", id).detail(json!({
            "proof_item_id": input.proof_item_id, "issuer_org_id": a.issuer_org_id,
            "requester_org_id": input.requester_org_id,
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(template_of(
        &a,
        input.proof_item_id,
        input.requester_org_id,
        row,
    ))
}
