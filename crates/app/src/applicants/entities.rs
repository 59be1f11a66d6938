//! Entities, their representatives, and the access log a subject may read (A2 §12).

use proofless_domain::codes::CreditCode;
use serde::{Deserialize, Serialize};

use super::input::{EntityInput, RepresentativeInput};
use super::persons::APPLICANT_ROLES;
use super::repo;
use crate::App;
use crate::actor::Actor;
use crate::audit::{self, Entry};
use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct Entity {
    pub id: i64,
    #[schema(value_type = String)]
    pub credit_code: CreditCode,
    pub name: String,
}

pub async fn create_entity(app: &App, actor: &Actor, input: EntityInput) -> AppResult<Entity> {
    actor.require_any(&APPLICANT_ROLES)?;
    let e = input.parse()?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let id = repo::insert_entity(&mut tx, &e, now).await.map_err(|err| {
        match err.unique_violation() {
            Some(_) => AppError::Conflict(format!("统一社会信用代码 {} 已登记", e.credit_code)),
            None => err.into(),
        }
    })?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("entity.create", "entity", id).subject(format!("entity:{id}")),
    )
    .await?;
    tx.commit().await?;
    get_entity(app, id).await
}

pub async fn get_entity(app: &App, id: i64) -> AppResult<Entity> {
    repo::entity(&mut app.db.reader(), id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("法人 {id}")))
}

pub async fn add_representative(
    app: &App,
    actor: &Actor,
    entity_id: i64,
    input: RepresentativeInput,
) -> AppResult<()> {
    actor.require_any(&APPLICANT_ROLES)?;
    get_entity(app, entity_id).await?;
    let r = input.parse()?;
    let person_id = super::persons::person_id_of(app, &r.person_id)
        .await
        .map_err(|_| AppError::field("person_id", "申请人不存在"))?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    repo::insert_representative(&mut tx, entity_id, person_id, &r)
        .await
        .map_err(|e| {
            if e.unique_violation().is_some() {
                AppError::Conflict("此人已是该法人的代表".to_owned())
            } else if e.is_foreign_key_violation() {
                AppError::field("person_id", "申请人不存在")
            } else {
                e.into()
            }
        })?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("entity.add_representative", "entity", entity_id)
            .subject(format!("entity:{entity_id}"))
            .detail(serde_json::json!({"person_id": person_id, "capacity": r.capacity})),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Entities a person represents (for the portal).
pub async fn entities_of(app: &App, person_id: i64) -> AppResult<Vec<Entity>> {
    Ok(repo::entities_of(&mut app.db.reader(), person_id).await?)
}

/// Whether the portal user `me` may read the access log of `subject_ref`.
pub(super) async fn may_read_log(app: &App, me: i64, subject_ref: &str) -> AppResult<bool> {
    if subject_ref == format!("person:{me}") {
        return Ok(true);
    }
    match subject_ref
        .strip_prefix("entity:")
        .and_then(|s| s.parse::<i64>().ok())
    {
        Some(eid) => Ok(entities_of(app, me).await?.iter().any(|e| e.id == eid)),
        None => Ok(false),
    }
}
