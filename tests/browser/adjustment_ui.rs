//! Issue #19: a unit admin applies to cancel a proof from the workbench, the joint office
//! approves it, the next list version publishes it; a citizen comments on the item page
//! without logging in and reads the joint office's public answer.

use fantoccini::Locator;
use proofless_store::q;
use serde_json::json;

use crate::common::{Backend, spawn_demo};
use crate::driver;

const ITEM: &str = "临时身份证明";

async fn type_into(b: &driver::Browser, id: &str, text: &str) {
    let e = b.client.find(Locator::Id(id)).await.unwrap();
    e.clear().await.unwrap();
    e.send_keys(text).await.unwrap();
}

async fn select(b: &driver::Browser, id: &str, value: &str) {
    b.client
        .find(Locator::Id(id))
        .await
        .unwrap()
        .select_by_value(value)
        .await
        .unwrap();
}

async fn open_card(b: &driver::Browser, title: &str) {
    b.client
        .find(Locator::XPath(&format!(
            "//div[h2[contains(., '{title}')]]/a"
        )))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_unit_applies_the_office_approves_and_a_citizen_is_answered() {
    let Some(b) = driver::open().await else {
        return;
    };
    let t = spawn_demo(Backend::Sqlite).await.unwrap();
    let (item,): (i64,) = t
        .app
        .db
        .reader()
        .fetch_one(q("SELECT id FROM proof_items WHERE name = ?").bind(ITEM))
        .await
        .unwrap();

    // The unit admin files from the workbench.
    b.staff_login(&t.base, "ga_admin").await;
    open_card(&b, "清单动态调整").await;
    b.text_with("提出调整申请").await;
    select(&b, "proof_item_id", &item.to_string()).await;
    select(&b, "kind", "cancel").await;
    select(&b, "interim_method", "data_sharing").await;
    select(
        &b,
        "ground",
        "职能调整不再办理，或改变管理方式可实现管理目的",
    )
    .await;
    type_into(&b, "description", "电子身份证可即时证明身份").await;
    b.client
        .execute(
            "document.getElementById('trigger_date').value = '2026-03-11';",
            vec![],
        )
        .await
        .unwrap();
    b.click("form[action='/adjustments'] button[type=submit]")
        .await;
    let text = b.text_with("已申请，调整中").await;
    assert!(
        text.contains("申请已提交") && text.contains("已申请，调整中"),
        "{text}"
    );
    let url = b.client.current_url().await.unwrap();
    let path = url.path().to_owned();

    // The public item page shows "调整中" at once.
    b.client.delete_all_cookies().await.unwrap();
    b.client
        .goto(&format!("{}/proofs/items/{item}", t.base))
        .await
        .unwrap();
    let text = b.text_with("调整中").await;
    assert!(text.contains("数据共享"), "{text}");

    // The joint office approves from its workbench.
    b.staff_login(&t.base, "joint").await;
    open_card(&b, "清单动态调整").await;
    b.text_with("调整申请").await;
    b.client.goto(&format!("{}{path}", t.base)).await.unwrap();
    b.click("form[action$='/do/approve'] button[type=submit]")
        .await;
    let text = b.text_with("已批准，已生效").await;
    assert!(text.contains("已批准，已生效"), "{text}");

    // The county approves and the joint office publishes the next version: gathered.
    let joint = t.staff("joint").await;
    let approver = t.staff("approver").await;
    let r = joint
        .post_json(
            "/api/v1/catalogue/versions",
            &json!({"region_code": "370322000000"}),
        )
        .await;
    let vid = r.json::<serde_json::Value>().await.unwrap()["version"]["id"]
        .as_i64()
        .unwrap();
    approver
        .post_json(
            &format!("/api/v1/catalogue/versions/{vid}/approve"),
            &json!({"approval_doc_no": "高政字〔2026〕9号"}),
        )
        .await;
    joint
        .post_json(
            &format!("/api/v1/catalogue/versions/{vid}/publish"),
            &json!({"effective_date": "2026-04-01"}),
        )
        .await;
    proofless_app::jobs::run_once(&t.app, "test").await.unwrap();
    b.client.refresh().await.unwrap();
    let text = b.text_with("已随清单版本公布").await;
    assert!(text.contains("已随清单版本公布"), "{text}");

    // A citizen, not logged in, finds the item from the search and comments.
    b.client.delete_all_cookies().await.unwrap();
    b.client
        .goto(&format!("{}/proofs?q={ITEM}", t.base))
        .await
        .unwrap();
    b.client
        .find(Locator::LinkText(ITEM))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let text = b.text_with("已取消，无需提交").await;
    assert!(text.contains("已取消，无需提交"), "{text}");
    type_into(&b, "body", "派出所还在要临时身份证明，请核实").await;
    type_into(&b, "name", "李女士").await;
    b.click("form[action$='/comments'] button[type=submit]")
        .await;
    let text = b.text_with("意见已提交").await;
    assert!(text.contains("意见已提交"), "{text}");

    // The joint office answers it in public.
    b.staff_login(&t.base, "joint").await;
    open_card(&b, "群众意见与需求雷达").await;
    b.text_with("派出所还在要").await;
    let area = b
        .client
        .find(Locator::Css("textarea[name=answer]"))
        .await
        .unwrap();
    area.send_keys("已通知县公安局，不得再要求提交")
        .await
        .unwrap();
    b.click("button[name=action][value=answer]").await;
    b.text_with("已公开答复").await;

    b.client.delete_all_cookies().await.unwrap();
    b.client
        .goto(&format!("{}/proofs/items/{item}", t.base))
        .await
        .unwrap();
    let text = b.text_with("已通知县公安局").await;
    assert!(
        text.contains("联席会议办公室答复") && text.contains("已通知县公安局"),
        "{text}"
    );
    b.close().await;
}
