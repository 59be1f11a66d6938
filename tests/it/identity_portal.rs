//! Portal accounts open only with proof of something the person already has: a code
//! from the counter (ID card checked) or sent to the phone on record (issue #16 item 1b).

use std::sync::Arc;

use proofless_app::identity::FileSmsSender;
use proofless_store::q;
use serde_json::{Value, json};

use crate::common::{Backend, DEMO_PASSWORD, TestApp, plain_web, spawn_demo, spawn_on};

fn rid(birth: &str, serial: &str) -> String {
    proofless_fixtures::demo::demo_resident_id(birth, serial)
        .unwrap()
        .as_str()
        .to_owned()
}

async fn counter_code(t: &TestApp, id: &str, name: &str) -> String {
    let clerk = t.staff("ga_clerk").await;
    let r = clerk
        .post_json(
            "/api/v1/portal/activation-codes",
            &json!({"resident_id": id, "name": name, "phone": "13912345678"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let c: Value = r.json().await.unwrap();
    c["code"].as_str().unwrap().to_owned()
}

async fn activate(t: &TestApp, id: &str, code: &str) -> reqwest::Response {
    t.client()
        .post_json(
            "/api/v1/portal/register",
            &json!({"resident_id": id, "code": code, "password": "Newpass123"}),
        )
        .await
}

async fn audit_count(t: &TestApp, action: &str) -> i64 {
    t.app
        .db
        .reader()
        .scalar_i64(q("SELECT COUNT(*) FROM audit_log WHERE action = ?").bind(action))
        .await
        .unwrap()
}

// Issue #16 item 1: an ID number and a name no longer open anyone's account, and every
// failure gets the same answer, so nobody learns whether an ID is registered or has an
// account.
async fn an_id_and_a_name_alone_open_nothing_and_failures_all_look_the_same(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let c = t.client();
    let page = c.get("/portal/login").await.text().await.unwrap();
    assert!(
        !page.contains("统一身份认证登录"),
        "offered only when the identity platform is configured"
    );
    let zhang = rid("19900101", "123");
    let r = c
        .post_json(
            "/api/v1/portal/register",
            &json!({"resident_id": zhang, "name": "张三", "password": "Takeover123"}),
        )
        .await;
    assert_eq!(r.status(), 422, "the old ID + name body is refused");
    let mut answers = vec![];
    // Has an account / registered without account / not registered at all.
    for id in [zhang, rid("19780630", "332"), rid("19991231", "777")] {
        let r = activate(&t, &id, "12345678").await;
        assert_eq!(r.status(), 422);
        let mut p: Value = r.json().await.unwrap();
        p.as_object_mut().unwrap().remove("operation_id");
        answers.push(p);
    }
    assert_eq!(answers[0], answers[1]);
    assert_eq!(answers[1], answers[2]);
    assert_eq!(answers[0]["errors"][0]["field"], "code");
    assert_eq!(c.get("/api/v1/portal/me").await.status(), 401);
    // Format problems are still named field by field (they reveal nothing).
    let good = rid("19921103", "518");
    let bad_check = format!(
        "{}{}",
        &good[..17],
        if good.ends_with('0') { '1' } else { '0' }
    );
    let r = c
        .post_json(
            "/api/v1/portal/register",
            &json!({"resident_id": bad_check, "code": "", "password": "short"}),
        )
        .await;
    let p: Value = r.json().await.unwrap();
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["resident_id", "code", "password"]);
}

// Issue #16 item 1b: the clerk issues a code after checking the ID card (audited); the
// code is single use, stored hashed, and dies after five wrong tries.
async fn a_counter_code_opens_the_account_once(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let id = rid("19921103", "517");
    // Only a counter clerk issues codes.
    let liaison = t.staff("ga_liaison").await;
    let r = liaison
        .post_json(
            "/api/v1/portal/activation-codes",
            &json!({"resident_id": id, "name": "赵小燕"}),
        )
        .await;
    assert_eq!(r.status(), 403);
    let code = counter_code(&t, &id, "赵小燕").await;
    assert_eq!(code.len(), 8);
    assert_eq!(
        audit_count(&t, "portal.activation_code.issue").await,
        3,
        "2 demo + 1"
    );
    let hashes: Vec<(String,)> = t
        .app
        .db
        .reader()
        .fetch_all(q("SELECT code_hash FROM one_time_codes"))
        .await
        .unwrap();
    assert!(hashes.iter().all(|(h,)| !h.contains(&code)));
    let wrong = if code == "00000000" {
        "11111111"
    } else {
        "00000000"
    };
    assert_eq!(activate(&t, &id, wrong).await.status(), 422);
    let r = activate(&t, &id, &code).await;
    assert_eq!(r.status(), 201);
    let me: Value = r.json().await.unwrap();
    assert_eq!(me["person"]["name"], "赵小燕");
    assert_eq!(activate(&t, &id, &code).await.status(), 422, "single use");
    let r = t
        .client()
        .post_json(
            "/api/v1/portal/login",
            &json!({"resident_id": id, "password": "Newpass123"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    // Five wrong tries kill a code, even the right one after them.
    let code = counter_code(&t, &id, "赵小燕").await;
    for _ in 0..5 {
        assert_eq!(activate(&t, &id, wrong).await.status(), 422);
    }
    assert_eq!(
        activate(&t, &id, &code).await.status(),
        422,
        "dead after 5 tries"
    );
}

// Issue #16 item 1b and 2: the SMS code goes to the phone on record through the
// configured sender (an outbox file here); the answer is the same for unknown IDs; a
// portal account under attack asks for re-activation, which lets its owner back in.
async fn an_sms_code_reaches_only_the_phone_on_record(b: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let outbox = dir.path().join("sms.log");
    let sender = Arc::new(FileSmsSender::new(&outbox));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let web = plain_web(&listener);
    let Some(t) = spawn_on(listener, b, web, move |s| s.with_sms(sender)).await else {
        return;
    };
    proofless_fixtures::demo::load(&t.app).await.unwrap();
    let zhang = rid("19900101", "123");
    // The owner's account is attacked: protected, the right password alone is not enough.
    let c = t.client();
    for _ in 0..6 {
        c.post_json(
            "/api/v1/portal/login",
            &json!({"resident_id": zhang, "password": "Guess1234"}),
        )
        .await;
    }
    let login = json!({"resident_id": zhang, "password": DEMO_PASSWORD});
    let r = c.post_json("/api/v1/portal/login", &login).await;
    assert_eq!(r.status(), 422);
    assert_eq!(
        r.json::<Value>().await.unwrap()["errors"][0]["field"],
        "code"
    );
    let mut bodies = vec![];
    for id in [zhang.clone(), rid("19991231", "777")] {
        let r = c
            .post_json("/api/v1/portal/activation-sms", &json!({"resident_id": id}))
            .await;
        assert_eq!(r.status(), 202);
        bodies.push(r.json::<Value>().await.unwrap());
    }
    assert_eq!(bodies[0], bodies[1], "no difference for an unknown ID");
    let sent = std::fs::read_to_string(&outbox).unwrap();
    let lines: Vec<&str> = sent.lines().collect();
    assert_eq!(lines.len(), 1, "{sent}");
    assert!(lines[0].contains("\t13800000000\t"), "{sent}");
    let code: String = lines[0]
        .split("验证码为 ")
        .nth(1)
        .unwrap()
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    assert_eq!(code.len(), 6);
    let detail: (String,) = t
        .app
        .db
        .reader()
        .fetch_one(q(
            "SELECT detail FROM audit_log WHERE action = 'portal.activation_code.sms'",
        ))
        .await
        .unwrap();
    assert!(detail.0.contains("138****0000") && !detail.0.contains(&code));
    assert_eq!(activate(&t, &zhang, &code).await.status(), 201);
    let again = json!({"resident_id": zhang, "password": "Newpass123"});
    assert_eq!(
        t.client()
            .post_json("/api/v1/portal/login", &again)
            .await
            .status(),
        200
    );
    // A resident ID cannot be flooded with messages.
    for _ in 0..2 {
        let body = json!({"resident_id": zhang});
        assert_eq!(
            c.post_json("/api/v1/portal/activation-sms", &body)
                .await
                .status(),
            202
        );
    }
    let r = c
        .post_json(
            "/api/v1/portal/activation-sms",
            &json!({"resident_id": zhang}),
        )
        .await;
    assert_eq!(r.status(), 429);
    assert!(r.headers().contains_key("retry-after"));
}

both_backends!(
    an_id_and_a_name_alone_open_nothing_and_failures_all_look_the_same,
    a_counter_code_opens_the_account_once,
    an_sms_code_reaches_only_the_phone_on_record,
);
