//! Drafting proof items (SPEC R1.2): the unit that asks for a proof drafts it, edits it
//! while it is not under review, and submits it to the justice bureau (R1.4). R1.3 and the
//! commitment rule are shown as proposals while drafting and enforced at review and
//! publication.

use proofless_domain::catalogue::{CatalogueLevel, Stage};
use proofless_domain::region::RegionLevel;
use proofless_domain::role::Role;
use proofless_store::{Exec, Tx};

use super::input::ProofItemDraft;
use super::items::{self, ProofItem};
use super::{repo, require_unit_editor};
use crate::App;
use crate::actor::Actor;
use crate::audit::{self, Entry};
use crate::error::{AppError, AppResult, Problems};

/// Draft a new proof item for the actor's own unit (or, for the joint office, any unit).
pub async fn create(app: &App, actor: &Actor, d: &ProofItemDraft) -> AppResult<ProofItem> {
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let id = create_in(&mut tx, actor, d, now).await?;
    tx.commit().await?;
    items::get(app, actor, id).await
}

/// [`create`] inside the caller's transaction (the spreadsheet import writes many at once):
/// the same permission and link checks, and the same audit row.
pub(crate) async fn create_in(
    tx: &mut Tx,
    actor: &Actor,
    d: &ProofItemDraft,
    now: i64,
) -> AppResult<i64> {
    actor.require_any(&[Role::UnitAdmin, Role::JointOffice, Role::SystemAdmin])?;
    let owner = d
        .owner_org_id
        .or(actor.org_id)
        .ok_or_else(|| AppError::field("owner_org_id", "请指定索要单位"))?;
    require_unit_editor(actor, owner)?;
    let requesters = d.requesters(owner);
    let list = list_id(tx, d.level, &d.region_code, now).await?;
    check_commitment(tx, d, now).await?;
    check_links(tx, d, &requesters).await?;
    let id = repo::insert_item(tx, list, owner, d, actor.id, now)
        .await
        .map_err(map_unique)?;
    repo::write_item_links(tx, id, d, &requesters).await?;
    audit::append(
        tx,
        actor,
        now,
        Entry::new("catalogue.item.create", "proof_item", id).detail(d.audit_detail.clone()),
    )
    .await?;
    Ok(id)
}

/// Edit an item. Allowed in draft, returned and reviewed; a reviewed item goes back to
/// draft and must be reviewed again. Items under review are locked.
pub async fn update(
    app: &App,
    actor: &Actor,
    id: i64,
    expected_version: Option<i64>,
    d: &ProofItemDraft,
) -> AppResult<ProofItem> {
    let row = items::row(&mut app.db.reader(), id).await?;
    require_unit_editor(actor, row.owner_org_id)?;
    if d.owner_org_id.is_some_and(|o| o != row.owner_org_id) {
        return Err(AppError::field(
            "owner_org_id",
            "不能更改证明事项的索要单位",
        ));
    }
    if !row.stage.editable() {
        return Err(AppError::Conflict(format!(
            "证明事项处于“{}”状态，审查期间不能修改",
            row.stage.label()
        )));
    }
    if expected_version.is_some_and(|v| v != row.version) {
        return Err(AppError::PreconditionFailed);
    }
    let requesters = d.requesters(row.owner_org_id);
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let list = list_id(&mut tx, d.level, &d.region_code, now).await?;
    check_commitment(&mut tx, d, now).await?;
    check_links(&mut tx, d, &requesters).await?;
    let n = repo::update_item(&mut tx, id, row.version, list, d, now)
        .await
        .map_err(map_unique)?;
    if n == 0 {
        return Err(AppError::PreconditionFailed);
    }
    repo::write_item_links(&mut tx, id, d, &requesters).await?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("catalogue.item.update", "proof_item", id).detail(d.audit_detail.clone()),
    )
    .await?;
    tx.commit().await?;
    items::get(app, actor, id).await
}

/// Send a draft or returned item to the justice bureau for legal review (R1.4).
pub async fn submit(app: &App, actor: &Actor, id: i64) -> AppResult<ProofItem> {
    let row = items::row(&mut app.db.reader(), id).await?;
    require_unit_editor(actor, row.owner_org_id)?;
    let from = row.stage;
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
    items::get(app, actor, id).await
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
    if repo::move_item(tx, id, from, to, now).await? == 0 {
        return Err(AppError::PreconditionFailed);
    }
    Ok(())
}

/// The implementation list for (level, region), created on first use. The region's own
/// level must match the list's.
async fn list_id(
    tx: &mut Tx,
    level: CatalogueLevel,
    region_code: &str,
    now: i64,
) -> AppResult<i64> {
    let Some(region) = repo::region(tx, region_code).await? else {
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
    if region.level != expected {
        return Err(AppError::field(
            "region_code",
            format!("{}清单须对应{}区划", level.label(), expected.label()),
        ));
    }
    if let Some(id) = repo::implementation_list(tx, level, region_code).await? {
        return Ok(id);
    }
    Ok(repo::insert_implementation_list(tx, level, region_code, now).await?)
}

/// Every issuer, requester and service item must exist; all missing ones are named.
async fn check_links(x: &mut impl Exec, d: &ProofItemDraft, requesters: &[i64]) -> AppResult<()> {
    let mut p = Problems::default();
    for (field, ids) in [
        ("issuer_ids", &d.issuer_ids[..]),
        ("requester_ids", requesters),
    ] {
        for id in ids {
            if !repo::org_exists(x, *id).await? {
                p.add(field, format!("单位 {id} 不存在"));
            }
        }
    }
    for id in &d.service_item_ids {
        if !repo::service_item_exists(x, *id).await? {
            p.add("service_item_ids", format!("政务服务事项 {id} 不存在"));
        }
    }
    p.into_result()
}

fn map_unique(e: proofless_store::StoreError) -> AppError {
    match e.unique_violation() {
        Some(_) => AppError::field("name", "本单位在该清单中已有同名证明事项"),
        None => e.into(),
    }
}

/// R4.1 with the excluded risk domains in force now (a versioned setting).
async fn check_commitment(tx: &mut Tx, d: &ProofItemDraft, now: i64) -> AppResult<()> {
    let excluded = items::excluded_domains(tx, now).await?;
    match d.commitment_problem(&excluded) {
        Some(why) => Err(AppError::field("methods", why)),
        None => Ok(()),
    }
}
