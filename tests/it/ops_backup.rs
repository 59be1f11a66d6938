//! Fail-closed keys and audit (issue #16 item 4): start-up refuses a master key that cannot
//! open the stored seal keys and never makes a new one beside them; `audit verify` opens
//! read-only and never creates anything; a backup taken under write load restores only after
//! its chain and keys check out.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};

use proofless_app::Actor;
use proofless_app::audit::{self, Entry};
use proofless_app::backup::{self, BackupOptions, RestoreOptions};
use proofless_seal::{MasterKey, WrapParams};
use proofless_store::{Db, DbOptions, q};

use crate::common::{Backend, TestApp, spawn_demo};

/// Cheap KDF parameters: the tests check the format, not the cost.
const FAST: WrapParams = WrapParams {
    m_kib: 1024,
    t: 1,
    p: 1,
};
const PASSPHRASE: &str = "县政务服务中心-备份口令-2026";

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_proofless"));
    // The test's environment must not leak a key or a database into the command.
    for v in [
        "PROOFLESS_MASTER_KEY",
        "PROOFLESS_MASTER_KEY_FILE",
        "PROOFLESS_DATABASE_URL",
        "PROOFLESS_BACKUP_PASSPHRASE",
    ] {
        c.env_remove(v);
    }
    c.env("PROOFLESS_LOG", "warn");
    c
}

fn run(c: &mut Command) -> (i32, String) {
    let out = c.output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

fn master(t: &TestApp) -> Arc<MasterKey> {
    t.app.settings.master_key.clone().unwrap()
}

/// The URL of the test's own database (the SQLite file, or the PostgreSQL database).
pub(crate) async fn own_url(t: &TestApp) -> String {
    match t.backend {
        Backend::Sqlite => {
            let (file,): (String,) = t
                .app
                .db
                .reader()
                .fetch_one(q(
                    "SELECT file FROM pragma_database_list WHERE name = 'main'",
                ))
                .await
                .unwrap();
            format!("sqlite://{file}")
        }
        Backend::Postgres => {
            let (name,): (String,) = t
                .app
                .db
                .reader()
                .fetch_one(q("SELECT CAST(current_database() AS TEXT)"))
                .await
                .unwrap();
            let admin = crate::common::postgres_direct_url().unwrap();
            crate::common::postgres_db_url(&admin, &name)
        }
    }
}

/// Writers appending audit rows until told to stop; returns how many committed.
fn write_load(t: &TestApp, stop: Arc<AtomicBool>) -> tokio::task::JoinHandle<i64> {
    let app = t.app.clone();
    tokio::spawn(async move {
        let done = Arc::new(AtomicI64::new(0));
        let actor = Actor::system("load");
        while !stop.load(Ordering::SeqCst) {
            let mut tx = app.db.begin().await.unwrap();
            let n = done.load(Ordering::SeqCst);
            audit::append(
                &mut tx,
                &actor,
                app.now_ms(),
                Entry::new("load.write", "load", n),
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();
            done.fetch_add(1, Ordering::SeqCst);
        }
        done.load(Ordering::SeqCst)
    })
}

// Issue #16 item 4: a backup taken while writers run restores, after its audit chain and
// its keys were checked, and the restored data is usable (chain intact, seal keys open).
async fn a_backup_taken_under_write_load_restores_with_a_verified_chain(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let key = master(&t);
    let dir = tempfile::tempdir().unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let load = write_load(&t, stop.clone());
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let opts = BackupOptions {
        dir: dir.path().join("backup"),
        passphrase: PASSPHRASE.to_owned(),
        params: FAST,
        now_ms: t.app.now_ms(),
    };
    let report = backup::backup(&t.app.db, &key, &opts).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    stop.store(true, Ordering::SeqCst);
    let written = load.await.unwrap();
    assert!(written > 0, "the load wrote while the backup ran");
    assert!(report.manifest.audit_rows > 0);
    let master_doc = std::fs::read_to_string(opts.dir.join(backup::MASTER_KEY_FILE)).unwrap();
    assert!(
        !master_doc.contains(key.expose_base64().as_str()),
        "the key is encrypted"
    );

    let target = match b {
        Backend::Sqlite => {
            assert!(report.database_file.is_some());
            format!("sqlite://{}/restored/proofless.db", dir.path().display())
        }
        // PostgreSQL is copied by pg_dump/pg_restore; restore checks the loaded database.
        Backend::Postgres => {
            assert!(report.database_file.is_none());
            assert!(backup::postgres_guidance(&opts.dir).contains("pg_dump"));
            own_url(&t).await
        }
    };
    let key_file = dir.path().join("restored/master.key");
    let ropts = |passphrase: &str| RestoreOptions {
        from: opts.dir.clone(),
        passphrase: passphrase.to_owned(),
        database_url: target.clone(),
        master_key_file: key_file.clone(),
    };
    // A wrong passphrase: nothing is written.
    let err = backup::restore(&ropts("不对的口令-不对的口令"))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("口令"), "{err}");
    assert!(!key_file.exists());
    if b == Backend::Sqlite {
        assert!(!dir.path().join("restored/proofless.db").exists());
    }
    let r = backup::restore(&ropts(PASSPHRASE)).await.unwrap();
    assert!(r.audit_rows >= report.manifest.audit_rows);
    assert!(r.seal_keys_checked > 0);
    assert!(r.key_file_written);
    let restored_key = MasterKey::parse(&std::fs::read_to_string(&key_file).unwrap()).unwrap();
    assert_eq!(restored_key.expose_base64(), key.expose_base64());
    // The restored database verifies on its own, and its seal keys open with the key.
    let db = Db::connect(&target, &DbOptions { max_connections: 2 })
        .await
        .unwrap();
    let v = audit::verify(&db).await.unwrap();
    assert!(v.ok, "{v:?}");
    assert_eq!(v.rows_checked, r.audit_rows);
    proofless_app::seals::check_master_key(&db, &restored_key)
        .await
        .unwrap();
    db.close().await;
    if b == Backend::Sqlite {
        // Restoring again is refused: an existing database is never overwritten.
        let err = backup::restore(&ropts(PASSPHRASE)).await.unwrap_err();
        assert!(err.to_string().contains("已存在"), "{err}");
    }
}

// Issue #16 item 4: a backup whose database file was changed is refused before anything
// is installed.
async fn a_tampered_backup_is_refused(b: Backend) {
    if b != Backend::Sqlite {
        return; // the file digest is SQLite's; PostgreSQL dumps are pg_dump's.
    }
    let Some(t) = spawn_demo(b).await else { return };
    let dir = tempfile::tempdir().unwrap();
    let opts = BackupOptions {
        dir: dir.path().join("backup"),
        passphrase: PASSPHRASE.to_owned(),
        params: FAST,
        now_ms: t.app.now_ms(),
    };
    backup::backup(&t.app.db, &master(&t), &opts).await.unwrap();
    // Change the copy after the backup was taken (one row added).
    let copy = format!("sqlite://{}", opts.dir.join(backup::SQLITE_FILE).display());
    let db = Db::connect(&copy, &DbOptions::default()).await.unwrap();
    let mut tx = db.begin().await.unwrap();
    tx.execute(q(
        "INSERT INTO settings (key, value) VALUES ('tampered', '1')",
    ))
    .await
    .unwrap();
    tx.commit().await.unwrap();
    db.close().await;
    let target = dir.path().join("restored.db");
    let err = backup::restore(&RestoreOptions {
        from: opts.dir.clone(),
        passphrase: PASSPHRASE.to_owned(),
        database_url: format!("sqlite://{}", target.display()),
        master_key_file: dir.path().join("master.key"),
    })
    .await
    .unwrap_err();
    assert!(err.to_string().contains("SM3"), "{err}");
    assert!(!target.exists() && !dir.path().join("master.key").exists());
}

// Issue #16 item 4: verifying opens read-only; a missing or empty database is an error and
// nothing is created.
async fn audit_verify_never_creates_or_migrates(b: Backend) {
    match b {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().unwrap();
            let missing = dir.path().join("no-such-dir/missing.db");
            let (code, out) = run(bin().args([
                "audit",
                "verify",
                "--database",
                &format!("sqlite://{}", missing.display()),
            ]));
            assert_eq!(code, 2, "{out}");
            assert!(
                out.contains("不存在") && !out.contains("审计日志完整"),
                "{out}"
            );
            assert!(
                !dir.path().join("no-such-dir").exists(),
                "nothing is created"
            );
            let empty = dir.path().join("empty.db");
            std::fs::write(&empty, b"").unwrap();
            let (code, out) = run(bin().args([
                "audit",
                "verify",
                "--database",
                &format!("sqlite://{}", empty.display()),
            ]));
            assert_eq!(code, 2, "{out}");
            assert_eq!(std::fs::metadata(&empty).unwrap().len(), 0, "not migrated");
            // A database that exists but was never migrated is "empty" too.
            let bare = format!("sqlite://{}", dir.path().join("bare.db").display());
            let db = Db::connect(&bare, &DbOptions::default()).await.unwrap();
            let mut tx = db.begin().await.unwrap();
            tx.execute(q("CREATE TABLE other_app (x INTEGER)"))
                .await
                .unwrap();
            tx.commit().await.unwrap();
            db.close().await;
            let err = Db::open_read_only(&bare, &DbOptions::default())
                .await
                .unwrap_err();
            assert!(err.to_string().contains("为空"), "{err}");
        }
        Backend::Postgres => {
            let Some(admin) = crate::common::postgres_direct_url() else {
                return;
            };
            // Named like the harness's databases, so CI drops it with theirs.
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos();
            let name = format!("proofless_test_missing_{nanos:x}");
            let url = crate::common::postgres_db_url(&admin, &name);
            assert!(
                Db::open_read_only(&url, &DbOptions::default())
                    .await
                    .is_err()
            );
            let a = Db::connect(&admin, &DbOptions { max_connections: 1 })
                .await
                .unwrap();
            let n = a
                .reader()
                .scalar_i64(q("SELECT COUNT(*) FROM pg_database WHERE datname = ?").bind(&name))
                .await
                .unwrap();
            assert_eq!(n, 0, "no database was created");
            // An empty database (no schema) is refused, and stays empty.
            if let Db::Postgres(pool) = &a {
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(pool)
                    .await
                    .unwrap();
            }
            let err = Db::open_read_only(&url, &DbOptions::default())
                .await
                .unwrap_err();
            assert!(err.to_string().contains("为空"), "{err}");
            let probe = Db::connect(&url, &DbOptions { max_connections: 1 })
                .await
                .unwrap();
            let tables = probe
                .reader()
                .scalar_i64(q(
                    "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'",
                ))
                .await
                .unwrap();
            assert_eq!(tables, 0, "not migrated");
            probe.close().await;
            a.close().await;
        }
    }
    // On a real database the read-only handle refuses writes (both backends).
    let Some(t) = crate::common::spawn(b).await else {
        return;
    };
    let ro = Db::open_read_only(&own_url(&t).await, &DbOptions::default())
        .await
        .unwrap();
    assert!(audit::verify(&ro).await.unwrap().ok);
    let write = ro
        .reader()
        .execute(q("DELETE FROM audit_log WHERE seq = 1"))
        .await;
    assert!(write.is_err(), "a read-only open must not write");
    ro.close().await;
}

// Issue #16 item 4: start-up refuses, naming the key file, when seal keys exist that the
// master key cannot decrypt, and never makes a new key beside them.
async fn start_up_fails_closed_on_the_master_key(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let right = master(&t);
    let wrong = MasterKey::generate().unwrap();
    let checked = proofless_app::seals::check_master_key(&t.app.db, &right)
        .await
        .unwrap();
    assert!(checked.stored > 0 && checked.checked > 0);
    let err = proofless_app::seals::check_master_key(&t.app.db, &wrong)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("主密钥无法解密"), "{err}");

    // The binary, as an operator meets it: `migrate` opens the database as `serve` does.
    let dir = tempfile::tempdir().unwrap();
    let key_file: PathBuf = dir.path().join("keys/master.key");
    let url = own_url(&t).await;
    let start = |kf: &Path| {
        run(bin()
            .args(["migrate", "--database", &url])
            .env("PROOFLESS_MASTER_KEY_FILE", kf))
    };
    let (code, out) = start(&key_file);
    assert_ne!(code, 0, "{out}");
    assert!(
        out.contains("拒绝启动") && out.contains(&key_file.display().to_string()),
        "{out}"
    );
    assert!(
        !key_file.exists(),
        "no new master key beside encrypted keys"
    );
    std::fs::create_dir_all(key_file.parent().unwrap()).unwrap();
    std::fs::write(&key_file, wrong.expose_base64().as_bytes()).unwrap();
    let (code, out) = start(&key_file);
    assert_ne!(code, 0, "{out}");
    assert!(
        out.contains("主密钥无法解密") && out.contains("master.key"),
        "{out}"
    );
    std::fs::write(&key_file, right.expose_base64().as_bytes()).unwrap();
    let (code, out) = start(&key_file);
    assert_eq!(code, 0, "{out}");
}

// Issue #16 item 4, as an operator runs it: `proofless backup` then `proofless restore`
// into a new place, and `audit verify` on the result.
async fn backup_and_restore_commands_round_trip(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("master.key");
    std::fs::write(&key_file, master(&t).expose_base64().as_bytes()).unwrap();
    let pass_file = dir.path().join("pass");
    std::fs::write(&pass_file, format!("{PASSPHRASE}\n")).unwrap();
    let url = own_url(&t).await;
    let to = dir.path().join("bk");
    let (code, out) = run(bin()
        .args(["--database", &url, "backup", "--to"])
        .arg(&to)
        .arg("--passphrase-file")
        .arg(&pass_file)
        .env("PROOFLESS_MASTER_KEY_FILE", &key_file));
    assert_eq!(code, 0, "{out}");
    assert!(to.join(backup::MASTER_KEY_FILE).exists() && to.join(backup::MANIFEST_FILE).exists());
    let target = match b {
        Backend::Sqlite => {
            assert!(out.contains("数据库副本"), "{out}");
            format!("sqlite://{}/new/proofless.db", dir.path().display())
        }
        Backend::Postgres => {
            assert!(out.contains("pg_dump"), "{out}");
            url.clone()
        }
    };
    // A short passphrase is refused before anything is read.
    let (code, out) = run(bin()
        .args(["--database", &target, "restore", "--from"])
        .arg(&to)
        .env("PROOFLESS_BACKUP_PASSPHRASE", "short"));
    assert_ne!(code, 0, "{out}");
    let new_key = dir.path().join("new/master.key");
    let (code, out) = run(bin()
        .args(["--database", &target, "restore", "--from"])
        .arg(&to)
        .env("PROOFLESS_BACKUP_PASSPHRASE", PASSPHRASE)
        .env("PROOFLESS_MASTER_KEY_FILE", &new_key));
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("备份检查通过"), "{out}");
    assert!(new_key.exists());
    let (code, out) = run(bin().args(["--database", &target, "audit", "verify"]));
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("审计日志完整"), "{out}");
    // The server-side check passes on the restored data with the restored key.
    let (code, out) = run(bin()
        .args(["--database", &target, "migrate"])
        .env("PROOFLESS_MASTER_KEY_FILE", &new_key));
    assert_eq!(code, 0, "{out}");
}

both_backends!(
    backup_and_restore_commands_round_trip,
    a_backup_taken_under_write_load_restores_with_a_verified_chain,
    a_tampered_backup_is_refused,
    audit_verify_never_creates_or_migrates,
    start_up_fails_closed_on_the_master_key,
);
