//! The deadline engine: suspensions, extensions and their cap, escalation across a restart,
//! two runners on one database, the November calendar reminder, calendar imports and local
//! overrides, and the pages that show overdue items.

use chrono::{TimeZone, Utc};
use proofless_app::deadlines::{self, ExtendInput, OpenInput, SuspendInput};
use proofless_app::{Actor, App, AppError, AppSettings, jobs};
use proofless_store::q;
use serde_json::{Value, json};

use crate::common::{Backend, spawn_demo};

fn at(local: &str) -> chrono::DateTime<Utc> {
    chrono::DateTime::parse_from_rfc3339(local)
        .unwrap()
        .with_timezone(&Utc)
}

async fn org_id(app: &App, name: &str) -> i64 {
    app.db
        .reader()
        .scalar_i64(q("SELECT id FROM orgs WHERE name = ?").bind(name))
        .await
        .unwrap()
}

async fn staff_id(app: &App, username: &str) -> i64 {
    app.db
        .reader()
        .scalar_i64(q("SELECT id FROM staff WHERE username = ?").bind(username))
        .await
        .unwrap()
}

fn input(org: i64, rule: &str, start: &str, subject: &str) -> OpenInput {
    OpenInput {
        subject_type: "complaint".into(),
        subject_id: subject.into(),
        org_id: org,
        rule_key: rule.into(),
        start: Some(start.into()),
        statutory_limit: None,
    }
}

/// The overdue list without the demo county's verifications (overdue on purpose, issue #5 §13).
fn not_demo_verifications(v: serde_json::Value) -> serde_json::Value {
    serde_json::Value::Array(
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter(|i| i["subject_type"] != "verification")
                    .cloned()
                    .collect()
            })
            .unwrap_or_default(),
    )
}

async fn count(app: &App, sql: &str) -> i64 {
    app.db.reader().scalar_i64(q(sql)).await.unwrap()
}

async fn suspension_moves_the_due_instant_and_extensions_stop_at_the_cap(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let sys = Actor::system("test");
    let org = org_id(&t.app, "县市场监管局").await;
    let approver = staff_id(&t.app, "sj_admin").await;
    t.clock.set(at("2026-03-12T10:00:00+08:00"));
    let d = deadlines::open(
        &t.app,
        &sys,
        &input(
            org,
            "complaint.handling",
            "2026-03-12T10:00:00+08:00",
            "TS-1",
        ),
    )
    .await
    .unwrap();
    assert_eq!(d.due.as_deref(), Some("2026-03-19T17:30:00+08:00"));
    assert_eq!(
        (d.deadline.rule_key.as_str(), d.deadline.rule_version),
        ("complaint.handling", 1)
    );
    let id = d.deadline.id;

    // Suspended from 10:00 to 11:00 on Friday: the clock stops, the due instant is unknown…
    t.clock.set(at("2026-03-13T10:00:00+08:00"));
    let s = deadlines::suspend(
        &t.app,
        &sys,
        id,
        &SuspendInput {
            reason: "等待公安局核验".into(),
        },
    )
    .await
    .unwrap();
    assert_eq!(s.deadline.state.as_str(), "suspended");
    assert_eq!(s.due, None);
    let again = deadlines::suspend(
        &t.app,
        &sys,
        id,
        &SuspendInput {
            reason: "再次".into(),
        },
    )
    .await;
    assert!(matches!(again, Err(AppError::Conflict(_))), "{again:?}");
    // …and on resumption moves by exactly the hour of office time suspended.
    t.clock.set(at("2026-03-13T11:00:00+08:00"));
    let r = deadlines::resume(&t.app, &sys, id).await.unwrap();
    assert_eq!(r.deadline.state.as_str(), "open");
    assert_eq!(r.due.as_deref(), Some("2026-03-20T09:30:00+08:00"));
    assert_eq!(r.suspensions.len(), 1);
    assert_eq!(r.suspensions[0].reason, "等待公安局核验");
    assert!(r.suspensions[0].end_at.is_some());

    // A zero-length suspension changes nothing.
    let z = deadlines::suspend(
        &t.app,
        &sys,
        id,
        &SuspendInput {
            reason: "零时长".into(),
        },
    )
    .await
    .unwrap();
    assert_eq!(z.due, None);
    let z = deadlines::resume(&t.app, &sys, id).await.unwrap();
    assert_eq!(z.due.as_deref(), Some("2026-03-20T09:30:00+08:00"));

    // Complaints: at most 5 working days of extension in all (A4 §10).
    let ext = |p: &str| ExtendInput {
        period: p.into(),
        approved_by: approver,
        reason: "情况复杂，需补充调查".into(),
    };
    let e = deadlines::extend(&t.app, &sys, id, &ext("3wd"))
        .await
        .unwrap();
    assert_eq!(e.extensions.len(), 1);
    assert_eq!(e.extensions[0].approved_by, "林管理");
    assert_eq!(e.extensions[0].approved_by_id, Some(approver));
    let refused = deadlines::extend(&t.app, &sys, id, &ext("3wd")).await;
    match refused {
        Err(AppError::Validation(errs)) => {
            assert_eq!(errs[0].field, "period");
            assert!(errs[0].message.contains("超出上限"), "{}", errs[0].message);
        }
        other => panic!("expected refusal, got {other:?}"),
    }
    let e = deadlines::extend(&t.app, &sys, id, &ext("2wd"))
        .await
        .unwrap();
    assert_eq!(e.extensions.len(), 2);
    // Extending then computing equals computing with the longer period (10wd from the start),
    // plus the hour suspended.
    assert_eq!(e.due.as_deref(), Some("2026-03-27T09:30:00+08:00"));
    assert!(
        deadlines::extend(&t.app, &sys, id, &ext("1wd"))
            .await
            .is_err()
    );
    // Missing reason, unknown approver, rule without extensions.
    let no_reason = ExtendInput {
        reason: " ".into(),
        ..ext("1wd")
    };
    assert!(matches!(
        deadlines::extend(&t.app, &sys, id, &no_reason).await,
        Err(AppError::Validation(_))
    ));
    let v = deadlines::open(
        &t.app,
        &sys,
        &input(
            org,
            "verification.electronic",
            "2026-03-13T11:00:00+08:00",
            "TS-2",
        ),
    )
    .await
    .unwrap();
    let not = deadlines::extend(&t.app, &sys, v.deadline.id, &ext("10m")).await;
    assert!(
        matches!(not, Err(AppError::Validation(ref e)) if e[0].message.contains("不允许延长")),
        "{not:?}"
    );

    // Every write is audited.
    let audited = count(
        &t.app,
        &format!(
            "SELECT COUNT(*) FROM audit_log WHERE object_type = 'deadline' AND object_id = '{id}'"
        ),
    )
    .await;
    assert_eq!(audited, 1 + 2 + 2 + 2); // open, suspend×2, resume×2, extend×2
}

async fn statutory_limit_keeps_running_and_bounds_the_due_instant(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let sys = Actor::system("test");
    let org = org_id(&t.app, "县市场监管局").await;
    let mut i = input(
        org,
        "adjustment.application",
        "2026-03-12T10:00:00+08:00",
        "ST-1",
    );
    i.statutory_limit = Some("3cd".into());
    let d = deadlines::open(&t.app, &sys, &i).await.unwrap();
    // 7wd would be 23 March; 3 calendar days end on Sunday 15 March → next working day.
    assert_eq!(d.due.as_deref(), Some("2026-03-16T17:30:00+08:00"));
    assert!(d.deadline.rule_due_at > d.deadline.statutory_due_at);
    // Suspended on Friday: the rule's clock stops, the statutory limit keeps running, and the
    // runner escalates the case when it passes, while still suspended.
    t.clock.set(at("2026-03-13T09:00:00+08:00"));
    let s = deadlines::suspend(
        &t.app,
        &sys,
        d.deadline.id,
        &SuspendInput {
            reason: "等待核验".into(),
        },
    )
    .await
    .unwrap();
    assert_eq!(s.deadline.state.as_str(), "suspended");
    assert_eq!(s.due.as_deref(), Some("2026-03-16T17:30:00+08:00"));
    let id = d.deadline.id;
    // (The demo's own deadlines fall due too: look at this one only.)
    t.clock.set(at("2026-03-16T17:29:00+08:00"));
    jobs::escalate_due(&t.app, "r").await.unwrap();
    let before = deadlines::get(&t.app, &sys, id).await.unwrap();
    assert_eq!(before.deadline.state.as_str(), "suspended");
    t.clock.set(at("2026-03-16T17:31:00+08:00"));
    jobs::escalate_due(&t.app, "r").await.unwrap();
    jobs::escalate_due(&t.app, "r").await.unwrap();
    let escalations = count(
        &t.app,
        &format!("SELECT COUNT(*) FROM audit_log WHERE action = 'deadline.escalate' AND object_id = '{id}'"),
    )
    .await;
    assert_eq!(escalations, 1);
    let after = deadlines::get(&t.app, &sys, d.deadline.id).await.unwrap();
    assert_eq!(after.deadline.state.as_str(), "overdue");
    // Resuming does not undo it: the statutory limit has passed.
    let r = deadlines::resume(&t.app, &sys, d.deadline.id)
        .await
        .unwrap();
    assert_eq!(r.deadline.state.as_str(), "overdue");
    i.statutory_limit = Some("3m".into());
    assert!(
        matches!(deadlines::open(&t.app, &sys, &i).await, Err(AppError::Validation(e)) if e[0].field == "statutory_limit")
    );
}

async fn api_scopes_deadlines_to_the_responsible_unit(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    t.clock.set(at("2026-03-12T10:30:00+08:00"));
    let sj = t.staff("sj_admin").await;
    let ga = t.staff("ga_admin").await;
    let org = org_id(&t.app, "县市场监管局").await;
    let body = json!({"subject_type": "verification", "subject_id": "HY-2026-001", "org_id": org,
        "rule_key": "verification.paper_archive", "start": "2026-03-12T10:00:00+08:00"});
    let res = sj.post_json("/api/v1/deadlines", &body).await;
    assert_eq!(res.status(), 201);
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["due"], "2026-03-13T17:30:00+08:00");
    assert_eq!(v["rule"]["version"], 1);
    let id = v["id"].as_i64().unwrap();
    // Another unit may neither open nor touch it.
    assert_eq!(ga.post_json("/api/v1/deadlines", &body).await.status(), 403);
    assert_eq!(
        ga.get(&format!("/api/v1/deadlines/{id}")).await.status(),
        403
    );
    assert_eq!(
        ga.post_json(
            &format!("/api/v1/deadlines/{id}/suspend"),
            &json!({"reason": "x"})
        )
        .await
        .status(),
        403
    );
    // Anonymous: 401.
    assert_eq!(
        t.client()
            .get(&format!("/api/v1/deadlines/{id}"))
            .await
            .status(),
        401
    );
    // Bad input: unknown rule, bad start, empty subject, unknown field.
    let bad = json!({"subject_type": "", "subject_id": "x", "org_id": org, "rule_key": "nope", "start": "yesterday"});
    let res = sj.post_json("/api/v1/deadlines", &bad).await;
    assert_eq!(res.status(), 422);
    let v: Value = res.json().await.unwrap();
    let fields: Vec<&str> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&"subject_type") && fields.contains(&"start"),
        "{v}"
    );
    let res = sj
        .post_json(
            "/api/v1/deadlines",
            &json!({"subject_type": "a", "subject_id": "b", "org_id": org, "rule_key": "nope"}),
        )
        .await;
    assert_eq!(res.status(), 422);
    // Hostile text is stored literally.
    let res = sj
        .post_json(
            &format!("/api/v1/deadlines/{id}/suspend"),
            &json!({"reason": "<script>alert(1)</script>"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["suspensions"][0]["reason"], "<script>alert(1)</script>");
    assert_eq!(v["state"], "suspended");
    // Extension cap through the API: paper archives allow none.
    let approver = staff_id(&t.app, "sj_admin").await;
    let res = sj
        .post_json(
            &format!("/api/v1/deadlines/{id}/extend"),
            &json!({"period": "1wd", "approved_by": approver, "reason": "r"}),
        )
        .await;
    assert_eq!(res.status(), 422);
    let res = sj
        .post_json(&format!("/api/v1/deadlines/{id}/resume"), &json!({}))
        .await;
    assert_eq!(res.status(), 200);
    let res = sj
        .post_json(&format!("/api/v1/deadlines/{id}/complete"), &json!({}))
        .await;
    assert_eq!(res.status(), 200);
    let res = sj
        .post_json(
            &format!("/api/v1/deadlines/{id}/suspend"),
            &json!({"reason": "x"}),
        )
        .await;
    assert_eq!(res.status(), 409);
}

async fn a_restart_across_the_due_instant_escalates_exactly_once(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let sys = Actor::system("test");
    let org = org_id(&t.app, "县市场监管局").await;
    t.clock.set(at("2026-03-12T09:30:00+08:00"));
    let d = deadlines::open(
        &t.app,
        &sys,
        &input(
            org,
            "verification.electronic",
            "2026-03-12T09:30:00+08:00",
            "RS-1",
        ),
    )
    .await
    .unwrap();
    assert_eq!(d.due.as_deref(), Some("2026-03-12T10:00:00+08:00"));
    // Reminders at 1/2 and 4/5 of the allowed 30 minutes.
    let runs: Vec<(String, i64)> = t
        .app
        .db
        .reader()
        .fetch_all(
            q("SELECT unique_key, run_at FROM jobs WHERE kind = 'deadline.reminder' AND unique_key LIKE ? ORDER BY run_at")
                .bind(format!("deadline:{}:%", d.deadline.id)),
        )
        .await
        .unwrap();
    assert_eq!(runs.len(), 2);
    assert_eq!(
        runs[0].1,
        at("2026-03-12T09:45:00+08:00").timestamp_millis()
    );
    assert_eq!(
        runs[1].1,
        at("2026-03-12T09:54:00+08:00").timestamp_millis()
    );
    // A runner before the due instant does nothing.
    let r = jobs::run_once(&t.app, "before").await.unwrap();
    assert_eq!((r.escalated, r.jobs_done), (0, 0));

    // Downtime: nobody runs until 12:00. A fresh runner (new App on the same database, as a
    // restarted `proofless serve`) catches up at start.
    t.clock.set(at("2026-03-12T12:00:00+08:00"));
    let restarted = App::new(t.app.db.clone(), t.clock.clone(), AppSettings::default());
    proofless_app::calendar::reload(&restarted).await.unwrap();
    let r = jobs::run_once(&restarted, "after-restart").await.unwrap();
    assert_eq!(r.escalated, 1);
    // Reminders that fell due during the downtime are moot once overdue: skipped, no effect.
    assert_eq!(r.jobs_skipped, 2);
    let r = jobs::run_once(&restarted, "after-restart").await.unwrap();
    assert_eq!((r.escalated, r.jobs_done, r.jobs_skipped), (0, 0, 0));
    let r = jobs::run_once(&t.app, "old").await.unwrap();
    assert_eq!(r.escalated, 0);
    assert_eq!(count(&t.app, "SELECT COUNT(*) FROM notifications WHERE kind = 'overdue' AND recipient_org_id IS NOT NULL AND text LIKE '%RS-1%'").await, 1);
    assert_eq!(count(&t.app, "SELECT COUNT(*) FROM notifications WHERE kind = 'overdue' AND recipient_role = 'joint_office' AND text LIKE '%RS-1%'").await, 1);
    assert_eq!(
        count(
            &t.app,
            &format!(
                "SELECT COUNT(*) FROM audit_log WHERE action = 'deadline.escalate' AND object_id = '{}'",
                d.deadline.id
            )
        )
        .await,
        1
    );

    // At once in the unit's workbench and the joint office's view, with how late.
    let sj = t.staff("sj_admin").await;
    let items = sj.json("/api/v1/deadlines/overdue").await;
    assert_eq!(items.as_array().unwrap().len(), 1);
    assert_eq!(items[0]["late"]["wall_minutes"], 120);
    assert_eq!(items[0]["late"]["office_minutes"], 120);
    let joint = t.staff("joint").await;
    let all = not_demo_verifications(joint.json("/api/v1/deadlines/overdue").await);
    assert_eq!(all.as_array().unwrap().len(), 1);
    assert_eq!(all[0]["org_name"], "县市场监管局");
    // Over lunch the office time stops: at 14:00 it is 4 h late in wall time, 2.5 h in office time.
    t.clock.set(at("2026-03-12T14:00:00+08:00"));
    let all = not_demo_verifications(joint.json("/api/v1/deadlines/overdue").await);
    assert_eq!(all[0]["late"]["wall_minutes"], 240);
    assert_eq!(all[0]["late"]["office_minutes"], 150);
    let page = sj.get("/workbench").await.text().await.unwrap();
    assert!(
        page.contains("逾期/即将到期") && page.contains("RS-1") && page.contains("逾期 4 小时"),
        "{page}"
    );
    let page = joint.get("/overdue").await.text().await.unwrap();
    assert!(page.contains("全县") && page.contains("RS-1"), "{page}");
    // Another unit sees neither.
    let ga = t.staff("ga_admin").await;
    assert_eq!(
        not_demo_verifications(ga.json("/api/v1/deadlines/overdue").await)
            .as_array()
            .unwrap()
            .len(),
        0
    );
    assert_eq!(
        ga.get(&format!("/api/v1/deadlines/overdue?org_id={org}"))
            .await
            .status(),
        403
    );
    // Notifications: the unit and the joint office each have one, and can mark it read.
    // (The demo county's own verifications and commitments notify this unit too: count RS-1's.)
    let n = sj.json("/api/v1/notifications?limit=500").await;
    let unread = n["unread"].as_i64().unwrap();
    let rs1: Vec<&Value> = n["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["read_at"].is_null() && i["text"].as_str().unwrap_or("").contains("RS-1"))
        .collect();
    assert_eq!(rs1.len(), 1);
    let nid = rs1[0]["id"].as_i64().unwrap();
    assert!(rs1[0]["text"].as_str().unwrap().contains("逾期"));
    assert_eq!(
        ga.post_json(&format!("/api/v1/notifications/{nid}/read"), &json!({}))
            .await
            .status(),
        404
    );
    assert_eq!(
        sj.post_json(&format!("/api/v1/notifications/{nid}/read"), &json!({}))
            .await
            .status(),
        204
    );
    assert_eq!(
        sj.json("/api/v1/notifications").await["unread"]
            .as_i64()
            .unwrap(),
        unread - 1
    );
    // The joint office's own copy is still unread (the demo county's notifications aside).
    let jn = joint.json("/api/v1/notifications?limit=500").await;
    let unread_rs1 = jn["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["read_at"].is_null() && i["text"].as_str().unwrap_or("").contains("RS-1"))
        .count();
    assert_eq!(unread_rs1, 1);
}

async fn reminders_fire_once_at_half_and_four_fifths(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let sys = Actor::system("test");
    let org = org_id(&t.app, "县市场监管局").await;
    t.clock.set(at("2026-03-12T09:30:00+08:00"));
    deadlines::open(
        &t.app,
        &sys,
        &input(
            org,
            "verification.electronic",
            "2026-03-12T09:30:00+08:00",
            "RM-1",
        ),
    )
    .await
    .unwrap();
    t.clock.set(at("2026-03-12T09:46:00+08:00"));
    let r = jobs::run_once(&t.app, "r").await.unwrap();
    assert_eq!((r.jobs_done, r.escalated), (1, 0));
    assert_eq!(jobs::run_once(&t.app, "r").await.unwrap().jobs_done, 0);
    t.clock.set(at("2026-03-12T09:55:00+08:00"));
    assert_eq!(jobs::run_once(&t.app, "r").await.unwrap().jobs_done, 1);
    assert_eq!(
        count(
            &t.app,
            "SELECT COUNT(*) FROM notifications WHERE kind = 'reminder'"
        )
        .await,
        2
    );
}

async fn two_runners_never_escalate_twice(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let sys = Actor::system("test");
    let orgs: Vec<(i64,)> = t
        .app
        .db
        .reader()
        .fetch_all(q("SELECT id FROM orgs ORDER BY id LIMIT 5"))
        .await
        .unwrap();
    t.clock.set(at("2026-03-12T09:30:00+08:00"));
    let n = 1200;
    let mut tx = t.app.db.begin().await.unwrap();
    for i in 0..n {
        let org = orgs[i % orgs.len()].0;
        deadlines::open_in(
            &mut tx,
            &t.app,
            &sys,
            &input(
                org,
                "verification.electronic",
                "2026-03-12T09:30:00+08:00",
                &format!("TW-{i}"),
            )
            .parse(chrono::Utc::now())
            .unwrap(),
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    // All 1 200 fall due at 10:00:00 (and 2 400 reminders before): two instances start at once.
    t.clock.set(at("2026-03-12T10:05:00+08:00"));
    let a = App::new(t.app.db.clone(), t.clock.clone(), AppSettings::default());
    let c = App::new(t.app.db.clone(), t.clock.clone(), AppSettings::default());
    proofless_app::calendar::reload(&a).await.unwrap();
    proofless_app::calendar::reload(&c).await.unwrap();
    // The demo county's own overdue verifications were escalated when it was loaded.
    let before_overdue = count(
        &t.app,
        "SELECT COUNT(*) FROM deadlines WHERE state = 'overdue'",
    )
    .await;
    let before_audit = count(
        &t.app,
        "SELECT COUNT(*) FROM audit_log WHERE action = 'deadline.escalate'",
    )
    .await;
    let before_notes = count(
        &t.app,
        "SELECT COUNT(*) FROM notifications WHERE kind = 'overdue'",
    )
    .await;
    let h1 = tokio::spawn(async move { jobs::run_once(&a, "instance-a").await });
    let h2 = tokio::spawn(async move { jobs::run_once(&c, "instance-b").await });
    let (r1, r2) = (h1.await.unwrap().unwrap(), h2.await.unwrap().unwrap());
    assert_eq!(r1.escalated + r2.escalated, n, "{r1:?} {r2:?}");
    assert_eq!(r1.jobs_failed + r2.jobs_failed, 0);
    assert_eq!(
        count(
            &t.app,
            "SELECT COUNT(*) FROM deadlines WHERE state = 'overdue'"
        )
        .await
            - before_overdue,
        n as i64
    );
    let notes = count(
        &t.app,
        "SELECT COUNT(*) FROM notifications WHERE kind = 'overdue'",
    )
    .await
        - before_notes;
    assert_eq!(
        notes,
        2 * n as i64,
        "one to the unit and one to the joint office, each once"
    );
    assert_eq!(
        count(
            &t.app,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'deadline.escalate'"
        )
        .await
            - before_audit,
        n as i64
    );
    // Reminders that came due with the escalation were claimed once each, with no effect.
    assert_eq!(
        count(
            &t.app,
            &format!("SELECT COUNT(*) FROM jobs WHERE kind = 'deadline.reminder' AND state = 'pending' AND run_at <= {}", t.app.now_ms())
        )
        .await,
        0
    );
    assert_eq!(
        count(
            &t.app,
            "SELECT COUNT(*) FROM notifications WHERE kind = 'reminder'"
        )
        .await,
        0
    );
    if b == Backend::Postgres {
        // Both instances did part of the work: SKIP LOCKED let them share it.
        eprintln!(
            "instance a escalated {}, instance b {}",
            r1.escalated, r2.escalated
        );
    }
    // The audit chain is intact after concurrent runners.
    assert!(proofless_app::audit::verify(&t.app.db).await.unwrap().ok);
}

async fn the_admin_is_reminded_in_november_to_load_next_year(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    proofless_app::calendar::reload(&t.app).await.unwrap();
    jobs::run_once(&t.app, "r").await.unwrap();
    let sql = "SELECT COUNT(*) FROM notifications WHERE kind = 'calendar' AND recipient_role = 'system_admin'";
    assert_eq!(count(&t.app, sql).await, 0, "not before November");
    t.clock
        .set(Utc.with_ymd_and_hms(2026, 11, 2, 2, 0, 0).unwrap());
    jobs::run_once(&t.app, "r").await.unwrap();
    jobs::run_once(&t.app, "r").await.unwrap();
    assert_eq!(count(&t.app, sql).await, 1);
    let admin = t.staff("admin").await;
    let n = admin.json("/api/v1/notifications").await;
    assert!(
        n["items"][0]["text"].as_str().unwrap().contains("2027年"),
        "{n}"
    );
    let page = admin.get("/admin/calendar").await.text().await.unwrap();
    assert!(page.contains("2027年的国务院节假日安排尚未载入"), "{page}");
}

const CSV_2027: &str = "date,kind,name,source\n\
2027-01-01,holiday,元旦,国办发明电〔2026〕99号\n\
2027-02-06,holiday,春节,国办发明电〔2026〕99号\n\
2027-02-07,adjusted_workday,春节,国办发明电〔2026〕99号\n";

async fn calendar_imports_are_all_or_nothing_and_overrides_move_deadlines(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let admin = t.staff("admin").await;
    let sj = t.staff("sj_admin").await;
    // (A made-up notice for the test: the real 2027 notice is not published yet.)
    let body = json!({"year": 2027, "notice": "国办发明电〔2026〕99号", "csv": CSV_2027});
    assert_eq!(
        sj.post_json("/api/v1/calendar/import", &body)
            .await
            .status(),
        403
    );
    // One bad row: nothing imported, every problem named with line and field.
    let bad = json!({"year": 2027, "notice": "国办发明电〔2026〕99号",
        "csv": format!("{CSV_2027}2027-02-30,holiday,春节,国办发明电〔2026〕99号\n2027-03-01,party,x,国办发明电〔2026〕99号\n")});
    let res = admin.post_json("/api/v1/calendar/import", &bad).await;
    assert_eq!(res.status(), 422);
    let v: Value = res.json().await.unwrap();
    let text = v["detail"].as_str().unwrap();
    assert!(
        text.contains("第5行")
            && text.contains("第6行")
            && text.contains("日期")
            && text.contains("类型"),
        "{text}"
    );
    let c = t.client();
    let v: Value = c
        .http
        .get(c.url("/api/v1/calendar/deadline"))
        .query(&[("start", "2026-12-31T10:00:00+08:00"), ("period", "1wd")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    // 1 January 2027 is already a provisional holiday (issue #15 item 12), not final.
    assert_eq!(
        v,
        json!({"due": "2027-01-04T17:30:00+08:00", "calendar_complete": false})
    );
    // The good file: 2027 becomes complete and the answers change.
    let res = admin.post_json("/api/v1/calendar/import", &body).await;
    assert_eq!(res.status(), 201);
    let v: Value = c
        .http
        .get(c.url("/api/v1/calendar/deadline"))
        .query(&[("start", "2026-12-31T10:00:00+08:00"), ("period", "1wd")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        v,
        json!({"due": "2027-01-04T17:30:00+08:00", "calendar_complete": true})
    );
    let v = c.json("/api/v1/calendar/2027-02-07").await;
    assert_eq!(
        v,
        json!({"date":"2027-02-07","working_day":true,"kind":"adjusted_workday","name":"春节",
            "calendar_complete":true,"provisional":false})
    );
    // Loading the same year again is refused.
    let res = admin.post_json("/api/v1/calendar/import", &body).await;
    assert_eq!(res.status(), 422);
    let years = admin.json("/api/v1/calendar/years").await;
    let y2027 = years
        .as_array()
        .unwrap()
        .iter()
        .find(|y| y["year"] == 2027)
        .unwrap()
        .clone();
    assert_eq!(y2027["origin"], "import");
    assert_eq!(y2027["notice"], "国办发明电〔2026〕99号");
    assert_eq!(y2027["entries"], 3);

    // A county closure on Monday 16 March moves an open deadline due that day.
    let sys = Actor::system("test");
    let org = org_id(&t.app, "县市场监管局").await;
    let d = deadlines::open(
        &t.app,
        &sys,
        &input(
            org,
            "verification.incomplete_archive",
            "2026-03-12T10:00:00+08:00",
            "OV-1",
        ),
    )
    .await
    .unwrap();
    assert_eq!(d.due.as_deref(), Some("2026-03-16T17:30:00+08:00"));
    let ov = json!({"date": "2026-03-16", "kind": "closure", "name": "防汛应急<停止办公>", "source": "高青县人民政府通知"});
    assert_eq!(
        sj.post_json("/api/v1/calendar/overrides", &ov)
            .await
            .status(),
        403
    );
    let res = admin.post_json("/api/v1/calendar/overrides", &ov).await;
    assert_eq!(res.status(), 201);
    let v = c.json("/api/v1/calendar/2026-03-16").await;
    assert_eq!(
        v,
        json!({"date":"2026-03-16","working_day":false,"kind":"holiday","name":"防汛应急<停止办公>",
            "calendar_complete":true,"provisional":false})
    );
    let after = deadlines::get(&t.app, &sys, d.deadline.id).await.unwrap();
    assert_eq!(after.due.as_deref(), Some("2026-03-17T17:30:00+08:00"));
    // A duplicate date and a bad kind are refused with the field named.
    let res = admin.post_json("/api/v1/calendar/overrides", &ov).await;
    assert_eq!(res.status(), 422);
    let res = admin
        .post_json(
            "/api/v1/calendar/overrides",
            &json!({"date": "2026-03-18", "kind": "party", "name": "x", "source": "y"}),
        )
        .await;
    assert_eq!(res.status(), 422);
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["errors"][0]["field"], "kind");
    // An official date cannot be overridden: 春节 is already there.
    let res = admin
        .post_json(
            "/api/v1/calendar/overrides",
            &json!({"date": "2026-02-16", "kind": "closure", "name": "x", "source": "y"}),
        )
        .await;
    assert_eq!(res.status(), 422);
    // Listing and removing.
    let local = admin.json("/api/v1/calendar/days?local=true").await;
    assert_eq!(local.as_array().unwrap().len(), 1);
    assert_eq!(
        admin
            .delete("/api/v1/calendar/overrides/2026-03-16")
            .await
            .status(),
        204
    );
    assert_eq!(
        admin
            .delete("/api/v1/calendar/overrides/2026-02-16")
            .await
            .status(),
        404
    );
    let after = deadlines::get(&t.app, &sys, d.deadline.id).await.unwrap();
    assert_eq!(after.due.as_deref(), Some("2026-03-16T17:30:00+08:00"));
    // Another instance (fresh cache) sees the same calendar after a refresh.
    let other = App::new(t.app.db.clone(), t.clock.clone(), AppSettings::default());
    assert!(
        proofless_app::calendar::refresh_if_changed(&other)
            .await
            .unwrap()
    );
    assert_eq!(other.calendar().version(), t.app.calendar().version());
    assert!(other.calendar().is_year_complete(2027));
    let page = admin.get("/admin/calendar").await.text().await.unwrap();
    assert!(
        page.contains("国办发明电〔2026〕99号") && page.contains("国办发明电〔2025〕7号"),
        "{page}"
    );
}

/// PostgreSQL: a batch claimed by one instance (rows locked, transaction still open) is
/// skipped by another instance, which escalates the rest at once instead of waiting; when the
/// first instance gives up its claim, the rows are escalated exactly once. (SQLite has one
/// writer at a time: `BEGIN IMMEDIATE` serialises runners, covered by the test above.)
async fn a_claimed_batch_is_skipped_not_waited_for(b: Backend) {
    if b != Backend::Postgres {
        return;
    }
    let Some(t) = spawn_demo(b).await else { return };
    let sys = Actor::system("test");
    let org = org_id(&t.app, "县市场监管局").await;
    t.clock.set(at("2026-03-12T09:30:00+08:00"));
    let n = 700;
    let mut tx = t.app.db.begin().await.unwrap();
    for i in 0..n {
        deadlines::open_in(
            &mut tx,
            &t.app,
            &sys,
            &input(
                org,
                "verification.electronic",
                "2026-03-12T09:30:00+08:00",
                &format!("SK-{i}"),
            )
            .parse(chrono::Utc::now())
            .unwrap(),
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    t.clock.set(at("2026-03-12T10:05:00+08:00"));
    // The demo county's own overdue verifications were escalated when it was loaded.
    let before_notes = count(
        &t.app,
        "SELECT COUNT(*) FROM notifications WHERE kind = 'overdue'",
    )
    .await;
    // Instance A claims a batch of 500 and stalls inside its transaction.
    let mut claim = t.app.db.begin().await.unwrap();
    let claimed: Vec<(i64, i64, String, String, String, Option<i64>, String)> = claim
        .fetch_all(jobs::due_query(t.app.now_ms()))
        .await
        .unwrap();
    assert_eq!(claimed.len(), 500);
    // Instance B escalates the other 200 without waiting for A.
    let other = App::new(t.app.db.clone(), t.clock.clone(), AppSettings::default());
    let done = tokio::time::timeout(
        std::time::Duration::from_secs(60),
        jobs::escalate_due(&other, "instance-b"),
    )
    .await
    .expect("instance B must not wait for rows locked by A")
    .unwrap();
    assert_eq!(done, n - 500);
    // A ends its transaction without having done anything: the claim is released (a crash
    // does the same once PostgreSQL notices the lost connection) and B takes the rows over.
    claim.commit().await.unwrap();
    assert_eq!(jobs::escalate_due(&other, "instance-b").await.unwrap(), 500);
    assert_eq!(jobs::escalate_due(&other, "instance-b").await.unwrap(), 0);
    assert_eq!(
        count(
            &t.app,
            "SELECT COUNT(*) FROM notifications WHERE kind = 'overdue'"
        )
        .await
            - before_notes,
        2 * n as i64
    );
    assert!(proofless_app::audit::verify(&t.app.db).await.unwrap().ok);
}

both_backends!(
    suspension_moves_the_due_instant_and_extensions_stop_at_the_cap,
    statutory_limit_keeps_running_and_bounds_the_due_instant,
    api_scopes_deadlines_to_the_responsible_unit,
    a_restart_across_the_due_instant_escalates_exactly_once,
    reminders_fire_once_at_half_and_four_fifths,
    two_runners_never_escalate_twice,
    the_admin_is_reminded_in_november_to_load_next_year,
    calendar_imports_are_all_or_nothing_and_overrides_move_deadlines,
    a_claimed_batch_is_skipped_not_waited_for,
);
