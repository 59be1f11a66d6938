//! Supervision and assessment over HTTP (P 四, A2 §13, A4 §13, A5 §11; SPEC R10.2; issue #21
//! §4–§5): figures counted once per act from the audit log (two sweeps at once count nothing
//! twice), the exempted measure left out and marked, who may read what, the reproducible
//! 双随机 draw, inspections whose findings are engine deadlines tracked to completion, the
//! rectification order as an engine deadline, and a late commitment check recorded as a
//! violation the accountability sweep proposes.

use chrono::Duration;
use proofless_app::supervision::{self, draw};
use proofless_app::violations::{self, NewViolation};
use proofless_app::{Actor, accountability, deadlines, staff};
use proofless_domain::violation::{ViolationKind, ViolationSource};
#[allow(unused_imports)]
use proofless_store::Exec;
use serde_json::{Value, json};

use crate::common::{Backend, Client, TestApp, spawn_demo};
use crate::verification::{org, scalar};

async fn post(c: &Client, path: &str, body: Value) -> (u16, Value) {
    let r = c.post_json(path, &body).await;
    let s = r.status().as_u16();
    (s, r.json().await.unwrap_or(Value::Null))
}

fn has_field(p: &Value, field: &str) -> bool {
    p["errors"]
        .as_array()
        .is_some_and(|e| e.iter().any(|x| x["field"] == field))
}

fn year(t: &TestApp) -> String {
    proofless_app::local_time(t.app.now_ms())[..4].to_owned()
}

/// The dashboard line of one unit (zeros when it has none).
async fn line(c: &Client, period: &str, org_id: i64) -> Value {
    let d: Value = c
        .json(&format!(
            "/api/v1/supervision/dashboard?period={period}&org_id={org_id}"
        ))
        .await;
    d["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["key"] == org_id.to_string())
        .cloned()
        .unwrap_or(json!({}))
}

fn n(v: &Value, k: &str) -> i64 {
    v[k].as_i64().unwrap_or(0)
}

/// A decided accountability case against `org_name` (a recorded fact, proposed, referred and
/// decided with `measure`).
async fn decided_case(t: &TestApp, org_name: &str, source_ref: &str, measure: Value) -> String {
    let ga = org(t, org_name).await;
    let now = t.app.now_ms();
    let mut tx = t.app.db.begin().await.unwrap();
    let fact = NewViolation {
        kind: ViolationKind::Falsified,
        source: ViolationSource::Complaint,
        source_ref,
        org_id: ga,
        staff_id: None,
        summary: "投诉查实：核验答复与档案不符",
        occurred_at: now,
    };
    let vid = violations::record(&mut tx, &Actor::system("t"), now, &fact)
        .await
        .unwrap()
        .unwrap();
    tx.commit().await.unwrap();
    accountability::propose_pending(&t.app).await.unwrap();
    let id = t
        .app
        .db
        .reader()
        .fetch_one::<(String,)>(
            proofless_store::q(
                "SELECT c.public_id FROM accountability_evidence e \
                 JOIN accountability_cases c ON c.id = e.case_id WHERE e.violation_id = ?",
            )
            .bind(vid),
        )
        .await
        .unwrap()
        .0;
    let account = t.staff("account").await;
    let jw = org(t, "县纪委监委").await;
    let base = format!("/api/v1/accountability/cases/{id}");
    let (s, _) = post(
        &account,
        &format!("{base}/referral"),
        json!({"organ": "discipline", "organ_org_id": jw}),
    )
    .await;
    assert_eq!(s, 200);
    let (s, d) = post(&account, &format!("{base}/decision"), measure).await;
    assert_eq!(s, 200, "{d}");
    id
}

// SPEC R10.2 (figures per unit and month, maintained incrementally), A5 §11 (an exempted
// measure left out and marked), issue #21 §5 (exactly once with two instances).
async fn figures_count_each_act_once_and_leave_exemptions_out(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let y = year(&t);
    let joint = t.staff("joint").await;
    let ga = org(&t, "县公安局").await;
    // Two instances sweep at once: every act is counted once.
    let (a, b2) = tokio::join!(
        supervision::sweep_pending(&t.app),
        supervision::sweep_pending(&t.app)
    );
    a.unwrap();
    b2.unwrap();
    supervision::sweep_pending(&t.app).await.unwrap();
    // The verification counters equal the verifications answered or returned this year,
    // for every issuing unit (the demo county answers through the same services).
    let d: Value = joint
        .json(&format!("/api/v1/supervision/dashboard?period={y}"))
        .await;
    let counted: i64 = d["units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            n(u, "answered_on_time")
                + n(u, "answered_late")
                + n(u, "returned_on_time")
                + n(u, "returned_late")
        })
        .sum();
    let facts = t
        .app
        .db
        .reader()
        .scalar_i64(
            proofless_store::q(
                "SELECT COUNT(*) FROM audit_log WHERE action IN ('verification.answer', 'verification.return') \
                 AND at >= ? AND at < ?",
            )
            .bind(
                chrono::NaiveDate::parse_from_str(&format!("{y}-01-01"), "%Y-%m-%d")
                    .unwrap()
                    .and_hms_opt(0, 0, 0)
                    .unwrap()
                    .and_utc()
                    .timestamp_millis()
                    - 8 * 3_600_000,
            )
            .bind(
                chrono::NaiveDate::parse_from_str(&format!("{}-01-01", y.parse::<i32>().unwrap() + 1), "%Y-%m-%d")
                    .unwrap()
                    .and_hms_opt(0, 0, 0)
                    .unwrap()
                    .and_utc()
                    .timestamp_millis()
                    - 8 * 3_600_000,
            ),
        )
        .await
        .unwrap();
    assert_eq!(counted, facts, "each answer counted exactly once: {d}");
    assert_eq!(d["period"]["label"], y.as_str());
    assert_eq!(d["months"].as_array().map(Vec::len).is_some(), true);
    // A decided measure is counted; its approved exemption is shown and left out.
    let before = line(&joint, &y, ga).await;
    let id = decided_case(
        &t,
        "县公安局",
        "complaint:sup-1",
        json!({"measure": "circulated", "text": "通报批评"}),
    )
    .await;
    supervision::sweep_pending(&t.app).await.unwrap();
    supervision::sweep_pending(&t.app).await.unwrap();
    let mid = line(&joint, &y, ga).await;
    assert_eq!(
        n(&mid, "measures_decided"),
        n(&before, "measures_decided") + 1
    );
    assert_eq!(
        n(&mid, "measures_assessed"),
        n(&before, "measures_assessed") + 1
    );
    let account = t.staff("account").await;
    let ga_admin = t.staff("ga_admin").await;
    let base = format!("/api/v1/accountability/cases/{id}");
    let good = json!({"grounds": ["reform_direction"], "statement": "按改革方向先行先试", "evidence": "局党组会议纪要"});
    assert_eq!(
        post(&ga_admin, &format!("{base}/exemptions"), good).await.0,
        200
    );
    assert_eq!(
        post(
            &account,
            &format!("{base}/exemption-report"),
            json!({"text": "经调查属实"})
        )
        .await
        .0,
        200
    );
    assert_eq!(
        post(
            &account,
            &format!("{base}/exemption-decision"),
            json!({"approve": true, "text": "予以免责，备案"})
        )
        .await
        .0,
        200
    );
    supervision::sweep_pending(&t.app).await.unwrap();
    let after = line(&joint, &y, ga).await;
    assert_eq!(n(&after, "measures_decided"), n(&mid, "measures_decided"));
    assert_eq!(
        n(&after, "measures_exempted"),
        n(&mid, "measures_exempted") + 1
    );
    assert_eq!(
        n(&after, "measures_assessed"),
        n(&before, "measures_assessed")
    );
    // The dashboard page marks it; the reports and the feed open.
    let page = joint
        .get(&format!("/supervision?period={y}&org_id={ga}"))
        .await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("免责 "), "exempted measures visibly marked");
    assert!(html.contains("/supervision/chart.svg"));
    let svg = joint
        .get(&format!("/supervision/chart.svg?period={y}"))
        .await;
    assert_eq!(svg.status(), 200);
    assert!(svg.text().await.unwrap().starts_with("<svg"));
    for p in [
        format!("/api/v1/supervision/dashboard.xlsx?period={y}"),
        format!("/supervision/report.xlsx?period={y}"),
        format!("/api/v1/supervision/feed.xlsx?period={y}"),
    ] {
        let r = joint.get(&p).await;
        assert_eq!(r.status(), 200, "{p}");
        assert!(r.bytes().await.unwrap().starts_with(b"PK"), "{p}");
    }
    let pdf = joint
        .get(&format!("/api/v1/supervision/dashboard.pdf?period={y}"))
        .await;
    assert_eq!(pdf.status(), 200);
    assert!(pdf.bytes().await.unwrap().starts_with(b"%PDF"));
    let feed: Value = joint
        .json(&format!("/api/v1/supervision/feed?period={y}"))
        .await;
    let row = feed
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["org_id"] == ga)
        .cloned()
        .unwrap();
    assert_eq!(n(&row, "measures_exempted"), n(&after, "measures_exempted"));
    assert_eq!(n(&row, "measures_assessed"), n(&after, "measures_assessed"));
}

// SPEC R10.2, R9.4: who may read the figures; bad periods named; the public page carries
// aggregates only.
async fn figures_refusals_and_public_page(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    supervision::sweep_pending(&t.app).await.unwrap();
    let y = year(&t);
    let ga = org(&t, "县公安局").await;
    let sj = org(&t, "县市场监管局").await;
    assert_eq!(
        t.client()
            .get("/api/v1/supervision/dashboard")
            .await
            .status(),
        401
    );
    let clerk = t.staff("ga_clerk").await;
    assert_eq!(
        clerk.get("/api/v1/supervision/dashboard").await.status(),
        403
    );
    assert_eq!(clerk.get("/api/v1/supervision/feed").await.status(), 403);
    let ga_admin = t.staff("ga_admin").await;
    // A unit's administrator sees the own unit only.
    let own: Value = ga_admin.json("/api/v1/supervision/dashboard").await;
    assert!(
        own["units"]
            .as_array()
            .unwrap()
            .iter()
            .all(|u| u["key"] == ga.to_string())
    );
    assert_eq!(
        ga_admin
            .get(&format!("/api/v1/supervision/dashboard?org_id={sj}"))
            .await
            .status(),
        403
    );
    assert_eq!(ga_admin.get("/api/v1/supervision/feed").await.status(), 403);
    let joint = t.staff("joint").await;
    for bad in ["2026-13", "26", "2026/01", "<script>"] {
        let r = joint
            .get(&format!(
                "/api/v1/supervision/dashboard?period={}",
                urlencode(bad)
            ))
            .await;
        assert_eq!(r.status(), 422, "{bad}");
        let p: Value = r.json().await.unwrap();
        assert!(has_field(&p, "period"), "{p}");
    }
    // The public page and its JSON: aggregate figures per unit, no personal data.
    let r = t
        .client()
        .get(&format!("/transparency/supervision?year={y}"))
        .await;
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(html.contains("监督考核情况公开"));
    assert!(!html.contains("张三") && !html.contains("370322"));
    let home = t.client().get("/").await.text().await.unwrap();
    assert!(
        home.contains("/transparency/supervision"),
        "linked from the footer"
    );
    let p: Value = t
        .client()
        .json(&format!("/api/v1/public/supervision-figures?year={y}"))
        .await;
    assert_eq!(p["year"], y.as_str());
    assert_eq!(
        t.client()
            .get("/api/v1/public/supervision-figures?year=abc")
            .await
            .status(),
        422
    );
    // The workbench of the joint office and of a unit's administrator links the dashboard.
    let wb = joint.get("/workbench").await.text().await.unwrap();
    assert!(wb.contains("href=\"/supervision\""));
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'-' {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Inspectors in three units (the demo county has one).
async fn inspectors(t: &TestApp) -> Vec<i64> {
    let mut ids = vec![];
    for (i, unit) in ["县公安局", "县市场监管局", "县水利局", "县司法局"]
        .iter()
        .enumerate()
    {
        let o = org(t, unit).await;
        let s = staff::create(
            &t.app,
            &Actor::system("t"),
            o,
            staff::StaffInput {
                username: format!("sup_insp_{i}"),
                display_name: format!("核查员{i}"),
                phone: None,
                password: "Inspect0r-Pass-2026!".to_owned(),
                roles: vec!["inspector".to_owned()],
            },
        )
        .await
        .unwrap();
        ids.push(s.id);
    }
    ids
}

// P 四 (双随机), issue #21 §5: the draw is reproducible from its seed and pools.
async fn random_draw_is_reproducible(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    inspectors(&t).await;
    let joint = t.staff("joint").await;
    let seed = "5a".repeat(32);
    let body = json!({"title": "2026年第四季度证明事项双随机抽查", "unit_count": 3, "inspectors_per_unit": 2, "seed": seed, "planned_on": "2026-12-20"});
    let (s, d) = post(&joint, "/api/v1/supervision/draws", body.clone()).await;
    assert_eq!(s, 201, "{d}");
    assert_eq!(d["algorithm"], "SM3-CTR-FY-1");
    assert_eq!(d["seed"], seed.as_str());
    // Anyone repeats it from what is recorded.
    let units: Vec<i64> = serde_json::from_str(d["unit_pool"].as_str().unwrap()).unwrap();
    let pool: Vec<(i64, i64)> =
        serde_json::from_str(d["inspector_pool"].as_str().unwrap()).unwrap();
    let drawn: Vec<(i64, Vec<i64>)> =
        serde_json::from_str(d["units_drawn"].as_str().unwrap()).unwrap();
    let again = draw::draw(draw::parse_seed(&seed).unwrap(), &units, 3, &pool, 2);
    assert_eq!(drawn, again);
    assert_eq!(drawn.len(), 3);
    for (u, ins) in &drawn {
        assert_eq!(ins.len(), 2);
        assert!(
            ins.iter()
                .all(|i| pool.iter().any(|(s, o)| s == i && o != u)),
            "回避"
        );
    }
    // The same seed and pools draw the same again; an inspection per drawn unit.
    let (s, d2) = post(&joint, "/api/v1/supervision/draws", body).await;
    assert_eq!(s, 201);
    assert_eq!(d2["units_drawn"], d["units_drawn"]);
    let list: Value = joint
        .json(&format!(
            "/api/v1/supervision/inspections?draw_id={}",
            d["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(list.as_array().unwrap().len(), 3);
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .all(|i| i["draw_id"] == d["id"] && i["id"].is_string()),
        "{list}"
    );
    // Issue #21 gaps: the draw is named by its public id; its row id is a bad field.
    let r = joint
        .get(&format!(
            "/api/v1/supervision/inspections?draw_id={}",
            crate::common::row_id(&t, "supervision_draws", d["id"].as_str().unwrap()).await
        ))
        .await;
    assert_eq!(r.status(), 422);
    let p: Value = r.json().await.unwrap();
    assert!(has_field(&p, "draw_id"), "{p}");
    // The page shows seed, algorithm and pools.
    let page = joint
        .get(&format!(
            "/supervision/draws/{}",
            crate::common::row_id(&t, "supervision_draws", d["id"].as_str().unwrap()).await
        ))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains(&seed) && page.contains("SM3-CTR-FY-1") && page.contains("费舍尔–耶茨"));
    // Refusals: without the role; bad fields named; nothing drawn.
    let count = || async {
        t.app
            .db
            .reader()
            .scalar_i64(proofless_store::q("SELECT COUNT(*) FROM supervision_draws"))
            .await
            .unwrap()
    };
    let before = count().await;
    let ga_admin = t.staff("ga_admin").await;
    let ok = json!({"title": "抽查", "unit_count": 1, "inspectors_per_unit": 1, "planned_on": "2026-12-20"});
    assert_eq!(
        post(&ga_admin, "/api/v1/supervision/draws", ok.clone())
            .await
            .0,
        403
    );
    let (s, p) = post(
        &joint,
        "/api/v1/supervision/draws",
        json!({"title": "", "unit_count": 0, "inspectors_per_unit": 99, "seed": "xyz", "planned_on": "明天"}),
    )
    .await;
    assert_eq!(s, 422);
    for f in [
        "title",
        "unit_count",
        "inspectors_per_unit",
        "seed",
        "planned_on",
    ] {
        assert!(has_field(&p, f), "{f}: {p}");
    }
    let (s, p) = post(
        &joint,
        "/api/v1/supervision/draws",
        json!({"title": "抽查", "unit_count": 4000, "inspectors_per_unit": 1, "planned_on": "2026-12-20"}),
    )
    .await;
    assert_eq!(s, 422);
    assert!(has_field(&p, "unit_count"), "{p}");
    let (s, p) = post(
        &joint,
        "/api/v1/supervision/draws",
        json!({"title": "抽查", "unit_count": 1, "inspectors_per_unit": 1, "planned_on": "2026-12-20", "unit_pool": [999999]}),
    )
    .await;
    assert_eq!(s, 422);
    assert!(has_field(&p, "unit_pool"), "{p}");
    let mut evil = ok.clone();
    evil["evil"] = json!(1);
    assert_eq!(post(&joint, "/api/v1/supervision/draws", evil).await.0, 422);
    let mut long = ok;
    long["title"] = json!("长".repeat(2001));
    assert_eq!(post(&joint, "/api/v1/supervision/draws", long).await.0, 422);
    assert_eq!(count().await, before, "nothing drawn by a refused request");
}

// P 四: an inspection's findings are engine deadlines tracked until the unit reports them
// followed up; the inspection closes only then.
async fn inspection_findings_are_tracked_deadlines(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let joint = t.staff("joint").await;
    let ga = org(&t, "县公安局").await;
    let (s, p) = post(
        &joint,
        "/api/v1/supervision/inspections",
        json!({"kind": "audit", "org_id": ga, "title": "", "planned_on": "x"}),
    )
    .await;
    assert_eq!(s, 422);
    assert!(
        has_field(&p, "kind") && has_field(&p, "title") && has_field(&p, "planned_on"),
        "{p}"
    );
    let (s, p) = post(
        &joint,
        "/api/v1/supervision/inspections",
        json!({"kind": "special", "org_id": 999999, "title": "专项督查", "planned_on": "2026-12-20"}),
    )
    .await;
    assert_eq!(s, 422);
    assert!(has_field(&p, "org_id"), "{p}");
    let body = json!({"kind": "special", "org_id": ga, "title": "清单外索要证明专项督查", "planned_on": "2026-12-20"});
    let ga_admin = t.staff("ga_admin").await;
    assert_eq!(
        post(&ga_admin, "/api/v1/supervision/inspections", body.clone())
            .await
            .0,
        403
    );
    let (s, d) = post(&joint, "/api/v1/supervision/inspections", body).await;
    assert_eq!(s, 201, "{d}");
    let id = d["inspection"]["id"].as_str().unwrap().to_owned();
    let base = format!("/api/v1/supervision/inspections/{id}");
    // Findings: the joint office (not the unit), with a limit in working days.
    let finding = json!({"text": "窗口仍要求提供无犯罪记录证明", "follow_up_days": 5});
    assert_eq!(
        post(&ga_admin, &format!("{base}/findings"), finding.clone())
            .await
            .0,
        403
    );
    let (s, p) = post(
        &joint,
        &format!("{base}/findings"),
        json!({"text": " ", "follow_up_days": 0}),
    )
    .await;
    assert_eq!(s, 422);
    assert!(
        has_field(&p, "text") && has_field(&p, "follow_up_days"),
        "{p}"
    );
    let (s, d) = post(&joint, &format!("{base}/findings"), finding).await;
    assert_eq!(s, 201, "{d}");
    let f = &d["findings"][0];
    let fid = f["id"].as_str().unwrap().to_owned();
    let dl = f["deadline_id"].as_i64().unwrap();
    assert!(f["due_at"].as_i64().unwrap() > t.app.now_ms());
    let state = |t: &TestApp, dl: i64| {
        let db = t.app.db.clone();
        async move {
            let r: (String, String) = db
                .reader()
                .fetch_one(
                    proofless_store::q("SELECT subject_type, state FROM deadlines WHERE id = ?")
                        .bind(dl),
                )
                .await
                .unwrap();
            r
        }
    };
    assert_eq!(
        state(&t, dl).await,
        ("supervision_finding".to_owned(), "open".to_owned())
    );
    // Cannot close with an open finding; only the unit reports the follow-up.
    assert_eq!(
        post(&joint, &format!("{base}/closing"), json!({})).await.0,
        409
    );
    let follow = format!("/api/v1/supervision/findings/{fid}/follow-up");
    let sj_admin = t.staff("sj_admin").await;
    assert_eq!(
        post(&sj_admin, &follow, json!({"text": "已整改"})).await.0,
        403
    );
    assert_eq!(
        post(&joint, &follow, json!({"text": "已整改"})).await.0,
        403
    );
    assert_eq!(post(&ga_admin, &follow, json!({"text": ""})).await.0, 422);
    let (s, d) = post(
        &ga_admin,
        &follow,
        json!({"text": "已停止索要，窗口人员已培训"}),
    )
    .await;
    assert_eq!(s, 200, "{d}");
    assert_eq!(d["findings"][0]["state"], "done");
    assert_eq!(state(&t, dl).await.1, "done");
    assert_eq!(
        post(&ga_admin, &follow, json!({"text": "再次"})).await.0,
        409
    );
    let (s, d) = post(&joint, &format!("{base}/closing"), json!({})).await;
    assert_eq!(s, 200, "{d}");
    assert_eq!(d["inspection"]["state"], "closed");
    assert_eq!(
        post(
            &joint,
            &format!("{base}/findings"),
            json!({"text": "又一问题", "follow_up_days": 3})
        )
        .await
        .0,
        409
    );
    // The unit sees its inspection; another unit does not.
    assert_eq!(ga_admin.get(&base).await.status(), 200);
    assert_eq!(sj_admin.get(&base).await.status(), 404);
    assert_eq!(t.client().get(&base).await.status(), 401);
}

// A5 §5(一): the order to rectify within a time limit is an engine deadline tracked to
// completion.
async fn rectification_order_is_an_engine_deadline(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let id = decided_case(
        &t,
        "县公安局",
        "complaint:sup-rect",
        json!({"measure": "rectify", "text": "责令限期整改", "rectify_by": "2099-04-30"}),
    )
    .await;
    let (dl, state): (i64, String) = t
        .app
        .db
        .reader()
        .fetch_one(
            proofless_store::q(
                "SELECT d.id, d.state FROM accountability_cases c JOIN deadlines d ON d.id = c.rectify_deadline_id \
                 WHERE c.public_id = ? AND d.subject_type = 'accountability_rectification'",
            )
            .bind(id.as_str()),
        )
        .await
        .unwrap();
    assert_eq!(state, "open");
    let ga_admin = t.staff("ga_admin").await;
    let (s, d) = post(
        &ga_admin,
        &format!("/api/v1/accountability/cases/{id}/rectification"),
        json!({"text": "已建立自查制度"}),
    )
    .await;
    assert_eq!(s, 200, "{d}");
    let done = t
        .app
        .db
        .reader()
        .scalar_i64(
            proofless_store::q("SELECT COUNT(*) FROM deadlines WHERE state = 'done' AND id = ?")
                .bind(dl),
        )
        .await
        .unwrap();
    assert_eq!(done, 1);
}

/// 张三 signs a commitment at the counter (as the demo's 刘洋 does); its check waits.
async fn signed_commitment(t: &TestApp) -> (i64, i64) {
    use proofless_app::commitment::input::SignInput;
    use proofless_app::commitment::sign as signing;
    let window_id = scalar(t, "SELECT id FROM staff WHERE username = ?", "window").await;
    let window = proofless_app::auth::staff_actor(&t.app, window_id, "t")
        .await
        .unwrap()
        .unwrap();
    let item = scalar(
        t,
        "SELECT id FROM proof_items WHERE name = ? ORDER BY id LIMIT 1",
        "住所（经营场所）使用证明",
    )
    .await;
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
    let rid = proofless_fixtures::demo::demo_citizen_id("张三")
        .unwrap()
        .unwrap();
    let pid = proofless_app::applicants::person_id_by_resident_id(&t.app, &rid)
        .await
        .unwrap()
        .unwrap();
    let case = proofless_app::cases::create(
        &t.app,
        &window,
        &proofless_app::cases::NewCase {
            service_item_code: code,
            applicant_kind: "person".to_owned(),
            applicant: proofless_app::applicants::public_id_of(&t.app, pid)
                .await
                .unwrap(),
            applicant_name: None,
            immediate: false,
            statutory_limit: None,
        },
    )
    .await
    .unwrap();
    let c = signing::sign(
        &t.app,
        &window,
        &SignInput {
            case_id: case.id,
            proof_item_id: item,
            person_id: Some(
                proofless_app::applicants::public_id_of(&t.app, pid)
                    .await
                    .unwrap(),
            ),
            entity_id: None,
            facts: "经营场所位于高青县田镇街道青城路88号，本人依法享有使用权。".to_owned(),
            applicant_confirmed: true,
            chosen_by_applicant: true,
        },
    )
    .await
    .unwrap();
    let (org, due): (i64, Option<i64>) = t
        .app
        .db
        .reader()
        .fetch_one(
            proofless_store::q(
                "SELECT c.supervising_org_id, d.due_at FROM commitments c \
                 LEFT JOIN deadlines d ON d.id = c.deadline_id WHERE c.id = ?",
            )
            .bind(c.id),
        )
        .await
        .unwrap();
    // A commitment left to the daily draw has no check yet: drawn here, as the draw does.
    let due = match due {
        Some(d) => d,
        None => {
            use proofless_domain::deadline::{Period, RuleKey, SubjectType};
            let mut tx = t.app.db.begin().await.unwrap();
            let opened = deadlines::open_in(
                &mut tx,
                &t.app,
                &Actor::system("t"),
                &deadlines::NewDeadline {
                    subject_type: SubjectType::CommitmentCheck,
                    subject_id: c.id.to_string(),
                    org_id: org,
                    rule_key: RuleKey::from_static("commitment.post_check"),
                    start: chrono::DateTime::from_timestamp_millis(t.app.now_ms()).unwrap(),
                    statutory_limit: Some(Period::WorkingDays(5)),
                },
            )
            .await
            .unwrap();
            tx.execute(
                proofless_store::q("UPDATE commitments SET deadline_id = ? WHERE id = ?")
                    .bind(opened.id)
                    .bind(c.id),
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();
            opened.due_at.unwrap()
        }
    };
    (c.id, due)
}

// A5 §4(5), R4.4: a commitment check the engine escalated becomes one violation record,
// however often the sweep runs, and the accountability sweep proposes it.
async fn late_commitment_check_becomes_a_proposal(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let (cid, due) = signed_commitment(&t).await;
    let wait = due - t.app.now_ms() + 60_000;
    t.clock.advance(Duration::milliseconds(wait.max(0)));
    deadlines::escalate_due(&t.app, "t").await.unwrap();
    supervision::sweep_pending(&t.app).await.unwrap();
    supervision::sweep_pending(&t.app).await.unwrap();
    let source_ref = format!("commitment:{cid}/check");
    let records = scalar(
        &t,
        "SELECT COUNT(*) FROM violation_records WHERE source = 'commitment_check' AND kind = 'commitment_unchecked' AND source_ref = ?",
        &source_ref,
    )
    .await;
    assert_eq!(records, 1);
    accountability::propose_pending(&t.app).await.unwrap();
    let proposed = scalar(
        &t,
        "SELECT COUNT(*) FROM accountability_evidence e JOIN violation_records v ON v.id = e.violation_id \
         JOIN accountability_cases c ON c.id = e.case_id WHERE v.source_ref = ? AND c.kind = 'commitment_unchecked'",
        &source_ref,
    )
    .await;
    assert_eq!(proposed, 1);
}

both_backends!(
    figures_count_each_act_once_and_leave_exemptions_out,
    figures_refusals_and_public_page,
    random_draw_is_reproducible,
    inspection_findings_are_tracked_deadlines,
    rectification_order_is_an_engine_deadline,
    late_commitment_check_becomes_a_proposal,
);
