//! The SQL of the texts a commitment rests on: templates (R4.1) and post-check rules
//! (R4.3), every version kept.

use proofless_domain::commitment::{RuleBand, TemplateStage};
use proofless_store::{Exec, Query, q};
use serde::{Deserialize, Serialize};

use crate::error::{AppError, AppResult};

// --- check rules -------------------------------------------------------------------------

/// A version of an item's post-check rule.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CheckRule {
    pub id: i64,
    pub proof_item_id: i64,
    pub number: i64,
    pub supervising_org_id: i64,
    pub standard: String,
    pub bands: Vec<RuleBand>,
    pub created_by: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, Deserialize)]
struct RuleRow {
    id: i64,
    proof_item_id: i64,
    number: i64,
    supervising_org_id: i64,
    standard: String,
    bands: String,
    created_by: String,
    created_at: i64,
}

impl RuleRow {
    fn record(self) -> AppResult<CheckRule> {
        let bands = serde_json::from_str(&self.bands)
            .map_err(|e| AppError::Internal(format!("核查规则 #{} 存储损坏：{e}", self.id)))?;
        Ok(CheckRule {
            id: self.id,
            proof_item_id: self.proof_item_id,
            number: self.number,
            supervising_org_id: self.supervising_org_id,
            standard: self.standard,
            bands,
            created_by: self.created_by,
            created_at: self.created_at,
        })
    }
}

/// Decodes a rule's stored bands (the hot path reads them without the rest of the row).
pub(crate) fn decode_bands(bands: &str) -> AppResult<Vec<RuleBand>> {
    serde_json::from_str(bands).map_err(|e| AppError::Internal(format!("核查规则存储损坏：{e}")))
}

const RULE_SELECT: &str = "SELECT id, proof_item_id, number, supervising_org_id, standard, bands, created_by, created_at \
    FROM commitment_rules";

/// The version in force (the latest) for an item.
pub(crate) async fn current_rule(db: &mut impl Exec, item_id: i64) -> AppResult<Option<CheckRule>> {
    let row: Option<RuleRow> = db
        .fetch_optional(
            q(format!(
                "{RULE_SELECT} WHERE proof_item_id = ? ORDER BY number DESC LIMIT 1"
            ))
            .bind(item_id),
        )
        .await?;
    row.map(RuleRow::record).transpose()
}

pub(crate) async fn rule_versions(db: &mut impl Exec, item_id: i64) -> AppResult<Vec<CheckRule>> {
    let rows: Vec<RuleRow> = db
        .fetch_all(
            q(format!(
                "{RULE_SELECT} WHERE proof_item_id = ? ORDER BY number DESC"
            ))
            .bind(item_id),
        )
        .await?;
    rows.into_iter().map(RuleRow::record).collect()
}

pub(crate) async fn org_exists(db: &mut impl Exec, org_id: i64) -> AppResult<bool> {
    let row: Option<(i64,)> = db
        .fetch_optional(q("SELECT id FROM orgs WHERE id = ?").bind(org_id))
        .await?;
    Ok(row.is_some())
}

pub(crate) struct NewRule<'a> {
    pub item_id: i64,
    pub supervising_org_id: i64,
    pub standard: &'a str,
    pub bands: &'a [RuleBand],
    pub created_by: &'a str,
}

/// Inserts the next version of an item's rule; its id and number.
pub(crate) async fn insert_rule(
    db: &mut impl Exec,
    r: &NewRule<'_>,
    now: i64,
) -> AppResult<(i64, i64)> {
    let (max,): (Option<i64>,) = db
        .fetch_one(
            q("SELECT MAX(number) FROM commitment_rules WHERE proof_item_id = ?").bind(r.item_id),
        )
        .await?;
    let number = max.unwrap_or(0) + 1;
    let bands = serde_json::to_string(r.bands)
        .map_err(|e| AppError::Internal(format!("核查规则序列化失败：{e}")))?;
    let id = db
        .scalar_i64(
            q("INSERT INTO commitment_rules (proof_item_id, number, supervising_org_id, standard, bands, created_by, created_at) \
               VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id")
            .bind(r.item_id)
            .bind(number)
            .bind(r.supervising_org_id)
            .bind(r.standard)
            .bind(&bands)
            .bind(r.created_by)
            .bind(now),
        )
        .await?;
    Ok((id, number))
}

// --- templates ---------------------------------------------------------------------------

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[schema(as = CommitmentTemplate)]
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
    pub stage: TemplateStage,
    pub review_remarks: String,
    pub reviewer_name: Option<String>,
    pub reviewed_at: Option<i64>,
    pub published_at: Option<i64>,
    pub created_by: String,
    pub created_at: i64,
    pub version: i64,
}

const TEMPLATE_SELECT: &str = "SELECT t.id, t.proof_item_id, p.name AS proof_item_name, t.number, t.obligation, t.content, \
    t.checks, t.cooperation, t.liability, t.publish_letters, t.stage, t.review_remarks, t.reviewer_name, \
    t.reviewed_at, t.published_at, t.created_by, t.created_at, t.version \
    FROM commitment_templates t JOIN proof_items p ON p.id = t.proof_item_id";

pub(crate) async fn template(db: &mut impl Exec, id: i64) -> AppResult<Template> {
    db.fetch_optional(q(format!("{TEMPLATE_SELECT} WHERE t.id = ?")).bind(id))
        .await?
        .ok_or_else(|| AppError::NotFound("承诺书格式文本".to_owned()))
}

pub(crate) async fn published_template(
    db: &mut impl Exec,
    item_id: i64,
) -> AppResult<Option<Template>> {
    Ok(db
        .fetch_optional(
            q(format!(
                "{TEMPLATE_SELECT} WHERE t.proof_item_id = ? AND t.stage = ?"
            ))
            .bind(item_id)
            .bind(TemplateStage::Published.as_str()),
        )
        .await?)
}

pub(crate) async fn published_templates(db: &mut impl Exec) -> AppResult<Vec<Template>> {
    Ok(db
        .fetch_all(
            q(format!(
                "{TEMPLATE_SELECT} WHERE t.stage = ? ORDER BY p.name"
            ))
            .bind(TemplateStage::Published.as_str()),
        )
        .await?)
}

/// Templates of one unit's items (or every unit's), optionally of one stage, newest first.
pub(crate) async fn templates(
    db: &mut impl Exec,
    owner_org_id: Option<i64>,
    stage: Option<TemplateStage>,
) -> AppResult<Vec<Template>> {
    let mut query = Query::new(format!("{TEMPLATE_SELECT} WHERE 1 = 1"));
    if let Some(org) = owner_org_id {
        query.push_sql(" AND p.owner_org_id = ?");
        query.push_arg(org);
    }
    if let Some(s) = stage {
        query.push_sql(" AND t.stage = ?");
        query.push_arg(s.as_str());
    }
    query.push_sql(" ORDER BY t.id DESC LIMIT 500");
    Ok(db.fetch_all(query).await?)
}

/// The next version number of an item's template, and a version under review if any.
pub(crate) async fn template_numbering(
    db: &mut impl Exec,
    item_id: i64,
) -> AppResult<(i64, Option<i64>)> {
    let (n,): (Option<i64>,) = db
        .fetch_one(
            q("SELECT MAX(number) FROM commitment_templates WHERE proof_item_id = ?").bind(item_id),
        )
        .await?;
    let pending: Option<(i64,)> = db
        .fetch_optional(
            q("SELECT id FROM commitment_templates WHERE proof_item_id = ? AND stage = ?")
                .bind(item_id)
                .bind(TemplateStage::Submitted.as_str()),
        )
        .await?;
    Ok((n.unwrap_or(0) + 1, pending.map(|p| p.0)))
}

/// The five texts of a template.
pub(crate) struct TemplateTexts<'a> {
    pub obligation: &'a str,
    pub content: &'a str,
    pub checks: &'a str,
    pub cooperation: &'a str,
    pub liability: &'a str,
    pub publish_letters: bool,
}

pub(crate) async fn insert_template(
    db: &mut impl Exec,
    item_id: i64,
    number: i64,
    t: &TemplateTexts<'_>,
    created_by: &str,
    now: i64,
) -> AppResult<i64> {
    Ok(db
        .scalar_i64(
            q("INSERT INTO commitment_templates (proof_item_id, number, obligation, content, checks, cooperation, \
               liability, publish_letters, stage, created_by, created_at, updated_at) \
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id")
            .bind(item_id)
            .bind(number)
            .bind(t.obligation)
            .bind(t.content)
            .bind(t.checks)
            .bind(t.cooperation)
            .bind(t.liability)
            .bind(t.publish_letters)
            .bind(TemplateStage::Submitted.as_str())
            .bind(created_by)
            .bind(now)
            .bind(now),
        )
        .await?)
}

pub(crate) async fn review_template(
    db: &mut impl Exec,
    id: i64,
    expected_version: i64,
    stage: TemplateStage,
    remarks: &str,
    reviewer: &str,
    now: i64,
) -> AppResult<()> {
    db.execute(
        q("UPDATE commitment_templates SET stage = ?, review_remarks = ?, reviewer_name = ?, reviewed_at = ?, \
           updated_at = ?, version = version + 1 WHERE id = ? AND version = ?")
        .bind(stage.as_str())
        .bind(remarks)
        .bind(reviewer)
        .bind(now)
        .bind(now)
        .bind(id)
        .bind(expected_version),
    )
    .await?;
    Ok(())
}

/// Publishes a template; the version published before it is superseded.
pub(crate) async fn publish_template(
    db: &mut impl Exec,
    id: i64,
    item_id: i64,
    now: i64,
) -> AppResult<()> {
    db.execute(
        q(
            "UPDATE commitment_templates SET stage = ?, updated_at = ?, version = version + 1 \
           WHERE proof_item_id = ? AND stage = ?",
        )
        .bind(TemplateStage::Superseded.as_str())
        .bind(now)
        .bind(item_id)
        .bind(TemplateStage::Published.as_str()),
    )
    .await?;
    db.execute(
        q("UPDATE commitment_templates SET stage = ?, published_at = ?, updated_at = ?, version = version + 1 WHERE id = ?")
            .bind(TemplateStage::Published.as_str())
            .bind(now)
            .bind(now)
            .bind(id),
    )
    .await?;
    Ok(())
}
