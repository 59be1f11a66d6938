//! Cases: the assessment clock stops while a case waits on verifications and the legal
//! deadline keeps running (A2 §7); decided and withdrawn cases refuse further steps.

use proofless_app::cases::{self, Decision, NewCase};
use proofless_app::{Actor, App, AppError, auth, deadlines};
use proofless_domain::case::CaseState;
use proofless_store::q;

use crate::common::{Backend, spawn_demo};

async fn clerk(app: &App, username: &str) -> Actor {
    let id = app
        .db
        .reader()
        .scalar_i64(q("SELECT id FROM staff WHERE username = ?").bind(username))
        .await
        .unwrap();
    auth::staff_actor(app, id, "test").await.unwrap().unwrap()
}

async fn first_id(app: &App, sql: &str) -> i64 {
    app.db.reader().scalar_i64(q(sql)).await.unwrap()
}

// SPEC R6.1 (a case runs a service item for an applicant), R5.4 (A2 §7: verification time
// is not counted in the assessment time; the legal deadline keeps running).
async fn verification_wait_stops_only_the_assessment_clock(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let clerk = clerk(&t.app, "ga_clerk").await;
    let code: String = t
        .app
        .db
        .reader()
        .fetch_one::<(String,)>(q("SELECT code FROM service_items ORDER BY id LIMIT 1"))
        .await
        .unwrap()
        .0;
    let person = proofless_app::applicants::public_id_of(
        &t.app,
        first_id(&t.app, "SELECT MIN(id) FROM persons").await,
    )
    .await
    .unwrap();
    let case = cases::create(
        &t.app,
        &clerk,
        &NewCase {
            service_item_code: code,
            applicant_kind: "person".into(),
            applicant: person.clone(),
            applicant_name: None,
            immediate: true,
            statutory_limit: Some("20wd".into()),
        },
    )
    .await
    .unwrap();
    assert_eq!(case.state, CaseState::Open);
    assert!(case.case_no.starts_with("BJ"));

    // Two verifications at once: the first wait stops the clock, the last end restarts it.
    let mut tx = t.app.db.begin().await.unwrap();
    cases::begin_wait_in(&mut tx, &t.app, &clerk, case.id, "等待部门核验")
        .await
        .unwrap();
    let c = cases::begin_wait_in(&mut tx, &t.app, &clerk, case.id, "等待部门核验")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(c.waiting, 2);
    let sys = Actor::system("test");
    let d = deadlines::get(&t.app, &sys, case.assessment_deadline_id)
        .await
        .unwrap();
    // A2 §7: assessment suspended, the statutory due instant still set and running.
    assert_eq!(d.deadline.state, "suspended");
    assert!(d.deadline.statutory_due_at.is_some());
    assert_eq!(d.deadline.due_at, d.deadline.statutory_due_at);

    let mut tx = t.app.db.begin().await.unwrap();
    let c = cases::end_wait_in(&mut tx, &t.app, &clerk, case.id)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(c.waiting, 1);
    let d = deadlines::get(&t.app, &sys, case.assessment_deadline_id)
        .await
        .unwrap();
    assert_eq!(
        d.deadline.state, "suspended",
        "one verification still pending"
    );
    let mut tx = t.app.db.begin().await.unwrap();
    let c = cases::end_wait_in(&mut tx, &t.app, &clerk, case.id)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(c.waiting, 0);
    let d = deadlines::get(&t.app, &sys, case.assessment_deadline_id)
        .await
        .unwrap();
    assert_eq!(d.deadline.state, "open");

    // Decided (terminated on a ground: its proofs are not resolved): the clock is done and
    // no further step is allowed.
    let c = cases::decide(
        &t.app,
        &clerk,
        case.id,
        &Decision {
            outcome: "terminated".into(),
            reason: "申请人不再符合办理条件".into(),
        },
    )
    .await
    .unwrap();
    assert_eq!(c.state, CaseState::Decided);
    let d = deadlines::get(&t.app, &sys, case.assessment_deadline_id)
        .await
        .unwrap();
    assert_eq!(d.deadline.state, "done");
    let again = cases::decide(
        &t.app,
        &clerk,
        case.id,
        &Decision {
            outcome: "refused".into(),
            reason: "不符合条件".into(),
        },
    )
    .await;
    assert!(matches!(again, Err(AppError::Conflict(_))), "{again:?}");

    // Another unit cannot decide it; bad input names the field.
    let other = clerk_of_other(&t.app).await;
    let c2 = cases::get(&t.app, &other, case.id).await;
    assert!(matches!(c2, Err(AppError::Forbidden(_))), "{c2:?}");
    let bad = cases::create(
        &t.app,
        &clerk,
        &NewCase {
            service_item_code: "NO-SUCH-CODE".into(),
            applicant_kind: "robot".into(),
            applicant: "-1".into(),
            applicant_name: None,
            immediate: false,
            statutory_limit: None,
        },
    )
    .await;
    let Err(AppError::Validation(errs)) = bad else {
        panic!("{bad:?}")
    };
    let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
    assert!(
        fields.contains(&"service_item_code") && fields.contains(&"applicant_kind"),
        "{fields:?}"
    );
    // A 10 KB code is refused by its length and not echoed into the message.
    let long = cases::create(
        &t.app,
        &clerk,
        &NewCase {
            service_item_code: "X".repeat(10_000),
            applicant_kind: "person".into(),
            applicant: person.clone(),
            applicant_name: None,
            immediate: true,
            statutory_limit: None,
        },
    )
    .await;
    let Err(AppError::Validation(errs)) = long else {
        panic!("{long:?}")
    };
    assert_eq!(errs[0].field, "service_item_code");
    assert!(errs[0].message.len() < 100, "{}", errs[0].message);
}

async fn clerk_of_other(app: &App) -> Actor {
    clerk(app, "sj_clerk").await
}

both_backends!(verification_wait_stops_only_the_assessment_clock);
