//! Issue #22 §4 and §5 in a real browser: the 长辈版 switch enlarges the page and is
//! remembered after a reload; at 375 px the published list reads as cards, without
//! sideways scrolling, with touch targets of at least 44 px.

use serde_json::Value;

use crate::common::{Backend, spawn_demo};
use crate::driver;

async fn js(b: &driver::Browser, script: &str) -> Value {
    b.client.execute(script, vec![]).await.unwrap()
}

async fn root_font_px(b: &driver::Browser) -> f64 {
    js(
        b,
        "return parseFloat(getComputedStyle(document.documentElement).fontSize);",
    )
    .await
    .as_f64()
    .unwrap()
}

async fn is_large(b: &driver::Browser) -> bool {
    js(
        b,
        "return document.documentElement.classList.contains('large');",
    )
    .await
    .as_bool()
    .unwrap()
}

/// The published list in force, as linked from the versions page.
async fn published_list(b: &driver::Browser, base: &str) -> String {
    b.client
        .goto(&format!("{base}/proofs/versions"))
        .await
        .unwrap();
    let href = js(
        b,
        "var a = document.querySelector('a[href^=\"/proofs/versions/\"]'); return a ? a.getAttribute('href') : null;",
    )
    .await;
    format!("{base}{}", href.as_str().expect("a published version"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_large_text_switch_enlarges_the_page_and_is_remembered_after_reload() {
    let Some(b) = driver::open().await else {
        return;
    };
    let t = spawn_demo(Backend::Sqlite).await.unwrap();
    b.client.goto(&format!("{}/proofs", t.base)).await.unwrap();
    let normal = root_font_px(&b).await;
    assert!(!is_large(&b).await);
    let button_before = js(
        &b,
        "return document.querySelector('#text-size').getBoundingClientRect().height;",
    )
    .await
    .as_f64()
    .unwrap();

    // One press: larger at once (script), no navigation.
    b.click("#text-size").await;
    assert!(is_large(&b).await, "large after the press");
    let large = root_font_px(&b).await;
    assert!(large >= normal * 1.2, "text {normal}px → {large}px");
    let pressed = js(
        &b,
        "return document.querySelector('#text-size').getAttribute('aria-pressed');",
    )
    .await;
    assert_eq!(pressed, "true");
    let main_width = js(
        &b,
        "return document.querySelector('main').getBoundingClientRect().width;",
    )
    .await
    .as_f64()
    .unwrap();
    assert!(
        main_width <= 48.0 * large + 1.0,
        "one narrow column: {main_width}px"
    );

    // Remembered: after a reload, and on another page, without any flash of small text
    // (the server renders the class from the cookie).
    b.client.refresh().await.unwrap();
    assert!(is_large(&b).await, "still large after reload");
    b.client.goto(&format!("{}/", t.base)).await.unwrap();
    assert!(is_large(&b).await, "large on the home page too");
    let stored = js(&b, "return localStorage.getItem('pl_text');").await;
    assert_eq!(stored, "large");
    let button_after = js(
        &b,
        "return document.querySelector('#text-size').getBoundingClientRect().height;",
    )
    .await
    .as_f64()
    .unwrap();
    assert!(
        button_after > button_before,
        "bigger targets: {button_before} → {button_after}"
    );

    // And off again, also remembered.
    b.click("#text-size").await;
    assert!(!is_large(&b).await);
    b.client.refresh().await.unwrap();
    assert!(!is_large(&b).await, "standard after reload");
    assert_eq!(root_font_px(&b).await, normal);
    assert!(
        b.console_log()
            .await
            .iter()
            .all(|m| !m.contains("Content Security Policy"))
    );
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_375_px_the_published_list_is_cards_without_sideways_scrolling() {
    let Some(b) = driver::open().await else {
        return;
    };
    let t = spawn_demo(Backend::Sqlite).await.unwrap();
    b.client.set_window_size(375, 812).await.unwrap();
    let list = published_list(&b, &t.base).await;
    for large in [false, true] {
        b.client.goto(&list).await.unwrap();
        if large {
            b.click("#text-size").await;
        }
        let width = js(&b, "return document.documentElement.clientWidth;")
            .await
            .as_f64()
            .unwrap();
        assert!(width <= 400.0, "a phone-sized viewport: {width}px");
        let overflow = js(
            &b,
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth;",
        )
        .await
        .as_f64()
        .unwrap();
        assert!(
            overflow <= 0.0,
            "large={large}: {overflow}px of sideways scrolling"
        );
        let card = js(
            &b,
            "var td = document.querySelector('table.cards-sm tbody td[data-label=\"证明名称\"]');\
             return {row: getComputedStyle(td.parentElement).display, cell: getComputedStyle(td).display,\
                     label: getComputedStyle(td, '::before').content,\
                     head: document.querySelector('table.cards-sm thead').getBoundingClientRect().height};",
        )
        .await;
        assert_eq!(card["row"], "block", "large={large}: {card}");
        assert_eq!(card["cell"], "block", "{card}");
        assert_eq!(
            card["label"], "\"证明名称\"",
            "each value shows its column: {card}"
        );
        assert!(
            card["head"].as_f64().unwrap() <= 1.0,
            "header row hidden: {card}"
        );
        // Touch targets: the switch, the header links, the footer links.
        let small = js(
            &b,
            "var bad = []; document.querySelectorAll('header.top a, header.top button, nav.main a, footer.site nav a').forEach(function (e) {\
               var r = e.getBoundingClientRect(); if (r.height < 44 || r.width < 24) bad.push(e.textContent + ' ' + r.width + 'x' + r.height); });\
             return bad;",
        )
        .await;
        assert_eq!(
            small,
            serde_json::json!([]),
            "large={large}: targets under 44 px"
        );
    }
    // Back to the standard layout for the home page check.
    b.click("#text-size").await;
    b.client.goto(&format!("{}/", t.base)).await.unwrap();
    let overflow = js(
        &b,
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth;",
    )
    .await
    .as_f64()
    .unwrap();
    assert!(
        overflow <= 0.0,
        "home page: {overflow}px of sideways scrolling"
    );
    b.close().await;
}
