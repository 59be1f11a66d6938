//! Citizens' portal accounts and "who looked at my data" (issue #2 §6; A2 §12).

use serde_json::{Value, json};

use crate::common::{Backend, TestApp, spawn_demo};

/// An activation code issued at the counter after the ID card was checked (issue #16).
async fn counter_code(t: &TestApp, id: &str, name: &str) -> String {
    let clerk = t.staff("ga_clerk").await;
    let r = clerk
        .post_json(
            "/api/v1/portal/activation-codes",
            &json!({"resident_id": id, "name": name}),
        )
        .await;
    assert_eq!(r.status(), 201);
    r.json::<Value>().await.unwrap()["code"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn rid(birth: &str, serial: &str) -> String {
    proofless_fixtures::demo::demo_resident_id(birth, serial)
        .unwrap()
        .as_str()
        .to_owned()
}

// SPEC R5.9, A2 §12: every read of personal data is logged with its purpose and shown to the subject.
async fn a_citizen_registers_and_sees_who_read_their_data_and_why(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let citizen = t.client();
    let id = rid("19921103", "517");
    let code = counter_code(&t, &id, "赵小燕").await;
    let r = citizen
        .post_json(
            "/api/v1/portal/register",
            &json!({"resident_id": id, "code": code, "password": "Zhao12345"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let me: Value = r.json().await.unwrap();
    let masked = me["person"]["resident_id_masked"].as_str().unwrap();
    assert_eq!(masked, format!("{}********{}", &id[..6], &id[14..]));
    assert!(
        !me.to_string().contains(&id),
        "the full number never leaves the server"
    );
    // A clerk looks the citizen up at the counter, stating the purpose.
    let clerk = t.staff("ga_clerk").await;
    let r = clerk
        .post_json(
            "/api/v1/applicants/persons/lookup",
            &json!({"resident_id": id, "purpose": "办理居住证时核对身份"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    // Reading without a purpose is refused.
    let pid = me["person"]["id"].as_str().unwrap().to_owned();
    assert_eq!(
        clerk
            .get(&format!("/api/v1/applicants/persons/{pid}"))
            .await
            .status(),
        422
    );
    // The citizen logs in again elsewhere and sees the lookup.
    let mut again = t.client();
    let r = again
        .post_json(
            "/api/v1/portal/login",
            &json!({"resident_id": id, "password": "Zhao12345"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    again.csrf = r.json::<Value>().await.unwrap()["csrf_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let log: Value = again.json("/api/v1/portal/access-log").await;
    let items = log["items"].as_array().unwrap();
    let seen = items
        .iter()
        .find(|i| i["purpose"] == "办理居住证时核对身份")
        .expect("lookup visible");
    assert_eq!(seen["unit"], "县公安局");
    // The post, not the name (issue #22 point 6).
    assert_eq!(seen["role"], "窗口受理人员");
    assert!(!log.to_string().contains("何窗口"), "{log}");
}

// SPEC R5.9
async fn a_citizen_cannot_read_someone_elses_access_log(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let mut c = t.client();
    let r = c.post_json("/api/v1/portal/login", &json!({"resident_id": rid("19900101", "123"), "password": crate::common::DEMO_PASSWORD})).await;
    assert_eq!(r.status(), 200);
    let me: Value = r.json().await.unwrap();
    c.csrf = me["csrf_token"].as_str().unwrap().to_owned();
    // Persons are named by their opaque public id (issue #16 item 6), never by number.
    let own_public = me["person"]["id"].as_str().unwrap().to_owned();
    assert_eq!(own_public.len(), 32);
    let own = crate::common::person_id(&t.app, &rid("19900101", "123")).await;
    assert_eq!(
        c.get(&format!(
            "/api/v1/portal/access-log?subject=person:{own_public}"
        ))
        .await
        .status(),
        200
    );
    for other in [
        format!("person:{own}"),
        format!("person:{}", own + 1),
        "person:0123456789abcdef0123456789abcdef".to_owned(),
    ] {
        assert_eq!(
            c.get(&format!("/api/v1/portal/access-log?subject={other}"))
                .await
                .status(),
            403,
            "{other}"
        );
    }
    // The demo citizen represents one company and may see its log, but no other entity's.
    let ent = me["entities"][0]["id"].as_i64().unwrap();
    assert_eq!(
        c.get(&format!("/api/v1/portal/access-log?subject=entity:{ent}"))
            .await
            .status(),
        200
    );
    assert_eq!(
        c.get(&format!(
            "/api/v1/portal/access-log?subject=entity:{}",
            ent + 99
        ))
        .await
        .status(),
        403
    );
    // Staff have no portal access log of their own.
    let staff = t.staff("ga_clerk").await;
    assert_eq!(
        staff
            .get(&format!(
                "/api/v1/portal/access-log?subject=person:{own_public}"
            ))
            .await
            .status(),
        403
    );
}

async fn registration_names_each_bad_field_in_chinese(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let c = t.client();
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
    assert_eq!(r.status(), 422);
    let p: Value = r.json().await.unwrap();
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["resident_id", "code", "password"]);
    assert!(
        p["errors"][0]["message"].as_str().unwrap().contains("校验"),
        "{p}"
    );
    let first17 = "37032219900230123";
    let bad_date = format!(
        "{first17}{}",
        proofless_domain::codes::iso7064_mod11_2_check_char(first17).unwrap()
    );
    let r = c
        .post_json(
            "/api/v1/portal/register",
            &json!({"resident_id": bad_date, "code": "12345678", "password": "Abcdefg123"}),
        )
        .await;
    let p: Value = r.json().await.unwrap();
    assert!(
        p["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("出生日期"),
        "{p}"
    );
}

// The registration and login pages take plain HTML forms.
async fn a_citizen_registers_and_logs_in_through_the_html_forms(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let form = "application/x-www-form-urlencoded";
    let id = rid("19880214", "262");
    let code = counter_code(&t, &id, "孙表单").await;
    let reg = t.client();
    let tok = reg.form_token("/portal/register").await;
    let body = format!("csrf={tok}&resident_id={id}&code={code}&password=Sun12345a");
    let r = reg
        .post_raw("/portal/register", form, body.into_bytes())
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/portal");
    let c = t.client();
    let tok = c.form_token("/portal/login").await;
    let body = format!("csrf={tok}&login={}&password=Sun12345a", id.to_lowercase());
    let r = c.post_raw("/portal/login", form, body.into_bytes()).await;
    assert_eq!(r.status(), 303);
    let me: Value = c.json("/api/v1/portal/me").await;
    assert_eq!(me["person"]["name"], "孙表单");
    let bad = t.client();
    let tok = bad.form_token("/portal/login").await;
    let r = bad
        .post_raw(
            "/portal/login",
            form,
            format!("csrf={tok}&login=&password=").into_bytes(),
        )
        .await;
    assert_eq!(r.status(), 401);
    assert!(r.text().await.unwrap().contains("请输入身份证号码和密码"));
}

both_backends!(
    a_citizen_registers_and_sees_who_read_their_data_and_why,
    a_citizen_registers_and_logs_in_through_the_html_forms,
    a_citizen_cannot_read_someone_elses_access_log,
    registration_names_each_bad_field_in_chinese,
);
