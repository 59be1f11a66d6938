//! The one query of public ids: a row id by public id.

use proofless_store::{Exec, q};

use crate::error::AppResult;

/// `table` is one of [`super::Kind::table`]'s names, never input.
pub(crate) async fn row_id(
    ex: &mut impl Exec,
    table: &str,
    public: &str,
) -> AppResult<Option<i64>> {
    let r: Option<(i64,)> = ex
        .fetch_optional(q(format!("SELECT id FROM {table} WHERE public_id = ?")).bind(public))
        .await?;
    Ok(r.map(|r| r.0))
}
