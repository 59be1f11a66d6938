//! The calendar's SQL, and only here.

use proofless_domain::calendar::{DayOrigin, Entry, YearOrigin};
use proofless_store::{Exec, q};

use super::records::{CalendarDay, CalendarYear};
use crate::error::AppResult;

/// Settings key whose value changes with every calendar change.
const REVISION_KEY: &str = "calendar.revision";

const DAY_COLS: &str =
    "SELECT day, kind, name, source, origin, year, created_by, created_at FROM calendar_days";

pub(crate) async fn bump_revision(ex: &mut impl Exec) -> AppResult<()> {
    let n = ex
        .execute(
            q("UPDATE settings SET value = CAST(CAST(value AS BIGINT) + 1 AS TEXT) WHERE key = ?")
                .bind(REVISION_KEY),
        )
        .await?;
    if n == 0 {
        ex.execute(
            q("INSERT INTO settings (key, value) VALUES (?, '1') ON CONFLICT (key) DO NOTHING")
                .bind(REVISION_KEY),
        )
        .await?;
    }
    Ok(())
}

/// The revision counter; `None` before the first change.
pub(crate) async fn revision(ex: &mut impl Exec) -> AppResult<Option<String>> {
    let v: Option<(String,)> = ex
        .fetch_optional(q("SELECT value FROM settings WHERE key = ?").bind(REVISION_KEY))
        .await?;
    Ok(v.map(|(s,)| s))
}

/// A year's notice unless the year is there; returns whether it was written.
pub(crate) async fn insert_year(
    ex: &mut impl Exec,
    year: i32,
    notice: &str,
    published: Option<&str>,
    origin: YearOrigin,
    by: &str,
    now_ms: i64,
) -> AppResult<bool> {
    // A built-in year already there is skipped; an imported one there is refused earlier
    // (the calendar says the year is loaded), so a conflict never hides an import.
    let conflict = match origin {
        YearOrigin::Builtin => " ON CONFLICT (year) DO NOTHING",
        YearOrigin::Import => "",
    };
    let n = ex
        .execute(
            q(format!(
                "INSERT INTO calendar_years (year, notice, published, origin, loaded_by, loaded_at) \
                 VALUES (?, ?, ?, ?, ?, ?){conflict}"
            ))
            .bind(i64::from(year))
            .bind(notice)
            .bind(published)
            .bind(origin.as_str())
            .bind(by)
            .bind(now_ms),
        )
        .await?;
    Ok(n > 0)
}

/// A date unless it already has an entry; returns the rows written (0 or 1).
pub(crate) async fn insert_day(
    ex: &mut impl Exec,
    e: &Entry,
    origin: DayOrigin,
    year: Option<i32>,
    by: &str,
    now_ms: i64,
) -> AppResult<u64> {
    Ok(ex
        .execute(
            q("INSERT INTO calendar_days (day, kind, name, source, origin, year, created_by, created_at) \
               VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (day) DO NOTHING")
            .bind(e.date.to_string())
            .bind(e.kind.as_str())
            .bind(&e.name)
            .bind(&e.source)
            .bind(origin.as_str())
            .bind(year.map(i64::from))
            .bind(by)
            .bind(now_ms),
        )
        .await?)
}

/// Every loaded year's notice, by year.
pub(crate) async fn notices(ex: &mut impl Exec) -> AppResult<Vec<(i64, String)>> {
    Ok(ex
        .fetch_all(q("SELECT year, notice FROM calendar_years ORDER BY year"))
        .await?)
}

/// Loaded years with their number of entries.
pub(crate) async fn years(ex: &mut impl Exec) -> AppResult<Vec<CalendarYear>> {
    Ok(ex
        .fetch_all(q(
            "SELECT y.year, y.notice, y.published, y.origin, y.loaded_by, y.loaded_at, \
             (SELECT COUNT(*) FROM calendar_days d WHERE d.year = y.year) AS entries \
             FROM calendar_years y ORDER BY y.year",
        ))
        .await?)
}

/// Stored dates, all or between two dates (inclusive), local overrides only with
/// `local_only`, by date.
pub(crate) async fn days(
    ex: &mut impl Exec,
    between: Option<(String, String)>,
    local_only: bool,
) -> AppResult<Vec<CalendarDay>> {
    let mut sql = format!("{DAY_COLS} WHERE 1 = 1");
    if between.is_some() {
        sql.push_str(" AND day >= ? AND day <= ?");
    }
    if local_only {
        sql.push_str(" AND origin = 'local'");
    }
    sql.push_str(" ORDER BY day");
    let mut query = q(&sql);
    if let Some((from, to)) = between {
        query = query.bind(from).bind(to);
    }
    Ok(ex.fetch_all(query).await?)
}

pub(crate) async fn day(ex: &mut impl Exec, date: &str) -> AppResult<CalendarDay> {
    Ok(ex
        .fetch_one(q(format!("{DAY_COLS} WHERE day = ?")).bind(date))
        .await?)
}

/// Removes a local override; returns the rows removed.
pub(crate) async fn delete_local(ex: &mut impl Exec, date: &str) -> AppResult<u64> {
    Ok(ex
        .execute(q("DELETE FROM calendar_days WHERE day = ? AND origin = 'local'").bind(date))
        .await?)
}
