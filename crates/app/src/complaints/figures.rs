//! Figures for the receivers (A4 §12) and the 12345 assessment (A4 §13): sums over the
//! aggregates every act keeps up to date (`complaint_figures`), never over the complaints.

use std::collections::HashMap;

use proofless_domain::complaint::{Channel, Ground, Receiver};
use proofless_domain::role::Role;
use rust_xlsxwriter::{Workbook, XlsxError};

use super::input::FigureQuery;
use super::repo::{self, FigureRow};
use crate::App;
use crate::actor::Actor;
use crate::error::{AppError, AppResult};

/// Who sees the figures: the receivers, the joint office, accountability, the administrator.
pub const READERS: &[Role] = &[
    Role::ComplaintHotline,
    Role::ComplaintWindow,
    Role::ComplaintJustice,
    Role::JointOffice,
    Role::Accountability,
    Role::SystemAdmin,
];

/// A dimension the figures are grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum By {
    Month,
    Receiver,
    Channel,
    Ground,
    Agency,
    Proof,
}

impl By {
    pub const ALL: [(By, &'static str, &'static str); 6] = [
        (By::Month, "month", "月份"),
        (By::Receiver, "receiver", "受理机构"),
        (By::Channel, "channel", "渠道"),
        (By::Ground, "ground", "事由"),
        (By::Agency, "agency", "被投诉单位"),
        (By::Proof, "proof", "证明事项"),
    ];

    fn column(self) -> &'static str {
        match self {
            By::Month => "month",
            By::Receiver => "receiver",
            By::Channel => "channel",
            By::Ground => "ground",
            By::Agency => "agency_org_id",
            By::Proof => "proof_item_id",
        }
    }
}

fn parse_period(p: Option<&str>, now_ms: i64) -> AppResult<String> {
    let p = p.map(str::trim).filter(|s| !s.is_empty());
    match p {
        None => Ok(super::intake::month_of(now_ms).chars().take(4).collect()),
        Some(s)
            if (s.len() == 4 || s.len() == 7)
                && s.bytes().enumerate().all(|(i, b)| {
                    if i == 4 {
                        b == b'-'
                    } else {
                        b.is_ascii_digit()
                    }
                }) =>
        {
            Ok(s.to_owned())
        }
        Some(_) => Err(AppError::field(
            "period",
            "统计期间须为年份（2026）或月份（2026-12）",
        )),
    }
}

/// The figures of a year or month grouped by one dimension, each group named in Chinese.
pub async fn figures(
    app: &App,
    actor: &Actor,
    f: &FigureQuery,
) -> AppResult<(String, By, Vec<FigureRow>)> {
    actor.require_any(READERS)?;
    let period = parse_period(f.period.as_deref(), app.now_ms())?;
    let by = match f.by.as_deref().filter(|s| !s.is_empty()) {
        None => By::Receiver,
        Some(s) => By::ALL
            .iter()
            .find(|b| b.1 == s)
            .map(|b| b.0)
            .ok_or_else(|| AppError::field("by", "分组维度不存在"))?,
    };
    let mut ex = app.lagging();
    let mut rows = repo::figures(&mut ex, &period, by.column(), None).await?;
    let orgs: HashMap<i64, String> = match by {
        By::Agency => repo::org_names(&mut ex).await?.into_iter().collect(),
        By::Proof => {
            let ids: Vec<i64> = rows
                .iter()
                .filter_map(|r| r.key.parse().ok())
                .filter(|i| *i > 0)
                .collect();
            repo::proof_names(&mut ex, &ids)
                .await?
                .into_iter()
                .collect()
        }
        _ => HashMap::new(),
    };
    for r in &mut rows {
        r.label = match by {
            By::Month => r.key.clone(),
            By::Receiver => Receiver::parse(&r.key)
                .map_or("未知", |x| x.label())
                .to_owned(),
            By::Channel => Channel::parse(&r.key)
                .map_or("未知", |x| x.label())
                .to_owned(),
            By::Ground => Ground::parse(&r.key)
                .map_or("未知", |x| x.label())
                .to_owned(),
            By::Agency | By::Proof => match r.key.parse::<i64>() {
                Ok(0) => "（未关联证明事项）".to_owned(),
                Ok(id) => orgs.get(&id).cloned().unwrap_or_else(|| format!("#{id}")),
                Err(_) => r.key.clone(),
            },
        };
    }
    Ok((period, by, rows))
}

pub const ASSESSMENT_COLUMNS: [&str; 10] = [
    "月份",
    "受理量",
    "已受理",
    "已办结",
    "按期办结",
    "按期办结率",
    "投诉属实",
    "满意（含基本满意）",
    "不满意",
    "满意率",
];

fn pct(a: i64, b: i64) -> String {
    if b == 0 {
        "—".to_owned()
    } else {
        format!("{:.1}%", a as f64 * 100.0 / b as f64)
    }
}

/// The 12345 hotline's monthly and annual assessment (A4 §13) as an xlsx workbook: one
/// line per month of the year and the year's total.
pub async fn assessment_xlsx(
    app: &App,
    actor: &Actor,
    year: Option<&str>,
) -> AppResult<(String, Vec<u8>)> {
    actor.require_any(READERS)?;
    let period = parse_period(year, app.now_ms())?;
    let year: String = period.chars().take(4).collect();
    let rows = repo::figures(
        &mut app.lagging(),
        &year,
        "month",
        Some(Receiver::Hotline.as_str()),
    )
    .await?;
    let build = || -> Result<Vec<u8>, XlsxError> {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.set_name("12345考核")?;
        for (i, h) in ASSESSMENT_COLUMNS.iter().enumerate() {
            ws.write_string(0, u16::try_from(i).unwrap_or(0), *h)?;
        }
        let mut total = FigureRow {
            key: format!("{year}年合计"),
            label: String::new(),
            received: 0,
            accepted: 0,
            answered: 0,
            on_time: 0,
            upheld: 0,
            satisfied: 0,
            unsatisfied: 0,
        };
        let mut line = 1u32;
        for r in &rows {
            write_row(ws, line, r)?;
            line += 1;
            total.received += r.received;
            total.accepted += r.accepted;
            total.answered += r.answered;
            total.on_time += r.on_time;
            total.upheld += r.upheld;
            total.satisfied += r.satisfied;
            total.unsatisfied += r.unsatisfied;
        }
        write_row(ws, line, &total)?;
        wb.save_to_buffer()
    };
    let bytes = build().map_err(|e| AppError::Internal(format!("生成考核表失败：{e}")))?;
    Ok((format!("12345-complaints-{year}.xlsx"), bytes))
}

fn write_row(
    ws: &mut rust_xlsxwriter::Worksheet,
    line: u32,
    r: &FigureRow,
) -> Result<(), XlsxError> {
    ws.write_string(line, 0, &r.key)?;
    let nums = [r.received, r.accepted, r.answered, r.on_time];
    for (i, n) in nums.iter().enumerate() {
        ws.write_number(line, 1 + u16::try_from(i).unwrap_or(0), *n as f64)?;
    }
    ws.write_string(line, 5, pct(r.on_time, r.answered))?;
    ws.write_number(line, 6, r.upheld as f64)?;
    ws.write_number(line, 7, r.satisfied as f64)?;
    ws.write_number(line, 8, r.unsatisfied as f64)?;
    ws.write_string(line, 9, pct(r.satisfied, r.satisfied + r.unsatisfied))?;
    Ok(())
}

/// One hot spot: a unit, ground or proof with the complaints of the last three months
/// against the three before (A4 §12: 热点问题).
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
#[schema(as = complaints_HotSpot)]
pub struct HotSpot {
    pub key: String,
    pub label: String,
    /// Received in the three months before the recent ones.
    pub previous: i64,
    /// Received in the last three months (the current one included).
    pub recent: i64,
}

/// The hot spots of one dimension (unit, ground or proof).
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
#[schema(as = complaints_HotSpots)]
pub struct HotSpots {
    /// `agency`, `ground` or `proof`.
    pub by: String,
    pub by_label: String,
    /// YYYY-MM: the first and last month of the previous three months…
    pub previous_from: String,
    pub previous_to: String,
    /// …and of the recent three.
    pub recent_from: String,
    pub recent_to: String,
    /// Groups whose count rose, largest rise first (at most [`HOT_SPOTS`]).
    pub rising: Vec<HotSpot>,
}

/// The most hot spots shown.
pub const HOT_SPOTS: usize = 10;

/// The month `back` months before `month` (YYYY-MM).
fn month_back(month: &str, back: i32) -> String {
    let y: i32 = month.get(..4).and_then(|s| s.parse().ok()).unwrap_or(1970);
    let m: i32 = month.get(5..7).and_then(|s| s.parse().ok()).unwrap_or(1);
    let n = y * 12 + (m - 1) - back;
    format!("{:04}-{:02}", n.div_euclid(12), n.rem_euclid(12) + 1)
}

/// Units, grounds or proofs with rising counts (A4 §12): the last three months (this one
/// included) against the three before, from the kept aggregates.
pub async fn hot_spots(app: &App, actor: &Actor, by: Option<&str>) -> AppResult<HotSpots> {
    actor.require_any(READERS)?;
    let by = match by.map(str::trim).filter(|s| !s.is_empty()) {
        None | Some("agency") => By::Agency,
        Some("ground") => By::Ground,
        Some("proof") => By::Proof,
        Some(_) => {
            return Err(AppError::field(
                "hot",
                "热点维度须为 agency（单位）、ground（事由）或 proof（证明事项）",
            ));
        }
    };
    let now = super::intake::month_of(app.now_ms());
    let (recent_from, previous_to, previous_from) = (
        month_back(&now, 2),
        month_back(&now, 3),
        month_back(&now, 5),
    );
    let mut ex = app.lagging();
    let rows = repo::received_by_month(&mut ex, by.column(), &previous_from, &now).await?;
    let mut per: HashMap<String, (i64, i64)> = HashMap::new();
    for (key, month, n) in rows {
        let e = per.entry(key).or_default();
        if month >= recent_from {
            e.1 += n;
        } else {
            e.0 += n;
        }
    }
    let mut rising: Vec<HotSpot> = per
        .into_iter()
        .filter(|(_, (p, r))| r > p)
        .map(|(key, (previous, recent))| HotSpot {
            label: String::new(),
            key,
            previous,
            recent,
        })
        .collect();
    rising.sort_by(|a, b| {
        (b.recent - b.previous)
            .cmp(&(a.recent - a.previous))
            .then(b.recent.cmp(&a.recent))
            .then(a.key.cmp(&b.key))
    });
    rising.truncate(HOT_SPOTS);
    let names: HashMap<i64, String> = match by {
        By::Agency => repo::org_names(&mut ex).await?.into_iter().collect(),
        By::Proof => {
            let ids: Vec<i64> = rising.iter().filter_map(|r| r.key.parse().ok()).collect();
            repo::proof_names(&mut ex, &ids)
                .await?
                .into_iter()
                .collect()
        }
        _ => HashMap::new(),
    };
    for r in &mut rising {
        r.label = match by {
            By::Ground => Ground::parse(&r.key)
                .map_or("未知", |g| g.label())
                .to_owned(),
            _ => match r.key.parse::<i64>() {
                Ok(0) => "（未关联证明事项）".to_owned(),
                Ok(id) => names.get(&id).cloned().unwrap_or_else(|| format!("#{id}")),
                Err(_) => r.key.clone(),
            },
        };
    }
    let (code, label) = By::ALL
        .iter()
        .find(|b| b.0 == by)
        .map_or(("agency", "被投诉单位"), |b| (b.1, b.2));
    Ok(HotSpots {
        by: code.to_owned(),
        by_label: label.to_owned(),
        previous_from,
        previous_to,
        recent_from,
        recent_to: now,
        rising,
    })
}

#[cfg(test)]
mod tests {
    use super::month_back;

    #[test]
    fn months_count_back_across_years() {
        // A4 §12 hot spots compare the last three months with the three before.
        assert_eq!(month_back("2026-03", 2), "2026-01");
        assert_eq!(month_back("2026-03", 3), "2025-12");
        assert_eq!(month_back("2026-01", 5), "2025-08");
        assert_eq!(month_back("2026-12", 0), "2026-12");
    }
}
