//! Legal review by the county justice bureau (SPEC R1.4): a verdict and remarks per item,
//! every review kept as history; an item sent back carries the reasons.

use proofless_domain::catalogue::{MAX_TEXT_CHARS, Stage};
use proofless_domain::role::Role;
use proofless_store::q;
use serde::{Deserialize, Serialize};

use super::clean_text;
use super::items::{self, ProofItem};
use crate::App;
use crate::actor::Actor;
use crate::audit::{self, Entry};
use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewInput {
    /// `pass` (审查通过) or `return` (退回修改).
    pub verdict: String,
    /// Remarks; required when returning (the reasons for rework).
    #[serde(default)]
    pub remarks: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct Review {
    pub id: i64,
    pub proof_item_id: i64,
    pub item_version: i64,
    pub reviewer_name: String,
    pub verdict: String,
    pub remarks: String,
    pub at: i64,
}

pub async fn review(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &ReviewInput,
) -> AppResult<ProofItem> {
    actor.require_any(&[Role::LegalReviewer])?;
    let remarks = clean_text(&input.remarks, MAX_TEXT_CHARS)
        .map_err(|e| AppError::field("remarks", format!("审查意见{e}")))?;
    let to = match input.verdict.trim() {
        "pass" => Stage::Reviewed,
        "return" => Stage::Returned,
        _ => {
            return Err(AppError::field(
                "verdict",
                "审查结论应为 pass（审查通过）或 return（退回修改）",
            ));
        }
    };
    if to == Stage::Returned && remarks.is_empty() {
        return Err(AppError::field("remarks", "退回修改须写明理由"));
    }
    let r = items::row(app, id).await?;
    let from = Stage::parse(&r.stage).unwrap_or(Stage::Draft);
    if from != Stage::Submitted {
        return Err(AppError::Conflict(format!(
            "只能审查已提交的证明事项（当前：{}）",
            from.label()
        )));
    }
    if to == Stage::Reviewed {
        // R1.3: an item without legal basis or not verifiable cannot pass as retained.
        let (_, facts) = items::snapshot_of(&app.db, &r).await?;
        let blocking = items::blocking(&facts);
        if !blocking.is_empty() {
            return Err(AppError::Validation(blocking));
        }
    }
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    items::move_stage(&mut tx, id, from, to, now).await?;
    let review_id = tx
        .scalar_i64(
            q("INSERT INTO legal_reviews (proof_item_id, item_version, reviewer_id, reviewer_name, verdict, remarks, at) \
               VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id")
            .bind(id)
            .bind(r.version)
            .bind(actor.id)
            .bind(&actor.name)
            .bind(input.verdict.trim())
            .bind(&remarks)
            .bind(now),
        )
        .await?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("catalogue.item.review", "proof_item", id).detail(serde_json::json!({
            "review_id": review_id, "verdict": input.verdict.trim(), "remarks": remarks,
            "item_version": r.version,
        })),
    )
    .await?;
    tx.commit().await?;
    items::get(app, actor, id).await
}

/// Every review of an item, oldest first.
pub async fn history(app: &App, actor: &Actor, id: i64) -> AppResult<Vec<Review>> {
    actor.require_staff()?;
    let r = items::row(app, id).await?;
    actor.require_see_org(r.owner_org_id)?;
    Ok(app
        .db
        .reader()
        .fetch_all(
            q(
                "SELECT id, proof_item_id, item_version, reviewer_name, verdict, remarks, at \
               FROM legal_reviews WHERE proof_item_id = ? ORDER BY id",
            )
            .bind(id),
        )
        .await?)
}

/// The justice bureau's queue: items waiting for review.
pub async fn queue(app: &App, actor: &Actor) -> AppResult<Vec<ProofItem>> {
    actor.require_any(&[Role::LegalReviewer, Role::JointOffice, Role::SystemAdmin])?;
    items::list(
        app,
        actor,
        &items::ItemFilter {
            stage: Some(Stage::Submitted.as_str().to_owned()),
            ..items::ItemFilter::default()
        },
    )
    .await
}
