//! Issue #6 §10: a citizen signs a commitment on the portal; a check finds a false promise,
//! the subject is notified, after the objection period the credit office puts them on the
//! blacklist, and the blacklisted citizen is then refused commitment with the reason.

use chrono::Duration;
use fantoccini::Locator;
use proofless_app::cases::{self, NewCase};
use proofless_app::commitment::{self as signing, SignInput};
use proofless_app::{Actor, ActorKind};
use proofless_domain::role::Role;
use proofless_store::q;

use crate::common::{Backend, TestApp, spawn_demo};
use crate::driver;

const ZHANG: &str = "370322199001011238";
const LI: &str = "370322198512152468";
const RESIDENCE: &str = "住所（经营场所）使用证明";

async fn person_id(t: &TestApp, rid: &str) -> i64 {
    let rid = proofless_domain::codes::ResidentId::parse(rid).unwrap();
    proofless_app::applicants::person_id_by_resident_id(&t.app, &rid)
        .await
        .unwrap()
        .unwrap()
}

async fn id(t: &TestApp, sql: &str, arg: &str) -> i64 {
    let (id,): (i64,) = t.app.db.reader().fetch_one(q(sql).bind(arg)).await.unwrap();
    id
}

fn window(org: i64) -> Actor {
    Actor {
        kind: ActorKind::Staff,
        id: None,
        name: "窗口".into(),
        org_id: Some(org),
        org_name: None,
        region_code: None,
        roles: vec![Role::CounterClerk],
        operation_id: "browser-test".into(),
    }
}

async fn new_case(t: &TestApp, rid: &str) -> i64 {
    let org = id(t, "SELECT id FROM orgs WHERE name = ?", "县行政审批服务局").await;
    let person = person_id(t, rid).await;
    let (code,): (String,) = t
        .app
        .db
        .reader()
        // SPEC R2.1: a case of a service the published list gives for the residence proof.
        .fetch_one(
            q("SELECT s.code FROM service_items s JOIN proof_item_services ps ON ps.service_item_id = s.id \
               JOIN proof_items p ON p.id = ps.proof_item_id WHERE p.name = ? ORDER BY s.id LIMIT 1")
            .bind(RESIDENCE),
        )
        .await
        .unwrap();
    cases::create(
        &t.app,
        &window(org),
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_citizen_signs_a_false_promise_is_blacklisted_by_due_process_and_then_refused() {
    let Some(b) = driver::open().await else {
        return;
    };
    let t = spawn_demo(Backend::Sqlite).await.unwrap();
    let item = id(&t, "SELECT id FROM proof_items WHERE name = ?", RESIDENCE).await;

    // 1. 张三 reads the template and signs on the portal.
    let case = new_case(&t, ZHANG).await;
    b.log_in(&format!("{}/portal/login", t.base), ZHANG).await;
    // The form posts and redirects; give it the moment it had before.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    b.client
        .goto(&format!(
            "{}/portal/commitments/new?case_id={case}&proof_item_id={item}",
            t.base
        ))
        .await
        .unwrap();
    let text = b.text_with("不实承诺的法律责任").await;
    assert!(text.contains("不实承诺的法律责任"), "{text}");
    assert!(
        text.contains("事后核查"),
        "the plan is shown before signing: {text}"
    );
    b.click("#chosen").await;
    b.click("#sign").await;
    // The confirmation step shows what will be sealed (issue #22 point 3).
    b.text_with("将要签署并加盖电子印章的内容").await;
    b.click("#confirm-sign").await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let state = b
        .client
        .find(Locator::Id("state"))
        .await
        .unwrap()
        .attr("data-state")
        .await
        .unwrap();
    assert_eq!(state.as_deref(), Some("signed"));
    assert!(
        b.text().await.contains("已签署"),
        "the state's label is shown"
    );
    assert!(b.text_with("下载 PDF").await.contains("下载 PDF"));

    // 2. 李四 commits at the counter; the market regulator's inspector finds it false.
    let li_case = new_case(&t, LI).await;
    let org = id(&t, "SELECT id FROM orgs WHERE name = ?", "县行政审批服务局").await;
    let li = person_id(&t, LI).await;
    let c = signing::sign(
        &t.app,
        &window(org),
        &SignInput {
            case_id: li_case,
            proof_item_id: item,
            person_id: Some(
                proofless_app::applicants::public_id_of(&t.app, li)
                    .await
                    .unwrap(),
            ),
            entity_id: None,
            facts: String::new(),
            applicant_confirmed: true,
            chosen_by_applicant: true,
        },
    )
    .await
    .unwrap();
    b.log_in(&format!("{}/login", t.base), "sj_inspector").await;
    // The form posts and redirects; give it the moment it had before.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    b.client
        .goto(&format!("{}/commitments/checks", t.base))
        .await
        .unwrap();
    b.click(&format!("#result-{} option[value=false]", c.id))
        .await;
    b.client
        .find(Locator::Id(&format!("evidence-{}", c.id)))
        .await
        .unwrap()
        .send_keys("现场核查：承诺地址为空置民宅")
        .await
        .unwrap();
    b.click(&format!(
        "#consequence-{} option[value=revoke_decision]",
        c.id
    ))
    .await;
    b.click(&format!("#check-{} button[type=submit]", c.id))
        .await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;

    // 3. 李四 is notified on the portal, with the objection period.
    b.log_in(&format!("{}/portal/login", t.base), LI).await;
    // The form posts and redirects; give it the moment it had before.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    b.client
        .goto(&format!("{}/portal/commitments", t.base))
        .await
        .unwrap();
    let text = b.text_with("拟列入虚假承诺黑名单").await;
    assert!(text.contains("拟列入虚假承诺黑名单"), "{text}");
    assert!(text.contains("提出异议"), "{text}");

    // 4. After the objection period the credit office decides.
    t.clock.advance(Duration::days(8));
    b.log_in(&format!("{}/login", t.base), "credit").await;
    // The form posts and redirects; give it the moment it had before.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    b.client.goto(&format!("{}/credit", t.base)).await.unwrap();
    let (pid,): (i64,) = t
        .app
        .db
        .reader()
        .fetch_one(q("SELECT id FROM blacklist_proposals WHERE commitment_id = ?").bind(c.id))
        .await
        .unwrap();
    b.click(&format!("#proposal-{pid} button[type=submit]"))
        .await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    // Lists show the name masked (issue #16 item 9).
    let text = b.text_with("李*").await;
    assert!(text.contains("李*"), "{text}");
    let listed = b
        .client
        .find(Locator::Id("blacklist"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(listed.contains("李*"), "on the blacklist: {listed}");

    // 5. 李四 is refused commitment, with the reason and the way back.
    let again = new_case(&t, LI).await;
    b.log_in(&format!("{}/portal/login", t.base), LI).await;
    // The form posts and redirects; give it the moment it had before.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    b.client
        .goto(&format!(
            "{}/portal/commitments/new?case_id={again}&proof_item_id={item}",
            t.base
        ))
        .await
        .unwrap();
    let refusal = b
        .client
        .find(Locator::Id("refusal"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(refusal.contains("黑名单"), "{refusal}");
    assert!(refusal.contains("信用修复"), "{refusal}");
    b.close().await;
}

// SPEC R4.6: withdrawal is the applicant's act. The counter clerk finds the commitment from
// the workbench; without recording the applicant's own request the withdrawal is refused
// with the reason; with it, the commitment is withdrawn and who confirmed is shown.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_counter_withdraws_a_commitment_only_with_the_applicants_confirmation() {
    let Some(b) = driver::open().await else {
        return;
    };
    let t = spawn_demo(Backend::Sqlite).await.unwrap();
    let item = id(&t, "SELECT id FROM proof_items WHERE name = ?", RESIDENCE).await;
    let org = id(&t, "SELECT id FROM orgs WHERE name = ?", "县行政审批服务局").await;
    let li = person_id(&t, LI).await;
    let case = new_case(&t, LI).await;
    let c = signing::sign(
        &t.app,
        &window(org),
        &SignInput {
            case_id: case,
            proof_item_id: item,
            person_id: Some(
                proofless_app::applicants::public_id_of(&t.app, li)
                    .await
                    .unwrap(),
            ),
            entity_id: None,
            facts: String::new(),
            applicant_confirmed: true,
            chosen_by_applicant: true,
        },
    )
    .await
    .unwrap();
    b.staff_login(&t.base, "window").await;
    b.click("a[href='/commitments']").await;
    b.text_with("本单位告知承诺").await;
    b.click(&format!("#commitment-{}", c.id)).await;
    b.text_with("窗口撤回承诺").await;
    let reason = "申请人已取得纸质证明，要求按原程序办理";
    b.client
        .find(Locator::Id("reason"))
        .await
        .unwrap()
        .send_keys(reason)
        .await
        .unwrap();
    b.click("#withdraw").await;
    let text = b.text_with("申请人本人").await;
    assert!(text.contains("工作人员不能自行撤回"), "{text}");
    b.client
        .goto(&format!("{}/commitments/{}", t.base, c.id))
        .await
        .unwrap();
    b.text_with("窗口撤回承诺").await;
    b.client
        .find(Locator::Id("reason"))
        .await
        .unwrap()
        .send_keys(reason)
        .await
        .unwrap();
    b.click("#applicant_confirmed").await;
    b.click("#withdraw").await;
    let text = b.text_with("已撤回").await;
    assert!(text.contains("受理人员赵敏确认申请人本人提出"), "{text}");
    b.close().await;
}
