//! Per-unit figures of list adjustment (A3 §4; issue #19 §5): applications, on time and
//! late, approved and returned, still open — and the events recorded by the joint office
//! that a unit did not answer in time (from the violation records) — with an xlsx export.

use proofless_domain::role::Role;
use rust_xlsxwriter::{Workbook, XlsxError};

use super::repo::{self, UnitFigures};
use crate::App;
use crate::actor::Actor;
use crate::audit::{self, Entry};
use crate::error::{AppError, AppResult};

/// The columns of the export.
pub const COLUMNS: [&str; 7] = [
    "单位",
    "申请数",
    "按时",
    "逾期",
    "已批准",
    "已退回",
    "办理中",
];

/// Every unit's figures (joint office, accountability); a unit admin its own.
pub async fn figures(app: &App, actor: &Actor) -> AppResult<Vec<UnitFigures>> {
    let scope = super::apply::read_scope(actor)?;
    let rows = repo::figures(&mut app.lagging()).await?;
    Ok(rows
        .into_iter()
        .filter(|r| scope.is_none_or(|o| o == r.org_id))
        .collect())
}

/// The figures as an xlsx workbook (audited export).
pub async fn figures_xlsx(app: &App, actor: &Actor) -> AppResult<Vec<u8>> {
    actor.require_any(&[
        Role::JointOffice,
        Role::Accountability,
        Role::SystemAdmin,
        Role::UnitAdmin,
    ])?;
    let rows = figures(app, actor).await?;
    let bytes = workbook(&rows).map_err(|e| AppError::Internal(format!("生成 xlsx 失败：{e}")))?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("adjustment.figures.export", "adjustment", 0),
    )
    .await?;
    tx.commit().await?;
    Ok(bytes)
}

fn workbook(rows: &[UnitFigures]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("清单调整统计")?;
    for (c, h) in (0u16..).zip(COLUMNS) {
        sheet.write_string(0, c, h)?;
    }
    for (r, f) in (1u32..).zip(rows) {
        sheet.write_string(r, 0, &f.org_name)?;
        for (c, v) in (1u16..).zip([
            f.applications,
            f.on_time,
            f.late,
            f.approved,
            f.returned,
            f.open,
        ]) {
            sheet.write_number(r, c, v as f64)?;
        }
    }
    book.save_to_buffer()
}
