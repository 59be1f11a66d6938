//! Amendments of the list between versions (A3 §5, §11; issue #19): what an approved list
//! adjustment does to the next version — an item taken off the list (取消), taken in (新增,
//! or a change of the proof itself, reviewed again), or its replacement methods replaced
//! (变更替代方式) — with the adjustment's grounds as a note. The workflow that decides an
//! adjustment records the amendment in its own transaction ([`record_in`]); the joint
//! office's next prepared version applies the newest amendment of each item in scope and
//! gathers the pending ones, so the version's diff and the feeds name them. The catalogue
//! knows no adjustment: an amendment names its source by kind and id only.

use std::collections::HashMap;

use proofless_domain::catalogue::{ItemSnapshot, MethodSnapshot};
use proofless_store::{Exec, Tx};
use serde::{Deserialize, Serialize};

use super::items::ItemRow;
use super::repo;
use crate::App;
use crate::error::{AppError, AppResult, Problems};

/// What an amendment does to the next version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = catalogue_AmendmentEffect)]
pub enum Effect {
    /// Taken off the list (取消).
    Remove,
    /// Taken in as the live catalogue has it (新增; a change of the proof itself).
    Include,
    /// Its replacement methods replaced (变更替代方式).
    Methods,
}

impl Effect {
    pub fn as_str(self) -> &'static str {
        match self {
            Effect::Remove => "remove",
            Effect::Include => "include",
            Effect::Methods => "methods",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Effect::Remove => "移出清单",
            Effect::Include => "纳入清单",
            Effect::Methods => "替代方式调整",
        }
    }
}

/// An amendment to record.
#[derive(Debug, Clone)]
pub struct NewAmendment<'a> {
    pub proof_item_id: i64,
    pub effect: Effect,
    /// The methods after the amendment (for [`Effect::Methods`]).
    pub methods: Vec<MethodSnapshot>,
    /// Who decided it, e.g. `adjustment` and its id.
    pub source_kind: &'a str,
    pub source_id: i64,
    /// The grounds as the version diff and the feeds show them.
    pub note: &'a str,
}

/// An amendment as stored.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = catalogue_Amendment)]
pub struct Amendment {
    pub id: i64,
    pub proof_item_id: i64,
    pub item_name: String,
    pub effect: Effect,
    pub effect_label: String,
    #[serde(skip_serializing)]
    #[schema(ignore)]
    pub methods: String,
    pub source_kind: String,
    pub source_id: i64,
    pub note: String,
    pub created_at: i64,
    pub version_id: Option<i64>,
}

/// Records an amendment in the deciding workflow's transaction (once per source).
pub async fn record_in(tx: &mut Tx, a: &NewAmendment<'_>, now: i64) -> AppResult<i64> {
    let methods =
        serde_json::to_string(&a.methods).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(repo::insert_amendment(tx, a, &methods, now).await?)
}

/// The amendments a version gathered, with their notes (public once the version is).
pub async fn of_version(app: &App, version_id: i64) -> AppResult<Vec<Amendment>> {
    amendments_of_version(&mut app.db.reader(), version_id).await
}

pub(crate) async fn amendments_of_version(
    x: &mut impl Exec,
    version_id: i64,
) -> AppResult<Vec<Amendment>> {
    Ok(repo::amendments_of_version(x, version_id)
        .await?
        .into_iter()
        .map(labelled)
        .collect())
}

fn labelled(mut a: Amendment) -> Amendment {
    a.effect_label = a.effect.label().to_owned();
    a
}

/// The newest amendment of each of `scope`'s items, applied to `chosen`: removed items are
/// taken out (refused when asked for by id), replaced methods put in unless the unit has
/// edited the item since (then the reviewed live item wins). Returns the ids of the
/// pending amendments the version gathers.
pub(crate) async fn apply(
    x: &mut impl Exec,
    scope: &[ItemRow],
    chosen: &mut Vec<ItemSnapshot>,
    asked: bool,
    problems: &mut Problems,
) -> AppResult<Vec<i64>> {
    let by_item: HashMap<i64, &ItemRow> = scope.iter().map(|r| (r.id, r)).collect();
    let rows = repo::amendments_for(x, &by_item.keys().copied().collect::<Vec<_>>()).await?;
    let mut newest: HashMap<i64, &Amendment> = HashMap::new();
    let mut gathered = vec![];
    for a in &rows {
        if a.version_id.is_none() {
            gathered.push(a.id);
        }
        let keep = newest.get(&a.proof_item_id).is_none_or(|n| n.id < a.id);
        if keep {
            newest.insert(a.proof_item_id, a);
        }
    }
    for (item, a) in newest {
        match a.effect {
            Effect::Remove => {
                if asked && chosen.iter().any(|s| s.id == item) {
                    problems.add(
                        "item_ids",
                        format!(
                            "证明事项“{}”已经批准取消（{}），不能再列入清单",
                            a.item_name, a.note
                        ),
                    );
                }
                chosen.retain(|s| s.id != item);
            }
            Effect::Include => {}
            Effect::Methods => {
                let edited_since = by_item
                    .get(&item)
                    .is_some_and(|r| r.updated_at > a.created_at);
                if edited_since {
                    continue;
                }
                let methods: Vec<MethodSnapshot> = serde_json::from_str(&a.methods)
                    .map_err(|e| AppError::Internal(format!("清单调整记录损坏：{e}")))?;
                if let Some(s) = chosen.iter_mut().find(|s| s.id == item) {
                    s.methods = methods;
                }
            }
        }
    }
    gathered.sort_unstable();
    Ok(gathered)
}

/// Marks the amendments a new version gathered.
pub(crate) async fn gather_in(tx: &mut Tx, version_id: i64, ids: &[i64]) -> AppResult<()> {
    for id in ids {
        repo::gather_amendment(tx, *id, version_id).await?;
    }
    Ok(())
}

/// The methods `item` has in its list's current published version (none if unpublished).
pub async fn published_methods(app: &App, item: i64) -> AppResult<Vec<MethodSnapshot>> {
    let Ok(p) = super::public::item(app, item).await else {
        return Ok(vec![]);
    };
    Ok(super::lists::snapshots(&app.db, p.list_version_id)
        .await?
        .into_iter()
        .find(|s| s.id == item)
        .map(|s| s.methods)
        .unwrap_or_default())
}

/// The methods after a change of the replacement method (变更替代方式): the new method only,
/// with the citizen's text; the guide and verification class of the same method kept from
/// before, a new verification answered as an electronic archive (30 minutes, A2 §7) until
/// the unit states otherwise.
pub fn replaced_methods(
    old: &[MethodSnapshot],
    method: proofless_domain::catalogue::ReplacementMethod,
    citizen_text: &str,
) -> Vec<MethodSnapshot> {
    use proofless_domain::catalogue::{ReplacementMethod, VerificationDeadlineClass};
    let mut m = old
        .iter()
        .find(|m| m.method == method.as_str())
        .cloned()
        .unwrap_or_else(|| MethodSnapshot {
            method: method.as_str().to_owned(),
            ..MethodSnapshot::default()
        });
    if !citizen_text.trim().is_empty() {
        citizen_text.trim().clone_into(&mut m.citizen_text);
    }
    if method == ReplacementMethod::Verification && m.deadline_class.is_none() {
        let c = VerificationDeadlineClass::Electronic;
        m.deadline_class = Some(c.code().to_owned());
        m.deadline_period = Some(c.period_string());
    }
    vec![m]
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proofless_domain::catalogue::ReplacementMethod;

    #[test]
    fn a_method_change_replaces_the_methods_and_keeps_the_same_methods_details() {
        // A3 §7 (替代方式发生变化), issue #19: the approved change flows into the next version.
        let old = vec![
            MethodSnapshot {
                method: "verification".to_owned(),
                citizen_text: "窗口核验".to_owned(),
                guide: "指南".to_owned(),
                deadline_class: Some("paper_archive".to_owned()),
                deadline_period: Some("1wd".to_owned()),
            },
            MethodSnapshot {
                method: "commitment".to_owned(),
                citizen_text: "签署承诺书".to_owned(),
                ..MethodSnapshot::default()
            },
        ];
        let new = replaced_methods(&old, ReplacementMethod::Verification, "由部门核验");
        assert_eq!(new.len(), 1);
        assert_eq!(new[0].citizen_text, "由部门核验");
        assert_eq!(new[0].guide, "指南");
        assert_eq!(new[0].deadline_period.as_deref(), Some("1wd"));
        let new = replaced_methods(&[], ReplacementMethod::Verification, "");
        assert_eq!(new[0].deadline_class.as_deref(), Some("electronic"));
        let new = replaced_methods(&old, ReplacementMethod::DataSharing, "数据共享");
        assert_eq!(new[0].method, "data_sharing");
        assert_eq!(new[0].deadline_class, None);
    }
}
