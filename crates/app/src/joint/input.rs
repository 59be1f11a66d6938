//! The raw inputs of the joint meeting as they arrive, each parsed once into a typed command;
//! every bad field named at once, in Chinese.

use chrono::NaiveDate;
use proofless_domain::joint::{DecisionKind, MeetingKind, Position};
use serde::Deserialize;

use crate::error::{AppResult, Problems};

/// Longest free text (descriptions, notes, minutes).
pub const MAX_TEXT: usize = 2000;
/// Longest short text (names, titles, places).
pub const MAX_SHORT: usize = 100;
/// Most decisions in one set of minutes.
pub const MAX_DECISIONS: usize = 50;

pub(crate) fn text(p: &mut Problems, field: &str, v: &str, what: &str, max: usize) -> String {
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

pub(crate) fn date(p: &mut Problems, field: &str, v: &str, what: &str) -> Option<NaiveDate> {
    let t = v.trim();
    if t.is_empty() {
        p.add(field, format!("请填写{what}"));
        return None;
    }
    let d = NaiveDate::parse_from_str(t, "%Y-%m-%d").ok();
    if d.is_none() {
        p.add(
            field,
            format!(
                "{what}“{}”不是有效日期（YYYY-MM-DD）",
                t.chars().take(20).collect::<String>()
            ),
        );
    }
    d
}

fn short(v: &str) -> String {
    v.chars().take(40).collect()
}

/// A seat in the registry (A1 二).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = joint_MemberInput)]
pub struct MemberInput {
    /// The unit the person represents.
    pub org_id: i64,
    /// `chief_convener`, `convener`, `member`, `office_director` or `task_force`.
    pub position: String,
    pub person_name: String,
    /// The person's post, e.g. 县司法局局长.
    pub person_title: String,
}

#[derive(Debug, Clone)]
pub struct NewMember {
    pub org_id: i64,
    pub position: Position,
    pub person_name: String,
    pub person_title: String,
}

impl MemberInput {
    pub fn parse(&self) -> AppResult<NewMember> {
        let mut p = Problems::default();
        if self.org_id <= 0 {
            p.add("org_id", "请选择成员单位");
        }
        let position = Position::parse(&self.position);
        if position.is_none() {
            p.add("position", format!("职务“{}”无效", short(&self.position)));
        }
        let person_name = text(&mut p, "person_name", &self.person_name, "姓名", MAX_SHORT);
        let person_title = text(
            &mut p,
            "person_title",
            &self.person_title,
            "职务名称",
            MAX_SHORT,
        );
        p.into_result()?;
        Ok(NewMember {
            org_id: self.org_id,
            position: position.unwrap_or(Position::Member),
            person_name,
            person_title,
        })
    }
}

/// A member unit's liaison, filed with the office (A1 三(三)).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = joint_LiaisonInput)]
pub struct LiaisonInput {
    pub org_id: i64,
    pub person_name: String,
    pub phone: String,
    /// YYYY-MM-DD: from when the liaison serves.
    pub since_on: String,
    /// Why (a first liaison, or the change of post).
    pub reason: String,
}

#[derive(Debug, Clone)]
pub struct NewLiaison {
    pub org_id: i64,
    pub person_name: String,
    pub phone: String,
    pub since_on: NaiveDate,
    pub reason: String,
}

impl LiaisonInput {
    pub fn parse(&self) -> AppResult<NewLiaison> {
        let mut p = Problems::default();
        if self.org_id <= 0 {
            p.add("org_id", "请选择成员单位");
        }
        let person_name = text(
            &mut p,
            "person_name",
            &self.person_name,
            "联络员姓名",
            MAX_SHORT,
        );
        let phone = self.phone.trim().to_owned();
        let digits = phone.chars().filter(|c| c.is_ascii_digit()).count();
        if !(7..=20).contains(&phone.chars().count())
            || !phone.chars().all(|c| c.is_ascii_digit() || c == '-')
            || digits < 7
        {
            p.add("phone", "联系电话应为 7–20 位数字（可含“-”）");
        }
        let since_on = date(&mut p, "since_on", &self.since_on, "任职日期");
        let reason = text(&mut p, "reason", &self.reason, "备案事由", MAX_TEXT);
        p.into_result()?;
        Ok(NewLiaison {
            org_id: self.org_id,
            person_name,
            phone,
            since_on: since_on.unwrap_or_default(),
            reason,
        })
    }
}

/// A meeting called by a convener (A1 三(一)).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = joint_MeetingInput)]
pub struct MeetingInput {
    /// `regular` (例会) or `special` (专题会议).
    pub kind: String,
    pub title: String,
    /// YYYY-MM-DD.
    pub planned_on: String,
    pub place: String,
}

#[derive(Debug, Clone)]
pub struct NewMeeting {
    pub kind: MeetingKind,
    pub title: String,
    pub planned_on: NaiveDate,
    pub place: String,
}

impl MeetingInput {
    pub fn parse(&self) -> AppResult<NewMeeting> {
        let mut p = Problems::default();
        let kind = MeetingKind::parse(&self.kind);
        if kind.is_none() {
            p.add("kind", format!("会议类型“{}”无效", short(&self.kind)));
        }
        let title = text(&mut p, "title", &self.title, "会议名称", MAX_SHORT);
        let planned_on = date(&mut p, "planned_on", &self.planned_on, "会议日期");
        let place = text(&mut p, "place", &self.place, "会议地点", MAX_SHORT);
        p.into_result()?;
        Ok(NewMeeting {
            kind: kind.unwrap_or(MeetingKind::Regular),
            title,
            planned_on: planned_on.unwrap_or_default(),
            place,
        })
    }
}

/// An agenda item proposed by a convener or a member unit (A1 三(二)).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = joint_AgendaInput)]
pub struct AgendaInput {
    pub title: String,
    pub description: String,
}

impl AgendaInput {
    pub fn parse(&self) -> AppResult<(String, String)> {
        let mut p = Problems::default();
        let t = text(&mut p, "title", &self.title, "议题", MAX_SHORT);
        let d = text(
            &mut p,
            "description",
            &self.description,
            "议题说明",
            MAX_TEXT,
        );
        p.into_result()?;
        Ok((t, d))
    }
}

/// A convener's answer to a proposed item.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = joint_AgendaVerdict)]
pub struct AgendaVerdict {
    pub accept: bool,
}

/// The liaison meeting held before the meeting (A1 三(四)).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = joint_LiaisonMeetingInput)]
pub struct LiaisonMeetingInput {
    /// YYYY-MM-DD.
    pub held_on: String,
    pub notes: String,
}

impl LiaisonMeetingInput {
    pub fn parse(&self) -> AppResult<(NaiveDate, String)> {
        let mut p = Problems::default();
        let d = date(&mut p, "held_on", &self.held_on, "联络员会议日期");
        let n = text(&mut p, "notes", &self.notes, "联络员会议研究情况", MAX_TEXT);
        p.into_result()?;
        Ok((d.unwrap_or_default(), n))
    }
}

/// One member unit's attendance.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = joint_AttendanceEntry)]
pub struct AttendanceEntry {
    pub org_id: i64,
    pub present: bool,
    /// Who attended for the unit (present), or empty.
    #[serde(default)]
    pub attendee: String,
    /// Why the unit was absent (required when absent, A1 三(一) "无特殊情况不得缺席").
    #[serde(default)]
    pub reason: String,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = joint_AttendanceInput)]
pub struct AttendanceInput {
    pub entries: Vec<AttendanceEntry>,
}

impl AttendanceInput {
    pub fn parse(&self) -> AppResult<Vec<AttendanceEntry>> {
        let mut p = Problems::default();
        if self.entries.is_empty() {
            p.add("entries", "请登记各成员单位的出席情况");
        }
        if self.entries.len() > 500 {
            p.add("entries", "出席登记不能超过 500 条");
        }
        let mut seen = std::collections::HashSet::new();
        let mut out = Vec::with_capacity(self.entries.len());
        for (i, e) in self.entries.iter().enumerate() {
            if e.org_id <= 0 || !seen.insert(e.org_id) {
                p.add(&format!("entries[{i}].org_id"), "成员单位无效或重复");
            }
            let attendee = if e.present {
                text(
                    &mut p,
                    &format!("entries[{i}].attendee"),
                    &e.attendee,
                    "出席人",
                    MAX_SHORT,
                )
            } else {
                String::new()
            };
            let reason = if e.present {
                String::new()
            } else {
                text(
                    &mut p,
                    &format!("entries[{i}].reason"),
                    &e.reason,
                    "缺席事由",
                    MAX_TEXT,
                )
            };
            out.push(AttendanceEntry {
                org_id: e.org_id,
                present: e.present,
                attendee,
                reason,
            });
        }
        p.into_result()?;
        Ok(out)
    }
}

/// One line of the minutes: a decision (or a matter referred to the county government) with
/// its owner unit and deadline.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = joint_DecisionInput)]
pub struct DecisionInput {
    /// `decision` (议定事项) or `referral` (提请县政府研究).
    #[serde(default)]
    pub kind: String,
    pub text: String,
    /// The unit that carries it out.
    #[serde(default)]
    pub owner_org_id: Option<i64>,
    /// YYYY-MM-DD: by when.
    #[serde(default)]
    pub due_on: Option<String>,
}

/// The minutes (A1 三(五)).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = joint_MinutesInput)]
pub struct MinutesInput {
    /// YYYY-MM-DD: the day the meeting was held.
    pub held_on: String,
    pub summary: String,
    pub decisions: Vec<DecisionInput>,
}

#[derive(Debug, Clone)]
pub struct NewDecision {
    pub kind: DecisionKind,
    pub text: String,
    pub owner_org_id: i64,
    pub due_on: NaiveDate,
}

#[derive(Debug, Clone)]
pub struct Minutes {
    pub held_on: NaiveDate,
    pub summary: String,
    pub decisions: Vec<NewDecision>,
}

impl MinutesInput {
    pub fn parse(&self) -> AppResult<Minutes> {
        let mut p = Problems::default();
        let held_on = date(&mut p, "held_on", &self.held_on, "会议召开日期");
        let summary = text(&mut p, "summary", &self.summary, "会议纪要", MAX_TEXT);
        if self.decisions.is_empty() {
            p.add("decisions", "纪要须至少有一项议定事项");
        }
        if self.decisions.len() > MAX_DECISIONS {
            p.add("decisions", format!("议定事项不能超过 {MAX_DECISIONS} 项"));
        }
        let mut decisions = vec![];
        for (i, d) in self.decisions.iter().enumerate() {
            let f = |n: &str| format!("decisions[{i}].{n}");
            let kind = if d.kind.trim().is_empty() {
                Some(DecisionKind::Decision)
            } else {
                DecisionKind::parse(&d.kind)
            };
            if kind.is_none() {
                p.add(&f("kind"), format!("事项类型“{}”无效", short(&d.kind)));
            }
            let t = text(&mut p, &f("text"), &d.text, "议定事项内容", MAX_TEXT);
            let owner = d.owner_org_id.filter(|o| *o > 0);
            if owner.is_none() {
                p.add(&f("owner_org_id"), "议定事项须明确责任单位");
            }
            let due = match d.due_on.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                None => {
                    p.add(&f("due_on"), "议定事项须明确完成时限");
                    None
                }
                Some(s) => date(&mut p, &f("due_on"), s, "完成时限"),
            };
            if let (Some(h), Some(due)) = (held_on, due)
                && due <= h
            {
                p.add(&f("due_on"), "完成时限须晚于会议召开日期");
            }
            if let (Some(kind), Some(owner), Some(due)) = (kind, owner, due) {
                decisions.push(NewDecision {
                    kind,
                    text: t,
                    owner_org_id: owner,
                    due_on: due,
                });
            }
        }
        p.into_result()?;
        Ok(Minutes {
            held_on: held_on.unwrap_or_default(),
            summary,
            decisions,
        })
    }
}

/// The owner unit's progress report on a decision (A1 三(五) "按要求向联席会议办公室报送工作情况").
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = joint_ProgressInput)]
pub struct ProgressInput {
    pub text: String,
    /// `true`: carried out (the decision is closed).
    #[serde(default)]
    pub done: bool,
}

impl ProgressInput {
    pub fn parse(&self) -> AppResult<String> {
        let mut p = Problems::default();
        let t = text(&mut p, "text", &self.text, "落实情况", MAX_TEXT);
        p.into_result()?;
        Ok(t)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    // A1 三(五): every decision names its owner and deadline; the field is named.
    #[test]
    fn a_decision_without_owner_or_deadline_is_refused_a1_3_5() {
        let m = MinutesInput {
            held_on: "2026-03-10".into(),
            summary: "研究推进无证明城市建设".into(),
            decisions: vec![DecisionInput {
                kind: String::new(),
                text: "梳理证明事项".into(),
                owner_org_id: None,
                due_on: None,
            }],
        };
        let e = m.parse().unwrap_err().to_string();
        let crate::AppError::Validation(errs) = m.parse().unwrap_err() else {
            panic!("{e}")
        };
        let fields: Vec<&str> = errs.iter().map(|x| x.field.as_str()).collect();
        assert!(fields.contains(&"decisions[0].owner_org_id"), "{fields:?}");
        assert!(fields.contains(&"decisions[0].due_on"), "{fields:?}");
    }
}
