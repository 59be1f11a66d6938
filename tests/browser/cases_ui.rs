//! Issue #17 §4: the clerk's whole case from the workbench — 受理办件, the service item
//! found by name, the applicant by resident ID, the proof checklist (one abolished, one
//! sent to the proxy agent, who records it with its scan from the 代办任务 card), the
//! decision; and a citizen's commitment on the portal starting from the item page.

use fantoccini::Locator;

use crate::common::{Backend, spawn_demo};
use crate::driver;

async fn fill(b: &driver::Browser, css: &str, text: &str) {
    let el = b.client.find(Locator::Css(css)).await.unwrap();
    el.clear().await.unwrap();
    el.send_keys(text).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clerk_carries_a_case_from_the_workbench_to_its_decision() {
    let Some(b) = driver::open().await else {
        return;
    };
    let Some(t) = spawn_demo(Backend::Sqlite).await else {
        return;
    };
    b.staff_login(&t.base, "ga_clerk").await;
    b.click("a[href='/cases/new']").await;
    fill(&b, "#q", "户籍迁移").await;
    b.click("#service-search button[type=submit]").await;
    b.text_with("户籍迁移登记").await;
    b.client
        .find(Locator::LinkText("户籍迁移登记"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.text_with("事项编码").await;
    fill(&b, "#applicant", "370322199001011238").await;
    b.click("#open-case").await;
    let text = b.text_with("证明清单").await;
    assert!(text.contains("录用证明、录取证明或准予迁入证明"), "{text}");
    assert!(text.contains("直接取消"), "{text}");
    let (item,): (i64,) = t
        .app
        .db
        .reader()
        .fetch_one(
            proofless_store::q("SELECT id FROM proof_items WHERE name = ?")
                .bind("录用证明、录取证明或准予迁入证明"),
        )
        .await
        .unwrap();
    // Deciding now is refused, with the reason, and nothing changes.
    b.click("#decide").await;
    // Issue #22 point 3: a decision is confirmed first, showing what will be recorded.
    b.text_with("将要记录的办理决定").await;
    b.click("#confirm-decide").await;
    let text = b.text_with("尚有证明未解决").await;
    assert!(text.contains("尚有证明未解决"), "{text}");
    b.click(&format!("#proxy-{item}")).await;
    b.text_with("办理中").await;
    let case_url = b.client.current_url().await.unwrap();
    let case_id = case_url
        .path()
        .rsplit('/')
        .next()
        .and_then(|s| s.parse::<i64>().ok())
        .unwrap();
    // The proxy agent (A post) finds the task from the workbench card and records it,
    // uploading the scan. The demo county has a proxy task of its own still running in the
    // same unit (the same proof item), so the agent records the card of *this* case.
    b.staff_login(&t.base, "ga_proxy1").await;
    let text = b.text_with("代办任务").await;
    assert!(text.contains("代办任务"), "{text}");
    b.click("#proxy-inbox").await;
    b.text_with("录用证明、录取证明或准予迁入证明").await;
    let card = format!("#task-{case_id}-{item}");
    let scan = std::env::temp_dir().join(format!("proofless-scan-{}.pdf", std::process::id()));
    std::fs::write(
        &scan,
        b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n",
    )
    .unwrap();
    let form = b
        .client
        .find(Locator::Css(&format!("{card} form[action$='/complete']")))
        .await
        .unwrap();
    form.find(Locator::Css("input[name=note]"))
        .await
        .unwrap()
        .send_keys("代办员取得录用证明扫描件 GA-UI-001")
        .await
        .unwrap();
    form.find(Locator::Css("input[name=scan]"))
        .await
        .unwrap()
        .send_keys(scan.to_str().unwrap())
        .await
        .unwrap();
    form.find(Locator::Css("button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    // Back on the inbox: this case's card is gone (the demo's task is still there).
    let mut gone = false;
    for _ in 0..100 {
        let url = b.client.current_url().await.unwrap();
        if url.path() == "/cases/proxy"
            && url.query().is_none()
            && b.client
                .find_all(Locator::Css(&card))
                .await
                .is_ok_and(|v| v.is_empty())
        {
            gone = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let text = b.text().await;
    assert!(
        gone,
        "the task of case {case_id} is still in the inbox: {text}"
    );
    assert!(!text.contains("上传内容无法读取"), "{text}");
    let _ = std::fs::remove_file(&scan);
    // Back at the counter: resolved, by the agent, with the scan.
    b.staff_login(&t.base, "ga_clerk").await;
    b.client.goto(case_url.as_str()).await.unwrap();
    let text = b.text_with("GA-UI-001").await;
    assert!(text.contains("已解决") && text.contains("杨代办"), "{text}");
    b.click("#decide").await;
    b.text_with("将要记录的办理决定").await;
    b.click("#confirm-decide").await;
    let text = b.text_with("办理决定已记录").await;
    assert!(text.contains("准予"), "{text}");
    b.close().await;
}

// Issue #17 §4, R4.2: from the public item page, 在线办理 → login (the link survives it) →
// confirm → the case page → sign the commitment for the proof; 我的办件 shows the progress.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_citizen_commits_on_the_portal_starting_from_the_item_page() {
    let Some(b) = driver::open().await else {
        return;
    };
    let Some(t) = spawn_demo(Backend::Sqlite).await else {
        return;
    };
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
    b.client.delete_all_cookies().await.unwrap();
    b.client
        .goto(&format!("{}/proofs/items/{item}", t.base))
        .await
        .unwrap();
    b.text_with("在线办理").await;
    b.click("a[href^='/portal/cases/start']").await;
    // The login form; the deep link is remembered.
    b.text_with("登录").await;
    for (id, text) in [
        ("login", "370322199001011238"),
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
    let text = b.text_with("确认在线办理").await;
    assert!(text.contains("市场主体"), "{text}");
    b.click("#start-case").await;
    let text = b.text_with("核验/承诺").await;
    assert!(text.contains("住所（经营场所）使用证明"), "{text}");
    b.click(&format!("#sign-{item}")).await;
    b.text_with("不实承诺的法律责任").await;
    fill(&b, "#facts", "本人承诺经营场所为自有房屋，可合法使用").await;
    b.click("#chosen").await;
    b.click("#sign").await;
    // The confirmation step shows what will be sealed (issue #22 point 3).
    b.text_with("将要签署并加盖电子印章的内容").await;
    b.click("#confirm-sign").await;
    b.text_with("已签署").await;
    // 我的办件: the case, its proof resolved by the commitment.
    b.client
        .goto(&format!("{}/portal/cases", t.base))
        .await
        .unwrap();
    b.text_with("我的办件").await;
    b.click("table a[href^='/portal/cases/']").await;
    let text = b.text_with("告知承诺").await;
    assert!(text.contains("已解决"), "{text}");
    b.close().await;
}

// Issue #22 point 3: the counter's 当场承诺 from the case page is confirmed first — the
// page shows what the unit's SM2 seal will cover, and only the confirmation signs. A box left
// unticked is said next to it, and what the clerk typed is kept.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clerk_confirms_what_will_be_sealed_before_a_commitment_signed_at_the_counter() {
    let Some(b) = driver::open().await else {
        return;
    };
    let Some(t) = spawn_demo(Backend::Sqlite).await else {
        return;
    };
    let one = |sql: &'static str, arg: &'static str| {
        let t = &t;
        async move {
            let (id,): (i64,) = t
                .app
                .db
                .reader()
                .fetch_one(proofless_store::q(sql).bind(arg))
                .await
                .unwrap();
            id
        }
    };
    let item = one(
        "SELECT id FROM proof_items WHERE name = ?",
        "住所（经营场所）使用证明",
    )
    .await;
    let org = one("SELECT id FROM orgs WHERE name = ?", "县行政审批服务局").await;
    let rid = proofless_domain::codes::ResidentId::parse("370322199001011238").unwrap();
    let person = proofless_app::applicants::person_id_by_resident_id(&t.app, &rid)
        .await
        .unwrap()
        .unwrap();
    let (code,): (String,) = t
        .app
        .db
        .reader()
        .fetch_one(
            proofless_store::q(
                "SELECT s.code FROM service_items s JOIN proof_item_services ps ON ps.service_item_id = s.id \
                 WHERE ps.proof_item_id = ? ORDER BY s.id LIMIT 1",
            )
            .bind(item),
        )
        .await
        .unwrap();
    let clerk = proofless_app::Actor {
        kind: proofless_app::ActorKind::Staff,
        id: None,
        name: "窗口".into(),
        org_id: Some(org),
        org_name: None,
        region_code: None,
        roles: vec![proofless_domain::role::Role::CounterClerk],
        operation_id: "browser-test".into(),
    };
    let case = proofless_app::cases::create(
        &t.app,
        &clerk,
        &proofless_app::cases::NewCase {
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
    .unwrap();
    b.staff_login(&t.base, "window").await;
    b.client
        .goto(&format!("{}/cases/{}", t.base, case.id))
        .await
        .unwrap();
    b.text_with("证明清单").await;
    fill(&b, &format!("#facts-{item}"), "经营场所为本人自有房屋").await;
    // The applicant's own choice is not ticked: said by the box, the facts kept.
    b.click(&format!("#confirmed-{item}")).await;
    b.click(&format!("#commit-{item}")).await;
    let text = b.text_with("提交未成功").await;
    assert!(text.contains("自愿选择"), "{text}");
    let kept = b
        .client
        .find(Locator::Id(&format!("facts-{item}")))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(kept.as_deref(), Some("经营场所为本人自有房屋"));
    b.click(&format!("#chosen-{item}")).await;
    b.click(&format!("#commit-{item}")).await;
    // The confirmation step: what will be signed and sealed, nothing signed yet.
    let text = b.text_with("将要签署并加盖电子印章的内容").await;
    assert!(text.contains("不实承诺的法律责任"), "{text}");
    assert!(text.contains("经营场所为本人自有房屋"), "{text}");
    assert!(!text.contains("承诺书已当场签署"), "{text}");
    b.click("#confirm-commit").await;
    let text = b.text_with("承诺书已当场签署").await;
    assert!(text.contains("证明清单"), "{text}");
    b.close().await;
}
