//! Export of a list version as `.xlsx` in the columns officials use (issue #3 §7).
//! Written by `rust_xlsxwriter`: one sheet, every cell but 序号 as text. Text is never
//! written as a formula, so a cell starting with `=` stays text.

use proofless_domain::catalogue::ItemSnapshot;
use rust_xlsxwriter::{Workbook, Worksheet, XlsxError};

use crate::error::{AppError, AppResult};

pub const COLUMNS: [&str; 11] = [
    "序号",
    "证明名称",
    "涉及的政务服务事项名称",
    "事项编码",
    "设定依据",
    "开具单位",
    "索要单位",
    "替代取消方式",
    "办理指引",
    "层级",
    "备注",
];

pub const CONTENT_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The row of one item, in [`COLUMNS`] order (序号 apart).
pub fn row(s: &ItemSnapshot) -> [String; 10] {
    let methods = s
        .methods
        .iter()
        .map(|m| m.method_label().to_owned())
        .collect::<Vec<_>>()
        .join("、");
    let guides = s
        .methods
        .iter()
        .map(|m| {
            let label = m.method_label();
            let mut t = format!("{label}：{}", m.citizen_text);
            if !m.guide.is_empty() {
                t.push_str(&format!("（{}）", m.guide));
            }
            t
        })
        .collect::<Vec<_>>()
        .join("；");
    [
        s.name.clone(),
        s.service_items
            .iter()
            .map(|x| x.name.clone())
            .collect::<Vec<_>>()
            .join("；"),
        s.service_items
            .iter()
            .map(|x| x.code.clone())
            .collect::<Vec<_>>()
            .join("；"),
        s.legal_basis
            .iter()
            .map(|b| {
                let mut t = format!("{}{}", b.law, b.article);
                if !b.text.is_empty() {
                    t.push_str(&format!("：{}", b.text));
                }
                t
            })
            .collect::<Vec<_>>()
            .join("；"),
        s.issuers.join("、"),
        s.requesters.join("、"),
        methods,
        guides,
        s.level_label().to_owned(),
        s.remarks.clone(),
    ]
}

/// Excel's limits on a sheet name: none of `\ / ? * [ ] :`, at most 31 characters, no
/// apostrophe at either end; a name left empty keeps the writer's default.
fn sheet_name(title: &str) -> String {
    let name: String = title
        .chars()
        .filter(|c| !matches!(c, '\\' | '/' | '?' | '*' | '[' | ']' | ':'))
        .take(31)
        .collect();
    name.trim_matches('\'').to_owned()
}

fn write(sheet: &mut Worksheet, items: &[ItemSnapshot]) -> Result<(), XlsxError> {
    for (c, h) in (0u16..).zip(COLUMNS) {
        sheet.write_string(0, c, h)?;
    }
    for (r, s) in (1u32..).zip(items) {
        sheet.write_number(r, 0, f64::from(r))?;
        // `write_string`, never `write`: text starting with `=` stays text, not a formula.
        for (c, v) in (1u16..).zip(row(s).iter()) {
            sheet.write_string(r, c, v)?;
        }
    }
    Ok(())
}

/// The workbook of a list version: one sheet named after `sheet_name`, the header row of
/// [`COLUMNS`], then one row per item.
pub fn workbook(sheet_name: &str, items: &[ItemSnapshot]) -> AppResult<Vec<u8>> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let name = self::sheet_name(sheet_name);
    let written = if name.is_empty() {
        Ok(sheet)
    } else {
        sheet.set_name(&name)
    }
    .and_then(|sheet| write(sheet, items))
    .and_then(|()| book.save_to_buffer());
    written.map_err(|e| AppError::Internal(format!("写入 xlsx 失败：{e}")))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use std::io::Cursor;

    use calamine::{Data, Reader, Xlsx};

    use super::*;

    #[test]
    fn a_workbook_reads_back_with_text_that_looks_like_a_formula_kept_as_text() {
        let item = ItemSnapshot {
            name: "=HYPERLINK(\"x\")<证明>".to_owned(),
            level: "county".to_owned(),
            ..ItemSnapshot::default()
        };
        let b = workbook("高青县证明事项免提交清单[第1版]", &[item]).unwrap();
        let mut book = Xlsx::new(Cursor::new(b)).unwrap();
        assert_eq!(book.sheet_names(), ["高青县证明事项免提交清单第1版"]);
        let cells = book
            .worksheet_range("高青县证明事项免提交清单第1版")
            .unwrap();
        let header: Vec<String> = (0..11)
            .map(|c| cells.get((0, c)).unwrap().to_string())
            .collect();
        assert_eq!(header, COLUMNS);
        assert_eq!(cells.get((1, 0)), Some(&Data::Float(1.0)));
        assert_eq!(
            cells.get((1, 1)),
            Some(&Data::String("=HYPERLINK(\"x\")<证明>".to_owned()))
        );
        assert_eq!(cells.get((1, 9)), Some(&Data::String("县级".to_owned())));
        let formulas = book
            .worksheet_formula("高青县证明事项免提交清单第1版")
            .unwrap();
        assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()));
    }

    #[test]
    fn a_title_of_only_forbidden_characters_keeps_the_default_sheet_name() {
        let b = workbook("[]:", &[]).unwrap();
        let book = Xlsx::new(Cursor::new(b)).unwrap();
        assert_eq!(book.sheet_names(), ["Sheet1"]);
    }
}
