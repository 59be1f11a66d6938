//! Issue #16 item 3 with item 9: a sealed commitment letter and its public verification
//! page display under the Content-Security-Policy, and its PDF is served to the page, with
//! no violation in the browser's console, now that sealed bodies and letters are encrypted
//! at rest.

use fantoccini::Locator;
use proofless_app::cases::{self, NewCase};
use proofless_app::{Actor, ActorKind};
use proofless_domain::role::Role;
use proofless_store::q;

use crate::common::{Backend, TestApp, spawn_demo};
use crate::driver::{self, Browser};

const ZHANG: &str = "370322199001011238";
const RESIDENCE: &str = "住所（经营场所）使用证明";

async fn id(t: &TestApp, sql: &str, arg: &str) -> i64 {
    let (id,): (i64,) = t.app.db.reader().fetch_one(q(sql).bind(arg)).await.unwrap();
    id
}

async fn new_case(t: &TestApp) -> i64 {
    let org = id(t, "SELECT id FROM orgs WHERE name = ?", "县行政审批服务局").await;
    let rid = proofless_domain::codes::ResidentId::parse(ZHANG).unwrap();
    let person = proofless_app::applicants::person_id_by_resident_id(&t.app, &rid)
        .await
        .unwrap()
        .unwrap();
    let code = id(
        t,
        "SELECT s.id FROM service_items s JOIN proof_item_services ps ON ps.service_item_id = s.id \
         JOIN proof_items p ON p.id = ps.proof_item_id WHERE p.name = ? ORDER BY s.id LIMIT 1",
        RESIDENCE,
    )
    .await;
    let (code,): (String,) = t
        .app
        .db
        .reader()
        .fetch_one(q("SELECT code FROM service_items WHERE id = ?").bind(code))
        .await
        .unwrap();
    let clerk = Actor {
        kind: ActorKind::Staff,
        id: None,
        name: "窗口".into(),
        org_id: Some(org),
        org_name: None,
        region_code: None,
        roles: vec![Role::CounterClerk],
        operation_id: "browser-test".into(),
    };
    cases::create(
        &t.app,
        &clerk,
        &NewCase {
            service_item_code: code,
            applicant_kind: "person".into(),
            applicant: proofless_app::applicants::public_id_of(&t.app, person)
                .await
                .unwrap(),
            applicant_name: None,
            immediate: false,
            statutory_limit: None,
        },
    )
    .await
    .unwrap()
    .id
}

/// Console messages about the Content-Security-Policy since the last read.
async fn csp_violations(b: &Browser) -> Vec<String> {
    b.console_log()
        .await
        .into_iter()
        .filter(|m| m.contains("Content Security Policy") || m.contains("Refused to"))
        .collect()
}

async fn href(b: &Browser, css: &str) -> String {
    b.client
        .find(Locator::Css(css))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sealed_letter_page_and_pdf_display_without_csp_violations() {
    let Some(b) = driver::open().await else {
        return;
    };
    let t = spawn_demo(Backend::Sqlite).await.unwrap();
    let item = id(&t, "SELECT id FROM proof_items WHERE name = ?", RESIDENCE).await;
    let case = new_case(&t).await;
    // 张三 signs on the portal; the sealed letter is shown with its links.
    b.log_in(&format!("{}/portal/login", t.base), ZHANG).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    b.client
        .goto(&format!(
            "{}/portal/commitments/new?case_id={case}&proof_item_id={item}",
            t.base
        ))
        .await
        .unwrap();
    b.text_with("不实承诺的法律责任").await;
    b.click("#chosen").await;
    b.click("#sign").await;
    // The confirmation step shows what will be sealed (issue #22 point 3).
    b.text_with("将要签署并加盖电子印章的内容").await;
    b.click("#confirm-sign").await;
    let text = b.text_with("下载 PDF").await;
    assert!(
        text.contains("下载 PDF"),
        "the sealed letter is shown: {text}"
    );
    let letter_page = b.client.current_url().await.unwrap();
    assert!(
        csp_violations(&b).await.is_empty(),
        "letter page {letter_page}"
    );
    let verify = href(&b, "a[href^='/sealed/']").await;
    let pdf = href(&b, "#pdf").await;

    // The public verification page: the seal is valid, the page styled, nothing refused.
    b.client.goto(&format!("{}{verify}", t.base)).await.unwrap();
    let text = b.text_with("签章有效").await;
    assert!(text.contains("签章有效"), "{text}");
    assert!(
        text.contains(ZHANG),
        "the decrypted letter is shown: {text}"
    );
    let v = csp_violations(&b).await;
    assert!(v.is_empty(), "CSP violations on {verify}: {v:?}");
    let styled = b
        .client
        .execute(
            "return document.styleSheets.length > 0 && document.styleSheets[0].cssRules.length > 0",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(styled, serde_json::json!(true), "our stylesheet applies");

    // The letter's PDF, fetched by the page under its CSP (`connect-src 'self'`) with the
    // signer's session: served as a PDF. (Headless Chromium has no PDF viewer: a top-level
    // navigation downloads the file, so the viewer itself is not exercised here.)
    let got = b
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];\
             fetch(arguments[0]).then(r => r.arrayBuffer().then(a => done([r.status, \
             r.headers.get('content-type'), new TextDecoder().decode(a.slice(0, 5))])))\
             .catch(e => done(['error', String(e), '']));",
            vec![serde_json::json!(pdf)],
        )
        .await
        .unwrap();
    assert_eq!(
        got,
        serde_json::json!([200, "application/pdf", "%PDF-"]),
        "{got}"
    );
    let v = csp_violations(&b).await;
    assert!(v.is_empty(), "CSP violations fetching the PDF: {v:?}");
    b.close().await;
}
