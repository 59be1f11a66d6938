//! What a notification is about (SPEC: each event notifies each recipient once).

use serde::{Deserialize, Serialize};

use crate::role::Role;

/// The event a notification reports; stored as its snake_case name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    /// A verification request sent, answered or awaiting the unit (A2).
    Verification,
    /// A unit's liaison and proxy-agent staffing falls short (A2 §6).
    Staffing,
    /// A deadline has passed.
    Overdue,
    /// A deadline is near.
    Reminder,
    /// A unit summoned to the county government over overdue verifications (A2 §8).
    Summon,
    /// The working-day calendar needs the next year's official data.
    Calendar,
    /// A blacklist proposal or decision (R4.3).
    Blacklist,
    /// A credit repair request (R4.3).
    CreditRepair,
    /// A commitment post-check's result.
    CommitmentResult,
    /// A commitment found false.
    CommitmentFalse,
    /// A commitment post-check to carry out.
    CommitmentCheck,
    /// An applicant withdrew a commitment.
    CommitmentWithdrawn,
    /// Something awaiting legal review (R1.4).
    Review,
    /// An accountability case, decision, appeal or exemption (A5).
    Accountability,
    /// A complaint to accept, handle or decide on (A4).
    Complaint,
    /// A joint meeting's agenda, minutes or decision to carry out (A1).
    JointMeeting,
    /// A proxy task (干部代办) for the unit's proxy agents to obtain a proof (R5.10).
    ProxyTask,
    /// A data-sharing pull the city platform still could not serve after its automatic
    /// retries: the unit falls back to verification or commitment (R3.2).
    CityRetry,
}

pub const ALL_NOTIFICATION_KINDS: [NotificationKind; 18] = [
    NotificationKind::Verification,
    NotificationKind::Staffing,
    NotificationKind::Overdue,
    NotificationKind::Reminder,
    NotificationKind::Summon,
    NotificationKind::Calendar,
    NotificationKind::Blacklist,
    NotificationKind::CreditRepair,
    NotificationKind::CommitmentResult,
    NotificationKind::CommitmentFalse,
    NotificationKind::CommitmentCheck,
    NotificationKind::CommitmentWithdrawn,
    NotificationKind::Review,
    NotificationKind::Accountability,
    NotificationKind::Complaint,
    NotificationKind::JointMeeting,
    NotificationKind::ProxyTask,
    NotificationKind::CityRetry,
];

impl NotificationKind {
    pub fn as_str(self) -> &'static str {
        match self {
            NotificationKind::Verification => "verification",
            NotificationKind::Staffing => "staffing",
            NotificationKind::Overdue => "overdue",
            NotificationKind::Reminder => "reminder",
            NotificationKind::Summon => "summon",
            NotificationKind::Calendar => "calendar",
            NotificationKind::Blacklist => "blacklist",
            NotificationKind::CreditRepair => "credit_repair",
            NotificationKind::CommitmentResult => "commitment_result",
            NotificationKind::CommitmentFalse => "commitment_false",
            NotificationKind::CommitmentCheck => "commitment_check",
            NotificationKind::CommitmentWithdrawn => "commitment_withdrawn",
            NotificationKind::Review => "review",
            NotificationKind::Accountability => "accountability",
            NotificationKind::Complaint => "complaint",
            NotificationKind::JointMeeting => "joint_meeting",
            NotificationKind::ProxyTask => "proxy_task",
            NotificationKind::CityRetry => "city_retry",
        }
    }

    /// For a notice addressed to a whole unit: the roles of that unit that act on it and may
    /// open the page it links; `None` when every member may. Listing, counting and reading a
    /// unit's notices apply it, so the justice bureau's legal reviewer never gets the bureau's
    /// complaint notices, nor the county approver those of the county government's office
    /// (issue #22 point 2: every link a notice writes leads somewhere for whoever gets it).
    pub fn unit_roles(self) -> Option<&'static [Role]> {
        match self {
            // The unit's receivers (A4 §3: the hotline, the window, the justice bureau's
            // complaint office; a unit's admin and clerks for complaints about itself) and the
            // handling unit's admin and clerks.
            NotificationKind::Complaint => Some(&[
                Role::ComplaintHotline,
                Role::ComplaintWindow,
                Role::ComplaintJustice,
                Role::UnitAdmin,
                Role::CounterClerk,
            ]),
            // Liaison and proxy agents send and answer (A2 §5–§7); the unit's admin staffs
            // the posts a unit without them lacks.
            NotificationKind::Verification => {
                Some(&[Role::Liaison, Role::ProxyAgent, Role::UnitAdmin])
            }
            _ => None,
        }
    }

    /// Whether a member of the addressed unit holding `roles` receives this kind of notice.
    pub fn reaches(self, roles: &[Role]) -> bool {
        self.unit_roles()
            .is_none_or(|allowed| roles.iter().any(|r| allowed.contains(r)))
    }

    pub fn label(self) -> &'static str {
        match self {
            NotificationKind::Verification => "部门核验",
            NotificationKind::Staffing => "人员配备",
            NotificationKind::Overdue => "逾期",
            NotificationKind::Reminder => "即将到期",
            NotificationKind::Summon => "约谈",
            NotificationKind::Calendar => "工作日历",
            NotificationKind::Blacklist => "失信名单",
            NotificationKind::CreditRepair => "信用修复",
            NotificationKind::CommitmentResult => "核查结果",
            NotificationKind::CommitmentFalse => "虚假承诺",
            NotificationKind::CommitmentCheck => "承诺核查",
            NotificationKind::CommitmentWithdrawn => "撤回承诺",
            NotificationKind::Review => "合法性审查",
            NotificationKind::Accountability => "责任追究",
            NotificationKind::Complaint => "投诉举报",
            NotificationKind::JointMeeting => "联席会议",
            NotificationKind::ProxyTask => "干部代办",
            NotificationKind::CityRetry => "数据调取失败",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_serialises_as_its_stored_name() {
        for k in ALL_NOTIFICATION_KINDS {
            assert_eq!(
                serde_json::to_value(k).unwrap(),
                serde_json::json!(k.as_str())
            );
        }
        assert!(serde_json::from_value::<NotificationKind>(serde_json::json!("spam")).is_err());
    }

    // SPEC R5.10, R3.2: a proxy task and a failed city pull are kinds of their own, not
    // verifications; every kind has its own stored name and its own Chinese label.
    #[test]
    fn every_kind_has_its_own_name_and_label() {
        let names: std::collections::HashSet<_> =
            ALL_NOTIFICATION_KINDS.iter().map(|k| k.as_str()).collect();
        let labels: std::collections::HashSet<_> =
            ALL_NOTIFICATION_KINDS.iter().map(|k| k.label()).collect();
        assert_eq!(names.len(), ALL_NOTIFICATION_KINDS.len());
        assert_eq!(labels.len(), ALL_NOTIFICATION_KINDS.len());
        assert_eq!(NotificationKind::ProxyTask.label(), "干部代办");
        assert_eq!(NotificationKind::CityRetry.label(), "数据调取失败");
        assert_eq!(
            serde_json::from_value::<NotificationKind>(serde_json::json!("proxy_task")).ok(),
            Some(NotificationKind::ProxyTask)
        );
        assert!(
            ALL_NOTIFICATION_KINDS
                .iter()
                .all(|k| k.label().chars().all(|c| !c.is_ascii_alphabetic()))
        );
    }

    // Issue #22 point 2: a unit's complaint and verification notices reach the roles that
    // handle them, not the unit's legal reviewer or county approver; other kinds reach all.
    #[test]
    fn unit_notices_reach_the_roles_that_handle_them() {
        use NotificationKind as K;
        assert!(!K::Complaint.reaches(&[Role::LegalReviewer]));
        assert!(!K::Complaint.reaches(&[Role::CountyApprover]));
        assert!(K::Complaint.reaches(&[Role::ComplaintJustice]));
        assert!(K::Complaint.reaches(&[Role::CountyApprover, Role::ComplaintHotline]));
        assert!(!K::Verification.reaches(&[Role::LegalReviewer]));
        assert!(K::Verification.reaches(&[Role::Liaison]));
        assert!(K::Overdue.reaches(&[Role::LegalReviewer]));
        assert!(K::Staffing.reaches(&[]));
    }
}
