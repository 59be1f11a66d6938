//! The settings' SQL, and only here.

use proofless_domain::policy::Version;
use proofless_store::{Exec, q};

use super::service::StoredVersion;
use crate::error::{AppError, AppResult};

#[derive(serde::Deserialize)]
struct Row {
    version: i64,
    value: String,
    effective_from: String,
    note: String,
    created_by: String,
    created_at: i64,
}

impl Row {
    fn stored(self, key: &str) -> AppResult<StoredVersion> {
        let effective_from = self.effective_from.parse().map_err(|_| {
            AppError::Internal(format!(
                "设置 {key} 第{}版的生效日期“{}”无效",
                self.version, self.effective_from
            ))
        })?;
        Ok(StoredVersion {
            key: key.to_owned(),
            version: self.version,
            value: serde_json::from_str(&self.value).map_err(|_| {
                AppError::Internal(format!("设置 {key} 第{}版的值不是 JSON", self.version))
            })?,
            value_text: self.value,
            effective_from,
            note: self.note,
            created_by: self.created_by,
            created_at: self.created_at,
        })
    }
}

/// Every stored version of a key, oldest first.
pub(crate) async fn versions(ex: &mut impl Exec, key: &str) -> AppResult<Vec<StoredVersion>> {
    let rows: Vec<Row> = ex
        .fetch_all(
            q(
                "SELECT version, value, effective_from, note, created_by, created_at \
               FROM policy_settings WHERE key = ? ORDER BY version",
            )
            .bind(key),
        )
        .await?;
    rows.into_iter().map(|r| r.stored(key)).collect()
}

/// The versions as the domain picks among them.
pub(crate) fn domain_versions(rows: &[StoredVersion]) -> Vec<Version> {
    rows.iter()
        .map(|r| Version {
            version: r.version,
            effective_from: r.effective_from,
            value: r.value_text.clone(),
        })
        .collect()
}

pub(crate) async fn insert(
    ex: &mut impl Exec,
    key: &str,
    version: i64,
    value: &str,
    effective_from: chrono::NaiveDate,
    note: &str,
    by: &str,
    now_ms: i64,
) -> AppResult<()> {
    ex.execute(
        q("INSERT INTO policy_settings (key, version, value, effective_from, note, created_by, created_at) \
           VALUES (?, ?, ?, ?, ?, ?, ?)")
        .bind(key)
        .bind(version)
        .bind(value)
        .bind(effective_from.to_string())
        .bind(note)
        .bind(by)
        .bind(now_ms),
    )
    .await?;
    Ok(())
}
