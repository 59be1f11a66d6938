//! List adjustment (annex 3; issue #19): a unit files with grounds within 7 working days,
//! the joint office reviews (supplement, return, approve) with the justice bureau's legal
//! review for an added proof, the public item shows "调整中" then "已取消，无需提交", the next
//! published version gathers the approval; every refusal of the issue; late filing and a
//! missing filing become violation records; the half-year reminder under a shifted clock.

use chrono::Duration;
use proofless_app::{Actor, App, auth, violations};
use proofless_domain::violation::ViolationSource;
use proofless_store::q;
use serde_json::{Value, json};

use crate::common::{Backend, Client, TestApp, spawn_demo};

pub async fn staff_actor(app: &App, username: &str) -> Actor {
    let id = app
        .db
        .reader()
        .scalar_i64(q("SELECT id FROM staff WHERE username = ?").bind(username))
        .await
        .unwrap();
    auth::staff_actor(app, id, "test").await.unwrap().unwrap()
}

/// The id of a published item by its exact name.
pub async fn published_item(c: &Client, name: &str) -> i64 {
    let r: Value = c
        .json(&format!("/api/v1/public/proof-items?q={name}&limit=50"))
        .await;
    r["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == name)
        .unwrap_or_else(|| panic!("no published item {name}: {r}"))["id"]
        .as_i64()
        .unwrap()
}

pub fn cancel_body(item: i64, trigger: &str) -> Value {
    json!({
        "proof_item_id": item, "kind": "cancel", "interim_method": "data_sharing",
        "interim_text": "窗口通过人口信息共享核对", "ground": "职能调整不再办理，或改变管理方式可实现管理目的",
        "description": "电子身份证可即时证明身份，取消临时身份证明", "trigger_date": trigger,
    })
}

const MULTIPART: &str = "multipart/form-data; boundary=ADJBOUNDARY7";

/// A multipart body with one file part named `file`.
pub fn multipart(bytes: &[u8]) -> Vec<u8> {
    let mut body = b"--ADJBOUNDARY7\r\nContent-Disposition: form-data; name=\"file\"; filename=\"law.pdf\"\r\nContent-Type: application/pdf\r\n\r\n".to_vec();
    body.extend_from_slice(bytes);
    body.extend_from_slice(b"\r\n--ADJBOUNDARY7--\r\n");
    body
}

async fn mark(anon: &Client, item: i64) -> Value {
    anon.json(&format!("/api/v1/public/adjustments/items/{item}"))
        .await
}

// SPEC R7.1, R7.2 (real-time change, half-yearly publication), R7.3 (cancel grounds), R7.6 (joint office review); A3 §8-§11.
async fn a_cancellation_goes_from_filing_through_review_to_publication(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let (ga, joint, anon) = (
        t.staff("ga_admin").await,
        t.staff("joint").await,
        t.client(),
    );
    let item = published_item(&anon, "临时身份证明").await;
    assert!(mark(&anon, item).await["mark"].is_null());

    let r = ga
        .post_json("/api/v1/adjustments", &cancel_body(item, "2026-03-11"))
        .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let a: Value = r.json().await.unwrap();
    let id = a["id"].as_i64().unwrap();
    assert_eq!(a["state"], "filed");
    assert_eq!(a["late"], false);
    assert_eq!(a["kind_label"], "取消");
    // Until publication the public sees "调整中" with the interim method and the filing date.
    let m = mark(&anon, item).await;
    assert_eq!(m["mark"]["status"], "adjusting", "{m}");
    assert_eq!(m["mark"]["label"], "调整中");
    assert_eq!(m["mark"]["interim_method_label"], "数据共享");
    assert_eq!(m["mark"]["filed_date"], "2026-03-12");
    let page = anon
        .get(&format!("/proofs/items/{item}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("调整中") && page.contains("数据共享"),
        "item page shows the mark"
    );

    // A second open application for the same item is refused.
    let r = ga
        .post_json("/api/v1/adjustments", &cancel_body(item, "2026-03-11"))
        .await;
    assert_eq!(r.status(), 409);

    // A PDF attachment is kept with its SM3 hash; anything else is refused.
    let pdf = b"%PDF-1.4\n% test law text\n%%EOF\n".to_vec();
    let url = format!("/api/v1/adjustments/{id}/attachments");
    let r = ga.post_raw(&url, MULTIPART, multipart(&pdf)).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let x: Value = r.json().await.unwrap();
    assert_eq!(x["sm3"].as_str().unwrap().len(), 64);
    assert_eq!(x["size"], pdf.len());
    let r = ga
        .post_raw(&url, MULTIPART, multipart(b"MZ not a pdf"))
        .await;
    assert_eq!(r.status(), 422);
    let got = ga
        .get(&format!("/api/v1/adjustments/{id}/attachments/{}", x["id"]))
        .await;
    assert_eq!(got.bytes().await.unwrap().to_vec(), pdf);

    // The unit cannot review; the office asks for a supplement with a deadline.
    let r = ga
        .post_json(&format!("/api/v1/adjustments/{id}/approve"), &json!({}))
        .await;
    assert_eq!(r.status(), 403);
    let sr = format!("/api/v1/adjustments/{id}/supplement-request");
    let r = joint
        .post_json(
            &sr,
            &json!({"note": "请附公安部文件", "due_date": "2026-03-01"}),
        )
        .await;
    assert_eq!(r.status(), 422, "a deadline in the past");
    let r = joint
        .post_json(
            &sr,
            &json!({"note": "请附公安部文件", "due_date": "2026-03-20"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.json::<Value>().await.unwrap()["state"],
        "supplement_requested"
    );
    let r = joint
        .post_json(&format!("/api/v1/adjustments/{id}/approve"), &json!({}))
        .await;
    assert_eq!(r.status(), 409, "not while waiting for the supplement");
    let r = ga
        .post_json(
            &format!("/api/v1/adjustments/{id}/supplement"),
            &json!({"text": ""}),
        )
        .await;
    assert_eq!(r.status(), 422);
    let r = ga
        .post_json(
            &format!("/api/v1/adjustments/{id}/supplement"),
            &json!({"text": "已上传文件"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["state"], "filed");

    // Approved: in effect at once on the public item, with date and ground.
    let r = joint
        .post_json(&format!("/api/v1/adjustments/{id}/approve"), &json!({}))
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    assert_eq!(r.json::<Value>().await.unwrap()["state"], "approved");
    let m = mark(&anon, item).await;
    assert_eq!(m["mark"]["label"], "已取消，无需提交");
    assert_eq!(m["mark"]["decided_date"], "2026-03-12");
    assert_eq!(
        m["mark"]["ground"],
        "职能调整不再办理，或改变管理方式可实现管理目的"
    );
    // Cancelled items stay findable in the search page.
    let page = anon.get("/proofs?q=临时身份").await.text().await.unwrap();
    assert!(
        page.contains("已取消，无需提交"),
        "search shows the cancellation"
    );
    let decided: Value = anon.json("/api/v1/public/adjustments").await;
    assert_eq!(decided["total"], 1);
    let r = joint
        .post_json(&format!("/api/v1/adjustments/{id}/approve"), &json!({}))
        .await;
    assert_eq!(r.status(), 409, "decided once");

    // The next published county version gathers it.
    publish_county(&t).await;
    proofless_app::jobs::run_once(&t.app, "test").await.unwrap();
    let a: Value = joint.json(&format!("/api/v1/adjustments/{id}")).await;
    assert_eq!(a["state"], "published", "{a}");
    assert!(a["published_version_id"].as_i64().is_some());
    // The feeds name it with its ground.
    let feed = anon
        .get("/feeds/exemptions.json")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        feed.contains("动态调整：取消“临时身份证明”，理由：职能调整"),
        "{feed}"
    );
    let atom = anon
        .get("/feeds/exemptions.atom")
        .await
        .text()
        .await
        .unwrap();
    assert!(atom.contains("动态调整：取消"));
    // Figures count it, on time and approved; the xlsx export is a workbook.
    let f: Value = joint.json("/api/v1/adjustments-figures").await;
    let row = f["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["org_name"] == "县公安局")
        .unwrap()
        .clone();
    assert_eq!(
        (
            row["applications"].as_i64(),
            row["on_time"].as_i64(),
            row["approved"].as_i64()
        ),
        (Some(1), Some(1), Some(1))
    );
    let x = joint.get("/api/v1/adjustments-figures.xlsx").await;
    assert_eq!(x.status(), 200);
    assert!(x.bytes().await.unwrap().starts_with(b"PK"));
}

/// Prepares, approves and publishes a new county version (joint office, approver).
pub async fn publish_county(t: &TestApp) {
    let joint = t.staff("joint").await;
    let approver = t.staff("approver").await;
    let r = joint
        .post_json(
            "/api/v1/catalogue/versions",
            &json!({"region_code": "370322000000", "note": "半年调整"}),
        )
        .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let vid = r.json::<Value>().await.unwrap()["version"]["id"]
        .as_i64()
        .unwrap();
    let r = approver
        .post_json(
            &format!("/api/v1/catalogue/versions/{vid}/approve"),
            &json!({"approval_doc_no": "高政字〔2026〕9号"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let r = joint
        .post_json(
            &format!("/api/v1/catalogue/versions/{vid}/publish"),
            &json!({"effective_date": "2026-04-01"}),
        )
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
}

// SPEC R7.1 (a proof change only as laws allow), R7.3 (grounds by type), R7.4 (written application); A3 §3, §6-§8.
async fn every_refusal_of_the_issue_changes_nothing(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let (ga, sj, anon) = (
        t.staff("ga_admin").await,
        t.staff("sj_admin").await,
        t.client(),
    );
    let item = published_item(&anon, "临时身份证明").await;
    let post = |body: Value| {
        let ga = &ga;
        async move { ga.post_json("/api/v1/adjustments", &body).await }
    };
    let field_of = |r: reqwest::Response| async move {
        assert_eq!(r.status(), 422);
        r.text().await.unwrap()
    };
    // Missing grounds.
    let mut b1 = cancel_body(item, "2026-03-11");
    b1["ground"] = json!("");
    assert!(field_of(post(b1).await).await.contains("\"ground\""));
    // A ground that is not one of the kind's (an "add" ground for a cancellation).
    let mut b2 = cancel_body(item, "2026-03-11");
    b2["ground"] = json!("上级机关下放事权");
    let text = field_of(post(b2).await).await;
    assert!(text.contains("不是此类调整的理由"), "{text}");
    // "其他" needs a text.
    let mut b3 = cancel_body(item, "2026-03-11");
    b3["ground"] = json!("其他");
    assert!(field_of(post(b3).await).await.contains("ground_text"));
    // A change of the proof itself without a legal basis (A3 §3).
    let b4 = json!({"proof_item_id": item, "kind": "change", "target": "proof", "interim_method": "verification",
        "ground": "证明名称或类型发生变化", "description": "改名", "trigger_date": "2026-03-11"});
    let text = field_of(post(b4).await).await;
    assert!(
        text.contains("basis_law") && text.contains("basis_article"),
        "{text}"
    );
    // A triggering date in the future.
    let text = field_of(post(cancel_body(item, "2026-03-13")).await).await;
    assert!(text.contains("trigger_date"), "{text}");
    // Malformed and hostile input.
    let text = field_of(post(json!({"proof_item_id": item, "kind": "erase", "interim_method": "magic", "ground": "x\u{0}",
        "description": "", "trigger_date": "昨天"})).await).await;
    for f in [
        "kind",
        "interim_method",
        "ground",
        "description",
        "trigger_date",
    ] {
        assert!(text.contains(f), "{f} named: {text}");
    }
    let mut long = cancel_body(item, "2026-03-11");
    long["description"] = json!("长".repeat(2001));
    assert!(field_of(post(long).await).await.contains("description"));
    let r = ga
        .post_json(
            "/api/v1/adjustments",
            &json!({"proof_item_id": item, "evil": 1}),
        )
        .await;
    assert_eq!(r.status(), 422, "unknown fields are refused");
    // Another unit's item, and nobody without a role.
    assert_eq!(
        sj.post_json("/api/v1/adjustments", &cancel_body(item, "2026-03-11"))
            .await
            .status(),
        403
    );
    let r = anon
        .post_json("/api/v1/adjustments", &cancel_body(item, "2026-03-11"))
        .await;
    assert!(matches!(r.status().as_u16(), 401 | 403));
    // Adding an item that is already published.
    let mut b5 = cancel_body(item, "2026-03-11");
    b5["kind"] = json!("add");
    b5["ground"] = json!("上级机关下放事权");
    b5["method"] = json!("verification");
    b5["basis_law"] = json!("《居民身份证法》");
    b5["basis_article"] = json!("第十三条");
    assert!(field_of(post(b5).await).await.contains("kind"));
    // Nothing was written.
    let all: Value = ga.json("/api/v1/adjustments").await;
    assert_eq!(all.as_array().unwrap().len(), 0);
    assert!(mark(&anon, item).await["mark"].is_null());
}

// SPEC R7.6 (review by the joint office, legal review of an added proof); A3 §10.
async fn an_added_proof_needs_the_legal_review_and_returns_carry_reasons(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let (ga, joint, justice) = (
        t.staff("ga_admin").await,
        t.staff("joint").await,
        t.staff("justice").await,
    );
    let orgs: Value = joint.json("/api/v1/orgs?limit=500").await;
    let issuer = orgs["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["name"] == "县教育和体育局")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let r = ga
        .post_json("/api/v1/catalogue/service-items", &json!({"name": "大中专学生户籍迁回登记", "code": "370322-TEST-0901", "kind": "行政确认", "level": "county"}))
        .await;
    let svc = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let r = ga
        .post_json(
            "/api/v1/catalogue/items",
            &crate::catalogue_flow::item_body("学生毕业派遣证明", issuer, svc),
        )
        .await;
    assert_eq!(r.status(), 201);
    let item = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let body = json!({"proof_item_id": item, "kind": "add", "method": "verification", "interim_method": "verification",
        "ground": "上级机关下放事权", "basis_law": "《中华人民共和国户口登记条例》", "basis_article": "第十条",
        "description": "承接市级下放的户籍迁回登记", "trigger_date": "2026-03-10", "service_item": "大中专学生户籍迁回登记"});
    let r = ga.post_json("/api/v1/adjustments", &body).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    // Without the justice bureau's review the joint office cannot approve.
    let r = joint
        .post_json(&format!("/api/v1/adjustments/{id}/approve"), &json!({}))
        .await;
    assert_eq!(r.status(), 409);
    assert!(r.text().await.unwrap().contains("合法性审查"));
    ga.post_json(
        &format!("/api/v1/catalogue/items/{item}/submit"),
        &json!({}),
    )
    .await;
    let r = justice
        .post_json(
            &format!("/api/v1/catalogue/items/{item}/reviews"),
            &json!({"verdict": "pass", "remarks": "符合规定"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let r = joint
        .post_json(&format!("/api/v1/adjustments/{id}/approve"), &json!({}))
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let a: Value = r.json().await.unwrap();
    assert!(
        a["legal_review_id"].as_i64().is_some(),
        "linked to the review"
    );

    // A return needs reasons and closes the application.
    let anon = t.client();
    let other = published_item(&anon, "被拐儿童身份证明").await;
    let r = ga
        .post_json("/api/v1/adjustments", &cancel_body(other, "2026-03-12"))
        .await;
    let id2 = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let ret = format!("/api/v1/adjustments/{id2}/return");
    assert_eq!(
        joint.post_json(&ret, &json!({"text": " "})).await.status(),
        422
    );
    let r = joint
        .post_json(&ret, &json!({"text": "仍有法律依据，不能取消"}))
        .await;
    assert_eq!(r.status(), 200);
    let a: Value = r.json().await.unwrap();
    assert_eq!(
        (a["state"].as_str(), a["return_reasons"].as_str()),
        (Some("returned"), Some("仍有法律依据，不能取消"))
    );
    assert!(
        mark(&anon, other).await["mark"].is_null(),
        "no longer 调整中"
    );
    // A new application is possible after the return.
    assert_eq!(
        ga.post_json("/api/v1/adjustments", &cancel_body(other, "2026-03-12"))
            .await
            .status(),
        201
    );
}

// SPEC R7.4 (7 working days from the triggering event); A3 §9.
async fn late_and_missing_filings_are_recorded(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let (ga, joint, anon) = (
        t.staff("ga_admin").await,
        t.staff("joint").await,
        t.client(),
    );
    let item = published_item(&anon, "临时身份证明").await;
    // Filed 4 weeks after the event: allowed, recorded late, a violation record.
    let r = ga
        .post_json("/api/v1/adjustments", &cancel_body(item, "2026-02-09"))
        .await;
    assert_eq!(r.status(), 201);
    let a: Value = r.json().await.unwrap();
    assert_eq!(a["late"], true);
    let account = staff_actor(&t.app, "account").await;
    // Only the records of list adjustment: the demo county leaves others (overdue
    // verifications, an upheld complaint).
    let v: Vec<_> = violations::list(&t.app, &account)
        .await
        .unwrap()
        .into_iter()
        .filter(|v| v.source == ViolationSource::Adjustment)
        .collect();
    assert_eq!(v.len(), 1);
    assert_eq!(v[0].source_ref, format!("adjustment:{}", a["id"]));
    assert_eq!(v[0].kind.as_str(), "weak_implementation");

    // An event the joint office records starts the unit's limit; nothing filed in time.
    let other = published_item(&anon, "被拐儿童身份证明").await;
    let r = joint
        .post_json("/api/v1/adjustment-events", &json!({"proof_item_id": other, "description": "《某某条例》修订", "event_date": "2026-03-12"}))
        .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let ev: Value = r.json().await.unwrap();
    let r = joint
        .post_json(
            "/api/v1/adjustment-events",
            &json!({"proof_item_id": other, "description": "x", "event_date": "2027-01-01"}),
        )
        .await;
    assert_eq!(r.status(), 422);
    assert_eq!(
        ga.post_json(
            "/api/v1/adjustment-events",
            &json!({"proof_item_id": other, "description": "x", "event_date": "2026-03-12"})
        )
        .await
        .status(),
        403
    );
    let notes: Value = ga.json("/api/v1/notifications").await;
    assert!(
        notes.to_string().contains("《某某条例》修订"),
        "the unit is told: {notes}"
    );
    t.clock.advance(Duration::days(14));
    proofless_app::jobs::run_once(&t.app, "test").await.unwrap();
    proofless_app::jobs::run_once(&t.app, "test").await.unwrap();
    // Only the records of list adjustment: the demo county leaves others (overdue
    // verifications, an upheld complaint).
    let v: Vec<_> = violations::list(&t.app, &account)
        .await
        .unwrap()
        .into_iter()
        .filter(|v| v.source == ViolationSource::Adjustment)
        .collect();
    assert!(
        v.iter()
            .any(|x| x.source_ref == format!("adjustment_event:{}", ev["id"])),
        "{v:?}"
    );
    assert_eq!(v.len(), 2, "recorded once however many passes");
    // Filing afterwards answers the event (late).
    let ga = t.staff("ga_admin").await;
    let mut body = cancel_body(other, "2026-03-12");
    body["event_id"] = ev["id"].clone();
    let r = ga.post_json("/api/v1/adjustments", &body).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    assert_eq!(r.json::<Value>().await.unwrap()["late"], true);
}

// SPEC R7.2 (published in principle every half year); A3 §5.
async fn the_half_year_reminder_and_overdue_mark(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let joint = t.staff("joint").await;
    let r: Value = joint.json("/api/v1/adjustments-publication").await;
    assert!(
        r.as_array()
            .unwrap()
            .iter()
            .all(|l| l["rhythm"] == "on_time"),
        "{r}"
    );
    t.clock.advance(Duration::days(153));
    proofless_app::jobs::run_once(&t.app, "test").await.unwrap();
    let joint = t.staff("joint").await;
    let r: Value = joint.json("/api/v1/adjustments-publication").await;
    assert!(
        r.as_array()
            .unwrap()
            .iter()
            .any(|l| l["rhythm"] == "reminder"),
        "{r}"
    );
    let notes: Value = joint.json("/api/v1/notifications").await;
    assert!(notes.to_string().contains("已满5个月"), "{notes}");
    t.clock.advance(Duration::days(31));
    proofless_app::jobs::run_once(&t.app, "test").await.unwrap();
    let joint = t.staff("joint").await;
    let r: Value = joint.json("/api/v1/adjustments-publication").await;
    assert!(
        r.as_array()
            .unwrap()
            .iter()
            .any(|l| l["rhythm"] == "overdue"),
        "{r}"
    );
    let notes: Value = joint.json("/api/v1/notifications").await;
    assert!(notes.to_string().contains("逾期"), "{notes}");
    // Only the joint office and the approver read the rhythm.
    assert_eq!(
        t.staff("ga_admin")
            .await
            .get("/api/v1/adjustments-publication")
            .await
            .status(),
        403
    );
}

both_backends!(
    a_cancellation_goes_from_filing_through_review_to_publication,
    every_refusal_of_the_issue_changes_nothing,
    an_added_proof_needs_the_legal_review_and_returns_carry_reasons,
    late_and_missing_filings_are_recorded,
    the_half_year_reminder_and_overdue_mark,
);
