//! Several instances behind one address (issue #23): three servers on one database, each with
//! its own connection pool, a round-robin proxy in front that sends every new connection to the
//! next one. Verifications are sent and answered through it and escalated by the three job
//! runners passing at once: every effect happens exactly once, and each instance served.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::Duration;
use proofless_app::App;
use proofless_store::{Db, DbOptions};
use proofless_web::{AppState, WebConfig};
use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};

use crate::common::{Backend, Client, DEMO_PASSWORD, TestApp, spawn_demo};
use crate::verification::{body, item, scalar};

/// Another instance of the server on `t`'s database: its own pool, the same clock and keys.
async fn another_instance(t: &TestApp) -> (App, String) {
    let url = crate::ops_backup::own_url(t).await;
    let db = Db::connect(&url, &DbOptions { max_connections: 4 })
        .await
        .unwrap();
    let app = App::new(db, t.clock.clone(), (*t.app.settings).clone());
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let state = AppState::new(app.clone(), WebConfig::local(addr.port()));
    tokio::spawn(async move {
        let _ = proofless_web::serve(listener, state, std::future::pending()).await;
    });
    (app, addr.to_string())
}

/// A TCP proxy on loopback handing each new connection to the next backend in turn; counts
/// the connections each backend got.
async fn round_robin(backends: Vec<String>) -> (String, Arc<Vec<AtomicUsize>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let served: Arc<Vec<AtomicUsize>> =
        Arc::new(backends.iter().map(|_| AtomicUsize::new(0)).collect());
    let counts = served.clone();
    tokio::spawn(async move {
        let mut next = 0usize;
        while let Ok((mut inbound, _)) = listener.accept().await {
            let i = next % backends.len();
            next += 1;
            counts[i].fetch_add(1, Ordering::Relaxed);
            let target = backends[i].clone();
            tokio::spawn(async move {
                if let Ok(mut outbound) = TcpStream::connect(&target).await {
                    let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                }
            });
        }
    });
    (format!("http://{addr}"), served)
}

/// A staff client through the proxy that opens a new connection for every request, so the
/// proxy spreads its requests over the instances; the session cookie is valid on all.
async fn staff_via(base: &str, username: &str) -> Client {
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .pool_max_idle_per_host(0)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut c = Client {
        http,
        base: base.to_owned(),
        csrf: String::new(),
        bearer: None,
    };
    let r = c
        .post_json(
            "/api/v1/auth/login",
            &json!({"username": username, "password": DEMO_PASSWORD}),
        )
        .await;
    assert_eq!(r.status(), 200, "login as {username}");
    let me: Value = r.json().await.unwrap();
    c.csrf = me["csrf_token"].as_str().unwrap().to_owned();
    c
}

async fn three_instances_behind_one_address(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let (app2, addr2) = another_instance(&t).await;
    let (app3, addr3) = another_instance(&t).await;
    let addr1 = t.base.trim_start_matches("http://").to_owned();
    let (base, served) = round_robin(vec![addr1, addr2, addr3]).await;

    let hukou = item(&t, "注销户口证明").await;
    let sj = staff_via(&base, "sj_liaison").await;
    let ga = staff_via(&base, "ga_proxy1").await;
    let mut ids = Vec::new();
    for n in 0..12 {
        let mut b = body(hukou);
        b["case_ref"] = json!(format!("SJ-3INST-{n:04}"));
        let r = sj.post_json("/api/v1/verifications", &b).await;
        assert_eq!(r.status(), 201, "send {n}");
        ids.push(r.json::<Value>().await.unwrap()["id"].as_i64().unwrap());
    }
    // Half answered in time, each once even when the answer is sent twice at once.
    for id in &ids[..6] {
        let path = format!("/api/v1/verifications/{id}/answer");
        let answer = json!({"outcome": "confirmed", "answer": {"remarks": "经查询户籍系统属实"}});
        let (r1, r2) = tokio::join!(ga.post_json(&path, &answer), ga.post_json(&path, &answer));
        let mut codes = [r1.status().as_u16(), r2.status().as_u16()];
        codes.sort_unstable();
        assert_eq!(codes, [200, 409], "answered once: {id}");
    }
    // The rest run late; past the report grace the three runners pass at once, twice.
    t.clock.advance(Duration::hours(30));
    for _ in 0..2 {
        let (r1, r2, r3) = tokio::join!(
            proofless_app::jobs::run_once(&t.app, "instance-1"),
            proofless_app::jobs::run_once(&app2, "instance-2"),
            proofless_app::jobs::run_once(&app3, "instance-3"),
        );
        r1.unwrap();
        r2.unwrap();
        r3.unwrap();
    }
    let late = "SELECT COUNT(*) FROM violation_records WHERE source_ref = ? AND kind = 'verification_late'";
    let reported = "SELECT COUNT(*) FROM verifications WHERE id = CAST(? AS BIGINT) AND reported_at IS NOT NULL";
    let sealed =
        "SELECT COUNT(*) FROM verifications WHERE id = CAST(? AS BIGINT) AND sealed_id IS NOT NULL";
    for (n, id) in ids.iter().enumerate() {
        let r = format!("verification:{id}");
        let expect = i64::from(n >= 6);
        assert_eq!(scalar(&t, late, &r).await, expect, "late records of {id}");
        assert_eq!(
            scalar(&t, reported, &id.to_string()).await,
            expect,
            "reported {id}"
        );
        assert_eq!(
            scalar(&t, sealed, &id.to_string()).await,
            1 - expect,
            "sealed {id}"
        );
    }
    // Every instance served requests, and the audit chain written by all three is whole.
    for (i, s) in served.iter().enumerate() {
        assert!(s.load(Ordering::Relaxed) > 3, "instance {} served", i + 1);
    }
    let admin = staff_via(&base, "admin").await;
    let v: Value = admin.json("/api/v1/audit/verify").await;
    assert_eq!(v["ok"], true, "{v}");
}

both_backends!(three_instances_behind_one_address);
