//! The backup's SQL, and only here.

use proofless_store::{Exec, q};

use crate::error::AppResult;

/// Writes a consistent copy of the SQLite database to `path` (which must not exist): one
/// read snapshot, so writers are not stopped and nothing committed after it is half in.
pub(crate) async fn vacuum_into(ex: &mut impl Exec, path: &str) -> AppResult<()> {
    ex.execute(q("VACUUM INTO ?").bind(path)).await?;
    Ok(())
}

/// The audit chain's head (last sequence number and hash) as the backup saw it.
pub(crate) async fn audit_head(ex: &mut impl Exec) -> AppResult<(i64, String)> {
    let row: Option<(i64, String)> = ex
        .fetch_optional(q("SELECT seq, hash FROM audit_head WHERE id = 1"))
        .await?;
    Ok(row.unwrap_or((0, String::new())))
}
