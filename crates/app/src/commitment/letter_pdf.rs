//! The signed letter as a PDF with Chinese text (issue #6 §2).
//!
//! The PDF uses the standard Adobe CJK font STSong-Light with the UniGB-UCS2-H CMap (PDF
//! 1.7 §9.7.5.2, one of the predefined CJK fonts every conforming reader supplies), so no
//! font file is embedded or shipped and the file stays a few kilobytes; text is written as
//! UCS-2 code units. The letter's seal id and SM3 digest are printed, so a reader can check
//! the sealed original at `/sealed/{id}`.

use serde_json::Value as Json;

const PAGE_W: f64 = 595.0;
const PAGE_H: f64 = 842.0;
const MARGIN: f64 = 56.0;

struct Line {
    text: String,
    size: f64,
    gap: f64,
}

fn width_of(c: char, size: f64) -> f64 {
    if c.is_ascii() { size * 0.5 } else { size }
}

/// Breaks text into lines that fit the page width.
fn wrap(text: &str, size: f64, indent: f64) -> Vec<String> {
    let max = PAGE_W - 2.0 * MARGIN - indent;
    let mut out = vec![];
    for para in text.split('\n') {
        let mut line = String::new();
        let mut w = 0.0;
        for c in para.chars() {
            let cw = width_of(c, size);
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

/// UCS-2 big-endian hex string for the UniGB-UCS2-H CMap; characters outside the BMP
/// (rare in names) are shown as a full-width question mark.
fn hex_ucs2(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 4 + 2);
    out.push('<');
    for c in s.chars() {
        let u = u32::from(c);
        let u = if u > 0xFFFF { 0xFF1F } else { u };
        out.push_str(&format!("{u:04X}"));
    }
    out.push('>');
    out
}

fn lines_of(letter: &Json, sealed_id: &str, body_sm3: &str, org_name: &str) -> Vec<Line> {
    let s = |v: &Json| v.as_str().unwrap_or_default().to_owned();
    let mut lines = vec![];
    let mut push = |text: String, size: f64, gap: f64| {
        for (i, l) in wrap(&text, size, 0.0).into_iter().enumerate() {
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
        format!("电子印章编号：{sealed_id}  验证地址：/sealed/{sealed_id}"),
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
    Ok(render(
        &doc.body,
        &doc.public_id,
        &doc.body_sm3,
        &doc.org_name,
    ))
}

/// Renders the sealed letter (its canonical JSON) as PDF bytes.
pub fn render(letter_json: &str, sealed_id: &str, body_sm3: &str, org_name: &str) -> Vec<u8> {
    let letter: Json = serde_json::from_str(letter_json).unwrap_or(Json::Null);
    let lines = lines_of(&letter, sealed_id, body_sm3, org_name);
    // Lay the lines out on pages.
    let mut pages: Vec<String> = vec![];
    let mut content = String::new();
    let mut y = PAGE_H - MARGIN;
    for l in &lines {
        let step = l.gap + l.size * 1.3;
        if y - step < MARGIN {
            pages.push(std::mem::take(&mut content));
            y = PAGE_H - MARGIN;
        }
        y -= step;
        content.push_str(&format!(
            "BT /F1 {} Tf {} {:.1} Td {} Tj ET\n",
            l.size,
            MARGIN,
            y,
            hex_ucs2(&l.text)
        ));
    }
    pages.push(content);

    // Objects: 1 catalog, 2 pages, 3 font, 4 CID font, 5 descriptor, then per page
    // a page object and its content stream.
    let n_pages = pages.len();
    let page_ids: Vec<usize> = (0..n_pages).map(|i| 6 + 2 * i).collect();
    let mut objects: Vec<String> = vec![
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        format!(
            "<< /Type /Pages /Kids [{}] /Count {n_pages} >>",
            page_ids
                .iter()
                .map(|i| format!("{i} 0 R"))
                .collect::<Vec<_>>()
                .join(" ")
        ),
        "<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [4 0 R] >>"
            .to_owned(),
        "<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> /FontDescriptor 5 0 R /DW 1000 /W [1 95 500] >>"
            .to_owned(),
        "<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>"
            .to_owned(),
    ];
    for (i, c) in pages.iter().enumerate() {
        objects.push(format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_W} {PAGE_H}] /Resources << /Font << /F1 3 0 R >> >> /Contents {} 0 R >>",
            page_ids[i] + 1
        ));
        objects.push(format!("<< /Length {} >>\nstream\n{c}endstream", c.len()));
    }
    let mut out: Vec<u8> = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = vec![];
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for off in offsets {
        out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_text_is_written_as_ucs2_with_a_valid_xref() {
        let letter = serde_json::json!({
            "title": "证明事项告知承诺书", "proof_item": "经济困难证明",
            "applicant": {"name": "张三", "resident_id": "370322199001011238"},
            "template": {"obligation": "义务", "content": "内容", "checks": "核查", "cooperation": "配合", "liability": "责任"},
            "declaration": "本人承诺", "post_check": {"plan": "免予核查"}, "signature": "门户", "signed_at": "2026-03-12",
        });
        let pdf = render(&letter.to_string(), "abc", "00", "县司法局");
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.starts_with("%PDF-1.7"));
        assert!(text.contains("/STSong-Light"));
        // 承诺 = U+627F U+8BFA
        assert!(text.contains("627F8BFA"));
        let xref_at: usize = text
            .rsplit("startxref\n")
            .next()
            .and_then(|t| t.lines().next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        assert!(pdf[xref_at..].starts_with(b"xref"));
    }

    #[test]
    fn long_text_wraps_within_the_page() {
        let lines = wrap(&"承".repeat(100), 12.0, 0.0);
        assert!(lines.len() >= 3);
        assert!(
            lines
                .iter()
                .all(|l| l.chars().count() as f64 * 12.0 <= PAGE_W - 2.0 * MARGIN)
        );
    }
}
