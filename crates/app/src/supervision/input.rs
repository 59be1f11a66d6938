//! The raw inputs of supervision, each parsed once into a typed command; every bad field
//! named at once, in Chinese.

use chrono::NaiveDate;
use proofless_domain::deadline::Period;
use serde::Deserialize;

use super::draw::parse_seed;
use crate::error::{AppResult, Problems};

/// Longest free text (titles, findings, reports).
pub const MAX_TEXT: usize = 2000;
/// Largest pool and largest draw.
pub const MAX_POOL: usize = 5000;
/// Longest follow-up limit of a finding, in working days.
pub const MAX_FOLLOW_UP_DAYS: u32 = 250;

fn text(p: &mut Problems, field: &str, v: &str, what: &str) -> String {
    let t = v.trim();
    if t.is_empty() {
        p.add(field, format!("请填写{what}"));
    } else if t.chars().count() > MAX_TEXT {
        p.add(field, format!("{what}不能超过 {MAX_TEXT} 字"));
    }
    t.to_owned()
}

/// The period of figures: a year (`2026`) or a month (`2026-12`); empty: this year.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema, utoipa::IntoParams)]
#[schema(as = supervision_PeriodQuery)]
#[into_params(parameter_in = Query)]
pub struct PeriodQuery {
    /// `2026` or `2026-12`.
    pub period: Option<String>,
    /// One unit only.
    pub org_id: Option<i64>,
}

/// A random check (双随机): pools, counts and the seed (64 hex digits; empty: a fresh one).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = supervision_DrawInput)]
#[serde(deny_unknown_fields)]
pub struct DrawInput {
    pub title: String,
    /// Units to draw from; empty: every unit.
    #[serde(default)]
    pub unit_pool: Vec<i64>,
    /// Inspectors (staff ids) to draw from; empty: every active staff member with the
    /// inspector role.
    #[serde(default)]
    pub inspector_pool: Vec<i64>,
    pub unit_count: i64,
    pub inspectors_per_unit: i64,
    pub seed: Option<String>,
    /// The day the checks are planned for (`YYYY-MM-DD`).
    pub planned_on: String,
}

#[derive(Debug, Clone)]
pub struct DrawCommand {
    pub title: String,
    pub unit_pool: Vec<i64>,
    pub inspector_pool: Vec<i64>,
    pub unit_count: usize,
    pub per_unit: usize,
    pub seed: Option<[u8; 32]>,
    pub planned_on: NaiveDate,
}

fn day(p: &mut Problems, field: &str, v: &str) -> Option<NaiveDate> {
    let d = NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d").ok();
    if d.is_none() {
        p.add(field, "日期须为 YYYY-MM-DD（如 2026-12-20）");
    }
    d
}

impl DrawInput {
    pub fn parse(&self) -> AppResult<DrawCommand> {
        let mut p = Problems::default();
        let title = text(&mut p, "title", &self.title, "抽查名称");
        if self.unit_pool.len() > MAX_POOL {
            p.add("unit_pool", format!("被抽查单位库不能超过 {MAX_POOL} 个"));
        }
        if self.inspector_pool.len() > MAX_POOL {
            p.add(
                "inspector_pool",
                format!("检查人员库不能超过 {MAX_POOL} 人"),
            );
        }
        if !(1..=MAX_POOL as i64).contains(&self.unit_count) {
            p.add("unit_count", "抽取单位数须为 1 以上的整数");
        }
        if !(1..=20).contains(&self.inspectors_per_unit) {
            p.add("inspectors_per_unit", "每个单位的检查人员数须为 1–20");
        }
        let seed = match self
            .seed
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => None,
            Some(s) => {
                let v = parse_seed(s);
                if v.is_none() {
                    p.add("seed", "随机种子须为 64 位十六进制数字");
                }
                v
            }
        };
        let planned_on = day(&mut p, "planned_on", &self.planned_on);
        p.into_result()?;
        Ok(DrawCommand {
            title,
            unit_pool: self.unit_pool.clone(),
            inspector_pool: self.inspector_pool.clone(),
            unit_count: usize::try_from(self.unit_count).unwrap_or(1),
            per_unit: usize::try_from(self.inspectors_per_unit).unwrap_or(1),
            seed,
            planned_on: planned_on.unwrap_or_default(),
        })
    }
}

/// A scheduled review (定期检查) or a special inspection (专项督查) of one unit.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = supervision_InspectionInput)]
#[serde(deny_unknown_fields)]
pub struct InspectionInput {
    /// `scheduled` or `special`.
    pub kind: String,
    pub org_id: i64,
    pub title: String,
    /// Staff ids of the inspectors.
    #[serde(default)]
    pub inspectors: Vec<i64>,
    pub planned_on: String,
}

#[derive(Debug, Clone)]
pub struct InspectionCommand {
    pub kind: &'static str,
    pub org_id: i64,
    pub title: String,
    pub inspectors: Vec<i64>,
    pub planned_on: NaiveDate,
}

impl InspectionInput {
    pub fn parse(&self) -> AppResult<InspectionCommand> {
        let mut p = Problems::default();
        use proofless_domain::supervision::InspectionKind;
        let kind = match InspectionKind::parse(&self.kind) {
            Some(k @ (InspectionKind::Scheduled | InspectionKind::Special)) => k.as_str(),
            _ => {
                p.add("kind", "检查类型须为定期检查或专项督查");
                "scheduled"
            }
        };
        let title = text(&mut p, "title", &self.title, "检查名称");
        if self.inspectors.len() > 20 {
            p.add("inspectors", "检查人员不能超过 20 人");
        }
        let planned_on = day(&mut p, "planned_on", &self.planned_on);
        p.into_result()?;
        let mut inspectors = self.inspectors.clone();
        inspectors.sort_unstable();
        inspectors.dedup();
        Ok(InspectionCommand {
            kind,
            org_id: self.org_id,
            title,
            inspectors,
            planned_on: planned_on.unwrap_or_default(),
        })
    }
}

/// A finding with the working days the unit has to follow it up.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = supervision_FindingInput)]
#[serde(deny_unknown_fields)]
pub struct FindingInput {
    pub text: String,
    /// Working days to follow up (1–250).
    pub follow_up_days: i64,
}

impl FindingInput {
    pub fn parse(&self) -> AppResult<(String, Period)> {
        let mut p = Problems::default();
        let t = text(&mut p, "text", &self.text, "发现的问题");
        let days = u32::try_from(self.follow_up_days)
            .ok()
            .filter(|d| (1..=MAX_FOLLOW_UP_DAYS).contains(d));
        if days.is_none() {
            p.add(
                "follow_up_days",
                format!("整改期限须为 1–{MAX_FOLLOW_UP_DAYS} 个工作日"),
            );
        }
        p.into_result()?;
        Ok((t, Period::WorkingDays(days.unwrap_or(1))))
    }
}

/// A free text (the follow-up report).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = supervision_TextInput)]
#[serde(deny_unknown_fields)]
pub struct TextInput {
    pub text: String,
}

impl TextInput {
    pub fn parse(&self, what: &str) -> AppResult<String> {
        let mut p = Problems::default();
        let t = text(&mut p, "text", &self.text, what);
        p.into_result()?;
        Ok(t)
    }
}
