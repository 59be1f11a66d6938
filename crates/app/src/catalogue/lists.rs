//! Exemption lists (证明事项免提交清单, SPEC R2): the county's and each town's. The joint
//! office prepares a version from reviewed items, the county government approves it with a
//! document number, the joint office publishes it: numbered, dated, immutable.

use std::collections::HashMap;

use proofless_domain::catalogue::{ItemSnapshot, ListDiff, MAX_TEXT_CHARS, Stage, diff};
use proofless_domain::region::RegionLevel;
use proofless_domain::role::Role;
use proofless_store::{Tx, q};
use serde::{Deserialize, Serialize};

use super::clean_text;
use super::items::{self, ITEM_SELECT, ItemRow};
use crate::App;
use crate::actor::Actor;
use crate::audit::{self, Entry};
use crate::error::{AppError, AppResult, FieldError, Problems};

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct ListVersion {
    pub id: i64,
    pub list_id: i64,
    pub title: String,
    pub level: String,
    pub region_code: String,
    /// Assigned at publication: 1, 2, 3… per list.
    pub number: Option<i64>,
    pub stage: String,
    pub item_count: i64,
    pub note: String,
    pub prepared_by: String,
    pub prepared_at: i64,
    /// 县政府核准文号.
    pub approval_doc_no: Option<String>,
    pub approver_name: Option<String>,
    pub approved_at: Option<i64>,
    /// YYYY-MM-DD.
    pub effective_date: Option<String>,
    pub published_by: Option<String>,
    pub published_at: Option<i64>,
}

pub(crate) const VERSION_SELECT: &str = "SELECT v.id, v.list_id, l.title, l.level, l.region_code, v.number, \
    v.stage, v.item_count, v.note, v.prepared_by, v.prepared_at, v.approval_doc_no, v.approver_name, \
    v.approved_at, v.effective_date, v.published_by, v.published_at \
    FROM list_versions v JOIN exemption_lists l ON l.id = v.list_id";

/// A version with its items exactly as stored.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct VersionDetail {
    pub version: ListVersion,
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<ItemSnapshot>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct PrepareInput {
    /// The county (370322000000) or a town: the list to prepare.
    pub region_code: String,
    /// Only these items (all reviewed); default: every reviewed item of the region, and
    /// items under rework keep their last published form.
    pub item_ids: Option<Vec<i64>>,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct ApproveInput {
    /// 核准文号, e.g. 高政字〔2021〕15号.
    pub approval_doc_no: String,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct PublishInput {
    /// 生效日期 YYYY-MM-DD.
    pub effective_date: String,
}

/// The exemption list of a region, created on first use. Lists exist for the county and
/// for towns only (R2.1); village items go into their town's list.
async fn ensure_list(tx: &mut Tx, region_code: &str, now: i64) -> AppResult<(i64, String)> {
    let region: Option<(String, String)> = tx
        .fetch_optional(q("SELECT name, level FROM regions WHERE code = ?").bind(region_code))
        .await?;
    let Some((name, level)) = region else {
        return Err(AppError::field(
            "region_code",
            format!(
                "区划代码 {} 不存在",
                region_code.chars().take(20).collect::<String>()
            ),
        ));
    };
    if level != RegionLevel::County.as_str() && level != RegionLevel::Town.as_str() {
        return Err(AppError::field(
            "region_code",
            "免提交清单只分县、镇（街道）两级（村级事项并入所在镇的清单）",
        ));
    }
    if let Some((id,)) = tx
        .fetch_optional::<(i64,)>(
            q("SELECT id FROM exemption_lists WHERE region_code = ?").bind(region_code),
        )
        .await?
    {
        return Ok((id, level));
    }
    let id = tx
        .scalar_i64(
            q("INSERT INTO exemption_lists (level, region_code, title, created_at) VALUES (?, ?, ?, ?) RETURNING id")
                .bind(&level)
                .bind(region_code)
                .bind(format!("{name}证明事项免提交清单"))
                .bind(now),
        )
        .await?;
    Ok((id, level))
}

/// Items whose implementation list falls under this exemption list.
async fn items_in_scope(app: &App, region_code: &str, level: &str) -> AppResult<Vec<ItemRow>> {
    let sql = if level == RegionLevel::County.as_str() {
        format!("{ITEM_SELECT} WHERE l.region_code = ? ORDER BY p.id")
    } else {
        format!(
            "{ITEM_SELECT} WHERE (l.region_code = ? OR l.region_code IN \
             (SELECT code FROM regions WHERE parent_code = ?)) ORDER BY p.id"
        )
    };
    let mut query = q(sql).bind(region_code);
    if level != RegionLevel::County.as_str() {
        query = query.bind(region_code);
    }
    Ok(app.db.reader().fetch_all(query).await?)
}

pub(crate) async fn snapshots(
    db: &proofless_store::Db,
    version_id: i64,
) -> AppResult<Vec<ItemSnapshot>> {
    let rows: Vec<(String,)> = db
        .reader()
        .fetch_all(
            q("SELECT snapshot FROM list_version_items WHERE version_id = ? ORDER BY position")
                .bind(version_id),
        )
        .await?;
    rows.into_iter()
        .map(|(s,)| {
            serde_json::from_str(&s).map_err(|e| AppError::Internal(format!("清单快照损坏：{e}")))
        })
        .collect()
}

async fn latest_published(app: &App, list_id: i64) -> AppResult<Option<ListVersion>> {
    Ok(app
        .db
        .reader()
        .fetch_optional(
            q(format!(
                "{VERSION_SELECT} WHERE v.list_id = ? AND v.stage = 'published' ORDER BY v.number DESC LIMIT 1"
            ))
            .bind(list_id),
        )
        .await?)
}

/// Prepare a version of a region's exemption list from reviewed items (joint office).
pub async fn prepare(app: &App, actor: &Actor, input: &PrepareInput) -> AppResult<VersionDetail> {
    actor.require_any(&[Role::JointOffice])?;
    let note = clean_text(&input.note, MAX_TEXT_CHARS)
        .map_err(|e| AppError::field("note", format!("说明{e}")))?;
    let region_code = input.region_code.trim().to_owned();
    let now = app.now_ms();
    // The list row is created in its own short transaction so reads below see it.
    let mut tx = app.db.begin().await?;
    let (list_id, level) = ensure_list(&mut tx, &region_code, now).await?;
    tx.commit().await?;
    let pending: Option<(i64,)> = app
        .db
        .reader()
        .fetch_optional(
            q("SELECT id FROM list_versions WHERE list_id = ? AND stage IN ('prepared', 'approved')")
                .bind(list_id),
        )
        .await?;
    if let Some((v,)) = pending {
        return Err(AppError::Conflict(format!(
            "该清单已有待核准或待发布的版本（{v}），请先处理"
        )));
    }
    let scope = items_in_scope(app, &region_code, &level).await?;
    let previous: HashMap<i64, ItemSnapshot> = match latest_published(app, list_id).await? {
        Some(v) => snapshots(&app.db, v.id)
            .await?
            .into_iter()
            .map(|s| (s.id, s))
            .collect(),
        None => HashMap::new(),
    };
    let mut p = Problems::default();
    let mut chosen: Vec<ItemSnapshot> = vec![];
    match &input.item_ids {
        Some(ids) => {
            if ids.len() > 100_000 {
                return Err(AppError::field("item_ids", "条目过多"));
            }
            for id in ids {
                match scope.iter().find(|r| r.id == *id) {
                    None => p.add("item_ids", format!("证明事项 {id} 不属于本清单的区划")),
                    Some(r) if r.stage != Stage::Reviewed.as_str() => p.add(
                        "item_ids",
                        format!(
                            "证明事项“{}”尚未通过合法性审查（{}），不能列入清单",
                            r.name,
                            Stage::parse(&r.stage).map(|s| s.label()).unwrap_or("未知")
                        ),
                    ),
                    Some(r) => {
                        let (snap, facts) = items::snapshot_of(&app.db, r).await?;
                        for e in items::blocking(&facts) {
                            p.add(
                                &format!("items[{}].{}", r.id, e.field),
                                format!("“{}”：{}", r.name, e.message),
                            );
                        }
                        if !chosen.iter().any(|c| c.id == snap.id) {
                            chosen.push(snap);
                        }
                    }
                }
            }
        }
        None => {
            for r in &scope {
                if r.stage == Stage::Reviewed.as_str() {
                    let (snap, facts) = items::snapshot_of(&app.db, r).await?;
                    for e in items::blocking(&facts) {
                        p.add(
                            &format!("items[{}].{}", r.id, e.field),
                            format!("“{}”：{}", r.name, e.message),
                        );
                    }
                    chosen.push(snap);
                } else if let Some(old) = previous.get(&r.id) {
                    // Under rework: the published form stays until the change is reviewed.
                    chosen.push(old.clone());
                }
            }
        }
    }
    p.into_result()?;
    if chosen.is_empty() {
        return Err(AppError::field(
            "item_ids",
            "该区划没有通过合法性审查的证明事项，无法汇总清单",
        ));
    }
    let mut tx = app.db.begin().await?;
    let version_id = tx
        .scalar_i64(
            q("INSERT INTO list_versions (list_id, stage, item_count, note, prepared_by, prepared_at) \
               VALUES (?, ?, ?, ?, ?, ?) RETURNING id")
            .bind(list_id)
            .bind(Stage::Prepared.as_str())
            .bind(chosen.len() as i64)
            .bind(&note)
            .bind(&actor.name)
            .bind(now),
        )
        .await?;
    for (i, s) in chosen.iter().enumerate() {
        let json = serde_json::to_string(s).map_err(|e| AppError::Internal(e.to_string()))?;
        tx.execute(
            q("INSERT INTO list_version_items (version_id, proof_item_id, position, name, snapshot) VALUES (?, ?, ?, ?, ?)")
                .bind(version_id)
                .bind(s.id)
                .bind(i as i64)
                .bind(&s.name)
                .bind(json),
        )
        .await?;
    }
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("catalogue.list.prepare", "list_version", version_id).detail(
            serde_json::json!({"region_code": region_code, "item_ids": chosen.iter().map(|s| s.id).collect::<Vec<_>>(), "note": note}),
        ),
    )
    .await?;
    tx.commit().await?;
    get_version(app, actor, version_id).await
}

async fn version_row(app: &App, id: i64) -> AppResult<ListVersion> {
    app.db
        .reader()
        .fetch_optional(q(format!("{VERSION_SELECT} WHERE v.id = ?")).bind(id))
        .await?
        .ok_or_else(|| AppError::NotFound(format!("清单版本 {id}")))
}

async fn move_version(
    tx: &mut Tx,
    id: i64,
    from: Stage,
    to: Stage,
    set_sql: &str,
    args: Vec<proofless_store::Value>,
) -> AppResult<()> {
    if let Some(why) = from.refusal(to) {
        return Err(AppError::Conflict(why));
    }
    let mut query = q(format!(
        "UPDATE list_versions SET stage = ?, {set_sql} WHERE id = ? AND stage = ?"
    ));
    query.args.push(to.as_str().into());
    query.args.extend(args);
    query.args.push(id.into());
    query.args.push(from.as_str().into());
    if tx.execute(query).await? == 0 {
        return Err(AppError::PreconditionFailed);
    }
    Ok(())
}

/// Record the county government's approval and its document number (R2.2).
pub async fn approve(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &ApproveInput,
) -> AppResult<VersionDetail> {
    actor.require_any(&[Role::CountyApprover])?;
    let doc = proofless_domain::org::clean_name(&input.approval_doc_no, 60)
        .map_err(|e| AppError::field("approval_doc_no", format!("核准文号{e}")))?;
    let v = version_row(app, id).await?;
    let from = Stage::parse(&v.stage).unwrap_or(Stage::Prepared);
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    move_version(
        &mut tx,
        id,
        from,
        Stage::Approved,
        "approval_doc_no = ?, approver_name = ?, approved_at = ?",
        vec![doc.clone().into(), actor.name.clone().into(), now.into()],
    )
    .await?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("catalogue.list.approve", "list_version", id)
            .detail(serde_json::json!({"approval_doc_no": doc})),
    )
    .await?;
    tx.commit().await?;
    get_version(app, actor, id).await
}

/// Publish an approved version: it gets the next number of its list and never changes again.
pub async fn publish(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &PublishInput,
) -> AppResult<VersionDetail> {
    actor.require_any(&[Role::JointOffice])?;
    let date = chrono::NaiveDate::parse_from_str(input.effective_date.trim(), "%Y-%m-%d")
        .map_err(|_| AppError::field("effective_date", "生效日期格式应为 YYYY-MM-DD"))?;
    let v = version_row(app, id).await?;
    let from = Stage::parse(&v.stage).unwrap_or(Stage::Prepared);
    if from == Stage::Published {
        return Err(AppError::Conflict("已发布的清单版本不可更改".to_owned()));
    }
    // R1.3 once more on exactly what would be published.
    let mut p = Problems::default();
    for s in snapshots(&app.db, id).await? {
        if s.disposition == "retained" && s.legal_basis.is_empty() {
            p.0.push(FieldError::new(
                "items",
                format!(
                    "“{}”没有法律法规依据，不能作为保留事项发布，建议直接取消",
                    s.name
                ),
            ));
        }
    }
    p.into_result()?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let number = tx
        .scalar_i64(
            q("SELECT COALESCE(MAX(number), 0) + 1 FROM list_versions WHERE list_id = ?")
                .bind(v.list_id),
        )
        .await?;
    move_version(
        &mut tx,
        id,
        from,
        Stage::Published,
        "number = ?, effective_date = ?, published_by = ?, published_at = ?",
        vec![
            number.into(),
            date.format("%Y-%m-%d").to_string().into(),
            actor.name.clone().into(),
            now.into(),
        ],
    )
    .await?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("catalogue.list.publish", "list_version", id).detail(serde_json::json!({
            "number": number, "effective_date": date.format("%Y-%m-%d").to_string(),
            "list_id": v.list_id,
        })),
    )
    .await?;
    tx.commit().await?;
    app.catalogue.update(app).await?;
    get_version(app, actor, id).await
}

fn readable(actor: &Actor, v: &ListVersion) -> AppResult<()> {
    if v.stage == Stage::Published.as_str() {
        return Ok(());
    }
    actor.require_staff()
}

/// A version and its items; published ones are public, others for staff.
pub async fn get_version(app: &App, actor: &Actor, id: i64) -> AppResult<VersionDetail> {
    let v = version_row(app, id).await?;
    readable(actor, &v)?;
    let items = snapshots(&app.db, id).await?;
    Ok(VersionDetail { version: v, items })
}

/// Versions: published ones for everyone, every stage for staff.
pub async fn versions(app: &App, actor: &Actor, all_stages: bool) -> AppResult<Vec<ListVersion>> {
    let sql = if all_stages {
        actor.require_staff()?;
        format!("{VERSION_SELECT} ORDER BY v.id DESC LIMIT 1000")
    } else {
        format!(
            "{VERSION_SELECT} WHERE v.stage = 'published' ORDER BY v.published_at DESC, v.id DESC LIMIT 1000"
        )
    };
    Ok(app.db.reader().fetch_all(q(sql)).await?)
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct VersionDiff {
    pub from: ListVersion,
    pub to: ListVersion,
    #[schema(value_type = Object)]
    pub diff: ListDiff,
}

/// What changed from version `a` to version `b` (any two readable versions).
pub async fn diff_versions(app: &App, actor: &Actor, a: i64, b: i64) -> AppResult<VersionDiff> {
    let from = version_row(app, a).await?;
    let to = version_row(app, b).await?;
    readable(actor, &from)?;
    readable(actor, &to)?;
    let old = snapshots(&app.db, a).await?;
    let new = snapshots(&app.db, b).await?;
    Ok(VersionDiff {
        from,
        to,
        diff: diff(&old, &new),
    })
}

/// The published version just before `v` in the same list, if any.
pub(crate) async fn previous_published(
    app: &App,
    v: &ListVersion,
) -> AppResult<Option<ListVersion>> {
    let Some(n) = v.number else { return Ok(None) };
    Ok(app
        .db
        .reader()
        .fetch_optional(
            q(format!(
                "{VERSION_SELECT} WHERE v.list_id = ? AND v.stage = 'published' AND v.number < ? \
                 ORDER BY v.number DESC LIMIT 1"
            ))
            .bind(v.list_id)
            .bind(n),
        )
        .await?)
}
