//! Training records of liaisons and proxy agents (A2 §6: the joint office keeps the staff
//! registry and holds regular training): date, course and hours, kept by the joint office and
//! shown in the staffing registry; a unit's administrator sees its own unit's.

use chrono::{NaiveDate, TimeZone};
use proofless_domain::role::Role;
use proofless_store::{Exec, q};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::App;
use crate::actor::Actor;
use crate::audit::{self, Entry};
use crate::error::{AppError, AppResult, Problems};

/// One course attended.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = staff_TrainingRecord)]
pub struct TrainingRecord {
    #[serde(skip_serializing)]
    pub id: i64,
    pub staff_id: i64,
    pub staff_name: String,
    pub org_id: i64,
    pub org_name: String,
    /// YYYY-MM-DD.
    pub trained_on: String,
    pub course: String,
    /// Tenths of an hour as stored (`hours` = this / 10).
    pub hours_x10: i64,
    pub recorded_by: String,
    pub recorded_at: i64,
}

impl TrainingRecord {
    /// Hours as shown, e.g. `2.5`.
    pub fn hours(&self) -> String {
        if self.hours_x10 % 10 == 0 {
            (self.hours_x10 / 10).to_string()
        } else {
            format!("{}.{}", self.hours_x10 / 10, self.hours_x10 % 10)
        }
    }
}

/// A course to record.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = staff_TrainingInput)]
pub struct TrainingInput {
    /// A liaison or proxy agent.
    pub staff_id: i64,
    /// YYYY-MM-DD.
    pub trained_on: String,
    pub course: String,
    /// Hours, in steps of 0.1 (0.1–100).
    pub hours: f64,
}

struct NewTraining {
    staff_id: i64,
    trained_on: NaiveDate,
    course: String,
    hours_x10: i64,
}

impl TrainingInput {
    fn parse(&self, today: NaiveDate) -> AppResult<NewTraining> {
        let mut p = Problems::default();
        if self.staff_id <= 0 {
            p.add("staff_id", "请选择参训人员");
        }
        let trained_on = NaiveDate::parse_from_str(self.trained_on.trim(), "%Y-%m-%d").ok();
        match trained_on {
            None => p.add("trained_on", "培训日期应为有效日期（YYYY-MM-DD）"),
            Some(d) if d > today => p.add("trained_on", "培训日期不能晚于今天"),
            _ => {}
        }
        let course = self.course.trim().to_owned();
        if course.is_empty() {
            p.add("course", "请填写培训课程");
        } else if course.chars().count() > 200 {
            p.add("course", "培训课程不能超过 200 字");
        }
        let x10 = self.hours * 10.0;
        if !self.hours.is_finite()
            || !(1.0..=1000.0).contains(&x10)
            || (x10 - x10.round()).abs() > 1e-6
        {
            p.add("hours", "学时应在 0.1 到 100 之间，最多一位小数");
        }
        p.into_result()?;
        Ok(NewTraining {
            staff_id: self.staff_id,
            trained_on: trained_on.unwrap_or(today),
            course,
            hours_x10: x10.round() as i64,
        })
    }
}

const COLS: &str = "SELECT t.id, t.staff_id, s.display_name AS staff_name, t.org_id, \
    o.name AS org_name, t.trained_on, t.course, t.hours_x10, t.recorded_by, t.recorded_at \
    FROM staff_training t JOIN staff s ON s.id = t.staff_id JOIN orgs o ON o.id = t.org_id";

async fn rows(ex: &mut impl Exec, org: Option<i64>) -> AppResult<Vec<TrainingRecord>> {
    let o = org.unwrap_or(0);
    Ok(ex
        .fetch_all(
            q(format!(
                "{COLS} WHERE (? = 0 OR t.org_id = ?) ORDER BY t.trained_on DESC, t.id DESC LIMIT 1000"
            ))
            .bind(o)
            .bind(o),
        )
        .await?)
}

/// The records the reader may see: all (the joint office, the system administrator), or the
/// reader's unit's (its administrator).
pub async fn training(
    app: &App,
    actor: &Actor,
    org: Option<i64>,
) -> AppResult<Vec<TrainingRecord>> {
    actor.require_any(&[Role::JointOffice, Role::SystemAdmin, Role::UnitAdmin])?;
    let scope = if actor.has_any(&[Role::JointOffice, Role::SystemAdmin]) {
        org
    } else {
        let own = actor
            .org_id
            .ok_or_else(|| AppError::forbidden("只能查看本单位的培训记录"))?;
        if org.is_some_and(|o| o != own) {
            return Err(AppError::forbidden("只能查看本单位的培训记录"));
        }
        Some(own)
    };
    rows(&mut app.db.reader(), scope).await
}

/// The joint office records a course attended by a liaison or proxy agent (A2 §6).
pub async fn record_training(
    app: &App,
    actor: &Actor,
    input: &TrainingInput,
) -> AppResult<TrainingRecord> {
    actor.require_any(&[Role::JointOffice])?;
    let now = app.now_ms();
    let today = crate::beijing()
        .timestamp_millis_opt(now)
        .single()
        .map(|t| t.date_naive())
        .unwrap_or_default();
    let t = input.parse(today)?;
    let mut tx = app.db.begin().await?;
    let who: Option<(i64,)> = tx
        .fetch_optional(q("SELECT org_id FROM staff WHERE id = ?").bind(t.staff_id))
        .await?;
    let Some((org,)) = who else {
        return Err(AppError::field("staff_id", "参训人员不存在"));
    };
    let duty = tx
        .scalar_i64(
            q("SELECT COUNT(*) FROM staff_roles WHERE staff_id = ? \
               AND role IN ('liaison', 'proxy_agent')")
            .bind(t.staff_id),
        )
        .await?;
    if duty == 0 {
        return Err(AppError::field(
            "staff_id",
            "培训记录只登记联络员和代办员（附件2 第六条）",
        ));
    }
    let id = tx
        .scalar_i64(
            q(
                "INSERT INTO staff_training (staff_id, org_id, trained_on, course, hours_x10, \
               recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
            )
            .bind(t.staff_id)
            .bind(org)
            .bind(t.trained_on.format("%Y-%m-%d").to_string())
            .bind(t.course.as_str())
            .bind(t.hours_x10)
            .bind(actor.name.as_str())
            .bind(now),
        )
        .await?;
    let e = Entry::new("staff.training", "staff", t.staff_id).detail(json!({
        "training_id": id, "course": t.course, "hours_x10": t.hours_x10,
    }));
    audit::append(&mut tx, actor, now, e).await?;
    tx.commit().await?;
    let r: Option<TrainingRecord> = app
        .db
        .reader()
        .fetch_optional(q(format!("{COLS} WHERE t.id = ?")).bind(id))
        .await?;
    r.ok_or_else(|| AppError::NotFound(format!("培训记录 {id}")))
}
