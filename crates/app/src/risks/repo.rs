//! The SQL of the risk register.

use proofless_domain::joint::RiskLevel;
use proofless_store::{Exec, q};
use serde::{Deserialize, Serialize};

use super::input::NewRisk;
use crate::error::AppResult;

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[schema(as = risks_RiskPoint)]
pub struct RiskPoint {
    #[serde(skip_serializing)]
    pub id: i64,
    /// The public id (the API's `id`).
    #[serde(rename(serialize = "id"))]
    #[schema(rename = "id")]
    pub public_id: String,
    pub org_id: i64,
    pub org_name: String,
    pub step: String,
    pub risk: String,
    pub level: RiskLevel,
    pub controls: String,
    pub created_by: String,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[schema(as = risks_Review)]
pub struct Review {
    #[serde(skip_serializing)]
    pub id: i64,
    pub org_id: i64,
    pub note: String,
    /// Risk points in force when reviewed.
    pub points: i64,
    pub reviewed_by: String,
    pub reviewed_at: i64,
}

const COLS: &str = "SELECT r.id, r.public_id, r.org_id, o.name AS org_name, r.step, r.risk, r.level, \
    r.controls, r.created_by, r.created_at, r.updated_at FROM risk_points r \
    JOIN orgs o ON o.id = r.org_id";

pub(crate) async fn points(ex: &mut impl Exec, org: Option<i64>) -> AppResult<Vec<RiskPoint>> {
    let o = org.unwrap_or(0);
    Ok(ex
        .fetch_all(
            q(format!(
                "{COLS} WHERE r.active = ? AND (? = 0 OR r.org_id = ?) ORDER BY r.org_id, \
                 CASE r.level WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END, r.id LIMIT 2000"
            ))
            .bind(true)
            .bind(o)
            .bind(o),
        )
        .await?)
}

pub(crate) async fn point(ex: &mut impl Exec, id: i64) -> AppResult<Option<RiskPoint>> {
    Ok(ex
        .fetch_optional(
            q(format!("{COLS} WHERE r.id = ? AND r.active = ?"))
                .bind(id)
                .bind(true),
        )
        .await?)
}

pub(crate) async fn insert(
    ex: &mut impl Exec,
    org: i64,
    r: &NewRisk,
    by: &str,
    now: i64,
) -> AppResult<i64> {
    Ok(ex
        .scalar_i64(
            q(
                "INSERT INTO risk_points (public_id, org_id, step, risk, level, controls, active, \
               created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            )
            .bind(crate::public_ids::new_public_id())
            .bind(org)
            .bind(r.step.as_str())
            .bind(r.risk.as_str())
            .bind(r.level.as_str())
            .bind(r.controls.as_str())
            .bind(true)
            .bind(by)
            .bind(now)
            .bind(now),
        )
        .await?)
}

pub(crate) async fn update(ex: &mut impl Exec, id: i64, r: &NewRisk, now: i64) -> AppResult<u64> {
    Ok(ex
        .execute(
            q("UPDATE risk_points SET step = ?, risk = ?, level = ?, controls = ?, updated_at = ? \
               WHERE id = ? AND active = ?")
            .bind(r.step.as_str())
            .bind(r.risk.as_str())
            .bind(r.level.as_str())
            .bind(r.controls.as_str())
            .bind(now)
            .bind(id)
            .bind(true),
        )
        .await?)
}

pub(crate) async fn retire(ex: &mut impl Exec, id: i64, now: i64) -> AppResult<u64> {
    Ok(ex
        .execute(
            q("UPDATE risk_points SET active = ?, updated_at = ? WHERE id = ? AND active = ?")
                .bind(false)
                .bind(now)
                .bind(id)
                .bind(true),
        )
        .await?)
}

pub(crate) async fn count(ex: &mut impl Exec, org: i64) -> AppResult<i64> {
    Ok(ex
        .scalar_i64(
            q("SELECT COUNT(*) FROM risk_points WHERE org_id = ? AND active = ?")
                .bind(org)
                .bind(true),
        )
        .await?)
}

pub(crate) async fn reviews(ex: &mut impl Exec, org: Option<i64>) -> AppResult<Vec<Review>> {
    let o = org.unwrap_or(0);
    Ok(ex
        .fetch_all(
            q(
                "SELECT id, org_id, note, points, reviewed_by, reviewed_at FROM risk_reviews \
               WHERE (? = 0 OR org_id = ?) ORDER BY reviewed_at DESC, id DESC LIMIT 500",
            )
            .bind(o)
            .bind(o),
        )
        .await?)
}

pub(crate) async fn insert_review(
    ex: &mut impl Exec,
    org: i64,
    note: &str,
    points: i64,
    by: &str,
    now: i64,
) -> AppResult<i64> {
    Ok(ex
        .scalar_i64(
            q(
                "INSERT INTO risk_reviews (org_id, note, points, reviewed_by, reviewed_at) \
               VALUES (?, ?, ?, ?, ?) RETURNING id",
            )
            .bind(org)
            .bind(note)
            .bind(points)
            .bind(by)
            .bind(now),
        )
        .await?)
}

/// The units that keep a register, by name.
pub(crate) async fn units(ex: &mut impl Exec) -> AppResult<Vec<(i64, String)>> {
    Ok(ex
        .fetch_all(
            q(
                "SELECT DISTINCT o.id, o.name FROM risk_points r JOIN orgs o ON o.id = r.org_id \
               WHERE r.active = ? ORDER BY o.id",
            )
            .bind(true),
        )
        .await?)
}

pub(crate) async fn org_name(ex: &mut impl Exec, org: i64) -> AppResult<Option<String>> {
    let r: Option<(String,)> = ex
        .fetch_optional(q("SELECT name FROM orgs WHERE id = ?").bind(org))
        .await?;
    Ok(r.map(|r| r.0))
}
