//! Issue #18 §3: a counter pulls a citizen's birth certificate data; the citizen goes from
//! the portal to 数据共享授权, sees exactly what would be released (preview), allows it, and
//! the counter then has the data. The citizen's one-time code is shown once on the same page;
//! the citizen consents once for the whole case after its preview; the clerk goes from the
//! workbench to the pull page and types the citizen's code. The counter's own journey: the
//! clerk opens the case from 受理办件, follows 调取 from the case's proof and pulls with the
//! applicant's code (a wrong code and a used one refused with their reasons).

use proofless_app::cases::{self, NewCase};
use proofless_app::{Actor, ActorKind};
use proofless_domain::role::Role;
use proofless_store::q;
use serde_json::{Value, json};

use crate::common::{Backend, DEMO_PASSWORD, TestApp, spawn_demo};
use crate::driver;

const ZHANG: &str = "370322199001011238";

async fn id(t: &TestApp, sql: &str, arg: &str) -> i64 {
    let (id,): (i64,) = t.app.db.reader().fetch_one(q(sql).bind(arg)).await.unwrap();
    id
}

async fn service(t: &TestApp, item: i64) -> String {
    let (code,): (String,) = t
        .app
        .db
        .reader()
        .fetch_one(
            q("SELECT s.code FROM service_items s JOIN proof_item_services ps ON ps.service_item_id = s.id \
               WHERE ps.proof_item_id = ? ORDER BY s.id LIMIT 1")
            .bind(item),
        )
        .await
        .unwrap();
    code
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_citizen_previews_and_allows_a_pull_from_the_portal() {
    let Some(b) = driver::open().await else {
        return;
    };
    let t = spawn_demo(Backend::Sqlite).await.unwrap();
    let wj = id(&t, "SELECT id FROM orgs WHERE name = ?", "县卫生健康局").await;
    let ga = id(&t, "SELECT id FROM orgs WHERE name = ?", "县公安局").await;
    let item = id(
        &t,
        "SELECT id FROM proof_items WHERE name = ? ORDER BY id LIMIT 1",
        "出生医学证明",
    )
    .await;
    let code = service(&t, item).await;
    let admin = t.staff("admin").await;
    let r = admin
        .post_json(
            &format!("/api/v1/orgs/{wj}/staff"),
            &json!({"username": "wj_admin", "display_name": "卫健管理", "password": DEMO_PASSWORD,
                "roles": ["unit_admin", "counter_clerk"]}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let w = t.staff("wj_admin").await;
    let e: Value = w
        .post_json(
            "/api/v1/sharing/entries",
            &json!({"proof_item_id": item, "source": "county_library", "kind": "proof",
                "fields": [{"key": "child_name", "label": "新生儿姓名", "kind": "text", "required": true}],
                "grants": [{"org_id": ga, "service_code": code}]}),
        )
        .await
        .json()
        .await
        .unwrap();
    let eid = e["id"].as_i64().unwrap();
    w.post_json(&format!("/api/v1/sharing/entries/{eid}/submit"), &json!({}))
        .await;
    t.staff("joint")
        .await
        .post_json(
            &format!("/api/v1/sharing/entries/{eid}/review"),
            &json!({"approve": true}),
        )
        .await;
    let rid = proofless_domain::codes::ResidentId::parse(ZHANG).unwrap();
    let pid = proofless_app::applicants::person_id_by_resident_id(&t.app, &rid)
        .await
        .unwrap()
        .unwrap();
    let public = proofless_app::applicants::public_id_of(&t.app, pid)
        .await
        .unwrap();
    let r = w
        .post_json(
            "/api/v1/sharing/eproofs",
            &json!({"proof_item_id": item, "holder_id": public, "valid_from": "2026-01-01", "data": {"child_name": "张小宝"}}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let clerk = Actor {
        kind: ActorKind::Staff,
        id: None,
        name: "窗口".into(),
        org_id: Some(ga),
        org_name: None,
        region_code: None,
        roles: vec![Role::CounterClerk],
        operation_id: "browser-test".into(),
    };
    let case = cases::create(
        &t.app,
        &clerk,
        &NewCase {
            service_item_code: code.clone(),
            applicant_kind: "person".into(),
            applicant: public.to_string(),
            applicant_name: None,
            immediate: false,
            statutory_limit: None,
        },
    )
    .await
    .unwrap()
    .id;
    let ga_clerk = t.staff("ga_clerk").await;
    let p: Value = ga_clerk
        .post_json(
            "/api/v1/sharing/pulls",
            &json!({"subject_id": public, "proof_item_id": item, "case_id": case, "service_code": code, "purpose": "出生登记"}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(p["outcome"], "awaiting_consent");

    // The citizen, from the portal, follows the navigation to the consent page.
    b.log_in(&format!("{}/portal/login", t.base), ZHANG).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    b.client.goto(&format!("{}/portal", t.base)).await.unwrap();
    b.click("a[href='/portal/sharing']").await;
    let text = b.text_with("将提供的内容").await;
    assert!(
        text.contains("县公安局") && text.contains("张小宝") && text.contains("新生儿姓名"),
        "{text}"
    );
    b.click(&format!("#allow-{}", p["id"].as_str().unwrap()))
        .await;
    let text = b.text_with("暂无待确认").await;
    assert!(text.contains("暂无待确认的数据调取"), "{text}");
    let got: Value = ga_clerk
        .json(&format!(
            "/api/v1/sharing/pulls/{}",
            p["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(got["outcome"], "released");
    // The one-time code for the counter, shown once.
    b.click("form[action='/portal/sharing/codes'] button").await;
    let text = b.text_with("10分钟内有效，只能使用一次").await;
    assert!(text.contains("只能使用一次"), "{text}");
    let code = b
        .client
        .find(fantoccini::Locator::Id("consent-code"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(code.len(), 8, "{code}");
    // The case consent: the preview lists the case's shared proofs and their fields.
    let text = b.text_with("按办件一次授权").await;
    assert!(text.contains("授权后该单位将取得的内容"), "{text}");
    b.click(&format!("#case-consent-{case}")).await;
    let text = b.text_with("撤回授权").await;
    assert!(text.contains("有效"), "{text}");

    // The counter: from the workbench's 数据调取 card to the pull page of the case's proof,
    // where the clerk types the applicant's code.
    b.staff_login(&t.base, "ga_clerk").await;
    b.click("a[href='/sharing']").await;
    let text = b.text_with("本单位的数据调取").await;
    assert!(text.contains("本单位办件"), "{text}");
    let detail = cases::detail(&t.app, case).await.unwrap();
    b.client
        .goto(&format!(
            "{}/sharing/pulls/new?case={}&proof={item}",
            t.base, detail.case_no
        ))
        .await
        .unwrap();
    let text = b.text_with("申请人提供的8位授权码").await;
    assert!(
        text.contains("出生医学证明") && text.contains("张*"),
        "{text}"
    );
    b.client
        .find(fantoccini::Locator::Id("consent_code"))
        .await
        .unwrap()
        .send_keys(&code)
        .await
        .unwrap();
    b.click("#pull-with-code").await;
    let text = b.text_with("数据调取结果").await;
    assert!(
        text.contains("已调取") && text.contains("张小宝") && text.contains("一次性授权码"),
        "{text}"
    );
    b.close().await;
}

async fn pull_error(b: &driver::Browser) -> String {
    for _ in 0..100 {
        if let Ok(e) = b.client.find(fantoccini::Locator::Id("pull-error")).await {
            return e.text().await.unwrap();
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("no error on the pull page: {}", b.text().await);
}

async fn type_code(b: &driver::Browser, code: &str) {
    let el = b
        .client
        .find(fantoccini::Locator::Id("consent_code"))
        .await
        .unwrap();
    el.clear().await.unwrap();
    el.send_keys(code).await.unwrap();
    b.click("#pull-with-code").await;
}

// Issue #18 §3, R3.2 (Beijing's 8-digit authorisation): 李四 generates on the portal a
// one-time code for the market regulator and the health certificate; the counter clerk
// opens the case from the workbench (受理办件), follows 调取 from the case's proof to the
// pull page and types the code: a wrong code is refused with its reason and nothing is
// released; the right one releases the data (consent by code), the case's proof is resolved
// by data sharing, and the same code cannot be used a second time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_counter_pulls_with_the_applicants_one_time_code() {
    let Some(b) = driver::open().await else {
        return;
    };
    let t = spawn_demo(Backend::Sqlite).await.unwrap();
    let li = proofless_fixtures::demo::demo_citizen_id("李四")
        .unwrap()
        .unwrap();
    let sj = id(&t, "SELECT id FROM orgs WHERE name = ?", "县市场监管局").await;
    let item = id(
        &t,
        "SELECT id FROM proof_items WHERE name = ? ORDER BY id DESC LIMIT 1",
        "健康证明（食品从业人员）",
    )
    .await;

    // 1. The applicant, on the portal: 数据共享授权 → a code for the market regulator.
    b.log_in(&format!("{}/portal/login", t.base), li.as_str())
        .await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    b.client.goto(&format!("{}/portal", t.base)).await.unwrap();
    b.click("a[href='/portal/sharing']").await;
    b.text_with("一次性授权码").await;
    b.click(&format!("#grant option[value='{sj}:{item}']"))
        .await;
    b.click("form[action='/portal/sharing/codes'] button").await;
    let text = b.text_with("只能使用一次").await;
    assert!(text.contains("县市场监管局"), "{text}");
    let code = b
        .client
        .find(fantoccini::Locator::Id("consent-code"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        code.len() == 8 && code.bytes().all(|c| c.is_ascii_digit()),
        "{code}"
    );

    // 2. The counter: 受理办件 → the service found by name → the applicant by resident ID.
    b.staff_login(&t.base, "sj_clerk").await;
    b.click("a[href='/cases/new']").await;
    let search = b.client.find(fantoccini::Locator::Id("q")).await.unwrap();
    search.send_keys("食品经营许可").await.unwrap();
    b.click("#service-search button[type=submit]").await;
    b.text_with("事项编码").await;
    b.client
        .find(fantoccini::Locator::LinkText("食品经营许可"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.text_with("事项编码").await;
    b.client
        .find(fantoccini::Locator::Id("applicant"))
        .await
        .unwrap()
        .send_keys(li.as_str())
        .await
        .unwrap();
    b.click("#open-case").await;
    let text = b.text_with("证明清单").await;
    assert!(text.contains("健康证明（食品从业人员）"), "{text}");
    let case_url = b.client.current_url().await.unwrap();

    // 3. 调取 from the proof: the pull page names the case's applicant, masked.
    b.click(&format!("#pull-{item}")).await;
    let text = b.text_with("申请人提供的8位授权码").await;
    assert!(
        text.contains("健康证明（食品从业人员）") && text.contains("李*"),
        "{text}"
    );
    // A wrong code: refused with the reason, nothing released.
    let wrong: String = code
        .chars()
        .map(|c| {
            if c == '9' {
                '0'
            } else {
                char::from(c as u8 + 1)
            }
        })
        .collect();
    type_code(&b, &wrong).await;
    let err = pull_error(&b).await;
    assert!(err.contains("授权码不正确"), "{err}");
    let case_id: i64 = case_url.path().rsplit('/').next().unwrap().parse().unwrap();
    let released: i64 = t
        .app
        .db
        .reader()
        .scalar_i64(
            q("SELECT COUNT(*) FROM sharing_pulls WHERE case_id = ? AND outcome = 'released'")
                .bind(case_id),
        )
        .await
        .unwrap();
    assert_eq!(released, 0, "nothing released on a wrong code");
    // The right code: the data, by the applicant's one-time code.
    type_code(&b, &code).await;
    let text = b.text_with("数据调取结果").await;
    assert!(
        text.contains("已调取") && text.contains("一次性授权码") && text.contains("合格"),
        "{text}"
    );
    // Back on the case: the proof is resolved by data sharing.
    b.click("#back-to-case").await;
    let text = b.text_with("证明清单").await;
    let proof = b
        .client
        .find(fantoccini::Locator::Id(&format!("proof-{item}")))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        proof.contains("已解决") && proof.contains("数据共享"),
        "{proof} / {text}"
    );
    assert_eq!(
        b.client.current_url().await.unwrap().path(),
        case_url.path()
    );
    // 4. The same code again (the pull page of the same case and proof): used once only.
    b.client
        .goto(&format!(
            "{}/sharing/pulls/new?case={}&proof={item}",
            t.base,
            case_url.path().rsplit('/').next().unwrap()
        ))
        .await
        .unwrap();
    b.text_with("申请人提供的8位授权码").await;
    type_code(&b, &code).await;
    let err = pull_error(&b).await;
    assert!(err.contains("只能使用一次"), "{err}");
    b.close().await;
}
