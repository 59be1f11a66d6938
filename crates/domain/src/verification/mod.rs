//! Inter-unit verification (部门核验), SPEC R5 and annex 2 (A2): the state machine, the
//! deadline class → rule mapping, who may act, template fields and the countdown colours.
//! Pure rules, no IO.

use crate::catalogue::VerificationDeadlineClass;
use crate::deadline::{Period, PeriodUnit};
use crate::role::Role;

mod display;
mod fields;
mod kinds;

pub use display::*;
pub use fields::*;
pub use kinds::*;

/// Everything that can be done to a verification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Issuer changes the deadline class of this request, with a reason (A2 §7).
    Reclassify,
    /// Issuer answers (A2 §7).
    Answer,
    /// Issuer returns it as outside its remit (A2 §7).
    Return,
    /// Requester reports the overdue request to the joint office (A2 §11).
    Report,
    /// Joint office orders the issuer to finish by a new time limit (A2 §11).
    Order,
    /// Joint office records its request to the county government to summon those
    /// responsible (A2 §11).
    Summon,
    /// Requester asks the applicant for supplementary material (A2 §8).
    SupplementaryRequest,
    /// Requester records an on-site check (A2 §8 ¶3).
    OnsiteCheck,
}

/// Which side of a verification an actor is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Requester,
    Issuer,
    JointOffice,
}

impl Action {
    pub fn side(self) -> Side {
        match self {
            Action::Reclassify | Action::Answer | Action::Return => Side::Issuer,
            Action::Report | Action::SupplementaryRequest | Action::OnsiteCheck => Side::Requester,
            Action::Order | Action::Summon => Side::JointOffice,
        }
    }
}

/// Roles that act for a unit in verification: its liaison and proxy agents, A or B alike
/// (A2 §5, §6, §7).
pub const ACTING_ROLES: [Role; 2] = [Role::Liaison, Role::ProxyAgent];

/// Whether someone with `roles` may take `action` (the unit scope is checked separately).
pub fn role_may(action: Action, roles: &[Role]) -> bool {
    match action.side() {
        Side::Requester | Side::Issuer => roles.iter().any(|r| ACTING_ROLES.contains(r)),
        Side::JointOffice => roles.contains(&Role::JointOffice),
    }
}

/// Facts about a verification the state machine looks at.
#[derive(Debug, Clone, Copy)]
pub struct Facts {
    pub state: State,
    pub outcome: Option<Outcome>,
    pub due_at: Option<i64>,
    pub reported: bool,
    pub ordered: bool,
    pub summoned: bool,
    pub reclassified: bool,
}

impl Facts {
    /// A registered request past its due instant (A2 §11).
    pub fn overdue(&self, now_ms: i64) -> bool {
        self.state == State::Registered && self.due_at.is_some_and(|d| now_ms >= d)
    }
}

/// Why an action is refused now (Chinese, shown to the user).
pub fn check(action: Action, f: &Facts, now_ms: i64) -> Result<(), String> {
    match action {
        Action::Answer | Action::Return => match f.state {
            State::Registered => Ok(()),
            State::Answered => Err("该核验已反馈，不能重复反馈或退回".into()),
            State::Returned => Err("该核验已退回，不能再反馈".into()),
        },
        Action::Reclassify => {
            if f.state != State::Registered {
                return Err("只有待反馈的核验可以改判时限类别".into());
            }
            if f.reclassified {
                return Err("该核验已改判过一次时限类别".into());
            }
            // A2 §7: registered at once on receipt; a class changed after the limit has run
            // out would only hide a late answer.
            if f.overdue(now_ms) {
                return Err("已超过反馈时限，不能再改判时限类别".into());
            }
            Ok(())
        }
        Action::Report => {
            if !f.overdue(now_ms) {
                return Err("只有逾期未反馈的核验才能报告联席会议办公室".into());
            }
            if f.reported {
                return Err("该逾期核验已报告联席会议办公室".into());
            }
            Ok(())
        }
        Action::Order => {
            if f.state != State::Registered {
                return Err("该核验已办结，无需责成限时办结".into());
            }
            if !f.reported {
                return Err("须先由需求单位报告（或系统自动报告）后，才能责成限时办结".into());
            }
            Ok(())
        }
        Action::Summon => {
            if !f.reported {
                return Err("只有已报告的逾期核验才能提请约谈".into());
            }
            if f.summoned {
                return Err("已提请县政府约谈，不能重复提请".into());
            }
            Ok(())
        }
        Action::SupplementaryRequest => {
            if f.state == State::Answered && f.outcome == Some(Outcome::NotMatching) {
                Ok(())
            } else {
                Err("只有核验结果“与申请人填报不符”时才能要求申请人补充材料".into())
            }
        }
        Action::OnsiteCheck => {
            // A2 §8 ¶3: where no answer can be had: overdue, or returned.
            if f.state == State::Returned || f.overdue(now_ms) {
                Ok(())
            } else {
                Err("只有被退回或逾期未反馈的核验才能记录实地核查".into())
            }
        }
    }
}

/// The issuer reclassifies *when registering* (A2 §7, SPEC R5.3): only before anything else
/// was done on the request and within `window` office minutes of its receipt, so a class is
/// never switched when the time runs short. `office_minutes` is the office time since receipt;
/// `acted` whether any step other than the sending is in its history.
pub fn check_reclassify_window(
    office_minutes: i64,
    window: i64,
    acted: bool,
) -> Result<(), String> {
    if acted {
        return Err("该核验已有其他办理记录，不能再改判时限类别（只能在登记时改判）".into());
    }
    if office_minutes > window {
        return Err(format!(
            "已超过登记后 {window} 个工作分钟的改判时限（已过 {office_minutes} 个工作分钟），不能再改判时限类别"
        ));
    }
    Ok(())
}

/// Rule key in the deadline engine for a class (A2 §7). The statutory class uses its own
/// rule whose period never binds: the request's statutory limit does.
pub fn rule_key(class: VerificationDeadlineClass) -> &'static str {
    match class {
        VerificationDeadlineClass::Electronic => "verification.electronic",
        VerificationDeadlineClass::PaperArchive => "verification.paper_archive",
        VerificationDeadlineClass::IncompleteArchive => "verification.incomplete_archive",
        VerificationDeadlineClass::Statutory(_) => "verification.statutory",
    }
}

/// The class of a published method from its period (`30m`, `1wd`, `2wd`, else statutory).
pub fn class_of_period(period: &str) -> Result<VerificationDeadlineClass, String> {
    let p = Period::parse(period.trim()).map_err(|e| e.to_string())?;
    Ok(match p {
        Period::Minutes(30) => VerificationDeadlineClass::Electronic,
        Period::WorkingDays(1) => VerificationDeadlineClass::PaperArchive,
        Period::WorkingDays(2) => VerificationDeadlineClass::IncompleteArchive,
        other
            if matches!(
                other.unit(),
                PeriodUnit::WorkingDays | PeriodUnit::CalendarDays
            ) =>
        {
            VerificationDeadlineClass::Statutory(other)
        }
        other => return Err(format!("核验时限“{other}”不是附件2第七条规定的时限")),
    })
}

/// Whether B is notified too (A2 §6): when A is marked absent, or when half the time has
/// passed unanswered.
pub fn notify_b(a_absent: bool, half_time_passed: bool) -> bool {
    a_absent || half_time_passed
}

/// Countdown colour by the share of the allowed time left (A2 §7 live countdown):
/// `late` past due, `bad` under a fifth left, `warn` under half, else `ok`.
pub fn countdown_class(start_ms: i64, due_ms: i64, now_ms: i64) -> &'static str {
    if now_ms >= due_ms {
        return "late";
    }
    let total = (due_ms - start_ms).max(1);
    let left = due_ms - now_ms;
    if left * 5 < total {
        "bad"
    } else if left * 2 < total {
        "warn"
    } else {
        "ok"
    }
}

/// Minutes left as Chinese text, or how late.
pub fn countdown_text(due_ms: i64, now_ms: i64) -> String {
    let d = due_ms - now_ms;
    let (prefix, mins) = if d >= 0 {
        ("剩余", d / 60_000)
    } else {
        ("已逾期", (-d) / 60_000)
    };
    let (days, h, m) = (mins / 1440, mins % 1440 / 60, mins % 60);
    if days > 0 {
        format!("{prefix} {days} 天 {h} 小时")
    } else if h > 0 {
        format!("{prefix} {h} 小时 {m} 分钟")
    } else {
        format!("{prefix} {m} 分钟")
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn facts(state: State) -> Facts {
        Facts {
            state,
            outcome: None,
            due_at: Some(1_000),
            reported: false,
            ordered: false,
            summoned: false,
            reclassified: false,
        }
    }

    #[test]
    fn answer_once_and_never_after_return() {
        // A2 §7: answered or returned, once.
        assert!(check(Action::Answer, &facts(State::Registered), 0).is_ok());
        assert!(check(Action::Return, &facts(State::Registered), 0).is_ok());
        assert!(check(Action::Answer, &facts(State::Answered), 0).is_err());
        assert!(check(Action::Answer, &facts(State::Returned), 0).is_err());
        assert!(check(Action::Return, &facts(State::Answered), 0).is_err());
        // Late answers are still accepted (and recorded as late).
        assert!(check(Action::Answer, &facts(State::Registered), 5_000).is_ok());
    }

    #[test]
    fn reclassify_once_on_registration_before_the_limit_runs_out() {
        // A2 §7 / SPEC R5.3: the issuer may reclassify one request with a reason.
        let f = facts(State::Registered);
        assert!(check(Action::Reclassify, &f, 999).is_ok());
        assert!(check(Action::Reclassify, &f, 1_000).is_err());
        let mut twice = f;
        twice.reclassified = true;
        assert!(check(Action::Reclassify, &twice, 0).is_err());
        assert!(check(Action::Reclassify, &facts(State::Answered), 0).is_err());
    }

    #[test]
    fn reclassify_only_when_registering() {
        // A2 §7, SPEC R5.3: within the window after receipt, before any other action.
        assert!(check_reclassify_window(0, 10, false).is_ok());
        assert!(check_reclassify_window(10, 10, false).is_ok());
        assert!(check_reclassify_window(11, 10, false).is_err());
        assert!(check_reclassify_window(1, 10, true).is_err());
    }

    #[test]
    fn overdue_reports_once_then_order_and_summon() {
        // A2 §11.
        let f = facts(State::Registered);
        assert!(check(Action::Report, &f, 999).is_err(), "not yet due");
        assert!(check(Action::Report, &f, 1_000).is_ok());
        assert!(
            check(Action::Order, &f, 1_000).is_err(),
            "order needs a report"
        );
        let mut r = f;
        r.reported = true;
        assert!(check(Action::Report, &r, 2_000).is_err(), "reported once");
        assert!(check(Action::Order, &r, 2_000).is_ok());
        assert!(check(Action::Summon, &r, 2_000).is_ok());
        r.summoned = true;
        assert!(check(Action::Summon, &r, 2_000).is_err());
        assert!(check(Action::Report, &facts(State::Answered), 2_000).is_err());
    }

    #[test]
    fn supplementary_material_only_after_a_not_matching_answer() {
        // A2 §8.
        let mut f = facts(State::Answered);
        f.outcome = Some(Outcome::Confirmed);
        assert!(check(Action::SupplementaryRequest, &f, 0).is_err());
        f.outcome = Some(Outcome::NotMatching);
        assert!(check(Action::SupplementaryRequest, &f, 0).is_ok());
    }

    #[test]
    fn onsite_check_where_no_answer_can_be_had() {
        // A2 §8 ¶3.
        assert!(check(Action::OnsiteCheck, &facts(State::Returned), 0).is_ok());
        assert!(check(Action::OnsiteCheck, &facts(State::Registered), 2_000).is_ok());
        assert!(check(Action::OnsiteCheck, &facts(State::Registered), 0).is_err());
        assert!(check(Action::OnsiteCheck, &facts(State::Answered), 0).is_err());
    }

    #[test]
    fn liaison_and_proxy_agents_act_joint_office_orders() {
        // A2 §5, §6, §11.
        assert!(role_may(Action::Answer, &[Role::ProxyAgent]));
        assert!(role_may(Action::Report, &[Role::Liaison]));
        assert!(!role_may(Action::Answer, &[Role::CounterClerk]));
        assert!(!role_may(Action::Order, &[Role::Liaison]));
        assert!(role_may(Action::Summon, &[Role::JointOffice]));
    }

    #[test]
    fn classes_map_to_the_periods_and_rules_of_a2_section_7() {
        assert_eq!(
            class_of_period("30m").unwrap(),
            VerificationDeadlineClass::Electronic
        );
        assert_eq!(
            class_of_period("1wd").unwrap(),
            VerificationDeadlineClass::PaperArchive
        );
        assert_eq!(
            class_of_period("2wd").unwrap(),
            VerificationDeadlineClass::IncompleteArchive
        );
        assert_eq!(
            class_of_period("20wd").unwrap(),
            VerificationDeadlineClass::Statutory(Period::WorkingDays(20))
        );
        assert!(class_of_period("3h").is_err());
        assert_eq!(
            rule_key(VerificationDeadlineClass::Electronic),
            "verification.electronic"
        );
        assert_eq!(
            rule_key(VerificationDeadlineClass::Statutory(Period::CalendarDays(
                30
            ))),
            "verification.statutory"
        );
    }

    #[test]
    fn b_is_notified_when_a_is_absent_or_half_the_time_passed() {
        // A2 §6.
        assert!(!notify_b(false, false));
        assert!(notify_b(true, false));
        assert!(notify_b(false, true));
    }

    #[test]
    fn countdown_colours_by_share_of_time_left() {
        assert_eq!(countdown_class(0, 100, 10), "ok");
        assert_eq!(countdown_class(0, 100, 60), "warn");
        assert_eq!(countdown_class(0, 100, 90), "bad");
        assert_eq!(countdown_class(0, 100, 100), "late");
        assert_eq!(countdown_text(30 * 60_000, 0), "剩余 30 分钟");
        assert_eq!(countdown_text(0, 90 * 60_000), "已逾期 1 小时 30 分钟");
    }

    #[test]
    fn offline_channels_need_the_no_secret_confirmation() {
        // A2 §3.
        assert!(!Channel::System.needs_no_secret_confirmation());
        for c in [Channel::Fax, Channel::Email, Channel::OfficeSystem] {
            assert!(c.needs_no_secret_confirmation());
        }
    }
}
