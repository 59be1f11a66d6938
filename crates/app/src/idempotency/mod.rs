//! `Idempotency-Key` on creates: a retried request gets the first answer, not a
//! duplicate (DESIGN "API").

mod repo;

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
    match repo::find(&mut app.db.reader(), principal, key).await? {
        None => Ok(Lookup::Fresh),
        Some((sig, status, body)) if sig == request_sig => Ok(Lookup::Replay(Stored {
            status: u16::try_from(status)
                .map_err(|_| AppError::Internal(format!("幂等记录的状态码 {status} 无效")))?,
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
    let r = repo::insert(
        &mut tx,
        repo::NewAnswer {
            principal,
            key,
            request_sig,
            status,
            body,
            now: app.now_ms(),
        },
    )
    .await;
    match r {
        // A concurrent twin stored its answer first; either is correct.
        Err(e) if e.unique_violation().is_some() => return Ok(()),
        Err(e) => return Err(e.into()),
        Ok(_) => {}
    }
    // Keys are kept for a day.
    repo::delete_before(&mut tx, app.now_ms() - 86_400_000).await?;
    tx.commit().await?;
    Ok(())
}
