//! Complaints (annex 4, issue #20): required fields per channel, anonymity, acceptance and
//! each non-acceptance ground, duplicate linking, the extension cap, termination, masking,
//! result with a violation record, satisfaction and one reopening; the 12345 work-order API
//! and its signed callbacks to a loopback receiver.

use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use crate::common::{Backend, Client, TestApp, spawn_demo};

const GA: &str = "县公安局";

pub async fn org_id(t: &TestApp, name: &str) -> i64 {
    let admin = t.staff("admin").await;
    let orgs = admin.json(&format!("/api/v1/orgs?q={name}&limit=50")).await;
    orgs["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["name"] == name)
        .unwrap_or_else(|| panic!("org {name}"))["id"]
        .as_i64()
        .unwrap()
}

async fn post(c: &Client, path: &str, body: Value) -> (u16, Value) {
    let r = c.post_json(path, &body).await;
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

fn fields(v: &Value) -> Vec<String> {
    v["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| e["field"].as_str().unwrap_or("").to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// A public complaint to the special window about the police bureau.
pub async fn public_complaint(t: &TestApp, ga: i64, phone: &str, text: &str) -> String {
    let anon = t.client();
    let (s, v) = post(
        &anon,
        "/api/v1/public/complaints",
        json!({"name": "王小明", "phone": phone, "agency_org_id": ga, "ground": "proof_demanded",
               "request": text, "reasons": "窗口工作人员要求提供社区开具的居住证明，否则不予办理。"}),
    )
    .await;
    assert_eq!(s, 201, "{v}");
    v["receipt_no"].as_str().unwrap().to_owned()
}

async fn id_of(c: &Client, receipt: &str) -> i64 {
    let list = c.json("/api/v1/complaints?per_page=200").await;
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["receipt_no"] == receipt)
        .unwrap_or_else(|| panic!("{receipt} in list"))["id"]
        .as_i64()
        .unwrap()
}

// SPEC R8.1 (receivers), R8.3 (channels), R8.4 (registration); A4 §5, §6, §10.
async fn registration_checks_fields_per_channel_and_anonymity(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let ga = org_id(&t, GA).await;
    let window = t.staff("window").await;
    let before = window.json("/api/v1/complaints").await["total"]
        .as_i64()
        .unwrap();
    // A4 §5: a written letter names complainant, phone, agency, request, reasons.
    let (s, v) = post(&window, "/api/v1/complaints", json!({"receiver": "window", "channel": "letter", "form": "written", "ground": "proof_demanded", "request": ""})).await;
    assert_eq!(s, 422, "{v}");
    assert_eq!(
        fields(&v),
        ["name", "phone", "agency_org_id", "request", "reasons"]
    );
    // A letter is never oral; an unknown channel is named.
    let (s, v) = post(&window, "/api/v1/complaints", json!({"channel": "letter", "form": "oral", "name": "张三", "phone": "13800000001", "agency_org_id": ga, "ground": "other", "request": "要求纠正"})).await;
    assert_eq!(s, 422);
    assert!(fields(&v).contains(&"form".to_owned()), "{v}");
    let (s, v) = post(
        &window,
        "/api/v1/complaints",
        json!({"channel": "pigeon", "form": "oral", "ground": "other", "request": "x"}),
    )
    .await;
    assert_eq!(s, 422);
    assert!(fields(&v).contains(&"channel".to_owned()));
    // A4 §10: anonymous only by the hotline, and only orally.
    let anon = json!({"channel": "special_window", "form": "oral", "anonymous": true, "agency_org_id": ga, "ground": "proof_demanded", "request": "仍要求提供无犯罪记录证明"});
    let (s, v) = post(&window, "/api/v1/complaints", anon).await;
    assert_eq!(s, 422);
    assert_eq!(fields(&v), ["anonymous"]);
    let hotline = t.staff("hotline").await;
    let (s, v) = post(&hotline, "/api/v1/complaints", json!({"channel": "hotline_12345", "form": "written", "anonymous": true, "agency_org_id": ga, "ground": "proof_demanded", "request": "x", "reasons": "y"})).await;
    assert_eq!(s, 422);
    assert_eq!(fields(&v), ["anonymous"]);
    let (s, v) = post(&hotline, "/api/v1/complaints", json!({"channel": "hotline_12345", "form": "oral", "anonymous": true, "name": "不应保存", "agency_org_id": ga, "ground": "proof_demanded", "request": "仍要求提供无犯罪记录证明"})).await;
    assert_eq!(s, 201, "{v}");
    assert_eq!(v["anonymous"], true);
    assert_eq!(v["complainant_name"], "匿名");
    assert_eq!(v["state"], "registered");
    assert!(v["receipt_no"].as_str().unwrap().starts_with("TS"));
    // A4 §6: an entrusted agent with the authorisation.
    let agent = json!({"channel": "agent", "form": "oral", "name": "李四", "phone": "13800000002", "agency_org_id": ga, "ground": "list_not_followed", "request": "按清单办理"});
    let (s, v) = post(&window, "/api/v1/complaints", agent.clone()).await;
    assert_eq!(s, 422);
    assert_eq!(fields(&v), ["agent_name", "agent_authorisation"]);
    let mut ok = agent;
    ok["agent_name"] = json!("李律师");
    ok["agent_authorisation"] = json!("授权委托书（2026）第12号");
    let (s, v) = post(&window, "/api/v1/complaints", ok).await;
    assert_eq!(s, 201, "{v}");
    assert_eq!(v["agent_name"], "李律师");
    // Only receivers register; the hotline role does not make a window complaint.
    let (s, _) = post(&hotline, "/api/v1/complaints", json!({"receiver": "window", "channel": "in_person", "form": "oral", "phone": "13800000003", "agency_org_id": ga, "ground": "other", "request": "x"})).await;
    assert_eq!(s, 403);
    let citizen = t.client();
    let (s, _) = post(
        &citizen,
        "/api/v1/complaints",
        json!({"channel": "in_person", "form": "oral", "ground": "other", "request": "x"}),
    )
    .await;
    assert_eq!(s, 401);
    // An agency receives complaints about itself only.
    let ga_admin = t.staff("ga_admin").await;
    let sj = org_id(&t, "县市场监管局").await;
    let (s, v) = post(&ga_admin, "/api/v1/complaints", json!({"channel": "in_person", "form": "oral", "phone": "13800000004", "agency_org_id": sj, "ground": "other", "request": "x"})).await;
    assert_eq!(s, 422, "{v}");
    let (s, v) = post(&ga_admin, "/api/v1/complaints", json!({"channel": "in_person", "form": "oral", "phone": "13800000004", "ground": "other", "request": "户籍窗口要求提供亲属关系证明"})).await;
    assert_eq!(s, 201, "{v}");
    assert_eq!(v["receiver"], "agency");
    // Refused inputs changed nothing: three complaints were registered.
    let after = window.json("/api/v1/complaints").await["total"]
        .as_i64()
        .unwrap();
    assert_eq!(after - before, 3);
}

// SPEC R8.2 (grounds), R8.5 (non-acceptance grounds, 1 working day); A4 §4, §8.
async fn acceptance_and_each_ground_of_non_acceptance(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let ga = org_id(&t, GA).await;
    let window = t.staff("window").await;
    let mut ids = vec![];
    for i in 0..5 {
        let r = public_complaint(
            &t,
            ga,
            &format!("1390000000{i}"),
            &format!("第{i}件：办理户籍迁移时要求提供原单位证明"),
        )
        .await;
        ids.push((id_of(&window, &r).await, r));
    }
    // Another receiver sees it read-only and may not decide.
    let justice = t.staff("justice_cp").await;
    let (s, _) = post(
        &justice,
        &format!("/api/v1/complaints/{}/accept", ids[0].0),
        json!({}),
    )
    .await;
    assert_eq!(s, 403);
    let shared = justice
        .json(&format!("/api/v1/complaints/{}", ids[0].0))
        .await;
    assert_eq!(shared["identity_shown"], false);
    assert_ne!(shared["complainant_phone"], "13900000000");
    // "Other" needs the reason; an unknown ground is named.
    let path = format!("/api/v1/complaints/{}/reject", ids[0].0);
    let (s, v) = post(&window, &path, json!({"ground": "other"})).await;
    assert_eq!(s, 422);
    assert_eq!(fields(&v), ["note"]);
    let (s, _) = post(&window, &path, json!({"ground": "boring"})).await;
    assert_eq!(s, 422);
    for ((id, receipt), ground) in ids.iter().zip([
        "too_vague",
        "repeated_malicious",
        "other_proceedings",
        "other",
    ]) {
        let (s, v) = post(
            &window,
            &format!("/api/v1/complaints/{id}/reject"),
            json!({"ground": ground, "note": "已告知投诉人"}),
        )
        .await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["state"], "rejected");
        assert_eq!(v["reject_ground"], ground);
        // The complainant is told why, on the tracking page.
        let i = ids.iter().position(|x| &x.1 == receipt).unwrap();
        let (s, tr) = post(
            &t.client(),
            "/api/v1/public/complaints/track",
            json!({"receipt_no": receipt, "phone": format!("1390000000{i}")}),
        )
        .await;
        assert_eq!(s, 200, "{tr}");
        assert_eq!(tr["state"], "rejected");
        assert_eq!(tr["reject_ground"], ground);
    }
    // Decided once.
    let (s, _) = post(
        &window,
        &format!("/api/v1/complaints/{}/accept", ids[0].0),
        json!({}),
    )
    .await;
    assert_eq!(s, 409);
    // The fifth is accepted and handed to the agency, within its working day.
    let (s, v) = post(
        &window,
        &format!("/api/v1/complaints/{}/accept", ids[4].0),
        json!({"handling_org_id": ga}),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["state"], "accepted");
    assert_eq!(v["handling_org_id"], ga);
    assert!(v["handle_deadline_id"].as_i64().is_some());
    // A wrong phone is "not found", as an unknown receipt number.
    let (s, _) = post(
        &t.client(),
        "/api/v1/public/complaints/track",
        json!({"receipt_no": ids[4].1, "phone": "13911112222"}),
    )
    .await;
    assert_eq!(s, 404);
}

// SPEC R8.7 (result within the limit, satisfaction), R9.2 (an upheld complaint is a violation record); A4 §10-§11.
async fn masking_result_violation_satisfaction_and_one_reopening(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let ga = org_id(&t, GA).await;
    let receipt = public_complaint(&t, ga, "13700001111", "办理身份证时仍要求提供户籍证明").await;
    let window = t.staff("window").await;
    let id = id_of(&window, &receipt).await;
    let full = window.json(&format!("/api/v1/complaints/{id}")).await;
    assert_eq!(full["complainant_phone"], "13700001111");
    assert_eq!(full["complainant_name"], "王小明");
    let (s, v) = post(
        &window,
        &format!("/api/v1/complaints/{id}/accept"),
        json!({"identity_needed": false}),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    // The agency complained about handles it without seeing who complained.
    let ga_admin = t.staff("ga_admin").await;
    let masked = ga_admin.json(&format!("/api/v1/complaints/{id}")).await;
    assert_eq!(masked["identity_shown"], false);
    assert_eq!(masked["complainant_name"], "王**");
    assert!(!masked.to_string().contains("13700001111"), "{masked}");
    // Every read is in the audit log with the complainant as subject.
    let admin = t.staff("admin").await;
    let audit = admin
        .json(&format!(
            "/api/v1/audit?object_type=complaint&object_id={id}"
        ))
        .await;
    assert!(audit.to_string().contains("complaint.read"), "{audit}");
    // An unrelated unit does not see it.
    let sj = t.staff("sj_admin").await;
    assert_eq!(
        sj.get(&format!("/api/v1/complaints/{id}")).await.status(),
        404
    );
    // Result: an upheld complaint needs measures, then records a violation.
    let path = format!("/api/v1/complaints/{id}/result");
    let (s, v) = post(&ga_admin, &path, json!({"facts": "", "upheld": true})).await;
    assert_eq!(s, 422);
    assert_eq!(fields(&v), ["facts", "measures"]);
    let (s, _) = post(&window, &path, json!({"facts": "x", "upheld": false})).await;
    assert_eq!(s, 403, "the receiver is not the handling unit here");
    let (s, v) = post(&ga_admin, &path, json!({"facts": "窗口人员确曾要求提供户籍证明", "upheld": true, "measures": "已批评教育，当场改为内部核验"})).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["state"], "answered");
    assert_eq!(v["on_time"], true);
    let notice = v["notice_id"].as_str().unwrap().to_owned();
    assert_eq!(
        t.client().get(&format!("/sealed/{notice}")).await.status(),
        200
    );
    let system = proofless_app::actor::Actor::system("test");
    let vr = proofless_app::violations::list(&t.app, &system)
        .await
        .unwrap();
    let rec = vr
        .iter()
        .find(|r| r.source_ref == format!("complaint:{id}"))
        .expect("violation recorded");
    assert_eq!(
        rec.kind,
        proofless_domain::violation::ViolationKind::ProofDemanded
    );
    assert_eq!(rec.org_id, ga);
    // The complainant rates on the tracking page: 不满意.
    let key = json!({"receipt_no": receipt, "phone": "13700001111", "answer": "unsatisfied"});
    let (s, tr) = post(
        &t.client(),
        "/api/v1/public/complaints/satisfaction",
        key.clone(),
    )
    .await;
    assert_eq!(s, 200, "{tr}");
    assert_eq!(tr["satisfaction"], "unsatisfied");
    let (s, _) = post(
        &t.client(),
        "/api/v1/public/complaints/satisfaction",
        key.clone(),
    )
    .await;
    assert_eq!(s, 409, "rated once");
    // The receiver reopens once; the agency answers again; a second reopening is refused.
    let (s, _) = post(
        &ga_admin,
        &format!("/api/v1/complaints/{id}/reopen"),
        json!({}),
    )
    .await;
    assert_eq!(s, 403);
    let (s, v) = post(
        &window,
        &format!("/api/v1/complaints/{id}/reopen"),
        json!({}),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["state"], "accepted");
    assert_eq!(v["reopened"], true);
    let (s, _) = post(
        &ga_admin,
        &path,
        json!({"facts": "复查：已向投诉人当面致歉", "upheld": true, "measures": "全局通报"}),
    )
    .await;
    assert_eq!(s, 200);
    let (s, _) = post(&t.client(), "/api/v1/public/complaints/satisfaction", key).await;
    assert_eq!(s, 200);
    let (s, v) = post(
        &window,
        &format!("/api/v1/complaints/{id}/reopen"),
        json!({}),
    )
    .await;
    assert_eq!(s, 409, "{v}");
    // The figures count it once.
    let f = window.json("/api/v1/complaints/figures?by=receiver").await;
    let w = f["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == "window")
        .unwrap()
        .clone();
    assert_eq!(
        (
            w["received"].as_i64(),
            w["answered"].as_i64(),
            w["upheld"].as_i64(),
            w["unsatisfied"].as_i64()
        ),
        // Received: this complaint and the demo's own one waiting at the special window.
        (Some(2), Some(1), Some(1), Some(2))
    );
}

// SPEC R8.6 (the first receiver handles); A4 §9.
async fn duplicates_are_linked_to_the_first_receiver(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let ga = org_id(&t, GA).await;
    let first = public_complaint(
        &t,
        ga,
        "13600002222",
        "县公安局办理居住证时仍要求提供社区居住证明",
    )
    .await;
    let window = t.staff("window").await;
    let first_id = id_of(&window, &first).await;
    // The same citizen calls 12345 a little later.
    let hotline = t.staff("hotline").await;
    let (s, later) = post(&hotline, "/api/v1/complaints", json!({"channel": "hotline_12345", "form": "oral", "name": "王小明", "phone": "13600002222", "agency_org_id": ga, "ground": "proof_demanded", "request": "在县公安局办居住证，窗口仍然要求提供社区居住证明"})).await;
    assert_eq!(s, 201, "{later}");
    let dups = later["duplicates"].as_array().unwrap();
    assert_eq!(dups.len(), 1, "{later}");
    assert_eq!(dups[0]["id"], first_id);
    assert_eq!(dups[0]["same_phone"], true);
    let later_id = later["id"].as_i64().unwrap();
    // The first may not be linked to the later one.
    let (s, _) = post(
        &window,
        &format!("/api/v1/complaints/{first_id}/link"),
        json!({"first_id": later_id}),
    )
    .await;
    assert_eq!(s, 422);
    let (s, v) = post(
        &hotline,
        &format!("/api/v1/complaints/{later_id}/link"),
        json!({"first_id": first_id}),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["state"], "linked");
    // The first is handled by the window itself and terminated: the linked one follows.
    let (s, _) = post(
        &window,
        &format!("/api/v1/complaints/{first_id}/accept"),
        json!({"handling_org_id": org_id(&t, "县行政审批服务局").await}),
    )
    .await;
    assert_eq!(s, 200);
    let (s, v) = post(
        &window,
        &format!("/api/v1/complaints/{first_id}/result"),
        json!({"facts": "经查属实", "upheld": true, "measures": "已责令改正"}),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let linked = hotline
        .json(&format!("/api/v1/complaints/{later_id}"))
        .await;
    assert_eq!(linked["facts"], "经查属实");
    assert_eq!(linked["upheld"], true);
}

// SPEC R8.7 (5 + at most 5 working days), R8.8 (termination grounds); A4 §10-§11.
async fn extension_is_capped_and_handling_terminates(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let ga = org_id(&t, GA).await;
    let receipt = public_complaint(&t, ga, "13500003333", "办理出入境证件时要求提供单位证明").await;
    let window = t.staff("window").await;
    let id = id_of(&window, &receipt).await;
    let (s, _) = post(
        &window,
        &format!("/api/v1/complaints/{id}/accept"),
        json!({}),
    )
    .await;
    assert_eq!(s, 200);
    let ga_admin = t.staff("ga_admin").await;
    let ext = format!("/api/v1/complaints/{id}/extensions");
    let (s, v) = post(&ga_admin, &ext, json!({"period": "3wd", "reason": ""})).await;
    assert_eq!(s, 422);
    assert_eq!(fields(&v), ["reason"]);
    let (s, _) = post(
        &window,
        &ext,
        json!({"period": "3wd", "reason": "需调取档案"}),
    )
    .await;
    assert_eq!(s, 403, "the receiver does not apply");
    let (s, v) = post(
        &ga_admin,
        &ext,
        json!({"period": "3wd", "reason": "案情复杂，需调取历史档案"}),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let e1 = v["extensions"][0]["id"].as_i64().unwrap();
    let (s, _) = post(
        &ga_admin,
        &format!("{ext}/{e1}/decision"),
        json!({"approve": true}),
    )
    .await;
    assert_eq!(s, 403, "approved by the receiver only");
    let (s, v) = post(
        &window,
        &format!("{ext}/{e1}/decision"),
        json!({"approve": true}),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["extensions"][0]["state"], "approved");
    // 3 + 3 working days exceed the cap of 5 in all: refused, nothing moves.
    let (s, v) = post(
        &ga_admin,
        &ext,
        json!({"period": "3wd", "reason": "仍需调查"}),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let e2 = v["extensions"][1]["id"].as_i64().unwrap();
    let (s, v) = post(
        &window,
        &format!("{ext}/{e2}/decision"),
        json!({"approve": true}),
    )
    .await;
    assert_eq!(s, 422, "{v}");
    assert_eq!(fields(&v), ["period"]);
    let (s, v) = post(
        &window,
        &format!("{ext}/{e2}/decision"),
        json!({"approve": false}),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["extensions"][1]["state"], "refused");
    // Terminated: withdrawn.
    let term = format!("/api/v1/complaints/{id}/terminate");
    let (s, v) = post(&ga_admin, &term, json!({"ground": "other"})).await;
    assert_eq!(s, 422);
    assert_eq!(fields(&v), ["note"]);
    let (s, v) = post(&ga_admin, &term, json!({"ground": "withdrawn"})).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["state"], "terminated");
    let (s, _) = post(
        &ga_admin,
        &format!("/api/v1/complaints/{id}/result"),
        json!({"facts": "x", "upheld": false}),
    )
    .await;
    assert_eq!(s, 409);
}

/// A loopback receiver standing in for the 12345 platform: keeps bodies and signatures.
async fn platform() -> (String, Arc<Mutex<Vec<(String, String, String)>>>) {
    use axum::routing::post;
    let got: Arc<Mutex<Vec<(String, String, String)>>> = Arc::default();
    let keep = got.clone();
    let app = axum::Router::new().route(
        "/callback",
        post(move |h: axum::http::HeaderMap, body: String| {
            let keep = keep.clone();
            async move {
                let get = |n: &str| {
                    h.get(n)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("")
                        .to_owned()
                };
                keep.lock().unwrap().push((
                    get("x-proofless-timestamp"),
                    get("x-proofless-signature"),
                    body,
                ));
                axum::http::StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}/callback"), got)
}

// SPEC R8.1 (the 12345 hotline receives), R8.9 (results shared back); A4 §3, §12.
async fn hotline_work_orders_and_signed_callbacks(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let admin = t.staff("admin").await;
    let office = org_id(&t, "县政府办公室").await;
    let (s, tok) = post(
        &admin,
        "/api/v1/api-tokens",
        json!({"org_id": office, "name": "12345平台", "roles": ["complaint_hotline"]}),
    )
    .await;
    assert_eq!(s, 201, "{tok}");
    let api = t.bearer(tok["secret"].as_str().unwrap());
    let order = json!({"work_order_no": "GD20261205001", "name": "赵六", "phone": "13400004444", "agency": GA,
        "ground": "not_checked_in_time", "content": "户籍证明核验三天无人答复"});
    // Bad token, a staff session, malformed JSON, unknown fields, oversize body.
    let (s, _) = post(
        &t.bearer("pl_nope"),
        "/api/v1/hotline/work-orders",
        order.clone(),
    )
    .await;
    assert_eq!(s, 401);
    let hotline = t.staff("hotline").await;
    let (s, _) = post(&hotline, "/api/v1/hotline/work-orders", order.clone()).await;
    assert_eq!(s, 403);
    let r = api
        .post_raw(
            "/api/v1/hotline/work-orders",
            "application/json",
            b"{\"work_order_no\": ".to_vec(),
        )
        .await;
    assert!(matches!(r.status().as_u16(), 400 | 422), "{}", r.status());
    let (s, _) = post(&api, "/api/v1/hotline/work-orders", json!({"work_order_no": "x", "agency": GA, "ground": "other", "content": "x", "phone": "13400004444", "evil": 1})).await;
    assert_eq!(s, 422);
    let big = json!({"work_order_no": "GD-big", "agency": GA, "ground": "other", "phone": "13400004444", "content": "长".repeat(700_000)});
    let r = api
        .post_raw(
            "/api/v1/hotline/work-orders",
            "application/json",
            big.to_string().into_bytes(),
        )
        .await;
    assert_eq!(r.status(), 413);
    let (s, v) = post(&api, "/api/v1/hotline/work-orders", json!({"work_order_no": "GD2", "agency": "不存在的局", "ground": "other", "content": "x", "phone": "13400004444"})).await;
    assert_eq!(s, 422);
    assert_eq!(fields(&v), ["agency"]);
    // Registered once, however often it is sent.
    let (s, first) = post(&api, "/api/v1/hotline/work-orders", order.clone()).await;
    assert_eq!(s, 201, "{first}");
    assert_eq!(first["created"], true);
    let (s, again) = post(&api, "/api/v1/hotline/work-orders", order).await;
    assert_eq!(s, 200);
    assert_eq!(again["created"], false);
    assert_eq!(again["receipt_no"], first["receipt_no"]);
    // The platform's callback; the result is pushed, signed.
    let (url, got) = platform().await;
    let secret = "a-shared-secret-of-12345";
    let r = hotline
        .put_json(
            "/api/v1/hotline/callback",
            &json!({"callback_url": "ftp://x", "secret": "short"}),
            None,
        )
        .await;
    assert_eq!(r.status(), 422);
    let r = hotline
        .put_json(
            "/api/v1/hotline/callback",
            &json!({"callback_url": url, "secret": secret}),
            None,
        )
        .await;
    assert_eq!(r.status(), 200);
    let id = id_of(&hotline, first["receipt_no"].as_str().unwrap()).await;
    let (s, _) = post(
        &hotline,
        &format!("/api/v1/complaints/{id}/accept"),
        json!({"handling_org_id": office}),
    )
    .await;
    assert_eq!(s, 200);
    let (s, v) = post(
        &hotline,
        &format!("/api/v1/complaints/{id}/result"),
        json!({"facts": "核验确已超时", "upheld": true, "measures": "已约谈"}),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    proofless_app::jobs::run_once(&t.app, "test").await.unwrap();
    let calls = got.lock().unwrap().clone();
    assert_eq!(calls.len(), 1, "pushed once");
    let (ts, sig, body) = &calls[0];
    assert_eq!(
        sig,
        &proofless_app::complaints::hotline::signature(secret, ts.parse().unwrap(), body)
    );
    let v: Value = serde_json::from_str(body).unwrap();
    assert_eq!(v["work_order_no"], "GD20261205001");
    assert_eq!(v["state"], "answered");
    assert_eq!(v["upheld"], true);
    // Delivered: not pushed again.
    proofless_app::jobs::run_once(&t.app, "test").await.unwrap();
    assert_eq!(got.lock().unwrap().len(), 1);
    // The upheld late check is recorded as such (A5 §4(3)).
    let system = proofless_app::actor::Actor::system("test");
    let vr = proofless_app::violations::list(&t.app, &system)
        .await
        .unwrap();
    assert!(
        vr.iter()
            .any(|r| r.kind == proofless_domain::violation::ViolationKind::VerificationLate)
    );
    // The assessment export.
    let r = hotline.get("/api/v1/complaints/assessment.xlsx").await;
    assert_eq!(r.status(), 200);
    assert!(r.bytes().await.unwrap().starts_with(b"PK"));
}

crate::both_backends!(
    registration_checks_fields_per_channel_and_anonymity,
    acceptance_and_each_ground_of_non_acceptance,
    masking_result_violation_satisfaction_and_one_reopening,
    duplicates_are_linked_to_the_first_receiver,
    extension_is_capped_and_handling_terminates,
    hotline_work_orders_and_signed_callbacks,
);
