//! 政务服务事项: the services that used to ask for proofs. The implementation code is
//! opaque; only its length and character set are checked (`ImplementationCode`).

use proofless_domain::catalogue::{CatalogueLevel, ServiceItemKind};
use proofless_domain::role::Role;
use proofless_store::Tx;
use serde::{Deserialize, Serialize};

use super::input::ServiceItemDraft;
use super::{not_found, repo, require_unit_editor};
use crate::App;
use crate::actor::Actor;
use crate::audit::{self, Entry};
use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct ServiceItem {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub name: String,
    pub code: String,
    pub kind: ServiceItemKind,
    pub level: CatalogueLevel,
    pub version: i64,
}

fn map_unique(e: proofless_store::StoreError) -> AppError {
    match e.unique_violation() {
        Some(_) => AppError::field("code", "该事项编码已登记"),
        None => e.into(),
    }
}

pub async fn create(app: &App, actor: &Actor, d: &ServiceItemDraft) -> AppResult<ServiceItem> {
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let id = create_in(&mut tx, actor, d, now).await?;
    tx.commit().await?;
    get(app, id).await
}

/// [`create`] inside the caller's transaction, with the same checks and audit row.
pub(crate) async fn create_in(
    tx: &mut Tx,
    actor: &Actor,
    d: &ServiceItemDraft,
    now: i64,
) -> AppResult<i64> {
    actor.require_any(&[Role::UnitAdmin, Role::JointOffice, Role::SystemAdmin])?;
    let org_id = d
        .org_id
        .or(actor.org_id)
        .ok_or_else(|| AppError::field("org_id", "请指定实施单位"))?;
    require_unit_editor(actor, org_id)?;
    if !repo::org_exists(tx, org_id).await? {
        return Err(AppError::field("org_id", format!("单位 {org_id} 不存在")));
    }
    let id = repo::insert_service_item(tx, org_id, d, now)
        .await
        .map_err(map_unique)?;
    audit::append(
        tx,
        actor,
        now,
        Entry::new("catalogue.service_item.create", "service_item", id).detail(
            serde_json::json!({"org_id": org_id, "name": d.name, "code": d.code,
                "kind": d.kind.as_str(), "level": d.level.as_str()}),
        ),
    )
    .await?;
    Ok(id)
}

pub async fn update(
    app: &App,
    actor: &Actor,
    id: i64,
    expected_version: Option<i64>,
    d: &ServiceItemDraft,
) -> AppResult<ServiceItem> {
    let current = get(app, id).await?;
    require_unit_editor(actor, current.org_id)?;
    if expected_version.is_some_and(|v| v != current.version) {
        return Err(AppError::PreconditionFailed);
    }
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let n = repo::update_service_item(&mut tx, id, current.version, d, now)
        .await
        .map_err(map_unique)?;
    if n == 0 {
        return Err(AppError::PreconditionFailed);
    }
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("catalogue.service_item.update", "service_item", id).detail(
            serde_json::json!({"name": d.name, "code": d.code, "kind": d.kind.as_str(),
                "level": d.level.as_str()}),
        ),
    )
    .await?;
    tx.commit().await?;
    get(app, id).await
}

pub async fn get(app: &App, id: i64) -> AppResult<ServiceItem> {
    repo::service_item(&mut app.db.reader(), id)
        .await?
        .ok_or_else(|| not_found("政务服务事项", id))
}

/// Service items of one unit, or of every unit for county-wide roles (`org_id` None).
pub async fn list(app: &App, actor: &Actor, org_id: Option<i64>) -> AppResult<Vec<ServiceItem>> {
    actor.require_staff()?;
    let org = org_id.or(if actor.can_see_org(-1) {
        None
    } else {
        actor.org_id
    });
    Ok(repo::service_items(&mut app.db.reader(), org).await?)
}
