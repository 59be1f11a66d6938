//! Export of a list version as `.xlsx` in the columns officials use (issue #3 §7).
//! A minimal Office Open XML workbook: one sheet of inline strings in a stored (uncompressed)
//! ZIP. Text is never written as a formula, so a cell starting with `=` stays text.

use proofless_domain::catalogue::{CatalogueLevel, ItemSnapshot, ReplacementMethod};

use super::feeds::xml_escape;

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
        .map(|m| {
            ReplacementMethod::parse(&m.method)
                .map(|x| x.label())
                .unwrap_or("其他方式")
                .to_owned()
        })
        .collect::<Vec<_>>()
        .join("、");
    let guides = s
        .methods
        .iter()
        .map(|m| {
            let label = ReplacementMethod::parse(&m.method)
                .map(|x| x.label())
                .unwrap_or("其他方式");
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
        CatalogueLevel::parse(&s.level)
            .map(|l| l.label())
            .unwrap_or("")
            .to_owned(),
        s.remarks.clone(),
    ]
}

fn column(i: usize) -> char {
    (b'A' + i as u8) as char
}

fn sheet(items: &[ItemSnapshot]) -> String {
    let mut x = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>",
    );
    let text = |x: &mut String, r: usize, c: usize, v: &str| {
        x.push_str(&format!(
            "<c r=\"{}{r}\" t=\"inlineStr\"><is><t xml:space=\"preserve\">{}</t></is></c>",
            column(c),
            xml_escape(v)
        ));
    };
    x.push_str("<row r=\"1\">");
    for (c, h) in COLUMNS.iter().enumerate() {
        text(&mut x, 1, c, h);
    }
    x.push_str("</row>");
    for (i, s) in items.iter().enumerate() {
        let r = i + 2;
        x.push_str(&format!(
            "<row r=\"{r}\"><c r=\"A{r}\"><v>{}</v></c>",
            i + 1
        ));
        for (c, v) in row(s).iter().enumerate() {
            text(&mut x, r, c + 1, v);
        }
        x.push_str("</row>");
    }
    x.push_str("</sheetData></worksheet>");
    x
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for b in data {
        crc ^= u32::from(*b);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
        }
    }
    !crc
}

/// A stored ZIP archive of `(name, bytes)` files.
fn zip(files: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut out = vec![];
    let mut central = vec![];
    // 1980-01-01 00:00 in DOS format.
    let (time, date) = (0u16, (1u16 << 5) | 1);
    for (name, data) in files {
        let offset = out.len() as u32;
        let crc = crc32(data);
        let size = data.len() as u32;
        let n = name.len() as u16;
        out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        for v in [20u16, 0, 0, time, date] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        for v in [crc, size, size] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out.extend_from_slice(&n.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(data);

        central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        for v in [20u16, 20, 0, 0, time, date] {
            central.extend_from_slice(&v.to_le_bytes());
        }
        for v in [crc, size, size] {
            central.extend_from_slice(&v.to_le_bytes());
        }
        for v in [n, 0, 0, 0, 0] {
            central.extend_from_slice(&v.to_le_bytes());
        }
        central.extend_from_slice(&0u32.to_le_bytes());
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name.as_bytes());
    }
    let cd_offset = out.len() as u32;
    let cd_size = central.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    let count = files.len() as u16;
    for v in [0u16, 0, count, count] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out.extend_from_slice(&cd_size.to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

/// The workbook of a list version.
pub fn workbook(sheet_name: &str, items: &[ItemSnapshot]) -> Vec<u8> {
    let sheet_name: String = sheet_name
        .chars()
        .filter(|c| !matches!(c, '\\' | '/' | '?' | '*' | '[' | ']' | ':'))
        .take(31)
        .collect();
    let files: Vec<(&str, Vec<u8>)> = vec![
        ("[Content_Types].xml", "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/><Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/><Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/></Types>".as_bytes().to_vec()),
        ("_rels/.rels", "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>".as_bytes().to_vec()),
        ("xl/workbook.xml", format!("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheets><sheet name=\"{}\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>", xml_escape(&sheet_name)).into_bytes()),
        ("xl/_rels/workbook.xml.rels", "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/></Relationships>".as_bytes().to_vec()),
        ("xl/worksheets/sheet1.xml", sheet(items).into_bytes()),
    ];
    zip(&files)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn crc32_matches_the_standard_check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }

    #[test]
    fn a_workbook_is_a_zip_with_the_sheet() {
        let item = ItemSnapshot {
            name: "=HYPERLINK(\"x\")<证明>".to_owned(),
            level: "county".to_owned(),
            ..ItemSnapshot::default()
        };
        let b = workbook("高青县证明事项免提交清单第1版", &[item]);
        assert_eq!(&b[..4], b"PK\x03\x04");
        let text = String::from_utf8_lossy(&b);
        assert!(text.contains("=HYPERLINK(&quot;x&quot;)&lt;证明&gt;"));
        assert!(!text.contains("<f>"));
    }
}
