//! Issue #18 §3 (R3.2, A2 §12, R5.9): pulls need entitlement and the applicant's consent
//! (portal preview or an 8-digit one-time code); every outcome is typed with a next step and
//! every pull, allowed or refused, is in the applicant's access log.

use serde_json::{Value, json};

use crate::common::{Backend, spawn_demo};
use crate::sharing_flow::{issue, li_public, pull_body, world, zhang_citizen};

// A2 §12: only an entitled unit pulls, and the refusal is logged for the applicant.
async fn an_unentitled_unit_is_refused_and_logged(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let w = world(&t).await;
    issue(&w, &w.zhang).await;
    let sj = t.staff("sj_clerk").await;
    let r = sj
        .post_json("/api/v1/sharing/pulls", &pull_body(&w, &w.zhang, None))
        .await;
    assert_eq!(r.status(), 403);
    assert!(r.text().await.unwrap().contains("无权调取"));
    let c = zhang_citizen(&t).await;
    let log: Value = c.json("/api/v1/portal/access-log?limit=200").await;
    let s = log.to_string();
    assert!(
        s.contains("县市场监管局") && s.contains("新生儿出生户籍登记核对出生信息"),
        "{s}"
    );
}

// EU Once-Only: the applicant sees exactly what would be released, then allows or declines.
async fn consent_by_portal_preview(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let w = world(&t).await;
    issue(&w, &w.zhang).await;
    let r =
        w.ga.post_json("/api/v1/sharing/pulls", &pull_body(&w, &w.zhang, None))
            .await;
    assert_eq!(r.status(), 201);
    let p: Value = r.json().await.unwrap();
    assert_eq!(p["outcome"], "awaiting_consent");
    assert!(
        p["data"].as_array().unwrap().is_empty(),
        "nothing released before consent"
    );
    let c = zhang_citizen(&t).await;
    let pending: Value = c.json("/api/v1/portal/sharing/consents").await;
    assert_eq!(pending[0]["preview"][0]["label"], "新生儿姓名");
    assert_eq!(pending[0]["preview"][0]["value"], "张小宝");
    let id = p["id"].as_str().unwrap();
    let r = c
        .post_json(
            &format!("/api/v1/portal/sharing/consents/{id}"),
            &json!({"allow": true}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let got: Value = w.ga.json(&format!("/api/v1/sharing/pulls/{id}")).await;
    assert_eq!(got["outcome"], "released");
    assert_eq!(got["data"][0]["value"], "张小宝");
    let x = got["extract_code"].as_str().unwrap();
    let page = t
        .client()
        .get(&format!("/verify/{x}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("县公安局") && page.contains("县卫生健康局"),
        "extract stamp: {page}"
    );
    // Deciding twice is refused; another pull is declined and keeps the fallback.
    let r = c
        .post_json(
            &format!("/api/v1/portal/sharing/consents/{id}"),
            &json!({"allow": false}),
        )
        .await;
    assert_eq!(r.status(), 409);
    let p2: Value =
        w.ga.post_json("/api/v1/sharing/pulls", &pull_body(&w, &w.zhang, None))
            .await
            .json()
            .await
            .unwrap();
    let id2 = p2["id"].as_str().unwrap();
    let d: Value = c
        .post_json(
            &format!("/api/v1/portal/sharing/consents/{id2}"),
            &json!({"allow": false}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(d["outcome"], "declined");
    let got: Value = w.ga.json(&format!("/api/v1/sharing/pulls/{id2}")).await;
    assert!(got["data"].as_array().unwrap().is_empty());
    assert!(got["next_step"].as_str().unwrap().contains("部门核验"));
    // Another citizen cannot answer it.
    let li = crate::commitment_flow::citizen(&t, crate::commitment_flow::LI).await;
    let r = li
        .post_json(
            &format!("/api/v1/portal/sharing/consents/{id2}"),
            &json!({"allow": true}),
        )
        .await;
    assert_eq!(r.status(), 404);
}

// Beijing practice: 8 digits, 10 minutes, one use, bound to unit + item.
async fn consent_by_one_time_code(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let w = world(&t).await;
    issue(&w, &w.zhang).await;
    let c = zhang_citizen(&t).await;
    let code_for = |org: i64| json!({"org_id": org, "proof_item_id": w.item});
    let r = c
        .post_json("/api/v1/portal/sharing/codes", &code_for(w.ga_id))
        .await;
    assert_eq!(r.status(), 201);
    let code: Value = r.json().await.unwrap();
    let code = code["code"].as_str().unwrap().to_owned();
    assert_eq!(code.len(), 8);
    let r =
        w.ga.post_json(
            "/api/v1/sharing/pulls",
            &pull_body(&w, &w.zhang, Some(&code)),
        )
        .await;
    assert_eq!(r.status(), 201);
    let p: Value = r.json().await.unwrap();
    assert_eq!(p["outcome"], "released");
    assert_eq!(p["consent_channel"], "code");
    // Used once only.
    let r =
        w.ga.post_json(
            "/api/v1/sharing/pulls",
            &pull_body(&w, &w.zhang, Some(&code)),
        )
        .await;
    assert_eq!(r.status(), 403);
    assert!(r.text().await.unwrap().contains("已使用过"));
    // Bound to the unit it was given to.
    let other: Value = c
        .post_json("/api/v1/portal/sharing/codes", &code_for(w.mz_id))
        .await
        .json()
        .await
        .unwrap();
    let r =
        w.ga.post_json(
            "/api/v1/sharing/pulls",
            &pull_body(&w, &w.zhang, other["code"].as_str()),
        )
        .await;
    assert_eq!(r.status(), 403);
    assert!(r.text().await.unwrap().contains("不是授予本单位"));
    // Expires after 10 minutes.
    let late: Value = c
        .post_json("/api/v1/portal/sharing/codes", &code_for(w.ga_id))
        .await
        .json()
        .await
        .unwrap();
    t.clock.advance(chrono::Duration::minutes(11));
    let r =
        w.ga.post_json(
            "/api/v1/sharing/pulls",
            &pull_body(&w, &w.zhang, late["code"].as_str()),
        )
        .await;
    assert_eq!(r.status(), 403);
    assert!(r.text().await.unwrap().contains("已过期"));
    // A malformed code is a field error; a unit cannot be given a code it is not entitled to.
    let r =
        w.ga.post_json(
            "/api/v1/sharing/pulls",
            &pull_body(&w, &w.zhang, Some("12ab")),
        )
        .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("8位数字"));
    let sj = crate::commitment_flow::org(&t, "县市场监管局").await;
    let r = c
        .post_json("/api/v1/portal/sharing/codes", &code_for(sj))
        .await;
    assert_eq!(r.status(), 422);
}

// Issue #18 §3: not found and identity mismatch are typed outcomes with a next step.
async fn not_found_and_identity_mismatch_are_typed(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let w = world(&t).await;
    issue(&w, &w.zhang).await;
    let li = li_public(&t).await;
    let p: Value =
        w.ga.post_json("/api/v1/sharing/pulls", &pull_body(&w, &li, None))
            .await
            .json()
            .await
            .unwrap();
    assert_eq!(p["outcome"], "not_found");
    assert!(p["next_step"].as_str().unwrap().contains("部门核验"));
    let mut body = pull_body(&w, &w.zhang, None);
    body["subject_name"] = json!("王五");
    let p: Value =
        w.ga.post_json("/api/v1/sharing/pulls", &body)
            .await
            .json()
            .await
            .unwrap();
    assert_eq!(p["outcome"], "identity_mismatch");
    let list: Value = w.ga.json("/api/v1/sharing/pulls").await;
    assert_eq!(list["total"], 2);
    // Hostile input: unknown subject, unknown case, unknown field.
    let mut bad = pull_body(&w, "00000000000000000000000000000000", None);
    bad["case_id"] = json!(999_999);
    let r = w.ga.post_json("/api/v1/sharing/pulls", &bad).await;
    assert_eq!(r.status(), 422);
    let mut extra = pull_body(&w, &w.zhang, None);
    extra["evil"] = json!(1);
    let r = w.ga.post_json("/api/v1/sharing/pulls", &extra).await;
    assert!(r.status() == 400 || r.status() == 422);
}

// A4 §4(4): a proof for use outside the city: request → issuer's inbox with a deadline →
// issued (sealed) or refused with reason.
async fn outside_city_requests_are_issued_or_refused(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let w = world(&t).await;
    let c = zhang_citizen(&t).await;
    let ask = json!({"proof_item_id": w.item, "destination": "北京市朝阳区某单位", "purpose": "异地入学"});
    let r = c.post_json("/api/v1/portal/sharing/outside", &ask).await;
    assert_eq!(r.status(), 201);
    let req: Value = r.json().await.unwrap();
    assert!(req["due_at"].as_i64().unwrap() > t.app.now_ms());
    let inbox: Value = w.wj.json("/api/v1/sharing/outside").await;
    assert_eq!(inbox[0]["state"], "pending");
    let r = w
        .wj
        .post_json(
            &format!("/api/v1/sharing/outside/{}/issue", req["id"]),
            &json!({"valid_from": "2026-01-01",
                "data": {"child_name": "张小宝", "birth_date": "2026-01-01", "mother_name": "李梅"}}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let done: Value = r.json().await.unwrap();
    assert_eq!(done["state"], "issued");
    let mine: Value = c.json("/api/v1/portal/sharing/eproofs").await;
    assert_eq!(mine.as_array().unwrap().len(), 1);
    let r2: Value = c
        .post_json("/api/v1/portal/sharing/outside", &ask)
        .await
        .json()
        .await
        .unwrap();
    let r =
        w.wj.post_json(
            &format!("/api/v1/sharing/outside/{}/refuse", r2["id"]),
            &json!({"reason": "查无出生记录"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let mine: Value = c.json("/api/v1/portal/sharing/outside").await;
    assert!(mine.to_string().contains("查无出生记录"));
    let r =
        w.ga.post_json(
            &format!("/api/v1/sharing/outside/{}/refuse", r2["id"]),
            &json!({"reason": "x"}),
        )
        .await;
    assert_eq!(r.status(), 403);
}

both_backends!(
    an_unentitled_unit_is_refused_and_logged,
    consent_by_portal_preview,
    consent_by_one_time_code,
    not_found_and_identity_mismatch_are_typed,
    outside_city_requests_are_issued_or_refused,
);
