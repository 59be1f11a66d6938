//! The sealed minutes as a PDF (A1 三(五)), written like the commitment letter
//! (`commitment/letter_pdf.rs`): krilla with the built-in Noto Serif CJK SC subset, PDF/A-2b
//! when the font has every character, plain PDF otherwise; the seal id, SM3 digest and
//! verification address are printed so a reader can check the sealed original.

use krilla::error::KrillaError;
use serde_json::Value as Json;

use crate::commitment::letter_pdf::{CREATOR, FONT, Line, Metrics, wrap, write};
use crate::error::{AppError, AppResult};

fn s(v: &Json) -> String {
    match v {
        Json::String(s) => s.clone(),
        Json::Null => String::new(),
        other => other.to_string(),
    }
}

fn lines_of(
    m: &Metrics,
    doc: &Json,
    sealed_id: &str,
    sm3: &str,
    org: &str,
    base: &str,
) -> Vec<Line> {
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
    push(s(&doc["title"]), 18.0, 0.0);
    push(
        format!(
            "{}　召开日期：{}　地点：{}　联络员会议：{}",
            s(&doc["kind"]),
            s(&doc["held_on"]),
            s(&doc["place"]),
            s(&doc["liaison_meeting_on"])
        ),
        11.0,
        12.0,
    );
    push("一、议题".to_owned(), 14.0, 14.0);
    for (i, a) in doc["agenda"].as_array().into_iter().flatten().enumerate() {
        push(
            format!(
                "{}. {}（{}提出）",
                i + 1,
                s(&a["title"]),
                s(&a["proposed_by"])
            ),
            12.0,
            4.0,
        );
    }
    push("二、出席情况".to_owned(), 14.0, 14.0);
    for a in doc["attendance"].as_array().into_iter().flatten() {
        let t = if a["present"].as_bool() == Some(true) {
            format!("{}：{}出席", s(&a["unit"]), s(&a["attendee"]))
        } else {
            format!("{}：缺席（{}）", s(&a["unit"]), s(&a["reason"]))
        };
        push(t, 12.0, 4.0);
    }
    push("三、会议纪要".to_owned(), 14.0, 14.0);
    push(s(&doc["summary"]), 12.0, 6.0);
    push("四、议定事项".to_owned(), 14.0, 14.0);
    for (i, d) in doc["decisions"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        push(
            format!(
                "{}. 【{}】{}　责任单位：{}　完成时限：{}",
                i + 1,
                s(&d["kind"]),
                s(&d["text"]),
                s(&d["owner"]),
                s(&d["due_on"])
            ),
            12.0,
            6.0,
        );
    }
    push(
        format!("印发：{}（电子印章）　{}", org, s(&doc["issued_at"])),
        11.0,
        16.0,
    );
    push(
        format!("电子印章编号：{sealed_id}  验证地址：{base}/sealed/{sealed_id}"),
        9.0,
        6.0,
    );
    push(format!("原文 SM3：{sm3}"), 9.0, 4.0);
    lines
}

/// Renders the sealed minutes (their canonical JSON) as PDF bytes.
pub fn render(
    body: &str,
    sealed_id: &str,
    body_sm3: &str,
    org_name: &str,
    base_url: &str,
) -> AppResult<Vec<u8>> {
    let doc: Json = serde_json::from_str(body).unwrap_or(Json::Null);
    let m = Metrics::new()?;
    let font = FONT
        .clone()
        .ok_or_else(|| AppError::Internal("纪要字体无法读取".to_owned()))?;
    let lines = lines_of(&m, &doc, sealed_id, body_sm3, org_name, base_url);
    let title = doc["title"].as_str().unwrap_or("联席会议纪要");
    let archival = lines.iter().all(|l| l.text.chars().all(|c| m.has(c)));
    match write(&font, &lines, title, CREATOR, None, archival) {
        Err(KrillaError::Validation(_)) if archival => {
            write(&font, &lines, title, CREATOR, None, false)
        }
        r => r,
    }
    .map_err(|e| AppError::Internal(format!("纪要 PDF 生成失败：{e:?}")))
}
