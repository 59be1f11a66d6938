//! A stand-in of the city data-sharing exchange (淄博市共享交换平台) for the tests: a real
//! HTTP server on loopback speaking the protocol of `app::sharing` (HMAC-SM3 signed
//! requests and answers, replay window, transaction ids), which can be told to answer
//! slowly, fail, answer garbage or name another holder.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use proofless_domain::sharing::{signing_string, within_replay_window};
use proofless_seal::{hmac_sm3_hex, sm3_hex};
use serde_json::{Value, json};

pub const APP_ID: &str = "gaoqing-county";
pub const SECRET: &str = "city-platform-test-secret-0123456789";
const PATH: &str = "/share/v1/query";

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Mode {
    Normal,
    Slow,
    Failing,
    Malformed,
    OtherHolder,
}

#[derive(Default)]
struct Inner {
    mode: Option<Mode>,
    records: HashMap<String, Value>,
    nonces: HashSet<String>,
    hits: usize,
    refused: usize,
}

#[derive(Clone, Default)]
pub struct Platform(Arc<Mutex<Inner>>);

impl Platform {
    pub fn set_mode(&self, m: Mode) {
        self.0.lock().unwrap().mode = Some(m);
    }
    pub fn add(&self, holder_id: &str, data: Value) {
        self.0
            .lock()
            .unwrap()
            .records
            .insert(holder_id.to_owned(), data);
    }
    pub fn hits(&self) -> usize {
        self.0.lock().unwrap().hits
    }
    pub fn refused(&self) -> usize {
        self.0.lock().unwrap().refused
    }
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

fn h<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

fn signed(status: StatusCode, body: String) -> Response {
    let ts = now_ms();
    let nonce = format!("{:032x}", rand_u128());
    let sig = hmac_sm3_hex(
        SECRET.as_bytes(),
        signing_string("RESPONSE", PATH, ts, &nonce, &sm3_hex(body.as_bytes())).as_bytes(),
    );
    (
        status,
        [
            ("x-timestamp", ts.to_string()),
            ("x-nonce", nonce),
            ("x-signature", sig),
            ("content-type", "application/json".into()),
        ],
        body,
    )
        .into_response()
}

fn rand_u128() -> u128 {
    use std::time::{SystemTime, UNIX_EPOCH};
    let t = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    t ^ (std::process::id() as u128) << 64
}

async fn query(State(p): State<Platform>, headers: HeaderMap, body: Bytes) -> Response {
    let ts: i64 = h(&headers, "x-timestamp").parse().unwrap_or(0);
    let nonce = h(&headers, "x-nonce").to_owned();
    let expected = hmac_sm3_hex(
        SECRET.as_bytes(),
        signing_string("POST", PATH, ts, &nonce, &sm3_hex(&body)).as_bytes(),
    );
    let mode = {
        let mut g = p.0.lock().unwrap();
        g.hits += 1;
        let fresh = g.nonces.insert(nonce.clone());
        if h(&headers, "x-app-id") != APP_ID
            || h(&headers, "x-signature") != expected
            || !within_replay_window(ts, now_ms())
            || !fresh
        {
            g.refused += 1;
            return (StatusCode::UNAUTHORIZED, "bad signature").into_response();
        }
        g.mode.unwrap_or(Mode::Normal)
    };
    let req: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let tid = req["transaction_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    if tid != h(&headers, "x-transaction-id") {
        return (StatusCode::BAD_REQUEST, "transaction id").into_response();
    }
    let holder = req["holder_id"].as_str().unwrap_or_default().to_owned();
    match mode {
        Mode::Slow => {
            tokio::time::sleep(std::time::Duration::from_secs(3)).await;
            signed(StatusCode::OK, json!({"transaction_id": tid, "found": false}).to_string())
        }
        Mode::Failing => (StatusCode::INTERNAL_SERVER_ERROR, "down").into_response(),
        Mode::Malformed => signed(StatusCode::OK, "{\"transaction_id\": \"".to_owned() + &tid + "\", \"found\": tru"),
        Mode::OtherHolder => signed(
            StatusCode::OK,
            json!({"transaction_id": tid, "found": true, "holder_id": "110101199003077777", "holder_name": "某某",
                "issuer": "淄博市卫生健康委员会", "data": {}})
            .to_string(),
        ),
        Mode::Normal => {
            let rec = p.0.lock().unwrap().records.get(&holder).cloned();
            let body = match rec {
                Some(data) => json!({"transaction_id": tid, "found": true, "holder_id": holder, "holder_name": "张三",
                    "issuer": "淄博市卫生健康委员会", "data": data}),
                None => json!({"transaction_id": tid, "found": false}),
            };
            signed(StatusCode::OK, body.to_string())
        }
    }
}

/// Starts the stand-in on 127.0.0.1:0; returns its base URL and its controls.
pub async fn start() -> (String, Platform) {
    let p = Platform::default();
    let app = Router::new().route(PATH, post(query)).with_state(p.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}"), p)
}
