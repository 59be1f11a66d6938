//! The SQL of notification-commitment, and only here. Rows decode straight into records
//! whose states, kinds and methods are `domain` enums: a stored value outside the enum is a
//! decode error, never a default.

use proofless_domain::commitment::{
    CheckMethod, CheckResult, CommitmentState, Consequence, PlanKind, SampleState, SigningChannel,
};
use proofless_domain::credit::CreditStatus;
use proofless_store::{Exec, Query, q};
use serde::{Deserialize, Serialize};

use crate::error::{AppError, AppResult};

mod lists;
mod published;
mod texts;

pub use lists::{MyCommitment, UnitCommitment};
pub(crate) use lists::{mine, of_org};
pub use published::{FigureGrouping, FigureRow};
pub(crate) use published::{figures, published_letters};
pub use texts::{CheckRule, Template};
pub(crate) use texts::{
    NewRule, TemplateTexts, current_rule, decode_bands, insert_rule, insert_template, org_exists,
    publish_template, published_template, published_templates, review_template, rule_versions,
    template, template_numbering, templates,
};

/// A commitment as its applicant, the units and the credit office see it.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct Commitment {
    pub id: i64,
    pub case_id: i64,
    pub proof_item_id: i64,
    pub proof_item_name: String,
    pub template_id: i64,
    pub rule_id: i64,
    pub rule_number: i64,
    pub subject_ref: String,
    pub signer_name: String,
    pub org_id: i64,
    pub org_name: String,
    pub supervising_org_id: i64,
    pub supervising_org_name: String,
    pub channel: SigningChannel,
    pub state: CommitmentState,
    pub plan_kind: PlanKind,
    pub plan_band: i64,
    pub method: Option<CheckMethod>,
    pub within_wd: i64,
    pub sample_permille: i64,
    pub credit_score: i64,
    pub sample_state: SampleState,
    pub deadline_id: Option<i64>,
    pub sealed_id: String,
    pub publish: bool,
    pub signed_at: i64,
    pub withdrawn_at: Option<i64>,
    pub withdraw_reason: Option<String>,
    /// Where the applicant withdrew (R4.6).
    pub withdraw_channel: Option<SigningChannel>,
    /// At the counter: the clerk who recorded the applicant's own request.
    pub withdraw_confirmed_by: Option<String>,
    pub result: Option<CheckResult>,
    pub evidence: Option<String>,
    pub consequence: Option<Consequence>,
    pub checked_by: Option<String>,
    pub checked_at: Option<i64>,
    pub version: i64,
    /// The sealed letter's canonical JSON.
    pub letter: String,
}

const SELECT: &str = "SELECT c.id, c.case_id, c.proof_item_id, p.name AS proof_item_name, c.template_id, \
    c.rule_id, r.number AS rule_number, c.subject_ref, ps.name_masked AS signer_name, c.org_id, o.name AS org_name, \
    c.supervising_org_id, so.name AS supervising_org_name, c.channel, c.state, c.plan_kind, c.plan_band, c.method, \
    c.within_wd, c.sample_permille, c.credit_score, c.sample_state, c.deadline_id, c.sealed_id, c.publish, \
    c.signed_at, c.withdrawn_at, c.withdraw_reason, c.withdraw_channel, c.withdraw_confirmed_by, c.result, c.evidence, c.consequence, c.checked_by, c.checked_at, \
    c.version, c.letter \
    FROM commitments c JOIN proof_items p ON p.id = c.proof_item_id JOIN commitment_rules r ON r.id = c.rule_id \
    JOIN persons ps ON ps.id = c.person_id JOIN orgs o ON o.id = c.org_id JOIN orgs so ON so.id = c.supervising_org_id";

pub(crate) async fn commitment(db: &mut impl Exec, id: i64) -> AppResult<Commitment> {
    db.fetch_optional(q(format!("{SELECT} WHERE c.id = ?")).bind(id))
        .await?
        .ok_or_else(|| AppError::NotFound("告知承诺".to_owned()))
}

/// What the commitment rules read about a proof item's record (its methods come from the
/// published list, not from here).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct ItemRow {
    pub id: i64,
    pub owner_org_id: i64,
    pub correctable_afterwards: bool,
    pub risk_domains: String,
}

pub(crate) async fn item(db: &mut impl Exec, item_id: i64) -> AppResult<Option<ItemRow>> {
    Ok(db
        .fetch_optional(
            q("SELECT id, owner_org_id, correctable_afterwards, risk_domains FROM proof_items WHERE id = ?")
                .bind(item_id),
        )
        .await?)
}

pub(crate) async fn item_owner(db: &mut impl Exec, item_id: i64) -> AppResult<i64> {
    let (owner,): (i64,) = db
        .fetch_one(q("SELECT owner_org_id FROM proof_items WHERE id = ?").bind(item_id))
        .await?;
    Ok(owner)
}

/// Seeds the post-check deadline rule (idempotent), as the deadline engine seeds its own.
pub(crate) async fn seed_check_rule(db: &mut impl Exec, now: i64) -> AppResult<()> {
    db.execute(
        q("INSERT INTO deadline_rules (rule_key, version, period, max_extension, effective_from, note, created_by, created_at) \
           VALUES (?, 1, ?, NULL, '2021-01-01', '告知承诺事后核查（核查时限按核查规则另计）', '系统（内置规则）', ?) \
           ON CONFLICT (rule_key, version) DO NOTHING")
        .bind(super::CHECK_RULE_KEY)
        .bind(super::CHECK_RULE_PERIOD)
        .bind(now),
    )
    .await?;
    Ok(())
}

// --- signers, cases, letters -----------------------------------------------------------

pub(crate) async fn person_exists(db: &mut impl Exec, person_id: i64) -> AppResult<bool> {
    let row: Option<(i64,)> = db
        .fetch_optional(q("SELECT id FROM persons WHERE id = ?").bind(person_id))
        .await?;
    Ok(row.is_some())
}

/// The unit, state, applicant (`person:ID` / `entity:ID`), service item and start of a case.
pub(crate) struct CaseRef {
    pub org_id: i64,
    pub state: proofless_domain::case::CaseState,
    pub applicant: String,
    pub service_code: String,
    pub service_name: String,
    pub created_at: i64,
}

#[derive(Deserialize)]
struct CaseRow {
    org_id: i64,
    state: proofless_domain::case::CaseState,
    applicant_kind: String,
    applicant_id: i64,
    service_code: String,
    service_name: String,
    created_at: i64,
}

pub(crate) async fn case(db: &mut impl Exec, case_id: i64) -> AppResult<Option<CaseRef>> {
    let row: Option<CaseRow> = db
        .fetch_optional(
            q("SELECT c.org_id, c.state, c.applicant_kind, c.applicant_id, s.code AS service_code, \
               s.name AS service_name, c.created_at FROM cases c JOIN service_items s ON s.id = c.service_item_id \
               WHERE c.id = ?")
            .bind(case_id),
        )
        .await?;
    Ok(row.map(|r| CaseRef {
        org_id: r.org_id,
        state: r.state,
        applicant: format!("{}:{}", r.applicant_kind, r.applicant_id),
        service_code: r.service_code,
        service_name: r.service_name,
        created_at: r.created_at,
    }))
}

/// A signed commitment of the subject for the item in the case, if any.
pub(crate) async fn signed_duplicate(
    db: &mut impl Exec,
    case_id: i64,
    item_id: i64,
    subject_ref: &str,
) -> AppResult<Option<i64>> {
    let row: Option<(i64,)> = db
        .fetch_optional(
            q("SELECT id FROM commitments WHERE case_id = ? AND proof_item_id = ? AND subject_ref = ? AND state = ?")
                .bind(case_id)
                .bind(item_id)
                .bind(subject_ref)
                .bind(CommitmentState::Signed.as_str()),
        )
        .await?;
    Ok(row.map(|r| r.0))
}

/// The names the letter carries: the person (name, resident ID), the entity (name,
/// credit code) when signing for one, and the receiving unit.
pub(crate) struct LetterParties {
    pub person: (String, String),
    pub entity: Option<(String, String)>,
    pub org_name: String,
}

pub(crate) async fn letter_parties(
    db: &mut impl Exec,
    person_id: i64,
    entity_id: Option<i64>,
    org_id: i64,
) -> AppResult<LetterParties> {
    let person: (String, String) = db
        .fetch_one(q("SELECT name_enc, resident_id_enc FROM persons WHERE id = ?").bind(person_id))
        .await?;
    let entity: Option<(String, String)> = match entity_id {
        Some(e) => {
            db.fetch_optional(q("SELECT name, credit_code FROM entities WHERE id = ?").bind(e))
                .await?
        }
        None => None,
    };
    let (org_name,): (String,) = db
        .fetch_one(q("SELECT name FROM orgs WHERE id = ?").bind(org_id))
        .await?;
    Ok(LetterParties {
        person,
        entity,
        org_name,
    })
}

/// A new commitment row, before its letter is sealed.
pub(crate) struct NewCommitment<'a> {
    pub case_id: i64,
    pub proof_item_id: i64,
    pub template_id: i64,
    pub rule_id: i64,
    pub subject_ref: &'a str,
    pub person_id: i64,
    pub entity_id: Option<i64>,
    pub org_id: i64,
    pub supervising_org_id: i64,
    pub channel: SigningChannel,
    pub clerk_id: Option<i64>,
    pub plan: &'a proofless_domain::commitment::Plan,
    pub credit_score: i64,
    pub publish: bool,
    pub signed_at: i64,
}

pub(crate) async fn insert(db: &mut impl Exec, c: &NewCommitment<'_>) -> AppResult<i64> {
    let sample_state = match c.plan.kind {
        PlanKind::Sample => SampleState::Pending,
        PlanKind::Check | PlanKind::Exempt => SampleState::None,
    };
    Ok(db
        .scalar_i64(
            q("INSERT INTO commitments (case_id, proof_item_id, template_id, rule_id, subject_ref, person_id, entity_id, \
               org_id, supervising_org_id, channel, clerk_id, letter, sealed_id, state, plan_kind, plan_band, method, \
               within_wd, sample_permille, credit_score, sample_state, publish, signed_at) \
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', '', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id")
            .bind(c.case_id)
            .bind(c.proof_item_id)
            .bind(c.template_id)
            .bind(c.rule_id)
            .bind(c.subject_ref)
            .bind(c.person_id)
            .bind(c.entity_id)
            .bind(c.org_id)
            .bind(c.supervising_org_id)
            .bind(c.channel.as_str())
            .bind(c.clerk_id)
            .bind(CommitmentState::Signed.as_str())
            .bind(c.plan.kind.as_str())
            .bind(c.plan.band as i64)
            .bind(c.plan.method.map(CheckMethod::as_str))
            .bind(c.plan.within_wd)
            .bind(c.plan.sample_permille)
            .bind(c.credit_score)
            .bind(sample_state.as_str())
            .bind(c.publish)
            .bind(c.signed_at),
        )
        .await?)
}

/// Stores the sealed letter, once (the database refuses later edits).
pub(crate) async fn set_letter(
    db: &mut impl Exec,
    id: i64,
    (letter_enc, key_version): (&str, i64),
    sealed_id: &str,
) -> AppResult<()> {
    db.execute(
        q("UPDATE commitments SET letter = ?, letter_key_version = ?, sealed_id = ? WHERE id = ? AND sealed_id = ''")
            .bind(letter_enc)
            .bind(key_version)
            .bind(sealed_id)
            .bind(id),
    )
    .await?;
    Ok(())
}

pub(crate) async fn set_deadline(db: &mut impl Exec, id: i64, deadline_id: i64) -> AppResult<()> {
    db.execute(
        q("UPDATE commitments SET deadline_id = ? WHERE id = ?")
            .bind(deadline_id)
            .bind(id),
    )
    .await?;
    Ok(())
}

/// Withdraws a signed commitment; false when it was no longer signed.
pub(crate) async fn withdraw(
    db: &mut impl Exec,
    id: i64,
    reason: &str,
    channel: SigningChannel,
    confirmed_by: Option<&str>,
    now: i64,
) -> AppResult<bool> {
    let n = db
        .execute(
            q("UPDATE commitments SET state = ?, withdrawn_at = ?, withdraw_reason = ?, withdraw_channel = ?, \
               withdraw_confirmed_by = ?, version = version + 1 WHERE id = ? AND state = ?")
            .bind(CommitmentState::Withdrawn.as_str())
            .bind(now)
            .bind(reason)
            .bind(channel.as_str())
            .bind(confirmed_by)
            .bind(id)
            .bind(CommitmentState::Signed.as_str()),
        )
        .await?;
    Ok(n == 1)
}

/// Stops the post-check's clock when the check is no longer needed or is done. `overdue`
/// includes a deadline already past due (a result recorded late still ends it).
pub(crate) async fn end_check_deadline(
    db: &mut impl Exec,
    deadline_id: i64,
    overdue: bool,
    now: i64,
) -> AppResult<()> {
    let states = if overdue {
        "('open', 'suspended', 'overdue')"
    } else {
        "('open', 'suspended')"
    };
    db.execute(
        q(format!(
            "UPDATE deadlines SET state = 'done', done_at = ?, updated_at = ?, version = version + 1 \
             WHERE id = ? AND state IN {states}"
        ))
        .bind(now)
        .bind(now)
        .bind(deadline_id),
    )
    .await?;
    Ok(())
}

/// The credit status columns (all NULL for a subject without a status row) and the bands.
#[derive(Debug, Deserialize)]
struct StatusAndBands {
    score: Option<i64>,
    serious_records: Option<i64>,
    blacklisted: Option<bool>,
    bands: Option<String>,
}

/// The subject's credit status (none without a status row) and the item's rule bands in
/// force (none without a rule), in one round trip: the hot path of eligibility (issue #6
/// "Performance").
pub(crate) async fn status_and_bands(
    db: &mut impl Exec,
    subject_ref: &str,
    item_id: i64,
) -> AppResult<(Option<CreditStatus>, Option<String>)> {
    let row: Option<StatusAndBands> = db
        .fetch_optional(
            q("SELECT s.score, s.serious_records, s.blacklisted, \
               (SELECT r.bands FROM commitment_rules r WHERE r.proof_item_id = ? ORDER BY r.number DESC LIMIT 1) AS bands \
               FROM (SELECT 1 AS one) x LEFT JOIN credit_subjects s ON s.subject_ref = ?")
            .bind(item_id)
            .bind(subject_ref),
        )
        .await?;
    let Some(row) = row else {
        return Ok((None, None));
    };
    let status = match (row.score, row.serious_records, row.blacklisted) {
        (Some(score), Some(serious_records), Some(blacklisted)) => Some(CreditStatus {
            score,
            serious_records,
            blacklisted,
        }),
        _ => None,
    };
    Ok((status, row.bands))
}

// --- post-checks -------------------------------------------------------------------------

/// A check due at the inspector's unit.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct DueCheck {
    pub commitment_id: i64,
    pub proof_item_name: String,
    pub org_name: String,
    pub signer_name: String,
    pub plan_kind: PlanKind,
    pub method: Option<CheckMethod>,
    pub signed_at: i64,
    pub deadline_id: Option<i64>,
    pub due_at: Option<i64>,
    /// The deadline's state, as the deadline engine stores it.
    pub deadline_state: Option<proofless_domain::deadline::DeadlineState>,
}

pub(crate) async fn due_checks(db: &mut impl Exec, org_id: i64) -> AppResult<Vec<DueCheck>> {
    Ok(db
        .fetch_all(
            q("SELECT c.id AS commitment_id, p.name AS proof_item_name, o.name AS org_name, ps.name_masked AS signer_name, \
               c.plan_kind, c.method, c.signed_at, c.deadline_id, d.due_at, d.state AS deadline_state \
               FROM commitments c JOIN proof_items p ON p.id = c.proof_item_id JOIN orgs o ON o.id = c.org_id \
               JOIN persons ps ON ps.id = c.person_id JOIN deadlines d ON d.id = c.deadline_id \
               WHERE c.supervising_org_id = ? AND c.state = ? \
               ORDER BY d.due_at LIMIT 500")
            .bind(org_id)
            .bind(CommitmentState::Signed.as_str()),
        )
        .await?)
}

pub(crate) struct CheckOutcome<'a> {
    pub result: CheckResult,
    pub evidence: &'a str,
    pub consequence: Option<Consequence>,
    pub checked_by: &'a str,
}

pub(crate) async fn record_result(
    db: &mut impl Exec,
    id: i64,
    o: &CheckOutcome<'_>,
    now: i64,
) -> AppResult<()> {
    db.execute(
        q("UPDATE commitments SET state = ?, result = ?, evidence = ?, consequence = ?, checked_by = ?, checked_at = ?, \
           version = version + 1 WHERE id = ? AND state = ?")
        .bind(o.result.state().as_str())
        .bind(o.result.as_str())
        .bind(o.evidence)
        .bind(o.consequence.map(Consequence::as_str))
        .bind(o.checked_by)
        .bind(now)
        .bind(id)
        .bind(CommitmentState::Signed.as_str()),
    )
    .await?;
    Ok(())
}

// --- sampling ----------------------------------------------------------------------------

/// A commitment waiting for the draw.
#[derive(Debug, Clone, Copy, Deserialize)]
pub(crate) struct Pending {
    pub id: i64,
    pub sample_permille: i64,
    pub supervising_org_id: i64,
    pub within_wd: i64,
}

pub(crate) async fn pending_draws(
    db: &mut impl Exec,
    after: i64,
    limit: i64,
) -> AppResult<Vec<Pending>> {
    Ok(db
        .fetch_all(
            q(
                "SELECT id, sample_permille, supervising_org_id, within_wd FROM commitments \
               WHERE sample_state = ? AND id > ? ORDER BY id LIMIT ?",
            )
            .bind(SampleState::Pending.as_str())
            .bind(after)
            .bind(limit),
        )
        .await?)
}

/// Marks commitments not drawn, 500 per statement.
pub(crate) async fn mark_not_drawn(db: &mut impl Exec, ids: &[i64], now: i64) -> AppResult<()> {
    for chunk in ids.chunks(500) {
        let mut query = q(format!(
            "UPDATE commitments SET sample_state = ?, drawn_at = ? WHERE id IN ({})",
            Query::placeholders(chunk.len())
        ))
        .bind(SampleState::NotDrawn.as_str())
        .bind(now);
        for id in chunk {
            query = query.bind(*id);
        }
        db.execute(query).await?;
    }
    Ok(())
}

/// One check deadline of a drawn commitment, computed by the deadline engine.
pub(crate) struct CheckDeadline {
    pub commitment_id: i64,
    pub org_id: i64,
    pub statutory_limit: String,
    pub computed: crate::deadlines::Recomputed,
}

/// Inserts the check deadlines of drawn commitments in one statement (at most a few
/// hundred rows) and marks and links the commitments in one more (`CASE id WHEN … END`).
pub(crate) async fn open_drawn_checks(
    db: &mut impl Exec,
    rows: &[CheckDeadline],
    calendar_version: &str,
    created_by: &str,
    now: i64,
) -> AppResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut stmt = Query::new(
        "INSERT INTO deadlines (subject_type, subject_id, org_id, rule_key, rule_version, start_at, period, \
         statutory_limit, state, due_at, rule_due_at, statutory_due_at, effective_start, calendar_version, \
         calendar_complete, created_by, created_at, updated_at) VALUES",
    );
    for (i, d) in rows.iter().enumerate() {
        let r = &d.computed;
        stmt.push_sql(if i == 0 { " (" } else { ", (" });
        stmt.push_sql(&Query::placeholders(18));
        stmt.push_sql(")");
        stmt.push_arg("commitment_check");
        stmt.push_arg(d.commitment_id.to_string());
        stmt.push_arg(d.org_id);
        stmt.push_arg(super::CHECK_RULE_KEY);
        stmt.push_arg(1i64);
        stmt.push_arg(now);
        stmt.push_arg(super::CHECK_RULE_PERIOD);
        stmt.push_arg(d.statutory_limit.as_str());
        stmt.push_arg(r.state.as_str());
        stmt.push_arg(r.due_at);
        stmt.push_arg(r.rule_due_at);
        stmt.push_arg(r.statutory_due_at);
        stmt.push_arg(r.effective_start);
        stmt.push_arg(calendar_version);
        stmt.push_arg(r.calendar_complete);
        stmt.push_arg(created_by);
        stmt.push_arg(now);
        stmt.push_arg(now);
    }
    stmt.push_sql(" RETURNING id, subject_id");
    let made: Vec<(i64, String)> = db.fetch_all(stmt).await?;
    let mut link =
        Query::new("UPDATE commitments SET sample_state = ?, drawn_at = ?, deadline_id = CASE id");
    link.push_arg(SampleState::Drawn.as_str());
    link.push_arg(now);
    let mut ids = vec![];
    for (deadline_id, subject_id) in &made {
        let cid: i64 = subject_id.parse().map_err(|_| {
            AppError::Internal(format!(
                "核查期限 #{deadline_id} 的对象编号“{subject_id}”无效"
            ))
        })?;
        link.push_sql(" WHEN ? THEN ?");
        link.push_arg(cid);
        link.push_arg(*deadline_id);
        ids.push(cid);
    }
    if !ids.is_empty() {
        link.push_sql(" END WHERE id IN (");
        link.push_sql(&Query::placeholders(ids.len()));
        link.push_sql(")");
        for id in ids {
            link.push_arg(id);
        }
        db.execute(link).await?;
    }
    Ok(())
}

impl crate::applicants::SubjectRef for Commitment {
    fn subject_ref_mut(&mut self) -> &mut String {
        &mut self.subject_ref
    }
}
