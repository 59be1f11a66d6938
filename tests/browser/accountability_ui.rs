//! Issue #21 §5: an overdue verification becomes an accountability proposal by itself; the
//! accountability department opens it from its workbench, sees the request as evidence,
//! refers it to itself as the discipline organ and decides a circulated criticism.

use chrono::Duration;
use fantoccini::Locator;
use serde_json::{Value, json};

use crate::common::{Backend, spawn_demo};
use crate::driver;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_overdue_verification_is_proposed_referred_and_decided() {
    let Some(b) = driver::open().await else {
        return;
    };
    let t = spawn_demo(Backend::Sqlite).await.unwrap();
    let item = t
        .app
        .db
        .reader()
        .scalar_i64(
            proofless_store::q("SELECT id FROM proof_items WHERE name = ?").bind("注销户口证明"),
        )
        .await
        .unwrap();
    let sj = t.staff("sj_liaison").await;
    let body = json!({
        "proof_item_id": item,
        "subject": {"kind": "person", "code": "370322199001011238", "name": "张三"},
        "facts": {"facts": "张三户口已于2025年迁出本县"},
        "case_ref": "SJ-UI-0001",
        "purpose": "办理个体工商户注销登记，核对经营者户籍状态"
    });
    let r = sj.post_json("/api/v1/verifications", &body).await;
    assert_eq!(r.status(), 201);
    let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    t.clock.advance(Duration::minutes(40));
    let r = sj
        .post_json(&format!("/api/v1/verifications/{id}/report"), &json!({}))
        .await;
    assert_eq!(r.status(), 200);
    // The runner's next pass proposes it.
    proofless_app::jobs::run_once(&t.app, "test").await.unwrap();

    b.staff_login(&t.base, "account").await;
    b.click("a[href='/accountability']").await;
    let text = b.text_with("未按时限完成核验").await;
    assert!(text.contains("县公安局"), "{text}");
    b.click("#cases tbody tr:first-child a").await;
    let text = b.text_with("证据（问责线索）").await;
    assert!(text.contains(&format!("verification:{id}")), "{text}");
    assert!(text.contains("待处理"), "{text}");
    // Referred to 县纪委监委 (preselected: the department's own unit) as discipline organ.
    b.click("#refer-submit").await;
    let text = b.text_with("已移送决定机关").await;
    assert!(text.contains("纪检监察机关（县纪委监委）"), "{text}");
    b.client
        .find(Locator::Id("measure"))
        .await
        .unwrap()
        .select_by_value("circulated")
        .await
        .unwrap();
    b.client
        .find(Locator::Id("decide-text"))
        .await
        .unwrap()
        .send_keys("县公安局逾期未反馈核验，予以通报批评")
        .await
        .unwrap();
    b.click("#decide-submit").await;
    let text = b.text_with("已作出问责决定").await;
    assert!(text.contains("通报批评"), "{text}");
    let decision = b
        .client
        .find(Locator::Id("decision"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(decision.contains("予以通报批评"), "{decision}");
    b.close().await;
}
