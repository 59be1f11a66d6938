//! The archive's rendered documents (the case record, a verification reply, a notice): PDF/A-2b
//! by krilla with the built-in Noto Serif CJK SC subset embedded, like the commitment letter
//! (`commitment::letter_pdf`). A text with a character the font lacks is written as plain
//! PDF 1.7 (PDF/A forbids the empty-box glyph) and the manifest says so.

use krilla::error::KrillaError;

use super::package::{PDF_A, PDF_PLAIN};
use crate::commitment::letter_pdf::{FONT, Line, Metrics, wrap, write};
use crate::error::{AppError, AppResult};

/// The producer named in an archived document's metadata.
const CREATOR: &str = "Proofless 无证明城市应用系统（电子档案）";

/// A document to render: a title, then labelled lines (an empty label is a heading).
pub struct Doc {
    pub title: String,
    pub lines: Vec<(String, String)>,
    /// The document's date (PDF/A needs one), ms since the epoch.
    pub at_ms: i64,
}

/// Renders the document; returns the bytes and their format (PDF/A-2b or plain PDF).
pub fn render(doc: &Doc) -> AppResult<(Vec<u8>, &'static str)> {
    let m = Metrics::new()?;
    let font = FONT
        .clone()
        .ok_or_else(|| AppError::Internal("档案字体无法读取".to_owned()))?;
    let mut lines = vec![];
    let mut push = |text: &str, size: f64, gap: f64| {
        for (i, l) in wrap(&m, text, size, 0.0).into_iter().enumerate() {
            lines.push(Line {
                text: l,
                size,
                gap: if i == 0 { gap } else { size * 0.4 },
            });
        }
    };
    push(&doc.title, 18.0, 0.0);
    for (label, value) in &doc.lines {
        if label.is_empty() {
            push(value, 13.0, 14.0);
        } else {
            push(&format!("{label}：{value}"), 11.0, 6.0);
        }
    }
    let archival = lines.iter().all(|l| l.text.chars().all(|c| m.has(c)));
    let at = crate::deadlines::to_utc(doc.at_ms);
    let out = match write(&font, &lines, &doc.title, CREATOR, at, archival) {
        Err(KrillaError::Validation(errors)) if archival => {
            tracing::warn!(?errors, "档案文件不能写成 PDF/A，改写普通 PDF");
            write(&font, &lines, &doc.title, CREATOR, at, false).map(|b| (b, PDF_PLAIN))
        }
        r => r.map(|b| (b, if archival { PDF_A } else { PDF_PLAIN })),
    };
    out.map_err(|e| AppError::Internal(format!("档案 PDF 生成失败：{e:?}")))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    // SPEC R6.2: rendered documents in the archive are PDF/A with the font embedded.
    #[test]
    fn an_archive_document_is_pdf_a_with_its_font_embedded() {
        let doc = Doc {
            title: "办件归档表".into(),
            lines: vec![
                ("".into(), "办件信息".into()),
                ("办件编号".into(), "BJ20261205".into()),
                ("办理结果".into(), "准予".repeat(80)),
            ],
            at_ms: 1_780_000_000_000,
        };
        let (pdf, format) = render(&doc).unwrap();
        let text = String::from_utf8_lossy(&pdf);
        assert_eq!(format, PDF_A);
        assert!(text.starts_with("%PDF-"));
        assert!(text.contains("/FontFile2") || text.contains("/FontFile3"));
        assert!(text.contains("pdfaid:part"));
    }

    #[test]
    fn a_character_the_font_lacks_gives_plain_pdf() {
        let doc = Doc {
            title: "办件归档表".into(),
            lines: vec![("申请人".into(), "𠀾".into())],
            at_ms: 1_780_000_000_000,
        };
        let (pdf, format) = render(&doc).unwrap();
        assert_eq!(format, PDF_PLAIN);
        assert!(!String::from_utf8_lossy(&pdf).contains("pdfaid:part"));
    }
}
