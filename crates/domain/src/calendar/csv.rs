//! The small CSV dialect of calendar files: comma-separated, optional double quotes
//! (`""` inside quotes is one quote), one record a line, fields trimmed.

/// Splits one line into trimmed fields; `Err` when a quote is left open or a quoted field
/// is followed by something other than a comma.
pub(crate) fn split_line(line: &str) -> Result<Vec<String>, &'static str> {
    let mut fields = Vec::new();
    let mut chars = line.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| *c == ' ' || *c == '\t') {
            chars.next();
        }
        let mut field = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            let mut closed = false;
            while let Some(c) = chars.next() {
                if c == '"' {
                    if chars.peek() == Some(&'"') {
                        chars.next();
                        field.push('"');
                    } else {
                        closed = true;
                        break;
                    }
                } else {
                    field.push(c);
                }
            }
            if !closed {
                return Err("引号不成对");
            }
            while chars.peek().is_some_and(|c| *c == ' ' || *c == '\t') {
                chars.next();
            }
            match chars.next() {
                None => {
                    fields.push(field);
                    return Ok(fields);
                }
                Some(',') => fields.push(field),
                Some(_) => return Err("引号后只能是逗号"),
            }
        } else {
            loop {
                match chars.next() {
                    None => {
                        fields.push(field.trim().to_string());
                        return Ok(fields);
                    }
                    Some(',') => {
                        fields.push(field.trim().to_string());
                        break;
                    }
                    Some(c) => field.push(c),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_plain_and_quoted_fields() {
        assert_eq!(
            split_line("2026-01-01, holiday ,元旦,国办发明电〔2025〕7号"),
            Ok(vec![
                "2026-01-01".into(),
                "holiday".into(),
                "元旦".into(),
                "国办发明电〔2025〕7号".into()
            ])
        );
        assert_eq!(
            split_line(r#"a,"b, ""c""",d"#),
            Ok(vec!["a".into(), r#"b, "c""#.into(), "d".into()])
        );
        assert_eq!(split_line("a,"), Ok(vec!["a".into(), String::new()]));
        assert!(split_line(r#"a,"b"#).is_err());
        assert!(split_line(r#""a"x,b"#).is_err());
    }
}
