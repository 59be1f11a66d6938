//! Synthetic worlds for load and scale tests (issue #7 §1): regions in four levels,
//! orgs with valid credit codes, persons with valid resident IDs, and an audit log
//! whose SM3 chain verifies. Written in bulk through the store layer: many rows per
//! statement, many statements per transaction.

use std::time::{Duration, Instant};

use proofless_domain::codes::CreditCode;
use proofless_store::{Query, Tx, Value};

use crate::App;
use crate::actor::Actor;
use crate::audit::{self, Entry};
use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, Copy)]
pub struct Scale {
    pub name: &'static str,
    pub cities: u64,
    pub counties_per_city: u64,
    pub towns_per_county: u64,
    pub villages_per_town: u64,
    pub orgs: u64,
    pub persons: u64,
    pub audit_rows: u64,
    /// Published proof items, spread over the counties.
    pub proof_items: u64,
    /// Cases of generated persons at generated units.
    pub cases: u64,
    /// Signed commitments, one on each of the first cases (at most `cases`).
    pub commitments: u64,
}

impl Scale {
    /// county ≈ one county; city ≈ Zibo; province ≈ Shandong (16 cities, 140 counties,
    /// 1,800 towns, 80,000 villages, 20,000 orgs, 1,000,000 cases and commitments,
    /// 10,000,000 credit records, 10,000,000 audit rows).
    pub fn parse(s: &str) -> Option<Scale> {
        Some(match s {
            "county" => Scale {
                name: "county",
                cities: 1,
                counties_per_city: 1,
                towns_per_county: 12,
                villages_per_town: 35,
                orgs: 200,
                persons: 50_000,
                audit_rows: 100_000,
                proof_items: 1_000,
                cases: 20_000,
                commitments: 20_000,
            },
            "city" => Scale {
                name: "city",
                cities: 1,
                counties_per_city: 9,
                towns_per_county: 13,
                villages_per_town: 44,
                orgs: 1_500,
                persons: 300_000,
                audit_rows: 1_000_000,
                proof_items: 10_000,
                cases: 200_000,
                commitments: 200_000,
            },
            "province" => Scale {
                name: "province",
                cities: 16,
                counties_per_city: 9,  // 144 ≈ 140 counties
                towns_per_county: 13,  // 1,872 ≈ 1,800 towns
                villages_per_town: 43, // 80,496 ≈ 80,000 villages
                orgs: 20_000,
                persons: 1_000_000,
                audit_rows: 10_000_000,
                proof_items: 100_000,
                cases: 1_000_000,
                commitments: 1_000_000,
            },
            _ => return None,
        })
    }
}

/// How many rows of each kind were written, and how long each took.
#[derive(Debug, Default)]
pub struct Report {
    pub lines: Vec<(String, u64, Duration)>,
}

/// Shandong's 16 prefecture-level cities (GB/T 2260; 3712 merged into Jinan in 2019).
const CITY_CODES: [&str; 16] = [
    "3701", "3702", "3703", "3704", "3705", "3706", "3707", "3708", "3709", "3710", "3711", "3713",
    "3714", "3715", "3716", "3717",
];

/// Rows per INSERT statement and statements per transaction.
const ROWS_PER_STATEMENT: usize = 400;
const ROWS_PER_TX: usize = 20_000;

/// Inserts rows in bulk: `head` is `INSERT INTO t (a, b) VALUES`, each row its values.
/// Existing keys are skipped, so a partly generated world can be completed.
pub(crate) async fn bulk(
    app: &App,
    head: &str,
    rows: impl Iterator<Item = Vec<Value>>,
) -> AppResult<u64> {
    let mut n = 0u64;
    let mut tx: Option<Tx> = None;
    let mut in_tx = 0usize;
    let mut batch: Vec<Vec<Value>> = Vec::with_capacity(ROWS_PER_STATEMENT);
    let mut rows = rows.peekable();
    while rows.peek().is_some() {
        batch.clear();
        while batch.len() < ROWS_PER_STATEMENT {
            match rows.next() {
                Some(r) => batch.push(r),
                None => break,
            }
        }
        let mut stmt = Query::new(head);
        for (i, r) in batch.iter().enumerate() {
            stmt.push_sql(if i == 0 { " (" } else { ", (" });
            stmt.push_sql(&Query::placeholders(r.len()));
            stmt.push_sql(")");
            for v in r {
                stmt.push_arg(v.clone());
            }
        }
        stmt.push_sql(" ON CONFLICT DO NOTHING");
        let t = match tx.as_mut() {
            Some(t) => t,
            None => tx.insert(app.db.begin().await?),
        };
        t.execute(stmt).await?;
        n += batch.len() as u64;
        in_tx += batch.len();
        if in_tx >= ROWS_PER_TX {
            if let Some(t) = tx.take() {
                t.commit().await?;
            }
            in_tx = 0;
        }
    }
    if let Some(t) = tx.take() {
        t.commit().await?;
    }
    Ok(n)
}

struct Region {
    code: String,
    name: String,
    level: &'static str,
    parent: String,
}

fn regions(s: &Scale) -> Vec<Region> {
    let mut out = vec![];
    for c in CITY_CODES.iter().take(s.cities as usize) {
        let city = format!("{c}00000000");
        out.push(Region {
            code: city.clone(),
            name: format!("合成{c}市"),
            level: "city",
            parent: "370000000000".to_owned(),
        });
        for k in 1..=s.counties_per_city {
            // 81–99: county codes no real Shandong county uses.
            let county6 = format!("{c}{:02}", 80 + k);
            let county = format!("{county6}000000");
            out.push(Region {
                code: county.clone(),
                name: format!("合成{county6}县"),
                level: "county",
                parent: city.clone(),
            });
            for t in 1..=s.towns_per_county {
                let town = format!("{county6}{t:03}000");
                out.push(Region {
                    code: town.clone(),
                    name: format!("合成{county6}县第{t}镇"),
                    level: "town",
                    parent: county.clone(),
                });
                for v in 1..=s.villages_per_town {
                    out.push(Region {
                        code: format!("{county6}{t:03}{v:03}"),
                        name: format!("第{t}镇第{v}村"),
                        level: "village",
                        parent: town.clone(),
                    });
                }
            }
        }
    }
    out
}

pub(crate) fn progress(label: &str, total: u64) -> indicatif::ProgressBar {
    let pb = indicatif::ProgressBar::new(total);
    pb.set_style(
        indicatif::ProgressStyle::with_template(
            "{msg:8} [{bar:40}] {pos}/{len} {per_sec} 剩余 {eta}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    pb.set_message(label.to_owned());
    pb
}

/// Fills the database with a synthetic world of the given scale.
pub async fn generate(app: &App, s: &Scale) -> AppResult<Report> {
    let mut report = Report::default();

    let t = Instant::now();
    let regs = regions(s);
    let pb = progress("区划", regs.len() as u64);
    let n = bulk(
        app,
        "INSERT INTO regions (code, name, level, parent_code) VALUES",
        regs.iter().map(|r| {
            pb.inc(1);
            vec![
                r.code.clone().into(),
                r.name.clone().into(),
                r.level.into(),
                r.parent.clone().into(),
            ]
        }),
    )
    .await?;
    pb.finish();
    report.lines.push(("regions".into(), n, t.elapsed()));

    let t = Instant::now();
    let towns: Vec<&Region> = regs.iter().filter(|r| r.level == "town").collect();
    let now = app.now_ms();
    let pb = progress("单位", s.orgs);
    let mut rows = vec![];
    for i in 0..s.orgs {
        let town = towns
            .get((i as usize) % towns.len().max(1))
            .ok_or_else(|| AppError::Internal("没有乡镇可放置单位".into()))?;
        let code = CreditCode::generate('1', '1', &town.code[..6], 5_000_000 + i)
            .map_err(|e| AppError::Internal(e.to_string()))?;
        rows.push(vec![
            format!("合成单位{i:06}").into(),
            code.as_str().to_owned().into(),
            "administrative_body".into(),
            town.code.clone().into(),
            now.into(),
            now.into(),
        ]);
    }
    let n = bulk(
        app,
        "INSERT INTO orgs (name, credit_code, kind, region_code, created_at, updated_at) VALUES",
        rows.into_iter().inspect(|_| pb.inc(1)),
    )
    .await?;
    pb.finish();
    report.lines.push(("orgs".into(), n, t.elapsed()));

    let t = Instant::now();
    let pb = progress("自然人", s.persons);
    let n = bulk(
        app,
        "INSERT INTO persons (resident_id, name, created_at) VALUES",
        (0..s.persons).filter_map(|i| {
            pb.inc(1);
            let rid = synthetic_resident_id(i)?;
            Some(vec![rid.into(), format!("合成{i}").into(), now.into()])
        }),
    )
    .await?;
    pb.finish();
    report.lines.push(("persons".into(), n, t.elapsed()));

    let t = Instant::now();
    let counties: Vec<(String, String)> = regs
        .iter()
        .filter(|r| r.level == "county")
        .map(|r| (r.code.clone(), r.name.clone()))
        .collect();
    let n = crate::synth_catalogue::generate(app, &counties, s.proof_items).await?;
    report.lines.push(("proof items".into(), n, t.elapsed()));

    let t = Instant::now();
    let n = audit_rows(app, s.audit_rows).await?;
    report.lines.push(("audit rows".into(), n, t.elapsed()));
    crate::commitment::synth::generate(app, s, &mut report).await?;
    report
        .lines
        .extend(crate::cases_synth::generate(app, s).await?);
    report
        .lines
        .push(crate::verification_synth::generate(app, s.audit_rows.min(1_000_000)).await?);
    Ok(report)
}

/// A valid resident ID per index: Gaoqing region, birth dates from 1940, serials 000–999.
pub fn synthetic_resident_id(i: u64) -> Option<String> {
    use chrono::{Days, NaiveDate};
    let birth = NaiveDate::from_ymd_opt(1940, 1, 1)?.checked_add_days(Days::new(i / 1000))?;
    let rid = crate::demo::demo_resident_id(
        &birth.format("%Y%m%d").to_string(),
        &format!("{:03}", i % 1000),
    )
    .ok()?;
    Some(rid.as_str().to_owned())
}

/// Appends `total` chained audit rows (synthetic reads of persons' data, as counters
/// do all day) through [`audit::append_many`], in transactions of `ROWS_PER_TX` rows
/// spread over the past year.
async fn audit_rows(app: &App, total: u64) -> AppResult<u64> {
    let actor = Actor::system("gen");
    let pb = progress("审计日志", total);
    let mut done = 0u64;
    let base_at = app.now_ms() - 365 * 24 * 3600 * 1000;
    while done < total {
        let n = (total - done).min(ROWS_PER_TX as u64);
        let entries = (done..done + n)
            .map(|i| {
                let person = i % 1_000_000 + 1;
                Entry::new("person.read", "person", person)
                    .subject(format!("person:{person}"))
                    .purpose("办理业务核对身份")
            })
            .collect();
        let mut tx = app.db.begin().await?;
        audit::append_many(&mut tx, &actor, base_at + done as i64 * 3, entries).await?;
        tx.commit().await?;
        pb.inc(n);
        done += n;
    }
    pb.finish();
    Ok(done)
}
