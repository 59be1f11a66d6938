//! Publication of commitment letters (R4.7, P 三(四)5 “向社会公开告知承诺书，接受社会监督”)
//! with personal identifiers masked, and the joint office's figures (issue #6 §9).

use std::fmt::Write as _;

use proofless_domain::commitment::CommitmentState;
use proofless_domain::role::Role;
use serde::Serialize;
use serde_json::Value as Json;

pub use super::input::FigureQuery;
use super::repo;
pub use super::repo::FigureRow;
use crate::App;
use crate::actor::Actor;
use crate::error::{AppError, AppResult};

/// A published letter as the public sees it: names and identifiers masked.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PublishedLetter {
    pub commitment_id: i64,
    pub proof_item_name: String,
    pub org_name: String,
    pub applicant: String,
    pub resident_id_masked: String,
    pub entity: Option<String>,
    pub content: String,
    pub facts: String,
    pub liability: String,
    pub state: CommitmentState,
    pub signed_at: String,
}

/// A name with all but the first character masked (`张*`, `高青县****公司` keeps entities).
pub fn mask_name(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    match chars.len() {
        0 => String::new(),
        1 => "*".to_owned(),
        n => format!("{}{}", chars[0], "*".repeat(n - 1)),
    }
}

fn mask_id(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    if chars.len() < 10 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..6].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 10))
}

/// Letters of items marked for publication (public interest, third parties, hard to check);
/// withdrawn ones are not shown.
pub async fn published_letters(app: &App, limit: i64) -> AppResult<Vec<PublishedLetter>> {
    let rows = repo::published_letters(&mut app.lagging(), limit.clamp(1, 200)).await?;
    let mut out = vec![];
    for r in rows {
        let letter = crate::applicants::open_letter(app, &r.letter).await?;
        let l: Json = serde_json::from_str(&letter)
            .map_err(|e| AppError::Internal(format!("承诺 #{} 的承诺书存储损坏：{e}", r.id)))?;
        // Absent parts of a letter (no entity, no facts) are shown empty.
        let s = |v: &Json| v.as_str().unwrap_or_default().to_owned();
        out.push(PublishedLetter {
            commitment_id: r.id,
            proof_item_name: r.proof_item_name,
            org_name: r.org_name,
            applicant: mask_name(&s(&l["applicant"]["name"])),
            resident_id_masked: mask_id(&s(&l["applicant"]["resident_id"])),
            // Companies are public subjects; their name stays, the code is masked.
            entity: l["entity"]["name"].as_str().map(|n| {
                format!(
                    "{n}（{}）",
                    mask_id(l["entity"]["credit_code"].as_str().unwrap_or(""))
                )
            }),
            content: s(&l["template"]["content"]),
            facts: s(&l["facts"]),
            liability: s(&l["template"]["liability"]),
            state: r.state,
            signed_at: crate::local_time(r.signed_at),
        });
    }
    Ok(out)
}

/// Commitments signed, checked, found false and withdrawn, by item, unit or month
/// (joint office, credit office).
pub async fn figures(app: &App, actor: &Actor, query: &FigureQuery) -> AppResult<Vec<FigureRow>> {
    actor.require_any(&[Role::JointOffice, Role::CreditOffice, Role::SystemAdmin])?;
    let by = query.parse()?;
    repo::figures(&mut app.lagging(), by).await
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A grouped horizontal bar chart (signed / checked / false) as standalone SVG, summed
/// over months per label; accessible with a title and a text equivalent per bar.
pub fn bar_chart_svg(title: &str, rows: &[FigureRow]) -> String {
    let mut groups: Vec<(String, i64, i64, i64)> = vec![];
    for r in rows {
        let key = r.label.clone();
        match groups.iter_mut().find(|g| g.0 == key) {
            Some(g) => {
                g.1 += r.signed;
                g.2 += r.checked;
                g.3 += r.found_false;
            }
            None => groups.push((key, r.signed, r.checked, r.found_false)),
        }
    }
    let max = groups.iter().map(|g| g.1).max().unwrap_or(0).max(1);
    let (label_w, bar_w, row_h) = (260.0, 420.0, 54.0);
    let height = 60.0 + row_h * groups.len() as f64;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="chart-title" viewBox="0 0 {w} {height}" width="100%" font-family="sans-serif" font-size="13"><title id="chart-title">{t}</title>"#,
        w = label_w + bar_w + 80.0,
        t = esc(title)
    );
    let legend = [
        ("#2b6cb0", "签署"),
        ("#2f855a", "已核查"),
        ("#c53030", "虚假承诺"),
    ];
    for (i, (color, name)) in legend.iter().enumerate() {
        let x = label_w + i as f64 * 100.0;
        let _ = write!(
            s,
            r#"<rect x="{x}" y="8" width="12" height="12" fill="{color}"/><text x="{}" y="19">{name}</text>"#,
            x + 16.0
        );
    }
    for (i, (label, signed, checked, false_)) in groups.iter().enumerate() {
        let y = 36.0 + row_h * i as f64;
        let short: String = label.chars().take(18).collect();
        let _ = write!(
            s,
            r#"<text x="{}" y="{}" text-anchor="end"><title>{}</title>{}</text>"#,
            label_w - 8.0,
            y + 20.0,
            esc(label),
            esc(&short)
        );
        for (j, (v, color)) in [
            (*signed, "#2b6cb0"),
            (*checked, "#2f855a"),
            (*false_, "#c53030"),
        ]
        .iter()
        .enumerate()
        {
            let w = bar_w * (*v as f64) / (max as f64);
            let by = y + j as f64 * 15.0;
            let _ = write!(
                s,
                r#"<rect x="{label_w}" y="{by}" width="{w:.1}" height="13" fill="{color}"><title>{}：{}</title></rect><text x="{:.1}" y="{}">{v}</text>"#,
                esc(label),
                legend[j].1,
                label_w + w + 4.0,
                by + 11.0
            );
        }
    }
    s.push_str("</svg>");
    s
}
