//! The audit log's SQL: the chain head, the rows, and reading them back.

use proofless_store::{Exec, StoreError, q};

use super::AuditRow;
use super::service::AuditQuery;

/// Reserves `k` sequence numbers by moving the head (which serialises every appender);
/// returns the new last sequence and the hash the head held before.
pub(crate) async fn reserve_seqs(tx: &mut impl Exec, k: i64) -> Result<(i64, String), StoreError> {
    tx.fetch_one(q("UPDATE audit_head SET seq = seq + ? WHERE id = 1 RETURNING seq, hash").bind(k))
        .await
}

pub(crate) async fn set_head_hash(tx: &mut impl Exec, hash: &str) -> Result<(), StoreError> {
    tx.execute(q("UPDATE audit_head SET hash = ? WHERE id = 1").bind(hash))
        .await?;
    Ok(())
}

/// Writes chained rows, 500 to a statement.
pub(crate) async fn insert_rows(tx: &mut impl Exec, rows: &[AuditRow]) -> Result<(), StoreError> {
    for chunk in rows.chunks(500) {
        let mut sql = String::from(
            "INSERT INTO audit_log (seq, at, actor_kind, actor_id, actor_name, org_id, action, \
             object_type, object_id, subject_ref, purpose, operation_id, detail, prev_hash, hash) VALUES ",
        );
        for i in 0..chunk.len() {
            if i > 0 {
                sql.push(',');
            }
            sql.push_str("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        }
        let mut query = q(sql);
        for row in chunk {
            query = query
                .bind(row.seq)
                .bind(row.at)
                .bind(row.actor_kind.as_str())
                .bind(row.actor_id)
                .bind(&row.actor_name)
                .bind(row.org_id)
                .bind(&row.action)
                .bind(&row.object_type)
                .bind(&row.object_id)
                .bind(row.subject_ref.clone())
                .bind(&row.purpose)
                .bind(&row.operation_id)
                .bind(&row.detail)
                .bind(&row.prev_hash)
                .bind(&row.hash);
        }
        tx.execute(query).await?;
    }
    Ok(())
}

/// Up to `limit` rows from sequence `from` on, in order (for walking the chain).
pub(crate) async fn rows_from(
    db: &mut impl Exec,
    from: i64,
    limit: i64,
) -> Result<Vec<AuditRow>, StoreError> {
    db.fetch_all(
        q("SELECT * FROM audit_log WHERE seq >= ? ORDER BY seq LIMIT ?")
            .bind(from)
            .bind(limit),
    )
    .await
}

/// The chain head: the last sequence and its hash.
pub(crate) async fn head(db: &mut impl Exec) -> Result<(i64, String), StoreError> {
    db.fetch_one(q("SELECT seq, hash FROM audit_head WHERE id = 1"))
        .await
}

/// A page of rows matching `f`, newest first, and how many match.
pub(crate) async fn list(
    db: &mut impl Exec,
    f: &AuditQuery,
) -> Result<(Vec<AuditRow>, i64), StoreError> {
    let mut where_sql = String::from(" WHERE 1 = 1");
    let mut args: Vec<proofless_store::Value> = Vec::new();
    for (column, value) in [
        ("subject_ref", &f.subject_ref),
        ("object_type", &f.object_type),
        ("object_id", &f.object_id),
    ] {
        if let Some(v) = value {
            where_sql.push_str(&format!(" AND {column} = ?"));
            args.push(v.into());
        }
    }
    let mut count = q(format!("SELECT COUNT(*) FROM audit_log{where_sql}"));
    count.args = args.clone();
    let total = db.scalar_i64(count).await?;
    let mut list = q(format!(
        "SELECT * FROM audit_log{where_sql} ORDER BY seq DESC LIMIT ? OFFSET ?"
    ));
    list.args = args;
    let rows = db.fetch_all(list.bind(f.limit).bind(f.offset)).await?;
    Ok((rows, total))
}

/// A page of the rows about `subject_ref` made by anyone but the portal user `person_id`
/// (what others did with the subject's data), newest first, and how many there are: the
/// count covers exactly the rows the pages show.
pub(crate) async fn about_subject_by_others(
    db: &mut impl Exec,
    subject_ref: &str,
    person_id: i64,
    limit: i64,
    offset: i64,
) -> Result<(Vec<AuditRow>, i64), StoreError> {
    const WHERE: &str =
        " WHERE subject_ref = ? AND NOT (actor_kind = ? AND actor_id IS NOT NULL AND actor_id = ?)";
    let portal = proofless_domain::role::ActorKind::Portal.as_str();
    let total = db
        .scalar_i64(
            q(format!("SELECT COUNT(*) FROM audit_log{WHERE}"))
                .bind(subject_ref)
                .bind(portal)
                .bind(person_id),
        )
        .await?;
    let rows = db
        .fetch_all(
            q(format!(
                "SELECT * FROM audit_log{WHERE} ORDER BY seq DESC LIMIT ? OFFSET ?"
            ))
            .bind(subject_ref)
            .bind(portal)
            .bind(person_id)
            .bind(limit)
            .bind(offset),
        )
        .await?;
    Ok((rows, total))
}
