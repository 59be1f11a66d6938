//! The rendered copy of an e-licence or e-proof: a QR code (SVG, no inline style) for the
//! public verify page, and the PDF with the embedded CJK font (the same built-in Noto Serif
//! CJK subset as the commitment letter) carrying the QR code, the short code, the seal id
//! and the SM3 digest of the sealed original.

use krilla::geom::{PathBuilder, Point, Rect};
use krilla::page::PageSettings;
use krilla::paint::Fill;
use krilla::text::TextDirection;
use krilla::{Document, SerializeSettings};
use qrcode::{Color, QrCode};

use super::records::EProof;
use crate::App;
use crate::actor::Actor;
use crate::commitment::letter_pdf::FONT;
use crate::error::{AppError, AppResult};

const QUIET: usize = 4;

/// The dark modules of the QR code of `text`, with its width in modules.
fn modules(text: &str) -> AppResult<(usize, Vec<bool>)> {
    let code = QrCode::new(text.as_bytes())
        .map_err(|e| AppError::Internal(format!("二维码生成失败：{e}")))?;
    let w = code.width();
    Ok((
        w,
        code.to_colors()
            .into_iter()
            .map(|c| c == Color::Dark)
            .collect(),
    ))
}

/// The QR code of `text` as an SVG document: one path, attributes only (the CSP forbids
/// inline styles).
pub fn qr_svg(text: &str) -> AppResult<String> {
    let (w, dark) = modules(text)?;
    let size = w + 2 * QUIET;
    let mut d = String::new();
    for (i, on) in dark.iter().enumerate() {
        if *on {
            d.push_str(&format!("M{} {}h1v1h-1z", i % w + QUIET, i / w + QUIET));
        }
    }
    Ok(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {size} {size}\" width=\"200\" height=\"200\" \
         shape-rendering=\"crispEdges\" role=\"img\" aria-label=\"验证二维码\"><rect width=\"{size}\" height=\"{size}\" \
         fill=\"#ffffff\"/><path fill=\"#000000\" d=\"{d}\"/></svg>"
    ))
}

const PAGE_W: f32 = 595.0;
const PAGE_H: f32 = 842.0;
const MARGIN: f32 = 56.0;

fn lines_of(e: &EProof, verify_url: &str, body_sm3: &str) -> Vec<(String, f32)> {
    let mut lines = vec![
        (format!("{}：{}", e.kind_label, e.proof_item_name), 18.0),
        (format!("证照标识：{}", e.identifier), 11.0),
        (format!("持证人：{}", e.holder_name_masked), 12.0),
    ];
    for f in &e.fields {
        let v = match &e.data[&f.key] {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Null => String::new(),
            other => other.to_string(),
        };
        lines.push((format!("{}：{}", f.label, v), 12.0));
    }
    lines.push((
        format!(
            "有效期：{} 至 {}",
            e.valid_from,
            e.valid_to.clone().unwrap_or_else(|| "长期".into())
        ),
        12.0,
    ));
    lines.push((format!("状态：{}", e.validity_label), 12.0));
    lines.push((format!("开具单位（电子印章）：{}", e.issuer_name), 12.0));
    lines.push((format!("电子印章编号：{}", e.sealed_id), 9.0));
    lines.push((format!("原文 SM3：{body_sm3}"), 8.0));
    lines.push((
        format!("验证码：{}  验证地址：{verify_url}", e.verify_code),
        10.0,
    ));
    lines
}

/// The PDF of a document the actor may see (issuer staff or holder).
pub async fn eproof_pdf(app: &App, actor: &Actor, id: i64) -> AppResult<Vec<u8>> {
    let e = super::eproofs::eproof(app, actor, id).await?;
    let doc = crate::seals::get(app, &e.sealed_id).await?;
    let verify_url = format!("{}/verify/{}", app.settings.public_base_url, e.verify_code);
    let (w, dark) = modules(&verify_url)?;
    let font = FONT
        .clone()
        .ok_or_else(|| AppError::Internal("字体无法读取".into()))?;
    let mut pdf = Document::new_with(SerializeSettings::default());
    let settings = PageSettings::from_wh(PAGE_W, PAGE_H).unwrap_or_default();
    let mut page = pdf.start_page_with(settings);
    let mut surface = page.surface();
    let mut y = MARGIN;
    for (text, size) in lines_of(&e, &verify_url, &doc.body_sm3) {
        y += size * 1.8;
        surface.draw_text(
            Point::from_xy(MARGIN, y),
            font.clone(),
            size,
            &text,
            false,
            TextDirection::Auto,
        );
    }
    // The QR code, top right: one rectangle per dark module.
    let cell = 3.0f32;
    let left = PAGE_W - MARGIN - cell * w as f32;
    let mut pb = PathBuilder::new();
    for (i, on) in dark.iter().enumerate() {
        if *on
            && let Some(r) = Rect::from_xywh(
                left + cell * (i % w) as f32,
                MARGIN + cell * (i / w) as f32,
                cell,
                cell,
            )
        {
            pb.push_rect(r);
        }
    }
    if let Some(path) = pb.finish() {
        surface.set_fill(Some(Fill::default()));
        surface.draw_path(&path);
    }
    surface.finish();
    page.finish();
    pdf.finish()
        .map_err(|e| AppError::Internal(format!("电子证照 PDF 生成失败：{e:?}")))
}
