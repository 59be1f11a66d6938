//! The applicant's own way in (issue #17 §4): a citizen logged in on the portal starts a
//! case for a service item online (在线办理); the case is handled by the unit the catalogue
//! names for the service. And the counter's search for a service item by name or code.

use proofless_domain::case::ApplicantKind;
use proofless_domain::role::ActorKind;

use super::repo::{self, ServiceHit};
use super::service::{Opened, open_in};
use crate::App;
use crate::actor::Actor;
use crate::error::{AppError, AppResult};

/// Starts a case online for the portal user; returns its id.
pub async fn start_online(app: &App, actor: &Actor, service_item_code: &str) -> AppResult<i64> {
    if actor.kind != ActorKind::Portal {
        return Err(AppError::Unauthenticated);
    }
    let person = actor.id.ok_or(AppError::Unauthenticated)?;
    let code = service_item_code.trim();
    if code.is_empty() || code.chars().count() > 33 {
        return Err(AppError::field("service_item_code", "事项编码无效"));
    }
    let (service_item_id, org_id) = repo::service_item(&mut app.db.reader(), code)
        .await?
        .ok_or_else(|| AppError::field("service_item_code", "该事项编码不在政务服务事项目录中"))?;
    let published = super::service::published(app, service_item_id).await?;
    let o = Opened {
        org_id,
        service_item_id,
        kind: ApplicantKind::Person,
        applicant_id: person,
        immediate: false,
        statutory_limit: None,
        code,
    };
    let plan = super::service::plan_open(app, actor, &o).await?;
    let mut tx = app.db.begin().await?;
    let id = open_in(&mut tx, app, actor, &o, &published, &plan).await?;
    tx.commit().await?;
    Ok(id)
}

/// The service item of this code, for the portal's confirmation before a case starts.
pub async fn service_by_code(app: &App, code: &str) -> AppResult<ServiceHit> {
    let code = code.trim();
    if code.is_empty() || code.chars().count() > 33 {
        return Err(AppError::field("service_item_code", "事项编码无效"));
    }
    repo::service_hit(&mut app.db.reader(), code)
        .await?
        .ok_or_else(|| AppError::field("service_item_code", "该事项编码不在政务服务事项目录中"))
}

/// Service items by name or code (at most 30), for the counter.
pub async fn search_services(app: &App, actor: &Actor, words: &str) -> AppResult<Vec<ServiceHit>> {
    actor.require_staff()?;
    let w = words.trim();
    if w.is_empty() {
        return Ok(Vec::new());
    }
    if w.chars().count() > 50 {
        return Err(AppError::field("q", "检索词不能超过50个字"));
    }
    repo::search_services(&mut app.db.reader(), w).await
}
