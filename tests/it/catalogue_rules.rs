//! Rule fidelity of the catalogue (issue #15): a retained item needs the service items that
//! use it (SPEC R1.2, 优化营商环境条例 §44) at review, preparation and publication; deficiency
//! acceptance alone does not replace a proof (P 三(二)3); the legal-basis kinds that stand
//! alone are a versioned setting (SPEC "Trial rules").

use proofless_app::{AppError, auth, policy};
use proofless_store::q;
use serde_json::{Value, json};

use crate::common::{Backend, Client, TestApp, spawn_demo};

async fn org_id(c: &Client, name: &str) -> i64 {
    let page: Value = c.json("/api/v1/orgs?limit=500").await;
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["name"] == name)
        .unwrap_or_else(|| panic!("no org {name}"))["id"]
        .as_i64()
        .unwrap()
}

async fn service_item(c: &Client, code: &str) -> i64 {
    let r = c
        .post_json(
            "/api/v1/catalogue/service-items",
            &json!({"name": format!("规则测试事项{code}"), "code": code, "kind": "行政确认", "level": "county"}),
        )
        .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    r.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
}

fn body(name: &str, issuer: i64, services: &[i64], methods: Value) -> Value {
    json!({
        "name": name, "level": "county", "region_code": "370322000000", "disposition": "retained",
        "service_item_ids": services, "issuer_ids": [issuer],
        "legal_basis": [{"kind": "administrative_regulation", "law": "《中华人民共和国户口登记条例》", "article": "第十条"}],
        "methods": methods,
    })
}

fn verification() -> Value {
    json!([{"method": "verification", "citizen_text": "由窗口核验", "deadline_class": "paper_archive"}])
}

/// Drafted by ga_admin and submitted; its id.
async fn submitted(ga: &Client, b: &Value) -> i64 {
    let r = ga.post_json("/api/v1/catalogue/items", b).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let r = ga
        .post_json(&format!("/api/v1/catalogue/items/{id}/submit"), &json!({}))
        .await;
    assert_eq!(r.status(), 200);
    id
}

async fn pass(justice: &Client, id: i64) -> reqwest::Response {
    justice
        .post_json(
            &format!("/api/v1/catalogue/items/{id}/reviews"),
            &json!({"verdict": "pass", "remarks": "符合规定"}),
        )
        .await
}

async fn actor(t: &TestApp, username: &str) -> proofless_app::Actor {
    let id = t
        .app
        .db
        .reader()
        .scalar_i64(q("SELECT id FROM staff WHERE username = ?").bind(username))
        .await
        .unwrap();
    auth::staff_actor(&t.app, id, "test")
        .await
        .unwrap()
        .unwrap()
}

async fn exec(t: &TestApp, sql: &str, id: i64) {
    let mut tx = t.app.db.begin().await.unwrap();
    tx.execute(q(sql).bind(id)).await.unwrap();
    tx.commit().await.unwrap();
}

async fn a_retained_item_without_service_items_is_refused_at_review_preparation_and_publication(
    b: Backend,
) {
    // SPEC R1.2, 优化营商环境条例 §44: the list gives, item by item, the services using a proof.
    let Some(t) = spawn_demo(b).await else { return };
    let ga = t.staff("ga_admin").await;
    let justice = t.staff("justice").await;
    let joint = t.staff("joint").await;
    let approver = t.staff("approver").await;
    let issuer = org_id(&joint, "县民政局").await;

    // Review.
    let lone = submitted(
        &ga,
        &body("无事项证明（规则测试）", issuer, &[], verification()),
    )
    .await;
    let r = pass(&justice, lone).await;
    assert_eq!(r.status(), 422);
    let text = r.text().await.unwrap();
    assert!(
        text.contains("无事项证明（规则测试）") && text.contains("政务服务事项"),
        "{text}"
    );

    // Preparation: an item reviewed earlier whose service item link is gone.
    let svc = service_item(&ga, "370322-RULE-0001").await;
    let a = submitted(
        &ga,
        &body("失联事项证明（规则测试）", issuer, &[svc], verification()),
    )
    .await;
    assert_eq!(pass(&justice, a).await.status(), 200);
    exec(
        &t,
        "DELETE FROM proof_item_services WHERE proof_item_id = ?",
        a,
    )
    .await;
    let r = joint
        .post_json(
            "/api/v1/catalogue/versions",
            &json!({"region_code": "370322000000", "item_ids": [a]}),
        )
        .await;
    assert_eq!(r.status(), 422);
    let text = r.text().await.unwrap();
    assert!(
        text.contains("失联事项证明（规则测试）") && text.contains("政务服务事项"),
        "{text}"
    );

    // Publication: a version whose stored snapshot has no service item (prepared before the rule).
    let svc2 = service_item(&ga, "370322-RULE-0002").await;
    let c = submitted(
        &ga,
        &body("旧版清单证明（规则测试）", issuer, &[svc2], verification()),
    )
    .await;
    assert_eq!(pass(&justice, c).await.status(), 200);
    // Versions are immutable once stored, so the old version is stored as it was then: the
    // item's snapshot without its service items.
    let mut snap = ga.json(&format!("/api/v1/catalogue/items/{c}")).await["item"].clone();
    snap["service_items"] = json!([]);
    let mut tx = t.app.db.begin().await.unwrap();
    let list = tx
        .scalar_i64(q(
            "SELECT id FROM exemption_lists WHERE region_code = '370322000000'",
        ))
        .await
        .unwrap();
    let vid = tx
        .scalar_i64(
            q("INSERT INTO list_versions (list_id, stage, item_count, note, prepared_by, prepared_at) \
               VALUES (?, 'prepared', 1, '', '联审办', 0) RETURNING id")
            .bind(list),
        )
        .await
        .unwrap();
    tx.execute(
        q(
            "INSERT INTO list_version_items (version_id, proof_item_id, position, name, snapshot) \
           VALUES (?, ?, 0, ?, ?)",
        )
        .bind(vid)
        .bind(c)
        .bind("旧版清单证明（规则测试）")
        .bind(snap.to_string()),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let r = approver
        .post_json(
            &format!("/api/v1/catalogue/versions/{vid}/approve"),
            &json!({"approval_doc_no": "高政字〔2026〕99号"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let r = joint
        .post_json(
            &format!("/api/v1/catalogue/versions/{vid}/publish"),
            &json!({"effective_date": "2026-12-31"}),
        )
        .await;
    assert_eq!(r.status(), 422);
    let text = r.text().await.unwrap();
    assert!(
        text.contains("旧版清单证明（规则测试）") && text.contains("政务服务事项"),
        "{text}"
    );
}

async fn deficiency_acceptance_alone_is_refused_with_the_reason(b: Backend) {
    // P 三(二)3: 容缺受理 defers the proof for an immediate case; it does not replace it.
    let Some(t) = spawn_demo(b).await else { return };
    let ga = t.staff("ga_admin").await;
    let justice = t.staff("justice").await;
    let issuer = org_id(&ga, "县民政局").await;
    let svc = service_item(&ga, "370322-RULE-0003").await;
    let only = json!([{"method": "deficiency_acceptance", "citizen_text": "先受理后补交"}]);
    let r = ga
        .post_json(
            "/api/v1/catalogue/items",
            &body("容缺证明（规则测试）", issuer, &[svc], only),
        )
        .await;
    assert_eq!(r.status(), 422);
    let v: Value = r.json().await.unwrap();
    let e = v["errors"].as_array().unwrap();
    assert!(
        e.iter()
            .any(|e| e["field"] == "methods"
                && e["message"].as_str().unwrap().contains("不替代证明")),
        "{v}"
    );
    // Beside a method that does replace it, it is accepted.
    let both = json!([
        {"method": "proxy", "citizen_text": "代办员代为调取"},
        {"method": "deficiency_acceptance", "citizen_text": "即办件先受理后补交"}
    ]);
    let id = submitted(
        &ga,
        &body("容缺加代办证明（规则测试）", issuer, &[svc], both),
    )
    .await;
    assert_eq!(pass(&justice, id).await.status(), 200);
    // An item stored before the rule with 容缺受理 alone is refused at review.
    let id2 = submitted(
        &ga,
        &body("旧容缺证明（规则测试）", issuer, &[svc], verification()),
    )
    .await;
    exec(
        &t,
        "UPDATE replacements SET method = 'deficiency_acceptance', deadline_class = NULL, deadline_period = NULL WHERE proof_item_id = ?",
        id2,
    )
    .await;
    let r = pass(&justice, id2).await;
    assert_eq!(r.status(), 422);
    let text = r.text().await.unwrap();
    assert!(
        text.contains("旧容缺证明（规则测试）") && text.contains("容缺受理"),
        "{text}"
    );
}

async fn the_legal_basis_kinds_that_stand_alone_are_a_versioned_setting(b: Backend) {
    // SPEC "Trial rules": the legal-basis kinds are a setting owned by the joint office and the
    // justice bureau; the flags on an item follow the version in force.
    let Some(t) = spawn_demo(b).await else { return };
    let ga = t.staff("ga_admin").await;
    let issuer = org_id(&ga, "县民政局").await;
    let svc = service_item(&ga, "370322-RULE-0004").await;
    let mut b = body(
        "地方法规依据证明（规则测试）",
        issuer,
        &[svc],
        verification(),
    );
    b["legal_basis"] =
        json!([{"kind": "local_regulation", "law": "《山东省物业管理条例》", "article": "第三条"}]);
    let r = ga.post_json("/api/v1/catalogue/items", &b).await;
    assert_eq!(r.status(), 201);
    let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let item = ga.json(&format!("/api/v1/catalogue/items/{id}")).await;
    assert_eq!(item["flags"], json!([]), "{item}");

    let key = "catalogue.statutory_basis_kinds";
    let today = {
        use chrono::TimeZone;
        proofless_app::beijing()
            .timestamp_millis_opt(t.app.now_ms())
            .unwrap()
            .date_naive()
            .to_string()
    };
    let version = |value: Value| proofless_app::policy::VersionInput {
        value,
        effective_from: today.clone(),
        note: "试行调整：地方性法规交司法局逐项审查".to_owned(),
    };
    let ga_actor = actor(&t, "ga_admin").await;
    let r = policy::add_version(&t.app, &ga_actor, key, &version(json!(["law"]))).await;
    assert!(
        matches!(r, Err(AppError::Forbidden(_))),
        "a unit admin does not own it"
    );
    let justice_actor = actor(&t, "justice").await;
    let r = policy::add_version(&t.app, &justice_actor, key, &version(json!(["红头文件"]))).await;
    assert!(
        matches!(r, Err(AppError::Validation(_))),
        "unknown kinds are refused"
    );
    let kinds = json!(["law", "administrative_regulation", "state_council_decision"]);
    policy::add_version(&t.app, &justice_actor, key, &version(kinds))
        .await
        .unwrap();
    let item = ga.json(&format!("/api/v1/catalogue/items/{id}")).await;
    let flags = item["flags"].as_array().unwrap();
    assert_eq!(flags.len(), 1, "{item}");
    assert!(flags[0].as_str().unwrap().contains("地方性法规"));
}

both_backends!(
    a_retained_item_without_service_items_is_refused_at_review_preparation_and_publication,
    deficiency_acceptance_alone_is_refused_with_the_reason,
    the_legal_basis_kinds_that_stand_alone_are_a_versioned_setting,
);
