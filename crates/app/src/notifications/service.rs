//! Sending notifications inside a workflow's transaction, and reading one's own.

use proofless_domain::notification::NotificationKind;
use proofless_domain::role::Role;
use proofless_store::Tx;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::repo;
use crate::App;
use crate::actor::Actor;
use crate::audit::{self, Entry};
use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct Notification {
    pub id: i64,
    pub recipient_org_id: Option<i64>,
    pub recipient_staff_id: Option<i64>,
    pub recipient_role: Option<Role>,
    pub kind: NotificationKind,
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
    Role(Role),
}

/// One notification to insert with [`insert_many_in`].
pub struct NewNotification {
    pub to: Recipient,
    pub kind: NotificationKind,
    pub text: String,
    pub link: String,
    pub dedupe_key: String,
}

/// Inserts a notification inside `tx`; `false` when this event was already notified to
/// this recipient (nothing written).
pub async fn insert_in(
    tx: &mut Tx,
    to: &Recipient,
    kind: NotificationKind,
    text: &str,
    link: &str,
    dedupe_key: &str,
    now_ms: i64,
) -> AppResult<bool> {
    let one = NewNotification {
        to: to.clone(),
        kind,
        text: text.to_owned(),
        link: link.to_owned(),
        dedupe_key: dedupe_key.to_owned(),
    };
    Ok(repo::insert(tx, std::slice::from_ref(&one), now_ms).await? == 1)
}

/// Inserts many notifications inside `tx` with a few statements; an event already notified to
/// a recipient is skipped. Returns how many were written.
pub async fn insert_many_in(tx: &mut Tx, items: &[NewNotification], now_ms: i64) -> AppResult<u64> {
    Ok(repo::insert(tx, items, now_ms).await?)
}

/// The actor's notifications, newest first.
pub async fn list(
    app: &App,
    actor: &Actor,
    unread_only: bool,
    limit: i64,
) -> AppResult<Vec<Notification>> {
    actor.require_staff()?;
    Ok(repo::list_for(
        &mut app.db.reader(),
        actor,
        unread_only,
        limit.clamp(1, 500),
    )
    .await?)
}

/// How many unread notifications the actor has (the badge).
pub async fn unread_count(app: &App, actor: &Actor) -> AppResult<i64> {
    if actor.require_staff().is_err() {
        return Ok(0);
    }
    Ok(repo::unread_count(&mut app.db.reader(), actor).await?)
}

/// Marks a notification read (for everyone it was addressed to).
pub async fn mark_read(app: &App, actor: &Actor, id: i64) -> AppResult<()> {
    actor.require_staff()?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    if !repo::is_mine(&mut tx, actor, id).await? {
        return Err(AppError::NotFound(format!("通知 {id}")));
    }
    repo::mark_read(&mut tx, id, actor.id, now).await?;
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
