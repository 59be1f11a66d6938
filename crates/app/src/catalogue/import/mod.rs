//! Import of a unit's proof items from `.xlsx` (issue #3 §7): our own export's columns and
//! those of real county lists (SPEC "Real lists": 行使层级, 证明用途, 依据条文及内容, 事项类型,
//! 不能实行告知承诺及保留原因…), through one table of accepted header names ([`columns`], a
//! versioned setting the joint office extends).
//!
//! Three steps: read the workbook ([`sheet`]), check every row ([`rows`], [`links`]) and report
//! every error and every warning of every row in Chinese (`rows[5].开具单位`: 第 5 行“开具单位”：
//! 找不到单位“县某局”), with the columns nothing reads, then write. Nothing is written unless
//! every row is good, or the caller asks to import only the good rows. Rows go through the same checks as [`super::draft::create`] (R1.2,
//! R4.1…), all in one transaction, audited. Cells holding a formula are refused, never
//! evaluated; text that merely starts with `=` is taken literally.

pub mod columns;
mod links;
mod rows;
mod sheet;
mod template;

pub use template::template;

use std::collections::HashMap;

use proofless_domain::region::RegionLevel;
use proofless_domain::role::Role;
use proofless_store::{Exec, Tx};
use serde::Serialize;

use self::rows::Row;
use self::sheet::Found;
use super::{draft, items, repo, require_unit_editor, services, settings};
use crate::App;
use crate::actor::Actor;
use crate::audit::{self, Entry};
use crate::error::{AppError, AppResult, FieldError};
use crate::policy;

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

/// A column of the sheet and the field it was read as.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ColumnUse {
    /// The header as written in the sheet.
    pub header: String,
    /// The field, by our template's header name (证明名称, 层级…).
    pub field: String,
}

/// The import report: what was read, what was written, and every error and warning.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ImportOutcome {
    pub sheet: String,
    /// The header row (1-based, as the spreadsheet shows it); rows above it (a title) are skipped.
    pub header_row: u32,
    pub columns: Vec<ColumnUse>,
    /// Columns nothing reads, as written.
    pub ignored_columns: Vec<String>,
    /// Whether anything was written (false: the file has errors and nothing was saved).
    pub written: bool,
    pub created: Vec<ImportedItem>,
    /// Service items created because their 事项编码 was not yet registered.
    pub service_items_created: usize,
    /// Every bad cell of every row (those rows are not written), `rows[N].列名`.
    #[schema(value_type = Vec<Object>)]
    pub errors: Vec<FieldError>,
    /// Every warning of every row, written or not: what was assumed or must be completed
    /// before review (e.g. no legal basis: saved as proposed for cancellation, R1.3).
    #[schema(value_type = Vec<Object>)]
    pub warnings: Vec<FieldError>,
}

/// Import the file's rows as draft proof items of `owner_org_id` (default: the actor's unit).
/// Row errors do not fail the call: the report comes back with `written: false` and every
/// error and warning (the API answers 422 with it); file-level problems are errors.
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
    let mut reader = app.db.reader();
    let now = app.now_ms();
    let aliases = policy::in_force(&mut reader, &settings::IMPORT_HEADER_ALIASES, now).await?;
    let found = sheet::find_sheet(bytes, &columns::lookup(&aliases))?;
    let rules = items::RulesInForce::at(&mut reader, now).await?;
    let regions = owner_regions(&mut reader, owner).await?;
    let checked = rows::check_all(
        &mut reader,
        &found,
        owner,
        &regions,
        &rules.statutory,
        &rules.excluded_domains,
    )
    .await?;
    let mut out = outcome(&found, checked.errors, checked.warnings);
    if checked.rows.is_empty() && out.errors.is_empty() {
        return Err(AppError::field(
            "file",
            format!("工作表“{}”在表头下没有任何数据行", sheet::clip(&found.name)),
        ));
    }
    if !out.errors.is_empty() && (!import_good_rows || checked.rows.is_empty()) {
        return Ok(out);
    }
    let mut tx = app.db.begin().await?;
    let (created, service_items_created) = write(&mut tx, actor, &found, checked.rows, now).await?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("catalogue.item.import", "org", owner).detail(serde_json::json!({
            "sheet": found.name, "bytes": bytes.len(), "created": created.len(),
            "service_items_created": service_items_created,
            "skipped_rows": checked.bad_rows, "import_good_rows": import_good_rows,
            "ignored_columns": out.ignored_columns, "warnings": out.warnings.len(),
        })),
    )
    .await?;
    tx.commit().await?;
    out.written = true;
    out.created = created;
    out.service_items_created = service_items_created;
    Ok(out)
}

/// The report before anything is written.
fn outcome(found: &Found, errors: Vec<FieldError>, warnings: Vec<FieldError>) -> ImportOutcome {
    let mut cols: Vec<(usize, ColumnUse)> = found
        .cols
        .iter()
        .map(|(f, (c, h))| {
            (
                *c,
                ColumnUse {
                    header: h.clone(),
                    field: columns::spec(*f).label().to_owned(),
                },
            )
        })
        .collect();
    cols.sort_by_key(|c| c.0);
    let (r0, _) = found.range.start().unwrap_or((0, 0));
    ImportOutcome {
        sheet: found.name.clone(),
        header_row: r0 + found.header as u32 + 1,
        columns: cols.into_iter().map(|c| c.1).collect(),
        ignored_columns: found.ignored.clone(),
        written: false,
        created: vec![],
        service_items_created: 0,
        errors,
        warnings,
    }
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
    found: &Found,
    rows: Vec<Row>,
    now: i64,
) -> AppResult<(Vec<ImportedItem>, usize)> {
    let mut service_ids: HashMap<String, i64> = HashMap::new();
    let mut service_items_created = 0;
    let mut created = vec![];
    for r in rows {
        let at_row = |e: AppError| rows::at_row(found, r.row, e);
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
