//! Issue #18 (SPEC R3): the data-sharing list, e-proofs sealed and verifiable (OpenSSL
//! included), revocation, entitled pulls with the applicant's consent, typed outcomes, and
//! e-proofs for use outside the city.

use std::process::Command;

use serde_json::{Value, json};

use crate::commitment_flow::{LI, ZHANG, citizen, item, open_case, org, person, service_of};
use crate::common::{Backend, Client, DEMO_PASSWORD, TestApp, spawn_demo};

pub const BIRTH: &str = "出生医学证明";
pub const DEATH: &str = "居民死亡医学证明（推断）书";

/// What the tests share: the health bureau's staff, the police bureau's clerk, the item.
pub struct World {
    pub wj: Client,
    pub ga: Client,
    pub item: i64,
    pub ga_id: i64,
    pub mz_id: i64,
    pub wj_id: i64,
    pub service: String,
    pub zhang: String,
    pub case_id: i64,
}

pub fn birth_fields() -> Value {
    json!([
        {"key": "child_name", "label": "新生儿姓名", "kind": "text", "required": true},
        {"key": "birth_date", "label": "出生日期", "kind": "date", "required": true},
        {"key": "mother_name", "label": "母亲姓名", "kind": "text", "required": true},
    ])
}

/// Publishes the entry of `item_name` with `source`, entitling the police and civil affairs.
pub async fn publish(t: &TestApp, w: &World, item_id: i64, source: &str) -> Value {
    let service = service_of(t, item_id).await;
    let r = w
        .wj
        .post_json(
            "/api/v1/sharing/entries",
            &json!({"proof_item_id": item_id, "source": source, "kind": "proof", "fields": birth_fields(),
                "grants": [{"org_id": w.ga_id, "service_code": service}, {"org_id": w.mz_id, "service_code": service}],
                "note": "卫健共享"}),
        )
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let e: Value = r.json().await.unwrap();
    let id = e["id"].as_i64().unwrap();
    let r =
        w.wj.post_json(&format!("/api/v1/sharing/entries/{id}/submit"), &json!({}))
            .await;
    assert_eq!(r.status(), 200);
    let joint = t.staff("joint").await;
    let r = joint
        .post_json(
            &format!("/api/v1/sharing/entries/{id}/review"),
            &json!({"approve": true}),
        )
        .await;
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

pub async fn world(t: &TestApp) -> World {
    let wj_id = org(t, "县卫生健康局").await;
    let admin = t.staff("admin").await;
    let r = admin
        .post_json(
            &format!("/api/v1/orgs/{wj_id}/staff"),
            &json!({"username": "wj_admin", "display_name": "卫健管理", "password": DEMO_PASSWORD,
                "roles": ["unit_admin", "liaison", "counter_clerk"]}),
        )
        .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let item = item(t, BIRTH).await;
    let pid = person(t, ZHANG).await;
    let ga_id = org(t, "县公安局").await;
    let mut w = World {
        wj: t.staff("wj_admin").await,
        ga: t.staff("ga_clerk").await,
        item,
        ga_id,
        mz_id: org(t, "县民政局").await,
        wj_id,
        service: service_of(t, item).await,
        zhang: proofless_app::applicants::public_id_of(&t.app, pid)
            .await
            .unwrap(),
        case_id: open_case(t, ga_id, pid, item).await,
    };
    publish(t, &w, item, "county_library").await;
    w.case_id = w.case_id.max(1);
    w
}

pub async fn issue(w: &World, holder: &str) -> Value {
    let r = w
        .wj
        .post_json(
            "/api/v1/sharing/eproofs",
            &json!({"proof_item_id": w.item, "holder_id": holder, "valid_from": "2026-01-01",
                "data": {"child_name": "张小宝", "birth_date": "2026-01-01", "mother_name": "李梅"}}),
        )
        .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    r.json().await.unwrap()
}

pub fn pull_body(w: &World, subject: &str, code: Option<&str>) -> Value {
    json!({"subject_id": subject, "proof_item_id": w.item, "case_id": w.case_id, "service_code": w.service,
        "purpose": "新生儿出生户籍登记核对出生信息", "consent_code": code})
}

// SPEC R3.1: maintained by the issuer, reviewed by the joint office, published with JSON.
async fn the_list_is_maintained_reviewed_and_published(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let w = world(&t).await;
    let list: Value = t.client().json("/api/v1/public/sharing/list").await;
    // The demo county publishes entries of its own: find ours.
    let e = list
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["proof_item_name"] == BIRTH)
        .unwrap();
    assert_eq!(e["state"], "published");
    assert_eq!(e["grants"][0]["org_name"], "县公安局");
    let page = t.client().get("/sharing/list").await.text().await.unwrap();
    assert!(
        page.contains("新生儿姓名") && page.contains("县卫生健康局"),
        "{page}"
    );
    // Only the issuing unit maintains it.
    let ga_admin = t.staff("ga_admin").await;
    let r = ga_admin
        .post_json(
            "/api/v1/sharing/entries",
            &json!({"proof_item_id": w.item, "source": "county_library", "kind": "proof",
                "fields": birth_fields(), "grants": [{"org_id": w.ga_id, "service_code": w.service}]}),
        )
        .await;
    assert_eq!(r.status(), 403);
    // Bad fields and an unknown service: every field named, in Chinese, nothing written.
    let r =
        w.wj.post_json(
            "/api/v1/sharing/entries",
            &json!({"proof_item_id": w.item, "source": "county_library", "kind": "proof",
                "fields": [{"key": "Bad Key", "label": "x", "kind": "text"}],
                "grants": [{"org_id": w.ga_id, "service_code": "NOPE"}]}),
        )
        .await;
    assert_eq!(r.status(), 422);
    let p = r.text().await.unwrap();
    assert!(p.contains("fields") && p.contains("字段键"), "{p}");
    let mine: Value = w.wj.json("/api/v1/sharing/entries").await;
    let ours = mine
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["proof_item_id"] == w.item)
        .unwrap();
    assert_eq!(ours["version"], 1, "nothing written: {mine}");
}

fn openssl_verifies(dir: &std::path::Path, pem: &str, doc: &[u8], sig: &[u8]) -> bool {
    std::fs::write(dir.join("seal.pem"), pem).unwrap();
    std::fs::write(dir.join("doc"), doc).unwrap();
    std::fs::write(dir.join("sig"), sig).unwrap();
    Command::new("openssl")
        .current_dir(dir)
        .args([
            "pkeyutl",
            "-verify",
            "-rawin",
            "-digest",
            "sm3",
            "-pkeyopt",
            "distid:1234567812345678",
            "-pubin",
            "-inkey",
            "seal.pem",
            "-in",
            "doc",
            "-sigfile",
            "sig",
        ])
        .output()
        .map(|o| {
            eprintln!("{}", String::from_utf8_lossy(&o.stderr));
            o.status.success()
        })
        .expect("openssl is installed")
}

// SPEC R3.2: sealed e-proofs verify with OpenSSL; one changed byte fails; the public page
// shows validity, issuer, kind and the extract stamp with a masked name only.
async fn an_issued_eproof_verifies_with_openssl(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let w = world(&t).await;
    let e = issue(&w, &w.zhang).await;
    let identifier = e["identifier"].as_str().unwrap();
    assert!(proofless_domain::codes::ELicenceId::parse(identifier).is_ok());
    let anon = t.client();
    let sealed = e["sealed_id"].as_str().unwrap();
    let doc = anon
        .get(&format!("/api/v1/public/sealed/{sealed}"))
        .await
        .bytes()
        .await
        .unwrap()
        .to_vec();
    let sig = anon
        .get(&format!("/api/v1/public/sealed/{sealed}/signature"))
        .await
        .bytes()
        .await
        .unwrap()
        .to_vec();
    let keys = proofless_app::seals::keys_of_org(&t.app, w.wj_id)
        .await
        .unwrap();
    let pem = keys[0].public_pem.clone();
    let dir = tempfile::tempdir().unwrap();
    let v: Value = anon
        .json(&format!("/api/v1/public/sealed/{sealed}/verify"))
        .await;
    assert_eq!(v["valid"], true, "{v} {}", String::from_utf8_lossy(&doc));
    assert!(
        openssl_verifies(dir.path(), &pem, &doc, &sig),
        "OpenSSL accepts the e-proof seal"
    );
    let mut changed = doc.clone();
    let i = changed.iter().position(|&c| c == b'"').unwrap() + 1;
    changed[i] ^= 1;
    assert!(
        !openssl_verifies(dir.path(), &pem, &changed, &sig),
        "one changed byte is refused"
    );
    assert!(String::from_utf8_lossy(&doc).contains(identifier));

    let vcode = e["verify_code"].as_str().unwrap();
    let page = anon
        .get(&format!("/verify/{vcode}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("有效") && page.contains("县卫生健康局") && page.contains("张*"),
        "{page}"
    );
    assert!(
        !page.contains("张三") && !page.contains("张小宝") && !page.contains(ZHANG),
        "masked only"
    );
    let qr = anon.get(&format!("/verify/{vcode}/qr.svg")).await;
    assert_eq!(qr.headers()["content-type"], "image/svg+xml");
    let svg = qr.text().await.unwrap();
    assert!(svg.starts_with("<svg") && !svg.contains("style"));
    let st: Value = anon
        .json(&format!("/api/v1/public/eproofs/{identifier}/status"))
        .await;
    assert_eq!(st["validity"], "valid");
    // A forged identifier: the check character says so, in Chinese.
    let mut forged = identifier.to_owned();
    let last = forged.pop().unwrap();
    forged.push(if last == 'A' { 'B' } else { 'A' });
    let r = anon
        .get(&format!("/api/v1/public/eproofs/{forged}/status"))
        .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("校验码错误"));
    let pdf =
        w.wj.get(&format!("/api/v1/sharing/eproofs/{}/eproof.pdf", e["id"]))
            .await;
    assert_eq!(pdf.status(), 200);
    let pdf = pdf.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let text = String::from_utf8_lossy(&pdf);
    assert!(
        text.contains("/FontFile2") || text.contains("/FontFile3"),
        "embedded CJK font"
    );
}

// SPEC R3.2: revocation and replacement with reason, seen on status and verify page.
async fn revocation_and_replacement_show_everywhere(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let w = world(&t).await;
    let e = issue(&w, &w.zhang).await;
    let id = e["id"].as_i64().unwrap();
    let r =
        w.wj.post_json(
            &format!("/api/v1/sharing/eproofs/{id}/revoke"),
            &json!({"reason": " "}),
        )
        .await;
    assert_eq!(r.status(), 422);
    let r =
        w.wj.post_json(
            &format!("/api/v1/sharing/eproofs/{id}/revoke"),
            &json!({"reason": "信息登记错误"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let r =
        w.wj.post_json(
            &format!("/api/v1/sharing/eproofs/{id}/revoke"),
            &json!({"reason": "再次"}),
        )
        .await;
    assert_eq!(r.status(), 409);
    let page = t
        .client()
        .get(&format!("/verify/{}", e["verify_code"].as_str().unwrap()))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("已撤销"), "{page}");
    let st: Value = t
        .client()
        .json(&format!(
            "/api/v1/public/eproofs/{}/status",
            e["identifier"].as_str().unwrap()
        ))
        .await;
    assert_eq!(st["state"], "revoked");
    assert_eq!(st["state_reason"], "信息登记错误");
    // Replacement: a new document, the old one points to it.
    let e2 = issue(&w, &w.zhang).await;
    let r = w
        .wj
        .post_json(
            &format!("/api/v1/sharing/eproofs/{}/replace", e2["id"]),
            &json!({"reason": "母亲姓名更正", "valid_from": "2026-01-01",
                "data": {"child_name": "张小宝", "birth_date": "2026-01-01", "mother_name": "李美"}}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let e3: Value = r.json().await.unwrap();
    let st: Value = t
        .client()
        .json(&format!(
            "/api/v1/public/eproofs/{}/status",
            e2["identifier"].as_str().unwrap()
        ))
        .await;
    assert_eq!(st["state"], "replaced");
    assert_eq!(st["replaced_by"], e3["identifier"]);
    // Another unit cannot revoke.
    let r =
        w.ga.post_json(
            &format!("/api/v1/sharing/eproofs/{}/revoke", e3["id"]),
            &json!({"reason": "x"}),
        )
        .await;
    assert_eq!(r.status(), 403);
}

both_backends!(
    the_list_is_maintained_reviewed_and_published,
    an_issued_eproof_verifies_with_openssl,
    revocation_and_replacement_show_everywhere,
);

pub async fn zhang_citizen(t: &TestApp) -> Client {
    citizen(t, ZHANG).await
}

pub async fn li_public(t: &TestApp) -> String {
    let pid = person(t, LI).await;
    proofless_app::applicants::public_id_of(&t.app, pid)
        .await
        .unwrap()
}
