//! The joint meeting of the no-certificate city (联席会议, A1; SPEC R10.1) and the risk
//! register (风险台账, P 三(四)5; R10.3): positions in the registry, the states of a meeting
//! and of its decisions, the half-yearly rhythm of regular meetings and the yearly review of
//! the risk register. Pure rules, no IO.

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::adjustment::{PublicationRhythm, rhythm};
use crate::commitment::text_enum;

text_enum! {
    /// A seat in the joint meeting (A1 二).
    pub enum Position {
        /// 总召集人: the deputy county head in charge.
        ChiefConvener => ("chief_convener", "总召集人"),
        /// 召集人.
        Convener => ("convener", "召集人"),
        /// 成员.
        Member => ("member", "成员"),
        /// 办公室主任 (the office at the approval bureau).
        OfficeDirector => ("office_director", "办公室主任"),
        /// 工作专班 (drawn from four units).
        TaskForce => ("task_force", "工作专班"),
    }
}

impl Position {
    /// Whether the seat makes its unit a member unit (one liaison each, attendance, minutes).
    pub fn is_member_seat(self) -> bool {
        matches!(
            self,
            Position::ChiefConvener | Position::Convener | Position::Member
        )
    }

    /// Conveners put items on the agenda directly (A1 三(二)).
    pub fn convenes(self) -> bool {
        matches!(self, Position::ChiefConvener | Position::Convener)
    }
}

text_enum! {
    /// A meeting's kind (A1 三(一)).
    pub enum MeetingKind {
        /// 例会: at least every half year.
        Regular => ("regular", "例会"),
        /// 专题会议: called as the work needs.
        Special => ("special", "专题会议"),
    }
}

text_enum! {
    /// Where a meeting stands.
    pub enum MeetingState {
        /// 筹备中: agenda items being proposed.
        Planned => ("planned", "筹备中"),
        /// 已召开联络员会议 (A1 三(四)).
        Prepared => ("prepared", "已召开联络员会议"),
        /// 已召开，纪要待印发.
        Held => ("held", "已召开（纪要待印发）"),
        /// 纪要已盖章印发 (A1 三(五)): nothing may change any more.
        Sealed => ("sealed", "纪要已印发"),
    }
}

impl MeetingState {
    /// Agenda items may be proposed until the meeting is held.
    pub fn takes_agenda(self) -> bool {
        matches!(self, MeetingState::Planned | MeetingState::Prepared)
    }

    /// Minutes may be written or rewritten until they are sealed.
    pub fn takes_minutes(self) -> bool {
        matches!(self, MeetingState::Prepared | MeetingState::Held)
    }
}

text_enum! {
    /// An agenda item's state (A1 三(二)).
    pub enum AgendaState {
        /// 成员单位提出，待召集人同意.
        Proposed => ("proposed", "待召集人同意"),
        Accepted => ("accepted", "已列入议题"),
        Rejected => ("rejected", "未列入议题"),
    }
}

text_enum! {
    /// What a line of the minutes is.
    pub enum DecisionKind {
        /// 议定事项 (A1 三(五)).
        Decision => ("decision", "议定事项"),
        /// 提请县政府研究 (A1 三(四)): no consensus at the meeting.
        Referral => ("referral", "提请县政府研究事项"),
    }
}

text_enum! {
    /// A decision's tracking state.
    pub enum DecisionState {
        /// 落实中.
        Open => ("open", "落实中"),
        /// 已落实.
        Done => ("done", "已落实"),
    }
}

text_enum! {
    /// A risk point's level (P 三(四)5).
    pub enum RiskLevel {
        High => ("high", "高"),
        Medium => ("medium", "中"),
        Low => ("low", "低"),
    }
}

/// The next regular meeting is due six months after the last (A1 三(一) "原则上每半年召开一次例会").
pub fn next_regular_due(last: NaiveDate) -> NaiveDate {
    last.checked_add_months(Months::new(6)).unwrap_or(last)
}

/// Where the half-yearly rhythm stands on `today` (the list adjustment's publication rhythm,
/// A3 §5, is the same half year: a reminder from five months, overdue from six).
pub fn meeting_rhythm(last: NaiveDate, today: NaiveDate) -> PublicationRhythm {
    rhythm(last, today)
}

/// The label of the rhythm for the joint meeting.
pub fn meeting_rhythm_label(r: PublicationRhythm) -> &'static str {
    match r {
        PublicationRhythm::OnTime => "按期",
        PublicationRhythm::Reminder => "已满5个月，请筹备下一次例会",
        PublicationRhythm::Overdue => "已超过半年未召开例会（逾期）",
    }
}

/// The risk register is reviewed once a year (P 三(四)5, issue #21 §4).
pub fn next_review_due(last: NaiveDate) -> NaiveDate {
    last.checked_add_months(Months::new(12)).unwrap_or(last)
}

/// Calendar days from `from` to `to` (at least one), the limit given to the deadline engine.
pub fn days_between(from: NaiveDate, to: NaiveDate) -> i64 {
    (to - from).num_days().max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or(NaiveDate::MIN)
    }

    // A1 三(一): a regular meeting at least every half year; reminder at five months.
    #[test]
    fn regular_meeting_every_half_year_a1_3_1() {
        assert_eq!(next_regular_due(d(2026, 1, 15)), d(2026, 7, 15));
        assert_eq!(next_regular_due(d(2026, 8, 31)), d(2027, 2, 28));
        let last = d(2026, 1, 15);
        assert_eq!(
            meeting_rhythm(last, d(2026, 6, 14)),
            PublicationRhythm::OnTime
        );
        assert_eq!(
            meeting_rhythm(last, d(2026, 6, 15)),
            PublicationRhythm::Reminder
        );
        assert_eq!(
            meeting_rhythm(last, d(2026, 7, 15)),
            PublicationRhythm::Overdue
        );
        assert_eq!(days_between(d(2026, 1, 15), d(2026, 7, 15)), 181);
        assert_eq!(days_between(d(2026, 1, 15), d(2026, 1, 15)), 1);
    }

    // A1 二, 三(二), 三(三): conveners set the agenda; member seats have a liaison.
    #[test]
    fn seats_a1_2() {
        assert!(Position::ChiefConvener.convenes() && Position::Convener.convenes());
        assert!(!Position::Member.convenes());
        assert!(Position::Member.is_member_seat());
        assert!(
            !Position::TaskForce.is_member_seat() && !Position::OfficeDirector.is_member_seat()
        );
        assert_eq!(Position::parse("convener"), Some(Position::Convener));
        assert_eq!(Position::parse("mayor"), None);
    }

    // A1 三(五): minutes are rewritten until sealed, never after.
    #[test]
    fn minutes_only_until_sealed_a1_3_5() {
        assert!(MeetingState::Held.takes_minutes());
        assert!(!MeetingState::Sealed.takes_minutes());
        assert!(!MeetingState::Planned.takes_minutes());
        assert!(MeetingState::Planned.takes_agenda() && !MeetingState::Held.takes_agenda());
    }

    // R10.3: the risk register is reviewed yearly.
    #[test]
    fn yearly_review_r10_3() {
        assert_eq!(next_review_due(d(2026, 2, 28)), d(2027, 2, 28));
    }
}
