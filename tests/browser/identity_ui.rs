//! Issue #16 item 1b and 2, through the real UI: a clerk reaches 开通群众账号 from the
//! workbench and issues a code after checking the ID card; the citizen opens the account
//! with it; a unit admin reaches 登录协助 and helps a protected colleague.

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clerk_issues_an_activation_code_and_the_citizen_opens_the_account() {
    let Some(b) = driver::open().await else {
        return;
    };
    let t = spawn_demo(Backend::Sqlite).await.unwrap();
    let rid = proofless_fixtures::demo::demo_resident_id("19930422", "731")
        .unwrap()
        .as_str()
        .to_owned();
    b.staff_login(&t.base, "ga_clerk").await;
    b.click("a[href='/counter/activation']").await;
    b.text_with("核验").await;
    fill(&b, "resident_id", &rid).await;
    fill(&b, "name", "钱窗口").await;
    b.click("form[action='/counter/activation'] button[type=submit]")
        .await;
    b.text_with("已为").await;
    let code = b
        .client
        .find(Locator::Id("activation-code"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(code.trim().len(), 8, "{code}");

    // The citizen, at home: portal login → 开通账号, with the code.
    b.client.delete_all_cookies().await.unwrap();
    b.client
        .goto(&format!("{}/portal/login", t.base))
        .await
        .unwrap();
    b.click("a[href='/portal/register']").await;
    b.text_with("开通码").await;
    fill(&b, "resident_id", &rid).await;
    fill(&b, "code", code.trim()).await;
    fill(&b, "password", "Qian12345").await;
    b.click("form[action='/portal/register'] button[type=submit]")
        .await;
    b.client
        .wait()
        .for_url(url::Url::parse(&format!("{}/portal", t.base)).unwrap())
        .await
        .unwrap();
    let text = b.text_with("钱窗口").await;
    assert!(text.contains("钱窗口"), "{text}");
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_unit_admin_issues_a_login_code_to_a_protected_colleague() {
    let Some(b) = driver::open().await else {
        return;
    };
    let t = spawn_demo(Backend::Sqlite).await.unwrap();
    // Someone guesses at ga_liaison's password until the account is protected.
    let c = t.client();
    for i in 0..6 {
        c.post_json(
            "/api/v1/auth/login",
            &serde_json::json!({"username": "ga_liaison", "password": format!("guess{i}")}),
        )
        .await;
    }
    b.staff_login(&t.base, "ga_admin").await;
    b.click("a[href='/admin/login-help']").await;
    let text = b.text_with("受保护").await;
    assert!(text.contains("ga_liaison"), "{text}");
    b.click("#staff-ga_liaison form[action$='/code'] button")
        .await;
    b.text_with("一次性登录验证码").await;
    let code = b
        .client
        .find(Locator::Id("login-code"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    // The colleague logs in with password and code.
    b.client.delete_all_cookies().await.unwrap();
    b.client.goto(&format!("{}/login", t.base)).await.unwrap();
    fill(&b, "login", "ga_liaison").await;
    fill(&b, "password", crate::common::DEMO_PASSWORD).await;
    fill(&b, "code", code.trim()).await;
    b.click("main form button[type=submit]").await;
    b.client
        .wait()
        .for_url(url::Url::parse(&format!("{}/workbench", t.base)).unwrap())
        .await
        .unwrap();
    b.close().await;
}
