//! Documents an org seals with its e-seal (issue #5 §10).

use serde::{Deserialize, Serialize};

/// What a sealed document is; stored as its snake_case name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SealKind {
    /// A unit's sealed answer to a verification request (A2).
    VerificationReply,
    /// An applicant's signed commitment letter, sealed by the accepting unit (R5).
    CommitmentLetter,
    /// The result of a complaint told to the complainant, sealed by the handling unit (A4 §10).
    ComplaintResult,
    /// An e-licence or e-proof sealed by its issuer (R3.2).
    #[serde(rename = "eproof")]
    EProof,
    /// The written notice of a deficiency accepted (容缺受理, R5.10): what is missing and by
    /// when it must be supplied, sealed by the accepting unit.
    DeficiencyNotice,
    /// The minutes of a joint meeting, sealed by the joint office (A1 三(五)).
    JointMinutes,
}

impl SealKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SealKind::VerificationReply => "verification_reply",
            SealKind::CommitmentLetter => "commitment_letter",
            SealKind::ComplaintResult => "complaint_result",
            SealKind::EProof => "eproof",
            SealKind::DeficiencyNotice => "deficiency_notice",
            SealKind::JointMinutes => "joint_minutes",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SealKind::VerificationReply => "核验回复",
            SealKind::CommitmentLetter => "告知承诺书",
            SealKind::ComplaintResult => "投诉办理结果告知书",
            SealKind::EProof => "电子证照证明",
            SealKind::DeficiencyNotice => "容缺受理告知书",
            SealKind::JointMinutes => "联席会议纪要",
        }
    }
}

/// Key of a sealed document's body → Chinese label, sorted by key: the verify page shows
/// the body as labelled lines (issue #22 point 1), the exact signed text beside them.
pub const BODY_KEYS: &[(&str, &str)] = &[
    ("agency", "被投诉单位"),
    ("agenda", "议题"),
    ("answer", "反馈"),
    ("answered_at", "答复时间"),
    ("answered_by", "答复人"),
    ("applicant", "申请人"),
    ("attendance", "出席情况"),
    ("attendee", "出席人"),
    ("basis", "依据"),
    ("case_id", "办件编号"),
    ("case_no", "办件编号"),
    ("case_ref", "办件编号"),
    ("channel", "签署渠道"),
    ("checks", "行政机关可以进行的核查"),
    ("code", "证件号码"),
    ("commitment_id", "承诺书编号"),
    ("content", "承诺内容"),
    ("cooperation", "申请人配合核查的义务"),
    ("credit_code", "统一社会信用代码"),
    ("data", "证明内容"),
    ("decisions", "议定事项"),
    ("declaration", "承诺声明"),
    ("document", "文件"),
    ("due_on", "完成期限"),
    ("entity", "法人或其他组织"),
    ("facts", "事实"),
    ("facts_asked", "申请人填报的事实"),
    ("ground", "投诉事由"),
    ("handled_by", "承办单位"),
    ("held_on", "召开日期"),
    ("holder_name", "持证人"),
    ("holder_name_masked", "持证人"),
    ("id", "编号"),
    ("identifier", "证照编号"),
    ("if_late", "逾期未补正的"),
    ("issued_at", "签发时间"),
    ("issued_by", "签发单位"),
    ("issuer", "开具单位"),
    ("issuer_credit_code", "开具单位统一社会信用代码"),
    ("kind", "类别"),
    ("liability", "不实承诺的法律责任"),
    ("liaison_meeting_on", "联络员会议日期"),
    ("measures", "处理措施"),
    ("meeting_id", "会议编号"),
    ("missing", "所缺材料"),
    ("name", "名称"),
    ("no", "编号"),
    ("number", "编号"),
    ("obligation", "证明义务"),
    ("outcome", "核验结果"),
    ("owner", "承办单位"),
    ("place", "地点"),
    ("plan", "核查方式"),
    ("post_check", "事后核查"),
    ("present", "出席"),
    ("proof", "证明"),
    ("proof_item", "证明事项"),
    ("proposed_by", "提出单位"),
    ("reason", "理由"),
    ("receipt_no", "受理编号"),
    ("receiving_unit", "受理单位"),
    ("records_say", "档案记载"),
    ("remarks", "核验说明"),
    ("request", "投诉请求"),
    ("requester", "需求单位"),
    ("resident_id", "身份证号码"),
    ("rule_number", "适用规则编号"),
    ("satisfaction", "满意度评价"),
    ("service_item", "政务服务事项"),
    ("signature", "签名"),
    ("signed_at", "签署时间"),
    ("standard", "核查标准"),
    ("subject", "核验对象"),
    ("summary", "会议纪要"),
    ("supplement_by", "补正期限"),
    ("template", "格式文本"),
    ("text", "正文"),
    ("title", "标题"),
    ("type", "证照类型"),
    ("unit", "单位"),
    ("upheld", "是否属实"),
    ("valid_from", "有效期起"),
    ("valid_to", "有效期至"),
];

/// The Chinese label of a key of a sealed document's body.
pub fn body_key_label(key: &str) -> Option<&'static str> {
    BODY_KEYS
        .binary_search_by(|(c, _)| (*c).cmp(key))
        .ok()
        .map(|i| BODY_KEYS[i].1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_keys_are_sorted_and_chinese() {
        assert!(BODY_KEYS.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(BODY_KEYS.iter().all(|(_, l)| !l.is_ascii()));
        assert_eq!(body_key_label("holder_name"), Some("持证人"));
    }

    #[test]
    fn a_kind_serialises_as_its_stored_name() {
        for k in [
            SealKind::VerificationReply,
            SealKind::CommitmentLetter,
            SealKind::EProof,
        ] {
            assert_eq!(
                serde_json::to_value(k).unwrap(),
                serde_json::json!(k.as_str())
            );
        }
    }
}
