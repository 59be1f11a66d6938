//! `proofless archive verify` (issue #17 §3, SPEC R6.2): one changed byte of each kind of part
//! of a package — the manifest, its digest, its seal, a file, a sealed document, a zip entry
//! missing or added, the zip itself, the wrong published key — fails and names the part; the
//! command exits non-zero and says which.

use std::process::Command;

use proofless_app::archive::{Broken, verify};

use crate::archive_flow::{decided_funeral_case, entries, rezip};
use crate::common::{Backend, TestApp, spawn_demo};

fn flip(bytes: &mut [u8], at: usize) {
    bytes[at] ^= 0x01;
}

fn with(files: &[(String, Vec<u8>)], name: &str, change: impl Fn(&mut Vec<u8>)) -> Vec<u8> {
    let mut files = files.to_vec();
    let f = files
        .iter_mut()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("{name}"));
    change(&mut f.1);
    rezip(&files)
}

fn broken(bytes: &[u8], pem: Option<&str>) -> Broken {
    verify(bytes, pem).expect_err("a changed package must fail")
}

async fn pem_of(t: &TestApp, org_name: &str) -> String {
    let (code,): (String,) = t
        .app
        .db
        .reader()
        .fetch_one(proofless_store::q("SELECT credit_code FROM orgs WHERE name = ?").bind(org_name))
        .await
        .unwrap();
    t.client()
        .get(&format!("/api/v1/public/orgs/{code}/seal.pem"))
        .await
        .text()
        .await
        .unwrap()
}

// SPEC R6.2: the archive check names the first broken part.
async fn one_changed_byte_of_each_part_is_named(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let (sj, id) = decided_funeral_case(&t).await;
    proofless_app::jobs::run_due_jobs(&t.app, "test")
        .await
        .unwrap();
    let good = sj
        .get(&format!("/api/v1/cases/{id}/archive.zip"))
        .await
        .bytes()
        .await
        .unwrap()
        .to_vec();
    let pem = pem_of(&t, "县市场监管局").await;
    verify(&good, Some(&pem)).unwrap();
    let files = entries(&good);
    // Re-zipping the same content still verifies: the check is over content, not zip bytes.
    verify(&rezip(&files), Some(&pem)).unwrap();

    let mid = |b: &mut Vec<u8>| {
        let i = b.len() / 2;
        flip(b, i)
    };
    let last = |b: &mut Vec<u8>| {
        let i = b.len() - 1;
        flip(b, i)
    };
    let e = broken(&with(&files, "manifest.json", mid), Some(&pem));
    assert_eq!(e.part(), "manifest.json", "{e}");
    assert!(e.to_string().contains("清单已被改动"), "{e}");
    // Without the published key, the key the manifest names: still caught.
    assert_eq!(
        broken(&with(&files, "manifest.json", mid), None).part(),
        "manifest.json"
    );
    let e = broken(&with(&files, "manifest.sm3", |b| flip(b, 0)), Some(&pem));
    assert_eq!(e.part(), "manifest.sm3", "{e}");
    let e = broken(&with(&files, "manifest.sig", last), Some(&pem));
    assert_eq!(e.part(), "manifest.sig", "{e}");
    assert!(e.to_string().contains("签章无效"), "{e}");
    let e = broken(&with(&files, "case.json", mid), Some(&pem));
    assert_eq!(e.part(), "case.json", "{e}");
    assert!(e.to_string().contains("SM3"), "{e}");
    let e = broken(&with(&files, "case.pdf", mid), Some(&pem));
    assert_eq!(e.part(), "case.pdf", "{e}");
    let sealed = files
        .iter()
        .find(|(n, _)| n.starts_with("sealed/") && n.ends_with(".json"))
        .unwrap()
        .0
        .clone();
    let e = broken(&with(&files, &sealed, mid), Some(&pem));
    assert_eq!(e.part(), sealed, "{e}");
    // A zip entry missing, one added.
    let fewer: Vec<_> = files
        .iter()
        .filter(|(n, _)| n != "proofs.json")
        .cloned()
        .collect();
    let e = broken(&rezip(&fewer), Some(&pem));
    assert_eq!(e.part(), "proofs.json", "{e}");
    assert!(e.to_string().contains("缺少"), "{e}");
    let mut more = files.clone();
    more.push(("extra/note.txt".to_owned(), b"added".to_vec()));
    let e = broken(&rezip(&more), Some(&pem));
    assert_eq!(e.part(), "extra/note.txt", "{e}");
    let no_sig: Vec<_> = files
        .iter()
        .filter(|(n, _)| n != "manifest.sig")
        .cloned()
        .collect();
    assert_eq!(broken(&rezip(&no_sig), Some(&pem)).part(), "manifest.sig");
    // One byte of the zip itself, inside a stored PDF: its entry no longer reads back.
    let mut raw = good.clone();
    let at = raw.windows(5).position(|w| w == b"%PDF-").unwrap() + 40;
    flip(&mut raw, at);
    let e = broken(&raw, Some(&pem));
    assert!(e.part().ends_with(".pdf"), "{e}");
    assert!(matches!(broken(b"not a zip", Some(&pem)), Broken::Zip(_)));
    // Another unit's published key is not the seal's.
    let other = pem_of(&t, "县公安局").await;
    let e = broken(&good, Some(&other));
    assert_eq!(e.part(), "manifest.sig", "{e}");
    assert!(e.to_string().contains("不是签章所用的密钥"), "{e}");

    // The command: exit 0 and a summary for the good package, 1 and the part for a bad one.
    let dir = tempfile::tempdir().unwrap();
    let good_path = dir.path().join("good.zip");
    let bad_path = dir.path().join("bad.zip");
    let pem_path = dir.path().join("seal.pem");
    std::fs::write(&good_path, &good).unwrap();
    std::fs::write(&bad_path, with(&files, "decision.json", mid)).unwrap();
    std::fs::write(&pem_path, &pem).unwrap();
    let run = |file: &std::path::Path| {
        let out = Command::new(env!("CARGO_BIN_EXE_proofless"))
            .env_remove("PROOFLESS_DATABASE_URL")
            .env("PROOFLESS_LOG", "warn")
            .args(["archive", "verify"])
            .arg(file)
            .arg("--key")
            .arg(&pem_path)
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
        )
    };
    let (code, text) = run(&good_path);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("电子档案完好"), "{text}");
    let (code, text) = run(&bad_path);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("decision.json"), "{text}");
}

both_backends!(one_changed_byte_of_each_part_is_named);
