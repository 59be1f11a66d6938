//! The city platform connector (issue #18 §4): the county does not hold every licence, so
//! items whose source is the city data-sharing exchange are fetched over HTTP with an
//! HMAC-SM3 signed request (method, path, timestamp, nonce, body; a transaction id; a replay
//! window), a timeout, retries with backoff and a circuit breaker per source. The answer is
//! checked (its signature, transaction id and the list's template) before it is used.
//! Sources are pluggable: each is a row of `sharing_sources` set by the system admin.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};
use std::time::Duration;

use proofless_domain::role::Role;
use proofless_domain::sharing::{self as rules, Breaker, SharingSource};
use proofless_seal::{hmac_sm3_hex, sm3_hex};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value as Json, json};

use super::input::text;
use super::list::fields_of;
use super::pulls::Fetched;
use super::repo::{self, SourceRow, VersionRow};
use crate::App;
use crate::actor::Actor;
use crate::audit::{self, Entry};
use crate::error::{AppError, AppResult, Problems};
use crate::password::random_token;

pub const QUERY_PATH: &str = "/share/v1/query";
const SECRET_CONTEXT: &str = "sharing_sources.secret";

static HTTP: LazyLock<reqwest::Client> = LazyLock::new(reqwest::Client::new);
static BREAKERS: LazyLock<Mutex<HashMap<String, Breaker>>> = LazyLock::new(Mutex::default);

/// The system admin points a source at its endpoint with its key.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SourceInput {
    pub base_url: String,
    pub app_id: String,
    /// The shared HMAC-SM3 key (stored encrypted; never shown again).
    pub secret: String,
    pub timeout_ms: Option<i64>,
    pub retries: Option<i64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SourceView {
    pub source: SharingSource,
    pub source_label: String,
    pub base_url: String,
    pub app_id: String,
    pub timeout_ms: i64,
    pub retries: i64,
    pub updated_by: String,
    pub updated_at: i64,
    /// The circuit breaker has opened after repeated failures.
    pub breaker_open: bool,
}

fn master(app: &App) -> AppResult<&proofless_seal::MasterKey> {
    app.settings
        .master_key
        .as_deref()
        .ok_or_else(|| AppError::Internal("未配置主密钥，不能保存数据源密钥".into()))
}

fn view(app: &App, r: SourceRow) -> AppResult<SourceView> {
    let source = SharingSource::parse(&r.source)
        .ok_or_else(|| AppError::Internal(format!("未知的数据源“{}”", r.source)))?;
    let open = BREAKERS
        .lock()
        .map(|b| b.get(&r.base_url).is_some_and(|b| b.is_open(app.now_ms())))
        .unwrap_or(false);
    Ok(SourceView {
        source_label: source.label().to_owned(),
        source,
        base_url: r.base_url,
        app_id: r.app_id,
        timeout_ms: r.timeout_ms,
        retries: r.retries,
        updated_by: r.updated_by,
        updated_at: r.updated_at,
        breaker_open: open,
    })
}

/// Sets the city platform's endpoint and key (system admin).
pub async fn configure_source(
    app: &App,
    actor: &Actor,
    input: &SourceInput,
) -> AppResult<SourceView> {
    actor.require_any(&[Role::SystemAdmin])?;
    let mut p = Problems::default();
    let base = text(&mut p, "base_url", "接口地址", &input.base_url, 300);
    if !(base.starts_with("http://") || base.starts_with("https://")) {
        p.add("base_url", "接口地址应以 http:// 或 https:// 开头");
    }
    let app_id = text(&mut p, "app_id", "应用标识", &input.app_id, 100);
    if input.secret.chars().count() < 16 || input.secret.len() > 256 {
        p.add("secret", "密钥应为16至256个字符");
    }
    let timeout = input.timeout_ms.unwrap_or(3_000);
    if !(100..=30_000).contains(&timeout) {
        p.add("timeout_ms", "超时应在100至30000毫秒之间");
    }
    let retries = input.retries.unwrap_or(2);
    if !(0..=5).contains(&retries) {
        p.add("retries", "重试次数应在0至5之间");
    }
    p.into_result()?;
    let enc = proofless_seal::encrypt_field(master(app)?, SECRET_CONTEXT, &input.secret)
        .map_err(|e| AppError::Internal(format!("密钥加密失败：{e}")))?;
    let now = app.now_ms();
    let row = SourceRow {
        source: SharingSource::CityPlatform.as_str().to_owned(),
        base_url: base.trim_end_matches('/').to_owned(),
        app_id,
        secret_enc: enc,
        timeout_ms: timeout,
        retries,
        updated_by: actor.name.clone(),
        updated_at: now,
    };
    let mut tx = app.db.begin().await?;
    repo::upsert_source(&mut tx, &row).await?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("sharing.source.configure", "sharing_source", &row.source)
            .detail(json!({ "base_url": row.base_url, "app_id": row.app_id, "timeout_ms": timeout, "retries": retries })),
    )
    .await?;
    tx.commit().await?;
    view(app, row)
}

/// The configured sources (system admin).
pub async fn sources(app: &App, actor: &Actor) -> AppResult<Vec<SourceView>> {
    actor.require_any(&[Role::SystemAdmin])?;
    repo::all_sources(&mut app.db.reader())
        .await?
        .into_iter()
        .map(|r| view(app, r))
        .collect()
}

/// The city platform's answer, as the protocol defines it (`sharing/mod.rs`).
#[derive(Debug, Deserialize)]
struct Answer {
    transaction_id: String,
    found: bool,
    #[serde(default)]
    holder_id: String,
    #[serde(default)]
    data: Map<String, Json>,
}

/// One attempt's failure: whether another attempt may help, and why, in Chinese.
struct Failure {
    retry: bool,
    why: String,
}

fn fail(retry: bool, why: impl Into<String>) -> Failure {
    Failure {
        retry,
        why: why.into(),
    }
}

fn header<'a>(h: &'a reqwest::header::HeaderMap, name: &str) -> &'a str {
    h.get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

fn wall_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

async fn attempt(src: &SourceRow, secret: &str, body: &str, tid: &str) -> Result<Answer, Failure> {
    // The platform lives in real time: its replay window is checked against the wall clock.
    let ts = wall_ms();
    let nonce = random_token(16);
    let sig = hmac_sm3_hex(
        secret.as_bytes(),
        rules::signing_string("POST", QUERY_PATH, ts, &nonce, &sm3_hex(body.as_bytes())).as_bytes(),
    );
    let res = HTTP
        .post(format!("{}{QUERY_PATH}", src.base_url))
        .timeout(Duration::from_millis(src.timeout_ms.max(1) as u64))
        .header("content-type", "application/json")
        .header("X-App-Id", &src.app_id)
        .header("X-Timestamp", ts.to_string())
        .header("X-Nonce", &nonce)
        .header("X-Transaction-Id", tid)
        .header("X-Signature", sig)
        .body(body.to_owned())
        .send()
        .await
        .map_err(|e| {
            if e.is_timeout() {
                fail(true, "市共享交换平台响应超时")
            } else {
                fail(true, "无法连接市共享交换平台")
            }
        })?;
    let status = res.status();
    if status.is_server_error() {
        return Err(fail(
            true,
            format!("市共享交换平台暂时故障（HTTP {}）", status.as_u16()),
        ));
    }
    if !status.is_success() {
        return Err(fail(
            false,
            format!(
                "市共享交换平台拒绝了请求（HTTP {}，签名或授权有误）",
                status.as_u16()
            ),
        ));
    }
    let headers = res.headers().clone();
    let bytes = res
        .bytes()
        .await
        .map_err(|_| fail(true, "市共享交换平台的应答不完整"))?;
    let rts: i64 = header(&headers, "X-Timestamp").parse().unwrap_or(0);
    let rnonce = header(&headers, "X-Nonce");
    let expected = hmac_sm3_hex(
        secret.as_bytes(),
        rules::signing_string("RESPONSE", QUERY_PATH, rts, rnonce, &sm3_hex(&bytes)).as_bytes(),
    );
    if header(&headers, "X-Signature") != expected || !rules::nonce_ok(rnonce) {
        return Err(fail(true, "市共享交换平台的应答签名无效"));
    }
    if !rules::within_replay_window(rts, wall_ms()) {
        return Err(fail(true, "市共享交换平台的应答时间超出防重放窗口"));
    }
    let answer: Answer =
        serde_json::from_slice(&bytes).map_err(|_| fail(true, "市共享交换平台的应答格式错误"))?;
    if answer.transaction_id != tid {
        return Err(fail(true, "市共享交换平台的应答与本次交易不符"));
    }
    Ok(answer)
}

fn breaker_allows(base: &str, now: i64) -> bool {
    BREAKERS
        .lock()
        .map(|b| b.get(base).is_none_or(|b| b.allows(now)))
        .unwrap_or(true)
}

fn breaker_note(base: &str, now: i64, ok: bool) {
    if let Ok(mut b) = BREAKERS.lock() {
        let e = b.entry(base.to_owned()).or_default();
        if ok { e.success() } else { e.failure(now) }
    }
}

/// Fetches the applicant's data for the entry's item from the city platform.
/// `in_request`: the request's own attempts with short backoff (the source's `retries`);
/// otherwise one attempt, as a durable retry job makes it (`pulls::run_city_retry`).
pub(super) async fn fetch_city(
    app: &App,
    entry: &VersionRow,
    person: i64,
    in_request: bool,
) -> AppResult<Fetched> {
    let Some(src) =
        repo::source(&mut app.db.reader(), SharingSource::CityPlatform.as_str()).await?
    else {
        return Ok(Fetched::Unavailable("尚未配置市共享交换平台的接口".into()));
    };
    if !breaker_allows(&src.base_url, app.now_ms()) {
        return Ok(Fetched::Unavailable(
            "市共享交换平台连续故障，已暂停调用（熔断），稍后自动恢复".into(),
        ));
    }
    let secret = proofless_seal::decrypt_field(master(app)?, SECRET_CONTEXT, &src.secret_enc)
        .map_err(|e| AppError::Internal(format!("数据源密钥无法解密：{e}")))?;
    let rid_enc = repo::person_rid_enc(&mut app.db.reader(), person)
        .await?
        .ok_or_else(|| AppError::NotFound("申请人".into()))?;
    let rid = crate::applicants::reveal_resident_id(app, &rid_enc).await?;
    let item = crate::catalogue::public::item(app, entry.proof_item_id).await?;
    let tid = random_token(16);
    let body = json!({
        "transaction_id": tid, "item_id": entry.proof_item_id, "item_name": item.name, "holder_id": rid,
    })
    .to_string();
    let attempts = if in_request {
        1 + src.retries.clamp(0, 5) as u32
    } else {
        1
    };
    let mut last = String::new();
    for n in 1..=attempts {
        match attempt(&src, &secret, &body, &tid).await {
            Ok(a) => {
                breaker_note(&src.base_url, app.now_ms(), true);
                return map_answer(entry, &rid, a);
            }
            Err(f) => {
                last = f.why;
                if !f.retry {
                    break;
                }
                if n < attempts {
                    tokio::time::sleep(Duration::from_millis(rules::backoff_ms(n))).await;
                }
            }
        }
    }
    breaker_note(&src.base_url, app.now_ms(), false);
    Ok(Fetched::Unavailable(if attempts > 1 {
        format!("{last}（已重试{}次）", attempts - 1)
    } else {
        last
    }))
}

/// Maps the platform's answer to the list's template.
fn map_answer(entry: &VersionRow, rid: &str, a: Answer) -> AppResult<Fetched> {
    if !a.found {
        return Ok(Fetched::NotFound(
            "市共享交换平台没有该申请人的此项数据".into(),
        ));
    }
    if !a.holder_id.eq_ignore_ascii_case(rid) {
        return Ok(Fetched::Mismatch(
            "市共享交换平台返回的持证人与申请人不一致".into(),
        ));
    }
    let fields = fields_of(entry)?;
    let data: Map<String, Json> = a
        .data
        .into_iter()
        .filter(|(k, _)| fields.iter().any(|f| &f.key == k))
        .collect();
    if !proofless_domain::verification::check_values(&fields, &data).is_empty() {
        return Ok(Fetched::Unavailable(
            "市共享交换平台返回的数据不符合共享清单的标准模板".into(),
        ));
    }
    Ok(Fetched::Found {
        data,
        eproof_id: None,
    })
}
