//! The import template: a sheet with our header, and a sheet listing, field by field, every
//! header name the import accepts in the table in force (SPEC "Real lists"), so a unit can
//! see that its own list's columns will be read.

use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

use super::columns::{FIELDS, Field};
use crate::App;
use crate::catalogue::settings;
use crate::error::{AppError, AppResult};
use crate::policy;

/// The template workbook, with the header names in force now.
pub async fn template(app: &App) -> AppResult<Vec<u8>> {
    let aliases = policy::in_force_now(app, &settings::IMPORT_HEADER_ALIASES).await?;
    let rows: Vec<(&'static str, String, bool, &'static str)> = FIELDS
        .iter()
        .map(|s| {
            let names = aliases.get(s.key).cloned().unwrap_or_default().join("、");
            (s.label(), names, s.required, s.what)
        })
        .collect();
    build(&rows).map_err(|e| AppError::Internal(format!("写入 xlsx 失败：{e}")))
}

fn build(rows: &[(&str, String, bool, &str)]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let sheet = book.add_worksheet().set_name("证明事项")?;
    // Our header: every field once (the combined 名称及编码 column is an alternative).
    let header = FIELDS
        .iter()
        .filter(|s| s.field != Field::ServiceItems)
        .map(|s| s.label());
    for (c, h) in (0u16..).zip(header) {
        sheet.write_string_with_format(0, c, h, &bold)?;
        sheet.set_column_width(c, 16)?;
    }
    let names = book.add_worksheet().set_name("可识别的表头")?;
    write_names(names, rows, &bold)?;
    book.save_to_buffer()
}

fn write_names(
    ws: &mut Worksheet,
    rows: &[(&str, String, bool, &str)],
    bold: &Format,
) -> Result<(), XlsxError> {
    ws.write_string(
        0,
        0,
        "导入时，第一张在前十行内含有各必填字段表头的工作表会被读取；表头写成下列任一名称均可（不计空格和换行），其他列不读取并在导入结果中列出。",
    )?;
    for (c, h) in (0u16..).zip(["字段", "可识别的表头名称", "是否必填", "填写说明"])
    {
        ws.write_string_with_format(1, c, h, bold)?;
    }
    for (r, (label, names, required, what)) in (2u32..).zip(rows) {
        ws.write_string(r, 0, *label)?;
        ws.write_string(r, 1, names)?;
        ws.write_string(r, 2, if *required { "必填" } else { "选填" })?;
        ws.write_string(r, 3, *what)?;
    }
    ws.set_column_width(1, 60)?;
    ws.set_column_width(3, 60)?;
    Ok(())
}
