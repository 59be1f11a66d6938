//! A proof item exactly as a list version published it, and the diff between two versions
//! (added, changed field by field, cancelled). Snapshots are stored as JSON, so an old
//! version reads the same whatever later happens to the live catalogue.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::kinds::{CatalogueLevel, Disposition, ReplacementMethod};
use crate::deadline::Period;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ServiceItemRef {
    pub id: i64,
    pub name: String,
    pub code: String,
    pub kind: String,
    #[serde(default)]
    pub org_name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct BasisSnapshot {
    pub kind: String,
    pub law: String,
    pub article: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct MethodSnapshot {
    pub method: String,
    /// What the citizen does instead (shown on the item page).
    pub citizen_text: String,
    /// 办事指南 text or address.
    pub guide: String,
    /// `electronic` / `paper_archive` / `incomplete_archive` / `statutory` (verification only).
    pub deadline_class: Option<String>,
    /// The period the deadline engine uses: `30m`, `1wd`, `2wd`, `20wd`…
    pub deadline_period: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ItemSnapshot {
    /// The proof item's id: the key that pairs items across versions.
    pub id: i64,
    pub name: String,
    pub level: String,
    pub region_code: String,
    pub region_name: String,
    pub disposition: String,
    pub owner_org_id: i64,
    pub owner_org_name: String,
    pub service_items: Vec<ServiceItemRef>,
    pub legal_basis: Vec<BasisSnapshot>,
    pub issuer_ids: Vec<i64>,
    pub issuers: Vec<String>,
    pub requester_ids: Vec<i64>,
    pub requesters: Vec<String>,
    pub methods: Vec<MethodSnapshot>,
    pub remarks: String,
    /// 证明用途: what the proof is used for, as real lists state it (SPEC "Real lists").
    #[serde(default)]
    pub purpose: String,
    /// 不能实行告知承诺及保留原因: why commitment cannot replace it (R4.1), as the list states.
    #[serde(default)]
    pub no_commitment_reason: String,
}

impl MethodSnapshot {
    /// The method's one Chinese label (`数据共享`), from its stored code.
    pub fn method_label(&self) -> &str {
        ReplacementMethod::parse(&self.method).map_or(self.method.as_str(), |m| m.label())
    }

    /// The verification period in words (`1个工作日`, `30分钟`), from its stored code.
    pub fn deadline_period_label(&self) -> Option<String> {
        self.deadline_period.as_deref().map(period_words)
    }
}

/// A stored period code (`1wd`, `30m`) in words (`1个工作日`, `30分钟`); the code itself if
/// it is none (a snapshot is shown as it was published).
pub fn period_words(code: &str) -> String {
    Period::parse(code).map_or_else(|_| code.to_owned(), Period::describe)
}

impl ItemSnapshot {
    /// The level's Chinese label (`县级`).
    pub fn level_label(&self) -> &str {
        CatalogueLevel::parse(&self.level).map_or(self.level.as_str(), |l| l.label())
    }

    /// The disposition's Chinese label (`保留（免提交）`).
    pub fn disposition_label(&self) -> &str {
        Disposition::parse(&self.disposition).map_or(self.disposition.as_str(), |d| d.label())
    }

    /// The fields a diff compares, each as a readable line of text, in display order.
    fn fields(&self) -> Vec<(&'static str, &'static str, String)> {
        let join = |v: &[String]| v.join("、");
        vec![
            ("name", "证明名称", self.name.clone()),
            ("purpose", "证明用途", self.purpose.clone()),
            ("level", "层级", self.level_label().to_owned()),
            (
                "region",
                "区划",
                format!("{}（{}）", self.region_name, self.region_code),
            ),
            (
                "disposition",
                "处理结果",
                self.disposition_label().to_owned(),
            ),
            (
                "service_items",
                "涉及的政务服务事项",
                self.service_items
                    .iter()
                    .map(|s| format!("{}（{}）", s.name, s.code))
                    .collect::<Vec<_>>()
                    .join("；"),
            ),
            (
                "legal_basis",
                "设定依据",
                self.legal_basis
                    .iter()
                    .map(|b| format!("{}{}：{}", b.law, b.article, b.text))
                    .collect::<Vec<_>>()
                    .join("；"),
            ),
            ("issuers", "开具单位", join(&self.issuers)),
            ("requesters", "索要单位", join(&self.requesters)),
            (
                "methods",
                "替代取消方式",
                self.methods
                    .iter()
                    .map(|m| {
                        let mut s = format!("{}：{}", m.method_label(), m.citizen_text);
                        if let Some(p) = m.deadline_period_label() {
                            s.push_str(&format!("（核验时限 {p}）"));
                        }
                        s
                    })
                    .collect::<Vec<_>>()
                    .join("；"),
            ),
            (
                "guides",
                "办理指引",
                self.methods
                    .iter()
                    .map(|m| m.guide.clone())
                    .filter(|g| !g.is_empty())
                    .collect::<Vec<_>>()
                    .join("；"),
            ),
            (
                "no_commitment_reason",
                "不能实行告知承诺的原因",
                self.no_commitment_reason.clone(),
            ),
            ("remarks", "备注", self.remarks.clone()),
        ]
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    pub field: String,
    pub label: String,
    pub before: String,
    pub after: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemChange {
    pub id: i64,
    pub name: String,
    pub changes: Vec<FieldChange>,
}

/// From `old` to `new`: items only in `new` were added, items only in `old` were cancelled
/// (taken off the list), items in both with any differing field changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ListDiff {
    pub added: Vec<ItemSnapshot>,
    pub changed: Vec<ItemChange>,
    pub cancelled: Vec<ItemSnapshot>,
    pub unchanged: usize,
}

impl ListDiff {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.changed.is_empty() && self.cancelled.is_empty()
    }
}

pub fn diff(old: &[ItemSnapshot], new: &[ItemSnapshot]) -> ListDiff {
    let old_by: BTreeMap<i64, &ItemSnapshot> = old.iter().map(|i| (i.id, i)).collect();
    let new_by: BTreeMap<i64, &ItemSnapshot> = new.iter().map(|i| (i.id, i)).collect();
    let mut d = ListDiff::default();
    for (id, n) in &new_by {
        match old_by.get(id) {
            None => d.added.push((*n).clone()),
            Some(o) => {
                let changes: Vec<FieldChange> = o
                    .fields()
                    .into_iter()
                    .zip(n.fields())
                    .filter(|(a, b)| a.2 != b.2)
                    .map(|(a, b)| FieldChange {
                        field: a.0.to_owned(),
                        label: a.1.to_owned(),
                        before: a.2,
                        after: b.2,
                    })
                    .collect();
                if changes.is_empty() {
                    d.unchanged += 1;
                } else {
                    d.changed.push(ItemChange {
                        id: *id,
                        name: n.name.clone(),
                        changes,
                    });
                }
            }
        }
    }
    for (id, o) in &old_by {
        if !new_by.contains_key(id) {
            d.cancelled.push((*o).clone());
        }
    }
    d
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn item(id: i64, name: &str) -> ItemSnapshot {
        ItemSnapshot {
            id,
            name: name.to_owned(),
            level: "county".to_owned(),
            region_code: "370322000000".to_owned(),
            region_name: "高青县".to_owned(),
            disposition: "retained".to_owned(),
            issuers: vec!["县公安局".to_owned()],
            methods: vec![MethodSnapshot {
                method: "verification".to_owned(),
                citizen_text: "由窗口核验".to_owned(),
                deadline_class: Some("electronic".to_owned()),
                deadline_period: Some("30m".to_owned()),
                ..MethodSnapshot::default()
            }],
            ..ItemSnapshot::default()
        }
    }

    #[test]
    fn a_diff_lists_added_changed_and_cancelled_items() {
        // SPEC R2.2 / issue #3 §4: added, changed, cancelled items, field by field.
        let old = vec![
            item(1, "户籍证明"),
            item(2, "健在证明"),
            item(3, "出生医学证明"),
        ];
        let mut changed = item(1, "户口登记项目变更证明");
        changed.issuers.push("县卫生健康局".to_owned());
        let new = vec![changed, item(3, "出生医学证明"), item(4, "无犯罪记录证明")];
        let d = diff(&old, &new);
        assert_eq!(d.added.iter().map(|i| i.id).collect::<Vec<_>>(), [4]);
        assert_eq!(d.cancelled.iter().map(|i| i.id).collect::<Vec<_>>(), [2]);
        assert_eq!(d.unchanged, 1);
        assert_eq!(d.changed.len(), 1);
        let fields: Vec<_> = d.changed[0]
            .changes
            .iter()
            .map(|c| c.field.as_str())
            .collect();
        assert_eq!(fields, ["name", "issuers"]);
        assert_eq!(d.changed[0].changes[1].before, "县公安局");
        assert_eq!(d.changed[0].changes[1].after, "县公安局、县卫生健康局");
    }

    #[test]
    fn a_changed_deadline_class_shows_in_the_methods_field() {
        let old = vec![item(1, "户籍证明")];
        let mut n = item(1, "户籍证明");
        n.methods[0].deadline_period = Some("1wd".to_owned());
        let d = diff(&old, &[n]);
        assert_eq!(d.changed[0].changes[0].field, "methods");
        assert!(d.changed[0].changes[0].after.contains("1个工作日"));
    }

    #[test]
    fn identical_versions_have_an_empty_diff() {
        let v = vec![item(1, "户籍证明")];
        assert!(diff(&v, &v).is_empty());
    }
}
