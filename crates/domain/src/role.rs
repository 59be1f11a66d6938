//! Staff roles and what each may do. SPEC glossary; issue "platform foundation" §5.

use serde::{Deserialize, Serialize};

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 窗口受理人员
    CounterClerk,
    /// 联络员 (A2 §6)
    Liaison,
    /// 代办员 (A2 §6, P 三(二)3 干部代办)
    ProxyAgent,
    /// 核查人员 (post-checks of commitments)
    Inspector,
    /// 单位管理员
    UnitAdmin,
    /// 合法性审查 (县司法局, R1.4)
    LegalReviewer,
    /// 联席会议办公室 (县行政审批服务局)
    JointOffice,
    /// 县政府核准 (R2.2)
    CountyApprover,
    /// 12345 热线 (A4 §3)
    ComplaintHotline,
    /// 行政审批服务局专门窗口 (A4 §3)
    ComplaintWindow,
    /// 司法局投诉受理 (A4 §3)
    ComplaintJustice,
    /// 县社会信用建设联席会议办公室 (R4.3)
    CreditOffice,
    /// 责任追究部门 (A5 §5)
    Accountability,
    /// 系统管理员
    SystemAdmin,
}

pub const ALL_ROLES: [Role; 14] = [
    Role::CounterClerk,
    Role::Liaison,
    Role::ProxyAgent,
    Role::Inspector,
    Role::UnitAdmin,
    Role::LegalReviewer,
    Role::JointOffice,
    Role::CountyApprover,
    Role::ComplaintHotline,
    Role::ComplaintWindow,
    Role::ComplaintJustice,
    Role::CreditOffice,
    Role::Accountability,
    Role::SystemAdmin,
];

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::CounterClerk => "counter_clerk",
            Role::Liaison => "liaison",
            Role::ProxyAgent => "proxy_agent",
            Role::Inspector => "inspector",
            Role::UnitAdmin => "unit_admin",
            Role::LegalReviewer => "legal_reviewer",
            Role::JointOffice => "joint_office",
            Role::CountyApprover => "county_approver",
            Role::ComplaintHotline => "complaint_hotline",
            Role::ComplaintWindow => "complaint_window",
            Role::ComplaintJustice => "complaint_justice",
            Role::CreditOffice => "credit_office",
            Role::Accountability => "accountability",
            Role::SystemAdmin => "system_admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        ALL_ROLES.iter().copied().find(|r| r.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::CounterClerk => "窗口受理人员",
            Role::Liaison => "联络员",
            Role::ProxyAgent => "代办员",
            Role::Inspector => "核查人员",
            Role::UnitAdmin => "单位管理员",
            Role::LegalReviewer => "合法性审查人员",
            Role::JointOffice => "联席会议办公室",
            Role::CountyApprover => "县政府核准人",
            Role::ComplaintHotline => "12345热线受理",
            Role::ComplaintWindow => "专门窗口受理",
            Role::ComplaintJustice => "司法局投诉受理",
            Role::CreditOffice => "信用办",
            Role::Accountability => "责任追究部门",
            Role::SystemAdmin => "系统管理员",
        }
    }

    /// Roles whose holders see every unit of the deployment, not only their own.
    pub fn is_county_wide(self) -> bool {
        matches!(
            self,
            Role::JointOffice
                | Role::LegalReviewer
                | Role::CountyApprover
                | Role::CreditOffice
                | Role::Accountability
                | Role::SystemAdmin
        )
    }
}

/// Roles a unit admin may grant inside their own unit; the rest are county-wide and
/// granted by the system administrator.
pub const UNIT_ROLES: [Role; 5] = [
    Role::CounterClerk,
    Role::Liaison,
    Role::ProxyAgent,
    Role::Inspector,
    Role::UnitAdmin,
];

/// The roles of an API token, stored and shown as one comma-separated text
/// (`counter_clerk,liaison`), as the API has always answered. A stored name that is not
/// a role fails to decode.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoleList(pub Vec<Role>);

impl RoleList {
    /// `a,b` in the order the roles were granted.
    pub fn joined(&self) -> String {
        self.0
            .iter()
            .map(|r| r.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Reads the stored text; `Err` names the first unknown role.
    pub fn parse(s: &str) -> Result<RoleList, String> {
        s.split(',')
            .filter(|r| !r.is_empty())
            .map(|r| Role::parse(r).ok_or_else(|| format!("未知角色“{r}”")))
            .collect::<Result<Vec<_>, _>>()
            .map(RoleList)
    }
}

impl Serialize for RoleList {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.joined())
    }
}

impl<'de> Deserialize<'de> for RoleList {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        RoleList::parse(&raw).map_err(serde::de::Error::custom)
    }
}

/// Who acts: the kind of principal behind a request, kept in every audit row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ActorKind {
    /// Unit staff logged in through the browser.
    Staff,
    /// Another system using a bearer token scoped to one org.
    Token,
    /// A citizen or company representative on the portal.
    Portal,
    /// The system itself (demo loader, job runner, CLI).
    System,
    /// Nobody logged in (public pages).
    Anonymous,
}

impl ActorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ActorKind::Staff => "staff",
            ActorKind::Token => "token",
            ActorKind::Portal => "portal",
            ActorKind::System => "system",
            ActorKind::Anonymous => "anonymous",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ActorKind::Staff => "工作人员",
            ActorKind::Token => "接口令牌",
            ActorKind::Portal => "群众和企业",
            ActorKind::System => "系统",
            ActorKind::Anonymous => "匿名访客",
        }
    }
}

/// Who a browser session belongs to; stored with the session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PrincipalKind {
    /// A staff member (`staff.id`).
    Staff,
    /// A citizen's portal account (`persons.id`).
    Portal,
}

impl PrincipalKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PrincipalKind::Staff => "staff",
            PrincipalKind::Portal => "portal",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            PrincipalKind::Staff => "工作人员",
            PrincipalKind::Portal => "群众和企业",
        }
    }
}

/// Duties that carry an A/B backup (A2 §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Duty {
    Liaison,
    ProxyAgent,
}

impl Duty {
    pub fn as_str(self) -> &'static str {
        match self {
            Duty::Liaison => "liaison",
            Duty::ProxyAgent => "proxy_agent",
        }
    }
    pub fn parse(s: &str) -> Option<Duty> {
        match s {
            "liaison" => Some(Duty::Liaison),
            "proxy_agent" => Some(Duty::ProxyAgent),
            _ => None,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Duty::Liaison => "联络员",
            Duty::ProxyAgent => "代办员",
        }
    }
}

/// One post as held: its A holder and optional B stand-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Post {
    pub duty: Duty,
    pub a: i64,
    pub b: Option<i64>,
}

/// Whether a unit meets A2 §6: at least 1 liaison and 2 proxy agents, each post
/// with a B stand-in. Counts distinct A holders; a proxy agent may be the liaison's B.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Staffing {
    pub liaisons: usize,
    pub proxy_agents: usize,
    pub posts_without_b: usize,
    pub meets_minimum: bool,
    pub problems: Vec<String>,
}

pub fn assess_staffing(posts: &[Post]) -> Staffing {
    use std::collections::BTreeSet;
    let holders = |d: Duty| {
        posts
            .iter()
            .filter(|p| p.duty == d)
            .map(|p| p.a)
            .collect::<BTreeSet<_>>()
    };
    let liaisons = holders(Duty::Liaison).len();
    let proxy_agents = holders(Duty::ProxyAgent).len();
    let posts_without_b = posts.iter().filter(|p| p.b.is_none()).count();
    let mut problems = Vec::new();
    if liaisons < 1 {
        problems.push("未配备联络员（至少 1 名）".to_owned());
    }
    if proxy_agents < 2 {
        problems.push(format!("代办员不足：现有 {proxy_agents} 名，至少 2 名"));
    }
    if posts_without_b > 0 {
        problems.push(format!("{posts_without_b} 个岗位未设 B 角"));
    }
    Staffing {
        liaisons,
        proxy_agents,
        posts_without_b,
        meets_minimum: problems.is_empty(),
        problems,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_round_trips_through_its_name() {
        for r in ALL_ROLES {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn a_token_role_list_is_comma_text_and_refuses_an_unknown_role() {
        let list = RoleList(vec![Role::CounterClerk, Role::Liaison]);
        assert_eq!(
            serde_json::to_value(&list).unwrap(),
            serde_json::json!("counter_clerk,liaison")
        );
        let back: RoleList =
            serde_json::from_value(serde_json::json!("counter_clerk,liaison")).unwrap();
        assert_eq!(back, list);
        assert!(
            serde_json::from_value::<RoleList>(serde_json::json!("counter_clerk,root")).is_err()
        );
        assert_eq!(RoleList::parse("").unwrap(), RoleList::default());
    }

    // A2 §6: 每个单位至少配备 1 名联络员、2 名代办员，实行 AB 角。
    #[test]
    // SPEC R5.8
    fn a_unit_with_one_liaison_and_two_proxy_agents_with_stand_ins_meets_a2_6() {
        let posts = vec![
            Post {
                duty: Duty::Liaison,
                a: 1,
                b: Some(2),
            },
            Post {
                duty: Duty::ProxyAgent,
                a: 2,
                b: Some(3),
            },
            Post {
                duty: Duty::ProxyAgent,
                a: 3,
                b: Some(2),
            },
        ];
        let s = assess_staffing(&posts);
        assert!(s.meets_minimum, "{:?}", s.problems);
        assert_eq!((s.liaisons, s.proxy_agents), (1, 2));
    }

    // A2 §6
    #[test]
    fn a_unit_with_one_proxy_agent_or_a_post_without_b_is_flagged() {
        let posts = vec![
            Post {
                duty: Duty::Liaison,
                a: 1,
                b: None,
            },
            Post {
                duty: Duty::ProxyAgent,
                a: 2,
                b: Some(1),
            },
        ];
        let s = assess_staffing(&posts);
        assert!(!s.meets_minimum);
        assert_eq!(s.problems.len(), 2);
        assert!(s.problems[0].contains("代办员不足"));
    }

    // A2 §6
    #[test]
    fn the_same_person_holding_two_proxy_posts_counts_once() {
        let posts = vec![
            Post {
                duty: Duty::Liaison,
                a: 1,
                b: Some(2),
            },
            Post {
                duty: Duty::ProxyAgent,
                a: 2,
                b: Some(1),
            },
            Post {
                duty: Duty::ProxyAgent,
                a: 2,
                b: Some(1),
            },
        ];
        assert!(!assess_staffing(&posts).meets_minimum);
    }
}
