//! Supervision and assessment (监督考核, P 四, A2 §13, A4 §13, A5 §11; SPEC R10.2; issue #21
//! §4): the figures of every unit per month and year, random checks (双随机) and scheduled or
//! special inspections with findings tracked to completion, and the accountability gaps the
//! figures reveal.
//!
//! - **Figures** (`figures.rs`, `sweep.rs`): counters per unit and month in
//!   `supervision_figures`, kept by a cursor sweep over the audit log (`seq` is assigned under
//!   the chain head's lock at commit, so it grows in commit order; the cursor row is updated
//!   first in the sweep's transaction, so two instances take turns and each act is counted
//!   once). Complaint figures come from the complaints workflow's own `complaint_figures`.
//!   Accountability measures are counted with the approved exemptions (A5 §11) and those
//!   revoked on appeal shown apart and left out of the assessed figure. Dashboard, SVG chart,
//!   xlsx and PDF reports, the assessment feed (JSON + xlsx) and the public transparency page
//!   read only these aggregates.
//! - **Random checks** (`draw.rs`, `inspections.rs`): units and inspectors drawn from recorded
//!   pools with a recorded seed by SM3 in counter mode (algorithm `SM3-CTR-FY-1`, documented in
//!   `draw.rs`), so anyone can reproduce the draw; each drawn unit gets an inspection, as do
//!   scheduled reviews and special inspections; each finding has a follow-up deadline in the
//!   deadline engine, completed when the unit reports it done.
//! - **Gaps** (`sweep.rs`): a commitment check whose deadline the engine escalated becomes a
//!   violation record (A5 §4(5)) through `violations::record`, which the accountability sweep
//!   proposes; the accountability order to rectify is an engine deadline
//!   (`accountability/decide.rs`).

pub mod draw;
mod figures;
mod input;
mod inspections;
mod repo;
mod report;
mod sweep;

pub use figures::{
    Dashboard, FeedRow, Period, READERS, UnitFigures, dashboard, feed, public_figures,
};
pub use input::{DrawInput, FindingInput, InspectionInput, PeriodQuery, TextInput};
pub use inspections::{
    Draw, Finding, Inspection, InspectionDetail, close_inspection, create_draw, create_inspection,
    draws, get_draw, get_inspection, inspections, record_finding, report_follow_up,
};
pub use report::{chart_svg, feed_xlsx, report_pdf, report_xlsx};
pub use sweep::{SWEEP_FIGURES, rebuild_from_rows, rebuild_years, sweep_pending};
