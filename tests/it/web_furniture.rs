//! Issue #22 §4, §5, §7, §8: the site's furniture. Compressed responses, versioned
//! static assets cached for a year, the favicon, the footer on every kind of page, meta
//! descriptions, htmx only where a page uses it, the large-text switch without script, the
//! published list's cards, and `/healthz` naming the database and the jobs runner.

use serde_json::Value;

use crate::common::{Backend, Client, TestApp, spawn, spawn_demo};

fn header(r: &reqwest::Response, name: &str) -> String {
    r.headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

async fn get_with(c: &Client, path: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut rb = c.http.get(c.url(path));
    for (k, v) in headers {
        rb = rb.header(*k, *v);
    }
    rb.send().await.unwrap()
}

/// The `href`/`src` in `html` that starts with `prefix` (e.g. the stylesheet's URL).
fn link_starting(html: &str, prefix: &str) -> Option<String> {
    let at = html.find(prefix)?;
    let rest = &html[at..];
    Some(rest[..rest.find('"')?].to_owned())
}

/// The published list in force (the first version on `/proofs/versions`).
async fn published_list_path(c: &Client) -> String {
    let html = c.get("/proofs/versions").await.text().await.unwrap();
    let at = html
        .find("href=\"/proofs/versions/")
        .expect("a published version is listed");
    let rest = &html[at + "href=\"".len()..];
    rest[..rest.find('"').unwrap()].to_owned()
}

async fn portal(t: &TestApp) -> Client {
    let mut c = t.client();
    let r = c
        .post_json(
            "/api/v1/portal/login",
            &serde_json::json!({"resident_id": "370322199001011238", "password": crate::common::DEMO_PASSWORD}),
        )
        .await;
    assert_eq!(r.status(), 200, "portal login");
    c.csrf = r.json::<Value>().await.unwrap()["csrf_token"]
        .as_str()
        .unwrap()
        .to_owned();
    c
}

// Issue #22 §7: gzip and br as the client asks; nothing compressed for a client that
// did not ask, nor for a request another site started (BREACH).
async fn responses_are_compressed_as_the_client_asks(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let c = t.client();
    let plain = c.get("/proofs").await;
    assert_eq!(header(&plain, "content-encoding"), "");
    let plain_len = plain.bytes().await.unwrap().len();
    for (asked, got) in [("br", "br"), ("gzip", "gzip"), ("gzip, deflate, br", "br")] {
        let r = get_with(&c, "/proofs", &[("accept-encoding", asked)]).await;
        assert_eq!(r.status(), 200);
        assert_eq!(header(&r, "content-encoding"), got, "asked {asked}");
        assert!(
            header(&r, "vary")
                .to_lowercase()
                .contains("accept-encoding")
        );
        let len = r.bytes().await.unwrap().len();
        assert!(len * 2 < plain_len, "{got}: {len} of {plain_len} bytes");
    }
    // The API and the stylesheet too.
    let r = get_with(
        &c,
        "/api/v1/public/search?q=hjzm",
        &[("accept-encoding", "gzip")],
    )
    .await;
    assert_eq!(header(&r, "content-encoding"), "gzip");
    let r = get_with(
        &c,
        "/proofs?q=%E6%88%B7%E7%B1%8D",
        &[("accept-encoding", "br"), ("sec-fetch-site", "cross-site")],
    )
    .await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        header(&r, "content-encoding"),
        "",
        "cross-site: uncompressed"
    );
}

// Issue #22 §7: pages link the static assets by a content hash; such a URL is cached for
// a year as immutable; the plain name still answers, briefly cached; a wrong hash is 404.
async fn versioned_assets_are_cached_for_a_year(b: Backend) {
    let Some(t) = spawn(b).await else { return };
    let c = t.client();
    let html = c.get("/").await.text().await.unwrap();
    let css = link_starting(&html, "/assets/app.").expect("stylesheet linked");
    assert!(
        css.ends_with(".css") && css.len() > "/assets/app..css".len() + 8,
        "{css}"
    );
    let js: Vec<String> = html
        .match_indices("/assets/app.")
        .map(|(i, _)| html[i..i + html[i..].find('"').unwrap()].to_owned())
        .filter(|u| u.ends_with(".js"))
        .collect();
    assert_eq!(js.len(), 1, "app.js linked once by a versioned name");
    for url in [&css, &js[0]] {
        let r = get_with(&c, url, &[("accept-encoding", "gzip")]).await;
        assert_eq!(r.status(), 200, "{url}");
        assert_eq!(
            header(&r, "cache-control"),
            "public, max-age=31536000, immutable",
            "{url}"
        );
        assert_eq!(header(&r, "content-encoding"), "gzip", "{url}");
    }
    let r = c.get("/assets/app.css").await;
    assert_eq!(r.status(), 200);
    assert_eq!(header(&r, "cache-control"), "public, max-age=3600");
    assert_eq!(c.get("/assets/app.0000000000.css").await.status(), 404);
    // Logged in, the versioned assets stay cacheable (the same bytes for everyone).
    let staff = t.client();
    let r = get_with(&staff, &css, &[("cookie", "pl_session=whatever")]).await;
    assert_eq!(
        header(&r, "cache-control"),
        "public, max-age=31536000, immutable"
    );
}

// Issue #22 §7: the favicon, as SVG and as ICO, linked from every page.
async fn the_favicon_is_served(b: Backend) {
    let Some(t) = spawn(b).await else { return };
    let c = t.client();
    let html = c.get("/").await.text().await.unwrap();
    assert!(html.contains("<link rel=\"icon\" href=\"/favicon.ico\""));
    let svg_url = link_starting(&html, "/assets/favicon.").expect("svg favicon linked");
    let r = c.get(&svg_url).await;
    assert_eq!(header(&r, "content-type"), "image/svg+xml");
    assert!(r.text().await.unwrap().starts_with("<svg"));
    let r = c.get("/favicon.svg").await;
    assert_eq!(r.status(), 200);
    assert_eq!(header(&r, "content-type"), "image/svg+xml");
    let r = c.get("/favicon.ico").await;
    assert_eq!(r.status(), 200);
    assert_eq!(header(&r, "content-type"), "image/x-icon");
    assert!(header(&r, "cache-control").starts_with("public"));
    let ico = r.bytes().await.unwrap();
    assert_eq!(&ico[..4], &[0, 0, 1, 0], "an ICO header");
}

// Issue #22 §8: /healthz names the database and the jobs runner, each with its state.
async fn healthz_reports_the_database_and_the_jobs_runner(b: Backend) {
    let Some(t) = spawn(b).await else { return };
    let c = t.client();
    let h: Value = c.json("/healthz").await;
    assert_eq!(h["status"], "ok", "{h}");
    assert_eq!(h["database"]["state"], "ok");
    assert!(h["database"]["latency_ms"].is_u64());
    // The test server starts no runner.
    assert_eq!(h["jobs"]["state"], "not_running", "{h}");
    assert_eq!(h["jobs"]["due"], 0);
    assert_eq!(h["jobs"]["failed"], 0);
    // Once a runner is started here it reports its passes.
    proofless_app::jobs::spawn(
        t.app.clone(),
        "healthz-test".to_owned(),
        std::time::Duration::from_secs(3600),
    );
    let mut state = Value::Null;
    for _ in 0..100 {
        let h: Value = c.json("/healthz").await;
        state = h["jobs"]["state"].clone();
        if state == "running" {
            assert!(h["jobs"]["last_pass_at"].is_string(), "{h}");
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(state, "running");
    // A runner silent for more than three intervals is reported, the site still answers.
    t.clock.advance(chrono::Duration::hours(4));
    let r = c.get("/healthz").await;
    assert_eq!(r.status(), 200);
    let h: Value = r.json().await.unwrap();
    assert_eq!(h["status"], "degraded", "{h}");
    assert_eq!(h["jobs"]["state"], "stalled");
}

// Issue #22 §7: the footer (publisher, contact, complaint channels, accessibility
// statement, API documentation) on public, portal and staff pages, and on the 404 page.
async fn every_page_has_the_footer(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let anon = t.client();
    let citizen = portal(&t).await;
    let staff = t.staff("ga_liaison").await;
    let list = published_list_path(&anon).await;
    let pages: Vec<(&Client, String)> = vec![
        (&anon, "/".to_owned()),
        (&anon, "/proofs".to_owned()),
        (&anon, list.clone()),
        (&anon, "/complaints/channels".to_owned()),
        (&anon, "/accessibility".to_owned()),
        (&anon, "/login".to_owned()),
        (&citizen, "/portal".to_owned()),
        (&staff, "/workbench".to_owned()),
        (&staff, "/verifications".to_owned()),
    ];
    for (c, path) in pages {
        let html = c.get(&path).await.text().await.unwrap();
        for needle in [
            "主办：高青县“无证明城市”建设工作联席会议办公室",
            "0533-6966315",
            "href=\"/complaints/channels\"",
            "href=\"/accessibility\"",
            "href=\"/api/v1/openapi.json\"",
            "<form class=\"text-size\"",
        ] {
            assert!(html.contains(needle), "{path} lacks {needle}");
        }
    }
    // The page a browser gets for an unknown address too.
    let html = get_with(&anon, "/no-such-page", &[("accept", "text/html")])
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("页面不存在") && html.contains("href=\"/accessibility\""));
    let html = anon.get("/accessibility").await.text().await.unwrap();
    assert!(html.contains("无障碍与适老化声明") && html.contains("长辈版"));
    assert!(html.contains("GB/T 37668"));
}

// Issue #22 §7: public pages describe themselves; htmx is loaded only by the page whose
// form uses it, and every template with hx- attributes includes it.
async fn meta_descriptions_and_htmx_only_where_used(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let c = t.client();
    let mut seen = std::collections::HashSet::new();
    for path in [
        "/",
        "/proofs",
        "/proofs/versions",
        "/complaints/channels",
        "/accessibility",
    ] {
        let html = c.get(path).await.text().await.unwrap();
        let prefix = "<meta name=\"description\" content=\"";
        let at = html
            .find(prefix)
            .unwrap_or_else(|| panic!("{path}: no description"));
        let rest = &html[at + prefix.len()..];
        let d = rest[..rest.find('"').unwrap()].to_owned();
        assert!(d.chars().count() >= 20, "{path}: {d}");
        assert!(seen.insert(d), "{path}: description repeats another page's");
        let has_htmx = html.contains("/assets/htmx.min.");
        assert_eq!(
            has_htmx,
            path == "/proofs",
            "{path}: htmx loaded {has_htmx}"
        );
    }
}

#[test]
fn templates_with_htmx_attributes_load_htmx() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/crates/web/templates");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        let uses = ["hx-get", "hx-post", "hx-trigger", "hx-target"]
            .iter()
            .any(|a| text.contains(a));
        if uses && text.contains("{% extends \"base.html\" %}") {
            assert!(
                text.contains("{% include \"_htmx.html\" %}"),
                "{name} uses htmx but does not load it"
            );
        }
    }
    let base = std::fs::read_to_string(format!("{dir}/base.html")).unwrap();
    assert!(
        !base.contains("htmx.min"),
        "base.html loads htmx on every page"
    );
}

// Issue #22 §5: without script the 长辈版 switch is a GET form: it sets a cookie for a
// year and goes back; the next page arrives large. Only local paths are gone back to.
async fn the_large_text_switch_works_without_script(b: Backend) {
    let Some(t) = spawn(b).await else { return };
    let c = t.client();
    let html = c.get("/proofs?q=%E6%88%B7").await.text().await.unwrap();
    assert!(html.contains("<html lang=\"zh-CN\">"));
    assert!(html.contains("aria-pressed=\"false\""));
    assert!(
        html.contains("name=\"back\" value=\"/proofs?q=%E6%88%B7\""),
        "back to the page"
    );
    let r = c
        .get("/text-size?large=1&back=%2Fproofs%3Fq%3D%25E6%2588%25B7")
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(header(&r, "location"), "/proofs?q=%E6%88%B7");
    let cookie = header(&r, "set-cookie");
    assert!(
        cookie.starts_with("pl_text=large;") && cookie.contains("Max-Age=31536000"),
        "{cookie}"
    );
    let html = c.get("/proofs").await.text().await.unwrap();
    assert!(
        html.contains("<html lang=\"zh-CN\" class=\"large\">"),
        "remembered"
    );
    assert!(html.contains("aria-pressed=\"true\""));
    assert!(
        html.contains("name=\"large\" value=\"0\""),
        "the switch now turns it off"
    );
    // Off again.
    let r = c.get("/text-size?large=0&back=/").await;
    assert!(header(&r, "set-cookie").contains("Max-Age=0"));
    let html = c.get("/").await.text().await.unwrap();
    assert!(html.contains("<html lang=\"zh-CN\">"));
    // Never to another site.
    for evil in [
        "//evil.example/",
        "https://evil.example/",
        "/%5Cevil.example",
    ] {
        let r = c.get(&format!("/text-size?large=1&back={evil}")).await;
        assert_eq!(header(&r, "location"), "/", "{evil}");
    }
}

// Issue #22 §4: the published list, the inboxes, the board and the access log label every
// cell with its column, so below 600 px each row reads as a card.
async fn list_tables_label_their_cells_for_the_card_layout(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let anon = t.client();
    let list = published_list_path(&anon).await;
    let html = anon.get(&list).await.text().await.unwrap();
    assert!(html.contains("<table class=\"cards-sm\">"), "{list}");
    for label in [
        "证明名称",
        "涉及事项",
        "设定依据",
        "开具单位",
        "替代取消方式",
    ] {
        assert!(html.contains(&format!("data-label=\"{label}\"")), "{label}");
    }
    let liaison = t.staff("ga_liaison").await;
    for path in ["/verifications?box=inbox", "/verifications?box=outbox"] {
        let html = liaison.get(path).await.text().await.unwrap();
        assert!(html.contains("class=\"cards-sm\""), "{path}");
    }
    let joint = t.staff("joint").await;
    let html = joint
        .get("/verifications/board")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(
        html.matches("class=\"cards-sm\"").count(),
        4,
        "board tables"
    );
    assert!(html.contains("data-label=\"开具单位\""));
    let citizen = portal(&t).await;
    let html = citizen.get("/portal").await.text().await.unwrap();
    if html.contains("<th>查阅人</th>") {
        assert!(html.contains("data-label=\"查阅人\""));
    }
    // The stylesheet turns them into cards below 600 px (37.5em) and in 长辈版.
    let css = anon.get("/assets/app.css").await.text().await.unwrap();
    assert!(css.contains("@media (max-width:37.5em){\n  table.cards-sm"));
    assert!(css.contains("td[data-label]::before{content:attr(data-label)"));
    assert!(css.contains("html.large{font-size:125%"));
    assert!(
        css.contains("font-size:100%"),
        "rem-based: the browser's text size applies"
    );
}

both_backends!(
    responses_are_compressed_as_the_client_asks,
    versioned_assets_are_cached_for_a_year,
    the_favicon_is_served,
    healthz_reports_the_database_and_the_jobs_runner,
    every_page_has_the_footer,
    meta_descriptions_and_htmx_only_where_used,
    the_large_text_switch_works_without_script,
    list_tables_label_their_cells_for_the_card_layout,
);
