//! The working-day calendar: official arrangements plus local overrides, with a precomputed
//! day table for fast deadline maths.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate, Weekday};

use super::day::{DayInfo, DayKind, Entry, EntryKind};
use super::import::{Field, ImportError, ImportedEntry, RowError, parse_entries};
use super::official::OFFICIAL_YEARS;
use super::provisional::all_provisional;
use super::table::{DayBits, DayTable, TABLE_FIRST_YEAR, TABLE_LAST_YEAR, day_number};
use super::version::Fnv;

/// Errors of loading a published year.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("{0}年的放假安排已经载入，不能重复载入")]
    YearAlreadyLoaded(i32),
    #[error("年份 {0} 超出支持范围（{TABLE_FIRST_YEAR}–{TABLE_LAST_YEAR}年）")]
    YearOutOfRange(i32),
    #[error("通知文号不能为空")]
    EmptyNotice,
    #[error("{0}年放假安排有误：\n{1}")]
    Rows(i32, ImportError),
}

/// Where an entry came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Origin {
    Official,
    Local,
}

/// Chinese working-day calendar (SPEC "Working days"): State Council holidays and adjusted
/// working days for every published year, the county's own closures and extra entries, and
/// for a year without a published notice the statutory holidays of 全国年节及纪念日放假办法 as
/// provisional holidays (reported as incomplete, issue #15 item 12).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calendar {
    entries: BTreeMap<NaiveDate, (Entry, Origin)>,
    /// Provisional holidays of the years without a notice, on dates without an entry.
    provisional: BTreeMap<NaiveDate, Entry>,
    /// Year → notice of every year whose State Council arrangement is loaded.
    published: BTreeMap<i32, String>,
    table: DayTable,
    version: String,
}

impl Default for Calendar {
    fn default() -> Self {
        Calendar::official()
    }
}

impl Calendar {
    /// A calendar with no data: provisional statutory holidays and weekends, nothing complete.
    pub fn empty() -> Self {
        let mut cal = Calendar {
            entries: BTreeMap::new(),
            provisional: BTreeMap::new(),
            published: BTreeMap::new(),
            table: DayTable::build(&BTreeMap::new(), &BTreeSet::new()),
            version: String::new(),
        };
        cal.rebuild();
        cal
    }

    /// The embedded official data ([`super::OFFICIAL_YEARS`]). A year whose file failed to load
    /// (impossible for the shipped files, which the tests load strictly) is left out and so
    /// reported incomplete rather than guessed.
    pub fn official() -> Self {
        let mut cal = Calendar::empty();
        for y in OFFICIAL_YEARS {
            // A failing year stays unpublished: computations touching it say `calendar_complete: false`.
            let _ = cal.load_year(y.year, y.notice, y.csv);
        }
        cal.rebuild();
        cal
    }

    /// The embedded official data, failing on the first year that does not load.
    pub fn try_official() -> Result<Self, CalendarError> {
        let mut cal = Calendar::empty();
        for y in OFFICIAL_YEARS {
            cal.load_year(y.year, y.notice, y.csv)?;
        }
        cal.rebuild();
        Ok(cal)
    }

    /// Loads the State Council arrangement for `year` (e.g. when the next notice is published
    /// and an admin loads it before a release ships it). Every row must have `notice` as its
    /// source, be a `holiday` or `adjusted_workday`, fall in `year` (or December of the year
    /// before: a New Year break may start on 31 December) and not clash with an existing entry.
    /// Marks the year complete. Returns the number of entries added.
    pub fn add_published_year(
        &mut self,
        year: i32,
        notice: &str,
        csv: &str,
    ) -> Result<usize, CalendarError> {
        let n = self.load_year(year, notice, csv)?;
        self.rebuild();
        Ok(n)
    }

    fn load_year(&mut self, year: i32, notice: &str, csv: &str) -> Result<usize, CalendarError> {
        if !(TABLE_FIRST_YEAR..=TABLE_LAST_YEAR).contains(&year) {
            return Err(CalendarError::YearOutOfRange(year));
        }
        if self.published.contains_key(&year) {
            return Err(CalendarError::YearAlreadyLoaded(year));
        }
        let notice = notice.trim();
        if notice.is_empty() {
            return Err(CalendarError::EmptyNotice);
        }
        let rows = parse_entries(csv).map_err(|e| CalendarError::Rows(year, e))?;
        let first = NaiveDate::from_ymd_opt(year - 1, 12, 1);
        let last = NaiveDate::from_ymd_opt(year, 12, 31);
        let mut errors = Vec::new();
        for ImportedEntry { line, entry } in &rows {
            if entry.source != notice {
                errors.push(RowError {
                    line: *line,
                    field: Field::Source,
                    message: format!("应为 '{notice}'，实际为 '{}'", entry.source),
                });
            }
            if entry.kind == EntryKind::Closure {
                errors.push(RowError {
                    line: *line,
                    field: Field::Kind,
                    message: "国务院放假安排只能是 holiday 或 adjusted_workday".into(),
                });
            }
            if Some(entry.date) < first || Some(entry.date) > last {
                errors.push(RowError {
                    line: *line,
                    field: Field::Date,
                    message: format!("'{}' 不属于{year}年的放假安排", entry.date),
                });
            }
        }
        self.check_clashes(&rows, &mut errors);
        if !errors.is_empty() {
            errors.sort_by_key(|e| e.line);
            return Err(CalendarError::Rows(year, ImportError { errors }));
        }
        let n = rows.len();
        for r in rows {
            self.entries
                .insert(r.entry.date, (r.entry, Origin::Official));
        }
        self.published.insert(year, notice.to_string());
        Ok(n)
    }

    fn check_clashes(&self, rows: &[ImportedEntry], errors: &mut Vec<RowError>) {
        for ImportedEntry { line, entry } in rows {
            if let Some((existing, _)) = self.entries.get(&entry.date) {
                let what = if existing.kind == entry.kind {
                    "重复"
                } else {
                    "冲突"
                };
                errors.push(RowError {
                    line: *line,
                    field: Field::Date,
                    message: format!(
                        "'{}' 已有{}（{}，{}），{what}",
                        entry.date,
                        existing.kind.label(),
                        existing.name,
                        existing.source
                    ),
                });
            }
        }
    }

    /// Imports local overrides (the county's closures and extra entries) from an import file
    /// (`date,kind,name,source`). All or nothing: every bad row is reported, with its line
    /// number and field, and a date that already has an entry is refused as a duplicate or a
    /// conflict. Local entries never make a year complete. Returns the number of entries added.
    pub fn import_local(&mut self, csv: &str) -> Result<usize, ImportError> {
        let rows = parse_entries(csv)?;
        self.add_local_rows(rows)
    }

    /// Adds local entries built in code (rows numbered from 2, as if under a header line).
    pub fn add_local(&mut self, entries: Vec<Entry>) -> Result<usize, ImportError> {
        let mut errors = Vec::new();
        let mut seen = BTreeMap::new();
        let mut rows = Vec::with_capacity(entries.len());
        for (i, entry) in entries.into_iter().enumerate() {
            let line = i + 2;
            if let Some(other) = seen.insert(entry.date, line) {
                errors.push(RowError {
                    line,
                    field: Field::Date,
                    message: format!("'{}' 与第{other}行重复", entry.date),
                });
            }
            if entry.kind == EntryKind::AdjustedWorkday
                && !matches!(entry.date.weekday(), Weekday::Sat | Weekday::Sun)
            {
                errors.push(RowError {
                    line,
                    field: Field::Kind,
                    message: format!("'{}' 本来就是工作日，不能设为调休上班日", entry.date),
                });
            }
            if !(TABLE_FIRST_YEAR..=TABLE_LAST_YEAR).contains(&entry.date.year()) {
                errors.push(RowError {
                    line,
                    field: Field::Date,
                    message: format!(
                        "'{}' 超出支持范围（{TABLE_FIRST_YEAR}–{TABLE_LAST_YEAR}年）",
                        entry.date
                    ),
                });
            }
            for (field, value) in [(Field::Name, &entry.name), (Field::Source, &entry.source)] {
                if value.trim().is_empty() {
                    errors.push(RowError {
                        line,
                        field,
                        message: "不能为空".into(),
                    });
                }
            }
            rows.push(ImportedEntry { line, entry });
        }
        if !errors.is_empty() {
            return Err(ImportError { errors });
        }
        self.add_local_rows(rows)
    }

    fn add_local_rows(&mut self, rows: Vec<ImportedEntry>) -> Result<usize, ImportError> {
        let mut errors = Vec::new();
        self.check_clashes(&rows, &mut errors);
        if !errors.is_empty() {
            return Err(ImportError { errors });
        }
        let n = rows.len();
        for r in rows {
            self.entries.insert(r.entry.date, (r.entry, Origin::Local));
        }
        self.rebuild();
        Ok(n)
    }

    /// Removes a local entry (an admin correcting an import). Official entries cannot be
    /// removed. Returns the removed entry.
    pub fn remove_local(&mut self, date: NaiveDate) -> Option<Entry> {
        match self.entries.get(&date) {
            Some((_, Origin::Local)) => {}
            _ => return None,
        }
        let removed = self.entries.remove(&date).map(|(e, _)| e);
        self.rebuild();
        removed
    }

    /// The provisional holidays of every year without a notice, where no entry is.
    fn provisional_days(&self) -> BTreeMap<NaiveDate, Entry> {
        all_provisional()
            .iter()
            .filter(|(year, _)| !self.published.contains_key(year))
            .flat_map(|(_, days)| days.iter())
            .filter(|e| !self.entries.contains_key(&e.date))
            .map(|e| (e.date, e.clone()))
            .collect()
    }

    fn rebuild(&mut self) {
        self.provisional = self.provisional_days();
        let mut plain: BTreeMap<NaiveDate, Entry> = self.provisional.clone();
        plain.extend(self.entries.iter().map(|(d, (e, _))| (*d, e.clone())));
        let complete: BTreeSet<i32> = self.published.keys().copied().collect();
        self.table = DayTable::build(&plain, &complete);
        let mut h = Fnv::new();
        h.field("proofless-calendar-v1");
        for (year, notice) in &self.published {
            h.field(&year.to_string());
            h.field(notice);
        }
        for (date, (e, origin)) in &self.entries {
            h.field(&date.to_string());
            h.field(e.kind.as_str());
            h.field(&e.name);
            h.field(&e.source);
            h.field(match origin {
                Origin::Official => "official",
                Origin::Local => "local",
            });
        }
        // The provisional days follow from the data above, but a change of their rule
        // (a new amendment of the 放假办法) must change the version too.
        h.field("provisional-v1");
        for (date, e) in &self.provisional {
            h.field(&date.to_string());
            h.field(&e.name);
        }
        self.version = format!("cal1-{:016x}", h.finish());
    }

    /// What the calendar says about `date`.
    pub fn day(&self, date: NaiveDate) -> DayInfo {
        let calendar_complete = self.is_year_complete(date.year());
        if let Some((e, _)) = self.entries.get(&date) {
            return DayInfo {
                date,
                working_day: e.kind.is_working(),
                kind: e.kind.day_kind(),
                name: Some(e.name.clone()),
                calendar_complete,
                provisional: false,
            };
        }
        if let Some(e) = self.provisional.get(&date) {
            return DayInfo {
                date,
                working_day: false,
                kind: DayKind::Holiday,
                name: Some(e.name.clone()),
                calendar_complete,
                provisional: true,
            };
        }
        let weekend = matches!(date.weekday(), Weekday::Sat | Weekday::Sun);
        DayInfo {
            date,
            working_day: !weekend,
            kind: if weekend {
                DayKind::Weekend
            } else {
                DayKind::Workday
            },
            name: None,
            calendar_complete,
            provisional: false,
        }
    }

    /// Whether offices are open on `date` (fast: one table lookup).
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        self.bits(day_number(date)).working()
    }

    /// The entry on `date`, if any.
    pub fn entry(&self, date: NaiveDate) -> Option<&Entry> {
        self.entries.get(&date).map(|(e, _)| e)
    }

    /// Every entry, in date order.
    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.entries.values().map(|(e, _)| e)
    }

    /// Provisional holidays (years without a notice), in date order.
    pub fn provisional_entries(&self) -> impl Iterator<Item = &Entry> {
        self.provisional.values()
    }

    /// Local entries only, in date order.
    pub fn local_entries(&self) -> impl Iterator<Item = &Entry> {
        self.entries
            .values()
            .filter(|(_, o)| *o == Origin::Local)
            .map(|(e, _)| e)
    }

    /// Whether the State Council arrangement for `year` is loaded.
    pub fn is_year_complete(&self, year: i32) -> bool {
        self.published.contains_key(&year)
    }

    /// Years with a published arrangement loaded, ascending.
    pub fn years_complete(&self) -> Vec<i32> {
        self.published.keys().copied().collect()
    }

    /// The notice each complete year comes from.
    pub fn notices(&self) -> impl Iterator<Item = (i32, &str)> {
        self.published.iter().map(|(y, n)| (*y, n.as_str()))
    }

    /// Stable identifier of the data (a fingerprint of every entry, its origin and every
    /// loaded notice), e.g. `cal1-3f0c…`. Record it with each computed deadline.
    pub fn version(&self) -> &str {
        &self.version
    }

    #[inline]
    pub(crate) fn bits(&self, day: i64) -> DayBits {
        self.table.get(day)
    }
}
