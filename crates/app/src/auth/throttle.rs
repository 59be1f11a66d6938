//! Attempt counters for every secret-checking endpoint (issue #16 item 2).
//!
//! A counter is incremented and read in ONE statement before any password or code is
//! checked, so a burst of parallel requests gets distinct counts and at most the limit
//! of them is ever evaluated. Keys are SM3 hashes of `kind:value`: no resident ID or
//! address sits in clear in the table. Windows are fixed (`throttle_window_minutes`).

use super::repo;
use crate::actor::Actor;
use crate::audit::{self, Entry};
use crate::error::{AppError, AppResult};
use crate::{App, password};

/// The count this attempt got, and how long until its window closes.
#[derive(Debug, Clone, Copy)]
pub struct Counted {
    pub count: i64,
    pub retry_after_secs: i64,
}

fn window_ms(app: &App) -> i64 {
    app.settings.throttle_window_minutes.max(1) * 60_000
}

fn key(kind: &str, value: &str) -> String {
    password::token_hash(&format!("{kind}:{value}"))
}

/// Count one attempt against `kind:value` and return its number in the current window.
pub async fn bump(app: &App, kind: &str, value: &str) -> AppResult<Counted> {
    let now = app.now_ms();
    let w = window_ms(app);
    let start = now - now.rem_euclid(w);
    let mut tx = app.db.begin().await?;
    let count = repo::bump_counter(&mut tx, &key(kind, value), start).await?;
    tx.commit().await?;
    Ok(Counted {
        count,
        retry_after_secs: ((start + w - now) / 1000).max(1),
    })
}

/// Give an attempt back (a successful login is not an attempt to guess).
pub async fn refund(app: &App, kind: &str, value: &str) -> AppResult<()> {
    let now = app.now_ms();
    let start = now - now.rem_euclid(window_ms(app));
    let mut tx = app.db.begin().await?;
    repo::refund_counter(&mut tx, &key(kind, value), start).await?;
    tx.commit().await?;
    Ok(())
}

/// Forget every attempt against `kind:value` (successful second factor, admin unlock).
pub async fn reset(app: &App, kind: &str, value: &str) -> AppResult<()> {
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    repo::delete_counter(&mut tx, &key(kind, value)).await?;
    // Old windows are swept as counters are reset.
    repo::delete_counters_before(&mut tx, now - 2 * window_ms(app)).await?;
    tx.commit().await?;
    Ok(())
}

/// The current count of `kind:value` without counting.
pub async fn current(app: &App, kind: &str, value: &str) -> AppResult<i64> {
    let now = app.now_ms();
    let start = now - now.rem_euclid(window_ms(app));
    Ok(repo::counter(&mut app.db.reader(), &key(kind, value), start).await?)
}

/// The refusal a client over its limit gets: 429, retry after the window (whole minutes,
/// rounded up; the web layer sends them as `Retry-After`).
pub fn too_many(c: Counted) -> AppError {
    AppError::Throttled((c.retry_after_secs + 59) / 60)
}

/// The client address's own limit over every identity endpoint (logins, activation,
/// codes, identity-provider sign-in). Over it: 429, and the moment it is crossed is
/// audited. Nothing about any account is revealed or changed.
pub async fn client_gate(app: &App, operation_id: &str, client: &str) -> AppResult<Counted> {
    let c = bump(app, "client", client).await?;
    let limit = app.settings.max_client_attempts;
    if c.count == limit + 1 {
        audit_lockout(
            app,
            operation_id,
            "client",
            client,
            serde_json::json!({
                "client": client, "attempts": c.count,
                "window_minutes": app.settings.throttle_window_minutes,
            }),
        )
        .await?;
    }
    if c.count > limit {
        return Err(too_many(c));
    }
    Ok(c)
}

/// Every lock-out is written to the audit log, by the system, with what was locked.
pub async fn audit_lockout(
    app: &App,
    operation_id: &str,
    object_type: &str,
    object_id: &str,
    detail: serde_json::Value,
) -> AppResult<()> {
    let system = Actor::system(operation_id);
    let mut tx = app.db.begin().await?;
    audit::append(
        &mut tx,
        &system,
        app.now_ms(),
        Entry::new("auth.lockout", object_type, object_id).detail(detail),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
