//! The 12345 platform's callback (A4 §13; issue #20 §1): the result of each work order is
//! pushed to the configured URL as JSON, signed with HMAC-SM3 over `timestamp.body`
//! (headers `X-Proofless-Timestamp`, `X-Proofless-Signature`), and retried with back-off
//! from the durable `complaint_callbacks` table by a sweep of the jobs runner, until
//! delivered or ten attempts have failed.

use proofless_domain::role::Role;
use serde::Serialize;
use serde_json::json;

use super::input::HotlineLinkInput;
use super::repo;
use crate::App;
use crate::actor::Actor;
use crate::audit::{self, Entry};
use crate::error::{AppError, AppResult};
use crate::jobs::BoxFuture;

/// The sweep's name in the runner.
pub const SWEEP_CALLBACKS: &str = "complaints.hotline_callbacks";

/// The callback as shown (the secret never is).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct HotlineLink {
    pub callback_url: Option<String>,
    pub secret_set: bool,
}

fn may_configure(actor: &Actor) -> AppResult<()> {
    actor.require_any(&[Role::SystemAdmin, Role::ComplaintHotline])?;
    if actor.kind != crate::actor::ActorKind::Staff {
        return Err(AppError::forbidden("回调地址须由登录的工作人员设置"));
    }
    Ok(())
}

pub async fn link(app: &App, actor: &Actor) -> AppResult<HotlineLink> {
    may_configure(actor)?;
    let l = repo::hotline_link(&mut app.db.reader()).await?;
    Ok(HotlineLink {
        secret_set: l.is_some(),
        callback_url: l.map(|x| x.0),
    })
}

/// Sets where results are pushed and the shared signing key.
pub async fn set_link(
    app: &App,
    actor: &Actor,
    input: &HotlineLinkInput,
) -> AppResult<HotlineLink> {
    may_configure(actor)?;
    let (url, secret) = input.parse()?;
    // Kept encrypted under the data key, rotated with it (never in clear at rest).
    let (sealed, version) = crate::applicants::seal_secret(app, &secret).await?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    repo::set_hotline_link(&mut tx, &url, (&sealed, version), &actor.name, now).await?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("complaint.hotline_link", "complaint_hotline_link", 1)
            .detail(json!({"callback_url": url})),
    )
    .await?;
    tx.commit().await?;
    link(app, actor).await
}

/// The signature the platform checks: HMAC-SM3 of `timestamp.body` under the secret.
pub fn signature(secret: &str, timestamp: i64, body: &str) -> String {
    proofless_seal::hmac_sm3_hex(secret.as_bytes(), format!("{timestamp}.{body}").as_bytes())
}

/// Back-off after `attempts` failures: 1, 2, 4 … minutes, at most an hour.
fn backoff_ms(attempts: i64) -> i64 {
    60_000 * (1i64 << attempts.clamp(0, 6)).min(60)
}

async fn post(url: &str, secret: &str, body: &str, now: i64) -> Result<(), String> {
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(10))
        .build()
        .map_err(|e| format!("HTTP 客户端：{e}"))?;
    let r = client
        .post(url)
        .header("content-type", "application/json")
        .header("x-proofless-timestamp", now.to_string())
        .header("x-proofless-signature", signature(secret, now, body))
        .body(body.to_owned())
        .send()
        .await
        .map_err(|e| format!("无法连接12345平台：{e}"))?;
    if r.status().is_success() {
        Ok(())
    } else {
        Err(format!("12345平台返回 HTTP {}", r.status().as_u16()))
    }
}

/// Pushes the callbacks that are due; the HTTP calls are made outside any transaction.
pub async fn push_due(app: &App) -> AppResult<usize> {
    let now = app.now_ms();
    let due = repo::due_callbacks(&mut app.db.reader(), now).await?;
    if due.is_empty() {
        return Ok(0);
    }
    let Some((url, sealed)) = repo::hotline_link(&mut app.db.reader()).await? else {
        return Ok(0);
    };
    let secret = crate::applicants::open_secret(app, &sealed).await?;
    let mut delivered = 0;
    for (id, body, attempts) in due {
        let outcome = post(&url, &secret, &body, now).await;
        delivered += usize::from(outcome.is_ok());
        let mut tx = app.db.begin().await?;
        let n = attempts + 1;
        repo::callback_done(
            &mut tx,
            id,
            outcome.as_ref().map(|_| ()).map_err(String::as_str),
            n,
            now + backoff_ms(n),
            now,
        )
        .await?;
        tx.commit().await?;
    }
    Ok(delivered)
}

/// The runner's sweep (see `workflows`).
pub fn callback_sweep<'a>(app: &'a App, _runner: &'a str) -> BoxFuture<'a, usize> {
    Box::pin(push_due(app))
}
