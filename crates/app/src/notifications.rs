//! Notifications to a unit, a role (e.g. the joint office) or one staff member. Each event
//! notifies each recipient once: a `dedupe_key` per event and recipient is unique.

use proofless_store::{Query, Tx, q};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::App;
use crate::actor::Actor;
use crate::audit::{self, Entry};
use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct Notification {
    pub id: i64,
    pub recipient_org_id: Option<i64>,
    pub recipient_staff_id: Option<i64>,
    pub recipient_role: Option<String>,
    pub kind: String,
    pub text: String,
    pub link: String,
    pub created_at: i64,
    pub read_at: Option<i64>,
}

/// Who receives a notification.
#[derive(Debug, Clone)]
pub enum Recipient {
    Org(i64),
    Staff(i64),
    /// Everyone holding the role, e.g. `joint_office`, `system_admin`.
    Role(proofless_domain::role::Role),
}

/// Inserts a notification inside `tx`; `false` when this event was already notified to
/// this recipient (nothing written).
pub async fn insert_in(
    tx: &mut Tx,
    to: &Recipient,
    kind: &str,
    text: &str,
    link: &str,
    dedupe_key: &str,
    now_ms: i64,
) -> AppResult<bool> {
    let (org, staff, role) = match to {
        Recipient::Org(o) => (Some(*o), None, None),
        Recipient::Staff(s) => (None, Some(*s), None),
        Recipient::Role(r) => (None, None, Some(r.as_str())),
    };
    let n = tx
        .execute(
            q("INSERT INTO notifications (recipient_org_id, recipient_staff_id, recipient_role, kind, text, link, \
               dedupe_key, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (dedupe_key) DO NOTHING")
            .bind(org)
            .bind(staff)
            .bind(role)
            .bind(kind)
            .bind(text)
            .bind(link)
            .bind(dedupe_key)
            .bind(now_ms),
        )
        .await?;
    Ok(n == 1)
}

/// `(…) ` condition selecting what the actor receives, with its arguments bound on `query`.
fn mine(actor: &Actor, sql: &str) -> Query {
    let roles: Vec<&str> = actor.roles.iter().map(|r| r.as_str()).collect();
    let placeholders = if roles.is_empty() {
        "''".to_owned()
    } else {
        vec!["?"; roles.len()].join(", ")
    };
    let full = sql.replace(
        "{MINE}",
        &format!(
            "(recipient_staff_id = ? OR recipient_org_id = ? OR recipient_role IN ({placeholders}))"
        ),
    );
    let mut query = q(&full)
        .bind(actor.id.unwrap_or(-1))
        .bind(actor.org_id.unwrap_or(-1));
    for r in roles {
        query = query.bind(r);
    }
    query
}

/// The actor's notifications, newest first.
pub async fn list(
    app: &App,
    actor: &Actor,
    unread_only: bool,
    limit: i64,
) -> AppResult<Vec<Notification>> {
    actor.require_staff()?;
    let filter = if unread_only {
        " AND read_at IS NULL"
    } else {
        ""
    };
    let query = mine(
        actor,
        &format!(
            "SELECT id, recipient_org_id, recipient_staff_id, recipient_role, kind, text, link, created_at, read_at \
             FROM notifications WHERE {{MINE}}{filter} ORDER BY created_at DESC, id DESC LIMIT ?"
        ),
    )
    .bind(limit.clamp(1, 500));
    Ok(app.db.reader().fetch_all(query).await?)
}

/// How many unread notifications the actor has (the badge).
pub async fn unread_count(app: &App, actor: &Actor) -> AppResult<i64> {
    if actor.require_staff().is_err() {
        return Ok(0);
    }
    let query = mine(
        actor,
        "SELECT COUNT(*) FROM notifications WHERE {MINE} AND read_at IS NULL",
    );
    Ok(app.db.reader().scalar_i64(query).await?)
}

/// Marks a notification read (for everyone it was addressed to).
pub async fn mark_read(app: &App, actor: &Actor, id: i64) -> AppResult<()> {
    actor.require_staff()?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let visible = tx
        .fetch_optional::<(i64,)>(
            mine(
                actor,
                "SELECT id FROM notifications WHERE {MINE} AND id = ?",
            )
            .bind(id),
        )
        .await?;
    if visible.is_none() {
        return Err(AppError::NotFound(format!("通知 {id}")));
    }
    tx.execute(
        q("UPDATE notifications SET read_at = ?, read_by = ? WHERE id = ? AND read_at IS NULL")
            .bind(now)
            .bind(actor.id)
            .bind(id),
    )
    .await?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("notification.read", "notification", id).detail(json!({})),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// One notification to insert with [`insert_many_in`].
pub struct NewNotification {
    pub to: Recipient,
    pub kind: &'static str,
    pub text: String,
    pub link: String,
    pub dedupe_key: String,
}

/// Inserts many notifications inside `tx` with a few statements; an event already notified to
/// a recipient is skipped. Returns how many were written.
pub async fn insert_many_in(tx: &mut Tx, items: &[NewNotification], now_ms: i64) -> AppResult<u64> {
    let mut written = 0;
    for chunk in items.chunks(500) {
        let mut sql = String::from(
            "INSERT INTO notifications (recipient_org_id, recipient_staff_id, recipient_role, kind, text, link, \
             dedupe_key, created_at) VALUES ",
        );
        for i in 0..chunk.len() {
            if i > 0 {
                sql.push(',');
            }
            sql.push_str("(?, ?, ?, ?, ?, ?, ?, ?)");
        }
        sql.push_str(" ON CONFLICT (dedupe_key) DO NOTHING");
        let mut query = q(sql);
        for n in chunk {
            let (org, staff, role) = match &n.to {
                Recipient::Org(o) => (Some(*o), None, None),
                Recipient::Staff(s) => (None, Some(*s), None),
                Recipient::Role(r) => (None, None, Some(r.as_str())),
            };
            query = query
                .bind(org)
                .bind(staff)
                .bind(role)
                .bind(n.kind)
                .bind(&n.text)
                .bind(&n.link)
                .bind(&n.dedupe_key)
                .bind(now_ms);
        }
        written += tx.execute(query).await?;
    }
    Ok(written)
}
