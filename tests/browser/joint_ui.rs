//! Issue #21 §5 (A1; SPEC R10.1): the joint office calls a meeting from its workbench, puts an
//! item on the agenda, records the liaison meeting, attendance and the minutes with a decision
//! for 县公安局, seals and issues them; the police bureau's administrator finds the decision
//! under 我的决定事项 and reports it carried out.

use fantoccini::Locator;

use crate::common::{Backend, spawn_demo};
use crate::driver::{self, Browser};

async fn type_into(b: &Browser, id: &str, text: &str) {
    b.client
        .find(Locator::Id(id))
        .await
        .unwrap()
        .send_keys(text)
        .await
        .unwrap();
}

async fn set_value(b: &Browser, css: &str, value: &str) {
    b.client
        .execute(
            &format!(
                "document.querySelectorAll(\"{css}\").forEach(function (e) {{ e.value = '{value}'; }});"
            ),
            vec![],
        )
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_meeting_from_agenda_to_a_decision_carried_out() {
    let Some(b) = driver::open().await else {
        return;
    };
    let t = spawn_demo(Backend::Sqlite).await.unwrap();
    let ga = t
        .app
        .db
        .reader()
        .scalar_i64(proofless_store::q("SELECT id FROM orgs WHERE name = ?").bind("县公安局"))
        .await
        .unwrap();
    let today = "2026-03-12"; // the test clock's day (Beijing)

    b.staff_login(&t.base, "joint").await;
    b.click("a[href='/joint']").await;
    let text = b.text_with("例会节奏").await;
    assert!(
        text.contains("于寿磊") && text.contains("总召集人"),
        "{text}"
    );
    type_into(&b, "m-title", "专题研究核验超时问题").await;
    set_value(&b, "#m-date", today).await;
    type_into(&b, "m-place", "县行政审批服务局会议室").await;
    b.click("#m-submit").await;
    let text = b.text_with("筹备中").await;
    assert!(text.contains("专题研究核验超时问题"), "{text}");

    type_into(&b, "a-title", "核验超时整改").await;
    type_into(&b, "a-desc", "通报核验超时情况，研究整改措施").await;
    b.click("#a-submit").await;
    b.text_with("已列入议题").await;
    set_value(&b, "#lm-date", today).await;
    type_into(&b, "lm-notes", "联络员会议研究了整改措施").await;
    b.click("#lm-submit").await;
    let text = b.text_with("已召开联络员会议").await;
    assert!(text.contains("登记出席情况"), "{text}");
    set_value(&b, "input[name=attendee]", "分管负责同志").await;
    b.click("#att-submit").await;
    let text = b.text_with("会议纪要（印发前可修改").await;
    assert!(text.contains("分管负责同志"), "{text}");
    set_value(&b, "#mi-date", today).await;
    type_into(&b, "mi-summary", "会议研究了核验超时整改，形成议定事项。").await;
    type_into(&b, "dt-0", "县公安局完成核验超时整改").await;
    b.client
        .find(Locator::Id("do-0"))
        .await
        .unwrap()
        .select_by_value(&ga.to_string())
        .await
        .unwrap();
    set_value(&b, "#dd-0", "2026-04-10").await;
    b.click("#mi-submit").await;
    let text = b.text_with("盖章印发纪要").await;
    assert!(text.contains("县公安局完成核验超时整改"), "{text}");
    b.click("#seal-submit").await;
    let text = b.text_with("纪要已盖章印发").await;
    assert!(
        text.contains("纪要已印发") && text.contains("下载纪要 PDF"),
        "{text}"
    );

    b.staff_login(&t.base, "ga_admin").await;
    b.click("a[href='/joint/decisions']").await;
    let text = b.text_with("我的决定事项").await;
    assert!(text.contains("县公安局完成核验超时整改"), "{text}");
    b.client
        .find(Locator::LinkText("县公安局完成核验超时整改"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.text_with("报送落实情况").await;
    type_into(&b, "p-text", "已完成整改，AB 角全员在岗").await;
    b.client
        .find(Locator::Id("p-done"))
        .await
        .unwrap()
        .select_by_value("yes")
        .await
        .unwrap();
    b.click("#p-submit").await;
    let text = b.text_with("状态：已落实").await;
    let state = b
        .client
        .find(Locator::Id("decision-state"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(state, "已落实", "{text}");
    assert!(text.contains("已完成整改，AB 角全员在岗"), "{text}");
    b.close().await;
}
