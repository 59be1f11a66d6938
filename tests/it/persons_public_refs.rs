//! Persons are known outside by opaque public ids only (issue #16 item 6): the audit log
//! keeps `person:N` inside the database (its hash chain covers it), and every answer and
//! page that shows audit rows names persons by public id.

use serde_json::Value;

use crate::commitment_flow::{LEGAL_AID, ZHANG, citizen, sign_portal};
use crate::common::{Backend, spawn_demo};

fn is_internal_person_ref(s: &str) -> bool {
    s.strip_prefix("person:")
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

async fn audit_rows_name_persons_by_public_id(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    // A citizen acts (a portal actor is a person) and staff read her data.
    let c = citizen(&t, ZHANG).await;
    let r = sign_portal(&t, &c, LEGAL_AID, "县司法局", ZHANG).await;
    assert_eq!(r.status(), 201);
    let me: Value = c.json("/api/v1/portal/me").await;
    let public = me["person"]["id"].as_str().unwrap().to_owned();
    let internal = crate::common::person_id(&t.app, ZHANG).await;

    let admin = t.staff("admin").await;
    let page: Value = admin.json("/api/v1/audit?limit=500").await;
    let items = page["items"].as_array().unwrap();
    assert!(!items.is_empty());
    for r in items {
        let s = r["subject_ref"].as_str().unwrap_or_default();
        assert!(!is_internal_person_ref(s), "internal id in {r}");
        if r["object_type"] == "person" {
            assert!(
                r["object_id"].as_str().unwrap().len() == 32,
                "a person object by public id: {r}"
            );
        }
        // A person named in the detail is named by public id too.
        let detail: Value = serde_json::from_str(r["detail"].as_str().unwrap_or("{}")).unwrap();
        if let Some(p) = detail.get("person_id") {
            assert!(p.as_str().is_some_and(|p| p.len() == 32), "{r}");
        }
        if r["actor_kind"] == "portal" {
            assert!(r["actor_id"].is_null(), "a portal actor's number: {r}");
        }
    }
    // The demo adds a company's representative: the detail names her by public id.
    let page: Value = admin
        .json("/api/v1/audit?object_type=entity&limit=500")
        .await;
    let reps: Vec<&Value> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["action"] == "entity.add_representative")
        .collect();
    assert!(!reps.is_empty(), "{page}");
    for r in reps {
        let detail: Value = serde_json::from_str(r["detail"].as_str().unwrap()).unwrap();
        assert!(
            detail["person_id"].as_str().is_some_and(|p| p.len() == 32),
            "{r}"
        );
    }
    let mine = format!("person:{public}");
    assert!(items.iter().any(|r| r["subject_ref"] == mine.as_str()));
    // Filtering by a person takes the public id; a number is refused with the field named.
    let page: Value = admin
        .json(&format!("/api/v1/audit?subject_ref={mine}&limit=500"))
        .await;
    assert!(page["total"].as_i64().unwrap() > 0);
    assert!(
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["subject_ref"] == mine.as_str())
    );
    let r = admin
        .get(&format!("/api/v1/audit?subject_ref=person:{internal}"))
        .await;
    assert_eq!(r.status(), 422);
    let p: Value = r.json().await.unwrap();
    assert_eq!(p["errors"][0]["field"], "subject_ref", "{p}");
    // The audit page shows the same: no person by number.
    let html = admin.get("/admin/audit").await.text().await.unwrap();
    assert!(html.contains("审计日志"));
    assert!(
        !html.contains(&format!("person {internal}<")),
        "the page names a person by number"
    );
}

both_backends!(audit_rows_name_persons_by_public_id);
