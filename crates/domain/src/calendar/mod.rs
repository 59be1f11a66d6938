//! Working-day calendar (see SPEC "Working days").
//!
//! - [`Calendar`]: every public holiday and adjusted working day (调休) of the State Council
//!   notices for 2021 through the latest published year (embedded data, see
//!   `data/calendar/README.md`), plus the county's own closures and extra entries
//!   ([`Calendar::import_local`]). A year without a published notice uses the statutory
//!   holidays of 全国年节及纪念日放假办法 as provisional holidays, and every answer touching it
//!   says `calendar_complete: false` until the notice is loaded.
//! - [`OfficeHours`]: seasonal office sessions in Asia/Shanghai time (fixed UTC+08:00).
//! - [`parse_entries`]: the import file format `date,kind,name,source`, validated row by row
//!   with Chinese messages.
//!
//! Pure: no I/O, no clock, no async.

mod csv;
mod day;
mod import;
mod model;
mod office_hours;
mod official;
mod provisional;
mod table;
mod version;

pub use day::{DayInfo, DayKind, DayOrigin, Entry, EntryKind, YearOrigin};
pub use import::{Field, IMPORT_HEADER, ImportError, ImportedEntry, RowError, parse_entries};
pub use model::{Calendar, CalendarError};
pub use office_hours::{
    MAX_SESSIONS, OfficeHours, OfficeHoursError, SHANGHAI_OFFSET_SECS, Season, Session, shanghai,
};
pub use official::{OFFICIAL_YEARS, OfficialYear};
pub use provisional::{
    PROVISIONAL_FIRST_YEAR, PROVISIONAL_LAST_YEAR, PROVISIONAL_SOURCE, provisional_holidays,
};
pub use table::{TABLE_FIRST_YEAR, TABLE_LAST_YEAR};
