//! Verification rules the seed sets and the first build contradicted (issue #15 §3, §4, §5,
//! §9, §10, §11; issue #16 §8): who may ask, reclassification only when registering, the
//! clock of immediate cases only, late returns, one display state for every view, the grace
//! as a versioned setting, paged lists with totals and a bounded ordered limit.

use chrono::Duration;
use serde_json::{Value, json};

use crate::common::{Backend, Client, spawn_demo};
// The request shape and lookups the verification tests already use.
use crate::verification::{ZHANG, body, item, org, scalar};

async fn send(c: &Client, b: &Value) -> i64 {
    let r = c.post_json("/api/v1/verifications", b).await;
    let status = r.status();
    let v: Value = r.json().await.unwrap();
    assert_eq!(status, 201, "send: {v}");
    v["id"].as_i64().unwrap()
}

fn items(v: &Value) -> Vec<Value> {
    v["items"].as_array().cloned().unwrap_or_default()
}

fn find(rows: &[Value], id: i64) -> Option<Value> {
    rows.iter().find(|r| r["id"] == id).cloned()
}

// A2 §12, SPEC R5.9: data only for the duty it was asked for — only a requesting unit of the
// item sends; A2 §4: templates per pair of units, the default only for a pair that has none.
async fn only_a_requesting_unit_may_verify_an_item(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let hukou = item(&t, "注销户口证明").await;
    // The water bureau is no requesting unit of 注销户口证明.
    let sl = t.staff("sl_liaison").await;
    let r = sl.post_json("/api/v1/verifications", &body(hukou)).await;
    assert_eq!(r.status(), 403);
    let p: Value = r.json().await.unwrap();
    let detail = p["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains("索要单位") && detail.contains("县市场监管局"),
        "{p}"
    );
    assert_eq!(
        scalar(
            &t,
            "SELECT COUNT(*) FROM verifications WHERE case_ref = ?",
            "SJ-TEST-0001"
        )
        .await,
        0,
        "nothing half-saved"
    );
    // Offline records are asked under the same rule.
    let r = sl
        .post_json(
            "/api/v1/verifications/offline",
            &json!({"channel": "fax", "proof_item_id": hukou, "subject": body(hukou)["subject"],
                "facts": {"facts": "x"}, "case_ref": "SL-1", "purpose": "核对", "outcome": "confirmed",
                "offline_ref": "传真 1", "no_secret_confirmed": true}),
        )
        .await;
    assert_eq!(r.status(), 403);
    // A listed requesting unit sends.
    let sj = t.staff("sj_liaison").await;
    send(&sj, &body(hukou)).await;

    // Templates: the pair 县市场监管局–县公安局 writes its own; the owner's pair keeps the
    // default; a unit that is no requesting unit gets none.
    let (ga, sj_org, sl_org) = (
        org(&t, "县公安局").await,
        org(&t, "县市场监管局").await,
        org(&t, "县水利局").await,
    );
    let input = json!({
        "proof_item_id": hukou, "issuer_org_id": ga, "requester_org_id": sj_org,
        "request_fields": [{"key": "moved_out_on", "label": "迁出日期", "kind": "date", "required": true}],
        "reply_fields": [{"key": "household_status", "label": "户籍状态", "kind": "text", "required": true}],
        "method": "系统协查", "process": "发起—登记—反馈"
    });
    let r = sj
        .put_json("/api/v1/verification-templates", &input, None)
        .await;
    assert_eq!(r.status(), 200);
    let own: Value = sj
        .json(&format!(
            "/api/v1/verification-templates?proof_item_id={hukou}"
        ))
        .await;
    assert_eq!(own["request_fields"][0]["key"], "moved_out_on");
    let ga_l = t.staff("ga_liaison").await;
    let other: Value = ga_l
        .json(&format!(
            "/api/v1/verification-templates?proof_item_id={hukou}&requester_org_id={ga}"
        ))
        .await;
    assert!(
        other["id"].is_null(),
        "default for a pair with none: {other}"
    );
    assert_eq!(other["request_fields"][0]["key"], "facts");
    let r = sl
        .get(&format!(
            "/api/v1/verification-templates?proof_item_id={hukou}&requester_org_id={sl_org}"
        ))
        .await;
    assert_eq!(r.status(), 403);
    let mut forged = input.clone();
    forged["requester_org_id"] = json!(sl_org);
    let r = ga_l
        .put_json("/api/v1/verification-templates", &forged, None)
        .await;
    assert_eq!(
        r.status(),
        403,
        "no template for a pair that may not verify"
    );
}

// A2 §7, SPEC R5.3: the issuer reclassifies when registering — once, within the versioned
// window after receipt (office minutes), with a reason; every one shows on the joint
// office's board.
async fn reclassification_only_when_registering(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let hukou = item(&t, "注销户口证明").await;
    let sj = t.staff("sj_liaison").await;
    let ga = t.staff("ga_proxy1").await;
    let reclassify = |id: i64, reason: &'static str| {
        let ga = &ga;
        async move {
            ga.post_json(
                &format!("/api/v1/verifications/{id}/reclassify"),
                &json!({"deadline_class": "paper_archive", "reason": reason}),
            )
            .await
        }
    };
    // 11 office minutes after receipt (default window 10): refused with the reason.
    let late = send(&sj, &body(hukou)).await;
    t.clock.advance(Duration::minutes(11));
    let r = reclassify(late, "只有纸质档案").await;
    assert_eq!(r.status(), 409);
    let p: Value = r.json().await.unwrap();
    assert!(
        p["detail"].as_str().unwrap().contains("10 个工作分钟"),
        "{p}"
    );
    // The reason is required.
    let id = send(&sj, &body(hukou)).await;
    let r = reclassify(id, "").await;
    assert_eq!(r.status(), 422);
    // Within the window: accepted, once.
    t.clock.advance(Duration::minutes(5));
    let r = reclassify(id, "只有纸质户籍档案").await;
    assert_eq!(r.status(), 200);
    assert_eq!(reclassify(id, "再改").await.status(), 409);
    // The window is a versioned setting read at receipt: a longer one in force today lets a
    // request received today be reclassified later.
    let joint_id = scalar(&t, "SELECT id FROM staff WHERE username = ?", "joint").await;
    let actor = proofless_app::auth::staff_actor(&t.app, joint_id, "test")
        .await
        .unwrap()
        .unwrap();
    proofless_app::policy::add_version(
        &t.app,
        &actor,
        "verification.reclassify_window_minutes",
        &proofless_app::policy::VersionInput {
            value: json!(30),
            effective_from: "2026-03-12".into(),
            note: "试行期调整".into(),
        },
    )
    .await
    .unwrap();
    let r = reclassify(late, "只有纸质档案").await;
    assert_eq!(r.status(), 200, "16 office minutes, window 30");
    // Every reclassification is on the joint office's board, with its reason.
    let joint = t.staff("joint").await;
    let board: Value = joint.json("/api/v1/verifications/board").await;
    let rows = items(&board["reclassified"]);
    let row = find(&rows, id).expect("reclassified on the board");
    assert_eq!(row["reclass_reason"], "只有纸质户籍档案");
    assert!(find(&rows, late).is_some());
    assert!(board["reclassified"]["total"].as_i64().unwrap() >= 2);
    let page = joint
        .get("/verifications/board")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("改判时限类别") && page.contains("只有纸质户籍档案"));
}

// A2 §7: verification time is left out of the assessment of *immediate* cases only.
async fn only_an_immediate_case_stops_its_clock(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let hukou = item(&t, "注销户口证明").await;
    let sj = t.staff("sj_liaison").await;
    let code: (String,) = t
        .app
        .db
        .reader()
        .fetch_one(proofless_store::q(
            "SELECT s.code FROM service_items s JOIN proof_item_services ps ON ps.service_item_id = s.id \
             JOIN proof_items p ON p.id = ps.proof_item_id WHERE p.name = '注销户口证明' ORDER BY s.id LIMIT 1",
        ))
        .await
        .unwrap();
    for immediate in [false, true] {
        let r = sj
            .post_json(
                "/api/v1/cases",
                &json!({"service_item_code": code.0, "applicant_kind": "person", "applicant": ZHANG,
                        "immediate": immediate, "statutory_limit": "20wd"}),
            )
            .await;
        assert_eq!(r.status(), 201);
        let case: Value = r.json().await.unwrap();
        let case_id = case["id"].as_i64().unwrap();
        let did = case["assessment_deadline_id"].as_i64().unwrap();
        let mut x = body(hukou);
        x["case_id"] = json!(case_id);
        send(&sj, &x).await;
        let dl: Value = sj.json(&format!("/api/v1/deadlines/{did}")).await;
        let waiting: Value = sj.json(&format!("/api/v1/cases/{case_id}")).await;
        if immediate {
            assert_eq!(dl["state"], "suspended", "即办件: the clock waits");
            assert_eq!(waiting["waiting"], 1);
        } else {
            assert_eq!(dl["state"], "open", "not immediate: the clock runs on");
            assert_eq!(waiting["waiting"], 0);
        }
    }
}

// SPEC R5.3: a return after the due instant is recorded as late, like a late answer, and
// counts in the issuing unit's figures.
async fn a_late_return_is_late_and_counted(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let hukou = item(&t, "注销户口证明").await;
    let sj = t.staff("sj_liaison").await;
    let ga = t.staff("ga_proxy1").await;
    let joint = t.staff("joint").await;
    let figures = |board: &Value| {
        board["units"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["issuer_name"] == "县公安局")
            .cloned()
            .unwrap()
    };
    let before = figures(&joint.json("/api/v1/verifications/board").await);
    let on_time = send(&sj, &body(hukou)).await;
    let late = send(&sj, &body(hukou)).await;
    let ret = |id: i64| {
        let ga = &ga;
        async move {
            let r = ga
                .post_json(
                    &format!("/api/v1/verifications/{id}/return"),
                    &json!({"reason": "不属于本单位职责"}),
                )
                .await;
            assert_eq!(r.status(), 200);
            r.json::<Value>().await.unwrap()
        }
    };
    assert_eq!(ret(on_time).await["returned_late"], false);
    t.clock.advance(Duration::minutes(45));
    let d = ret(late).await;
    assert_eq!(d["returned_late"], true);
    assert!(
        d["events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["text"].as_str().unwrap().contains("逾期退回"))
    );
    let after = figures(&joint.json("/api/v1/verifications/board").await);
    let n = |v: &Value, k: &str| v[k].as_i64().unwrap();
    assert_eq!(n(&after, "returned") - n(&before, "returned"), 2);
    assert_eq!(n(&after, "returned_late") - n(&before, "returned_late"), 1);
}

// Issue #15 §11: one function decides how a request reads; the demo's HY00000007 (reported,
// ordered) reads the same in the inbox, the outbox, its detail, on the board, on the
// workbench and on /overdue: the original limit missed AND the ordered limit's time left.
// The two pages once both titled 逾期督办 have distinct names.
async fn a_request_reads_the_same_in_every_view(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let id = scalar(
        &t,
        "SELECT id FROM verifications WHERE case_ref = ?",
        "SJ-2026-0095",
    )
    .await;
    let number = format!("HY{id:08}");
    let sj = t.staff("sj_liaison").await;
    let ga = t.staff("ga_liaison").await;
    let joint = t.staff("joint").await;
    let detail: Value = sj.json(&format!("/api/v1/verifications/{id}")).await;
    let text = detail["countdown_text"].as_str().unwrap().to_owned();
    assert_eq!(
        detail["overdue"], true,
        "the order does not hide the lateness"
    );
    assert!(
        text.starts_with("已逾期 ") && text.contains("；责成限时剩余"),
        "{text}"
    );
    assert_ne!(detail["due_at"], detail["order_due_at"]);
    let inbox: Value = ga
        .json("/api/v1/verifications/inbox?overdue=true&limit=200")
        .await;
    let outbox: Value = sj.json("/api/v1/verifications/outbox?limit=200").await;
    let board: Value = joint.json("/api/v1/verifications/board?limit=200").await;
    for (view, rows) in [
        ("inbox", items(&inbox)),
        ("outbox", items(&outbox)),
        ("board overdue", items(&board["overdue"])),
        ("board reported", items(&board["reported"])),
    ] {
        let row = find(&rows, id).unwrap_or_else(|| panic!("{number} missing from {view}"));
        assert_eq!(row["countdown_text"], text.as_str(), "{view}");
        assert_eq!(row["state_label"], "逾期未反馈", "{view}");
    }
    for (who, path) in [
        (&ga, "/overdue"),
        (&ga, "/workbench"),
        (&joint, "/verifications/board"),
    ] {
        let page = who.get(path).await.text().await.unwrap();
        assert!(
            page.contains(&number) && page.contains(&text),
            "{path}: {page}"
        );
    }
    let overdue = ga.get("/overdue").await.text().await.unwrap();
    let board_page = joint
        .get("/verifications/board")
        .await
        .text()
        .await
        .unwrap();
    assert!(overdue.contains("<title>期限督办") || overdue.contains("<h1>期限督办"));
    assert!(board_page.contains("核验督办台"));
    assert!(!overdue.contains("<h1>逾期督办") && !board_page.contains("<h1>核验逾期督办"));
}

// Issue #16 §8: the board and the lists page with totals; an ordered limit lies in a sane
// range (A2 §11: an order to finish within a time limit).
async fn lists_page_with_totals_and_the_order_is_bounded(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let hukou = item(&t, "注销户口证明").await;
    let sj = t.staff("sj_liaison").await;
    let ids = [
        send(&sj, &body(hukou)).await,
        send(&sj, &body(hukou)).await,
        send(&sj, &body(hukou)).await,
    ];
    t.clock.advance(Duration::minutes(40));
    let joint = t.staff("joint").await;
    let all: Value = joint.json("/api/v1/verifications/board?limit=200").await;
    let total = all["overdue"]["total"].as_i64().unwrap();
    assert!(total >= 4, "three new and the demo's: {total}");
    assert_eq!(items(&all["overdue"]).len() as i64, total);
    let mut seen = vec![];
    let mut offset = 0;
    loop {
        let p: Value = joint
            .json(&format!(
                "/api/v1/verifications/board?limit=2&overdue_offset={offset}"
            ))
            .await;
        assert_eq!(p["overdue"]["total"], total, "the total on every page");
        let rows = items(&p["overdue"]);
        assert!(rows.len() <= 2);
        seen.extend(rows.iter().map(|r| r["id"].as_i64().unwrap()));
        if p["overdue"]["has_more"] != true {
            break;
        }
        offset += 2;
    }
    assert_eq!(seen.len() as i64, total, "every overdue request, once");
    assert!(ids.iter().all(|i| seen.contains(i)));
    let r = joint
        .get("/api/v1/verifications/board?overdue_offset=-1")
        .await;
    assert_eq!(r.status(), 422);
    let ga = t.staff("ga_proxy1").await;
    let inbox: Value = ga
        .json("/api/v1/verifications/inbox?overdue=true&limit=1")
        .await;
    assert!(inbox["total"].as_i64().unwrap() >= 4);
    assert_eq!(items(&inbox).len(), 1);
    let next: Value = ga
        .json("/api/v1/verifications/inbox?overdue=true&limit=1&offset=1")
        .await;
    assert_ne!(items(&next)[0]["id"], items(&inbox)[0]["id"]);
    let page = joint
        .get("/verifications/board")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains(&format!("共 {total} 件")), "{page}");

    // The ordered limit: 9999-12-31 is refused with the field named.
    let id = ids[0];
    let r = sj
        .post_json(&format!("/api/v1/verifications/{id}/report"), &json!({}))
        .await;
    assert_eq!(r.status(), 200);
    let order = |finish: &str| {
        let joint = &joint;
        let finish = finish.to_owned();
        async move {
            joint
                .post_json(
                    &format!("/api/v1/verifications/{id}/order"),
                    &json!({"finish_by": finish, "text": "限期办结"}),
                )
                .await
        }
    };
    for bad in ["9999-12-31T00:00:00+08:00", "2027-06-01T00:00:00+08:00"] {
        let r = order(bad).await;
        assert_eq!(r.status(), 422, "{bad}");
        let p: Value = r.json().await.unwrap();
        assert_eq!(p["errors"][0]["field"], "finish_by", "{p}");
        assert!(p["errors"][0]["message"].as_str().unwrap().contains("一年"));
    }
    let r = order("2026-03-20T17:00:00+08:00").await;
    assert_eq!(r.status(), 200);
}

// SPEC "Trial rules", A2 §11: the report grace is a versioned setting; a request keeps the
// grace in force on the day it was sent, and the grace endpoint adds a version (audited).
async fn the_report_grace_is_a_versioned_setting(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let joint = t.staff("joint").await;
    let r = joint
        .put_json(
            "/api/v1/verifications/settings/grace",
            &json!({"minutes": 120}),
            None,
        )
        .await;
    assert_eq!(r.status(), 200);
    let s = proofless_app::policy::describe(&t.app, "verification.report_grace_minutes")
        .await
        .unwrap();
    assert_eq!(s.in_force, json!(120));
    assert_eq!(s.versions.len(), 1);
    let g: Value = joint.json("/api/v1/verifications/settings/grace").await;
    assert_eq!(g["minutes"], 120);
    // Refused out of range, and only by the responsible office.
    let r = joint
        .put_json(
            "/api/v1/verifications/settings/grace",
            &json!({"minutes": -1}),
            None,
        )
        .await;
    assert_eq!(r.status(), 422);
    let sj = t.staff("sj_liaison").await;
    let r = sj
        .put_json(
            "/api/v1/verifications/settings/grace",
            &json!({"minutes": 5}),
            None,
        )
        .await;
    assert_eq!(r.status(), 403);
    assert_eq!(
        scalar(
            &t,
            "SELECT COUNT(*) FROM audit_log WHERE action = ?",
            "policy.version"
        )
        .await,
        1
    );
}

both_backends!(
    only_a_requesting_unit_may_verify_an_item,
    reclassification_only_when_registering,
    only_an_immediate_case_stops_its_clock,
    a_late_return_is_late_and_counted,
    a_request_reads_the_same_in_every_view,
    lists_page_with_totals_and_the_order_is_bounded,
    the_report_grace_is_a_versioned_setting,
);
