//! The proof item a commitment replaces. The approved, published exemption list governs
//! (R2.1–R2.2): commitment must be a replacement method of the item in the published
//! version in force, not merely in a draft; and the item may not touch a domain where
//! commitment is not used (R4.1, 国办发〔2020〕42号; the domains a versioned setting).

use proofless_domain::catalogue::ReplacementMethod;
use proofless_domain::commitment::item_refusal;
use proofless_store::Exec;

use super::repo;
// The setting is the catalogue's: it also refuses commitment when an item is drafted.
use crate::App;
use crate::catalogue::settings::EXCLUDED_RISK_DOMAINS;
use crate::error::{AppError, AppResult};

/// What the commitment rules read about a proof item.
#[derive(Debug, Clone)]
pub(crate) struct ItemInfo {
    pub id: i64,
    pub name: String,
    pub owner_org_id: i64,
    /// Codes of the service items the published list gives for the item.
    pub service_codes: Vec<String>,
}

/// The item as the published list in force gives it, refusing one that is not on it, has
/// no commitment method there, or touches a domain excluded by the setting in force at
/// `started_at` (the start of the case, or now for a template or an eligibility question).
pub(crate) async fn commitment_item(
    app: &App,
    db: &mut impl Exec,
    item_id: i64,
    field: &str,
    started_at: i64,
) -> AppResult<ItemInfo> {
    let published = match crate::catalogue::public::item(app, item_id).await {
        Ok(p) => p,
        Err(AppError::NotFound(_)) => {
            return Err(AppError::field(
                field,
                format!("证明事项 {item_id} 不在现行公布的证明事项免提交清单中，不能适用告知承诺"),
            ));
        }
        Err(e) => return Err(e),
    };
    if !published.methods.contains(&ReplacementMethod::Commitment) {
        return Err(AppError::field(
            field,
            format!(
                "现行公布的清单（{} 第{}版）中，“{}”的替代方式没有告知承诺",
                published.list_title, published.list_version_number, published.name
            ),
        ));
    }
    // The risk domains the item touches are facts of the item, kept on its record.
    let row = repo::item(db, item_id)
        .await?
        .ok_or_else(|| AppError::field(field, format!("证明事项 {item_id} 不存在")))?;
    let domains: Vec<String> = row
        .risk_domains
        .split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    let excluded = crate::policy::in_force(db, &EXCLUDED_RISK_DOMAINS, started_at).await?;
    if let Some(why) = item_refusal(&domains, row.correctable_afterwards, &excluded) {
        return Err(AppError::field(field, why));
    }
    Ok(ItemInfo {
        id: row.id,
        name: published.name.clone(),
        owner_org_id: row.owner_org_id,
        service_codes: published
            .service_items
            .iter()
            .map(|s| s.code.clone())
            .collect(),
    })
}
