//! Issue #15 items 6, 7 and 9 for commitment: the published list governs (SPEC R2.1–R2.2),
//! withdrawal is the applicant's act (R4.6), and the excluded risk domains are a versioned
//! setting read at the start of the case (SPEC "Trial rules").

use chrono::Duration;
use proofless_store::q;
use serde_json::{Value, json};

use crate::commitment_flow::{
    LEGAL_AID, LI, RESIDENCE, ZHANG, citizen, item, open_case, org, person, service_of, sign_portal,
};
use crate::common::{Backend, TestApp, spawn_demo};

/// Beijing's date `days` after the test clock's today, `YYYY-MM-DD`.
/// The person's opaque public id, as the API takes it.
async fn pid(t: &TestApp, id: i64) -> String {
    proofless_app::applicants::public_id_of(&t.app, id)
        .await
        .unwrap()
}

pub fn day(t: &TestApp, days: i64) -> String {
    use proofless_app::Clock;
    ((t.clock.now() + Duration::hours(8)).date_naive() + Duration::days(days)).to_string()
}

// SPEC R4.6: withdrawal is the applicant's act; at the counter only with the applicant's
// confirmation recorded (as for signing); a clerk alone is refused with the reason.
async fn withdrawal_is_the_applicants_act(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let clerk = t.staff("window").await;
    let li = person(&t, LI).await;
    let residence = item(&t, RESIDENCE).await;
    let case = open_case(&t, org(&t, "县行政审批服务局").await, li, residence).await;
    let r = clerk
        .post_json(
            "/api/v1/commitments",
            &json!({"case_id": case, "proof_item_id": residence, "person_id": pid(&t, li).await,
                    "chosen_by_applicant": true, "applicant_confirmed": true}),
        )
        .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let cm: Value = r.json().await.unwrap();
    let path = format!("/api/v1/commitments/{}/withdraw", cm["id"]);
    // The clerk alone: refused, naming the field and why.
    let r = clerk
        .post_json(&path, &json!({"reason": "窗口认为应改按原程序"}))
        .await;
    assert_eq!(r.status(), 422);
    let p: Value = r.json().await.unwrap();
    assert_eq!(p["errors"][0]["field"], "applicant_confirmed", "{p}");
    assert!(p["detail"].as_str().unwrap().contains("申请人本人"), "{p}");
    let still: Value = clerk
        .json(&format!("/api/v1/commitments/{}", cm["id"]))
        .await;
    assert_eq!(still["state"], "signed", "nothing half-saved");
    // Another role of the unit may not withdraw at all.
    let admin = t.staff("sj_admin").await;
    let r = admin
        .post_json(
            &path,
            &json!({"reason": "代为撤回", "applicant_confirmed": true}),
        )
        .await;
    assert_eq!(r.status(), 403);
    // With the applicant's own request confirmed: withdrawn, and who confirmed is recorded.
    let r = clerk
        .post_json(
            &path,
            &json!({"reason": "申请人已取得纸质证明，要求按原程序办理", "applicant_confirmed": true}),
        )
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let w: Value = r.json().await.unwrap();
    assert_eq!(w["state"], "withdrawn");
    assert_eq!(w["withdraw_channel"], "counter");
    assert_eq!(w["withdraw_confirmed_by"], "赵敏");
    // On the portal the applicant withdraws in person; no clerk is involved.
    let zhang = citizen(&t, ZHANG).await;
    let r = sign_portal(&t, &zhang, LEGAL_AID, "县司法局", ZHANG).await;
    let cm: Value = r.json().await.unwrap();
    let r = zhang
        .post_json(
            &format!("/api/v1/commitments/{}/withdraw", cm["id"]),
            &json!({"reason": "改为提交证明"}),
        )
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let w: Value = r.json().await.unwrap();
    assert_eq!(w["withdraw_channel"], "portal");
    assert!(w["withdraw_confirmed_by"].is_null());
}

// SPEC R2.1–R2.2: the approved, published list governs: commitment must be a method of the
// item in the published version in force, whatever the live draft says; and the item must
// be one the list gives for the case's service item.
async fn commitment_follows_the_published_list_not_the_draft(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let db = &t.app.db;
    // A draft adds commitment to an item published without it (as a unit editing its draft
    // would; the change is not reviewed, approved or published).
    let foundling = item(&t, "捡拾弃婴（儿童）报案证明").await;
    let mut tx = db.begin().await.unwrap();
    tx.execute(
        q(
            "INSERT INTO replacements (proof_item_id, position, method, citizen_text, guide) \
           VALUES (?, 99, 'commitment', '申请人书面承诺', '')",
        )
        .bind(foundling),
    )
    .await
    .unwrap();
    tx.execute(
        q("UPDATE proof_items SET correctable_afterwards = ? WHERE id = ?")
            .bind(true)
            .bind(foundling),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let zhang = citizen(&t, ZHANG).await;
    let r = sign_portal(&t, &zhang, "捡拾弃婴（儿童）报案证明", "县公安局", ZHANG).await;
    assert_eq!(r.status(), 422);
    let p: Value = r.json().await.unwrap();
    assert!(
        p["detail"].as_str().unwrap().contains("现行公布的清单"),
        "{p}"
    );
    let ga = t.staff("ga_admin").await;
    let r = ga
        .post_json(
            &format!("/api/v1/catalogue/items/{foundling}/commitment-templates"),
            &json!({"obligation": "a", "content": "b", "checks": "c", "cooperation": "d", "liability": "e"}),
        )
        .await;
    assert_eq!(r.status(), 422, "a template needs the published method too");
    // A draft that drops commitment from a published item does not stop signing under the
    // list in force.
    let residence = item(&t, RESIDENCE).await;
    let mut tx = db.begin().await.unwrap();
    tx.execute(
        q("DELETE FROM replacements WHERE proof_item_id = ? AND method = 'commitment'")
            .bind(residence),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let r = sign_portal(&t, &zhang, RESIDENCE, "县行政审批服务局", ZHANG).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    // The item must belong to the case's service item: the legal-aid service does not use
    // the residence proof.
    let legal_aid_service = service_of(&t, item(&t, LEGAL_AID).await).await;
    assert_ne!(legal_aid_service, service_of(&t, residence).await);
    let li = person(&t, LI).await;
    let clerk = t.staff("window").await;
    let case = proofless_app::cases::create(
        &t.app,
        &crate::commitment_flow::clerk_of(org(&t, "县行政审批服务局").await),
        &proofless_app::cases::NewCase {
            service_item_code: legal_aid_service,
            applicant_kind: "person".to_owned(),
            applicant: proofless_app::applicants::public_id_of(&t.app, li)
                .await
                .unwrap(),
            applicant_name: None,
            immediate: false,
            statutory_limit: None,
        },
    )
    .await
    .unwrap()
    .id;
    let r = clerk
        .post_json(
            "/api/v1/commitments",
            &json!({"case_id": case, "proof_item_id": residence, "person_id": pid(&t, li).await,
                    "chosen_by_applicant": true, "applicant_confirmed": true}),
        )
        .await;
    assert_eq!(r.status(), 422);
    let p: Value = r.json().await.unwrap();
    assert_eq!(p["errors"][0]["field"], "proof_item_id");
    assert!(
        p["detail"].as_str().unwrap().contains("不是办件所办事项"),
        "{p}"
    );
}

// SPEC "Trial rules", 国办发〔2020〕42号: the excluded domains are a versioned setting of the
// joint office, and a case uses the version in force when it started.
async fn excluded_domains_are_read_at_the_start_of_the_case(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let residence = item(&t, RESIDENCE).await;
    // The item's record says it touches public safety (facts kept on the item).
    let mut tx = t.app.db.begin().await.unwrap();
    tx.execute(
        q("UPDATE proof_items SET risk_domains = 'public_safety' WHERE id = ?").bind(residence),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let unit = org(&t, "县行政审批服务局").await;
    let li = person(&t, LI).await;
    let early_case = open_case(&t, unit, li, residence).await;
    let sign = |case: i64| {
        json!({"case_id": case, "proof_item_id": residence, "chosen_by_applicant": true,
               "facts": "经营场所为自有房产"})
    };
    let c = citizen(&t, LI).await;
    let r = c.post_json("/api/v1/commitments", &sign(early_case)).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("公共安全"));
    // The joint office narrows the list from tomorrow; the credit office may not.
    let fewer = json!({"value": ["国家安全", "国家秘密"], "effective_from": day(&t, 1),
                       "note": "试行期调整（县联席会议纪要）"});
    let path = "/api/v1/policy/commitment.excluded_risk_domains/versions";
    let r = t.staff("credit").await.post_json(path, &fewer).await;
    assert_eq!(r.status(), 403);
    let r = t.staff("joint").await.post_json(path, &fewer).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    t.clock.advance(Duration::days(1));
    // The case that started before keeps the rule it started under.
    let c = citizen(&t, LI).await;
    let r = c.post_json("/api/v1/commitments", &sign(early_case)).await;
    assert_eq!(r.status(), 422, "a new version does not reach back");
    // A case started today uses today's version.
    let late_case = open_case(&t, unit, li, residence).await;
    let r = c.post_json("/api/v1/commitments", &sign(late_case)).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
}

both_backends!(
    withdrawal_is_the_applicants_act,
    commitment_follows_the_published_list_not_the_draft,
    excluded_domains_are_read_at_the_start_of_the_case,
);
