//! The raw inputs of the risk register, parsed once; every bad field named in Chinese.

use proofless_domain::joint::RiskLevel;
use serde::Deserialize;

use crate::error::{AppResult, Problems};

const MAX_SHORT: usize = 100;
const MAX_TEXT: usize = 2000;

fn text(p: &mut Problems, field: &str, v: &str, what: &str, max: usize) -> String {
    let t = v.trim();
    if t.is_empty() {
        p.add(field, format!("请填写{what}"));
    } else if t.chars().count() > max {
        p.add(field, format!("{what}不能超过 {max} 字"));
    } else if t
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        p.add(field, format!("{what}含有不可见的控制字符"));
    }
    t.to_owned()
}

/// A risk point of one of the unit's steps and its controls (P 三(四)5).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = risks_RiskInput)]
pub struct RiskInput {
    /// The step (环节), e.g. 受理, 核验, 告知承诺核查.
    pub step: String,
    /// What may go wrong (风险点).
    pub risk: String,
    /// `high`, `medium` or `low`.
    pub level: String,
    /// How it is controlled (防控措施).
    pub controls: String,
}

#[derive(Debug, Clone)]
pub struct NewRisk {
    pub step: String,
    pub risk: String,
    pub level: RiskLevel,
    pub controls: String,
}

impl RiskInput {
    pub fn parse(&self) -> AppResult<NewRisk> {
        let mut p = Problems::default();
        let step = text(&mut p, "step", &self.step, "环节", MAX_SHORT);
        let risk = text(&mut p, "risk", &self.risk, "风险点", MAX_TEXT);
        let level = RiskLevel::parse(&self.level);
        if level.is_none() {
            p.add(
                "level",
                format!(
                    "风险等级“{}”无效",
                    self.level.chars().take(20).collect::<String>()
                ),
            );
        }
        let controls = text(&mut p, "controls", &self.controls, "防控措施", MAX_TEXT);
        p.into_result()?;
        Ok(NewRisk {
            step,
            risk,
            level: level.unwrap_or(RiskLevel::Medium),
            controls,
        })
    }
}

/// The unit's yearly review of its register.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = risks_ReviewInput)]
pub struct ReviewInput {
    pub note: String,
}

impl ReviewInput {
    pub fn parse(&self) -> AppResult<String> {
        let mut p = Problems::default();
        let n = text(&mut p, "note", &self.note, "复核情况", MAX_TEXT);
        p.into_result()?;
        Ok(n)
    }
}
