//! Recurring obligations on the deadline engine: the half-yearly regular meeting (A1 三(一))
//! and each unit's yearly review of its risk register (P 三(四)5). One open deadline per
//! obligation; when it is met, it is completed and the next one opened from that day, so the
//! engine's reminders (at half and four fifths of the time) and its overdue mark and
//! notification serve them as any other time limit.

use chrono::{NaiveDate, TimeZone, Utc};
use proofless_domain::deadline::{DeadlineState, Period, RuleKey, SubjectType};
use proofless_store::Tx;

use super::repo;
use crate::App;
use crate::actor::Actor;
use crate::deadlines::{self, NewDeadline};
use crate::error::{AppError, AppResult};

/// What a recurring obligation is.
pub(crate) struct Obligation<'a> {
    /// Its row in `joint_obligations`, e.g. `regular_meeting`, `risk_review:12`.
    pub name: &'a str,
    pub subject_type: SubjectType,
    pub subject_id: &'a str,
    /// The unit responsible.
    pub org_id: i64,
    pub rule_key: &'static str,
}

/// Today in Beijing.
pub(crate) fn today(app: &App) -> NaiveDate {
    crate::beijing()
        .timestamp_millis_opt(app.now_ms())
        .single()
        .map(|t| t.date_naive())
        .unwrap_or_default()
}

/// Completes the obligation's open deadline (if any) and opens the next, due on `due`.
pub(crate) async fn renew(
    tx: &mut Tx,
    app: &App,
    o: &Obligation<'_>,
    due: NaiveDate,
) -> AppResult<i64> {
    let system = Actor::system("joint.obligation");
    if let Some((old, _)) = repo::obligation(tx, o.name).await?
        && let Some((state, _)) = repo::deadline_state(tx, old).await?
        && state != DeadlineState::Done.as_str()
    {
        deadlines::complete_in(tx, app, &system, old).await?;
    }
    open(tx, app, o, due).await
}

/// Opens the obligation's deadline unless one is already open; returns its id.
pub(crate) async fn ensure(
    tx: &mut Tx,
    app: &App,
    o: &Obligation<'_>,
    due: NaiveDate,
) -> AppResult<i64> {
    match repo::obligation(tx, o.name).await? {
        Some((id, _)) => Ok(id),
        None => open(tx, app, o, due).await,
    }
}

async fn open(tx: &mut Tx, app: &App, o: &Obligation<'_>, due: NaiveDate) -> AppResult<i64> {
    let now = app.now_ms();
    let start = Utc
        .timestamp_millis_opt(now)
        .single()
        .ok_or_else(|| AppError::Internal("时钟无效".into()))?;
    let days = proofless_domain::joint::days_between(today(app), due);
    let cmd = NewDeadline {
        subject_type: o.subject_type,
        subject_id: o.subject_id.to_owned(),
        org_id: o.org_id,
        rule_key: RuleKey::from_static(o.rule_key),
        start,
        statutory_limit: Some(Period::CalendarDays(u32::try_from(days).unwrap_or(1))),
    };
    let system = Actor::system("joint.obligation");
    let id = deadlines::open_in(tx, app, &system, &cmd).await?.id;
    repo::set_obligation(tx, o.name, id, now).await?;
    Ok(id)
}

/// The obligation's deadline: (id, state, due instant).
pub(crate) async fn standing(
    ex: &mut impl proofless_store::Exec,
    name: &str,
) -> AppResult<Option<(i64, String, Option<i64>)>> {
    let Some((id, _)) = repo::obligation(ex, name).await? else {
        return Ok(None);
    };
    Ok(repo::deadline_state(ex, id)
        .await?
        .map(|(s, due)| (id, s, due)))
}
