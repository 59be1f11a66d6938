//! Typed fields of request and reply letter templates (A2 §4, SPEC R5.2): the facts to
//! confirm and the answer, each a typed field checked value by value.

use serde::{Deserialize, Serialize};

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

/// The label of a field of the default request or reply template (`facts` → 申请人填报的事实).
pub fn default_field_label(key: &str) -> Option<String> {
    default_request_fields()
        .into_iter()
        .chain(default_reply_fields())
        .find(|f| f.key == key)
        .map(|f| f.label)
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
