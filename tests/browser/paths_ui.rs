//! Issue #22 §2 "no dead ends", walked in Chromium: a search that finds nothing explains
//! the rule, suggests and links the complaint channels; everyday words find their items
//! through the joint office's synonym table, the instant search keeps the address and
//! `← 返回查询` the query; the joint office maintains the table from its workbench; the
//! workbench's cards and overdue lines open the work itself; a deep link survives login;
//! the home page links the current list.

use std::time::Duration;

use fantoccini::Locator;
use proofless_store::q;

use crate::common::{Backend, spawn_demo};
use crate::driver;

async fn type_into(b: &driver::Browser, id: &str, text: &str) {
    let e = b.client.find(Locator::Id(id)).await.unwrap();
    e.clear().await.unwrap();
    e.send_keys(text).await.unwrap();
}

/// The results region's text once it contains `needle` (the instant search swaps it in).
async fn results_with(b: &driver::Browser, needle: &str) -> String {
    let mut text = String::new();
    for _ in 0..100 {
        if let Ok(e) = b.client.find(Locator::Id("results")).await {
            text = e.text().await.unwrap_or_default();
            if text.contains(needle) {
                return text;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    text
}

async fn current_url(b: &driver::Browser) -> url::Url {
    b.client.current_url().await.unwrap()
}

fn query_of(u: &url::Url) -> String {
    u.query_pairs()
        .find(|(k, _)| k == "q")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

// Issue #22 §2; 优化营商环境条例 §44 and P 三(一)1: what is not on the list may not be demanded.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_search_that_finds_nothing_says_so_suggests_and_links_the_channels() {
    let Some(b) = driver::open().await else {
        return;
    };
    let t = spawn_demo(Backend::Sqlite).await.unwrap();
    b.client
        .goto(&format!("{}/proofs?q=火星户口证明", t.base))
        .await
        .unwrap();
    let text = b.text_with("不在清单里的证明").await;
    assert!(
        text.contains("不在清单里的证明，任何单位都不得要求您提供")
            && text.contains("《优化营商环境条例》第四十四条")
            && text.contains("三(一)1"),
        "{text}"
    );
    // The synonym the query holds, and near items.
    assert!(text.contains("您可能要找：户籍证明"), "{text}");
    let near = b
        .client
        .find_all(Locator::Css("ul.suggestions a"))
        .await
        .unwrap();
    assert!(!near.is_empty(), "{text}");
    b.click("#no-results a.suggest").await;
    let text = b.text_with("户籍证明（户口簿").await;
    assert!(text.contains("户籍证明（户口簿"), "{text}");
    // The complaint channels, one tap away.
    b.client.back().await.unwrap();
    b.text_with("不在清单里的证明").await;
    b.click("#complaint-channels").await;
    let text = b.text_with("12345").await;
    assert!(
        current_url(&b).await.path() == "/complaints/channels" && text.contains("12345"),
        "{text}"
    );
    b.close().await;
}

// Issue #22 §2: everyday words find the right items through the synonym table; the instant
// search writes the query into the address (no inline script: app.js); an item's
// `← 返回查询` comes back to the same query.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn everyday_words_find_their_items_and_the_query_is_kept() {
    let Some(b) = driver::open().await else {
        return;
    };
    let t = spawn_demo(Backend::Sqlite).await.unwrap();
    b.client.goto(&format!("{}/proofs", t.base)).await.unwrap();
    for (word, finds) in [
        ("户口证明", "户籍证明（户口簿"),
        ("无犯罪证明", "无犯罪记录证明"),
        ("户口本", "户口簿"),
        ("营业执照", "住所（经营场所）使用证明"),
        ("开公司", "住所（经营场所）使用证明"),
    ] {
        type_into(&b, "q", word).await;
        let text = results_with(&b, finds).await;
        assert!(text.contains(finds), "{word}: {text}");
        assert!(!text.contains("不在清单里的证明"), "{word}: {text}");
        // The address follows the typing.
        let mut u = current_url(&b).await;
        for _ in 0..30 {
            if query_of(&u) == word {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
            u = current_url(&b).await;
        }
        assert_eq!((u.path(), query_of(&u).as_str()), ("/proofs", word));
    }
    // Open an item of the last search and come back to it.
    b.click("#results ul.results h2 a").await;
    b.text_with("返回查询").await;
    assert_eq!(query_of(&current_url(&b).await), "开公司");
    b.click("#back-to-search").await;
    let text = b.text_with("住所（经营场所）使用证明").await;
    let u = current_url(&b).await;
    assert_eq!(
        (u.path(), query_of(&u).as_str()),
        ("/proofs", "开公司"),
        "{text}"
    );
    let value = b
        .client
        .find(Locator::Id("q"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(value.as_deref(), Some("开公司"));
    // No inline script was refused on the way (CSP).
    let log = b.console_log().await;
    assert!(
        !log.iter().any(|m| m.contains("Content Security Policy")),
        "{log:?}"
    );
    b.close().await;
}

// Issue #22 §2: the joint office maintains the table from its workbench; errors in Chinese
// next to the field; every change audited; the search follows at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_joint_office_adds_and_removes_synonyms_from_its_workbench() {
    let Some(b) = driver::open().await else {
        return;
    };
    let t = spawn_demo(Backend::Sqlite).await.unwrap();
    b.staff_login(&t.base, "joint").await;
    b.client
        .find(Locator::XPath("//div[h2[contains(., '搜索同义词表')]]/a"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let text = b.text_with("添加同义词").await;
    assert!(text.contains("户口本") && text.contains("户口簿"), "{text}");
    let add = |term: &'static str, canonical: &'static str| {
        let b = &b;
        async move {
            type_into(b, "term", term).await;
            type_into(b, "canonical", canonical).await;
            b.click("#synonym-form button[type=submit]").await;
        }
    };
    for (term, canonical, field, message) in [
        ("", "临时身份证明", "term-err", "请填写群众常用说法"),
        (
            "身份证丢了身份证丢了身份证丢了身份证丢了身份证丢了身份证丢了身份证丢了",
            "临时身份证明",
            "term-err",
            "群众常用说法过长",
        ),
        (
            "临时身份证明",
            "临时身份证明",
            "canonical-err",
            "不能作为同义词",
        ),
        ("户口本", "户口簿", "term-err", "已在同义词表中"),
    ] {
        add(term, canonical).await;
        let err = b
            .client
            .wait()
            .for_element(Locator::Id(field))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(err.contains(message), "{term}/{canonical}: {err}");
    }
    add("身份证丢了", "临时身份证明").await;
    let text = b.text_with("已添加").await;
    assert!(text.contains("已添加：搜索“身份证丢了”"), "{text}");

    // The public search finds the item by the new word at once.
    let anon = t.client();
    let page = anon.get("/proofs?q=身份证丢了").await.text().await.unwrap();
    assert!(
        page.contains("临时身份证明") && !page.contains("no-results"),
        "{page}"
    );

    // Removed: the word finds nothing again.
    b.click("button[aria-label='删除 身份证丢了 → 临时身份证明']")
        .await;
    let text = b.text_with("已删除").await;
    assert!(!text.contains("身份证丢了 临时身份证明"), "{text}");
    let page = anon.get("/proofs?q=身份证丢了").await.text().await.unwrap();
    assert!(page.contains("no-results"), "{page}");
    let (audited,): (i64,) = t
        .app
        .db
        .reader()
        .fetch_one(
            q("SELECT COUNT(*) FROM audit_log WHERE action IN ('catalogue.synonym.add', 'catalogue.synonym.remove') AND object_id = ?")
                .bind("身份证丢了"),
        )
        .await
        .unwrap();
    assert_eq!(audited, 2);
    b.close().await;
}

// Issue #22 §2: the 部门核验 card counts the new requests and opens them; an overdue line
// opens the request itself, not the deadline's record; a deep link survives login.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cards_and_overdue_lines_open_the_work_and_deep_links_survive_login() {
    let Some(b) = driver::open().await else {
        return;
    };
    let t = spawn_demo(Backend::Sqlite).await.unwrap();
    // Deep link first: the inbox's new requests, asked for before logging in.
    let wanted = format!("{}/verifications?box=inbox&filter=registered", t.base);
    b.client.delete_all_cookies().await.unwrap();
    b.client.goto(&wanted).await.unwrap();
    b.text_with("工作人员登录").await;
    assert_eq!(current_url(&b).await.path(), "/login");
    for (id, text) in [
        ("login", "sj_liaison"),
        ("password", crate::common::DEMO_PASSWORD),
    ] {
        b.client
            .find(Locator::Id(id))
            .await
            .unwrap()
            .send_keys(text)
            .await
            .unwrap();
    }
    b.click("main form button[type=submit]").await;
    b.client
        .wait()
        .for_url(url::Url::parse(&wanted).unwrap())
        .await
        .unwrap();

    // The workbench card shows the count and leads to the same list.
    b.client
        .goto(&format!("{}/workbench", t.base))
        .await
        .unwrap();
    b.text_with("部门核验").await;
    let badge = b
        .client
        .find(Locator::XPath(
            "//div[h2[contains(., '部门核验')]]//span[@data-count]",
        ))
        .await
        .unwrap();
    let n: i64 = badge
        .attr("data-count")
        .await
        .unwrap()
        .unwrap()
        .parse()
        .unwrap();
    b.client
        .find(Locator::XPath("//div[h2[contains(., '部门核验')]]/a"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.text_with("收件箱").await;
    let u = current_url(&b).await;
    assert_eq!(u.path(), "/verifications");
    let rows = b
        .client
        .find_all(Locator::XPath("//table/tbody/tr[not(td[@colspan])]"))
        .await
        .unwrap();
    assert_eq!(rows.len() as i64, n, "the card's count is the list's");

    // Every 逾期 line of the joint office's workbench opens the matter, never /deadlines/.
    b.staff_login(&t.base, "joint").await;
    let lines = b
        .client
        .find_all(Locator::Css("#due-section .notice a"))
        .await
        .unwrap();
    let mut hrefs = vec![];
    for l in &lines {
        hrefs.push(l.attr("href").await.unwrap().unwrap_or_default());
    }
    assert!(!hrefs.is_empty(), "the demo has overdue or due-soon work");
    assert!(
        hrefs.iter().all(|h| !h.starts_with("/deadlines/")),
        "{hrefs:?}"
    );
    b.click("#due-section .notice a").await;
    let text = b.text().await;
    assert!(
        !text.contains("未找到") && !text.contains("无权访问"),
        "{text}"
    );
    b.close().await;
}

// Issue #22 §2: the home page links the current list in one tap; the API documentation is
// no longer among the citizens' cards.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_home_page_links_the_current_list() {
    let Some(b) = driver::open().await else {
        return;
    };
    let t = spawn_demo(Backend::Sqlite).await.unwrap();
    b.client.goto(&format!("{}/", t.base)).await.unwrap();
    let cards = b
        .client
        .find(Locator::Css("main .cards"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!cards.contains("接口文档"), "{cards}");
    b.click("#current-list").await;
    let text = b.text_with("当前清单共").await;
    assert!(text.contains("当前清单共"), "{text}");
    b.close().await;
}
