//! One error type for every use case; `web` maps it to problem+json.

use proofless_store::StoreError;
use serde::Serialize;
use thiserror::Error;

/// A problem with one input field, in Chinese.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> FieldError {
        FieldError {
            field: field.into(),
            message: message.into(),
        }
    }
}

#[derive(Debug, Error)]
pub enum AppError {
    #[error("输入有误")]
    Validation(Vec<FieldError>),
    #[error("未找到{0}")]
    NotFound(String),
    #[error("请先登录")]
    Unauthenticated,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    Conflict(String),
    #[error("数据已被他人修改，请刷新后重试")]
    PreconditionFailed,
    #[error("登录失败次数过多，请 {0} 分钟后再试")]
    Throttled(i64),
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("内部错误：{0}")]
    Internal(String),
}

impl AppError {
    pub fn field(field: &str, message: impl Into<String>) -> AppError {
        AppError::Validation(vec![FieldError::new(field, message)])
    }

    pub fn forbidden(msg: impl Into<String>) -> AppError {
        AppError::Forbidden(msg.into())
    }
}

pub type AppResult<T> = Result<T, AppError>;

/// Collects field errors so a request reports every bad field at once.
#[derive(Default, Debug)]
pub struct Problems(pub Vec<FieldError>);

impl Problems {
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError::new(field, message));
    }

    /// The value of a check that may fail on fields: its field errors join these (so one
    /// answer names every bad field), any other error is returned as it is.
    pub fn collect<T>(&mut self, r: AppResult<T>) -> AppResult<Option<T>> {
        match r {
            Ok(v) => Ok(Some(v)),
            Err(AppError::Validation(errs)) => {
                self.0.extend(errs);
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    pub fn into_result(self) -> AppResult<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(AppError::Validation(self.0))
        }
    }
}
