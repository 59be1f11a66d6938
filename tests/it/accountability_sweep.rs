//! Accountability proposals (A5 §4, issue #21 §5): an overdue verification leaves exactly one
//! violation record, and every record becomes evidence of exactly one case — duplicates of
//! the same unit and ground merged — even with two instances sweeping at once.

use chrono::Duration;
use proofless_app::violations::{self, NewViolation};
use proofless_app::{Actor, App, AppSettings, accountability};
use proofless_domain::violation::{ViolationKind, ViolationSource};
use serde_json::{Value, json};

use crate::common::{Backend, Client, TestApp, spawn_demo};
use crate::verification::{body, item, org, scalar};

async fn send(sj: &Client, item: i64) -> i64 {
    let r = sj.post_json("/api/v1/verifications", &body(item)).await;
    assert_eq!(r.status(), 201);
    r.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
}

async fn count(t: &TestApp, sql: &str) -> i64 {
    t.app
        .db
        .reader()
        .scalar_i64(proofless_store::q(sql))
        .await
        .unwrap()
}

// A2 §7, A5 §4(三): a manual and an automatic report each record one violation; reporting
// again or re-running the jobs adds none; the sweep merges both into one proposal.
async fn overdue_verification_records_one_violation(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    accountability::propose_pending(&t.app).await.unwrap();
    let hukou = item(&t, "注销户口证明").await;
    let sj = t.staff("sj_liaison").await;
    let id = send(&sj, hukou).await;
    let id2 = send(&sj, hukou).await;
    t.clock.advance(Duration::minutes(40));
    let r = sj
        .post_json(&format!("/api/v1/verifications/{id}/report"), &json!({}))
        .await;
    assert_eq!(r.status(), 200);
    let refs = |id: i64| format!("verification:{id}");
    let sql = "SELECT COUNT(*) FROM violation_records WHERE source_ref = ? AND kind = 'verification_late'";
    assert_eq!(scalar(&t, sql, &refs(id)).await, 1);
    assert_eq!(scalar(&t, sql, &refs(id2)).await, 0, "not yet reported");
    // The grace passes: the second is reported automatically, once, however often the
    // runner passes.
    t.clock.advance(Duration::hours(30));
    for _ in 0..3 {
        proofless_app::jobs::run_once(&t.app, "test").await.unwrap();
    }
    assert_eq!(scalar(&t, sql, &refs(id2)).await, 1);
    assert_eq!(scalar(&t, sql, &refs(id)).await, 1);
    accountability::propose_pending(&t.app).await.unwrap();
    // Both are evidence of the same proposal: 县公安局, not finished in time (merged).
    let case_of = "SELECT e.case_id FROM accountability_evidence e JOIN violation_records v \
                   ON v.id = e.violation_id WHERE v.source_ref = ?";
    let c1 = scalar(&t, case_of, &refs(id)).await;
    let c2 = scalar(&t, case_of, &refs(id2)).await;
    assert_eq!(c1, c2, "duplicates merged into one case");
    let ga = org(&t, "县公安局").await;
    let state = "SELECT COUNT(*) FROM accountability_cases WHERE id = ? AND state = 'proposed' \
                 AND kind = 'verification_late'";
    let n = t
        .app
        .db
        .reader()
        .scalar_i64(proofless_store::q(state).bind(c1))
        .await
        .unwrap();
    assert_eq!(n, 1);
    let _ = ga;
}

// Issue #21 §5: two instances sweep the same 240 records at once; each record is evidence of
// exactly one case, each (unit, ground) has one case, and nobody failed.
async fn two_instances_propose_each_record_once(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    accountability::propose_pending(&t.app).await.unwrap();
    let before_cases = count(&t, "SELECT COUNT(*) FROM accountability_cases").await;
    let before_evidence = count(&t, "SELECT COUNT(*) FROM accountability_evidence").await;
    let units = [org(&t, "县公安局").await, org(&t, "县市场监管局").await];
    let kinds = [
        ViolationKind::ProofDemanded,
        ViolationKind::CommitmentUnchecked,
        ViolationKind::Falsified,
    ];
    let system = Actor::system("test");
    let now = t.app.now_ms();
    let mut tx = t.app.db.begin().await.unwrap();
    for i in 0..240 {
        let r = format!("test:{i}");
        let fact = NewViolation {
            kind: kinds[i % 3],
            source: ViolationSource::Case,
            source_ref: &r,
            org_id: units[(i / 3) % 2],
            staff_id: None,
            summary: "向申请人索要清单外的证明",
            occurred_at: now,
        };
        violations::record(&mut tx, &system, now, &fact)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    let a = App::new(t.app.db.clone(), t.clock.clone(), AppSettings::default());
    let c = App::new(t.app.db.clone(), t.clock.clone(), AppSettings::default());
    let h1 = tokio::spawn(async move { accountability::propose_pending(&a).await });
    let h2 = tokio::spawn(async move { accountability::propose_pending(&c).await });
    let (r1, r2) = (h1.await.unwrap().unwrap(), h2.await.unwrap().unwrap());
    assert_eq!(
        r1 + r2,
        240,
        "each record taken by one instance: {r1} + {r2}"
    );
    let evidence = count(&t, "SELECT COUNT(*) FROM accountability_evidence").await;
    assert_eq!(evidence - before_evidence, 240);
    let cases = count(&t, "SELECT COUNT(*) FROM accountability_cases").await;
    assert_eq!(cases - before_cases, 6, "one case per unit and ground");
    assert_eq!(
        count(&t, "SELECT COUNT(*) FROM violation_records").await,
        count(&t, "SELECT COUNT(*) FROM accountability_evidence").await,
        "every record is evidence of a case"
    );
    let proposed = count(
        &t,
        "SELECT COUNT(*) FROM audit_log WHERE action = 'accountability.propose'",
    )
    .await;
    assert_eq!(proposed, cases);
    // A pass with nothing new does nothing.
    assert_eq!(accountability::propose_pending(&t.app).await.unwrap(), 0);
}

both_backends!(
    overdue_verification_records_one_violation,
    two_instances_propose_each_record_once
);
