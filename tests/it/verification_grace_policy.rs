//! The report grace changed through the generic settings interface (issue #16): a version
//! effective today governs the requests sent today (SPEC "Trial rules": the version in
//! force on the day a request was sent), so their pending automatic reports move; one
//! effective later changes nothing pending.

use chrono::Duration;
use serde_json::{Value, json};

use crate::common::{Backend, Client, TestApp, spawn_demo};
use crate::verification::{body, item};

const PATH: &str = "/api/v1/policy/verification.report_grace_minutes/versions";

async fn add_version(joint: &Client, minutes: i64, from: &str) {
    let r = joint
        .post_json(
            PATH,
            &json!({"value": minutes, "effective_from": from, "note": "县联席会议办公室通知"}),
        )
        .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
}

async fn reported(t: &TestApp, c: &Client, id: i64) -> bool {
    proofless_app::jobs::run_once(&t.app, "test").await.unwrap();
    let d: Value = c.json(&format!("/api/v1/verifications/{id}")).await;
    d["reported_at"].is_i64()
}

async fn send(t: &TestApp, sj: &Client, case_ref: &str) -> i64 {
    let mut b = body(item(t, "注销户口证明").await);
    b["case_ref"] = json!(case_ref);
    let r = sj.post_json("/api/v1/verifications", &b).await;
    assert_eq!(r.status(), 201);
    r.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
}

async fn a_grace_version_effective_today_moves_pending_reports(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let sj = t.staff("sj_liaison").await;
    let joint = t.staff("joint").await;
    // Sent today (2026-03-12, Beijing) under the seed's grace of 60 minutes; due in 30.
    let id = send(&t, &sj, "SJ-GRACE-0001").await;
    // A later version (from tomorrow) changes nothing for it.
    add_version(&joint, 5, "2026-03-13").await;
    t.clock.advance(Duration::minutes(40));
    assert!(!reported(&t, &sj, id).await, "the seed's grace still runs");
    // A version effective today governs today's requests: the pending report moves up.
    add_version(&joint, 5, "2026-03-12").await;
    assert!(
        reported(&t, &sj, id).await,
        "reported 5 minutes after its due instant"
    );
    let d: Value = sj.json(&format!("/api/v1/verifications/{id}")).await;
    assert_eq!(d["report_auto"], true);
    // A longer one effective today holds back the report of a request sent today.
    let id2 = send(&t, &sj, "SJ-GRACE-0002").await;
    add_version(&joint, 600, "2026-03-12").await;
    t.clock.advance(Duration::minutes(60));
    assert!(
        !reported(&t, &sj, id2).await,
        "the longer grace holds it back"
    );
    // The settings page says which version a request uses.
    let s: Value = joint
        .json("/api/v1/policy/verification.report_grace_minutes")
        .await;
    assert!(s["label"].as_str().unwrap().contains("发出当日"), "{s}");
}

both_backends!(a_grace_version_effective_today_moves_pending_reports);
