//! The deadline engine's SQL, and only here.

use proofless_domain::deadline::{DeadlineRule, DeadlineState, Period, RuleKey, SubjectType};
use proofless_store::{Exec, Query, q};
use serde::Deserialize;

use super::compute::Recomputed;
use super::records::{Deadline, DueItem, ExtensionRow, RuleVersion, Scope, SuspensionRow};
use crate::error::AppResult;

const SELECT: &str = "SELECT id, subject_type, subject_id, org_id, rule_key, rule_version, start_at, period, \
    statutory_limit, state, due_at, rule_due_at, statutory_due_at, effective_start, calendar_version, \
    calendar_complete, escalated_at, done_at, created_by, created_at, updated_at, version FROM deadlines";

const RULE_COLS: &str = "SELECT rule_key, version, period, max_extension, effective_from, note, created_by, created_at FROM deadline_rules";

const ITEM_SELECT: &str = "SELECT d.id, d.subject_type, d.subject_id, d.org_id, o.name AS org_name, d.rule_key, \
    d.period, d.state, d.due_at, d.escalated_at FROM deadlines d JOIN orgs o ON o.id = d.org_id";

// ---------------------------------------------------------------------------------------
// Rules

/// Writes a rule version unless that version exists (`ON CONFLICT DO NOTHING`).
pub(crate) async fn insert_rule(
    ex: &mut impl Exec,
    r: &DeadlineRule,
    note: &str,
    by: &str,
    now_ms: i64,
) -> AppResult<()> {
    ex.execute(
        q("INSERT INTO deadline_rules (rule_key, version, period, max_extension, effective_from, note, created_by, created_at) \
           VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (rule_key, version) DO NOTHING")
        .bind(&r.key)
        .bind(i64::from(r.version))
        .bind(r.period.to_string())
        .bind(r.max_extension.map(|p| p.to_string()))
        .bind(r.effective_from.to_string())
        .bind(note)
        .bind(by)
        .bind(now_ms),
    )
    .await?;
    Ok(())
}

/// Writes a new rule version (a concurrent writer of the same version fails).
pub(crate) async fn insert_rule_version(
    ex: &mut impl Exec,
    r: &DeadlineRule,
    note: &str,
    by: &str,
    now_ms: i64,
) -> AppResult<()> {
    ex.execute(
        q("INSERT INTO deadline_rules (rule_key, version, period, max_extension, effective_from, note, created_by, created_at) \
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
        .bind(&r.key)
        .bind(i64::from(r.version))
        .bind(r.period.to_string())
        .bind(r.max_extension.map(|p| p.to_string()))
        .bind(r.effective_from.to_string())
        .bind(note)
        .bind(by)
        .bind(now_ms),
    )
    .await?;
    Ok(())
}

pub(crate) async fn all_rules(ex: &mut impl Exec) -> AppResult<Vec<RuleVersion>> {
    Ok(ex
        .fetch_all(q(format!("{RULE_COLS} ORDER BY rule_key, version")))
        .await?)
}

pub(crate) async fn rule_versions(ex: &mut impl Exec, key: &str) -> AppResult<Vec<RuleVersion>> {
    Ok(ex
        .fetch_all(q(format!("{RULE_COLS} WHERE rule_key = ? ORDER BY version")).bind(key))
        .await?)
}

pub(crate) async fn rule_version(
    ex: &mut impl Exec,
    key: &RuleKey,
    version: i64,
) -> AppResult<Option<RuleVersion>> {
    Ok(ex
        .fetch_optional(
            q(format!("{RULE_COLS} WHERE rule_key = ? AND version = ?"))
                .bind(key.as_str())
                .bind(version),
        )
        .await?)
}

// ---------------------------------------------------------------------------------------
// Deadlines

pub(crate) async fn org_exists(ex: &mut impl Exec, org_id: i64) -> AppResult<bool> {
    let row: Option<(i64,)> = ex
        .fetch_optional(q("SELECT id FROM orgs WHERE id = ?").bind(org_id))
        .await?;
    Ok(row.is_some())
}

pub(crate) async fn load(ex: &mut impl Exec, id: i64) -> AppResult<Option<Deadline>> {
    Ok(ex
        .fetch_optional(q(format!("{SELECT} WHERE id = ?")).bind(id))
        .await?)
}

pub(crate) async fn suspensions(ex: &mut impl Exec, id: i64) -> AppResult<Vec<SuspensionRow>> {
    Ok(ex
        .fetch_all(
            q("SELECT id, reason, start_at, end_at, suspended_by, resumed_by FROM deadline_suspensions \
               WHERE deadline_id = ? ORDER BY id")
            .bind(id),
        )
        .await?)
}

pub(crate) async fn extensions(ex: &mut impl Exec, id: i64) -> AppResult<Vec<ExtensionRow>> {
    Ok(ex
        .fetch_all(
            q("SELECT id, period, extended_by, extended_by_id, approved_by, approved_by_id, reason, at \
               FROM deadline_extensions WHERE deadline_id = ? ORDER BY id")
            .bind(id),
        )
        .await?)
}

/// A new deadline with its computed columns; returns its id.
pub(crate) struct NewRow<'a> {
    pub subject_type: SubjectType,
    pub subject_id: &'a str,
    pub org_id: i64,
    pub rule: &'a DeadlineRule,
    pub start_at: i64,
    pub statutory: Option<Period>,
    pub computed: &'a Recomputed,
    pub calendar_version: &'a str,
    pub created_by: &'a str,
    pub now: i64,
}

pub(crate) async fn insert(ex: &mut impl Exec, n: &NewRow<'_>) -> AppResult<i64> {
    let r = n.computed;
    Ok(ex
        .scalar_i64(
            q("INSERT INTO deadlines (subject_type, subject_id, org_id, rule_key, rule_version, start_at, period, \
               statutory_limit, state, due_at, rule_due_at, statutory_due_at, effective_start, calendar_version, \
               calendar_complete, created_by, created_at, updated_at) \
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id")
            .bind(n.subject_type.as_str())
            .bind(n.subject_id)
            .bind(n.org_id)
            .bind(&n.rule.key)
            .bind(i64::from(n.rule.version))
            .bind(n.start_at)
            .bind(n.rule.period.to_string())
            .bind(n.statutory.map(|s| s.to_string()))
            .bind(r.state.as_str())
            .bind(r.due_at)
            .bind(r.rule_due_at)
            .bind(r.statutory_due_at)
            .bind(r.effective_start)
            .bind(n.calendar_version)
            .bind(r.calendar_complete)
            .bind(n.created_by)
            .bind(n.now)
            .bind(n.now),
        )
        .await?)
}

/// Rewrites the cached columns of a deadline.
pub(crate) async fn update_computed(
    ex: &mut impl Exec,
    id: i64,
    r: &Recomputed,
    calendar_version: &str,
    now: i64,
) -> AppResult<()> {
    ex.execute(
        q("UPDATE deadlines SET state = ?, due_at = ?, rule_due_at = ?, statutory_due_at = ?, effective_start = ?, \
           calendar_version = ?, calendar_complete = ?, updated_at = ?, version = version + 1 WHERE id = ?")
        .bind(r.state.as_str())
        .bind(r.due_at)
        .bind(r.rule_due_at)
        .bind(r.statutory_due_at)
        .bind(r.effective_start)
        .bind(calendar_version)
        .bind(r.calendar_complete)
        .bind(now)
        .bind(id),
    )
    .await?;
    Ok(())
}

pub(crate) async fn insert_suspension(
    ex: &mut impl Exec,
    id: i64,
    reason: &str,
    at: i64,
    by: &str,
) -> AppResult<()> {
    ex.execute(
        q("INSERT INTO deadline_suspensions (deadline_id, reason, start_at, suspended_by) VALUES (?, ?, ?, ?)")
            .bind(id)
            .bind(reason)
            .bind(at)
            .bind(by),
    )
    .await?;
    Ok(())
}

pub(crate) async fn end_suspension(
    ex: &mut impl Exec,
    id: i64,
    at: i64,
    by: &str,
) -> AppResult<()> {
    ex.execute(
        q("UPDATE deadline_suspensions SET end_at = ?, resumed_by = ? WHERE deadline_id = ? AND end_at IS NULL")
            .bind(at)
            .bind(by)
            .bind(id),
    )
    .await?;
    Ok(())
}

/// The name of an approving staff member and whether the account is active.
pub(crate) async fn approver(
    ex: &mut impl Exec,
    staff_id: i64,
) -> AppResult<Option<(String, bool)>> {
    Ok(ex
        .fetch_optional(q("SELECT display_name, active FROM staff WHERE id = ?").bind(staff_id))
        .await?)
}

pub(crate) struct NewExtension<'a> {
    pub period: Period,
    pub extended_by: &'a str,
    pub extended_by_id: Option<i64>,
    pub approved_by: &'a str,
    pub approved_by_id: i64,
    pub reason: &'a str,
    pub at: i64,
}

pub(crate) async fn insert_extension(
    ex: &mut impl Exec,
    id: i64,
    e: &NewExtension<'_>,
) -> AppResult<()> {
    ex.execute(
        q("INSERT INTO deadline_extensions (deadline_id, period, extended_by, extended_by_id, approved_by, approved_by_id, reason, at) \
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
        .bind(id)
        .bind(e.period.to_string())
        .bind(e.extended_by)
        .bind(e.extended_by_id)
        .bind(e.approved_by)
        .bind(e.approved_by_id)
        .bind(e.reason)
        .bind(e.at),
    )
    .await?;
    Ok(())
}

pub(crate) async fn mark_done(ex: &mut impl Exec, id: i64, now: i64) -> AppResult<()> {
    ex.execute(
        q("UPDATE deadlines SET state = 'done', done_at = ?, updated_at = ?, version = version + 1 WHERE id = ?")
            .bind(now)
            .bind(now)
            .bind(id),
    )
    .await?;
    Ok(())
}

/// Up to 500 unfinished deadlines computed with another calendar version.
pub(crate) async fn stale_ids(ex: &mut impl Exec, calendar_version: &str) -> AppResult<Vec<i64>> {
    let rows: Vec<(i64,)> = ex
        .fetch_all(
            q(
                "SELECT id FROM deadlines WHERE state IN ('open', 'suspended', 'overdue') \
               AND calendar_version <> ? ORDER BY id LIMIT 500",
            )
            .bind(calendar_version),
        )
        .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

// ---------------------------------------------------------------------------------------
// Lists

fn scoped(scope: Scope, state: DeadlineState, due_before: Option<i64>) -> Query {
    let mut sql = format!("{ITEM_SELECT} WHERE ");
    if matches!(scope, Scope::Org(_)) {
        sql.push_str("d.org_id = ? AND ");
    }
    // The state is one of the enum's words, written into the SQL as before.
    sql.push_str(&format!("d.state = '{}'", state.as_str()));
    if due_before.is_some() {
        sql.push_str(" AND d.due_at <= ?");
    }
    sql.push_str(" ORDER BY d.due_at LIMIT ?");
    let mut query = q(sql);
    if let Scope::Org(o) = scope {
        query = query.bind(o);
    }
    if let Some(t) = due_before {
        query = query.bind(t);
    }
    query
}

/// Overdue items of a scope, most late first.
pub(crate) async fn overdue(
    ex: &mut impl Exec,
    scope: Scope,
    limit: i64,
) -> AppResult<Vec<DueItem>> {
    Ok(ex
        .fetch_all(scoped(scope, DeadlineState::Overdue, None).bind(limit))
        .await?)
}

/// Open items of a scope due by `until`.
pub(crate) async fn open_due_by(
    ex: &mut impl Exec,
    scope: Scope,
    until: i64,
    limit: i64,
) -> AppResult<Vec<DueItem>> {
    Ok(ex
        .fetch_all(scoped(scope, DeadlineState::Open, Some(until)).bind(limit))
        .await?)
}

// ---------------------------------------------------------------------------------------
// The runner's work

/// A deadline found by the due query.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct DueRow {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub subject_type: SubjectType,
    pub subject_id: String,
    pub due_at: Option<i64>,
    pub calendar_version: String,
}

/// Claims up to `BATCH` deadlines in `state` due at `now` (see `jobs::due_query_in`).
pub(crate) async fn claim_due(
    ex: &mut impl Exec,
    state: DeadlineState,
    now: i64,
) -> AppResult<Vec<DueRow>> {
    Ok(ex
        .fetch_all(
            crate::jobs::due_query_in(state)
                .bind(now)
                .bind(crate::jobs::BATCH),
        )
        .await?)
}

/// Turns the given deadlines overdue unless something else changed them; returns the ids
/// changed.
pub(crate) async fn mark_overdue(ex: &mut impl Exec, ids: &[i64], now: i64) -> AppResult<Vec<i64>> {
    let mut sql = String::from(
        "UPDATE deadlines SET state = 'overdue', escalated_at = ?, updated_at = ?, version = version + 1 \
         WHERE state IN ('open', 'suspended') AND id IN (",
    );
    sql.push_str(&vec!["?"; ids.len()].join(", "));
    sql.push_str(") RETURNING id");
    let mut query = q(sql).bind(now).bind(now);
    for id in ids {
        query = query.bind(*id);
    }
    let rows: Vec<(i64,)> = ex.fetch_all(query).await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// What a reminder says about its deadline.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct ReminderRow {
    pub state: DeadlineState,
    pub due_at: Option<i64>,
    pub org_id: i64,
    pub org_name: String,
    pub subject_type: SubjectType,
    pub subject_id: String,
}

pub(crate) async fn reminder_row(ex: &mut impl Exec, id: i64) -> AppResult<Option<ReminderRow>> {
    Ok(ex
        .fetch_optional(
            q("SELECT d.state, d.due_at, d.org_id, o.name AS org_name, d.subject_type, d.subject_id \
               FROM deadlines d JOIN orgs o ON o.id = d.org_id WHERE d.id = ?")
            .bind(id),
        )
        .await?)
}
