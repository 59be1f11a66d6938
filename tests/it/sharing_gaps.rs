//! Issue #18, the gaps: the applicant's consent once for a whole case (scoped to the case and
//! its unit, expiring), the counter's pull page, the city connector's durable retries and
//! the outside-city request's deadline in the deadline engine (A4 §4(4)).

use proofless_store::q;
use serde_json::{Value, json};

use crate::city_platform::{self, APP_ID, Mode, SECRET};
use crate::commitment_flow::{LI, ZHANG, citizen, item, open_case, person, service_of};
use crate::common::{Backend, Client, TestApp, spawn_demo};
use crate::sharing_flow::{DEATH, World, issue, publish, pull_body, world, zhang_citizen};

const FORM: &str = "application/x-www-form-urlencoded";

async fn mz_clerk(t: &TestApp, w: &World) -> Client {
    let admin = t.staff("admin").await;
    let r = admin
        .post_json(
            &format!("/api/v1/orgs/{}/staff", w.mz_id),
            &json!({"username": "mz_gap_clerk", "display_name": "民政窗口", "password": crate::common::DEMO_PASSWORD,
                "roles": ["counter_clerk"]}),
        )
        .await;
    assert!(
        r.status() == 201 || r.status() == 409,
        "{}",
        r.text().await.unwrap()
    );
    t.staff("mz_gap_clerk").await
}

async fn pull(c: &Client, body: &Value) -> Value {
    let r = c.post_json("/api/v1/sharing/pulls", body).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    r.json().await.unwrap()
}

async fn consents_count(t: &TestApp) -> i64 {
    t.app
        .db
        .reader()
        .scalar_i64(q("SELECT COUNT(*) FROM sharing_case_consents"))
        .await
        .unwrap()
}

// Issue #18 §3: a case carries the applicant's consent for that case's items: given once on
// the portal after a preview, reused by every pull of that case's unit, never by another
// unit or for another case, and not after it expires or is withdrawn.
async fn case_consent_is_scoped_to_case_and_unit_and_expires(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let w = world(&t).await;
    issue(&w, &w.zhang).await;
    let c = zhang_citizen(&t).await;
    let offer: Value = c.json("/api/v1/portal/sharing/consentable-cases").await;
    let mine = offer
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["case_id"] == w.case_id)
        .unwrap_or_else(|| panic!("case offered for consent: {offer}"));
    assert!(
        mine["items"].to_string().contains("新生儿姓名"),
        "preview: {mine}"
    );
    // Hostile input first: nothing is written.
    let before = consents_count(&t).await;
    for bad in [
        json!({"case_id": 0}),
        json!({"case_id": 999_999}),
        json!({"case_id": "x"}),
    ] {
        let r = c
            .post_json("/api/v1/portal/sharing/case-consents", &bad)
            .await;
        assert!(
            r.status() == 400 || r.status() == 422,
            "{bad}: {}",
            r.status()
        );
    }
    let r = c
        .post_json(
            "/api/v1/portal/sharing/case-consents",
            &json!({"case_id": w.case_id, "evil": 1}),
        )
        .await;
    assert!(r.status() == 400 || r.status() == 422);
    // Someone else's case is not theirs to consent for.
    let li = citizen(&t, LI).await;
    let r = li
        .post_json(
            "/api/v1/portal/sharing/case-consents",
            &json!({"case_id": w.case_id}),
        )
        .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("case_id"));
    // Staff cannot consent for the applicant.
    let r =
        w.ga.post_json(
            "/api/v1/portal/sharing/case-consents",
            &json!({"case_id": w.case_id}),
        )
        .await;
    assert_eq!(r.status(), 403);
    assert_eq!(consents_count(&t).await, before, "nothing written");
    // The consent.
    let r = c
        .post_json(
            "/api/v1/portal/sharing/case-consents",
            &json!({"case_id": w.case_id}),
        )
        .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let k: Value = r.json().await.unwrap();
    assert_eq!(k["in_force"], true);
    // Reuse: every pull of the case's unit for this case is released.
    for _ in 0..2 {
        let p = pull(&w.ga, &pull_body(&w, &w.zhang, None)).await;
        assert_eq!(p["outcome"], "released", "{p}");
        assert_eq!(p["consent_channel"], "case");
        assert_eq!(p["data"][0]["value"], "张小宝");
    }
    // Wrong unit: the civil affairs bureau is entitled for the item, but not the case's unit.
    let mz = mz_clerk(&t, &w).await;
    let p = pull(&mz, &pull_body(&w, &w.zhang, None)).await;
    assert_eq!(p["outcome"], "awaiting_consent", "{p}");
    // Another case of the same unit is not covered.
    let other_case = open_case(&t, w.ga_id, person(&t, ZHANG).await, w.item).await;
    let mut other = pull_body(&w, &w.zhang, None);
    other["case_id"] = json!(other_case);
    assert_eq!(pull(&w.ga, &other).await["outcome"], "awaiting_consent");
    // Expiry: 30 days by default.
    t.clock.advance(chrono::Duration::days(31));
    let ga = t.staff("ga_clerk").await;
    let p = pull(&ga, &pull_body(&w, &w.zhang, None)).await;
    assert_eq!(p["outcome"], "awaiting_consent", "expired: {p}");
    let c = zhang_citizen(&t).await;
    let list: Value = c.json("/api/v1/portal/sharing/case-consents").await;
    assert_eq!(list[0]["in_force"], false);
    // Withdrawal: a fresh consent, withdrawn, covers nothing.
    let k: Value = c
        .post_json(
            "/api/v1/portal/sharing/case-consents",
            &json!({"case_id": w.case_id}),
        )
        .await
        .json()
        .await
        .unwrap();
    let r = c
        .post_json(
            &format!("/api/v1/portal/sharing/case-consents/{}/withdraw", k["id"]),
            &json!({}),
        )
        .await;
    assert_eq!(r.status(), 204);
    // A fresh portal login after the clock moved a month.
    let li = citizen(&t, LI).await;
    let r = li
        .post_json(
            &format!("/api/v1/portal/sharing/case-consents/{}/withdraw", k["id"]),
            &json!({}),
        )
        .await;
    assert_eq!(r.status(), 404, "not hers");
    let p = pull(&ga, &pull_body(&w, &w.zhang, None)).await;
    assert_eq!(p["outcome"], "awaiting_consent");
    // The citizen's access log has the consent and every pull.
    let log: Value = c.json("/api/v1/portal/access-log?limit=200").await;
    assert!(log.to_string().contains("县公安局"), "{log}");
}

// Issue #18 §3: the counter's pull page: the applicant and the proof, the code or a portal
// request, the result with its next step; a wrong code shows the form again with the reason.
async fn the_counter_pulls_from_the_case_page(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let w = world(&t).await;
    issue(&w, &w.zhang).await;
    // The case page links it by the case's number.
    let case: Value = w.ga.json(&format!("/api/v1/cases/{}", w.case_id)).await;
    let page = format!(
        "/sharing/pulls/new?case={}&proof={}",
        case["case_no"].as_str().unwrap(),
        w.item
    );
    let r = w.ga.get(&page).await;
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("出生医学证明") || html.contains("proof-name"),
        "{html}"
    );
    assert!(html.contains("张*"), "masked applicant: {html}");
    let tok = w.ga.form_token(&page).await;
    // Asking the applicant on the portal.
    let body = format!(
        "csrf={tok}&case={}&proof={}&purpose=%E6%A0%B8%E5%AF%B9&subject_name=&consent_code=&mode=portal",
        w.case_id, w.item
    );
    let r =
        w.ga.post_raw("/sharing/pulls/new", FORM, body.into_bytes())
            .await;
    assert_eq!(r.status(), 303);
    let at = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(at.starts_with("/sharing/pulls/"));
    let html = w.ga.get(&at).await.text().await.unwrap();
    assert!(html.contains("等待申请人确认"), "{html}");
    // A wrong code: the form again, with the reason, and a refused pull on record.
    let body = format!(
        "csrf={tok}&case={}&proof={}&purpose=%E6%A0%B8%E5%AF%B9&subject_name=&consent_code=12345678&mode=code",
        w.case_id, w.item
    );
    let r =
        w.ga.post_raw("/sharing/pulls/new", FORM, body.into_bytes())
            .await;
    assert_eq!(r.status(), 403);
    assert!(r.text().await.unwrap().contains("授权码不正确"));
    // The applicant's code: released, the case's proof resolved.
    let c = zhang_citizen(&t).await;
    let code: Value = c
        .post_json(
            "/api/v1/portal/sharing/codes",
            &json!({"org_id": w.ga_id, "proof_item_id": w.item}),
        )
        .await
        .json()
        .await
        .unwrap();
    let body = format!(
        "csrf={tok}&case={}&proof={}&purpose=%E6%A0%B8%E5%AF%B9&subject_name=&consent_code={}&mode=code",
        w.case_id,
        w.item,
        code["code"].as_str().unwrap()
    );
    let r =
        w.ga.post_raw("/sharing/pulls/new", FORM, body.into_bytes())
            .await;
    assert_eq!(r.status(), 303);
    let at = r.headers()["location"].to_str().unwrap().to_owned();
    let html = w.ga.get(&at).await.text().await.unwrap();
    assert!(html.contains("已调取") && html.contains("张小宝"), "{html}");
    // Another unit's clerk cannot open the page for this case.
    let sj = t.staff("sj_clerk").await;
    let r = sj.get(&page).await;
    assert!(r.status() == 403 || r.status() == 404, "{}", r.status());
    // Hostile addresses: an unknown case number, a malformed item, a proof not in the case.
    let r =
        w.ga.get(&format!("/sharing/pulls/new?case=NOPE&proof={}", w.item))
            .await;
    assert_eq!(r.status(), 404);
    let r =
        w.ga.get(&format!("/sharing/pulls/new?case={}&proof=x", w.case_id))
            .await;
    assert_eq!(r.status(), 400);
    let r =
        w.ga.get(&format!(
            "/sharing/pulls/new?case={}&proof=999999",
            w.case_id
        ))
        .await;
    assert_eq!(r.status(), 404);
    // The workbench leads to data sharing.
    let wb = w.ga.get("/workbench").await.text().await.unwrap();
    assert!(wb.contains("数据调取") && wb.contains("href=\"/sharing\""));
}

// Issue #18 §3, §4: a pull whose city source was unavailable is retried by a durable job
// with backoff; a later success waits for consent, and after the last retry the failure is
// final, recorded on the pull and notified to the unit.
async fn city_pulls_are_retried_by_durable_jobs(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let mut w = world(&t).await;
    let (base, platform) = city_platform::start().await;
    let admin = t.staff("admin").await;
    let r = admin
        .put_json(
            "/api/v1/sharing/sources",
            &json!({"base_url": base, "app_id": APP_ID, "secret": SECRET, "timeout_ms": 300, "retries": 0}),
            None,
        )
        .await;
    assert_eq!(r.status(), 200);
    let death = item(&t, DEATH).await;
    publish(&t, &w, death, "city_platform").await;
    w.item = death;
    w.service = service_of(&t, death).await;
    w.case_id = open_case(&t, w.ga_id, person(&t, ZHANG).await, death).await;
    platform.add(
        ZHANG,
        json!({"child_name": "张三", "birth_date": "2026-02-01", "mother_name": "李梅"}),
    );
    platform.set_mode(Mode::Failing);
    let p = pull(&w.ga, &pull_body(&w, &w.zhang, None)).await;
    assert_eq!(p["outcome"], "source_unavailable");
    let id = p["id"].as_str().unwrap().to_owned();
    // The platform comes back; the first retry runs after its delay, not before.
    platform.set_mode(Mode::Normal);
    proofless_app::jobs::run_once(&t.app, "test").await.unwrap();
    let ga = t.staff("ga_clerk").await;
    let got: Value = ga.json(&format!("/api/v1/sharing/pulls/{id}")).await;
    assert_eq!(got["outcome"], "source_unavailable", "not yet due");
    t.clock.advance(chrono::Duration::seconds(61));
    proofless_app::jobs::run_once(&t.app, "test").await.unwrap();
    let ga = t.staff("ga_clerk").await;
    let got: Value = ga.json(&format!("/api/v1/sharing/pulls/{id}")).await;
    assert_eq!(got["outcome"], "awaiting_consent", "{got}");
    // Failing throughout: four retries, then a final failure.
    platform.set_mode(Mode::Failing);
    let p = pull(&ga, &pull_body(&w, &w.zhang, None)).await;
    let id = p["id"].as_str().unwrap().to_owned();
    for _ in 0..6 {
        t.clock.advance(chrono::Duration::minutes(31));
        proofless_app::jobs::run_once(&t.app, "test").await.unwrap();
    }
    let ga = t.staff("ga_clerk").await;
    let got: Value = ga.json(&format!("/api/v1/sharing/pulls/{id}")).await;
    assert_eq!(got["outcome"], "source_unavailable");
    assert!(
        got["reason"].as_str().unwrap().contains("已自动重试4次"),
        "{got}"
    );
    let n = t
        .app
        .db
        .reader()
        .scalar_i64(
            q("SELECT COUNT(*) FROM notifications WHERE recipient_org_id = ? AND text LIKE ?")
                .bind(w.ga_id)
                .bind("%数据调取失败%"),
        )
        .await
        .unwrap();
    assert_eq!(n, 1, "the unit is told once");
    // Its own kind, naming the case by its number, leading to the pull's page (with the
    // fallbacks), as the unit's notifications page labels it.
    let (kind, link, text): (String, String, String) = t
        .app
        .db
        .reader()
        .fetch_one(
            q("SELECT kind, link, text FROM notifications WHERE recipient_org_id = ? AND text LIKE ?")
                .bind(w.ga_id)
                .bind("%数据调取失败%"),
        )
        .await
        .unwrap();
    assert_eq!(kind, "city_retry");
    assert_eq!(link, format!("/sharing/pulls/{id}"));
    let case_no = proofless_app::cases::detail(&t.app, w.case_id)
        .await
        .unwrap()
        .case_no;
    assert!(text.contains(&case_no), "{text}");
    assert_eq!(ga.get(&link).await.status(), 200);
    let html = ga.get("/notifications").await.text().await.unwrap();
    assert!(
        html.contains("<td class=\"note-kind\">数据调取失败</td>"),
        "labelled"
    );
    let audited = t
        .app
        .db
        .reader()
        .scalar_i64(q(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'sharing.pull.retry_failed'",
        ))
        .await
        .unwrap();
    assert_eq!(audited, 1);
}

// A4 §4(4), issue #18 §5: the outside-city request's deadline is a deadline of the engine
// (1 working day by the versioned setting); it turns overdue with a notice to the issuer, and
// issuing stops it.
async fn outside_requests_have_an_engine_deadline(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let w = world(&t).await;
    let c = zhang_citizen(&t).await;
    let ask = json!({"proof_item_id": w.item, "destination": "北京市朝阳区某单位", "purpose": "异地入学"});
    let req: Value = c
        .post_json("/api/v1/portal/sharing/outside", &ask)
        .await
        .json()
        .await
        .unwrap();
    let deadline = |id: i64| {
        let app = t.app.clone();
        async move {
            let row: (i64, String, String, i64) = app
                .db
                .reader()
                .fetch_one(
                    q(
                        "SELECT d.id, d.state, d.subject_type, d.org_id FROM deadlines d \
                       JOIN sharing_outside_requests r ON r.deadline_id = d.id WHERE r.id = ?",
                    )
                    .bind(id),
                )
                .await
                .unwrap();
            row
        }
    };
    let (d1, state, kind, org) = deadline(req["id"].as_i64().unwrap()).await;
    assert_eq!(
        (state.as_str(), kind.as_str(), org),
        ("open", "sharing_outside", w.wj_id)
    );
    let due: i64 = t
        .app
        .db
        .reader()
        .scalar_i64(q("SELECT due_at FROM deadlines WHERE id = ?").bind(d1))
        .await
        .unwrap();
    assert_eq!(
        req["due_at"].as_i64().unwrap(),
        due,
        "the request shows the engine's due"
    );
    // A second request, issued in time: its deadline is done.
    let req2: Value = c
        .post_json("/api/v1/portal/sharing/outside", &ask)
        .await
        .json()
        .await
        .unwrap();
    let r = w
        .wj
        .post_json(
            &format!("/api/v1/sharing/outside/{}/issue", req2["id"]),
            &json!({"valid_from": "2026-01-01",
                "data": {"child_name": "张小宝", "birth_date": "2026-01-01", "mother_name": "李梅"}}),
        )
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(deadline(req2["id"].as_i64().unwrap()).await.1, "done");
    // The first one is left: past its working day it is overdue and the issuer is told.
    t.clock.advance(chrono::Duration::days(5));
    proofless_app::jobs::run_once(&t.app, "test").await.unwrap();
    assert_eq!(deadline(req["id"].as_i64().unwrap()).await.1, "overdue");
    let n = t
        .app
        .db
        .reader()
        .scalar_i64(
            q("SELECT COUNT(*) FROM notifications WHERE recipient_org_id = ? AND link = ?")
                .bind(w.wj_id)
                .bind(format!("/deadlines/{d1}")),
        )
        .await
        .unwrap();
    assert_eq!(n, 1);
    // Refusing late still closes it.
    let wj = t.staff("wj_admin").await;
    let r = wj
        .post_json(
            &format!("/api/v1/sharing/outside/{}/refuse", req["id"]),
            &json!({"reason": "查无出生记录"}),
        )
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    assert_eq!(deadline(req["id"].as_i64().unwrap()).await.1, "done");
}

both_backends!(
    case_consent_is_scoped_to_case_and_unit_and_expires,
    the_counter_pulls_from_the_case_page,
    city_pulls_are_retried_by_durable_jobs,
    outside_requests_have_an_engine_deadline,
);
