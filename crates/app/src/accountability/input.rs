//! The raw inputs of accountability as they arrive, each parsed once into a typed command;
//! every bad field named at once, in Chinese.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use proofless_domain::accountability::{EmploymentType, ExemptionGround, Measure, Organ};
use proofless_domain::violation::ViolationKind;
use serde::Deserialize;

use crate::error::{AppResult, Problems};

/// Longest free text (grounds, decisions, reports).
pub const MAX_TEXT: usize = 2000;

/// A required text of at most [`MAX_TEXT`] characters, trimmed.
fn text(p: &mut Problems, field: &str, v: &str, what: &str) -> String {
    let t = v.trim();
    if t.is_empty() {
        p.add(field, format!("请填写{what}"));
    } else if t.chars().count() > MAX_TEXT {
        p.add(field, format!("{what}不能超过 {MAX_TEXT} 字"));
    }
    t.to_owned()
}

/// An enum's stored name, or the field's error.
fn one_of<T: Copy>(
    p: &mut Problems,
    field: &str,
    v: &str,
    parse: fn(&str) -> Option<T>,
    what: &str,
) -> Option<T> {
    let r = parse(v);
    if r.is_none() {
        p.add(
            field,
            format!("{what}“{}”无效", v.chars().take(40).collect::<String>()),
        );
    }
    r
}

/// A case entered by the accountability department (A5 §4).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseInput {
    /// The A5 §4 ground, e.g. `proof_demanded`.
    pub kind: String,
    /// The unit concerned.
    pub org_id: i64,
    /// The staff member concerned, if any (of that unit).
    pub staff_id: Option<i64>,
    pub summary: String,
}

#[derive(Debug, Clone)]
pub struct NewCase {
    pub kind: ViolationKind,
    pub org_id: i64,
    pub staff_id: Option<i64>,
    pub summary: String,
}

impl CaseInput {
    pub fn parse(&self) -> AppResult<NewCase> {
        let mut p = Problems::default();
        let kind = one_of(&mut p, "kind", &self.kind, ViolationKind::parse, "问责情形");
        if self.org_id <= 0 {
            p.add("org_id", "请选择被问责单位");
        }
        let summary = text(&mut p, "summary", &self.summary, "问题描述");
        p.into_result()?;
        Ok(NewCase {
            kind: kind.unwrap_or(ViolationKind::Other),
            org_id: self.org_id,
            staff_id: self.staff_id.filter(|s| *s > 0),
            summary,
        })
    }
}

/// The department refers a case to the competent organ (A5 §5).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReferInput {
    /// `discipline`, `personnel`, `supervising` or `own_unit`.
    pub organ: String,
    /// The unit acting as that organ.
    pub organ_org_id: i64,
}

impl ReferInput {
    pub fn parse(&self) -> AppResult<(Organ, i64)> {
        let mut p = Problems::default();
        let organ = one_of(&mut p, "organ", &self.organ, Organ::parse, "决定机关类别");
        if self.organ_org_id <= 0 {
            p.add("organ_org_id", "请选择作出决定的单位");
        }
        p.into_result()?;
        Ok((organ.unwrap_or(Organ::Discipline), self.organ_org_id))
    }
}

/// A reason (dismissal, rectification report, appeal grounds, investigation report).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = AccountabilityTextInput)]
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

/// The organ's decision (A5 §5).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecideInput {
    /// `rectify`, `self_criticism`, `circulated` or `referral`.
    pub measure: String,
    /// The decision's text: the facts found and the measure.
    pub text: String,
    /// For `rectify`: the day by which to rectify (`YYYY-MM-DD`, Beijing, end of day) or
    /// an RFC 3339 instant.
    pub rectify_by: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Decision {
    pub measure: Measure,
    pub text: String,
    pub rectify_by: Option<i64>,
}

/// A day (end of that day in Beijing) or an RFC 3339 instant.
fn instant(s: &str) -> Option<i64> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.timestamp_millis());
    }
    let d = NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
    let end = d.and_hms_opt(23, 59, 59)?;
    crate::beijing()
        .from_local_datetime(&end)
        .single()
        .map(|t| t.with_timezone(&Utc).timestamp_millis())
}

impl DecideInput {
    pub fn parse(&self, now: i64) -> AppResult<Decision> {
        let mut p = Problems::default();
        let measure = one_of(&mut p, "measure", &self.measure, Measure::parse, "问责方式");
        let text = text(&mut p, "text", &self.text, "决定内容");
        let raw = self
            .rectify_by
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        let mut rectify_by = None;
        match (measure.map(Measure::needs_deadline), raw) {
            (Some(true), None) => p.add("rectify_by", "责令限期整改须写明整改期限"),
            (_, Some(r)) => match instant(r) {
                Some(t) if t <= now => p.add("rectify_by", "整改期限须晚于现在"),
                Some(t) => rectify_by = Some(t),
                None => p.add("rectify_by", "整改期限须为日期（如 2026-04-30）"),
            },
            _ => {}
        }
        p.into_result()?;
        let measure = measure.unwrap_or(Measure::Rectify);
        Ok(Decision {
            rectify_by: rectify_by.filter(|_| measure.needs_deadline()),
            measure,
            text,
        })
    }
}

/// The organ's decision on an appeal or an exemption.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerdictInput {
    /// Appeal: `true` maintains the decision; exemption: `true` approves it.
    pub approve: bool,
    pub text: String,
}

/// An exemption application (A5 §7, §8).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExemptionInput {
    /// A5 §8 grounds claimed, e.g. `["reform_direction", "limited_damage"]`.
    pub grounds: Vec<String>,
    /// Why the conduct falls under them.
    pub statement: String,
    /// The evidence offered (documents, minutes, names of witnesses).
    pub evidence: String,
}

#[derive(Debug, Clone)]
pub struct Exemption {
    pub grounds: Vec<ExemptionGround>,
    pub statement: String,
    pub evidence: String,
}

impl ExemptionInput {
    pub fn parse(&self) -> AppResult<Exemption> {
        let mut p = Problems::default();
        let mut grounds = vec![];
        if self.grounds.is_empty() {
            p.add("grounds", "请至少选择一项免责情形（附件5 第八条）");
        }
        if self.grounds.len() > ExemptionGround::ALL.len() {
            p.add("grounds", "免责情形过多");
        }
        for g in self.grounds.iter().take(ExemptionGround::ALL.len()) {
            if let Some(g) = one_of(&mut p, "grounds", g, ExemptionGround::parse, "免责情形")
                && !grounds.contains(&g)
            {
                grounds.push(g);
            }
        }
        let statement = text(&mut p, "statement", &self.statement, "免责理由");
        let evidence = text(&mut p, "evidence", &self.evidence, "证明材料");
        p.into_result()?;
        Ok(Exemption {
            grounds,
            statement,
            evidence,
        })
    }
}

/// A staff member's employment type (A5 §2).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmploymentInput {
    /// `established`, `borrowed`, `hired`, `attached` or `other`.
    pub employment_type: String,
}

impl EmploymentInput {
    pub fn parse(&self) -> AppResult<EmploymentType> {
        let mut p = Problems::default();
        let t = one_of(
            &mut p,
            "employment_type",
            &self.employment_type,
            EmploymentType::parse,
            "用工类型",
        );
        p.into_result()?;
        Ok(t.unwrap_or(EmploymentType::Established))
    }
}
