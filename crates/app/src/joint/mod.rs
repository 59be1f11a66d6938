//! The joint meeting of the no-certificate city (联席会议制度, A1; SPEC R10.1, issue #21 §3).
//!
//! - `registry`: the chief convener, conveners, members, the office at the approval bureau
//!   and its task force (A1 二); one liaison per member unit, each change filed with its date
//!   and the predecessor kept (A1 三(三)).
//! - `meetings`: meetings called by a convener (the office acts for them), agenda items from
//!   conveners or member units (三(二)), the liaison meeting before each (三(四)), attendance
//!   with absences and reasons (三(一)), minutes with decisions and referrals to the county
//!   government, sealed with the office's SM2 seal and sent to every member unit (三(五));
//!   sealed minutes never change. `minutes_pdf` prints them.
//! - `decisions`: each decision has an owner unit and a deadline in the engine, tracked until
//!   the owner reports it carried out; the engine reminds and marks it overdue.
//! - `obligation`: recurring obligations on the engine — the regular meeting at least every
//!   half year (a reminder at half and four fifths of the time, overdue after six months), and
//!   each unit's yearly risk-register review (the risks module).

mod decisions;
mod input;
mod meetings;
mod minutes_pdf;
pub(crate) mod obligation;
mod registry;
mod repo;

pub use decisions::{
    DecisionDetail, Tracked, get as get_decision, is_overdue, list as decisions, report,
};
pub use input::{
    AgendaInput, AgendaVerdict, AttendanceEntry, AttendanceInput, DecisionInput, LiaisonInput,
    LiaisonMeetingInput, MeetingInput, MemberInput, MinutesInput, ProgressInput,
};
pub use meetings::{
    MeetingDetail, Unit, create, decide_agenda, get, liaison_meeting, list, minutes_pdf,
    propose_agenda, record_attendance, seal, write_minutes,
};
pub use registry::{
    Registry, Rhythm, add_member, file_liaison, liaison_history, registry, retire_member, rhythm,
};
pub use repo::{AgendaItem, Attendance, Decision, Liaison, Meeting, Member, Progress};
