//! Approved list adjustments flow into the next list version (annex 3 §5, §11; issue #19):
//! a cancellation takes the item off the version the catalogue prepares next (and every
//! later one), a change of the replacement method replaces the item's methods there, and
//! the version's diff and the Atom/JSON feeds carry each adjustment with its grounds.

use serde_json::{Value, json};

use crate::adjustment_flow::{cancel_body, published_item};
use crate::common::{Backend, TestApp, spawn_demo};

const COUNTY: &str = "370322000000";

/// Prepares (optionally with explicit items), approves and publishes a county version;
/// the published version's id.
async fn publish(t: &TestApp, item_ids: Option<Vec<i64>>) -> i64 {
    let joint = t.staff("joint").await;
    let approver = t.staff("approver").await;
    let mut body = json!({"region_code": COUNTY, "note": "半年调整"});
    if let Some(ids) = item_ids {
        body["item_ids"] = json!(ids);
    }
    let r = joint.post_json("/api/v1/catalogue/versions", &body).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let vid = r.json::<Value>().await.unwrap()["version"]["id"]
        .as_i64()
        .unwrap();
    let r = approver
        .post_json(
            &format!("/api/v1/catalogue/versions/{vid}/approve"),
            &json!({"approval_doc_no": "高政字〔2026〕19号"}),
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
    vid
}

fn names(items: &Value) -> Vec<String> {
    items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap().to_owned())
        .collect()
}

// SPEC R7.2 (approved adjustments gathered into the next list version), R7.3 (grounds), R2.2 (diff and feeds); A3 §5, §7, §8, §11.
async fn approved_adjustments_flow_into_the_next_version_with_their_grounds(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let (ga, joint, anon) = (
        t.staff("ga_admin").await,
        t.staff("joint").await,
        t.client(),
    );
    let cancelled = published_item(&anon, "临时身份证明").await;
    let changed = published_item(&anon, "注销户口证明").await;
    let before: Value = anon
        .json(&format!("/api/v1/public/proof-items/{cancelled}"))
        .await;
    let from = before["list_version_id"].as_i64().unwrap();

    // A cancellation and a change of the replacement method, both approved.
    let r = ga
        .post_json("/api/v1/adjustments", &cancel_body(cancelled, "2026-03-11"))
        .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let a1 = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let change = json!({
        "proof_item_id": changed, "kind": "change", "target": "method", "method": "data_sharing",
        "method_text": "通过人口信息共享平台直接核对注销记录，无需提交",
        "interim_method": "data_sharing", "ground": "替代取消方式发生变化",
        "description": "注销记录已接入共享平台，改为数据共享", "trigger_date": "2026-03-11",
    });
    let r = ga.post_json("/api/v1/adjustments", &change).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let a2 = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    for id in [a1, a2] {
        let r = joint
            .post_json(&format!("/api/v1/adjustments/{id}/approve"), &json!({}))
            .await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    }

    // Asked for by id, the cancelled item is refused and nothing is prepared (the demo's
    // own town version waiting for approval stays the only prepared one).
    let prepared = |v: &Value| v.to_string().matches("\"prepared\"").count();
    let before = prepared(&joint.json("/api/v1/catalogue/versions").await);
    let r = joint
        .post_json(
            "/api/v1/catalogue/versions",
            &json!({"region_code": COUNTY, "note": "x", "item_ids": [cancelled, changed]}),
        )
        .await;
    assert_eq!(r.status(), 422);
    let v: Value = r.json().await.unwrap();
    assert!(v.to_string().contains("已经批准取消"), "{v}");
    let staff_versions: Value = joint.json("/api/v1/catalogue/versions").await;
    assert_eq!(
        prepared(&staff_versions),
        before,
        "nothing half-prepared: {staff_versions}"
    );

    // The next version: the cancelled item is gone, the changed one has its new method.
    let to = publish(&t, None).await;
    let v: Value = anon
        .json(&format!("/api/v1/public/exemption-lists/{to}"))
        .await;
    let listed = names(&v["items"]);
    assert!(!listed.contains(&"临时身份证明".to_owned()), "{listed:?}");
    let item = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == changed)
        .unwrap();
    let methods: Vec<&str> = item["methods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["method"].as_str().unwrap())
        .collect();
    assert_eq!(methods, ["data_sharing"]);
    assert_eq!(
        item["methods"][0]["citizen_text"],
        "通过人口信息共享平台直接核对注销记录，无需提交"
    );
    // The public search serves the new version at once: the change, and the cancelled
    // item only as "已取消，无需提交".
    let p: Value = anon
        .json(&format!("/api/v1/public/proof-items/{changed}"))
        .await;
    assert_eq!(p["list_version_id"], to);
    assert_eq!(p["methods"], json!(["data_sharing"]));
    let r = anon
        .get(&format!("/api/v1/public/proof-items/{cancelled}"))
        .await;
    assert_eq!(r.status(), 404);
    let page = anon.get("/proofs?q=临时身份").await.text().await.unwrap();
    assert!(page.contains("已取消，无需提交"));

    // The diff names both with their grounds.
    let d: Value = anon
        .json(&format!("/api/v1/public/diff?from={from}&to={to}"))
        .await;
    assert_eq!(names(&d["diff"]["cancelled"]), ["临时身份证明"]);
    let changed_names: Vec<&str> = d["diff"]["changed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert!(changed_names.contains(&"注销户口证明"), "{d}");
    let notes: Vec<(&str, &str, i64)> = d["adjustments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["effect"].as_str().unwrap(),
                a["note"].as_str().unwrap(),
                a["source_id"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(notes.len(), 2, "{d}");
    assert_eq!((notes[0].0, notes[0].2), ("remove", a1));
    assert!(
        notes[0]
            .1
            .contains("理由：职能调整不再办理，或改变管理方式可实现管理目的")
    );
    assert_eq!((notes[1].0, notes[1].2), ("methods", a2));
    assert!(notes[1].1.contains("理由：替代取消方式发生变化"));

    // Both are marked as published in that version, and the feeds name them.
    proofless_app::jobs::run_once(&t.app, "test").await.unwrap();
    for id in [a1, a2] {
        let a: Value = joint.json(&format!("/api/v1/adjustments/{id}")).await;
        assert_eq!(a["state"], "published", "{a}");
        assert_eq!(a["published_version_id"], to);
    }
    for feed in ["/feeds/exemptions.json", "/feeds/exemptions.atom"] {
        let text = anon.get(feed).await.text().await.unwrap();
        assert!(
            text.contains("动态调整：取消“临时身份证明”，理由：职能调整"),
            "{feed}"
        );
        assert!(
            text.contains("动态调整：变更“注销户口证明”，理由：替代取消方式发生变化"),
            "{feed}"
        );
    }

    // A later version keeps the item off the list and gathers nothing again.
    let later = publish(&t, None).await;
    let v: Value = anon
        .json(&format!("/api/v1/public/exemption-lists/{later}"))
        .await;
    assert!(!names(&v["items"]).contains(&"临时身份证明".to_owned()));
    let d: Value = anon
        .json(&format!("/api/v1/public/diff?from={to}&to={later}"))
        .await;
    assert!(d["diff"]["cancelled"].as_array().unwrap().is_empty(), "{d}");
    assert!(d["adjustments"].as_array().unwrap().is_empty());
}

crate::both_backends!(approved_adjustments_flow_into_the_next_version_with_their_grounds);
