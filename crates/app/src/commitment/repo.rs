//! The SQL of notification-commitment, and only here. Rows decode straight into records
//! whose states, kinds and methods are `domain` enums: a stored value outside the enum is a
//! decode error, never a default.

use proofless_domain::commitment::{
    CheckMethod, CheckResult, CommitmentState, Consequence, PlanKind, RuleBand, SampleState,
    SigningChannel, TemplateStage,
};
use proofless_store::{Exec, Query, q};
use serde::{Deserialize, Serialize};

use crate::error::{AppError, AppResult};

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
    c.rule_id, r.number AS rule_number, c.subject_ref, ps.name AS signer_name, c.org_id, o.name AS org_name, \
    c.supervising_org_id, so.name AS supervising_org_name, c.channel, c.state, c.plan_kind, c.plan_band, c.method, \
    c.within_wd, c.sample_permille, c.credit_score, c.sample_state, c.deadline_id, c.sealed_id, c.publish, \
    c.signed_at, c.withdrawn_at, c.withdraw_reason, c.result, c.evidence, c.consequence, c.checked_by, c.checked_at, \
    c.version, c.letter \
    FROM commitments c JOIN proof_items p ON p.id = c.proof_item_id JOIN commitment_rules r ON r.id = c.rule_id \
    JOIN persons ps ON ps.id = c.person_id JOIN orgs o ON o.id = c.org_id JOIN orgs so ON so.id = c.supervising_org_id";

pub(crate) async fn commitment(db: &mut impl Exec, id: i64) -> AppResult<Commitment> {
    db.fetch_optional(q(format!("{SELECT} WHERE c.id = ?")).bind(id))
        .await?
        .ok_or_else(|| AppError::NotFound("告知承诺".to_owned()))
}

/// One line of a portal user's own commitments.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct MyCommitment {
    pub id: i64,
    pub proof_item_name: String,
    pub state: CommitmentState,
    pub signed_at: i64,
}

pub(crate) async fn mine(db: &mut impl Exec, person_id: i64) -> AppResult<Vec<MyCommitment>> {
    Ok(db
        .fetch_all(
            q(
                "SELECT c.id, p.name AS proof_item_name, c.state, c.signed_at FROM commitments c \
               JOIN proof_items p ON p.id = c.proof_item_id \
               WHERE c.person_id = ? ORDER BY c.id DESC LIMIT 200",
            )
            .bind(person_id),
        )
        .await?)
}

/// What the commitment rules read about a proof item: its row and whether commitment is
/// one of its replacement methods.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct ItemRow {
    pub id: i64,
    pub name: String,
    pub owner_org_id: i64,
    pub correctable_afterwards: bool,
    pub risk_domains: String,
}

pub(crate) async fn item(db: &mut impl Exec, item_id: i64) -> AppResult<Option<(ItemRow, bool)>> {
    let row: Option<ItemRow> = db
        .fetch_optional(
            q("SELECT id, name, owner_org_id, correctable_afterwards, risk_domains FROM proof_items WHERE id = ?")
                .bind(item_id),
        )
        .await?;
    let Some(row) = row else { return Ok(None) };
    let (n,): (i64,) = db
        .fetch_one(
            q("SELECT COUNT(*) FROM replacements WHERE proof_item_id = ? AND method = 'commitment'")
                .bind(item_id),
        )
        .await?;
    Ok(Some((row, n > 0)))
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

pub(crate) async fn represents(
    db: &mut impl Exec,
    entity_id: i64,
    person_id: i64,
) -> AppResult<bool> {
    let row: Option<(i64,)> = db
        .fetch_optional(
            q("SELECT entity_id FROM entity_representatives WHERE entity_id = ? AND person_id = ?")
                .bind(entity_id)
                .bind(person_id),
        )
        .await?;
    Ok(row.is_some())
}

/// The unit, state and applicant (`person:ID` / `entity:ID`) of a case.
pub(crate) struct CaseRef {
    pub org_id: i64,
    /// The case's own state text (the cases workflow's); compared with `cases::OPEN`.
    pub state: String,
    pub applicant: String,
}

pub(crate) async fn case(db: &mut impl Exec, case_id: i64) -> AppResult<Option<CaseRef>> {
    let row: Option<(i64, String, String, i64)> = db
        .fetch_optional(
            q("SELECT org_id, state, applicant_kind, applicant_id FROM cases WHERE id = ?")
                .bind(case_id),
        )
        .await?;
    Ok(row.map(|(org_id, state, kind, id)| CaseRef {
        org_id,
        state,
        applicant: format!("{kind}:{id}"),
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
        .fetch_one(q("SELECT name, resident_id FROM persons WHERE id = ?").bind(person_id))
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
    body: &str,
    sealed_id: &str,
) -> AppResult<()> {
    db.execute(
        q("UPDATE commitments SET letter = ?, sealed_id = ? WHERE id = ? AND sealed_id = ''")
            .bind(body)
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
    now: i64,
) -> AppResult<bool> {
    let n = db
        .execute(
            q("UPDATE commitments SET state = ?, withdrawn_at = ?, withdraw_reason = ?, version = version + 1 \
               WHERE id = ? AND state = ?")
            .bind(CommitmentState::Withdrawn.as_str())
            .bind(now)
            .bind(reason)
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

/// The subject's credit status and the item's rule bands in force, in one round trip: the
/// hot path of eligibility (issue #6 "Performance").
pub(crate) async fn status_and_bands(
    db: &mut impl Exec,
    subject_ref: &str,
    item_id: i64,
) -> AppResult<(
    Option<proofless_domain::credit::CreditStatus>,
    Option<String>,
)> {
    let row: Option<(Option<i64>, Option<i64>, Option<bool>, Option<String>)> = db
        .fetch_optional(
            q("SELECT s.score, s.serious_records, s.blacklisted, \
               (SELECT r.bands FROM commitment_rules r WHERE r.proof_item_id = ? ORDER BY r.number DESC LIMIT 1) AS bands \
               FROM (SELECT 1 AS one) x LEFT JOIN credit_subjects s ON s.subject_ref = ?")
            .bind(item_id)
            .bind(subject_ref),
        )
        .await?;
    let Some((score, serious, blacklisted, bands)) = row else {
        return Ok((None, None));
    };
    let status = match (score, serious, blacklisted) {
        (Some(score), Some(serious_records), Some(blacklisted)) => {
            Some(proofless_domain::credit::CreditStatus {
                score,
                serious_records,
                blacklisted,
            })
        }
        _ => None,
    };
    Ok((status, bands))
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
    pub deadline_state: Option<String>,
}

pub(crate) async fn due_checks(db: &mut impl Exec, org_id: i64) -> AppResult<Vec<DueCheck>> {
    Ok(db
        .fetch_all(
            q("SELECT c.id AS commitment_id, p.name AS proof_item_name, o.name AS org_name, ps.name AS signer_name, \
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

// --- check rules -------------------------------------------------------------------------

/// A version of an item's post-check rule.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CheckRule {
    pub id: i64,
    pub proof_item_id: i64,
    pub number: i64,
    pub supervising_org_id: i64,
    pub standard: String,
    pub bands: Vec<RuleBand>,
    pub created_by: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, Deserialize)]
struct RuleRow {
    id: i64,
    proof_item_id: i64,
    number: i64,
    supervising_org_id: i64,
    standard: String,
    bands: String,
    created_by: String,
    created_at: i64,
}

impl RuleRow {
    fn record(self) -> AppResult<CheckRule> {
        let bands = serde_json::from_str(&self.bands)
            .map_err(|e| AppError::Internal(format!("核查规则 #{} 存储损坏：{e}", self.id)))?;
        Ok(CheckRule {
            id: self.id,
            proof_item_id: self.proof_item_id,
            number: self.number,
            supervising_org_id: self.supervising_org_id,
            standard: self.standard,
            bands,
            created_by: self.created_by,
            created_at: self.created_at,
        })
    }
}

/// Decodes a rule's stored bands (the hot path reads them without the rest of the row).
pub(crate) fn decode_bands(bands: &str) -> AppResult<Vec<RuleBand>> {
    serde_json::from_str(bands).map_err(|e| AppError::Internal(format!("核查规则存储损坏：{e}")))
}

const RULE_SELECT: &str = "SELECT id, proof_item_id, number, supervising_org_id, standard, bands, created_by, created_at \
    FROM commitment_rules";

/// The version in force (the latest) for an item.
pub(crate) async fn current_rule(db: &mut impl Exec, item_id: i64) -> AppResult<Option<CheckRule>> {
    let row: Option<RuleRow> = db
        .fetch_optional(
            q(format!(
                "{RULE_SELECT} WHERE proof_item_id = ? ORDER BY number DESC LIMIT 1"
            ))
            .bind(item_id),
        )
        .await?;
    row.map(RuleRow::record).transpose()
}

pub(crate) async fn rule_versions(db: &mut impl Exec, item_id: i64) -> AppResult<Vec<CheckRule>> {
    let rows: Vec<RuleRow> = db
        .fetch_all(
            q(format!(
                "{RULE_SELECT} WHERE proof_item_id = ? ORDER BY number DESC"
            ))
            .bind(item_id),
        )
        .await?;
    rows.into_iter().map(RuleRow::record).collect()
}

pub(crate) async fn org_exists(db: &mut impl Exec, org_id: i64) -> AppResult<bool> {
    let row: Option<(i64,)> = db
        .fetch_optional(q("SELECT id FROM orgs WHERE id = ?").bind(org_id))
        .await?;
    Ok(row.is_some())
}

pub(crate) struct NewRule<'a> {
    pub item_id: i64,
    pub supervising_org_id: i64,
    pub standard: &'a str,
    pub bands: &'a [RuleBand],
    pub created_by: &'a str,
}

/// Inserts the next version of an item's rule; its id and number.
pub(crate) async fn insert_rule(
    db: &mut impl Exec,
    r: &NewRule<'_>,
    now: i64,
) -> AppResult<(i64, i64)> {
    let (max,): (Option<i64>,) = db
        .fetch_one(
            q("SELECT MAX(number) FROM commitment_rules WHERE proof_item_id = ?").bind(r.item_id),
        )
        .await?;
    let number = max.unwrap_or(0) + 1;
    let bands = serde_json::to_string(r.bands)
        .map_err(|e| AppError::Internal(format!("核查规则序列化失败：{e}")))?;
    let id = db
        .scalar_i64(
            q("INSERT INTO commitment_rules (proof_item_id, number, supervising_org_id, standard, bands, created_by, created_at) \
               VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id")
            .bind(r.item_id)
            .bind(number)
            .bind(r.supervising_org_id)
            .bind(r.standard)
            .bind(&bands)
            .bind(r.created_by)
            .bind(now),
        )
        .await?;
    Ok((id, number))
}

// --- templates ---------------------------------------------------------------------------

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct Template {
    pub id: i64,
    pub proof_item_id: i64,
    pub proof_item_name: String,
    pub number: i64,
    /// 证明义务
    pub obligation: String,
    /// 承诺内容
    pub content: String,
    /// 行政机关可以进行的核查
    pub checks: String,
    /// 申请人配合核查的义务
    pub cooperation: String,
    /// 不实承诺的法律责任
    pub liability: String,
    /// R4.7: letters of this item are published.
    pub publish_letters: bool,
    pub stage: TemplateStage,
    pub review_remarks: String,
    pub reviewer_name: Option<String>,
    pub reviewed_at: Option<i64>,
    pub published_at: Option<i64>,
    pub created_by: String,
    pub created_at: i64,
    pub version: i64,
}

const TEMPLATE_SELECT: &str = "SELECT t.id, t.proof_item_id, p.name AS proof_item_name, t.number, t.obligation, t.content, \
    t.checks, t.cooperation, t.liability, t.publish_letters, t.stage, t.review_remarks, t.reviewer_name, \
    t.reviewed_at, t.published_at, t.created_by, t.created_at, t.version \
    FROM commitment_templates t JOIN proof_items p ON p.id = t.proof_item_id";

pub(crate) async fn template(db: &mut impl Exec, id: i64) -> AppResult<Template> {
    db.fetch_optional(q(format!("{TEMPLATE_SELECT} WHERE t.id = ?")).bind(id))
        .await?
        .ok_or_else(|| AppError::NotFound("承诺书格式文本".to_owned()))
}

pub(crate) async fn published_template(
    db: &mut impl Exec,
    item_id: i64,
) -> AppResult<Option<Template>> {
    Ok(db
        .fetch_optional(
            q(format!(
                "{TEMPLATE_SELECT} WHERE t.proof_item_id = ? AND t.stage = ?"
            ))
            .bind(item_id)
            .bind(TemplateStage::Published.as_str()),
        )
        .await?)
}

pub(crate) async fn published_templates(db: &mut impl Exec) -> AppResult<Vec<Template>> {
    Ok(db
        .fetch_all(
            q(format!(
                "{TEMPLATE_SELECT} WHERE t.stage = ? ORDER BY p.name"
            ))
            .bind(TemplateStage::Published.as_str()),
        )
        .await?)
}

/// Templates of one unit's items (or every unit's), optionally of one stage, newest first.
pub(crate) async fn templates(
    db: &mut impl Exec,
    owner_org_id: Option<i64>,
    stage: Option<TemplateStage>,
) -> AppResult<Vec<Template>> {
    let mut query = Query::new(format!("{TEMPLATE_SELECT} WHERE 1 = 1"));
    if let Some(org) = owner_org_id {
        query.push_sql(" AND p.owner_org_id = ?");
        query.push_arg(org);
    }
    if let Some(s) = stage {
        query.push_sql(" AND t.stage = ?");
        query.push_arg(s.as_str());
    }
    query.push_sql(" ORDER BY t.id DESC LIMIT 500");
    Ok(db.fetch_all(query).await?)
}

/// The next version number of an item's template, and a version under review if any.
pub(crate) async fn template_numbering(
    db: &mut impl Exec,
    item_id: i64,
) -> AppResult<(i64, Option<i64>)> {
    let (n,): (Option<i64>,) = db
        .fetch_one(
            q("SELECT MAX(number) FROM commitment_templates WHERE proof_item_id = ?").bind(item_id),
        )
        .await?;
    let pending: Option<(i64,)> = db
        .fetch_optional(
            q("SELECT id FROM commitment_templates WHERE proof_item_id = ? AND stage = ?")
                .bind(item_id)
                .bind(TemplateStage::Submitted.as_str()),
        )
        .await?;
    Ok((n.unwrap_or(0) + 1, pending.map(|p| p.0)))
}

/// The five texts of a template.
pub(crate) struct TemplateTexts<'a> {
    pub obligation: &'a str,
    pub content: &'a str,
    pub checks: &'a str,
    pub cooperation: &'a str,
    pub liability: &'a str,
    pub publish_letters: bool,
}

pub(crate) async fn insert_template(
    db: &mut impl Exec,
    item_id: i64,
    number: i64,
    t: &TemplateTexts<'_>,
    created_by: &str,
    now: i64,
) -> AppResult<i64> {
    Ok(db
        .scalar_i64(
            q("INSERT INTO commitment_templates (proof_item_id, number, obligation, content, checks, cooperation, \
               liability, publish_letters, stage, created_by, created_at, updated_at) \
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id")
            .bind(item_id)
            .bind(number)
            .bind(t.obligation)
            .bind(t.content)
            .bind(t.checks)
            .bind(t.cooperation)
            .bind(t.liability)
            .bind(t.publish_letters)
            .bind(TemplateStage::Submitted.as_str())
            .bind(created_by)
            .bind(now)
            .bind(now),
        )
        .await?)
}

pub(crate) async fn review_template(
    db: &mut impl Exec,
    id: i64,
    expected_version: i64,
    stage: TemplateStage,
    remarks: &str,
    reviewer: &str,
    now: i64,
) -> AppResult<()> {
    db.execute(
        q("UPDATE commitment_templates SET stage = ?, review_remarks = ?, reviewer_name = ?, reviewed_at = ?, \
           updated_at = ?, version = version + 1 WHERE id = ? AND version = ?")
        .bind(stage.as_str())
        .bind(remarks)
        .bind(reviewer)
        .bind(now)
        .bind(now)
        .bind(id)
        .bind(expected_version),
    )
    .await?;
    Ok(())
}

/// Publishes a template; the version published before it is superseded.
pub(crate) async fn publish_template(
    db: &mut impl Exec,
    id: i64,
    item_id: i64,
    now: i64,
) -> AppResult<()> {
    db.execute(
        q(
            "UPDATE commitment_templates SET stage = ?, updated_at = ?, version = version + 1 \
           WHERE proof_item_id = ? AND stage = ?",
        )
        .bind(TemplateStage::Superseded.as_str())
        .bind(now)
        .bind(item_id)
        .bind(TemplateStage::Published.as_str()),
    )
    .await?;
    db.execute(
        q("UPDATE commitment_templates SET stage = ?, published_at = ?, updated_at = ?, version = version + 1 WHERE id = ?")
            .bind(TemplateStage::Published.as_str())
            .bind(now)
            .bind(now)
            .bind(id),
    )
    .await?;
    Ok(())
}

// --- publication and figures ---------------------------------------------------------------

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct LetterRow {
    pub id: i64,
    pub proof_item_name: String,
    pub org_name: String,
    pub letter: String,
    pub state: CommitmentState,
    pub signed_at: i64,
}

/// Sealed letters of items marked for publication, withdrawn ones left out.
pub(crate) async fn published_letters(db: &mut impl Exec, limit: i64) -> AppResult<Vec<LetterRow>> {
    Ok(db
        .fetch_all(
            q("SELECT c.id, p.name AS proof_item_name, o.name AS org_name, c.letter, c.state, c.signed_at \
               FROM commitments c JOIN proof_items p ON p.id = c.proof_item_id JOIN orgs o ON o.id = c.org_id \
               WHERE c.publish = ? AND c.state <> ? AND c.sealed_id <> '' ORDER BY c.id DESC LIMIT ?")
            .bind(true)
            .bind(CommitmentState::Withdrawn.as_str())
            .bind(limit),
        )
        .await?)
}

/// Counts per group and month.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct FigureRow {
    /// The item or unit name.
    pub label: String,
    /// `YYYY-MM`, Beijing time.
    pub month: String,
    pub signed: i64,
    pub checked: i64,
    pub found_false: i64,
    pub withdrawn: i64,
}

/// What the figures are grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FigureGrouping {
    Item,
    Unit,
    Month,
}

pub(crate) async fn figures(db: &mut impl Exec, by: FigureGrouping) -> AppResult<Vec<FigureRow>> {
    // Months in Beijing time: shift by 8 hours, then take the calendar month.
    let month = db.dialect().month_of_millis("c.signed_at", 8 * 3_600_000);
    let label = match by {
        FigureGrouping::Item => "p.name".to_owned(),
        FigureGrouping::Unit => "o.name".to_owned(),
        FigureGrouping::Month => month.clone(),
    };
    let sql = format!(
        "SELECT {label} AS label, {month} AS month, COUNT(*) AS signed, \
         SUM(CASE WHEN c.result IS NOT NULL THEN 1 ELSE 0 END) AS checked, \
         SUM(CASE WHEN c.result = 'false' THEN 1 ELSE 0 END) AS found_false, \
         SUM(CASE WHEN c.state = 'withdrawn' THEN 1 ELSE 0 END) AS withdrawn \
         FROM commitments c JOIN proof_items p ON p.id = c.proof_item_id JOIN orgs o ON o.id = c.org_id \
         GROUP BY {label}, {month} ORDER BY {month}, {label} LIMIT 2000"
    );
    let rows: Vec<(String, String, i64, Option<i64>, Option<i64>, Option<i64>)> =
        db.fetch_all(q(sql)).await?;
    // SUM over no rows is NULL: a group has rows, so NULL here means zero.
    Ok(rows
        .into_iter()
        .map(
            |(label, month, signed, checked, found_false, withdrawn)| FigureRow {
                label,
                month,
                signed,
                checked: checked.unwrap_or(0),
                found_false: found_false.unwrap_or(0),
                withdrawn: withdrawn.unwrap_or(0),
            },
        )
        .collect())
}
