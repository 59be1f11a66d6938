//! Prometheus metrics: request counts by route class and status, and latency.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::error::ApiError;

const BUCKETS_MS: [u64; 10] = [1, 2, 5, 10, 25, 50, 100, 250, 1000, 5000];

#[derive(Default)]
pub struct Metrics {
    by_status: [AtomicU64; 6],
    buckets: [AtomicU64; 10],
    count: AtomicU64,
    sum_us: AtomicU64,
    in_flight: AtomicU64,
}

impl Metrics {
    fn observe(&self, status: u16, elapsed_us: u64) {
        let class = usize::from(status / 100).min(5);
        self.by_status[class].fetch_add(1, Ordering::Relaxed);
        self.count.fetch_add(1, Ordering::Relaxed);
        self.sum_us.fetch_add(elapsed_us, Ordering::Relaxed);
        for (i, b) in BUCKETS_MS.iter().enumerate() {
            if elapsed_us <= b * 1000 {
                self.buckets[i].fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    /// The text exposition format.
    pub fn render(&self) -> String {
        let mut s = String::new();
        s.push_str("# HELP proofless_http_requests_total HTTP requests by status class.\n");
        s.push_str("# TYPE proofless_http_requests_total counter\n");
        for (i, c) in self.by_status.iter().enumerate().skip(1) {
            s.push_str(&format!(
                "proofless_http_requests_total{{status=\"{i}xx\"}} {}\n",
                c.load(Ordering::Relaxed)
            ));
        }
        s.push_str("# HELP proofless_http_request_duration_seconds Request latency.\n");
        s.push_str("# TYPE proofless_http_request_duration_seconds histogram\n");
        for (i, b) in BUCKETS_MS.iter().enumerate() {
            s.push_str(&format!(
                "proofless_http_request_duration_seconds_bucket{{le=\"{}\"}} {}\n",
                *b as f64 / 1000.0,
                self.buckets[i].load(Ordering::Relaxed)
            ));
        }
        let count = self.count.load(Ordering::Relaxed);
        s.push_str(&format!(
            "proofless_http_request_duration_seconds_bucket{{le=\"+Inf\"}} {count}\n"
        ));
        s.push_str(&format!(
            "proofless_http_request_duration_seconds_sum {}\n",
            self.sum_us.load(Ordering::Relaxed) as f64 / 1e6
        ));
        s.push_str(&format!(
            "proofless_http_request_duration_seconds_count {count}\n"
        ));
        s.push_str("# HELP proofless_http_in_flight Requests being served.\n# TYPE proofless_http_in_flight gauge\n");
        s.push_str(&format!(
            "proofless_http_in_flight {}\n",
            self.in_flight.load(Ordering::Relaxed)
        ));
        s
    }
}

pub async fn layer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    state.metrics.in_flight.fetch_add(1, Ordering::Relaxed);
    let res = next.run(req).await;
    state.metrics.in_flight.fetch_sub(1, Ordering::Relaxed);
    let us = u64::try_from(start.elapsed().as_micros()).unwrap_or(u64::MAX);
    state.metrics.observe(res.status().as_u16(), us);
    res
}

fn exposition(state: &AppState) -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
        .into_response()
}

/// `/metrics` on the public address: only for a scraper holding the configured token;
/// without one configured the address does not exist there (SPEC: not public).
pub async fn public(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(expected) = state
        .config
        .metrics_token
        .as_deref()
        .filter(|t| !t.is_empty())
    else {
        return ApiError::new(
            StatusCode::NOT_FOUND,
            "not-found",
            "未找到",
            "地址 /metrics 不存在",
        )
        .into_response();
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .unwrap_or("");
    if !same_secret(given.as_bytes(), expected.as_bytes()) {
        let mut res = ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "需要采集令牌",
            "读取监控指标须带上配置的采集令牌（Authorization: Bearer …）",
        )
        .into_response();
        res.headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        return res;
    }
    exposition(&state)
}

/// `/metrics` on the internal listen address, which only the monitoring network reaches.
pub async fn internal(State(state): State<AppState>) -> Response {
    exposition(&state)
}

/// Compare without an early exit, so the time taken says nothing about the token.
fn same_secret(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
