//! Issue #20: a citizen complains from the public form reached by the footer of the home
//! page, gets a receipt number, the window accepts it and hands it to the agency, the
//! agency answers, and the citizen reads the result on the tracking page and rates it. A
//! signed-in citizen follows their complaints on 我的投诉 from the portal home; a receiver
//! reaches the hot-spot chart from the figures page.

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

/// The rows of 我的投诉 as text, one per complaint.
async fn my_rows(b: &driver::Browser) -> Vec<String> {
    b.text_with("我的投诉").await;
    let mut out = vec![];
    for r in b
        .client
        .find_all(Locator::Css("#my-complaint-list tbody tr"))
        .await
        .unwrap()
    {
        out.push(r.text().await.unwrap());
    }
    out
}

/// 我的投诉, reached from the portal home's link.
async fn open_mine(b: &driver::Browser, base: &str) -> Vec<String> {
    b.client.goto(&format!("{base}/portal")).await.unwrap();
    b.click("#my-complaints").await;
    my_rows(b).await
}

// Issue #20 §1, §3 (A4 §5, §11; R8.4, R8.8): a signed-in citizen goes from the portal home
// to 我的投诉, complains from there, and follows the complaint on 我的投诉: registered, then
// (once the window accepted it and the police bureau answered) the result with its measures,
// the sealed result notice and the way to rate it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_citizen_follows_their_complaints_on_the_portal() {
    let Some(b) = driver::open().await else {
        return;
    };
    let t = spawn_demo(Backend::Sqlite).await.unwrap();
    let (ga,): (i64,) = t
        .app
        .db
        .reader()
        .fetch_one(proofless_store::q("SELECT id FROM orgs WHERE name = ?").bind("县公安局"))
        .await
        .unwrap();
    b.log_in(&format!("{}/portal/login", t.base), "370322199001011238")
        .await;
    pause().await;
    let before = open_mine(&b, &t.base).await;
    let text = b.text().await;
    assert!(
        text.contains("受理机构应在1个工作日内决定是否受理"),
        "{text}"
    );

    // From 我的投诉 to the form; the complaint is kept with the account.
    b.click("a[href='/complaints/new']").await;
    b.text_with("我要投诉").await;
    fill(&b, "c-name", "张三").await;
    fill(&b, "c-phone", "13800138111").await;
    b.click(&format!("#c-agency option[value='{ga}']")).await;
    fill(
        &b,
        "c-request",
        "办理新生儿落户时窗口仍要求提供出生医学证明纸质件",
    )
    .await;
    fill(&b, "c-reasons", "电子出生医学证明已共享，窗口仍不予受理。").await;
    b.click("form.card button[type=submit]").await;
    let text = b.text_with("受理编号").await;
    assert!(text.contains("投诉已提交"), "{text}");
    let receipt = b
        .client
        .find(Locator::Id("receipt-no"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let rows = open_mine(&b, &t.base).await;
    let mine: Vec<&String> = rows.iter().filter(|r| r.contains(&receipt)).collect();
    let count = |rows: &[String]| rows.iter().filter(|r| !r.contains("暂无投诉")).count();
    assert_eq!(count(&rows), count(&before) + 1, "{rows:?}");
    assert_eq!(mine.len(), 1, "{rows:?}");
    assert!(
        mine[0].contains("县公安局") && mine[0].contains("已登记待受理"),
        "{}",
        mine[0]
    );

    // The window accepts it for the police bureau, which answers (their pages are walked in
    // the test above; here over the API).
    let window = t.staff("window").await;
    let list = window.json("/api/v1/complaints?per_page=200").await;
    let id = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["receipt_no"] == receipt.as_str())
        .unwrap_or_else(|| panic!("{receipt} not in {list}"))["id"]
        .as_i64()
        .unwrap();
    let r = window
        .post_json(
            &format!("/api/v1/complaints/{id}/accept"),
            &serde_json::json!({"handling_org_id": ga}),
        )
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let r = t
        .staff("ga_admin")
        .await
        .post_json(
            &format!("/api/v1/complaints/{id}/result"),
            &serde_json::json!({"facts": "经查窗口确曾要求提供纸质件", "upheld": true,
                "measures": "已纠正并改为共享核对"}),
        )
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());

    // 我的投诉 shows the result, the sealed notice and where to rate it.
    let rows = open_mine(&b, &t.base).await;
    let row = rows
        .iter()
        .find(|r| r.contains(&receipt))
        .unwrap_or_else(|| panic!("{rows:?}"));
    assert!(
        row.contains("已办结待评价")
            && row.contains("投诉属实；处理措施：已纠正并改为共享核对")
            && row.contains("办理结果告知书")
            && row.contains("去评价"),
        "{row}"
    );
    b.click("#my-complaint-list a[href='/complaints/track']")
        .await;
    b.text_with("受理编号").await;
    assert!(b.client.find(Locator::Id("t-no")).await.is_ok());
    b.close().await;
}

/// The texts of the elements matching `css`.
async fn texts(b: &driver::Browser, css: &str) -> Vec<String> {
    let mut out = vec![];
    for e in b.client.find_all(Locator::Css(css)).await.unwrap() {
        out.push(e.text().await.unwrap());
    }
    out
}

/// The rendered width of the first element matching `css` inside the chart (its SVG box).
async fn rendered_width(b: &driver::Browser, css: &str) -> f64 {
    let v = b
        .client
        .execute(
            "return document.querySelector(arguments[0]).getBBox().width;",
            vec![serde_json::json!(css)],
        )
        .await
        .unwrap();
    v.as_f64().unwrap_or_default()
}

fn is_chinese(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

// Issue #20 §4 (A4 §12; R8.9): a receiver goes from the workbench to 投诉管理 and its 投诉统计
// page, and from there to the hot-spot chart: an SVG bar chart (no script, nothing the CSP
// refuses) whose bars are drawn and whose labels are the agencies' Chinese names, then the
// grounds' Chinese labels; the table beside it holds the same figures.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hot_spot_chart_is_reached_from_the_figures_page() {
    let Some(b) = driver::open().await else {
        return;
    };
    let t = spawn_demo(Backend::Sqlite).await.unwrap();
    b.staff_login(&t.base, "window").await;
    b.click("a[href='/complaints']").await;
    b.text_with("投诉统计").await;
    b.click("a[href='/complaints/figures']").await;
    let text = b.text_with("热点").await;
    assert!(text.contains("投诉统计"), "{text}");
    let _ = b.console_log().await;

    // By agency (from the figures page's own link).
    b.client
        .find(Locator::LinkText("被投诉单位"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let text = b.text_with("投诉上升的被投诉单位").await;
    assert!(text.contains("投诉上升的被投诉单位"), "{text}");
    let chart = b
        .client
        .find(Locator::Css("svg.hot-chart"))
        .await
        .unwrap_or_else(|_| panic!("no chart: {text}"));
    assert!(chart.is_displayed().await.unwrap());
    let title = texts(&b, "svg.hot-chart title#hot-title").await;
    assert_eq!(title.len(), 1);
    let labels = texts(&b, "svg.hot-chart g.hot-bar text[text-anchor=end]").await;
    assert!(!labels.is_empty(), "{text}");
    assert!(labels.iter().all(|l| is_chinese(l)), "{labels:?}");
    let (demo_agency,): (String,) = t
        .app
        .db
        .reader()
        .fetch_one(proofless_store::q(
            "SELECT o.name FROM complaints c JOIN orgs o ON o.id = c.agency_org_id ORDER BY c.id LIMIT 1",
        ))
        .await
        .unwrap();
    assert!(labels.contains(&demo_agency), "{demo_agency} in {labels:?}");
    // Drawn: the bars and the labels take up room in the rendered SVG.
    assert!(rendered_width(&b, "svg.hot-chart g.hot-bar rect[fill='#c0392b']").await > 0.0);
    assert!(rendered_width(&b, "svg.hot-chart g.hot-bar text[text-anchor=end]").await > 10.0);
    let table = texts(&b, "#hot-spot-table tbody td:first-child").await;
    assert_eq!(table, labels, "the table holds the chart's rows");

    // By ground: the grounds' Chinese labels.
    b.client
        .find(Locator::LinkText("事由"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let text = b.text_with("投诉上升的事由").await;
    assert!(text.contains("投诉上升的事由"), "{text}");
    let labels = texts(&b, "svg.hot-chart g.hot-bar text[text-anchor=end]").await;
    assert!(!labels.is_empty(), "{text}");
    let grounds: Vec<&str> = proofless_domain::complaint::Ground::ALL
        .iter()
        .map(|g| g.label())
        .collect();
    assert!(
        // A long label is shortened in the chart (the table keeps it whole).
        labels.iter().all(|l| grounds
            .iter()
            .any(|g| g.starts_with(l.trim_end_matches('…')))),
        "{labels:?} / {grounds:?}"
    );
    let blocked: Vec<String> = b
        .console_log()
        .await
        .into_iter()
        .filter(|m| m.contains("Content Security Policy"))
        .collect();
    assert!(blocked.is_empty(), "{blocked:?}");
    b.close().await;
}
