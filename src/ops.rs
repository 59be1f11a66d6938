//! Operator commands that guard the data: the master key at start-up, read-only audit
//! verification, backup and restore (issue #16 item 4, README "Backup and restore").

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use proofless_app::backup::{self, BackupOptions, RestoreOptions};
use proofless_seal::{MIN_PASSPHRASE_CHARS, MasterKey, WrapParams};
use proofless_store::{Db, DbOptions};

use crate::config::Config;

/// Environment variable with the backup passphrase (or use `--passphrase-file`).
pub const PASSPHRASE_ENV: &str = "PROOFLESS_BACKUP_PASSPHRASE";

fn key_source(cfg: &Config) -> String {
    if cfg.master_key.is_empty() {
        format!("主密钥文件 {}", cfg.master_key_file)
    } else {
        "PROOFLESS_MASTER_KEY".to_owned()
    }
}

/// The configured master key, if there is one: `PROOFLESS_MASTER_KEY`, else the key file.
/// A key file that exists but cannot be read is an error, never a reason to make a new key.
fn configured_key(cfg: &Config) -> anyhow::Result<Option<MasterKey>> {
    if !cfg.master_key.is_empty() {
        return MasterKey::parse(cfg.master_key.expose())
            .map(Some)
            .map_err(|e| anyhow::anyhow!("主密钥（PROOFLESS_MASTER_KEY）格式有误：{e}"));
    }
    let path = Path::new(&cfg.master_key_file);
    match std::fs::read_to_string(path) {
        Ok(text) => MasterKey::parse(text.trim())
            .map(Some)
            .map_err(|e| anyhow::anyhow!("主密钥文件 {} 格式有误：{e}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => bail!("无法读取主密钥文件 {}：{e}", path.display()),
    }
}

/// The master key for a server on `db`, failing closed (issue #16 item 4): a key that does
/// not decrypt the stored seal keys stops the start, and a new key is generated only for a
/// database that holds no encrypted keys at all.
pub async fn master_key(cfg: &Config, db: &Db) -> anyhow::Result<MasterKey> {
    let key = match configured_key(cfg)? {
        Some(k) => k,
        None => {
            let stored = proofless_app::seals::stored_key_count(db).await?;
            if stored > 0 {
                bail!(
                    "拒绝启动：数据库中已有 {stored} 把用主密钥加密的印章私钥，但找不到主密钥文件 {f}\
                     （也未设置 PROOFLESS_MASTER_KEY）。请放回生成这些密钥时的主密钥文件 {f}\
                     （例如用 proofless restore 从备份恢复）。不会在已有加密密钥旁生成新的主密钥。",
                    f = cfg.master_key_file
                );
            }
            let key = MasterKey::generate().map_err(|e| anyhow::anyhow!("无法生成主密钥：{e}"))?;
            let path = Path::new(&cfg.master_key_file);
            backup::write_key_file(path, &key)
                .with_context(|| format!("无法写入主密钥文件 {}", path.display()))?;
            tracing::warn!(
                "已生成主密钥并保存到 {}（仅本机可读）。请妥善备份（proofless backup）；生产环境建议通过 PROOFLESS_MASTER_KEY 提供。",
                path.display()
            );
            key
        }
    };
    if let Err(e) = proofless_app::seals::check_master_key(db, &key).await {
        bail!(
            "拒绝启动：{e}。应使用生成这些密钥时的{}（数据库从备份恢复时，主密钥也须来自同一份备份）。",
            key_source(cfg)
        );
    }
    Ok(key)
}

/// `proofless audit verify`: opens the database read-only (never creates or migrates it)
/// and walks the chain. Exit code 2 when the chain is broken or there is no database.
pub async fn audit_verify(cfg: &Config) -> anyhow::Result<()> {
    let db = match Db::open_read_only(&cfg.database_url.0, &DbOptions { max_connections: 2 }).await
    {
        Ok(db) => db,
        Err(e) => {
            eprintln!("无法校验审计日志：{e}");
            std::process::exit(2);
        }
    };
    let r = proofless_app::audit::verify(&db).await?;
    db.close().await;
    if r.ok {
        println!(
            "审计日志完整：已校验 {} 条记录，SM3 哈希链无断裂。",
            r.rows_checked
        );
        Ok(())
    } else {
        println!(
            "审计日志被篡改：第 {} 条起链条断裂。{}",
            r.first_broken_seq.unwrap_or_default(),
            r.problem.unwrap_or_default()
        );
        std::process::exit(2);
    }
}

/// The passphrase from a file (first line) or the environment; too short is refused.
pub fn passphrase(file: Option<&PathBuf>) -> anyhow::Result<String> {
    let p = match file {
        Some(f) => std::fs::read_to_string(f)
            .with_context(|| format!("无法读取口令文件 {}", f.display()))?
            .lines()
            .next()
            .unwrap_or_default()
            .to_owned(),
        None => std::env::var(PASSPHRASE_ENV).unwrap_or_default(),
    };
    if p.chars().count() < MIN_PASSPHRASE_CHARS {
        bail!(
            "备份口令至少 {MIN_PASSPHRASE_CHARS} 个字符：请用 --passphrase-file 或环境变量 {PASSPHRASE_ENV} 提供"
        );
    }
    Ok(p)
}

/// `proofless backup --to DIR`: the database (SQLite) and the master key under a passphrase.
pub async fn backup(cfg: &Config, to: &Path, passphrase: String) -> anyhow::Result<()> {
    let db = Db::open_read_only(&cfg.database_url.0, &DbOptions { max_connections: 2 })
        .await
        .with_context(|| format!("无法打开数据库 {}", cfg.database_url))?;
    let Some(key) = configured_key(cfg)? else {
        bail!("找不到{}：没有主密钥就无法备份可用的数据", key_source(cfg));
    };
    let now_ms = chrono_now_ms();
    let opts = BackupOptions {
        dir: to.to_owned(),
        passphrase,
        params: WrapParams::default(),
        now_ms,
    };
    let r = backup::backup(&db, &key, &opts).await;
    db.close().await;
    let r = r?;
    println!(
        "备份已写入 {}：审计日志 {} 条已校验，主密钥已用口令加密（{}）。",
        to.display(),
        r.manifest.audit_rows,
        backup::MASTER_KEY_FILE
    );
    match r.database_file {
        Some(f) => println!(
            "数据库副本：{}（SM3 {}）",
            f.display(),
            r.manifest.database_sm3.unwrap_or_default()
        ),
        None => println!("{}", backup::postgres_guidance(to)),
    }
    Ok(())
}

/// `proofless restore --from DIR`: checks, then installs the database and the key file.
pub async fn restore(cfg: &Config, from: &Path, passphrase: String) -> anyhow::Result<()> {
    let opts = RestoreOptions {
        from: from.to_owned(),
        passphrase,
        database_url: cfg.database_url.0.clone(),
        master_key_file: PathBuf::from(&cfg.master_key_file),
    };
    let r = match backup::restore(&opts).await {
        Ok(r) => r,
        Err(e) => {
            eprintln!("恢复失败，未写入任何数据：{e}");
            std::process::exit(2);
        }
    };
    println!(
        "备份检查通过：审计日志 {} 条 SM3 哈希链完整，主密钥可解开 {} 把印章私钥。",
        r.audit_rows, r.seal_keys_checked
    );
    if let Some(p) = r.database_installed {
        println!("数据库已恢复到 {}", p.display());
    }
    println!(
        "主密钥文件 {}{}。现在可以启动 proofless serve。",
        cfg.master_key_file,
        if r.key_file_written {
            " 已写入"
        } else {
            " 已存在且一致"
        }
    );
    Ok(())
}

fn chrono_now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// `proofless archive verify`: checks a case e-archive offline and names the first broken
/// part; exits 1 when the package does not verify (SPEC R6.2).
pub async fn archive_verify(
    file: &Path,
    key: Option<&Path>,
    url: Option<&str>,
) -> anyhow::Result<()> {
    let bytes =
        std::fs::read(file).with_context(|| format!("无法读取电子档案 {}", file.display()))?;
    let published = match (key, url) {
        (Some(k), _) => Some(
            std::fs::read_to_string(k)
                .with_context(|| format!("无法读取公钥文件 {}", k.display()))?,
        ),
        (None, Some(u)) => Some(
            proofless_app::archive::published_key(u, &bytes)
                .await
                .map_err(|e| anyhow::anyhow!(e))?,
        ),
        (None, None) => None,
    };
    match proofless_app::archive::verify(&bytes, published.as_deref()) {
        Ok(c) => {
            println!(
                "电子档案完好：档号 {}，办件 {}，立档单位 {}；{} 个文件的 SM3 摘要相符，{} 份电子文件签章有效，清单签章有效（密钥 {}）。",
                c.archive_no, c.case_no, c.org_name, c.files, c.seals, c.key_id
            );
            if !c.published_key {
                println!(
                    "注意：未指定发布的公钥（--key 或 --url），签章仅用清单自带的公钥核对，只能说明内容未被改动，不能说明由谁签章。"
                );
            }
            Ok(())
        }
        Err(b) => {
            eprintln!("电子档案校验失败：{b}");
            eprintln!("损坏部分：{}", b.part());
            std::process::exit(1);
        }
    }
}
