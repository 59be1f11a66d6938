//! Canonical JSON (RFC 8785 JCS) for signing.

use serde_json::Value;

/// Deterministic UTF-8 bytes of `value` in the style of RFC 8785 (JCS):
///
/// * object members sorted by the UTF-16 code units of their keys, recursively;
/// * no insignificant whitespace;
/// * strings keep all non-ASCII text (e.g. Chinese) as raw UTF-8; only `"`, `\` and
///   control characters below U+0020 are escaped, using `\b \t \n \f \r` where they
///   exist and lowercase `\u00xx` otherwise;
/// * integers (`i64`/`u64`) are written exactly as stored. (JCS would first round
///   integers above 2^53 to an IEEE double; we keep them exact — don't put such
///   values in sealed documents if other JCS tools must reproduce the bytes);
/// * floats use the ECMAScript `Number.prototype.toString` form required by JCS
///   (shortest round-trip digits; `1.0` → `1`, `1e21` → `1e+21`, `1e-7` → `1e-7`,
///   `-0.0` → `0`).
///
/// Sealed documents are these bytes, signed as-is.
pub fn canonical_json(value: &Value) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    write_value(value, &mut out);
    out
}

fn write_value(v: &Value, out: &mut Vec<u8>) {
    match v {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                out.extend_from_slice(i.to_string().as_bytes());
            } else if let Some(u) = n.as_u64() {
                out.extend_from_slice(u.to_string().as_bytes());
            } else if let Some(f) = n.as_f64() {
                out.extend_from_slice(es_number(f).as_bytes());
            } else {
                out.extend_from_slice(n.to_string().as_bytes());
            }
        }
        Value::String(s) => write_string(s, out),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_value(item, out);
            }
            out.push(b']');
        }
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.encode_utf16().cmp(b.0.encode_utf16()));
            out.push(b'{');
            for (i, (k, v)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_string(k, out);
                out.push(b':');
                write_value(v, out);
            }
            out.push(b'}');
        }
    }
}

fn write_string(s: &str, out: &mut Vec<u8>) {
    out.push(b'"');
    let mut buf = [0u8; 4];
    for c in s.chars() {
        match c {
            '"' => out.extend_from_slice(b"\\\""),
            '\\' => out.extend_from_slice(b"\\\\"),
            '\u{8}' => out.extend_from_slice(b"\\b"),
            '\t' => out.extend_from_slice(b"\\t"),
            '\n' => out.extend_from_slice(b"\\n"),
            '\u{c}' => out.extend_from_slice(b"\\f"),
            '\r' => out.extend_from_slice(b"\\r"),
            c if (c as u32) < 0x20 => {
                out.extend_from_slice(format!("\\u{:04x}", c as u32).as_bytes());
            }
            c => out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes()),
        }
    }
    out.push(b'"');
}

/// ECMAScript Number::toString for a finite double (ECMA-262 §6.1.6.1.20).
fn es_number(f: f64) -> String {
    if f == 0.0 || !f.is_finite() {
        // serde_json values are always finite; -0 prints as 0.
        return "0".to_owned();
    }
    let neg = f < 0.0;
    // Rust's `{:e}` gives the shortest round-trip digits: "d.ddddde[-]x".
    let sci = format!("{:e}", f.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(|c| c.is_ascii_digit()).collect();
    let k = digits.len() as i32;
    let n = exp + 1; // value = 0.digits × 10^n
    let mut s = String::with_capacity(32);
    if neg {
        s.push('-');
    }
    if k <= n && n <= 21 {
        s.push_str(&digits);
        s.extend(std::iter::repeat_n('0', (n - k) as usize));
    } else if 0 < n && n <= 21 {
        s.push_str(&digits[..n as usize]);
        s.push('.');
        s.push_str(&digits[n as usize..]);
    } else if -6 < n && n <= 0 {
        s.push_str("0.");
        s.extend(std::iter::repeat_n('0', (-n) as usize));
        s.push_str(&digits);
    } else {
        s.push_str(&digits[..1]);
        if k > 1 {
            s.push('.');
            s.push_str(&digits[1..]);
        }
        s.push('e');
        s.push(if n >= 1 { '+' } else { '-' });
        s.push_str(&(n - 1).abs().to_string());
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn canon(v: &Value) -> String {
        String::from_utf8(canonical_json(v)).unwrap_or_default()
    }

    #[test]
    fn sorts_keys_and_drops_whitespace() {
        let v = json!({"b": 1, "a": [true, false, null], "c": {"z": "z", "y": {"b": 2, "a": 1}}});
        assert_eq!(
            canon(&v),
            r#"{"a":[true,false,null],"b":1,"c":{"y":{"a":1,"b":2},"z":"z"}}"#
        );
    }

    #[test]
    fn nested_in_arrays_sorted_array_order_kept() {
        let v = json!([{"y": 1, "x": 2}, 3, {"b": [{"d": 0, "c": 0}]}]);
        assert_eq!(canon(&v), r#"[{"x":2,"y":1},3,{"b":[{"c":0,"d":0}]}]"#);
    }

    #[test]
    fn chinese_kept_as_utf8() {
        let v = json!({"单位": "某某县公安局", "事项": "无犯罪记录证明", "a": "é"});
        let bytes = canonical_json(&v);
        let s = String::from_utf8(bytes.clone()).unwrap_or_default();
        assert!(s.contains("某某县公安局"));
        assert!(!s.contains("\\u"));
        // "a" (U+0061) < "事" (U+4E8B) < "单" (U+5355)
        assert_eq!(
            s,
            r#"{"a":"é","事项":"无犯罪记录证明","单位":"某某县公安局"}"#
        );
    }

    #[test]
    fn escapes_minimal() {
        let v = json!("q\"b\\s/\u{8}\u{c}\n\r\t\u{1}\u{1f}\u{7f}\u{2028}");
        assert_eq!(
            canon(&v),
            "\"q\\\"b\\\\s/\\b\\f\\n\\r\\t\\u0001\\u001f\u{7f}\u{2028}\""
        );
    }

    #[test]
    fn rfc8785_utf16_key_order() {
        // RFC 8785 §3.2.3 sorting example.
        let v = json!({
            "\u{20ac}": "Euro Sign",
            "\r": "Carriage Return",
            "\u{fb33}": "Hebrew Letter Dalet With Dagesh",
            "1": "One",
            "\u{1f600}": "Emoji: Grinning Face",
            "\u{80}": "Control",
            "\u{f6}": "Latin Small Letter O With Diaeresis"
        });
        let want = concat!(
            "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u{80}\":\"Control\",",
            "\"\u{f6}\":\"Latin Small Letter O With Diaeresis\",\"\u{20ac}\":\"Euro Sign\",",
            "\"\u{1f600}\":\"Emoji: Grinning Face\",\"\u{fb33}\":\"Hebrew Letter Dalet With Dagesh\"}"
        );
        assert_eq!(canon(&v), want);
        // Code-point (UTF-8 byte) order would put U+FB33 before U+1F600.
        assert!(canon(&v).find('\u{1f600}') < canon(&v).find('\u{fb33}'));
    }

    #[test]
    fn numbers() {
        let v = json!([
            0,
            -1,
            9007199254740993u64,
            -9223372036854775808i64,
            18446744073709551615u64
        ]);
        assert_eq!(
            canon(&v),
            "[0,-1,9007199254740993,-9223372036854775808,18446744073709551615]"
        );
        let cases: &[(f64, &str)] = &[
            (1.0, "1"),
            (-0.0, "0"),
            (4.5, "4.5"),
            (0.1, "0.1"),
            (-2.5e-3, "-0.0025"),
            (1e-6, "0.000001"),
            (1e-7, "1e-7"),
            (1.5e-7, "1.5e-7"),
            (1e21, "1e+21"),
            (1e20, "100000000000000000000"),
            (123456789012345680000.0, "123456789012345680000"),
            (1.2345e22, "1.2345e+22"),
            (5e-324, "5e-324"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (333333333.3333333, "333333333.3333333"),
        ];
        for (f, want) in cases {
            assert_eq!(canon(&json!(f)), *want, "{f:e}");
        }
    }

    #[test]
    fn parse_roundtrip_is_stable() -> Result<(), serde_json::Error> {
        let v = json!({"k": [1, 2.5, "x", {"b": null, "a": "中文\n"}]});
        let once = canonical_json(&v);
        let twice = canonical_json(&serde_json::from_slice(&once)?);
        assert_eq!(once, twice);
        Ok(())
    }
}
