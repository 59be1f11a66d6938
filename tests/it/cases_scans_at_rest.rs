//! Proxy agents' scans at rest (SPEC R5.10, issue #16 item 9): the file a proxy agent
//! uploads for a case names the applicant, so it is stored SM4-GCM encrypted under the same
//! rotated data key as persons' fields; the unit's staff still download the file itself.
//! Scans stored in clear before (key version 0) are encrypted at start-up, and a rotation
//! re-encrypts them in the background sweep.

use proofless_app::actor::Actor;
use proofless_app::applicants;
use proofless_store::q;
use serde_json::json;

use crate::cases_tasks::{HIRE, MIGRATION, b64, code_of, complete, open, proof, resolve};
use crate::common::{Backend, Client, TestApp, spawn_demo};
use crate::persons_at_rest_copies::{contains, sqlite_files};

/// A scan with a marker that must appear nowhere at rest.
const MARKER: &str = "GA-SCAN-AT-REST-7f3c";

fn scan() -> Vec<u8> {
    format!("%PDF-1.4\n% {MARKER} 录用证明 张三\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
        .into_bytes()
}

/// A case whose proof a proxy agent recorded with [`scan`]; (case id, proof item id).
async fn recorded(t: &TestApp) -> (i64, i64) {
    let clerk = t.staff("ga_clerk").await;
    let case = open(&clerk, &code_of(t, MIGRATION).await, false).await;
    let id = case["id"].as_i64().unwrap();
    let hire = proof(&case, HIRE)["proof_item_id"].as_i64().unwrap();
    assert_eq!(
        resolve(&clerk, id, hire, "proxy", "请代办员调取")
            .await
            .status(),
        200
    );
    let agent = t.staff("ga_proxy1").await;
    let r = complete(
        &agent,
        id,
        hire,
        json!({"note": "自县人社局取得录用证明 RS-AT-REST", "scan": b64(&scan())}),
    )
    .await;
    assert_eq!(r.status(), 200);
    (id, hire)
}

/// The stored row: (content, key version, size in clear).
async fn stored(t: &TestApp, case: i64) -> (Vec<u8>, i64, i64) {
    t.app
        .db
        .reader()
        .fetch_one(
            q("SELECT content, content_key_version, size_bytes FROM case_proof_scans WHERE case_id = ?")
                .bind(case),
        )
        .await
        .unwrap()
}

async fn downloads(clerk: &Client, case: i64, item: i64) {
    let r = clerk
        .get(&format!("/api/v1/cases/{case}/proofs/{item}/scan"))
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert_eq!(r.bytes().await.unwrap().as_ref(), scan().as_slice());
    // The page's download link gives the same file.
    let r = clerk
        .get(&format!("/cases/{case}/proofs/{item}/scan"))
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.bytes().await.unwrap().as_ref(), scan().as_slice());
}

// SPEC R5.10, issue #16 item 9: the stored bytes are not the file (no PDF header, no marker,
// the ciphertext's size), on both backends; on SQLite the marker is nowhere in the database
// files; the unit's staff download exactly the file uploaded.
async fn a_proxy_scan_is_stored_encrypted_and_reads_back(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let (case, item) = recorded(&t).await;
    let (content, version, size) = stored(&t, case).await;
    let plain = scan();
    assert!(version >= 1, "under a data key version: {version}");
    assert_ne!(content, plain);
    assert!(!content.windows(4).any(|w| w == b"%PDF"), "no PDF header");
    assert!(!contains(&content, MARKER));
    assert_eq!(content.len(), plain.len() + 34, "header, nonce and tag");
    assert_eq!(
        size,
        i64::try_from(plain.len()).unwrap(),
        "the size in clear"
    );
    assert_eq!(
        applicants::open_scan(&t.app, version, content)
            .await
            .unwrap(),
        plain
    );
    if b == Backend::Sqlite {
        assert!(
            !contains(&sqlite_files(&t).await, MARKER),
            "marker in the files"
        );
    }
    downloads(&t.staff("ga_clerk").await, case, item).await;
}

// Issue #16 item 9: a scan stored in clear before (version 0) still downloads, is encrypted
// by the start-up upgrade, and a rotation re-encrypts it under the new version in the sweep.
async fn proxy_scans_are_upgraded_at_start_up_and_rotated(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let (case, item) = recorded(&t).await;
    let mut tx = t.app.db.begin().await.unwrap();
    tx.execute(
        q("UPDATE case_proof_scans SET content = ?, content_key_version = 0 WHERE case_id = ?")
            .bind(scan())
            .bind(case),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let clerk = t.staff("ga_clerk").await;
    downloads(&clerk, case, item).await;
    applicants::prepare_at_rest(&t.app).await.unwrap();
    let (content, version, _) = stored(&t, case).await;
    assert_eq!(version, 1);
    assert!(!contains(&content, MARKER));
    downloads(&clerk, case, item).await;

    let sys = Actor::system("test");
    let st = applicants::rotate_data_key(&t.app, &sys).await.unwrap();
    assert!(st.copies_pending > 0, "{st:?}");
    for _ in 0..50 {
        proofless_app::jobs::run_once(&t.app, "test").await.unwrap();
        if stored(&t, case).await.1 == 2 {
            break;
        }
    }
    let (content, version, _) = stored(&t, case).await;
    assert_eq!(version, 2);
    assert!(!contains(&content, MARKER));
    let left: i64 = t
        .app
        .db
        .reader()
        .scalar_i64(q(
            "SELECT COUNT(*) FROM case_proof_scans WHERE content_key_version < 2",
        ))
        .await
        .unwrap();
    assert_eq!(left, 0, "every scan, the demo's too");
    assert_eq!(
        applicants::at_rest_status(&t.app, &sys)
            .await
            .unwrap()
            .copies_pending,
        0
    );
    downloads(&clerk, case, item).await;
}

both_backends!(
    a_proxy_scan_is_stored_encrypted_and_reads_back,
    proxy_scans_are_upgraded_at_start_up_and_rotated,
);
