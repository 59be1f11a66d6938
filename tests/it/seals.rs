//! Org e-seals and sealed documents that anyone can check, OpenSSL included
//! (issue #5 §10).

use std::process::Command;

use proofless_app::Actor;
use proofless_app::seals::{self, ToSeal};
use serde_json::{Value, json};

use crate::common::{Backend, TestApp, spawn_demo};

async fn org(t: &TestApp, name: &str) -> (i64, String) {
    let c = t.staff("joint").await;
    let page: Value = c.json("/api/v1/orgs?limit=500").await;
    let o = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["name"] == name)
        .unwrap()
        .clone();
    (
        o["id"].as_i64().unwrap(),
        o["credit_code"].as_str().unwrap().to_owned(),
    )
}

async fn seal_reply(t: &TestApp, org_id: i64, answer: &str) -> String {
    let body = json!({
        "type": "核验回复函",
        "proof_item": "户籍证明",
        "subject": "张三",
        "answer": answer,
        "note": "<script>alert(1)</script> 与户籍登记一致",
    });
    let mut tx = t.app.db.begin().await.unwrap();
    let id = seals::seal(
        &t.app,
        &mut tx,
        &Actor::system("test"),
        ToSeal {
            org_id,
            kind: seals::SealKind::VerificationReply,
            object_type: "verification",
            object_id: "1".to_owned(),
            body: &body,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

fn openssl_verifies(dir: &std::path::Path, pem: &str, doc: &[u8], sig: &[u8]) -> bool {
    std::fs::write(dir.join("seal.pem"), pem).unwrap();
    std::fs::write(dir.join("doc"), doc).unwrap();
    std::fs::write(dir.join("sig"), sig).unwrap();
    let out = Command::new("openssl")
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
        .expect("openssl is installed");
    out.status.success()
}

// SPEC R3.2 (the electronic seal part): sealed documents are checkable by anyone.
async fn openssl_accepts_a_sealed_reply_and_rejects_a_changed_byte(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let (org_id, code) = org(&t, "县公安局").await;
    let id = seal_reply(&t, org_id, "一致").await;
    let anon = t.client();
    let pem = anon
        .get(&format!("/api/v1/public/orgs/{code}/seal.pem"))
        .await;
    assert_eq!(pem.status(), 200);
    assert_eq!(pem.headers()["content-type"], "application/x-pem-file");
    let pem = pem.text().await.unwrap();
    assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----"));
    let doc = anon.get(&format!("/api/v1/public/sealed/{id}")).await;
    assert_eq!(doc.status(), 200);
    let doc = doc.bytes().await.unwrap().to_vec();
    let sig = anon
        .get(&format!("/api/v1/public/sealed/{id}/signature"))
        .await
        .bytes()
        .await
        .unwrap()
        .to_vec();
    let dir = tempfile::tempdir().unwrap();
    assert!(
        openssl_verifies(dir.path(), &pem, &doc, &sig),
        "OpenSSL accepts our SM2 seal"
    );
    let mut changed = doc.clone();
    let i = changed.iter().position(|&c| c == b'"').unwrap() + 1;
    changed[i] ^= 1;
    assert!(
        !openssl_verifies(dir.path(), &pem, &changed, &sig),
        "one changed byte is refused"
    );

    let v: Value = anon
        .json(&format!("/api/v1/public/sealed/{id}/verify"))
        .await;
    assert_eq!(v["valid"], true);
    assert_eq!(v["org_name"], "县公安局");
    let page = anon
        .get(&format!("/sealed/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("签章有效"), "{page}");
    assert!(
        page.contains("&#60;script&#62;alert(1)"),
        "hostile text shown literally: {page}"
    );
    assert!(!page.contains("<script>alert"));
}

async fn a_changed_stored_document_is_shown_invalid(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let (org_id, _) = org(&t, "县市场监管局").await;
    let id = seal_reply(&t, org_id, "不一致").await;
    crate::common::alter_sealed_body(&t.app, &id, "不一致", "一致").await;
    let anon = t.client();
    let v: Value = anon
        .json(&format!("/api/v1/public/sealed/{id}/verify"))
        .await;
    assert_eq!(v["valid"], false);
    assert!(v["problem"].as_str().unwrap().contains("改动"));
    let page = anon
        .get(&format!("/sealed/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("签章无效"));
}

async fn rotation_keeps_old_documents_verifiable_and_is_the_units_own_business(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let (org_id, code) = org(&t, "县公安局").await;
    let old = seal_reply(&t, org_id, "一致").await;

    // Another unit's admin and a clerk of the unit may not rotate.
    for user in ["sj_admin", "ga_clerk"] {
        let c = t.staff(user).await;
        let res = c
            .post_json(
                &format!("/api/v1/orgs/{org_id}/seal-keys/rotate"),
                &json!({}),
            )
            .await;
        assert_eq!(res.status(), 403, "{user}");
        let p: Value = res.json().await.unwrap();
        assert!(p["detail"].as_str().unwrap().contains("无权"), "{p}");
    }
    let admin = t.staff("ga_admin").await;
    let res = admin
        .post_json(
            &format!("/api/v1/orgs/{org_id}/seal-keys/rotate"),
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let keys: Value = res.json().await.unwrap();
    let keys = keys.as_array().unwrap();
    assert_eq!(keys.len(), 2);
    assert!(keys[0]["retired_at"].is_null(), "active key first");
    assert!(keys[1]["retired_at"].is_i64());

    let new = seal_reply(&t, org_id, "一致").await;
    let anon = t.client();
    let v_old: Value = anon
        .json(&format!("/api/v1/public/sealed/{old}/verify"))
        .await;
    let v_new: Value = anon
        .json(&format!("/api/v1/public/sealed/{new}/verify"))
        .await;
    assert_eq!(v_old["valid"], true);
    assert_eq!(v_old["key_retired"], true);
    assert_eq!(v_new["valid"], true);
    assert_ne!(v_old["key_id"], v_new["key_id"]);
    assert_eq!(v_new["key_id"], keys[0]["key_id"]);
    // The PEM endpoint serves one chosen key or all of them.
    let all = anon
        .get(&format!("/api/v1/public/orgs/{code}/seal.pem"))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(all.matches("BEGIN PUBLIC KEY").count(), 2);
    let one = anon
        .get(&format!(
            "/api/v1/public/orgs/{code}/seal.pem?key_id={}",
            v_old["key_id"].as_str().unwrap()
        ))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(one.matches("BEGIN PUBLIC KEY").count(), 1);
    // The rotation is in the audit log.
    let audit: Value = t
        .staff("admin")
        .await
        .json(&format!("/api/v1/audit?object_type=org&object_id={org_id}"))
        .await;
    assert!(audit.to_string().contains("seal.rotate"), "{audit}");
}

async fn unknown_documents_and_orgs_answer_404_in_chinese(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let anon = t.client();
    for path in [
        "/api/v1/public/sealed/ffffffffffffffffffffffffffffffff",
        "/api/v1/public/sealed/1/signature",
        "/api/v1/public/sealed/'%20OR%201=1--/verify",
        "/api/v1/public/orgs/91370322000000000X/seal.pem",
    ] {
        let res = anon.get(path).await;
        assert_eq!(res.status(), 404, "{path}");
        let p: Value = res.json().await.unwrap();
        assert!(p["title"].as_str().unwrap().contains("未找到"), "{p}");
    }
    let res = anon.get("/sealed/nope").await;
    assert_eq!(res.status(), 404);
}

both_backends!(
    openssl_accepts_a_sealed_reply_and_rejects_a_changed_byte,
    a_changed_stored_document_is_shown_invalid,
    rotation_keeps_old_documents_verifiable_and_is_the_units_own_business,
    unknown_documents_and_orgs_answer_404_in_chinese,
);
