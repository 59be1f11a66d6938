//! Inter-unit verification (部门核验), SPEC R5 and annex 2 (A2): the state machine, the
//! deadline class → rule mapping, who may act, template fields and the countdown colours.
//! Pure rules, no IO.

use serde::{Deserialize, Serialize};

use crate::catalogue::VerificationDeadlineClass;
use crate::deadline::{Period, PeriodUnit};
use crate::role::Role;

/// Where a verification stands. Overdue is not a state of its own: a `registered` request
/// whose due instant has passed is overdue (A2 §11), and stays so until answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// In the issuer's inbox, registered at once on receipt, clock running (A2 §7).
    Registered,
    /// Answered under seal: confirmed or not matching (A2 §7).
    Answered,
    /// Returned as outside the issuer's remit, with a reason (A2 §7).
    Returned,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Registered => "registered",
            State::Answered => "answered",
            State::Returned => "returned",
        }
    }

    pub fn parse(s: &str) -> Option<State> {
        match s {
            "registered" => Some(State::Registered),
            "answered" => Some(State::Answered),
            "returned" => Some(State::Returned),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            State::Registered => "已登记待反馈",
            State::Answered => "已反馈",
            State::Returned => "已退回",
        }
    }
}

/// The issuer's answer (A2 §7, §8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The facts as the applicant stated them are confirmed.
    Confirmed,
    /// The records say otherwise (A2 §8 follows on the requester's side).
    NotMatching,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Confirmed => "confirmed",
            Outcome::NotMatching => "not_matching",
        }
    }
    pub fn parse(s: &str) -> Option<Outcome> {
        match s.trim() {
            "confirmed" => Some(Outcome::Confirmed),
            "not_matching" => Some(Outcome::NotMatching),
            _ => None,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Confirmed => "核验属实",
            Outcome::NotMatching => "与申请人填报不符",
        }
    }
}

/// How the request travelled (A2 §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// The application system itself (A2 §5).
    System,
    Fax,
    Email,
    /// 协同办公系统.
    OfficeSystem,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::System => "system",
            Channel::Fax => "fax",
            Channel::Email => "email",
            Channel::OfficeSystem => "office_system",
        }
    }
    pub fn parse(s: &str) -> Option<Channel> {
        match s.trim() {
            "system" => Some(Channel::System),
            "fax" => Some(Channel::Fax),
            "email" => Some(Channel::Email),
            "office_system" => Some(Channel::OfficeSystem),
            _ => None,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Channel::System => "无证明城市应用系统",
            Channel::Fax => "传真",
            Channel::Email => "公务邮箱",
            Channel::OfficeSystem => "协同办公系统",
        }
    }
    /// Fax, e-mail and the office system may carry a verification, never a state or
    /// work secret (A2 §3): recording one requires the recorder to confirm that.
    pub fn needs_no_secret_confirmation(self) -> bool {
        !matches!(self, Channel::System)
    }
}

/// What a verification is about (R5.1: a person or an entity).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubjectKind {
    Person,
    Entity,
}

impl SubjectKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SubjectKind::Person => "person",
            SubjectKind::Entity => "entity",
        }
    }
    pub fn parse(s: &str) -> Option<SubjectKind> {
        match s.trim() {
            "person" => Some(SubjectKind::Person),
            "entity" => Some(SubjectKind::Entity),
            _ => None,
        }
    }
}

/// Ledger entries the requester keeps (A2 §8, §9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LedgerKind {
    /// The applicant is asked for supplementary material after a not-matching answer (A2 §8).
    SupplementaryRequest,
    /// The requester checked on site where no answer could be had (A2 §8 ¶3).
    OnsiteCheck,
    /// The applicant chose to provide the information themselves (A2 §9).
    ApplicantProvided,
}

impl LedgerKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LedgerKind::SupplementaryRequest => "supplementary_request",
            LedgerKind::OnsiteCheck => "onsite_check",
            LedgerKind::ApplicantProvided => "applicant_provided",
        }
    }
    pub fn parse(s: &str) -> Option<LedgerKind> {
        match s.trim() {
            "supplementary_request" => Some(LedgerKind::SupplementaryRequest),
            "onsite_check" => Some(LedgerKind::OnsiteCheck),
            "applicant_provided" => Some(LedgerKind::ApplicantProvided),
            _ => None,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            LedgerKind::SupplementaryRequest => "要求申请人补充材料",
            LedgerKind::OnsiteCheck => "实地核查",
            LedgerKind::ApplicantProvided => "申请人自行提供",
        }
    }
}

/// Everything that can be done to a verification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Issuer changes the deadline class of this request, with a reason (A2 §7).
    Reclassify,
    /// Issuer answers (A2 §7).
    Answer,
    /// Issuer returns it as outside its remit (A2 §7).
    Return,
    /// Requester reports the overdue request to the joint office (A2 §11).
    Report,
    /// Joint office orders the issuer to finish by a new time limit (A2 §11).
    Order,
    /// Joint office records its request to the county government to summon those
    /// responsible (A2 §11).
    Summon,
    /// Requester asks the applicant for supplementary material (A2 §8).
    SupplementaryRequest,
    /// Requester records an on-site check (A2 §8 ¶3).
    OnsiteCheck,
}

/// Which side of a verification an actor is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Requester,
    Issuer,
    JointOffice,
}

impl Action {
    pub fn side(self) -> Side {
        match self {
            Action::Reclassify | Action::Answer | Action::Return => Side::Issuer,
            Action::Report | Action::SupplementaryRequest | Action::OnsiteCheck => Side::Requester,
            Action::Order | Action::Summon => Side::JointOffice,
        }
    }
}

/// Roles that act for a unit in verification: its liaison and proxy agents, A or B alike
/// (A2 §5, §6, §7).
pub const ACTING_ROLES: [Role; 2] = [Role::Liaison, Role::ProxyAgent];

/// Whether someone with `roles` may take `action` (the unit scope is checked separately).
pub fn role_may(action: Action, roles: &[Role]) -> bool {
    match action.side() {
        Side::Requester | Side::Issuer => roles.iter().any(|r| ACTING_ROLES.contains(r)),
        Side::JointOffice => roles.contains(&Role::JointOffice),
    }
}

/// Facts about a verification the state machine looks at.
#[derive(Debug, Clone, Copy)]
pub struct Facts {
    pub state: State,
    pub outcome: Option<Outcome>,
    pub due_at: Option<i64>,
    pub reported: bool,
    pub ordered: bool,
    pub summoned: bool,
    pub reclassified: bool,
}

impl Facts {
    /// A registered request past its due instant (A2 §11).
    pub fn overdue(&self, now_ms: i64) -> bool {
        self.state == State::Registered && self.due_at.is_some_and(|d| now_ms >= d)
    }
}

/// Why an action is refused now (Chinese, shown to the user).
pub fn check(action: Action, f: &Facts, now_ms: i64) -> Result<(), String> {
    match action {
        Action::Answer | Action::Return => match f.state {
            State::Registered => Ok(()),
            State::Answered => Err("该核验已反馈，不能重复反馈或退回".into()),
            State::Returned => Err("该核验已退回，不能再反馈".into()),
        },
        Action::Reclassify => {
            if f.state != State::Registered {
                return Err("只有待反馈的核验可以改判时限类别".into());
            }
            if f.reclassified {
                return Err("该核验已改判过一次时限类别".into());
            }
            // A2 §7: registered at once on receipt; a class changed after the limit has run
            // out would only hide a late answer.
            if f.overdue(now_ms) {
                return Err("已超过反馈时限，不能再改判时限类别".into());
            }
            Ok(())
        }
        Action::Report => {
            if !f.overdue(now_ms) {
                return Err("只有逾期未反馈的核验才能报告联席会议办公室".into());
            }
            if f.reported {
                return Err("该逾期核验已报告联席会议办公室".into());
            }
            Ok(())
        }
        Action::Order => {
            if f.state != State::Registered {
                return Err("该核验已办结，无需责成限时办结".into());
            }
            if !f.reported {
                return Err("须先由需求单位报告（或系统自动报告）后，才能责成限时办结".into());
            }
            Ok(())
        }
        Action::Summon => {
            if !f.reported {
                return Err("只有已报告的逾期核验才能提请约谈".into());
            }
            if f.summoned {
                return Err("已提请县政府约谈，不能重复提请".into());
            }
            Ok(())
        }
        Action::SupplementaryRequest => {
            if f.state == State::Answered && f.outcome == Some(Outcome::NotMatching) {
                Ok(())
            } else {
                Err("只有核验结果“与申请人填报不符”时才能要求申请人补充材料".into())
            }
        }
        Action::OnsiteCheck => {
            // A2 §8 ¶3: where no answer can be had: overdue, or returned.
            if f.state == State::Returned || f.overdue(now_ms) {
                Ok(())
            } else {
                Err("只有被退回或逾期未反馈的核验才能记录实地核查".into())
            }
        }
    }
}

/// Rule key in the deadline engine for a class (A2 §7). The statutory class uses its own
/// rule whose period never binds: the request's statutory limit does.
pub fn rule_key(class: VerificationDeadlineClass) -> &'static str {
    match class {
        VerificationDeadlineClass::Electronic => "verification.electronic",
        VerificationDeadlineClass::PaperArchive => "verification.paper_archive",
        VerificationDeadlineClass::IncompleteArchive => "verification.incomplete_archive",
        VerificationDeadlineClass::Statutory(_) => "verification.statutory",
    }
}

/// The class of a published method from its period (`30m`, `1wd`, `2wd`, else statutory).
pub fn class_of_period(period: &str) -> Result<VerificationDeadlineClass, String> {
    let p = Period::parse(period.trim()).map_err(|e| e.to_string())?;
    Ok(match p {
        Period::Minutes(30) => VerificationDeadlineClass::Electronic,
        Period::WorkingDays(1) => VerificationDeadlineClass::PaperArchive,
        Period::WorkingDays(2) => VerificationDeadlineClass::IncompleteArchive,
        other
            if matches!(
                other.unit(),
                PeriodUnit::WorkingDays | PeriodUnit::CalendarDays
            ) =>
        {
            VerificationDeadlineClass::Statutory(other)
        }
        other => return Err(format!("核验时限“{other}”不是附件2第七条规定的时限")),
    })
}

/// Whether B is notified too (A2 §6): when A is marked absent, or when half the time has
/// passed unanswered.
pub fn notify_b(a_absent: bool, half_time_passed: bool) -> bool {
    a_absent || half_time_passed
}

/// Countdown colour by the share of the allowed time left (A2 §7 live countdown):
/// `late` past due, `bad` under a fifth left, `warn` under half, else `ok`.
pub fn countdown_class(start_ms: i64, due_ms: i64, now_ms: i64) -> &'static str {
    if now_ms >= due_ms {
        return "late";
    }
    let total = (due_ms - start_ms).max(1);
    let left = due_ms - now_ms;
    if left * 5 < total {
        "bad"
    } else if left * 2 < total {
        "warn"
    } else {
        "ok"
    }
}

/// Minutes left as Chinese text, or how late.
pub fn countdown_text(due_ms: i64, now_ms: i64) -> String {
    let d = due_ms - now_ms;
    let (prefix, mins) = if d >= 0 {
        ("剩余", d / 60_000)
    } else {
        ("已逾期", (-d) / 60_000)
    };
    let (days, h, m) = (mins / 1440, mins % 1440 / 60, mins % 60);
    if days > 0 {
        format!("{prefix} {days} 天 {h} 小时")
    } else if h > 0 {
        format!("{prefix} {h} 小时 {m} 分钟")
    } else {
        format!("{prefix} {m} 分钟")
    }
}

/// Kind of a typed template field (A2 §4: the facts to confirm, as typed fields).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    Text,
    /// YYYY-MM-DD.
    Date,
    Number,
    /// 是 / 否 (`true` / `false`).
    YesNo,
}

/// One typed field of a request or reply letter template (A2 §4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldSpec {
    /// Machine key, `[a-z0-9_]{1,40}`.
    pub key: String,
    /// Chinese label shown on the letter.
    pub label: String,
    pub kind: FieldKind,
    #[serde(default)]
    pub required: bool,
}

pub const MAX_FIELDS: usize = 30;
pub const MAX_VALUE_CHARS: usize = 500;

/// Checks a template's field list: keys well-formed and unique, labels present, 1–30 fields.
pub fn check_fields(fields: &[FieldSpec]) -> Result<(), String> {
    if fields.is_empty() {
        return Err("至少需要一个字段".into());
    }
    if fields.len() > MAX_FIELDS {
        return Err(format!("字段不能超过{MAX_FIELDS}个"));
    }
    let mut seen = std::collections::BTreeSet::new();
    for f in fields {
        let ok = !f.key.is_empty()
            && f.key.len() <= 40
            && f.key
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !ok {
            return Err(format!(
                "字段键“{}”无效（只能用小写字母、数字和下划线，最长40个字符）",
                f.key
            ));
        }
        if !seen.insert(f.key.as_str()) {
            return Err(format!("字段键“{}”重复", f.key));
        }
        let n = f.label.trim().chars().count();
        if n == 0 || n > 50 {
            return Err(format!("字段“{}”的名称须为1至50个字", f.key));
        }
    }
    Ok(())
}

/// Checks values against typed fields: every required field present and non-empty, no
/// unknown field, each value of its kind. Returns `(field key, Chinese message)` pairs.
pub fn check_values(
    fields: &[FieldSpec],
    values: &serde_json::Map<String, serde_json::Value>,
) -> Vec<(String, String)> {
    let mut out = vec![];
    for k in values.keys() {
        if !fields.iter().any(|f| &f.key == k) {
            let shown: String = k.chars().take(40).collect();
            out.push((k.clone(), format!("模板中没有字段“{shown}”")));
        }
    }
    for f in fields {
        let v = values.get(&f.key);
        let text = match v {
            None | Some(serde_json::Value::Null) => None,
            Some(serde_json::Value::String(s)) if s.trim().is_empty() => None,
            Some(serde_json::Value::String(s)) => Some(s.trim().to_owned()),
            Some(serde_json::Value::Bool(b)) => Some(b.to_string()),
            Some(serde_json::Value::Number(n)) => Some(n.to_string()),
            Some(_) => {
                out.push((f.key.clone(), format!("{}应为文字、数字或是/否", f.label)));
                continue;
            }
        };
        let Some(t) = text else {
            if f.required {
                out.push((f.key.clone(), format!("{}不能为空", f.label)));
            }
            continue;
        };
        if t.chars().count() > MAX_VALUE_CHARS {
            out.push((
                f.key.clone(),
                format!("{}不能超过{MAX_VALUE_CHARS}个字", f.label),
            ));
            continue;
        }
        if t.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
            out.push((f.key.clone(), format!("{}含有不可见的控制字符", f.label)));
            continue;
        }
        let ok = match f.kind {
            FieldKind::Text => true,
            FieldKind::Date => chrono::NaiveDate::parse_from_str(&t, "%Y-%m-%d").is_ok(),
            FieldKind::Number => t.parse::<f64>().is_ok_and(f64::is_finite),
            FieldKind::YesNo => t == "true" || t == "false",
        };
        if !ok {
            let want = match f.kind {
                FieldKind::Text => "文字",
                FieldKind::Date => "日期（YYYY-MM-DD）",
                FieldKind::Number => "数字",
                FieldKind::YesNo => "是/否（true 或 false）",
            };
            out.push((f.key.clone(), format!("{}应为{want}", f.label)));
        }
    }
    out
}

/// The template used when a pair of units has none yet: one free-text field each way.
pub fn default_request_fields() -> Vec<FieldSpec> {
    vec![FieldSpec {
        key: "facts".into(),
        label: "申请人填报的事实".into(),
        kind: FieldKind::Text,
        required: true,
    }]
}

pub fn default_reply_fields() -> Vec<FieldSpec> {
    vec![FieldSpec {
        key: "remarks".into(),
        label: "核验说明".into(),
        kind: FieldKind::Text,
        required: false,
    }]
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn facts(state: State) -> Facts {
        Facts {
            state,
            outcome: None,
            due_at: Some(1_000),
            reported: false,
            ordered: false,
            summoned: false,
            reclassified: false,
        }
    }

    #[test]
    fn answer_once_and_never_after_return() {
        // A2 §7: answered or returned, once.
        assert!(check(Action::Answer, &facts(State::Registered), 0).is_ok());
        assert!(check(Action::Return, &facts(State::Registered), 0).is_ok());
        assert!(check(Action::Answer, &facts(State::Answered), 0).is_err());
        assert!(check(Action::Answer, &facts(State::Returned), 0).is_err());
        assert!(check(Action::Return, &facts(State::Answered), 0).is_err());
        // Late answers are still accepted (and recorded as late).
        assert!(check(Action::Answer, &facts(State::Registered), 5_000).is_ok());
    }

    #[test]
    fn reclassify_once_on_registration_before_the_limit_runs_out() {
        // A2 §7 / SPEC R5.3: the issuer may reclassify one request with a reason.
        let f = facts(State::Registered);
        assert!(check(Action::Reclassify, &f, 999).is_ok());
        assert!(check(Action::Reclassify, &f, 1_000).is_err());
        let mut twice = f;
        twice.reclassified = true;
        assert!(check(Action::Reclassify, &twice, 0).is_err());
        assert!(check(Action::Reclassify, &facts(State::Answered), 0).is_err());
    }

    #[test]
    fn overdue_reports_once_then_order_and_summon() {
        // A2 §11.
        let f = facts(State::Registered);
        assert!(check(Action::Report, &f, 999).is_err(), "not yet due");
        assert!(check(Action::Report, &f, 1_000).is_ok());
        assert!(
            check(Action::Order, &f, 1_000).is_err(),
            "order needs a report"
        );
        let mut r = f;
        r.reported = true;
        assert!(check(Action::Report, &r, 2_000).is_err(), "reported once");
        assert!(check(Action::Order, &r, 2_000).is_ok());
        assert!(check(Action::Summon, &r, 2_000).is_ok());
        r.summoned = true;
        assert!(check(Action::Summon, &r, 2_000).is_err());
        assert!(check(Action::Report, &facts(State::Answered), 2_000).is_err());
    }

    #[test]
    fn supplementary_material_only_after_a_not_matching_answer() {
        // A2 §8.
        let mut f = facts(State::Answered);
        f.outcome = Some(Outcome::Confirmed);
        assert!(check(Action::SupplementaryRequest, &f, 0).is_err());
        f.outcome = Some(Outcome::NotMatching);
        assert!(check(Action::SupplementaryRequest, &f, 0).is_ok());
    }

    #[test]
    fn onsite_check_where_no_answer_can_be_had() {
        // A2 §8 ¶3.
        assert!(check(Action::OnsiteCheck, &facts(State::Returned), 0).is_ok());
        assert!(check(Action::OnsiteCheck, &facts(State::Registered), 2_000).is_ok());
        assert!(check(Action::OnsiteCheck, &facts(State::Registered), 0).is_err());
        assert!(check(Action::OnsiteCheck, &facts(State::Answered), 0).is_err());
    }

    #[test]
    fn liaison_and_proxy_agents_act_joint_office_orders() {
        // A2 §5, §6, §11.
        assert!(role_may(Action::Answer, &[Role::ProxyAgent]));
        assert!(role_may(Action::Report, &[Role::Liaison]));
        assert!(!role_may(Action::Answer, &[Role::CounterClerk]));
        assert!(!role_may(Action::Order, &[Role::Liaison]));
        assert!(role_may(Action::Summon, &[Role::JointOffice]));
    }

    #[test]
    fn classes_map_to_the_periods_and_rules_of_a2_section_7() {
        assert_eq!(
            class_of_period("30m").unwrap(),
            VerificationDeadlineClass::Electronic
        );
        assert_eq!(
            class_of_period("1wd").unwrap(),
            VerificationDeadlineClass::PaperArchive
        );
        assert_eq!(
            class_of_period("2wd").unwrap(),
            VerificationDeadlineClass::IncompleteArchive
        );
        assert_eq!(
            class_of_period("20wd").unwrap(),
            VerificationDeadlineClass::Statutory(Period::WorkingDays(20))
        );
        assert!(class_of_period("3h").is_err());
        assert_eq!(
            rule_key(VerificationDeadlineClass::Electronic),
            "verification.electronic"
        );
        assert_eq!(
            rule_key(VerificationDeadlineClass::Statutory(Period::CalendarDays(
                30
            ))),
            "verification.statutory"
        );
    }

    #[test]
    fn b_is_notified_when_a_is_absent_or_half_the_time_passed() {
        // A2 §6.
        assert!(!notify_b(false, false));
        assert!(notify_b(true, false));
        assert!(notify_b(false, true));
    }

    #[test]
    fn countdown_colours_by_share_of_time_left() {
        assert_eq!(countdown_class(0, 100, 10), "ok");
        assert_eq!(countdown_class(0, 100, 60), "warn");
        assert_eq!(countdown_class(0, 100, 90), "bad");
        assert_eq!(countdown_class(0, 100, 100), "late");
        assert_eq!(countdown_text(30 * 60_000, 0), "剩余 30 分钟");
        assert_eq!(countdown_text(0, 90 * 60_000), "已逾期 1 小时 30 分钟");
    }

    #[test]
    fn offline_channels_need_the_no_secret_confirmation() {
        // A2 §3.
        assert!(!Channel::System.needs_no_secret_confirmation());
        for c in [Channel::Fax, Channel::Email, Channel::OfficeSystem] {
            assert!(c.needs_no_secret_confirmation());
        }
    }

    #[test]
    fn typed_template_values_are_checked_field_by_field() {
        // A2 §4: facts to confirm as typed fields.
        let fields = vec![
            FieldSpec {
                key: "name".into(),
                label: "姓名".into(),
                kind: FieldKind::Text,
                required: true,
            },
            FieldSpec {
                key: "since".into(),
                label: "起始日期".into(),
                kind: FieldKind::Date,
                required: false,
            },
            FieldSpec {
                key: "alive".into(),
                label: "是否健在".into(),
                kind: FieldKind::YesNo,
                required: false,
            },
        ];
        assert!(check_fields(&fields).is_ok());
        let v = |j: serde_json::Value| j.as_object().unwrap().clone();
        assert!(check_values(&fields, &v(serde_json::json!({"name": "张三"}))).is_empty());
        let errs = check_values(
            &fields,
            &v(serde_json::json!({"since": "2020-13-01", "alive": "maybe", "x": "1"})),
        );
        let keys: Vec<&str> = errs.iter().map(|(k, _)| k.as_str()).collect();
        assert!(keys.contains(&"name") && keys.contains(&"since"));
        assert!(keys.contains(&"alive") && keys.contains(&"x"));
        let dup = vec![fields[0].clone(), fields[0].clone()];
        assert!(check_fields(&dup).is_err());
        assert!(check_fields(&[]).is_err());
    }
}
