//! The states, channels, outcomes and kinds of a verification (A2 §3, §5, §7, §8, §9), as
//! stored and as the API writes them (`snake_case`).

use serde::{Deserialize, Serialize};

use crate::catalogue::VerificationDeadlineClass;
use crate::codes::{CreditCode, ResidentId};
use crate::deadline::Period;

/// Where a verification stands. Overdue is not a state of its own: a `registered` request
/// whose due instant has passed is overdue (A2 §11), and stays so until answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// In the issuer's inbox, registered at once on receipt, clock running (A2 §7).
    Registered,
    /// Answered under seal: confirmed or not matching (A2 §7).
    Answered,
    /// Returned as outside the issuer's remit, with a reason (A2 §7).
    Returned,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Registered => "registered",
            State::Answered => "answered",
            State::Returned => "returned",
        }
    }

    pub fn parse(s: &str) -> Option<State> {
        match s {
            "registered" => Some(State::Registered),
            "answered" => Some(State::Answered),
            "returned" => Some(State::Returned),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            State::Registered => "已登记待反馈",
            State::Answered => "已反馈",
            State::Returned => "已退回",
        }
    }
}

/// The issuer's answer (A2 §7, §8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The facts as the applicant stated them are confirmed.
    Confirmed,
    /// The records say otherwise (A2 §8 follows on the requester's side).
    NotMatching,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Confirmed => "confirmed",
            Outcome::NotMatching => "not_matching",
        }
    }
    pub fn parse(s: &str) -> Option<Outcome> {
        match s.trim() {
            "confirmed" => Some(Outcome::Confirmed),
            "not_matching" => Some(Outcome::NotMatching),
            _ => None,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Confirmed => "核验属实",
            Outcome::NotMatching => "与申请人填报不符",
        }
    }
}

/// How the request travelled (A2 §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// The application system itself (A2 §5).
    System,
    Fax,
    Email,
    /// 协同办公系统.
    OfficeSystem,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::System => "system",
            Channel::Fax => "fax",
            Channel::Email => "email",
            Channel::OfficeSystem => "office_system",
        }
    }
    pub fn parse(s: &str) -> Option<Channel> {
        match s.trim() {
            "system" => Some(Channel::System),
            "fax" => Some(Channel::Fax),
            "email" => Some(Channel::Email),
            "office_system" => Some(Channel::OfficeSystem),
            _ => None,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Channel::System => "无证明城市应用系统",
            Channel::Fax => "传真",
            Channel::Email => "公务邮箱",
            Channel::OfficeSystem => "协同办公系统",
        }
    }
    /// Fax, e-mail and the office system may carry a verification, never a state or
    /// work secret (A2 §3): recording one requires the recorder to confirm that.
    pub fn needs_no_secret_confirmation(self) -> bool {
        !matches!(self, Channel::System)
    }
}

/// What a verification is about (R5.1: a person or an entity).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SubjectKind {
    Person,
    Entity,
}

impl SubjectKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SubjectKind::Person => "person",
            SubjectKind::Entity => "entity",
        }
    }
    pub fn parse(s: &str) -> Option<SubjectKind> {
        match s.trim() {
            "person" => Some(SubjectKind::Person),
            "entity" => Some(SubjectKind::Entity),
            _ => None,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            SubjectKind::Person => "自然人",
            SubjectKind::Entity => "法人和其他组织",
        }
    }
}

/// The subject's code, checked: a resident ID for a person, a unified social credit code
/// for an entity (R5.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubjectCode {
    Person(ResidentId),
    Entity(CreditCode),
}

impl SubjectCode {
    pub fn kind(&self) -> SubjectKind {
        match self {
            SubjectCode::Person(_) => SubjectKind::Person,
            SubjectCode::Entity(_) => SubjectKind::Entity,
        }
    }
    pub fn as_str(&self) -> &str {
        match self {
            SubjectCode::Person(r) => r.as_str(),
            SubjectCode::Entity(c) => c.as_str(),
        }
    }
}

/// Ledger entries the requester keeps (A2 §8, §9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LedgerKind {
    /// The applicant is asked for supplementary material after a not-matching answer (A2 §8).
    SupplementaryRequest,
    /// The requester checked on site where no answer could be had (A2 §8 ¶3).
    OnsiteCheck,
    /// The applicant chose to provide the information themselves (A2 §9).
    ApplicantProvided,
}

impl LedgerKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LedgerKind::SupplementaryRequest => "supplementary_request",
            LedgerKind::OnsiteCheck => "onsite_check",
            LedgerKind::ApplicantProvided => "applicant_provided",
        }
    }
    pub fn parse(s: &str) -> Option<LedgerKind> {
        match s.trim() {
            "supplementary_request" => Some(LedgerKind::SupplementaryRequest),
            "onsite_check" => Some(LedgerKind::OnsiteCheck),
            "applicant_provided" => Some(LedgerKind::ApplicantProvided),
            _ => None,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            LedgerKind::SupplementaryRequest => "要求申请人补充材料",
            LedgerKind::OnsiteCheck => "实地核查",
            LedgerKind::ApplicantProvided => "申请人自行提供",
        }
    }
}

/// One step in a verification's history (A2 §12: every step is shown to both units).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Send,
    Reclassify,
    Answer,
    Return,
    Report,
    Order,
    Summon,
    /// Recorded after the fact, done by fax, e-mail or the office system (A2 §3).
    Offline,
    SupplementaryRequest,
    OnsiteCheck,
    ApplicantProvided,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Send => "send",
            EventKind::Reclassify => "reclassify",
            EventKind::Answer => "answer",
            EventKind::Return => "return",
            EventKind::Report => "report",
            EventKind::Order => "order",
            EventKind::Summon => "summon",
            EventKind::Offline => "offline",
            EventKind::SupplementaryRequest => "supplementary_request",
            EventKind::OnsiteCheck => "onsite_check",
            EventKind::ApplicantProvided => "applicant_provided",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            EventKind::Send => "发起核验",
            EventKind::Reclassify => "改判时限类别",
            EventKind::Answer => "反馈",
            EventKind::Return => "退回",
            EventKind::Report => "报告联席会议办公室",
            EventKind::Order => "责成限时办结",
            EventKind::Summon => "提请约谈",
            EventKind::Offline => "登记线下核验",
            EventKind::SupplementaryRequest => LedgerKind::SupplementaryRequest.label(),
            EventKind::OnsiteCheck => LedgerKind::OnsiteCheck.label(),
            EventKind::ApplicantProvided => LedgerKind::ApplicantProvided.label(),
        }
    }
}

impl From<LedgerKind> for EventKind {
    fn from(k: LedgerKind) -> EventKind {
        match k {
            LedgerKind::SupplementaryRequest => EventKind::SupplementaryRequest,
            LedgerKind::OnsiteCheck => EventKind::OnsiteCheck,
            LedgerKind::ApplicantProvided => EventKind::ApplicantProvided,
        }
    }
}

/// The code of a deadline class as stored beside its period (A2 §7): the class of a
/// request is this code and the period together ([`ClassCode::with_period`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClassCode {
    Electronic,
    PaperArchive,
    IncompleteArchive,
    Statutory,
}

impl ClassCode {
    pub fn of(class: VerificationDeadlineClass) -> ClassCode {
        match class {
            VerificationDeadlineClass::Electronic => ClassCode::Electronic,
            VerificationDeadlineClass::PaperArchive => ClassCode::PaperArchive,
            VerificationDeadlineClass::IncompleteArchive => ClassCode::IncompleteArchive,
            VerificationDeadlineClass::Statutory(_) => ClassCode::Statutory,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            ClassCode::Electronic => "electronic",
            ClassCode::PaperArchive => "paper_archive",
            ClassCode::IncompleteArchive => "incomplete_archive",
            ClassCode::Statutory => "statutory",
        }
    }
    /// The class a stored pair names; only the statutory class takes its period from it.
    pub fn with_period(self, period: Period) -> VerificationDeadlineClass {
        match self {
            ClassCode::Electronic => VerificationDeadlineClass::Electronic,
            ClassCode::PaperArchive => VerificationDeadlineClass::PaperArchive,
            ClassCode::IncompleteArchive => VerificationDeadlineClass::IncompleteArchive,
            ClassCode::Statutory => VerificationDeadlineClass::Statutory(period),
        }
    }
    pub fn label(self, period: Period) -> String {
        self.with_period(period).label()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_class_pair_names_the_class_it_was_written_from() {
        // A2 §7: the code and the period stored side by side give back the class.
        for class in [
            VerificationDeadlineClass::Electronic,
            VerificationDeadlineClass::PaperArchive,
            VerificationDeadlineClass::IncompleteArchive,
            VerificationDeadlineClass::Statutory(Period::WorkingDays(20)),
        ] {
            let code = ClassCode::of(class);
            assert_eq!(code.as_str(), class.code());
            assert_eq!(code.with_period(class.period()), class);
            assert_eq!(serde_json::to_value(code).unwrap(), class.code());
        }
    }

    #[test]
    fn enums_write_the_stored_words() {
        assert_eq!(
            serde_json::to_value(State::Registered).unwrap(),
            "registered"
        );
        assert_eq!(
            serde_json::to_value(Channel::OfficeSystem).unwrap(),
            "office_system"
        );
        assert_eq!(
            serde_json::to_value(Outcome::NotMatching).unwrap(),
            "not_matching"
        );
        for k in [
            LedgerKind::SupplementaryRequest,
            LedgerKind::OnsiteCheck,
            LedgerKind::ApplicantProvided,
        ] {
            assert_eq!(EventKind::from(k).as_str(), k.as_str());
        }
    }
}
