//! The calendar's use cases: seed and load the effective calendar, answer about dates,
//! import a year or local overrides, add and remove one override. Every change recomputes
//! the unfinished deadlines with the new calendar.

use std::sync::Arc;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use proofless_domain::calendar::{
    Calendar, CalendarError, DayInfo, DayOrigin, Entry, IMPORT_HEADER, OFFICIAL_YEARS, YearOrigin,
    parse_entries,
};
use proofless_domain::deadline::{self, Computed, Period};
use proofless_domain::role::Role;
use proofless_store::Tx;
use serde_json::json;

use super::input::{ImportInput, OverrideInput, csv_field, row_problems};
use super::records::{Cached, CalendarDay, CalendarYear, ImportReport, YearStatus};
use super::repo;
use crate::App;
use crate::actor::Actor;
use crate::audit::{self, Entry as AuditEntry};
use crate::error::{AppError, AppResult, FieldError};

const BUILTIN_BY: &str = "系统（内置数据）";

/// Seeds every built-in State Council year missing from the database, inside `tx`.
/// Idempotent and safe when several instances start at once. A built-in row whose date an
/// admin already used for a local entry is left out (the local entry wins) and logged.
pub async fn seed_builtin(tx: &mut Tx, now_ms: i64) -> AppResult<usize> {
    let mut loaded = 0;
    for y in OFFICIAL_YEARS {
        let inserted = repo::insert_year(
            tx,
            y.year,
            y.notice,
            Some(y.published),
            YearOrigin::Builtin,
            BUILTIN_BY,
            now_ms,
        )
        .await?;
        if !inserted {
            continue;
        }
        let rows = parse_entries(y.csv).map_err(|e| AppError::Internal(e.to_string()))?;
        for r in &rows {
            let n = repo::insert_day(
                tx,
                &r.entry,
                DayOrigin::Official,
                Some(y.year),
                BUILTIN_BY,
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
        repo::bump_revision(tx).await?;
    }
    Ok(loaded)
}

fn to_csv(days: &[&CalendarDay]) -> String {
    let mut out = String::from(IMPORT_HEADER);
    out.push('\n');
    for d in days {
        out.push_str(&format!(
            "{},{},{},{}\n",
            d.day,
            d.kind.as_str(),
            csv_field(&d.name),
            csv_field(&d.source)
        ));
    }
    out
}

/// Builds the effective calendar from the rows in the database.
async fn build_from(tx: &mut Tx) -> AppResult<Calendar> {
    let years = repo::notices(tx).await?;
    let days = repo::days(tx, None, false).await?;
    let mut cal = Calendar::empty();
    for (year, notice) in years {
        let rows: Vec<&CalendarDay> = days
            .iter()
            .filter(|d| d.origin == DayOrigin::Official && d.year == Some(year))
            .collect();
        let y = i32::try_from(year)
            .map_err(|_| AppError::Internal(format!("数据库中的年份 {year} 无效")))?;
        if let Err(e) = cal.add_published_year(y, &notice, &to_csv(&rows)) {
            // Never guessed: the year stays incomplete and says so.
            tracing::error!(year, error = %e, "数据库中的放假安排无法载入，该年按法定节假日（暂定）和周末计算");
        }
    }
    let local: Vec<Entry> = days
        .iter()
        .filter(|d| d.origin == DayOrigin::Local)
        .map(|d| Entry {
            date: d.day,
            kind: d.kind,
            name: d.name.clone(),
            source: d.source.clone(),
        })
        .collect();
    if !local.is_empty()
        && let Err(e) = cal.add_local(local)
    {
        tracing::error!(error = %e, "数据库中的本地调整无法载入");
    }
    Ok(cal)
}

async fn read_revision(app: &App) -> AppResult<String> {
    let n = repo::revision(&mut app.db.reader()).await?;
    Ok(format!("r{}", n.as_deref().unwrap_or("0")))
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

/// After a change is committed: the new calendar cached, unfinished deadlines recomputed.
async fn changed(app: &App) -> AppResult<Arc<Calendar>> {
    let cal = reload(app).await?;
    crate::deadlines::recompute_open(app).await?;
    Ok(cal)
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
    repo::years(&mut app.db.reader()).await
}

/// Calendar entries, of one year (by date) or all; local overrides only with `local_only`.
pub async fn days(app: &App, year: Option<i32>, local_only: bool) -> AppResult<Vec<CalendarDay>> {
    // `year - 1` below must not overflow (a fuzzed i32::MIN crashed the request).
    if year.is_some_and(|y| !(1900..=2200).contains(&y)) {
        return Err(AppError::field("year", "年份应在 1900 至 2200 之间"));
    }
    let between = year.map(|y| (format!("{:04}-12-01", y - 1), format!("{y:04}-12-31")));
    let mut rows = repo::days(&mut app.db.reader(), between, local_only).await?;
    if let Some(y) = year {
        // Keep December of the year before only when it belongs to this year's notice.
        rows.retain(|d| d.day.year() == y || d.year == Some(i64::from(y)));
    }
    Ok(rows)
}

fn year_problem(e: CalendarError) -> AppError {
    match e {
        CalendarError::Rows(_, rows) => row_problems(&rows),
        CalendarError::YearAlreadyLoaded(_) | CalendarError::YearOutOfRange(_) => {
            AppError::field("year", e.to_string())
        }
        CalendarError::EmptyNotice => AppError::field("notice", e.to_string()),
    }
}

/// Imports a calendar file, all or nothing (system administrator). Every bad row is reported
/// in Chinese with its line and field; a date that already has an entry is refused.
pub async fn import(app: &App, actor: &Actor, input: &ImportInput) -> AppResult<ImportReport> {
    actor.require_any(&[Role::SystemAdmin])?;
    let cmd = input.parse()?;
    let now = app.now_ms();
    let by = actor.name.clone();
    let mut tx = app.db.begin().await?;
    seed_builtin(&mut tx, now).await?;
    let mut cal = build_from(&mut tx).await?;
    let (origin, year) = match &cmd.official {
        Some((year, notice)) => {
            cal.add_published_year(*year, notice, &cmd.csv)
                .map_err(year_problem)?;
            repo::insert_year(
                &mut tx,
                *year,
                notice,
                cmd.published.as_deref(),
                YearOrigin::Import,
                &by,
                now,
            )
            .await?;
            (DayOrigin::Official, Some(*year))
        }
        None => {
            cal.import_local(&cmd.csv).map_err(|e| row_problems(&e))?;
            (DayOrigin::Local, None)
        }
    };
    for r in &cmd.rows {
        repo::insert_day(&mut tx, &r.entry, origin, year, &by, now).await?;
    }
    let n = cmd.rows.len();
    audit::append(
        &mut tx,
        actor,
        now,
        AuditEntry::new(
            if year.is_some() {
                "calendar.year.import"
            } else {
                "calendar.local.import"
            },
            "calendar",
            year.map_or_else(|| "local".to_owned(), |y| y.to_string()),
        )
        .detail(json!({
            "notice": cmd.official.as_ref().map(|(_, n)| n),
            "entries": n,
            "dates": cmd.rows.iter().map(|r| r.entry.date.to_string()).collect::<Vec<_>>(),
            "calendar_version": cal.version(),
        })),
    )
    .await?;
    repo::bump_revision(&mut tx).await?;
    tx.commit().await?;
    let cal = changed(app).await?;
    Ok(ImportReport {
        year,
        entries: n,
        calendar_version: cal.version().to_owned(),
    })
}

/// Adds a local override (system administrator).
pub async fn add_override(
    app: &App,
    actor: &Actor,
    input: &OverrideInput,
) -> AppResult<CalendarDay> {
    actor.require_any(&[Role::SystemAdmin])?;
    let entry = input.parse()?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    seed_builtin(&mut tx, now).await?;
    let mut cal = build_from(&mut tx).await?;
    cal.add_local(vec![entry.clone()]).map_err(|e| {
        AppError::Validation(
            e.errors
                .iter()
                .map(|r| FieldError::new("date", format!("{}：{}", r.field.label(), r.message)))
                .collect(),
        )
    })?;
    repo::insert_day(&mut tx, &entry, DayOrigin::Local, None, &actor.name, now).await?;
    audit::append(
        &mut tx,
        actor,
        now,
        AuditEntry::new("calendar.override.add", "calendar_day", entry.date).detail(json!({
            "kind": entry.kind.as_str(), "name": entry.name, "source": entry.source,
        })),
    )
    .await?;
    repo::bump_revision(&mut tx).await?;
    tx.commit().await?;
    changed(app).await?;
    repo::day(&mut app.db.reader(), &entry.date.to_string()).await
}

/// Removes a local override (system administrator). Official entries cannot be removed.
pub async fn remove_override(app: &App, actor: &Actor, date: NaiveDate) -> AppResult<()> {
    actor.require_any(&[Role::SystemAdmin])?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    if repo::delete_local(&mut tx, &date.to_string()).await? == 0 {
        return Err(AppError::NotFound(format!("{date} 的本地调整")));
    }
    audit::append(
        &mut tx,
        actor,
        now,
        AuditEntry::new("calendar.override.remove", "calendar_day", date),
    )
    .await?;
    repo::bump_revision(&mut tx).await?;
    tx.commit().await?;
    changed(app).await?;
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
