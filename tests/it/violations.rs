//! Violation records (A5 §4): recorded once per fact however often it is noticed, and read
//! only by the accountability department, the joint office or the unit's own admin.

use proofless_app::violations::{self, NewViolation};
use proofless_app::{Actor, App, AppError, auth};
use proofless_domain::violation::{ViolationKind, ViolationSource};
use proofless_store::q;

use crate::common::{Backend, spawn_demo};

async fn staff(app: &App, username: &str) -> Actor {
    let id = app
        .db
        .reader()
        .scalar_i64(q("SELECT id FROM staff WHERE username = ?").bind(username))
        .await
        .unwrap();
    auth::staff_actor(app, id, "test").await.unwrap().unwrap()
}

// A5 §4 (一次事实一条线索): two instances noticing the same overdue request record it once.
async fn the_same_fact_is_recorded_once(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let clerk = staff(&t.app, "ga_clerk").await;
    let org = clerk.org_id.unwrap();
    let fact = NewViolation {
        kind: ViolationKind::ProofDemanded,
        source: ViolationSource::Case,
        source_ref: "case:1/proof:2",
        org_id: org,
        staff_id: clerk.id,
        summary: "向申请人索要清单外的证明",
        occurred_at: 1_000,
    };
    let mut tx = t.app.db.begin().await.unwrap();
    let first = violations::record(&mut tx, &clerk, 2_000, &fact)
        .await
        .unwrap();
    let second = violations::record(&mut tx, &clerk, 3_000, &fact)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert!(first.is_some());
    assert_eq!(second, None, "the same fact is not recorded twice");

    let account = staff(&t.app, "account").await;
    // The demo county's own overdue verifications were reported (and recorded) at loading.
    let all: Vec<_> = violations::list(&t.app, &account)
        .await
        .unwrap()
        .into_iter()
        .filter(|v| v.source == ViolationSource::Case)
        .collect();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].kind, ViolationKind::ProofDemanded);
    assert_eq!(all[0].source_ref, "case:1/proof:2");
    let got = violations::get(&t.app, &account, all[0].id).await.unwrap();
    assert_eq!(got.org_id, org);

    // A counter clerk may not read accountability leads, not even of their own unit.
    let err = violations::list(&t.app, &clerk).await.unwrap_err();
    assert!(matches!(err, AppError::Forbidden(_)), "{err:?}");
}

both_backends!(the_same_fact_is_recorded_once);
