//! Inbox, outbox and the joint office's board (issue #5 §12) and the verifiable items of
//! the send form.

use proofless_domain::role::Role;
use proofless_domain::verification as rules;
use serde::Deserialize;

use super::VERIFICATION_METHOD;
use super::input::{BoardFilter, ListFilter};
use super::records::{Board, ListPage, Verifiable, finish_rows};
use super::repo::{self, Side};
use super::templates;
use super::templates::PENDING_STAGES;
use crate::App;
use crate::actor::Actor;
use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Box_ {
    Inbox,
    Outbox,
}

/// The first instant of tomorrow in Beijing.
fn end_of_today(now_ms: i64) -> i64 {
    use chrono::{TimeZone, Utc};
    let Some(now) = Utc.timestamp_millis_opt(now_ms).single() else {
        return now_ms;
    };
    now.with_timezone(&crate::beijing())
        .date_naive()
        .succ_opt()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .and_then(|t| crate::beijing().from_local_datetime(&t).single())
        .map(|t| t.timestamp_millis())
        .unwrap_or(now_ms)
}

/// The unit's inbox (requests to answer) or outbox (requests sent), with filters.
/// A and B both see the whole inbox (A2 §6): it is the unit's, not a person's.
pub async fn list(app: &App, actor: &Actor, which: Box_, f: &ListFilter) -> AppResult<ListPage> {
    actor.require_staff()?;
    let org = actor
        .org_id
        .ok_or_else(|| AppError::forbidden("收件箱、发件箱按单位查看"))?;
    let query = f.parse()?;
    let now = app.now_ms();
    let side = match which {
        Box_::Inbox => Side::Issuer(org),
        Box_::Outbox => Side::Requester(org),
    };
    let page = repo::list(&mut app.db.reader(), side, &query, now, end_of_today(now)).await?;
    Ok(list_page(app, page, query.limit, query.offset))
}

/// A page as shown: at most `limit` lines, finished, with the total (issue #16 §8).
fn list_page(app: &App, page: repo::Page, limit: i64, offset: i64) -> ListPage {
    let mut rows = page.rows;
    let has_more = rows.len() as i64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(50));
    finish_rows(app, &mut rows);
    ListPage {
        items: rows,
        total: page.total,
        limit,
        offset,
        has_more,
    }
}

/// The joint office's board (A2 §7, §11): every overdue request in the county, most late
/// first (an order to finish does not take one off); the reported ones; every
/// reclassification; each issuing unit's figures. Each section pages with its total.
pub async fn board(app: &App, actor: &Actor, f: &BoardFilter) -> AppResult<Board> {
    actor.require_any(&[Role::JointOffice, Role::SystemAdmin, Role::Accountability])?;
    let b = f.parse()?;
    let now = app.now_ms();
    let mut r = app.db.reader();
    let overdue = repo::overdue(&mut r, now, b.limit, b.overdue_offset).await?;
    let reported = repo::reported(&mut r, b.limit, b.reported_offset).await?;
    let reclassified = repo::reclassified(&mut r, b.limit, b.reclassified_offset).await?;
    let units = repo::unit_figures(&mut r, now).await?;
    Ok(Board {
        overdue: list_page(app, overdue, b.limit, b.overdue_offset),
        reported: list_page(app, reported, b.limit, b.reported_offset),
        reclassified: list_page(app, reclassified, b.limit, b.reclassified_offset),
        units,
    })
}

/// How each of the given requests reads now, for views that list them among other things
/// (the overdue page and the workbench list deadlines of every kind): the same words as the
/// inbox, the outbox and the board (issue #15 §11). Requests the actor may not read are left
/// out.
pub async fn shown(app: &App, actor: &Actor, ids: &[i64]) -> AppResult<Vec<(i64, Shown)>> {
    let now = app.now_ms();
    let mut r = app.db.reader();
    let mut out = Vec::with_capacity(ids.len());
    for &id in ids {
        let Some(v) = repo::find(&mut r, id).await? else {
            continue;
        };
        if super::access::require_read(actor, &v).is_err() {
            continue;
        }
        let d = v.display(now);
        out.push((
            id,
            Shown {
                number: super::number(id),
                proof_item_name: v.proof_item_name,
                state_label: d.state_label,
                overdue: d.overdue,
                countdown_class: d.countdown_class.to_owned(),
                countdown_text: d.countdown_text,
            },
        ));
    }
    Ok(out)
}

/// How a request reads in a view that is not a verification list.
#[derive(Debug, Clone)]
pub struct Shown {
    pub number: String,
    pub proof_item_name: String,
    pub state_label: String,
    pub overdue: bool,
    pub countdown_class: String,
    pub countdown_text: String,
}

// ---------------------------------------------------------------------------------------
// Demo data (issue #5 §13): verifications in every state, through the services.

/// Every verifiable item of the current published lists the requesting unit asks for
/// (A2 §12; all of them when no unit is given), by name, and its own items whose adjustment
/// is pending with verification chosen (A3 §9).
pub async fn verifiable_items(app: &App, requester: Option<i64>) -> AppResult<Vec<Verifiable>> {
    let mut out = vec![];
    for v in crate::catalogue::public::current_versions(app).await? {
        for s in crate::catalogue::lists::snapshots(&app.db, v.id).await? {
            let Some(m) = s
                .methods
                .iter()
                .find(|m| m.method == VERIFICATION_METHOD.as_str())
            else {
                continue;
            };
            // Only the items the unit may ask about (A2 §12): it is a requesting unit or the
            // owner of the item.
            if let Some(org) = requester
                && s.owner_org_id != org
                && !s.requester_ids.contains(&org)
            {
                continue;
            }
            out.push(Verifiable {
                id: s.id,
                name: s.name.clone(),
                issuer_ids: s.issuer_ids.clone(),
                issuers: s.issuers.clone(),
                class_label: class_label(m.deadline_period.as_deref()),
            });
        }
    }
    if let Some(org) = requester {
        out.extend(pending_items(app, org).await?);
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out.dedup_by_key(|x| x.id);
    Ok(out)
}

/// The label of the deadline class a catalogue period gives (empty when it gives none).
fn class_label(period: Option<&str>) -> String {
    period
        .and_then(|p| rules::class_of_period(p).ok())
        .map(|c| c.label())
        .unwrap_or_default()
}

/// The unit's items whose adjustment is lodged and not yet published, with verification
/// as the chosen replacement (A3 §9), labelled as such.
async fn pending_items(app: &App, org: i64) -> AppResult<Vec<Verifiable>> {
    let mut reader = app.db.reader();
    let rows = templates::repo::items_with_verification(&mut reader, org, &PENDING_STAGES).await?;
    let mut out = Vec::with_capacity(rows.len());
    for (id, name, period) in rows {
        let issuers = templates::repo::issuers_of(&mut reader, id).await?;
        out.push(Verifiable {
            id,
            name: format!("{name}（清单调整待公布）"),
            issuer_ids: issuers.iter().map(|i| i.0).collect(),
            issuers: issuers.into_iter().map(|i| i.1).collect(),
            class_label: class_label(period.as_deref()),
        });
    }
    Ok(out)
}
