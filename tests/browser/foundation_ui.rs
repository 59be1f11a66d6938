//! Issue #2: a clerk logs in through the real UI, navigates, and is refused a page
//! their role may not see.

use fantoccini::Locator;

use crate::common::{Backend, spawn_demo};
use crate::driver;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clerk_logs_in_sees_the_workbench_and_is_refused_the_audit_log() {
    let Some(b) = driver::open().await else {
        return;
    };
    let t = spawn_demo(Backend::Sqlite).await.unwrap();

    // A wrong password keeps the user on the login page with a Chinese error.
    b.client.goto(&format!("{}/login", t.base)).await.unwrap();
    b.client
        .find(Locator::Id("login"))
        .await
        .unwrap()
        .send_keys("ga_clerk")
        .await
        .unwrap();
    b.client
        .find(Locator::Id("password"))
        .await
        .unwrap()
        .send_keys("wrong-password")
        .await
        .unwrap();
    b.client
        .find(Locator::Css("main form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let err = b
        .client
        .find(Locator::Css("[role=alert]"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(err.contains("密码"), "login error shown: {err}");

    b.staff_login(&t.base, "ga_clerk").await;
    b.client
        .wait()
        .for_url(url::Url::parse(&format!("{}/workbench", t.base)).unwrap())
        .await
        .unwrap();
    let text = b.text_with("工作台").await;
    assert!(text.contains("工作台"), "{text}");
    assert!(
        text.contains("县公安局"),
        "the clerk's unit is shown: {text}"
    );

    // The clerk may not read the audit log: a refusal page in Chinese.
    b.client
        .goto(&format!("{}/admin/audit", t.base))
        .await
        .unwrap();
    let text = b.text_with("无权访问").await;
    assert!(text.contains("无权访问"), "{text}");
    assert!(!text.contains("哈希"), "no audit rows leak: {text}");

    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_joint_office_navigates_to_the_org_directory_and_a_unit() {
    let Some(b) = driver::open().await else {
        return;
    };
    let t = spawn_demo(Backend::Sqlite).await.unwrap();
    b.staff_login(&t.base, "joint").await;
    b.client
        .wait()
        .for_url(url::Url::parse(&format!("{}/workbench", t.base)).unwrap())
        .await
        .unwrap();
    b.client
        .goto(&format!("{}/admin/orgs", t.base))
        .await
        .unwrap();
    let link = b.client.find(Locator::LinkText("县水利局")).await.unwrap();
    link.click().await.unwrap();
    let text = b.text_with("县水利局").await;
    assert!(text.contains("县水利局"), "{text}");
    assert!(
        text.contains("未达标"),
        "the under-staffed unit is flagged: {text}"
    );
    b.close().await;
}
