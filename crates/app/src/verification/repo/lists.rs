//! The SQL of the lists: a unit's inbox and outbox, the joint office's board and the units'
//! figures (A2 §7, §11; SPEC R5.3). Every cut list comes with the count of what its filter
//! matches (issue #16 §8).

use proofless_domain::verification::State;
use proofless_store::{Exec, Query, Value, q};

use crate::error::AppResult;
use crate::verification::records::{ListRow, UnitFigures};

const LIST_SELECT: &str = "SELECT v.id, v.channel, v.state, v.requester_org_id, ro.name AS requester_name, \
    v.issuer_org_id, io.name AS issuer_name, v.proof_item_name, v.subject_name_masked AS subject_name, v.case_ref, v.deadline_class, \
    v.deadline_period, v.sent_at, v.due_at, v.ordered_at, v.order_due_at, v.reported_at, v.summon_at, v.outcome, \
    v.reclass_reason, v.reclassified_at \
    FROM verifications v JOIN orgs ro ON ro.id = v.requester_org_id JOIN orgs io ON io.id = v.issuer_org_id";

/// Which unit's lines a list shows.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Side {
    Issuer(i64),
    Requester(i64),
}

/// A page of lines and how many the filter matches.
pub(crate) struct Page {
    pub rows: Vec<ListRow>,
    pub total: i64,
}

/// The WHERE clause (after `WHERE`), its arguments and the order of one list.
struct Filter {
    cond: String,
    args: Vec<Value>,
    order: &'static str,
}

/// One page of `f` and its total: `limit` + 1 lines are read, the last says there are more.
async fn page(ex: &mut impl Exec, f: Filter, limit: i64, offset: i64) -> AppResult<Page> {
    let mut count = q(format!(
        "SELECT COUNT(*) FROM verifications v WHERE {}",
        f.cond
    ));
    count.args = f.args.clone();
    let total = ex.scalar_i64(count).await?;
    let mut query = Query::new(format!(
        "{LIST_SELECT} WHERE {} ORDER BY {} LIMIT ? OFFSET ?",
        f.cond, f.order
    ));
    query.args = f.args;
    query.push_arg(limit + 1);
    query.push_arg(offset);
    Ok(Page {
        rows: ex.fetch_all(query).await?,
        total,
    })
}

/// A unit's inbox or outbox: running requests by due instant (overdue, due today), or
/// every request newest first.
pub(crate) async fn list(
    ex: &mut impl Exec,
    side: Side,
    f: &crate::verification::input::ListQuery,
    now: i64,
    end_of_today: i64,
) -> AppResult<Page> {
    let (col, org) = match side {
        Side::Issuer(o) => ("v.issuer_org_id", o),
        Side::Requester(o) => ("v.requester_org_id", o),
    };
    let mut cond = format!("{col} = ?");
    let mut args: Vec<Value> = vec![org.into()];
    let order = if f.overdue || f.due_today {
        cond.push_str(" AND v.state = ?");
        args.push(State::Registered.as_str().into());
        if f.overdue {
            cond.push_str(" AND v.due_at <= ?");
            args.push(now.into());
        }
        if f.due_today {
            cond.push_str(" AND v.due_at < ?");
            args.push(end_of_today.into());
            if !f.overdue {
                cond.push_str(" AND v.due_at > ?");
                args.push(now.into());
            }
        }
        "v.due_at, v.id"
    } else {
        if let Some(s) = f.state {
            cond.push_str(" AND v.state = ?");
            args.push(s.as_str().into());
        }
        if let Some(b) = f.before_id {
            cond.push_str(" AND v.id < ?");
            args.push(b.into());
        }
        "v.id DESC"
    };
    page(ex, Filter { cond, args, order }, f.limit, f.offset).await
}

/// Every registered request past its own due instant in the county, most late first (an
/// order to finish does not take it off: A2 §11).
pub(crate) async fn overdue(
    ex: &mut impl Exec,
    now: i64,
    limit: i64,
    offset: i64,
) -> AppResult<Page> {
    let f = Filter {
        cond: "v.state = ? AND v.due_at <= ?".to_owned(),
        args: vec![State::Registered.as_str().into(), now.into()],
        order: "v.due_at, v.id",
    };
    page(ex, f, limit, offset).await
}

/// The requests reported to the joint office, latest report first.
pub(crate) async fn reported(ex: &mut impl Exec, limit: i64, offset: i64) -> AppResult<Page> {
    let f = Filter {
        cond: "v.reported_at IS NOT NULL".to_owned(),
        args: vec![],
        order: "v.reported_at DESC, v.id DESC",
    };
    page(ex, f, limit, offset).await
}

/// Every reclassified request, latest first (A2 §7: the joint office sees each one).
pub(crate) async fn reclassified(ex: &mut impl Exec, limit: i64, offset: i64) -> AppResult<Page> {
    let f = Filter {
        cond: "v.reclassified_at IS NOT NULL".to_owned(),
        args: vec![],
        order: "v.reclassified_at DESC, v.id DESC",
    };
    page(ex, f, limit, offset).await
}

/// Each issuing unit's figures: answers and returns, on time and late, and what is overdue
/// now (SPEC R5.3: a late return counts like a late answer).
pub(crate) async fn unit_figures(ex: &mut impl Exec, now: i64) -> AppResult<Vec<UnitFigures>> {
    let rows: Vec<UnitFigures> = ex
        .fetch_all(
            q(
                "SELECT v.issuer_org_id, o.name AS issuer_name, COUNT(*) AS received, \
               SUM(CASE WHEN v.state = ? THEN 1 ELSE 0 END) AS answered, \
               SUM(CASE WHEN v.state = ? AND v.answered_late THEN 1 ELSE 0 END) AS answered_late, \
               SUM(CASE WHEN v.state = ? THEN 1 ELSE 0 END) AS returned, \
               SUM(CASE WHEN v.state = ? AND v.returned_late THEN 1 ELSE 0 END) AS returned_late, \
               SUM(CASE WHEN v.state = ? AND v.due_at <= ? THEN 1 ELSE 0 END) AS overdue_open, \
               SUM(CASE WHEN v.reclassified_at IS NOT NULL THEN 1 ELSE 0 END) AS reclassified \
               FROM verifications v JOIN orgs o ON o.id = v.issuer_org_id \
               GROUP BY v.issuer_org_id, o.name ORDER BY o.name",
            )
            .bind(State::Answered.as_str())
            .bind(State::Answered.as_str())
            .bind(State::Returned.as_str())
            .bind(State::Returned.as_str())
            .bind(State::Registered.as_str())
            .bind(now),
        )
        .await?;
    Ok(rows)
}
