//! Supervision's closed vocabulary (P 四; A2 §13): the kinds of inspection, each stored as
//! its code and shown with its one Chinese label.

/// 检查类型.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InspectionKind {
    /// 双随机抽查: drawn by the recorded algorithm and seed.
    Random,
    /// 定期检查.
    Scheduled,
    /// 专项督查.
    Special,
}

impl InspectionKind {
    pub const ALL: [InspectionKind; 3] = [
        InspectionKind::Random,
        InspectionKind::Scheduled,
        InspectionKind::Special,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            InspectionKind::Random => "random",
            InspectionKind::Scheduled => "scheduled",
            InspectionKind::Special => "special",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            InspectionKind::Random => "双随机抽查",
            InspectionKind::Scheduled => "定期检查",
            InspectionKind::Special => "专项督查",
        }
    }

    /// The code (`special`) or the label (`专项督查`).
    pub fn parse(s: &str) -> Option<InspectionKind> {
        let s = s.trim();
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s || k.label() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_parse_by_code_and_label() {
        for k in InspectionKind::ALL {
            assert_eq!(InspectionKind::parse(k.as_str()), Some(k));
            assert_eq!(InspectionKind::parse(k.label()), Some(k));
        }
        assert_eq!(InspectionKind::parse("audit"), None);
    }
}
