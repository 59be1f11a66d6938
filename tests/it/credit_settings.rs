//! Issue #15 item 9 (SPEC "Trial rules"): the blacklist objection period, the credit-repair
//! minimum, the score changes and the levels' thresholds are versioned settings, listed
//! publicly, changed by the credit office through the API (audited), and a case keeps the
//! version in force when it started.

use chrono::Duration;
use serde_json::{Value, json};

use crate::commitment_flow::{LI, RESIDENCE, ZHANG, check_everyone, citizen, sign_portal};
use crate::commitment_rules::day;
use crate::common::{Backend, TestApp, spawn_demo};

fn setting<'a>(all: &'a Value, key: &str) -> &'a Value {
    all.as_array()
        .unwrap()
        .iter()
        .find(|s| s["key"] == key)
        .unwrap_or_else(|| panic!("{key} listed: {all}"))
}

// SPEC "Trial rules": every limit and threshold is a versioned setting with an effective
// date, changed by the responsible office, audited; bad input named in Chinese.
async fn settings_are_public_and_changed_by_the_responsible_office(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let anon = t.client();
    let all: Value = anon.json("/api/v1/policy").await;
    let objection = setting(&all, "credit.objection_days");
    assert_eq!(objection["default"], 7);
    assert_eq!(objection["in_force"], 7);
    assert_eq!(objection["in_force_version"], 0);
    assert_eq!(setting(&all, "credit.repair_min_days")["default"], 90);
    assert_eq!(
        setting(&all, "credit.delta.commitment_false")["default"],
        -300
    );
    assert_eq!(
        setting(&all, "credit.level_thresholds")["default"],
        json!([900, 700, 500])
    );
    let domains = setting(&all, "commitment.excluded_risk_domains")["default"].clone();
    assert!(domains.to_string().contains("国家安全"), "{domains}");
    assert_eq!(anon.get("/api/v1/policy/no.such.key").await.status(), 404);
    let path = "/api/v1/policy/credit.objection_days/versions";
    let good = json!({"value": 10, "effective_from": day(&t, 0), "note": "县信用办试行期调整"});
    assert_eq!(anon.post_json(path, &good).await.status(), 401);
    assert_eq!(
        t.staff("joint").await.post_json(path, &good).await.status(),
        403
    );
    let credit = t.staff("credit").await;
    // Every bad field at once, in Chinese, nothing saved.
    let r = credit
        .post_json(
            path,
            &json!({"value": 0, "effective_from": "2026-13-01", "note": " "}),
        )
        .await;
    assert_eq!(r.status(), 422);
    let p: Value = r.json().await.unwrap();
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["value", "effective_from", "note"], "{p}");
    assert!(p.to_string().contains("异议期"), "{p}");
    // The past stays as it was decided.
    let r = credit
        .post_json(
            path,
            &json!({"value": 10, "effective_from": day(&t, -1), "note": "追溯"}),
        )
        .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("不能追溯"));
    let r = credit
        .post_json(
            "/api/v1/policy/credit.level_thresholds/versions",
            &json!({"value": [700, 800, 500], "effective_from": day(&t, 0), "note": "调整"}),
        )
        .await;
    assert_eq!(r.status(), 422, "thresholds descend from A to C");
    let unchanged: Value = anon.json("/api/v1/policy/credit.objection_days").await;
    assert_eq!(unchanged["versions"].as_array().unwrap().len(), 0);
    // A good version today is in force today, and audited.
    let r = credit.post_json(path, &good).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let v: Value = r.json().await.unwrap();
    assert_eq!(
        (v["in_force"].clone(), v["in_force_version"].clone()),
        (json!(10), json!(1))
    );
    let admin = t.staff("admin").await;
    let log: Value = admin
        .json("/api/v1/audit?object_type=policy_setting&limit=10")
        .await;
    assert!(log.to_string().contains("credit.objection_days#1"), "{log}");
}

async fn proposal_of(t: &TestApp, rid: &str) -> Value {
    let credit = t.staff("credit").await;
    let all: Value = credit.json("/api/v1/credit/proposals").await;
    let pid = crate::commitment_flow::person_ref(t, rid).await;
    all.as_array()
        .unwrap()
        .iter()
        .find(|p| p["subject_ref"] == pid)
        .cloned()
        .unwrap()
}

async fn score(t: &TestApp, rid: &str) -> i64 {
    let credit = t.staff("credit").await;
    let s: Value = credit
        .json(&format!(
            "/api/v1/credit/subjects/{}",
            crate::commitment_flow::person_ref(t, rid).await
        ))
        .await;
    s["score"].as_i64().unwrap()
}

async fn find_false(t: &TestApp, commitment_id: &Value) {
    let inspector = t.staff("sj_inspector").await;
    let r = inspector
        .post_json(
            &format!("/api/v1/commitments/{commitment_id}/check"),
            &json!({"result": "false", "evidence": "现场核查：承诺地址为空置民宅", "consequence": "revoke_decision"}),
        )
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
}

// SPEC "Trial rules" and R4.8: a case uses the version in force when it started — a later
// objection period or score change does not reach back to an earlier proposal or commitment.
async fn a_new_version_does_not_change_an_earlier_outcome(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    check_everyone(&t, RESIDENCE, "县市场监管局").await;
    let mut signed = vec![];
    for rid in [LI, ZHANG] {
        let c = citizen(&t, rid).await;
        let r = sign_portal(&t, &c, RESIDENCE, "县行政审批服务局", rid).await;
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        signed.push(r.json::<Value>().await.unwrap()["id"].clone());
    }
    // Day 0: 李四's promise is found false: the due process opens under the seed's 7 days.
    find_false(&t, &signed[0]).await;
    assert_eq!(score(&t, LI).await, 750 - 300);
    // The credit office sets 10 days and a heavier penalty from tomorrow.
    let credit = t.staff("credit").await;
    for (key, value) in [
        ("credit.objection_days", 10),
        ("credit.delta.commitment_false", -500),
    ] {
        let r = credit
            .post_json(
                &format!("/api/v1/policy/{key}/versions"),
                &json!({"value": value, "effective_from": day(&t, 1), "note": "县信用办试行期调整"}),
            )
            .await;
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["in_force_version"], 0, "not before its date");
    }
    t.clock.advance(Duration::days(1));
    // Day 1: 张三's promise, signed on day 0, is found false: the score change in force when
    // it was signed applies; the due process opening today takes today's period.
    find_false(&t, &signed[1]).await;
    assert_eq!(
        score(&t, ZHANG).await,
        750 - 300,
        "signed before the change"
    );
    let a = proposal_of(&t, LI).await;
    let b_ = proposal_of(&t, ZHANG).await;
    let days = |p: &Value| {
        (p["objection_until"].as_i64().unwrap() - p["created_at"].as_i64().unwrap()) / 86_400_000
    };
    assert_eq!(days(&a), 7, "the earlier proposal keeps its period");
    assert_eq!(days(&b_), 10);
    // Eight days after the first proposal: it may be decided, the second may not yet.
    t.clock.advance(Duration::days(7));
    let credit = t.staff("credit").await;
    let decide = |p: &Value| format!("/api/v1/credit/proposals/{}/decision", p["id"]);
    let body = json!({"decision": "dismiss", "reasons": "试行期内首次，不予列入"});
    let r = credit.post_json(&decide(&a), &body).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let r = credit.post_json(&decide(&b_), &body).await;
    assert_eq!(r.status(), 409);
    assert!(r.text().await.unwrap().contains("异议期"));
}

/// The text of the settings page's value field of `anchor` (a text area or an input).
fn form_value(html: &str, anchor: &str) -> String {
    let id = format!("id=\"value-{anchor}\"");
    let at = html.find(&id).unwrap_or_else(|| panic!("no field {id}"));
    let rest = &html[at..];
    let text = if html[..at].ends_with("<textarea name=\"value\" ") {
        let body = &rest[rest.find('>').unwrap() + 1..];
        &body[..body.find("</textarea>").unwrap()]
    } else {
        let v = &rest[rest.find("value=\"").unwrap() + 7..];
        &v[..v.find('"').unwrap()]
    };
    text.replace("&#10;", "\n").replace("&amp;", "&")
}

// Issue #22 point 1: the settings page shows each value as labelled Chinese lines — a code
// list in its words, the import's header table one field a line — and its form takes the
// same words back, stored as the codes the rules read.
async fn the_settings_page_reads_in_words_and_its_form_takes_them_back(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let joint = t.staff("joint").await;
    let html = joint.get("/policy").await.text().await.unwrap();
    assert!(
        html.contains("<li>层级：层级、行使层级、清单层级</li>"),
        "{html}"
    );
    assert!(
        html.contains("法律、行政法规、地方性法规、国务院决定"),
        "{html}"
    );
    // The page's own text (the body's htmx headers attribute is JSON by design).
    let main = &html[html.find("<main").unwrap_or(0)..];
    for raw in ["administrative_regulation", "\"level\"", "{&#34;", "{\""] {
        assert!(!main.contains(raw), "{raw} on the page");
    }
    let today = day(&t, 0);
    let post = |key: &'static str, value: String| {
        let joint = &joint;
        let today = today.clone();
        async move {
            let csrf = joint.form_token("/policy").await;
            joint
                .http
                .post(joint.url(&format!("/policy/{key}")))
                .form(&[
                    ("csrf", csrf.as_str()),
                    ("value", value.as_str()),
                    ("effective_from", today.as_str()),
                    ("note", "联席办试行期调整"),
                ])
                .send()
                .await
                .unwrap()
        }
    };
    // The header table: the form's own text with one name added to a line.
    let text = form_value(&html, "catalogue-import_header_aliases");
    assert!(
        text.contains("\n层级：层级、行使层级、清单层级\n"),
        "{text}"
    );
    let text = text.replace(
        "\n层级：层级、行使层级、清单层级\n",
        "\n层级：层级、行使层级、清单层级、所属层级\n",
    );
    let r = post("catalogue.import_header_aliases", text).await;
    let status = r.status();
    let body = r.text().await.unwrap();
    assert_eq!(status, 303, "{body}");
    let v: Value = joint
        .json("/api/v1/policy/catalogue.import_header_aliases")
        .await;
    assert_eq!(
        v["in_force"]["level"],
        json!(["层级", "行使层级", "清单层级", "所属层级"])
    );
    assert_eq!(v["in_force"]["name"], v["default"]["name"], "the rest kept");
    // A code list typed in words is stored as codes.
    let text = form_value(&html, "catalogue-statutory_basis_kinds");
    assert_eq!(text, "法律、行政法规、地方性法规、国务院决定");
    let r = post(
        "catalogue.statutory_basis_kinds",
        format!("{text}、部门规章"),
    )
    .await;
    assert_eq!(r.status(), 303);
    let v: Value = joint
        .json("/api/v1/policy/catalogue.statutory_basis_kinds")
        .await;
    assert_eq!(
        v["in_force"],
        json!([
            "law",
            "administrative_regulation",
            "local_regulation",
            "state_council_decision",
            "departmental_rule"
        ])
    );
    // A line without its colon is named beside the field, in Chinese.
    let r = post("catalogue.import_header_aliases", "层级 层级".to_owned()).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("没有冒号"));
}

both_backends!(
    the_settings_page_reads_in_words_and_its_form_takes_them_back,
    settings_are_public_and_changed_by_the_responsible_office,
    a_new_version_does_not_change_an_earlier_outcome,
);
