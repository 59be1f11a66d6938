//! Legal review by the county justice bureau (SPEC R1.4): a verdict and remarks per item,
//! every review kept as history; an item sent back carries the reasons.

use proofless_domain::catalogue::{Stage, Verdict};
use proofless_domain::role::Role;
use serde::{Deserialize, Serialize};

use super::draft::move_stage;
use super::input::{ItemFilter, ReviewDecision};
use super::items::{self, ProofItem};
use super::repo;
use crate::App;
use crate::actor::Actor;
use crate::audit::{self, Entry};
use crate::error::{AppError, AppResult, FieldError};

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct Review {
    pub id: i64,
    pub proof_item_id: i64,
    pub item_version: i64,
    pub reviewer_name: String,
    pub verdict: Verdict,
    pub remarks: String,
    pub at: i64,
}

pub async fn review(
    app: &App,
    actor: &Actor,
    id: i64,
    decision: &ReviewDecision,
) -> AppResult<ProofItem> {
    actor.require_any(&[Role::LegalReviewer])?;
    let to = decision.verdict.stage();
    let mut reader = app.db.reader();
    let r = items::row(&mut reader, id).await?;
    if r.stage != Stage::Submitted {
        return Err(AppError::Conflict(format!(
            "只能审查已提交的证明事项（当前：{}）",
            r.stage.label()
        )));
    }
    if to == Stage::Reviewed {
        // R1.3: an item without legal basis or not verifiable cannot pass as retained; nor one
        // no service item uses (R1.2, 优化营商环境条例 §44), nor one deferred by 容缺受理 alone
        // (P 三(二)3). Each reason names the item.
        let excluded = items::excluded_domains(&mut reader, app.now_ms()).await?;
        let (_, facts) = items::snapshot_of(&mut reader, &r, &excluded).await?;
        let blocking: Vec<FieldError> = items::blocking(&facts)
            .into_iter()
            .map(|e| FieldError::new(e.field, format!("“{}”：{}", r.name, e.message)))
            .collect();
        if !blocking.is_empty() {
            return Err(AppError::Validation(blocking));
        }
    }
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    move_stage(&mut tx, id, r.stage, to, now).await?;
    let review_id = repo::insert_review(
        &mut tx,
        id,
        r.version,
        actor.id,
        &actor.name,
        decision.verdict,
        &decision.remarks,
        now,
    )
    .await?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("catalogue.item.review", "proof_item", id).detail(serde_json::json!({
            "review_id": review_id, "verdict": decision.verdict.as_str(),
            "remarks": decision.remarks, "item_version": r.version,
        })),
    )
    .await?;
    tx.commit().await?;
    items::get(app, actor, id).await
}

/// Every review of an item, oldest first.
pub async fn history(app: &App, actor: &Actor, id: i64) -> AppResult<Vec<Review>> {
    actor.require_staff()?;
    let mut reader = app.db.reader();
    let r = items::row(&mut reader, id).await?;
    actor.require_see_org(r.owner_org_id)?;
    Ok(repo::reviews(&mut reader, id).await?)
}

/// The justice bureau's queue: items waiting for review.
pub async fn queue(app: &App, actor: &Actor) -> AppResult<Vec<ProofItem>> {
    actor.require_any(&[Role::LegalReviewer, Role::JointOffice, Role::SystemAdmin])?;
    items::list(
        app,
        actor,
        &ItemFilter {
            stage: Some(Stage::Submitted),
            ..ItemFilter::default()
        },
    )
    .await
}
