//! Exemption lists (证明事项免提交清单, SPEC R2): the county's and each town's. The joint
//! office prepares a version from reviewed items, the county government approves it with a
//! document number, the joint office publishes it: numbered, dated, immutable.

use std::collections::HashMap;

use proofless_domain::catalogue::{
    CatalogueLevel, Disposition, ItemSnapshot, ListDiff, ReplacementMethod, Stage,
    deficiency_only_refusal, diff,
};
use proofless_domain::region::RegionLevel;
use proofless_domain::role::Role;
use proofless_store::{Exec, Tx};
use serde::{Deserialize, Serialize};

use super::input::Preparation;
use super::items::{self, ItemRow};
use super::repo;
use crate::App;
use crate::actor::Actor;
use crate::audit::{self, Entry};
use crate::error::{AppError, AppResult, FieldError, Problems};

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct ListVersion {
    pub id: i64,
    pub list_id: i64,
    pub title: String,
    /// `county` or `town`: exemption lists exist at these two levels (R2.1).
    pub level: CatalogueLevel,
    pub region_code: String,
    /// Assigned at publication: 1, 2, 3… per list.
    pub number: Option<i64>,
    pub stage: Stage,
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

/// A version with its items exactly as stored.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct VersionDetail {
    pub version: ListVersion,
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<ItemSnapshot>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct VersionDiff {
    pub from: ListVersion,
    pub to: ListVersion,
    #[schema(value_type = Object)]
    pub diff: ListDiff,
    /// The list adjustments the newer version gathered, with their grounds (issue #19).
    pub adjustments: Vec<super::amendments::Amendment>,
}

/// The exemption list of a region, created on first use. Lists exist for the county and
/// for towns only (R2.1); village items go into their town's list.
async fn ensure_list(tx: &mut Tx, region_code: &str, now: i64) -> AppResult<(i64, CatalogueLevel)> {
    let Some(region) = repo::region(tx, region_code).await? else {
        return Err(AppError::field(
            "region_code",
            format!(
                "区划代码 {} 不存在",
                region_code.chars().take(20).collect::<String>()
            ),
        ));
    };
    let level = match region.level {
        RegionLevel::County => CatalogueLevel::County,
        RegionLevel::Town => CatalogueLevel::Town,
        _ => {
            return Err(AppError::field(
                "region_code",
                "免提交清单只分县、镇（街道）两级（村级事项并入所在镇的清单）",
            ));
        }
    };
    if let Some(id) = repo::exemption_list(tx, region_code).await? {
        return Ok((id, level));
    }
    let title = format!("{}证明事项免提交清单", region.name);
    let id = repo::insert_exemption_list(tx, level, region_code, &title, now).await?;
    Ok((id, level))
}

/// A version's items as published (or prepared).
pub(crate) async fn snapshots(
    db: &proofless_store::Db,
    version_id: i64,
) -> AppResult<Vec<ItemSnapshot>> {
    snapshots_in(&mut db.reader(), version_id).await
}

async fn snapshots_in(x: &mut impl Exec, version_id: i64) -> AppResult<Vec<ItemSnapshot>> {
    repo::version_snapshots(x, version_id)
        .await?
        .iter()
        .map(|s| {
            serde_json::from_str(s).map_err(|e| AppError::Internal(format!("清单快照损坏：{e}")))
        })
        .collect()
}

/// Prepare a version of a region's exemption list from reviewed items (joint office).
pub async fn prepare(app: &App, actor: &Actor, p: &Preparation) -> AppResult<VersionDetail> {
    actor.require_any(&[Role::JointOffice])?;
    let now = app.now_ms();
    // The list row is created in its own short transaction so reads below see it.
    let mut tx = app.db.begin().await?;
    let (list_id, level) = ensure_list(&mut tx, &p.region_code, now).await?;
    tx.commit().await?;
    let mut reader = app.db.reader();
    if let Some(v) = repo::pending_version(&mut reader, list_id).await? {
        return Err(AppError::Conflict(format!(
            "该清单已有待核准或待发布的版本（{v}），请先处理"
        )));
    }
    let excluded = items::excluded_domains(&mut reader, now).await?;
    let (chosen, gathered) = choose_items(&mut reader, p, list_id, level, &excluded).await?;
    let mut tx = app.db.begin().await?;
    let version_id =
        repo::insert_version(&mut tx, list_id, chosen.len(), &p.note, &actor.name, now).await?;
    // Approved adjustments since the last version flow into this one (issue #19).
    super::amendments::gather_in(&mut tx, version_id, &gathered).await?;
    for (i, s) in chosen.iter().enumerate() {
        let json = serde_json::to_string(s).map_err(|e| AppError::Internal(e.to_string()))?;
        repo::insert_version_item(&mut tx, version_id, s.id, i, &s.name, &json).await?;
    }
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("catalogue.list.prepare", "list_version", version_id).detail(
            serde_json::json!({"region_code": p.region_code, "item_ids": chosen.iter().map(|s| s.id).collect::<Vec<_>>(), "note": p.note}),
        ),
    )
    .await?;
    tx.commit().await?;
    get_version(app, actor, version_id).await
}

/// The items a new version carries: the ones asked for (each reviewed and in scope), or
/// every reviewed item of the region, items under rework keeping their last published
/// form; then the amendments approved adjustments left (an item taken off the list, its
/// methods replaced; A3 §5, §11). R1.3 is checked on each. Also the ids of the pending
/// amendments the version gathers.
async fn choose_items(
    x: &mut impl Exec,
    p: &Preparation,
    list_id: i64,
    level: CatalogueLevel,
    excluded: &[String],
) -> AppResult<(Vec<ItemSnapshot>, Vec<i64>)> {
    let scope = repo::items_under(x, &p.region_code, level == CatalogueLevel::County).await?;
    let mut problems = Problems::default();
    let mut chosen: Vec<ItemSnapshot> = vec![];
    match &p.item_ids {
        Some(ids) => {
            for id in ids {
                match scope.iter().find(|r| r.id == *id) {
                    None => problems.add("item_ids", format!("证明事项 {id} 不属于本清单的区划")),
                    Some(r) if r.stage != Stage::Reviewed => problems.add(
                        "item_ids",
                        format!(
                            "证明事项“{}”尚未通过合法性审查（{}），不能列入清单",
                            r.name,
                            r.stage.label()
                        ),
                    ),
                    Some(r) => {
                        let snap = reviewed_snapshot(x, r, excluded, &mut problems).await?;
                        if !chosen.iter().any(|c| c.id == snap.id) {
                            chosen.push(snap);
                        }
                    }
                }
            }
        }
        None => {
            let previous: HashMap<i64, ItemSnapshot> =
                match repo::latest_published(x, list_id, None).await? {
                    Some(v) => snapshots_in(x, v.id)
                        .await?
                        .into_iter()
                        .map(|s| (s.id, s))
                        .collect(),
                    None => HashMap::new(),
                };
            for r in &scope {
                if r.stage == Stage::Reviewed {
                    chosen.push(reviewed_snapshot(x, r, excluded, &mut problems).await?);
                } else if let Some(old) = previous.get(&r.id) {
                    // Under rework: the published form stays until the change is reviewed.
                    chosen.push(old.clone());
                }
            }
        }
    }
    let gathered =
        super::amendments::apply(x, &scope, &mut chosen, p.item_ids.is_some(), &mut problems)
            .await?;
    problems.into_result()?;
    if chosen.is_empty() {
        return Err(AppError::field(
            "item_ids",
            "该区划没有通过合法性审查的证明事项，无法汇总清单",
        ));
    }
    Ok((chosen, gathered))
}

/// A reviewed item's snapshot, with whatever blocks it (R1.3) added to `problems`.
async fn reviewed_snapshot(
    x: &mut impl Exec,
    r: &ItemRow,
    excluded: &[String],
    problems: &mut Problems,
) -> AppResult<ItemSnapshot> {
    let (snap, facts) = items::snapshot_of(x, r, excluded).await?;
    for e in items::blocking(&facts) {
        problems.add(
            &format!("items[{}].{}", r.id, e.field),
            format!("“{}”：{}", r.name, e.message),
        );
    }
    Ok(snap)
}

async fn version_row(x: &mut impl Exec, id: i64) -> AppResult<ListVersion> {
    repo::version(x, id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("清单版本 {id}")))
}

/// Record the county government's approval and its document number (R2.2).
pub async fn approve(
    app: &App,
    actor: &Actor,
    id: i64,
    approval_doc_no: &str,
) -> AppResult<VersionDetail> {
    actor.require_any(&[Role::CountyApprover])?;
    let v = version_row(&mut app.db.reader(), id).await?;
    if let Some(why) = v.stage.refusal(Stage::Approved) {
        return Err(AppError::Conflict(why));
    }
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    if repo::approve_version(&mut tx, id, v.stage, approval_doc_no, &actor.name, now).await? == 0 {
        return Err(AppError::PreconditionFailed);
    }
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("catalogue.list.approve", "list_version", id)
            .detail(serde_json::json!({"approval_doc_no": approval_doc_no})),
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
    effective: chrono::NaiveDate,
) -> AppResult<VersionDetail> {
    actor.require_any(&[Role::JointOffice])?;
    let mut reader = app.db.reader();
    let v = version_row(&mut reader, id).await?;
    if let Some(why) = v.stage.refusal(Stage::Published) {
        return Err(AppError::Conflict(why));
    }
    // R1.3, R1.2 and P 三(二)3 once more on exactly what would be published.
    let mut p = Problems::default();
    for s in snapshots_in(&mut reader, id).await? {
        for why in publish_problems(&s) {
            p.0.push(FieldError::new(
                format!("items[{}]", s.id),
                format!("“{}”{why}", s.name),
            ));
        }
    }
    p.into_result()?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let number = repo::next_version_number(&mut tx, v.list_id).await?;
    if repo::publish_version(&mut tx, id, v.stage, number, effective, &actor.name, now).await? == 0
    {
        return Err(AppError::PreconditionFailed);
    }
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("catalogue.list.publish", "list_version", id).detail(serde_json::json!({
            "number": number, "effective_date": effective.format("%Y-%m-%d").to_string(),
            "list_id": v.list_id,
        })),
    )
    .await?;
    tx.commit().await?;
    app.catalogue.update(app).await?;
    get_version(app, actor, id).await
}

/// Why a snapshot cannot be published as retained: no legal basis (R1.3), no service item
/// using it (R1.2, 优化营商环境条例 §44), deficiency acceptance as its only replacement
/// (P 三(二)3). Snapshots kept from an earlier version are checked as well.
fn publish_problems(s: &ItemSnapshot) -> Vec<String> {
    let mut out = vec![];
    if s.disposition != Disposition::Retained.as_str() {
        return out;
    }
    if s.legal_basis.is_empty() {
        out.push("没有法律法规依据，不能作为保留事项发布，建议直接取消".to_owned());
    }
    if s.service_items.is_empty() {
        out.push(
            "没有关联任何政务服务事项，不能作为保留事项发布：清单须逐项列明使用它的政务服务事项（优化营商环境条例第四十四条）"
                .to_owned(),
        );
    }
    let methods: Vec<ReplacementMethod> = s
        .methods
        .iter()
        .filter_map(|m| ReplacementMethod::parse(&m.method))
        .collect();
    if let Some(why) = deficiency_only_refusal(&methods) {
        out.push(format!("：{why}"));
    }
    out
}

fn readable(actor: &Actor, v: &ListVersion) -> AppResult<()> {
    if v.stage == Stage::Published {
        return Ok(());
    }
    actor.require_staff()
}

/// A version and its items; published ones are public, others for staff.
pub async fn get_version(app: &App, actor: &Actor, id: i64) -> AppResult<VersionDetail> {
    let mut reader = app.db.reader();
    let v = version_row(&mut reader, id).await?;
    readable(actor, &v)?;
    let items = snapshots_in(&mut reader, id).await?;
    Ok(VersionDetail { version: v, items })
}

/// Versions: published ones for everyone, every stage for staff.
pub async fn versions(app: &App, actor: &Actor, all_stages: bool) -> AppResult<Vec<ListVersion>> {
    if all_stages {
        actor.require_staff()?;
    }
    Ok(repo::versions(&mut app.db.reader(), all_stages).await?)
}

/// What changed from version `a` to version `b` (any two readable versions).
pub async fn diff_versions(app: &App, actor: &Actor, a: i64, b: i64) -> AppResult<VersionDiff> {
    let mut reader = app.db.reader();
    let from = version_row(&mut reader, a).await?;
    let to = version_row(&mut reader, b).await?;
    readable(actor, &from)?;
    readable(actor, &to)?;
    let old = snapshots_in(&mut reader, a).await?;
    let new = snapshots_in(&mut reader, b).await?;
    let adjustments = super::amendments::amendments_of_version(&mut reader, b).await?;
    Ok(VersionDiff {
        from,
        to,
        diff: diff(&old, &new),
        adjustments,
    })
}

/// The published version just before `v` in the same list, if any.
pub(crate) async fn previous_published(
    app: &App,
    v: &ListVersion,
) -> AppResult<Option<ListVersion>> {
    let Some(n) = v.number else { return Ok(None) };
    Ok(repo::latest_published(&mut app.db.reader(), v.list_id, Some(n)).await?)
}
