//! The SQL of the complaint workflow.

use proofless_domain::complaint::{
    Channel, ComplaintState, ExtensionState, Form, Ground, Receiver, RejectGround, Satisfaction,
    TerminateGround,
};
use proofless_store::{Exec, Query, q};
use serde::{Deserialize, Serialize};

use crate::error::AppResult;

/// A complaint as registered (A4 §7) and handled. The complainant's name and phone are
/// filled by the reading use case: in clear for those who may see them, masked otherwise.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct Complaint {
    pub id: i64,
    pub receipt_no: Option<String>,
    pub receiver: Receiver,
    pub receiver_org_id: i64,
    pub receiver_org_name: String,
    pub channel: Channel,
    pub form: Form,
    pub anonymous: bool,
    #[serde(skip_serializing)]
    pub name_enc: Option<String>,
    #[serde(skip_serializing)]
    pub name_masked: String,
    #[serde(skip_serializing)]
    pub phone_enc: Option<String>,
    #[serde(skip_serializing)]
    pub phone_index: Option<String>,
    #[serde(skip_serializing)]
    pub portal_person_id: Option<i64>,
    /// The complainant's name: in clear only where handling needs it, masked otherwise.
    #[serde(default)]
    pub complainant_name: String,
    /// The phone: in clear only where handling needs it, masked otherwise.
    #[serde(default)]
    pub complainant_phone: String,
    /// Whether the complainant's identity is shown to this reader in clear.
    #[serde(default)]
    pub identity_shown: bool,
    pub agent_name: Option<String>,
    pub agent_authorisation: Option<String>,
    pub agency_org_id: i64,
    pub agency_org_name: String,
    pub ground: Ground,
    pub request: String,
    pub reasons: String,
    pub proof_item_id: Option<i64>,
    pub proof_item_name: Option<String>,
    pub service_item_id: Option<i64>,
    pub work_order_no: Option<String>,
    pub state: ComplaintState,
    pub received_at: i64,
    pub registered_by: String,
    pub accept_deadline_id: Option<i64>,
    pub handle_deadline_id: Option<i64>,
    pub accepted_at: Option<i64>,
    pub handling_org_id: Option<i64>,
    pub handling_org_name: Option<String>,
    pub identity_needed: bool,
    pub reject_ground: Option<RejectGround>,
    pub reject_note: Option<String>,
    pub linked_to: Option<i64>,
    pub terminate_ground: Option<TerminateGround>,
    pub terminate_note: Option<String>,
    pub facts: Option<String>,
    pub upheld: Option<bool>,
    pub measures: Option<String>,
    pub answered_at: Option<i64>,
    pub on_time: Option<bool>,
    /// The sealed result notice (`/sealed/{id}`).
    pub notice_id: Option<String>,
    pub satisfaction: Option<Satisfaction>,
    pub satisfaction_at: Option<i64>,
    pub reopened: bool,
    pub updated_at: i64,
    /// Extension requests, oldest first (filled when one complaint is read).
    #[serde(default)]
    pub extensions: Vec<ExtensionRow>,
    /// Likely duplicates received earlier by other receivers (A4 §9), for a complaint
    /// awaiting acceptance.
    #[serde(default)]
    pub duplicates: Vec<Duplicate>,
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[schema(as = ComplaintExtensionRow)]
pub struct ExtensionRow {
    pub id: i64,
    pub complaint_id: i64,
    pub period: String,
    pub reason: String,
    pub state: ExtensionState,
    pub requested_by: String,
    pub requested_at: i64,
    pub decided_by: Option<String>,
    pub decided_at: Option<i64>,
}

/// A complaint received earlier that looks like this one (A4 §9).
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct Duplicate {
    pub id: i64,
    pub receipt_no: Option<String>,
    pub receiver: Receiver,
    pub state: ComplaintState,
    pub received_at: i64,
    /// 0–100.
    #[serde(default)]
    pub similarity: i64,
    #[serde(default)]
    pub same_phone: bool,
    #[serde(skip_serializing)]
    pub phone_index: Option<String>,
    #[serde(skip_serializing)]
    pub request: String,
    #[serde(skip_serializing)]
    pub reasons: String,
}

/// One line of the figures (A4 §12–§13).
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[schema(as = ComplaintFigureRow)]
pub struct FigureRow {
    /// The group's key (a month, a receiver, a channel…).
    pub key: String,
    /// The group's name in Chinese.
    #[serde(default)]
    pub label: String,
    pub received: i64,
    pub accepted: i64,
    pub answered: i64,
    pub on_time: i64,
    pub upheld: i64,
    pub satisfied: i64,
    pub unsatisfied: i64,
}

fn append(a: &mut Query, b: Query) {
    a.sql.push_str(&b.sql);
    a.args.extend(b.args);
}

const COLS: &str = "SELECT c.id, c.receipt_no, c.receiver, c.receiver_org_id, ro.name AS receiver_org_name, \
    c.channel, c.form, c.anonymous, c.name_enc, c.name_masked, c.phone_enc, c.phone_index, \
    c.portal_person_id, c.agent_name, c.agent_authorisation, c.agency_org_id, \
    ao.name AS agency_org_name, c.ground, c.request, c.reasons, c.proof_item_id, \
    pi.name AS proof_item_name, c.service_item_id, c.work_order_no, c.state, c.received_at, \
    c.registered_by, c.accept_deadline_id, c.handle_deadline_id, c.accepted_at, \
    c.handling_org_id, ho.name AS handling_org_name, c.identity_needed, c.reject_ground, \
    c.reject_note, c.linked_to, c.terminate_ground, c.terminate_note, c.facts, c.upheld, \
    c.measures, c.answered_at, c.on_time, c.notice_id, c.satisfaction, c.satisfaction_at, \
    c.reopened, c.updated_at \
    FROM complaints c JOIN orgs ro ON ro.id = c.receiver_org_id \
    JOIN orgs ao ON ao.id = c.agency_org_id \
    LEFT JOIN orgs ho ON ho.id = c.handling_org_id \
    LEFT JOIN proof_items pi ON pi.id = c.proof_item_id";

/// What registration writes.
pub(crate) struct Insert<'a> {
    pub receiver: Receiver,
    pub receiver_org_id: i64,
    pub channel: Channel,
    pub form: Form,
    pub anonymous: bool,
    pub name_enc: Option<&'a str>,
    pub name_masked: &'a str,
    pub phone_enc: Option<&'a str>,
    /// The data key version of the two above (rotated with the data key).
    pub contact_key_version: i64,
    pub phone_index: Option<&'a str>,
    pub agent_name: Option<&'a str>,
    pub agent_authorisation: Option<&'a str>,
    pub portal_person_id: Option<i64>,
    pub agency_org_id: i64,
    pub ground: Ground,
    pub request: &'a str,
    pub reasons: &'a str,
    pub proof_item_id: Option<i64>,
    pub service_item_id: Option<i64>,
    pub work_order_no: Option<&'a str>,
    pub received_at: i64,
    pub registered_by: &'a str,
}

pub(crate) async fn insert(ex: &mut impl Exec, c: &Insert<'_>) -> AppResult<i64> {
    Ok(ex
        .scalar_i64(
            q("INSERT INTO complaints (receiver, receiver_org_id, channel, form, anonymous, \
               name_enc, name_masked, phone_enc, phone_index, agent_name, agent_authorisation, \
               portal_person_id, agency_org_id, ground, request, reasons, proof_item_id, \
               service_item_id, work_order_no, state, received_at, registered_by, \
               identity_needed, reopened, updated_at, contact_key_version) \
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'registered', ?, ?, \
               FALSE, FALSE, ?, ?) RETURNING id")
            .bind(c.receiver.as_str())
            .bind(c.receiver_org_id)
            .bind(c.channel.as_str())
            .bind(c.form.as_str())
            .bind(c.anonymous)
            .bind(c.name_enc)
            .bind(c.name_masked)
            .bind(c.phone_enc)
            .bind(c.phone_index)
            .bind(c.agent_name)
            .bind(c.agent_authorisation)
            .bind(c.portal_person_id)
            .bind(c.agency_org_id)
            .bind(c.ground.as_str())
            .bind(c.request)
            .bind(c.reasons)
            .bind(c.proof_item_id)
            .bind(c.service_item_id)
            .bind(c.work_order_no)
            .bind(c.received_at)
            .bind(c.registered_by)
            .bind(c.received_at)
            .bind(c.contact_key_version),
        )
        .await?)
}

pub(crate) async fn set_registered(
    ex: &mut impl Exec,
    id: i64,
    receipt_no: &str,
    accept_deadline_id: i64,
) -> AppResult<()> {
    ex.execute(
        q("UPDATE complaints SET receipt_no = ?, accept_deadline_id = ? WHERE id = ?")
            .bind(receipt_no)
            .bind(accept_deadline_id)
            .bind(id),
    )
    .await?;
    Ok(())
}

pub(crate) async fn get(ex: &mut impl Exec, id: i64) -> AppResult<Option<Complaint>> {
    Ok(ex
        .fetch_optional(q(format!("{COLS} WHERE c.id = ?")).bind(id))
        .await?)
}

pub(crate) async fn by_receipt(
    ex: &mut impl Exec,
    receipt_no: &str,
) -> AppResult<Option<Complaint>> {
    Ok(ex
        .fetch_optional(q(format!("{COLS} WHERE c.receipt_no = ?")).bind(receipt_no))
        .await?)
}

pub(crate) async fn by_work_order(ex: &mut impl Exec, no: &str) -> AppResult<Option<i64>> {
    let row: Option<(i64,)> = ex
        .fetch_optional(q("SELECT id FROM complaints WHERE work_order_no = ?").bind(no))
        .await?;
    Ok(row.map(|r| r.0))
}

/// Who may see which complaints in a list.
pub(crate) enum ListScope {
    /// The receivers share everything (A4 §12).
    All,
    /// A unit: complaints about it, handled by it or received by it.
    Org(i64),
    /// A portal user's own complaints.
    Person(i64),
}

pub(crate) async fn list(
    ex: &mut impl Exec,
    scope: &ListScope,
    state: Option<ComplaintState>,
    limit: i64,
    offset: i64,
) -> AppResult<(Vec<Complaint>, i64)> {
    let mut where_ = Query::new(" WHERE 1 = 1");
    match scope {
        ListScope::All => {}
        ListScope::Org(o) => {
            where_.push_sql(
                " AND (c.agency_org_id = ? OR c.handling_org_id = ? OR c.receiver_org_id = ?)",
            );
            where_.push_arg(*o);
            where_.push_arg(*o);
            where_.push_arg(*o);
        }
        ListScope::Person(p) => {
            where_.push_sql(" AND c.portal_person_id = ?");
            where_.push_arg(*p);
        }
    }
    if let Some(s) = state {
        where_.push_sql(" AND c.state = ?");
        where_.push_arg(s.as_str());
    }
    let mut count = Query::new("SELECT COUNT(*) FROM complaints c");
    append(&mut count, where_.clone());
    let total = ex.scalar_i64(count).await?;
    let mut rows = Query::new(COLS);
    append(&mut rows, where_);
    rows.push_sql(" ORDER BY c.id DESC LIMIT ? OFFSET ?");
    rows.push_arg(limit);
    rows.push_arg(offset);
    Ok((ex.fetch_all(rows).await?, total))
}

/// Earlier complaints about the same agency within the window (A4 §9 candidates).
pub(crate) async fn candidates(
    ex: &mut impl Exec,
    c: &Complaint,
    since_ms: i64,
) -> AppResult<Vec<Duplicate>> {
    Ok(ex
        .fetch_all(
            q("SELECT id, receipt_no, receiver, state, received_at, phone_index, request, reasons \
               FROM complaints WHERE agency_org_id = ? AND id <> ? AND received_at >= ? \
               AND received_at <= ? AND state NOT IN ('rejected', 'linked') \
               ORDER BY received_at DESC LIMIT 200")
            .bind(c.agency_org_id)
            .bind(c.id)
            .bind(since_ms)
            .bind(c.received_at),
        )
        .await?)
}

pub(crate) async fn extensions(ex: &mut impl Exec, id: i64) -> AppResult<Vec<ExtensionRow>> {
    Ok(ex
        .fetch_all(
            q(
                "SELECT id, complaint_id, period, reason, state, requested_by, requested_at, \
               decided_by, decided_at FROM complaint_extensions WHERE complaint_id = ? ORDER BY id",
            )
            .bind(id),
        )
        .await?)
}

pub(crate) async fn insert_extension(
    ex: &mut impl Exec,
    id: i64,
    period: &str,
    reason: &str,
    by: &str,
    now: i64,
) -> AppResult<i64> {
    Ok(ex
        .scalar_i64(
            q(
                "INSERT INTO complaint_extensions (complaint_id, period, reason, state, \
               requested_by, requested_at) VALUES (?, ?, ?, 'requested', ?, ?) RETURNING id",
            )
            .bind(id)
            .bind(period)
            .bind(reason)
            .bind(by)
            .bind(now),
        )
        .await?)
}

pub(crate) async fn decide_extension(
    ex: &mut impl Exec,
    ext_id: i64,
    state: ExtensionState,
    by: &str,
    now: i64,
) -> AppResult<bool> {
    Ok(ex
        .execute(
            q(
                "UPDATE complaint_extensions SET state = ?, decided_by = ?, decided_at = ? \
               WHERE id = ? AND state = 'requested'",
            )
            .bind(state.as_str())
            .bind(by)
            .bind(now)
            .bind(ext_id),
        )
        .await?
        == 1)
}

/// Moves a complaint from `from` to `to` with the given column updates; false when it had
/// moved on meanwhile.
pub(crate) async fn transition(
    ex: &mut impl Exec,
    id: i64,
    from: &[ComplaintState],
    to: ComplaintState,
    sets: Query,
    now: i64,
) -> AppResult<bool> {
    let mut u = Query::new("UPDATE complaints SET state = ?, updated_at = ?");
    u.push_arg(to.as_str());
    u.push_arg(now);
    append(&mut u, sets);
    u.push_sql(" WHERE id = ? AND state IN (");
    u.push_arg(id);
    for (i, s) in from.iter().enumerate() {
        u.push_sql(if i == 0 { "?" } else { ", ?" });
        u.push_arg(s.as_str());
    }
    u.push_sql(")");
    Ok(ex.execute(u).await? == 1)
}

/// Copies the first complaint's outcome to the ones linked to it.
pub(crate) async fn follow_first(ex: &mut impl Exec, first: &Complaint, now: i64) -> AppResult<()> {
    ex.execute(
        q(
            "UPDATE complaints SET facts = ?, upheld = ?, measures = ?, answered_at = ?, \
           terminate_ground = ?, terminate_note = ?, updated_at = ? WHERE linked_to = ?",
        )
        .bind(first.facts.as_deref())
        .bind(first.upheld)
        .bind(first.measures.as_deref())
        .bind(first.answered_at)
        .bind(first.terminate_ground.map(|g| g.as_str()))
        .bind(first.terminate_note.as_deref())
        .bind(now)
        .bind(first.id),
    )
    .await?;
    Ok(())
}

pub(crate) async fn org_exists(ex: &mut impl Exec, id: i64) -> AppResult<bool> {
    Ok(ex
        .scalar_i64(q("SELECT COUNT(*) FROM orgs WHERE id = ?").bind(id))
        .await?
        > 0)
}

pub(crate) async fn org_by_name(ex: &mut impl Exec, name: &str) -> AppResult<Option<i64>> {
    let row: Option<(i64,)> = ex
        .fetch_optional(q("SELECT id FROM orgs WHERE name = ? ORDER BY id LIMIT 1").bind(name))
        .await?;
    Ok(row.map(|r| r.0))
}

/// The unit of the first active staff member holding `role` (where a receiver sits).
pub(crate) async fn org_of_role(ex: &mut impl Exec, role: &str) -> AppResult<Option<i64>> {
    let row: Option<(i64,)> = ex
        .fetch_optional(
            q(
                "SELECT s.org_id FROM staff s JOIN staff_roles r ON r.staff_id = s.id \
               WHERE r.role = ? AND s.active ORDER BY s.id LIMIT 1",
            )
            .bind(role),
        )
        .await?;
    Ok(row.map(|r| r.0))
}

pub(crate) async fn proof_exists(ex: &mut impl Exec, id: i64) -> AppResult<bool> {
    Ok(ex
        .scalar_i64(q("SELECT COUNT(*) FROM proof_items WHERE id = ?").bind(id))
        .await?
        > 0)
}

pub(crate) async fn service_exists(ex: &mut impl Exec, id: i64) -> AppResult<bool> {
    Ok(ex
        .scalar_i64(q("SELECT COUNT(*) FROM service_items WHERE id = ?").bind(id))
        .await?
        > 0)
}

/// The catalogue's proof item of that name (the newest), if any.
pub(crate) async fn proof_by_name(ex: &mut impl Exec, name: &str) -> AppResult<Option<i64>> {
    let row: Option<(i64,)> = ex
        .fetch_optional(
            q("SELECT id FROM proof_items WHERE name = ? ORDER BY id DESC LIMIT 1").bind(name),
        )
        .await?;
    Ok(row.map(|r| r.0))
}

/// The figure counters one act adds to (zeros elsewhere).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Bump {
    pub received: i64,
    pub accepted: i64,
    pub answered: i64,
    pub on_time: i64,
    pub upheld: i64,
    pub satisfied: i64,
    pub unsatisfied: i64,
}

/// Adds to the figures of the complaint's month and dimensions (kept incrementally).
pub(crate) async fn bump_figures(
    ex: &mut impl Exec,
    month: &str,
    c: (&str, &str, &str, i64, i64),
    b: Bump,
) -> AppResult<()> {
    ex.execute(
        q("INSERT INTO complaint_figures (month, receiver, channel, ground, agency_org_id, \
           proof_item_id, received, accepted, on_time, upheld, answered, satisfied, unsatisfied) \
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
           ON CONFLICT (month, receiver, channel, ground, agency_org_id, proof_item_id) DO UPDATE SET \
           received = complaint_figures.received + excluded.received, \
           accepted = complaint_figures.accepted + excluded.accepted, \
           on_time = complaint_figures.on_time + excluded.on_time, \
           upheld = complaint_figures.upheld + excluded.upheld, \
           answered = complaint_figures.answered + excluded.answered, \
           satisfied = complaint_figures.satisfied + excluded.satisfied, \
           unsatisfied = complaint_figures.unsatisfied + excluded.unsatisfied")
        .bind(month)
        .bind(c.0)
        .bind(c.1)
        .bind(c.2)
        .bind(c.3)
        .bind(c.4)
        .bind(b.received)
        .bind(b.accepted)
        .bind(b.on_time)
        .bind(b.upheld)
        .bind(b.answered)
        .bind(b.satisfied)
        .bind(b.unsatisfied),
    )
    .await?;
    // The same counts by each single dimension, for the month and for its year (one
    // statement, ten rows).
    let keys = [
        c.0.to_owned(),
        c.1.to_owned(),
        c.2.to_owned(),
        c.3.to_string(),
        c.4.to_string(),
    ];
    let mut up = Query::new(
        "INSERT INTO complaint_rollup (dim, month, key, received, accepted, on_time, upheld, \
         answered, satisfied, unsatisfied) VALUES ",
    );
    let year = month.get(..4).unwrap_or(month);
    let rows = ROLLUP_DIMS
        .iter()
        .zip(&keys)
        .map(|(d, k)| ((*d).to_owned(), month, k))
        .chain(
            ROLLUP_DIMS
                .iter()
                .zip(&keys)
                .map(|(d, k)| (format!("year:{d}"), year, k)),
        );
    for (i, (dim, period, key)) in rows.enumerate() {
        up.push_sql(if i == 0 { "" } else { ", " });
        up.push_sql("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        up.push_arg(dim);
        up.push_arg(period.to_owned());
        up.push_arg(key.clone());
        for v in [
            b.received,
            b.accepted,
            b.on_time,
            b.upheld,
            b.answered,
            b.satisfied,
            b.unsatisfied,
        ] {
            up.push_arg(v);
        }
    }
    up.push_sql(
        " ON CONFLICT (dim, month, key) DO UPDATE SET \
         received = complaint_rollup.received + excluded.received, \
         accepted = complaint_rollup.accepted + excluded.accepted, \
         on_time = complaint_rollup.on_time + excluded.on_time, \
         upheld = complaint_rollup.upheld + excluded.upheld, \
         answered = complaint_rollup.answered + excluded.answered, \
         satisfied = complaint_rollup.satisfied + excluded.satisfied, \
         unsatisfied = complaint_rollup.unsatisfied + excluded.unsatisfied",
    );
    ex.execute(up).await?;
    Ok(())
}

/// The dimensions of `complaint_rollup`, named by their `complaint_figures` column, in the
/// order of [`bump_figures`]'s key tuple; `year:<name>` holds the same per year.
const ROLLUP_DIMS: [&str; 5] = [
    "receiver",
    "channel",
    "ground",
    "agency_org_id",
    "proof_item_id",
];

/// Rebuilds `complaint_rollup` from `complaint_figures` (after a bulk load that wrote only
/// the latter, e.g. `proofless gen`).
pub(crate) async fn rebuild_rollup(ex: &mut impl Exec) -> AppResult<()> {
    ex.execute(q("DELETE FROM complaint_rollup")).await?;
    for dim in ROLLUP_DIMS {
        ex.execute(q(format!(
            "INSERT INTO complaint_rollup (dim, month, key, received, accepted, on_time, upheld, answered, satisfied, unsatisfied) \
             SELECT '{dim}', month, CAST({dim} AS TEXT), SUM(received), SUM(accepted), SUM(on_time), SUM(upheld), \
             SUM(answered), SUM(satisfied), SUM(unsatisfied) FROM complaint_figures GROUP BY month, {dim}"
        )))
        .await?;
    }
    ex.execute(q(
        "INSERT INTO complaint_rollup (dim, month, key, received, accepted, on_time, upheld, answered, satisfied, unsatisfied) \
         SELECT 'year:' || dim, SUBSTR(month, 1, 4), key, SUM(received), SUM(accepted), SUM(on_time), SUM(upheld), \
         SUM(answered), SUM(satisfied), SUM(unsatisfied) FROM complaint_rollup GROUP BY dim, SUBSTR(month, 1, 4), key",
    ))
    .await?;
    Ok(())
}

/// Sums of the figures of the months starting with `prefix`, grouped by `col` (a fixed
/// column name chosen by the caller, never input): from the single-dimension rollup, which
/// holds at most twelve rows per value in a year; by month, any one dimension's rows sum to
/// the totals. A receiver filter with another grouping needs the detailed table.
pub(crate) async fn figures(
    ex: &mut impl Exec,
    prefix: &str,
    col: &'static str,
    receiver: Option<&str>,
) -> AppResult<Vec<FigureRow>> {
    let year = prefix.len() == 4;
    let (first, last) = if year {
        (format!("{prefix}-01"), format!("{prefix}-12"))
    } else {
        (prefix.to_owned(), prefix.to_owned())
    };
    if col == "month" || receiver.is_none() {
        let (dim, key, first, last) = match col {
            "month" => ("receiver".to_owned(), "month", first, last),
            // A whole year of one dimension: its year rows.
            _ if year => (
                format!("year:{col}"),
                "key",
                prefix.to_owned(),
                prefix.to_owned(),
            ),
            _ => (col.to_owned(), "key", first, last),
        };
        let mut sql = Query::new(format!(
            "SELECT {key} AS key, CAST(SUM(received) AS BIGINT) AS received, CAST(SUM(accepted) AS BIGINT) AS accepted, \
             CAST(SUM(answered) AS BIGINT) AS answered, CAST(SUM(on_time) AS BIGINT) AS on_time, CAST(SUM(upheld) AS BIGINT) AS upheld, \
             CAST(SUM(satisfied) AS BIGINT) AS satisfied, CAST(SUM(unsatisfied) AS BIGINT) AS unsatisfied \
             FROM complaint_rollup WHERE dim = ? AND month BETWEEN ? AND ?"
        ));
        sql.push_arg(dim);
        sql.push_arg(first);
        sql.push_arg(last);
        if let Some(r) = receiver {
            sql.push_sql(" AND key = ?");
            sql.push_arg(r.to_owned());
        }
        sql.push_sql(&format!(" GROUP BY {key} ORDER BY {key}"));
        return Ok(ex.fetch_all(sql).await?);
    }
    let mut sql = Query::new(format!(
        "SELECT CAST({col} AS TEXT) AS key, CAST(SUM(received) AS BIGINT) AS received, CAST(SUM(accepted) AS BIGINT) AS accepted, \
         CAST(SUM(answered) AS BIGINT) AS answered, CAST(SUM(on_time) AS BIGINT) AS on_time, CAST(SUM(upheld) AS BIGINT) AS upheld, \
         CAST(SUM(satisfied) AS BIGINT) AS satisfied, CAST(SUM(unsatisfied) AS BIGINT) AS unsatisfied \
         FROM complaint_figures WHERE month BETWEEN ? AND ?"
    ));
    // A range on the key's leading column (a year is its twelve months), not a LIKE the
    // index cannot serve on either backend.
    sql.push_arg(first);
    sql.push_arg(last);
    if let Some(r) = receiver {
        sql.push_sql(" AND receiver = ?");
        sql.push_arg(r.to_owned());
    }
    sql.push_sql(&format!(" GROUP BY {col} ORDER BY {col}"));
    Ok(ex.fetch_all(sql).await?)
}

/// Complaints received per group and month from `first` to `last` (YYYY-MM), for the hot
/// spots.
pub(crate) async fn received_by_month(
    ex: &mut impl Exec,
    col: &'static str,
    first: &str,
    last: &str,
) -> AppResult<Vec<(String, String, i64)>> {
    Ok(ex
        .fetch_all(
            q(
                "SELECT key, month, CAST(SUM(received) AS BIGINT) FROM complaint_rollup \
               WHERE dim = ? AND month BETWEEN ? AND ? GROUP BY key, month",
            )
            .bind(col)
            .bind(first)
            .bind(last),
        )
        .await?)
}

pub(crate) async fn org_names(ex: &mut impl Exec) -> AppResult<Vec<(i64, String)>> {
    Ok(ex
        .fetch_all(q("SELECT id, name FROM orgs ORDER BY id"))
        .await?)
}

pub(crate) async fn proof_names(ex: &mut impl Exec, ids: &[i64]) -> AppResult<Vec<(i64, String)>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let mut sql = Query::new("SELECT id, name FROM proof_items WHERE id IN (");
    for (i, id) in ids.iter().enumerate() {
        sql.push_sql(if i == 0 { "?" } else { ", ?" });
        sql.push_arg(*id);
    }
    sql.push_sql(")");
    Ok(ex.fetch_all(sql).await?)
}

/// The callback URL and the secret as stored (encrypted; see `hotline.rs`).
pub(crate) async fn hotline_link(ex: &mut impl Exec) -> AppResult<Option<(String, String)>> {
    Ok(ex
        .fetch_optional(q(
            "SELECT callback_url, secret FROM complaint_hotline_link WHERE id = 1",
        ))
        .await?)
}

pub(crate) async fn set_hotline_link(
    ex: &mut impl Exec,
    url: &str,
    (secret_enc, key_version): (&str, i64),
    by: &str,
    now: i64,
) -> AppResult<()> {
    ex.execute(
        q("INSERT INTO complaint_hotline_link (id, callback_url, secret, secret_key_version, updated_by, updated_at) \
           VALUES (1, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET callback_url = excluded.callback_url, \
           secret = excluded.secret, secret_key_version = excluded.secret_key_version, \
           updated_by = excluded.updated_by, updated_at = excluded.updated_at")
        .bind(url)
        .bind(secret_enc)
        .bind(key_version)
        .bind(by)
        .bind(now),
    )
    .await?;
    Ok(())
}

pub(crate) async fn enqueue_callback(
    ex: &mut impl Exec,
    id: i64,
    body: &str,
    now: i64,
) -> AppResult<()> {
    ex.execute(
        q("INSERT INTO complaint_callbacks (complaint_id, body, state, attempts, next_at, created_at) \
           VALUES (?, ?, 'pending', 0, ?, ?)")
        .bind(id)
        .bind(body)
        .bind(now)
        .bind(now),
    )
    .await?;
    Ok(())
}

/// Callbacks due now: (id, body, attempts).
pub(crate) async fn due_callbacks(
    ex: &mut impl Exec,
    now: i64,
) -> AppResult<Vec<(i64, String, i64)>> {
    Ok(ex
        .fetch_all(
            q(
                "SELECT id, body, attempts FROM complaint_callbacks WHERE state = 'pending' \
               AND next_at <= ? ORDER BY next_at LIMIT 50",
            )
            .bind(now),
        )
        .await?)
}

pub(crate) async fn callback_done(
    ex: &mut impl Exec,
    id: i64,
    outcome: Result<(), &str>,
    attempts: i64,
    next_at: i64,
    now: i64,
) -> AppResult<()> {
    let (state, err, delivered) = match outcome {
        Ok(()) => ("delivered", None, Some(now)),
        Err(e) if attempts >= 10 => ("failed", Some(e), None),
        Err(e) => ("pending", Some(e), None),
    };
    ex.execute(
        q(
            "UPDATE complaint_callbacks SET state = ?, attempts = ?, next_at = ?, last_error = ?, \
           delivered_at = ? WHERE id = ? AND state = 'pending'",
        )
        .bind(state)
        .bind(attempts)
        .bind(next_at)
        .bind(err)
        .bind(delivered)
        .bind(id),
    )
    .await?;
    Ok(())
}
