//! The calendar's background work, registered with the runner at start-up
//! (the `workflows` module): every pass reloads the calendar another instance changed and
//! enqueues the November reminder to load next year's State Council notice.

use chrono::{Datelike, TimeZone};
use proofless_domain::role::Role;
use proofless_store::Tx;
use serde::Deserialize;
use serde_json::json;

use super::service::refresh_if_changed;
use crate::App;
use crate::error::{AppError, AppResult};
use crate::jobs::{BoxFuture, Job, NewJob, Outcome};
use crate::notifications::{self, Recipient};

pub const KIND_CALENDAR_NEXT_YEAR: &str = "calendar.next_year";

/// The sweep that reloads the cached calendar when another instance changed the data.
pub fn refresh_sweep<'a>(app: &'a App, _runner: &'a str) -> BoxFuture<'a, usize> {
    Box::pin(async move {
        refresh_if_changed(app).await?;
        Ok(0)
    })
}

/// The sweep that enqueues the reminder for next year's notice.
pub fn reminder_sweep<'a>(app: &'a App, _runner: &'a str) -> BoxFuture<'a, usize> {
    Box::pin(async move {
        ensure_calendar_reminder(app).await?;
        Ok(0)
    })
}

/// Enqueues the November reminder to load next year's calendar (idempotent).
pub async fn ensure_calendar_reminder(app: &App) -> AppResult<()> {
    let now = app.clock.now().with_timezone(&crate::beijing());
    let next = now.year() + 1;
    if app.calendar().is_year_complete(next) {
        return Ok(());
    }
    let Some(at) = crate::beijing()
        .with_ymd_and_hms(now.year(), 11, 1, 9, 0, 0)
        .single()
    else {
        return Ok(());
    };
    let job = NewJob {
        kind: KIND_CALENDAR_NEXT_YEAR,
        unique_key: format!("calendar:next-year:{next}"),
        run_at: at.timestamp_millis(),
        payload: json!({"year": next}),
    };
    let mut tx = app.db.begin().await?;
    crate::jobs::enqueue_once_in(&mut tx, &job, app.now_ms()).await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, Deserialize)]
struct NextYearPayload {
    year: i32,
}

/// The job handler of [`KIND_CALENDAR_NEXT_YEAR`].
pub fn next_year_job<'a>(tx: &'a mut Tx, app: &'a App, job: &'a Job) -> BoxFuture<'a, Outcome> {
    Box::pin(remind_next_year(tx, app, job))
}

/// Tells the system administrators that next year's notice is still missing; skipped once
/// it is loaded.
async fn remind_next_year(tx: &mut Tx, app: &App, job: &Job) -> AppResult<Outcome> {
    let p: NextYearPayload = serde_json::from_value(job.payload.clone())
        .map_err(|e| AppError::Internal(format!("日历提醒任务参数无效：{e}")))?;
    let year = p.year;
    if app.calendar().is_year_complete(year) {
        return Ok(Outcome::Skipped);
    }
    let text = format!(
        "【提醒】{year}年的国务院节假日安排尚未载入。通知发布后请在“工作日历”页面导入，\
         在此之前涉及{year}年的期限按《全国年节及纪念日放假办法》的法定节假日（暂定）和周末计算，并标注“日历不完整”。"
    );
    notifications::insert_in(
        tx,
        &Recipient::Role(Role::SystemAdmin),
        proofless_domain::notification::NotificationKind::Calendar,
        &text,
        "/admin/calendar",
        &job.unique_key,
        job.now,
    )
    .await?;
    Ok(Outcome::Done)
}
