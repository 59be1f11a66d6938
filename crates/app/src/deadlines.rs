//! Deadlines (issue #4, DESIGN "Deadlines"): every deadline is a record — what started it,
//! the rule version, the period, suspensions and extensions — and its due instant is always
//! recomputed from that record with the effective calendar and office hours, never edited.
//! The cached `due_at` column only serves the due query (`state = 'open' AND due_at <= now`,
//! an index range scan) and is rewritten by [`recompute_in`] after every change.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use proofless_domain::calendar::Calendar;
use proofless_domain::deadline::{
    self, DeadlineRecord, DeadlineRule, Extension, Period, PeriodUnit, RuleBook, Suspension,
};
use proofless_domain::role::Role;
use proofless_store::{Query, Tx, q};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::App;
use crate::actor::Actor;
use crate::audit::{self, Entry};
use crate::error::{AppError, AppResult, Problems};

pub const OPEN: &str = "open";
pub const SUSPENDED: &str = "suspended";
pub const DONE: &str = "done";
pub const OVERDUE: &str = "overdue";

/// Reminders at these shares of the allowed office time (numerator, denominator).
pub const REMINDER_SHARES: [(i64, i64); 2] = [(1, 2), (4, 5)];

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct Deadline {
    pub id: i64,
    pub subject_type: String,
    pub subject_id: String,
    /// The unit responsible.
    pub org_id: i64,
    pub rule_key: String,
    pub rule_version: i64,
    /// When the period started (ms since the epoch, UTC).
    pub start_at: i64,
    /// `30m`, `1wd`, `5wd`…
    pub period: String,
    /// Legal time limit of the proof item, in working or calendar days (`20wd`, `30cd`).
    pub statutory_limit: Option<String>,
    /// `open`, `suspended`, `done` or `overdue`.
    pub state: String,
    /// The earlier of `rule_due_at` and `statutory_due_at`; while suspended, the statutory
    /// due instant (which keeps running) or null.
    pub due_at: Option<i64>,
    pub rule_due_at: Option<i64>,
    pub statutory_due_at: Option<i64>,
    pub effective_start: Option<i64>,
    pub calendar_version: String,
    pub calendar_complete: bool,
    pub escalated_at: Option<i64>,
    pub done_at: Option<i64>,
    pub created_by: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub version: i64,
}

const SELECT: &str = "SELECT id, subject_type, subject_id, org_id, rule_key, rule_version, start_at, period, \
    statutory_limit, state, due_at, rule_due_at, statutory_due_at, effective_start, calendar_version, \
    calendar_complete, escalated_at, done_at, created_by, created_at, updated_at, version FROM deadlines";

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct SuspensionRow {
    pub id: i64,
    pub reason: String,
    pub start_at: i64,
    pub end_at: Option<i64>,
    pub suspended_by: String,
    pub resumed_by: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct ExtensionRow {
    pub id: i64,
    pub period: String,
    pub extended_by: String,
    pub extended_by_id: Option<i64>,
    pub approved_by: String,
    pub approved_by_id: Option<i64>,
    pub reason: String,
    pub at: i64,
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct RuleVersion {
    pub rule_key: String,
    pub version: i64,
    pub period: String,
    pub max_extension: Option<String>,
    /// YYYY-MM-DD, local date.
    pub effective_from: String,
    pub note: String,
    pub created_by: String,
    pub created_at: i64,
}

/// How late an overdue item is.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Lateness {
    /// Wall-clock minutes since the due instant.
    pub wall_minutes: i64,
    /// Office minutes since the due instant (breaks, nights and holidays not counted).
    pub office_minutes: i64,
    /// Chinese text, e.g. "逾期 2 天 3 小时（办公时间 11 小时 30 分钟）".
    pub text: String,
}

/// A deadline with everything its due instant is recomputed from.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DeadlineView {
    #[serde(flatten)]
    pub deadline: Deadline,
    /// The due instant in RFC 3339 with +08:00.
    pub due: Option<String>,
    pub rule: Option<RuleVersion>,
    pub suspensions: Vec<SuspensionRow>,
    pub extensions: Vec<ExtensionRow>,
    pub late: Option<Lateness>,
}

/// An overdue or nearly due item for the workbench and the joint office.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct DueItem {
    pub id: i64,
    pub subject_type: String,
    pub subject_id: String,
    pub org_id: i64,
    pub org_name: String,
    pub rule_key: String,
    pub period: String,
    pub state: String,
    pub due_at: Option<i64>,
    pub escalated_at: Option<i64>,
    #[serde(skip_deserializing)]
    pub due: Option<String>,
    #[serde(skip_deserializing)]
    pub late: Option<Lateness>,
}

pub fn to_utc(ms: i64) -> Option<DateTime<Utc>> {
    DateTime::<Utc>::from_timestamp_millis(ms)
}

pub fn rfc3339(ms: i64) -> Option<String> {
    to_utc(ms).map(|t| {
        t.with_timezone(&crate::beijing())
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
    })
}

fn ms(t: DateTime<FixedOffset>) -> i64 {
    t.timestamp_millis()
}

/// Lateness of an item due at `due_ms`, at `now_ms`.
pub fn lateness(app: &App, due_ms: i64, now_ms: i64) -> Option<Lateness> {
    if now_ms <= due_ms {
        return None;
    }
    let (from, to) = (to_utc(due_ms)?, to_utc(now_ms)?);
    let cal = app.calendar();
    let office = deadline::office_minutes_between(&cal, app.office_hours(), from, to);
    let wall = (now_ms - due_ms) / 60_000;
    let (d, h, m) = (wall / 1440, wall % 1440 / 60, wall % 60);
    let mut text = String::from("逾期 ");
    if d > 0 {
        text.push_str(&format!("{d} 天 "));
    }
    if d > 0 || h > 0 {
        text.push_str(&format!("{h} 小时 "));
    }
    text.push_str(&format!(
        "{m} 分钟（办公时间 {} 小时 {} 分钟）",
        office / 60,
        office % 60
    ));
    Some(Lateness {
        wall_minutes: wall,
        office_minutes: office,
        text,
    })
}

// ---------------------------------------------------------------------------------------
// Rules

fn rule_of(r: &RuleVersion) -> AppResult<DeadlineRule> {
    let bad = |what: &str| {
        AppError::Internal(format!("规则 {} 第{}版的{what}无效", r.rule_key, r.version))
    };
    Ok(DeadlineRule {
        key: r.rule_key.clone(),
        period: Period::parse(&r.period).map_err(|_| bad("期限"))?,
        max_extension: match &r.max_extension {
            Some(m) => Some(Period::parse(m).map_err(|_| bad("延长上限"))?),
            None => None,
        },
        version: u32::try_from(r.version).map_err(|_| bad("版本号"))?,
        effective_from: NaiveDate::parse_from_str(&r.effective_from, "%Y-%m-%d")
            .map_err(|_| bad("生效日期"))?,
    })
}

const RULE_COLS: &str = "SELECT rule_key, version, period, max_extension, effective_from, note, created_by, created_at FROM deadline_rules";

/// The rules the system ships with, built once (every new deadline compares against them).
static BUILT_IN_RULES: std::sync::LazyLock<RuleBook> = std::sync::LazyLock::new(RuleBook::defaults);

/// Writes the seed's rules (version 1) unless present. Idempotent.
pub async fn seed_rules(tx: &mut Tx, now_ms: i64) -> AppResult<()> {
    for key in BUILT_IN_RULES.keys() {
        for r in BUILT_IN_RULES.versions(key) {
            tx.execute(
                q("INSERT INTO deadline_rules (rule_key, version, period, max_extension, effective_from, note, created_by, created_at) \
                   VALUES (?, ?, ?, ?, ?, '附件试行一年（种子规则）', '系统（内置规则）', ?) ON CONFLICT (rule_key, version) DO NOTHING")
                .bind(&r.key)
                .bind(i64::from(r.version))
                .bind(r.period.to_string())
                .bind(r.max_extension.map(|p| p.to_string()))
                .bind(r.effective_from.to_string())
                .bind(now_ms),
            )
            .await?;
        }
    }
    Ok(())
}

/// Every version of every rule.
pub async fn rules(app: &App) -> AppResult<Vec<RuleVersion>> {
    let mut tx = app.db.begin().await?;
    seed_rules(&mut tx, app.now_ms()).await?;
    let rows = tx
        .fetch_all(q(format!("{RULE_COLS} ORDER BY rule_key, version")))
        .await?;
    tx.commit().await?;
    Ok(rows)
}

fn rule_versions_query(key: &str) -> Query {
    q(format!("{RULE_COLS} WHERE rule_key = ? ORDER BY version")).bind(key)
}

async fn rule_versions(tx: &mut Tx, key: &str) -> AppResult<Vec<RuleVersion>> {
    Ok(tx.fetch_all(rule_versions_query(key)).await?)
}

/// A new version of a rule (system administrator), e.g. when the trial annexes are replaced.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct RuleInput {
    pub rule_key: String,
    pub period: String,
    pub max_extension: Option<String>,
    /// YYYY-MM-DD: first local date the version is in force.
    pub effective_from: String,
    #[serde(default)]
    pub note: String,
}

pub async fn add_rule_version(
    app: &App,
    actor: &Actor,
    input: &RuleInput,
) -> AppResult<RuleVersion> {
    actor.require_any(&[Role::SystemAdmin])?;
    let mut p = Problems::default();
    let period = Period::parse(input.period.trim())
        .map_err(|e| p.add("period", e.to_string()))
        .ok();
    let max = match input
        .max_extension
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(m) => Period::parse(m)
            .map_err(|e| p.add("max_extension", e.to_string()))
            .ok(),
        None => None,
    };
    let from = NaiveDate::parse_from_str(input.effective_from.trim(), "%Y-%m-%d")
        .map_err(|_| {
            p.add(
                "effective_from",
                format!("生效日期“{}”无效（应为 YYYY-MM-DD）", input.effective_from),
            )
        })
        .ok();
    if input.note.chars().count() > 500 {
        p.add("note", "说明不能超过500字");
    }
    p.into_result()?;
    let (Some(period), Some(from)) = (period, from) else {
        return Err(AppError::Internal("校验失败".into()));
    };
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    seed_rules(&mut tx, now).await?;
    let existing = rule_versions(&mut tx, input.rule_key.trim()).await?;
    if existing.is_empty() {
        return Err(AppError::field(
            "rule_key",
            format!("规则 {} 不存在", input.rule_key),
        ));
    }
    let mut book = RuleBook::new(
        existing
            .iter()
            .map(rule_of)
            .collect::<AppResult<Vec<_>>>()?,
    )
    .map_err(|e| AppError::Internal(e.to_string()))?;
    let version = existing.iter().map(|r| r.version).max().unwrap_or(0) + 1;
    let rule = DeadlineRule {
        key: input.rule_key.trim().to_owned(),
        period,
        max_extension: max,
        version: u32::try_from(version).unwrap_or(u32::MAX),
        effective_from: from,
    };
    book.insert(rule.clone())
        .map_err(|e| AppError::field("effective_from", e.to_string()))?;
    tx.execute(
        q("INSERT INTO deadline_rules (rule_key, version, period, max_extension, effective_from, note, created_by, created_at) \
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
        .bind(&rule.key)
        .bind(version)
        .bind(period.to_string())
        .bind(max.map(|m| m.to_string()))
        .bind(from.to_string())
        .bind(input.note.trim())
        .bind(&actor.name)
        .bind(now),
    )
    .await?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new(
            "deadline.rule.version",
            "deadline_rule",
            format!("{}#{version}", rule.key),
        )
        .detail(
            json!({"period": period.to_string(), "max_extension": max.map(|m| m.to_string()),
                "effective_from": from.to_string()}),
        ),
    )
    .await?;
    let row = tx
        .fetch_one(
            q(format!("{RULE_COLS} WHERE rule_key = ? AND version = ?"))
                .bind(&rule.key)
                .bind(version),
        )
        .await?;
    tx.commit().await?;
    Ok(row)
}

// ---------------------------------------------------------------------------------------
// Records and recomputation

async fn load(tx: &mut Tx, id: i64) -> AppResult<Deadline> {
    tx.fetch_optional(q(format!("{SELECT} WHERE id = ?")).bind(id))
        .await?
        .ok_or_else(|| AppError::NotFound(format!("期限 {id}")))
}

async fn suspensions_of(tx: &mut Tx, id: i64) -> AppResult<Vec<SuspensionRow>> {
    Ok(tx
        .fetch_all(
            q("SELECT id, reason, start_at, end_at, suspended_by, resumed_by FROM deadline_suspensions \
               WHERE deadline_id = ? ORDER BY id")
            .bind(id),
        )
        .await?)
}

async fn extensions_of(tx: &mut Tx, id: i64) -> AppResult<Vec<ExtensionRow>> {
    Ok(tx
        .fetch_all(
            q("SELECT id, period, extended_by, extended_by_id, approved_by, approved_by_id, reason, at \
               FROM deadline_extensions WHERE deadline_id = ? ORDER BY id")
            .bind(id),
        )
        .await?)
}

/// The domain record of a stored deadline.
pub fn record_of(
    d: &Deadline,
    susp: &[SuspensionRow],
    ext: &[ExtensionRow],
) -> AppResult<DeadlineRecord> {
    let bad = || AppError::Internal(format!("期限 {} 的记录无效", d.id));
    let mut r = DeadlineRecord::new(
        to_utc(d.start_at).ok_or_else(bad)?,
        Period::parse(&d.period).map_err(|_| bad())?,
    );
    for s in susp {
        r.suspensions.push(Suspension {
            reason: s.reason.clone(),
            start: to_utc(s.start_at).ok_or_else(bad)?,
            end: s.end_at.and_then(to_utc),
        });
    }
    for e in ext {
        r.extensions.push(Extension {
            period: Period::parse(&e.period).map_err(|_| bad())?,
            extended_by: e.extended_by.clone(),
            approved_by: e.approved_by.clone(),
            reason: e.reason.clone(),
            at: to_utc(e.at).ok_or_else(bad)?,
        });
    }
    Ok(r)
}

/// The cached columns recomputed from a record.
#[derive(Debug, Clone, PartialEq)]
pub struct Recomputed {
    pub state: String,
    pub due_at: Option<i64>,
    pub rule_due_at: Option<i64>,
    pub statutory_due_at: Option<i64>,
    pub effective_start: Option<i64>,
    pub calendar_complete: bool,
    pub suspended_office_seconds: i64,
}

/// Recomputes the due instant (and the state that follows from it) of a record.
pub fn recompute(
    cal: &Calendar,
    app: &App,
    current_state: &str,
    record: &DeadlineRecord,
    statutory: Option<Period>,
    now_ms: i64,
) -> Recomputed {
    let hours = app.office_hours();
    let c = deadline::compute(cal, hours, record);
    let stat =
        statutory.map(|p| deadline::compute(cal, hours, &DeadlineRecord::new(record.start, p)));
    let rule_due_at = c.due.map(ms);
    // A legal time limit keeps running while the case waits (SPEC A2 §7).
    let statutory_due_at = stat.and_then(|s| s.due).map(ms);
    let due_at = if c.suspended {
        // The clock of the rule stops; a statutory limit does not.
        statutory_due_at
    } else {
        match (rule_due_at, statutory_due_at) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    };
    let state = if current_state == DONE {
        DONE
    } else if current_state == OVERDUE && due_at.is_some_and(|d| d <= now_ms) {
        OVERDUE
    } else if c.suspended {
        SUSPENDED
    } else {
        // Open again when an extension moved the due instant past now; a due instant already
        // passed is escalated by the runner.
        OPEN
    };
    Recomputed {
        state: state.to_owned(),
        due_at,
        rule_due_at,
        statutory_due_at,
        effective_start: c.effective_start.map(ms),
        calendar_complete: c.calendar_complete && stat.is_none_or(|s| s.calendar_complete),
        suspended_office_seconds: c.suspended_office_seconds,
    }
}

/// Recomputes a deadline from its record inside `tx`, rewrites the cached columns and
/// (re)schedules its reminders. Returns the stored row.
pub async fn recompute_in(tx: &mut Tx, app: &App, id: i64) -> AppResult<Deadline> {
    let d = load(tx, id).await?;
    let susp = suspensions_of(tx, id).await?;
    let ext = extensions_of(tx, id).await?;
    let record = record_of(&d, &susp, &ext)?;
    let statutory = d
        .statutory_limit
        .as_deref()
        .and_then(|s| Period::parse(s).ok());
    let cal = app.calendar();
    let now = app.now_ms();
    let r = recompute(&cal, app, &d.state, &record, statutory, now);
    tx.execute(
        q("UPDATE deadlines SET state = ?, due_at = ?, rule_due_at = ?, statutory_due_at = ?, effective_start = ?, \
           calendar_version = ?, calendar_complete = ?, updated_at = ?, version = version + 1 WHERE id = ?")
        .bind(&r.state)
        .bind(r.due_at)
        .bind(r.rule_due_at)
        .bind(r.statutory_due_at)
        .bind(r.effective_start)
        .bind(cal.version())
        .bind(r.calendar_complete)
        .bind(now)
        .bind(id),
    )
    .await?;
    if r.state == OPEN
        && let (Some(eff), Some(due)) = (r.effective_start, r.due_at)
    {
        schedule_reminders(tx, app, &cal, id, eff, due, r.suspended_office_seconds, now).await?;
    }
    load(tx, id).await
}

/// The instant of a reminder at `num/den` of the allowed office time.
pub fn reminder_at(
    cal: &Calendar,
    app: &App,
    effective_start: i64,
    due: i64,
    suspended_office_seconds: i64,
    (num, den): (i64, i64),
) -> Option<i64> {
    let (from, to) = (to_utc(effective_start)?, to_utc(due)?);
    let hours = app.office_hours();
    let span = deadline::office_time_between(cal, hours, from, to).seconds;
    let allowed = (span - suspended_office_seconds).max(0);
    let offset = allowed * num / den + suspended_office_seconds;
    deadline::add_office_time(cal, hours, from, offset).map(ms)
}

#[allow(clippy::too_many_arguments)]
async fn schedule_reminders(
    tx: &mut Tx,
    app: &App,
    cal: &Calendar,
    id: i64,
    eff: i64,
    due: i64,
    suspended: i64,
    now: i64,
) -> AppResult<()> {
    let jobs: Vec<_> = REMINDER_SHARES
        .into_iter()
        .filter_map(|share| {
            let at = reminder_at(cal, app, eff, due, suspended, share)?;
            Some(crate::jobs::NewJob {
                kind: crate::jobs::KIND_REMINDER,
                unique_key: format!("deadline:{id}:remind:{}/{}", share.0, share.1),
                run_at: at,
                payload: json!({"deadline_id": id, "num": share.0, "den": share.1}),
            })
        })
        .collect();
    crate::jobs::enqueue_many_in(tx, &jobs, now).await
}

/// Recomputes every open, suspended or overdue deadline (after a calendar change).
pub async fn recompute_open(app: &App) -> AppResult<usize> {
    let version = app.calendar().version().to_owned();
    let mut done = 0;
    loop {
        let mut tx = app.db.begin().await?;
        let ids = tx
            .fetch_all::<(i64,)>(
                q(
                    "SELECT id FROM deadlines WHERE state IN ('open', 'suspended', 'overdue') \
                   AND calendar_version <> ? ORDER BY id LIMIT 500",
                )
                .bind(&version),
            )
            .await?;
        if ids.is_empty() {
            break;
        }
        for (id,) in &ids {
            recompute_in(&mut tx, app, *id).await?;
        }
        tx.commit().await?;
        done += ids.len();
    }
    Ok(done)
}

// ---------------------------------------------------------------------------------------
// Services

/// What starts a deadline.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct OpenInput {
    /// e.g. `verification`, `complaint`, `adjustment`.
    pub subject_type: String,
    pub subject_id: String,
    /// The unit responsible.
    pub org_id: i64,
    /// A rule key, e.g. `verification.electronic`, `complaint.handling`.
    pub rule_key: String,
    /// RFC 3339; default now.
    pub start: Option<String>,
    /// Legal time limit of the proof item, in working or calendar days (`20wd`, `30cd`).
    pub statutory_limit: Option<String>,
}

const MAX_REF_CHARS: usize = 100;

/// Opens a deadline (staff of the responsible unit, or the system on behalf of a workflow).
pub async fn open(app: &App, actor: &Actor, input: &OpenInput) -> AppResult<DeadlineView> {
    let mut tx = app.db.begin().await?;
    let id = open_in(&mut tx, app, actor, input).await?.id;
    tx.commit().await?;
    get(app, actor, id).await
}

/// [`open`] inside the caller's transaction, for workflows that open a deadline together
/// with the case that starts it.
pub async fn open_in(
    tx: &mut Tx,
    app: &App,
    actor: &Actor,
    input: &OpenInput,
) -> AppResult<Opened> {
    let (start, statutory) = check_open(app, actor, input)?;
    let org: Option<(i64,)> = tx.fetch_optional(org_query(input)).await?;
    let key = input.rule_key.trim();
    // The built-in rules are written on first use; a key already holding every built-in
    // version needs no statement per deadline.
    let mut versions = rule_versions(tx, key).await?;
    if versions.len() < BUILT_IN_RULES.versions(key).len() {
        seed_rules(tx, app.now_ms()).await?;
        versions = rule_versions(tx, key).await?;
    }
    let planned = plan_of(app, input, (start, statutory), org.is_some(), &versions)?;
    open_planned_in(tx, app, actor, &planned).await
}

/// Checks a deadline and computes its due instant from the committed rules, outside any
/// transaction, for a workflow that writes it later with [`open_planned_in`] and should not
/// hold the write lock for the reading and the calendar arithmetic.
pub async fn plan(app: &App, actor: &Actor, input: &OpenInput) -> AppResult<Planned> {
    let (start, statutory) = check_open(app, actor, input)?;
    let org: Option<(i64,)> = app.db.reader().fetch_optional(org_query(input)).await?;
    let key = input.rule_key.trim();
    let read = || async {
        AppResult::Ok(
            app.db
                .reader()
                .fetch_all::<RuleVersion>(rule_versions_query(key))
                .await?,
        )
    };
    let mut versions = read().await?;
    if versions.len() < BUILT_IN_RULES.versions(key).len() {
        let mut tx = app.db.begin().await?;
        seed_rules(&mut tx, app.now_ms()).await?;
        tx.commit().await?;
        versions = read().await?;
    }
    plan_of(app, input, (start, statutory), org.is_some(), &versions)
}

fn org_query(input: &OpenInput) -> Query {
    q("SELECT id FROM orgs WHERE id = ?").bind(input.org_id)
}

/// The checks of the input alone: the caller's role and unit, the references, the start and
/// the statutory limit.
fn check_open(
    app: &App,
    actor: &Actor,
    input: &OpenInput,
) -> AppResult<(DateTime<Utc>, Option<Period>)> {
    actor.require_staff()?;
    actor.require_org(input.org_id)?;
    let mut p = Problems::default();
    for (field, value, label) in [
        ("subject_type", &input.subject_type, "事项类型"),
        ("subject_id", &input.subject_id, "事项编号"),
    ] {
        let v = value.trim();
        if v.is_empty() {
            p.add(field, format!("{label}不能为空"));
        } else if v.chars().count() > MAX_REF_CHARS {
            p.add(field, format!("{label}不能超过{MAX_REF_CHARS}个字符"));
        }
    }
    let start = match input
        .start
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(s) => match DateTime::parse_from_rfc3339(s) {
            Ok(t) => Some(t.with_timezone(&Utc)),
            Err(_) => {
                p.add(
                    "start",
                    format!("起算时间“{s}”无效（应为 RFC 3339，例如 2026-03-12T09:30:00+08:00）"),
                );
                None
            }
        },
        None => to_utc(app.now_ms()),
    };
    let statutory = match input
        .statutory_limit
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(s) => match Period::parse(s) {
            Ok(per)
                if matches!(
                    per.unit(),
                    PeriodUnit::WorkingDays | PeriodUnit::CalendarDays
                ) =>
            {
                Some(per)
            }
            Ok(_) => {
                p.add(
                    "statutory_limit",
                    "法定时限须以工作日（wd）或自然日（cd）计",
                );
                None
            }
            Err(e) => {
                p.add("statutory_limit", e.to_string());
                None
            }
        },
        None => None,
    };
    p.into_result()?;
    let Some(start) = start else {
        return Err(AppError::field("start", "起算时间无效"));
    };
    Ok((start, statutory))
}

/// A deadline checked and computed, ready to be written by [`open_planned_in`].
pub struct Planned {
    subject_type: String,
    /// Settable after planning: a workflow that writes the record the deadline belongs to in
    /// the same transaction learns its number only then.
    pub subject_id: String,
    org_id: i64,
    rule: DeadlineRule,
    start: DateTime<Utc>,
    statutory: Option<Period>,
    cal: std::sync::Arc<Calendar>,
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
    input: &OpenInput,
    (start, statutory): (DateTime<Utc>, Option<Period>),
    org_exists: bool,
    versions: &[RuleVersion],
) -> AppResult<Planned> {
    if !org_exists {
        return Err(AppError::field(
            "org_id",
            format!("单位 {} 不存在", input.org_id),
        ));
    }
    if versions.is_empty() {
        return Err(AppError::field(
            "rule_key",
            format!("期限规则“{}”不存在", input.rule_key),
        ));
    }
    let book = RuleBook::new(
        versions
            .iter()
            .map(rule_of)
            .collect::<AppResult<Vec<_>>>()?,
    )
    .map_err(|e| AppError::Internal(e.to_string()))?;
    let on = start.with_timezone(&crate::beijing()).date_naive();
    let rule = book
        .in_force(input.rule_key.trim(), on)
        .ok_or_else(|| {
            AppError::field("start", format!("{on} 时规则“{}”尚未生效", input.rule_key))
        })?
        .clone();
    // A new deadline has no suspension or extension yet: computed here and written
    // complete, in one statement.
    let cal = app.calendar();
    let now = app.now_ms();
    let computed = recompute(
        &cal,
        app,
        OPEN,
        &DeadlineRecord::new(start, rule.period),
        statutory,
        now,
    );
    Ok(Planned {
        subject_type: input.subject_type.trim().to_owned(),
        subject_id: input.subject_id.trim().to_owned(),
        org_id: input.org_id,
        rule,
        start,
        statutory,
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
    let statutory = p.statutory.map(|s| s.to_string());
    let id = tx
        .scalar_i64(
            q("INSERT INTO deadlines (subject_type, subject_id, org_id, rule_key, rule_version, start_at, period, \
               statutory_limit, state, due_at, rule_due_at, statutory_due_at, effective_start, calendar_version, \
               calendar_complete, created_by, created_at, updated_at) \
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id")
            .bind(&p.subject_type)
            .bind(&p.subject_id)
            .bind(p.org_id)
            .bind(&rule.key)
            .bind(i64::from(rule.version))
            .bind(p.start.timestamp_millis())
            .bind(rule.period.to_string())
            .bind(statutory.clone())
            .bind(&r.state)
            .bind(r.due_at)
            .bind(r.rule_due_at)
            .bind(r.statutory_due_at)
            .bind(r.effective_start)
            .bind(cal.version())
            .bind(r.calendar_complete)
            .bind(&actor.name)
            .bind(now)
            .bind(now),
        )
        .await?;
    if r.state == OPEN
        && let (Some(eff), Some(due)) = (r.effective_start, r.due_at)
    {
        schedule_reminders(tx, app, cal, id, eff, due, r.suspended_office_seconds, now).await?;
    }
    audit::append(
        tx,
        actor,
        now,
        Entry::new("deadline.open", "deadline", id).detail(json!({
            "subject_type": p.subject_type, "subject_id": p.subject_id,
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

/// A deadline just opened: its id, due instant and the instant its clock started.
#[derive(Debug, Clone, Copy)]
pub struct Opened {
    pub id: i64,
    pub due_at: Option<i64>,
    pub effective_start: Option<i64>,
}

/// A deadline with its record (staff who may see the responsible unit).
pub async fn get(app: &App, actor: &Actor, id: i64) -> AppResult<DeadlineView> {
    actor.require_staff()?;
    let mut tx = app.db.begin().await?;
    let d = load(&mut tx, id).await?;
    actor.require_see_org(d.org_id)?;
    let suspensions = suspensions_of(&mut tx, id).await?;
    let extensions = extensions_of(&mut tx, id).await?;
    let rule = tx
        .fetch_optional(
            q(format!("{RULE_COLS} WHERE rule_key = ? AND version = ?"))
                .bind(&d.rule_key)
                .bind(d.rule_version),
        )
        .await?;
    tx.commit().await?;
    let now = app.now_ms();
    let late = match (d.state.as_str(), d.due_at) {
        (OVERDUE, Some(due)) => lateness(app, due, now),
        _ => None,
    };
    Ok(DeadlineView {
        due: d.due_at.and_then(rfc3339),
        deadline: d,
        rule,
        suspensions,
        extensions,
        late,
    })
}

async fn writable(tx: &mut Tx, actor: &Actor, id: i64) -> AppResult<Deadline> {
    actor.require_staff()?;
    let d = load(tx, id).await?;
    actor.require_org(d.org_id)?;
    if d.state == DONE {
        return Err(AppError::Conflict("期限已办结，不能再更改".into()));
    }
    Ok(d)
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct SuspendInput {
    pub reason: String,
}

const MAX_REASON_CHARS: usize = 500;

fn check_reason(reason: &str, field: &str) -> AppResult<String> {
    let r = reason.trim();
    if r.is_empty() {
        return Err(AppError::field(field, "须写明原因"));
    }
    if r.chars().count() > MAX_REASON_CHARS {
        return Err(AppError::field(
            field,
            format!("原因不能超过{MAX_REASON_CHARS}字"),
        ));
    }
    Ok(r.to_owned())
}

/// Stops the clock (e.g. a case waits for a verification, A2 §7).
pub async fn suspend(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &SuspendInput,
) -> AppResult<DeadlineView> {
    let mut tx = app.db.begin().await?;
    suspend_in(&mut tx, app, actor, id, &input.reason).await?;
    tx.commit().await?;
    get(app, actor, id).await
}

/// [`suspend`] inside the caller's transaction (a workflow that stops a clock together with
/// its own change).
pub async fn suspend_in(
    tx: &mut Tx,
    app: &App,
    actor: &Actor,
    id: i64,
    reason: &str,
) -> AppResult<Deadline> {
    let reason = check_reason(reason, "reason")?;
    let now = app.now_ms();
    let d = writable(tx, actor, id).await?;
    let mut record = record_of(
        &d,
        &suspensions_of(tx, id).await?,
        &extensions_of(tx, id).await?,
    )?;
    let at = to_utc(now).ok_or_else(|| AppError::Internal("时间无效".into()))?;
    record
        .suspend(&reason, at)
        .map_err(|e| AppError::Conflict(e.to_string()))?;
    tx.execute(
        q("INSERT INTO deadline_suspensions (deadline_id, reason, start_at, suspended_by) VALUES (?, ?, ?, ?)")
            .bind(id)
            .bind(&reason)
            .bind(now)
            .bind(&actor.name),
    )
    .await?;
    let after = recompute_in(tx, app, id).await?;
    audit::append(
        tx,
        actor,
        now,
        Entry::new("deadline.suspend", "deadline", id)
            .detail(json!({"reason": reason, "due_before": d.due_at, "due_after": after.due_at})),
    )
    .await?;
    Ok(after)
}

/// Restarts the clock: the due instant moves by exactly the office time suspended.
pub async fn resume(app: &App, actor: &Actor, id: i64) -> AppResult<DeadlineView> {
    let mut tx = app.db.begin().await?;
    resume_in(&mut tx, app, actor, id).await?;
    tx.commit().await?;
    get(app, actor, id).await
}

/// [`resume`] inside the caller's transaction.
pub async fn resume_in(tx: &mut Tx, app: &App, actor: &Actor, id: i64) -> AppResult<Deadline> {
    let now = app.now_ms();
    let d = writable(tx, actor, id).await?;
    let mut record = record_of(
        &d,
        &suspensions_of(tx, id).await?,
        &extensions_of(tx, id).await?,
    )?;
    let at = to_utc(now).ok_or_else(|| AppError::Internal("时间无效".into()))?;
    record
        .resume(at)
        .map_err(|e| AppError::Conflict(e.to_string()))?;
    tx.execute(
        q("UPDATE deadline_suspensions SET end_at = ?, resumed_by = ? WHERE deadline_id = ? AND end_at IS NULL")
            .bind(now)
            .bind(&actor.name)
            .bind(id),
    )
    .await?;
    let after = recompute_in(tx, app, id).await?;
    audit::append(
        tx,
        actor,
        now,
        Entry::new("deadline.resume", "deadline", id).detail(json!({"due_after": after.due_at})),
    )
    .await?;
    Ok(after)
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct ExtendInput {
    /// e.g. `2wd`; all extensions together stay within the rule's cap.
    pub period: String,
    /// Staff id of who approved the extension.
    pub approved_by: i64,
    pub reason: String,
}

/// Extends a deadline within the rule's cap (complaints: at most 5 working days in all,
/// A4 §10), recording who extended, who approved and why.
pub async fn extend(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &ExtendInput,
) -> AppResult<DeadlineView> {
    let mut p = Problems::default();
    let period = Period::parse(input.period.trim())
        .map_err(|e| p.add("period", e.to_string()))
        .ok();
    let reason = check_reason(&input.reason, "reason")
        .map_err(|_| p.add("reason", "须写明延长理由（不超过500字）"))
        .ok();
    p.into_result()?;
    let (Some(period), Some(reason)) = (period, reason) else {
        return Err(AppError::Internal("校验失败".into()));
    };
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let d = writable(&mut tx, actor, id).await?;
    let approver = tx
        .fetch_optional::<(String, bool)>(
            q("SELECT display_name, active FROM staff WHERE id = ?").bind(input.approved_by),
        )
        .await?;
    let approver = match approver {
        Some((name, true)) => name,
        Some(_) => return Err(AppError::field("approved_by", "审批人账号已停用")),
        None => {
            return Err(AppError::field(
                "approved_by",
                format!("审批人 {} 不存在", input.approved_by),
            ));
        }
    };
    let rule_row: RuleVersion = tx
        .fetch_one(
            q(format!("{RULE_COLS} WHERE rule_key = ? AND version = ?"))
                .bind(&d.rule_key)
                .bind(d.rule_version),
        )
        .await?;
    let rule = rule_of(&rule_row)?;
    let mut record = record_of(
        &d,
        &suspensions_of(&mut tx, id).await?,
        &extensions_of(&mut tx, id).await?,
    )?;
    let at = to_utc(now).ok_or_else(|| AppError::Internal("时间无效".into()))?;
    record
        .extend(
            &rule,
            Extension {
                period,
                extended_by: actor.name.clone(),
                approved_by: approver.clone(),
                reason: reason.clone(),
                at,
            },
        )
        .map_err(|e| AppError::field("period", e.to_string()))?;
    tx.execute(
        q("INSERT INTO deadline_extensions (deadline_id, period, extended_by, extended_by_id, approved_by, approved_by_id, reason, at) \
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
        .bind(id)
        .bind(period.to_string())
        .bind(&actor.name)
        .bind(actor.id)
        .bind(&approver)
        .bind(input.approved_by)
        .bind(&reason)
        .bind(now),
    )
    .await?;
    let after = recompute_in(&mut tx, app, id).await?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("deadline.extend", "deadline", id).detail(json!({
            "period": period.to_string(), "approved_by": approver, "approved_by_id": input.approved_by,
            "reason": reason, "due_before": d.due_at, "due_after": after.due_at,
        })),
    )
    .await?;
    tx.commit().await?;
    get(app, actor, id).await
}

/// Marks a deadline done (its work finished, on time or late).
pub async fn complete(app: &App, actor: &Actor, id: i64) -> AppResult<DeadlineView> {
    let mut tx = app.db.begin().await?;
    complete_in(&mut tx, app, actor, id).await?;
    tx.commit().await?;
    get(app, actor, id).await
}

/// [`complete`] inside the caller's transaction (an answer that also stops its clock).
pub async fn complete_in(tx: &mut Tx, app: &App, actor: &Actor, id: i64) -> AppResult<()> {
    let now = app.now_ms();
    let d = writable(tx, actor, id).await?;
    tx.execute(
        q("UPDATE deadlines SET state = 'done', done_at = ?, updated_at = ?, version = version + 1 WHERE id = ?")
            .bind(now)
            .bind(now)
            .bind(id),
    )
    .await?;
    audit::append(
        tx,
        actor,
        now,
        Entry::new("deadline.complete", "deadline", id).detail(json!({
            "due_at": d.due_at, "late": d.due_at.is_some_and(|due| now > due),
        })),
    )
    .await?;
    Ok(())
}

/// Which items a list covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// One unit (its own workbench).
    Org(i64),
    /// Every unit (the joint office's overdue view).
    County,
}

/// The scope an actor may see: the county for county-wide roles asking for it, else their unit.
pub fn scope_for(actor: &Actor, org: Option<i64>) -> AppResult<Scope> {
    actor.require_staff()?;
    match org {
        Some(o) => {
            actor.require_see_org(o)?;
            Ok(Scope::Org(o))
        }
        None if actor.has_any(&[Role::JointOffice, Role::SystemAdmin, Role::Accountability]) => {
            Ok(Scope::County)
        }
        None => actor
            .org_id
            .map(Scope::Org)
            .ok_or_else(|| AppError::forbidden("无权查看全县逾期事项")),
    }
}

const ITEM_SELECT: &str = "SELECT d.id, d.subject_type, d.subject_id, d.org_id, o.name AS org_name, d.rule_key, \
    d.period, d.state, d.due_at, d.escalated_at FROM deadlines d JOIN orgs o ON o.id = d.org_id";

fn finish(app: &App, mut items: Vec<DueItem>, now: i64) -> Vec<DueItem> {
    for i in &mut items {
        i.due = i.due_at.and_then(rfc3339);
        i.late = i.due_at.and_then(|d| lateness(app, d, now));
    }
    items
}

/// Overdue items, most late first.
pub async fn overdue(
    app: &App,
    actor: &Actor,
    scope: Scope,
    limit: i64,
) -> AppResult<Vec<DueItem>> {
    let _ = actor;
    let now = app.now_ms();
    let query = match scope {
        Scope::Org(o) => q(format!(
            "{ITEM_SELECT} WHERE d.org_id = ? AND d.state = 'overdue' ORDER BY d.due_at LIMIT ?"
        ))
        .bind(o),
        Scope::County => q(format!(
            "{ITEM_SELECT} WHERE d.state = 'overdue' ORDER BY d.due_at LIMIT ?"
        )),
    };
    let items = app
        .db
        .reader()
        .fetch_all(query.bind(limit.clamp(1, 500)))
        .await?;
    Ok(finish(app, items, now))
}

/// Open items due within `within_ms` (including those already due but not yet escalated).
pub async fn due_soon(
    app: &App,
    scope: Scope,
    within_ms: i64,
    limit: i64,
) -> AppResult<Vec<DueItem>> {
    let now = app.now_ms();
    let query = match scope {
        Scope::Org(o) => q(format!(
            "{ITEM_SELECT} WHERE d.org_id = ? AND d.state = 'open' AND d.due_at <= ? ORDER BY d.due_at LIMIT ?"
        ))
        .bind(o),
        Scope::County => q(format!(
            "{ITEM_SELECT} WHERE d.state = 'open' AND d.due_at <= ? ORDER BY d.due_at LIMIT ?"
        )),
    };
    let items = app
        .db
        .reader()
        .fetch_all(query.bind(now + within_ms).bind(limit.clamp(1, 500)))
        .await?;
    Ok(finish(app, items, now))
}
