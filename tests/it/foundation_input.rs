//! Bad input and API conventions: problem+json in Chinese, limits, injection, OpenAPI,
//! health, metrics, operation ids (issue #2 "Bad input and security", §9).

use serde_json::{Value, json};

use crate::common::{Backend, spawn, spawn_demo};

async fn malformed_json_wrong_types_and_unknown_fields_get_chinese_problems(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let c = t.staff("admin").await;
    let r = c
        .post_raw("/api/v1/orgs", "application/json", b"{\"name\": ".to_vec())
        .await;
    assert_eq!(r.status(), 400);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let p: Value = r.json().await.unwrap();
    assert_eq!(p["type"], "urn:proofless:problem:malformed-json");
    assert!(p["detail"].as_str().unwrap().starts_with("JSON 格式错误"));
    assert!(p["operation_id"].as_str().unwrap().len() >= 16);

    let r = c
        .post_json(
            "/api/v1/orgs",
            &json!({"name": 12, "kind": "administrative_body", "region_code": "370322000000"}),
        )
        .await;
    assert_eq!(r.status(), 422);
    let p: Value = r.json().await.unwrap();
    assert!(p["detail"].as_str().unwrap().contains("类型"), "{p}");

    let r = c.post_json("/api/v1/orgs", &json!({"name": "x", "kind": "administrative_body", "region_code": "370322000000", "is_admin": true})).await;
    assert_eq!(r.status(), 422);
    let p: Value = r.json().await.unwrap();
    assert!(p["detail"].as_str().unwrap().contains("is_admin"), "{p}");

    let r = c
        .post_raw("/api/v1/orgs", "text/plain", b"hello".to_vec())
        .await;
    assert_eq!(r.status(), 415);
}

async fn an_oversized_body_is_refused_with_413(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let c = t.staff("admin").await;
    let huge = format!(
        "{{\"name\": \"{}\", \"kind\": \"administrative_body\", \"region_code\": \"370322000000\"}}",
        "局".repeat(600_000)
    );
    let r = c
        .post_raw("/api/v1/orgs", "application/json", huge.into_bytes())
        .await;
    assert_eq!(r.status(), 413);
    let p: Value = r.json().await.unwrap();
    assert!(p["detail"].as_str().unwrap().contains("请求体超过上限"));
    // A long but acceptable body gets a field error, not a crash.
    let long = json!({"name": "局".repeat(5000), "kind": "administrative_body", "region_code": "370322000000"});
    let r = c.post_json("/api/v1/orgs", &long).await;
    assert_eq!(r.status(), 422);
    let p: Value = r.json().await.unwrap();
    assert_eq!(p["errors"][0]["field"], "name");
}

async fn sql_and_html_in_text_fields_are_stored_and_shown_literally(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let c = t.staff("admin").await;
    let evil = "<script>alert('x')</script>'; DROP TABLE orgs;--";
    let r = c
        .post_json(
            "/api/v1/orgs",
            &json!({"name": evil, "kind": "administrative_body", "region_code": "370322000000"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let org: Value = r.json().await.unwrap();
    assert_eq!(org["name"], evil);
    let page = c
        .get(&format!("/admin/orgs/{}", org["id"]))
        .await
        .text()
        .await
        .unwrap();
    assert!(!page.contains("<script>alert"), "HTML must be escaped");
    assert!(
        page.contains("&lt;script&gt;") || page.contains("&#60;script&#62;"),
        "{}",
        &page[..200]
    );
    let search = c.json(&format!("/api/v1/orgs?q={}", "%27%3B%20DROP")).await;
    assert_eq!(search["total"], 1);
    assert!(
        c.json("/api/v1/orgs?limit=1").await["total"]
            .as_i64()
            .unwrap()
            > 10,
        "orgs table still there"
    );
}

async fn openapi_health_metrics_and_operation_ids(b: Backend) {
    // /metrics is not public (issue #16 item 8): the scraper presents its token.
    let Some(t) =
        crate::common::spawn_with(b, |c| c.metrics_token = Some("scrape".to_owned())).await
    else {
        return;
    };
    let c = t.client();
    let doc: Value = c.json("/api/v1/openapi.json").await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    for path in [
        "/api/v1/auth/login",
        "/api/v1/orgs",
        "/api/v1/orgs/{id}",
        "/api/v1/orgs/import",
        "/api/v1/orgs/{id}/staff",
        "/api/v1/staff/{id}/roles",
        "/api/v1/orgs/{id}/duty-posts",
        "/api/v1/staffing-registry",
        "/api/v1/api-tokens",
        "/api/v1/applicants/persons",
        "/api/v1/portal/register",
        "/api/v1/portal/access-log",
        "/api/v1/audit",
        "/api/v1/audit/verify",
        "/api/v1/regions",
        "/healthz",
    ] {
        assert!(
            doc["paths"].get(path).is_some(),
            "OpenAPI is missing {path}"
        );
    }
    let r = c.get("/healthz").await;
    assert_eq!(r.status(), 200);
    assert!(r.headers().contains_key("x-operation-id"));
    let m = t
        .bearer("scrape")
        .get("/metrics")
        .await
        .text()
        .await
        .unwrap();
    assert!(m.contains("proofless_http_requests_total{status=\"2xx\"}"));
    let r = c.get("/api/v1/no-such-thing").await;
    assert_eq!(r.status(), 404);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
}

async fn anonymous_callers_get_401_and_public_pages_render_in_chinese(b: Backend) {
    let Some(t) = spawn(b).await else { return };
    let c = t.client();
    assert_eq!(c.get("/api/v1/orgs").await.status(), 401);
    let home = c.get("/").await.text().await.unwrap();
    assert!(home.contains("lang=\"zh-CN\"") && home.contains("无证明城市"));
    let r = c.get("/workbench").await;
    assert_eq!(r.status(), 303);
    // Issue #22 §2: the login remembers where the visitor was going.
    assert_eq!(r.headers()["location"], "/login?next=%2Fworkbench");
    assert_eq!(c.get("/assets/htmx.min.js").await.status(), 200);
}

both_backends!(
    malformed_json_wrong_types_and_unknown_fields_get_chinese_problems,
    an_oversized_body_is_refused_with_413,
    sql_and_html_in_text_fields_are_stored_and_shown_literally,
    openapi_health_metrics_and_operation_ids,
    anonymous_callers_get_401_and_public_pages_render_in_chinese,
);
