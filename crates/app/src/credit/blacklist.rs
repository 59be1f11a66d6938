//! The false-commitment blacklist (虚假承诺黑名单) by due process — proposed on a false
//! finding, the subject notified, an objection period, then the credit office decides —
//! and credit repair (信用修复) that takes a subject off again (SPEC R4.8, P 三(四)3).

use proofless_domain::credit::{self, RecordKind, proposal};
use proofless_domain::role::Role;
use proofless_store::{Tx, q};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{add_record_in, portal_owns, subject_name_col};
use crate::App;
use crate::actor::Actor;
use crate::audit::{self, Entry};
use crate::error::{AppError, AppResult, Problems};
use crate::jobs;
use crate::notifications::{self, Recipient};

pub const KIND_OBJECTION_END: &str = "credit.objection_end";
const DAY_MS: i64 = 86_400_000;

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct Proposal {
    pub id: i64,
    pub subject_ref: String,
    pub commitment_id: i64,
    /// `notified`, `objected`, `listed`, `dismissed`.
    pub state: String,
    pub reason: String,
    pub objection_until: i64,
    pub objection: Option<String>,
    pub objected_at: Option<i64>,
    pub decision_reasons: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<i64>,
    pub created_at: i64,
    pub version: i64,
    pub subject_name: String,
}

const PROPOSAL_COLS: &str = concat!(
    "SELECT id, subject_ref, commitment_id, state, reason, objection_until, objection, \
     objected_at, decision_reasons, decided_by, decided_at, created_at, version, ",
    subject_name_col!(),
    " FROM blacklist_proposals"
);

/// Opens the due process after a false finding, inside the check's transaction: the
/// proposal, the notice to the subject (shown on their portal page), the credit office's
/// notification and the job that reminds it when the objection period ends.
pub async fn propose_in(
    tx: &mut Tx,
    actor: &Actor,
    subject_ref: &str,
    commitment_id: i64,
    reason: &str,
    now: i64,
) -> AppResult<i64> {
    let until = now + credit::DEFAULT_OBJECTION_DAYS * DAY_MS;
    let id = tx
        .scalar_i64(
            q("INSERT INTO blacklist_proposals (subject_ref, commitment_id, state, reason, objection_until, created_at) \
               VALUES (?, ?, ?, ?, ?, ?) RETURNING id")
            .bind(subject_ref)
            .bind(commitment_id)
            .bind(proposal::NOTIFIED)
            .bind(reason)
            .bind(until)
            .bind(now),
        )
        .await?;
    audit::append(
        tx,
        actor,
        now,
        Entry::new("blacklist.propose", "blacklist_proposal", id)
            .subject(subject_ref)
            .detail(json!({"commitment_id": commitment_id, "objection_until": until})),
    )
    .await?;
    notifications::insert_in(
        tx,
        &Recipient::Role(proofless_domain::role::Role::CreditOffice),
        proofless_domain::notification::NotificationKind::Blacklist,
        &format!(
            "【黑名单告知】承诺 #{commitment_id} 经核查为虚假承诺，已告知当事人，异议期至 {}。",
            crate::local_time(until)
        ),
        &format!("/credit/proposals#p{id}"),
        &format!("blacklist:propose:{id}"),
        now,
    )
    .await?;
    jobs::enqueue_in(
        tx,
        KIND_OBJECTION_END,
        &format!("blacklist:objection-end:{id}"),
        until + 1,
        &json!({"proposal_id": id}),
        now,
    )
    .await?;
    Ok(id)
}

/// The job at the end of an objection period: tells the credit office a decision is due.
pub async fn run_objection_end(tx: &mut Tx, proposal_id: i64, now: i64) -> AppResult<bool> {
    let row: Option<(String, String)> = tx
        .fetch_optional(
            q("SELECT state, subject_ref FROM blacklist_proposals WHERE id = ?").bind(proposal_id),
        )
        .await?;
    let Some((state, _)) = row else {
        return Ok(false);
    };
    if state != proposal::NOTIFIED {
        return Ok(false);
    }
    notifications::insert_in(
        tx,
        &Recipient::Role(proofless_domain::role::Role::CreditOffice),
        proofless_domain::notification::NotificationKind::Blacklist,
        &format!(
            "【待决定】黑名单拟列入事项 #{proposal_id} 异议期已届满，当事人未提出异议，请作出决定。"
        ),
        &format!("/credit/proposals#p{proposal_id}"),
        &format!("blacklist:objection-end:{proposal_id}"),
        now,
    )
    .await?;
    Ok(true)
}

async fn load(tx: &mut Tx, id: i64) -> AppResult<Proposal> {
    tx.fetch_optional(q(format!("{PROPOSAL_COLS} WHERE id = ?")).bind(id))
        .await?
        .ok_or_else(|| AppError::NotFound("黑名单拟列入事项".to_owned()))
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct ProposalFilter {
    pub state: Option<String>,
    pub subject_ref: Option<String>,
}

/// Proposals: the credit office sees all; a portal user those about them.
pub async fn proposals(app: &App, actor: &Actor, f: &ProposalFilter) -> AppResult<Vec<Proposal>> {
    let mut sql = format!("{PROPOSAL_COLS} WHERE 1 = 1");
    let mut args: Vec<proofless_store::Value> = vec![];
    if actor.kind == crate::ActorKind::Portal {
        let pid = actor.id.unwrap_or(-1);
        sql.push_str(
            " AND (subject_ref = ? OR subject_ref IN (SELECT 'entity:' || CAST(entity_id AS TEXT) \
             FROM entity_representatives WHERE person_id = ?))",
        );
        args.push(format!("person:{pid}").into());
        args.push(pid.into());
    } else {
        actor.require_any(&[Role::CreditOffice, Role::SystemAdmin])?;
        if let Some(s) = f.subject_ref.as_deref().filter(|s| !s.is_empty()) {
            sql.push_str(" AND subject_ref = ?");
            args.push(s.into());
        }
    }
    if let Some(s) = f.state.as_deref().filter(|s| !s.is_empty()) {
        if ![
            proposal::NOTIFIED,
            proposal::OBJECTED,
            proposal::LISTED,
            proposal::DISMISSED,
        ]
        .contains(&s)
        {
            return Err(AppError::field("state", format!("状态“{s}”无效")));
        }
        sql.push_str(" AND state = ?");
        args.push(s.into());
    }
    sql.push_str(" ORDER BY id DESC LIMIT 500");
    let mut query = q(sql);
    query.args = args;
    let rows: Vec<Proposal> = app.db.reader().fetch_all(query).await?;
    audit::record_read(
        &app.db,
        actor,
        app.now_ms(),
        Entry::new("blacklist.proposals.read", "blacklist_proposal", "*")
            .purpose("查看黑名单拟列入事项")
            .detail(json!({"count": rows.len()})),
    )
    .await?;
    Ok(rows)
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ObjectionInput {
    pub objection: String,
}

/// The subject objects within the period (portal; or a counter clerk recording a paper one).
pub async fn object(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &ObjectionInput,
) -> AppResult<Proposal> {
    let text = input.objection.trim();
    let mut p = Problems::default();
    if text.chars().count() < 2 {
        p.add("objection", "请写明异议的事实和理由");
    } else if text.chars().count() > 5000 {
        p.add("objection", "异议不能超过5000字");
    }
    p.into_result()?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let cur = load(&mut tx, id).await?;
    if !portal_owns(&mut tx, actor, &cur.subject_ref).await? {
        actor.require_any(&[Role::CounterClerk, Role::CreditOffice])?;
    }
    if let Some(why) = credit::objection_refusal(&cur.state, now, cur.objection_until) {
        return Err(AppError::Conflict(why.to_owned()));
    }
    tx.execute(
        q("UPDATE blacklist_proposals SET state = ?, objection = ?, objected_at = ?, version = version + 1 \
           WHERE id = ? AND state = ?")
        .bind(proposal::OBJECTED)
        .bind(text)
        .bind(now)
        .bind(id)
        .bind(proposal::NOTIFIED),
    )
    .await?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("blacklist.object", "blacklist_proposal", id).subject(&cur.subject_ref),
    )
    .await?;
    notifications::insert_in(
        &mut tx,
        &Recipient::Role(proofless_domain::role::Role::CreditOffice),
        proofless_domain::notification::NotificationKind::Blacklist,
        &format!("【异议】黑名单拟列入事项 #{id} 的当事人提出了异议，请审查并作出决定。"),
        &format!("/credit/proposals#p{id}"),
        &format!("blacklist:object:{id}"),
        now,
    )
    .await?;
    let out = load(&mut tx, id).await?;
    tx.commit().await?;
    Ok(out)
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionInput {
    /// `list` (列入黑名单) or `dismiss` (不予列入).
    pub decision: String,
    #[serde(default)]
    pub reasons: String,
}

/// The credit office decides, after the objection period or on an objection (R4.8).
pub async fn decide(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &DecisionInput,
) -> AppResult<Proposal> {
    actor.require_any(&[Role::CreditOffice])?;
    let list = match input.decision.trim() {
        "list" => true,
        "dismiss" => false,
        other => {
            return Err(AppError::field(
                "decision",
                format!("决定应为 list（列入）或 dismiss（不予列入），收到“{other}”"),
            ));
        }
    };
    if input.reasons.chars().count() > 5000 {
        return Err(AppError::field("reasons", "理由不能超过5000字"));
    }
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let cur = load(&mut tx, id).await?;
    if let Some(why) =
        credit::decision_refusal(&cur.state, now, cur.objection_until, &input.reasons)
    {
        return Err(AppError::Conflict(why.to_owned()));
    }
    let state = if list {
        proposal::LISTED
    } else {
        proposal::DISMISSED
    };
    let n = tx
        .execute(
            q("UPDATE blacklist_proposals SET state = ?, decision_reasons = ?, decided_by = ?, decided_at = ?, \
               version = version + 1 WHERE id = ? AND state = ?")
            .bind(state)
            .bind(input.reasons.trim())
            .bind(&actor.name)
            .bind(now)
            .bind(id)
            .bind(&cur.state),
        )
        .await?;
    if n != 1 {
        return Err(AppError::Conflict("该事项刚刚已被处理，请刷新".to_owned()));
    }
    if list {
        let entry = tx
            .scalar_i64(
                q("INSERT INTO blacklist_entries (subject_ref, proposal_id, listed_at) VALUES (?, ?, ?) RETURNING id")
                    .bind(&cur.subject_ref)
                    .bind(id)
                    .bind(now),
            )
            .await?;
        add_record_in(
            &mut tx,
            actor,
            &cur.subject_ref,
            RecordKind::Blacklisted,
            Some(cur.commitment_id),
            actor.org_id,
            &format!("经告知及异议程序，决定列入虚假承诺黑名单（名单条目 #{entry}）"),
            now,
        )
        .await?;
    }
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("blacklist.decide", "blacklist_proposal", id)
            .subject(&cur.subject_ref)
            .detail(json!({"decision": state, "objected": cur.objection.is_some()})),
    )
    .await?;
    let out = load(&mut tx, id).await?;
    tx.commit().await?;
    Ok(out)
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct BlacklistEntry {
    pub id: i64,
    pub subject_ref: String,
    pub proposal_id: i64,
    pub listed_at: i64,
    pub removed_at: Option<i64>,
    pub repair_id: Option<i64>,
    pub subject_name: String,
}

/// The blacklist (current entries; `all` includes those repaired).
pub async fn blacklist(app: &App, actor: &Actor, all: bool) -> AppResult<Vec<BlacklistEntry>> {
    actor.require_any(&[Role::CreditOffice, Role::SystemAdmin])?;
    let sql = format!(
        "SELECT id, subject_ref, proposal_id, listed_at, removed_at, repair_id, {} FROM blacklist_entries {} \
         ORDER BY id DESC LIMIT 1000",
        subject_name_col!(),
        if all { "" } else { "WHERE removed_at IS NULL" }
    );
    let rows: Vec<BlacklistEntry> = app.db.reader().fetch_all(q(sql)).await?;
    audit::record_read(
        &app.db,
        actor,
        app.now_ms(),
        Entry::new("blacklist.read", "blacklist_entry", "*")
            .purpose("信用办查看黑名单")
            .detail(json!({"count": rows.len()})),
    )
    .await?;
    Ok(rows)
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct Repair {
    pub id: i64,
    pub subject_ref: String,
    /// The blacklist entry taken off; none when the repair is of a serious record alone.
    pub entry_id: Option<i64>,
    pub rectification: String,
    /// `requested`, `approved`, `refused`.
    pub state: String,
    pub reasons: Option<String>,
    pub requested_by: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<i64>,
    pub created_at: i64,
    pub subject_name: String,
}

/// A subject's repair request under review (one at a time).
const PENDING_REPAIR: &str =
    "SELECT id FROM credit_repairs WHERE subject_ref = ? AND state = 'requested'";

const REPAIR_COLS: &str = concat!(
    "SELECT id, subject_ref, entry_id, rectification, state, reasons, requested_by, \
     decided_by, decided_at, created_at, ",
    subject_name_col!(),
    " FROM credit_repairs"
);

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RepairRequest {
    /// The blacklist entry to be taken off. Without it, the repair is of the serious bad
    /// records of `subject_ref` (or, on the portal, of the applicant) that is not listed.
    #[serde(default)]
    pub entry_id: Option<i64>,
    /// `person:ID` or `entity:ID`; only without `entry_id`.
    #[serde(default)]
    pub subject_ref: Option<String>,
    /// What was done to correct the breach (整改情况).
    pub rectification: String,
}

/// A subject (portal) or the credit office on its behalf asks for credit repair.
pub async fn request_repair(app: &App, actor: &Actor, input: &RepairRequest) -> AppResult<Repair> {
    let text = input.rectification.trim();
    if text.chars().count() < 2 {
        return Err(AppError::field(
            "rectification",
            "请写明整改（纠正失信行为）情况",
        ));
    }
    if text.chars().count() > 5000 {
        return Err(AppError::field("rectification", "整改情况不能超过5000字"));
    }
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let (subject_ref, entry_id) = match input.entry_id {
        Some(entry_id) => {
            let entry: Option<(String, Option<i64>)> = tx
                .fetch_optional(
                    q("SELECT subject_ref, removed_at FROM blacklist_entries WHERE id = ?")
                        .bind(entry_id),
                )
                .await?;
            let Some((subject_ref, removed)) = entry else {
                return Err(AppError::field("entry_id", "黑名单条目不存在"));
            };
            if !portal_owns(&mut tx, actor, &subject_ref).await? {
                actor.require_any(&[Role::CreditOffice])?;
            }
            if removed.is_some() {
                return Err(AppError::Conflict("该主体已移出黑名单".to_owned()));
            }
            (subject_ref, Some(entry_id))
        }
        None => {
            let subject_ref = match input.subject_ref.as_deref().map(str::trim) {
                Some(r) if !r.is_empty() => r.to_owned(),
                _ => match (actor.kind, actor.id) {
                    (crate::ActorKind::Portal, Some(pid)) => credit::subject_ref("person", pid),
                    _ => {
                        return Err(AppError::field(
                            "entry_id",
                            "请指明要修复的黑名单条目（entry_id）或信用主体（subject_ref）",
                        ));
                    }
                },
            };
            if super::split_ref(&subject_ref).is_err() {
                return Err(AppError::field(
                    "subject_ref",
                    "信用主体应写作 person:编号 或 entity:编号",
                ));
            }
            if !portal_owns(&mut tx, actor, &subject_ref).await? {
                actor.require_any(&[Role::CreditOffice])?;
            }
            let st = super::status_in(&mut tx, &subject_ref).await?;
            // A listed subject is repaired by taking its entry off the blacklist.
            let entry: Option<(i64,)> = if st.blacklisted {
                tx.fetch_optional(
                    q("SELECT id FROM blacklist_entries WHERE subject_ref = ? AND removed_at IS NULL \
                       ORDER BY id DESC LIMIT 1")
                    .bind(&subject_ref),
                )
                .await?
            } else {
                None
            };
            if entry.is_none() && st.serious_records == 0 {
                return Err(AppError::Conflict(
                    "该主体没有需要修复的失信记录（未列入黑名单，也没有较严重不良信用记录）"
                        .to_owned(),
                ));
            }
            (subject_ref, entry.map(|e| e.0))
        }
    };
    let pending: Option<(i64,)> = tx
        .fetch_optional(q(PENDING_REPAIR).bind(&subject_ref))
        .await?;
    if pending.is_some() {
        return Err(AppError::Conflict(
            "已有一份信用修复申请正在审核，请勿重复申请".to_owned(),
        ));
    }
    let id = tx
        .scalar_i64(
            q("INSERT INTO credit_repairs (subject_ref, entry_id, rectification, state, requested_by, created_at) \
               VALUES (?, ?, ?, 'requested', ?, ?) RETURNING id")
            .bind(&subject_ref)
            .bind(entry_id)
            .bind(text)
            .bind(&actor.name)
            .bind(now),
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
        &Recipient::Role(proofless_domain::role::Role::CreditOffice),
        proofless_domain::notification::NotificationKind::CreditRepair,
        &format!("【信用修复】收到一份信用修复申请（#{id}），请审核。"),
        "/credit/repairs",
        &format!("credit:repair:{id}"),
        now,
    )
    .await?;
    let out = load_repair(&mut tx, id).await?;
    tx.commit().await?;
    Ok(out)
}

/// The subject's repair request under review, if any (shown on the portal).
pub async fn pending_repair(app: &App, subject_ref: &str) -> AppResult<Option<i64>> {
    let row: Option<(i64,)> = app
        .db
        .reader()
        .fetch_optional(q(PENDING_REPAIR).bind(subject_ref))
        .await?;
    Ok(row.map(|r| r.0))
}

async fn load_repair(tx: &mut Tx, id: i64) -> AppResult<Repair> {
    tx.fetch_optional(q(format!("{REPAIR_COLS} WHERE id = ?")).bind(id))
        .await?
        .ok_or_else(|| AppError::NotFound("信用修复申请".to_owned()))
}

/// The repair queue (credit office).
pub async fn repairs(app: &App, actor: &Actor) -> AppResult<Vec<Repair>> {
    actor.require_any(&[Role::CreditOffice, Role::SystemAdmin])?;
    Ok(app
        .db
        .reader()
        .fetch_all(q(format!(
            "{REPAIR_COLS} ORDER BY CASE WHEN state = 'requested' THEN 0 ELSE 1 END, id DESC LIMIT 500"
        )))
        .await?)
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RepairDecision {
    pub approve: bool,
    /// Whether the rectification was verified as complete.
    pub rectified: bool,
    #[serde(default)]
    pub reasons: String,
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
    if input.reasons.chars().count() > 5000 {
        return Err(AppError::field("reasons", "理由不能超过5000字"));
    }
    if !input.approve && input.reasons.trim().is_empty() {
        return Err(AppError::field("reasons", "不予修复须写明理由"));
    }
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let cur = load_repair(&mut tx, id).await?;
    if cur.state != "requested" {
        return Err(AppError::Conflict("该申请已作出决定".to_owned()));
    }
    let ground = match cur.entry_id {
        Some(entry) => {
            let (since_ms,): (i64,) = tx
                .fetch_one(q("SELECT listed_at FROM blacklist_entries WHERE id = ?").bind(entry))
                .await?;
            credit::RepairGround::Blacklisted { since_ms }
        }
        None => {
            let since: Option<(i64,)> = tx
                .fetch_optional(
                    q("SELECT MAX(at) FROM credit_records WHERE subject_ref = ? AND kind = ?")
                        .bind(&cur.subject_ref)
                        .bind(RecordKind::CommitmentFalse.as_str()),
                )
                .await?;
            credit::RepairGround::SeriousRecord {
                since_ms: since.map_or(0, |s| s.0),
            }
        }
    };
    if input.approve
        && let Some(why) =
            credit::repair_refusal(ground, now, input.rectified, credit::MIN_LISTED_DAYS)
    {
        return Err(AppError::field("approve", why));
    }
    let state = if input.approve { "approved" } else { "refused" };
    tx.execute(
        q("UPDATE credit_repairs SET state = ?, reasons = ?, decided_by = ?, decided_at = ? WHERE id = ?")
            .bind(state)
            .bind(input.reasons.trim())
            .bind(&actor.name)
            .bind(now)
            .bind(id),
    )
    .await?;
    if input.approve {
        if let Some(entry) = cur.entry_id {
            tx.execute(
                q("UPDATE blacklist_entries SET removed_at = ?, repair_id = ? WHERE id = ?")
                    .bind(now)
                    .bind(id)
                    .bind(entry),
            )
            .await?;
        }
        add_record_in(
            &mut tx,
            actor,
            &cur.subject_ref,
            RecordKind::Repaired,
            None,
            actor.org_id,
            &if cur.entry_id.is_some() {
                format!("信用修复（申请 #{id}）：移出虚假承诺黑名单")
            } else {
                format!("信用修复（申请 #{id}）：较严重不良信用记录修复")
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
    let out = load_repair(&mut tx, id).await?;
    tx.commit().await?;
    Ok(out)
}
