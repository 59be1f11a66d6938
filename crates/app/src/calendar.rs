//! The working-day calendar as data (issue #4): the State Council arrangements shipped with
//! the binary are seeded into the database (idempotently), an admin imports the next year's
//! notice or the county's own closures, and the effective calendar is cached in [`App`] and
//! reloaded whenever the data change (also when another instance changed them: see
//! [`refresh_if_changed`]).

use std::sync::Arc;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use proofless_domain::calendar::{
    Calendar, DayInfo, Entry, EntryKind, IMPORT_HEADER, OFFICIAL_YEARS, parse_entries,
};
use proofless_domain::deadline::{self, Computed, Period};
use proofless_domain::role::Role;
use proofless_store::{Tx, q};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::App;
use crate::actor::Actor;
use crate::audit::{self, Entry as AuditEntry};
use crate::error::{AppError, AppResult, FieldError, Problems};

/// Settings key whose value changes with every calendar change.
const REVISION_KEY: &str = "calendar.revision";

/// The cached effective calendar and the revision it was loaded at.
pub struct Cached {
    pub calendar: Arc<Calendar>,
    /// `None`: the built-in data, not yet read from the database.
    pub revision: Option<String>,
}

impl Cached {
    pub fn builtin() -> Cached {
        Cached {
            calendar: Arc::new(Calendar::official()),
            revision: None,
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct CalendarYear {
    pub year: i64,
    /// The State Council notice (document number) the year comes from.
    pub notice: String,
    pub published: Option<String>,
    /// `builtin` (shipped with the binary) or `import` (loaded by an admin).
    pub origin: String,
    pub loaded_by: String,
    pub loaded_at: i64,
    pub entries: i64,
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct CalendarDay {
    /// YYYY-MM-DD.
    pub day: String,
    /// `holiday`, `adjusted_workday` or `closure`.
    pub kind: String,
    pub name: String,
    pub source: String,
    /// `official` or `local`.
    pub origin: String,
    pub year: Option<i64>,
    pub created_by: String,
    pub created_at: i64,
}

/// A year the calendar shows, with whether its notice is loaded.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct YearStatus {
    pub year: i32,
    pub complete: bool,
}

fn revision_of(n: i64) -> String {
    format!("r{n}")
}

async fn bump_revision(tx: &mut Tx) -> AppResult<()> {
    let n = tx
        .execute(
            q("UPDATE settings SET value = CAST(CAST(value AS BIGINT) + 1 AS TEXT) WHERE key = ?")
                .bind(REVISION_KEY),
        )
        .await?;
    if n == 0 {
        tx.execute(
            q("INSERT INTO settings (key, value) VALUES (?, '1') ON CONFLICT (key) DO NOTHING")
                .bind(REVISION_KEY),
        )
        .await?;
    }
    Ok(())
}

async fn read_revision(app: &App) -> AppResult<String> {
    let v = app
        .db
        .reader()
        .fetch_optional::<(String,)>(
            q("SELECT value FROM settings WHERE key = ?").bind(REVISION_KEY),
        )
        .await?;
    Ok(v.map(|(s,)| format!("r{s}"))
        .unwrap_or_else(|| revision_of(0)))
}

/// Seeds every built-in State Council year missing from the database, inside `tx`.
/// Idempotent and safe when several instances start at once. A built-in row whose date an
/// admin already used for a local entry is left out (the local entry wins) and logged.
pub async fn seed_builtin(tx: &mut Tx, now_ms: i64) -> AppResult<usize> {
    let mut loaded = 0;
    for y in OFFICIAL_YEARS {
        let inserted = tx
            .execute(
                q("INSERT INTO calendar_years (year, notice, published, origin, loaded_by, loaded_at) \
                   VALUES (?, ?, ?, 'builtin', '系统（内置数据）', ?) ON CONFLICT (year) DO NOTHING")
                .bind(i64::from(y.year))
                .bind(y.notice)
                .bind(y.published)
                .bind(now_ms),
            )
            .await?;
        if inserted == 0 {
            continue;
        }
        let rows = parse_entries(y.csv).map_err(|e| AppError::Internal(e.to_string()))?;
        for r in &rows {
            let n = insert_day(
                tx,
                &r.entry,
                "official",
                Some(y.year),
                "系统（内置数据）",
                now_ms,
            )
            .await?;
            if n == 0 {
                tracing::warn!(date = %r.entry.date, "内置放假安排与本地调整冲突，保留本地调整");
            }
        }
        let system = Actor::system("calendar-seed");
        audit::append(
            tx,
            &system,
            now_ms,
            AuditEntry::new("calendar.year.load", "calendar_year", y.year).detail(json!({
                "notice": y.notice, "origin": "builtin", "entries": rows.len(),
            })),
        )
        .await?;
        loaded += 1;
    }
    if loaded > 0 {
        bump_revision(tx).await?;
    }
    Ok(loaded)
}

async fn insert_day(
    tx: &mut Tx,
    e: &Entry,
    origin: &str,
    year: Option<i32>,
    by: &str,
    now_ms: i64,
) -> AppResult<u64> {
    Ok(tx
        .execute(
            q("INSERT INTO calendar_days (day, kind, name, source, origin, year, created_by, created_at) \
               VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (day) DO NOTHING")
            .bind(e.date.to_string())
            .bind(e.kind.as_str())
            .bind(&e.name)
            .bind(&e.source)
            .bind(origin)
            .bind(year.map(i64::from))
            .bind(by)
            .bind(now_ms),
        )
        .await?)
}

/// One CSV field, quoted when needed.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) || s.trim() != s {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

fn to_csv(days: &[CalendarDay]) -> String {
    let mut out = String::from(IMPORT_HEADER);
    out.push('\n');
    for d in days {
        out.push_str(&format!(
            "{},{},{},{}\n",
            d.day,
            d.kind,
            csv_field(&d.name),
            csv_field(&d.source)
        ));
    }
    out
}

fn entry_of(d: &CalendarDay) -> Option<Entry> {
    Some(Entry {
        date: NaiveDate::parse_from_str(&d.day, "%Y-%m-%d").ok()?,
        kind: EntryKind::parse(&d.kind)?,
        name: d.name.clone(),
        source: d.source.clone(),
    })
}

const DAY_COLS: &str =
    "SELECT day, kind, name, source, origin, year, created_by, created_at FROM calendar_days";

/// Builds the effective calendar from the rows in the database.
async fn build_from(tx: &mut Tx) -> AppResult<Calendar> {
    let years = tx
        .fetch_all::<(i64, String)>(q("SELECT year, notice FROM calendar_years ORDER BY year"))
        .await?;
    let days = tx
        .fetch_all::<CalendarDay>(q(format!("{DAY_COLS} ORDER BY day")))
        .await?;
    let mut cal = Calendar::empty();
    for (year, notice) in years {
        let rows: Vec<CalendarDay> = days
            .iter()
            .filter(|d| d.origin == "official" && d.year == Some(year))
            .cloned()
            .collect();
        let y = i32::try_from(year).unwrap_or_default();
        if let Err(e) = cal.add_published_year(y, &notice, &to_csv(&rows)) {
            // Never guessed: the year stays incomplete and says so.
            tracing::error!(year, error = %e, "数据库中的放假安排无法载入，该年按普通周末计算");
        }
    }
    let local: Vec<Entry> = days
        .iter()
        .filter(|d| d.origin == "local")
        .filter_map(entry_of)
        .collect();
    if !local.is_empty()
        && let Err(e) = cal.add_local(local)
    {
        tracing::error!(error = %e, "数据库中的本地调整无法载入");
    }
    Ok(cal)
}

/// Seeds the built-in years if needed, reads the calendar from the database and replaces the
/// cached one. Called at start-up and after every change.
pub async fn reload(app: &App) -> AppResult<Arc<Calendar>> {
    let mut tx = app.db.begin().await?;
    seed_builtin(&mut tx, app.now_ms()).await?;
    let cal = Arc::new(build_from(&mut tx).await?);
    tx.commit().await?;
    let revision = read_revision(app).await?;
    if let Ok(mut g) = app.calendar.write() {
        *g = Cached {
            calendar: cal.clone(),
            revision: Some(revision),
        };
    }
    Ok(cal)
}

/// Reloads when the data changed since the cache was filled (e.g. by another instance).
/// Returns whether it reloaded.
pub async fn refresh_if_changed(app: &App) -> AppResult<bool> {
    let current = read_revision(app).await?;
    let cached = app.calendar.read().ok().and_then(|g| g.revision.clone());
    if cached.as_deref() == Some(current.as_str()) {
        return Ok(false);
    }
    reload(app).await?;
    Ok(true)
}

/// What the calendar says about `date`.
pub fn day(app: &App, date: NaiveDate) -> DayInfo {
    app.calendar().day(date)
}

/// The due instant of `period` from `start` with the deployment's office hours.
pub fn compute(app: &App, start: DateTime<Utc>, period: Period) -> Computed {
    let cal = app.calendar();
    deadline::compute(
        &cal,
        app.office_hours(),
        &deadline::DeadlineRecord::new(start, period),
    )
}

/// Loaded years with their notices and number of entries.
pub async fn years(app: &App) -> AppResult<Vec<CalendarYear>> {
    Ok(app
        .db
        .reader()
        .fetch_all(q(
            "SELECT y.year, y.notice, y.published, y.origin, y.loaded_by, y.loaded_at, \
             (SELECT COUNT(*) FROM calendar_days d WHERE d.year = y.year) AS entries \
             FROM calendar_years y ORDER BY y.year",
        ))
        .await?)
}

/// Calendar entries, of one year (by date) or all; local overrides only with `local_only`.
pub async fn days(app: &App, year: Option<i32>, local_only: bool) -> AppResult<Vec<CalendarDay>> {
    let mut sql = format!("{DAY_COLS} WHERE 1 = 1");
    let mut args: Vec<String> = vec![];
    if let Some(y) = year {
        sql.push_str(" AND day >= ? AND day <= ?");
        args.push(format!("{:04}-12-01", y - 1));
        args.push(format!("{y:04}-12-31"));
    }
    if local_only {
        sql.push_str(" AND origin = 'local'");
    }
    sql.push_str(" ORDER BY day");
    let mut query = q(&sql);
    for a in args {
        query = query.bind(a);
    }
    let mut rows: Vec<CalendarDay> = app.db.reader().fetch_all(query).await?;
    if let Some(y) = year {
        // Keep December of the year before only when it belongs to this year's notice.
        rows.retain(|d| d.day.starts_with(&format!("{y:04}")) || d.year == Some(i64::from(y)));
    }
    Ok(rows)
}

/// What an admin imports: the State Council arrangement of a year (`year` and `notice`
/// set; every row's source must be the notice), or local overrides (both unset).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct ImportInput {
    pub year: Option<i32>,
    pub notice: Option<String>,
    /// Publication date of the notice, YYYY-MM-DD (informative).
    pub published: Option<String>,
    /// The file: `date,kind,name,source`, one entry a line.
    pub csv: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ImportReport {
    pub year: Option<i32>,
    pub entries: usize,
    pub calendar_version: String,
}

/// Largest import file accepted.
pub const MAX_IMPORT_BYTES: usize = 256 * 1024;

fn row_problems(e: &proofless_domain::calendar::ImportError) -> AppError {
    AppError::Validation(
        e.errors
            .iter()
            .map(|r| FieldError::new("csv", r.to_string()))
            .collect(),
    )
}

/// Imports a calendar file, all or nothing (system administrator). Every bad row is reported
/// in Chinese with its line and field; a date that already has an entry is refused.
pub async fn import(app: &App, actor: &Actor, input: &ImportInput) -> AppResult<ImportReport> {
    actor.require_any(&[Role::SystemAdmin])?;
    let mut p = Problems::default();
    if input.csv.len() > MAX_IMPORT_BYTES {
        p.add(
            "csv",
            format!("文件过大（最多 {} KB）", MAX_IMPORT_BYTES / 1024),
        );
    }
    if input.csv.trim().is_empty() {
        p.add("csv", "文件内容不能为空");
    }
    let official = match (input.year, input.notice.as_deref().map(str::trim)) {
        (None, None) => None,
        (Some(y), Some(n)) if !n.is_empty() => Some((y, n.to_owned())),
        (Some(_), _) => {
            p.add("notice", "载入国务院放假安排须填写通知文号");
            None
        }
        (None, Some(_)) => {
            p.add("year", "载入国务院放假安排须填写年份");
            None
        }
    };
    if let Some(pubd) = input.published.as_deref().filter(|s| !s.trim().is_empty())
        && NaiveDate::parse_from_str(pubd.trim(), "%Y-%m-%d").is_err()
    {
        p.add(
            "published",
            format!("发布日期“{pubd}”无效（应为 YYYY-MM-DD）"),
        );
    }
    p.into_result()?;
    let now = app.now_ms();
    let by = actor.name.clone();
    let mut tx = app.db.begin().await?;
    seed_builtin(&mut tx, now).await?;
    let mut cal = build_from(&mut tx).await?;
    let rows = parse_entries(&input.csv).map_err(|e| row_problems(&e))?;
    let n = match &official {
        Some((year, notice)) => {
            cal.add_published_year(*year, notice, &input.csv)
                .map_err(|e| match e {
                    proofless_domain::calendar::CalendarError::Rows(_, rows) => row_problems(&rows),
                    proofless_domain::calendar::CalendarError::YearAlreadyLoaded(_) => {
                        AppError::field("year", e.to_string())
                    }
                    proofless_domain::calendar::CalendarError::YearOutOfRange(_) => {
                        AppError::field("year", e.to_string())
                    }
                    proofless_domain::calendar::CalendarError::EmptyNotice => {
                        AppError::field("notice", e.to_string())
                    }
                })?;
            tx.execute(
                q("INSERT INTO calendar_years (year, notice, published, origin, loaded_by, loaded_at) \
                   VALUES (?, ?, ?, 'import', ?, ?)")
                .bind(i64::from(*year))
                .bind(notice)
                .bind(input.published.as_deref().map(str::trim).filter(|s| !s.is_empty()))
                .bind(&by)
                .bind(now),
            )
            .await?;
            for r in &rows {
                insert_day(&mut tx, &r.entry, "official", Some(*year), &by, now).await?;
            }
            rows.len()
        }
        None => {
            cal.import_local(&input.csv).map_err(|e| row_problems(&e))?;
            for r in &rows {
                insert_day(&mut tx, &r.entry, "local", None, &by, now).await?;
            }
            rows.len()
        }
    };
    audit::append(
        &mut tx,
        actor,
        now,
        AuditEntry::new(
            if official.is_some() {
                "calendar.year.import"
            } else {
                "calendar.local.import"
            },
            "calendar",
            official
                .as_ref()
                .map_or_else(|| "local".to_owned(), |(y, _)| y.to_string()),
        )
        .detail(json!({
            "notice": official.as_ref().map(|(_, n)| n),
            "entries": n,
            "dates": rows.iter().map(|r| r.entry.date.to_string()).collect::<Vec<_>>(),
            "calendar_version": cal.version(),
        })),
    )
    .await?;
    bump_revision(&mut tx).await?;
    tx.commit().await?;
    let cal = reload(app).await?;
    crate::deadlines::recompute_open(app).await?;
    Ok(ImportReport {
        year: official.map(|(y, _)| y),
        entries: n,
        calendar_version: cal.version().to_owned(),
    })
}

/// One local override (the county's own closure, or an extra entry).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct OverrideInput {
    /// YYYY-MM-DD.
    pub date: String,
    /// `closure` (extra non-working day), `holiday` or `adjusted_workday`.
    pub kind: String,
    pub name: String,
    /// The county notice it comes from.
    pub source: String,
}

/// Adds a local override (system administrator).
pub async fn add_override(
    app: &App,
    actor: &Actor,
    input: &OverrideInput,
) -> AppResult<CalendarDay> {
    actor.require_any(&[Role::SystemAdmin])?;
    let csv = format!(
        "{IMPORT_HEADER}\n{},{},{},{}\n",
        csv_field(input.date.trim()),
        csv_field(input.kind.trim()),
        csv_field(&input.name),
        csv_field(&input.source)
    );
    // The same checks as an import file, reported against the form's fields.
    let rows = parse_entries(&csv).map_err(|e| {
        AppError::Validation(
            e.errors
                .iter()
                .map(|r| {
                    let field = match r.field {
                        proofless_domain::calendar::Field::Date => "date",
                        proofless_domain::calendar::Field::Kind => "kind",
                        proofless_domain::calendar::Field::Name => "name",
                        proofless_domain::calendar::Field::Source => "source",
                        _ => "date",
                    };
                    FieldError::new(field, format!("{}：{}", r.field.label(), r.message))
                })
                .collect(),
        )
    })?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    seed_builtin(&mut tx, now).await?;
    let mut cal = build_from(&mut tx).await?;
    cal.import_local(&csv).map_err(|e| {
        AppError::Validation(
            e.errors
                .iter()
                .map(|r| FieldError::new("date", format!("{}：{}", r.field.label(), r.message)))
                .collect(),
        )
    })?;
    let mut entry = None;
    for r in rows {
        insert_day(&mut tx, &r.entry, "local", None, &actor.name, now).await?;
        entry = Some(r.entry);
    }
    let Some(entry) = entry else {
        return Err(AppError::field("date", "没有可添加的日期"));
    };
    audit::append(
        &mut tx,
        actor,
        now,
        AuditEntry::new("calendar.override.add", "calendar_day", entry.date).detail(json!({
            "kind": entry.kind.as_str(), "name": entry.name, "source": entry.source,
        })),
    )
    .await?;
    bump_revision(&mut tx).await?;
    tx.commit().await?;
    reload(app).await?;
    crate::deadlines::recompute_open(app).await?;
    app.db
        .reader()
        .fetch_one(q(format!("{DAY_COLS} WHERE day = ?")).bind(entry.date.to_string()))
        .await
        .map_err(Into::into)
}

/// Removes a local override (system administrator). Official entries cannot be removed.
pub async fn remove_override(app: &App, actor: &Actor, date: NaiveDate) -> AppResult<()> {
    actor.require_any(&[Role::SystemAdmin])?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let n = tx
        .execute(
            q("DELETE FROM calendar_days WHERE day = ? AND origin = 'local'")
                .bind(date.to_string()),
        )
        .await?;
    if n == 0 {
        return Err(AppError::NotFound(format!("{date} 的本地调整")));
    }
    audit::append(
        &mut tx,
        actor,
        now,
        AuditEntry::new("calendar.override.remove", "calendar_day", date),
    )
    .await?;
    bump_revision(&mut tx).await?;
    tx.commit().await?;
    reload(app).await?;
    crate::deadlines::recompute_open(app).await?;
    Ok(())
}

/// The first year after the current one whose notice is not loaded yet, from `now`.
pub fn next_missing_year(cal: &Calendar, now: DateTime<Utc>) -> Option<i32> {
    let this = now.with_timezone(&crate::beijing()).year();
    (this + 1..=this + 1).find(|y| !cal.is_year_complete(*y))
}

/// Statuses of the years around now, for the admin page's warning.
pub fn year_statuses(app: &App) -> Vec<YearStatus> {
    let cal = app.calendar();
    let this = app.clock.now().with_timezone(&crate::beijing()).year();
    let first = cal.years_complete().first().copied().unwrap_or(this);
    (first.min(this)..=this + 1)
        .map(|year| YearStatus {
            year,
            complete: cal.is_year_complete(year),
        })
        .collect()
}
