//! A subject's credit: the status the commitment rules read, the records that move it
//! (R4.8), and who may read them.

use proofless_domain::credit::{self, CreditStatus, RecordKind};
use proofless_domain::role::Role;
use proofless_store::{Exec, Tx};
use serde::Serialize;
use serde_json::json;

use super::input::RecordFilter;
use super::repo::{self, CreditRecord};
use crate::App;
use crate::actor::{Actor, ActorKind};
use crate::audit::{self, Entry};
use crate::error::{AppError, AppResult};

/// A subject's credit as shown: status, level and the records.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SubjectCredit {
    pub subject_ref: String,
    pub subject_name: String,
    pub score: i64,
    pub level: String,
    pub level_label: String,
    pub serious_records: i64,
    pub blacklisted: bool,
    pub records: Vec<CreditRecord>,
}

/// The status the rules read, through `db` (a reader, or the caller's transaction). A
/// subject without a status row has no records: the initial status.
pub async fn status_in(db: &mut impl Exec, subject_ref: &str) -> AppResult<CreditStatus> {
    Ok(repo::status(db, subject_ref).await?.unwrap_or_default())
}

/// The status the rules read, from the committed state.
pub async fn status(app: &App, subject_ref: &str) -> AppResult<CreditStatus> {
    status_in(&mut app.db.reader(), subject_ref).await
}

/// A credit record to append.
#[derive(Debug, Clone)]
pub struct NewRecord<'a> {
    pub subject_ref: &'a str,
    pub kind: RecordKind,
    pub commitment_id: Option<i64>,
    /// When the act whose outcome this record is started (the commitment's signature, the
    /// proposal, the repair request): its score change is the one in force then.
    pub started_at: i64,
    pub org_id: Option<i64>,
    pub note: &'a str,
}

/// Appends a credit record and moves the subject's status with it, inside `tx`.
pub async fn add_record_in(
    tx: &mut Tx,
    actor: &Actor,
    r: &NewRecord<'_>,
    now: i64,
) -> AppResult<i64> {
    let delta =
        crate::policy::in_force(tx, super::settings::delta_setting(r.kind), r.started_at).await?;
    let before = status_in(tx, r.subject_ref).await?;
    let after = credit::apply_with(&before, r.kind, delta);
    repo::save_status(tx, r.subject_ref, &after, now).await?;
    let id = repo::insert_record(
        tx,
        r.subject_ref,
        r.kind,
        r.commitment_id,
        r.org_id,
        r.note,
        after.score,
        now,
    )
    .await?;
    audit::append(
        tx,
        actor,
        now,
        Entry::new("credit.record", "credit_record", id)
            .subject(r.subject_ref)
            .detail(json!({
                "kind": r.kind, "commitment_id": r.commitment_id,
                "score_before": before.score, "score_after": after.score,
                "blacklisted": after.blacklisted,
            })),
    )
    .await?;
    Ok(id)
}

/// Display name of a subject (`person:ID` or `entity:ID`).
pub async fn subject_name_in(db: &mut impl Exec, subject_ref: &str) -> AppResult<String> {
    let (kind, id) = split_ref(subject_ref)?;
    repo::subject_name(db, kind == "person", id).await
}

pub fn split_ref(subject_ref: &str) -> AppResult<(&str, i64)> {
    let (kind, id) = subject_ref.split_once(':').ok_or_else(|| {
        AppError::field("subject_ref", "信用主体应写作 person:编号 或 entity:编号")
    })?;
    let id: i64 = id
        .parse()
        .map_err(|_| AppError::field("subject_ref", "信用主体编号应为数字"))?;
    if kind != "person" && kind != "entity" {
        return Err(AppError::field(
            "subject_ref",
            "信用主体应写作 person:编号 或 entity:编号",
        ));
    }
    Ok((kind, id))
}

/// Whether a portal user is the subject, or represents the entity that is.
pub async fn portal_owns(db: &mut impl Exec, actor: &Actor, subject_ref: &str) -> AppResult<bool> {
    if actor.kind != ActorKind::Portal {
        return Ok(false);
    }
    let Some(pid) = actor.id else {
        return Ok(false);
    };
    let (kind, id) = split_ref(subject_ref)?;
    if kind == "person" {
        return Ok(id == pid);
    }
    Ok(crate::applicants::represents(db, id, pid).await?)
}

/// A subject's credit (the credit office; or the subject itself on the portal).
pub async fn subject_credit(
    app: &App,
    actor: &Actor,
    subject_ref: &str,
    purpose: &str,
) -> AppResult<SubjectCredit> {
    split_ref(subject_ref)?;
    let mut db = app.db.reader();
    if !portal_owns(&mut db, actor, subject_ref).await? {
        actor.require_any(&[Role::CreditOffice, Role::SystemAdmin])?;
    }
    let st = status_in(&mut db, subject_ref).await?;
    let name = subject_name_in(&mut db, subject_ref).await?;
    let mut records = repo::records_of(&mut db, subject_ref).await?;
    for r in &mut records {
        r.subject_name.clone_from(&name);
    }
    audit::record_read(
        &app.db,
        actor,
        app.now_ms(),
        Entry::new("credit.read", "credit_subject", subject_ref)
            .subject(subject_ref)
            .purpose(if purpose.is_empty() {
                "查看信用记录"
            } else {
                purpose
            }),
    )
    .await?;
    let (level, label) = level_now(app, &mut db, st.score).await?;
    Ok(SubjectCredit {
        subject_ref: subject_ref.to_owned(),
        subject_name: name,
        score: st.score,
        level: level.to_owned(),
        level_label: label.to_owned(),
        serious_records: st.serious_records,
        blacklisted: st.blacklisted,
        records,
    })
}

/// A score's level under the thresholds in force now.
pub async fn level_now(
    app: &App,
    db: &mut impl Exec,
    score: i64,
) -> AppResult<(&'static str, &'static str)> {
    let t = crate::policy::in_force(db, &super::settings::LEVEL_THRESHOLDS_SETTING, app.now_ms())
        .await?;
    Ok(credit::level_by(score, &t))
}

/// The credit office's record list, newest first.
pub async fn records(app: &App, actor: &Actor, f: &RecordFilter) -> AppResult<Vec<CreditRecord>> {
    actor.require_any(&[Role::CreditOffice, Role::SystemAdmin])?;
    let (kind, limit) = f.parse()?;
    let rows = repo::records(&mut app.db.reader(), kind, f.before_id, limit).await?;
    audit::record_read(
        &app.db,
        actor,
        app.now_ms(),
        Entry::new("credit.list", "credit_record", "*")
            .purpose("信用办查看信用记录")
            .detail(json!({"count": rows.len()})),
    )
    .await?;
    Ok(rows)
}
