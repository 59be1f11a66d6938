//! The working-day calendar as data (issue #4, SPEC "Working days"): the State Council
//! arrangements shipped with the binary are seeded into the database (idempotently), an
//! admin imports the next year's notice or the county's own closures, and the effective
//! calendar is cached in [`crate::App`] and reloaded whenever the data change (also when
//! another instance changed them: the runner's sweep calls [`refresh_if_changed`]).
//!
//! A workflow above the deadline engine: a change recomputes every unfinished deadline
//! (`deadlines::recompute_open`); the engine itself only reads the cached calendar.

mod input;
mod jobs;
mod records;
mod repo;
mod service;

pub use input::{Import, ImportInput, MAX_IMPORT_BYTES, OverrideInput};
pub use jobs::{
    KIND_CALENDAR_NEXT_YEAR, ensure_calendar_reminder, next_year_job, refresh_sweep, reminder_sweep,
};
pub use records::{Cached, CalendarDay, CalendarYear, ImportReport, YearStatus};
pub use service::{
    add_override, compute, day, days, import, next_missing_year, refresh_if_changed, reload,
    remove_override, seed_builtin, year_statuses, years,
};
