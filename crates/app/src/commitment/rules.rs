//! Post-check rules per item (R4.3, P 三(二)2 “明确核查时间、标准、方式以及是否免予核查”):
//! the implementing unit sets, per credit-score band, the method, the time limit, the
//! sampling rate or exemption, the standard, and the supervising department that checks.
//! Every version is kept; a plan names the version that produced it.

use proofless_domain::commitment::{CheckMethod, RuleBand, band_problems};
use proofless_domain::role::Role;
use proofless_store::{Tx, q};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::commitment_item;
use crate::App;
use crate::actor::Actor;
use crate::audit::{self, Entry};
use crate::error::{AppError, AppResult, FieldError, Problems};

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BandInput {
    pub min_score: i64,
    pub max_score: i64,
    #[serde(default)]
    pub exempt: bool,
    /// `data_comparison`, `on_site`, `document_check`; none when exempt.
    pub method: Option<String>,
    #[serde(default)]
    pub within_wd: i64,
    /// Share checked, per mille (1000 = all).
    #[serde(default)]
    pub sample_permille: i64,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleInput {
    /// The department that carries out the checks (审管衔接).
    pub supervising_org_id: i64,
    /// 核查标准.
    pub standard: String,
    pub bands: Vec<BandInput>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CheckRule {
    pub id: i64,
    pub proof_item_id: i64,
    pub number: i64,
    pub supervising_org_id: i64,
    pub standard: String,
    pub bands: Vec<BandInput>,
    pub created_by: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct RuleRow {
    pub id: i64,
    pub proof_item_id: i64,
    pub number: i64,
    pub supervising_org_id: i64,
    pub standard: String,
    pub bands: String,
    pub created_by: String,
    pub created_at: i64,
}

const SELECT: &str = "SELECT id, proof_item_id, number, supervising_org_id, standard, bands, created_by, created_at \
    FROM commitment_rules";

impl RuleRow {
    pub fn domain_bands(&self) -> AppResult<Vec<RuleBand>> {
        serde_json::from_str(&self.bands)
            .map_err(|e| AppError::Internal(format!("核查规则 #{} 存储损坏：{e}", self.id)))
    }

    fn view(self) -> AppResult<CheckRule> {
        let bands = self
            .domain_bands()?
            .into_iter()
            .map(|b| BandInput {
                min_score: b.min_score,
                max_score: b.max_score,
                exempt: b.exempt,
                method: b.method.map(|m| m.as_str().to_owned()),
                within_wd: b.within_wd,
                sample_permille: b.sample_permille,
            })
            .collect();
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

/// The bands as rules, or every problem (field `bands[i].…` or `bands`).
pub fn parse_bands(input: &[BandInput]) -> Result<Vec<RuleBand>, Vec<FieldError>> {
    let mut errs = vec![];
    if input.len() > 20 {
        errs.push(FieldError::new("bands", "核查规则最多20档"));
        return Err(errs);
    }
    let mut out = vec![];
    for (i, b) in input.iter().enumerate() {
        let method = match b.method.as_deref().map(str::trim).filter(|m| !m.is_empty()) {
            None => None,
            Some(m) => match CheckMethod::parse(m) {
                Some(m) => Some(m),
                None => {
                    errs.push(FieldError::new(
                        format!("bands[{i}].method"),
                        format!(
                            "核查方式“{}”无效（data_comparison 数据比对、on_site 现场核查、document_check 书面核查）",
                            m.chars().take(40).collect::<String>()
                        ),
                    ));
                    None
                }
            },
        };
        out.push(RuleBand {
            min_score: b.min_score,
            max_score: b.max_score,
            exempt: b.exempt,
            method,
            within_wd: b.within_wd,
            sample_permille: b.sample_permille,
        });
    }
    if !errs.is_empty() {
        return Err(errs);
    }
    let problems = band_problems(&out);
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems
            .into_iter()
            .map(|m| FieldError::new("bands", m))
            .collect())
    }
}

/// A new version of the item's check rule (unit admin of the item's unit).
pub async fn add(
    app: &App,
    actor: &Actor,
    item_id: i64,
    input: &RuleInput,
) -> AppResult<CheckRule> {
    actor.require_any(&[Role::UnitAdmin, Role::SystemAdmin])?;
    let mut p = Problems::default();
    let n = input.standard.trim().chars().count();
    if n == 0 {
        p.add("standard", "核查标准不能为空");
    } else if n > 5000 {
        p.add("standard", "核查标准不能超过5000字");
    }
    let bands = match parse_bands(&input.bands) {
        Ok(b) => Some(b),
        Err(errs) => {
            p.0.extend(errs);
            None
        }
    };
    p.into_result()?;
    let Some(bands) = bands else {
        return Err(AppError::Internal("校验失败".to_owned()));
    };
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let item = commitment_item(&mut tx, item_id, "proof_item_id").await?;
    actor.require_org(item.owner_org_id)?;
    let org: Option<(i64,)> = tx
        .fetch_optional(q("SELECT id FROM orgs WHERE id = ?").bind(input.supervising_org_id))
        .await?;
    if org.is_none() {
        return Err(AppError::field(
            "supervising_org_id",
            format!("单位 {} 不存在", input.supervising_org_id),
        ));
    }
    let (max,): (Option<i64>,) = tx
        .fetch_one(
            q("SELECT MAX(number) FROM commitment_rules WHERE proof_item_id = ?").bind(item_id),
        )
        .await?;
    let number = max.unwrap_or(0) + 1;
    let bands_json = serde_json::to_string(&bands)
        .map_err(|e| AppError::Internal(format!("核查规则序列化失败：{e}")))?;
    let id = tx
        .scalar_i64(
            q("INSERT INTO commitment_rules (proof_item_id, number, supervising_org_id, standard, bands, created_by, created_at) \
               VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id")
            .bind(item_id)
            .bind(number)
            .bind(input.supervising_org_id)
            .bind(input.standard.trim())
            .bind(&bands_json)
            .bind(&actor.name)
            .bind(now),
        )
        .await?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("commitment_rule.add", "commitment_rule", id).detail(json!({
            "proof_item_id": item_id, "number": number, "supervising_org_id": input.supervising_org_id,
            "bands": bands,
        })),
    )
    .await?;
    let row = current_in(&mut tx, item_id)
        .await?
        .ok_or_else(|| AppError::Internal("核查规则保存失败".to_owned()))?;
    tx.commit().await?;
    row.view()
}

/// The version in force (the latest) for an item.
pub(crate) async fn current_in(tx: &mut Tx, item_id: i64) -> AppResult<Option<RuleRow>> {
    Ok(tx
        .fetch_optional(
            q(format!(
                "{SELECT} WHERE proof_item_id = ? ORDER BY number DESC LIMIT 1"
            ))
            .bind(item_id),
        )
        .await?)
}

/// Every version of an item's rule, newest first (staff).
pub async fn versions(app: &App, actor: &Actor, item_id: i64) -> AppResult<Vec<CheckRule>> {
    actor.require_staff()?;
    let rows: Vec<RuleRow> = app
        .db
        .reader()
        .fetch_all(
            q(format!(
                "{SELECT} WHERE proof_item_id = ? ORDER BY number DESC"
            ))
            .bind(item_id),
        )
        .await?;
    rows.into_iter().map(RuleRow::view).collect()
}
