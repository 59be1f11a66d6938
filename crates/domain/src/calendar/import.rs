//! Import file parser (admin uploads and the embedded data files share the format).
//!
//! ```text
//! date,kind,name,source
//! 2026-07-20,closure,防汛应急停止办公,高青县人民政府通知
//! ```
//!
//! Every row is validated and every problem is reported, in Chinese, with the line number of
//! the file (the header is line 1, as in a spreadsheet) and the field name, e.g.
//! `第3行 日期：'2026-02-30' 不是有效日期`. Nothing is imported unless the whole file is clean.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{Datelike, NaiveDate, Weekday};

use super::csv::split_line;
use super::day::{Entry, EntryKind};
use super::table::{TABLE_FIRST_YEAR, TABLE_LAST_YEAR};

/// The required header line.
pub const IMPORT_HEADER: &str = "date,kind,name,source";

const HEADER_FIELDS: [&str; 4] = ["date", "kind", "name", "source"];
const MAX_NAME_CHARS: usize = 50;
const MAX_SOURCE_CHARS: usize = 200;

/// The field a row error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    /// The header line.
    Header,
    /// The row as a whole (column count, quotes).
    Columns,
    Date,
    Kind,
    Name,
    Source,
}

impl Field {
    /// Chinese field name used in messages.
    pub fn label(self) -> &'static str {
        match self {
            Field::Header => "表头",
            Field::Columns => "列数",
            Field::Date => "日期",
            Field::Kind => "类型",
            Field::Name => "名称",
            Field::Source => "来源",
        }
    }
}

/// One problem in one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// Line number in the file, the header being line 1.
    pub line: usize,
    pub field: Field,
    /// Chinese explanation, without the line and field prefix.
    pub message: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "第{}行 {}：{}",
            self.line,
            self.field.label(),
            self.message
        )
    }
}

/// Every problem found in an import file (never empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportError {
    pub errors: Vec<RowError>,
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for e in &self.errors {
            if !first {
                f.write_str("\n")?;
            }
            first = false;
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ImportError {}

/// A parsed row with the line it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedEntry {
    pub line: usize,
    pub entry: Entry,
}

fn err(line: usize, field: Field, message: impl Into<String>) -> RowError {
    RowError {
        line,
        field,
        message: message.into(),
    }
}

fn weekday_zh(w: Weekday) -> &'static str {
    match w {
        Weekday::Mon => "星期一",
        Weekday::Tue => "星期二",
        Weekday::Wed => "星期三",
        Weekday::Thu => "星期四",
        Weekday::Fri => "星期五",
        Weekday::Sat => "星期六",
        Weekday::Sun => "星期日",
    }
}

/// Parses `YYYY-MM-DD` strictly (four, two and two digits).
pub(crate) fn parse_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let digits = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = s.get(r)?;
        if !part.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        part.parse().ok()
    };
    let y = i32::try_from(digits(0..4)?).ok()?;
    NaiveDate::from_ymd_opt(y, digits(5..7)?, digits(8..10)?)
}

fn check_date(line: usize, raw: &str, errors: &mut Vec<RowError>) -> Option<NaiveDate> {
    if raw.is_empty() {
        errors.push(err(line, Field::Date, "不能为空"));
        return None;
    }
    let Some(date) = parse_date(raw) else {
        errors.push(err(line, Field::Date, format!("'{raw}' 不是有效日期")));
        return None;
    };
    if !(TABLE_FIRST_YEAR..=TABLE_LAST_YEAR).contains(&date.year()) {
        errors.push(err(
            line,
            Field::Date,
            format!("'{raw}' 超出支持范围（{TABLE_FIRST_YEAR}–{TABLE_LAST_YEAR}年）"),
        ));
        return None;
    }
    Some(date)
}

fn check_text(line: usize, field: Field, raw: &str, max: usize, errors: &mut Vec<RowError>) {
    if raw.is_empty() {
        errors.push(err(line, field, "不能为空"));
    } else if raw.chars().count() > max {
        errors.push(err(line, field, format!("过长（最多{max}个字符）")));
    } else if raw.chars().any(char::is_control) {
        errors.push(err(line, field, "含有控制字符"));
    }
}

/// Parses an import file. Blank lines are skipped; a UTF-8 byte-order mark is ignored.
/// Duplicate or conflicting dates inside the file are errors.
pub fn parse_entries(text: &str) -> Result<Vec<ImportedEntry>, ImportError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut errors = Vec::new();
    let mut rows = Vec::new();
    let mut seen: BTreeMap<NaiveDate, (usize, EntryKind)> = BTreeMap::new();
    let mut header_seen = false;

    for (index, raw_line) in text.lines().enumerate() {
        let line = index + 1;
        let content = raw_line.trim_end_matches('\r');
        if content.trim().is_empty() {
            continue;
        }
        let fields = match split_line(content) {
            Ok(f) => f,
            Err(why) => {
                let field = if header_seen {
                    Field::Columns
                } else {
                    Field::Header
                };
                errors.push(err(line, field, why));
                if !header_seen {
                    break;
                }
                continue;
            }
        };
        if !header_seen {
            header_seen = true;
            let ok = fields.len() == HEADER_FIELDS.len()
                && fields
                    .iter()
                    .zip(HEADER_FIELDS)
                    .all(|(a, b)| a.eq_ignore_ascii_case(b));
            if !ok {
                errors.push(err(
                    line,
                    Field::Header,
                    format!("应为 '{IMPORT_HEADER}'，实际为 '{}'", content.trim()),
                ));
                break;
            }
            continue;
        }
        if fields.len() != HEADER_FIELDS.len() {
            errors.push(err(
                line,
                Field::Columns,
                format!("应有4列（{IMPORT_HEADER}），实际有{}列", fields.len()),
            ));
            continue;
        }
        let before = errors.len();
        let (raw_date, raw_kind, name, source) = (&fields[0], &fields[1], &fields[2], &fields[3]);
        let date = check_date(line, raw_date, &mut errors);
        let kind = if raw_kind.is_empty() {
            errors.push(err(line, Field::Kind, "不能为空"));
            None
        } else {
            let kind = EntryKind::parse(raw_kind);
            if kind.is_none() {
                errors.push(err(
                    line,
                    Field::Kind,
                    format!(
                        "'{raw_kind}' 不是有效类型（应为 holiday、adjusted_workday 或 closure）"
                    ),
                ));
            }
            kind
        };
        check_text(line, Field::Name, name, MAX_NAME_CHARS, &mut errors);
        check_text(line, Field::Source, source, MAX_SOURCE_CHARS, &mut errors);
        if let (Some(date), Some(EntryKind::AdjustedWorkday)) = (date, kind) {
            let wd = date.weekday();
            if !matches!(wd, Weekday::Sat | Weekday::Sun) {
                errors.push(err(
                    line,
                    Field::Kind,
                    format!(
                        "'{raw_date}' 是{}，本来就是工作日，不能设为调休上班日（adjusted_workday 只用于周六、周日）",
                        weekday_zh(wd)
                    ),
                ));
            }
        }
        if let (Some(date), Some(kind)) = (date, kind) {
            match seen.get(&date) {
                Some(&(other, other_kind)) if other_kind == kind => {
                    errors.push(err(
                        line,
                        Field::Date,
                        format!("'{raw_date}' 与第{other}行重复"),
                    ));
                }
                Some(&(other, other_kind)) => {
                    errors.push(err(
                        line,
                        Field::Date,
                        format!(
                            "'{raw_date}' 与第{other}行冲突（第{other}行为{}，本行为{}）",
                            other_kind.label(),
                            kind.label()
                        ),
                    ));
                }
                None => {
                    seen.insert(date, (line, kind));
                }
            }
            if errors.len() == before {
                rows.push(ImportedEntry {
                    line,
                    entry: Entry {
                        date,
                        kind,
                        name: name.clone(),
                        source: source.clone(),
                    },
                });
            }
        }
    }
    if !header_seen && errors.is_empty() {
        errors.push(err(
            1,
            Field::Header,
            format!("文件为空，缺少表头 '{IMPORT_HEADER}'"),
        ));
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(ImportError { errors })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_dates_need_four_two_two_digits() {
        assert!(parse_date("2026-02-14").is_some());
        assert!(parse_date("2026-2-14").is_none());
        assert!(parse_date("2026-02-30").is_none());
        assert!(parse_date("2026/02/14").is_none());
        assert!(parse_date("+026-02-14").is_none());
    }
}
