//! Organisations: agencies and public-service bodies (SPEC glossary "org").

use serde::{Deserialize, Serialize};

/// 行政机关和公共服务机构 by kind (SPEC glossary; R1.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrgKind {
    /// 行政机关
    AdministrativeBody,
    /// 法律法规授权组织
    AuthorisedOrganisation,
    /// 公共服务事业单位
    PublicServiceInstitution,
    /// 公共服务企业 (water, power, gas, telecom, banks…)
    PublicServiceEnterprise,
    /// 村（居）民委员会
    VillageCommittee,
}

pub const ALL_ORG_KINDS: [OrgKind; 5] = [
    OrgKind::AdministrativeBody,
    OrgKind::AuthorisedOrganisation,
    OrgKind::PublicServiceInstitution,
    OrgKind::PublicServiceEnterprise,
    OrgKind::VillageCommittee,
];

impl OrgKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OrgKind::AdministrativeBody => "administrative_body",
            OrgKind::AuthorisedOrganisation => "authorised_organisation",
            OrgKind::PublicServiceInstitution => "public_service_institution",
            OrgKind::PublicServiceEnterprise => "public_service_enterprise",
            OrgKind::VillageCommittee => "village_committee",
        }
    }

    pub fn parse(s: &str) -> Option<OrgKind> {
        ALL_ORG_KINDS.iter().copied().find(|k| k.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            OrgKind::AdministrativeBody => "行政机关",
            OrgKind::AuthorisedOrganisation => "法律法规授权组织",
            OrgKind::PublicServiceInstitution => "公共服务事业单位",
            OrgKind::PublicServiceEnterprise => "公共服务企业",
            OrgKind::VillageCommittee => "村（居）民委员会",
        }
    }
}

/// Longest organisation name we accept (the longest real ones are about 40 characters).
pub const MAX_ORG_NAME_CHARS: usize = 100;

/// Trim and check an organisation or person name: not empty, no control characters,
/// not longer than `max` characters.
pub fn clean_name(raw: &str, max: usize) -> Result<String, String> {
    let s = raw.trim();
    if s.is_empty() {
        return Err("不能为空".to_owned());
    }
    if s.chars().any(char::is_control) {
        return Err("含有不可见的控制字符".to_owned());
    }
    let n = s.chars().count();
    if n > max {
        return Err(format!("过长：{n} 个字符，最多 {max} 个"));
    }
    Ok(s.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(clean_name("  县司法局 ", 100), Ok("县司法局".to_owned()));
        assert!(clean_name("   ", 100).is_err());
        assert!(clean_name("a\u{0}b", 100).is_err());
        assert!(
            clean_name(&"局".repeat(101), 100)
                .unwrap_err()
                .contains("101")
        );
    }

    #[test]
    fn html_and_sql_in_names_are_kept_literally() {
        let s = "<script>alert(1)</script>'; DROP TABLE orgs;--";
        assert_eq!(clean_name(s, 100), Ok(s.to_owned()));
    }
}
