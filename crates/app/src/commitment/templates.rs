//! Commitment templates (格式文本, R4.1; P 三(二)2 “编制…格式文本，明确证明义务、证明内容以及
//! 不实承诺的法律责任”): written by the item's unit, reviewed by the justice bureau, then
//! published beside the exemption list so a citizen reads it before applying.
//! Each change is a new numbered version; published versions are never edited.

use proofless_domain::commitment::TemplateStage;
use proofless_domain::role::Role;
use serde_json::json;

use super::commitment_item;
use super::input::parse_stage;
pub use super::input::{ReviewInput, TemplateInput};
pub use super::repo::Template;
use super::repo::{self, TemplateTexts};
use crate::App;
use crate::actor::Actor;
use crate::audit::{self, Entry};
use crate::error::{AppError, AppResult};
use crate::notifications::{self, Recipient};

/// A new template version for an item with a commitment method, submitted for legal review
/// (unit admin of the item's unit).
pub async fn create(
    app: &App,
    actor: &Actor,
    item_id: i64,
    input: &TemplateInput,
) -> AppResult<Template> {
    actor.require_any(&[Role::UnitAdmin, Role::SystemAdmin])?;
    let cmd = input.parse()?;
    let now = app.now_ms();
    // R2.1–R2.2: the item's published method, read before the write lock.
    let item = commitment_item(app, &mut app.db.reader(), item_id, "proof_item_id", now).await?;
    actor.require_org(item.owner_org_id)?;
    let mut tx = app.db.begin().await?;
    let (number, pending) = repo::template_numbering(&mut tx, item_id).await?;
    if let Some(pid) = pending {
        return Err(AppError::Conflict(format!(
            "该证明事项已有一份格式文本（#{pid}）正在合法性审查，请等待审查结果"
        )));
    }
    let id = repo::insert_template(
        &mut tx,
        item_id,
        number,
        &TemplateTexts {
            obligation: &cmd.obligation,
            content: &cmd.content,
            checks: &cmd.checks,
            cooperation: &cmd.cooperation,
            liability: &cmd.liability,
            publish_letters: cmd.publish_letters,
        },
        &actor.name,
        now,
    )
    .await?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("commitment_template.create", "commitment_template", id)
            .detail(json!({"proof_item_id": item_id, "number": number})),
    )
    .await?;
    notifications::insert_in(
        &mut tx,
        &Recipient::Role(Role::LegalReviewer),
        proofless_domain::notification::NotificationKind::Review,
        &format!("【合法性审查】“{}”的告知承诺书格式文本待审查。", item.name),
        "/commitments/templates",
        &format!("commitment_template:submitted:{id}"),
        now,
    )
    .await?;
    let t = repo::template(&mut tx, id).await?;
    tx.commit().await?;
    Ok(t)
}

/// The justice bureau's legal review (R1.4 applied to templates).
pub async fn review(
    app: &App,
    actor: &Actor,
    id: i64,
    expected_version: i64,
    input: &ReviewInput,
) -> AppResult<Template> {
    actor.require_any(&[Role::LegalReviewer])?;
    let cmd = input.parse()?;
    let stage = cmd.verdict.stage();
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let t = repo::template(&mut tx, id).await?;
    if t.version != expected_version {
        return Err(AppError::PreconditionFailed);
    }
    if t.stage != TemplateStage::Submitted {
        return Err(AppError::Conflict("该格式文本不在待审查状态".to_owned()));
    }
    repo::review_template(
        &mut tx,
        id,
        expected_version,
        stage,
        &cmd.remarks,
        &actor.name,
        now,
    )
    .await?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("commitment_template.review", "commitment_template", id)
            .detail(json!({"verdict": stage})),
    )
    .await?;
    let out = repo::template(&mut tx, id).await?;
    tx.commit().await?;
    Ok(out)
}

/// Publishes an approved template (the item's unit admin, or the joint office); the
/// version published before is superseded.
pub async fn publish(app: &App, actor: &Actor, id: i64) -> AppResult<Template> {
    actor.require_any(&[Role::UnitAdmin, Role::JointOffice, Role::SystemAdmin])?;
    let now = app.now_ms();
    // R2.1–R2.2: only for an item whose published method is commitment (the list may have
    // changed since the template was drafted).
    let drafted = repo::template(&mut app.db.reader(), id).await?;
    commitment_item(
        app,
        &mut app.db.reader(),
        drafted.proof_item_id,
        "proof_item_id",
        now,
    )
    .await?;
    let mut tx = app.db.begin().await?;
    let t = repo::template(&mut tx, id).await?;
    if !actor.has(Role::JointOffice) {
        actor.require_org(repo::item_owner(&mut tx, t.proof_item_id).await?)?;
    }
    if t.stage != TemplateStage::Approved {
        return Err(AppError::Conflict(
            "只有通过合法性审查的格式文本才能公布".to_owned(),
        ));
    }
    repo::publish_template(&mut tx, id, t.proof_item_id, now).await?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("commitment_template.publish", "commitment_template", id)
            .detail(json!({"proof_item_id": t.proof_item_id, "number": t.number})),
    )
    .await?;
    let out = repo::template(&mut tx, id).await?;
    tx.commit().await?;
    Ok(out)
}

/// The published template of an item (public: a citizen reads it before applying).
pub async fn published_for_item(app: &App, item_id: i64) -> AppResult<Template> {
    repo::published_template(&mut app.db.reader(), item_id)
        .await?
        .ok_or_else(|| AppError::NotFound("该证明事项已公布的告知承诺书格式文本".to_owned()))
}

/// Every published template (public).
pub async fn published(app: &App) -> AppResult<Vec<Template>> {
    repo::published_templates(&mut app.db.reader()).await
}

/// Templates the actor works on: the reviewer's queue, a unit's own, everything for
/// county-wide roles.
pub async fn list(app: &App, actor: &Actor, stage: Option<&str>) -> AppResult<Vec<Template>> {
    actor.require_staff()?;
    let owner = if actor.can_see_org(-1) {
        None
    } else {
        // Staff without a unit see no unit's templates.
        Some(actor.org_id.unwrap_or(-1))
    };
    let stage = parse_stage(stage)?;
    repo::templates(&mut app.db.reader(), owner, stage).await
}

pub async fn get(app: &App, id: i64) -> AppResult<Template> {
    repo::template(&mut app.db.reader(), id).await
}
