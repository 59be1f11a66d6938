//! Cases end to end over HTTP (issue #17 §1): the proofs come from the published list,
//! each is resolved by a listed method, the decision waits for them, and every refusal
//! names its field and changes nothing.

use serde_json::{Value, json};

use crate::common::{Backend, Client, TestApp, spawn_demo};
use crate::verification::{ZHANG, body, item, scalar};

const FUNERAL: &str = "丧葬补助金、抚恤金申领（社保）";
const MIGRATION: &str = "户籍迁移登记";
const NO_PAPERS: &str = "无迁移证件人员迁入户籍登记";

async fn code_of(t: &TestApp, service: &str) -> String {
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

async fn count(t: &TestApp, sql: &str) -> i64 {
    t.app
        .db
        .reader()
        .scalar_i64(proofless_store::q(sql))
        .await
        .unwrap()
}

async fn problem(r: reqwest::Response, status: u16, field: &str) -> Value {
    assert_eq!(r.status(), status);
    let v: Value = r.json().await.unwrap();
    let fields: Vec<&str> = v["errors"]
        .as_array()
        .map(|a| a.iter().filter_map(|e| e["field"].as_str()).collect())
        .unwrap_or_default();
    assert!(fields.contains(&field), "{field} not in {v}");
    v
}

async fn open(c: &Client, code: &str, immediate: bool) -> Value {
    let r = c
        .post_json(
            "/api/v1/cases",
            &json!({"service_item_code": code, "applicant_kind": "person", "applicant": ZHANG,
                    "immediate": immediate}),
        )
        .await;
    let status = r.status();
    let v: Value = r.json().await.unwrap();
    assert_eq!(status, 201, "{v}");
    v
}

fn proof<'a>(case: &'a Value, name: &str) -> &'a Value {
    case["proofs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["proof_item_name"] == name)
        .unwrap_or_else(|| panic!("{name} not in {case}"))
}

async fn done(c: &Client, case: i64, item: i64, note: &str) -> reqwest::Response {
    c.post_json(
        &format!("/api/v1/cases/{case}/proofs/{item}/completion"),
        &json!({ "note": note }),
    )
    .await
}

async fn resolve(c: &Client, case: i64, item: i64, method: &str) -> reqwest::Response {
    c.post_json(
        &format!("/api/v1/cases/{case}/proofs/{item}/resolution"),
        &json!({"method": method, "note": ""}),
    )
    .await
}

// SPEC R6.1, 优化营商环境条例 §44, A2 §9, R5.2: a case's proofs are the published list's;
// one resolved by the applicant's own copy, one by a verification answered; the decision
// waits for both.
async fn a_case_is_decided_only_when_its_listed_proofs_are_resolved(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let sj = t.staff("sj_liaison").await;
    let code = code_of(&t, FUNERAL).await;
    let cases_before = count(&t, "SELECT COUNT(*) FROM cases").await;

    // Bad input names the field and registers nothing.
    let r = sj
        .post_json(
            "/api/v1/cases",
            &json!({"service_item_code": "NO-SUCH", "applicant_kind": "person",
                    "applicant": "370322199001011230", "immediate": true}),
        )
        .await;
    let v = problem(r, 422, "service_item_code").await;
    assert!(v.to_string().contains("applicant"), "{v}");
    let r = sj
        .post_json(
            "/api/v1/cases",
            &json!({"service_item_code": code, "applicant_kind": "person", "applicant_id": 1,
                    "immediate": true}),
        )
        .await;
    assert_eq!(r.status(), 422, "internal ids are not accepted");
    assert_eq!(count(&t, "SELECT COUNT(*) FROM cases").await, cases_before);

    let case = open(&sj, &code, true).await;
    let id = case["id"].as_i64().unwrap();
    // The applicant is named by public id, never by internal id.
    assert_eq!(case["applicant"].as_str().unwrap().len(), 32, "{case}");
    assert!(case.get("applicant_id").is_none());
    let hukou = proof(&case, "注销户口证明");
    assert_eq!(hukou["state"], "pending");
    assert_eq!(
        hukou["methods"],
        json!([
            "verification",
            "applicant_provided",
            "deficiency_acceptance"
        ])
    );
    let death = proof(&case, "居民死亡医学证明（推断）书");
    assert!(death["methods"].to_string().contains("data_sharing"));
    let death_id = death["proof_item_id"].as_i64().unwrap();
    let hukou_id = hukou["proof_item_id"].as_i64().unwrap();

    // Deciding with unresolved proofs is refused and changes nothing.
    let r = sj
        .post_json(
            &format!("/api/v1/cases/{id}/decision"),
            &json!({"outcome": "approved"}),
        )
        .await;
    let v = problem(r, 422, "outcome").await;
    assert!(v.to_string().contains("注销户口证明"), "{v}");
    let now: Value = sj.json(&format!("/api/v1/cases/{id}")).await;
    assert_eq!(now["state"], "open");

    // Data sharing is done by a pull (issue #18), not by a clerk's click: the method says so
    // and the others remain.
    let v = problem(
        resolve(&sj, id, death_id, "data_sharing").await,
        422,
        "method",
    )
    .await;
    assert!(v.to_string().contains("调取电子证照"), "{v}");
    // A proof not on the list, a method for another workflow: refused by field.
    let other = item(&t, "临时身份证明").await;
    problem(
        resolve(&sj, id, other, "applicant_provided").await,
        422,
        "proof_item_id",
    )
    .await;
    problem(
        resolve(&sj, id, death_id, "commitment").await,
        422,
        "method",
    )
    .await;
    problem(resolve(&sj, id, death_id, "robot").await, 422, "method").await;
    // A2 §9: the applicant's own copy is recorded, never refused.
    let r = resolve(&sj, id, death_id, "applicant_provided").await;
    assert_eq!(r.status(), 200);
    let c: Value = r.json().await.unwrap();
    let death = proof(&c, "居民死亡医学证明（推断）书");
    assert_eq!(death["state"], "resolved");
    assert_eq!(death["method"], "applicant_provided");
    assert!(death["resolved_by"].is_string() && death["resolved_at"].is_i64());

    // A verification for a proof not on the case's list is refused by field.
    let mut x = body(item(&t, "无犯罪记录证明（教师资格认定）").await);
    x["case_id"] = json!(id);
    let r = sj.post_json("/api/v1/verifications", &x).await;
    problem(r, 422, "proof_item_id").await;
    // The listed one goes out and is linked to the proof; the answer resolves it.
    let mut x = body(hukou_id);
    x["case_id"] = json!(id);
    let r = sj.post_json("/api/v1/verifications", &x).await;
    assert_eq!(r.status(), 201);
    let v: Value = r.json().await.unwrap();
    let vid = v["id"].as_i64().unwrap();
    let c: Value = sj.json(&format!("/api/v1/cases/{id}")).await;
    assert_eq!(proof(&c, "注销户口证明")["state"], "in_progress");
    assert_eq!(proof(&c, "注销户口证明")["verification_id"], vid);
    let ga = t.staff("ga_proxy1").await;
    let r = ga
        .post_json(
            &format!("/api/v1/verifications/{vid}/answer"),
            &json!({"outcome": "confirmed"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let c: Value = sj.json(&format!("/api/v1/cases/{id}")).await;
    let h = proof(&c, "注销户口证明");
    assert_eq!(h["state"], "resolved", "{c}");
    assert!(h["evidence"].as_str().unwrap().contains("已反馈"), "{h}");

    // Another unit neither reads nor decides it.
    let ga_clerk = t.staff("ga_clerk").await;
    assert_eq!(
        ga_clerk.get(&format!("/api/v1/cases/{id}")).await.status(),
        403
    );
    let r = ga_clerk
        .post_json(
            &format!("/api/v1/cases/{id}/decision"),
            &json!({"outcome": "approved"}),
        )
        .await;
    assert_eq!(r.status(), 403);
    // A refusal needs its reason.
    let r = sj
        .post_json(
            &format!("/api/v1/cases/{id}/decision"),
            &json!({"outcome": "refused", "reason": " "}),
        )
        .await;
    problem(r, 422, "reason").await;
    let r = sj
        .post_json(
            &format!("/api/v1/cases/{id}/decision"),
            &json!({"outcome": "approved"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let c: Value = r.json().await.unwrap();
    assert_eq!(c["state"], "decided");
    assert_eq!(c["outcome"], "approved");
    let r = sj
        .post_json(
            &format!("/api/v1/cases/{id}/decision"),
            &json!({"outcome": "approved"}),
        )
        .await;
    assert_eq!(r.status(), 409);
    // Listed for the unit with nothing left unresolved.
    let page: Value = sj.json("/api/v1/cases?state=decided").await;
    assert!(page["total"].as_i64().unwrap() >= 1);
    assert_eq!(page["items"][0]["unresolved"], 0);
}

// R5.10: a proxy task runs on its deadline until the agent records the proof; an abolished
// proof needs nothing; deficiency acceptance lets the case be decided; withdrawal and
// termination need no resolution (termination needs its ground).
async fn proxy_and_deficiency_resolve_and_withdrawal_needs_none(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let ga = t.staff("ga_clerk").await;
    let case = open(&ga, &code_of(&t, MIGRATION).await, false).await;
    let id = case["id"].as_i64().unwrap();
    let abolished = proof(
        &case,
        "户籍证明（户口簿已记载的户口迁移、住址变动、项目变更等事项）",
    );
    assert_eq!(abolished["state"], "resolved");
    assert_eq!(abolished["method"], "abolished");
    let hire = proof(&case, "录用证明、录取证明或准予迁入证明");
    let hire_id = hire["proof_item_id"].as_i64().unwrap();
    assert!(hire["methods"].to_string().contains("proxy"));
    // Completing before a proxy task exists is refused.
    assert_eq!(done(&ga, id, hire_id, "扫描件").await.status(), 409);
    let r = resolve(&ga, id, hire_id, "proxy").await;
    assert_eq!(r.status(), 200);
    let c: Value = r.json().await.unwrap();
    let h = proof(&c, "录用证明、录取证明或准予迁入证明");
    assert_eq!(h["state"], "in_progress");
    let did = h["deadline_id"].as_i64().unwrap();
    let dl: Value = ga.json(&format!("/api/v1/deadlines/{did}")).await;
    assert_eq!(dl["state"], "open", "{dl}");
    // The same proof cannot be sent to proxy twice.
    assert_eq!(resolve(&ga, id, hire_id, "proxy").await.status(), 409);
    let r = ga
        .post_json(
            &format!("/api/v1/cases/{id}/decision"),
            &json!({"outcome": "approved"}),
        )
        .await;
    problem(r, 422, "outcome").await;
    problem(done(&ga, id, hire_id, " ").await, 422, "note").await;
    // Only a proxy agent records it, with the scan (R5.10; see cases_tasks).
    assert_eq!(
        done(&ga, id, hire_id, "窗口人员代为登记").await.status(),
        403
    );
    let agent = t.staff("ga_proxy1").await;
    let r = agent
        .post_json(
            &format!("/api/v1/cases/{id}/proofs/{hire_id}/completion"),
            &json!({"note": "代办员自县人社局取得录用证明扫描件 SM-2026-001",
                    "scan": crate::cases_tasks::b64(crate::cases_tasks::PDF)}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let dl: Value = ga.json(&format!("/api/v1/deadlines/{did}")).await;
    assert_eq!(dl["state"], "done");
    let r = ga
        .post_json(
            &format!("/api/v1/cases/{id}/decision"),
            &json!({"outcome": "approved"}),
        )
        .await;
    assert_eq!(r.status(), 200);

    // Deficiency acceptance: deferred with a supplement deadline; the case may be decided.
    let case = open(&ga, &code_of(&t, NO_PAPERS).await, true).await;
    let id = case["id"].as_i64().unwrap();
    let papers = proof(&case, "兵役机关证件或释放证明")["proof_item_id"]
        .as_i64()
        .unwrap();
    let r = resolve(&ga, id, papers, "deficiency_acceptance").await;
    assert_eq!(r.status(), 200);
    let c: Value = r.json().await.unwrap();
    assert_eq!(proof(&c, "兵役机关证件或释放证明")["state"], "deferred");
    let r = ga
        .post_json(
            &format!("/api/v1/cases/{id}/decision"),
            &json!({"outcome": "approved"}),
        )
        .await;
    assert_eq!(r.status(), 200);

    // Withdrawal needs no resolution; termination needs its ground.
    let case = open(&ga, &code_of(&t, MIGRATION).await, false).await;
    let id = case["id"].as_i64().unwrap();
    let r = ga
        .post_json(
            &format!("/api/v1/cases/{id}/decision"),
            &json!({"outcome": "terminated"}),
        )
        .await;
    problem(r, 422, "reason").await;
    let r = ga
        .post_json(
            &format!("/api/v1/cases/{id}/decision"),
            &json!({"outcome": "withdrawn_by_applicant"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let c: Value = r.json().await.unwrap();
    assert_eq!(c["outcome"], "withdrawn_by_applicant");
    // A closed case takes no more resolutions.
    assert_eq!(
        resolve(&ga, id, hire_id, "applicant_provided")
            .await
            .status(),
        409
    );
}

// A5 §4(1), 优化营商环境条例 §44: a proof demanded outside the list leaves a violation
// record (once); a listed proof cannot be reported as outside it.
async fn a_proof_demanded_outside_the_list_is_a_violation_record(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let ga = t.staff("ga_clerk").await;
    let case = open(&ga, &code_of(&t, MIGRATION).await, false).await;
    let id = case["id"].as_i64().unwrap();
    let before = count(&t, "SELECT COUNT(*) FROM violation_records").await;
    let path = format!("/api/v1/cases/{id}/demanded-proofs");
    let r = ga.post_json(&path, &json!({"proof_name": ""})).await;
    problem(r, 422, "proof_name").await;
    let r = ga
        .post_json(
            &path,
            &json!({"proof_name": "录用证明、录取证明或准予迁入证明"}),
        )
        .await;
    problem(r, 422, "proof_name").await;
    let r = ga
        .post_json(
            &path,
            &json!({"proof_name": "无犯罪记录证明", "note": "业务科室口头要求"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let v: Value = r.json().await.unwrap();
    assert!(v["violation_id"].is_i64(), "{v}");
    let r = ga
        .post_json(&path, &json!({"proof_name": "无犯罪记录证明"}))
        .await;
    assert_eq!(r.status(), 201);
    let v: Value = r.json().await.unwrap();
    assert!(v["violation_id"].is_null(), "recorded once: {v}");
    assert_eq!(
        count(&t, "SELECT COUNT(*) FROM violation_records").await,
        before + 1
    );
    let kind = scalar(
        &t,
        "SELECT COUNT(*) FROM violation_records WHERE kind = 'proof_demanded' AND source_ref LIKE ?",
        &format!("case:{id}/%"),
    )
    .await;
    assert_eq!(kind, 1);
    // Nothing was added to the case's proofs.
    let c: Value = ga.json(&format!("/api/v1/cases/{id}")).await;
    assert_eq!(c["proofs"].as_array().unwrap().len(), 2);
}

both_backends!(
    a_case_is_decided_only_when_its_listed_proofs_are_resolved,
    proxy_and_deficiency_resolve_and_withdrawal_needs_none,
    a_proof_demanded_outside_the_list_is_a_violation_record,
);

// Issue #17 §4: 在线办理 from a service page starts a case after login (the link is
// remembered through the login), 我的办件 lists it, the applicant reads every proof; the unit
// the catalogue names handles it, and no other unit reads it.
async fn a_citizen_starts_a_case_online_and_follows_it(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let code = code_of(&t, MIGRATION).await;
    let start = format!("/portal/cases/start?code={code}");
    let r = t.client().get(&start).await;
    assert!(r.status().is_redirection());
    // Issue #22 §2: the deep link survives the login.
    let to = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        to.starts_with("/portal/login?next=%2Fportal%2Fcases%2Fstart"),
        "{to}"
    );
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("pl_next="), "{cookie}");
    let me = crate::commitment_flow::citizen(&t, ZHANG).await;
    // The link alone changes nothing: the applicant confirms (a POST with the form's token).
    let before = count(&t, "SELECT COUNT(*) FROM cases").await;
    let r = me.get(&start).await;
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("确认在线办理"));
    assert_eq!(count(&t, "SELECT COUNT(*) FROM cases").await, before);
    let token = me.form_token(&start).await;
    let r = me
        .post_raw(
            "/portal/cases/start",
            "application/x-www-form-urlencoded",
            format!("csrf={token}&code={code}").into_bytes(),
        )
        .await;
    assert!(r.status().is_redirection(), "{}", r.status());
    let to = r.headers()["location"].to_str().unwrap().to_owned();
    let id: i64 = to.trim_start_matches("/portal/cases/").parse().unwrap();
    let mine: Value = me.json("/api/v1/portal/cases").await;
    assert_eq!(mine[0]["id"], id, "{mine}");
    let case: Value = me.json(&format!("/api/v1/cases/{id}")).await;
    assert_eq!(case["proofs"].as_array().unwrap().len(), 2);
    let page = me.get(&to).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("受理") && html.contains("录用证明"), "{html}");
    // The unit of the service handles it; another unit does not see it.
    assert_eq!(
        t.staff("ga_clerk")
            .await
            .get(&format!("/api/v1/cases/{id}"))
            .await
            .status(),
        200
    );
    assert_eq!(
        t.staff("sj_clerk")
            .await
            .get(&format!("/api/v1/cases/{id}"))
            .await
            .status(),
        403
    );
    // An unknown service starts nothing.
    let before = count(&t, "SELECT COUNT(*) FROM cases").await;
    let r = me.get("/portal/cases/start?code=NO-SUCH").await;
    assert_eq!(r.status(), 422);
    let r = me
        .post_raw(
            "/portal/cases/start",
            "application/x-www-form-urlencoded",
            format!("csrf={token}&code=NO-SUCH").into_bytes(),
        )
        .await;
    assert_eq!(r.status(), 422);
    assert_eq!(count(&t, "SELECT COUNT(*) FROM cases").await, before);
}

both_backends!(a_citizen_starts_a_case_online_and_follows_it);
