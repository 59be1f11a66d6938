//! `Idempotency-Key` on creates: a retried request gets the first answer, not a
//! duplicate (DESIGN "API").

use proofless_store::q;

use crate::App;
use crate::error::{AppError, AppResult};

pub struct Stored {
    pub status: u16,
    pub body: String,
}

/// What to do with a request carrying a key.
pub enum Lookup {
    /// First time: run it.
    Fresh,
    /// Same key, same request: replay the stored answer.
    Replay(Stored),
}

pub async fn lookup(app: &App, principal: &str, key: &str, request_sig: &str) -> AppResult<Lookup> {
    if key.is_empty() || key.len() > 200 {
        return Err(AppError::field(
            "Idempotency-Key",
            "Idempotency-Key 长度应为 1–200 个字符",
        ));
    }
    let row: Option<(String, i64, String)> = app
        .db
        .reader()
        .fetch_optional(
            q("SELECT request_sig, status, body FROM idempotency_keys WHERE principal = ? AND key = ?")
                .bind(principal)
                .bind(key),
        )
        .await?;
    match row {
        None => Ok(Lookup::Fresh),
        Some((sig, status, body)) if sig == request_sig => Ok(Lookup::Replay(Stored {
            status: u16::try_from(status).unwrap_or(200),
            body,
        })),
        Some(_) => Err(AppError::Conflict(
            "同一个 Idempotency-Key 已用于另一个不同的请求".to_owned(),
        )),
    }
}

pub async fn store(
    app: &App,
    principal: &str,
    key: &str,
    request_sig: &str,
    status: u16,
    body: &str,
) -> AppResult<()> {
    let mut tx = app.db.begin().await?;
    let r = tx
        .execute(
            q("INSERT INTO idempotency_keys (principal, key, request_sig, status, body, created_at) VALUES (?, ?, ?, ?, ?, ?)")
                .bind(principal)
                .bind(key)
                .bind(request_sig)
                .bind(i64::from(status))
                .bind(body)
                .bind(app.now_ms()),
        )
        .await;
    match r {
        // A concurrent twin stored its answer first; either is correct.
        Err(e) if e.unique_violation().is_some() => return Ok(()),
        Err(e) => return Err(e.into()),
        Ok(_) => {}
    }
    // Keys are kept for a day.
    tx.execute(
        q("DELETE FROM idempotency_keys WHERE created_at < ?").bind(app.now_ms() - 86_400_000),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
