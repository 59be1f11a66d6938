//! Import of a unit's proof items from `.xlsx` in the columns officials use (issue #3 §7),
//! the same columns [`super::xlsx`] exports, so an exported file re-imports.
//!
//! Three steps: read the workbook ([`sheet`]), check every row ([`rows`]) and report every
//! bad row and cell in Chinese (`rows[5].开具单位`: 第 5 行“开具单位”：找不到单位“县某局”),
//! then write. Nothing is written unless every row is good, or the caller asks to import
//! only the good rows. Rows go through the same checks as [`super::draft::create`] (R1.2,
//! R4.1…), all in one transaction, audited. Cells holding a formula are refused, never
//! evaluated; text that merely starts with `=` is taken literally.

mod rows;
mod sheet;

use std::collections::HashMap;

use proofless_domain::region::RegionLevel;
use proofless_domain::role::Role;
use proofless_store::{Exec, Tx};
use serde::Serialize;

use self::rows::Row;
use super::{draft, repo, require_unit_editor, services};
use crate::App;
use crate::actor::Actor;
use crate::audit::{self, Entry};
use crate::error::{AppError, AppResult, FieldError};

/// Largest upload accepted (bytes); the web layer answers 413 above it.
pub const MAX_BYTES: usize = 1024 * 1024;
/// Most data rows one file may carry.
pub const MAX_ROWS: usize = 2000;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ImportedItem {
    /// The row in the sheet (1-based, as the spreadsheet shows it).
    pub row: u32,
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ImportOutcome {
    pub sheet: String,
    pub created: Vec<ImportedItem>,
    /// Service items created because their 事项编码 was not yet registered.
    pub service_items_created: usize,
    /// Rows left out (only with `import_good_rows`), one entry per bad cell.
    #[schema(value_type = Vec<Object>)]
    pub skipped: Vec<FieldError>,
}

/// Import the file's rows as draft proof items of `owner_org_id` (default: the actor's unit).
pub async fn import(
    app: &App,
    actor: &Actor,
    owner_org_id: Option<i64>,
    bytes: &[u8],
    import_good_rows: bool,
) -> AppResult<ImportOutcome> {
    actor.require_any(&[Role::UnitAdmin, Role::JointOffice, Role::SystemAdmin])?;
    let owner = owner_org_id
        .or(actor.org_id)
        .ok_or_else(|| AppError::field("owner_org_id", "请指定索要单位"))?;
    require_unit_editor(actor, owner)?;
    if bytes.len() > MAX_BYTES {
        return Err(AppError::field(
            "file",
            format!("文件过大：最多 {} MB", MAX_BYTES / 1024 / 1024),
        ));
    }
    let found = sheet::find_sheet(bytes)?;
    let sheet_name = found.0.clone();
    let mut reader = app.db.reader();
    let regions = owner_regions(&mut reader, owner).await?;
    let checked = rows::check_all(&mut reader, &found, owner, &regions).await?;
    if checked.rows.is_empty() && checked.errors.is_empty() {
        return Err(AppError::field(
            "file",
            format!("工作表“{}”在表头下没有任何数据行", sheet::clip(&sheet_name)),
        ));
    }
    if !checked.errors.is_empty() && (!import_good_rows || checked.rows.is_empty()) {
        return Err(AppError::Validation(checked.errors));
    }
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let (created, service_items_created) = write(&mut tx, actor, checked.rows, now).await?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("catalogue.item.import", "org", owner).detail(serde_json::json!({
            "sheet": sheet_name, "bytes": bytes.len(), "created": created.len(),
            "service_items_created": service_items_created,
            "skipped_rows": checked.bad_rows, "import_good_rows": import_good_rows,
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(ImportOutcome {
        sheet: sheet_name,
        created,
        service_items_created,
        skipped: checked.errors,
    })
}

/// The owner's region and its ancestors: a row's list is the one of its 层级 among them.
async fn owner_regions(x: &mut impl Exec, owner: i64) -> AppResult<Vec<(String, RegionLevel)>> {
    let Some(mut code) = repo::org_region(x, owner).await? else {
        return Err(AppError::field(
            "owner_org_id",
            format!("单位 {owner} 不存在"),
        ));
    };
    let mut regions = vec![];
    for _ in 0..6 {
        let Some(r) = repo::region(x, &code).await? else {
            break;
        };
        regions.push((code.clone(), r.level));
        match r.parent_code {
            Some(p) => code = p,
            None => break,
        }
    }
    Ok(regions)
}

/// Write the good rows: each new service item once, then each proof item with its links.
async fn write(
    tx: &mut Tx,
    actor: &Actor,
    rows: Vec<Row>,
    now: i64,
) -> AppResult<(Vec<ImportedItem>, usize)> {
    let mut service_ids: HashMap<String, i64> = HashMap::new();
    let mut service_items_created = 0;
    let mut created = vec![];
    for r in rows {
        let at_row = |e: AppError| rows::at_row(r.row, e);
        for svc in &r.new_services {
            if service_ids.contains_key(&svc.code) {
                continue;
            }
            let id = services::create_in(tx, actor, svc, now)
                .await
                .map_err(at_row)?;
            service_ids.insert(svc.code.clone(), id);
            service_items_created += 1;
        }
        let mut d = r.draft;
        for code in &r.service_codes {
            let id = match service_ids.get(code) {
                Some(id) => *id,
                None => {
                    let id = repo::service_item_id(tx, code).await?.ok_or_else(|| {
                        AppError::Internal(format!("事项编码 {code} 在导入中途消失"))
                    })?;
                    service_ids.insert(code.clone(), id);
                    id
                }
            };
            if !d.service_item_ids.contains(&id) {
                d.service_item_ids.push(id);
            }
        }
        d.audit_detail["service_item_ids"] = serde_json::json!(d.service_item_ids);
        let id = draft::create_in(tx, actor, &d, now).await.map_err(at_row)?;
        created.push(ImportedItem {
            row: r.row,
            id,
            name: r.name,
        });
    }
    Ok((created, service_items_created))
}
