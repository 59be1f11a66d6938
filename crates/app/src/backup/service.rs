//! `proofless backup` and `proofless restore` (see the module documentation).

use std::path::{Path, PathBuf};

use proofless_seal::{MasterKey, WrapParams, master_key_id, unwrap_master_key, wrap_master_key};
use proofless_store::{Db, DbOptions};

use super::files::{MASTER_KEY_FILE, Manifest, SQLITE_FILE, write_key_file, write_new};
use super::repo;
use crate::error::{AppError, AppResult};

/// What `backup` needs.
pub struct BackupOptions {
    /// A new (or empty) directory.
    pub dir: PathBuf,
    pub passphrase: String,
    pub params: WrapParams,
    pub now_ms: i64,
}

/// What `backup` wrote.
#[derive(Debug, Clone)]
pub struct BackupReport {
    pub manifest: Manifest,
    /// The SQLite copy; `None` on PostgreSQL (see [`postgres_guidance`]).
    pub database_file: Option<PathBuf>,
}

/// What `restore` needs.
pub struct RestoreOptions {
    /// The backup directory.
    pub from: PathBuf,
    pub passphrase: String,
    /// Where to restore: a SQLite file that does not exist yet, or a PostgreSQL database
    /// already loaded with `pg_restore`.
    pub database_url: String,
    /// Where the server reads its master key.
    pub master_key_file: PathBuf,
}

/// What `restore` checked and installed.
#[derive(Debug, Clone)]
pub struct RestoreReport {
    pub audit_rows: i64,
    pub seal_keys_checked: usize,
    pub database_installed: Option<PathBuf>,
    pub key_file_written: bool,
}

fn fail(msg: impl Into<String>) -> AppError {
    AppError::Internal(msg.into())
}

/// How to back up and restore a PostgreSQL database (its consistent online copy is
/// `pg_dump`'s job); `url` is shown without its password.
pub fn postgres_guidance(dir: &Path) -> String {
    let dump = dir.join("proofless.pgdump");
    format!(
        "PostgreSQL 数据库请用 pg_dump 在线备份（一致快照，不停服务）：\n  \
         pg_dump --format=custom --file={d} \"$PROOFLESS_DATABASE_URL\"\n\
         恢复：新建空库后 pg_restore --no-owner --dbname=<新库地址> {d}，\n\
         再运行 proofless restore --from {dir} --database <新库地址>，检查审计链和密钥并写入主密钥文件。",
        d = dump.display(),
        dir = dir.display()
    )
}

fn prepare_dir(dir: &Path) -> AppResult<()> {
    if dir.exists() {
        let mut entries =
            std::fs::read_dir(dir).map_err(|e| fail(format!("无法读取 {}：{e}", dir.display())))?;
        if entries.next().is_some() {
            return Err(fail(format!(
                "备份目录 {} 不是空目录：请指定新目录，不覆盖已有备份",
                dir.display()
            )));
        }
    }
    std::fs::create_dir_all(dir).map_err(|e| fail(format!("无法创建 {}：{e}", dir.display())))
}

/// Verifies the audit chain of `db` and that `key` opens its seal keys; returns the rows
/// and the head hash.
async fn check(db: &Db, key: &MasterKey) -> AppResult<(i64, String, usize)> {
    let r = crate::audit::verify(db).await?;
    if !r.ok {
        return Err(fail(format!(
            "审计日志校验失败：第 {} 条起链条断裂。{}",
            r.first_broken_seq.unwrap_or_default(),
            r.problem.unwrap_or_default()
        )));
    }
    let keys = crate::seals::check_master_key(db, key).await?;
    let (_, head) = repo::audit_head(&mut db.reader()).await?;
    Ok((r.rows_checked, head, keys.checked))
}

/// Takes a backup of the running database into a new directory (see the module docs).
pub async fn backup(db: &Db, master: &MasterKey, opts: &BackupOptions) -> AppResult<BackupReport> {
    prepare_dir(&opts.dir)?;
    let wrapped = wrap_master_key(master, &opts.passphrase, opts.params)
        .map_err(|e| fail(format!("无法加密主密钥：{e}")))?;
    write_new(&opts.dir.join(MASTER_KEY_FILE), wrapped.as_bytes())?;
    let sqlite = matches!(db, Db::Sqlite(_));
    let backend = if sqlite { "sqlite" } else { "postgres" };
    let mut manifest = Manifest::new(backend, opts.now_ms, master_key_id(master));
    let database_file = if sqlite {
        {
            let file = opts.dir.join(SQLITE_FILE);
            let path = file
                .to_str()
                .ok_or_else(|| fail("备份目录路径含有无法识别的字符"))?;
            repo::vacuum_into(&mut db.reader(), path).await?;
            // The copy is checked as restore will check it: a backup that would not restore
            // is an error now, not on the day it is needed.
            let copy = open_sqlite_read_only(&file).await?;
            let checked = check(&copy, master).await;
            copy.close().await;
            let (rows, head, _) = checked?;
            manifest.audit_rows = rows;
            manifest.audit_head_hash = head;
            manifest.database_sm3 = Some(
                proofless_seal::sm3_file_hex(&file)
                    .map_err(|e| fail(format!("无法读取 {}：{e}", file.display())))?,
            );
            Some(file)
        }
    } else {
        // The live database keeps growing while it is read, so its chain is verified where
        // it stands still: on the restored copy. Here the key is checked and the head noted
        // (the dump taken afterwards holds at least these rows).
        crate::seals::check_master_key(db, master).await?;
        let (rows, head) = repo::audit_head(&mut db.reader()).await?;
        manifest.audit_rows = rows;
        manifest.audit_head_hash = head;
        None
    };
    manifest.write(&opts.dir)?;
    Ok(BackupReport {
        manifest,
        database_file,
    })
}

async fn open_sqlite_read_only(file: &Path) -> AppResult<Db> {
    let url = format!("sqlite://{}", file.display());
    Ok(Db::open_read_only(&url, &DbOptions { max_connections: 2 }).await?)
}

/// The master key of a backup, opened with the passphrase and matched to the manifest.
fn open_key(from: &Path, manifest: &Manifest, passphrase: &str) -> AppResult<MasterKey> {
    let path = from.join(MASTER_KEY_FILE);
    let doc = std::fs::read_to_string(&path)
        .map_err(|e| fail(format!("无法读取 {}：{e}", path.display())))?;
    let key = unwrap_master_key(&doc, passphrase).map_err(|_| {
        fail(format!(
            "备份口令不正确，或 {} 已被改动：无法解开主密钥",
            path.display()
        ))
    })?;
    if master_key_id(&key) != manifest.master_key_id {
        return Err(fail("备份中的主密钥与备份清单记录的不一致"));
    }
    Ok(key)
}

/// Installs the master key file, or accepts one already there holding the same key.
fn install_key(path: &Path, key: &MasterKey) -> AppResult<bool> {
    match std::fs::read_to_string(path) {
        Ok(text) => match MasterKey::parse(text.trim()) {
            Ok(existing) if master_key_id(&existing) == master_key_id(key) => Ok(false),
            _ => Err(fail(format!(
                "主密钥文件 {} 已存在且不是这份备份的主密钥：请先移走它，恢复不会覆盖",
                path.display()
            ))),
        },
        Err(_) => write_key_file(path, key).map(|()| true),
    }
}

/// Checks a backup and restores it (see the module docs). Nothing is installed unless
/// every check passes.
pub async fn restore(opts: &RestoreOptions) -> AppResult<RestoreReport> {
    let manifest = Manifest::read(&opts.from)?;
    let key = open_key(&opts.from, &manifest, &opts.passphrase)?;
    let target_is_sqlite = opts.database_url.starts_with("sqlite:");
    match (manifest.backend.as_str(), target_is_sqlite) {
        ("sqlite", true) | ("postgres", false) => {}
        (b, _) => {
            return Err(fail(format!(
                "备份来自 {b} 数据库，不能恢复到 {}",
                if target_is_sqlite {
                    "SQLite"
                } else {
                    "PostgreSQL"
                }
            )));
        }
    }
    let (rows, checked, installed) = if target_is_sqlite {
        restore_sqlite(opts, &manifest, &key).await?
    } else {
        let db = Db::open_read_only(&opts.database_url, &DbOptions { max_connections: 2 }).await?;
        let result = check(&db, &key).await;
        db.close().await;
        let (rows, _, checked) = result?;
        (rows, checked, None)
    };
    if rows < manifest.audit_rows {
        return Err(fail(format!(
            "恢复的数据库只有 {rows} 条审计记录，少于备份时的 {} 条",
            manifest.audit_rows
        )));
    }
    let key_file_written = install_key(&opts.master_key_file, &key)?;
    Ok(RestoreReport {
        audit_rows: rows,
        seal_keys_checked: checked,
        database_installed: installed,
        key_file_written,
    })
}

async fn restore_sqlite(
    opts: &RestoreOptions,
    manifest: &Manifest,
    key: &MasterKey,
) -> AppResult<(i64, usize, Option<PathBuf>)> {
    let file = opts.from.join(SQLITE_FILE);
    let sm3 = proofless_seal::sm3_file_hex(&file)
        .map_err(|e| fail(format!("无法读取 {}：{e}", file.display())))?;
    if manifest.database_sm3.as_deref() != Some(sm3.as_str()) {
        return Err(fail(format!(
            "{} 与备份清单记录的 SM3 不符：文件已损坏或被改动",
            file.display()
        )));
    }
    let copy = open_sqlite_read_only(&file).await?;
    let checked = check(&copy, key).await;
    copy.close().await;
    let (rows, _, n) = checked?;
    let target = PathBuf::from(
        opts.database_url
            .trim_start_matches("sqlite://")
            .trim_start_matches("sqlite:")
            .split('?')
            .next()
            .unwrap_or_default(),
    );
    if target.exists() {
        return Err(fail(format!(
            "目标数据库 {} 已存在：恢复不会覆盖，请先移走它或指定新文件",
            target.display()
        )));
    }
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| fail(format!("无法创建 {}：{e}", dir.display())))?;
    }
    // Copied beside the target, then renamed: a half-copied file is never the database.
    let partial = target.with_extension("restoring");
    std::fs::copy(&file, &partial)
        .map_err(|e| fail(format!("无法写入 {}：{e}", partial.display())))?;
    std::fs::rename(&partial, &target)
        .map_err(|e| fail(format!("无法写入 {}：{e}", target.display())))?;
    Ok((rows, n, Some(target)))
}
