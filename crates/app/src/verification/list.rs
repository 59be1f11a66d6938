//! Inbox, outbox and the joint office's board (issue #5 §12) and the verifiable items.

use super::*;
use serde::Deserialize;

// ---------------------------------------------------------------------------------------
// Inbox, outbox, joint-office board

/// One line of a list: the subject's name masked (reading the detail is what is audited).
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct ListRow {
    pub id: i64,
    pub channel: String,
    pub state: String,
    pub requester_org_id: i64,
    pub requester_name: String,
    pub issuer_org_id: i64,
    pub issuer_name: String,
    pub proof_item_name: String,
    pub subject_name: String,
    pub case_ref: String,
    pub deadline_class: String,
    pub deadline_period: String,
    pub sent_at: i64,
    pub due_at: Option<i64>,
    pub ordered_at: Option<i64>,
    pub reported_at: Option<i64>,
    pub summon_at: Option<i64>,
    pub outcome: Option<String>,
    #[serde(skip_deserializing)]
    pub number: String,
    #[serde(skip_deserializing)]
    pub state_label: String,
    #[serde(skip_deserializing)]
    pub overdue: bool,
    #[serde(skip_deserializing)]
    pub countdown_class: String,
    #[serde(skip_deserializing)]
    pub countdown_text: String,
}

pub(super) const LIST_SELECT: &str = "SELECT v.id, v.channel, v.state, v.requester_org_id, ro.name AS requester_name, \
    v.issuer_org_id, io.name AS issuer_name, v.proof_item_name, v.subject_name, v.case_ref, v.deadline_class, \
    v.deadline_period, v.sent_at, v.due_at, v.ordered_at, v.reported_at, v.summon_at, v.outcome \
    FROM verifications v JOIN orgs ro ON ro.id = v.requester_org_id JOIN orgs io ON io.id = v.issuer_org_id";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Box_ {
    Inbox,
    Outbox,
}

#[derive(Debug, Clone, Deserialize, utoipa::IntoParams, Default)]
pub struct ListFilter {
    /// `registered`, `answered` or `returned`.
    pub state: Option<String>,
    /// Only registered requests past their due instant.
    pub overdue: Option<bool>,
    /// Only registered requests due before the end of today (Beijing time).
    pub due_today: Option<bool>,
    pub limit: Option<i64>,
    /// Continue after this id (newest-first lists) — pagination without counting.
    pub before_id: Option<i64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ListPage {
    pub items: Vec<ListRow>,
    pub has_more: bool,
}

pub(super) fn finish_rows(app: &App, rows: &mut [ListRow]) {
    let now = app.now_ms();
    for r in rows.iter_mut() {
        r.number = number(r.id);
        r.subject_name = mask_name(&r.subject_name);
        let st = State::parse(&r.state).unwrap_or(State::Registered);
        r.overdue = st == State::Registered && r.due_at.is_some_and(|d| now >= d);
        r.state_label = if r.overdue {
            "逾期未反馈".to_owned()
        } else {
            st.label().to_owned()
        };
        if st == State::Registered
            && let Some(due) = r.due_at
        {
            r.countdown_class =
                rules::countdown_class(r.ordered_at.unwrap_or(r.sent_at), due, now).to_owned();
            r.countdown_text = rules::countdown_text(due, now);
        }
    }
}

pub(super) fn end_of_today(now_ms: i64) -> i64 {
    use chrono::TimeZone;
    let local = Utc
        .timestamp_millis_opt(now_ms)
        .single()
        .unwrap_or_default()
        .with_timezone(&crate::beijing());
    local
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
    let limit = f.limit.unwrap_or(50).clamp(1, 200);
    let now = app.now_ms();
    let col = match which {
        Box_::Inbox => "v.issuer_org_id",
        Box_::Outbox => "v.requester_org_id",
    };
    let mut sql = format!("{LIST_SELECT} WHERE {col} = ?");
    let mut args: Vec<Value> = vec![org.into()];
    let state = match f.state.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => Some(State::parse(s).ok_or_else(|| {
            AppError::field("state", "状态应为 registered、answered 或 returned")
        })?),
        None => None,
    };
    let running = f.overdue == Some(true) || f.due_today == Some(true);
    if running {
        sql.push_str(" AND v.state = 'registered'");
        if f.overdue == Some(true) {
            sql.push_str(" AND v.due_at <= ?");
            args.push(now.into());
        }
        if f.due_today == Some(true) {
            sql.push_str(" AND v.due_at < ?");
            args.push(end_of_today(now).into());
            if f.overdue != Some(true) {
                sql.push_str(" AND v.due_at > ?");
                args.push(now.into());
            }
        }
        sql.push_str(" ORDER BY v.due_at, v.id LIMIT ?");
    } else {
        if let Some(s) = state {
            sql.push_str(" AND v.state = ?");
            args.push(s.as_str().into());
        }
        if let Some(b) = f.before_id {
            sql.push_str(" AND v.id < ?");
            args.push(b.into());
        }
        sql.push_str(" ORDER BY v.id DESC LIMIT ?");
    }
    args.push((limit + 1).into());
    let mut query = q(sql);
    query.args = args;
    let mut rows: Vec<ListRow> = app.db.reader().fetch_all(query).await?;
    let has_more = rows.len() as i64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(50));
    finish_rows(app, &mut rows);
    Ok(ListPage {
        items: rows,
        has_more,
    })
}

/// The joint office's board: every overdue request in the county, most late first, and
/// the reported ones (A2 §11).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Board {
    pub overdue: Vec<ListRow>,
    pub reported: Vec<ListRow>,
}

pub async fn board(app: &App, actor: &Actor) -> AppResult<Board> {
    actor.require_any(&[Role::JointOffice, Role::SystemAdmin, Role::Accountability])?;
    let now = app.now_ms();
    let mut overdue: Vec<ListRow> = app
        .db
        .reader()
        .fetch_all(
            q(format!(
                "{LIST_SELECT} WHERE v.state = 'registered' AND v.due_at <= ? ORDER BY v.due_at LIMIT 200"
            ))
            .bind(now),
        )
        .await?;
    let mut reported: Vec<ListRow> = app
        .db
        .reader()
        .fetch_all(q(format!(
            "{LIST_SELECT} WHERE v.reported_at IS NOT NULL ORDER BY v.reported_at DESC LIMIT 200"
        )))
        .await?;
    finish_rows(app, &mut overdue);
    finish_rows(app, &mut reported);
    Ok(Board { overdue, reported })
}

/// A proof item of the current published lists that can be verified, for the send form.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Verifiable {
    pub id: i64,
    pub name: String,
    pub issuer_ids: Vec<i64>,
    pub issuers: Vec<String>,
    pub class_label: String,
}

/// Every verifiable item of the current published lists, by name, and the requesting
/// unit's own items whose adjustment is pending with verification chosen (A3 §9).
pub async fn verifiable_items(app: &App, requester: Option<i64>) -> AppResult<Vec<Verifiable>> {
    let mut out = vec![];
    for v in crate::catalogue::public::current_versions(app).await? {
        for s in crate::catalogue::lists::snapshots(&app.db, v.id).await? {
            let Some(m) = s.methods.iter().find(|m| m.method == "verification") else {
                continue;
            };
            let class = class_label(m.deadline_period.as_deref());
            out.push(Verifiable {
                id: s.id,
                name: s.name.clone(),
                issuer_ids: s.issuer_ids.clone(),
                issuers: s.issuers.clone(),
                class_label: class,
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
    let mut query = q(format!(
        "SELECT p.id, p.name, r.deadline_period FROM proof_items p \
         JOIN replacements r ON r.proof_item_id = p.id AND r.method = 'verification' \
         WHERE p.stage IN ({}) \
         AND (p.owner_org_id = ? OR EXISTS (SELECT 1 FROM proof_item_requesters q \
              WHERE q.proof_item_id = p.id AND q.org_id = ?)) ORDER BY p.id LIMIT 500",
        proofless_store::Query::placeholders(PENDING_STAGES.len())
    ));
    for stage in PENDING_STAGES {
        query.push_arg(stage);
    }
    query.push_arg(org);
    query.push_arg(org);
    let rows: Vec<(i64, String, Option<String>)> = app.db.reader().fetch_all(query).await?;
    let mut out = Vec::with_capacity(rows.len());
    for (id, name, period) in rows {
        let issuers = issuers_of(app, id).await?;
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
