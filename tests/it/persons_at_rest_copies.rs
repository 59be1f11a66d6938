//! The other copies of personal data at rest (issue #16 item 9): a verification's subject,
//! a ledger entry's subject name, a commitment letter and a sealed document's bytes are
//! encrypted under the data key like persons, upgraded at start-up and re-encrypted on
//! rotation; everything that shows them still reads them in clear.

use proofless_app::actor::Actor;
use proofless_app::applicants;
use proofless_store::q;
use serde_json::{Value, json};

use crate::commitment_flow::{LEGAL_AID, ZHANG, citizen, sign_portal};
use crate::common::{Backend, TestApp, spawn_demo};

const RID: &str = "370322197203034412";
const NAME: &str = "霍青桐";

/// The tables holding copies, every row and column as text (both backends).
async fn dump_copies(t: &TestApp) -> String {
    let mut out = String::new();
    for table in [
        "verifications",
        "verification_ledger",
        "commitments",
        "sealed_documents",
    ] {
        let sql = match t.backend {
            Backend::Postgres => format!("SELECT t::text FROM {table} t"),
            Backend::Sqlite => {
                let cols: Vec<(String,)> = t
                    .app
                    .db
                    .reader()
                    .fetch_all(q(format!("SELECT name FROM pragma_table_info('{table}')")))
                    .await
                    .unwrap();
                let cols: Vec<String> = cols
                    .into_iter()
                    .map(|(c,)| format!("COALESCE(CAST({c} AS TEXT), '')"))
                    .collect();
                format!("SELECT {} FROM {table}", cols.join(" || '|' || "))
            }
        };
        let rows: Vec<(String,)> = t.app.db.reader().fetch_all(q(sql)).await.unwrap();
        for (r,) in rows {
            out.push_str(&r);
            out.push('\n');
        }
    }
    out
}

/// The SQLite database file and its write-ahead log, as bytes.
pub(crate) async fn sqlite_files(t: &TestApp) -> Vec<u8> {
    let (file,): (String,) = t
        .app
        .db
        .reader()
        .fetch_one(q(
            "SELECT file FROM pragma_database_list WHERE name = 'main'",
        ))
        .await
        .unwrap();
    let mut bytes = std::fs::read(&file).unwrap();
    bytes.extend(std::fs::read(format!("{file}-wal")).unwrap_or_default());
    bytes
}

pub(crate) fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

/// A verification about [`RID`], answered under seal, with a ledger entry, and a commitment
/// letter signed by 张三; the id of the verification and the letter's sealed id.
async fn make_copies(t: &TestApp) -> (i64, String) {
    let sj = t.staff("sj_liaison").await;
    let hukou = crate::verification::item(t, "注销户口证明").await;
    let r = sj
        .post_json(
            "/api/v1/verifications",
            &json!({"proof_item_id": hukou,
                "subject": {"kind": "person", "code": RID, "name": NAME},
                "facts": {"facts": "户口已迁出本县"}, "case_ref": "SJ-COPY-0001",
                "purpose": "办理个体工商户注销登记，核对经营者户籍状态"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let vid = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let ga = t.staff("ga_proxy1").await;
    let r = ga
        .post_json(
            &format!("/api/v1/verifications/{vid}/answer"),
            &json!({"outcome": "confirmed", "answer": {"remarks": "属实"}}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let r = sj
        .post_json(
            "/api/v1/verifications/ledger",
            &json!({"kind": "applicant_provided", "proof_item_id": hukou,
                "subject": {"kind": "person", "code": RID, "name": NAME}, "case_ref": "SJ-COPY-0002",
                "what": "申请人自行提交户口迁出证明", "why": "申请人能够并愿意提供"}),
        )
        .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let c = citizen(t, ZHANG).await;
    let r = sign_portal(t, &c, LEGAL_AID, "县司法局", ZHANG).await;
    assert_eq!(r.status(), 201);
    let cm: Value = r.json().await.unwrap();
    (vid, cm["sealed_id"].as_str().unwrap().to_owned())
}

/// What staff and the public read still shows the copies in clear, and the seals verify.
async fn copies_still_read(t: &TestApp, vid: i64, sealed: &str) {
    let sj = t.staff("sj_liaison").await;
    let d = sj.json(&format!("/api/v1/verifications/{vid}")).await;
    assert_eq!(d["subject_code"], RID, "{d}");
    assert_eq!(d["subject_name"], NAME);
    let out: Value = sj.json("/api/v1/verifications/outbox?limit=50").await;
    let row = out["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == vid)
        .cloned()
        .unwrap_or_else(|| panic!("{out}"));
    assert_eq!(row["subject_name"], "霍**", "lists show the masked name");
    let ledger: Value = sj.json("/api/v1/verifications/ledger").await;
    assert!(
        ledger["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["subject_name"] == NAME),
        "{ledger}"
    );
    let anon = t.client();
    for id in [d["sealed_id"].as_str().unwrap(), sealed] {
        let v = anon
            .json(&format!("/api/v1/public/sealed/{id}/verify"))
            .await;
        assert_eq!(v["valid"], true, "{v}");
    }
    let doc = anon.json(&format!("/api/v1/public/sealed/{sealed}")).await;
    assert_eq!(
        doc["applicant"]["resident_id"], ZHANG,
        "the signed bytes, decrypted"
    );
}

// Issue #16 item 9: no clear resident ID or name in the copies, on both backends; in the
// SQLite files the verification subject's resident ID and name appear nowhere at all.
async fn copies_are_encrypted_at_rest(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let (vid, sealed) = make_copies(&t).await;
    let dump = dump_copies(&t).await;
    for clear in [RID, NAME, ZHANG, "张三"] {
        let line = dump.lines().find(|l| l.contains(clear));
        assert!(line.is_none(), "{clear} stored in clear: {line:?}");
    }
    assert!(dump.contains("霍**"), "the masked name lists show");
    if b == Backend::Sqlite {
        let files = sqlite_files(&t).await;
        assert!(files.len() > 100_000);
        for clear in [RID, NAME] {
            assert!(!contains(&files, clear), "{clear} in the database file");
        }
    }
    copies_still_read(&t, vid, &sealed).await;
}

/// Sets every copy of the test back to how the schema before held it: in clear, version 0.
async fn back_to_clear(t: &TestApp, vid: i64, sealed: &str) {
    let (name_enc, code_enc): (String, String) = t
        .app
        .db
        .reader()
        .fetch_one(
            q("SELECT subject_name_enc, subject_code_enc FROM verifications WHERE id = ?")
                .bind(vid),
        )
        .await
        .unwrap();
    let (name, code) = applicants::open_subject(&t.app, &name_enc, &code_enc)
        .await
        .unwrap();
    let (body,): (String,) = t
        .app
        .db
        .reader()
        .fetch_one(q("SELECT body FROM sealed_documents WHERE public_id = ?").bind(sealed))
        .await
        .unwrap();
    let body = applicants::open_sealed_body(&t.app, &body).await.unwrap();
    let mut tx = t.app.db.begin().await.unwrap();
    tx.execute(
        q("UPDATE verifications SET subject_name_enc = ?, subject_code_enc = ?, subject_name_masked = '', \
           pii_key_version = 0 WHERE id = ?")
        .bind(name.as_str())
        .bind(code.as_str())
        .bind(vid),
    )
    .await
    .unwrap();
    tx.execute(
        q("UPDATE sealed_documents SET body = ?, body_key_version = 0 WHERE public_id = ?")
            .bind(body.as_str())
            .bind(sealed),
    )
    .await
    .unwrap();
    tx.execute(
        q("UPDATE commitments SET letter = ?, letter_key_version = 0 WHERE sealed_id = ?")
            .bind(body.as_str())
            .bind(sealed),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let dump = dump_copies(t).await;
    assert!(dump.contains(RID) && dump.contains(ZHANG));
}

async fn versions(t: &TestApp) -> Vec<i64> {
    let rows: Vec<(i64,)> = t
        .app
        .db
        .reader()
        .fetch_all(q(
            "SELECT pii_key_version FROM verifications UNION SELECT pii_key_version FROM verification_ledger \
             UNION SELECT letter_key_version FROM commitments UNION SELECT body_key_version FROM sealed_documents \
             ORDER BY 1",
        ))
        .await
        .unwrap();
    rows.into_iter().map(|r| r.0).collect()
}

// Issue #16 item 9: rows from before (in clear) are encrypted at start-up; a rotation
// re-encrypts every copy in the background sweep; everything keeps reading and verifying.
async fn copies_are_upgraded_at_start_up_and_rotated(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let (vid, sealed) = make_copies(&t).await;
    back_to_clear(&t, vid, &sealed).await;
    assert_eq!(versions(&t).await, [0, 1]);
    applicants::prepare_at_rest(&t.app).await.unwrap();
    assert_eq!(versions(&t).await, [1]);
    let dump = dump_copies(&t).await;
    assert!(!dump.contains(RID) && !dump.contains(ZHANG) && !dump.contains(NAME));
    copies_still_read(&t, vid, &sealed).await;

    let sys = Actor::system("test");
    let st = applicants::rotate_data_key(&t.app, &sys).await.unwrap();
    assert!(st.copies_pending > 0, "{st:?}");
    for _ in 0..50 {
        proofless_app::jobs::run_once(&t.app, "test").await.unwrap();
        if versions(&t).await == [2] {
            break;
        }
    }
    assert_eq!(versions(&t).await, [2]);
    let st = applicants::at_rest_status(&t.app, &sys).await.unwrap();
    assert_eq!(st.copies_pending, 0);
    assert!(!dump_copies(&t).await.contains("k1:"));
    copies_still_read(&t, vid, &sealed).await;
}

// A stored sealed body altered without the key no longer decrypts: the document reads as
// changed, not as a server error.
async fn an_altered_ciphertext_reads_as_a_changed_document(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let (_, sealed) = make_copies(&t).await;
    let mut tx = t.app.db.begin().await.unwrap();
    tx.execute(
        q("UPDATE sealed_documents SET body = substr(body, 1, length(body) - 4) || 'AAAA' WHERE public_id = ?")
            .bind(sealed.as_str()),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let v = t
        .client()
        .json(&format!("/api/v1/public/sealed/{sealed}/verify"))
        .await;
    assert_eq!(v["valid"], false, "{v}");
    assert!(v["problem"].as_str().unwrap().contains("改动"));
}

both_backends!(
    copies_are_encrypted_at_rest,
    copies_are_upgraded_at_start_up_and_rotated,
    an_altered_ciphertext_reads_as_a_changed_document,
);
