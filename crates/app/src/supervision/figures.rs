//! The assessment figures (P 四, A2 §13, A4 §13, A5 §11): sums over the counters the sweep
//! keeps per unit and month, never over the facts; complaint figures from the complaints
//! workflow's aggregates.

use std::collections::HashMap;

use proofless_domain::role::Role;
use serde::Serialize;

use super::input::PeriodQuery;
use super::repo::{self, Sums};
use crate::App;
use crate::actor::Actor;
use crate::error::{AppError, AppResult};

/// Who sees every unit's figures; a unit's administrator sees the unit's own.
pub const READERS: &[Role] = &[Role::JointOffice, Role::Accountability, Role::SystemAdmin];

/// A year or a month (Beijing), as the months it spans.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = supervision_Period)]
pub struct Period {
    /// `2026` or `2026-12`.
    pub label: String,
    pub from: String,
    pub to: String,
}

impl Period {
    pub fn parse(p: Option<&str>, now_ms: i64) -> AppResult<Period> {
        let p = p.map(str::trim).filter(|s| !s.is_empty());
        let ok = |s: &str| {
            (s.len() == 4 || s.len() == 7)
                && s.bytes().enumerate().all(|(i, b)| {
                    if i == 4 {
                        b == b'-'
                    } else {
                        b.is_ascii_digit()
                    }
                })
        };
        match p {
            None => {
                let y = super::sweep::month_of(now_ms)[..4].to_owned();
                Ok(Period::year(&y))
            }
            Some(s) if ok(s) && s.len() == 4 => Ok(Period::year(s)),
            Some(s) if ok(s) && matches!(s[5..].parse::<u32>(), Ok(1..=12)) => Ok(Period {
                label: s.to_owned(),
                from: s.to_owned(),
                to: s.to_owned(),
            }),
            Some(_) => Err(AppError::field(
                "period",
                "统计期间须为年份（2026）或月份（2026-12）",
            )),
        }
    }

    fn year(y: &str) -> Period {
        Period {
            label: y.to_owned(),
            from: format!("{y}-01"),
            to: format!("{y}-12"),
        }
    }

    /// The months of the period's year (for the monthly series).
    pub fn year_span(&self) -> (String, String) {
        let y = &self.label[..4];
        (format!("{y}-01"), format!("{y}-12"))
    }
}

/// One line of figures: a unit over the period, or every unit in one month.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
#[schema(as = supervision_Figures)]
pub struct UnitFigures {
    /// The unit's id (unit lines) or the month (`2026-03`, month lines).
    pub key: String,
    /// The unit's name, or the month.
    pub label: String,
    /// Verifications answered in time / late; returned in time / late (A2 §7).
    pub answered_on_time: i64,
    pub answered_late: i64,
    pub returned_on_time: i64,
    pub returned_late: i64,
    /// Average answer time in minutes (sent → answered or returned) by class.
    pub avg_minutes_30m: Option<f64>,
    pub avg_minutes_1wd: Option<f64>,
    pub avg_minutes_2wd: Option<f64>,
    pub avg_minutes_statutory: Option<f64>,
    /// List adjustments filed within the 7 working days / late (A3 §9).
    pub adjustments_on_time: i64,
    pub adjustments_late: i64,
    /// Complaints against the unit received / upheld (A4 §12).
    pub complaints_received: i64,
    pub complaints_upheld: i64,
    /// Commitment post-checks done in time / late (R4.4).
    pub checks_on_time: i64,
    pub checks_late: i64,
    /// Accountability measures decided; approved exemptions (A5 §11) and measures revoked on
    /// appeal are shown and not counted in `measures_assessed`.
    pub measures_decided: i64,
    pub measures_exempted: i64,
    pub measures_revoked: i64,
    pub measures_assessed: i64,
}

impl UnitFigures {
    fn from_sums(s: &Sums, label: String) -> UnitFigures {
        let avg = |n: i64, ms: i64| {
            (n > 0).then(|| (ms as f64 / n as f64 / 60_000.0 * 10.0).round() / 10.0)
        };
        UnitFigures {
            key: s.key.clone(),
            label,
            answered_on_time: s.answered_on_time,
            answered_late: s.answered_late,
            returned_on_time: s.returned_on_time,
            returned_late: s.returned_late,
            avg_minutes_30m: avg(s.n_30m, s.ms_30m),
            avg_minutes_1wd: avg(s.n_1wd, s.ms_1wd),
            avg_minutes_2wd: avg(s.n_2wd, s.ms_2wd),
            avg_minutes_statutory: avg(s.n_other, s.ms_other),
            adjustments_on_time: s.adjustments_on_time,
            adjustments_late: s.adjustments_late,
            complaints_received: 0,
            complaints_upheld: 0,
            checks_on_time: s.checks_on_time,
            checks_late: s.checks_late,
            measures_decided: s.measures,
            measures_exempted: s.measures_exempted,
            measures_revoked: s.measures_revoked,
            measures_assessed: (s.measures - s.measures_exempted - s.measures_revoked).max(0),
        }
    }

    /// Share of verifications answered or returned in time, in percent.
    pub fn on_time_rate(&self) -> Option<f64> {
        let all =
            self.answered_on_time + self.answered_late + self.returned_on_time + self.returned_late;
        (all > 0).then(|| {
            ((self.answered_on_time + self.returned_on_time) as f64 * 1000.0 / all as f64).round()
                / 10.0
        })
    }

    pub fn verifications(&self) -> i64 {
        self.answered_on_time + self.answered_late + self.returned_on_time + self.returned_late
    }
}

/// The dashboard: every unit (or one) over the period, the months of its year, the total.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = supervision_Dashboard)]
pub struct Dashboard {
    pub period: Period,
    pub org_id: Option<i64>,
    pub units: Vec<UnitFigures>,
    pub months: Vec<UnitFigures>,
    pub total: UnitFigures,
}

/// The unit an actor may look at: all (`None`) for the county-wide readers, the own unit for
/// a unit's administrator.
fn scope(actor: &Actor, asked: Option<i64>) -> AppResult<Option<i64>> {
    if actor.has_any(READERS) {
        return Ok(asked);
    }
    if actor.has(Role::UnitAdmin)
        && let Some(own) = actor.org_id
    {
        return match asked {
            Some(o) if o != own => Err(AppError::forbidden("只能查看本单位的考核数据")),
            _ => Ok(Some(own)),
        };
    }
    actor.require_any(READERS)?;
    Err(AppError::forbidden("无权查看考核数据"))
}

async fn lines(
    app: &App,
    from: &str,
    to: &str,
    org: Option<i64>,
    by_month: bool,
) -> AppResult<Vec<UnitFigures>> {
    let mut ex = app.lagging();
    let sums = repo::sums(&mut ex, from, to, org, by_month).await?;
    let complaints = repo::complaint_sums(&mut ex, from, to, org, by_month).await?;
    let names = if by_month {
        HashMap::new()
    } else {
        repo::org_names(&mut ex).await?
    };
    let label = |k: &str| {
        if by_month {
            k.to_owned()
        } else {
            k.parse::<i64>()
                .ok()
                .and_then(|i| names.get(&i).cloned())
                .unwrap_or_else(|| format!("单位 {k}"))
        }
    };
    let mut out: Vec<UnitFigures> = sums
        .iter()
        .map(|s| UnitFigures::from_sums(s, label(&s.key)))
        .collect();
    let mut at: HashMap<String, usize> = out
        .iter()
        .enumerate()
        .map(|(i, f)| (f.key.clone(), i))
        .collect();
    for (k, received, upheld) in complaints {
        let i = match at.get(&k) {
            Some(i) => *i,
            None => {
                out.push(UnitFigures {
                    key: k.clone(),
                    label: label(&k),
                    ..UnitFigures::default()
                });
                at.insert(k.clone(), out.len() - 1);
                out.len() - 1
            }
        };
        out[i].complaints_received += received;
        out[i].complaints_upheld += upheld;
    }
    if by_month {
        out.sort_by(|a, b| a.key.cmp(&b.key));
    } else {
        out.sort_by(|a, b| a.label.cmp(&b.label));
    }
    Ok(out)
}

fn total_of(rows: &[UnitFigures]) -> UnitFigures {
    let mut t = UnitFigures {
        key: "total".to_owned(),
        label: "合计".to_owned(),
        ..UnitFigures::default()
    };
    for r in rows {
        t.answered_on_time += r.answered_on_time;
        t.answered_late += r.answered_late;
        t.returned_on_time += r.returned_on_time;
        t.returned_late += r.returned_late;
        t.adjustments_on_time += r.adjustments_on_time;
        t.adjustments_late += r.adjustments_late;
        t.complaints_received += r.complaints_received;
        t.complaints_upheld += r.complaints_upheld;
        t.checks_on_time += r.checks_on_time;
        t.checks_late += r.checks_late;
        t.measures_decided += r.measures_decided;
        t.measures_exempted += r.measures_exempted;
        t.measures_revoked += r.measures_revoked;
        t.measures_assessed += r.measures_assessed;
    }
    t
}

/// The dashboard of a period for the actor's scope.
pub async fn dashboard(app: &App, actor: &Actor, f: &PeriodQuery) -> AppResult<Dashboard> {
    let org = scope(actor, f.org_id)?;
    let period = Period::parse(f.period.as_deref(), app.now_ms())?;
    let units = lines(app, &period.from, &period.to, org, false).await?;
    let (y0, y1) = period.year_span();
    let months = lines(app, &y0, &y1, org, true).await?;
    let mut total = total_of(&units);
    // Averages of the total: weighted by the units' counts would need the raw sums; the
    // monthly series carries them per month, the total shows the period's rows' mean.
    let with = |g: fn(&UnitFigures) -> Option<f64>| {
        let v: Vec<(f64, i64)> = units
            .iter()
            .filter_map(|u| g(u).map(|a| (a, u.verifications())))
            .collect();
        let n: i64 = v.iter().map(|x| x.1).sum();
        (n > 0).then(|| {
            (v.iter().map(|x| x.0 * x.1 as f64).sum::<f64>() / n as f64 * 10.0).round() / 10.0
        })
    };
    total.avg_minutes_30m = with(|u| u.avg_minutes_30m);
    total.avg_minutes_1wd = with(|u| u.avg_minutes_1wd);
    total.avg_minutes_2wd = with(|u| u.avg_minutes_2wd);
    total.avg_minutes_statutory = with(|u| u.avg_minutes_statutory);
    Ok(Dashboard {
        period,
        org_id: org,
        units,
        months,
        total,
    })
}

/// One unit's line of the county service assessment feed.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = supervision_FeedRow)]
pub struct FeedRow {
    pub period: String,
    pub org_id: i64,
    pub org_name: String,
    pub verifications: i64,
    /// Percent in time (answered or returned), none without verifications.
    pub verification_on_time_rate: Option<f64>,
    pub avg_minutes_30m: Option<f64>,
    pub avg_minutes_1wd: Option<f64>,
    pub avg_minutes_2wd: Option<f64>,
    pub adjustments_on_time: i64,
    pub adjustments_late: i64,
    pub complaints_received: i64,
    pub complaints_upheld: i64,
    pub checks_on_time: i64,
    pub checks_late: i64,
    /// Measures counted in the assessment (exempted and revoked ones left out, A5 §11).
    pub measures_assessed: i64,
    pub measures_exempted: i64,
}

/// The feed the county's service assessment reads (JSON or xlsx): one line per unit.
pub async fn feed(app: &App, actor: &Actor, f: &PeriodQuery) -> AppResult<Vec<FeedRow>> {
    actor.require_any(READERS)?;
    let period = Period::parse(f.period.as_deref(), app.now_ms())?;
    let units = lines(app, &period.from, &period.to, f.org_id, false).await?;
    Ok(units
        .into_iter()
        .map(|u| FeedRow {
            period: period.label.clone(),
            org_id: u.key.parse().unwrap_or(0),
            verifications: u.verifications(),
            verification_on_time_rate: u.on_time_rate(),
            org_name: u.label,
            avg_minutes_30m: u.avg_minutes_30m,
            avg_minutes_1wd: u.avg_minutes_1wd,
            avg_minutes_2wd: u.avg_minutes_2wd,
            adjustments_on_time: u.adjustments_on_time,
            adjustments_late: u.adjustments_late,
            complaints_received: u.complaints_received,
            complaints_upheld: u.complaints_upheld,
            checks_on_time: u.checks_on_time,
            checks_late: u.checks_late,
            measures_assessed: u.measures_assessed,
            measures_exempted: u.measures_exempted,
        })
        .collect())
}

/// The public transparency figures of a year: every unit's aggregates, no personal data.
pub async fn public_figures(
    app: &App,
    year: Option<&str>,
) -> AppResult<(String, Vec<UnitFigures>)> {
    let period = match year.map(str::trim).filter(|s| !s.is_empty()) {
        Some(y) if y.len() == 4 => Period::parse(Some(y), app.now_ms())?,
        Some(_) => return Err(AppError::field("year", "年份须为四位数字（如 2026）")),
        None => Period::parse(None, app.now_ms())?,
    };
    let units = lines(app, &period.from, &period.to, None, false).await?;
    Ok((period.label, units))
}
