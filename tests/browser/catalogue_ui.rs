//! Issue #3: a unit admin drafts a proof item through the form, sees a field error,
//! corrects it, submits it for legal review, and uploads a bad spreadsheet.

use fantoccini::Locator;
use rust_xlsxwriter::Workbook;

use crate::common::{Backend, spawn_demo};
use crate::driver;

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_unit_admin_drafts_corrects_and_submits_an_item_then_uploads_a_bad_file() {
    let Some(b) = driver::open().await else {
        return;
    };
    let t = spawn_demo(Backend::Sqlite).await.unwrap();
    b.staff_login(&t.base, "ga_admin").await;

    b.client
        .goto(&format!("{}/catalogue/items", t.base))
        .await
        .unwrap();
    b.client
        .find(Locator::LinkText("新增证明事项"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let text = b.text_with("新增证明事项").await;
    assert!(text.contains("新增证明事项"), "{text}");

    type_into(&b, "name", "浏览器测试证明").await;
    // The county's units are shown first and open.
    b.client
        .find(Locator::XPath(
            "//label[contains(., '县教育和体育局')]/input[@name='issuer_ids']",
        ))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    // A law without its kind: the kind's error must show next to the row.
    type_into(&b, "lb0_law", "《中华人民共和国户口登记条例》").await;
    type_into(&b, "lb0_article", "第十条").await;
    select(&b, "m0_method", "verification").await;
    type_into(&b, "m0_citizen_text", "无需提交，窗口向开具单位核验").await;
    select(&b, "m0_deadline_class", "paper_archive").await;
    b.click("#save").await;

    // The form comes back with its errors once the POST is answered.
    let err = b
        .client
        .wait()
        .for_element(Locator::Id("lb0_kind-err"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(err.contains("依据类别无效"), "{err}");
    let described = b
        .client
        .find(Locator::Id("lb0_kind"))
        .await
        .unwrap()
        .attr("aria-describedby")
        .await
        .unwrap();
    assert_eq!(described.as_deref(), Some("lb0_kind-err"));
    // What was typed is still there.
    let law = b
        .client
        .find(Locator::Id("lb0_law"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(law.as_deref(), Some("《中华人民共和国户口登记条例》"));

    // Correct it and save.
    select(&b, "lb0_kind", "administrative_regulation").await;
    b.click("#save").await;
    let text = b.text_with("已保存为草稿").await;
    assert!(text.contains("已保存为草稿"), "{text}");
    assert!(text.contains("草稿"), "{text}");

    // Submit for legal review from the item's page.
    b.client
        .find(Locator::XPath("//button[contains(., '提交合法性审查')]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let text = b.text_with("已提交合法性审查").await;
    assert!(text.contains("已提交合法性审查"), "{text}");
    assert!(text.contains("待合法性审查"), "{text}");
    assert!(text.contains("浏览器测试证明"), "{text}");

    // Upload a spreadsheet with a bad row: every bad cell is listed by row and column.
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let header = [
        "序号",
        "证明名称",
        "涉及的政务服务事项名称",
        "事项编码",
        "设定依据",
        "开具单位",
        "索要单位",
        "替代取消方式",
        "办理指引",
        "层级",
        "备注",
        "联系电话",
    ];
    for (c, h) in header.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    let bad = [
        "1",
        "浏览器导入证明",
        "户口迁移登记",
        "370322000000UI00002",
        "《中华人民共和国户口登记条例》第十条",
        "县某局",
        "",
        "部门核验",
        "部门核验：无需提交（电子档案）",
        "县级",
        "",
    ];
    for (c, v) in bad.iter().enumerate() {
        ws.write_string(1, c as u16, *v).unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.xlsx");
    std::fs::write(&path, wb.save_to_buffer().unwrap()).unwrap();

    b.client
        .goto(&format!("{}/catalogue/import", t.base))
        .await
        .unwrap();
    b.client
        .find(Locator::Id("file"))
        .await
        .unwrap()
        .send_keys(&path.display().to_string())
        .await
        .unwrap();
    b.click("#upload").await;
    let table = b
        .client
        .wait()
        .for_element(Locator::Id("problems"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(table.contains("开具单位"), "{table}");
    assert!(table.contains("找不到单位“县某局”"), "{table}");
    assert!(table.contains('2'), "the row number: {table}");
    // SPEC "Real lists": the same report names the columns not read and every warning, in
    // Chinese (no 事项类型 column: the new service item's kind is assumed and flagged).
    let ignored = b
        .client
        .find(Locator::Id("ignored-columns"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(ignored.contains("联系电话"), "{ignored}");
    let warnings = b
        .client
        .find(Locator::Id("warnings"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(warnings.contains("未填写事项类型"), "{warnings}");
    let text = b.text_with("未导入任何事项").await;
    assert!(text.contains("未导入任何事项"), "{text}");
    b.close().await;
}

/// The public search updates as the citizen types: htmx asks `/proofs` itself and swaps in
/// the results alone (the page is not nested inside itself).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_public_search_updates_in_place_as_the_citizen_types() {
    let Some(b) = driver::open().await else {
        return;
    };
    let t = spawn_demo(Backend::Sqlite).await.unwrap();
    b.client.goto(&format!("{}/proofs", t.base)).await.unwrap();
    type_into(&b, "q", "hjzm").await;
    let mut results = String::new();
    for _ in 0..100 {
        results = b
            .client
            .find(Locator::Id("results"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        if results.contains("“hjzm”共找到") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(results.contains("“hjzm”共找到"), "{results}");
    assert!(results.contains("户籍证明"), "{results}");
    let headings = b.client.find_all(Locator::Css("h1")).await.unwrap();
    assert_eq!(headings.len(), 1, "the page must not nest itself");
    b.close().await;
}
