//! The audit log: append-only, SM3-chained, tamper-evident (issue #2 §8; DESIGN "Trust").

use proofless_app::Actor;
use proofless_app::audit::{self, Entry};
use proofless_store::{Db, q};

use crate::common::{Backend, fresh_app};

async fn append_some(app: &proofless_app::App, n: usize) {
    let actor = Actor::system("test-op");
    for i in 0..n {
        let mut tx = app.db.begin().await.unwrap();
        audit::append(
            &mut tx,
            &actor,
            1_000 + i as i64,
            Entry::new("test.write", "thing", i).purpose("测试"),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
}

/// Tampering needs the append-only trigger out of the way, as an attacker with database
/// access would do.
async fn drop_guard(db: &Db) {
    match db {
        Db::Sqlite(..) => {
            let mut tx = db.begin().await.unwrap();
            tx.execute(q("DROP TRIGGER audit_log_no_update"))
                .await
                .unwrap();
            tx.execute(q("DROP TRIGGER audit_log_no_delete"))
                .await
                .unwrap();
            tx.commit().await.unwrap();
        }
        Db::Postgres(_) => {
            let mut tx = db.begin().await.unwrap();
            tx.execute(q("DROP TRIGGER audit_log_no_update ON audit_log"))
                .await
                .unwrap();
            tx.commit().await.unwrap();
        }
    }
}

async fn every_row_is_chained_and_an_intact_log_verifies(b: Backend) {
    let Some((app, _, _d)) = fresh_app(b).await else {
        return;
    };
    append_some(&app, 12).await;
    let r = audit::verify(&app.db).await.unwrap();
    assert!(r.ok, "{r:?}");
    assert_eq!(r.rows_checked, 12);
    let (rows, _) = audit::list(
        &app.db,
        &audit::AuditQuery {
            limit: 50,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(rows.last().unwrap().prev_hash, audit::GENESIS);
    assert!(
        rows.iter()
            .all(|r| r.operation_id == "test-op" && r.hash.len() == 64)
    );
}

async fn the_database_refuses_to_edit_or_delete_audit_rows(b: Backend) {
    let Some((app, _, _d)) = fresh_app(b).await else {
        return;
    };
    append_some(&app, 2).await;
    let mut tx = app.db.begin().await.unwrap();
    assert!(
        tx.execute(q("UPDATE audit_log SET purpose = 'x' WHERE seq = 1"))
            .await
            .is_err()
    );
    drop(tx);
    let mut tx = app.db.begin().await.unwrap();
    assert!(
        tx.execute(q("DELETE FROM audit_log WHERE seq = 1"))
            .await
            .is_err()
    );
}

async fn an_edited_row_is_reported_as_the_first_broken_link(b: Backend) {
    let Some((app, _, _d)) = fresh_app(b).await else {
        return;
    };
    append_some(&app, 6).await;
    drop_guard(&app.db).await;
    let mut tx = app.db.begin().await.unwrap();
    tx.execute(q("UPDATE audit_log SET purpose = '篡改' WHERE seq = 4"))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let r = audit::verify(&app.db).await.unwrap();
    assert!(!r.ok);
    assert_eq!(r.first_broken_seq, Some(4));
    assert!(r.problem.unwrap().contains("修改"));
}

async fn a_deleted_row_or_tail_is_reported(b: Backend) {
    let Some((app, _, _d)) = fresh_app(b).await else {
        return;
    };
    append_some(&app, 6).await;
    drop_guard(&app.db).await;
    let mut tx = app.db.begin().await.unwrap();
    tx.execute(q("DELETE FROM audit_log WHERE seq = 3"))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let r = audit::verify(&app.db).await.unwrap();
    assert_eq!(r.first_broken_seq, Some(3), "{r:?}");
    assert!(r.problem.unwrap().contains("缺失"));

    let Some((app, _, _d2)) = fresh_app(b).await else {
        return;
    };
    append_some(&app, 6).await;
    drop_guard(&app.db).await;
    let mut tx = app.db.begin().await.unwrap();
    tx.execute(q("DELETE FROM audit_log WHERE seq = 6"))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let r = audit::verify(&app.db).await.unwrap();
    assert_eq!(r.first_broken_seq, Some(6), "{r:?}");
}

async fn concurrent_writers_keep_one_unbroken_chain(b: Backend) {
    let Some((app, _, _d)) = fresh_app(b).await else {
        return;
    };
    let mut tasks = vec![];
    for w in 0..8 {
        let app = app.clone();
        tasks.push(tokio::spawn(async move {
            let actor = Actor::system(&format!("w{w}"));
            for i in 0..10 {
                let mut tx = app.db.begin().await.unwrap();
                audit::append(
                    &mut tx,
                    &actor,
                    i,
                    Entry::new("test.concurrent", "thing", i),
                )
                .await
                .unwrap();
                tx.commit().await.unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let r = audit::verify(&app.db).await.unwrap();
    assert!(r.ok, "{r:?}");
    assert_eq!(r.rows_checked, 80);
}

both_backends!(
    every_row_is_chained_and_an_intact_log_verifies,
    the_database_refuses_to_edit_or_delete_audit_rows,
    an_edited_row_is_reported_as_the_first_broken_link,
    a_deleted_row_or_tail_is_reported,
    concurrent_writers_keep_one_unbroken_chain,
);
