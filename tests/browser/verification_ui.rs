//! Issue #5 §12: one verification walked through the real UI from sending to the sealed
//! answer, and one to escalation (report → joint office board).

use chrono::Duration;
use fantoccini::Locator;

use crate::common::{Backend, TestApp, spawn_demo};
use crate::driver;

async fn fill(b: &driver::Browser, css: &str, text: &str) {
    let el = b.client.find(Locator::Css(css)).await.unwrap();
    el.clear().await.unwrap();
    el.send_keys(text).await.unwrap();
}

/// Sends a verification through the form as 县市场监管局's liaison; returns its page URL.
async fn send_through_the_form(b: &driver::Browser, t: &TestApp) -> String {
    let (item,): (i64,) = t
        .app
        .db
        .reader()
        .fetch_one(
            proofless_store::q("SELECT id FROM proof_items WHERE name = ?").bind("注销户口证明"),
        )
        .await
        .unwrap();
    b.staff_login(&t.base, "sj_liaison").await;
    b.client
        .goto(&format!("{}/verifications", t.base))
        .await
        .unwrap();
    b.client
        .find(Locator::LinkText("发起核验"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.client
        .find(Locator::Css(&format!(
            "select[name=proof_item_id] option[value='{item}']"
        )))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    fill(b, "input[name=subject_code]", "370322199001011238").await;
    fill(b, "input[name=subject_name]", "张三").await;
    fill(b, "textarea[name=facts]", "张三户口已于2025年迁出本县").await;
    fill(b, "input[name=case_ref]", "SJ-UI-0001").await;
    fill(b, "input[name=purpose]", "个体工商户注销登记").await;
    b.client
        .find(Locator::Css("#send-form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let text = b.text_with("已登记待反馈").await;
    assert!(text.contains("已登记待反馈"), "{text}");
    assert!(text.contains("剩余"), "the countdown runs: {text}");
    b.client.current_url().await.unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_verification_goes_from_sending_to_a_sealed_answer() {
    let Some(b) = driver::open().await else {
        return;
    };
    let t = spawn_demo(Backend::Sqlite).await.unwrap();
    let page = send_through_the_form(&b, &t).await;
    let number = page.rsplit('/').next().unwrap().parse::<i64>().unwrap();

    // The issuer's proxy agent finds it in the inbox and answers.
    b.staff_login(&t.base, "ga_proxy1").await;
    b.client
        .goto(&format!(
            "{}/verifications?box=inbox&filter=registered",
            t.base
        ))
        .await
        .unwrap();
    b.client
        .find(Locator::LinkText(&format!("HY{number:08}")))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    fill(
        &b,
        "textarea[name='answer.remarks']",
        "经查询户籍系统，已于2025年迁出",
    )
    .await;
    b.client
        .find(Locator::Css("#answer-form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    // Issue #22 point 3: a confirmation step shows what the SM2 seal will cover; nothing is
    // sealed before it is confirmed.
    let text = b.text_with("将要加盖电子印章的反馈内容").await;
    assert!(text.contains("经查询户籍系统，已于2025年迁出"), "{text}");
    assert!(
        text.contains("县公安局"),
        "the sealing unit is named: {text}"
    );
    assert!(text.contains("核验属实"), "{text}");
    b.client
        .find(Locator::Id("confirm-seal"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let text = b.text_with("查验反馈函签章").await;
    assert!(
        text.contains("反馈已加盖本单位电子印章"),
        "a success message after the action: {text}"
    );
    assert!(text.contains("核验属实"), "{text}");
    b.client
        .find(Locator::Id("sealed-link"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let text = b.text_with("签章有效").await;
    assert!(text.contains("签章有效"), "{text}");
    assert!(text.contains("县公安局"), "{text}");
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unanswered_verification_is_escalated_to_the_joint_office() {
    let Some(b) = driver::open().await else {
        return;
    };
    let t = spawn_demo(Backend::Sqlite).await.unwrap();
    let page = send_through_the_form(&b, &t).await;
    let id = page.rsplit('/').next().unwrap().parse::<i64>().unwrap();
    t.clock.advance(Duration::minutes(45));
    b.client.goto(&page).await.unwrap();
    let text = b.text_with("逾期未反馈").await;
    assert!(text.contains("逾期未反馈"), "{text}");
    b.client
        .find(Locator::Id("report-button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let text = b.text_with("已报告联席办").await;
    assert!(text.contains("已报告联席办"), "{text}");

    b.staff_login(&t.base, "joint").await;
    b.client
        .goto(&format!("{}/verifications", t.base))
        .await
        .unwrap();
    // The joint office's board, by its own name (issue #15 §11), paged with totals (#16 §8).
    b.client
        .find(Locator::LinkText("核验督办台（联席办）"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let board = b.text_with("各开具单位办理情况").await;
    assert!(
        board.contains("改判时限类别") && board.contains("共 ") && board.contains("件"),
        "{board}"
    );
    b.client
        .find(Locator::LinkText(&format!("HY{id:08}")))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    // A datetime-local field is typed segment by segment in the user's locale; set it.
    b.client
        .execute(
            "document.querySelector('#order-form input[name=finish_by]').value = '2026-03-20T12:00';",
            vec![],
        )
        .await
        .unwrap();
    fill(
        &b,
        "#order-form textarea[name=text]",
        "请于限期内反馈并说明逾期原因",
    )
    .await;
    b.client
        .find(Locator::Css("#order-form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let text = b.text_with("2026-03-20 12:00").await;
    assert!(text.contains("责成"), "{text}");
    assert!(text.contains("2026-03-20 12:00"), "{text}");
    b.close().await;
}
