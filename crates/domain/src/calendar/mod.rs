//! Working-day calendar (see SPEC "Working days").
//!
//! - [`Calendar`]: every public holiday and adjusted working day (调休) of the State Council
//!   notices for 2021 through the latest published year (embedded data, see
//!   `data/calendar/README.md`), plus the county's own closures and extra entries
//!   ([`Calendar::import_local`]). A year without a published notice is never guessed: it
//!   uses plain weekends and every answer touching it says `calendar_complete: false`.
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
mod table;
mod version;

pub use day::{DayInfo, DayKind, DayOrigin, Entry, EntryKind, YearOrigin};
pub use import::{Field, IMPORT_HEADER, ImportError, ImportedEntry, RowError, parse_entries};
pub use model::{Calendar, CalendarError};
pub use office_hours::{
    MAX_SESSIONS, OfficeHours, OfficeHoursError, SHANGHAI_OFFSET_SECS, Season, Session, shanghai,
};
pub use official::{OFFICIAL_YEARS, OfficialYear};
pub use table::{TABLE_FIRST_YEAR, TABLE_LAST_YEAR};
