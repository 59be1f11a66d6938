//! Proof items (证明事项) with every field of SPEC R1.2, drafted by the unit that asks for
//! them. Saving checks each field; R1.3 and the commitment rule are shown as proposals
//! while drafting and enforced at review and publication.

use proofless_domain::catalogue::{
    BasisKind, BasisSnapshot, CatalogueLevel, Disposition, ItemFacts, ItemSnapshot, MAX_NAME_CHARS,
    MAX_TEXT_CHARS, MethodSnapshot, ReplacementMethod, RiskDomain, ServiceItemRef, Stage,
    VerificationDeadlineClass, commitment_refusal, retention_problems,
};
use proofless_domain::org::clean_name;
use proofless_domain::region::RegionLevel;
use proofless_domain::role::Role;
use proofless_store::{Tx, q};
use serde::{Deserialize, Serialize};

use super::{clean_text, not_found, require_unit_editor};
use crate::App;
use crate::actor::Actor;
use crate::audit::{self, Entry};
use crate::error::{AppError, AppResult, FieldError, Problems};

/// Most legal bases, service items, issuers, requesters or methods one item may carry.
pub const MAX_LINKS: usize = 50;

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
}

fn yes() -> bool {
    true
}

/// A proof item as staff see it: every field, its stage, and what stands in its way.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProofItem {
    pub id: i64,
    pub version: i64,
    pub stage: String,
    pub stage_label: String,
    pub issuer_can_verify: bool,
    pub correctable_afterwards: bool,
    pub risk_domains: Vec<String>,
    /// The item's content as it would be published.
    #[schema(value_type = Object)]
    pub item: ItemSnapshot,
    /// Problems that block review and publication (R1.3), with the proposal to cancel.
    #[schema(value_type = Vec<Object>)]
    pub blocking: Vec<FieldError>,
    /// Legal bases below statute level, for the justice bureau to decide.
    pub flags: Vec<String>,
    /// The latest legal review: verdict and remarks (the reasons when returned).
    pub last_review: Option<LastReview>,
    pub updated_at: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LastReview {
    pub verdict: String,
    pub remarks: String,
    pub reviewer_name: String,
    pub at: i64,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct ItemRow {
    pub id: i64,
    pub owner_org_id: i64,
    pub owner_org_name: String,
    pub name: String,
    pub level: String,
    pub region_code: String,
    pub region_name: String,
    pub disposition: String,
    pub issuer_can_verify: bool,
    pub correctable_afterwards: bool,
    pub risk_domains: String,
    pub remarks: String,
    pub stage: String,
    pub version: i64,
    pub updated_at: i64,
}

pub(crate) const ITEM_SELECT: &str = "SELECT p.id, p.owner_org_id, o.name AS owner_org_name, p.name, \
    l.level, l.region_code, r.name AS region_name, p.disposition, p.issuer_can_verify, \
    p.correctable_afterwards, p.risk_domains, p.remarks, p.stage, p.version, p.updated_at \
    FROM proof_items p JOIN implementation_lists l ON l.id = p.list_id \
    JOIN orgs o ON o.id = p.owner_org_id JOIN regions r ON r.code = l.region_code";

/// The checked input, ready to write.
struct Checked {
    name: String,
    level: CatalogueLevel,
    disposition: Disposition,
    bases: Vec<(BasisKind, String, String, String)>,
    methods: Vec<(
        ReplacementMethod,
        String,
        String,
        Option<VerificationDeadlineClass>,
    )>,
    risk_domains: Vec<String>,
    remarks: String,
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

fn check(input: &ProofItemInput) -> AppResult<Checked> {
    let mut p = Problems::default();
    let name = clean_name(&input.name, MAX_NAME_CHARS).unwrap_or_else(|e| {
        p.add("name", format!("证明名称{e}"));
        String::new()
    });
    let level = CatalogueLevel::parse(&input.level);
    if level.is_none() {
        p.add(
            "level",
            "层级应为 county（县级）、town（镇级）或 village（村级）",
        );
    }
    let disposition = Disposition::parse(&input.disposition);
    if disposition.is_none() {
        p.add(
            "disposition",
            "处理结果应为 retained（保留）或 cancelled（取消）",
        );
    }
    for (field, n) in [
        ("service_item_ids", input.service_item_ids.len()),
        ("legal_basis", input.legal_basis.len()),
        ("issuer_ids", input.issuer_ids.len()),
        ("requester_ids", input.requester_ids.len()),
        ("methods", input.methods.len()),
        ("risk_domains", input.risk_domains.len()),
    ] {
        if n > MAX_LINKS {
            p.add(field, format!("最多 {MAX_LINKS} 项，收到 {n} 项"));
        }
    }
    if input.issuer_ids.is_empty() {
        p.add("issuer_ids", "请至少填写一个开具单位");
    }
    let mut bases = vec![];
    for (i, b) in input.legal_basis.iter().enumerate() {
        let kind = BasisKind::parse(&b.kind);
        if kind.is_none() {
            p.add(
                &format!("legal_basis[{i}].kind"),
                "依据类别无效（法律、行政法规、地方性法规、国务院决定、部门规章、地方政府规章、规范性文件）",
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
        if let Some(k) = kind {
            bases.push((k, law, article, text));
        }
    }
    let mut risk_domains = vec![];
    for (i, d) in input.risk_domains.iter().enumerate() {
        match RiskDomain::find(d) {
            Some(r) if !risk_domains.contains(&r.code.to_owned()) => {
                risk_domains.push(r.code.to_owned())
            }
            Some(_) => {}
            None => p.add(
                &format!("risk_domains[{i}]"),
                format!("风险领域“{}”无效", d.chars().take(40).collect::<String>()),
            ),
        }
    }
    let mut methods = vec![];
    for (i, m) in input.methods.iter().enumerate() {
        let Some(method) = ReplacementMethod::parse(&m.method) else {
            p.add(
                &format!("methods[{i}].method"),
                "替代取消方式无效（直接取消、数据共享、告知承诺、部门核验、干部代办、容缺受理、其他）",
            );
            continue;
        };
        if methods
            .iter()
            .any(|x: &(ReplacementMethod, _, _, _)| x.0 == method)
        {
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
        let class = match (
            method,
            m.deadline_class.as_deref().filter(|s| !s.trim().is_empty()),
        ) {
            (ReplacementMethod::Verification, Some(c)) => {
                match VerificationDeadlineClass::parse(c, m.statutory_limit.as_deref()) {
                    Ok(c) => Some(c),
                    Err(e) => {
                        p.add(&format!("methods[{i}].deadline_class"), e);
                        None
                    }
                }
            }
            (ReplacementMethod::Verification, None) => {
                p.add(
                    &format!("methods[{i}].deadline_class"),
                    "部门核验须写明开具单位的默认核验时限类别（电子档案、纸质档案、档案不全或法定程序）",
                );
                None
            }
            (_, Some(_)) => {
                p.add(
                    &format!("methods[{i}].deadline_class"),
                    "只有部门核验需要核验时限类别",
                );
                None
            }
            (_, None) => None,
        };
        methods.push((method, citizen_text, guide, class));
    }
    let remarks = clean_text(&input.remarks, MAX_TEXT_CHARS).unwrap_or_else(|e| {
        p.add("remarks", format!("备注{e}"));
        String::new()
    });
    // R4.1 and 国办发〔2020〕42号: commitment is refused at once, not only at publication.
    if methods.iter().any(|m| m.0 == ReplacementMethod::Commitment) {
        let facts = ItemFacts {
            correctable_afterwards: input.correctable_afterwards,
            risk_domains: risk_domains.clone(),
            ..ItemFacts::default()
        };
        if let Some(why) = commitment_refusal(&facts) {
            p.add("methods", why);
        }
    }
    p.into_result()?;
    match (level, disposition) {
        (Some(level), Some(disposition)) => Ok(Checked {
            name,
            level,
            disposition,
            bases,
            methods,
            risk_domains,
            remarks,
        }),
        _ => Err(AppError::field("level", "层级或处理结果无效")),
    }
}

/// The implementation list for (level, region), created on first use. The region's own
/// level must match the list's.
async fn list_id(
    tx: &mut Tx,
    level: CatalogueLevel,
    region_code: &str,
    now: i64,
) -> AppResult<i64> {
    let region: Option<(String,)> = tx
        .fetch_optional(q("SELECT level FROM regions WHERE code = ?").bind(region_code))
        .await?;
    let Some((region_level,)) = region else {
        return Err(AppError::field(
            "region_code",
            format!(
                "区划代码 {} 不存在",
                region_code.chars().take(20).collect::<String>()
            ),
        ));
    };
    let expected = match level {
        CatalogueLevel::County => RegionLevel::County,
        CatalogueLevel::Town => RegionLevel::Town,
        CatalogueLevel::Village => RegionLevel::Village,
    };
    if region_level != expected.as_str() {
        return Err(AppError::field(
            "region_code",
            format!("{}清单须对应{}区划", level.label(), expected.label()),
        ));
    }
    if let Some((id,)) = tx
        .fetch_optional::<(i64,)>(
            q("SELECT id FROM implementation_lists WHERE level = ? AND region_code = ?")
                .bind(level.as_str())
                .bind(region_code),
        )
        .await?
    {
        return Ok(id);
    }
    Ok(tx
        .scalar_i64(
            q("INSERT INTO implementation_lists (level, region_code, created_at) VALUES (?, ?, ?) RETURNING id")
                .bind(level.as_str())
                .bind(region_code)
                .bind(now),
        )
        .await?)
}

async fn check_links(tx: &mut Tx, input: &ProofItemInput, requesters: &[i64]) -> AppResult<()> {
    let mut p = Problems::default();
    for (field, ids) in [
        ("issuer_ids", &input.issuer_ids[..]),
        ("requester_ids", requesters),
    ] {
        for id in ids {
            let found = tx
                .fetch_optional::<(i64,)>(q("SELECT id FROM orgs WHERE id = ?").bind(*id))
                .await?;
            if found.is_none() {
                p.add(field, format!("单位 {id} 不存在"));
            }
        }
    }
    for id in &input.service_item_ids {
        let found = tx
            .fetch_optional::<(i64,)>(q("SELECT id FROM service_items WHERE id = ?").bind(*id))
            .await?;
        if found.is_none() {
            p.add("service_item_ids", format!("政务服务事项 {id} 不存在"));
        }
    }
    p.into_result()
}

async fn write_links(
    tx: &mut Tx,
    id: i64,
    c: &Checked,
    input: &ProofItemInput,
    requesters: &[i64],
) -> AppResult<()> {
    for t in [
        "proof_item_bases",
        "proof_item_issuers",
        "proof_item_requesters",
        "proof_item_services",
        "replacements",
    ] {
        tx.execute(q(format!("DELETE FROM {t} WHERE proof_item_id = ?")).bind(id))
            .await?;
    }
    for (i, (kind, law, article, text)) in c.bases.iter().enumerate() {
        tx.execute(
            q("INSERT INTO proof_item_bases (proof_item_id, position, kind, law, article, text) VALUES (?, ?, ?, ?, ?, ?)")
                .bind(id)
                .bind(i as i64)
                .bind(kind.as_str())
                .bind(law)
                .bind(article)
                .bind(text),
        )
        .await?;
    }
    for o in dedup(&input.issuer_ids) {
        tx.execute(
            q("INSERT INTO proof_item_issuers (proof_item_id, org_id) VALUES (?, ?)")
                .bind(id)
                .bind(o),
        )
        .await?;
    }
    for o in dedup(requesters) {
        tx.execute(
            q("INSERT INTO proof_item_requesters (proof_item_id, org_id) VALUES (?, ?)")
                .bind(id)
                .bind(o),
        )
        .await?;
    }
    for s in dedup(&input.service_item_ids) {
        tx.execute(
            q("INSERT INTO proof_item_services (proof_item_id, service_item_id) VALUES (?, ?)")
                .bind(id)
                .bind(s),
        )
        .await?;
    }
    for (i, (method, citizen_text, guide, class)) in c.methods.iter().enumerate() {
        tx.execute(
            q("INSERT INTO replacements (proof_item_id, position, method, citizen_text, guide, deadline_class, deadline_period) \
               VALUES (?, ?, ?, ?, ?, ?, ?)")
                .bind(id)
                .bind(i as i64)
                .bind(method.as_str())
                .bind(citizen_text)
                .bind(guide)
                .bind(class.map(|c| c.code().to_owned()))
                .bind(class.map(|c| c.period_string())),
        )
        .await?;
    }
    Ok(())
}

fn map_unique(e: proofless_store::StoreError) -> AppError {
    match e.unique_violation() {
        Some(_) => AppError::field("name", "本单位在该清单中已有同名证明事项"),
        None => e.into(),
    }
}

fn detail(c: &Checked, input: &ProofItemInput) -> serde_json::Value {
    serde_json::json!({
        "name": c.name, "level": c.level.as_str(), "region_code": input.region_code,
        "disposition": c.disposition.as_str(), "service_item_ids": input.service_item_ids,
        "issuer_ids": input.issuer_ids, "requester_ids": input.requester_ids,
        "legal_basis": input.legal_basis, "methods": input.methods,
        "risk_domains": c.risk_domains, "issuer_can_verify": input.issuer_can_verify,
        "correctable_afterwards": input.correctable_afterwards,
    })
}

/// Draft a new proof item for the actor's own unit (or, for the joint office, any unit).
pub async fn create(app: &App, actor: &Actor, input: &ProofItemInput) -> AppResult<ProofItem> {
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let id = create_in(&mut tx, actor, input, now).await?;
    tx.commit().await?;
    get(app, actor, id).await
}

/// [`create`] inside the caller's transaction (the spreadsheet import writes many at once):
/// the same permission, field and link checks, and the same audit row.
pub(crate) async fn create_in(
    tx: &mut Tx,
    actor: &Actor,
    input: &ProofItemInput,
    now: i64,
) -> AppResult<i64> {
    actor.require_any(&[Role::UnitAdmin, Role::JointOffice, Role::SystemAdmin])?;
    let owner = input
        .owner_org_id
        .or(actor.org_id)
        .ok_or_else(|| AppError::field("owner_org_id", "请指定索要单位"))?;
    require_unit_editor(actor, owner)?;
    let c = check(input)?;
    let requesters = if input.requester_ids.is_empty() {
        vec![owner]
    } else {
        input.requester_ids.clone()
    };
    let list = list_id(tx, c.level, input.region_code.trim(), now).await?;
    check_links(tx, input, &requesters).await?;
    let id = tx
        .scalar_i64(
            q("INSERT INTO proof_items (list_id, owner_org_id, name, disposition, issuer_can_verify, \
               correctable_afterwards, risk_domains, remarks, stage, created_by, created_at, updated_at) \
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id")
            .bind(list)
            .bind(owner)
            .bind(&c.name)
            .bind(c.disposition.as_str())
            .bind(input.issuer_can_verify)
            .bind(input.correctable_afterwards)
            .bind(c.risk_domains.join(","))
            .bind(&c.remarks)
            .bind(Stage::Draft.as_str())
            .bind(actor.id)
            .bind(now)
            .bind(now),
        )
        .await
        .map_err(map_unique)?;
    write_links(tx, id, &c, input, &requesters).await?;
    audit::append(
        tx,
        actor,
        now,
        Entry::new("catalogue.item.create", "proof_item", id).detail(detail(&c, input)),
    )
    .await?;
    Ok(id)
}

/// The field checks of [`create`] alone (no database), for validating a whole file first.
pub(crate) fn precheck(input: &ProofItemInput) -> AppResult<()> {
    check(input).map(|_| ())
}

/// Edit an item. Allowed in draft, returned and reviewed; a reviewed item goes back to
/// draft and must be reviewed again. Items under review are locked.
pub async fn update(
    app: &App,
    actor: &Actor,
    id: i64,
    expected_version: Option<i64>,
    input: &ProofItemInput,
) -> AppResult<ProofItem> {
    let row = row(app, id).await?;
    require_unit_editor(actor, row.owner_org_id)?;
    if input.owner_org_id.is_some_and(|o| o != row.owner_org_id) {
        return Err(AppError::field(
            "owner_org_id",
            "不能更改证明事项的索要单位",
        ));
    }
    let stage = Stage::parse(&row.stage).unwrap_or(Stage::Draft);
    if !stage.editable() {
        return Err(AppError::Conflict(format!(
            "证明事项处于“{}”状态，审查期间不能修改",
            stage.label()
        )));
    }
    if expected_version.is_some_and(|v| v != row.version) {
        return Err(AppError::PreconditionFailed);
    }
    let c = check(input)?;
    let requesters = if input.requester_ids.is_empty() {
        vec![row.owner_org_id]
    } else {
        input.requester_ids.clone()
    };
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let list = list_id(&mut tx, c.level, input.region_code.trim(), now).await?;
    check_links(&mut tx, input, &requesters).await?;
    let n = tx
        .execute(
            q("UPDATE proof_items SET list_id = ?, name = ?, disposition = ?, issuer_can_verify = ?, \
               correctable_afterwards = ?, risk_domains = ?, remarks = ?, stage = ?, updated_at = ?, \
               version = version + 1 WHERE id = ? AND version = ?")
            .bind(list)
            .bind(&c.name)
            .bind(c.disposition.as_str())
            .bind(input.issuer_can_verify)
            .bind(input.correctable_afterwards)
            .bind(c.risk_domains.join(","))
            .bind(&c.remarks)
            .bind(Stage::Draft.as_str())
            .bind(now)
            .bind(id)
            .bind(row.version),
        )
        .await
        .map_err(map_unique)?;
    if n == 0 {
        return Err(AppError::PreconditionFailed);
    }
    write_links(&mut tx, id, &c, input, &requesters).await?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("catalogue.item.update", "proof_item", id).detail(detail(&c, input)),
    )
    .await?;
    tx.commit().await?;
    get(app, actor, id).await
}

/// Move an item to the next stage inside `tx`, refusing moves the stage machine forbids.
pub(crate) async fn move_stage(
    tx: &mut Tx,
    id: i64,
    from: Stage,
    to: Stage,
    now: i64,
) -> AppResult<()> {
    if let Some(why) = from.refusal(to) {
        return Err(AppError::Conflict(why));
    }
    let n = tx
        .execute(
            q("UPDATE proof_items SET stage = ?, updated_at = ?, version = version + 1 WHERE id = ? AND stage = ?")
                .bind(to.as_str())
                .bind(now)
                .bind(id)
                .bind(from.as_str()),
        )
        .await?;
    if n == 0 {
        return Err(AppError::PreconditionFailed);
    }
    Ok(())
}

/// Send a draft or returned item to the justice bureau for legal review (R1.4).
pub async fn submit(app: &App, actor: &Actor, id: i64) -> AppResult<ProofItem> {
    let row = row(app, id).await?;
    require_unit_editor(actor, row.owner_org_id)?;
    let from = Stage::parse(&row.stage).unwrap_or(Stage::Draft);
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    move_stage(&mut tx, id, from, Stage::Submitted, now).await?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("catalogue.item.submit", "proof_item", id)
            .detail(serde_json::json!({"from": from.as_str()})),
    )
    .await?;
    tx.commit().await?;
    get(app, actor, id).await
}

pub(crate) async fn row(app: &App, id: i64) -> AppResult<ItemRow> {
    app.db
        .reader()
        .fetch_optional(q(format!("{ITEM_SELECT} WHERE p.id = ?")).bind(id))
        .await?
        .ok_or_else(|| not_found("证明事项", id))
}

/// The item's full content as a list version would publish it.
pub(crate) async fn snapshot_of(
    db: &proofless_store::Db,
    r: &ItemRow,
) -> AppResult<(ItemSnapshot, ItemFacts)> {
    let mut reader = db.reader();
    let services: Vec<(i64, String, String, String, String)> = reader
        .fetch_all(
            q(
                "SELECT s.id, s.name, s.code, s.kind, o.name FROM proof_item_services ps \
               JOIN service_items s ON s.id = ps.service_item_id JOIN orgs o ON o.id = s.org_id \
               WHERE ps.proof_item_id = ? ORDER BY s.id",
            )
            .bind(r.id),
        )
        .await?;
    let bases: Vec<(String, String, String, String)> = reader
        .fetch_all(
            q("SELECT kind, law, article, text FROM proof_item_bases WHERE proof_item_id = ? ORDER BY position")
                .bind(r.id),
        )
        .await?;
    let issuers: Vec<(i64, String)> = reader
        .fetch_all(
            q(
                "SELECT o.id, o.name FROM proof_item_issuers i JOIN orgs o ON o.id = i.org_id \
               WHERE i.proof_item_id = ? ORDER BY o.id",
            )
            .bind(r.id),
        )
        .await?;
    let requesters: Vec<(i64, String)> = reader
        .fetch_all(
            q(
                "SELECT o.id, o.name FROM proof_item_requesters i JOIN orgs o ON o.id = i.org_id \
               WHERE i.proof_item_id = ? ORDER BY o.id",
            )
            .bind(r.id),
        )
        .await?;
    type MethodRow = (String, String, String, Option<String>, Option<String>);
    let methods: Vec<MethodRow> = reader
        .fetch_all(
            q("SELECT method, citizen_text, guide, deadline_class, deadline_period FROM replacements \
               WHERE proof_item_id = ? ORDER BY position")
            .bind(r.id),
        )
        .await?;
    let facts = ItemFacts {
        disposition: Disposition::parse(&r.disposition),
        basis_kinds: bases
            .iter()
            .filter_map(|b| BasisKind::parse(&b.0))
            .collect(),
        issuer_can_verify: r.issuer_can_verify,
        correctable_afterwards: r.correctable_afterwards,
        risk_domains: split_codes(&r.risk_domains),
        methods: methods
            .iter()
            .filter_map(|m| ReplacementMethod::parse(&m.0))
            .collect(),
    };
    let snap = ItemSnapshot {
        id: r.id,
        name: r.name.clone(),
        level: r.level.clone(),
        region_code: r.region_code.clone(),
        region_name: r.region_name.clone(),
        disposition: r.disposition.clone(),
        owner_org_id: r.owner_org_id,
        owner_org_name: r.owner_org_name.clone(),
        service_items: services
            .into_iter()
            .map(|(id, name, code, kind, org_name)| ServiceItemRef {
                id,
                name,
                code,
                kind,
                org_name,
            })
            .collect(),
        legal_basis: bases
            .into_iter()
            .map(|(kind, law, article, text)| BasisSnapshot {
                kind,
                law,
                article,
                text,
            })
            .collect(),
        issuer_ids: issuers.iter().map(|x| x.0).collect(),
        issuers: issuers.into_iter().map(|x| x.1).collect(),
        requester_ids: requesters.iter().map(|x| x.0).collect(),
        requesters: requesters.into_iter().map(|x| x.1).collect(),
        methods: methods
            .into_iter()
            .map(
                |(method, citizen_text, guide, deadline_class, deadline_period)| MethodSnapshot {
                    method,
                    citizen_text,
                    guide,
                    deadline_class,
                    deadline_period,
                },
            )
            .collect(),
        remarks: r.remarks.clone(),
    };
    Ok((snap, facts))
}

pub(crate) fn split_codes(s: &str) -> Vec<String> {
    s.split(',')
        .filter(|x| !x.is_empty())
        .map(str::to_owned)
        .collect()
}

pub(crate) fn blocking(facts: &ItemFacts) -> Vec<FieldError> {
    retention_problems(facts)
        .into_iter()
        .map(|(f, m)| FieldError::new(f, m))
        .collect()
}

pub(crate) async fn view(app: &App, r: ItemRow) -> AppResult<ProofItem> {
    let (item, facts) = snapshot_of(&app.db, &r).await?;
    let stage = Stage::parse(&r.stage).unwrap_or(Stage::Draft);
    let last_review = app
        .db
        .reader()
        .fetch_optional(
            q("SELECT verdict, remarks, reviewer_name, at FROM legal_reviews WHERE proof_item_id = ? ORDER BY id DESC LIMIT 1")
                .bind(r.id),
        )
        .await?;
    Ok(ProofItem {
        last_review,
        id: r.id,
        version: r.version,
        stage: stage.as_str().to_owned(),
        stage_label: stage.label().to_owned(),
        issuer_can_verify: r.issuer_can_verify,
        correctable_afterwards: r.correctable_afterwards,
        risk_domains: split_codes(&r.risk_domains),
        blocking: blocking(&facts),
        flags: proofless_domain::catalogue::flagged_bases(&facts.basis_kinds)
            .into_iter()
            .map(|k| format!("设定依据含{}，请司法局审查决定", k.label()))
            .collect(),
        item,
        updated_at: r.updated_at,
    })
}

/// One item, for its own unit and county-wide roles.
pub async fn get(app: &App, actor: &Actor, id: i64) -> AppResult<ProofItem> {
    actor.require_staff()?;
    let r = row(app, id).await?;
    actor.require_see_org(r.owner_org_id)?;
    view(app, r).await
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ItemFilter {
    pub stage: Option<String>,
    pub owner_org_id: Option<i64>,
    pub region_code: Option<String>,
}

/// Items the actor may see: their own unit's, or all for county-wide roles.
pub async fn list(app: &App, actor: &Actor, f: &ItemFilter) -> AppResult<Vec<ProofItem>> {
    actor.require_staff()?;
    let county_wide = actor.can_see_org(-1);
    let mut sql = format!("{ITEM_SELECT} WHERE 1 = 1");
    let mut args: Vec<proofless_store::Value> = vec![];
    let owner = if county_wide {
        f.owner_org_id
    } else {
        Some(actor.org_id.unwrap_or(-1))
    };
    if let Some(o) = owner {
        sql.push_str(" AND p.owner_org_id = ?");
        args.push(o.into());
    }
    if let Some(s) = f.stage.as_deref().filter(|s| !s.is_empty()) {
        let stage = Stage::parse(s).ok_or_else(|| AppError::field("stage", "状态无效"))?;
        sql.push_str(" AND p.stage = ?");
        args.push(stage.as_str().into());
    }
    if let Some(r) = f.region_code.as_deref().filter(|s| !s.is_empty()) {
        sql.push_str(" AND l.region_code = ?");
        args.push(r.into());
    }
    sql.push_str(" ORDER BY p.id LIMIT 2000");
    let mut query = q(sql);
    query.args = args;
    let rows: Vec<ItemRow> = app.db.reader().fetch_all(query).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(view(app, r).await?);
    }
    Ok(out)
}

/// The roles that work on the catalogue in the staff pages.
pub fn catalogue_roles() -> [Role; 5] {
    [
        Role::UnitAdmin,
        Role::LegalReviewer,
        Role::JointOffice,
        Role::CountyApprover,
        Role::SystemAdmin,
    ]
}
