//! Post-checks (核查): the supervising department's inspectors see their due checks and
//! record the result with evidence; results go to the credit office as credit records, a
//! false commitment opens the blacklist due process (R4.3, R4.8). The daily draw of sampled
//! commitments is in [`super::sampling`]; its job entry points are re-exported here, where
//! the jobs runner finds them.

use proofless_domain::commitment::{CheckResult, CommitmentState};
use proofless_domain::credit::RecordKind;
use proofless_domain::role::Role;
use proofless_store::Tx;
use serde_json::json;

use super::input::{CheckCommand, ResultInput};
use super::repo::{self, CheckOutcome, Commitment, DueCheck};
use crate::App;
use crate::actor::Actor;
use crate::audit::{self, Entry};
use crate::credit;
use crate::error::{AppError, AppResult};
use crate::notifications::{self, Recipient};

pub use super::sampling::{KIND_SAMPLING, SamplingReport, run_sampling, run_sampling_in};

/// Checks waiting at the actor's unit (inspectors), the soonest due first.
pub async fn due(app: &App, actor: &Actor) -> AppResult<Vec<DueCheck>> {
    actor.require_any(&[Role::Inspector, Role::UnitAdmin, Role::SystemAdmin])?;
    // Staff without a unit see no unit's checks.
    let org = actor.org_id.unwrap_or(-1);
    let rows = repo::due_checks(&mut app.db.reader(), org).await?;
    // The list names the signers: a read of personal data, on record with its purpose.
    let ids: Vec<i64> = rows.iter().map(|r| r.commitment_id).collect();
    audit::record_read(
        &app.db,
        actor,
        app.now_ms(),
        Entry::new("commitment.checks.list", "org", org)
            .purpose("承诺事后核查待办")
            .detail(json!({"commitment_ids": ids})),
    )
    .await?;
    Ok(rows)
}

/// Records a check result (inspector of the supervising department).
pub async fn record_result(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &ResultInput,
) -> AppResult<Commitment> {
    actor.require_any(&[Role::Inspector])?;
    let cmd = input.parse()?;
    record_command(app, actor, id, &cmd).await
}

/// [`record_result`] with a parsed command.
pub async fn record_command(
    app: &App,
    actor: &Actor,
    id: i64,
    cmd: &CheckCommand,
) -> AppResult<Commitment> {
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let c = super::view::commitment_in(app, &mut tx, id).await?;
    actor.require_org(c.supervising_org_id)?;
    match c.state {
        CommitmentState::Signed => {}
        CommitmentState::Withdrawn => {
            return Err(AppError::Conflict("该承诺已撤回，无需核查".to_owned()));
        }
        _ => return Err(AppError::Conflict("该承诺已有核查结果".to_owned())),
    }
    repo::record_result(
        &mut tx,
        id,
        &CheckOutcome {
            result: cmd.result,
            evidence: &cmd.evidence,
            consequence: cmd.consequence,
            checked_by: &actor.name,
        },
        now,
    )
    .await?;
    if let Some(d) = c.deadline_id {
        repo::end_check_deadline(&mut tx, d, true, now).await?;
    }
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("commitment.check", "commitment", id)
            .subject(&c.subject_ref)
            .detail(json!({"result": cmd.result, "consequence": cmd.consequence})),
    )
    .await?;
    record_credit_in(&mut tx, actor, &c, cmd.result, now).await?;
    notifications::insert_in(
        &mut tx,
        &Recipient::Role(Role::CreditOffice),
        proofless_domain::notification::NotificationKind::CommitmentResult,
        &format!(
            "【核查结果】承诺 #{id}（{}）核查结果：{}。",
            c.proof_item_name,
            cmd.result.label()
        ),
        &format!("/commitments/{id}"),
        &format!("commitment:result:{id}"),
        now,
    )
    .await?;
    if cmd.result == CheckResult::False {
        found_false_in(&mut tx, actor, &c, cmd, now).await?;
    }
    let out = super::view::commitment_in(app, &mut tx, id).await?;
    tx.commit().await?;
    Ok(out)
}

/// The result enters the subject's credit record (R4.8); a check that could not be carried
/// out records nothing.
async fn record_credit_in(
    tx: &mut Tx,
    actor: &Actor,
    c: &Commitment,
    result: CheckResult,
    now: i64,
) -> AppResult<()> {
    let kind = match result {
        CheckResult::Kept => RecordKind::CommitmentKept,
        CheckResult::False => RecordKind::CommitmentFalse,
        CheckResult::CouldNotCheck => return Ok(()),
    };
    credit::add_record_in(
        tx,
        actor,
        &credit::NewRecord {
            subject_ref: &c.subject_ref,
            kind,
            commitment_id: Some(c.id),
            started_at: c.signed_at,
            org_id: actor.org_id,
            note: &format!(
                "“{}”告知承诺经{}核查：{}",
                c.proof_item_name,
                c.supervising_org_name,
                result.label()
            ),
        },
        now,
    )
    .await?;
    Ok(())
}

/// A false commitment: the receiving unit is told the consequence, and the blacklist due
/// process opens (R4.8).
async fn found_false_in(
    tx: &mut Tx,
    actor: &Actor,
    c: &Commitment,
    cmd: &CheckCommand,
    now: i64,
) -> AppResult<()> {
    let consequence_text = cmd.consequence.map(|c| c.label()).unwrap_or_default();
    notifications::insert_in(
        tx,
        &Recipient::Org(c.org_id),
        proofless_domain::notification::NotificationKind::CommitmentFalse,
        &format!(
            "【虚假承诺】办件 #{} 的“{}”承诺经核查不实，处理措施：{consequence_text}。",
            c.case_id, c.proof_item_name
        ),
        &format!("/commitments/{}", c.id),
        &format!("commitment:false:{}", c.id),
        now,
    )
    .await?;
    credit::blacklist::propose_in(
        tx,
        actor,
        &c.subject_ref,
        c.id,
        &format!(
            "“{}”告知承诺经核查为虚假承诺（{consequence_text}），拟列入虚假承诺黑名单",
            c.proof_item_name
        ),
        now,
    )
    .await?;
    Ok(())
}
