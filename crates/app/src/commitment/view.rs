//! Reading a commitment: the signer, the receiving and supervising units and county-wide
//! roles; every read of a letter is audited (it carries personal data).

use proofless_store::Exec;

use super::repo::{self, Commitment, MyCommitment, UnitCommitment};
use crate::App;
use crate::actor::{Actor, ActorKind};
use crate::audit::{self, Entry};
use crate::error::{AppError, AppResult};
use proofless_domain::role::Role;

/// Whether the actor may see the commitment: the signer (or a representative of the
/// entity), staff of the receiving or supervising unit, county-wide roles.
pub(crate) async fn may_see(db: &mut impl Exec, actor: &Actor, c: &Commitment) -> AppResult<bool> {
    if actor.kind == ActorKind::Portal {
        return crate::credit::portal_owns(db, actor, &c.subject_ref).await;
    }
    if actor.is_staff_like() {
        return Ok(actor.can_see_org(c.org_id) || actor.org_id == Some(c.supervising_org_id));
    }
    Ok(false)
}

/// A commitment with its letter in clear: the letter is stored encrypted (it names the
/// applicant and their resident ID; issue #16 item 9).
pub(crate) async fn commitment_in(app: &App, db: &mut impl Exec, id: i64) -> AppResult<Commitment> {
    let mut c = repo::commitment(db, id).await?;
    c.letter = crate::applicants::open_letter(app, &c.letter).await?;
    Ok(c)
}

/// A commitment (audited read: the letter carries personal data).
pub async fn get(app: &App, actor: &Actor, id: i64) -> AppResult<Commitment> {
    let mut tx = app.db.begin().await?;
    let c = commitment_in(app, &mut tx, id).await?;
    if !may_see(&mut tx, actor, &c).await? {
        return Err(if actor.kind == ActorKind::Anonymous {
            AppError::Unauthenticated
        } else {
            AppError::forbidden("无权查看该告知承诺")
        });
    }
    audit::append(
        &mut tx,
        actor,
        app.now_ms(),
        Entry::new("commitment.read", "commitment", id)
            .subject(&c.subject_ref)
            .purpose("查看告知承诺书"),
    )
    .await?;
    tx.commit().await?;
    Ok(c)
}

/// A portal user's own commitments, newest first.
pub async fn mine(app: &App, actor: &Actor) -> AppResult<Vec<MyCommitment>> {
    if actor.kind != ActorKind::Portal {
        return Err(AppError::forbidden("此页面仅限群众和企业使用"));
    }
    let Some(person) = actor.id else {
        return Ok(vec![]);
    };
    repo::mine(&mut app.db.reader(), person).await
}

/// The commitments signed in the counter clerk's unit, newest first (the counter records an
/// applicant's withdrawal from there, R4.6). The list names applicants: audited.
pub async fn of_unit(app: &App, actor: &Actor) -> AppResult<Vec<UnitCommitment>> {
    actor.require_any(&[Role::CounterClerk])?;
    let org = actor
        .org_id
        .ok_or_else(|| AppError::forbidden("窗口人员须属于一个单位"))?;
    let rows = repo::of_org(&mut app.db.reader(), org).await?;
    audit::record_read(
        &app.db,
        actor,
        app.now_ms(),
        Entry::new("commitment.list", "commitment", "*")
            .purpose("窗口查看本单位受理的告知承诺")
            .detail(serde_json::json!({"count": rows.len()})),
    )
    .await?;
    Ok(rows)
}
