//! The files of a backup directory, and the master key file.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{AppError, AppResult};

/// The SQLite copy inside a backup directory.
pub const SQLITE_FILE: &str = "proofless.db";
/// The master key, encrypted under the passphrase.
pub const MASTER_KEY_FILE: &str = "master-key.json";
/// What the backup holds.
pub const MANIFEST_FILE: &str = "manifest.json";

const FORMAT: &str = "proofless-backup-v1";

/// `manifest.json`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Manifest {
    pub format: String,
    /// `sqlite` or `postgres`.
    pub backend: String,
    /// Unix milliseconds when the copy was taken.
    pub created_at: i64,
    /// SM3 of [`SQLITE_FILE`] (SQLite only).
    pub database_sm3: Option<String>,
    /// Audit rows verified in the copy, and the chain's head hash.
    pub audit_rows: i64,
    pub audit_head_hash: String,
    /// Fingerprint of the master key ([`proofless_seal::master_key_id`]).
    pub master_key_id: String,
}

impl Manifest {
    pub(crate) fn new(backend: &str, created_at: i64, master_key_id: String) -> Manifest {
        Manifest {
            format: FORMAT.to_owned(),
            backend: backend.to_owned(),
            created_at,
            database_sm3: None,
            audit_rows: 0,
            audit_head_hash: String::new(),
            master_key_id,
        }
    }

    pub(crate) fn read(dir: &Path) -> AppResult<Manifest> {
        let path = dir.join(MANIFEST_FILE);
        let text = std::fs::read_to_string(&path)
            .map_err(|e| AppError::Internal(format!("无法读取 {}：{e}", path.display())))?;
        let m: Manifest = serde_json::from_str(&text).map_err(|e| {
            AppError::Internal(format!("{} 不是 Proofless 备份清单：{e}", path.display()))
        })?;
        if m.format != FORMAT {
            return Err(AppError::Internal(format!(
                "{} 的格式 {} 不受支持（应为 {FORMAT}）",
                path.display(),
                m.format
            )));
        }
        Ok(m)
    }

    pub(crate) fn write(&self, dir: &Path) -> AppResult<()> {
        let text = serde_json::to_string_pretty(self)
            .map_err(|e| AppError::Internal(format!("备份清单无法写出：{e}")))?;
        write_new(&dir.join(MANIFEST_FILE), text.as_bytes())
    }
}

fn io_err(path: &Path, e: std::io::Error) -> AppError {
    AppError::Internal(format!("无法写入 {}：{e}", path.display()))
}

/// Writes a file that must not exist yet, readable by the owner only, and syncs it.
pub(crate) fn write_new(path: &Path, bytes: &[u8]) -> AppResult<()> {
    use std::io::Write as _;
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        o.mode(0o600);
    }
    let mut f = o.open(path).map_err(|e| io_err(path, e))?;
    f.write_all(bytes).map_err(|e| io_err(path, e))?;
    f.sync_all().map_err(|e| io_err(path, e))
}

/// Writes the master key file (base64, owner-only) unless it exists; its directory is made
/// when missing. Shared by first start and restore.
pub fn write_key_file(path: &Path, key: &proofless_seal::MasterKey) -> AppResult<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| io_err(dir, e))?;
    }
    write_new(path, key.expose_base64().as_bytes())
}
