//! Credit after a check (issue #6 §5–6, SPEC R4.4, R4.8): a false promise, the subject
//! notified, the objection period, the credit office's decision, refusal of commitment,
//! credit repair, and the feed to 信用淄博 (file and HTTP push to a loopback receiver).

use std::sync::{Arc, Mutex};

use chrono::Duration;
use serde_json::{Value, json};

use crate::commitment_flow::{
    LI, RESIDENCE, ZHANG, check_everyone, citizen, item, person, sign_portal,
};
use crate::common::{Backend, TestApp, spawn_demo};

/// 李四 signs for the residence item, checked by the market regulator, found false.
async fn false_finding(t: &TestApp) -> (Value, Value) {
    check_everyone(t, RESIDENCE, "县市场监管局").await;
    let li = citizen(t, LI).await;
    let r = sign_portal(t, &li, RESIDENCE, "县行政审批服务局", LI).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let cm: Value = r.json().await.unwrap();
    let inspector = t.staff("sj_inspector").await;
    let path = format!("/api/v1/commitments/{}/check", cm["id"]);
    // A false finding needs the consequence the unit decides.
    let r = inspector
        .post_json(
            &path,
            &json!({"result": "false", "evidence": "现场无经营场所"}),
        )
        .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("consequence"));
    let r = inspector
        .post_json(
            &path,
            &json!({"result": "false", "evidence": "现场核查：承诺的经营场所为空置民宅，无经营迹象",
                    "consequence": "revoke_decision"}),
        )
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let checked: Value = r.json().await.unwrap();
    assert_eq!(checked["state"], "false");
    // Checked once only.
    let r = inspector
        .post_json(&path, &json!({"result": "kept", "evidence": "再次核查"}))
        .await;
    assert_eq!(r.status(), 409);
    let props: Value = li.json("/api/v1/credit/proposals").await;
    assert_eq!(
        props.as_array().unwrap().len(),
        1,
        "the subject is notified"
    );
    (checked, props[0].clone())
}

async fn a_false_promise_leads_by_due_process_to_the_blacklist(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let (_, prop) = false_finding(&t).await;
    assert_eq!(prop["state"], "notified");
    let credit = t.staff("credit").await;
    let decide = format!("/api/v1/credit/proposals/{}/decision", prop["id"]);
    // Not before the objection period ends.
    let r = credit
        .post_json(&decide, &json!({"decision": "list", "reasons": ""}))
        .await;
    assert_eq!(r.status(), 409);
    assert!(r.text().await.unwrap().contains("异议期"));
    // The runner tells the credit office when the period ends.
    t.clock.advance(Duration::days(8));
    proofless_app::jobs::run_once(&t.app, "test").await.unwrap();
    // Sessions expire over a week: log in again.
    let credit = t.staff("credit").await;
    let notes: Value = credit.json("/api/v1/notifications").await;
    assert!(
        notes.to_string().contains("异议期已届满"),
        "credit office reminded: {notes}"
    );
    // Too late to object now.
    let li = citizen(&t, LI).await;
    let r = li
        .post_json(
            &format!("/api/v1/credit/proposals/{}/objection", prop["id"]),
            &json!({"objection": "我不同意"}),
        )
        .await;
    assert_eq!(r.status(), 409);
    let r = credit
        .post_json(&decide, &json!({"decision": "maybe"}))
        .await;
    assert_eq!(r.status(), 422);
    let r = credit
        .post_json(
            &decide,
            &json!({"decision": "list", "reasons": "经告知未提出异议，依法列入"}),
        )
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    assert_eq!(r.json::<Value>().await.unwrap()["state"], "listed");
    assert_eq!(
        credit
            .post_json(&decide, &json!({"decision": "list"}))
            .await
            .status(),
        409,
        "decided once"
    );
    // R4.4: refused, with the reason and the way back.
    let e: Value = li
        .json(&format!(
            "/api/v1/commitments/eligibility?proof_item_id={}",
            item(&t, RESIDENCE).await
        ))
        .await;
    assert_eq!(e["eligible"], false);
    assert!(e["reason"].as_str().unwrap().contains("黑名单"));
    assert!(e["way_back"].as_str().unwrap().contains("信用修复"));
    let r = sign_portal(&t, &li, RESIDENCE, "县行政审批服务局", LI).await;
    assert_eq!(r.status(), 409);
    assert!(r.text().await.unwrap().contains("信用修复"));
    // The read-only hot path (benchmarked) decides the same.
    let li_ref = format!("person:{}", person(&t, LI).await);
    let item_id = item(&t, RESIDENCE).await;
    let d = proofless_app::commitment::plan_for(&t.app, &li_ref, item_id)
        .await
        .unwrap();
    assert!(d.unwrap_err().reason.contains("黑名单"));
    let zhang_ref = format!("person:{}", person(&t, ZHANG).await);
    let d = proofless_app::commitment::plan_for(&t.app, &zhang_ref, item_id)
        .await
        .unwrap();
    assert_eq!(d.unwrap().unwrap().kind.as_str(), "check");
    // Credit office screens.
    let bl: Value = credit.json("/api/v1/credit/blacklist").await;
    // Lists show the name masked (issue #16 item 6; names are encrypted at rest, item 9).
    assert_eq!(bl[0]["subject_name"], "李*");
    let recs: Value = credit.json("/api/v1/credit/records").await;
    let kinds: Vec<&str> = recs
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"commitment_false") && kinds.contains(&"blacklisted"));

    // Credit repair: only after rectification and the minimum time.
    let entry = bl[0]["id"].as_i64().unwrap();
    let r = li
        .post_json(
            "/api/v1/credit/repairs",
            &json!({"entry_id": entry, "rectification": "已如实补交住所证明材料并接受处理"}),
        )
        .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let repair: Value = r.json().await.unwrap();
    let rd = format!("/api/v1/credit/repairs/{}/decision", repair["id"]);
    let r = credit
        .post_json(&rd, &json!({"approve": true, "rectified": true}))
        .await;
    assert_eq!(r.status(), 422, "too early");
    t.clock.advance(Duration::days(90));
    let credit = t.staff("credit").await;
    let li = citizen(&t, LI).await;
    let r = credit
        .post_json(&rd, &json!({"approve": true, "rectified": true}))
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let e: Value = li
        .json(&format!(
            "/api/v1/commitments/eligibility?proof_item_id={}",
            item(&t, RESIDENCE).await
        ))
        .await;
    assert_eq!(e["eligible"], true, "after repair: {e}");
    let bl: Value = credit.json("/api/v1/credit/blacklist").await;
    assert_eq!(bl.as_array().unwrap().len(), 0);
}

async fn an_objection_in_time_must_be_answered_in_the_decision(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let (_, prop) = false_finding(&t).await;
    let li = citizen(&t, LI).await;
    let path = format!("/api/v1/credit/proposals/{}/objection", prop["id"]);
    assert_eq!(
        li.post_json(&path, &json!({"objection": ""}))
            .await
            .status(),
        422
    );
    let r = li
        .post_json(&path, &json!({"objection": "场所正在装修，并非虚假"}))
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        li.post_json(&path, &json!({"objection": "再提一次"}))
            .await
            .status(),
        409
    );
    // Someone else cannot object for them.
    let zhang = citizen(&t, ZHANG).await;
    assert_eq!(
        zhang
            .post_json(&path, &json!({"objection": "代为异议"}))
            .await
            .status(),
        403
    );
    let credit = t.staff("credit").await;
    let decide = format!("/api/v1/credit/proposals/{}/decision", prop["id"]);
    let r = credit
        .post_json(&decide, &json!({"decision": "dismiss"}))
        .await;
    assert_eq!(r.status(), 409, "reasons for the objection are required");
    let r = credit
        .post_json(
            &decide,
            &json!({"decision": "dismiss", "reasons": "异议成立：场所装修有施工许可"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["state"], "dismissed");
    // Not blacklisted; the serious record still bars commitment until repair (R4.4).
    let st = proofless_app::credit::status(&t.app, &format!("person:{}", person(&t, LI).await))
        .await
        .unwrap();
    assert!(!st.blacklisted);
    assert_eq!(st.serious_records, 1);

    // SPEC R4.4: the way back is credit repair of the record itself (no blacklist entry).
    let li_ref = crate::commitment_flow::person_ref(&t, LI).await;
    let repair = |body: Value| {
        let li = &li;
        async move { li.post_json("/api/v1/credit/repairs", &body).await }
    };
    // Another subject's record cannot be repaired by this citizen.
    let zhang_ref = crate::commitment_flow::person_ref(&t, ZHANG).await;
    let r = repair(json!({"subject_ref": zhang_ref, "rectification": "代为修复"})).await;
    assert_eq!(r.status(), 403);
    let r = repair(json!({"subject_ref": "person:abc", "rectification": "已整改"})).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("subject_ref"));
    // Issue #16 item 6: a person is never addressed by internal number, and answers name
    // persons by public id only.
    let zhang_internal = format!("person:{}", person(&t, ZHANG).await);
    let r = repair(json!({"subject_ref": zhang_internal, "rectification": "已整改"})).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("subject_ref"));
    let r = credit
        .get(&format!("/api/v1/credit/subjects/{zhang_internal}"))
        .await;
    assert_eq!(r.status(), 422);
    let r = credit
        .get(&format!(
            "/api/v1/credit/proposals?subject_ref={zhang_internal}"
        ))
        .await;
    assert_eq!(r.status(), 422);
    for path in [
        "/api/v1/credit/records",
        "/api/v1/credit/proposals",
        "/api/v1/credit/blacklist?all=true",
        "/api/v1/credit/repairs",
    ] {
        let rows: Value = credit.json(path).await;
        for r in rows.as_array().unwrap() {
            let s = r["subject_ref"].as_str().unwrap();
            let n = s.strip_prefix("person:");
            assert!(
                n.is_none_or(|n| n.len() == 32 && !n.bytes().all(|b| b.is_ascii_digit())),
                "{path}: a person by number: {r}"
            );
        }
    }
    // The portal shows why commitment is barred and offers repair of the applicant's own
    // record (none named).
    let page = li.get("/portal/commitments").await.text().await.unwrap();
    assert!(page.contains("较严重的不良信用记录") && page.contains("申请信用修复"));
    let form = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("csrf", &li.csrf)
        .append_pair("rectification", "已补交住所证明并说明装修情况")
        .finish();
    let r = li
        .post_raw(
            "/portal/credit/repair",
            "application/x-www-form-urlencoded",
            form.into_bytes(),
        )
        .await;
    assert!(r.status().is_success() || r.status().is_redirection());
    let page = li.get("/portal/commitments").await.text().await.unwrap();
    assert!(page.contains("正在审核"), "request under review shown");
    let queue: Value = credit.json("/api/v1/credit/repairs").await;
    let rep = queue[0].clone();
    assert_eq!(rep["entry_id"], Value::Null);
    assert_eq!(rep["state"], "requested");
    assert_eq!(rep["subject_ref"], li_ref.as_str());
    let r = repair(json!({"subject_ref": li_ref, "rectification": "再申请一次"})).await;
    assert_eq!(r.status(), 409, "one repair under review at a time");
    let rd = format!("/api/v1/credit/repairs/{}/decision", rep["id"]);
    let r = credit
        .post_json(&rd, &json!({"approve": true, "rectified": true}))
        .await;
    assert_eq!(r.status(), 422);
    assert!(
        r.text().await.unwrap().contains("虚假承诺记录"),
        "too early"
    );
    t.clock.advance(Duration::days(91));
    let credit = t.staff("credit").await;
    let r = credit
        .post_json(&rd, &json!({"approve": true, "rectified": true}))
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let st = proofless_app::credit::status(&t.app, &format!("person:{}", person(&t, LI).await))
        .await
        .unwrap();
    assert_eq!(st.serious_records, 0, "repaired");
    let li = citizen(&t, LI).await;
    let e: Value = li
        .json(&format!(
            "/api/v1/commitments/eligibility?proof_item_id={}",
            item(&t, RESIDENCE).await
        ))
        .await;
    assert_eq!(e["eligible"], true, "after repair: {e}");
    // Nothing left to repair.
    let r = li
        .post_json(
            "/api/v1/credit/repairs",
            &json!({"rectification": "再修复一次"}),
        )
        .await;
    assert_eq!(r.status(), 409);
}

/// A loopback receiver standing in for 信用淄博: answers `status` and keeps the bodies.
async fn receiver(status: u16) -> (String, Arc<Mutex<Vec<Value>>>) {
    use axum::routing::post;
    let got: Arc<Mutex<Vec<Value>>> = Arc::default();
    let keep = got.clone();
    let app = axum::Router::new().route(
        "/credit",
        post(move |axum::Json(v): axum::Json<Value>| {
            let keep = keep.clone();
            async move {
                keep.lock().unwrap().push(v);
                axum::http::StatusCode::from_u16(status).unwrap()
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}/credit"), got)
}

async fn credit_records_are_fed_to_the_city_platform(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    false_finding(&t).await;
    let credit = t.staff("credit").await;
    // File export.
    let r = credit.get("/api/v1/credit/feed").await;
    assert_eq!(r.status(), 200);
    let doc: Value = r.json().await.unwrap();
    assert_eq!(doc["format"], "proofless.credit-feed/1");
    let li_rec = doc["records"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["subject_code"] == LI)
        .expect("李四's record is in the feed, keyed by resident ID");
    assert_eq!(li_rec["kind"], "commitment_false");
    assert_eq!(li_rec["subject_name"], "李四");
    // A failing platform: recorded, and the same records go again next time.
    let (bad, _) = receiver(503).await;
    let r: Value = credit
        .post_json("/api/v1/credit/feed/pushes", &json!({"url": bad}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(r["status"], "failed");
    assert!(r["error"].as_str().unwrap().contains("503"));
    let (url, got) = receiver(200).await;
    let r: Value = credit
        .post_json("/api/v1/credit/feed/pushes", &json!({"url": url}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(r["status"], "done", "{r}");
    assert_eq!(r["count"], doc["count"]);
    assert!(
        got.lock().unwrap()[0]["records"]
            .to_string()
            .contains("李四")
    );
    // Nothing new: nothing sent again.
    let r: Value = credit
        .post_json("/api/v1/credit/feed/pushes", &json!({"url": url}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(r["count"], 0);
    assert_eq!(got.lock().unwrap().len(), 1);
    // Bad addresses and roles.
    let r = credit
        .post_json("/api/v1/credit/feed/pushes", &json!({"url": "ftp://x"}))
        .await;
    assert_eq!(r.status(), 422);
    let li = citizen(&t, LI).await;
    assert_eq!(li.get("/api/v1/credit/feed").await.status(), 403);
    assert_eq!(t.client().get("/api/v1/credit/records").await.status(), 401);
}

both_backends!(
    a_false_promise_leads_by_due_process_to_the_blacklist,
    an_objection_in_time_must_be_answered_in_the_decision,
    credit_records_are_fed_to_the_city_platform,
);
