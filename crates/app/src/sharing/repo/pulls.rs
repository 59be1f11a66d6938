//! Pulls, one-time consent codes, sources and outside-city requests.

use proofless_domain::sharing::{ConsentChannel, OutsideState, PullOutcome, SharingSource};
use proofless_store::{Exec, q};
use serde::Deserialize;

use crate::error::AppResult;

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct PullRow {
    pub id: i64,
    pub public_id: String,
    pub org_id: i64,
    pub org_name: String,
    pub proof_item_id: i64,
    pub proof_item_name: String,
    pub person_id: i64,
    pub case_id: i64,
    pub purpose: String,
    pub service_code: String,
    pub outcome: PullOutcome,
    pub reason: String,
    pub source: Option<SharingSource>,
    pub eproof_id: Option<i64>,
    pub preview: Option<String>,
    pub consent_channel: Option<ConsentChannel>,
    pub extract_code: Option<String>,
    pub created_at: i64,
    pub decided_at: Option<i64>,
}

const COLS: &str = "SELECT p.id, p.public_id, p.org_id, o.name AS org_name, p.proof_item_id, i.name AS proof_item_name, \
    p.person_id, p.case_id, p.purpose, p.service_code, p.outcome, p.reason, p.source, p.eproof_id, p.preview, \
    p.consent_channel, p.extract_code, p.created_at, p.decided_at FROM sharing_pulls p \
    JOIN orgs o ON o.id = p.org_id JOIN proof_items i ON i.id = p.proof_item_id";

pub(crate) async fn pull(ex: &mut impl Exec, public_id: &str) -> AppResult<Option<PullRow>> {
    Ok(ex
        .fetch_optional(q(format!("{COLS} WHERE p.public_id = ?")).bind(public_id))
        .await?)
}

pub(crate) async fn awaiting_of_person(ex: &mut impl Exec, person: i64) -> AppResult<Vec<PullRow>> {
    Ok(ex
        .fetch_all(
            q(format!(
                "{COLS} WHERE p.person_id = ? AND p.outcome = 'awaiting_consent' ORDER BY p.id DESC LIMIT 100"
            ))
            .bind(person),
        )
        .await?)
}

pub(crate) async fn of_org(
    ex: &mut impl Exec,
    org: i64,
    limit: i64,
    offset: i64,
) -> AppResult<(Vec<PullRow>, i64)> {
    let total = ex
        .scalar_i64(q("SELECT COUNT(*) FROM sharing_pulls WHERE org_id = ?").bind(org))
        .await?;
    let rows = ex
        .fetch_all(
            q(format!(
                "{COLS} WHERE p.org_id = ? ORDER BY p.id DESC LIMIT ? OFFSET ?"
            ))
            .bind(org)
            .bind(limit)
            .bind(offset),
        )
        .await?;
    Ok((rows, total))
}

pub(crate) struct NewPull<'a> {
    pub public_id: &'a str,
    pub org_id: i64,
    pub proof_item_id: i64,
    pub person_id: i64,
    pub case_id: i64,
    pub purpose: &'a str,
    pub service_code: &'a str,
    pub outcome: PullOutcome,
    pub reason: &'a str,
    pub source: Option<SharingSource>,
    pub eproof_id: Option<i64>,
    pub preview: Option<&'a str>,
    pub consent_channel: Option<ConsentChannel>,
    pub by: &'a str,
    pub now: i64,
}

pub(crate) async fn insert_pull(ex: &mut impl Exec, p: &NewPull<'_>) -> AppResult<i64> {
    let decided = p.outcome.is_final().then_some(p.now);
    Ok(ex
        .scalar_i64(
            q("INSERT INTO sharing_pulls (public_id, org_id, proof_item_id, person_id, case_id, purpose, service_code, \
               outcome, reason, source, eproof_id, preview, consent_channel, created_by, created_at, decided_at) \
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id")
            .bind(p.public_id)
            .bind(p.org_id)
            .bind(p.proof_item_id)
            .bind(p.person_id)
            .bind(p.case_id)
            .bind(p.purpose)
            .bind(p.service_code)
            .bind(p.outcome.as_str())
            .bind(p.reason)
            .bind(p.source.map(|s| s.as_str()))
            .bind(p.eproof_id)
            .bind(p.preview)
            .bind(p.consent_channel.map(|c| c.as_str()))
            .bind(p.by)
            .bind(p.now)
            .bind(decided),
        )
        .await?)
}

/// The applicant's decision on a pull awaiting consent; 0 rows when it was decided already.
pub(crate) async fn decide(
    ex: &mut impl Exec,
    id: i64,
    outcome: PullOutcome,
    reason: &str,
    keep_preview: bool,
    now: i64,
) -> AppResult<u64> {
    let sql = if keep_preview {
        "UPDATE sharing_pulls SET outcome = ?, reason = ?, consent_channel = 'portal', decided_at = ? \
         WHERE id = ? AND outcome = 'awaiting_consent'"
    } else {
        "UPDATE sharing_pulls SET outcome = ?, reason = ?, consent_channel = 'portal', decided_at = ?, preview = NULL \
         WHERE id = ? AND outcome = 'awaiting_consent'"
    };
    Ok(ex
        .execute(
            q(sql)
                .bind(outcome.as_str())
                .bind(reason)
                .bind(now)
                .bind(id),
        )
        .await?)
}

pub(crate) async fn set_extract(ex: &mut impl Exec, pull: i64, code: &str) -> AppResult<()> {
    ex.execute(
        q("UPDATE sharing_pulls SET extract_code = ? WHERE id = ?")
            .bind(code)
            .bind(pull),
    )
    .await?;
    Ok(())
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct CodeRow {
    pub id: i64,
    pub org_id: i64,
    pub proof_item_id: i64,
    pub salt: String,
    pub code_sm3: String,
    pub expires_at: i64,
    pub used_at: Option<i64>,
}

/// The person's codes of the last day (expired and used ones too, to say why one fails).
pub(crate) async fn codes_of(
    ex: &mut impl Exec,
    person: i64,
    since: i64,
) -> AppResult<Vec<CodeRow>> {
    Ok(ex
        .fetch_all(
            q("SELECT id, org_id, proof_item_id, salt, code_sm3, expires_at, used_at FROM sharing_consent_codes \
               WHERE person_id = ? AND created_at >= ? ORDER BY id DESC")
            .bind(person)
            .bind(since),
        )
        .await?)
}

#[allow(clippy::too_many_arguments)]
pub(crate) async fn insert_code(
    ex: &mut impl Exec,
    person: i64,
    org: i64,
    item: i64,
    salt: &str,
    digest: &str,
    now: i64,
    expires: i64,
) -> AppResult<()> {
    ex.execute(
        q("INSERT INTO sharing_consent_codes (person_id, org_id, proof_item_id, salt, code_sm3, created_at, expires_at) \
           VALUES (?, ?, ?, ?, ?, ?, ?)")
        .bind(person)
        .bind(org)
        .bind(item)
        .bind(salt)
        .bind(digest)
        .bind(now)
        .bind(expires),
    )
    .await?;
    Ok(())
}

/// Uses a code once: 0 rows when someone used it first.
pub(crate) async fn use_code(ex: &mut impl Exec, id: i64, pull: i64, now: i64) -> AppResult<u64> {
    Ok(ex
        .execute(
            q("UPDATE sharing_consent_codes SET used_at = ?, used_by_pull = ? WHERE id = ? AND used_at IS NULL")
                .bind(now)
                .bind(pull)
                .bind(id),
        )
        .await?)
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct SourceRow {
    pub source: String,
    pub base_url: String,
    pub app_id: String,
    pub secret_enc: String,
    pub timeout_ms: i64,
    pub retries: i64,
    pub updated_by: String,
    pub updated_at: i64,
}

pub(crate) async fn source(ex: &mut impl Exec, key: &str) -> AppResult<Option<SourceRow>> {
    Ok(ex
        .fetch_optional(
            q("SELECT source, base_url, app_id, secret_enc, timeout_ms, retries, updated_by, updated_at \
               FROM sharing_sources WHERE source = ?")
            .bind(key),
        )
        .await?)
}

pub(crate) async fn all_sources(ex: &mut impl Exec) -> AppResult<Vec<SourceRow>> {
    Ok(ex
        .fetch_all(q(
            "SELECT source, base_url, app_id, secret_enc, timeout_ms, retries, updated_by, updated_at \
             FROM sharing_sources ORDER BY source",
        ))
        .await?)
}

pub(crate) async fn upsert_source(ex: &mut impl Exec, s: &SourceRow) -> AppResult<()> {
    ex.execute(
        q("INSERT INTO sharing_sources (source, base_url, app_id, secret_enc, timeout_ms, retries, updated_by, updated_at) \
           VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (source) DO UPDATE SET base_url = excluded.base_url, \
           app_id = excluded.app_id, secret_enc = excluded.secret_enc, timeout_ms = excluded.timeout_ms, \
           retries = excluded.retries, updated_by = excluded.updated_by, updated_at = excluded.updated_at")
        .bind(s.source.as_str())
        .bind(s.base_url.as_str())
        .bind(s.app_id.as_str())
        .bind(s.secret_enc.as_str())
        .bind(s.timeout_ms)
        .bind(s.retries)
        .bind(s.updated_by.as_str())
        .bind(s.updated_at),
    )
    .await?;
    Ok(())
}

/// Records a batch nonce; false when it was seen already (a replay).
pub(crate) async fn fresh_nonce(
    ex: &mut impl Exec,
    nonce: &str,
    now: i64,
    window: i64,
) -> AppResult<bool> {
    ex.execute(q("DELETE FROM sharing_nonces WHERE seen_at < ?").bind(now - 2 * window))
        .await?;
    let n = ex
        .execute(
            q("INSERT INTO sharing_nonces (nonce, seen_at) VALUES (?, ?) ON CONFLICT (nonce) DO NOTHING")
                .bind(nonce)
                .bind(now),
        )
        .await?;
    Ok(n == 1)
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct OutsideRow {
    pub id: i64,
    pub person_id: i64,
    pub proof_item_id: i64,
    pub proof_item_name: String,
    pub issuer_org_id: i64,
    pub issuer_name: String,
    pub holder_name_masked: String,
    pub destination: String,
    pub purpose: String,
    pub state: OutsideState,
    pub due_at: i64,
    pub eproof_id: Option<i64>,
    pub eproof_identifier: Option<String>,
    pub refusal_reason: Option<String>,
    pub created_at: i64,
}

const OUTSIDE_COLS: &str = "SELECT r.id, r.person_id, r.proof_item_id, i.name AS proof_item_name, r.issuer_org_id, \
    o.name AS issuer_name, h.name_masked AS holder_name_masked, r.destination, r.purpose, r.state, r.due_at, \
    r.eproof_id, (SELECT e.identifier FROM eproofs e WHERE e.id = r.eproof_id) AS eproof_identifier, \
    r.refusal_reason, r.created_at FROM sharing_outside_requests r JOIN proof_items i ON i.id = r.proof_item_id \
    JOIN orgs o ON o.id = r.issuer_org_id JOIN persons h ON h.id = r.person_id";

pub(crate) async fn outside(ex: &mut impl Exec, id: i64) -> AppResult<Option<OutsideRow>> {
    Ok(ex
        .fetch_optional(q(format!("{OUTSIDE_COLS} WHERE r.id = ?")).bind(id))
        .await?)
}

pub(crate) async fn outside_of_issuer(ex: &mut impl Exec, org: i64) -> AppResult<Vec<OutsideRow>> {
    Ok(ex
        .fetch_all(
            q(format!(
                "{OUTSIDE_COLS} WHERE r.issuer_org_id = ? ORDER BY CASE WHEN r.state = 'pending' THEN 0 ELSE 1 END, r.due_at LIMIT 200"
            ))
            .bind(org),
        )
        .await?)
}

pub(crate) async fn outside_of_person(
    ex: &mut impl Exec,
    person: i64,
) -> AppResult<Vec<OutsideRow>> {
    Ok(ex
        .fetch_all(
            q(format!(
                "{OUTSIDE_COLS} WHERE r.person_id = ? ORDER BY r.id DESC LIMIT 100"
            ))
            .bind(person),
        )
        .await?)
}

#[allow(clippy::too_many_arguments)]
pub(crate) async fn insert_outside(
    ex: &mut impl Exec,
    person: i64,
    item: i64,
    issuer: i64,
    destination: &str,
    purpose: &str,
    due_at: i64,
    now: i64,
) -> AppResult<i64> {
    Ok(ex
        .scalar_i64(
            q("INSERT INTO sharing_outside_requests (person_id, proof_item_id, issuer_org_id, destination, purpose, \
               state, due_at, created_at) VALUES (?, ?, ?, ?, ?, 'pending', ?, ?) RETURNING id")
            .bind(person)
            .bind(item)
            .bind(issuer)
            .bind(destination)
            .bind(purpose)
            .bind(due_at)
            .bind(now),
        )
        .await?)
}

/// Closes a pending request (issued or refused); 0 rows when it was closed already.
pub(crate) async fn close_outside(
    ex: &mut impl Exec,
    id: i64,
    to: OutsideState,
    eproof: Option<i64>,
    reason: Option<&str>,
    by: &str,
    now: i64,
) -> AppResult<u64> {
    Ok(ex
        .execute(
            q("UPDATE sharing_outside_requests SET state = ?, eproof_id = ?, refusal_reason = ?, decided_by = ?, \
               decided_at = ? WHERE id = ? AND state = 'pending'")
            .bind(to.as_str())
            .bind(eproof)
            .bind(reason)
            .bind(by)
            .bind(now)
            .bind(id),
        )
        .await?)
}
