//! Login throttling that holds under parallel requests and cannot be turned against an
//! account's owner (issue #16 item 2).

use proofless_store::q;
use serde_json::{Value, json};

use crate::common::{Backend, DEMO_PASSWORD, TestApp, plain_web, spawn_on};

/// The demo behind a trusted proxy that reports the client in `X-Forwarded-For`.
async fn behind_proxy(b: Backend) -> Option<TestApp> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let mut web = plain_web(&listener);
    web.trusted_proxy_header = Some("x-forwarded-for".to_owned());
    let t = spawn_on(listener, b, web, |s| s).await?;
    proofless_fixtures::demo::load(&t.app).await.unwrap();
    Some(t)
}

async fn login_from(t: &TestApp, from: Option<&str>, body: &Value) -> reqwest::Response {
    let c = t.client();
    let rb = c.http.post(c.url("/api/v1/auth/login")).json(body);
    let rb = match from {
        Some(ip) => rb.header("x-forwarded-for", ip),
        None => rb,
    };
    rb.send().await.unwrap()
}

async fn audit_count(t: &TestApp, action: &str) -> i64 {
    t.app
        .db
        .reader()
        .scalar_i64(q("SELECT COUNT(*) FROM audit_log WHERE action = ?").bind(action))
        .await
        .unwrap()
}

async fn staff_id(t: &TestApp, username: &str) -> i64 {
    t.app
        .db
        .reader()
        .scalar_i64(q("SELECT id FROM staff WHERE username = ?").bind(username))
        .await
        .unwrap()
}

fn field_of(p: &Value) -> &str {
    p["errors"][0]["field"].as_str().unwrap_or_default()
}

// Issue #16 item 2: attempts are counted atomically BEFORE the password is checked, so
// 100 wrong passwords sent at once are evaluated at most `max_login_failures` (5) times;
// the client's own limit (30) answers the rest 429 with Retry-After.
async fn a_parallel_burst_of_wrong_passwords_is_evaluated_at_most_the_limit(b: Backend) {
    let Some(t) = crate::common::spawn_demo(b).await else {
        return;
    };
    let c = t.client();
    let mut set = tokio::task::JoinSet::new();
    for i in 0..100 {
        let rb = c
            .http
            .post(c.url("/api/v1/auth/login"))
            .json(&json!({"username": "admin", "password": format!("guess-{i}")}));
        set.spawn(async move { rb.send().await.unwrap() });
    }
    let (mut evaluated, mut protected, mut throttled) = (0, 0, 0);
    while let Some(r) = set.join_next().await {
        let r = r.unwrap();
        match r.status().as_u16() {
            429 => {
                let secs: i64 = r.headers()["retry-after"]
                    .to_str()
                    .unwrap()
                    .parse()
                    .unwrap();
                assert!(secs > 0 && secs <= 15 * 60, "Retry-After {secs}");
                throttled += 1;
            }
            422 => {
                let p: Value = r.json().await.unwrap();
                match field_of(&p) {
                    "password" => evaluated += 1,
                    "code" => protected += 1,
                    other => panic!("unexpected field {other}: {p}"),
                }
            }
            s => panic!("unexpected status {s}"),
        }
    }
    assert!(
        evaluated <= 5,
        "{evaluated} passwords evaluated in the burst"
    );
    assert_eq!(
        evaluated + protected,
        30,
        "the client's limit lets 30 through"
    );
    assert_eq!(throttled, 70);
    // Each lock-out (the account's and the client's) is audited once.
    assert_eq!(audit_count(&t, "auth.lockout").await, 2);
}

// Issue #16 item 2: nobody can lock the real owner out. The attacker's failures protect
// the account (a one-time code is then required, audited), the attacker's own address is
// throttled, and the owner — from elsewhere — gets in with a code from their unit admin,
// or after the admin lifts the protection.
async fn an_attacker_cannot_lock_the_owner_out(b: Backend) {
    let Some(t) = behind_proxy(b).await else {
        return;
    };
    let attacker = Some("203.0.113.9");
    let owner = Some("198.51.100.7");
    let wrong = json!({"username": "ga_clerk", "password": "not-it-1"});
    for _ in 0..5 {
        let r = login_from(&t, attacker, &wrong).await;
        assert_eq!(r.status(), 422);
        assert_eq!(field_of(&r.json().await.unwrap()), "password");
    }
    // From now on the account asks for a code; the attacker's guesses are not evaluated.
    for _ in 0..25 {
        let r = login_from(&t, attacker, &wrong).await;
        assert_eq!(field_of(&r.json().await.unwrap()), "code");
    }
    // The attacker's address is over its own limit.
    let r = login_from(&t, attacker, &wrong).await;
    assert_eq!(r.status(), 429);
    assert!(r.headers().contains_key("retry-after"));
    // A forged header from an untrusted peer would only ever be the proxy's last entry.
    let r = login_from(&t, Some("198.51.100.7, 203.0.113.9"), &wrong).await;
    assert_eq!(r.status(), 429);
    // The owner, elsewhere, is neither throttled nor let in on the password alone.
    let right = json!({"username": "ga_clerk", "password": DEMO_PASSWORD});
    let r = login_from(&t, owner, &right).await;
    assert_eq!(r.status(), 422);
    let p: Value = r.json().await.unwrap();
    assert_eq!(field_of(&p), "code");
    assert!(p["detail"].as_str().unwrap().contains("管理员"), "{p}");
    assert_eq!(audit_count(&t, "auth.lockout").await, 2, "account + client");
    // Another unit's admin may not help; the clerk's own admin issues a code.
    let clerk = staff_id(&t, "ga_clerk").await;
    let path = format!("/api/v1/auth/staff/{clerk}/login-code");
    let other = t.staff("sj_admin").await;
    assert_eq!(other.post_json(&path, &json!({})).await.status(), 403);
    let admin = t.staff("ga_admin").await;
    let r = admin.post_json(&path, &json!({})).await;
    assert_eq!(r.status(), 201);
    let code = r.json::<Value>().await.unwrap()["code"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(code.len(), 8);
    let stored: (String,) = t
        .app
        .db
        .reader()
        .fetch_one(q(
            "SELECT code_hash FROM one_time_codes ORDER BY id DESC LIMIT 1",
        ))
        .await
        .unwrap();
    assert!(!stored.0.contains(&code), "only a hash of the code is kept");
    // A wrong code is refused; the right one with the right password lets the owner in.
    let with = |c: &str| json!({"username": "ga_clerk", "password": DEMO_PASSWORD, "code": c});
    let r = login_from(&t, owner, &with("00000000")).await;
    assert_eq!(field_of(&r.json().await.unwrap()), "code");
    let r = login_from(&t, owner, &with(&code)).await;
    assert_eq!(r.status(), 200);
    // Attacked again: the spent code is worth nothing; the admin lifts the protection.
    for _ in 0..6 {
        login_from(&t, Some("203.0.113.10"), &wrong).await;
    }
    let r = login_from(&t, owner, &with(&code)).await;
    assert_eq!(field_of(&r.json().await.unwrap()), "code", "single use");
    let r = admin
        .post_json(&format!("/api/v1/auth/staff/{clerk}/unlock"), &json!({}))
        .await;
    assert_eq!(r.status(), 204);
    assert_eq!(login_from(&t, owner, &right).await.status(), 200);
    assert_eq!(audit_count(&t, "auth.login_code.issue").await, 1);
    assert_eq!(audit_count(&t, "auth.unlock").await, 1);
    assert_eq!(audit_count(&t, "auth.lockout").await, 3);
}

// Issue #16 item 2: without a configured proxy the peer address is the client, whatever
// X-Forwarded-For claims; after the window the client may try again.
async fn a_forged_forwarded_header_does_not_escape_the_client_limit(b: Backend) {
    let Some(t) = crate::common::spawn_demo(b).await else {
        return;
    };
    for i in 0..30 {
        let from = format!("10.0.0.{i}");
        let body = json!({"username": format!("nobody{i}"), "password": "x1"});
        let r = login_from(&t, Some(&from), &body).await;
        assert_eq!(r.status(), 422, "attempt {i}");
    }
    let body = json!({"username": "admin", "password": DEMO_PASSWORD});
    let r = login_from(&t, Some("10.9.9.9"), &body).await;
    assert_eq!(r.status(), 429);
    t.clock.advance(chrono::Duration::minutes(16));
    assert_eq!(login_from(&t, None, &body).await.status(), 200);
}

both_backends!(
    a_parallel_burst_of_wrong_passwords_is_evaluated_at_most_the_limit,
    an_attacker_cannot_lock_the_owner_out,
    a_forged_forwarded_header_does_not_escape_the_client_limit,
);
