//! The joint meeting over HTTP (A1; SPEC R10.1, issue #21 §3): the registry and liaison
//! changes, a meeting from agenda to sealed minutes with decisions tracked until carried out
//! (and one marked overdue), the half-yearly rhythm on the deadline engine, and training
//! records of liaisons and proxy agents (A2 §6). Every refusal checks that nothing changed.

use chrono::{Duration, TimeZone};
use proofless_app::jobs;
use proofless_store::q;
use serde_json::{Value, json};

use crate::common::{Backend, Client, TestApp, row_id, spawn_demo};

async fn org(t: &TestApp, name: &str) -> i64 {
    t.app
        .db
        .reader()
        .scalar_i64(q("SELECT id FROM orgs WHERE name = ? ORDER BY id LIMIT 1").bind(name))
        .await
        .unwrap()
}

async fn count(t: &TestApp, sql: &str, v: impl Into<proofless_store::Value>) -> i64 {
    t.app.db.reader().scalar_i64(q(sql).bind(v)).await.unwrap()
}

async fn send(c: &Client, method: &str, path: &str, body: Value) -> (u16, Value) {
    let r = match method {
        "PUT" => c.put_json(path, &body, None).await,
        _ => c.post_json(path, &body).await,
    };
    let s = r.status().as_u16();
    (s, r.json().await.unwrap_or(Value::Null))
}

fn has_field(p: &Value, field: &str) -> bool {
    p["errors"]
        .as_array()
        .is_some_and(|e| e.iter().any(|x| x["field"] == field))
}

fn today(t: &TestApp, plus_days: i64) -> String {
    let d = proofless_app::beijing()
        .timestamp_millis_opt(t.app.now_ms())
        .single()
        .unwrap()
        .date_naive();
    (d + Duration::days(plus_days))
        .format("%Y-%m-%d")
        .to_string()
}

/// A meeting called by the office, with one accepted item and the liaison meeting held.
async fn prepared_meeting(t: &TestApp, office: &Client, kind: &str) -> (String, Value) {
    let (s, d) = send(
        office,
        "POST",
        "/api/v1/joint/meetings",
        json!({"kind": kind, "title": "测试联席会议", "planned_on": today(t, 0), "place": "三楼会议室"}),
    )
    .await;
    assert_eq!(s, 201, "{d}");
    let id = d["meeting"]["id"].as_str().unwrap().to_owned();
    let base = format!("/api/v1/joint/meetings/{id}");
    let (s, _) = send(
        office,
        "POST",
        &format!("{base}/agenda"),
        json!({"title": "核验超时整改", "description": "通报超时情况"}),
    )
    .await;
    assert_eq!(s, 200);
    let (s, d) = send(
        office,
        "POST",
        &format!("{base}/liaison-meeting"),
        json!({"held_on": today(t, 0), "notes": "研究议题"}),
    )
    .await;
    assert_eq!(s, 200, "{d}");
    (id, d)
}

fn all_present(d: &Value) -> Value {
    let entries: Vec<Value> = d["member_units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| json!({"org_id": u["id"], "present": true, "attendee": "分管负责同志"}))
        .collect();
    json!({ "entries": entries })
}

// SPEC R10.1; A1 三(一)–(五): agenda by conveners or members, the liaison meeting before, attendance with
// reasons for absence, minutes with decisions (owner and deadline) sealed and sent, each decision
// tracked until carried out by its owner; refusals: a decision without owner or deadline, progress
// by a unit that is not the owner, minutes edited after sealing.
async fn meeting_from_agenda_to_tracked_decision(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let office = t.staff("joint").await;
    let ga_admin = t.staff("ga_admin").await;
    let ga_clerk = t.staff("ga_clerk").await;
    let sj_admin = t.staff("sj_admin").await;
    let sl = t.staff("sl_liaison").await;
    let approver = t.staff("approver").await;
    let ga = org(&t, "县公安局").await;
    let sj = org(&t, "县市场监管局").await;
    let gov = org(&t, "县政府办公室").await;

    // Calling a meeting: the office only; bad fields named at once.
    let good = json!({"kind": "regular", "title": "下半年例会", "planned_on": today(&t, 0), "place": "三楼会议室"});
    assert_eq!(
        send(&ga_admin, "POST", "/api/v1/joint/meetings", good.clone())
            .await
            .0,
        403
    );
    assert_eq!(t.client().get("/api/v1/joint/meetings").await.status(), 401);
    let (s, p) = send(
        &office,
        "POST",
        "/api/v1/joint/meetings",
        json!({"kind": "weekly", "title": " ", "planned_on": "2026-13-01", "place": "x"}),
    )
    .await;
    assert_eq!(s, 422);
    assert!(
        has_field(&p, "kind") && has_field(&p, "title") && has_field(&p, "planned_on"),
        "{p}"
    );
    assert!(p.to_string().contains("会议类型"), "{p}");
    let (s, d) = send(&office, "POST", "/api/v1/joint/meetings", good).await;
    assert_eq!(s, 201, "{d}");
    let id = d["meeting"]["id"].as_str().unwrap().to_owned();
    let base = format!("/api/v1/joint/meetings/{id}");
    // Inside, SQL checks and page links use the row id.
    let rid = row_id(&t, "joint_meetings", &id).await;
    assert_eq!(d["meeting"]["state"], "planned");

    // Agenda (A1 三(二)): a member unit proposes, a convener consents; others may not.
    let item = json!({"title": "户籍证明核验对接", "description": "请研究乡镇窗口对接"});
    assert_eq!(
        send(&ga_clerk, "POST", &format!("{base}/agenda"), item.clone())
            .await
            .0,
        403
    );
    assert_eq!(
        send(&sl, "POST", &format!("{base}/agenda"), item.clone())
            .await
            .0,
        403
    );
    let (s, d) = send(&ga_admin, "POST", &format!("{base}/agenda"), item).await;
    assert_eq!(s, 200, "{d}");
    let proposed = d["agenda"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(d["agenda"][0]["state"], "proposed");
    // Before any item is accepted, no liaison meeting.
    let lm = json!({"held_on": today(&t, 0), "notes": "研究议题"});
    assert_eq!(
        send(
            &office,
            "POST",
            &format!("{base}/liaison-meeting"),
            lm.clone()
        )
        .await
        .0,
        409
    );
    assert_eq!(
        send(
            &ga_admin,
            "POST",
            &format!("{base}/agenda/{proposed}/decision"),
            json!({"accept": true})
        )
        .await
        .0,
        403
    );
    let (s, d) = send(
        &office,
        "POST",
        &format!("{base}/agenda/{proposed}/decision"),
        json!({"accept": true}),
    )
    .await;
    assert_eq!(s, 200, "{d}");
    assert_eq!(d["agenda"][0]["state"], "accepted");
    // Attendance and minutes wait for the liaison meeting (A1 三(四)).
    assert_eq!(
        send(
            &office,
            "PUT",
            &format!("{base}/attendance"),
            all_present(&d)
        )
        .await
        .0,
        409
    );
    let (s, p) = send(
        &office,
        "POST",
        &format!("{base}/liaison-meeting"),
        json!({"held_on": today(&t, 3), "notes": "研究议题"}),
    )
    .await;
    assert_eq!(s, 422);
    assert!(has_field(&p, "held_on"), "{p}");
    let (s, d) = send(&office, "POST", &format!("{base}/liaison-meeting"), lm).await;
    assert_eq!(s, 200, "{d}");
    assert_eq!(d["meeting"]["state"], "prepared");

    // Minutes before attendance: refused.
    let decision = |owner: Value, due: Value| json!({"kind": "decision", "text": "完成户籍证明核验对接", "owner_org_id": owner, "due_on": due});
    let minutes = json!({"held_on": today(&t, 0), "summary": "会议研究了核验对接", "decisions": [
        decision(json!(ga), json!(today(&t, 10))),
        {"kind": "decision", "text": "完成告知承诺核查计划", "owner_org_id": sj, "due_on": today(&t, 3)},
        {"kind": "referral", "text": "乡镇核验终端经费提请县政府研究", "owner_org_id": gov, "due_on": today(&t, 20)},
    ]});
    assert_eq!(
        send(&office, "PUT", &format!("{base}/minutes"), minutes.clone())
            .await
            .0,
        409
    );
    // Attendance (A1 三(一)): every member unit, an absence with its reason.
    let mut att = all_present(&d);
    let missing = json!({"entries": [att["entries"][0].clone()]});
    let (s, p) = send(&office, "PUT", &format!("{base}/attendance"), missing).await;
    assert_eq!(s, 422);
    assert!(has_field(&p, "entries"), "{p}");
    att["entries"][1] =
        json!({"org_id": att["entries"][1]["org_id"], "present": false, "reason": ""});
    let (s, p) = send(&office, "PUT", &format!("{base}/attendance"), att.clone()).await;
    assert_eq!(s, 422);
    assert!(has_field(&p, "entries[1].reason"), "{p}");
    att["entries"][1]["reason"] = json!("参加市级会议");
    let (s, d) = send(&office, "PUT", &format!("{base}/attendance"), att).await;
    assert_eq!(s, 200, "{d}");
    assert!(
        d["attendance"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["present"] == false && a["reason"] == "参加市级会议")
    );

    // A decision without owner or deadline: refused, naming the fields; nothing written.
    let bad = json!({"held_on": today(&t, 0), "summary": "纪要", "decisions": [{"text": "梳理证明事项"}]});
    let (s, p) = send(&office, "PUT", &format!("{base}/minutes"), bad).await;
    assert_eq!(s, 422);
    assert!(
        has_field(&p, "decisions[0].owner_org_id") && has_field(&p, "decisions[0].due_on"),
        "{p}"
    );
    assert!(
        p.to_string().contains("责任单位") && p.to_string().contains("完成时限"),
        "{p}"
    );
    assert_eq!(
        count(
            &t,
            "SELECT COUNT(*) FROM joint_decisions WHERE meeting_id = ?",
            rid
        )
        .await,
        0
    );
    // Hostile input: unknown fields, oversized text.
    let (s, _) = send(
        &office,
        "PUT",
        &format!("{base}/minutes"),
        json!({"held_on": today(&t, 0), "summary": "x", "decisions": [], "sealed": true}),
    )
    .await;
    assert!(s == 400 || s == 422, "{s}");
    let (s, p) = send(&office, "PUT", &format!("{base}/minutes"), json!({"held_on": today(&t, 0), "summary": "纪".repeat(2001), "decisions": [decision(json!(ga), json!(today(&t, 10)))]})).await;
    assert_eq!(s, 422);
    assert!(has_field(&p, "summary"), "{p}");
    // Minutes written, then rewritten freely before sealing.
    let (s, d) = send(&office, "PUT", &format!("{base}/minutes"), minutes.clone()).await;
    assert_eq!(s, 200, "{d}");
    let (s, d) = send(&office, "PUT", &format!("{base}/minutes"), minutes.clone()).await;
    assert_eq!(s, 200, "{d}");
    assert_eq!(d["meeting"]["state"], "held");
    assert_eq!(d["decisions"].as_array().unwrap().len(), 3);

    // Sealing: the office only; then the minutes never change (A1 三(五)).
    assert_eq!(
        send(&ga_admin, "POST", &format!("{base}/seal"), json!({}))
            .await
            .0,
        403
    );
    let (s, d) = send(&office, "POST", &format!("{base}/seal"), json!({})).await;
    assert_eq!(s, 200, "{d}");
    assert_eq!(d["meeting"]["state"], "sealed");
    let sealed_id = d["meeting"]["sealed_id"].as_str().unwrap().to_owned();
    let (s, p) = send(&office, "PUT", &format!("{base}/minutes"), minutes).await;
    assert_eq!(s, 409, "{p}");
    assert!(p.to_string().contains("不能再修改"), "{p}");
    assert_eq!(
        send(&office, "POST", &format!("{base}/seal"), json!({}))
            .await
            .0,
        409
    );
    let (s, _) = send(
        &office,
        "PUT",
        &format!("{base}/attendance"),
        all_present(&d),
    )
    .await;
    assert_eq!(s, 409);
    assert_eq!(
        count(
            &t,
            "SELECT COUNT(*) FROM joint_decisions WHERE meeting_id = ?",
            rid
        )
        .await,
        3
    );
    // The sealed minutes verify and print.
    let v: Value = office
        .json(&format!("/api/v1/public/sealed/{sealed_id}/verify"))
        .await;
    assert_eq!(v["valid"], true, "{v}");
    let pdf = ga_admin.get(&format!("{base}/minutes.pdf")).await;
    assert_eq!(pdf.status(), 200);
    assert!(pdf.bytes().await.unwrap().starts_with(b"%PDF-"));
    // Sent to every member unit; each owner told of its decision.
    let sent = count(
        &t,
        "SELECT COUNT(*) FROM notifications WHERE text LIKE '【会议纪要】%' AND link = ?",
        format!("/joint/meetings/{rid}"),
    )
    .await;
    assert_eq!(sent as usize, d["member_units"].as_array().unwrap().len());

    let dec = |owner: i64| {
        d["decisions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["owner_org_id"] == owner)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let (ga_dec, sj_dec, gov_dec) = (dec(ga), dec(sj), dec(gov));
    let ga_dec_row = row_id(&t, "joint_decisions", &ga_dec).await;
    assert_eq!(
        count(
            &t,
            "SELECT COUNT(*) FROM notifications WHERE link = ?",
            format!("/joint/decisions/{ga_dec_row}")
        )
        .await,
        1
    );
    // 我的决定事项: the owner's own.
    let mine: Value = ga_admin.json("/api/v1/joint/decisions?mine=true").await;
    assert!(mine["total"].as_i64().unwrap() >= 1, "{mine}");
    let mine = mine["items"].as_array().unwrap();
    assert!(mine.iter().any(|x| x["decision"]["id"] == ga_dec));
    assert!(mine.iter().all(|x| x["decision"]["owner_org_id"] == ga));

    // Progress: only the owner unit (its admin or liaison).
    let dbase = format!("/api/v1/joint/decisions/{ga_dec}");
    let step = json!({"text": "已完成两个街道的对接测试", "done": false});
    assert_eq!(
        send(
            &sj_admin,
            "POST",
            &format!("{dbase}/progress"),
            step.clone()
        )
        .await
        .0,
        403
    );
    assert_eq!(
        send(
            &ga_clerk,
            "POST",
            &format!("{dbase}/progress"),
            step.clone()
        )
        .await
        .0,
        403
    );
    let (s, p) = send(
        &ga_admin,
        "POST",
        &format!("{dbase}/progress"),
        json!({"text": ""}),
    )
    .await;
    assert_eq!(s, 422);
    assert!(has_field(&p, "text"), "{p}");
    assert_eq!(
        count(
            &t,
            "SELECT COUNT(*) FROM joint_progress WHERE decision_id = ?",
            ga_dec_row
        )
        .await,
        0
    );
    let (s, x) = send(&ga_admin, "POST", &format!("{dbase}/progress"), step).await;
    assert_eq!(s, 200, "{x}");
    assert_eq!(x["decision"]["state"], "open");
    let (s, x) = send(
        &ga_admin,
        "POST",
        &format!("{dbase}/progress"),
        json!({"text": "全部乡镇窗口已对接", "done": true}),
    )
    .await;
    assert_eq!(s, 200, "{x}");
    assert_eq!(x["decision"]["state"], "done");
    assert_eq!(x["overdue"], false);
    assert_eq!(x["progress"].as_array().unwrap().len(), 2);
    assert_eq!(x["decision"]["deadline_state"], "done");
    assert_eq!(
        send(
            &ga_admin,
            "POST",
            &format!("{dbase}/progress"),
            json!({"text": "再报"})
        )
        .await
        .0,
        409
    );
    // The matter referred to the county government is tracked too: its office reports.
    let (s, x) = send(
        &approver,
        "POST",
        &format!("/api/v1/joint/decisions/{gov_dec}/progress"),
        json!({"text": "县政府常务会议已研究", "done": false}),
    )
    .await;
    assert_eq!(s, 200, "{x}");
    assert_eq!(x["decision"]["kind"], "referral");

    // The market regulator's decision passes its deadline: marked overdue, owner and office told.
    t.clock.advance(Duration::days(5));
    jobs::escalate_due(&t.app, "t").await.unwrap();
    let office = t.staff("joint").await;
    let x: Value = office
        .json(&format!("/api/v1/joint/decisions/{sj_dec}"))
        .await;
    assert_eq!(x["overdue"], true, "{x}");
    assert_eq!(x["decision"]["deadline_state"], "overdue");
    let dl = x["decision"]["deadline_id"].as_i64().unwrap();
    assert_eq!(
        count(
            &t,
            "SELECT COUNT(*) FROM notifications WHERE link = ? AND recipient_role = 'joint_office'",
            format!("/deadlines/{dl}")
        )
        .await,
        1
    );
    let all: Value = office.json("/api/v1/joint/decisions").await;
    assert!(
        all["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["decision"]["id"] == sj_dec && r["overdue"] == true)
    );
    let _ = gov_dec;
}

// A1 二, 三(三): seats kept by the office; one liaison per member unit, changes filed with their
// date by the unit, the predecessor kept.
async fn registry_and_liaison_changes(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let office = t.staff("joint").await;
    let ga_admin = t.staff("ga_admin").await;
    let sl = t.staff("sl_liaison").await; // 县水利局: liaison and unit admin
    let sl_org = org(&t, "县水利局").await;
    let r: Value = office.json("/api/v1/joint/registry").await;
    assert!(
        r["members"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["position"] == "chief_convener" && m["person_name"] == "于寿磊")
    );
    assert!(
        r["members"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["position"] == "office_director" && m["org_name"] == "县行政审批服务局")
    );
    assert!(
        r["members"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["position"] == "task_force")
    );

    let seat = json!({"org_id": sl_org, "position": "member", "person_name": "谢联络", "person_title": "县水利局副局长"});
    assert_eq!(
        send(&ga_admin, "POST", "/api/v1/joint/members", seat.clone())
            .await
            .0,
        403
    );
    let (s, p) = send(
        &office,
        "POST",
        "/api/v1/joint/members",
        json!({"org_id": 0, "position": "mayor", "person_name": "", "person_title": "x"}),
    )
    .await;
    assert_eq!(s, 422);
    assert!(
        has_field(&p, "org_id") && has_field(&p, "position") && has_field(&p, "person_name"),
        "{p}"
    );
    // A liaison for a unit that is not a member yet: refused, naming the unit.
    let liaison = |name: &str, since: String| json!({"org_id": sl_org, "person_name": name, "phone": "0533-6962001", "since_on": since, "reason": "确定联络员"});
    let (s, p) = send(
        &sl,
        "POST",
        "/api/v1/joint/liaisons",
        liaison("谢联络", today(&t, -30)),
    )
    .await;
    assert_eq!(s, 422);
    assert!(has_field(&p, "org_id"), "{p}");
    let (s, m) = send(&office, "POST", "/api/v1/joint/members", seat).await;
    assert_eq!(s, 201, "{m}");
    // The unit files its liaison; another unit's admin may not; bad phone named.
    assert_eq!(
        send(
            &ga_admin,
            "POST",
            "/api/v1/joint/liaisons",
            liaison("某人", today(&t, 0))
        )
        .await
        .0,
        403
    );
    let mut bad = liaison("谢联络", today(&t, -30));
    bad["phone"] = json!("call me");
    let (s, p) = send(&sl, "POST", "/api/v1/joint/liaisons", bad).await;
    assert_eq!(s, 422);
    assert!(has_field(&p, "phone"), "{p}");
    let (s, l) = send(
        &sl,
        "POST",
        "/api/v1/joint/liaisons",
        liaison("谢联络", today(&t, -30)),
    )
    .await;
    assert_eq!(s, 201, "{l}");
    assert_eq!(l["current"], true);
    // A change dated before the current liaison: refused; a proper change keeps the history.
    let (s, p) = send(
        &sl,
        "POST",
        "/api/v1/joint/liaisons",
        liaison("周新", today(&t, -40)),
    )
    .await;
    assert_eq!(s, 422);
    assert!(has_field(&p, "since_on"), "{p}");
    let (s, l2) = send(
        &sl,
        "POST",
        "/api/v1/joint/liaisons",
        liaison("周新", today(&t, 0)),
    )
    .await;
    assert_eq!(s, 201, "{l2}");
    let h: Value = office
        .json(&format!("/api/v1/joint/liaisons/{sl_org}"))
        .await;
    let h = h.as_array().unwrap();
    assert_eq!(h.len(), 2);
    assert_eq!(h[0]["person_name"], "周新");
    assert_eq!(h[0]["current"], true);
    assert_eq!(h[1]["person_name"], "谢联络");
    assert_eq!(h[1]["current"], false);
    assert_eq!(h[1]["until_on"], json!(today(&t, 0)));
    let r: Value = office.json("/api/v1/joint/registry").await;
    let current: Vec<&Value> = r["liaisons"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["org_id"] == sl_org)
        .collect();
    assert_eq!(current.len(), 1, "one liaison per member unit");
    // The office was told of the unit's filing.
    assert!(count(&t, "SELECT COUNT(*) FROM notifications WHERE recipient_role = 'joint_office' AND text LIKE ?", "%周新%").await >= 1);
}

// A1 三(一): a regular meeting at least every half year — the engine reminds, and marks the
// obligation overdue after six months, telling the office.
async fn half_year_rhythm_on_the_engine(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let office = t.staff("joint").await;
    let r: Value = office.json("/api/v1/joint/registry").await;
    assert_eq!(r["rhythm"]["state"], "on_time", "{r}");
    assert_eq!(r["rhythm"]["last_regular_on"], json!(today(&t, 0)));
    let dl = r["rhythm"]["deadline_id"].as_i64().unwrap();
    assert_eq!(r["rhythm"]["deadline_state"], "open");
    t.clock.advance(Duration::days(155));
    let office = t.staff("joint").await;
    let r: Value = office.json("/api/v1/joint/registry").await;
    assert_eq!(r["rhythm"]["state"], "reminder", "{r}");
    // Past six months and past the weekend a calendar-day limit rolls over (to 2026-09-18).
    t.clock.advance(Duration::days(35));
    jobs::escalate_due(&t.app, "t").await.unwrap();
    let office = t.staff("joint").await;
    let r: Value = office.json("/api/v1/joint/registry").await;
    assert_eq!(r["rhythm"]["state"], "overdue", "{r}");
    assert_eq!(r["rhythm"]["deadline_state"], "overdue");
    assert_eq!(
        count(
            &t,
            "SELECT COUNT(*) FROM notifications WHERE link = ? AND recipient_role = 'joint_office'",
            format!("/deadlines/{dl}")
        )
        .await,
        1
    );
    // Holding and sealing the next regular meeting restarts the rhythm.
    let (id, d) = prepared_meeting(&t, &office, "regular").await;
    let base = format!("/api/v1/joint/meetings/{id}");
    assert_eq!(
        send(
            &office,
            "PUT",
            &format!("{base}/attendance"),
            all_present(&d)
        )
        .await
        .0,
        200
    );
    let ga = org(&t, "县公安局").await;
    let m = json!({"held_on": today(&t, 0), "summary": "例会", "decisions": [{"text": "整改", "owner_org_id": ga, "due_on": today(&t, 15)}]});
    assert_eq!(
        send(&office, "PUT", &format!("{base}/minutes"), m).await.0,
        200
    );
    assert_eq!(
        send(&office, "POST", &format!("{base}/seal"), json!({}))
            .await
            .0,
        200
    );
    let r: Value = office.json("/api/v1/joint/registry").await;
    assert_eq!(r["rhythm"]["state"], "on_time", "{r}");
    assert_ne!(r["rhythm"]["deadline_id"].as_i64().unwrap(), dl);
    assert_eq!(
        count(
            &t,
            "SELECT COUNT(*) FROM deadlines WHERE id = ? AND state = 'done'",
            dl
        )
        .await,
        1
    );
}

// A2 §6: training records of liaisons and proxy agents, kept by the joint office, shown in the
// staffing registry; a unit admin sees its own unit's.
async fn training_records(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let office = t.staff("joint").await;
    let ga_admin = t.staff("ga_admin").await;
    let sid = |u: &'static str| {
        let t = &t;
        async move {
            t.app
                .db
                .reader()
                .scalar_i64(q("SELECT id FROM staff WHERE username = ?").bind(u))
                .await
                .unwrap()
        }
    };
    let proxy = sid("ga_proxy2").await;
    let clerk = sid("ga_clerk").await;
    let rec = json!({"staff_id": proxy, "trained_on": today(&t, -1), "course": "容缺受理与干部代办实务", "hours": 1.5});
    assert_eq!(
        send(&ga_admin, "POST", "/api/v1/joint/training", rec.clone())
            .await
            .0,
        403
    );
    let before = count(
        &t,
        "SELECT COUNT(*) FROM staff_training WHERE staff_id = ?",
        proxy,
    )
    .await;
    let (s, p) = send(
        &office,
        "POST",
        "/api/v1/joint/training",
        json!({"staff_id": clerk, "trained_on": today(&t, -1), "course": "培训", "hours": 1}),
    )
    .await;
    assert_eq!(s, 422);
    assert!(has_field(&p, "staff_id"), "{p}");
    let (s, p) = send(
        &office,
        "POST",
        "/api/v1/joint/training",
        json!({"staff_id": proxy, "trained_on": today(&t, 2), "course": "", "hours": 0.05}),
    )
    .await;
    assert_eq!(s, 422);
    assert!(
        has_field(&p, "trained_on") && has_field(&p, "course") && has_field(&p, "hours"),
        "{p}"
    );
    assert_eq!(
        count(
            &t,
            "SELECT COUNT(*) FROM staff_training WHERE staff_id = ?",
            proxy
        )
        .await,
        before
    );
    let (s, r) = send(&office, "POST", "/api/v1/joint/training", rec).await;
    assert_eq!(s, 201, "{r}");
    assert_eq!(r["hours_x10"], 15);
    let own: Value = ga_admin.json("/api/v1/joint/training").await;
    assert!(
        own.as_array()
            .unwrap()
            .iter()
            .any(|x| x["staff_id"] == proxy)
    );
    assert!(
        own.as_array()
            .unwrap()
            .iter()
            .all(|x| x["org_name"] == "县公安局")
    );
    let sj = org(&t, "县市场监管局").await;
    assert_eq!(
        ga_admin
            .get(&format!("/api/v1/joint/training?org_id={sj}"))
            .await
            .status(),
        403
    );
    // Shown in the staffing registry.
    let html = office.get("/admin/registry").await.text().await.unwrap();
    assert!(
        html.contains("容缺受理与干部代办实务") && html.contains("1.5"),
        "registry page"
    );
}

// Issue #21 gaps: meetings, agenda items and decisions are named by public ids only (an
// integer is a bad field, 422, whether or not such a row exists); the lists are paged.
async fn meetings_are_paged_and_named_by_public_ids(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let office = t.staff("joint").await;
    for n in 0..3 {
        let (s, _) = send(
            &office,
            "POST",
            "/api/v1/joint/meetings",
            json!({"kind": "special", "title": format!("专题会议{n}"), "planned_on": today(&t, n), "place": "会议室"}),
        )
        .await;
        assert_eq!(s, 201);
    }
    let all: Value = office.json("/api/v1/joint/meetings").await;
    let total = all["total"].as_i64().unwrap();
    assert!(total >= 3, "{all}");
    assert_eq!(all["items"].as_array().unwrap().len() as i64, total.min(50));
    let page: Value = office.json("/api/v1/joint/meetings?limit=2").await;
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    assert_eq!(page["total"], total);
    assert_eq!(page["limit"], 2);
    let last: Value = office
        .json(&format!(
            "/api/v1/joint/meetings?limit=2&offset={}",
            total - 1
        ))
        .await;
    assert_eq!(last["items"].as_array().unwrap().len(), 1);
    // Newest first.
    let days: Vec<&str> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["planned_on"].as_str().unwrap())
        .collect();
    assert!(days.windows(2).all(|w| w[0] >= w[1]), "{days:?}");
    let id = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["title"] == "专题会议2")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(id.len(), 32);
    assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));
    let d: Value = office.json(&format!("/api/v1/joint/meetings/{id}")).await;
    assert_eq!(d["meeting"]["id"], id.as_str());
    // An integer, existing or not, gets the same 422 naming the field.
    let rid = row_id(&t, "joint_meetings", &id).await;
    let existing = office.get(&format!("/api/v1/joint/meetings/{rid}")).await;
    assert_eq!(existing.status(), 422);
    let existing: Value = existing.json().await.unwrap();
    assert!(has_field(&existing, "id"), "{existing}");
    assert!(existing.to_string().contains("公开编号"), "{existing}");
    let absent = office.get("/api/v1/joint/meetings/987654321").await;
    assert_eq!(absent.status(), 422);
    let absent: Value = absent.json().await.unwrap();
    assert_eq!(absent["errors"], existing["errors"]);
    // A well-formed public id that names nothing: 404.
    let none = office
        .get(&format!("/api/v1/joint/meetings/{}", "0".repeat(32)))
        .await;
    assert_eq!(none.status(), 404);
    // An agenda item named by its row id: 422 on `item`, nothing decided.
    let (s, d) = send(
        &office,
        "POST",
        &format!("/api/v1/joint/meetings/{id}/agenda"),
        json!({"title": "议题", "description": "说明"}),
    )
    .await;
    assert_eq!(s, 200, "{d}");
    let item = d["agenda"][0]["id"].as_str().unwrap().to_owned();
    assert!(d["agenda"][0].get("meeting_id").is_none(), "{d}");
    let item_row = row_id(&t, "joint_agenda_items", &item).await;
    let (s, p) = send(
        &office,
        "POST",
        &format!("/api/v1/joint/meetings/{id}/agenda/{item_row}/decision"),
        json!({"accept": true}),
    )
    .await;
    assert_eq!(s, 422, "{p}");
    assert!(has_field(&p, "item"), "{p}");
    // The decisions list is paged too.
    let dl: Value = office.json("/api/v1/joint/decisions?limit=1").await;
    assert!(dl["total"].is_i64() && dl["items"].is_array(), "{dl}");
    let (s, p) = send(
        &office,
        "POST",
        "/api/v1/joint/decisions/12/progress",
        json!({"text": "进展", "done": false}),
    )
    .await;
    assert_eq!(s, 422);
    assert!(has_field(&p, "id"), "{p}");
}

crate::both_backends!(
    meetings_are_paged_and_named_by_public_ids,
    meeting_from_agenda_to_tracked_decision,
    registry_and_liaison_changes,
    half_year_rhythm_on_the_engine,
    training_records,
);
