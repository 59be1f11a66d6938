//! Credit repair (信用修复, P 三(四)3): after rectification and the minimum time, the
//! credit office takes a subject off the blacklist or clears its serious records, and the
//! subject may use commitment again (R4.4).

use proofless_domain::credit::{self, RecordKind, RepairGround, RepairState};
use proofless_domain::role::Role;
use proofless_store::Tx;
use serde_json::json;

use super::input::{RepairCommand, RepairDecision, RepairRequest, RepairTarget};
use super::repo;
pub use super::repo::Repair;
use super::{NewRecord, add_record_in, portal_owns, status_in};
use crate::App;
use crate::actor::{Actor, ActorKind};
use crate::audit::{self, Entry};
use crate::error::{AppError, AppResult};
use crate::notifications::{self, Recipient};

/// The subject and the blacklist entry (if any) a request repairs, checked: the actor may
/// ask for it and there is something to repair.
async fn target_in(
    tx: &mut Tx,
    actor: &Actor,
    cmd: &RepairCommand,
) -> AppResult<(String, Option<i64>)> {
    let subject_ref = match &cmd.target {
        RepairTarget::Entry(entry_id) => {
            let Some(entry) = repo::entry(tx, *entry_id).await? else {
                return Err(AppError::field("entry_id", "黑名单条目不存在"));
            };
            if !portal_owns(tx, actor, &entry.subject_ref).await? {
                actor.require_any(&[Role::CreditOffice])?;
            }
            if entry.removed_at.is_some() {
                return Err(AppError::Conflict("该主体已移出黑名单".to_owned()));
            }
            return Ok((entry.subject_ref, Some(*entry_id)));
        }
        RepairTarget::Subject(s) => s.clone(),
        RepairTarget::Own => match (actor.kind, actor.id) {
            (ActorKind::Portal, Some(pid)) => credit::subject_ref("person", pid),
            _ => {
                return Err(AppError::field(
                    "entry_id",
                    "请指明要修复的黑名单条目（entry_id）或信用主体（subject_ref）",
                ));
            }
        },
    };
    if !portal_owns(tx, actor, &subject_ref).await? {
        actor.require_any(&[Role::CreditOffice])?;
    }
    let st = status_in(tx, &subject_ref).await?;
    // A listed subject is repaired by taking its entry off the blacklist.
    let entry = if st.blacklisted {
        repo::current_entry(tx, &subject_ref).await?
    } else {
        None
    };
    if entry.is_none() && st.serious_records == 0 {
        return Err(AppError::Conflict(
            "该主体没有需要修复的失信记录（未列入黑名单，也没有较严重不良信用记录）".to_owned(),
        ));
    }
    Ok((subject_ref, entry))
}

/// A subject (portal) or the credit office on its behalf asks for credit repair.
pub async fn request_repair(app: &App, actor: &Actor, input: &RepairRequest) -> AppResult<Repair> {
    let cmd = input.parse()?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let (subject_ref, entry_id) = target_in(&mut tx, actor, &cmd).await?;
    if repo::pending_repair(&mut tx, &subject_ref).await?.is_some() {
        return Err(AppError::Conflict(
            "已有一份信用修复申请正在审核，请勿重复申请".to_owned(),
        ));
    }
    let id = repo::insert_repair(
        &mut tx,
        &subject_ref,
        entry_id,
        &cmd.rectification,
        &actor.name,
        now,
    )
    .await?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("credit.repair.request", "credit_repair", id).subject(&subject_ref),
    )
    .await?;
    notifications::insert_in(
        &mut tx,
        &Recipient::Role(Role::CreditOffice),
        proofless_domain::notification::NotificationKind::CreditRepair,
        &format!("【信用修复】收到一份信用修复申请（#{id}），请审核。"),
        "/credit/repairs",
        &format!("credit:repair:{id}"),
        now,
    )
    .await?;
    let out = repo::repair(&mut tx, id).await?;
    tx.commit().await?;
    Ok(out)
}

/// The subject's repair request under review, if any (shown on the portal).
pub async fn pending_repair(app: &App, subject_ref: &str) -> AppResult<Option<i64>> {
    repo::pending_repair(&mut app.db.reader(), subject_ref).await
}

/// The repair queue (credit office).
pub async fn repairs(app: &App, actor: &Actor) -> AppResult<Vec<Repair>> {
    actor.require_any(&[Role::CreditOffice, Role::SystemAdmin])?;
    repo::repairs(&mut app.db.reader()).await
}

/// What the repair takes away, and since when.
async fn ground_in(tx: &mut Tx, r: &Repair) -> AppResult<RepairGround> {
    Ok(match r.entry_id {
        Some(entry) => {
            let e = repo::entry(tx, entry).await?.ok_or_else(|| {
                AppError::Internal(format!(
                    "信用修复申请 #{} 的黑名单条目 #{entry} 不存在",
                    r.id
                ))
            })?;
            RepairGround::Blacklisted {
                since_ms: e.listed_at,
            }
        }
        // A subject may hold serious records without a false-commitment record of its own
        // (none, in practice): the time condition is then met.
        None => RepairGround::SeriousRecord {
            since_ms: repo::latest_false_record(tx, &r.subject_ref)
                .await?
                .unwrap_or(0),
        },
    })
}

/// The credit office decides a repair: approved only when the conditions are met; the
/// subject then leaves the blacklist and may use commitment again (R4.4).
pub async fn decide_repair(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &RepairDecision,
) -> AppResult<Repair> {
    actor.require_any(&[Role::CreditOffice])?;
    let reasons = input.parse()?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let cur = repo::repair(&mut tx, id).await?;
    if cur.state != RepairState::Requested {
        return Err(AppError::Conflict("该申请已作出决定".to_owned()));
    }
    let ground = ground_in(&mut tx, &cur).await?;
    // SPEC "Trial rules": the minimum in force when the request was made.
    let min_days =
        crate::policy::in_force(&mut tx, &super::settings::REPAIR_MIN_DAYS, cur.created_at).await?;
    if input.approve
        && let Some(why) = credit::repair_refusal(ground, now, input.rectified, min_days)
    {
        return Err(AppError::field("approve", why));
    }
    let state = if input.approve {
        RepairState::Approved
    } else {
        RepairState::Refused
    };
    repo::decide_repair(&mut tx, id, state, &reasons, &actor.name, now).await?;
    if input.approve {
        if let Some(entry) = cur.entry_id {
            repo::remove_entry(&mut tx, entry, id, now).await?;
        }
        let note = if cur.entry_id.is_some() {
            format!("信用修复（申请 #{id}）：移出虚假承诺黑名单")
        } else {
            format!("信用修复（申请 #{id}）：较严重不良信用记录修复")
        };
        add_record_in(
            &mut tx,
            actor,
            &NewRecord {
                subject_ref: &cur.subject_ref,
                kind: RecordKind::Repaired,
                commitment_id: None,
                started_at: cur.created_at,
                org_id: actor.org_id,
                note: &note,
            },
            now,
        )
        .await?;
    }
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("credit.repair.decide", "credit_repair", id)
            .subject(&cur.subject_ref)
            .detail(json!({"decision": state})),
    )
    .await?;
    let out = repo::repair(&mut tx, id).await?;
    tx.commit().await?;
    Ok(out)
}
