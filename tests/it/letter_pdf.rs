//! The commitment letter PDF embeds its font (no reader-supplied STSong-Light) and its
//! Chinese text extracts as text (issue #14 item 8).

use std::process::Command;

use crate::commitment_flow::{LEGAL_AID, ZHANG, citizen, sign_portal};
use crate::common::*;
use serde_json::Value;

/// The text `pdftotext` (Debian's poppler-utils) extracts, or `None` when it is not installed.
fn pdftotext(pdf: &[u8]) -> Option<String> {
    if Command::new("pdftotext").arg("-v").output().is_err() {
        eprintln!("skipped: pdftotext not installed (apt-get install poppler-utils)");
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("letter.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(String::from_utf8(out.stdout).unwrap())
}

async fn the_letter_pdf_embeds_its_font_and_extracts_as_chinese(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let c = citizen(&t, ZHANG).await;
    let r = sign_portal(&t, &c, LEGAL_AID, "县司法局", ZHANG).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let cm: Value = r.json().await.unwrap();
    let r = c
        .get(&format!("/api/v1/commitments/{}/letter.pdf", cm["id"]))
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let pdf = r.bytes().await.unwrap();
    let raw = String::from_utf8_lossy(&pdf);
    assert!(raw.starts_with("%PDF-"));
    assert!(
        raw.contains("/FontFile2") || raw.contains("/FontFile3"),
        "the font is embedded"
    );
    assert!(!raw.contains("STSong-Light"));
    assert!(raw.contains("pdfaid:part"), "PDF/A-2b");
    let Some(text) = pdftotext(&pdf) else { return };
    // Lines are compared without the spaces a text extractor may put between glyphs.
    let text: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    // Issue #16 item 5: a printed letter's verification address is absolute, from the
    // configured public base URL.
    let verify = format!(
        "验证地址：{}/sealed/{}",
        t.app.settings.public_base_url,
        cm["sealed_id"].as_str().unwrap()
    );
    assert!(text.contains(&verify), "{verify} not in {text}");
    for expected in [
        "证明事项告知承诺书",
        "承诺人：张三（公民身份号码370322199001011238）",
        "家庭人均收入低于当地最低生活保障标准",
        "受理单位（电子印章）：县司法局",
        cm["sealed_id"].as_str().unwrap(),
    ] {
        assert!(text.contains(expected), "{expected} not in {text}");
    }
}

both_backends!(the_letter_pdf_embeds_its_font_and_extracts_as_chinese);
