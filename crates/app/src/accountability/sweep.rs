//! Proposals (A5 §4): every violation record becomes evidence of exactly one case — a new
//! one, or the open case of the same subject and ground (duplicates merged) — and the
//! department enters cases of its own.

use proofless_domain::accountability::CaseOrigin;
use proofless_domain::notification::NotificationKind;
use proofless_domain::role::Role;
use proofless_domain::violation::ViolationSource;
use proofless_store::Tx;
use serde_json::json;

use super::access::is_department;
use super::input::CaseInput;
use super::repo::{self, InsertCase};
use crate::App;
use crate::actor::Actor;
use crate::audit::{self, Entry};
use crate::error::{AppError, AppResult};
use crate::notifications::{self, Recipient};
use crate::violations::{self, NewViolation, ViolationRecord};

/// The runner's sweep that turns new violation records into proposals.
pub const SWEEP_PROPOSE: &str = "accountability.propose";

/// Records read per transaction.
const BATCH: i64 = 200;

/// Proposes cases from the records recorded since the cursor, in batches; returns how many
/// records were taken. Each batch updates the cursor row first, so a second instance waits
/// for the first to commit and then reads on from where it stopped: no record is proposed
/// twice (and `accountability_evidence.violation_id` is unique besides).
pub async fn propose_pending(app: &App) -> AppResult<usize> {
    let system = Actor::system("jobs:accountability");
    let mut total = 0;
    loop {
        if !repo::pending(&mut app.db.reader()).await? {
            return Ok(total);
        }
        let now = app.now_ms();
        let mut tx = app.db.begin().await?;
        let last = repo::take_cursor(&mut tx, now).await?;
        let batch = violations::after(&mut tx, last, BATCH).await?;
        let Some(end) = batch.last().map(|v| v.id) else {
            tx.commit().await?;
            return Ok(total);
        };
        for v in &batch {
            propose_one(&mut tx, &system, v, now).await?;
        }
        repo::move_cursor(&mut tx, end).await?;
        tx.commit().await?;
        total += batch.len();
        if batch.len() < BATCH as usize {
            return Ok(total);
        }
    }
}

/// Links one record: to the open case of the same unit, staff member and ground, or to a
/// new proposal the department is told of.
async fn propose_one(tx: &mut Tx, system: &Actor, v: &ViolationRecord, now: i64) -> AppResult<()> {
    if repo::is_linked(tx, v.id).await? {
        return Ok(());
    }
    if let Some(case_id) = repo::open_duplicate(tx, v.kind, v.org_id, v.staff_id).await? {
        repo::link(tx, case_id, v.id, now).await?;
        let e = Entry::new("accountability.merge", "accountability_case", case_id)
            .detail(json!({"violation_id": v.id, "source_ref": v.source_ref}));
        return audit::append(tx, system, now, e).await;
    }
    let summary = format!("{}：{}", v.kind.label(), v.summary);
    let case = InsertCase {
        kind: v.kind,
        origin: CaseOrigin::Automatic,
        org_id: v.org_id,
        staff_id: v.staff_id,
        summary: &summary,
        created_by: &system.name,
    };
    let case_id = repo::insert_case(tx, &case, now).await?;
    repo::link(tx, case_id, v.id, now).await?;
    let e = Entry::new("accountability.propose", "accountability_case", case_id)
        .detail(json!({"violation_id": v.id, "kind": v.kind.as_str(), "org_id": v.org_id}));
    audit::append(tx, system, now, e).await?;
    notifications::insert_in(
        tx,
        &Recipient::Role(Role::Accountability),
        NotificationKind::Accountability,
        &format!("【问责线索】{}（{}）", summary, v.org_name),
        &format!("/accountability/{case_id}"),
        &format!("accountability:{case_id}:proposed"),
        now,
    )
    .await?;
    Ok(())
}

/// The department enters a case itself (A5 §4); it is recorded as a violation record of
/// its own so its evidence reads like any other.
pub async fn create(app: &App, actor: &Actor, input: &CaseInput) -> AppResult<i64> {
    if !is_department(actor) {
        return Err(AppError::forbidden("只有责任追究部门可以录入问责事项"));
    }
    let cmd = input.parse()?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    if !repo::org_exists(&mut tx, cmd.org_id).await? {
        return Err(AppError::field("org_id", "被问责单位不存在"));
    }
    if let Some(s) = cmd.staff_id
        && repo::staff_org(&mut tx, s).await? != Some(cmd.org_id)
    {
        return Err(AppError::field("staff_id", "被问责人员不属于该单位"));
    }
    let case = InsertCase {
        kind: cmd.kind,
        origin: CaseOrigin::Manual,
        org_id: cmd.org_id,
        staff_id: cmd.staff_id,
        summary: &cmd.summary,
        created_by: &actor.name,
    };
    let case_id = repo::insert_case(&mut tx, &case, now).await?;
    let source_ref = format!("accountability_case:{case_id}");
    let fact = NewViolation {
        kind: cmd.kind,
        source: ViolationSource::Manual,
        source_ref: &source_ref,
        org_id: cmd.org_id,
        staff_id: cmd.staff_id,
        summary: &cmd.summary,
        occurred_at: now,
    };
    if let Some(vid) = violations::record(&mut tx, actor, now, &fact).await? {
        repo::link(&mut tx, case_id, vid, now).await?;
    }
    let e = Entry::new("accountability.create", "accountability_case", case_id)
        .detail(json!({"kind": cmd.kind.as_str(), "org_id": cmd.org_id, "staff_id": cmd.staff_id}));
    audit::append(&mut tx, actor, now, e).await?;
    tx.commit().await?;
    Ok(case_id)
}
