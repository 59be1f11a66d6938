//! Inbox, outbox and the joint office's board (issue #5 §12) and the verifiable items of
//! the send form.

use proofless_domain::role::Role;
use proofless_domain::verification as rules;
use serde::Deserialize;

use super::VERIFICATION_METHOD;
use super::input::ListFilter;
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
    let mut rows = repo::list(&mut app.db.reader(), side, &query, now, end_of_today(now)).await?;
    let has_more = rows.len() as i64 > query.limit;
    rows.truncate(usize::try_from(query.limit).unwrap_or(50));
    finish_rows(app, &mut rows);
    Ok(ListPage {
        items: rows,
        has_more,
    })
}

/// The joint office's board: every overdue request in the county, most late first, and
/// the reported ones (A2 §11).
pub async fn board(app: &App, actor: &Actor) -> AppResult<Board> {
    actor.require_any(&[Role::JointOffice, Role::SystemAdmin, Role::Accountability])?;
    let now = app.now_ms();
    let mut overdue = repo::overdue(&mut app.db.reader(), now).await?;
    let mut reported = repo::reported(&mut app.db.reader()).await?;
    finish_rows(app, &mut overdue);
    finish_rows(app, &mut reported);
    Ok(Board { overdue, reported })
}

// ---------------------------------------------------------------------------------------
// Demo data (issue #5 §13): verifications in every state, through the services.

/// Every verifiable item of the current published lists, by name, and the requesting
/// unit's own items whose adjustment is pending with verification chosen (A3 §9).
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
