//! The SQL of supervision: the figure counters and their cursor, draws, inspections and
//! findings.

use std::collections::HashMap;

use proofless_store::{Exec, Query, q};
use serde::{Deserialize, Serialize};

use crate::error::AppResult;
use crate::public_ids::new_public_id;

// --- figures ------------------------------------------------------------------------------

/// The counters of `supervision_figures`, in this order.
pub(crate) const COUNTERS: [&str; 21] = [
    "answered_on_time",
    "answered_late",
    "returned_on_time",
    "returned_late",
    "n_30m",
    "ms_30m",
    "n_1wd",
    "ms_1wd",
    "n_2wd",
    "ms_2wd",
    "n_other",
    "ms_other",
    "adjustments_on_time",
    "adjustments_late",
    "checks_on_time",
    "checks_late",
    "measures",
    "measures_exempted",
    "measures_revoked",
    // Unused slots keep the array's shape stable for the accumulator.
    "",
    "",
];

/// Index of a counter in [`COUNTERS`].
#[derive(Debug, Clone, Copy)]
pub(crate) enum C {
    AnsweredOnTime = 0,
    AnsweredLate,
    ReturnedOnTime,
    ReturnedLate,
    N30m,
    Ms30m,
    N1wd,
    Ms1wd,
    N2wd,
    Ms2wd,
    NOther,
    MsOther,
    AdjOnTime,
    AdjLate,
    ChecksOnTime,
    ChecksLate,
    Measures,
    Exempted,
    Revoked,
}

/// Increments per (unit, month), written once per batch.
#[derive(Debug, Default)]
pub(crate) struct Acc(pub HashMap<(i64, String), [i64; 21]>);

impl Acc {
    pub fn add(&mut self, org: i64, month: &str, c: C, n: i64) {
        self.0.entry((org, month.to_owned())).or_insert([0; 21])[c as usize] += n;
    }
}

/// The upsert adding increments to one row of `table`, keyed by `(org_id, period)` (the
/// monthly `supervision_figures` or the yearly `supervision_year`).
fn upsert_sql(table: &str, period: &str, names: &[&str]) -> String {
    let sets: Vec<String> = names
        .iter()
        .map(|c| format!("{c} = {table}.{c} + excluded.{c}"))
        .collect();
    format!(
        "INSERT INTO {table} (org_id, {period}, {}) VALUES (?, ?, {}) \
         ON CONFLICT (org_id, {period}) DO UPDATE SET {}",
        names.join(", "),
        vec!["?"; names.len()].join(", "),
        sets.join(", ")
    )
}

/// Adds the batch's increments: one upsert per unit and month, and per unit and year.
pub(crate) async fn bump_all(ex: &mut impl Exec, acc: &Acc) -> AppResult<()> {
    let names: Vec<&str> = COUNTERS.iter().copied().filter(|c| !c.is_empty()).collect();
    let mut years: HashMap<(i64, String), [i64; 21]> = HashMap::new();
    for ((org, month), v) in &acc.0 {
        let y = years
            .entry((*org, month.get(..4).unwrap_or(month).to_owned()))
            .or_insert([0; 21]);
        for (t, x) in y.iter_mut().zip(v) {
            *t += x;
        }
    }
    for (table, period, rows) in [
        ("supervision_figures", "month", &acc.0),
        ("supervision_year", "year", &years),
    ] {
        let sql = upsert_sql(table, period, &names);
        // In key order, so concurrent batches take row locks in the same order.
        let mut keys: Vec<_> = rows.keys().collect();
        keys.sort();
        for k in keys {
            let mut query = q(sql.clone()).bind(k.0).bind(k.1.as_str());
            for x in rows[k].iter().take(names.len()) {
                query = query.bind(*x);
            }
            ex.execute(query).await?;
        }
    }
    Ok(())
}

/// Rebuilds `supervision_year` from `supervision_figures` (after a rebuild or a bulk load).
pub(crate) async fn rebuild_years(ex: &mut impl Exec) -> AppResult<()> {
    let names: Vec<&str> = COUNTERS.iter().copied().filter(|c| !c.is_empty()).collect();
    let sums: Vec<String> = names.iter().map(|c| format!("SUM({c})")).collect();
    ex.execute(q("DELETE FROM supervision_year")).await?;
    ex.execute(q(format!(
        "INSERT INTO supervision_year (org_id, year, {}) SELECT org_id, SUBSTR(month, 1, 4), {} \
         FROM supervision_figures GROUP BY org_id, SUBSTR(month, 1, 4)",
        names.join(", "),
        sums.join(", ")
    )))
    .await?;
    Ok(())
}

/// A whole calendar year (`YYYY-01` to `YYYY-12`): its year, read from the yearly rows.
fn whole_year<'a>(from: &'a str, to: &str) -> Option<&'a str> {
    let y = from.get(..4)?;
    (from.len() == 7 && from.ends_with("-01") && to == format!("{y}-12")).then_some(y)
}

/// (cursor, audit head): whether acts wait to be counted.
pub(crate) async fn progress(ex: &mut impl Exec) -> AppResult<(i64, i64)> {
    let row: (i64, i64) = ex
        .fetch_one(q(
            "SELECT c.last_seq, h.seq FROM supervision_cursor c, audit_head h \
             WHERE c.name = 'audit' AND h.id = 1",
        ))
        .await?;
    Ok(row)
}

/// Takes the cursor (the update locks the row until commit) and returns where it stands.
pub(crate) async fn take_cursor(ex: &mut impl Exec, now: i64) -> AppResult<i64> {
    ex.execute(q("UPDATE supervision_cursor SET touched_at = ? WHERE name = 'audit'").bind(now))
        .await?;
    Ok(ex
        .scalar_i64(q(
            "SELECT last_seq FROM supervision_cursor WHERE name = 'audit'",
        ))
        .await?)
}

pub(crate) async fn audit_head(ex: &mut impl Exec) -> AppResult<i64> {
    Ok(ex
        .scalar_i64(q("SELECT seq FROM audit_head WHERE id = 1"))
        .await?)
}

pub(crate) async fn move_cursor(ex: &mut impl Exec, seq: i64) -> AppResult<()> {
    ex.execute(q("UPDATE supervision_cursor SET last_seq = ? WHERE name = 'audit'").bind(seq))
        .await?;
    Ok(())
}

/// The acts the figures count.
pub(crate) const ACTIONS: [&str; 8] = [
    "verification.answer",
    "verification.return",
    "adjustment.file",
    "commitment.check",
    "deadline.escalate",
    "accountability.decide",
    "accountability.exemption_decide",
    "accountability.appeal_decide",
];

#[derive(Debug, Deserialize)]
pub(crate) struct Event {
    pub at: i64,
    pub action: String,
    pub object_id: String,
    pub detail: String,
}

/// The counted acts in `(after, upto]`, in commit order.
pub(crate) async fn events(ex: &mut impl Exec, after: i64, upto: i64) -> AppResult<Vec<Event>> {
    let mut query = Query::new(format!(
        "SELECT at, action, object_id, detail FROM audit_log \
         WHERE seq > ? AND seq <= ? AND action IN ({}) ORDER BY seq",
        Query::placeholders(ACTIONS.len())
    ));
    query.push_arg(after);
    query.push_arg(upto);
    for a in ACTIONS {
        query.push_arg(a);
    }
    Ok(ex.fetch_all(query).await?)
}

#[derive(Debug, Deserialize)]
pub(crate) struct VerificationFact {
    pub issuer_org_id: i64,
    pub sent_at: i64,
    pub deadline_period: String,
}

pub(crate) async fn verification(
    ex: &mut impl Exec,
    id: i64,
) -> AppResult<Option<VerificationFact>> {
    Ok(ex
        .fetch_optional(
            q("SELECT issuer_org_id, sent_at, deadline_period FROM verifications WHERE id = ?")
                .bind(id),
        )
        .await?)
}

pub(crate) async fn adjustment_org(ex: &mut impl Exec, id: i64) -> AppResult<Option<i64>> {
    let r: Option<(i64,)> = ex
        .fetch_optional(q("SELECT org_id FROM adjustments WHERE id = ?").bind(id))
        .await?;
    Ok(r.map(|r| r.0))
}

/// A commitment's supervising unit and its check's due instant.
pub(crate) async fn check_fact(
    ex: &mut impl Exec,
    id: i64,
) -> AppResult<Option<(i64, Option<i64>)>> {
    Ok(ex
        .fetch_optional(
            q("SELECT c.supervising_org_id, d.due_at FROM commitments c \
               LEFT JOIN deadlines d ON d.id = c.deadline_id WHERE c.id = ?")
            .bind(id),
        )
        .await?)
}

#[derive(Debug, Deserialize)]
pub(crate) struct DeadlineFact {
    pub subject_type: String,
    pub subject_id: String,
    pub org_id: i64,
    pub due_at: Option<i64>,
}

pub(crate) async fn deadline(ex: &mut impl Exec, id: i64) -> AppResult<Option<DeadlineFact>> {
    Ok(ex
        .fetch_optional(
            q("SELECT subject_type, subject_id, org_id, due_at FROM deadlines WHERE id = ?")
                .bind(id),
        )
        .await?)
}

/// Whether the commitment still waits for its check (signed, no result).
pub(crate) async fn commitment_unchecked(ex: &mut impl Exec, id: i64) -> AppResult<bool> {
    let r: Option<(String,)> = ex
        .fetch_optional(
            q("SELECT state FROM commitments WHERE id = ? AND checked_at IS NULL").bind(id),
        )
        .await?;
    Ok(r.is_some_and(|r| r.0 == "signed"))
}

/// The accountability case's unit and the instant its measure was decided (from the audit
/// log, which keeps it even after a revocation overwrote the case's own column).
pub(crate) async fn measure_of(ex: &mut impl Exec, case_id: &str) -> AppResult<Option<(i64, i64)>> {
    Ok(ex
        .fetch_optional(
            q("SELECT c.org_id, a.at FROM audit_log a \
               JOIN accountability_cases c ON c.id = ? \
               WHERE a.object_type = 'accountability_case' AND a.object_id = ? \
               AND a.action = 'accountability.decide' ORDER BY a.seq LIMIT 1")
            .bind(case_id.parse::<i64>().unwrap_or(0))
            .bind(case_id),
        )
        .await?)
}

/// When the case's exemption was approved, if it was.
pub(crate) async fn exempted_at(ex: &mut impl Exec, case_id: i64) -> AppResult<Option<i64>> {
    let r: Option<(Option<i64>,)> = ex
        .fetch_optional(
            q("SELECT MIN(decided_at) FROM accountability_exemptions \
               WHERE case_id = ? AND state = 'approved'")
            .bind(case_id),
        )
        .await?;
    Ok(r.and_then(|r| r.0))
}

/// When the case's measure was revoked on appeal, if it was.
pub(crate) async fn revoked_at(ex: &mut impl Exec, case_id: i64) -> AppResult<Option<i64>> {
    let r: Option<(Option<i64>,)> = ex
        .fetch_optional(
            q("SELECT MIN(decided_at) FROM accountability_appeals \
               WHERE case_id = ? AND state = 'revoked'")
            .bind(case_id),
        )
        .await?;
    Ok(r.and_then(|r| r.0))
}

/// The sums of a span of months, per unit (or one unit).
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct Sums {
    pub key: String,
    pub answered_on_time: i64,
    pub answered_late: i64,
    pub returned_on_time: i64,
    pub returned_late: i64,
    pub n_30m: i64,
    pub ms_30m: i64,
    pub n_1wd: i64,
    pub ms_1wd: i64,
    pub n_2wd: i64,
    pub ms_2wd: i64,
    pub n_other: i64,
    pub ms_other: i64,
    pub adjustments_on_time: i64,
    pub adjustments_late: i64,
    pub checks_on_time: i64,
    pub checks_late: i64,
    pub measures: i64,
    pub measures_exempted: i64,
    pub measures_revoked: i64,
}

/// Sums of `supervision_figures` over `from..=to` months grouped by `org_id` (as text) or
/// by `month`.
pub(crate) async fn sums(
    ex: &mut impl Exec,
    from: &str,
    to: &str,
    org: Option<i64>,
    by_month: bool,
) -> AppResult<Vec<Sums>> {
    let names: Vec<String> = COUNTERS
        .iter()
        .filter(|c| !c.is_empty())
        .map(|c| format!("CAST(COALESCE(SUM({c}), 0) AS BIGINT) AS {c}"))
        .collect();
    let key = if by_month {
        "month"
    } else {
        "CAST(org_id AS TEXT)"
    };
    let group = if by_month { "month" } else { "org_id" };
    let mut query = match whole_year(from, to).filter(|_| !by_month) {
        Some(year) => {
            let mut query = Query::new(format!(
                "SELECT {key} AS key, {} FROM supervision_year WHERE year = ?",
                names.join(", ")
            ));
            query.push_arg(year.to_owned());
            query
        }
        None => {
            let mut query = Query::new(format!(
                "SELECT {key} AS key, {} FROM supervision_figures WHERE month >= ? AND month <= ?",
                names.join(", ")
            ));
            query.push_arg(from);
            query.push_arg(to);
            query
        }
    };
    if let Some(o) = org {
        query.push_sql(" AND org_id = ?");
        query.push_arg(o);
    }
    query.push_sql(&format!(" GROUP BY {group} ORDER BY {group}"));
    Ok(ex.fetch_all(query).await?)
}

/// Complaints received and upheld against each unit (or per month), from the complaints
/// workflow's own aggregates.
pub(crate) async fn complaint_sums(
    ex: &mut impl Exec,
    from: &str,
    to: &str,
    org: Option<i64>,
    by_month: bool,
) -> AppResult<Vec<(String, i64, i64)>> {
    // The complaints workflow's per-unit rollup: one row per unit for a whole year.
    let key = if by_month { "month" } else { "key" };
    let (dim, from, to) = match whole_year(from, to).filter(|_| !by_month) {
        Some(y) => ("year:agency_org_id", y, y),
        None => ("agency_org_id", from, to),
    };
    let mut query = Query::new(format!(
        "SELECT {key} AS key, CAST(COALESCE(SUM(received), 0) AS BIGINT), CAST(COALESCE(SUM(upheld), 0) AS BIGINT) \
         FROM complaint_rollup WHERE dim = ? AND month >= ? AND month <= ?"
    ));
    query.push_arg(dim);
    query.push_arg(from);
    query.push_arg(to);
    if let Some(o) = org {
        query.push_sql(" AND key = ?");
        query.push_arg(o.to_string());
    }
    query.push_sql(&format!(" GROUP BY {key}"));
    Ok(ex.fetch_all(query).await?)
}

pub(crate) async fn org_names(ex: &mut impl Exec) -> AppResult<HashMap<i64, String>> {
    let rows: Vec<(i64, String)> = ex.fetch_all(q("SELECT id, name FROM orgs")).await?;
    Ok(rows.into_iter().collect())
}

/// Rebuilds the counters from the rows themselves: verifications answered or returned, and
/// the measures of decided accountability cases (exempted ones apart). For `proofless gen`,
/// which writes those rows in bulk without acts in the audit log; the other counters
/// (adjustments, checks, revocations) start empty. The cursor moves to the audit head so
/// nothing is counted twice.
pub(crate) async fn rebuild_from_rows(ex: &mut impl Exec) -> AppResult<u64> {
    let offset = 8 * 3_600_000;
    let month = ex.dialect().month_of_millis("answered_at", offset);
    ex.execute(q("DELETE FROM supervision_figures")).await?;
    let cls = |p: &str, what: &str| {
        format!("SUM(CASE WHEN deadline_period = '{p}' THEN {what} ELSE 0 END)")
    };
    let other = "deadline_period NOT IN ('30m', '1wd', '2wd')";
    let sql = format!(
        "INSERT INTO supervision_figures (org_id, month, answered_on_time, answered_late, \
         returned_on_time, returned_late, n_30m, ms_30m, n_1wd, ms_1wd, n_2wd, ms_2wd, \
         n_other, ms_other) \
         SELECT issuer_org_id, {month}, \
         SUM(CASE WHEN state = 'answered' AND NOT answered_late THEN 1 ELSE 0 END), \
         SUM(CASE WHEN state = 'answered' AND answered_late THEN 1 ELSE 0 END), \
         SUM(CASE WHEN state = 'returned' AND NOT returned_late THEN 1 ELSE 0 END), \
         SUM(CASE WHEN state = 'returned' AND returned_late THEN 1 ELSE 0 END), \
         {}, {}, {}, {}, {}, {}, \
         SUM(CASE WHEN {other} THEN 1 ELSE 0 END), \
         SUM(CASE WHEN {other} THEN answered_at - sent_at ELSE 0 END) \
         FROM verifications WHERE answered_at IS NOT NULL AND state IN ('answered', 'returned') \
         GROUP BY issuer_org_id, {month}",
        cls("30m", "1"),
        cls("30m", "answered_at - sent_at"),
        cls("1wd", "1"),
        cls("1wd", "answered_at - sent_at"),
        cls("2wd", "1"),
        cls("2wd", "answered_at - sent_at"),
    );
    let mut n = ex.execute(q(sql)).await?;
    let month = ex.dialect().month_of_millis("decided_at", offset);
    n += ex
        .execute(q(format!(
            "INSERT INTO supervision_figures (org_id, month, measures, measures_exempted) \
             SELECT org_id, {month}, COUNT(*), SUM(CASE WHEN exempted THEN 1 ELSE 0 END) \
             FROM accountability_cases WHERE state = 'decided' AND measure IS NOT NULL \
             AND decided_at IS NOT NULL GROUP BY org_id, {month} \
             ON CONFLICT (org_id, month) DO UPDATE SET measures = excluded.measures, \
             measures_exempted = excluded.measures_exempted"
        )))
        .await?;
    ex.execute(q(
        "UPDATE supervision_cursor SET last_seq = (SELECT seq FROM audit_head WHERE id = 1) \
         WHERE name = 'audit'",
    ))
    .await?;
    rebuild_years(ex).await?;
    Ok(n)
}

// --- draws and inspections ------------------------------------------------------------------

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[schema(as = supervision_Draw)]
pub struct Draw {
    #[serde(skip_serializing)]
    pub id: i64,
    /// The public id (the API's `id`).
    #[serde(rename(serialize = "id"))]
    #[schema(rename = "id")]
    pub public_id: String,
    pub title: String,
    /// `SM3-CTR-FY-1` (see the draw page).
    pub algorithm: String,
    pub seed: String,
    /// JSON array of unit ids.
    pub unit_pool: String,
    /// JSON array of `[staff id, unit id]` pairs.
    pub inspector_pool: String,
    /// JSON array of `[unit id, [staff ids]]`, in drawing order.
    pub units_drawn: String,
    pub inspectors_per_unit: i64,
    pub created_by: String,
    pub created_at: i64,
}

pub(crate) async fn insert_draw(ex: &mut impl Exec, d: &Draw) -> AppResult<i64> {
    Ok(ex
        .scalar_i64(
            q(
                "INSERT INTO supervision_draws (public_id, title, algorithm, seed, unit_pool, inspector_pool, \
               units_drawn, inspectors_per_unit, created_by, created_at) \
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            )
            .bind(d.public_id.as_str())
            .bind(d.title.as_str())
            .bind(d.algorithm.as_str())
            .bind(d.seed.as_str())
            .bind(d.unit_pool.as_str())
            .bind(d.inspector_pool.as_str())
            .bind(d.units_drawn.as_str())
            .bind(d.inspectors_per_unit)
            .bind(d.created_by.as_str())
            .bind(d.created_at),
        )
        .await?)
}

const DRAW_COLS: &str = "SELECT id, public_id, title, algorithm, seed, unit_pool, inspector_pool, \
    units_drawn, inspectors_per_unit, created_by, created_at FROM supervision_draws";

pub(crate) async fn draw(ex: &mut impl Exec, id: i64) -> AppResult<Option<Draw>> {
    Ok(ex
        .fetch_optional(q(format!("{DRAW_COLS} WHERE id = ?")).bind(id))
        .await?)
}

pub(crate) async fn draws(ex: &mut impl Exec) -> AppResult<Vec<Draw>> {
    Ok(ex
        .fetch_all(q(format!("{DRAW_COLS} ORDER BY id DESC LIMIT 100")))
        .await?)
}

/// Every unit's id, ascending.
pub(crate) async fn all_units(ex: &mut impl Exec) -> AppResult<Vec<i64>> {
    let rows: Vec<(i64,)> = ex.fetch_all(q("SELECT id FROM orgs ORDER BY id")).await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// Units among `ids` that exist.
pub(crate) async fn existing_orgs(ex: &mut impl Exec, ids: &[i64]) -> AppResult<Vec<i64>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let mut query = Query::new(format!(
        "SELECT id FROM orgs WHERE id IN ({}) ORDER BY id",
        Query::placeholders(ids.len())
    ));
    for i in ids {
        query.push_arg(*i);
    }
    let rows: Vec<(i64,)> = ex.fetch_all(query).await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// Active staff with the inspector role, as (staff id, unit id).
pub(crate) async fn inspectors(ex: &mut impl Exec, ids: &[i64]) -> AppResult<Vec<(i64, i64)>> {
    let mut query = Query::new(
        "SELECT s.id, s.org_id FROM staff s WHERE s.active = ? AND EXISTS \
         (SELECT 1 FROM staff_roles r WHERE r.staff_id = s.id AND r.role = 'inspector')",
    );
    query.push_arg(true);
    if !ids.is_empty() {
        query.push_sql(&format!(
            " AND s.id IN ({})",
            Query::placeholders(ids.len())
        ));
        for i in ids {
            query.push_arg(*i);
        }
    }
    query.push_sql(" ORDER BY s.id");
    Ok(ex.fetch_all(query).await?)
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[schema(as = supervision_Inspection)]
pub struct Inspection {
    #[serde(skip_serializing)]
    pub id: i64,
    /// The public id (the API's `id`).
    #[serde(rename(serialize = "id"))]
    #[schema(rename = "id")]
    pub public_id: String,
    /// `random` (双随机), `scheduled` (定期检查) or `special` (专项督查).
    pub kind: String,
    #[serde(skip_serializing)]
    pub draw_id: Option<i64>,
    /// The draw's public id (a random check).
    #[serde(rename(serialize = "draw_id"))]
    #[schema(rename = "draw_id")]
    pub draw_public_id: Option<String>,
    pub org_id: i64,
    pub org_name: String,
    pub title: String,
    /// JSON array of staff ids.
    pub inspectors: String,
    /// `open` or `closed`.
    pub state: String,
    pub planned_on: String,
    pub created_by: String,
    pub created_at: i64,
    pub closed_at: Option<i64>,
}

pub(crate) struct NewInspection<'a> {
    pub kind: &'a str,
    pub draw_id: Option<i64>,
    pub org_id: i64,
    pub title: &'a str,
    pub inspectors: &'a str,
    pub planned_on: &'a str,
    pub by: &'a str,
}

pub(crate) async fn insert_inspection(
    ex: &mut impl Exec,
    i: &NewInspection<'_>,
    now: i64,
) -> AppResult<i64> {
    Ok(ex
        .scalar_i64(
            q(
                "INSERT INTO supervision_inspections (public_id, kind, draw_id, org_id, title, inspectors, \
               state, planned_on, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, 'open', ?, ?, ?) \
               RETURNING id",
            )
            .bind(new_public_id())
            .bind(i.kind)
            .bind(i.draw_id)
            .bind(i.org_id)
            .bind(i.title)
            .bind(i.inspectors)
            .bind(i.planned_on)
            .bind(i.by)
            .bind(now),
        )
        .await?)
}

const INSPECTION_COLS: &str = "SELECT i.id, i.public_id, i.kind, i.draw_id, \
    dr.public_id AS draw_public_id, i.org_id, o.name AS org_name, \
    i.title, i.inspectors, i.state, i.planned_on, i.created_by, i.created_at, i.closed_at \
    FROM supervision_inspections i JOIN orgs o ON o.id = i.org_id \
    LEFT JOIN supervision_draws dr ON dr.id = i.draw_id";

pub(crate) async fn inspection(ex: &mut impl Exec, id: i64) -> AppResult<Option<Inspection>> {
    Ok(ex
        .fetch_optional(q(format!("{INSPECTION_COLS} WHERE i.id = ?")).bind(id))
        .await?)
}

pub(crate) async fn inspections(
    ex: &mut impl Exec,
    org: Option<i64>,
    draw: Option<i64>,
) -> AppResult<Vec<Inspection>> {
    let mut query = Query::new(format!("{INSPECTION_COLS} WHERE 1 = 1"));
    if let Some(o) = org {
        query.push_sql(" AND i.org_id = ?");
        query.push_arg(o);
    }
    if let Some(d) = draw {
        query.push_sql(" AND i.draw_id = ?");
        query.push_arg(d);
    }
    query.push_sql(" ORDER BY i.id DESC LIMIT 200");
    Ok(ex.fetch_all(query).await?)
}

pub(crate) async fn close_inspection(ex: &mut impl Exec, id: i64, now: i64) -> AppResult<u64> {
    Ok(ex
        .execute(
            q(
                "UPDATE supervision_inspections SET state = 'closed', closed_at = ? \
               WHERE id = ? AND state = 'open'",
            )
            .bind(now)
            .bind(id),
        )
        .await?)
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[schema(as = supervision_Finding)]
pub struct Finding {
    #[serde(skip_serializing)]
    pub id: i64,
    /// The public id (the API's `id`).
    #[serde(rename(serialize = "id"))]
    #[schema(rename = "id")]
    pub public_id: String,
    #[serde(skip_serializing)]
    pub inspection_id: i64,
    pub text: String,
    pub deadline_id: i64,
    /// The follow-up deadline (engine).
    pub due_at: i64,
    /// `open` or `done`.
    pub state: String,
    pub done_note: Option<String>,
    pub done_at: Option<i64>,
    pub created_by: String,
    pub created_at: i64,
}

#[allow(clippy::too_many_arguments)]
pub(crate) async fn insert_finding(
    ex: &mut impl Exec,
    inspection_id: i64,
    text: &str,
    deadline_id: i64,
    due_at: i64,
    by: &str,
    now: i64,
) -> AppResult<i64> {
    Ok(ex
        .scalar_i64(
            q("INSERT INTO supervision_findings (public_id, inspection_id, text, deadline_id, due_at, state, \
               created_by, created_at) VALUES (?, ?, ?, ?, ?, 'open', ?, ?) RETURNING id")
            .bind(new_public_id())
            .bind(inspection_id)
            .bind(text)
            .bind(deadline_id)
            .bind(due_at)
            .bind(by)
            .bind(now),
        )
        .await?)
}

const FINDING_COLS: &str = "SELECT id, public_id, inspection_id, text, deadline_id, due_at, state, \
    done_note, done_at, created_by, created_at FROM supervision_findings";

pub(crate) async fn findings(ex: &mut impl Exec, inspection_id: i64) -> AppResult<Vec<Finding>> {
    Ok(ex
        .fetch_all(
            q(format!(
                "{FINDING_COLS} WHERE inspection_id = ? ORDER BY id"
            ))
            .bind(inspection_id),
        )
        .await?)
}

pub(crate) async fn finding(ex: &mut impl Exec, id: i64) -> AppResult<Option<Finding>> {
    Ok(ex
        .fetch_optional(q(format!("{FINDING_COLS} WHERE id = ?")).bind(id))
        .await?)
}

pub(crate) async fn finding_done(
    ex: &mut impl Exec,
    id: i64,
    note: &str,
    now: i64,
) -> AppResult<u64> {
    Ok(ex
        .execute(
            q(
                "UPDATE supervision_findings SET state = 'done', done_note = ?, done_at = ? \
               WHERE id = ? AND state = 'open'",
            )
            .bind(note)
            .bind(now)
            .bind(id),
        )
        .await?)
}

pub(crate) async fn set_finding_deadline(
    ex: &mut impl Exec,
    id: i64,
    deadline_id: i64,
    due_at: i64,
) -> AppResult<()> {
    ex.execute(
        q("UPDATE supervision_findings SET deadline_id = ?, due_at = ? WHERE id = ?")
            .bind(deadline_id)
            .bind(due_at)
            .bind(id),
    )
    .await?;
    Ok(())
}

/// Staff names in the order of `ids`.
pub(crate) async fn staff_names(ex: &mut impl Exec, ids: &[i64]) -> AppResult<Vec<String>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let mut query = Query::new(format!(
        "SELECT id, display_name FROM staff WHERE id IN ({})",
        Query::placeholders(ids.len())
    ));
    for i in ids {
        query.push_arg(*i);
    }
    let rows: Vec<(i64, String)> = ex.fetch_all(query).await?;
    let m: HashMap<i64, String> = rows.into_iter().collect();
    Ok(ids
        .iter()
        .map(|i| m.get(i).cloned().unwrap_or_else(|| format!("人员 {i}")))
        .collect())
}
