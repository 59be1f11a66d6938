//! The raw inputs of the adjustment workflow, each parsed once into a typed command (every
//! field error at once, in Chinese, naming the field).

use chrono::NaiveDate;
use proofless_domain::adjustment::{
    APPLICATION_METHODS, AdjustmentKind, ChangeTarget, CommentKind, needs_legal_basis,
    trigger_in_future,
};
use proofless_domain::catalogue::ReplacementMethod;
use serde::Deserialize;

use crate::error::{AppResult, Problems};

/// Longest free text of an application (description, grounds, basis).
pub const MAX_TEXT: usize = 2000;
/// Longest public comment.
pub const MAX_COMMENT: usize = 1000;
/// Largest attachment (PDF).
pub const MAX_ATTACHMENT_BYTES: usize = 1000 * 1024;

/// Clean free text: trimmed, bounded, control characters refused (newlines and tabs allowed).
pub(crate) fn text(p: &mut Problems, field: &str, raw: Option<&str>, max: usize) -> String {
    let s = raw.unwrap_or_default().trim();
    if s.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
    {
        p.add(field, "含有不可见的控制字符");
        return String::new();
    }
    let n = s.chars().count();
    if n > max {
        p.add(field, format!("过长：{n} 个字符，最多 {max} 个"));
        return String::new();
    }
    s.to_owned()
}

fn required(p: &mut Problems, field: &str, raw: Option<&str>, max: usize, what: &str) -> String {
    let s = text(p, field, raw, max);
    if s.is_empty() && raw.is_none_or(|r| r.trim().is_empty()) {
        p.add(field, format!("请填写{what}"));
    }
    s
}

fn method(p: &mut Problems, field: &str, raw: Option<&str>) -> Option<ReplacementMethod> {
    let raw = raw.map(str::trim).filter(|s| !s.is_empty())?;
    match ReplacementMethod::parse(raw).filter(|m| APPLICATION_METHODS.contains(m)) {
        Some(m) => Some(m),
        None => {
            p.add(
                field,
                "替代方式无效（可选：数据共享、告知承诺、部门核验、其他方式）",
            );
            None
        }
    }
}

fn date(p: &mut Problems, field: &str, raw: &str) -> Option<NaiveDate> {
    match NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            p.add(field, "日期格式应为 YYYY-MM-DD");
            None
        }
    }
}

/// A unit's application to add, change or cancel list content (A3 §9).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplicationInput {
    pub proof_item_id: i64,
    /// The service item (办理事项) concerned.
    pub service_item: Option<String>,
    /// `add`, `change` or `cancel`.
    pub kind: String,
    /// For a change: `proof` (the proof itself, needs a legal basis) or `method`.
    pub target: Option<String>,
    /// The replacement method after the adjustment.
    pub method: Option<String>,
    pub method_text: Option<String>,
    /// The method the unit uses until publication (A3 §9: it may not ask for the proof).
    pub interim_method: String,
    pub interim_text: Option<String>,
    /// One of the kind's grounds in force (A3 §6–§8).
    pub ground: String,
    /// Required when the ground is "其他".
    pub ground_text: Option<String>,
    /// The law and article (A3 §3), required to add a proof or change the proof itself.
    pub basis_law: Option<String>,
    pub basis_article: Option<String>,
    /// What changes.
    pub description: String,
    /// The date of the triggering event (YYYY-MM-DD); starts the 7-working-day limit.
    pub trigger_date: String,
    /// The event the joint office recorded, when the application answers one.
    pub event_id: Option<i64>,
    /// The public suggestion the joint office turns into an adjustment.
    pub comment_id: Option<i64>,
}

/// An application, checked.
#[derive(Debug, Clone)]
pub struct Application {
    pub proof_item_id: i64,
    pub service_item: String,
    pub kind: AdjustmentKind,
    pub target: Option<ChangeTarget>,
    pub method: Option<ReplacementMethod>,
    pub method_text: String,
    pub interim_method: ReplacementMethod,
    pub interim_text: String,
    pub ground: String,
    pub ground_text: String,
    pub basis_law: String,
    pub basis_article: String,
    pub description: String,
    pub trigger_date: NaiveDate,
    pub event_id: Option<i64>,
    pub comment_id: Option<i64>,
}

impl ApplicationInput {
    /// Parses against `today` (local date): a trigger date in the future is refused.
    pub fn parse(&self, today: NaiveDate) -> AppResult<Application> {
        let mut p = Problems::default();
        if self.proof_item_id <= 0 {
            p.add("proof_item_id", "请选择证明事项");
        }
        let kind = AdjustmentKind::parse(&self.kind);
        if kind.is_none() {
            p.add("kind", "调整类型无效（add 新增、change 变更、cancel 取消）");
        }
        let target = match self
            .target
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => None,
            Some(t) => {
                let parsed = ChangeTarget::parse(t);
                if parsed.is_none() {
                    p.add(
                        "target",
                        "变更内容无效（proof 证明材料本身、method 替代方式）",
                    );
                }
                parsed
            }
        };
        if kind == Some(AdjustmentKind::Change) && target.is_none() && self.target.is_none() {
            p.add("target", "变更须写明变更的是证明材料本身还是替代方式");
        }
        let method_v = method(&mut p, "method", self.method.as_deref());
        let wants_method = matches!(kind, Some(AdjustmentKind::Add))
            || (kind == Some(AdjustmentKind::Change) && target == Some(ChangeTarget::Method));
        if wants_method
            && method_v.is_none()
            && self.method.as_deref().is_none_or(|m| m.trim().is_empty())
        {
            p.add("method", "请选择调整后的替代方式");
        }
        let interim = method(&mut p, "interim_method", Some(&self.interim_method));
        if self.interim_method.trim().is_empty() {
            p.add(
                "interim_method",
                "请选择公布前采用的替代方式（A3 §9：不得要求提交证明）",
            );
        }
        let ground = text(&mut p, "ground", Some(&self.ground), 100);
        let ground_text = text(&mut p, "ground_text", self.ground_text.as_deref(), MAX_TEXT);
        let basis_law = text(&mut p, "basis_law", self.basis_law.as_deref(), 200);
        let basis_article = text(&mut p, "basis_article", self.basis_article.as_deref(), 100);
        if let Some(k) = kind
            && needs_legal_basis(k, target)
        {
            if basis_law.is_empty() {
                p.add(
                    "basis_law",
                    "新增证明或变更证明本身须有法律法规依据（A3 §3）",
                );
            }
            if basis_article.is_empty() {
                p.add("basis_article", "请写明法律依据的具体条款（A3 §3）");
            }
        }
        let description = required(
            &mut p,
            "description",
            Some(&self.description),
            MAX_TEXT,
            "调整内容",
        );
        let trigger = date(&mut p, "trigger_date", &self.trigger_date);
        if let Some(d) = trigger
            && trigger_in_future(d, today)
        {
            p.add(
                "trigger_date",
                format!("触发事件日期 {d} 晚于今天，尚未发生"),
            );
        }
        let out = Application {
            proof_item_id: self.proof_item_id,
            service_item: text(&mut p, "service_item", self.service_item.as_deref(), 200),
            kind: kind.unwrap_or(AdjustmentKind::Add),
            target,
            method: method_v,
            method_text: text(&mut p, "method_text", self.method_text.as_deref(), MAX_TEXT),
            interim_method: interim.unwrap_or(ReplacementMethod::Other),
            interim_text: text(
                &mut p,
                "interim_text",
                self.interim_text.as_deref(),
                MAX_TEXT,
            ),
            ground,
            ground_text,
            basis_law,
            basis_article,
            description,
            trigger_date: trigger.unwrap_or(today),
            event_id: self.event_id,
            comment_id: self.comment_id,
        };
        p.into_result()?;
        Ok(out)
    }
}

/// The joint office asks the unit to supplement, by a date.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SupplementRequest {
    pub note: String,
    /// YYYY-MM-DD, not before today.
    pub due_date: String,
}

impl SupplementRequest {
    pub fn parse(&self, today: NaiveDate) -> AppResult<(String, NaiveDate)> {
        let mut p = Problems::default();
        let note = required(&mut p, "note", Some(&self.note), MAX_TEXT, "需补正的内容");
        let due = date(&mut p, "due_date", &self.due_date);
        if due.is_some_and(|d| d < today) {
            p.add("due_date", "补正期限不能早于今天");
        }
        p.into_result()?;
        Ok((note, due.unwrap_or(today)))
    }
}

/// A text the actor must give: the unit's supplement, the office's reasons for returning.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = AdjustmentTextInput)]
pub struct TextInput {
    pub text: String,
}

impl TextInput {
    pub fn parse(&self, what: &str) -> AppResult<String> {
        let mut p = Problems::default();
        let s = required(&mut p, "text", Some(&self.text), MAX_TEXT, what);
        p.into_result()?;
        Ok(s)
    }
}

/// An event the joint office recorded (e.g. a law change it noticed) that calls on a unit
/// to file within 7 working days (A3 §4, §9).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventInput {
    pub proof_item_id: i64,
    pub description: String,
    /// YYYY-MM-DD, not in the future.
    pub event_date: String,
}

impl EventInput {
    pub fn parse(&self, today: NaiveDate) -> AppResult<(i64, String, NaiveDate)> {
        let mut p = Problems::default();
        if self.proof_item_id <= 0 {
            p.add("proof_item_id", "请选择证明事项");
        }
        let d = required(
            &mut p,
            "description",
            Some(&self.description),
            MAX_TEXT,
            "事件说明",
        );
        let on = date(&mut p, "event_date", &self.event_date);
        if on.is_some_and(|x| trigger_in_future(x, today)) {
            p.add("event_date", "事件日期晚于今天，尚未发生");
        }
        p.into_result()?;
        Ok((self.proof_item_id, d, on.unwrap_or(today)))
    }
}

/// A comment or suggestion from the public (no login needed; A3 §12).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentInput {
    pub proof_item_id: i64,
    /// `comment` or `suggestion`; default `comment`.
    pub kind: Option<String>,
    pub body: String,
    /// Optional.
    pub name: Option<String>,
    /// Optional; kept sealed, never shown.
    pub phone: Option<String>,
}

/// A comment, checked.
#[derive(Debug, Clone)]
pub struct NewComment {
    pub proof_item_id: i64,
    pub kind: CommentKind,
    pub body: String,
    pub name: String,
    pub phone: Option<String>,
}

impl CommentInput {
    pub fn parse(&self) -> AppResult<NewComment> {
        let mut p = Problems::default();
        let kind = match self
            .kind
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => CommentKind::Comment,
            Some(k) => CommentKind::parse(k).unwrap_or_else(|| {
                p.add("kind", "类型无效（comment 意见、suggestion 调整建议）");
                CommentKind::Comment
            }),
        };
        let body = required(&mut p, "body", Some(&self.body), MAX_COMMENT, "意见内容");
        let name = text(&mut p, "name", self.name.as_deref(), 30);
        let phone = self
            .phone
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned);
        if phone
            .as_deref()
            .is_some_and(|ph| ph.len() != 11 || !ph.bytes().all(|b| b.is_ascii_digit()))
        {
            p.add("phone", "手机号应为11位数字");
        }
        p.into_result()?;
        Ok(NewComment {
            proof_item_id: self.proof_item_id,
            kind,
            body,
            name,
            phone,
        })
    }
}

/// The joint office moderates a comment: hide it, merge it into another, or answer it.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ModerationInput {
    /// `hide`, `merge` or `answer`.
    pub action: String,
    /// For `merge`: the comment it duplicates.
    pub merged_into: Option<i64>,
    /// For `answer`: the public answer.
    pub answer: Option<String>,
}

/// A moderation, checked.
#[derive(Debug, Clone)]
pub enum Moderation {
    Hide,
    Merge(i64),
    Answer(String),
}

impl ModerationInput {
    pub fn parse(&self) -> AppResult<Moderation> {
        let mut p = Problems::default();
        let out = match self.action.trim() {
            "hide" => Some(Moderation::Hide),
            "merge" => match self.merged_into {
                Some(id) if id > 0 => Some(Moderation::Merge(id)),
                _ => {
                    p.add("merged_into", "请指明与之重复的意见编号");
                    None
                }
            },
            "answer" => {
                let a = required(
                    &mut p,
                    "answer",
                    self.answer.as_deref(),
                    MAX_TEXT,
                    "公开答复",
                );
                Some(Moderation::Answer(a))
            }
            _ => {
                p.add(
                    "action",
                    "操作无效（hide 屏蔽、merge 合并重复、answer 公开答复）",
                );
                None
            }
        };
        p.into_result()?;
        out.ok_or_else(|| crate::error::AppError::field("action", "操作无效"))
    }
}
