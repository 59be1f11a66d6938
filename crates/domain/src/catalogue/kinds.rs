//! The catalogue's closed vocabularies: each is stored and sent as a lowercase string and
//! shown with its Chinese label.

use serde::{Deserialize, Serialize};

use crate::deadline::{Period, PeriodUnit};

macro_rules! vocabulary {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $v:ident = $s:literal, $label:literal;)+ }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vm])* $v,)+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$v,)+];
            pub fn as_str(self) -> &'static str { match self { $($name::$v => $s,)+ } }
            pub fn label(self) -> &'static str { match self { $($name::$v => $label,)+ } }
            /// Parses the code (`data_sharing`) or the Chinese label (`数据共享`).
            pub fn parse(s: &str) -> Option<$name> {
                let s = s.trim();
                $name::ALL.iter().copied().find(|v| v.as_str() == s || v.label() == s)
            }
        }
    };
}

vocabulary!(
    /// 事项类型 (SPEC R1.2; P 三(一)1).
    ServiceItemKind {
        AdministrativeLicence = "administrative_licence", "行政许可";
        AdministrativeConfirmation = "administrative_confirmation", "行政确认";
        AdministrativeBenefit = "administrative_benefit", "行政给付";
        AdministrativeReward = "administrative_reward", "行政奖励";
        AdministrativeAdjudication = "administrative_adjudication", "行政裁决";
        OtherAdministrativePower = "other_administrative_power", "其他行政权力";
        PublicService = "public_service", "依申请公共服务";
    }
);

vocabulary!(
    /// The level whose implementation list carries a proof item (SPEC R1.1).
    CatalogueLevel {
        County = "county", "县级";
        Town = "town", "镇（街道）级";
        Village = "village", "村（社区）级";
    }
);

vocabulary!(
    /// 替代取消方式 (SPEC glossary).
    ReplacementMethod {
        Abolished = "abolished", "直接取消";
        DataSharing = "data_sharing", "数据共享";
        Commitment = "commitment", "告知承诺";
        Verification = "verification", "部门核验";
        Proxy = "proxy", "干部代办";
        DeficiencyAcceptance = "deficiency_acceptance", "容缺受理";
        Other = "other", "其他方式";
    }
);

vocabulary!(
    /// Whether a proof item is kept (with a replacement) or cancelled outright (R1.3).
    Disposition {
        Retained = "retained", "保留（免提交）";
        Cancelled = "cancelled", "取消";
    }
);

vocabulary!(
    /// 设定依据的类别. SPEC "defaults we chose": laws, administrative and local regulations
    /// and State Council decisions are accepted; rules and policy documents are flagged.
    BasisKind {
        Law = "law", "法律";
        AdministrativeRegulation = "administrative_regulation", "行政法规";
        LocalRegulation = "local_regulation", "地方性法规";
        StateCouncilDecision = "state_council_decision", "国务院决定";
        DepartmentalRule = "departmental_rule", "部门规章";
        LocalGovernmentRule = "local_government_rule", "地方政府规章";
        PolicyDocument = "policy_document", "规范性文件";
    }
);

impl BasisKind {
    /// The kinds that may set a proof item by themselves in the seed's reading (优化营商环境条例
    /// §44; SPEC "defaults we chose"); the others go to the justice bureau as a flag. The kinds
    /// in force are a versioned setting (`catalogue.statutory_basis_kinds`) seeded with these.
    pub const STATUTORY_DEFAULT: [BasisKind; 4] = [
        BasisKind::Law,
        BasisKind::AdministrativeRegulation,
        BasisKind::LocalRegulation,
        BasisKind::StateCouncilDecision,
    ];
}

impl ServiceItemKind {
    /// 事项类型 as real lists write it: the label, the code, or a common short form
    /// (公共服务, 其他权力); `None` for anything else.
    pub fn from_list_text(s: &str) -> Option<ServiceItemKind> {
        let t: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        ServiceItemKind::parse(&t).or(match t.as_str() {
            "公共服务" | "依申请的公共服务" | "公共服务事项" => {
                Some(ServiceItemKind::PublicService)
            }
            "其他权力" | "其他行政权力事项" => {
                Some(ServiceItemKind::OtherAdministrativePower)
            }
            _ => None,
        })
    }
}

impl ReplacementMethod {
    /// What the citizen reads: "您无需提交此证明，办理单位将……".
    pub fn office_action(self) -> &'static str {
        match self {
            ReplacementMethod::Abolished => "不再要求此证明（已直接取消）",
            ReplacementMethod::DataSharing => "通过数据共享平台直接调取相关信息或电子证照",
            ReplacementMethod::Commitment => "请您签署告知承诺书代替证明，事后依法核查",
            ReplacementMethod::Verification => "向开具单位发起部门核验，由对方在规定时限内回复",
            ReplacementMethod::Proxy => "安排代办员代为到开具单位调取",
            ReplacementMethod::DeficiencyAcceptance => "先行受理您的申请，材料可后补",
            ReplacementMethod::Other => "按办事指南所列方式自行获取",
        }
    }
}

/// 核验时限类别 (A2 §7): the issuer's default deadline for answering a verification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VerificationDeadlineClass {
    /// 电子档案: 30 minutes of office time.
    Electronic,
    /// 纸质档案: 1 working day.
    PaperArchive,
    /// 档案不全: 2 working days.
    IncompleteArchive,
    /// 法定程序: the time limit the law sets (`Nwd` or `Ncd`).
    Statutory(Period),
}

impl VerificationDeadlineClass {
    pub const CODES: [&'static str; 4] = [
        "electronic",
        "paper_archive",
        "incomplete_archive",
        "statutory",
    ];

    pub fn code(self) -> &'static str {
        match self {
            VerificationDeadlineClass::Electronic => "electronic",
            VerificationDeadlineClass::PaperArchive => "paper_archive",
            VerificationDeadlineClass::IncompleteArchive => "incomplete_archive",
            VerificationDeadlineClass::Statutory(_) => "statutory",
        }
    }

    pub fn label(self) -> String {
        match self {
            VerificationDeadlineClass::Electronic => "电子档案（30分钟）".to_owned(),
            VerificationDeadlineClass::PaperArchive => "纸质档案（1个工作日）".to_owned(),
            VerificationDeadlineClass::IncompleteArchive => "档案不全（2个工作日）".to_owned(),
            VerificationDeadlineClass::Statutory(p) => format!("法定程序（{}）", p.describe()),
        }
    }

    /// The period string the deadline engine reads (`Period::parse`).
    pub fn period(self) -> Period {
        match self {
            VerificationDeadlineClass::Electronic => Period::Minutes(30),
            VerificationDeadlineClass::PaperArchive => Period::WorkingDays(1),
            VerificationDeadlineClass::IncompleteArchive => Period::WorkingDays(2),
            VerificationDeadlineClass::Statutory(p) => p,
        }
    }

    pub fn period_string(self) -> String {
        self.period().to_string()
    }

    /// From the stored pair: the class code and, for `statutory`, its legal limit.
    /// A statutory limit must be in working or calendar days.
    pub fn parse(code: &str, statutory_limit: Option<&str>) -> Result<Self, String> {
        match code.trim() {
            "electronic" => Ok(VerificationDeadlineClass::Electronic),
            "paper_archive" => Ok(VerificationDeadlineClass::PaperArchive),
            "incomplete_archive" => Ok(VerificationDeadlineClass::IncompleteArchive),
            "statutory" => {
                let raw = statutory_limit.map(str::trim).unwrap_or("");
                if raw.is_empty() {
                    return Err("法定程序类须填写法定时限（例如 20wd 或 30cd）".to_owned());
                }
                let p = Period::parse(raw).map_err(|e| e.to_string())?;
                match p.unit() {
                    PeriodUnit::WorkingDays | PeriodUnit::CalendarDays => {
                        Ok(VerificationDeadlineClass::Statutory(p))
                    }
                    _ => Err(format!("法定时限“{raw}”应以工作日（wd）或自然日（cd）计")),
                }
            }
            other => Err(format!(
                "核验时限类别“{other}”无效（可用：electronic 电子档案、paper_archive 纸质档案、incomplete_archive 档案不全、statutory 法定程序）"
            )),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn the_seven_service_item_kinds_of_r1_2_parse_by_code_and_label() {
        // SPEC R1.2, P 三(一)1
        assert_eq!(ServiceItemKind::ALL.len(), 7);
        assert_eq!(
            ServiceItemKind::parse("依申请公共服务"),
            Some(ServiceItemKind::PublicService)
        );
        assert_eq!(
            ServiceItemKind::parse("administrative_licence"),
            Some(ServiceItemKind::AdministrativeLicence)
        );
        assert_eq!(ServiceItemKind::parse("行政处罚"), None);
    }

    #[test]
    fn replacement_methods_use_the_glossary_codes() {
        // SPEC glossary 替代取消方式
        let codes: Vec<_> = ReplacementMethod::ALL.iter().map(|m| m.as_str()).collect();
        assert_eq!(
            codes,
            [
                "abolished",
                "data_sharing",
                "commitment",
                "verification",
                "proxy",
                "deficiency_acceptance",
                "other"
            ]
        );
    }

    #[test]
    fn verification_deadline_classes_give_the_periods_of_a2_section_7() {
        // A2 §7: electronic 30 minutes, paper 1 working day, incomplete 2 working days.
        assert_eq!(VerificationDeadlineClass::Electronic.period_string(), "30m");
        assert_eq!(
            VerificationDeadlineClass::PaperArchive.period_string(),
            "1wd"
        );
        assert_eq!(
            VerificationDeadlineClass::IncompleteArchive.period_string(),
            "2wd"
        );
        let s = VerificationDeadlineClass::parse("statutory", Some("20wd")).unwrap();
        assert_eq!(s.period_string(), "20wd");
        assert_eq!(
            VerificationDeadlineClass::parse("statutory", Some("30cd"))
                .unwrap()
                .period_string(),
            "30cd"
        );
        // Each string is one the deadline engine parses back.
        for c in [
            VerificationDeadlineClass::Electronic,
            VerificationDeadlineClass::PaperArchive,
            VerificationDeadlineClass::IncompleteArchive,
            s,
        ] {
            assert_eq!(Period::parse(&c.period_string()).unwrap(), c.period());
        }
    }

    #[test]
    fn a_statutory_class_needs_a_day_based_limit() {
        assert!(VerificationDeadlineClass::parse("statutory", None).is_err());
        assert!(VerificationDeadlineClass::parse("statutory", Some("3h")).is_err());
        assert!(VerificationDeadlineClass::parse("statutory", Some("0wd")).is_err());
        assert!(VerificationDeadlineClass::parse("fast", None).is_err());
    }

    #[test]
    fn only_statutory_bases_stand_alone_by_default() {
        // SPEC "defaults we chose": rules and policy documents are flagged.
        let d = BasisKind::STATUTORY_DEFAULT;
        assert!(d.contains(&BasisKind::Law));
        assert!(d.contains(&BasisKind::StateCouncilDecision));
        assert!(!d.contains(&BasisKind::DepartmentalRule));
        assert!(!d.contains(&BasisKind::PolicyDocument));
    }

    #[test]
    fn service_item_kinds_read_as_real_lists_write_them() {
        // SPEC "Real lists": 事项类型 maps to the kind, not always 依申请公共服务.
        assert_eq!(
            ServiceItemKind::from_list_text(" 行政 许可"),
            Some(ServiceItemKind::AdministrativeLicence)
        );
        assert_eq!(
            ServiceItemKind::from_list_text("公共服务"),
            Some(ServiceItemKind::PublicService)
        );
        assert_eq!(ServiceItemKind::from_list_text("行政处罚"), None);
    }
}
