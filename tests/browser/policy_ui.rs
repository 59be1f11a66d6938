//! Issue #15 item 9 (SPEC "Trial rules"): the credit office opens 试行期规则设置 from its
//! workbench, is told in Chinese what is missing, and adds a version of the objection period
//! that is in force from today, with the seed value and the history shown.

use fantoccini::Locator;

use crate::common::{Backend, spawn_demo};
use crate::driver;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_credit_office_changes_the_objection_period_from_its_workbench() {
    let Some(b) = driver::open().await else {
        return;
    };
    let t = spawn_demo(Backend::Sqlite).await.unwrap();
    b.staff_login(&t.base, "credit").await;
    b.click("a[href='/policy']").await;
    let text = b.text_with("试行期规则设置").await;
    assert!(text.contains("虚假承诺黑名单异议期"), "{text}");
    assert!(text.contains("信用等级分数线"), "{text}");
    assert!(text.contains("不适用告知承诺的高风险领域"), "{text}");
    // The credit office edits its own settings, not the joint office's.
    assert!(
        b.client
            .find(Locator::Id("form-credit-objection_days"))
            .await
            .is_ok()
    );
    assert!(
        b.client
            .find(Locator::Id("form-commitment-excluded_risk_domains"))
            .await
            .is_err()
    );
    let value = b
        .client
        .find(Locator::Id("value-credit-objection_days"))
        .await
        .unwrap();
    value.clear().await.unwrap();
    value.send_keys("10").await.unwrap();
    // No reason given: the page answers beside the field, in Chinese.
    b.click("#save-credit-objection_days").await;
    let text = b.text_with("请写明调整的理由和依据文件").await;
    assert!(text.contains("请写明调整的理由和依据文件"), "{text}");
    b.client
        .find(Locator::Id("note-credit-objection_days"))
        .await
        .unwrap()
        .send_keys("县信用办试行期调整（信用办〔2026〕3号）")
        .await
        .unwrap();
    b.click("#save-credit-objection_days").await;
    let text = b.text_with("第1版").await;
    let section = b
        .client
        .find(Locator::Id("credit-objection_days"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        section.contains("现行值：10 天（第1版）"),
        "{section}\n{text}"
    );
    assert!(section.contains("种子值：7 天"), "{section}");
    assert!(
        section.contains("信用办〔2026〕3号"),
        "the history: {section}"
    );
    b.close().await;
}
