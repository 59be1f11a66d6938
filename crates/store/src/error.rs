use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("数据库错误：{0}")]
    Sqlx(#[from] sqlx::Error),
    #[error("数据库迁移失败：{0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("数据库地址无效：{0}")]
    BadUrl(String),
    #[error("数据库提交失败：{0}")]
    Commit(String),
    #[error("无法创建数据目录：{0}")]
    Io(#[from] std::io::Error),
    #[error("数据库错误：{0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("读取数据库结果失败：{0}")]
    Decode(String),
    #[error("数据库繁忙：等待连接超时")]
    PoolTimedOut,
    /// A read-only open found no usable database (missing, empty, or never migrated).
    #[error("{0}")]
    NotADatabase(String),
}

/// The SQLite error code behind a failure, extended (e.g. 2067 for a unique violation).
fn sqlite_code(e: &rusqlite::Error) -> Option<i32> {
    match e {
        rusqlite::Error::SqliteFailure(f, _) => Some(f.extended_code),
        _ => None,
    }
}

impl StoreError {
    /// The name of the unique constraint a write violated, if that is what failed.
    pub fn unique_violation(&self) -> Option<String> {
        match self {
            StoreError::Sqlx(sqlx::Error::Database(e)) if e.is_unique_violation() => Some(
                e.constraint()
                    .map(str::to_owned)
                    .unwrap_or_else(|| e.message().to_owned()),
            ),
            // SQLITE_CONSTRAINT_UNIQUE, SQLITE_CONSTRAINT_PRIMARYKEY
            StoreError::Sqlite(e @ rusqlite::Error::SqliteFailure(_, msg))
                if matches!(sqlite_code(e), Some(2067 | 1555)) =>
            {
                Some(msg.clone().unwrap_or_else(|| e.to_string()))
            }
            _ => None,
        }
    }

    pub fn is_foreign_key_violation(&self) -> bool {
        match self {
            StoreError::Sqlx(sqlx::Error::Database(e)) => e.is_foreign_key_violation(),
            // SQLITE_CONSTRAINT_FOREIGNKEY
            StoreError::Sqlite(e) => sqlite_code(e) == Some(787),
            _ => false,
        }
    }

    /// Serialisation failures and lock timeouts that a retry may resolve.
    pub fn is_retryable(&self) -> bool {
        match self {
            StoreError::Sqlx(sqlx::Error::Database(e)) => {
                let code = e.code().map(|c| c.to_string()).unwrap_or_default();
                code == "40001" || code == "40P01" || code == "5" || code == "517" || code == "6"
            }
            StoreError::Sqlx(sqlx::Error::PoolTimedOut) | StoreError::PoolTimedOut => true,
            // SQLITE_BUSY, SQLITE_BUSY_SNAPSHOT, SQLITE_LOCKED
            StoreError::Sqlite(e) => matches!(sqlite_code(e), Some(5 | 517 | 6)),
            _ => false,
        }
    }
}
