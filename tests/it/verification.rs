//! Inter-unit verification (issue #5, SPEC R5, annex 2): send → register → sealed answer,
//! return, reclassify, A/B notifications, overdue report / order / summon, ledger, offline
//! channels, purpose-bound access visible to the citizen, and every bad input the issue lists.

use chrono::Duration;
use serde_json::{Value, json};

use crate::common::{Backend, Client, TestApp, spawn_demo};

pub(crate) const ZHANG: &str = "370322199001011238";

pub(crate) async fn scalar(t: &TestApp, sql: &str, arg: &str) -> i64 {
    t.app
        .db
        .reader()
        .scalar_i64(proofless_store::q(sql).bind(arg))
        .await
        .unwrap()
}

pub(crate) async fn item(t: &TestApp, name: &str) -> i64 {
    scalar(t, "SELECT id FROM proof_items WHERE name = ?", name).await
}

pub(crate) async fn org(t: &TestApp, name: &str) -> i64 {
    scalar(t, "SELECT id FROM orgs WHERE name = ?", name).await
}

pub(crate) fn body(item: i64) -> Value {
    json!({
        "proof_item_id": item,
        "subject": {"kind": "person", "code": ZHANG, "name": "张三"},
        "facts": {"facts": "张三户口已于2025年迁出本县"},
        "case_ref": "SJ-TEST-0001",
        "purpose": "办理个体工商户注销登记，核对经营者户籍状态"
    })
}

async fn send(c: &Client, b: &Value) -> Value {
    let r = c.post_json("/api/v1/verifications", b).await;
    let status = r.status();
    let v: Value = r.json().await.unwrap();
    assert_eq!(status, 201, "send: {v}");
    v
}

async fn field_error(r: reqwest::Response, status: u16, field: &str) -> Value {
    assert_eq!(r.status(), status);
    let p: Value = r.json().await.unwrap();
    let errors = p["errors"].as_array().cloned().unwrap_or_default();
    assert!(
        errors.iter().any(|e| e["field"] == field),
        "expected an error on {field}: {p}"
    );
    p
}

// SPEC R5.1, R5.3; A2 §5, §7; issue #5 §10.
async fn send_register_and_sealed_answer(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let hukou = item(&t, "注销户口证明").await;
    let sj = t.staff("sj_liaison").await;
    let v = send(&sj, &body(hukou)).await;
    let id = v["id"].as_i64().unwrap();
    assert_eq!(v["state"], "registered");
    assert_eq!(v["issuer_name"], "县公安局");
    assert_eq!(v["deadline_class"], "electronic");
    // Registered at once with a 30-minute office-time deadline running (A2 §7).
    let due = v["due_at"].as_i64().unwrap();
    assert_eq!(due - v["sent_at"].as_i64().unwrap(), 30 * 60_000);
    let did = v["deadline_id"].as_i64().unwrap();
    // The deadline is the issuer's (the requester does not see the issuer's deadlines).
    let ga1 = t.staff("ga_proxy1").await;
    assert_eq!(
        sj.get(&format!("/api/v1/deadlines/{did}")).await.status(),
        403
    );
    let dl: Value = ga1.json(&format!("/api/v1/deadlines/{did}")).await;
    assert_eq!(dl["rule_key"], "verification.electronic");
    assert_eq!(dl["state"], "open");

    // Both A and B see the unit's inbox (A2 §6).
    for who in ["ga_proxy1", "ga_proxy2", "ga_liaison"] {
        let c = t.staff(who).await;
        let inbox: Value = c.json("/api/v1/verifications/inbox?state=registered").await;
        assert!(
            inbox["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r["id"] == id),
            "{who} sees it"
        );
        // Lists mask the subject's name.
        let row = inbox["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .unwrap()
            .clone();
        assert_eq!(row["subject_name"], "张*");
    }
    // Notifications went to A of each post.
    let notes: Value = ga1.json("/api/v1/notifications?limit=500").await;
    assert!(
        notes["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["link"] == format!("/verifications/{id}"))
    );

    let r = ga1
        .post_json(
            &format!("/api/v1/verifications/{id}/answer"),
            &json!({"outcome": "confirmed", "answer": {"remarks": "经查询户籍系统属实"}}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let a: Value = r.json().await.unwrap();
    assert_eq!(a["state"], "answered");
    assert_eq!(a["outcome"], "confirmed");
    assert_eq!(a["answered_late"], false);
    let sealed = a["sealed_id"].as_str().unwrap().to_owned();
    // Anyone can check the sealed reply letter.
    let anon = t.client();
    let verdict: Value = anon
        .json(&format!("/api/v1/public/sealed/{sealed}/verify"))
        .await;
    assert_eq!(verdict["valid"], true);
    assert_eq!(verdict["org_name"], "县公安局");
    let doc: Value = anon.json(&format!("/api/v1/public/sealed/{sealed}")).await;
    assert_eq!(doc["number"], format!("HY{id:08}"));
    assert_eq!(doc["outcome"], "confirmed");
    assert_ne!(
        doc["subject"]["code"], ZHANG,
        "the public letter masks the ID"
    );
    // A sealed document with one byte changed does not verify.
    let stored = proofless_app::seals::get(&t.app, &sealed).await.unwrap();
    let mut bytes = stored.body.clone().into_bytes();
    let i = bytes.iter().position(|&c| c == b'"').unwrap() + 1;
    bytes[i] ^= 1;
    let bad = proofless_app::seals::verify_bytes(&t.app, &stored, &bytes)
        .await
        .unwrap();
    assert!(!bad.valid);
    // The deadline is done; the sender is told.
    let dl: Value = ga1.json(&format!("/api/v1/deadlines/{did}")).await;
    assert_eq!(dl["state"], "done");
    let notes: Value = sj.json("/api/v1/notifications?limit=500").await;
    assert!(
        notes["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["text"].as_str().unwrap().contains("已反馈"))
    );
    // The detail has the whole history.
    let d: Value = sj.json(&format!("/api/v1/verifications/{id}")).await;
    let kinds: Vec<&str> = d["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["send", "answer"]);

    // Answering twice, returning after answering: refused (A2 §7).
    let r = ga1
        .post_json(
            &format!("/api/v1/verifications/{id}/answer"),
            &json!({"outcome": "confirmed"}),
        )
        .await;
    assert_eq!(r.status(), 409);
    let r = ga1
        .post_json(
            &format!("/api/v1/verifications/{id}/return"),
            &json!({"reason": "不属于本单位"}),
        )
        .await;
    assert_eq!(r.status(), 409);
}

// A2 §7 (return), §8 (on-site check), SPEC R5.3.
async fn return_stops_the_clock_and_blocks_answers(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let hukou = item(&t, "注销户口证明").await;
    let sj = t.staff("sj_proxy1").await;
    let v = send(&sj, &body(hukou)).await;
    let id = v["id"].as_i64().unwrap();
    let ga = t.staff("ga_proxy2").await;
    let r = ga
        .post_json(
            &format!("/api/v1/verifications/{id}/return"),
            &json!({"reason": "  "}),
        )
        .await;
    field_error(r, 422, "reason").await;
    let r = ga
        .post_json(
            &format!("/api/v1/verifications/{id}/return"),
            &json!({"reason": "申请人户籍不在本县，应向户籍地公安机关核验"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let d: Value = r.json().await.unwrap();
    assert_eq!(d["state"], "returned");
    let did = d["deadline_id"].as_i64().unwrap();
    assert_eq!(
        ga.json(&format!("/api/v1/deadlines/{did}")).await["state"],
        "done"
    );
    // Answering after return is refused.
    let r = ga
        .post_json(
            &format!("/api/v1/verifications/{id}/answer"),
            &json!({"outcome": "confirmed"}),
        )
        .await;
    assert_eq!(r.status(), 409);
    // The sender may now check on site (A2 §8 ¶3); a supplementary request is refused
    // (no not-matching answer).
    let r = sj
        .post_json(
            "/api/v1/verifications/ledger",
            &json!({"kind": "supplementary_request", "verification_id": id, "what": "户口簿", "why": "不符"}),
        )
        .await;
    assert_eq!(r.status(), 409);
    let r = sj
        .post_json(
            "/api/v1/verifications/ledger",
            &json!({"kind": "onsite_check", "verification_id": id, "what": "上门核实", "why": "开具单位退回"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let ledger: Value = sj.json("/api/v1/verifications/ledger").await;
    assert!(
        ledger["total"].as_i64().unwrap() >= 1,
        "a page with its total: {ledger}"
    );
    assert!(
        ledger["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "onsite_check" && e["verification_id"] == id)
    );
}

// A2 §8, SPEC R5.5: not matching → supplementary material, recorded in the ledger.
async fn not_matching_answer_then_supplementary_request(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let hukou = item(&t, "注销户口证明").await;
    let sj = t.staff("sj_liaison").await;
    let id = send(&sj, &body(hukou)).await["id"].as_i64().unwrap();
    let ga = t.staff("ga_liaison").await;
    let r = ga
        .post_json(
            &format!("/api/v1/verifications/{id}/answer"),
            &json!({"outcome": "not_matching"}),
        )
        .await;
    field_error(r, 422, "records_say").await;
    let r = ga
        .post_json(
            &format!("/api/v1/verifications/{id}/answer"),
            &json!({"outcome": "not_matching", "records_say": "户口仍在本县田镇街道"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let r = sj
        .post_json(
            "/api/v1/verifications/ledger",
            &json!({"kind": "supplementary_request", "verification_id": id,
                    "what": "请申请人补充迁出证明材料", "why": "核验结果与填报不符"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    // Another unit may not write this verification's ledger.
    let other = t.staff("ga_proxy1").await;
    let r = other
        .post_json(
            "/api/v1/verifications/ledger",
            &json!({"kind": "supplementary_request", "verification_id": id, "what": "x", "why": "y"}),
        )
        .await;
    assert_eq!(r.status(), 403);
}

// SPEC R5.3: reclassification once, with a reason, before the limit runs out.
async fn issuer_reclassifies_with_a_reason(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let hukou = item(&t, "注销户口证明").await;
    let sj = t.staff("sj_liaison").await;
    let v = send(&sj, &body(hukou)).await;
    let id = v["id"].as_i64().unwrap();
    let ga = t.staff("ga_proxy1").await;
    let r = ga
        .post_json(
            &format!("/api/v1/verifications/{id}/reclassify"),
            &json!({"deadline_class": "paper_archive", "reason": ""}),
        )
        .await;
    field_error(r, 422, "reason").await;
    let r = ga
        .post_json(
            &format!("/api/v1/verifications/{id}/reclassify"),
            &json!({"deadline_class": "statutory", "reason": "需履行法定程序"}),
        )
        .await;
    field_error(r, 422, "deadline_class").await;
    // The requester may not reclassify.
    let r = sj
        .post_json(
            &format!("/api/v1/verifications/{id}/reclassify"),
            &json!({"deadline_class": "paper_archive", "reason": "纸质档案"}),
        )
        .await;
    assert_eq!(r.status(), 403);
    let r = ga
        .post_json(
            &format!("/api/v1/verifications/{id}/reclassify"),
            &json!({"deadline_class": "paper_archive", "reason": "只有纸质户籍档案"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let d: Value = r.json().await.unwrap();
    assert_eq!(d["deadline_class"], "paper_archive");
    assert_eq!(d["reclass_reason"], "只有纸质户籍档案");
    assert!(d["due_at"].as_i64().unwrap() > v["due_at"].as_i64().unwrap());
    let did = d["deadline_id"].as_i64().unwrap();
    assert_eq!(
        ga.json(&format!("/api/v1/deadlines/{did}")).await["rule_key"],
        "verification.paper_archive"
    );
    let r = ga
        .post_json(
            &format!("/api/v1/verifications/{id}/reclassify"),
            &json!({"deadline_class": "incomplete_archive", "reason": "再改"}),
        )
        .await;
    assert_eq!(r.status(), 409);
    // Statutory class: the legal limit binds.
    let id2 = send(&sj, &body(hukou)).await["id"].as_i64().unwrap();
    let r = ga
        .post_json(
            &format!("/api/v1/verifications/{id2}/reclassify"),
            &json!({"deadline_class": "statutory", "statutory_limit": "20wd", "reason": "须经法定调查程序"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let d: Value = r.json().await.unwrap();
    let dl: Value = ga
        .json(&format!("/api/v1/deadlines/{}", d["deadline_id"]))
        .await;
    assert_eq!(dl["statutory_limit"], "20wd");
    assert_eq!(dl["due_at"], dl["statutory_due_at"]);
}

// A2 §11, SPEC R5.7: overdue → report (one action) → order with a new limit → summon request;
// and the automatic report after the grace.
async fn overdue_is_reported_ordered_and_summoned(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let hukou = item(&t, "注销户口证明").await;
    let sj = t.staff("sj_liaison").await;
    let id = send(&sj, &body(hukou)).await["id"].as_i64().unwrap();
    let id2 = send(&sj, &body(hukou)).await["id"].as_i64().unwrap();
    // Not yet overdue: no report.
    let r = sj
        .post_json(&format!("/api/v1/verifications/{id}/report"), &json!({}))
        .await;
    assert_eq!(r.status(), 409);
    t.clock.advance(Duration::minutes(40));
    let ga = t.staff("ga_proxy1").await;
    let overdue: Value = ga.json("/api/v1/verifications/inbox?overdue=true").await;
    let ids: Vec<i64> = overdue["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    assert!(ids.contains(&id) && ids.contains(&id2));
    assert!(
        overdue["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["overdue"] == true && r["countdown_class"] == "late")
    );
    // Only the requester reports.
    let r = ga
        .post_json(&format!("/api/v1/verifications/{id}/report"), &json!({}))
        .await;
    assert_eq!(r.status(), 403);
    let r = sj
        .post_json(&format!("/api/v1/verifications/{id}/report"), &json!({}))
        .await;
    assert_eq!(r.status(), 200);
    let d: Value = r.json().await.unwrap();
    assert!(d["reported_at"].is_i64());
    assert_eq!(d["report_auto"], false);
    let r = sj
        .post_json(&format!("/api/v1/verifications/{id}/report"), &json!({}))
        .await;
    assert_eq!(r.status(), 409, "reported once");
    // The joint office sees it on its board and orders a new limit.
    let joint = t.staff("joint").await;
    let board: Value = joint.json("/api/v1/verifications/board").await;
    assert!(
        board["reported"]["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["id"] == id)
    );
    let r = sj
        .post_json(
            &format!("/api/v1/verifications/{id}/order"),
            &json!({"finish_by": "2026-03-20T00:00:00+08:00", "text": "x"}),
        )
        .await;
    assert_eq!(r.status(), 403, "only the joint office orders");
    let r = joint
        .post_json(
            &format!("/api/v1/verifications/{id}/order"),
            &json!({"finish_by": "2020-01-01T00:00:00+08:00", "text": "限期办结"}),
        )
        .await;
    field_error(r, 422, "finish_by").await;
    let finish = proofless_app::deadlines::rfc3339(t.app.now_ms() + 3_600_000).unwrap();
    let r = joint
        .post_json(
            &format!("/api/v1/verifications/{id}/order"),
            &json!({"finish_by": finish, "text": "请于一小时内反馈"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let d: Value = r.json().await.unwrap();
    // The order does not hide the lateness: overdue on the request's own limit, the
    // ordered limit's time shown beside it (A2 §11, issue #15 §11).
    assert_eq!(d["overdue"], true);
    assert_ne!(d["due_at"], d["order_due_at"]);
    assert!(
        d["countdown_text"]
            .as_str()
            .unwrap()
            .contains("责成限时剩余"),
        "{d}"
    );
    let r = joint
        .post_json(
            &format!("/api/v1/verifications/{id}/summon"),
            &json!({"text": "造成申请人多次往返，提请约谈"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let r = joint
        .post_json(
            &format!("/api/v1/verifications/{id}/summon"),
            &json!({"text": "再次"}),
        )
        .await;
    assert_eq!(r.status(), 409);
    // The engine marked the deadline overdue (accountability reads it later, A5 §4(3)).
    proofless_app::jobs::run_once(&t.app, "test").await.unwrap();
    let d: Value = sj.json(&format!("/api/v1/verifications/{id}")).await;
    assert_eq!(
        ga.json(&format!("/api/v1/deadlines/{}", d["deadline_id"]))
            .await["state"],
        "overdue"
    );
    // The second one is reported automatically once the grace has passed. A longer grace
    // holds the report back; shortening it again moves the pending report earlier.
    let grace = |minutes: i64| {
        let joint = &joint;
        async move {
            joint
                .put_json(
                    "/api/v1/verifications/settings/grace",
                    &json!({ "minutes": minutes }),
                    None,
                )
                .await
                .status()
        }
    };
    assert_eq!(grace(600).await, 200);
    t.clock.advance(Duration::minutes(60));
    proofless_app::jobs::run_once(&t.app, "test").await.unwrap();
    let d: Value = sj.json(&format!("/api/v1/verifications/{id2}")).await;
    assert!(d["reported_at"].is_null(), "grace not over yet: {d}");
    assert_eq!(grace(30).await, 200);
    proofless_app::jobs::run_once(&t.app, "test").await.unwrap();
    let d: Value = sj.json(&format!("/api/v1/verifications/{id2}")).await;
    assert!(d["reported_at"].is_i64(), "auto-reported: {d}");
    assert_eq!(d["report_auto"], true);
    let notes: Value = joint.json("/api/v1/notifications?limit=500").await;
    assert!(
        notes["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["link"] == format!("/verifications/{id2}"))
    );
    // Answering late is still possible and is recorded as late.
    let r = ga
        .post_json(
            &format!("/api/v1/verifications/{id2}/answer"),
            &json!({"outcome": "confirmed"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["answered_late"], true);
}

// A2 §6, SPEC R5.8: notifications to A; to B as well when A is absent or half the time passed.
async fn b_is_notified_when_a_is_absent_or_at_half_time(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let hukou = item(&t, "注销户口证明").await;
    let ga_org = org(&t, "县公安局").await;
    let sj = t.staff("sj_liaison").await;
    let id = send(&sj, &body(hukou)).await["id"].as_i64().unwrap();
    assert_eq!(half_notes(&t, id).await, 0);
    t.clock.advance(Duration::minutes(16));
    proofless_app::jobs::run_once(&t.app, "test").await.unwrap();
    // Every post of the police bureau has a B: each B is told at half time.
    assert!(half_notes(&t, id).await >= 2);
    // Absent A: B is notified at once.
    let admin = t.staff("ga_admin").await;
    let posts: Value = admin
        .json(&format!("/api/v1/orgs/{ga_org}/duty-posts"))
        .await;
    let liaison_post = posts
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["duty"] == "liaison")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    proofless_app::staff::set_absent(
        &t.app,
        &proofless_app::Actor::system("test"),
        liaison_post,
        true,
    )
    .await
    .unwrap();
    let id2 = send(&sj, &body(hukou)).await["id"].as_i64().unwrap();
    let b_staff = posts
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["duty"] == "liaison")
        .unwrap()["b_staff_id"]
        .as_i64()
        .unwrap();
    let n = t
        .app
        .db
        .reader()
        .scalar_i64(
            proofless_store::q("SELECT COUNT(*) FROM notifications WHERE dedupe_key = ?")
                .bind(format!("verification:{id2}:new:{b_staff}")),
        )
        .await
        .unwrap();
    assert_eq!(n, 1);
}

// A2 §12, SPEC R5.9: every read is recorded with case and purpose; the citizen sees it.
async fn the_citizen_sees_who_read_the_verification_and_why(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let hukou = item(&t, "注销户口证明").await;
    let sj = t.staff("sj_liaison").await;
    let id = send(&sj, &body(hukou)).await["id"].as_i64().unwrap();
    let ga = t.staff("ga_proxy2").await;
    let _: Value = ga.json(&format!("/api/v1/verifications/{id}")).await;
    let mut c = t.client();
    let r = c
        .post_json(
            "/api/v1/portal/login",
            &json!({"resident_id": ZHANG, "password": crate::common::DEMO_PASSWORD}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let me: Value = r.json().await.unwrap();
    c.csrf = me["csrf_token"].as_str().unwrap().to_owned();
    let log: Value = c.json("/api/v1/portal/access-log?limit=200").await;
    let read = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["act"] == "查看核验单" && i["role"] == "代办员")
        .unwrap_or_else(|| panic!("read visible: {log}"));
    assert_eq!(read["unit"], "县公安局");
    // The post, not the name (issue #22 point 6).
    assert!(!log.to_string().contains("黄代办"), "{log}");
    assert!(
        read["purpose"]
            .as_str()
            .unwrap()
            .contains("核对经营者户籍状态")
    );
    assert!(read["purpose"].as_str().unwrap().contains("SJ-TEST-0001"));
    // Someone else's log: refused.
    // The API's person id is opaque (issue #16 item 6): a person named by number is refused.
    assert!(me["person"]["id"].is_string());
    let own = crate::common::person_id(&t.app, ZHANG).await;
    let r = c
        .get(&format!(
            "/api/v1/portal/access-log?subject=person:{}",
            own + 1
        ))
        .await;
    assert_eq!(r.status(), 403);
    // Another unit cannot read or answer it.
    let sl = t.staff("sl_liaison").await;
    assert_eq!(
        sl.get(&format!("/api/v1/verifications/{id}"))
            .await
            .status(),
        403
    );
    let r = sl
        .post_json(
            &format!("/api/v1/verifications/{id}/answer"),
            &json!({"outcome": "confirmed"}),
        )
        .await;
    assert_eq!(r.status(), 403);
    // A citizen is not staff.
    assert_eq!(
        c.get(&format!("/api/v1/verifications/{id}")).await.status(),
        403
    );
    assert_eq!(
        t.client()
            .get(&format!("/api/v1/verifications/{id}"))
            .await
            .status(),
        401
    );
}

// Issue #5 "Bad input and security".
async fn bad_input_is_refused_with_the_field_named(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let hukou = item(&t, "注销户口证明").await;
    let not_verifiable = item(&t, "户口项目变更证明（文化程度、身高、兵役状况等）").await;
    let sj_org = org(&t, "县市场监管局").await;
    let sj = t.staff("sj_liaison").await;
    // Not on the published list.
    let mut x = body(hukou);
    x["proof_item_id"] = json!(999_999);
    field_error(
        sj.post_json("/api/v1/verifications", &x).await,
        422,
        "proof_item_id",
    )
    .await;
    // On the list, not verifiable.
    x["proof_item_id"] = json!(not_verifiable);
    field_error(
        sj.post_json("/api/v1/verifications", &x).await,
        422,
        "proof_item_id",
    )
    .await;
    // A forged issuer.
    let mut x = body(hukou);
    x["issuer_org_id"] = json!(sj_org);
    field_error(
        sj.post_json("/api/v1/verifications", &x).await,
        422,
        "issuer_org_id",
    )
    .await;
    // Missing case, purpose; a bad resident ID; all reported at once.
    let mut x = body(hukou);
    x["case_ref"] = json!(" ");
    x["purpose"] = json!("");
    x["subject"]["code"] = json!("370322199001011239");
    let p = field_error(
        sj.post_json("/api/v1/verifications", &x).await,
        422,
        "case_ref",
    )
    .await;
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&"purpose") && fields.contains(&"subject.code"),
        "{p}"
    );
    // Facts not of the template.
    let mut x = body(hukou);
    x["facts"] = json!({"facts": "", "<script>": "x"});
    let p = field_error(
        sj.post_json("/api/v1/verifications", &x).await,
        422,
        "facts.facts",
    )
    .await;
    assert!(p.to_string().contains("facts.<script>"));
    // A name that does not match the registered one.
    let mut x = body(hukou);
    x["subject"]["name"] = json!("张四");
    field_error(
        sj.post_json("/api/v1/verifications", &x).await,
        422,
        "subject.name",
    )
    .await;
    // Unknown fields, malformed JSON, wrong types, oversized bodies.
    let mut x = body(hukou);
    x["admin"] = json!(true);
    let r = sj.post_json("/api/v1/verifications", &x).await;
    assert!(r.status() == 400 || r.status() == 422, "{}", r.status());
    let r = sj
        .post_raw(
            "/api/v1/verifications",
            "application/json",
            b"{\"proof_item_id\": ".to_vec(),
        )
        .await;
    assert!(r.status() == 400 || r.status() == 422);
    let r = sj
        .post_raw(
            "/api/v1/verifications",
            "application/json",
            b"{\"proof_item_id\": \"1\"}".to_vec(),
        )
        .await;
    assert!(r.status() == 400 || r.status() == 422);
    let mut x = body(hukou);
    x["facts"]["facts"] = json!("很".repeat(600));
    field_error(
        sj.post_json("/api/v1/verifications", &x).await,
        422,
        "facts.facts",
    )
    .await;
    let huge = format!("{{\"purpose\": \"{}\"}}", "a".repeat(2 * 1024 * 1024));
    let r = sj
        .post_raw(
            "/api/v1/verifications",
            "application/json",
            huge.into_bytes(),
        )
        .await;
    assert_eq!(r.status(), 413);
    // A counter clerk is not a liaison or proxy agent.
    let clerk = t.staff("sj_clerk").await;
    assert_eq!(
        clerk
            .post_json("/api/v1/verifications", &body(hukou))
            .await
            .status(),
        403
    );
    // Reading an id that does not exist.
    assert_eq!(sj.get("/api/v1/verifications/987654").await.status(), 404);
    let r = sj.get("/api/v1/verifications/inbox?state=nonsense").await;
    field_error(r, 422, "state").await;
    // Nothing was written by any of the refused requests.
    let n = scalar(
        &t,
        "SELECT COUNT(*) FROM verifications WHERE case_ref = ?",
        "SJ-TEST-0001",
    )
    .await;
    assert_eq!(n, 0);
}

// A2 §3, SPEC R5.1 (offline channels, never secrets) and A2 §9, SPEC R5.6 (applicant-provided).
async fn offline_records_and_applicant_provided(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let hukou = item(&t, "注销户口证明").await;
    let sj = t.staff("sj_proxy2").await;
    let mut x = json!({
        "channel": "fax", "proof_item_id": hukou,
        "subject": {"kind": "person", "code": ZHANG, "name": "张三"},
        "facts": {"facts": "张三户口已迁出"}, "case_ref": "SJ-OFF-1", "purpose": "注销登记",
        "outcome": "confirmed", "offline_ref": "传真 第2026-099号"
    });
    field_error(
        sj.post_json("/api/v1/verifications/offline", &x).await,
        422,
        "no_secret_confirmed",
    )
    .await;
    x["channel"] = json!("system");
    x["no_secret_confirmed"] = json!(true);
    field_error(
        sj.post_json("/api/v1/verifications/offline", &x).await,
        422,
        "channel",
    )
    .await;
    x["channel"] = json!("email");
    let r = sj.post_json("/api/v1/verifications/offline", &x).await;
    assert_eq!(r.status(), 201);
    let d: Value = r.json().await.unwrap();
    assert_eq!(d["channel"], "email");
    assert_eq!(d["state"], "answered");
    assert_eq!(d["no_secret_confirmed"], true);
    assert!(d["deadline_id"].is_null());
    let r = sj
        .post_json(
            "/api/v1/verifications/ledger",
            &json!({"kind": "applicant_provided", "proof_item_id": hukou,
                    "subject": {"kind": "person", "code": ZHANG, "name": "张三"}, "case_ref": "SJ-AP-1",
                    "what": "申请人自行提交户口迁出证明", "why": "申请人能够并愿意提供"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let r = sj
        .post_json(
            "/api/v1/verifications/ledger",
            &json!({"kind": "applicant_provided", "what": "x", "why": "y"}),
        )
        .await;
    assert_eq!(r.status(), 422);
}

// A2 §4, SPEC R5.2: typed templates per pair of units and proof item.
async fn templates_type_the_facts(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let hukou = item(&t, "注销户口证明").await;
    let ga_org = org(&t, "县公安局").await;
    let sj_org = org(&t, "县市场监管局").await;
    let sj = t.staff("sj_liaison").await;
    let tpl: Value = sj
        .json(&format!(
            "/api/v1/verification-templates?proof_item_id={hukou}"
        ))
        .await;
    assert_eq!(tpl["deadline_class"], "electronic");
    assert_eq!(tpl["request_fields"][0]["key"], "facts");
    let input = json!({
        "proof_item_id": hukou, "issuer_org_id": ga_org, "requester_org_id": sj_org,
        "request_fields": [
            {"key": "moved_out_on", "label": "迁出日期", "kind": "date", "required": true},
            {"key": "moved_to", "label": "迁往地", "kind": "text", "required": true}],
        "reply_fields": [{"key": "household_status", "label": "户籍状态", "kind": "text", "required": true}],
        "method": "系统协查", "process": "发起—登记—反馈"
    });
    let r = sj
        .put_json("/api/v1/verification-templates", &input, None)
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["etag"], "\"v1\"");
    // Replacing it needs the version read before: without it, refused; a stale one, 412.
    let r = sj
        .put_json("/api/v1/verification-templates", &input, None)
        .await;
    assert_eq!(r.status(), 409);
    assert!(r.text().await.unwrap().contains("If-Match"));
    let ga_liaison = t.staff("ga_liaison").await;
    let r = ga_liaison
        .put_json("/api/v1/verification-templates", &input, Some("\"v1\""))
        .await;
    assert_eq!(r.status(), 200, "the issuer edits it");
    assert_eq!(r.headers()["etag"], "\"v2\"");
    let r = sj
        .put_json("/api/v1/verification-templates", &input, Some("\"v1\""))
        .await;
    assert_eq!(
        r.status(),
        412,
        "a stale edit is never silently overwritten"
    );
    let r = sj
        .get(&format!(
            "/api/v1/verification-templates?proof_item_id={hukou}"
        ))
        .await;
    assert_eq!(r.headers()["etag"], "\"v2\"");
    let mut bad = input.clone();
    bad["request_fields"][1]["key"] = json!("moved_out_on");
    field_error(
        sj.put_json("/api/v1/verification-templates", &bad, None)
            .await,
        422,
        "request_fields",
    )
    .await;
    let sl = t.staff("sl_liaison").await;
    assert_eq!(
        sl.put_json("/api/v1/verification-templates", &input, None)
            .await
            .status(),
        403
    );
    let mut x = body(hukou);
    x["facts"] = json!({"moved_out_on": "2025-02-30", "moved_to": "淄博市张店区"});
    field_error(
        sj.post_json("/api/v1/verifications", &x).await,
        422,
        "facts.moved_out_on",
    )
    .await;
    x["facts"]["moved_out_on"] = json!("2025-02-28");
    let id = send(&sj, &x).await["id"].as_i64().unwrap();
    let ga = t.staff("ga_proxy1").await;
    let r = ga
        .post_json(
            &format!("/api/v1/verifications/{id}/answer"),
            &json!({"outcome": "confirmed", "answer": {}}),
        )
        .await;
    field_error(r, 422, "answer.household_status").await;
    let r = ga
        .post_json(
            &format!("/api/v1/verifications/{id}/answer"),
            &json!({"outcome": "confirmed", "answer": {"household_status": "已迁出"}}),
        )
        .await;
    assert_eq!(r.status(), 200);
}

// Issue #5 §13: demo data in every state, loaded through the services.
async fn demo_has_verifications_in_every_state(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let count = |state: &'static str| {
        scalar(
            &t,
            "SELECT COUNT(*) FROM verifications WHERE state = ?",
            state,
        )
    };
    assert!(count("registered").await >= 3);
    assert!(count("answered").await >= 3);
    assert!(count("returned").await >= 1);
    let joint = t.staff("joint").await;
    let board: Value = joint.json("/api/v1/verifications/board").await;
    assert!(
        !board["overdue"]["items"].as_array().unwrap().is_empty(),
        "an overdue one"
    );
    assert!(
        !board["reported"]["items"].as_array().unwrap().is_empty(),
        "an escalated one"
    );
    assert!(audit_ok(&t).await);
    // The pages render for each side.
    for (who, path) in [
        ("ga_proxy1", "/verifications"),
        ("sj_liaison", "/verifications?box=outbox&filter=overdue"),
        ("sj_liaison", "/verifications/new"),
        ("joint", "/verifications/board"),
    ] {
        let c = t.staff(who).await;
        let r = c.get(path).await;
        assert_eq!(r.status(), 200, "{who} {path}");
        assert!(r.text().await.unwrap().contains("核验"));
    }
}

// A2 §7, SPEC R5.4: while a case waits on verifications its assessment clock stops; the
// legal deadline keeps running; the last answer restarts the clock.
async fn the_case_assessment_clock_waits_on_verifications(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let hukou = item(&t, "注销户口证明").await;
    let sj = t.staff("sj_liaison").await;
    let code: (String,) = t
        .app
        .db
        .reader()
        .fetch_one(proofless_store::q(
            "SELECT s.code FROM service_items s JOIN proof_item_services ps ON ps.service_item_id = s.id \
             JOIN proof_items p ON p.id = ps.proof_item_id WHERE p.name = '注销户口证明' ORDER BY s.id LIMIT 1",
        ))
        .await
        .unwrap();
    let r = sj
        .post_json(
            "/api/v1/cases",
            &json!({"service_item_code": code.0, "applicant_kind": "person", "applicant": ZHANG,
                    "immediate": true, "statutory_limit": "20wd"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let case: Value = r.json().await.unwrap();
    let case_id = case["id"].as_i64().unwrap();
    let did = case["assessment_deadline_id"].as_i64().unwrap();
    let before: Value = sj.json(&format!("/api/v1/deadlines/{did}")).await;
    assert_eq!(before["state"], "open");
    let mut x = body(hukou);
    x["case_id"] = json!(case_id);
    let v1 = send(&sj, &x).await["id"].as_i64().unwrap();
    let v2 = send(&sj, &x).await["id"].as_i64().unwrap();
    let waiting: Value = sj.json(&format!("/api/v1/cases/{case_id}")).await;
    assert_eq!(waiting["waiting"], 2);
    let dl: Value = sj.json(&format!("/api/v1/deadlines/{did}")).await;
    assert_eq!(dl["state"], "suspended");
    assert_eq!(
        dl["statutory_due_at"], before["statutory_due_at"],
        "the legal deadline runs on"
    );
    t.clock.advance(Duration::minutes(20));
    let ga = t.staff("ga_proxy1").await;
    let r = ga
        .post_json(
            &format!("/api/v1/verifications/{v1}/answer"),
            &json!({"outcome": "confirmed"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        sj.json(&format!("/api/v1/deadlines/{did}")).await["state"],
        "suspended"
    );
    let r = ga
        .post_json(
            &format!("/api/v1/verifications/{v2}/return"),
            &json!({"reason": "不属于本单位职责"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let after: Value = sj.json(&format!("/api/v1/deadlines/{did}")).await;
    assert_eq!(after["state"], "open");
    assert_eq!(
        sj.json(&format!("/api/v1/cases/{case_id}")).await["waiting"],
        0
    );
    // The 20 minutes of waiting are not counted in the assessment time.
    assert_eq!(
        after["rule_due_at"].as_i64().unwrap() - before["rule_due_at"].as_i64().unwrap(),
        20 * 60_000
    );
    // A case of another unit cannot be waited on.
    let other = t.staff("ga_liaison").await;
    let r = other.post_json("/api/v1/verifications", &x).await;
    field_error(r, 422, "case_id").await;
}

async fn half_notes(t: &TestApp, id: i64) -> i64 {
    t.app
        .db
        .reader()
        .scalar_i64(
            proofless_store::q("SELECT COUNT(*) FROM notifications WHERE dedupe_key LIKE ?")
                .bind(format!("verification:{id}:half:%")),
        )
        .await
        .unwrap()
}

async fn audit_ok(t: &TestApp) -> bool {
    proofless_app::audit::verify(&t.app.db).await.unwrap().ok
}

// A3 §9, SPEC R7.5: until its adjustment is published, the unit picks the replacement itself
// — here verification — for an item it has applied to add; a draft is no application, and
// another unit's pending item is not its own choice to make.
async fn an_item_with_its_adjustment_pending_is_verified_by_the_units_own_choice(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let ga_org = org(&t, "县公安局").await;
    let admin = t.staff("sj_admin").await;
    let sj = t.staff("sj_liaison").await;
    let svc: Value = admin
        .post_json(
            "/api/v1/catalogue/service-items",
            &json!({"name": "个体工商户经营者变更登记", "code": "370322-TEST-0903", "kind": "行政许可", "level": "county"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let new_item = |name: &str| {
        json!({
            "name": name, "level": "county", "region_code": "370322000000", "disposition": "retained",
            "service_item_ids": [svc["id"]], "issuer_ids": [ga_org],
            "legal_basis": [{"kind": "administrative_regulation", "law": "《中华人民共和国户口登记条例》", "article": "第十条"}],
            "methods": [{"method": "verification", "citizen_text": "由窗口向公安机关核验", "deadline_class": "paper_archive"}]
        })
    };
    let mut ids = vec![];
    for name in ["经营者户籍迁移证明", "经营者户籍草稿证明"] {
        let r = admin
            .post_json("/api/v1/catalogue/items", &new_item(name))
            .await;
        assert_eq!(r.status(), 201);
        ids.push(r.json::<Value>().await.unwrap()["id"].as_i64().unwrap());
    }
    let (pending, draft) = (ids[0], ids[1]);
    let r = admin
        .post_json(
            &format!("/api/v1/catalogue/items/{pending}/submit"),
            &json!({}),
        )
        .await;
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());

    // The send form offers it, marked, and not the draft.
    let form = sj.get("/verifications/new").await.text().await.unwrap();
    assert!(form.contains("经营者户籍迁移证明（清单调整待公布）"));
    assert!(!form.contains("经营者户籍草稿证明"));

    let v = send(&sj, &body(pending)).await;
    assert_eq!(v["issuer_org_id"], ga_org);
    assert_eq!(v["state"], "registered");
    assert_eq!(v["deadline_class"], "paper_archive");
    let text = v["events"][0]["text"].as_str().unwrap();
    assert!(text.contains("附件3第九条"), "{text}");

    // A draft is not an application.
    let p = field_error(
        sj.post_json("/api/v1/verifications", &body(draft)).await,
        422,
        "proof_item_id",
    )
    .await;
    assert!(p.to_string().contains("待公布"), "{p}");
    // Another unit cannot ask for it on the requesting unit's behalf.
    let other = t.staff("ga_liaison").await;
    field_error(
        other
            .post_json("/api/v1/verifications", &body(pending))
            .await,
        422,
        "proof_item_id",
    )
    .await;
    assert!(audit_ok(&t).await);
}

// A2 §7: the reply letter is sealed outside the write lock and written only if the request
// did not change meanwhile, so A and B answering at once give one sealed answer, and the
// other is told it was already dealt with.
async fn simultaneous_answers_seal_once(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let hukou = item(&t, "注销户口证明").await;
    let sj = t.staff("sj_liaison").await;
    let (a, bb) = (t.staff("ga_proxy1").await, t.staff("ga_proxy2").await);
    for round in 0..5 {
        let id = send(&sj, &body(hukou)).await["id"].as_i64().unwrap();
        let path = format!("/api/v1/verifications/{id}/answer");
        let answer =
            json!({"outcome": "confirmed", "answer": {"remarks": format!("属实（{round}）")}});
        let (ra, rb) = tokio::join!(a.post_json(&path, &answer), bb.post_json(&path, &answer));
        let mut codes = [ra.status().as_u16(), rb.status().as_u16()];
        codes.sort_unstable();
        assert_eq!(codes, [200, 409], "round {round}");
        let sealed = scalar(
            &t,
            "SELECT COUNT(*) FROM sealed_documents WHERE object_type = 'verification' AND object_id = ?",
            &id.to_string(),
        )
        .await;
        assert_eq!(sealed, 1, "one sealed reply, round {round}");
        let v: Value = a.json(&format!("/api/v1/verifications/{id}")).await;
        assert_eq!(v["state"], "answered");
        let seal: Value = t
            .client()
            .json(&format!(
                "/api/v1/public/sealed/{}/verify",
                v["sealed_id"].as_str().unwrap()
            ))
            .await;
        assert_eq!(seal["valid"], true, "{seal}");
    }
    assert!(audit_ok(&t).await);
}

// WORKFLOW.md: a stored state that is not a known variant is a decode error, answered as
// problem+json 500 with the operation id, never read as some default state.
async fn an_unknown_stored_state_is_an_error_not_a_default(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let hukou = item(&t, "注销户口证明").await;
    let sj = t.staff("sj_liaison").await;
    let id = send(&sj, &body(hukou)).await["id"].as_i64().unwrap();
    let mut tx = t.app.db.begin().await.unwrap();
    tx.execute(
        proofless_store::q("UPDATE verifications SET state = ? WHERE id = ?")
            .bind("lost")
            .bind(id),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let r = sj.get(&format!("/api/v1/verifications/{id}")).await;
    assert_eq!(r.status(), 500);
    let p: Value = r.json().await.unwrap();
    assert!(p["operation_id"].is_string(), "{p}");
}

both_backends!(
    simultaneous_answers_seal_once,
    send_register_and_sealed_answer,
    return_stops_the_clock_and_blocks_answers,
    not_matching_answer_then_supplementary_request,
    issuer_reclassifies_with_a_reason,
    overdue_is_reported_ordered_and_summoned,
    b_is_notified_when_a_is_absent_or_at_half_time,
    the_citizen_sees_who_read_the_verification_and_why,
    bad_input_is_refused_with_the_field_named,
    offline_records_and_applicant_provided,
    templates_type_the_facts,
    demo_has_verifications_in_every_state,
    the_case_assessment_clock_waits_on_verifications,
    an_item_with_its_adjustment_pending_is_verified_by_the_units_own_choice,
    an_unknown_stored_state_is_an_error_not_a_default,
);
