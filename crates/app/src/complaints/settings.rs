//! The complaint workflow's trial-period settings (SPEC "Trial rules"): the grounds a
//! complaint may be registered on (A4 §4), the grounds of non-acceptance (A4 §8), and how
//! duplicates are looked for (A4 §9). Read at the instant the complaint was received.

use proofless_domain::complaint::{Ground, RejectGround};
use proofless_domain::role::Role;

use crate::policy::{Setting, Words, checks};

const OWNERS: &[Role] = &[Role::JointOffice, Role::ComplaintJustice];

fn known(v: &[String], all: &[&str], what: &str) -> Result<(), String> {
    checks::non_empty_distinct(v, what)?;
    match v.iter().find(|s| !all.contains(&s.as_str())) {
        Some(bad) => Err(format!("{what}“{bad}”不存在，可选：{}", all.join("、"))),
        None => Ok(()),
    }
}

/// A4 §4: the grounds a complaint may name.
pub static GROUNDS: Setting<Vec<String>> = Setting {
    key: "complaints.grounds",
    label: "投诉举报的范围（事由）",
    basis: "附件4第四条",
    unit: "",
    owners: OWNERS,
    default: || Ground::ALL.iter().map(|g| g.as_str().to_owned()).collect(),
    check: |v| {
        let all: Vec<&str> = Ground::ALL.iter().map(|g| g.as_str()).collect();
        known(v, &all, "投诉事由")
    },
    // issue #22 point 1: the page and its form speak the grounds' words.
    words: Some(Words {
        word: |c| Ground::parse(c).map(Ground::label),
        code: |w| {
            Ground::ALL
                .iter()
                .find(|g| g.as_str() == w || g.label() == w)
                .map(|g| g.as_str())
        },
    }),
};

/// A4 §8: the grounds on which a complaint is not accepted.
pub static REJECT_GROUNDS: Setting<Vec<String>> = Setting {
    key: "complaints.reject_grounds",
    label: "不予受理的情形",
    basis: "附件4第八条",
    unit: "",
    owners: OWNERS,
    default: || {
        RejectGround::ALL
            .iter()
            .map(|g| g.as_str().to_owned())
            .collect()
    },
    check: |v| {
        let all: Vec<&str> = RejectGround::ALL.iter().map(|g| g.as_str()).collect();
        known(v, &all, "不予受理情形")
    },
    words: Some(Words {
        word: |c| RejectGround::parse(c).map(RejectGround::label),
        code: |w| {
            RejectGround::ALL
                .iter()
                .find(|g| g.as_str() == w || g.label() == w)
                .map(|g| g.as_str())
        },
    }),
};

/// A4 §9: how far back a likely duplicate is looked for.
pub static DUPLICATE_WINDOW_DAYS: Setting<i64> = Setting {
    key: "complaints.duplicate_window_days",
    label: "重复投诉比对期间",
    basis: "附件4第九条（多个受理机构收到同一投诉的，由首家受理机构办理）",
    unit: "天",
    owners: OWNERS,
    default: || 30,
    check: |v| checks::within(*v, 1, 365, "比对期间"),
    words: None,
};

/// A4 §9: how alike two texts must be (0–100) to be shown as a likely duplicate.
pub static DUPLICATE_MIN_SIMILARITY: Setting<i64> = Setting {
    key: "complaints.duplicate_min_similarity",
    label: "重复投诉内容相似度阈值",
    basis: "附件4第九条",
    unit: "%",
    owners: OWNERS,
    default: || 50,
    check: |v| checks::within(*v, 1, 100, "相似度阈值"),
    words: None,
};
