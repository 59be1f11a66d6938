//! Trial-period settings (SPEC "Trial rules"; A2 §14, A3 §13, A4 §14, A5 §12: the annexes are
//! on trial for one year): every time limit, ground and threshold the rules name is a
//! **versioned setting with an effective date**, not a constant. A setting is declared once,
//! where its rule lives, as a typed [`Setting`]; its stored versions are picked here.
//!
//! A case uses the version in force when it started: [`in_force`] takes the local date of that
//! instant, and a later version never reaches back.

use chrono::NaiveDate;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::role::Role;

/// One setting: its key, what it means, who may change it, the seed's value and its check.
/// `T` is the value's type; it is stored as JSON.
pub struct Setting<T: 'static> {
    /// Stable key, e.g. `credit.objection_days`.
    pub key: &'static str,
    /// What it is, in Chinese, for the page and the audit log.
    pub label: &'static str,
    /// The article that sets the seed's value, e.g. `A2 §11`.
    pub basis: &'static str,
    /// The unit of the value shown beside the field, e.g. `天`, `分钟`, or `` for lists.
    pub unit: &'static str,
    /// The roles of the responsible office that may add versions (the system administrator may
    /// always).
    pub owners: &'static [Role],
    /// The seed's value, in force until a stored version says otherwise.
    pub default: fn() -> T,
    /// Refuses a value that makes no sense (negative days, an empty list…) with a Chinese reason.
    pub check: fn(&T) -> Result<(), String>,
    /// The words for the codes the value holds, when it holds any (issue #22 point 1: the
    /// settings page shows 法律, not `law`).
    pub words: Option<Words>,
}

/// The codes a setting's value may hold and their words, both ways: the page shows the word
/// ([`readable`]), its form takes the word back ([`from_form`]).
#[derive(Clone, Copy, Debug)]
pub struct Words {
    /// A code's word (`law` → 法律); `None` for a text that is no code.
    pub word: fn(&str) -> Option<&'static str>,
    /// The code a word (or the code itself) stands for.
    pub code: fn(&str) -> Option<&'static str>,
}

impl<T: Serialize + DeserializeOwned + 'static> Setting<T> {
    /// The value of a stored JSON text, checked.
    pub fn decode(&self, json: &str) -> Result<T, String> {
        let v: T = serde_json::from_str(json)
            .map_err(|e| format!("设置“{}”的值格式不对：{e}", self.label))?;
        (self.check)(&v)?;
        Ok(v)
    }

    /// The default as JSON.
    pub fn default_json(&self) -> serde_json::Value {
        serde_json::to_value((self.default)()).unwrap_or(serde_json::Value::Null)
    }
}

/// A setting whatever its value type: what the settings page and API list.
pub trait AnySetting: Sync {
    fn key(&self) -> &'static str;
    fn label(&self) -> &'static str;
    fn basis(&self) -> &'static str;
    fn unit(&self) -> &'static str;
    fn owners(&self) -> &'static [Role];
    fn default_json(&self) -> serde_json::Value;
    /// The words for the codes its value holds.
    fn words(&self) -> Option<Words>;
    /// Checks a proposed value given as JSON; the normalised JSON text to store.
    fn check_json(&self, value: &serde_json::Value) -> Result<String, String>;
}

impl<T: Serialize + DeserializeOwned + Sync + 'static> AnySetting for Setting<T> {
    fn key(&self) -> &'static str {
        self.key
    }
    fn label(&self) -> &'static str {
        self.label
    }
    fn basis(&self) -> &'static str {
        self.basis
    }
    fn unit(&self) -> &'static str {
        self.unit
    }
    fn owners(&self) -> &'static [Role] {
        self.owners
    }
    fn default_json(&self) -> serde_json::Value {
        Setting::default_json(self)
    }
    fn words(&self) -> Option<Words> {
        self.words
    }
    fn check_json(&self, value: &serde_json::Value) -> Result<String, String> {
        let v: T = serde_json::from_value(value.clone())
            .map_err(|e| format!("“{}”的值格式不对：{e}", self.label))?;
        (self.check)(&v)?;
        serde_json::to_string(&v).map_err(|e| e.to_string())
    }
}

/// A stored version of a setting: the value as JSON text, from its effective date on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    pub version: i64,
    pub effective_from: NaiveDate,
    pub value: String,
}

/// The version in force on `day`: the latest effective date not after it, the highest version
/// among equal dates. `None` means the seed's value (no stored version yet in force).
pub fn in_force(versions: &[Version], day: NaiveDate) -> Option<&Version> {
    versions
        .iter()
        .filter(|v| v.effective_from <= day)
        .max_by_key(|v| (v.effective_from, v.version))
}

/// A new version may not take effect before `today`: the past stays as it was decided (a case
/// already started keeps its rules).
pub fn check_effective_from(effective_from: NaiveDate, today: NaiveDate) -> Result<(), String> {
    if effective_from < today {
        return Err(format!(
            "生效日期 {effective_from} 早于今天 {today}：已经发生的办理按当时的规定，不能追溯"
        ));
    }
    Ok(())
}

/// A value as the lines a person reads (issue #22 point 1): a number as it is, 是/否, a period
/// in words (`30m` → 30分钟), a code in its word, a list joined with 、, an object one line per
/// entry (`证明名称：证明名称、证明事项名称`). Never JSON. The unit is the caller's to add.
pub fn readable(value: &serde_json::Value, words: Option<Words>) -> Vec<String> {
    use serde_json::Value;
    match value {
        Value::Object(entries) if entries.is_empty() => vec![NONE.to_owned()],
        Value::Object(entries) => entries
            .iter()
            .map(|(k, v)| format!("{}：{}", term(k, words), readable(v, words).join("；")))
            .collect(),
        Value::Array(items) if items.is_empty() => vec![NONE.to_owned()],
        Value::Array(items) if items.iter().all(|i| !i.is_object() && !i.is_array()) => {
            vec![
                items
                    .iter()
                    .map(|i| scalar(i, words))
                    .collect::<Vec<_>>()
                    .join("、"),
            ]
        }
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(n, i)| format!("第{}项：{}", n + 1, readable(i, words).join("；")))
            .collect(),
        other => vec![scalar(other, words)],
    }
}

fn scalar(v: &serde_json::Value, words: Option<Words>) -> String {
    use serde_json::Value;
    match v {
        Value::Null => NONE.to_owned(),
        Value::Bool(true) => "是".to_owned(),
        Value::Bool(false) => "否".to_owned(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => term(s, words),
        nested => readable(nested, words).join("；"),
    }
}

/// A code in words: the setting's word for it, a period described, or the text as it is.
fn term(s: &str, words: Option<Words>) -> String {
    if let Some(w) = words.and_then(|w| (w.word)(s)) {
        return w.to_owned();
    }
    match crate::deadline::Period::parse(s) {
        Ok(p) => p.describe(),
        Err(_) => s.to_owned(),
    }
}

/// The text a setting's form shows for a value: words, items joined with 、, an object one
/// line per entry (`字段：名称、名称`); [`from_form`] reads it back.
pub fn form_text(value: &serde_json::Value, words: Option<Words>) -> String {
    use serde_json::Value;
    match value {
        Value::Array(items) if items.is_empty() => String::new(),
        Value::Object(_) | Value::Array(_) | Value::Bool(_) => readable(value, words).join("\n"),
        Value::Null => String::new(),
        Value::String(s) => term(s, words),
        Value::Number(n) => n.to_string(),
    }
}

/// How an empty list or a missing value reads.
const NONE: &str = "（无）";

/// What separates the items of a list typed into a form.
const ITEM_SEPARATORS: [char; 6] = ['、', ',', '，', ';', '；', '\n'];

/// A form's text as a value of the setting's shape (the shape of its seed value `like`), the
/// words turned back into their codes; a Chinese reason when it does not fit.
pub fn from_form(
    like: &serde_json::Value,
    text: &str,
    words: Option<Words>,
) -> Result<serde_json::Value, String> {
    use serde_json::Value;
    let text = text.trim();
    if text.is_empty() {
        return Err("请填写新的值".to_owned());
    }
    let code = |s: &str| -> String {
        words
            .and_then(|w| (w.code)(s))
            .map_or_else(|| s.to_owned(), str::to_owned)
    };
    // Only where the seed holds codes are words turned back into them: a free text that
    // happens to be a word (the header name 依据 beside the field 依据) stays as typed.
    let is_code = |v: Option<&Value>| {
        v.and_then(Value::as_str)
            .is_some_and(|s| words.and_then(|w| (w.word)(s)).is_some())
    };
    match like {
        Value::Number(_) => number(text),
        Value::Bool(_) => match text {
            "是" | "true" => Ok(Value::Bool(true)),
            "否" | "false" => Ok(Value::Bool(false)),
            _ => Err(format!("请填写“是”或“否”，收到“{}”", clip(text))),
        },
        Value::Array(items) => {
            let parts = text
                .split(ITEM_SEPARATORS)
                .map(str::trim)
                .filter(|s| !s.is_empty() && *s != NONE);
            if matches!(items.first(), Some(Value::Number(_))) {
                parts
                    .map(number)
                    .collect::<Result<Vec<_>, _>>()
                    .map(Value::Array)
            } else if is_code(items.first()) {
                Ok(Value::Array(parts.map(|s| Value::from(code(s))).collect()))
            } else {
                Ok(Value::Array(parts.map(Value::from).collect()))
            }
        }
        Value::Object(entries) => {
            let mut out = serde_json::Map::new();
            for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
                let Some((k, v)) = line.split_once(['：', ':']) else {
                    return Err(format!(
                        "每行写成“名称：内容”，这一行没有冒号：“{}”",
                        clip(line)
                    ));
                };
                let key = code(k.trim());
                let shape = entries.get(&key).or_else(|| entries.values().next());
                let value = match shape {
                    Some(shape) => from_form(shape, v, words)?,
                    None => Value::from(v.trim().to_owned()),
                };
                out.insert(key, value);
            }
            Ok(Value::Object(out))
        }
        Value::String(_) if is_code(Some(like)) => Ok(Value::from(code(text))),
        Value::String(_) => Ok(Value::from(text.to_owned())),
        Value::Null => serde_json::from_str(text).map_err(|_| "值的格式不对".to_owned()),
    }
}

fn number(s: &str) -> Result<serde_json::Value, String> {
    s.trim()
        .parse::<i64>()
        .map(serde_json::Value::from)
        .map_err(|_| format!("“{}”不是整数", clip(s.trim())))
}

fn clip(s: &str) -> String {
    s.chars().take(20).collect()
}

/// Check helpers for the common value shapes.
pub mod checks {
    /// A whole number within `[min, max]`.
    pub fn within(v: i64, min: i64, max: i64, what: &str) -> Result<(), String> {
        if v < min || v > max {
            return Err(format!("{what}应在 {min} 到 {max} 之间，收到 {v}"));
        }
        Ok(())
    }

    /// A list of non-blank, distinct entries, at least one.
    pub fn non_empty_distinct(items: &[String], what: &str) -> Result<(), String> {
        if items.is_empty() {
            return Err(format!("{what}至少要有一项"));
        }
        let mut seen = std::collections::HashSet::new();
        for s in items {
            if s.trim().is_empty() {
                return Err(format!("{what}不能有空项"));
            }
            if !seen.insert(s.trim()) {
                return Err(format!("{what}中“{s}”重复"));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn v(version: i64, from: &str, value: &str) -> Version {
        Version {
            version,
            effective_from: d(from),
            value: value.into(),
        }
    }

    static DAYS: Setting<i64> = Setting {
        key: "test.days",
        label: "测试天数",
        basis: "SPEC Trial rules",
        unit: "天",
        owners: &[Role::CreditOffice],
        default: || 7,
        check: |v| checks::within(*v, 1, 60, "天数"),
        words: None,
    };

    // SPEC "Trial rules": a case uses the version in force when it started.
    #[test]
    fn the_version_in_force_is_the_latest_effective_by_that_day() {
        let vs = [v(1, "2026-01-01", "7"), v(2, "2027-01-01", "10")];
        assert_eq!(in_force(&vs, d("2025-12-31")), None);
        assert_eq!(in_force(&vs, d("2026-06-01")).map(|v| v.version), Some(1));
        assert_eq!(in_force(&vs, d("2027-01-01")).map(|v| v.version), Some(2));
        let same_day = [v(1, "2026-01-01", "7"), v(2, "2026-01-01", "9")];
        assert_eq!(
            in_force(&same_day, d("2026-01-01")).map(|v| v.version),
            Some(2)
        );
    }

    #[test]
    fn values_are_checked_when_read_and_when_proposed() {
        assert_eq!(DAYS.decode("10"), Ok(10));
        assert!(DAYS.decode("0").unwrap_err().contains("天数"));
        assert!(DAYS.decode("\"x\"").is_err());
        let any: &dyn AnySetting = &DAYS;
        assert_eq!(any.check_json(&serde_json::json!(12)), Ok("12".into()));
        assert!(any.check_json(&serde_json::json!(-1)).is_err());
        assert_eq!(any.default_json(), serde_json::json!(7));
    }

    #[test]
    fn a_version_cannot_reach_back() {
        assert!(check_effective_from(d("2026-12-04"), d("2026-12-05")).is_err());
        assert!(check_effective_from(d("2026-12-05"), d("2026-12-05")).is_ok());
    }

    #[test]
    fn lists_need_distinct_non_blank_entries() {
        let ok = vec!["法律".to_string(), "行政法规".to_string()];
        assert!(checks::non_empty_distinct(&ok, "依据种类").is_ok());
        assert!(checks::non_empty_distinct(&[], "依据种类").is_err());
        let dup = vec!["法律".to_string(), "法律".to_string()];
        assert!(
            checks::non_empty_distinct(&dup, "依据种类")
                .unwrap_err()
                .contains("重复")
        );
    }

    const KINDS: Words = Words {
        word: |c| match c {
            "law" => Some("法律"),
            "rule" => Some("规章"),
            _ => None,
        },
        code: |w| match w {
            "法律" | "law" => Some("law"),
            "规章" | "rule" => Some("rule"),
            _ => None,
        },
    };

    // Issue #22 point 1: the settings page shows values as labelled Chinese lines, never
    // JSON or codes; its form takes them back in the value's shape.
    #[test]
    fn values_read_as_chinese_lines_and_come_back_from_the_form() {
        use serde_json::json;
        assert_eq!(readable(&json!(7), None), ["7"]);
        assert_eq!(readable(&json!(true), None), ["是"]);
        assert_eq!(readable(&json!("30m"), None), ["30分钟"]);
        assert_eq!(readable(&json!([900, 700]), None), ["900、700"]);
        assert_eq!(
            readable(&json!(["law", "rule"]), Some(KINDS)),
            ["法律、规章"]
        );
        assert_eq!(
            readable(&json!({"law": ["甲", "乙"], "rule": []}), Some(KINDS)),
            ["法律：甲、乙", "规章：（无）"]
        );
        assert_eq!(
            readable(&json!([{"law": 1}, {"rule": false}]), Some(KINDS)),
            ["第1项：法律：1", "第2项：规章：否"]
        );
        let map = json!({"law": ["甲"], "rule": ["乙", "丙"]});
        let text = form_text(&map, Some(KINDS));
        assert_eq!(text, "法律：甲\n规章：乙、丙");
        assert_eq!(from_form(&map, &text, Some(KINDS)), Ok(map.clone()));
        assert!(
            from_form(&map, "法律 甲", Some(KINDS))
                .unwrap_err()
                .contains("冒号")
        );
        let list = json!(["law"]);
        assert_eq!(form_text(&list, Some(KINDS)), "法律");
        assert_eq!(
            from_form(&list, "法律、规章", Some(KINDS)),
            Ok(json!(["law", "rule"]))
        );
        assert_eq!(from_form(&json!(7), " 10 ", None), Ok(json!(10)));
        assert!(
            from_form(&json!(7), "十", None)
                .unwrap_err()
                .contains("整数")
        );
        assert_eq!(
            from_form(&json!([900, 700, 500]), "950、750，550", None),
            Ok(json!([950, 750, 550]))
        );
        assert_eq!(from_form(&json!(false), "是", None), Ok(json!(true)));
        assert!(from_form(&json!(7), "  ", None).is_err());
    }
}
