//! Rows decode the same way on both backends (serde, by column name for structs and in
//! order for tuples): integers, reals, booleans, text, bytes and NULLs round-trip through
//! the real databases, constraint failures are recognised, and a row that does not fit its
//! type is an error naming the problem, never a silently wrong value.

use proofless_store::{Db, NullKind, Value, q};
use serde::Deserialize;

use crate::common::{Backend, fresh_app};

#[derive(Debug, Deserialize, PartialEq)]
struct Probe {
    id: i64,
    name: String,
    active: bool,
    score: f64,
    note: Option<String>,
    blob: Option<Vec<u8>>,
}

async fn setup(db: &Db) {
    let bytes = if db.dialect().name() == "PostgreSQL" {
        "BYTEA"
    } else {
        "BLOB"
    };
    let mut tx = db.begin().await.unwrap();
    tx.execute(q(format!(
        "CREATE TABLE row_probe (id BIGINT PRIMARY KEY, name TEXT NOT NULL UNIQUE, active BOOLEAN NOT NULL, \
         score DOUBLE PRECISION NOT NULL, note TEXT, blob {bytes})"
    )))
    .await
    .unwrap();
    tx.execute(
        q("INSERT INTO row_probe (id, name, active, score, note, blob) VALUES (?, ?, ?, ?, ?, ?), (?, ?, ?, ?, ?, ?)")
            .bind(1)
            .bind("张三")
            .bind(true)
            .bind(2.5)
            .bind("备注")
            .bind(vec![0u8, 159, 255])
            .bind(2)
            .bind("李四")
            .bind(false)
            .bind(3.0)
            .bind(Value::Null(NullKind::Text))
            .bind(Value::Null(NullKind::Bytes)),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

async fn every_type_round_trips(backend: Backend) {
    let Some((app, _, _dir)) = fresh_app(backend).await else {
        return;
    };
    let db = &app.db;
    setup(db).await;
    // Columns in another order than the struct's fields: matched by name.
    let rows: Vec<Probe> = db
        .reader()
        .fetch_all(q(
            "SELECT blob, note, score, active, name, id FROM row_probe ORDER BY id",
        ))
        .await
        .unwrap();
    assert_eq!(
        rows,
        vec![
            Probe {
                id: 1,
                name: "张三".into(),
                active: true,
                score: 2.5,
                note: Some("备注".into()),
                blob: Some(vec![0, 159, 255]),
            },
            Probe {
                id: 2,
                name: "李四".into(),
                active: false,
                score: 3.0,
                note: None,
                blob: None,
            },
        ]
    );
    // Tuples in column order, inside a transaction as on a reader.
    let mut tx = db.begin().await.unwrap();
    let t: Option<(i64, bool, Option<String>)> = tx
        .fetch_optional(q("SELECT id, active, note FROM row_probe WHERE id = ?").bind(2))
        .await
        .unwrap();
    assert_eq!(t, Some((2, false, None)));
    let none: Option<(i64,)> = tx
        .fetch_optional(q("SELECT id FROM row_probe WHERE id = ?").bind(99))
        .await
        .unwrap();
    assert_eq!(none, None);
    // A unique violation is recognised as such (the services turn it into a field error).
    let dup = tx
        .execute(
            q("INSERT INTO row_probe (id, name, active, score) VALUES (?, ?, ?, ?)")
                .bind(3)
                .bind("张三")
                .bind(true)
                .bind(1.0),
        )
        .await
        .unwrap_err();
    assert!(dup.unique_violation().is_some(), "{dup}");
    drop(tx);
    // A row that does not fit: text where an integer is expected, too few columns.
    let wrong: Result<Vec<(i64,)>, _> =
        db.reader().fetch_all(q("SELECT name FROM row_probe")).await;
    assert!(wrong.is_err());
    let short: Result<Vec<Probe>, _> = db
        .reader()
        .fetch_all(q("SELECT id, name FROM row_probe"))
        .await;
    let e = short.unwrap_err().to_string();
    assert!(e.contains("active"), "the missing column is named: {e}");
    // Nothing was lost by the failed statements.
    assert_eq!(
        db.reader()
            .scalar_i64(q("SELECT COUNT(*) FROM row_probe"))
            .await
            .unwrap(),
        2
    );
}

both_backends!(every_type_round_trips);
