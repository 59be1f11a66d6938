//! Issue #17 §4: the clerk's whole case from the workbench — 受理办件, the service item
//! found by name, the applicant by resident ID, the proof checklist (one abolished, one
//! sent to the proxy agent and recorded), the decision.

use fantoccini::Locator;

use crate::common::{Backend, spawn_demo};
use crate::driver;

async fn fill(b: &driver::Browser, css: &str, text: &str) {
    let el = b.client.find(Locator::Css(css)).await.unwrap();
    el.clear().await.unwrap();
    el.send_keys(text).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clerk_carries_a_case_from_the_workbench_to_its_decision() {
    let Some(b) = driver::open().await else {
        return;
    };
    let Some(t) = spawn_demo(Backend::Sqlite).await else {
        return;
    };
    b.staff_login(&t.base, "ga_clerk").await;
    b.click("a[href='/cases/new']").await;
    fill(&b, "#q", "户籍迁移").await;
    b.click("#service-search button[type=submit]").await;
    b.text_with("户籍迁移登记").await;
    b.client
        .find(Locator::LinkText("户籍迁移登记"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.text_with("事项编码").await;
    fill(&b, "#applicant", "370322199001011238").await;
    b.click("#open-case").await;
    let text = b.text_with("证明清单").await;
    assert!(text.contains("录用证明、录取证明或准予迁入证明"), "{text}");
    assert!(text.contains("直接取消"), "{text}");
    let (item,): (i64,) = t
        .app
        .db
        .reader()
        .fetch_one(
            proofless_store::q("SELECT id FROM proof_items WHERE name = ?")
                .bind("录用证明、录取证明或准予迁入证明"),
        )
        .await
        .unwrap();
    // Deciding now is refused, with the reason, and nothing changes.
    b.click("#decide").await;
    let text = b.text_with("尚有证明未解决").await;
    assert!(text.contains("尚有证明未解决"), "{text}");
    b.click(&format!("#proxy-{item}")).await;
    b.text_with("办理中").await;
    fill(
        &b,
        &format!("#got-{item}"),
        "代办员取得录用证明扫描件 GA-UI-001",
    )
    .await;
    b.click(&format!("#complete-{item}")).await;
    let text = b.text_with("GA-UI-001").await;
    assert!(text.contains("已解决"), "{text}");
    b.click("#decide").await;
    let text = b.text_with("办结").await;
    assert!(text.contains("准予"), "{text}");
    b.close().await;
}
