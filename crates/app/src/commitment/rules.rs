//! Post-check rules per item (R4.3, P 三(二)2 “明确核查时间、标准、方式以及是否免予核查”):
//! the implementing unit sets, per credit-score band, the method, the time limit, the
//! sampling rate or exemption, the standard, and the supervising department that checks.
//! Every version is kept; a plan names the version that produced it.

use proofless_domain::role::Role;
use serde_json::json;

use super::commitment_item;
pub use super::input::{BandInput, RuleCommand, RuleInput, parse_bands};
use super::repo::{self, CheckRule, NewRule};
use crate::App;
use crate::actor::Actor;
use crate::audit::{self, Entry};
use crate::error::{AppError, AppResult};

/// A new version of the item's check rule (unit admin of the item's unit).
pub async fn add(
    app: &App,
    actor: &Actor,
    item_id: i64,
    input: &RuleInput,
) -> AppResult<CheckRule> {
    actor.require_any(&[Role::UnitAdmin, Role::SystemAdmin])?;
    let cmd = input.parse()?;
    let now = app.now_ms();
    let item = commitment_item(app, &mut app.db.reader(), item_id, "proof_item_id", now).await?;
    actor.require_org(item.owner_org_id)?;
    let mut tx = app.db.begin().await?;
    if !repo::org_exists(&mut tx, cmd.supervising_org_id).await? {
        return Err(AppError::field(
            "supervising_org_id",
            format!("单位 {} 不存在", cmd.supervising_org_id),
        ));
    }
    let (id, number) = repo::insert_rule(
        &mut tx,
        &NewRule {
            item_id,
            supervising_org_id: cmd.supervising_org_id,
            standard: &cmd.standard,
            bands: &cmd.bands,
            created_by: &actor.name,
        },
        now,
    )
    .await?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("commitment_rule.add", "commitment_rule", id).detail(json!({
            "proof_item_id": item_id, "number": number, "supervising_org_id": cmd.supervising_org_id,
            "bands": cmd.bands,
        })),
    )
    .await?;
    let rule = repo::current_rule(&mut tx, item_id)
        .await?
        .ok_or_else(|| AppError::Internal("核查规则保存失败".to_owned()))?;
    tx.commit().await?;
    Ok(rule)
}

/// Every version of an item's rule, newest first (staff).
pub async fn versions(app: &App, actor: &Actor, item_id: i64) -> AppResult<Vec<CheckRule>> {
    actor.require_staff()?;
    repo::rule_versions(&mut app.db.reader(), item_id).await
}
