//! The assessment-clock hook of verification (A2 §7, SPEC R5.4): while a case waits on a
//! verification its assessment clock is suspended through the deadline engine; any legal
//! deadline of the case keeps running. The counting (several verifications may wait at
//! once) is the case workflow's; this file only says when a wait begins and ends.

use proofless_store::Tx;

use super::number;
use crate::App;
use crate::actor::Actor;
use crate::cases;
use crate::error::{AppError, AppResult};

/// A verification for `case_id` was sent: the case's assessment clock waits.
pub(super) async fn begin_wait_in(
    tx: &mut Tx,
    app: &App,
    actor: &Actor,
    case_id: i64,
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
    cases::begin_wait_in(tx, app, actor, case_id, &reason)
        .await
        .map(|_| ())
}

/// The verification was answered or returned: one wait of the case ends.
pub(super) async fn end_wait_in(
    tx: &mut Tx,
    app: &App,
    actor: &Actor,
    case_id: i64,
) -> AppResult<()> {
    // The issuer acts here, not the case's unit: the clock is the system's to move.
    let system = Actor::system(&actor.operation_id);
    cases::end_wait_in(tx, app, &system, case_id)
        .await
        .map(|_| ())
}
