//! Use cases: record a fact (inside the caller's transaction), and read them.

use proofless_domain::role::Role;
use proofless_domain::violation::{ViolationKind, ViolationSource};
use proofless_store::Tx;
use serde_json::json;

use super::repo;
pub use super::repo::ViolationRecord;
use crate::App;
use crate::actor::Actor;
use crate::audit::{self, Entry};
use crate::error::{AppError, AppResult};

/// A fact to record. `source_ref` names the evidence so a reader can open it.
#[derive(Debug, Clone)]
pub struct NewViolation<'a> {
    pub kind: ViolationKind,
    pub source: ViolationSource,
    pub source_ref: &'a str,
    /// The unit concerned.
    pub org_id: i64,
    /// The staff member concerned, when known.
    pub staff_id: Option<i64>,
    /// One sentence in Chinese: what happened.
    pub summary: &'a str,
    pub occurred_at: i64,
}

/// Records the fact in the caller's transaction, with its audit row; recording the same
/// (source, source_ref, kind) again does nothing and returns `None` (A5 §4: one fact, one
/// record, however many instances notice it).
pub async fn record(
    tx: &mut Tx,
    actor: &Actor,
    now_ms: i64,
    v: &NewViolation<'_>,
) -> AppResult<Option<i64>> {
    let id = repo::insert(tx, v, &actor.name, now_ms).await?;
    if let Some(id) = id {
        audit::append(
            tx,
            actor,
            now_ms,
            Entry::new("violation.record", "violation", id).detail(json!({
                "kind": v.kind.as_str(),
                "source": v.source.as_str(),
                "source_ref": v.source_ref,
                "org_id": v.org_id,
            })),
        )
        .await?;
    }
    Ok(id)
}

/// Who may read violation records: the accountability department and the joint office
/// everywhere; a unit's admin those of the unit.
fn scope(actor: &Actor) -> AppResult<Option<i64>> {
    if actor.has_any(&[Role::Accountability, Role::JointOffice, Role::SystemAdmin]) {
        return Ok(None);
    }
    if actor.has_any(&[Role::UnitAdmin])
        && let Some(org) = actor.org_id
    {
        return Ok(Some(org));
    }
    Err(AppError::Forbidden(
        "只有责任追究部门、联席会议办公室或本单位管理员可以查看问责线索".into(),
    ))
}

/// The newest records the actor may see (at most 500).
pub async fn list(app: &App, actor: &Actor) -> AppResult<Vec<ViolationRecord>> {
    let org = scope(actor)?;
    repo::list(&mut app.db.reader(), org, 500).await
}

/// One record, if the actor may see it.
pub async fn get(app: &App, actor: &Actor, id: i64) -> AppResult<ViolationRecord> {
    let org = scope(actor)?;
    match repo::by_id(&mut app.db.reader(), id).await? {
        Some(r) if org.is_none_or(|o| o == r.org_id) => Ok(r),
        _ => Err(AppError::NotFound(format!("问责线索 {id} 不存在"))),
    }
}

/// Records after `after_id`, oldest first: the cursor the accountability workflow follows
/// to propose cases (no role check: called by the system inside its own job).
pub async fn after(tx: &mut Tx, after_id: i64, limit: i64) -> AppResult<Vec<ViolationRecord>> {
    repo::after(tx, after_id, limit).await
}
