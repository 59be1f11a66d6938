//! Notification-commitment (issue #6, SPEC R4): templates, signing at the portal and the
//! counter, eligibility, plans, PDF, seal, withdrawal, publication, figures, sampling.

use proofless_app::cases::{self, Decision, NewCase};
use proofless_app::{Actor, ActorKind};
use proofless_domain::role::Role;
use proofless_store::q;
use serde_json::{Value, json};

use crate::common::{Backend, Client, TestApp, spawn_demo};

pub const ZHANG: &str = "370322199001011238";
pub const LI: &str = "370322198512152468";
pub const LEGAL_AID: &str = "经济困难证明（法律援助）";
pub const RESIDENCE: &str = "住所（经营场所）使用证明";

pub async fn id_of(t: &TestApp, sql: &str, arg: &str) -> i64 {
    let (id,): (i64,) = t.app.db.reader().fetch_one(q(sql).bind(arg)).await.unwrap();
    id
}

pub async fn item(t: &TestApp, name: &str) -> i64 {
    id_of(
        t,
        "SELECT id FROM proof_items WHERE name = ? ORDER BY id LIMIT 1",
        name,
    )
    .await
}

pub async fn org(t: &TestApp, name: &str) -> i64 {
    id_of(
        t,
        "SELECT id FROM orgs WHERE name = ? ORDER BY id LIMIT 1",
        name,
    )
    .await
}

pub async fn person(t: &TestApp, rid: &str) -> i64 {
    crate::common::person_id(&t.app, rid).await
}

/// The person as the API names her: `person:<public id>` (issue #16 item 6).
pub async fn person_ref(t: &TestApp, rid: &str) -> String {
    let id = person(t, rid).await;
    let public = proofless_app::applicants::public_id_of(&t.app, id)
        .await
        .unwrap();
    format!("person:{public}")
}

/// A portal client logged in as the citizen.
pub async fn citizen(t: &TestApp, rid: &str) -> Client {
    let mut c = t.client();
    let r = c
        .post_json(
            "/api/v1/portal/login",
            &json!({"resident_id": rid, "password": crate::common::DEMO_PASSWORD}),
        )
        .await;
    assert_eq!(r.status(), 200, "portal login {rid}");
    c.csrf = r.json::<Value>().await.unwrap()["csrf_token"]
        .as_str()
        .unwrap()
        .to_owned();
    c
}

/// A clerk of the unit, as the services see one.
pub fn clerk_of(org_id: i64) -> Actor {
    Actor {
        kind: ActorKind::Staff,
        id: None,
        name: "测试窗口".to_owned(),
        org_id: Some(org_id),
        org_name: None,
        region_code: None,
        roles: vec![Role::CounterClerk],
        operation_id: "test".to_owned(),
    }
}

/// The code of a service item that uses the proof item (SPEC R2.1: a promise replaces a
/// proof only in a case of a service the list gives for it).
pub async fn service_of(t: &TestApp, item_id: i64) -> String {
    let (code,): (String,) = t
        .app
        .db
        .reader()
        .fetch_one(
            q("SELECT s.code FROM service_items s JOIN proof_item_services ps ON ps.service_item_id = s.id \
               WHERE ps.proof_item_id = ? ORDER BY s.id LIMIT 1")
            .bind(item_id),
        )
        .await
        .unwrap();
    code
}

/// An open case at the unit for the person, of a service that uses the proof item (the
/// coordinator's minimal cases).
pub async fn open_case(t: &TestApp, org_id: i64, person_id: i64, item_id: i64) -> i64 {
    let code = service_of(t, item_id).await;
    cases::create(
        &t.app,
        &clerk_of(org_id),
        &NewCase {
            service_item_code: code,
            applicant_kind: "person".to_owned(),
            applicant: proofless_app::applicants::public_id_of(&t.app, person_id)
                .await
                .unwrap(),
            applicant_name: None,
            immediate: false,
            statutory_limit: None,
        },
    )
    .await
    .unwrap()
    .id
}

/// Decides the case (the unit's decision ends the window for withdrawal).
pub async fn decide_case(t: &TestApp, case_id: i64) {
    let (org_id,): (i64,) = t
        .app
        .db
        .reader()
        .fetch_one(q("SELECT org_id FROM cases WHERE id = ?").bind(case_id))
        .await
        .unwrap();
    cases::decide(
        &t.app,
        &clerk_of(org_id),
        case_id,
        &Decision {
            // Ended on a ground: whether its proofs are resolved does not matter here.
            outcome: "terminated".to_owned(),
            reason: "办理终结".to_owned(),
        },
    )
    .await
    .unwrap();
}

pub async fn sign_portal(
    t: &TestApp,
    c: &Client,
    item_name: &str,
    org_name: &str,
    rid: &str,
) -> reqwest::Response {
    let item_id = item(t, item_name).await;
    let case = open_case(t, org(t, org_name).await, person(t, rid).await, item_id).await;
    c.post_json(
        "/api/v1/commitments",
        &json!({"case_id": case, "proof_item_id": item_id,
                "facts": "家庭人均收入低于当地最低生活保障标准", "chosen_by_applicant": true}),
    )
    .await
}

/// Makes every subject of the item checked in full within 5 working days (a new rule version).
pub async fn check_everyone(t: &TestApp, item_name: &str, supervisor: &str) {
    let admin = t.staff("admin").await;
    let r = admin
        .post_json(
            &format!("/api/v1/catalogue/items/{}/commitment-rules", item(t, item_name).await),
            &json!({"supervising_org_id": org(t, supervisor).await, "standard": "现场核查经营场所",
                    "bands": [{"min_score": 0, "max_score": 1000, "method": "on_site", "within_wd": 5, "sample_permille": 1000}]}),
        )
        .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
}

async fn published_templates_are_public_before_applying(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let anon = t.client();
    let id = item(&t, LEGAL_AID).await;
    let tpl: Value = anon
        .json(&format!("/api/v1/public/items/{id}/commitment-template"))
        .await;
    // R4.1: obligation, content and liability are stated.
    assert_eq!(tpl["stage"], "published");
    assert!(tpl["liability"].as_str().unwrap().contains("信用记录"));
    assert!(
        tpl["reviewer_name"].as_str().is_some(),
        "justice bureau reviewed"
    );
    // The public item page carries the same text (SPEC R4.1: read before applying).
    let page = anon
        .get(&format!("/proofs/items/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("告知承诺书（格式文本"), "{page}");
    assert!(page.contains("不实承诺的法律责任"));
    // An item without a template is a 404 with a Chinese message.
    let other = item(&t, "捡拾弃婴（儿童）报案证明").await;
    let r = anon
        .get(&format!("/api/v1/public/items/{other}/commitment-template"))
        .await;
    assert_eq!(r.status(), 404);
}

async fn a_citizen_signs_on_the_portal_and_gets_a_sealed_pdf(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let c = citizen(&t, ZHANG).await;
    let id = item(&t, LEGAL_AID).await;
    let e: Value = c
        .json(&format!(
            "/api/v1/commitments/eligibility?proof_item_id={id}"
        ))
        .await;
    assert_eq!(e["eligible"], true, "{e}");
    // R4.3: score 750 falls in the sampled band of the demo rule.
    assert_eq!(e["plan_kind"], "sample");
    let r = sign_portal(&t, &c, LEGAL_AID, "县司法局", ZHANG).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let cm: Value = r.json().await.unwrap();
    assert_eq!(cm["channel"], "portal");
    assert_eq!(cm["plan_kind"], "sample");
    assert_eq!(cm["sample_state"], "pending");
    assert_eq!(cm["rule_number"], 1, "the plan records its rule version");
    let letter: Value = serde_json::from_str(cm["letter"].as_str().unwrap()).unwrap();
    assert_eq!(letter["applicant"]["name"], "张三");
    // Sealed by the receiving unit, verifiable publicly.
    let sealed = cm["sealed_id"].as_str().unwrap();
    let v: Value = t
        .client()
        .json(&format!("/api/v1/public/sealed/{sealed}/verify"))
        .await;
    assert_eq!(v["valid"], true, "{v}");
    assert_eq!(v["org_name"], "县司法局");
    // PDF with its font embedded (what it holds: tests/it/letter_pdf.rs).
    let r = c
        .get(&format!("/api/v1/commitments/{}/letter.pdf", cm["id"]))
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let pdf = r.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let text = String::from_utf8_lossy(&pdf);
    assert!(text.contains("/FontFile") && !text.contains("STSong-Light"));
    // Another citizen may not read it.
    let other = citizen(&t, LI).await;
    assert_eq!(
        other
            .get(&format!("/api/v1/commitments/{}", cm["id"]))
            .await
            .status(),
        403
    );
}

/// A company commits through its legal representative (R4.2 applies to entities too);
/// nobody else can sign for it, and the commitment enters the company's credit.
async fn a_representative_signs_for_the_company(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let (entity, rep_rid_enc): (i64, String) = t
        .app
        .db
        .reader()
        .fetch_one(q(
            "SELECT r.entity_id, p.resident_id_enc FROM entity_representatives r \
             JOIN persons p ON p.id = r.person_id ORDER BY r.entity_id LIMIT 1",
        ))
        .await
        .unwrap();
    let rep_rid = proofless_app::applicants::reveal_resident_id(&t.app, &rep_rid_enc)
        .await
        .unwrap();
    let unit = org(&t, "县行政审批服务局").await;
    let code = service_of(&t, item(&t, RESIDENCE).await).await;
    let case = cases::create(
        &t.app,
        &clerk_of(unit),
        &NewCase {
            service_item_code: code,
            applicant_kind: "entity".to_owned(),
            applicant: t
                .app
                .db
                .reader()
                .fetch_one::<(String,)>(
                    proofless_store::q("SELECT credit_code FROM entities WHERE id = ?")
                        .bind(entity),
                )
                .await
                .unwrap()
                .0,
            applicant_name: None,
            immediate: false,
            statutory_limit: None,
        },
    )
    .await
    .unwrap()
    .id;
    let body = |with_entity: bool| {
        let mut b = json!({"case_id": case, "proof_item_id": 0, "chosen_by_applicant": true,
                           "facts": "本公司住所为自有房产"});
        if with_entity {
            b["entity_id"] = json!(entity);
        }
        b
    };
    let residence = item(&t, RESIDENCE).await;
    let with_item = |mut v: Value| {
        v["proof_item_id"] = json!(residence);
        v
    };
    // Someone who does not represent the company is refused.
    let other_rid = if rep_rid == LI { ZHANG } else { LI };
    let other = citizen(&t, other_rid).await;
    let r = other
        .post_json("/api/v1/commitments", &with_item(body(true)))
        .await;
    assert_eq!(r.status(), 403);
    assert!(r.text().await.unwrap().contains("法定代表人"));
    let rep = citizen(&t, &rep_rid).await;
    // The representative signing as a private person is not the case's applicant.
    let r = rep
        .post_json("/api/v1/commitments", &with_item(body(false)))
        .await;
    assert_eq!(r.status(), 403);
    let r = rep
        .post_json("/api/v1/commitments", &with_item(body(true)))
        .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let cm: Value = r.json().await.unwrap();
    assert_eq!(cm["subject_ref"], format!("entity:{entity}"));
    let letter: Value = serde_json::from_str(cm["letter"].as_str().unwrap()).unwrap();
    assert!(
        letter.to_string().contains("高青县黄河湾食品有限公司"),
        "the letter names the company: {letter}"
    );
    let sealed = cm["sealed_id"].as_str().unwrap();
    let v: Value = t
        .client()
        .json(&format!("/api/v1/public/sealed/{sealed}/verify"))
        .await;
    assert_eq!(v["valid"], true, "{v}");
}

async fn a_counter_clerk_signs_with_the_applicant_present(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let clerk = t.staff("window").await;
    let li = person(&t, LI).await;
    let residence = item(&t, RESIDENCE).await;
    let case = open_case(&t, org(&t, "县行政审批服务局").await, li, residence).await;
    let li = proofless_app::applicants::public_id_of(&t.app, li)
        .await
        .unwrap();
    let body = json!({"case_id": case, "proof_item_id": residence, "person_id": li,
                      "chosen_by_applicant": true});
    // Without the clerk's confirmation that the applicant signed in person: refused.
    let r = clerk.post_json("/api/v1/commitments", &body).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("applicant_confirmed"));
    let mut ok = body.clone();
    ok["applicant_confirmed"] = json!(true);
    let r = clerk.post_json("/api/v1/commitments", &ok).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let cm: Value = r.json().await.unwrap();
    assert_eq!(cm["channel"], "counter");
    assert!(cm["letter"].as_str().unwrap().contains("赵敏确认"));
    // A second signature for the same case and item is a conflict.
    assert_eq!(
        clerk.post_json("/api/v1/commitments", &ok).await.status(),
        409
    );
    // Never forced: the applicant must choose it.
    let mut forced = ok.clone();
    forced["chosen_by_applicant"] = json!(false);
    let r = clerk.post_json("/api/v1/commitments", &forced).await;
    assert_eq!(r.status(), 422);
}

// SPEC R10.4: approval and supervision hand over seamlessly — a case decided on commitment
// reaches the supervising department that must check it, with its deadline.
async fn a_check_plan_opens_a_deadline_at_the_supervising_department(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    check_everyone(&t, RESIDENCE, "县市场监管局").await;
    let c = citizen(&t, ZHANG).await;
    let r = sign_portal(&t, &c, RESIDENCE, "县行政审批服务局", ZHANG).await;
    assert_eq!(r.status(), 201);
    let cm: Value = r.json().await.unwrap();
    assert_eq!(cm["plan_kind"], "check");
    assert_eq!(cm["rule_number"], 2);
    assert_eq!(cm["supervising_org_name"], "县市场监管局");
    let inspector = t.staff("sj_inspector").await;
    let due: Value = inspector.json("/api/v1/commitment-checks/due").await;
    let mine = due
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["commitment_id"] == cm["id"])
        .expect("the check reaches the supervising department");
    assert_eq!(mine["deadline_state"], "open");
    // The deadline is in the engine, due within 5 working days.
    let d: Value = inspector
        .json(&format!("/api/v1/deadlines/{}", cm["deadline_id"]))
        .await;
    assert_eq!(d["statutory_limit"], "5wd");
    assert_eq!(d["rule_key"], "commitment.post_check");
    // Kept: a credit record raises the score; the deadline is done.
    let r = inspector
        .post_json(
            &format!("/api/v1/commitments/{}/check", cm["id"]),
            &json!({"result": "kept", "evidence": "现场核查，经营场所与承诺一致"}),
        )
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let credit = t.staff("credit").await;
    let sub: Value = credit
        .json(&format!(
            "/api/v1/credit/subjects/{}",
            person_ref(&t, ZHANG).await
        ))
        .await;
    assert_eq!(sub["score"], 770);
    assert_eq!(sub["records"][0]["kind"], "commitment_kept");
    let d: Value = inspector
        .json(&format!("/api/v1/deadlines/{}", cm["deadline_id"]))
        .await;
    assert_eq!(d["state"], "done");
}

async fn withdrawal_only_before_the_decision_and_only_once(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let c = citizen(&t, ZHANG).await;
    let r = sign_portal(&t, &c, LEGAL_AID, "县司法局", ZHANG).await;
    let cm: Value = r.json().await.unwrap();
    let path = format!("/api/v1/commitments/{}/withdraw", cm["id"]);
    let r = c.post_json(&path, &json!({"reason": ""})).await;
    assert_eq!(r.status(), 422);
    let r = c
        .post_json(&path, &json!({"reason": "已取得纸质证明，改按原程序办理"}))
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    assert_eq!(r.json::<Value>().await.unwrap()["state"], "withdrawn");
    // R4.6: a second withdrawal is refused.
    let r = c.post_json(&path, &json!({"reason": "再次撤回"})).await;
    assert_eq!(r.status(), 409);
    assert!(r.text().await.unwrap().contains("重复"));
    // After the decision: refused.
    let r = sign_portal(&t, &c, LEGAL_AID, "县司法局", ZHANG).await;
    let cm: Value = r.json().await.unwrap();
    decide_case(&t, cm["case_id"].as_i64().unwrap()).await;
    let r = c
        .post_json(
            &format!("/api/v1/commitments/{}/withdraw", cm["id"]),
            &json!({"reason": "想撤回"}),
        )
        .await;
    assert_eq!(r.status(), 409);
    assert!(r.text().await.unwrap().contains("已办结"));
    // Someone else cannot withdraw it.
    let li = citizen(&t, LI).await;
    let r = li
        .post_json(
            &format!("/api/v1/commitments/{}/withdraw", cm["id"]),
            &json!({"reason": "替他撤回"}),
        )
        .await;
    assert_eq!(r.status(), 403);
}

async fn publication_masks_identifiers_and_figures_chart_the_counts(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    // The residence item is marked for publication in the demo (R4.7); the demo signed two.
    let joint = t.staff("joint").await;
    let total = |rows: &Value| -> i64 {
        rows.as_array()
            .unwrap()
            .iter()
            .map(|r| r["signed"].as_i64().unwrap())
            .sum()
    };
    let before = total(&joint.json("/api/v1/commitment-figures?by=item").await);
    let before_letters = t
        .client()
        .json("/api/v1/public/commitment-letters")
        .await
        .as_array()
        .unwrap()
        .len();
    let c = citizen(&t, ZHANG).await;
    assert_eq!(
        sign_portal(&t, &c, RESIDENCE, "县行政审批服务局", ZHANG)
            .await
            .status(),
        201
    );
    assert_eq!(
        sign_portal(&t, &c, LEGAL_AID, "县司法局", ZHANG)
            .await
            .status(),
        201
    );
    let letters: Value = t.client().json("/api/v1/public/commitment-letters").await;
    let arr = letters.as_array().unwrap();
    assert_eq!(
        arr.len(),
        before_letters + 1,
        "only the item marked for publication: {letters}"
    );
    assert_eq!(arr[0]["applicant"], "张*");
    assert_eq!(arr[0]["resident_id_masked"], "370322********1238");
    assert!(!letters.to_string().contains(ZHANG));
    // Figures: joint office only.
    assert_eq!(
        t.client().get("/api/v1/commitment-figures").await.status(),
        401
    );
    let rows: Value = joint.json("/api/v1/commitment-figures?by=item").await;
    assert_eq!(total(&rows), before + 2);
    let months: Value = joint.json("/api/v1/commitment-figures?by=month").await;
    assert_eq!(months[0]["month"], "2026-03");
    let r = joint.get("/api/v1/commitment-figures.svg?by=unit").await;
    assert_eq!(r.status(), 200);
    let svg = r.text().await.unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("县司法局"));
    let r = joint.get("/api/v1/commitment-figures?by=year").await;
    assert_eq!(r.status(), 422);
}

async fn daily_sampling_draws_each_pending_commitment_once(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let c = citizen(&t, ZHANG).await;
    for _ in 0..3 {
        assert_eq!(
            sign_portal(&t, &c, LEGAL_AID, "县司法局", ZHANG)
                .await
                .status(),
            201
        );
    }
    let admin = t.staff("admin").await;
    let r: Value = admin
        .post_json(
            "/api/v1/commitment-checks/sampling",
            &json!({"seed": 20260313}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(r["considered"], 3);
    assert_eq!(
        r["drawn"].as_i64().unwrap() + r["not_drawn"].as_i64().unwrap(),
        3
    );
    let again: Value = admin
        .post_json(
            "/api/v1/commitment-checks/sampling",
            &json!({"seed": 20260314}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again["considered"], 0, "each commitment is drawn once");
    // Drawn ones have a check deadline at the supervising department.
    let (drawn_with_deadline,): (i64,) = t
        .app
        .db
        .reader()
        .fetch_one(q(
            "SELECT COUNT(*) FROM commitments WHERE sample_state = 'drawn' AND deadline_id IS NOT NULL",
        ))
        .await
        .unwrap();
    assert_eq!(drawn_with_deadline, r["drawn"].as_i64().unwrap());
    // The citizen cannot run it.
    let r = c
        .post_json("/api/v1/commitment-checks/sampling", &json!({"seed": 1}))
        .await;
    assert_eq!(r.status(), 403);
}

both_backends!(
    published_templates_are_public_before_applying,
    a_citizen_signs_on_the_portal_and_gets_a_sealed_pdf,
    a_counter_clerk_signs_with_the_applicant_present,
    a_representative_signs_for_the_company,
    a_check_plan_opens_a_deadline_at_the_supervising_department,
    withdrawal_only_before_the_decision_and_only_once,
    publication_masks_identifiers_and_figures_chart_the_counts,
    daily_sampling_draws_each_pending_commitment_once,
);
