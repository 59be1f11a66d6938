//! The assessment-clock hook of verification (A2 §7, SPEC R5.4): "协查时间不列入即办件考核
//! 时间" — while an *immediate* case (即办件) waits on a verification its assessment clock is
//! suspended through the deadline engine; any legal deadline of the case keeps running. Any
//! other case's clock runs on: the seed leaves verification time out of the assessment of
//! immediate cases only. The counting (several verifications may wait at once) is the case
//! workflow's; this file only says when a wait begins and ends.

use proofless_store::Tx;

use super::number;
use crate::App;
use crate::actor::Actor;
use crate::cases;
use crate::error::{AppError, AppResult};

/// A verification for `case_id` was sent: the case is checked (open, the requesting unit's
/// own), and an immediate case's assessment clock waits (A2 §7).
pub(super) async fn begin_wait_in(
    tx: &mut Tx,
    app: &App,
    actor: &Actor,
    (case_id, proof_item_id): (i64, i64),
    verification_id: i64,
) -> AppResult<()> {
    let reason = format!(
        "等待部门核验 {}（协查时间不列入即办件考核时间，附件2第七条）",
        number(verification_id)
    );
    let c = cases::open_case_in(tx, case_id)
        .await
        .map_err(|e| match e {
            AppError::NotFound(_) => {
                AppError::field("case_id", format!("办件记录 {case_id} 不存在"))
            }
            AppError::Conflict(m) => AppError::field("case_id", m),
            other => other,
        })?;
    // The case it serves is the requesting unit's own (A2 §5).
    if actor.org_id != Some(c.org_id) {
        return Err(AppError::field(
            "case_id",
            format!("办件 {} 不是本单位的办件", c.case_no),
        ));
    }
    // The proof is on the case's list and may still be verified (SPEC R6.1, R4.2).
    cases::verification_sent_in(
        tx,
        actor,
        case_id,
        proof_item_id,
        verification_id,
        app.now_ms(),
    )
    .await?;
    if !c.immediate {
        return Ok(());
    }
    cases::begin_wait_in(tx, app, actor, case_id, &reason)
        .await
        .map(|_| ())
}

/// The verification was answered or returned: one wait of the case ends. A case that never
/// waited (not immediate, A2 §7) has no wait counted, and the case workflow leaves it as it is;
/// one that waited before this rule was fixed gets its clock back.
pub(super) async fn end_wait_in(
    tx: &mut Tx,
    app: &App,
    actor: &Actor,
    (case_id, verification_id): (i64, i64),
    reply: &str,
) -> AppResult<()> {
    // The proof the request was sent for is resolved, the reply its evidence (SPEC R6.1).
    cases::verification_ended_in(tx, actor, verification_id, reply, app.now_ms()).await?;
    // The issuer acts here, not the case's unit: the clock is the system's to move.
    let system = Actor::system(&actor.operation_id);
    cases::end_wait_in(tx, app, &system, case_id)
        .await
        .map(|_| ())
}
