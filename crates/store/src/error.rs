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
            _ => None,
        }
    }

    pub fn is_foreign_key_violation(&self) -> bool {
        matches!(self, StoreError::Sqlx(sqlx::Error::Database(e)) if e.is_foreign_key_violation())
    }

    /// Serialisation failures and lock timeouts that a retry may resolve.
    pub fn is_retryable(&self) -> bool {
        match self {
            StoreError::Sqlx(sqlx::Error::Database(e)) => {
                let code = e.code().map(|c| c.to_string()).unwrap_or_default();
                code == "40001" || code == "40P01" || code == "5" || code == "517" || code == "6"
            }
            StoreError::Sqlx(sqlx::Error::PoolTimedOut) => true,
            _ => false,
        }
    }
}
