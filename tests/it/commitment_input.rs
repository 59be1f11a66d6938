//! Bad input and security for commitments (issue #6 "Bad input and security").

use proofless_store::q;
use serde_json::{Value, json};

use crate::commitment_flow::{
    LEGAL_AID, LI, RESIDENCE, ZHANG, citizen, item, open_case, org, person, sign_portal,
};
use crate::common::{Backend, spawn_demo};

async fn signing_for_an_item_without_a_commitment_method_is_refused(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let c = citizen(&t, ZHANG).await;
    let r = sign_portal(&t, &c, "捡拾弃婴（儿童）报案证明", "县公安局", ZHANG).await;
    assert_eq!(r.status(), 422);
    let p: Value = r.json().await.unwrap();
    assert_eq!(p["errors"][0]["field"], "proof_item_id");
    assert!(p["detail"].as_str().unwrap().contains("没有告知承诺"));
    // Nor can a unit write a template for it.
    let ga = t.staff("ga_admin").await;
    let r = ga
        .post_json(
            &format!(
                "/api/v1/catalogue/items/{}/commitment-templates",
                item(&t, "捡拾弃婴（儿童）报案证明").await
            ),
            &json!({"obligation": "a", "content": "b", "checks": "c", "cooperation": "d", "liability": "e"}),
        )
        .await;
    assert_eq!(r.status(), 422);
    // Unknown items and hostile bodies.
    let case = open_case(
        &t,
        org(&t, "县司法局").await,
        person(&t, ZHANG).await,
        item(&t, LEGAL_AID).await,
    )
    .await;
    let r = c
        .post_json(
            "/api/v1/commitments",
            &json!({"case_id": case, "proof_item_id": 999999, "chosen_by_applicant": true}),
        )
        .await;
    assert_eq!(r.status(), 422);
    let r = c
        .post_json(
            "/api/v1/commitments",
            &json!({"case_id": case, "proof_item_id": item(&t, LEGAL_AID).await,
                    "chosen_by_applicant": true, "facts": "长".repeat(2001)}),
        )
        .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("facts"));
    let r = c
        .post_json(
            "/api/v1/commitments",
            &json!({"case_id": "x", "proof_item_id": 1, "extra": true}),
        )
        .await;
    assert!(r.status().is_client_error());
    let r = c
        .post_raw(
            "/api/v1/commitments",
            "application/json",
            b"{not json".to_vec(),
        )
        .await;
    assert!(r.status().is_client_error());
    // Unknown case.
    let r = c
        .post_json(
            "/api/v1/commitments",
            &json!({"case_id": 999999, "proof_item_id": item(&t, LEGAL_AID).await, "chosen_by_applicant": true}),
        )
        .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("case_id"));
}

async fn signing_for_someone_else_is_refused(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let zhang = citizen(&t, ZHANG).await;
    let li = person(&t, LI).await;
    let case = open_case(&t, org(&t, "县司法局").await, li, item(&t, LEGAL_AID).await).await;
    let li = proofless_app::applicants::public_id_of(&t.app, li)
        .await
        .unwrap();
    let r = zhang
        .post_json(
            "/api/v1/commitments",
            &json!({"case_id": case, "proof_item_id": item(&t, LEGAL_AID).await, "person_id": li,
                    "chosen_by_applicant": true}),
        )
        .await;
    assert_eq!(r.status(), 403);
    assert!(r.text().await.unwrap().contains("本人"));
    // 李四 does not represent the demo company.
    let (entity,): (i64,) = t
        .app
        .db
        .reader()
        .fetch_one(q("SELECT id FROM entities ORDER BY id LIMIT 1"))
        .await
        .unwrap();
    let li_c = citizen(&t, LI).await;
    let r = li_c
        .post_json(
            "/api/v1/commitments",
            &json!({"case_id": case, "proof_item_id": item(&t, LEGAL_AID).await, "entity_id": entity,
                    "chosen_by_applicant": true}),
        )
        .await;
    assert_eq!(r.status(), 403);
    // A clerk of another unit cannot sign at this unit's case.
    let ga_clerk = t.staff("ga_clerk").await;
    let r = ga_clerk
        .post_json(
            "/api/v1/commitments",
            &json!({"case_id": case, "proof_item_id": item(&t, LEGAL_AID).await, "person_id": li,
                    "chosen_by_applicant": true, "applicant_confirmed": true}),
        )
        .await;
    assert_eq!(r.status(), 403);
    // Nobody logged in.
    let r = t
        .client()
        .post_json(
            "/api/v1/commitments",
            &json!({"case_id": case, "proof_item_id": 1, "chosen_by_applicant": true}),
        )
        .await;
    assert_eq!(r.status(), 401);
}

async fn a_signed_letter_cannot_be_edited_and_tampering_is_detected(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let c = citizen(&t, ZHANG).await;
    let cm: Value = sign_portal(&t, &c, LEGAL_AID, "县司法局", ZHANG)
        .await
        .json()
        .await
        .unwrap();
    let id = cm["id"].as_i64().unwrap();
    let r = c
        .put_json(
            &format!("/api/v1/commitments/{id}"),
            &json!({"facts": "改过的内容"}),
            Some("\"v1\""),
        )
        .await;
    assert_eq!(r.status(), 409);
    assert!(r.text().await.unwrap().contains("电子印章"));
    // The database refuses it too.
    let mut tx = t.app.db.begin().await.unwrap();
    let e = tx
        .execute(
            q("UPDATE commitments SET letter = ? WHERE id = ?")
                .bind("{}")
                .bind(id),
        )
        .await;
    assert!(e.is_err(), "the sealed letter is immutable");
    drop(tx);
    // Someone alters the stored sealed copy: verification says so.
    let sealed = cm["sealed_id"].as_str().unwrap();
    crate::common::alter_sealed_body(&t.app, sealed, "张三", "王五").await;
    let v: Value = t
        .client()
        .json(&format!("/api/v1/public/sealed/{sealed}/verify"))
        .await;
    assert_eq!(v["valid"], false);
    assert!(v["problem"].as_str().unwrap().contains("改动"));
}

async fn check_rules_that_overlap_or_leave_gaps_are_rejected(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let admin = t.staff("admin").await;
    let path = format!(
        "/api/v1/catalogue/items/{}/commitment-rules",
        item(&t, RESIDENCE).await
    );
    let sup = org(&t, "县市场监管局").await;
    let overlap = json!({"supervising_org_id": sup, "standard": "核查", "bands": [
        {"min_score": 0, "max_score": 750, "method": "on_site", "within_wd": 10, "sample_permille": 1000},
        {"min_score": 700, "max_score": 1000, "exempt": true}]});
    let r = admin.post_json(&path, &overlap).await;
    assert_eq!(r.status(), 422);
    let p: Value = r.json().await.unwrap();
    assert_eq!(p["errors"][0]["field"], "bands");
    assert!(p["detail"].as_str().unwrap().contains("重叠"), "{p}");
    let gap = json!({"supervising_org_id": sup, "standard": "核查", "bands": [
        {"min_score": 0, "max_score": 599, "method": "on_site", "within_wd": 10, "sample_permille": 1000},
        {"min_score": 700, "max_score": 1000, "exempt": true}]});
    let r = admin.post_json(&path, &gap).await;
    assert_eq!(r.status(), 422);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("600–699分没有对应的核查规则")
    );
    let bad = json!({"supervising_org_id": 999999, "standard": "", "bands": [
        {"min_score": 0, "max_score": 1000, "method": "telepathy", "within_wd": 10, "sample_permille": 1000}]});
    let r = admin.post_json(&path, &bad).await;
    assert_eq!(r.status(), 422);
    let text = r.text().await.unwrap();
    assert!(text.contains("bands[0].method") && text.contains("standard"));
    // Only the item's own unit (or the system admin) writes its rules.
    let sj = t.staff("sj_admin").await;
    let ok = json!({"supervising_org_id": sup, "standard": "核查", "bands": [
        {"min_score": 0, "max_score": 1000, "exempt": true}]});
    assert_eq!(sj.post_json(&path, &ok).await.status(), 403);
    assert_eq!(admin.post_json(&path, &ok).await.status(), 201);
}

async fn templates_are_reviewed_before_publication(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let admin = t.staff("admin").await;
    let id = item(&t, LEGAL_AID).await;
    let path = format!("/api/v1/catalogue/items/{id}/commitment-templates");
    let r = admin
        .post_json(&path, &json!({"obligation": "", "content": "", "checks": "c", "cooperation": "d", "liability": ""}))
        .await;
    assert_eq!(r.status(), 422);
    let text = r.text().await.unwrap();
    assert!(text.contains("obligation") && text.contains("liability"));
    let r = admin
        .post_json(&path, &json!({"obligation": "义务", "content": "内容", "checks": "核查", "cooperation": "配合", "liability": "责任"}))
        .await;
    assert_eq!(r.status(), 201);
    let tpl: Value = r.json().await.unwrap();
    assert_eq!(tpl["number"], 2);
    let tid = tpl["id"].as_i64().unwrap();
    // Not publishable before review; the unit cannot review itself.
    assert_eq!(
        admin
            .post_json(
                &format!("/api/v1/commitment-templates/{tid}/publish"),
                &json!({})
            )
            .await
            .status(),
        409
    );
    let justice = t.staff("justice").await;
    let review = format!("/api/v1/commitment-templates/{tid}/review");
    let r = justice
        .post_json(&review, &json!({"verdict": "approve"}))
        .await;
    assert_eq!(r.status(), 428, "If-Match required");
    let rb = justice
        .http
        .post(justice.url(&review))
        .header("X-CSRF-Token", &justice.csrf)
        .header("If-Match", "\"v1\"")
        .json(&json!({"verdict": "return"}))
        .send()
        .await
        .unwrap();
    assert_eq!(rb.status(), 422, "returning needs reasons");
    let rb = justice
        .http
        .post(justice.url(&review))
        .header("X-CSRF-Token", &justice.csrf)
        .header("If-Match", "\"v1\"")
        .json(&json!({"verdict": "approve", "remarks": "符合要求"}))
        .send()
        .await
        .unwrap();
    assert_eq!(rb.status(), 200);
    let r = admin
        .post_json(
            &format!("/api/v1/commitment-templates/{tid}/publish"),
            &json!({}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let public: Value = t
        .client()
        .json(&format!("/api/v1/public/items/{id}/commitment-template"))
        .await;
    assert_eq!(public["number"], 2, "the new version replaces the old");
}

both_backends!(
    signing_for_an_item_without_a_commitment_method_is_refused,
    signing_for_someone_else_is_refused,
    a_signed_letter_cannot_be_edited_and_tampering_is_detected,
    check_rules_that_overlap_or_leave_gaps_are_rejected,
    templates_are_reviewed_before_publication,
);
