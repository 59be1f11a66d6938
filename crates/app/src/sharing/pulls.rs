//! Entitled pulls (issue #18 §3; R3.2, A2 §12, R5.9): a unit pulls by applicant + proof item
//! + case + purpose. Refused unless the published list entitles the unit for that item and
//! service; released only with the applicant's consent; every pull, allowed or refused, is
//! an audit row about the applicant (their access log) with unit, purpose and case.

use proofless_domain::catalogue::ReplacementMethod;
use proofless_domain::role::Role;
use proofless_domain::sharing::{self as rules, ConsentChannel, PullOutcome, SharingSource};
use serde_json::{Map, Value as Json, json};

use super::connector;
use super::consent::{case_consent, check_code};
use super::input::{PullCommand, PullInput};
use super::list::fields_of;
use super::records::{FieldValue, Pull};
use super::repo::{self, NewPull, PullRow, VersionRow};
use crate::App;
use crate::actor::Actor;
use crate::audit::{self, Entry};
use crate::error::{AppError, AppResult};
use crate::password::random_token;

/// Who pulls for a case.
const PULLERS: [Role; 4] = [
    Role::CounterClerk,
    Role::Liaison,
    Role::ProxyAgent,
    Role::UnitAdmin,
];

/// What a source answered.
pub(super) enum Fetched {
    Found {
        data: Map<String, Json>,
        eproof_id: Option<i64>,
    },
    NotFound(String),
    Mismatch(String),
    Unavailable(String),
}

/// Stored data labelled by the item's published template.
pub(super) async fn labelled(
    app: &App,
    item: i64,
    data: Option<&str>,
) -> AppResult<Vec<FieldValue>> {
    let Some(data) = data else { return Ok(vec![]) };
    let data: Map<String, Json> = serde_json::from_str(data).unwrap_or_default();
    // An archived case released as proof (SPEC R6.2) has the archive's fields, not the
    // template's: labelled by the archive.
    let fields: Vec<(String, String)> = if crate::archive::is_archive_proof(&data) {
        crate::archive::PROOF_FIELDS
            .iter()
            .map(|(k, l)| ((*k).to_owned(), (*l).to_owned()))
            .collect()
    } else {
        match repo::published_of_item(&mut app.db.reader(), item).await? {
            Some(v) => fields_of(&v)?
                .into_iter()
                .map(|f| (f.key, f.label))
                .collect(),
            None => vec![],
        }
    };
    Ok(fields
        .into_iter()
        .map(|(key, label)| FieldValue {
            value: match data.get(&key) {
                Some(Json::String(s)) => s.clone(),
                Some(Json::Bool(true)) => "是".into(),
                Some(Json::Bool(false)) => "否".into(),
                Some(Json::Null) | None => String::new(),
                Some(v) => v.to_string(),
            },
            key,
            label,
        })
        .collect())
}

pub(super) async fn to_view(app: &App, r: PullRow, with_data: bool) -> AppResult<Pull> {
    let released = r.outcome == PullOutcome::Released;
    let data = if with_data && released {
        labelled(app, r.proof_item_id, r.preview.as_deref()).await?
    } else {
        vec![]
    };
    let fallbacks = if released {
        vec![]
    } else {
        crate::catalogue::public::item(app, r.proof_item_id)
            .await
            .map(|i| {
                i.methods
                    .iter()
                    .filter(|m| **m != ReplacementMethod::DataSharing)
                    .map(|m| m.label().to_owned())
                    .collect()
            })
            .unwrap_or_default()
    };
    Ok(Pull {
        id: r.public_id,
        org_id: r.org_id,
        org_name: r.org_name,
        proof_item_id: r.proof_item_id,
        proof_item_name: r.proof_item_name,
        case_id: r.case_id,
        purpose: r.purpose,
        service_code: r.service_code,
        outcome_label: r.outcome.label().to_owned(),
        next_step: r.outcome.next_step().to_owned(),
        outcome: r.outcome,
        reason: r.reason,
        source: r.source,
        consent_channel: r.consent_channel,
        data,
        extract_code: r.extract_code,
        fallbacks,
        created_at: r.created_at,
        decided_at: r.decided_at,
    })
}

/// Asks the entry's source for the applicant's data.
async fn fetch(
    app: &App,
    entry: &VersionRow,
    person: i64,
    cmd: &PullCommand,
) -> AppResult<Fetched> {
    if let Some(given) = &cmd.subject_name {
        let (_, enc) = repo::person_names(&mut app.db.reader(), person)
            .await?
            .ok_or_else(|| AppError::NotFound("申请人".into()))?;
        if crate::applicants::reveal_name(app, &enc).await? != *given {
            return Ok(Fetched::Mismatch(
                "窗口录入的姓名与该申请人登记的姓名不一致".into(),
            ));
        }
    }
    match entry.source {
        SharingSource::CountyLibrary => Ok(
            match repo::current_of_holder(&mut app.db.reader(), person, cmd.proof_item_id).await? {
                Some(e) => Fetched::Found {
                    data: serde_json::from_str(&e.data).unwrap_or_default(),
                    eproof_id: Some(e.id),
                },
                // SPEC R6.2: an archived case that established the proof serves as one.
                None => match crate::archive::established(app, person, cmd.proof_item_id).await? {
                    Some(data) => Fetched::Found {
                        data,
                        eproof_id: None,
                    },
                    None => {
                        Fetched::NotFound("县电子证照证明库中没有该申请人的有效证照证明".into())
                    }
                },
            },
        ),
        SharingSource::CityPlatform => connector::fetch_city(app, entry, person, true).await,
    }
}

/// Writes a pull (and its audit row about the applicant), consuming the code when given.
async fn record(
    app: &App,
    actor: &Actor,
    base: &NewPull<'_>,
    code: Option<i64>,
) -> AppResult<String> {
    let mut tx = app.db.begin().await?;
    let id = repo::insert_pull(&mut tx, base).await?;
    if let Some(c) = code
        && repo::use_code(&mut tx, c, id, base.now).await? == 0
    {
        return Err(AppError::Conflict(
            "授权码刚刚已被使用，请申请人重新生成".into(),
        ));
    }
    if base.outcome == PullOutcome::Released
        && let Some(e) = base.eproof_id
    {
        let x = super::eproofs::new_short_code();
        repo::insert_extract(&mut tx, &x, e, base.org_id, Some(id), base.now).await?;
        repo::set_extract(&mut tx, id, &x).await?;
    }
    if base.outcome == PullOutcome::SourceUnavailable
        && base.source == Some(SharingSource::CityPlatform)
    {
        enqueue_retry(&mut tx, base.public_id, 1, base.now).await?;
    }
    if base.outcome == PullOutcome::Released {
        resolve_case_proof(&mut tx, actor, base.case_id, base.proof_item_id, base.now).await?;
    }
    audit::append(
        &mut tx,
        actor,
        base.now,
        Entry::new("sharing.pull", "sharing_pull", id)
            .purpose(base.purpose)
            .subject(format!("person:{}", base.person_id))
            .detail(json!({
                "case_id": base.case_id, "proof_item_id": base.proof_item_id,
                "service_code": base.service_code, "outcome": base.outcome.as_str(),
            })),
    )
    .await?;
    tx.commit().await?;
    Ok(base.public_id.to_owned())
}

/// A unit pulls an applicant's data for a case (issue #18 §3).
pub async fn pull(app: &App, actor: &Actor, input: &PullInput) -> AppResult<Pull> {
    actor.require_any(&PULLERS)?;
    let org = actor
        .org_id
        .ok_or_else(|| AppError::forbidden("须以办件单位的身份调取"))?;
    let cmd = input.parse()?;
    let person = crate::applicants::person_id_of(app, &cmd.subject_id)
        .await
        .map_err(|_| AppError::field("subject_id", "申请人不存在"))?;
    let entry = repo::published_of_item(&mut app.db.reader(), cmd.proof_item_id)
        .await?
        .ok_or_else(|| AppError::field("proof_item_id", "该证明事项不在已公布的数据共享清单中"))?;
    if !repo::case_exists(&mut app.db.reader(), cmd.case_id).await? {
        return Err(AppError::field(
            "case_id",
            format!("办件 {} 不存在", cmd.case_id),
        ));
    }
    let public_id = random_token(16);
    let mut base = NewPull {
        public_id: &public_id,
        org_id: org,
        proof_item_id: cmd.proof_item_id,
        person_id: person,
        case_id: cmd.case_id,
        purpose: &cmd.purpose,
        service_code: &cmd.service_code,
        outcome: PullOutcome::Refused,
        reason: "",
        source: Some(entry.source),
        eproof_id: None,
        preview: None,
        consent_channel: None,
        by: &actor.name,
        now: app.now_ms(),
    };
    if !repo::entitled(
        &mut app.db.reader(),
        cmd.proof_item_id,
        org,
        &cmd.service_code,
    )
    .await?
    {
        let why = format!(
            "无权调取：本单位未被数据共享清单授权为事项“{}”调取该数据（附件2第十二条：数据只能用于本单位依职责办理的事项）",
            cmd.service_code
        );
        base.reason = &why;
        record(app, actor, &base, None).await?;
        return Err(AppError::forbidden(why));
    }
    let code = match &cmd.consent_code {
        None => None,
        Some(c) => match check_code(app, person, org, cmd.proof_item_id, c).await? {
            Ok(id) => Some(id),
            Err(why) => {
                base.reason = &why;
                record(app, actor, &base, None).await?;
                return Err(AppError::forbidden(why));
            }
        },
    };
    let fetched = fetch(app, &entry, person, &cmd).await?;
    let preview;
    let reason: String;
    match fetched {
        Fetched::Found { data, eproof_id } => {
            preview = Json::Object(data).to_string();
            base.preview = Some(&preview);
            base.eproof_id = eproof_id;
            if code.is_some() {
                base.outcome = PullOutcome::Released;
                base.consent_channel = Some(ConsentChannel::Code);
                reason = "申请人以一次性授权码同意提供".into();
            } else if case_consent(app, person, cmd.case_id, org, cmd.proof_item_id).await? {
                base.outcome = PullOutcome::Released;
                base.consent_channel = Some(ConsentChannel::Case);
                reason = "申请人已在办事门户对本办件的数据共享一次授权".into();
            } else {
                base.outcome = PullOutcome::AwaitingConsent;
                reason = "已查到数据，等待申请人预览确认".into();
            }
        }
        Fetched::NotFound(why) => (base.outcome, reason) = (PullOutcome::NotFound, why),
        Fetched::Mismatch(why) => (base.outcome, reason) = (PullOutcome::IdentityMismatch, why),
        Fetched::Unavailable(why) => (base.outcome, reason) = (PullOutcome::SourceUnavailable, why),
    }
    base.reason = &reason;
    // A code not used (nothing to release) stays usable.
    let use_code = if base.outcome == PullOutcome::Released {
        code
    } else {
        None
    };
    let id = record(app, actor, &base, use_code).await?;
    let row = repo::pull(&mut app.db.reader(), &id)
        .await?
        .ok_or_else(|| AppError::NotFound("数据调取请求".into()))?;
    to_view(app, row, true).await
}

/// One pull, for the unit that made it (the released data with it).
pub async fn get_pull(app: &App, actor: &Actor, id: &str) -> AppResult<Pull> {
    actor.require_staff()?;
    let r = repo::pull(&mut app.db.reader(), id)
        .await?
        .filter(|r| actor.org_id == Some(r.org_id) || actor.kind == crate::ActorKind::System)
        .ok_or_else(|| AppError::NotFound("数据调取请求".into()))?;
    to_view(app, r, true).await
}

/// The unit's pulls, newest first (no data; not audited).
pub async fn pulls_of_unit(
    app: &App,
    actor: &Actor,
    limit: i64,
    offset: i64,
) -> AppResult<(Vec<Pull>, i64)> {
    actor.require_staff()?;
    let org = actor
        .org_id
        .ok_or_else(|| AppError::forbidden("须以单位工作人员身份查看"))?;
    let (rows, total) = repo::of_org(
        &mut app.db.reader(),
        org,
        limit.clamp(1, 200),
        offset.max(0),
    )
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(to_view(app, r, false).await?);
    }
    Ok((out, total))
}

/// A released proof resolves the case's proof (SPEC R3.2, R6.1) in the pull's transaction.
/// A case whose list does not name this proof for data sharing keeps the pull on record
/// without resolving anything. `actor` acts for the case's unit (the pulling clerk, or the
/// system when the applicant consents on the portal).
pub(super) async fn resolve_case_proof(
    tx: &mut proofless_store::Tx,
    actor: &Actor,
    case_id: i64,
    proof_item_id: i64,
    now: i64,
) -> AppResult<()> {
    // The pull row names the case and the proof; the evidence the case page shows is words.
    let evidence = "已通过数据共享调取申请人授权的电子证照";
    match crate::cases::resolve_shared(tx, actor, case_id, proof_item_id, evidence, now).await {
        Ok(()) | Err(AppError::Validation(_)) => Ok(()),
        Err(e) => Err(e),
    }
}

/// Job kind of a durable retry of a pull whose city source was unavailable (issue #18 §3, §4).
pub const KIND_CITY_RETRY: &str = "sharing.city_retry";

async fn enqueue_retry(
    tx: &mut proofless_store::Tx,
    pull_public_id: &str,
    n: u32,
    now: i64,
) -> AppResult<()> {
    crate::jobs::enqueue_in(
        tx,
        KIND_CITY_RETRY,
        &format!("{KIND_CITY_RETRY}:{pull_public_id}:{n}"),
        now + rules::retry_delay_ms(n),
        &json!({ "pull": pull_public_id, "n": n }),
        now,
    )
    .await
}

/// A durable retry: one more attempt at the city platform for a pull that found it
/// unavailable. Found data waits for the applicant's consent (or is released under a case
/// consent); another failure enqueues the next retry with a longer delay, and after
/// [`rules::CITY_RETRY_JOBS`] the failure is final: recorded on the pull, audited, and the
/// pulling unit notified to fall back to verification or commitment.
pub async fn run_city_retry(
    tx: &mut proofless_store::Tx,
    app: &App,
    payload: &Json,
    now: i64,
) -> AppResult<bool> {
    let id = payload["pull"].as_str().unwrap_or_default();
    let n = payload["n"].as_u64().unwrap_or(1).clamp(1, 100) as u32;
    let Some(r) = repo::pull(&mut *tx, id).await? else {
        return Ok(false);
    };
    if r.outcome != PullOutcome::SourceUnavailable
        || repo::pull_retries(&mut *tx, r.id).await? >= i64::from(n)
    {
        return Ok(false);
    }
    let Some(entry) = repo::published_of_item(&mut *tx, r.proof_item_id).await? else {
        return Ok(false);
    };
    if entry.source != SharingSource::CityPlatform {
        return Ok(false);
    }
    let system = Actor::system(&format!("jobs:{KIND_CITY_RETRY}"));
    let fetched = connector::fetch_city(app, &entry, r.person_id, false).await?;
    let preview;
    let (outcome, reason, data): (PullOutcome, String, Option<&str>) = match fetched {
        Fetched::Found { data, .. } => {
            preview = Json::Object(data).to_string();
            if case_consent(app, r.person_id, r.case_id, r.org_id, r.proof_item_id).await? {
                (
                    PullOutcome::Released,
                    "自动重试取得数据；申请人已对本办件一次授权".into(),
                    Some(preview.as_str()),
                )
            } else {
                (
                    PullOutcome::AwaitingConsent,
                    "自动重试取得数据，等待申请人预览确认".into(),
                    Some(preview.as_str()),
                )
            }
        }
        Fetched::NotFound(why) => (PullOutcome::NotFound, why, None),
        Fetched::Mismatch(why) => (PullOutcome::IdentityMismatch, why, None),
        Fetched::Unavailable(why) if n < rules::CITY_RETRY_JOBS => {
            repo::retry_result(
                &mut *tx,
                r.id,
                PullOutcome::SourceUnavailable,
                &format!("{why}（自动重试第{n}次失败，稍后再试）"),
                None,
                i64::from(n),
                now,
            )
            .await?;
            enqueue_retry(tx, id, n + 1, now).await?;
            audit::append(
                tx,
                &system,
                now,
                Entry::new("sharing.pull.retry", "sharing_pull", r.id)
                    .subject(format!("person:{}", r.person_id))
                    .detail(json!({ "attempt": n, "ok": false })),
            )
            .await?;
            return Ok(true);
        }
        Fetched::Unavailable(why) => (
            PullOutcome::SourceUnavailable,
            format!("{why}（已自动重试{n}次仍失败，请改用部门核验或告知承诺）"),
            None,
        ),
    };
    if repo::retry_result(&mut *tx, r.id, outcome, &reason, data, i64::from(n), now).await? == 0 {
        return Ok(false);
    }
    let final_failure = outcome == PullOutcome::SourceUnavailable;
    if final_failure {
        // Not final in the state machine (the counter may pull again), but no retry follows.
        // The unit is sent to the pull's page, where the fallbacks are one click away.
        let case_no = repo::case_no_of(&mut *tx, r.case_id)
            .await?
            .unwrap_or_else(|| r.case_id.to_string());
        crate::notifications::insert_in(
            tx,
            &crate::notifications::Recipient::Org(r.org_id),
            proofless_domain::notification::NotificationKind::CityRetry,
            &format!(
                "【数据调取失败】办件 {case_no} 的“{}”经{n}次自动重试仍无法从市共享交换平台取得，请改用部门核验或告知承诺。",
                r.proof_item_name
            ),
            &format!("/sharing/pulls/{id}"),
            &format!("{KIND_CITY_RETRY}:{id}:final"),
            now,
        )
        .await?;
    }
    if outcome == PullOutcome::Released {
        resolve_case_proof(tx, &system, r.case_id, r.proof_item_id, now).await?;
    }
    audit::append(
        tx,
        &system,
        now,
        Entry::new(
            if final_failure {
                "sharing.pull.retry_failed"
            } else {
                "sharing.pull.retry"
            },
            "sharing_pull",
            r.id,
        )
        .purpose(&r.purpose)
        .subject(format!("person:{}", r.person_id))
        .detail(json!({ "attempt": n, "outcome": outcome.as_str(), "case_id": r.case_id })),
    )
    .await?;
    Ok(true)
}

/// A case named by its number (办件编号) or its id, as the pull page is linked.
pub async fn case_ref(app: &App, actor: &Actor, r: &str) -> AppResult<i64> {
    actor.require_staff()?;
    let r = r.trim();
    if let Ok(id) = r.parse::<i64>() {
        return Ok(id);
    }
    if r.is_empty() || r.chars().count() > 40 {
        return Err(AppError::field("case", "办件编号无效"));
    }
    repo::case_id_by_no(&mut app.db.reader(), r)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("办件 {r}")))
}
