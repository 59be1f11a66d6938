//! The OpenAPI document tells the truth about the API (issue #16 item 7): its shape is
//! checked here in Rust; `.ci/run` also feeds it to schemathesis against a demo server.

use std::collections::{BTreeSet, HashMap};

use serde_json::Value;

use crate::common::{Backend, spawn, spawn_demo};

fn document() -> Value {
    serde_json::to_value(proofless_web::openapi()).unwrap()
}

fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut out = vec![];
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if ["get", "put", "post", "delete", "patch", "head"].contains(&method.as_str()) {
                out.push((method.clone(), path.clone(), op.clone()));
            }
        }
    }
    out
}

// Issue #16 item 7: clients generate one function per operationId.
#[test]
fn every_operation_has_a_unique_operation_id() {
    let doc = document();
    let mut seen: HashMap<String, Vec<String>> = HashMap::new();
    for (method, path, op) in operations(&doc) {
        let id = op["operationId"]
            .as_str()
            .unwrap_or_else(|| panic!("{method} {path} has no operationId"));
        seen.entry(id.to_owned())
            .or_default()
            .push(format!("{method} {path}"));
    }
    let dup: Vec<_> = seen.iter().filter(|(_, v)| v.len() > 1).collect();
    assert!(dup.is_empty(), "operationIds used more than once: {dup:?}");
}

// Issue #16 item 7: `q` of /api/v1/public/search was declared a required path parameter.
#[test]
fn path_parameters_are_exactly_the_placeholders_of_the_path() {
    let doc = document();
    let mut wrong = vec![];
    for (method, path, op) in operations(&doc) {
        let placeholders: BTreeSet<String> = path
            .split('{')
            .skip(1)
            .filter_map(|s| s.split_once('}').map(|(n, _)| n.to_owned()))
            .collect();
        let params = op["parameters"].as_array().cloned().unwrap_or_default();
        let declared: BTreeSet<String> = params
            .iter()
            .filter(|p| p["in"] == "path")
            .map(|p| p["name"].as_str().unwrap().to_owned())
            .collect();
        if placeholders != declared {
            wrong.push(format!(
                "{method} {path}: placeholders {placeholders:?}, path parameters {declared:?}"
            ));
        }
        let mut names = BTreeSet::new();
        for p in &params {
            let key = format!("{}:{}", p["in"], p["name"]);
            if !names.insert(key.clone()) {
                wrong.push(format!("{method} {path}: {key} declared twice"));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

// Issue #16 item 7: every error is problem+json, and the document says so.
#[test]
fn every_error_response_is_documented_as_problem_json() {
    let doc = document();
    let mut wrong = vec![];
    for (method, path, op) in operations(&doc) {
        let responses = op["responses"].as_object().unwrap();
        for status in ["400", "401", "500"].iter().filter(|s| {
            *s != &"400" || op["parameters"].is_array() || op["requestBody"].is_object()
        }) {
            if !responses.contains_key(*status) {
                wrong.push(format!("{method} {path}: {status} undocumented"));
            }
        }
        for (status, r) in responses {
            if status.starts_with('4') || status.starts_with('5') {
                let types: Vec<&String> = r["content"].as_object().unwrap().keys().collect();
                if types != ["application/problem+json"] {
                    wrong.push(format!("{method} {path} {status}: {types:?}"));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

async fn problem(res: reqwest::Response, status: u16) -> Value {
    assert_eq!(res.status(), status);
    let ct = res.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(ct.starts_with("application/problem+json"), "{ct}");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["status"], status);
    assert!(body["operation_id"].is_string(), "{body}");
    body
}

// Issue #16 item 7: axum's own rejections used to come back as English text/plain.
async fn rejections_of_path_query_body_and_method_are_problem_json(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let c = t.staff("admin").await;
    // A path segment that is not a number names the parameter.
    let p = problem(c.get("/api/v1/orgs/abc").await, 400).await;
    assert_eq!(p["errors"][0]["field"], "id", "{p}");
    assert!(p["detail"].as_str().unwrap().contains("整数"), "{p}");
    // A query value of the wrong type.
    let p = problem(c.get("/api/v1/calendar/days?year=abc").await, 400).await;
    assert!(p["detail"].as_str().unwrap().contains("查询参数"), "{p}");
    // A method the route does not have keeps its Allow header.
    let res = c.delete("/api/v1/public/search").await;
    assert!(res.headers().contains_key("allow"));
    problem(res, 405).await;
    // The fallback, for an API client and for a feed reader alike.
    problem(c.get("/api/v1/no-such-thing").await, 404).await;
    problem(t.client().get("/feeds/nothing.xml").await, 404).await;
    // A browser that navigates to an unknown page still gets a page.
    let res = t
        .client()
        .http
        .get(format!("{}/no-such-page", t.base))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
}

// The document is served with the configured public address as its server.
async fn the_served_document_names_the_configured_server(b: Backend) {
    let Some(t) = spawn(b).await else { return };
    let doc: Value = t
        .client()
        .http
        .get(format!("{}/api/v1/openapi.json", t.base))
        .header("host", "attacker.example")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(doc["servers"][0]["url"], t.base.as_str());
}

both_backends!(
    rejections_of_path_query_body_and_method_are_problem_json,
    the_served_document_names_the_configured_server,
);
