//! Issue #21 §4–§5: the joint office opens the supervision dashboard from its workbench
//! (table, chart, reports; no console errors, so the chart and the page obey the CSP), draws a
//! 双随机 check with a seed it chose, sees seed, algorithm and pools on the draw's page, opens
//! an inspection and records a finding with its follow-up deadline.

use fantoccini::Locator;
use proofless_app::{Actor, staff};

use crate::common::{Backend, spawn_demo};
use crate::driver;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_and_a_random_check_from_the_workbench() {
    let Some(b) = driver::open().await else {
        return;
    };
    let t = spawn_demo(Backend::Sqlite).await.unwrap();
    for (i, unit) in ["县公安局", "县水利局", "县司法局"].iter().enumerate() {
        let o = t
            .app
            .db
            .reader()
            .scalar_i64(proofless_store::q("SELECT id FROM orgs WHERE name = ?").bind(*unit))
            .await
            .unwrap();
        staff::create(
            &t.app,
            &Actor::system("t"),
            o,
            staff::StaffInput {
                username: format!("ui_insp_{i}"),
                display_name: format!("核查员{i}"),
                phone: None,
                password: "Inspect0r-Pass-2026!".to_owned(),
                roles: vec!["inspector".to_owned()],
            },
        )
        .await
        .unwrap();
    }
    proofless_app::jobs::run_once(&t.app, "test").await.unwrap();

    b.staff_login(&t.base, "joint").await;
    b.click("a[href='/supervision']").await;
    let text = b.text_with("各单位").await;
    assert!(text.contains("监督考核") && text.contains("各月"), "{text}");
    assert!(text.contains("下载考核表"), "{text}");
    let chart = b
        .client
        .find(Locator::Css("figure.chart img"))
        .await
        .unwrap();
    assert!(
        chart
            .attr("src")
            .await
            .unwrap()
            .unwrap()
            .contains("/supervision/chart.svg")
    );
    let errors: Vec<String> = b
        .console_log()
        .await
        .into_iter()
        .filter(|l| l.contains("SEVERE") || l.contains("Content Security Policy"))
        .collect();
    assert!(errors.is_empty(), "{errors:?}");

    b.click("a[href='/supervision/checks']").await;
    b.text_with("双随机抽查").await;
    let seed = "3c".repeat(32);
    for (id, v) in [
        ("draw-title", "证明事项清单执行情况双随机抽查"),
        ("draw-units", "2"),
        ("draw-per", "1"),
        ("draw-seed", seed.as_str()),
    ] {
        let f = b.client.find(Locator::Id(id)).await.unwrap();
        f.clear().await.unwrap();
        f.send_keys(v).await.unwrap();
    }
    b.client
        .execute(
            "document.getElementById('draw-day').value = '2026-12-20';",
            vec![],
        )
        .await
        .unwrap();
    b.click("form[action='/supervision/draws'] button[type=submit]")
        .await;
    let text = b.text_with("如何复现").await;
    assert!(
        text.contains(&seed) && text.contains("SM3-CTR-FY-1"),
        "{text}"
    );
    b.click("ul li:first-child a").await;
    b.text_with("记录发现的问题").await;
    b.client
        .find(Locator::Id("finding-text"))
        .await
        .unwrap()
        .send_keys("窗口未张贴证明事项告知承诺制清单")
        .await
        .unwrap();
    b.click("form[action$='/finding'] button[type=submit]")
        .await;
    let text = b.text_with("待整改").await;
    assert!(text.contains("窗口未张贴"), "{text}");
    b.close().await;
}
