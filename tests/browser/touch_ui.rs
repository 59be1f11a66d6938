//! Issue #22 point 4, mobile first: at 375 × 812 every visible link, button, submit and list
//! box on the pages a citizen or clerk uses most — in page text, tables and cards, not only
//! in the navigation — is at least 44 × 44 CSS px (WCAG 2.5.5). No exemptions are taken:
//! links inside running sentences are enlarged too (app.css, h2's block).

use serde_json::Value;

use crate::common::{Backend, spawn_demo};
use crate::driver;

async fn js(b: &driver::Browser, script: &str) -> Value {
    b.client.execute(script, vec![]).await.unwrap()
}

/// The visible targets of the page smaller than 44 px in either dimension: (what, w × h).
/// Hidden ones (no box, `display:none`, `visibility:hidden`, off-screen skip links) do not
/// count: nobody can tap them.
const SMALL_TARGETS: &str = "var bad = [];\
 document.querySelectorAll('a[href], button, input[type=submit], select').forEach(function (e) {\
   var r = e.getBoundingClientRect(); var s = getComputedStyle(e);\
   if (r.width === 0 || r.height === 0 || s.visibility === 'hidden' || r.right <= 0 || r.bottom <= 0) return;\
   if (r.width < 44 || r.height < 44) bad.push((e.id ? '#' + e.id + ' ' : '') + e.tagName.toLowerCase() + ' “' + (e.textContent || e.value || '').trim().slice(0, 30) + '” ' + Math.round(r.width) + '×' + Math.round(r.height));\
 });\
 return bad;";

async fn small_targets(b: &driver::Browser, url: &str, needle: &str) -> Vec<String> {
    b.client.goto(url).await.unwrap();
    let text = b.text_with(needle).await;
    assert!(text.contains(needle), "{url}: {text}");
    let bad = js(b, SMALL_TARGETS).await;
    bad.as_array()
        .unwrap()
        .iter()
        .map(|v| format!("{url}: {}", v.as_str().unwrap_or_default()))
        .collect()
}

// issue #22 point 4: touch targets ≥ 44 px on narrow screens, on public, portal and staff
// pages.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_375_px_every_link_and_button_in_the_page_is_at_least_44_px() {
    let Some(b) = driver::open().await else {
        return;
    };
    let t = spawn_demo(Backend::Sqlite).await.unwrap();
    b.client.set_window_size(375, 812).await.unwrap();
    let width = js(&b, "return document.documentElement.clientWidth;").await;
    let (item,): (i64,) = t
        .app
        .db
        .reader()
        .fetch_one(
            proofless_store::q("SELECT id FROM proof_items WHERE name = ?")
                .bind("住所（经营场所）使用证明"),
        )
        .await
        .unwrap();
    let mut bad = Vec::new();
    // Public pages.
    b.client.delete_all_cookies().await.unwrap();
    let base = &t.base;
    bad.extend(small_targets(&b, &format!("{base}/"), "免提交清单").await);
    bad.extend(small_targets(&b, &format!("{base}/proofs?q=住所"), "住所").await);
    bad.extend(small_targets(&b, &format!("{base}/proofs/items/{item}"), "住所").await);
    b.client
        .goto(&format!("{base}/proofs/versions"))
        .await
        .unwrap();
    let list = js(
        &b,
        "var a = document.querySelector('a[href^=\"/proofs/versions/\"]'); return a ? a.getAttribute('href') : null;",
    )
    .await;
    let list = format!("{base}{}", list.as_str().expect("a published list"));
    // Below 600 px the list is cards: no table header, the title names it.
    bad.extend(small_targets(&b, &list, "免提交清单").await);
    // The portal.
    b.log_in(&format!("{base}/portal/login"), "370322199001011238")
        .await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    bad.extend(small_targets(&b, &format!("{base}/portal"), "退出").await);
    // Staff: the workbench and the verification inbox.
    b.staff_login(base, "ga_clerk").await;
    bad.extend(small_targets(&b, &format!("{base}/workbench"), "工作台").await);
    bad.extend(small_targets(&b, &format!("{base}/verifications"), "核验").await);
    b.close().await;
    assert!(
        bad.is_empty(),
        "viewport {width}px; targets under 44 × 44 px:\n{}",
        bad.join("\n")
    );
}
