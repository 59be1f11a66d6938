//! Opening a deadline: the rule in force at the start, the due instant by the calendar, the
//! row, its reminders and its audit row. A workflow that should not hold the write lock for
//! the reading and the arithmetic plans first ([`plan`]) and writes later
//! ([`open_planned_in`]).

use std::sync::Arc;

use chrono::{DateTime, Utc};
use proofless_domain::calendar::Calendar;
use proofless_domain::deadline::{
    DeadlineRecord, DeadlineRule, DeadlineState, Period, SubjectType,
};
use proofless_store::Tx;
use serde_json::json;

use super::compute::{Recomputed, instant, recompute};
use super::input::{NewDeadline, OpenInput};
use super::records::{DeadlineView, Opened, RuleVersion};
use super::rules::{BUILT_IN_RULES, book_of, seed_rules};
use super::{jobs, repo, service};
use crate::App;
use crate::actor::Actor;
use crate::audit::{self, Entry};
use crate::error::{AppError, AppResult};

/// Opens a deadline from the API (staff of the responsible unit).
pub async fn open(app: &App, actor: &Actor, input: &OpenInput) -> AppResult<DeadlineView> {
    actor.require_staff()?;
    actor.require_org(input.org_id)?;
    let cmd = input.parse(instant(app.now_ms())?)?;
    let mut tx = app.db.begin().await?;
    let id = open_in(&mut tx, app, actor, &cmd).await?.id;
    tx.commit().await?;
    service::get(app, actor, id).await
}

/// Opens a deadline inside the caller's transaction (staff of the responsible unit, or the
/// system on behalf of a workflow that opens it together with the record that starts it).
pub async fn open_in(
    tx: &mut Tx,
    app: &App,
    actor: &Actor,
    cmd: &NewDeadline,
) -> AppResult<Opened> {
    check_open(actor, cmd)?;
    let org_exists = repo::org_exists(tx, cmd.org_id).await?;
    let key = cmd.rule_key.as_str();
    // The built-in rules are written on first use; a key already holding every built-in
    // version needs no statement per deadline.
    let mut versions = repo::rule_versions(tx, key).await?;
    if versions.len() < BUILT_IN_RULES.versions(key).len() {
        seed_rules(tx, app.now_ms()).await?;
        versions = repo::rule_versions(tx, key).await?;
    }
    let planned = plan_of(app, cmd, org_exists, &versions)?;
    open_planned_in(tx, app, actor, &planned).await
}

/// Checks a deadline and computes its due instant from the committed rules, outside any
/// transaction, for a workflow that writes it later with [`open_planned_in`] and should not
/// hold the write lock for the reading and the calendar arithmetic.
pub async fn plan(app: &App, actor: &Actor, cmd: &NewDeadline) -> AppResult<Planned> {
    check_open(actor, cmd)?;
    let org_exists = repo::org_exists(&mut app.db.reader(), cmd.org_id).await?;
    let key = cmd.rule_key.as_str();
    let mut versions = repo::rule_versions(&mut app.db.reader(), key).await?;
    if versions.len() < BUILT_IN_RULES.versions(key).len() {
        let mut tx = app.db.begin().await?;
        seed_rules(&mut tx, app.now_ms()).await?;
        tx.commit().await?;
        versions = repo::rule_versions(&mut app.db.reader(), key).await?;
    }
    plan_of(app, cmd, org_exists, &versions)
}

/// The checks of the command alone: the caller's role and unit, the reference and the
/// statutory limit.
fn check_open(actor: &Actor, cmd: &NewDeadline) -> AppResult<()> {
    actor.require_staff()?;
    actor.require_org(cmd.org_id)?;
    cmd.check()
}

/// A deadline checked and computed, ready to be written by [`open_planned_in`].
pub struct Planned {
    subject_type: SubjectType,
    /// Settable after planning: a workflow that writes the record the deadline belongs to in
    /// the same transaction learns its number only then.
    pub subject_id: String,
    org_id: i64,
    rule: DeadlineRule,
    start: DateTime<Utc>,
    statutory: Option<Period>,
    cal: Arc<Calendar>,
    computed: Recomputed,
    now: i64,
}

impl Planned {
    /// The instant the clock starts (the planning instant when no start was given).
    pub fn start_ms(&self) -> i64 {
        self.start.timestamp_millis()
    }
}

/// The rule in force at the start, and the due instant by the calendar.
fn plan_of(
    app: &App,
    cmd: &NewDeadline,
    org_exists: bool,
    versions: &[RuleVersion],
) -> AppResult<Planned> {
    if !org_exists {
        return Err(AppError::field(
            "org_id",
            format!("单位 {} 不存在", cmd.org_id),
        ));
    }
    if versions.is_empty() {
        return Err(AppError::field(
            "rule_key",
            format!("期限规则“{}”不存在", cmd.rule_key),
        ));
    }
    let book = book_of(versions)?;
    let on = cmd.start.with_timezone(&crate::beijing()).date_naive();
    let rule = book
        .in_force(cmd.rule_key.as_str(), on)
        .ok_or_else(|| AppError::field("start", format!("{on} 时规则“{}”尚未生效", cmd.rule_key)))?
        .clone();
    // A new deadline has no suspension or extension yet: computed here and written
    // complete, in one statement.
    let cal = app.calendar();
    let now = app.now_ms();
    let computed = recompute(
        &cal,
        app,
        DeadlineState::Open,
        &DeadlineRecord::new(cmd.start, rule.period),
        cmd.statutory_limit,
        now,
    );
    Ok(Planned {
        subject_type: cmd.subject_type,
        subject_id: cmd.subject_id.trim().to_owned(),
        org_id: cmd.org_id,
        rule,
        start: cmd.start,
        statutory: cmd.statutory_limit,
        cal,
        computed,
        now,
    })
}

/// Writes a planned deadline, its reminders and its audit row inside `tx`.
pub async fn open_planned_in(
    tx: &mut Tx,
    app: &App,
    actor: &Actor,
    p: &Planned,
) -> AppResult<Opened> {
    let (r, rule, cal, now) = (&p.computed, &p.rule, &p.cal, p.now);
    let id = repo::insert(
        tx,
        &repo::NewRow {
            subject_type: p.subject_type,
            subject_id: &p.subject_id,
            org_id: p.org_id,
            rule,
            start_at: p.start.timestamp_millis(),
            statutory: p.statutory,
            computed: r,
            calendar_version: cal.version(),
            created_by: &actor.name,
            now,
        },
    )
    .await?;
    if r.state == DeadlineState::Open
        && let (Some(eff), Some(due)) = (r.effective_start, r.due_at)
    {
        jobs::schedule_reminders(tx, app, cal, id, eff, due, r.suspended_office_seconds, now)
            .await?;
    }
    let statutory = p.statutory.map(|s| s.to_string());
    audit::append(
        tx,
        actor,
        now,
        Entry::new("deadline.open", "deadline", id).detail(json!({
            "subject_type": p.subject_type.as_str(), "subject_id": p.subject_id,
            "org_id": p.org_id, "rule": format!("{}#{}", rule.key, rule.version),
            "period": rule.period.to_string(), "statutory_limit": statutory,
            "start_at": p.start.timestamp_millis(), "due_at": r.due_at,
            "calendar_version": cal.version(),
        })),
    )
    .await?;
    Ok(Opened {
        id,
        due_at: r.due_at,
        effective_start: r.effective_start,
    })
}
