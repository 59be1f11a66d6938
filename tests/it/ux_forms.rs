//! Issue #22 point 3, forms that help, at the HTTP level: a refused page form comes back
//! (422) with the error next to its input (`aria-invalid`, `aria-describedby`, the error's
//! line after the input), a summary at the top linking to the input, and what was typed
//! kept; the counter's 当场承诺 shows what will be sealed before anything is signed.

use proofless_app::cases::{self, NewCase};
use proofless_app::{Actor, ActorKind};
use proofless_domain::role::Role;
use proofless_store::q;

use crate::common::{Backend, Client, TestApp, spawn_demo};

const ZHANG: &str = "370322199001011238";
const RESIDENCE: &str = "住所（经营场所）使用证明";

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
        operation_id: "ux-forms-test".into(),
    }
}

/// A case of 县行政审批服务局 for 张三 whose checklist has the residence proof (commitment).
async fn residence_case(t: &TestApp) -> (i64, i64) {
    let org = id(t, "SELECT id FROM orgs WHERE name = ?", "县行政审批服务局").await;
    let item = id(t, "SELECT id FROM proof_items WHERE name = ?", RESIDENCE).await;
    let rid = proofless_domain::codes::ResidentId::parse(ZHANG).unwrap();
    let person = proofless_app::applicants::person_id_by_resident_id(&t.app, &rid)
        .await
        .unwrap()
        .unwrap();
    let (code,): (String,) = t
        .app
        .db
        .reader()
        .fetch_one(
            q("SELECT s.code FROM service_items s JOIN proof_item_services ps ON ps.service_item_id = s.id \
               JOIN proof_items p ON p.id = ps.proof_item_id WHERE p.name = ? ORDER BY s.id LIMIT 1")
            .bind(RESIDENCE),
        )
        .await
        .unwrap();
    let c = cases::create(
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
    .unwrap();
    (c.id, item)
}

/// Posts a page form as the browser does (urlencoded, with the page's token).
pub async fn post_form(c: &Client, path: &str, pairs: &[(&str, &str)]) -> reqwest::Response {
    let mut all = vec![("csrf", c.csrf.as_str())];
    all.extend_from_slice(pairs);
    let body = url_encode(&all);
    c.post_raw(path, "application/x-www-form-urlencoded", body.into_bytes())
        .await
}

fn url_encode(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The opening tag of the element with `id`.
pub fn tag_of<'a>(html: &'a str, id: &str) -> &'a str {
    let at = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no element #{id}"));
    let start = html[..at].rfind('<').unwrap();
    let end = at + html[at..].find('>').unwrap();
    &html[start..=end]
}

/// The field's error: marked on the input, said right after it, linked from the summary.
pub fn assert_field_error(html: &str, id: &str, words: &str) {
    let tag = tag_of(html, id);
    assert!(tag.contains("aria-invalid=\"true\""), "#{id}: {tag}");
    assert!(
        tag.contains(&format!("aria-describedby=\"{id}-error\"")),
        "#{id}: {tag}"
    );
    let err = html
        .find(&format!("id=\"{id}-error\""))
        .unwrap_or_else(|| panic!("no error line for #{id}"));
    let line = &html[err..err + html[err..].find("</p>").unwrap()];
    assert!(line.contains(words), "#{id}: {line}");
    assert!(
        html.contains(&format!("<a href=\"#{id}\">")),
        "the summary links to #{id}"
    );
    assert!(
        html.contains("id=\"error-summary\""),
        "the summary is shown"
    );
}

// issue #22 point 3: the case page's forms (demand, decision, 当场承诺) keep what was typed
// and say each error by its field; the counter's 当场承诺 is confirmed before the seal.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_case_page_forms_say_errors_by_their_fields_and_the_counter_commitment_is_confirmed() {
    let t = spawn_demo(Backend::Sqlite).await.unwrap();
    let (case, item) = residence_case(&t).await;
    let c = t.staff("window").await;

    // 登记清单外索要证明 without the proof's name: the note typed is kept.
    let res = post_form(
        &c,
        &format!("/cases/{case}/demand"),
        &[("proof_name", " "), ("note", "某科室口头要求")],
    )
    .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert_field_error(&html, "proof_name", "请填写被索要的证明名称");
    assert!(tag_of(&html, "demand_note").contains("value=\"某科室口头要求\""));

    // 不予 without the reason: refused before the confirmation step, by the reason's field.
    let res = post_form(
        &c,
        &format!("/cases/{case}/decision"),
        &[("outcome", "refused"), ("reason", "")],
    )
    .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert_field_error(&html, "reason", "不予许可的理由");
    assert!(
        html.contains("<option value=\"refused\" selected>"),
        "the chosen outcome is kept"
    );

    // 当场承诺 without the applicant's choice: by the box, the facts kept; nothing signed.
    let facts_id = format!("facts-{item}");
    let res = post_form(
        &c,
        &format!("/cases/{case}/proofs/{item}/commit"),
        &[
            ("note", "住所为本人自有房屋"),
            ("applicant_confirmed", "yes"),
        ],
    )
    .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert_field_error(&html, &format!("chosen-{item}"), "自愿选择");
    assert!(tag_of(&html, &facts_id).contains("value=\"住所为本人自有房屋\""));
    assert!(tag_of(&html, &format!("confirmed-{item}")).contains("checked"));

    let signed = || async {
        let (n,): (i64,) = t
            .app
            .db
            .reader()
            .fetch_one(q("SELECT COUNT(*) FROM commitments WHERE case_id = ?").bind(case))
            .await
            .unwrap();
        n
    };
    // Complete: first the confirmation step shows what will be sealed; nothing is signed yet.
    let form = [
        ("note", "住所为本人自有房屋"),
        ("chosen", "yes"),
        ("applicant_confirmed", "yes"),
    ];
    let res = post_form(&c, &format!("/cases/{case}/proofs/{item}/commit"), &form).await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("将要签署并加盖电子印章的内容"), "{html}");
    assert!(html.contains("不实承诺的法律责任") && html.contains("住所为本人自有房屋"));
    assert!(html.contains("id=\"confirm-commit\""));
    assert_eq!(
        signed().await,
        0,
        "nothing is sealed before the confirmation"
    );
    // Confirmed: signed and sealed, and the case page says so.
    let mut confirmed = form.to_vec();
    confirmed.push(("confirm", "yes"));
    let res = post_form(
        &c,
        &format!("/cases/{case}/proofs/{item}/commit"),
        &confirmed,
    )
    .await;
    assert_eq!(
        res.status(),
        303,
        "{}",
        res.text().await.unwrap_or_default()
    );
    assert_eq!(signed().await, 1);
    let html = c.get(&format!("/cases/{case}")).await.text().await.unwrap();
    assert!(html.contains("承诺书已当场签署"), "{html}");
}

async fn org_id(t: &TestApp, name: &str) -> String {
    id(t, "SELECT id FROM orgs WHERE name = ?", name)
        .await
        .to_string()
}

// issue #22 point 3: a verification's reply and its return keep what was typed and say the
// error by its field — the reply before the confirmation step, nothing sealed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_verification_reply_or_return_says_the_error_by_its_field() {
    let t = spawn_demo(Backend::Sqlite).await.unwrap();
    let hukou = id(
        &t,
        "SELECT id FROM proof_items WHERE name = ?",
        "注销户口证明",
    )
    .await;
    let sj = t.staff("sj_liaison").await;
    let r = sj
        .post_json("/api/v1/verifications", &crate::verification::body(hukou))
        .await;
    assert_eq!(r.status(), 201);
    let v: serde_json::Value = r.json().await.unwrap();
    let vid = v["id"].as_i64().unwrap();
    let ga = t.staff("ga_proxy1").await;
    // Not matching without what the records say.
    let res = post_form(
        &ga,
        &format!("/verifications/{vid}/answer"),
        &[
            ("outcome", "not_matching"),
            ("answer.remarks", "已调阅户籍档案"),
            ("records_say", ""),
        ],
    )
    .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert_field_error(&html, "answer-records_say", "档案记载");
    assert!(html.contains(">已调阅户籍档案</textarea>"), "remarks kept");
    assert!(!html.contains("将要加盖"), "no confirmation step yet");
    // A return without its reason.
    let res = post_form(
        &ga,
        &format!("/verifications/{vid}/return"),
        &[("reason", " ")],
    )
    .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert_field_error(&html, "return-reason", "退回理由");
    let state: serde_json::Value = ga.json(&format!("/api/v1/verifications/{vid}")).await;
    assert_eq!(state["state"], "registered", "nothing changed");
}

// issue #22 point 3: the staff complaint registration keeps every value and names the
// missing agent's fields by their inputs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_complaint_registration_keeps_the_values_and_marks_the_fields() {
    let t = spawn_demo(Backend::Sqlite).await.unwrap();
    let ga = org_id(&t, "县公安局").await;
    let window = t.staff("window").await;
    let res = post_form(
        &window,
        "/complaints/register",
        &[
            ("channel", "agent"),
            ("form", "oral"),
            ("name", "李四"),
            ("phone", "13800000002"),
            ("agency_org_id", ga.as_str()),
            ("ground", "list_not_followed"),
            ("request", "按清单办理"),
        ],
    )
    .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert_field_error(&html, "r-agent", "代理人");
    assert_field_error(&html, "r-auth", "授权委托书");
    assert!(tag_of(&html, "r-name").contains("value=\"李四\""));
    assert!(html.contains(">按清单办理</textarea>"));
    assert!(html.contains(&format!("<option value=\"{ga}\" selected>")));
}

// issue #22 point 3: accountability (a new case) and the joint office (a new meeting).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_accountability_and_joint_office_forms_say_errors_by_their_fields() {
    let t = spawn_demo(Backend::Sqlite).await.unwrap();
    let ga = org_id(&t, "县公安局").await;
    let account = t.staff("account").await;
    let res = post_form(
        &account,
        "/accountability/new",
        &[
            ("kind", "proof_demanded"),
            ("org_id", ga.as_str()),
            ("summary", ""),
        ],
    )
    .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert_field_error(&html, "new-summary", "");
    assert!(html.contains(&format!("<option value=\"{ga}\" selected>")));

    let joint = t.staff("joint").await;
    let res = post_form(
        &joint,
        "/joint/new",
        &[
            ("kind", "special"),
            ("title", ""),
            ("planned_on", "2026-13-40"),
            ("place", "县政务服务中心三楼会议室"),
        ],
    )
    .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert_field_error(&html, "m-title", "会议名称");
    assert_field_error(&html, "m-date", "会议日期");
    assert!(tag_of(&html, "m-place").contains("value=\"县政务服务中心三楼会议室\""));
    assert!(tag_of(&html, "m-date").contains("value=\"2026-13-40\""));
}
