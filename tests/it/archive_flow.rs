//! Case e-archives over HTTP (issue #17 §3, SPEC R6.2, P 三(三)): a decided case is archived
//! at once by a durable job, exactly once; the sealed zip verifies offline with the unit's
//! published key; the unit and the applicant download it (audited), nobody else; an open
//! case has none; an archived case serves as proof through the entitled pull.

use std::io::{Read, Write};

use proofless_store::q;
use serde_json::{Value, json};

use crate::commitment_flow::{LEGAL_AID, citizen, sign_portal};
use crate::common::{Backend, Client, TestApp, spawn_demo};
use crate::verification::{ZHANG, body};

const FUNERAL: &str = "丧葬补助金、抚恤金申领（社保）";

async fn count(t: &TestApp, sql: &str, arg: i64) -> i64 {
    t.app
        .db
        .reader()
        .scalar_i64(q(sql).bind(arg))
        .await
        .unwrap()
}

async fn run_jobs(t: &TestApp) -> proofless_app::jobs::RunReport {
    proofless_app::jobs::run_due_jobs(&t.app, "test-runner")
        .await
        .unwrap()
}

async fn published_pem(t: &TestApp, org_name: &str) -> String {
    let (code,): (String,) = t
        .app
        .db
        .reader()
        .fetch_one(q("SELECT credit_code FROM orgs WHERE name = ?").bind(org_name))
        .await
        .unwrap();
    let r = t
        .client()
        .get(&format!("/api/v1/public/orgs/{code}/seal.pem"))
        .await;
    assert_eq!(r.status(), 200);
    r.text().await.unwrap()
}

pub fn entries(zip_bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(zip_bytes)).unwrap();
    (0..z.len())
        .map(|i| {
            let mut f = z.by_index(i).unwrap();
            let mut b = vec![];
            f.read_to_end(&mut b).unwrap();
            (f.name().to_owned(), b)
        })
        .collect()
}

pub fn rezip(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (n, b) in entries {
        w.start_file(n.as_str(), zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(b).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// A funeral-grant case registered by 县市场监管局 for 张三 (as cases_flow does): the applicant's own copy of one proof, a
/// verification answered (a sealed reply) for the other; decided approved.
pub async fn decided_funeral_case(t: &TestApp) -> (Client, i64) {
    let sj = t.staff("sj_liaison").await;
    let (code,): (String,) = t
        .app
        .db
        .reader()
        .fetch_one(q("SELECT code FROM service_items WHERE name = ?").bind(FUNERAL))
        .await
        .unwrap();
    let r = sj
        .post_json(
            "/api/v1/cases",
            &json!({"service_item_code": code, "applicant_kind": "person", "applicant": ZHANG,
                    "immediate": true}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let case: Value = r.json().await.unwrap();
    let id = case["id"].as_i64().unwrap();
    let proof = |name: &str| {
        case["proofs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["proof_item_name"] == name)
            .unwrap()["proof_item_id"]
            .as_i64()
            .unwrap()
    };
    let (death, hukou) = (proof("居民死亡医学证明（推断）书"), proof("注销户口证明"));

    // SPEC R6.2: an open case has no archive; the refusal is Chinese and nothing is stored.
    let r = sj.get(&format!("/api/v1/cases/{id}/archive.zip")).await;
    assert_eq!(r.status(), 409);
    assert!(
        r.text().await.unwrap().contains("办件尚未办结，无法归档"),
        "Chinese refusal"
    );
    assert_eq!(
        count(
            t,
            "SELECT COUNT(*) FROM case_archives WHERE case_id = ?",
            id
        )
        .await,
        0
    );

    let r = sj
        .post_json(
            &format!("/api/v1/cases/{id}/proofs/{death}/resolution"),
            &json!({"method": "applicant_provided", "note": "申请人提供原件，已核对"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let mut x = body(hukou);
    x["case_id"] = json!(id);
    let r = sj.post_json("/api/v1/verifications", &x).await;
    assert_eq!(r.status(), 201);
    let vid = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let ga = t.staff("ga_proxy1").await;
    let r = ga
        .post_json(
            &format!("/api/v1/verifications/{vid}/answer"),
            &json!({"outcome": "confirmed"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let r = sj
        .post_json(
            &format!("/api/v1/cases/{id}/decision"),
            &json!({"outcome": "approved"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    (sj, id)
}

// SPEC R6.2, P 三(三): archived at once on decision (a durable job, exactly once), sealed by
// the receiving unit, verifiable offline with its published key; unit and applicant only.
async fn a_decided_case_is_archived_once_and_verifies_offline(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let (sj, id) = decided_funeral_case(&t).await;
    let key = format!("case.archive:{id}");
    let (jobs,): (i64,) = t
        .app
        .db
        .reader()
        .fetch_one(q("SELECT COUNT(*) FROM jobs WHERE unique_key = ?").bind(key.as_str()))
        .await
        .unwrap();
    assert_eq!(jobs, 1, "the decision enqueued the archive job");
    // A second decision is refused and enqueues nothing more.
    let r = sj
        .post_json(
            &format!("/api/v1/cases/{id}/decision"),
            &json!({"outcome": "approved"}),
        )
        .await;
    assert_eq!(r.status(), 409);
    let report = run_jobs(&t).await;
    assert!(report.jobs_done >= 1, "{report:?}");
    assert_eq!(
        count(
            &t,
            "SELECT COUNT(*) FROM case_archives WHERE case_id = ?",
            id
        )
        .await,
        1
    );
    let (state,): (String,) = t
        .app
        .db
        .reader()
        .fetch_one(q("SELECT state FROM jobs WHERE unique_key = ?").bind(key.as_str()))
        .await
        .unwrap();
    assert_eq!(state, "done");
    // Running again writes nothing more: one archive per case.
    run_jobs(&t).await;
    assert_eq!(
        count(
            &t,
            "SELECT COUNT(*) FROM case_archives WHERE case_id = ?",
            id
        )
        .await,
        1
    );
    let (stored_sm3,): (String,) = t
        .app
        .db
        .reader()
        .fetch_one(q("SELECT sm3 FROM case_archives WHERE case_id = ?").bind(id))
        .await
        .unwrap();

    let r = sj.get(&format!("/api/v1/cases/{id}/archive.zip")).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/zip");
    let bytes = r.bytes().await.unwrap().to_vec();
    assert_eq!(proofless_seal::sm3_hex(&bytes), stored_sm3);
    let pem = published_pem(&t, "县市场监管局").await;
    let checked = proofless_app::archive::verify(&bytes, Some(&pem)).unwrap();
    assert!(checked.published_key);
    assert!(checked.seals >= 1, "the verification reply's own seal");
    let files = entries(&bytes);
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    for n in [
        "manifest.json",
        "manifest.sm3",
        "manifest.sig",
        "case.json",
        "proofs.json",
        "decision.json",
        "case.pdf",
    ] {
        assert!(names.contains(&n), "{n} in {names:?}");
    }
    assert!(
        names
            .iter()
            .any(|n| n.starts_with("sealed/verification_reply-") && n.ends_with(".pdf")),
        "{names:?}"
    );
    let manifest: Value = serde_json::from_slice(&files[0].1).unwrap();
    // GB/T 18894-2016 metadata names.
    assert_eq!(manifest["档案元数据"]["保管期限"], "30年");
    assert!(
        manifest["档案元数据"]["档号"]
            .as_str()
            .unwrap()
            .contains("D30")
    );
    assert_eq!(manifest["电子签名"]["签名人"], "县市场监管局");
    for f in manifest["文件清单"].as_array().unwrap() {
        assert_eq!(f["数字摘要算法"], "SM3");
        if f["计算机文件名"].as_str().unwrap().ends_with(".pdf") {
            // Rendered documents are PDF/A with their fonts embedded.
            assert_eq!(f["文件格式"], "application/pdf; PDF/A-2b", "{f}");
        }
    }
    let proofs = String::from_utf8(
        files
            .iter()
            .find(|(n, _)| n == "proofs.json")
            .unwrap()
            .1
            .clone(),
    )
    .unwrap();
    assert!(proofs.contains("applicant_provided") && proofs.contains("verification"));
    let pdf = &files.iter().find(|(n, _)| n == "case.pdf").unwrap().1;
    let text = String::from_utf8_lossy(pdf);
    assert!(
        text.contains("pdfaid:part")
            && (text.contains("/FontFile2") || text.contains("/FontFile3"))
    );

    // The read is audited as a read of personal data.
    let (reads,): (i64,) = t
        .app
        .db
        .reader()
        .fetch_one(
            q("SELECT COUNT(*) FROM audit_log WHERE action = 'case.archive.read' AND object_id = ?")
                .bind(id.to_string()),
        )
        .await
        .unwrap();
    assert_eq!(reads, 1);
    // Another unit may not read it; the applicant may, on the portal; another citizen not.
    let ga = t.staff("ga_clerk").await;
    assert_eq!(
        ga.get(&format!("/api/v1/cases/{id}/archive.zip"))
            .await
            .status(),
        403
    );
    let zhang = citizen(&t, ZHANG).await;
    let r = zhang.get(&format!("/api/v1/cases/{id}/archive.zip")).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.bytes().await.unwrap().to_vec(), bytes, "the same package");
    let li = citizen(&t, crate::commitment_flow::LI).await;
    assert_eq!(
        li.get(&format!("/api/v1/cases/{id}/archive.zip"))
            .await
            .status(),
        404
    );
    assert_eq!(
        t.client()
            .get(&format!("/api/v1/cases/{id}/archive.zip"))
            .await
            .status(),
        401
    );
    // The case page links it once decided, for the clerk and for the applicant.
    let page = sj.get(&format!("/cases/{id}")).await.text().await.unwrap();
    assert!(page.contains("下载电子档案"), "{page}");
    let page = zhang
        .get(&format!("/portal/cases/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("下载电子档案"), "{page}");

    // Where OpenSSL has SM2, it accepts the unit's seal over the manifest too.
    let dir = tempfile::tempdir().unwrap();
    let get = |n: &str| files.iter().find(|(x, _)| x == n).unwrap().1.clone();
    std::fs::write(dir.path().join("seal.pem"), &pem).unwrap();
    std::fs::write(dir.path().join("manifest.json"), get("manifest.json")).unwrap();
    std::fs::write(dir.path().join("manifest.sig"), get("manifest.sig")).unwrap();
    let out = std::process::Command::new("openssl")
        .current_dir(dir.path())
        .args([
            "pkeyutl",
            "-verify",
            "-rawin",
            "-digest",
            "sm3",
            "-pkeyopt",
            "distid:1234567812345678",
            "-pubin",
            "-inkey",
            "seal.pem",
            "-in",
            "manifest.json",
            "-sigfile",
            "manifest.sig",
        ])
        .output();
    match out {
        Ok(o) if String::from_utf8_lossy(&o.stderr).contains("Unknown") => {
            eprintln!("skipped: this OpenSSL has no SM2");
        }
        Ok(o) => assert!(
            o.status.success(),
            "OpenSSL verifies the manifest seal: {}",
            String::from_utf8_lossy(&o.stderr)
        ),
        Err(_) => eprintln!("skipped: no openssl binary"),
    }
}

// SPEC R6.2: a commitment letter signed in the case is archived as its sealed original and a
// PDF/A rendering; a case decided on a ground is archived like any other.
async fn a_commitment_letter_is_archived_with_the_case(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let zhang = citizen(&t, ZHANG).await;
    let r = sign_portal(&t, &zhang, LEGAL_AID, "县司法局", ZHANG).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let cm: Value = r.json().await.unwrap();
    let (case_id,): (i64,) = t
        .app
        .db
        .reader()
        .fetch_one(
            q("SELECT case_id FROM commitments WHERE id = ?").bind(cm["id"].as_i64().unwrap()),
        )
        .await
        .unwrap();
    crate::commitment_flow::decide_case(&t, case_id).await;
    run_jobs(&t).await;
    let r = zhang
        .get(&format!("/api/v1/cases/{case_id}/archive.zip"))
        .await;
    assert_eq!(r.status(), 200);
    let bytes = r.bytes().await.unwrap().to_vec();
    let pem = published_pem(&t, "县司法局").await;
    let c = proofless_app::archive::verify(&bytes, Some(&pem)).unwrap();
    assert!(c.seals >= 1);
    let manifest: Value = serde_json::from_slice(&entries(&bytes)[0].1).unwrap();
    let files = manifest["文件清单"].to_string();
    assert!(files.contains("sealed/commitment_letter-"), "{files}");
    assert!(files.contains("告知承诺书"), "{files}");
    assert_eq!(manifest["档案元数据"]["办理结果"], "终止办理");
}

// SPEC R6.2, P 三(三) "将电子档案作为电子证照证明库的有效补充证明": with no e-licence in the
// library, an entitled unit's pull finds the proof an archived case established, with the
// applicant's consent, and the read is in the citizen's access log.
async fn an_archived_case_serves_as_proof_in_a_pull(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let w = crate::sharing_flow::world(&t).await;
    // Without any archive the library has nothing.
    let r =
        w.ga.post_json(
            "/api/v1/sharing/pulls",
            &crate::sharing_flow::pull_body(&w, &w.zhang, None),
        )
        .await;
    let p: Value = r.json().await.unwrap();
    assert_eq!(p["outcome"], "not_found", "{p}");
    // An earlier case at the unit established the proof (the applicant's copy seen), decided
    // and archived.
    let pid = crate::commitment_flow::person(&t, ZHANG).await;
    let earlier = crate::commitment_flow::open_case(&t, w.ga_id, pid, w.item).await;
    let r =
        w.ga.post_json(
            &format!("/api/v1/cases/{earlier}/proofs/{}/resolution", w.item),
            &json!({"method": "applicant_provided", "note": "出生医学证明原件已核对"}),
        )
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    crate::commitment_flow::decide_case(&t, earlier).await;
    run_jobs(&t).await;
    let r =
        w.ga.post_json(
            "/api/v1/sharing/pulls",
            &crate::sharing_flow::pull_body(&w, &w.zhang, None),
        )
        .await;
    assert_eq!(r.status(), 201);
    let p: Value = r.json().await.unwrap();
    assert_eq!(
        p["outcome"], "awaiting_consent",
        "found in the archive: {p}"
    );
    let id = p["id"].as_str().unwrap();
    let zhang = crate::sharing_flow::zhang_citizen(&t).await;
    let r = zhang
        .post_json(
            &format!("/api/v1/portal/sharing/consents/{id}"),
            &json!({"allow": true}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let got: Value = w.ga.json(&format!("/api/v1/sharing/pulls/{id}")).await;
    assert_eq!(got["outcome"], "released");
    // The archive's fields, each labelled in Chinese and filled; no internal case id.
    let data = got["data"].as_array().unwrap();
    let label = |key: &str| {
        data.iter()
            .find(|f| f["key"] == key)
            .map(|f| (f["label"].as_str().unwrap().to_owned(), f["value"].clone()))
    };
    let (l, v) = label("archive_no").expect("the archive number is shown");
    assert_eq!(l, "电子档案编号");
    assert!(!v.as_str().unwrap().is_empty(), "{got}");
    assert_eq!(label("case_no").unwrap().0, "办件编号");
    assert_eq!(label("decided_at").unwrap().0, "办结时间");
    assert!(label("case_id").is_none(), "{got}");
    assert!(
        data.iter().all(|f| f["label"]
            .as_str()
            .is_some_and(|l| !l.is_empty() && !l.is_ascii())),
        "{got}"
    );
    let page =
        w.ga.get(&format!("/sharing/pulls/{id}"))
            .await
            .text()
            .await
            .unwrap();
    assert!(page.contains("<dt>电子档案编号</dt>"), "{page}");
    assert!(page.contains("<dt>办结时间</dt>"), "{page}");
    let log: Value = zhang.json("/api/v1/portal/access-log?limit=200").await;
    assert!(
        log.to_string().contains("新生儿出生户籍登记核对出生信息"),
        "{log}"
    );
    // The open case's proof is resolved by the pull.
    let c: Value = w.ga.json(&format!("/api/v1/cases/{}", w.case_id)).await;
    let p = c["proofs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["proof_item_id"] == w.item)
        .unwrap();
    assert_eq!(p["state"], "resolved", "{c}");
}

both_backends!(
    a_decided_case_is_archived_once_and_verifies_offline,
    a_commitment_letter_is_archived_with_the_case,
    an_archived_case_serves_as_proof_in_a_pull
);
