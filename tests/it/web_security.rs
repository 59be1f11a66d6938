//! Issue #16 items 3, 5 and 8 (metrics): security headers per class of response, CSRF on
//! the login forms, absolute links never taken from the Host header, /metrics not public.

use serde_json::Value;

use crate::common::{Backend, spawn, spawn_demo, spawn_with};

fn header(res: &reqwest::Response, name: &str) -> String {
    res.headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

/// The headers every response carries, whatever produced it.
fn assert_hardened(res: &reqwest::Response, what: &str) {
    let csp = header(res, "content-security-policy");
    for part in [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "frame-ancestors 'none'",
    ] {
        assert!(csp.contains(part), "{what}: CSP lacks {part}: {csp}");
    }
    assert!(
        !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
        "{what}: {csp}"
    );
    assert_eq!(header(res, "x-content-type-options"), "nosniff", "{what}");
    assert_eq!(header(res, "referrer-policy"), "same-origin", "{what}");
}

// Issue #16 item 3: one test per class of response.
async fn every_class_of_response_carries_the_security_headers(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let anon = t.client();
    // Public page: hardened, and not stored (it may be personalised once logged in).
    let res = anon.get("/proofs").await;
    assert_eq!(res.status(), 200);
    assert_hardened(&res, "public page");
    assert_eq!(header(&res, "cache-control"), "no-store");
    // Static asset: hardened, cacheable (the same bytes for everyone).
    let res = anon.get("/assets/htmx.min.js").await;
    assert_hardened(&res, "static asset");
    assert!(header(&res, "cache-control").starts_with("public"));
    let res = anon.get("/assets/app.js").await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        header(&res, "content-type"),
        "text/javascript; charset=utf-8"
    );
    // API JSON and API errors.
    let res = anon.get("/api/v1/public/search?q=hjzm").await;
    assert_eq!(res.status(), 200);
    assert_hardened(&res, "API JSON");
    assert_eq!(header(&res, "cache-control"), "no-store");
    let res = anon.get("/api/v1/auth/me").await;
    assert_hardened(&res, "API error");
    // Login page.
    let res = anon.get("/login").await;
    assert_hardened(&res, "login page");
    assert_eq!(header(&res, "cache-control"), "no-store");
    // Authenticated page and authenticated JSON: never stored.
    let staff = t.staff("joint").await;
    let res = staff.get("/workbench").await;
    assert_eq!(res.status(), 200);
    assert_hardened(&res, "authenticated page");
    assert_eq!(header(&res, "cache-control"), "no-store");
    let res = staff.get("/api/v1/auth/me").await;
    assert_eq!(header(&res, "cache-control"), "no-store");
    // No HSTS over plain HTTP: a browser would pin a site it cannot reach by https.
    assert!(header(&res, "strict-transport-security").is_empty());
}

// Issue #16 item 3: HSTS when the public base URL is https (TLS terminated in front).
async fn hsts_is_sent_when_the_site_is_served_over_tls(b: Backend) {
    let Some(t) = spawn_with(b, |c| {
        c.public_base_url = "https://wzm.gaoqing.example".to_owned();
    })
    .await
    else {
        return;
    };
    let res = t.client().get("/").await;
    assert!(header(&res, "strict-transport-security").starts_with("max-age=31536000"));
    let res = t.client().get("/assets/app.css").await;
    assert!(!header(&res, "strict-transport-security").is_empty());
}

// Issue #16 item 3: the Content-Security-Policy forbids inline script and inline style,
// so no template may carry any (it would silently stop working in the browser).
#[test]
fn templates_have_no_inline_script_handlers_or_styles() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/crates/web/templates");
    let mut wrong = vec![];
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let lower = text.to_lowercase();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        for (i, _) in lower.match_indices("<script") {
            let tag = &lower[i..i + lower[i..].find('>').unwrap_or(0)];
            if !tag.contains(" src=") {
                wrong.push(format!("{name}: inline <script>"));
            }
        }
        if lower.contains("<style") || lower.contains(" style=") {
            wrong.push(format!("{name}: inline style"));
        }
        if lower.contains("javascript:") || lower.contains("hx-on") {
            wrong.push(format!("{name}: script in an attribute"));
        }
        let handler = lower.split(|c: char| c.is_whitespace()).any(|w| {
            w.starts_with("on")
                && w.contains('=')
                && w[2..]
                    .split('=')
                    .next()
                    .is_some_and(|n| n.chars().all(|c| c.is_ascii_lowercase()) && !n.is_empty())
        });
        if handler {
            wrong.push(format!("{name}: on…= event handler"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

// Issue #16 item 3: a login form posted from another site (login CSRF) is refused; the
// form carries a pre-session token matching an HttpOnly SameSite=Strict cookie.
async fn login_forms_carry_a_pre_session_csrf_token(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let form = "application/x-www-form-urlencoded";
    let password = crate::common::DEMO_PASSWORD;
    for page in ["/login", "/portal/login"] {
        // Without the token (what a forged cross-site form sends): refused.
        let forged = t.client();
        let res = forged
            .post_raw(
                page,
                form,
                format!("login=joint&password={password}").into_bytes(),
            )
            .await;
        assert_eq!(res.status(), 403, "{page}");
        assert!(header(&res, "content-type").starts_with("application/problem+json"));
        // A token that does not match the visitor's cookie: refused.
        let c = t.client();
        let res = c.get(page).await;
        let cookie = header(&res, "set-cookie");
        assert!(cookie.starts_with("pl_csrf="), "{cookie}");
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
        let html = res.text().await.unwrap();
        assert!(html.contains("name=\"csrf\""), "{page} form has no token");
        let res = c
            .post_raw(
                page,
                form,
                format!("csrf={}&login=joint&password={password}", "0".repeat(32)).into_bytes(),
            )
            .await;
        assert_eq!(res.status(), 403, "{page}");
    }
    // With the page's token: the staff login goes through.
    let c = t.client();
    let tok = c.form_token("/login").await;
    let res = c
        .post_raw(
            "/login",
            form,
            format!("csrf={tok}&login=joint&password={password}").into_bytes(),
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(header(&res, "location"), "/workbench");
    // JSON logins need no form token: a cross-site page cannot send JSON without CORS.
    let res = t
        .client()
        .post_json(
            "/api/v1/auth/login",
            &serde_json::json!({"username": "joint", "password": password}),
        )
        .await;
    assert_eq!(res.status(), 200);
}

// Issue #16 item 5: `Host: attacker.example` used to end up in the feeds' ids and links.
async fn a_host_header_never_reaches_an_absolute_link(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let http = &t.client().http;
    for path in [
        "/feeds/exemptions.atom",
        "/feeds/exemptions.json",
        "/api/v1/openapi.json",
    ] {
        let body = http
            .get(format!("{}{path}", t.base))
            .header("host", "attacker.example")
            .header("x-forwarded-host", "attacker.example")
            .header("x-forwarded-proto", "https")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(!body.contains("attacker.example"), "{path}: {body}");
        assert!(body.contains(&t.base), "{path} has no link to {}", t.base);
    }
}

// Issue #16 item 8: /metrics on the public address is not open to anyone.
async fn metrics_need_the_scrape_token(b: Backend) {
    let Some(t) = spawn(b).await else { return };
    let res = t.client().get("/metrics").await;
    assert_eq!(
        res.status(),
        404,
        "no token configured: not served publicly"
    );
    let Some(t) = spawn_with(b, |c| c.metrics_token = Some("s3cret-scrape".to_owned())).await
    else {
        return;
    };
    let res = t.client().get("/metrics").await;
    assert_eq!(res.status(), 401);
    assert_eq!(header(&res, "www-authenticate"), "Bearer");
    let res = t.bearer("wrong-token!!").get("/metrics").await;
    assert_eq!(res.status(), 401);
    let res = t.bearer("s3cret-scrape").get("/metrics").await;
    assert_eq!(res.status(), 200);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("proofless_http_requests_total")
    );
}

// Issue #16 item 8: the internal listener serves metrics without a token, and nothing else.
#[tokio::test]
async fn the_internal_listener_serves_only_metrics() {
    let Some((app, _, _dir)) = crate::common::fresh_app(Backend::Sqlite).await else {
        return;
    };
    let state = proofless_web::AppState::new(app, proofless_web::WebConfig::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(proofless_web::serve_internal(
        listener,
        state,
        std::future::pending(),
    ));
    let res = reqwest::get(format!("{base}/metrics")).await.unwrap();
    assert_eq!(res.status(), 200);
    let res = reqwest::get(format!("{base}/api/v1/auth/me"))
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["status"], 404);
}

both_backends!(
    every_class_of_response_carries_the_security_headers,
    hsts_is_sent_when_the_site_is_served_over_tls,
    login_forms_carry_a_pre_session_csrf_token,
    a_host_header_never_reaches_an_absolute_link,
    metrics_need_the_scrape_token,
);
