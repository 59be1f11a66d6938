//! The SQL of verification: requests, their history and ledger, subjects, the lists, the
//! grace setting and the issuers' duty posts (templates and the catalogue reads are in
//! `templates/repo.rs`). Every function runs on a reader or the caller's transaction.

use proofless_domain::deadline::Period;
use proofless_domain::verification::{
    Channel, ClassCode, EventKind, LedgerKind, Outcome, State, SubjectCode, SubjectKind,
};
use proofless_store::{Exec, q};

use super::records::{Event, LedgerEntry, Verification};
use crate::applicants::SealedSubject;

mod lists;
use super::number;
use crate::error::{AppError, AppResult};
pub(crate) use lists::*;

const SELECT: &str = "SELECT v.id, v.channel, v.state, v.requester_org_id, ro.name AS requester_name, \
    v.issuer_org_id, io.name AS issuer_name, io.credit_code AS issuer_credit_code, v.proof_item_id, v.proof_item_name, v.template_id, v.subject_kind, \
    v.subject_id, v.subject_name_enc AS subject_name, v.subject_code_enc AS subject_code, v.facts, v.case_ref, v.case_id, v.purpose, v.catalogue_class, \
    v.deadline_class, v.deadline_period, v.reclass_reason, v.deadline_id, v.sent_by, v.sent_by_name, v.sent_at, \
    v.due_at, v.outcome, v.answer, v.records_say, v.return_reason, v.answered_by_name, v.answered_at, \
    v.answered_late, v.returned_late, v.reclassified_at, v.sealed_id, v.reported_at, v.reported_by_name, v.report_auto, v.ordered_at, v.order_due_at, \
    v.order_text, v.summon_at, v.summon_text, v.no_secret_confirmed, v.offline_ref, v.updated_at, v.version \
    FROM verifications v JOIN orgs ro ON ro.id = v.requester_org_id JOIN orgs io ON io.id = v.issuer_org_id";

const LEDGER_COLS: &str = "SELECT id, org_id, verification_id, kind, subject_kind, subject_id, subject_name_enc AS subject_name, \
    proof_item_id, proof_item_name, case_ref, what, why, recorded_by_name, at FROM verification_ledger";

// ---------------------------------------------------------------------------------------
// Requests

/// The request, if it exists.
pub(crate) async fn find(ex: &mut impl Exec, id: i64) -> AppResult<Option<Verification>> {
    Ok(ex
        .fetch_optional(q(format!("{SELECT} WHERE v.id = ?")).bind(id))
        .await?)
}

/// The request; not found names its number.
pub(crate) async fn load(ex: &mut impl Exec, id: i64) -> AppResult<Verification> {
    find(ex, id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("核验 {}", number(id))))
}

/// A request as sent through the system (A2 §5): registered at once (A2 §7).
pub(crate) struct NewSent<'a> {
    pub requester_org_id: i64,
    pub issuer_org_id: i64,
    pub proof_item_id: i64,
    pub proof_item_name: &'a str,
    pub template_id: Option<i64>,
    pub subject_kind: SubjectKind,
    pub subject_id: i64,
    /// The subject's name and code, encrypted at rest (issue #16 item 9).
    pub subject: &'a SealedSubject,
    /// JSON object text.
    pub facts: &'a str,
    pub case_ref: &'a str,
    pub case_id: Option<i64>,
    pub purpose: &'a str,
    pub class_code: ClassCode,
    pub period: Period,
    pub sent_by: Option<i64>,
    pub sent_by_name: &'a str,
    pub sent_at: i64,
}

pub(crate) async fn insert_sent(ex: &mut impl Exec, r: &NewSent<'_>) -> AppResult<i64> {
    Ok(ex
        .scalar_i64(
            q("INSERT INTO verifications (channel, state, requester_org_id, issuer_org_id, proof_item_id, proof_item_name, \
               template_id, subject_kind, subject_id, subject_name_enc, subject_code_enc, subject_name_masked, pii_key_version, \
               facts, case_ref, case_id, purpose, \
               catalogue_class, deadline_class, deadline_period, sent_by, sent_by_name, sent_at, updated_at) \
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id")
            .bind(Channel::System.as_str())
            .bind(State::Registered.as_str())
            .bind(r.requester_org_id)
            .bind(r.issuer_org_id)
            .bind(r.proof_item_id)
            .bind(r.proof_item_name)
            .bind(r.template_id)
            .bind(r.subject_kind.as_str())
            .bind(r.subject_id)
            .bind(r.subject.name_enc.as_str())
            .bind(r.subject.code_enc.as_str())
            .bind(r.subject.name_masked.as_str())
            .bind(r.subject.key_version)
            .bind(r.facts)
            .bind(r.case_ref)
            .bind(r.case_id)
            .bind(r.purpose)
            .bind(r.class_code.as_str())
            .bind(r.class_code.as_str())
            .bind(r.period.to_string())
            .bind(r.sent_by)
            .bind(r.sent_by_name)
            .bind(r.sent_at)
            .bind(r.sent_at),
        )
        .await?)
}

/// A request done by fax, e-mail or the office system, recorded answered (A2 §3).
pub(crate) struct NewOffline<'a> {
    pub sent: NewSent<'a>,
    pub channel: Channel,
    pub outcome: Outcome,
    pub records_say: Option<&'a str>,
    pub answered_by_name: &'a str,
    pub offline_ref: &'a str,
    pub recorded_at: i64,
}

pub(crate) async fn insert_offline(ex: &mut impl Exec, r: &NewOffline<'_>) -> AppResult<i64> {
    let s = &r.sent;
    Ok(ex
        .scalar_i64(
            q("INSERT INTO verifications (channel, state, requester_org_id, issuer_org_id, proof_item_id, proof_item_name, \
               template_id, subject_kind, subject_id, subject_name_enc, subject_code_enc, subject_name_masked, pii_key_version, \
               facts, case_ref, purpose, \
               catalogue_class, deadline_class, deadline_period, sent_by, sent_by_name, sent_at, outcome, records_say, \
               answered_by_name, answered_at, no_secret_confirmed, offline_ref, updated_at) \
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id")
            .bind(r.channel.as_str())
            .bind(State::Answered.as_str())
            .bind(s.requester_org_id)
            .bind(s.issuer_org_id)
            .bind(s.proof_item_id)
            .bind(s.proof_item_name)
            .bind(s.template_id)
            .bind(s.subject_kind.as_str())
            .bind(s.subject_id)
            .bind(s.subject.name_enc.as_str())
            .bind(s.subject.code_enc.as_str())
            .bind(s.subject.name_masked.as_str())
            .bind(s.subject.key_version)
            .bind(s.facts)
            .bind(s.case_ref)
            .bind(s.purpose)
            .bind(s.class_code.as_str())
            .bind(s.class_code.as_str())
            .bind(s.period.to_string())
            .bind(s.sent_by)
            .bind(s.sent_by_name)
            .bind(s.sent_at)
            .bind(r.outcome.as_str())
            .bind(r.records_say)
            .bind(r.answered_by_name)
            .bind(s.sent_at)
            .bind(true)
            .bind(r.offline_ref)
            .bind(r.recorded_at),
        )
        .await?)
}

pub(crate) async fn set_deadline(
    ex: &mut impl Exec,
    id: i64,
    deadline_id: i64,
    due_at: Option<i64>,
) -> AppResult<()> {
    ex.execute(
        q("UPDATE verifications SET deadline_id = ?, due_at = ? WHERE id = ?")
            .bind(deadline_id)
            .bind(due_at)
            .bind(id),
    )
    .await?;
    Ok(())
}

/// The issuer's new class, its reason and the deadline opened under it (A2 §7).
pub(crate) struct Reclassified<'a> {
    pub id: i64,
    pub class_code: ClassCode,
    pub period: Period,
    pub reason: &'a str,
    pub deadline_id: i64,
    pub due_at: Option<i64>,
    pub now: i64,
}

pub(crate) async fn set_reclassified(ex: &mut impl Exec, r: &Reclassified<'_>) -> AppResult<()> {
    ex.execute(
        q("UPDATE verifications SET deadline_class = ?, deadline_period = ?, reclass_reason = ?, deadline_id = ?, \
           due_at = ?, reclassified_at = ?, updated_at = ?, version = version + 1 WHERE id = ?")
        .bind(r.class_code.as_str())
        .bind(r.period.to_string())
        .bind(r.reason)
        .bind(r.deadline_id)
        .bind(r.due_at)
        .bind(r.now)
        .bind(r.now)
        .bind(r.id),
    )
    .await?;
    Ok(())
}

/// The issuer's sealed answer, applied only to the version it was written from.
pub(crate) struct Answered<'a> {
    pub id: i64,
    pub version: i64,
    pub outcome: Outcome,
    /// JSON object text.
    pub answer: &'a str,
    pub records_say: Option<&'a str>,
    pub answered_by_name: &'a str,
    pub late: bool,
    pub sealed_id: &'a str,
    pub now: i64,
}

/// Rows changed: 0 when someone changed the request meanwhile.
pub(crate) async fn set_answered(ex: &mut impl Exec, r: &Answered<'_>) -> AppResult<u64> {
    Ok(ex
        .execute(
            q("UPDATE verifications SET state = ?, outcome = ?, answer = ?, records_say = ?, answered_by_name = ?, \
               answered_at = ?, answered_late = ?, sealed_id = ?, updated_at = ?, version = version + 1 \
               WHERE id = ? AND state = ? AND version = ?")
            .bind(State::Answered.as_str())
            .bind(r.outcome.as_str())
            .bind(r.answer)
            .bind(r.records_say)
            .bind(r.answered_by_name)
            .bind(r.now)
            .bind(r.late)
            .bind(r.sealed_id)
            .bind(r.now)
            .bind(r.id)
            .bind(State::Registered.as_str())
            .bind(r.version),
        )
        .await?)
}

/// The return; `late` when it came after the due instant (SPEC R5.3).
pub(crate) async fn set_returned(
    ex: &mut impl Exec,
    id: i64,
    reason: &str,
    (by, late): (&str, bool),
    now: i64,
) -> AppResult<()> {
    ex.execute(
        q("UPDATE verifications SET state = ?, return_reason = ?, answered_by_name = ?, answered_at = ?, \
           returned_late = ?, updated_at = ?, version = version + 1 WHERE id = ? AND state = ?")
        .bind(State::Returned.as_str())
        .bind(reason)
        .bind(by)
        .bind(now)
        .bind(late)
        .bind(now)
        .bind(id)
        .bind(State::Registered.as_str()),
    )
    .await?;
    Ok(())
}

/// Rows changed: 0 when already reported or no longer registered.
pub(crate) async fn set_reported(
    ex: &mut impl Exec,
    id: i64,
    by: &str,
    auto: bool,
    now: i64,
) -> AppResult<u64> {
    Ok(ex
        .execute(
            q("UPDATE verifications SET reported_at = ?, reported_by_name = ?, report_auto = ?, updated_at = ?, \
               version = version + 1 WHERE id = ? AND reported_at IS NULL AND state = ?")
            .bind(now)
            .bind(by)
            .bind(auto)
            .bind(now)
            .bind(id)
            .bind(State::Registered.as_str()),
        )
        .await?)
}

/// The joint office's order: the new limit becomes the due instant (A2 §11).
pub(crate) async fn set_ordered(
    ex: &mut impl Exec,
    id: i64,
    finish_by: i64,
    text: &str,
    now: i64,
) -> AppResult<()> {
    ex.execute(
        // The request's own due instant stays: an order does not hide the lateness (A2 §11).
        q("UPDATE verifications SET ordered_at = ?, order_due_at = ?, order_text = ?, updated_at = ?, \
           version = version + 1 WHERE id = ?")
        .bind(now)
        .bind(finish_by)
        .bind(text)
        .bind(now)
        .bind(id),
    )
    .await?;
    Ok(())
}

pub(crate) async fn set_summoned(
    ex: &mut impl Exec,
    id: i64,
    text: &str,
    now: i64,
) -> AppResult<()> {
    ex.execute(
        q("UPDATE verifications SET summon_at = ?, summon_text = ?, updated_at = ?, version = version + 1 WHERE id = ?")
            .bind(now)
            .bind(text)
            .bind(now)
            .bind(id),
    )
    .await?;
    Ok(())
}

/// Registered, unreported requests with a due instant, after `after`, 500 at a time.
pub(crate) async fn open_unreported(
    ex: &mut impl Exec,
    after: i64,
    sent_since: i64,
) -> AppResult<Vec<(i64, i64)>> {
    Ok(ex
        .fetch_all(
            q(
                "SELECT id, due_at FROM verifications WHERE state = ? AND reported_at IS NULL \
               AND due_at IS NOT NULL AND id > ? AND sent_at >= ? ORDER BY id LIMIT 500",
            )
            .bind(State::Registered.as_str())
            .bind(after)
            .bind(sent_since),
        )
        .await?)
}

// ---------------------------------------------------------------------------------------
// History

/// One step of the history, by whom and for which unit.
pub(crate) struct NewEvent<'a> {
    pub verification_id: i64,
    pub at: i64,
    pub kind: EventKind,
    pub actor_name: &'a str,
    pub org_name: &'a str,
    pub text: &'a str,
}

pub(crate) async fn insert_event(ex: &mut impl Exec, e: &NewEvent<'_>) -> AppResult<()> {
    ex.execute(
        q("INSERT INTO verification_events (verification_id, at, kind, actor_name, org_name, text) VALUES (?, ?, ?, ?, ?, ?)")
            .bind(e.verification_id)
            .bind(e.at)
            .bind(e.kind.as_str())
            .bind(e.actor_name)
            .bind(e.org_name)
            .bind(e.text),
    )
    .await?;
    Ok(())
}

/// Whether anything but the sending is in the request's history (A2 §7: reclassification
/// comes first, on registering).
pub(crate) async fn acted_on(ex: &mut impl Exec, id: i64) -> AppResult<bool> {
    let n = ex
        .scalar_i64(
            q("SELECT COUNT(*) FROM verification_events WHERE verification_id = ? AND kind <> ?")
                .bind(id)
                .bind(EventKind::Send.as_str()),
        )
        .await?;
    Ok(n > 0)
}

pub(crate) async fn events(ex: &mut impl Exec, id: i64) -> AppResult<Vec<Event>> {
    Ok(ex
        .fetch_all(
            q("SELECT id, at, kind, actor_name, org_name, text FROM verification_events WHERE verification_id = ? ORDER BY id")
                .bind(id),
        )
        .await?)
}

// ---------------------------------------------------------------------------------------
// Ledger (A2 §8, §9)

pub(crate) struct NewLedger<'a> {
    pub org_id: i64,
    pub verification_id: Option<i64>,
    pub kind: LedgerKind,
    pub subject_kind: SubjectKind,
    pub subject_id: i64,
    /// The subject's name encrypted at rest, and masked (issue #16 item 9).
    pub subject_name_enc: &'a str,
    pub subject_name_masked: &'a str,
    pub key_version: i64,
    pub proof_item_id: i64,
    pub proof_item_name: &'a str,
    pub case_ref: &'a str,
    pub what: &'a str,
    pub why: &'a str,
    pub recorded_by_name: &'a str,
    pub at: i64,
}

pub(crate) async fn insert_ledger(ex: &mut impl Exec, r: &NewLedger<'_>) -> AppResult<i64> {
    Ok(ex
        .scalar_i64(
            q("INSERT INTO verification_ledger (org_id, verification_id, kind, subject_kind, subject_id, subject_name_enc, \
               subject_name_masked, pii_key_version, proof_item_id, proof_item_name, case_ref, what, why, recorded_by_name, at) \
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id")
            .bind(r.org_id)
            .bind(r.verification_id)
            .bind(r.kind.as_str())
            .bind(r.subject_kind.as_str())
            .bind(r.subject_id)
            .bind(r.subject_name_enc)
            .bind(r.subject_name_masked)
            .bind(r.key_version)
            .bind(r.proof_item_id)
            .bind(r.proof_item_name)
            .bind(r.case_ref)
            .bind(r.what)
            .bind(r.why)
            .bind(r.recorded_by_name)
            .bind(r.at),
        )
        .await?)
}

pub(crate) async fn ledger_entry(ex: &mut impl Exec, id: i64) -> AppResult<LedgerEntry> {
    Ok(ex
        .fetch_one(q(format!("{LEDGER_COLS} WHERE id = ?")).bind(id))
        .await?)
}

pub(crate) async fn ledger_of(
    ex: &mut impl Exec,
    verification_id: i64,
) -> AppResult<Vec<LedgerEntry>> {
    Ok(ex
        .fetch_all(
            q(format!(
                "{LEDGER_COLS} WHERE verification_id = ? ORDER BY id"
            ))
            .bind(verification_id),
        )
        .await?)
}

/// A page of a unit's ledger, newest first, and how many entries it has (issue #16 §8).
pub(crate) async fn unit_ledger(
    ex: &mut impl Exec,
    org_id: i64,
    (limit, offset): (i64, i64),
) -> AppResult<(Vec<LedgerEntry>, i64)> {
    let total = ex
        .scalar_i64(q("SELECT COUNT(*) FROM verification_ledger WHERE org_id = ?").bind(org_id))
        .await?;
    let rows = ex
        .fetch_all(
            q(format!(
                "{LEDGER_COLS} WHERE org_id = ? ORDER BY id DESC LIMIT ? OFFSET ?"
            ))
            .bind(org_id)
            .bind(limit)
            .bind(offset),
        )
        .await?;
    Ok((rows, total))
}

// ---------------------------------------------------------------------------------------
// Subjects (persons and entities)

// A person's identifiers are encrypted at rest (issue #16 item 9): persons are found and
// registered through `applicants`, which holds the keys.

/// The registered subject of a code: its id and name.
pub(crate) async fn find_subject(
    app: &crate::App,
    ex: &mut impl Exec,
    code: &SubjectCode,
) -> AppResult<Option<(i64, String)>> {
    match code {
        SubjectCode::Person(rid) => crate::applicants::person_by_resident_id_in(app, ex, rid).await,
        SubjectCode::Entity(c) => Ok(ex
            .fetch_optional(
                q("SELECT id, name FROM entities WHERE credit_code = ?").bind(c.as_str()),
            )
            .await?),
    }
}

pub(crate) async fn insert_subject(
    app: &crate::App,
    ex: &mut impl Exec,
    code: &SubjectCode,
    name: &str,
    now: i64,
) -> AppResult<i64> {
    match code {
        SubjectCode::Person(rid) => crate::applicants::insert_person_in(app, ex, rid, name, now).await,
        SubjectCode::Entity(c) => Ok(ex
            .scalar_i64(
                q("INSERT INTO entities (credit_code, name, created_at) VALUES (?, ?, ?) RETURNING id")
                    .bind(c.as_str())
                    .bind(name)
                    .bind(now),
            )
            .await?),
    }
}

// ---------------------------------------------------------------------------------------
// Settings, deadlines and duty posts

pub(crate) async fn deadline_running(ex: &mut impl Exec, deadline_id: i64) -> AppResult<bool> {
    let state: Option<(String,)> = ex
        .fetch_optional(q("SELECT state FROM deadlines WHERE id = ?").bind(deadline_id))
        .await?;
    Ok(state.is_some_and(|(s,)| s != proofless_domain::deadline::DeadlineState::Done.as_str()))
}

/// One duty post of a unit (A2 §6): A, B and whether A is marked absent.
#[derive(Debug, Clone, Copy, serde::Deserialize)]
pub(crate) struct DutyPost {
    pub a_staff_id: i64,
    pub b_staff_id: Option<i64>,
    pub a_absent: bool,
}

pub(crate) async fn duty_posts(ex: &mut impl Exec, org_id: i64) -> AppResult<Vec<DutyPost>> {
    Ok(ex
        .fetch_all(
            q("SELECT a_staff_id, b_staff_id, a_absent FROM duty_posts WHERE org_id = ?")
                .bind(org_id),
        )
        .await?)
}
