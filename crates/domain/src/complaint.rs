//! Complaints (投诉举报, annex 4; SPEC R8): who receives them, by which channel, on which
//! grounds, why one is not accepted or is terminated, the states a complaint goes through,
//! the satisfaction answer, and the pure rules (required fields, anonymity, duplicates,
//! the violation an upheld complaint records). Pure types, no IO.

use serde::{Deserialize, Serialize};

use crate::commitment::text_enum;
use crate::violation::ViolationKind;

text_enum! {
    /// The receivers (A4 §3): the 12345 hotline, the approval bureau's special window, the
    /// justice bureau; every agency also receives complaints about itself.
    pub enum Receiver {
        Hotline => ("hotline", "12345政务服务便民热线"),
        Window => ("window", "“无证明”专窗"),
        Justice => ("justice", "县司法局"),
        Agency => ("agency", "被投诉单位（自行受理）"),
    }
}

text_enum! {
    /// Channels (A4 §5–§6).
    pub enum ComplaintChannel {
        Letter => ("letter", "信函"),
        Fax => ("fax", "传真"),
        Sms => ("sms", "短信"),
        Email => ("email", "电子邮件"),
        Platform => ("platform", "投诉平台（网上）"),
        #[serde(rename = "hotline_12345")]
        Hotline12345 => ("hotline_12345", "12345热线"),
        SpecialWindow => ("special_window", "“无证明”专窗"),
        MinistryPlatform => ("ministry_platform", "司法部“互联网+督查”平台"),
        EnforcementSupervision => ("enforcement_supervision", "行政执法监督"),
        InPerson => ("in_person", "当面投诉"),
        Agent => ("agent", "委托代理人"),
    }
}

/// The channels by their short name (the schema is named `ComplaintChannel`, unique in the
/// OpenAPI document).
pub type Channel = ComplaintChannel;

text_enum! {
    /// Oral or written (A4 §6).
    pub enum Form {
        Oral => ("oral", "口头"),
        Written => ("written", "书面"),
    }
}

text_enum! {
    /// Grounds of a complaint (A4 §4).
    pub enum Ground {
        ProofDemanded => ("proof_demanded", "仍然索要或变相索要证明材料"),
        ListNotFollowed => ("list_not_followed", "未按清单规定的方式办理"),
        NotCheckedInTime => ("not_checked_in_time", "未按时限进行核验"),
        OutOfCityRefused => ("out_of_city_refused", "拒不开具市外需要的证明"),
        Other => ("other", "其他违反证明事项告知承诺制或“无证明城市”规定的情形"),
    }
}

text_enum! {
    /// Why a complaint is not accepted (A4 §8).
    pub enum RejectGround {
        TooVague => ("too_vague", "投诉内容不具体，无法核实"),
        RepeatedMalicious => ("repeated_malicious", "已受理或正在办理，投诉人恶意重复投诉"),
        OtherProceedings => ("other_proceedings", "属于诉讼、仲裁、行政复议等程序处理的事项"),
        Other => ("other", "其他不予受理的情形"),
    }
}

text_enum! {
    /// Why handling ends without a result (A4 §11).
    pub enum TerminateGround {
        Withdrawn => ("withdrawn", "投诉人撤回投诉"),
        OtherProceedings => ("other_proceedings", "投诉人已申请仲裁、行政复议或提起诉讼"),
        Other => ("other", "其他应当终止的情形"),
    }
}

text_enum! {
    /// Where a complaint stands.
    pub enum ComplaintState {
        Registered => ("registered", "已登记待受理"),
        Accepted => ("accepted", "已受理办理中"),
        Rejected => ("rejected", "不予受理"),
        Linked => ("linked", "已并入首家受理"),
        Answered => ("answered", "已办结待评价"),
        Closed => ("closed", "已评价办结"),
        Terminated => ("terminated", "已终止"),
    }
}

text_enum! {
    /// The complainant's answer to the result (A4 §10).
    pub enum Satisfaction {
        Satisfied => ("satisfied", "满意"),
        Basic => ("basic", "基本满意"),
        Unsatisfied => ("unsatisfied", "不满意"),
    }
}

text_enum! {
    /// An extension request (A4 §10: applied for with reasons, approved by the receiver).
    pub enum ExtensionState {
        Requested => ("requested", "待审批"),
        Approved => ("approved", "已批准"),
        Refused => ("refused", "不予批准"),
    }
}

impl Receiver {
    /// The channel a receiver's own intake most naturally records.
    pub fn default_channel(self) -> Channel {
        match self {
            Receiver::Hotline => Channel::Hotline12345,
            Receiver::Window => Channel::SpecialWindow,
            Receiver::Justice => Channel::MinistryPlatform,
            Receiver::Agency => Channel::InPerson,
        }
    }
}

impl Channel {
    /// Channels that carry only written text (a letter is never oral).
    pub fn always_written(self) -> bool {
        matches!(
            self,
            Channel::Letter | Channel::Fax | Channel::Sms | Channel::Email | Channel::Platform
        )
    }
}

impl ComplaintState {
    /// The complaint's handling is over (no more acts but satisfaction and reopening).
    pub fn is_final(self) -> bool {
        matches!(
            self,
            ComplaintState::Rejected
                | ComplaintState::Linked
                | ComplaintState::Closed
                | ComplaintState::Terminated
        )
    }
}

/// What a registration says, as far as the rules of A4 §5, §6 and §10 look at it.
#[derive(Debug, Clone, Default)]
pub struct Filled {
    pub anonymous: bool,
    pub name: bool,
    pub phone: bool,
    pub agency: bool,
    pub request: bool,
    pub reasons: bool,
    pub agent_name: bool,
    pub agent_authorisation: bool,
}

/// Every missing or forbidden field of a registration, as (field, Chinese message).
///
/// - A4 §5: a written complaint states name and phone, the agency, the request, the reasons
///   and facts.
/// - A4 §10 / SPEC R8.7: only a complaint by the 12345 hotline may be anonymous, and then
///   only an oral one (name and phone are required of written complaints).
/// - A4 §6: through an entrusted agent, the agent and the authorisation are recorded.
/// - Every complaint names the agency and what is asked (A4 §7 registers them).
pub fn registration_problems(
    channel: Channel,
    form: Form,
    f: &Filled,
) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    let written = form == Form::Written;
    if f.anonymous {
        if channel != Channel::Hotline12345 {
            out.push((
                "anonymous",
                "只有通过12345热线的投诉可以匿名（附件4第十条）".to_owned(),
            ));
        } else if written {
            out.push((
                "anonymous",
                "书面投诉须写明投诉人姓名和联系电话，不能匿名（附件4第五条）".to_owned(),
            ));
        }
    } else {
        if !f.name && (written || channel == Channel::Agent) {
            out.push(("name", "书面投诉须写明投诉人姓名（附件4第五条）".to_owned()));
        }
        if !f.phone {
            out.push((
                "phone",
                "须留下联系电话，以便告知受理和办理结果（附件4第五条、第十条）".to_owned(),
            ));
        }
    }
    if !f.agency {
        out.push((
            "agency_org_id",
            "须写明被投诉的单位（附件4第五条）".to_owned(),
        ));
    }
    if !f.request {
        out.push(("request", "须写明投诉请求（附件4第五条）".to_owned()));
    }
    if written && !f.reasons {
        out.push((
            "reasons",
            "书面投诉须写明投诉的理由和事实（附件4第五条）".to_owned(),
        ));
    }
    if channel == Channel::Agent {
        if !f.agent_name {
            out.push((
                "agent_name",
                "委托代理人投诉须登记代理人姓名（附件4第六条）".to_owned(),
            ));
        }
        if !f.agent_authorisation {
            out.push((
                "agent_authorisation",
                "委托代理人投诉须登记授权委托书（附件4第六条）".to_owned(),
            ));
        }
    }
    if channel.always_written() && form == Form::Oral {
        out.push(("form", format!("{}只能是书面投诉", channel.label())));
    }
    out
}

/// The conduct an upheld complaint on `ground` records for accountability (A5 §4).
pub fn violation_kind(ground: Ground) -> ViolationKind {
    match ground {
        Ground::ProofDemanded => ViolationKind::ProofDemanded,
        Ground::ListNotFollowed => ViolationKind::MethodChanged,
        Ground::NotCheckedInTime => ViolationKind::VerificationLate,
        Ground::OutOfCityRefused | Ground::Other => ViolationKind::Other,
    }
}

/// How alike two complaint texts are, 0–100: the Dice coefficient of their character
/// bigrams (punctuation and spaces ignored). Chinese text has no word boundaries; bigrams
/// catch the same complaint retold in other words well enough to show it to a receiver,
/// who decides (A4 §9).
pub fn similarity(a: &str, b: &str) -> i64 {
    fn grams(s: &str) -> Vec<(char, char)> {
        let cs: Vec<char> = s.chars().filter(|c| c.is_alphanumeric()).collect();
        let mut g: Vec<(char, char)> = cs.windows(2).map(|w| (w[0], w[1])).collect();
        g.sort_unstable();
        g
    }
    let (ga, gb) = (grams(a), grams(b));
    if ga.is_empty() || gb.is_empty() {
        return i64::from(!ga.is_empty() && ga == gb) * 100;
    }
    let (mut i, mut j, mut common) = (0, 0, 0usize);
    while i < ga.len() && j < gb.len() {
        match ga[i].cmp(&gb[j]) {
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
        }
    }
    i64::try_from(200 * common / (ga.len() + gb.len())).unwrap_or(0)
}

/// A phone as stored and compared: digits only (a leading +86 dropped).
pub fn normalise_phone(s: &str) -> Option<String> {
    let d: String = s.chars().filter(|c| c.is_ascii_digit()).collect();
    let d = d
        .strip_prefix("86")
        .filter(|r| r.len() == 11)
        .map_or(d.clone(), str::to_owned);
    (7..=15).contains(&d.len()).then_some(d)
}

/// A phone as lists show it: the last four digits.
pub fn mask_phone(p: &str) -> String {
    let n = p.chars().count();
    let tail: String = p.chars().skip(n.saturating_sub(4)).collect();
    format!("{}{tail}", "*".repeat(n.saturating_sub(4).min(7)))
}

/// A complaint's receipt number: `TS` + local date + the id, zero-padded.
pub fn receipt_no(local_date: chrono::NaiveDate, id: i64) -> String {
    format!("TS{}{id:06}", local_date.format("%Y%m%d"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full() -> Filled {
        Filled {
            anonymous: false,
            name: true,
            phone: true,
            agency: true,
            request: true,
            reasons: true,
            agent_name: false,
            agent_authorisation: false,
        }
    }

    // A4 §5: a written complaint names complainant, phone, agency, request, reasons.
    #[test]
    fn written_complaint_needs_every_field_a4_5() {
        assert!(registration_problems(Channel::Letter, Form::Written, &full()).is_empty());
        let empty = Filled::default();
        let fields: Vec<_> = registration_problems(Channel::Letter, Form::Written, &empty)
            .into_iter()
            .map(|p| p.0)
            .collect();
        assert_eq!(
            fields,
            ["name", "phone", "agency_org_id", "request", "reasons"]
        );
    }

    // A4 §10, SPEC R8.7: only oral hotline complaints may be anonymous.
    #[test]
    fn anonymity_only_by_hotline_a4_10() {
        let anon = Filled {
            anonymous: true,
            name: false,
            phone: false,
            reasons: false,
            ..full()
        };
        assert!(registration_problems(Channel::Hotline12345, Form::Oral, &anon).is_empty());
        assert_eq!(
            registration_problems(Channel::SpecialWindow, Form::Oral, &anon)[0].0,
            "anonymous"
        );
        assert_eq!(
            registration_problems(Channel::Hotline12345, Form::Written, &anon)[0].0,
            "anonymous"
        );
    }

    // A4 §6: an entrusted agent is recorded with the authorisation.
    #[test]
    fn agent_needs_authorisation_a4_6() {
        let p = registration_problems(Channel::Agent, Form::Oral, &full());
        let fields: Vec<_> = p.into_iter().map(|p| p.0).collect();
        assert_eq!(fields, ["agent_name", "agent_authorisation"]);
        assert_eq!(
            registration_problems(Channel::Letter, Form::Oral, &full())[0].0,
            "form"
        );
    }

    // A5 §4: the conduct recorded by ground.
    #[test]
    fn violation_by_ground_a5_4() {
        assert_eq!(
            violation_kind(Ground::ProofDemanded),
            ViolationKind::ProofDemanded
        );
        assert_eq!(
            violation_kind(Ground::ListNotFollowed),
            ViolationKind::MethodChanged
        );
        assert_eq!(
            violation_kind(Ground::NotCheckedInTime),
            ViolationKind::VerificationLate
        );
        assert_eq!(violation_kind(Ground::Other), ViolationKind::Other);
    }

    // A4 §9: the same complaint retold is similar, another one is not.
    #[test]
    fn similarity_finds_retold_complaints_a4_9() {
        let a = "县市场监管局办理营业执照时仍要求提供居住证明";
        let b = "在县市场监管局办营业执照，窗口仍然要求我提供居住证明";
        let c = "社保局核验超时三天未答复";
        assert!(similarity(a, b) >= 60, "{}", similarity(a, b));
        assert!(similarity(a, c) < 20);
        assert_eq!(similarity(a, a), 100);
        assert_eq!(similarity("", "x"), 0);
    }

    #[test]
    fn enums_round_trip_and_phones() {
        for c in Channel::ALL {
            assert_eq!(Channel::parse(c.as_str()), Some(*c));
            // Stored and serialised as the same name.
            assert_eq!(
                serde_json::to_value(c).unwrap(),
                serde_json::json!(c.as_str())
            );
        }
        for g in RejectGround::ALL {
            assert_eq!(RejectGround::parse(g.as_str()), Some(*g));
        }
        // The shared vocabulary's strict parse: surrounding blanks are trimmed, nothing
        // else is forgiven (no case folding, no labels).
        assert_eq!(Channel::parse(" letter\n"), Some(Channel::Letter));
        assert_eq!(Channel::parse("Letter"), None);
        assert_eq!(Channel::parse("信函"), None);
        assert_eq!(ComplaintState::parse(""), None);
        assert_eq!(
            normalise_phone("+86 138-0000-1234").as_deref(),
            Some("13800001234")
        );
        assert_eq!(normalise_phone("12"), None);
        assert_eq!(mask_phone("13800001234"), "*******1234");
        let d = chrono::NaiveDate::from_ymd_opt(2026, 12, 5).unwrap();
        assert_eq!(receipt_no(d, 42), "TS20261205000042");
    }
}
