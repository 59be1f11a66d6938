//! The signed letter as a PDF with Chinese text (issue #6 §2).
//!
//! Written by krilla with Noto Serif CJK SC (a Song face, SIL OFL) built into the binary
//! and embedded in each letter as a subset of the glyphs it uses, so any reader shows it
//! and the e-archive can keep it: a letter is PDF/A-2b whenever the font has every
//! character of it. The built-in font is itself cut to GB 2312 and common punctuation
//! (`crates/app/assets/fonts/README.md`); a rarer character (some names) still extracts
//! and searches as itself but shows as an empty box, and that letter is written as plain
//! PDF 1.7 because PDF/A forbids the box glyph. The letter's seal id and SM3 digest are
//! printed, so a reader can check the sealed original at `/sealed/{id}`.

use std::sync::LazyLock;

use krilla::Document;
use krilla::SerializeSettings;
use krilla::configure::{Archival, ConfigurationBuilder, Validator};
use krilla::error::{KrillaError, KrillaResult};
use krilla::geom::Point;
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::text::{Font, TextDirection};
use serde_json::Value as Json;
use skrifa::instance::{LocationRef, Size};
use skrifa::{FontRef, MetadataProvider};

use crate::error::{AppError, AppResult};

pub(crate) static FONT_DATA: &[u8] =
    include_bytes!("../../assets/fonts/NotoSerifSC-Regular-GB2312.otf");

/// The font, parsed once (krilla's `Font` is a cheap handle to shared data).
pub(crate) static FONT: LazyLock<Option<Font>> = LazyLock::new(|| Font::new(FONT_DATA.into(), 0));

/// The producer named in the metadata of letters and minutes.
pub(crate) const CREATOR: &str = "Proofless 无证明城市应用系统";
const PAGE_W: f64 = 595.0;
const PAGE_H: f64 = 842.0;
const MARGIN: f64 = 56.0;

/// One line of text laid out top down; `gap` is the space above it. Shared by every PDF
/// Proofless renders (letters, e-archive sheets, joint-meeting minutes).
pub(crate) struct Line {
    pub(crate) text: String,
    pub(crate) size: f64,
    pub(crate) gap: f64,
}

/// Advance widths from the font's own metrics, in points at `size`.
pub(crate) struct Metrics<'a>(FontRef<'a>);

impl Metrics<'_> {
    pub(crate) fn new() -> AppResult<Metrics<'static>> {
        FontRef::new(FONT_DATA)
            .map(Metrics)
            .map_err(|e| AppError::Internal(format!("承诺书字体无法读取：{e}")))
    }

    pub(crate) fn has(&self, c: char) -> bool {
        self.0.charmap().map(c).is_some()
    }

    /// Width of `c`; a character the font lacks is taken as a full em (CJK).
    fn width_of(&self, c: char, size: f64) -> f64 {
        let advance = self.0.charmap().map(c).and_then(|g| {
            self.0
                .glyph_metrics(Size::new(size as f32), LocationRef::default())
                .advance_width(g)
        });
        advance.map_or(size, f64::from)
    }
}

/// Breaks text into lines that fit the page width.
pub(crate) fn wrap(m: &Metrics, text: &str, size: f64, indent: f64) -> Vec<String> {
    let max = PAGE_W - 2.0 * MARGIN - indent;
    let mut out = vec![];
    for para in text.split('\n') {
        let mut line = String::new();
        let mut w = 0.0;
        for c in para.chars() {
            let cw = m.width_of(c, size);
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

fn lines_of(
    m: &Metrics,
    letter: &Json,
    sealed_id: &str,
    body_sm3: &str,
    org_name: &str,
    base_url: &str,
) -> Vec<Line> {
    let s = |v: &Json| v.as_str().unwrap_or_default().to_owned();
    let mut lines = vec![];
    let mut push = |text: String, size: f64, gap: f64| {
        for (i, l) in wrap(m, &text, size, 0.0).into_iter().enumerate() {
            lines.push(Line {
                text: l,
                size,
                gap: if i == 0 { gap } else { size * 0.5 },
            });
        }
    };
    push(s(&letter["title"]), 20.0, 0.0);
    push(
        format!("证明事项：{}", s(&letter["proof_item"])),
        12.0,
        14.0,
    );
    push(
        format!(
            "承诺人：{}（公民身份号码 {}）",
            s(&letter["applicant"]["name"]),
            s(&letter["applicant"]["resident_id"])
        ),
        12.0,
        8.0,
    );
    if let Some(e) = letter["entity"].as_object() {
        push(
            format!(
                "代表单位：{}（统一社会信用代码 {}）",
                e.get("name").and_then(Json::as_str).unwrap_or_default(),
                e.get("credit_code")
                    .and_then(Json::as_str)
                    .unwrap_or_default()
            ),
            12.0,
            6.0,
        );
    }
    for (label, key) in [
        ("一、证明义务", "obligation"),
        ("二、承诺内容", "content"),
        ("三、行政机关的核查", "checks"),
        ("四、配合核查的义务", "cooperation"),
        ("五、不实承诺的法律责任", "liability"),
    ] {
        push(label.to_owned(), 14.0, 14.0);
        push(s(&letter["template"][key]), 12.0, 6.0);
    }
    if !s(&letter["facts"]).is_empty() {
        push("六、承诺的具体事项".to_owned(), 14.0, 14.0);
        push(s(&letter["facts"]), 12.0, 6.0);
    }
    push(s(&letter["declaration"]), 12.0, 16.0);
    push(
        format!("事后核查：{}", s(&letter["post_check"]["plan"])),
        11.0,
        12.0,
    );
    push(
        format!(
            "签署方式：{}；签署时间：{}",
            s(&letter["signature"]),
            s(&letter["signed_at"])
        ),
        11.0,
        6.0,
    );
    push(format!("受理单位（电子印章）：{org_name}"), 11.0, 12.0);
    push(
        format!("电子印章编号：{sealed_id}  验证地址：{base_url}/sealed/{sealed_id}"),
        9.0,
        6.0,
    );
    push(format!("原文 SM3：{body_sm3}"), 9.0, 4.0);
    lines
}

/// The PDF of a commitment's sealed letter, for whoever may see the commitment.
pub async fn for_commitment(
    app: &crate::App,
    actor: &crate::Actor,
    id: i64,
) -> crate::error::AppResult<Vec<u8>> {
    let c = super::get(app, actor, id).await?;
    let doc = crate::seals::get(app, &c.sealed_id).await?;
    // A printed letter is read away from the site: its verification address is absolute,
    // from the configured public base URL (issue #16 item 5).
    render_for(
        &doc.body,
        &doc.public_id,
        &doc.body_sm3,
        &doc.org_name,
        &app.settings.public_base_url,
    )
}

/// Renders the sealed letter (its canonical JSON) as PDF bytes: PDF/A-2b when the font
/// shows every character, plain PDF otherwise.
pub fn render(
    letter_json: &str,
    sealed_id: &str,
    body_sm3: &str,
    org_name: &str,
) -> AppResult<Vec<u8>> {
    render_for(letter_json, sealed_id, body_sm3, org_name, "")
}

/// [`render`] with the verification address under `base_url` (the site's public origin).
pub fn render_for(
    letter_json: &str,
    sealed_id: &str,
    body_sm3: &str,
    org_name: &str,
    base_url: &str,
) -> AppResult<Vec<u8>> {
    let letter: Json = serde_json::from_str(letter_json).unwrap_or(Json::Null);
    let m = Metrics::new()?;
    let font = FONT
        .clone()
        .ok_or_else(|| AppError::Internal("承诺书字体无法读取".to_owned()))?;
    let lines = lines_of(&m, &letter, sealed_id, body_sm3, org_name, base_url);
    let title = letter["title"].as_str().unwrap_or("证明事项告知承诺书");
    // PDF/A needs the document's date: the signing time, so the same letter gives the same bytes.
    let signed_at = letter["signed_at"]
        .as_str()
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.with_timezone(&chrono::Utc));
    let archival = lines.iter().all(|l| l.text.chars().all(|c| m.has(c)));
    match write(&font, &lines, title, CREATOR, signed_at, archival) {
        // A validation failure is the one thing PDF/A adds; plain PDF still serves the reader.
        Err(KrillaError::Validation(errors)) if archival => {
            tracing::warn!(?errors, "承诺书不能写成 PDF/A，改写普通 PDF");
            write(&font, &lines, title, CREATOR, signed_at, false)
        }
        r => r,
    }
    .map_err(|e| AppError::Internal(format!("承诺书 PDF 生成失败：{e:?}")))
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

/// Lays `lines` out on A4 pages and writes the PDF, PDF/A-2b when `archival`; `at` is the
/// document's creation date, `creator` names the producer in the metadata.
pub(crate) fn write(
    font: &Font,
    lines: &[Line],
    title: &str,
    creator: &str,
    signed_at: Option<chrono::DateTime<chrono::Utc>>,
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
        .creator(creator.to_owned());
    if let Some(t) = signed_at {
        metadata = metadata.creation_date(pdf_date(t));
    }
    doc.set_metadata(metadata);
    let page_settings = PageSettings::from_wh(PAGE_W as f32, PAGE_H as f32).unwrap_or_default();
    // Lay the lines out on pages, top down (krilla's y grows downwards).
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
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn letter(name: &str) -> String {
        serde_json::json!({
            "title": "证明事项告知承诺书", "proof_item": "经济困难证明",
            "applicant": {"name": name, "resident_id": "370322199001011238"},
            "template": {"obligation": "义务", "content": "内容", "checks": "核查", "cooperation": "配合", "liability": "责任"},
            "declaration": "本人承诺", "post_check": {"plan": "免予核查"}, "signature": "门户", "signed_at": "2026-03-12T09:30:00Z",
        })
        .to_string()
    }

    #[test]
    fn the_letter_embeds_its_font_and_is_pdf_a() {
        let pdf = render(&letter("张三"), "abc", "00", "县司法局").unwrap();
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.starts_with("%PDF-"));
        assert!(text.contains("/FontFile2") || text.contains("/FontFile3"));
        assert!(!text.contains("STSong"));
        assert!(text.contains("pdfaid:part"), "PDF/A-2b");
        // A subset of the glyphs used, not the whole built-in font.
        assert!(pdf.len() < FONT_DATA.len() / 10, "{} bytes", pdf.len());
    }

    #[test]
    fn a_character_the_font_lacks_still_renders_as_plain_pdf() {
        // 𪚥 (U+2A6A5) is outside GB 2312 and the built-in subset.
        let m = Metrics::new().unwrap();
        assert!(!m.has('𪚥') && m.has('张'));
        let pdf = render(&letter("张𪚥"), "abc", "00", "县司法局").unwrap();
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.starts_with("%PDF-"));
        assert!(!text.contains("pdfaid:part"));
    }

    #[test]
    fn long_text_wraps_within_the_page() {
        let m = Metrics::new().unwrap();
        let lines = wrap(&m, &"承诺书ABC".repeat(40), 12.0, 0.0);
        assert!(lines.len() >= 3);
        for l in &lines {
            let w: f64 = l.chars().map(|c| m.width_of(c, 12.0)).sum();
            assert!(w <= PAGE_W - 2.0 * MARGIN, "{l}");
        }
        assert!((m.width_of('承', 12.0) - 12.0).abs() < 0.01);
    }
}
