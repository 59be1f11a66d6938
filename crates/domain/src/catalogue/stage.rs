//! Where a proof item or a list version stands on the way to publication (SPEC R1.4, R2.2):
//! draft → submitted → reviewed | returned → prepared → approved → published.
//! Items move through the first four stages, list versions through the last three.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// 草稿: the unit admin edits.
    Draft,
    /// 已提交审查: waiting for the justice bureau; nobody edits.
    Submitted,
    /// 审查通过.
    Reviewed,
    /// 退回修改, with reasons.
    Returned,
    /// 联席会议办公室已汇总 (a list version ready for approval).
    Prepared,
    /// 县政府已核准 (document number recorded).
    Approved,
    /// 已发布: immutable.
    Published,
}

impl Stage {
    pub const ALL: [Stage; 7] = [
        Stage::Draft,
        Stage::Submitted,
        Stage::Reviewed,
        Stage::Returned,
        Stage::Prepared,
        Stage::Approved,
        Stage::Published,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Draft => "draft",
            Stage::Submitted => "submitted",
            Stage::Reviewed => "reviewed",
            Stage::Returned => "returned",
            Stage::Prepared => "prepared",
            Stage::Approved => "approved",
            Stage::Published => "published",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Stage::Draft => "草稿",
            Stage::Submitted => "待合法性审查",
            Stage::Reviewed => "审查通过",
            Stage::Returned => "已退回修改",
            Stage::Prepared => "已汇总待核准",
            Stage::Approved => "县政府已核准",
            Stage::Published => "已发布",
        }
    }

    pub fn parse(s: &str) -> Option<Stage> {
        Stage::ALL.iter().copied().find(|x| x.as_str() == s)
    }

    /// The allowed moves. Editing a reviewed or returned item sends it back to draft, so it
    /// must be reviewed again; a published version never moves.
    pub fn can_move_to(self, next: Stage) -> bool {
        use Stage::*;
        matches!(
            (self, next),
            (Draft, Submitted)
                | (Submitted, Reviewed)
                | (Submitted, Returned)
                | (Returned, Draft)
                | (Returned, Submitted)
                | (Reviewed, Draft)
                | (Reviewed, Prepared)
                | (Prepared, Approved)
                | (Approved, Published)
        )
    }

    /// Whether the unit admin may edit an item in this stage.
    pub fn editable(self) -> bool {
        matches!(self, Stage::Draft | Stage::Returned | Stage::Reviewed)
    }

    /// Why `self → next` is refused, in Chinese.
    pub fn refusal(self, next: Stage) -> Option<String> {
        if self.can_move_to(next) {
            None
        } else if self == Stage::Published {
            Some("已发布的清单版本不可更改".to_owned())
        } else {
            Some(format!(
                "当前状态为“{}”，不能变为“{}”",
                self.label(),
                next.label()
            ))
        }
    }
}

/// The justice bureau's verdict on a submitted item (SPEC R1.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// 审查通过.
    Pass,
    /// 退回修改, with reasons.
    Return,
}

impl Verdict {
    pub const ALL: [Verdict; 2] = [Verdict::Pass, Verdict::Return];

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Return => "return",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Verdict::Pass => "审查通过",
            Verdict::Return => "退回修改",
        }
    }

    pub fn parse(s: &str) -> Option<Verdict> {
        Verdict::ALL
            .iter()
            .copied()
            .find(|v| v.as_str() == s.trim())
    }

    /// The stage the verdict moves a submitted item to.
    pub fn stage(self) -> Stage {
        match self {
            Verdict::Pass => Stage::Reviewed,
            Verdict::Return => Stage::Returned,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn the_happy_path_runs_from_draft_to_published() {
        // SPEC R1.4 (justice review before publication), R2.2 (prepared, approved, published).
        let path = [
            Stage::Draft,
            Stage::Submitted,
            Stage::Reviewed,
            Stage::Prepared,
            Stage::Approved,
            Stage::Published,
        ];
        for w in path.windows(2) {
            assert!(w[0].can_move_to(w[1]), "{:?} → {:?}", w[0], w[1]);
        }
    }

    #[test]
    fn a_returned_item_is_reworked_and_resubmitted() {
        // SPEC R1.4: review sends items back with reasons.
        assert!(Stage::Submitted.can_move_to(Stage::Returned));
        assert!(Stage::Returned.can_move_to(Stage::Draft));
        assert!(Stage::Returned.can_move_to(Stage::Submitted));
        assert!(!Stage::Returned.can_move_to(Stage::Prepared));
    }

    #[test]
    fn nothing_skips_review_or_approval() {
        assert!(!Stage::Draft.can_move_to(Stage::Reviewed));
        assert!(!Stage::Submitted.can_move_to(Stage::Prepared));
        assert!(!Stage::Prepared.can_move_to(Stage::Published));
        assert!(!Stage::Draft.can_move_to(Stage::Published));
    }

    #[test]
    fn a_published_version_is_immutable() {
        // SPEC R2.2: published versions stay readable exactly as published.
        for s in Stage::ALL {
            assert!(!Stage::Published.can_move_to(s));
        }
        assert!(
            Stage::Published
                .refusal(Stage::Draft)
                .unwrap()
                .contains("不可更改")
        );
    }

    #[test]
    fn a_verdict_moves_a_submitted_item_on() {
        // SPEC R1.4: review passes an item or returns it with reasons.
        for v in Verdict::ALL {
            assert!(Stage::Submitted.can_move_to(v.stage()));
            assert_eq!(Verdict::parse(v.as_str()), Some(v));
        }
        assert_eq!(Verdict::parse("approve"), None);
    }

    #[test]
    fn items_under_review_cannot_be_edited() {
        assert!(!Stage::Submitted.editable());
        assert!(Stage::Returned.editable());
        assert!(Stage::Draft.editable());
    }
}
