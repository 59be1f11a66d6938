//! The notifications' SQL.

use proofless_domain::notification::ALL_NOTIFICATION_KINDS;
use proofless_store::{Exec, Query, StoreError, q};

use super::service::{NewNotification, Notification, Recipient};
use crate::actor::Actor;

const COLUMNS: &str = "recipient_org_id, recipient_staff_id, recipient_role, kind, text, link, dedupe_key, created_at";

fn bind_one(query: Query, n: &NewNotification, now_ms: i64) -> Query {
    let (org, staff, role) = match &n.to {
        Recipient::Org(o) => (Some(*o), None, None),
        Recipient::Staff(s) => (None, Some(*s), None),
        Recipient::Role(r) => (None, None, Some(r.as_str())),
    };
    query
        .bind(org)
        .bind(staff)
        .bind(role)
        .bind(n.kind.as_str())
        .bind(&n.text)
        .bind(&n.link)
        .bind(&n.dedupe_key)
        .bind(now_ms)
}

/// Inserts notifications, 500 to a statement; an event already notified to a recipient
/// is skipped. Returns how many were written.
pub(crate) async fn insert(
    tx: &mut impl Exec,
    items: &[NewNotification],
    now_ms: i64,
) -> Result<u64, StoreError> {
    let mut written = 0;
    for chunk in items.chunks(500) {
        let rows = vec!["(?, ?, ?, ?, ?, ?, ?, ?)"; chunk.len()].join(",");
        let mut query = q(format!(
            "INSERT INTO notifications ({COLUMNS}) VALUES {rows} ON CONFLICT (dedupe_key) DO NOTHING"
        ));
        for n in chunk {
            query = bind_one(query, n, now_ms);
        }
        written += tx.execute(query).await?;
    }
    Ok(written)
}

/// `sql` with `{MINE}` replaced by the condition selecting what the actor receives, its
/// arguments bound: notices to them, to a role they hold, and those to their unit of a kind
/// their roles handle (`NotificationKind::reaches`, issue #22 point 2). Listing, counting
/// and marking read share it, so the badge counts what the list shows.
fn mine(actor: &Actor, sql: &str) -> Query {
    let roles: Vec<&str> = actor.roles.iter().map(|r| r.as_str()).collect();
    let kinds: Vec<&str> = ALL_NOTIFICATION_KINDS
        .iter()
        .filter(|k| k.reaches(&actor.roles))
        .map(|k| k.as_str())
        .collect();
    let list = |n: usize| {
        if n == 0 {
            "''".to_owned()
        } else {
            vec!["?"; n].join(", ")
        }
    };
    let full = sql.replace(
        "{MINE}",
        &format!(
            "(recipient_staff_id = ? OR (recipient_org_id = ? AND kind IN ({})) \
             OR recipient_role IN ({}))",
            list(kinds.len()),
            list(roles.len())
        ),
    );
    let mut query = q(&full)
        .bind(actor.id.unwrap_or(-1))
        .bind(actor.org_id.unwrap_or(-1));
    for k in kinds {
        query = query.bind(k);
    }
    for r in roles {
        query = query.bind(r);
    }
    query
}

pub(crate) async fn list_for(
    db: &mut impl Exec,
    actor: &Actor,
    unread_only: bool,
    limit: i64,
) -> Result<Vec<Notification>, StoreError> {
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
    .bind(limit);
    db.fetch_all(query).await
}

pub(crate) async fn unread_count(db: &mut impl Exec, actor: &Actor) -> Result<i64, StoreError> {
    db.scalar_i64(mine(
        actor,
        "SELECT COUNT(*) FROM notifications WHERE {MINE} AND read_at IS NULL",
    ))
    .await
}

/// Whether notification `id` is addressed to the actor.
pub(crate) async fn is_mine(
    db: &mut impl Exec,
    actor: &Actor,
    id: i64,
) -> Result<bool, StoreError> {
    let found: Option<(i64,)> = db
        .fetch_optional(
            mine(
                actor,
                "SELECT id FROM notifications WHERE {MINE} AND id = ?",
            )
            .bind(id),
        )
        .await?;
    Ok(found.is_some())
}

pub(crate) async fn mark_read(
    tx: &mut impl Exec,
    id: i64,
    by: Option<i64>,
    now: i64,
) -> Result<(), StoreError> {
    tx.execute(
        q("UPDATE notifications SET read_at = ?, read_by = ? WHERE id = ? AND read_at IS NULL")
            .bind(now)
            .bind(by)
            .bind(id),
    )
    .await?;
    Ok(())
}
