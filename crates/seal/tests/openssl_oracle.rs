//! OpenSSL 3 as an independent oracle for SM2/SM3 e-seals, in both directions.
//!
//! If `openssl` is not on PATH the tests print "skipped: openssl not found" and pass.

use std::path::Path;
use std::process::{Command, Output};

use proofless_seal::{SealKey, canonical_json, public_key_id, verify};

type TestResult = Result<(), Box<dyn std::error::Error>>;

const DISTID: &str = "distid:1234567812345678";

fn openssl_available() -> bool {
    let found = Command::new("openssl")
        .arg("version")
        .output()
        .map(|o| o.status.success());
    if matches!(found, Ok(true)) {
        true
    } else {
        eprintln!("skipped: openssl not found");
        false
    }
}

fn openssl(dir: &Path, args: &[&str]) -> Result<Output, std::io::Error> {
    Command::new("openssl").current_dir(dir).args(args).output()
}

fn openssl_verify(
    dir: &Path,
    pubkey: &str,
    doc: &str,
    sig: &str,
) -> Result<Output, std::io::Error> {
    openssl(
        dir,
        &[
            "pkeyutl", "-verify", "-rawin", "-digest", "sm3", "-pkeyopt", DISTID, "-pubin",
            "-inkey", pubkey, "-in", doc, "-sigfile", sig,
        ],
    )
}

fn sealed_doc() -> Vec<u8> {
    canonical_json(&serde_json::json!({
        "type": "reply_letter",
        "org": "某某县公安局",
        "subject": "关于无犯罪记录的核查回复",
        "result": "经核查，未发现犯罪记录。",
        "issued_at": "2024-05-01T08:00:00+08:00",
        "n": 1
    }))
}

#[test]
fn openssl_verifies_our_seal() -> TestResult {
    if !openssl_available() {
        return Ok(());
    }
    let dir = tempfile::tempdir()?;
    let key = SealKey::generate()?;
    let doc = sealed_doc();
    let sig = key.sign(&doc)?;
    std::fs::write(dir.path().join("seal.pem"), key.public_pem())?;
    std::fs::write(dir.path().join("doc"), &doc)?;
    std::fs::write(dir.path().join("sig"), &sig)?;

    // OpenSSL reads our PEM as an SM2 key.
    let text = openssl(
        dir.path(),
        &["pkey", "-pubin", "-in", "seal.pem", "-noout", "-text"],
    )?;
    assert!(
        text.status.success(),
        "{}",
        String::from_utf8_lossy(&text.stderr)
    );
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("SM2"), "{text}");

    let out = openssl_verify(dir.path(), "seal.pem", "doc", "sig")?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("Signature Verified Successfully"),
        "stdout: {stdout}\nstderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );

    // One byte of the document changed: OpenSSL rejects it.
    let mut tampered = doc.clone();
    tampered[10] ^= 0x01;
    std::fs::write(dir.path().join("doc2"), &tampered)?;
    let out = openssl_verify(dir.path(), "seal.pem", "doc2", "sig")?;
    assert!(!out.status.success());
    assert!(!String::from_utf8_lossy(&out.stdout).contains("Signature Verified Successfully"));

    // Without the GB/T 32918 default ID (OpenSSL 3.0 assumes an empty one) it fails too,
    // which shows the ID really enters Z_A.
    let out = openssl(
        dir.path(),
        &[
            "pkeyutl", "-verify", "-rawin", "-digest", "sm3", "-pubin", "-inkey", "seal.pem",
            "-in", "doc", "-sigfile", "sig",
        ],
    )?;
    assert!(!out.status.success());
    Ok(())
}

#[test]
fn we_verify_openssl_seal() -> TestResult {
    if !openssl_available() {
        return Ok(());
    }
    let dir = tempfile::tempdir()?;
    let doc = sealed_doc();
    std::fs::write(dir.path().join("doc"), &doc)?;
    let steps: [&[&str]; 3] = [
        &["genpkey", "-algorithm", "sm2", "-out", "sk.pem"],
        &["pkey", "-in", "sk.pem", "-pubout", "-out", "pk.pem"],
        &[
            "pkeyutl", "-sign", "-rawin", "-digest", "sm3", "-pkeyopt", DISTID, "-inkey", "sk.pem",
            "-in", "doc", "-out", "sig",
        ],
    ];
    for args in steps {
        let out = openssl(dir.path(), args)?;
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let pem = std::fs::read_to_string(dir.path().join("pk.pem"))?;
    let sig = std::fs::read(dir.path().join("sig"))?;

    assert!(verify(&pem, &doc, &sig)?, "OpenSSL signature must verify");
    assert_eq!(public_key_id(&pem)?.len(), 16);

    let mut tampered = doc.clone();
    tampered[0] ^= 0x01;
    assert!(!verify(&pem, &tampered, &sig)?);

    // OpenSSL's signature under the empty ID does not verify under the default ID.
    let out = openssl(
        dir.path(),
        &[
            "pkeyutl", "-sign", "-rawin", "-digest", "sm3", "-inkey", "sk.pem", "-in", "doc",
            "-out", "sig0",
        ],
    )?;
    assert!(out.status.success());
    let sig0 = std::fs::read(dir.path().join("sig0"))?;
    assert!(!verify(&pem, &doc, &sig0)?);

    // Another key's signature does not verify.
    let other = SealKey::generate()?;
    assert!(!verify(&other.public_pem(), &doc, &sig)?);
    Ok(())
}
