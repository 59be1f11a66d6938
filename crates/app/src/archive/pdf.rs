//! The archive's rendered documents (the case record, a verification reply, a notice): PDF/A-2b
//! by krilla with the built-in Noto Serif CJK SC subset embedded, like the commitment letter
//! (`commitment::letter_pdf`). A text with a character the font lacks is written as plain
//! PDF 1.7 (PDF/A forbids the empty-box glyph) and the manifest says so.

use krilla::Document;
use krilla::SerializeSettings;
use krilla::configure::{Archival, ConfigurationBuilder, Validator};
use krilla::error::{KrillaError, KrillaResult};
use krilla::geom::Point;
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::text::{Font, TextDirection};
use skrifa::instance::{LocationRef, Size};
use skrifa::{FontRef, MetadataProvider};

use super::package::{PDF_A, PDF_PLAIN};
use crate::commitment::letter_pdf::{FONT, FONT_DATA};
use crate::error::{AppError, AppResult};

const PAGE_W: f64 = 595.0;
const PAGE_H: f64 = 842.0;
const MARGIN: f64 = 56.0;

/// A document to render: a title, then labelled lines (an empty label is a heading).
pub struct Doc {
    pub title: String,
    pub lines: Vec<(String, String)>,
    /// The document's date (PDF/A needs one), ms since the epoch.
    pub at_ms: i64,
}

struct Line {
    text: String,
    size: f64,
    gap: f64,
}

fn wrap(font: &FontRef<'_>, text: &str, size: f64) -> Vec<String> {
    let max = PAGE_W - 2.0 * MARGIN;
    let metrics = font.glyph_metrics(Size::new(size as f32), LocationRef::default());
    let charmap = font.charmap();
    let mut out = vec![];
    for para in text.split('\n') {
        let mut line = String::new();
        let mut w = 0.0;
        for c in para.chars() {
            let cw = charmap
                .map(c)
                .and_then(|g| metrics.advance_width(g))
                .map_or(size, f64::from);
            if w + cw > max && !line.is_empty() {
                out.push(std::mem::take(&mut line));
                w = 0.0;
            }
            line.push(c);
            w += cw;
        }
        out.push(line);
    }
    out
}

/// Renders the document; returns the bytes and their format (PDF/A-2b or plain PDF).
pub fn render(doc: &Doc) -> AppResult<(Vec<u8>, &'static str)> {
    let fref = FontRef::new(FONT_DATA)
        .map_err(|e| AppError::Internal(format!("档案字体无法读取：{e}")))?;
    let font = FONT
        .clone()
        .ok_or_else(|| AppError::Internal("档案字体无法读取".to_owned()))?;
    let mut lines = vec![];
    let mut push = |text: &str, size: f64, gap: f64| {
        for (i, l) in wrap(&fref, text, size).into_iter().enumerate() {
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
    let charmap = fref.charmap();
    let archival = lines
        .iter()
        .all(|l| l.text.chars().all(|c| charmap.map(c).is_some()));
    let at = crate::deadlines::to_utc(doc.at_ms);
    let out = match write(&font, &lines, &doc.title, at, archival) {
        Err(KrillaError::Validation(errors)) if archival => {
            tracing::warn!(?errors, "档案文件不能写成 PDF/A，改写普通 PDF");
            write(&font, &lines, &doc.title, at, false).map(|b| (b, PDF_PLAIN))
        }
        r => r.map(|b| (b, if archival { PDF_A } else { PDF_PLAIN })),
    };
    out.map_err(|e| AppError::Internal(format!("档案 PDF 生成失败：{e:?}")))
}

fn pdf_date(t: chrono::DateTime<chrono::Utc>) -> krilla::metadata::DateTime {
    use chrono::{Datelike, Timelike};
    krilla::metadata::DateTime::new(u16::try_from(t.year()).unwrap_or(1970))
        .month(t.month() as u8)
        .day(t.day() as u8)
        .hour(t.hour() as u8)
        .minute(t.minute() as u8)
        .second(t.second() as u8)
        .utc_offset_hour(0)
        .utc_offset_minute(0)
}

fn write(
    font: &Font,
    lines: &[Line],
    title: &str,
    at: Option<chrono::DateTime<chrono::Utc>>,
    archival: bool,
) -> KrillaResult<Vec<u8>> {
    let mut settings = SerializeSettings::default();
    if archival
        && let Ok(c) = ConfigurationBuilder::new()
            .set_validator(Validator::A(Archival::A2_B))
            .finish()
    {
        settings.configuration = c;
    }
    let mut doc = Document::new_with(settings);
    let mut metadata = Metadata::new()
        .title(title.to_owned())
        .language("zh-CN".to_owned())
        .creator("Proofless 无证明城市应用系统（电子档案）".to_owned());
    if let Some(t) = at {
        metadata = metadata.creation_date(pdf_date(t));
    }
    doc.set_metadata(metadata);
    let page_settings = PageSettings::from_wh(PAGE_W as f32, PAGE_H as f32).unwrap_or_default();
    let mut pages: Vec<Vec<(f64, &Line)>> = vec![vec![]];
    let mut y = MARGIN;
    for l in lines {
        let step = l.gap + l.size * 1.3;
        if y + step > PAGE_H - MARGIN {
            pages.push(vec![]);
            y = MARGIN;
        }
        y += step;
        if let Some(p) = pages.last_mut() {
            p.push((y, l));
        }
    }
    for p in pages {
        let mut page = doc.start_page_with(page_settings.clone());
        let mut surface = page.surface();
        for (y, l) in p {
            surface.draw_text(
                Point::from_xy(MARGIN as f32, y as f32),
                font.clone(),
                l.size as f32,
                &l.text,
                false,
                TextDirection::Auto,
            );
        }
        surface.finish();
        page.finish();
    }
    doc.finish()
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
