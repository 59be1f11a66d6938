//! Commitment templates (格式文本, R4.1; P 三(二)2 “编制…格式文本，明确证明义务、证明内容以及
//! 不实承诺的法律责任”): written by the item's unit, reviewed by the justice bureau, then
//! published beside the exemption list so a citizen reads it before applying.
//! Each change is a new numbered version; published versions are never edited.

use proofless_domain::role::Role;
use proofless_store::{Tx, q};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::commitment_item;
use crate::App;
use crate::actor::Actor;
use crate::audit::{self, Entry};
use crate::error::{AppError, AppResult, Problems};

pub const SUBMITTED: &str = "submitted";
pub const APPROVED: &str = "approved";
pub const RETURNED: &str = "returned";
pub const PUBLISHED: &str = "published";
pub const SUPERSEDED: &str = "superseded";

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct Template {
    pub id: i64,
    pub proof_item_id: i64,
    pub proof_item_name: String,
    pub number: i64,
    /// 证明义务
    pub obligation: String,
    /// 承诺内容
    pub content: String,
    /// 行政机关可以进行的核查
    pub checks: String,
    /// 申请人配合核查的义务
    pub cooperation: String,
    /// 不实承诺的法律责任
    pub liability: String,
    /// R4.7: letters of this item are published.
    pub publish_letters: bool,
    /// `submitted`, `approved`, `returned`, `published`, `superseded`.
    pub stage: String,
    pub review_remarks: String,
    pub reviewer_name: Option<String>,
    pub reviewed_at: Option<i64>,
    pub published_at: Option<i64>,
    pub created_by: String,
    pub created_at: i64,
    pub version: i64,
}

const SELECT: &str = "SELECT t.id, t.proof_item_id, p.name AS proof_item_name, t.number, t.obligation, t.content, \
    t.checks, t.cooperation, t.liability, t.publish_letters, t.stage, t.review_remarks, t.reviewer_name, \
    t.reviewed_at, t.published_at, t.created_by, t.created_at, t.version \
    FROM commitment_templates t JOIN proof_items p ON p.id = t.proof_item_id";

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct TemplateInput {
    pub obligation: String,
    pub content: String,
    pub checks: String,
    pub cooperation: String,
    pub liability: String,
    #[serde(default)]
    pub publish_letters: bool,
}

const MAX_TEXT: usize = 5000;

fn check(input: &TemplateInput) -> AppResult<()> {
    let mut p = Problems::default();
    for (field, v, label) in [
        ("obligation", &input.obligation, "证明义务"),
        ("content", &input.content, "承诺内容"),
        ("checks", &input.checks, "核查方式说明"),
        ("cooperation", &input.cooperation, "配合核查义务"),
        ("liability", &input.liability, "不实承诺的法律责任"),
    ] {
        let n = v.trim().chars().count();
        if n == 0 {
            p.add(field, format!("{label}不能为空"));
        } else if n > MAX_TEXT {
            p.add(field, format!("{label}不能超过{MAX_TEXT}字"));
        }
    }
    p.into_result()
}

pub(crate) async fn load(tx: &mut Tx, id: i64) -> AppResult<Template> {
    tx.fetch_optional(q(format!("{SELECT} WHERE t.id = ?")).bind(id))
        .await?
        .ok_or_else(|| AppError::NotFound("承诺书格式文本".to_owned()))
}

/// A new template version for an item with a commitment method, submitted for legal review
/// (unit admin of the item's unit).
pub async fn create(
    app: &App,
    actor: &Actor,
    item_id: i64,
    input: &TemplateInput,
) -> AppResult<Template> {
    actor.require_any(&[Role::UnitAdmin, Role::SystemAdmin])?;
    check(input)?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let item = commitment_item(&mut tx, item_id, "proof_item_id").await?;
    actor.require_org(item.owner_org_id)?;
    let (n,): (Option<i64>,) = tx
        .fetch_one(
            q("SELECT MAX(number) FROM commitment_templates WHERE proof_item_id = ?").bind(item_id),
        )
        .await?;
    let pending: Option<(i64,)> = tx
        .fetch_optional(
            q("SELECT id FROM commitment_templates WHERE proof_item_id = ? AND stage = ?")
                .bind(item_id)
                .bind(SUBMITTED),
        )
        .await?;
    if let Some((pid,)) = pending {
        return Err(AppError::Conflict(format!(
            "该证明事项已有一份格式文本（#{pid}）正在合法性审查，请等待审查结果"
        )));
    }
    let id = tx
        .scalar_i64(
            q("INSERT INTO commitment_templates (proof_item_id, number, obligation, content, checks, cooperation, \
               liability, publish_letters, stage, created_by, created_at, updated_at) \
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id")
            .bind(item_id)
            .bind(n.unwrap_or(0) + 1)
            .bind(input.obligation.trim())
            .bind(input.content.trim())
            .bind(input.checks.trim())
            .bind(input.cooperation.trim())
            .bind(input.liability.trim())
            .bind(input.publish_letters)
            .bind(SUBMITTED)
            .bind(&actor.name)
            .bind(now)
            .bind(now),
        )
        .await?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("commitment_template.create", "commitment_template", id)
            .detail(json!({"proof_item_id": item_id, "number": n.unwrap_or(0) + 1})),
    )
    .await?;
    crate::notifications::insert_in(
        &mut tx,
        &crate::notifications::Recipient::Role(proofless_domain::role::Role::LegalReviewer),
        proofless_domain::notification::NotificationKind::Review,
        &format!("【合法性审查】“{}”的告知承诺书格式文本待审查。", item.name),
        "/commitments/templates",
        &format!("commitment_template:submitted:{id}"),
        now,
    )
    .await?;
    let t = load(&mut tx, id).await?;
    tx.commit().await?;
    Ok(t)
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewInput {
    /// `approve` or `return`.
    pub verdict: String,
    #[serde(default)]
    pub remarks: String,
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
    let stage = match input.verdict.trim() {
        "approve" => APPROVED,
        "return" => RETURNED,
        other => {
            return Err(AppError::field(
                "verdict",
                format!("审查结论应为 approve（通过）或 return（退回），收到“{other}”"),
            ));
        }
    };
    if stage == RETURNED && input.remarks.trim().is_empty() {
        return Err(AppError::field("remarks", "退回须写明理由"));
    }
    if input.remarks.chars().count() > MAX_TEXT {
        return Err(AppError::field("remarks", "审查意见不能超过5000字"));
    }
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let t = load(&mut tx, id).await?;
    if t.version != expected_version {
        return Err(AppError::PreconditionFailed);
    }
    if t.stage != SUBMITTED {
        return Err(AppError::Conflict("该格式文本不在待审查状态".to_owned()));
    }
    tx.execute(
        q("UPDATE commitment_templates SET stage = ?, review_remarks = ?, reviewer_name = ?, reviewed_at = ?, \
           updated_at = ?, version = version + 1 WHERE id = ? AND version = ?")
        .bind(stage)
        .bind(input.remarks.trim())
        .bind(&actor.name)
        .bind(now)
        .bind(now)
        .bind(id)
        .bind(expected_version),
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
    let out = load(&mut tx, id).await?;
    tx.commit().await?;
    Ok(out)
}

/// Publishes an approved template (the item's unit admin, or the joint office); the
/// version published before is superseded.
pub async fn publish(app: &App, actor: &Actor, id: i64) -> AppResult<Template> {
    actor.require_any(&[Role::UnitAdmin, Role::JointOffice, Role::SystemAdmin])?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let t = load(&mut tx, id).await?;
    if !actor.has(Role::JointOffice) {
        let (owner,): (i64,) = tx
            .fetch_one(q("SELECT owner_org_id FROM proof_items WHERE id = ?").bind(t.proof_item_id))
            .await?;
        actor.require_org(owner)?;
    }
    if t.stage != APPROVED {
        return Err(AppError::Conflict(
            "只有通过合法性审查的格式文本才能公布".to_owned(),
        ));
    }
    tx.execute(
        q(
            "UPDATE commitment_templates SET stage = ?, updated_at = ?, version = version + 1 \
           WHERE proof_item_id = ? AND stage = ?",
        )
        .bind(SUPERSEDED)
        .bind(now)
        .bind(t.proof_item_id)
        .bind(PUBLISHED),
    )
    .await?;
    tx.execute(
        q("UPDATE commitment_templates SET stage = ?, published_at = ?, updated_at = ?, version = version + 1 WHERE id = ?")
            .bind(PUBLISHED)
            .bind(now)
            .bind(now)
            .bind(id),
    )
    .await?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("commitment_template.publish", "commitment_template", id)
            .detail(json!({"proof_item_id": t.proof_item_id, "number": t.number})),
    )
    .await?;
    let out = load(&mut tx, id).await?;
    tx.commit().await?;
    Ok(out)
}

/// The published template of an item (public: a citizen reads it before applying).
pub async fn published_for_item(app: &App, item_id: i64) -> AppResult<Template> {
    app.db
        .reader()
        .fetch_optional(
            q(format!(
                "{SELECT} WHERE t.proof_item_id = ? AND t.stage = ?"
            ))
            .bind(item_id)
            .bind(PUBLISHED),
        )
        .await?
        .ok_or_else(|| AppError::NotFound("该证明事项已公布的告知承诺书格式文本".to_owned()))
}

pub(crate) async fn published_in(tx: &mut Tx, item_id: i64) -> AppResult<Option<Template>> {
    Ok(tx
        .fetch_optional(
            q(format!(
                "{SELECT} WHERE t.proof_item_id = ? AND t.stage = ?"
            ))
            .bind(item_id)
            .bind(PUBLISHED),
        )
        .await?)
}

/// Every published template (public).
pub async fn published(app: &App) -> AppResult<Vec<Template>> {
    Ok(app
        .db
        .reader()
        .fetch_all(q(format!("{SELECT} WHERE t.stage = ? ORDER BY p.name")).bind(PUBLISHED))
        .await?)
}

/// Templates the actor works on: the reviewer's queue, a unit's own, everything for
/// county-wide roles.
pub async fn list(app: &App, actor: &Actor, stage: Option<&str>) -> AppResult<Vec<Template>> {
    actor.require_staff()?;
    let mut sql = format!("{SELECT} WHERE 1 = 1");
    let mut args: Vec<proofless_store::Value> = vec![];
    if !actor.can_see_org(-1) {
        sql.push_str(" AND p.owner_org_id = ?");
        args.push(actor.org_id.unwrap_or(-1).into());
    }
    if let Some(s) = stage.filter(|s| !s.is_empty()) {
        if ![SUBMITTED, APPROVED, RETURNED, PUBLISHED, SUPERSEDED].contains(&s) {
            return Err(AppError::field("stage", format!("状态“{s}”无效")));
        }
        sql.push_str(" AND t.stage = ?");
        args.push(s.into());
    }
    sql.push_str(" ORDER BY t.id DESC LIMIT 500");
    let mut query = q(sql);
    query.args = args;
    Ok(app.db.reader().fetch_all(query).await?)
}

pub async fn get(app: &App, id: i64) -> AppResult<Template> {
    let mut tx = app.db.begin().await?;
    let t = load(&mut tx, id).await?;
    tx.commit().await?;
    Ok(t)
}
