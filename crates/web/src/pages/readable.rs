//! Stored JSON (an audit row's detail, a sealed document's body) shown as labelled lines in
//! Chinese, never as JSON (issue #22 point 1). Keys are looked up in the one label table of
//! their kind (`proofless_domain::audit::DETAIL_KEYS`, `proofless_domain::seal::BODY_KEYS`);
//! a value that is a code or identifier (ASCII with letters) is marked `raw` and shown as
//! such, a key no table knows likewise.

use serde_json::Value;

/// One labelled line.
pub struct Line {
    /// The Chinese label, parents first (`开具单位 · 名称`); the key path when a key has none.
    pub label: String,
    /// Whether every key of the path has a label.
    pub known: bool,
    pub value: String,
    /// A code or identifier, shown as such.
    pub raw: bool,
}

/// The lines of a JSON object (anything else gives none).
pub fn lines(json: &Value, label: fn(&str) -> Option<&'static str>) -> Vec<Line> {
    let mut out = vec![];
    if let Value::Object(_) = json {
        walk(json, label, &mut Vec::new(), true, &mut out);
    }
    out
}

/// [`lines`] of a JSON text.
pub fn lines_of(text: &str, label: fn(&str) -> Option<&'static str>) -> Vec<Line> {
    serde_json::from_str::<Value>(text)
        .map(|v| lines(&v, label))
        .unwrap_or_default()
}

fn walk(
    v: &Value,
    label: fn(&str) -> Option<&'static str>,
    path: &mut Vec<(String, bool)>,
    known: bool,
    out: &mut Vec<Line>,
) {
    match v {
        Value::Null => {}
        Value::Object(map) => {
            for (k, child) in map {
                // `outcome` beside `outcome_label`: the label says it.
                if map.contains_key(&format!("{k}_label")) {
                    continue;
                }
                let key = k.strip_suffix("_label").unwrap_or(k);
                let (name, ok) = match label(key) {
                    Some(l) => (l.to_owned(), true),
                    None => (k.clone(), false),
                };
                path.push((name, ok));
                walk(child, label, path, known && ok, out);
                path.pop();
            }
        }
        Value::Array(items) if items.iter().any(|i| i.is_object()) => {
            for (n, item) in items.iter().enumerate() {
                path.push((format!("第{}项", n + 1), true));
                walk(item, label, path, known, out);
                path.pop();
            }
        }
        _ => {
            let (value, raw) = scalar(v);
            out.push(Line {
                label: path
                    .iter()
                    .map(|(n, _)| n.as_str())
                    .collect::<Vec<_>>()
                    .join(" · "),
                known,
                value,
                raw,
            });
        }
    }
}

fn scalar(v: &Value) -> (String, bool) {
    match v {
        Value::Bool(b) => ((if *b { "是" } else { "否" }).to_owned(), false),
        Value::Number(n) => (n.to_string(), false),
        Value::String(s) => (s.clone(), is_code(s)),
        Value::Array(items) => {
            let parts: Vec<(String, bool)> = items.iter().map(scalar).collect();
            let raw = parts.iter().any(|p| p.1);
            (
                parts
                    .into_iter()
                    .map(|p| p.0)
                    .collect::<Vec<_>>()
                    .join("、"),
                raw,
            )
        }
        Value::Null | Value::Object(_) => (String::new(), false),
    }
}

/// A code or identifier: ASCII holding a letter, e.g. `confirmed`, `HY00000007`,
/// an RFC 3339 instant.
fn is_code(s: &str) -> bool {
    s.is_ascii() && s.chars().any(|c| c.is_ascii_alphabetic())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(k: &str) -> Option<&'static str> {
        match k {
            "issuer" => Some("开具单位"),
            "name" => Some("名称"),
            "outcome" => Some("核验结果"),
            _ => None,
        }
    }

    #[test]
    fn nested_objects_read_as_labelled_lines() {
        let v = serde_json::json!({
            "issuer": {"name": "县公安局"},
            "outcome": "confirmed", "outcome_label": "属实",
            "x_y": true,
        });
        let l = lines(&v, label);
        let got: Vec<(String, bool, String, bool)> = l
            .into_iter()
            .map(|l| (l.label, l.known, l.value, l.raw))
            .collect();
        assert_eq!(
            got,
            vec![
                ("开具单位 · 名称".into(), true, "县公安局".into(), false),
                ("核验结果".into(), true, "属实".into(), false),
                ("x_y".into(), false, "是".into(), false),
            ]
        );
    }
}
