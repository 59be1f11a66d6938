//! Issue #20: a citizen complains from the public form reached by the footer of the home
//! page, gets a receipt number, the window accepts it and hands it to the agency, the
//! agency answers, and the citizen reads the result on the tracking page and rates it.

use fantoccini::Locator;

use crate::common::{Backend, spawn_demo};
use crate::driver;

async fn fill(b: &driver::Browser, id: &str, text: &str) {
    b.client
        .find(Locator::Id(id))
        .await
        .unwrap()
        .send_keys(text)
        .await
        .unwrap();
}

async fn pause() {
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_citizen_complains_on_the_public_form_and_rates_the_result() {
    let Some(b) = driver::open().await else {
        return;
    };
    let t = spawn_demo(Backend::Sqlite).await.unwrap();

    // 1. From the home page's footer to the public form; submitted without an account.
    b.client.goto(&t.base).await.unwrap();
    b.client
        .find(Locator::LinkText("我要投诉"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    pause().await;
    fill(&b, "c-name", "王小明").await;
    fill(&b, "c-phone", "13800138000").await;
    let (ga,): (i64,) = t
        .app
        .db
        .reader()
        .fetch_one(proofless_store::q("SELECT id FROM orgs WHERE name = ?").bind("县公安局"))
        .await
        .unwrap();
    b.click(&format!("#c-agency option[value='{ga}']")).await;
    fill(&b, "c-request", "办理居住证时窗口仍要求提供社区居住证明").await;
    fill(
        &b,
        "c-reasons",
        "2026年12月5日上午在窗口办理，被告知须先开具证明。",
    )
    .await;
    b.click("form.card button[type=submit]").await;
    pause().await;
    let receipt = b
        .client
        .find(Locator::Id("receipt-no"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(receipt.starts_with("TS"), "{receipt}");

    // 2. The special window accepts it from the workbench and hands it to the agency.
    b.staff_login(&t.base, "window").await;
    pause().await;
    b.click("a[href='/complaints']").await;
    pause().await;
    b.client
        .find(Locator::LinkText(&receipt))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    pause().await;
    b.click("#accept-submit").await;
    pause().await;
    let state = b
        .client
        .find(Locator::Id("c-state"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(state, "已受理办理中");
    let url = b.client.current_url().await.unwrap();

    // 3. The police bureau answers; its staff see the complainant masked.
    let admin = "ga_admin";
    b.staff_login(&t.base, admin).await;
    pause().await;
    b.client.goto(url.as_str()).await.unwrap();
    let masked = b.text().await;
    assert!(!masked.contains("13800138000"), "{masked}");
    fill(&b, "rs-facts", "经查窗口确曾要求提供居住证明").await;
    b.click("#rs-upheld").await;
    fill(&b, "rs-measures", "已纠正并改为部门核验").await;
    b.click("#result-submit").await;
    pause().await;

    // 4. The citizen tracks it with receipt number and phone, and rates it.
    b.client
        .goto(&format!("{}/complaints/track", t.base))
        .await
        .unwrap();
    fill(&b, "t-no", &receipt).await;
    fill(&b, "t-phone", "13800138000").await;
    b.click("form.card button[type=submit]").await;
    pause().await;
    let text = b.text_with("办理结果").await;
    assert!(text.contains("投诉属实"), "{text}");
    b.click("#rate-submit").await;
    pause().await;
    let sat = b
        .client
        .find(Locator::Id("tracked-satisfaction"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(sat, "满意");
    b.close().await;
}
