//! Bad input to the catalogue (issue #3 "Bad input"): wrong role, other unit, malformed
//! codes, duplicates, hostile text stored and shown literally.

use serde_json::{Value, json};

use crate::catalogue_flow::item_body;
use crate::common::{Backend, spawn_demo};

async fn only_the_right_roles_and_units_may_write(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let anon = t.client();
    let window = t.staff("window").await;
    let ga = t.staff("ga_admin").await;
    let sj = t.staff("sj_admin").await;
    let justice = t.staff("justice").await;
    let body = item_body("测试证明", 1, 1);
    assert_eq!(
        anon.post_json("/api/v1/catalogue/items", &body)
            .await
            .status(),
        401
    );
    assert_eq!(
        window
            .post_json("/api/v1/catalogue/items", &body)
            .await
            .status(),
        403
    );
    assert_eq!(
        justice
            .post_json(
                "/api/v1/catalogue/versions",
                &json!({"region_code": "370322000000"})
            )
            .await
            .status(),
        403
    );
    // A caller without the role learns nothing from validation: 403 comes before 422.
    let nameless = item_body("", 1, 1);
    assert_eq!(
        window
            .post_json("/api/v1/catalogue/items", &nameless)
            .await
            .status(),
        403
    );
    assert_eq!(
        ga.post_json("/api/v1/catalogue/items", &nameless)
            .await
            .status(),
        422
    );
    assert_eq!(
        justice
            .post_json("/api/v1/catalogue/versions", &json!({"region_code": "x"}))
            .await
            .status(),
        403
    );
    // Another unit's item: neither edit nor submit.
    let items: Value = ga.json("/api/v1/catalogue/items").await;
    let theirs = items
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["stage"] == "draft")
        .unwrap();
    let id = theirs["id"].as_i64().unwrap();
    let r = sj.get(&format!("/api/v1/catalogue/items/{id}")).await;
    assert_eq!(r.status(), 403);
    let etag = ga
        .get(&format!("/api/v1/catalogue/items/{id}"))
        .await
        .headers()["etag"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        sj.put_json(&format!("/api/v1/catalogue/items/{id}"), &body, Some(&etag))
            .await
            .status(),
        403
    );
    assert_eq!(
        sj.post_json(&format!("/api/v1/catalogue/items/{id}/submit"), &json!({}))
            .await
            .status(),
        403
    );
    // Drafting for another unit.
    let mut other = body.clone();
    other["owner_org_id"] = theirs["item"]["owner_org_id"].clone();
    assert_eq!(
        sj.post_json("/api/v1/catalogue/items", &other)
            .await
            .status(),
        403
    );
    // A unit admin cannot review.
    assert_eq!(
        ga.post_json(
            &format!("/api/v1/catalogue/items/{id}/reviews"),
            &json!({"verdict": "pass"})
        )
        .await
        .status(),
        403
    );
    // A unit admin sees only their own unit's items.
    let mine: Value = sj.json("/api/v1/catalogue/items").await;
    assert!(
        mine.as_array()
            .unwrap()
            .iter()
            .all(|i| i["item"]["owner_org_name"] == "县市场监管局")
    );
    // Staff pages follow the same rules.
    assert_eq!(ga.get("/catalogue/lists").await.status(), 403);
    assert_eq!(ga.get("/catalogue/items").await.status(), 200);
}

async fn malformed_fields_get_chinese_field_errors(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let ga = t.staff("ga_admin").await;
    for (code, needle) in [
        ("ABC", "12"),
        ("370322-demo-0001", "大写"),
        ("3703 22 0000 01", "只能包含"),
        ("", ""),
    ] {
        let r = ga
            .post_json(
                "/api/v1/catalogue/service-items",
                &json!({"name": "测试事项", "code": code, "kind": "行政许可", "level": "county"}),
            )
            .await;
        assert_eq!(r.status(), 422, "{code}");
        let p: Value = r.json().await.unwrap();
        let e = p["errors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["field"] == "code")
            .unwrap();
        assert!(e["message"].as_str().unwrap().contains("事项编码"), "{e}");
        assert!(e["message"].as_str().unwrap().contains(needle), "{e}");
    }
    let r = ga
        .post_json("/api/v1/catalogue/service-items", &json!({"name": "测试事项", "code": "370322-OK-000001", "kind": "行政处罚", "level": "city"}))
        .await;
    let p: Value = r.json().await.unwrap();
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["kind", "level"]);
    // Duplicate code.
    let ok = json!({"name": "测试事项", "code": "370322-OK-000001", "kind": "行政许可", "level": "county"});
    assert_eq!(
        ga.post_json("/api/v1/catalogue/service-items", &ok)
            .await
            .status(),
        201
    );
    let r = ga.post_json("/api/v1/catalogue/service-items", &ok).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("该事项编码已登记"));
    // Proof item: several bad fields reported at once.
    let r = ga
        .post_json(
            "/api/v1/catalogue/items",
            &json!({
                "name": "", "level": "county", "region_code": "370322001000", "disposition": "keep",
                "issuer_ids": [], "legal_basis": [{"kind": "意见", "law": ""}],
                "methods": [{"method": "verification"}, {"method": "fax"}]
            }),
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
    for f in [
        "name",
        "disposition",
        "issuer_ids",
        "legal_basis[0].kind",
        "legal_basis[0].law",
        "methods[0].deadline_class",
        "methods[1].method",
    ] {
        assert!(fields.contains(&f), "missing {f}: {fields:?}");
    }
    // Level and region must agree; statutory deadline needs a day-based limit.
    let svc = ga.json("/api/v1/catalogue/service-items").await;
    let svc_id = svc[0]["id"].as_i64().unwrap();
    let mut body = item_body("区划不符", 1, svc_id);
    body["region_code"] = json!("370322001000");
    let r = ga.post_json("/api/v1/catalogue/items", &body).await;
    assert_eq!(r.status(), 422);
    assert_eq!(
        r.json::<Value>().await.unwrap()["errors"][0]["field"],
        "region_code"
    );
    let mut body = item_body("法定时限", 1, svc_id);
    body["methods"] =
        json!([{"method": "verification", "deadline_class": "statutory", "statutory_limit": "3h"}]);
    let r = ga.post_json("/api/v1/catalogue/items", &body).await;
    assert_eq!(r.status(), 422);
    body["methods"] = json!([{"method": "verification", "deadline_class": "statutory", "statutory_limit": "20wd"}]);
    let r = ga.post_json("/api/v1/catalogue/items", &body).await;
    assert_eq!(r.status(), 201);
    assert_eq!(
        r.json::<Value>().await.unwrap()["item"]["methods"][0]["deadline_period"],
        "20wd"
    );
    // Duplicate item in the same list for the same unit.
    let r = ga.post_json("/api/v1/catalogue/items", &body).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("同名证明事项"));
    // Unknown JSON fields are refused.
    let mut body = item_body("多余字段", 1, svc_id);
    body["extra"] = json!(1);
    assert_eq!(
        ga.post_json("/api/v1/catalogue/items", &body)
            .await
            .status(),
        422
    );
}

async fn hostile_text_is_stored_and_shown_literally(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let ga = t.staff("ga_admin").await;
    let svc: Value = ga.json("/api/v1/catalogue/service-items").await;
    let svc_id = svc[0]["id"].as_i64().unwrap();
    let name = "<script>alert('x')</script>证明 & \"引号\"";
    let mut body = item_body(name, 1, svc_id);
    body["remarks"] = json!("<img src=x onerror=alert(1)>");
    let r = ga.post_json("/api/v1/catalogue/items", &body).await;
    assert_eq!(r.status(), 201);
    let item: Value = r.json().await.unwrap();
    assert_eq!(item["item"]["name"], name);
    assert_eq!(item["item"]["remarks"], "<img src=x onerror=alert(1)>");
    let html = ga.get("/catalogue/items").await.text().await.unwrap();
    assert!(!html.contains("<script>alert('x')</script>"));
    assert!(html.contains("&#60;script&#62;"));
}

both_backends!(
    only_the_right_roles_and_units_may_write,
    malformed_fields_get_chinese_field_errors,
    hostile_text_is_stored_and_shown_literally,
);
