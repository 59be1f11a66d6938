//! Issue #22 point 3, forms that help: a refused form comes back with each error next to its
//! field and a summary at the top that links to the fields, in Chinese, without the
//! service's field names; the applicant's input is kept. Irreversible acts are confirmed
//! first (the SM2-sealed steps are walked in verification_ui, commitment_ui and cases_ui).

use fantoccini::Locator;

use crate::common::{Backend, spawn_demo};
use crate::driver;

async fn fill(b: &driver::Browser, css: &str, text: &str) {
    let e = b.client.find(Locator::Css(css)).await.unwrap();
    e.clear().await.unwrap();
    e.send_keys(text).await.unwrap();
}

async fn active_id(b: &driver::Browser) -> String {
    b.client
        .execute(
            "return document.activeElement && document.activeElement.id;",
            vec![],
        )
        .await
        .unwrap()
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_case_form_shows_each_error_by_its_field_and_a_summary_linking_to_it() {
    let Some(b) = driver::open().await else {
        return;
    };
    let t = spawn_demo(Backend::Sqlite).await.unwrap();
    let (code,): (String,) = t
        .app
        .db
        .reader()
        .fetch_one(
            proofless_store::q("SELECT code FROM service_items WHERE name = ?")
                .bind("户籍迁移登记"),
        )
        .await
        .unwrap();
    b.staff_login(&t.base, "ga_clerk").await;
    b.client
        .goto(&format!("{}/cases/new?code={code}", t.base))
        .await
        .unwrap();
    b.text_with("事项编码").await;
    // A resident ID with a wrong check digit.
    fill(&b, "#applicant", "370322199001011239").await;
    fill(&b, "#applicant_name", "张三").await;
    b.click("#open-case").await;
    let text = b.text_with("提交未成功").await;
    assert!(text.contains("请修改以下内容"), "{text}");
    // The summary links to the field; the error sits under the field; the input is kept.
    let link = b
        .client
        .find(Locator::Css("#error-summary a[href='#applicant']"))
        .await
        .unwrap();
    let said = link.text().await.unwrap();
    assert!(said.contains("身份证号码"), "{said}");
    let by_field = b
        .client
        .find(Locator::Id("applicant-error"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(by_field, said);
    let input = b.client.find(Locator::Id("applicant")).await.unwrap();
    assert_eq!(
        input.attr("aria-invalid").await.unwrap().as_deref(),
        Some("true")
    );
    assert_eq!(
        input.attr("aria-describedby").await.unwrap().as_deref(),
        Some("applicant-error")
    );
    assert_eq!(
        input.prop("value").await.unwrap().as_deref(),
        Some("370322199001011239")
    );
    // Only Chinese: no field path of the service in what the page says.
    let summary = b
        .client
        .find(Locator::Id("error-summary"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !summary.contains("applicant") && !summary.contains("subject."),
        "{summary}"
    );
    // The summary takes the focus (a screen reader reads it); its link moves to the field.
    assert_eq!(active_id(&b).await, "error-summary");
    link.click().await.unwrap();
    assert_eq!(active_id(&b).await, "applicant");
    // Corrected, the case opens and the page says so.
    fill(&b, "#applicant", "370322199001011238").await;
    b.click("#open-case").await;
    let text = b.text_with("已受理，办件已生成").await;
    assert!(text.contains("证明清单"), "{text}");
    // The message is shown once.
    b.client.refresh().await.unwrap();
    let text = b.text_with("证明清单").await;
    assert!(!text.contains("已受理，办件已生成"), "{text}");
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_public_complaint_form_keeps_what_was_typed_and_says_what_is_wrong() {
    let Some(b) = driver::open().await else {
        return;
    };
    let t = spawn_demo(Backend::Sqlite).await.unwrap();
    b.client
        .goto(&format!("{}/complaints/new", t.base))
        .await
        .unwrap();
    b.text_with("我要投诉").await;
    fill(&b, "#c-name", "王五").await;
    fill(&b, "#c-phone", "12ab").await;
    b.client
        .find(Locator::Css("#c-agency option:nth-child(2)"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    fill(&b, "#c-request", "不再要求提供户籍证明").await;
    fill(&b, "#c-reasons", "窗口仍要求我开具户籍证明").await;
    b.click("#complaint-form button[type=submit]").await;
    let text = b.text_with("提交未成功").await;
    assert!(text.contains("联系电话格式不正确"), "{text}");
    let err = b
        .client
        .find(Locator::Id("c-phone-error"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(err.contains("联系电话"), "{err}");
    b.client
        .find(Locator::Css("#error-summary a[href='#c-phone']"))
        .await
        .unwrap();
    // What was typed is still there.
    let kept = b
        .client
        .find(Locator::Id("c-reasons"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(kept.as_deref(), Some("窗口仍要求我开具户籍证明"));
    b.close().await;
}
