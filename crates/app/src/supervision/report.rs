//! The dashboard as a server-rendered SVG chart, an xlsx workbook and a PDF report; the
//! assessment feed as xlsx.

use krilla::Document;
use krilla::geom::Point;
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::text::TextDirection;
use rust_xlsxwriter::{Workbook, Worksheet, XlsxError};

use super::figures::{Dashboard, FeedRow, UnitFigures};
use crate::commitment::letter_pdf::FONT;
use crate::error::{AppError, AppResult};

/// The monthly chart: verifications answered or returned in time (green) and late (red),
/// stacked, one bar per month of the period's year. No script, no style: attributes only.
pub fn chart_svg(d: &Dashboard) -> String {
    let (w, h, left, bottom, top) = (720.0, 320.0, 56.0, 40.0, 36.0);
    let months: Vec<&UnitFigures> = d.months.iter().collect();
    let max = months
        .iter()
        .map(|m| m.verifications())
        .max()
        .unwrap_or(0)
        .max(1);
    let plot_h = h - bottom - top;
    let slot = (w - left - 16.0) / 12.0;
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"{y}年各月核验办理情况\">\
         <title>{y}年各月核验办理情况</title>\
         <text x=\"{left}\" y=\"22\" font-size=\"15\" fill=\"#222\">{y}年各月核验办理情况（绿：按时，红：超时）</text>\
         <line x1=\"{left}\" y1=\"{base}\" x2=\"{right}\" y2=\"{base}\" stroke=\"#888\"/>\
         <text x=\"8\" y=\"{ty}\" font-size=\"11\" fill=\"#444\">{max}</text>",
        y = &d.period.label[..4],
        base = h - bottom,
        right = w - 8.0,
        ty = top + 4.0,
    );
    for i in 0..12u32 {
        let key = format!("{}-{:02}", &d.period.label[..4], i + 1);
        let x = left + slot * f64::from(i) + slot * 0.2;
        let bw = slot * 0.6;
        let (ok, late) = months
            .iter()
            .find(|m| m.key == key)
            .map(|m| {
                (
                    m.answered_on_time + m.returned_on_time,
                    m.answered_late + m.returned_late,
                )
            })
            .unwrap_or((0, 0));
        let hk = plot_h * ok as f64 / max as f64;
        let hl = plot_h * late as f64 / max as f64;
        let y_ok = h - bottom - hk;
        let y_late = y_ok - hl;
        s.push_str(&format!(
            "<rect x=\"{x:.1}\" y=\"{y_ok:.1}\" width=\"{bw:.1}\" height=\"{hk:.1}\" fill=\"#2e7d32\"><title>{key} 按时 {ok}</title></rect>\
             <rect x=\"{x:.1}\" y=\"{y_late:.1}\" width=\"{bw:.1}\" height=\"{hl:.1}\" fill=\"#c62828\"><title>{key} 超时 {late}</title></rect>\
             <text x=\"{tx:.1}\" y=\"{ly}\" font-size=\"11\" fill=\"#444\" text-anchor=\"middle\">{m}月</text>",
            tx = x + bw / 2.0,
            ly = h - bottom + 16.0,
            m = i + 1,
        ));
    }
    s.push_str("</svg>");
    s
}

const UNIT_COLUMNS: [&str; 19] = [
    "单位",
    "按时答复",
    "超时答复",
    "按时退回",
    "超时退回",
    "按时率",
    "即时核验平均用时（分钟）",
    "1个工作日核验平均用时（分钟）",
    "2个工作日核验平均用时（分钟）",
    "调整申请按时提交",
    "调整申请逾期提交",
    "收到投诉",
    "投诉属实",
    "承诺核查按时",
    "承诺核查逾期",
    "问责决定",
    "免责（不计入）",
    "复核撤销（不计入）",
    "计入考核的问责",
];

fn num(v: Option<f64>) -> String {
    v.map_or("—".to_owned(), |x| format!("{x:.1}"))
}

fn cells(u: &UnitFigures) -> Vec<String> {
    vec![
        u.label.clone(),
        u.answered_on_time.to_string(),
        u.answered_late.to_string(),
        u.returned_on_time.to_string(),
        u.returned_late.to_string(),
        u.on_time_rate()
            .map_or("—".to_owned(), |r| format!("{r:.1}%")),
        num(u.avg_minutes_30m),
        num(u.avg_minutes_1wd),
        num(u.avg_minutes_2wd),
        u.adjustments_on_time.to_string(),
        u.adjustments_late.to_string(),
        u.complaints_received.to_string(),
        u.complaints_upheld.to_string(),
        u.checks_on_time.to_string(),
        u.checks_late.to_string(),
        u.measures_decided.to_string(),
        u.measures_exempted.to_string(),
        u.measures_revoked.to_string(),
        u.measures_assessed.to_string(),
    ]
}

fn sheet(ws: &mut Worksheet, first: &str, rows: &[&UnitFigures]) -> Result<(), XlsxError> {
    for (i, h) in UNIT_COLUMNS.iter().enumerate() {
        let h = if i == 0 { first } else { h };
        ws.write_string(0, u16::try_from(i).unwrap_or(0), h)?;
    }
    for (r, u) in rows.iter().enumerate() {
        let line = u32::try_from(r + 1).unwrap_or(u32::MAX);
        for (i, c) in cells(u).iter().enumerate() {
            let col = u16::try_from(i).unwrap_or(0);
            match c.parse::<f64>() {
                Ok(n) if i > 0 => ws.write_number(line, col, n)?,
                _ => ws.write_string(line, col, c)?,
            };
        }
    }
    Ok(())
}

fn xlsx_err(e: XlsxError) -> AppError {
    AppError::Internal(format!("生成考核表失败：{e}"))
}

/// The dashboard as a workbook: the units of the period, then the months of its year.
pub fn report_xlsx(d: &Dashboard) -> AppResult<Vec<u8>> {
    let build = || -> Result<Vec<u8>, XlsxError> {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.set_name("各单位")?;
        let mut units: Vec<&UnitFigures> = d.units.iter().collect();
        units.push(&d.total);
        sheet(ws, "单位", &units)?;
        let ws = wb.add_worksheet();
        ws.set_name("各月")?;
        let months: Vec<&UnitFigures> = d.months.iter().collect();
        sheet(ws, "月份", &months)?;
        let ws = wb.add_worksheet();
        ws.set_name("说明")?;
        ws.write_string(0, 0, format!("统计期间：{}", d.period.label))?;
        ws.write_string(
            1,
            0,
            "经批准免责并备案的问责决定（附件5第十一条）及复核撤销的决定单列，不计入考核。",
        )?;
        wb.save_to_buffer()
    };
    build().map_err(xlsx_err)
}

const FEED_COLUMNS: [&str; 16] = [
    "统计期间",
    "单位编号",
    "单位",
    "核验总数",
    "核验按时率（%）",
    "即时核验平均用时（分钟）",
    "1个工作日核验平均用时（分钟）",
    "2个工作日核验平均用时（分钟）",
    "调整申请按时提交",
    "调整申请逾期提交",
    "收到投诉",
    "投诉属实",
    "承诺核查按时",
    "承诺核查逾期",
    "计入考核的问责",
    "免责（不计入）",
];

/// The assessment feed as a workbook, one line per unit.
pub fn feed_xlsx(rows: &[FeedRow]) -> AppResult<Vec<u8>> {
    let build = || -> Result<Vec<u8>, XlsxError> {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.set_name("服务考核")?;
        for (i, h) in FEED_COLUMNS.iter().enumerate() {
            ws.write_string(0, u16::try_from(i).unwrap_or(0), *h)?;
        }
        for (r, f) in rows.iter().enumerate() {
            let l = u32::try_from(r + 1).unwrap_or(u32::MAX);
            ws.write_string(l, 0, &f.period)?;
            ws.write_number(l, 1, f.org_id as f64)?;
            ws.write_string(l, 2, &f.org_name)?;
            ws.write_number(l, 3, f.verifications as f64)?;
            let opt = |ws: &mut Worksheet, c: u16, v: Option<f64>| match v {
                Some(x) => ws.write_number(l, c, x).map(|_| ()),
                None => ws.write_string(l, c, "—").map(|_| ()),
            };
            opt(ws, 4, f.verification_on_time_rate)?;
            opt(ws, 5, f.avg_minutes_30m)?;
            opt(ws, 6, f.avg_minutes_1wd)?;
            opt(ws, 7, f.avg_minutes_2wd)?;
            let nums = [
                f.adjustments_on_time,
                f.adjustments_late,
                f.complaints_received,
                f.complaints_upheld,
                f.checks_on_time,
                f.checks_late,
                f.measures_assessed,
                f.measures_exempted,
            ];
            for (i, n) in nums.iter().enumerate() {
                ws.write_number(l, 8 + u16::try_from(i).unwrap_or(0), *n as f64)?;
            }
        }
        wb.save_to_buffer()
    };
    build().map_err(xlsx_err)
}

/// The dashboard as a PDF report (A4 landscape, one line per unit).
pub fn report_pdf(d: &Dashboard) -> AppResult<Vec<u8>> {
    let font = FONT
        .clone()
        .ok_or_else(|| AppError::Internal("报告字体无法读取".to_owned()))?;
    let (pw, ph, margin) = (842.0f32, 595.0f32, 36.0f32);
    let mut lines: Vec<(f32, String)> = vec![
        (16.0, format!("“无证明城市”监督考核报告（{}）", d.period.label)),
        (
            9.0,
            "经批准免责并备案的问责决定（附件5第十一条）及复核撤销的决定单列，不计入考核。"
                .to_owned(),
        ),
        (
            9.0,
            "单位｜按时/超时答复｜按时/超时退回｜按时率｜平均用时（即时/1日/2日，分钟）｜调整按时/逾期｜投诉收到/属实｜核查按时/逾期｜问责（计入/免责/撤销）".to_owned(),
        ),
    ];
    let mut rows: Vec<&UnitFigures> = d.units.iter().collect();
    rows.push(&d.total);
    for u in rows {
        lines.push((
            9.0,
            format!(
                "{}｜{}/{}｜{}/{}｜{}｜{}/{}/{}｜{}/{}｜{}/{}｜{}/{}｜{}/{}/{}",
                u.label,
                u.answered_on_time,
                u.answered_late,
                u.returned_on_time,
                u.returned_late,
                u.on_time_rate()
                    .map_or("—".to_owned(), |r| format!("{r:.1}%")),
                num(u.avg_minutes_30m),
                num(u.avg_minutes_1wd),
                num(u.avg_minutes_2wd),
                u.adjustments_on_time,
                u.adjustments_late,
                u.complaints_received,
                u.complaints_upheld,
                u.checks_on_time,
                u.checks_late,
                u.measures_assessed,
                u.measures_exempted,
                u.measures_revoked
            ),
        ));
    }
    let mut doc = Document::new();
    doc.set_metadata(
        Metadata::new()
            .title(format!("监督考核报告 {}", d.period.label))
            .language("zh-CN".to_owned())
            .creator("Proofless 无证明城市应用系统".to_owned()),
    );
    let settings = PageSettings::from_wh(pw, ph).unwrap_or_default();
    let mut pages: Vec<Vec<(f32, &(f32, String))>> = vec![vec![]];
    let mut y = margin;
    for l in &lines {
        let step = l.0 * 1.6;
        if y + step > ph - margin {
            pages.push(vec![]);
            y = margin;
        }
        y += step;
        if let Some(p) = pages.last_mut() {
            p.push((y, l));
        }
    }
    for p in pages {
        let mut page = doc.start_page_with(settings.clone());
        let mut surface = page.surface();
        for (y, (size, text)) in p {
            surface.draw_text(
                Point::from_xy(margin, y),
                font.clone(),
                *size,
                text,
                false,
                TextDirection::Auto,
            );
        }
        surface.finish();
        page.finish();
    }
    doc.finish()
        .map_err(|e| AppError::Internal(format!("报告 PDF 生成失败：{e:?}")))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::supervision::figures::Period;

    fn dash() -> Dashboard {
        let m = UnitFigures {
            key: "2026-03".into(),
            label: "2026-03".into(),
            answered_on_time: 8,
            answered_late: 2,
            ..UnitFigures::default()
        };
        let u = UnitFigures {
            key: "1".into(),
            label: "县公安局".into(),
            answered_on_time: 8,
            answered_late: 2,
            measures_decided: 2,
            measures_exempted: 1,
            measures_assessed: 1,
            ..UnitFigures::default()
        };
        Dashboard {
            period: Period::parse(Some("2026"), 0).unwrap(),
            org_id: None,
            units: vec![u.clone()],
            months: vec![m],
            total: u,
        }
    }

    // SPEC R10.2: the chart is SVG without script or style; the reports open.
    #[test]
    fn chart_and_reports() {
        let d = dash();
        let svg = chart_svg(&d);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(!svg.contains("<script") && !svg.contains("style="));
        assert!(svg.contains("2026-03 按时 8"));
        assert!(report_xlsx(&d).unwrap().starts_with(b"PK"));
        assert!(report_pdf(&d).unwrap().starts_with(b"%PDF"));
        assert_eq!(d.units[0].on_time_rate(), Some(80.0));
    }
}
