//! 我的投诉 on the portal and the hot spots of the figures page (issue #20 §1, §4): a
//! citizen signed in on the portal lists only their own complaints with their status; the
//! receivers see the units, grounds and proofs whose complaints rose, as a chart drawn on
//! the server.

use serde_json::{Value, json};

use crate::commitment_flow::{LI, ZHANG, citizen};
use crate::common::{Backend, spawn_demo};
use crate::complaints_flow::org_id;

// SPEC R8.3 (the complainant follows the complaint), R8.9 (figures: hot spots with a chart); A4 §10, §12.
async fn my_complaints_and_the_hot_spot_chart(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let ga = org_id(&t, "县公安局").await;
    let me = citizen(&t, ZHANG).await;
    let r = me
        .post_json(
            "/api/v1/public/complaints",
            &json!({"name": "张三", "phone": "13900005555", "agency_org_id": ga, "ground": "proof_demanded",
                    "request": "请停止索要居住证明", "reasons": "办理居住证时被要求提供社区证明。"}),
        )
        .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let receipt = r.json::<Value>().await.unwrap()["receipt_no"]
        .as_str()
        .unwrap()
        .to_owned();
    // The portal home links to 我的投诉, which lists it with its status.
    let home = me.get("/portal").await.text().await.unwrap();
    assert!(
        home.contains("href=\"/portal/complaints\""),
        "linked from the portal"
    );
    let page = me.get("/portal/complaints").await.text().await.unwrap();
    assert!(page.contains(&receipt), "{page}");
    assert!(page.contains("已登记待受理") && page.contains("县公安局"));
    // The API lists the same, only the citizen's own.
    let mine: Value = me.json("/api/v1/complaints").await;
    assert_eq!(mine["total"], 1, "{mine}");
    assert_eq!(mine["items"][0]["receipt_no"], receipt.as_str());
    // Another citizen sees none of it; without login the page asks to sign in.
    let other = citizen(&t, LI).await;
    let page = other.get("/portal/complaints").await.text().await.unwrap();
    assert!(!page.contains(&receipt));
    assert!(page.contains("暂无投诉"));
    let r = t.client().get("/portal/complaints").await;
    let to_login = r.url().path().starts_with("/portal/login")
        || (r.status().is_redirection()
            && r.headers()["location"]
                .to_str()
                .unwrap()
                .starts_with("/portal/login"));
    assert!(to_login, "{} {}", r.status(), r.url());

    // Hot spots: this month's complaints against none in the three months before.
    let hotline = t.staff("hotline").await;
    let h: Value = hotline.json("/api/v1/complaints/hot-spots?by=agency").await;
    let row = h["rising"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["label"] == "县公安局")
        .unwrap_or_else(|| panic!("{h}"))
        .clone();
    assert!(row["recent"].as_i64().unwrap() >= 1);
    assert_eq!(row["previous"], 0);
    let h: Value = hotline.json("/api/v1/complaints/hot-spots?by=ground").await;
    assert!(h.to_string().contains("仍然索要或变相索要证明材料"), "{h}");
    let r = hotline.get("/api/v1/complaints/hot-spots?by=evil").await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("hot"));
    assert_eq!(
        t.staff("ga_clerk")
            .await
            .get("/api/v1/complaints/hot-spots")
            .await
            .status(),
        403
    );
    // The figures page draws the chart on the server: SVG, no script, no inline style.
    let page = hotline
        .get("/complaints/figures?hot=agency")
        .await
        .text()
        .await
        .unwrap();
    let svg = &page[page.find("<svg").expect("a chart")..page.find("</svg>").unwrap()];
    assert!(svg.contains("县公安局") && svg.contains("<rect"));
    assert!(!svg.contains("style=") && !svg.contains("<script"));
}

crate::both_backends!(my_complaints_and_the_hot_spot_chart);
