//! The proof item a commitment replaces: it must list commitment among its replacement
//! methods and be allowed to (R4.1).

use proofless_domain::catalogue::{ItemFacts, commitment_refusal};
use proofless_store::Exec;

use super::repo;
use crate::error::{AppError, AppResult};

/// What the commitment rules read about a proof item.
#[derive(Debug, Clone)]
pub(crate) struct ItemInfo {
    pub id: i64,
    pub name: String,
    pub owner_org_id: i64,
}

/// The item, refusing one without a commitment method (or not allowed to have one).
pub(crate) async fn commitment_item(
    db: &mut impl Exec,
    item_id: i64,
    field: &str,
) -> AppResult<ItemInfo> {
    let (row, has_commitment) = repo::item(db, item_id)
        .await?
        .ok_or_else(|| AppError::field(field, format!("证明事项 {item_id} 不存在")))?;
    if !has_commitment {
        return Err(AppError::field(
            field,
            format!(
                "证明事项“{}”的替代方式中没有告知承诺，不能签署承诺书",
                row.name
            ),
        ));
    }
    let facts = ItemFacts {
        correctable_afterwards: row.correctable_afterwards,
        risk_domains: row
            .risk_domains
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        ..ItemFacts::default()
    };
    if let Some(why) = commitment_refusal(&facts) {
        return Err(AppError::field(field, why));
    }
    Ok(ItemInfo {
        id: row.id,
        name: row.name,
        owner_org_id: row.owner_org_id,
    })
}
