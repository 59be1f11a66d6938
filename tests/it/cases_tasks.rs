//! Proxy service and deficiency acceptance over HTTP (SPEC R5.10, P 三(二)3, A2 §6): the
//! proxy agents' A/B inbox, the scan only a proxy agent records, the overdue task escalated
//! once; the sealed deficiency notice, the supplement on time, and the unit's versioned rule
//! for a late one (refuse, suspend). Every refusal names its field and changes nothing.

use chrono::Duration;
use serde_json::{Value, json};

use crate::common::{Backend, Client, TestApp, spawn_demo};

pub(crate) const MIGRATION: &str = "户籍迁移登记";
pub(crate) const HIRE: &str = "录用证明、录取证明或准予迁入证明";
const NO_PAPERS: &str = "无迁移证件人员迁入户籍登记";
const PAPERS: &str = "兵役机关证件或释放证明";
const APPLICANT: &str = "370322199001011238";
pub(crate) const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";

pub(crate) fn b64(bytes: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in bytes.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= c.len() {
                out.push(T[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

pub(crate) async fn code_of(t: &TestApp, service: &str) -> String {
    t.app
        .db
        .reader()
        .fetch_one::<(String,)>(
            proofless_store::q("SELECT code FROM service_items WHERE name = ?").bind(service),
        )
        .await
        .unwrap()
        .0
}

async fn count(t: &TestApp, sql: &str, arg: &str) -> i64 {
    t.app
        .db
        .reader()
        .scalar_i64(proofless_store::q(sql).bind(arg))
        .await
        .unwrap()
}

async fn field(r: reqwest::Response, status: u16, name: &str) -> Value {
    assert_eq!(r.status(), status);
    let v: Value = r.json().await.unwrap();
    assert!(
        v["errors"]
            .as_array()
            .is_some_and(|a| a.iter().any(|e| e["field"] == name)),
        "{name} not in {v}"
    );
    v
}

pub(crate) async fn open(c: &Client, code: &str, immediate: bool) -> Value {
    let r = c
        .post_json(
            "/api/v1/cases",
            &json!({"service_item_code": code, "applicant_kind": "person", "applicant": APPLICANT,
                    "immediate": immediate}),
        )
        .await;
    assert_eq!(r.status(), 201);
    r.json().await.unwrap()
}

pub(crate) fn proof<'a>(case: &'a Value, name: &str) -> &'a Value {
    case["proofs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["proof_item_name"] == name)
        .unwrap_or_else(|| panic!("{name} not in {case}"))
}

pub(crate) async fn resolve(
    c: &Client,
    case: i64,
    item: i64,
    method: &str,
    note: &str,
) -> reqwest::Response {
    c.post_json(
        &format!("/api/v1/cases/{case}/proofs/{item}/resolution"),
        &json!({"method": method, "note": note}),
    )
    .await
}

pub(crate) async fn complete(c: &Client, case: i64, item: i64, body: Value) -> reqwest::Response {
    c.post_json(
        &format!("/api/v1/cases/{case}/proofs/{item}/completion"),
        &body,
    )
    .await
}

async fn case_of(c: &Client, id: i64) -> Value {
    c.json(&format!("/api/v1/cases/{id}")).await
}

async fn post(c: &Client, v: Value) -> reqwest::Response {
    c.post_json("/api/v1/cases/late-rules", &v).await
}

fn today(t: &TestApp) -> String {
    proofless_app::local_time(t.app.now_ms())[..10].to_owned()
}

// SPEC R5.10, A2 §6: a proxy task goes to the unit's proxy agents, A and B both see it;
// only a proxy agent records what was obtained, with its scan (who, when, SM3).
async fn a_proxy_task_is_in_the_agents_inbox_and_only_an_agent_records_it(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let clerk = t.staff("ga_clerk").await;
    let case = open(&clerk, &code_of(&t, MIGRATION).await, false).await;
    let id = case["id"].as_i64().unwrap();
    let hire = proof(&case, HIRE)["proof_item_id"].as_i64().unwrap();
    let r = resolve(&clerk, id, hire, "proxy", "请代办员向县人社局调取").await;
    assert_eq!(r.status(), 200);
    // Both proxy agents see it in the unit's inbox, with its deadline; they were told.
    for agent in ["ga_proxy1", "ga_proxy2"] {
        let a = t.staff(agent).await;
        let page: Value = a.json("/api/v1/cases/proxy-tasks?limit=200").await;
        let task = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["case_id"] == id)
            .unwrap_or_else(|| panic!("task not in {agent}'s inbox: {page}"));
        assert_eq!(task["proof_item_name"], HIRE);
        assert!(task["due_at"].is_i64(), "{task}");
        let html = a.get("/workbench").await.text().await.unwrap();
        assert!(html.contains("id=\"proxy-count\""), "workbench card");
        let html = a.get("/cases/proxy").await.text().await.unwrap();
        assert!(html.contains(&format!("task-{id}-{hire}")));
    }
    // Each agent was told with a notification of its own kind (not a verification's),
    // whose link leads to the task's card in the inbox.
    let link = format!("/cases/proxy#task-{id}-{hire}");
    for agent in ["ga_proxy1", "ga_proxy2"] {
        let a = t.staff(agent).await;
        let list: Value = a.json("/api/v1/notifications?limit=500").await;
        let note = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["link"] == link.as_str())
            .unwrap_or_else(|| panic!("{agent} was not told: {list}"));
        assert_eq!(note["kind"], "proxy_task", "{note}");
        assert!(
            note["text"].as_str().unwrap().contains("干部代办"),
            "{note}"
        );
        let html = a.get("/notifications").await.text().await.unwrap();
        assert!(
            html.contains(&format!(
                "<td class=\"note-kind\">干部代办</td><td><a href=\"{link}\">"
            )),
            "the notifications page labels the kind"
        );
    }
    // Not a proxy agent: no inbox, no recording, nothing changed.
    assert_eq!(clerk.get("/api/v1/cases/proxy-tasks").await.status(), 403);
    let r = complete(
        &clerk,
        id,
        hire,
        json!({"note": "窗口人员代为登记", "scan": b64(PDF)}),
    )
    .await;
    assert_eq!(r.status(), 403);
    let scans = "SELECT COUNT(*) FROM case_proof_scans WHERE note = ?";
    assert_eq!(count(&t, scans, "窗口人员代为登记").await, 0);
    assert_eq!(
        proof(&case_of(&clerk, id).await, HIRE)["state"],
        "in_progress"
    );
    // An agent without a scan, with a forged one, with a malformed one: refused by field.
    let agent = t.staff("ga_proxy2").await;
    field(
        complete(&agent, id, hire, json!({"note": "已取得"})).await,
        422,
        "scan",
    )
    .await;
    field(
        complete(
            &agent,
            id,
            hire,
            json!({"note": "已取得", "scan": b64(b"MZ\x90\x00 not a scan")}),
        )
        .await,
        422,
        "scan",
    )
    .await;
    field(
        complete(&agent, id, hire, json!({"note": "已取得", "scan": "@@@"})).await,
        422,
        "scan",
    )
    .await;
    field(
        complete(&agent, id, hire, json!({"note": " ", "scan": b64(PDF)})).await,
        422,
        "note",
    )
    .await;
    assert_eq!(
        proof(&case_of(&clerk, id).await, HIRE)["state"],
        "in_progress"
    );
    // The B post records it: resolved, by whom and when; the scan is kept with its hash.
    let r = complete(
        &agent,
        id,
        hire,
        json!({"note": "自县人社局取得录用证明 RS-2026-17", "scan": b64(PDF)}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let c: Value = r.json().await.unwrap();
    let h = proof(&c, HIRE);
    assert_eq!(h["state"], "resolved");
    assert_eq!(h["resolved_by"], "黄代办");
    assert!(h["evidence"].as_str().unwrap().contains("SM3"), "{h}");
    let r = clerk
        .get(&format!("/api/v1/cases/{id}/proofs/{hire}/scan"))
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert_eq!(r.bytes().await.unwrap().as_ref(), PDF);
    let page: Value = agent.json("/api/v1/cases/proxy-tasks?limit=200").await;
    assert!(
        !page["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["case_id"] == id)
    );
    // Done once: a second recording is refused.
    assert_eq!(
        complete(&agent, id, hire, json!({"note": "再次", "scan": b64(PDF)}))
            .await
            .status(),
        409
    );
}

// SPEC R5.10, A2 §7, A5 §4: an overdue proxy task escalates like a verification — the unit
// and the joint office are told and a violation record is made, once.
async fn an_overdue_proxy_task_escalates_once(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let clerk = t.staff("ga_clerk").await;
    let case = open(&clerk, &code_of(&t, MIGRATION).await, false).await;
    let id = case["id"].as_i64().unwrap();
    let hire = proof(&case, HIRE)["proof_item_id"].as_i64().unwrap();
    assert_eq!(resolve(&clerk, id, hire, "proxy", "").await.status(), 200);
    let source = format!("case:{id}/proxy:{hire}");
    let records = "SELECT COUNT(*) FROM violation_records WHERE source_ref = ?";
    proofless_app::jobs::run_once(&t.app, "test").await.unwrap();
    assert_eq!(count(&t, records, &source).await, 0, "not due yet");
    t.clock.advance(Duration::days(7));
    proofless_app::jobs::run_once(&t.app, "test").await.unwrap();
    assert_eq!(count(&t, records, &source).await, 1);
    let overdue = "SELECT COUNT(*) FROM notifications WHERE link = ? AND text LIKE '%代办逾期%'";
    assert_eq!(count(&t, overdue, &format!("/cases/{id}")).await, 2);
    proofless_app::jobs::run_once(&t.app, "test").await.unwrap();
    assert_eq!(
        proofless_app::cases::escalate_late(&t.app, "again")
            .await
            .unwrap(),
        0
    );
    assert_eq!(count(&t, records, &source).await, 1, "exactly once");
    assert_eq!(count(&t, overdue, &format!("/cases/{id}")).await, 2);
    // The agent still records it late; the inbox marks it overdue meanwhile.
    let agent = t.staff("ga_proxy1").await;
    let page: Value = agent.json("/api/v1/cases/proxy-tasks?limit=200").await;
    let task = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["case_id"] == id)
        .cloned()
        .unwrap();
    assert!(task["overdue_at"].is_i64(), "{task}");
    let r = complete(
        &agent,
        id,
        hire,
        json!({"note": "逾期取得", "scan": b64(PDF)}),
    )
    .await;
    assert_eq!(r.status(), 200);
}

// SPEC R5.10, P 三(二)3, "Trial rules": the applicant gets a sealed notice of what is
// missing and by when; on time the proof is supplied; late, the rule the unit set when the
// deficiency was accepted applies (refuse, then suspend and resume).
async fn deficiency_gets_a_sealed_notice_and_a_late_supplement_follows_the_units_rule(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let admin = t.staff("ga_admin").await;
    let clerk = t.staff("ga_clerk").await;
    let code = code_of(&t, NO_PAPERS).await;
    // The unit's rule: the admin sets it; bad input is refused by field, others may not.
    let before: Value = admin.json("/api/v1/cases/late-rules").await;
    assert_eq!(before["in_force"], "suspend");
    let n = before["versions"].as_array().unwrap().len();
    field(
        post(
            &admin,
            json!({"rule": "ignore", "effective_from": today(&t)}),
        )
        .await,
        422,
        "rule",
    )
    .await;
    field(
        post(
            &admin,
            json!({"rule": "refuse", "effective_from": "2020-01-01"}),
        )
        .await,
        422,
        "effective_from",
    )
    .await;
    field(
        post(&admin, json!({"rule": "refuse", "effective_from": "明天"})).await,
        422,
        "effective_from",
    )
    .await;
    assert_eq!(
        post(
            &clerk,
            json!({"rule": "refuse", "effective_from": today(&t)})
        )
        .await
        .status(),
        403
    );
    let r: Value = admin.json("/api/v1/cases/late-rules").await;
    assert_eq!(
        r["versions"].as_array().unwrap().len(),
        n,
        "nothing changed"
    );
    let r = post(
        &admin,
        json!({"rule": "refuse", "effective_from": today(&t), "note": "试行"}),
    )
    .await;
    assert_eq!(r.status(), 201);

    // Accepted with the deficiency: the sealed notice names what is missing and the rule.
    let case = open(&clerk, &code, true).await;
    let id = case["id"].as_i64().unwrap();
    let papers = proof(&case, PAPERS)["proof_item_id"].as_i64().unwrap();
    let r = resolve(
        &clerk,
        id,
        papers,
        "deficiency_acceptance",
        "兵役机关证件原件",
    )
    .await;
    assert_eq!(r.status(), 200);
    let c: Value = r.json().await.unwrap();
    let p = proof(&c, PAPERS);
    assert_eq!(p["state"], "deferred");
    assert_eq!(p["missing"], "兵役机关证件原件");
    assert_eq!(p["late_rule"], "refuse");
    let notice = p["notice_id"].as_str().unwrap().to_owned();
    let v: Value = t
        .client()
        .json(&format!("/api/v1/public/sealed/{notice}/verify"))
        .await;
    assert_eq!(v["valid"], true, "{v}");

    // On time: supplied, resolved.
    let on_time = open(&clerk, &code, true).await;
    let ot = on_time["id"].as_i64().unwrap();
    assert_eq!(
        resolve(&clerk, ot, papers, "deficiency_acceptance", "")
            .await
            .status(),
        200
    );
    let r = complete(
        &clerk,
        ot,
        papers,
        json!({"note": "申请人补交原件，已核对"}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let c: Value = r.json().await.unwrap();
    assert_eq!(proof(&c, PAPERS)["state"], "resolved");

    // Late under "refuse": the supplement is refused and the case is refused, recorded.
    t.clock.advance(Duration::days(10));
    let clerk = t.staff("ga_clerk").await;
    let r = complete(&clerk, id, papers, json!({"note": "逾期补交"})).await;
    assert_eq!(r.status(), 409);
    let c = case_of(&clerk, id).await;
    assert_eq!(c["state"], "decided");
    assert_eq!(c["outcome"], "refused");
    assert!(
        c["decision_reason"]
            .as_str()
            .unwrap()
            .contains("逾期未补正"),
        "{c}"
    );
    assert_eq!(proof(&c, PAPERS)["state"], "deferred");
    let audited = "SELECT COUNT(*) FROM audit_log WHERE action = ? AND object_id = ?";
    let n = t
        .app
        .db
        .reader()
        .scalar_i64(
            proofless_store::q(audited)
                .bind("case.supplement.late")
                .bind(id.to_string()),
        )
        .await
        .unwrap();
    assert_eq!(n, 1);

    // The unit turns to "suspend" (a new version): a case accepted now follows it.
    let admin = t.staff("ga_admin").await;
    let r = post(
        &admin,
        json!({"rule": "suspend", "effective_from": today(&t)}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let case = open(&clerk, &code, true).await;
    let sid = case["id"].as_i64().unwrap();
    assert_eq!(
        resolve(&clerk, sid, papers, "deficiency_acceptance", "")
            .await
            .status(),
        200
    );
    assert_eq!(
        proof(&case_of(&clerk, sid).await, PAPERS)["late_rule"],
        "suspend"
    );
    t.clock.advance(Duration::days(10));
    proofless_app::jobs::run_once(&t.app, "test").await.unwrap();
    let clerk = t.staff("ga_clerk").await;
    let c = case_of(&clerk, sid).await;
    assert_eq!(c["state"], "open");
    assert!(c["suspended_at"].is_i64(), "{c}");
    // Suspended: no decision on the merits until the supplement comes.
    let r = clerk
        .post_json(
            &format!("/api/v1/cases/{sid}/decision"),
            &json!({"outcome": "approved"}),
        )
        .await;
    field(r, 422, "outcome").await;
    assert_eq!(case_of(&clerk, sid).await["state"], "open");
    let r = complete(&clerk, sid, papers, json!({"note": "申请人补交原件"})).await;
    assert_eq!(r.status(), 200);
    let c: Value = r.json().await.unwrap();
    assert!(c["suspended_at"].is_null(), "{c}");
    let r = clerk
        .post_json(
            &format!("/api/v1/cases/{sid}/decision"),
            &json!({"outcome": "approved"}),
        )
        .await;
    assert_eq!(r.status(), 200);
}

both_backends!(
    a_proxy_task_is_in_the_agents_inbox_and_only_an_agent_records_it,
    an_overdue_proxy_task_escalates_once,
    deficiency_gets_a_sealed_notice_and_a_late_supplement_follows_the_units_rule,
);
