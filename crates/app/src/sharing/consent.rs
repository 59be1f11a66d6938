//! The applicant's consent to a pull (issue #18 §3): a preview of exactly what will be
//! released, then allow or decline on the portal (EU Once-Only), or an 8-digit one-time code
//! for the counter, valid 10 minutes, used once, bound to one unit and one item (Beijing).

use proofless_domain::sharing::{self as rules, PullOutcome};
use proofless_seal::sm3_hex;
use rand::Rng as _;
use serde::Serialize;
use serde_json::json;

use super::input::{CodeInput, DecisionInput};
use super::list::org_name;
use super::pulls::{labelled, to_view};
use super::records::{PendingConsent, Pull};
use super::repo;
use crate::App;
use crate::actor::{Actor, ActorKind};
use crate::audit::{self, Entry};
use crate::error::{AppError, AppResult};
use crate::password::random_token;

/// A code just generated: shown once to the applicant, stored only as a salted digest.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CodeIssued {
    pub code: String,
    pub org_name: String,
    pub proof_item_name: String,
    pub expires_at: i64,
}

fn me(actor: &Actor) -> AppResult<i64> {
    match (actor.kind, actor.id) {
        (ActorKind::Portal, Some(id)) => Ok(id),
        (ActorKind::Anonymous, _) => Err(AppError::Unauthenticated),
        _ => Err(AppError::forbidden("此功能仅限申请人本人在办事门户使用")),
    }
}

fn digest(salt: &str, code: &str) -> String {
    sm3_hex(format!("{salt}:{code}").as_bytes())
}

/// The applicant generates a one-time code for one unit and one item on the portal.
pub async fn create_code(app: &App, actor: &Actor, input: &CodeInput) -> AppResult<CodeIssued> {
    let person = me(actor)?;
    let entry = repo::published_of_item(&mut app.db.reader(), input.proof_item_id)
        .await?
        .ok_or_else(|| AppError::field("proof_item_id", "该证明事项不在已公布的数据共享清单中"))?;
    let grants: Vec<super::records::Grant> =
        serde_json::from_str(&entry.grants).unwrap_or_default();
    if !grants.iter().any(|g| g.org_id == input.org_id) {
        return Err(AppError::field(
            "org_id",
            "该单位不是此证明事项的授权使用单位，不能向其授权",
        ));
    }
    let code: String = {
        let mut rng = rand::thread_rng();
        (0..rules::CONSENT_CODE_DIGITS)
            .map(|_| char::from(b'0' + rng.gen_range(0..10u8)))
            .collect()
    };
    let salt = random_token(8);
    let now = app.now_ms();
    let expires = now + rules::CONSENT_CODE_MINUTES * 60_000;
    let mut tx = app.db.begin().await?;
    repo::insert_code(
        &mut tx,
        person,
        input.org_id,
        input.proof_item_id,
        &salt,
        &digest(&salt, &code),
        now,
        expires,
    )
    .await?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("sharing.consent.code", "proof_item", input.proof_item_id)
            .subject(format!("person:{person}"))
            .detail(json!({ "org_id": input.org_id, "expires_at": expires })),
    )
    .await?;
    tx.commit().await?;
    let item = crate::catalogue::public::item(app, input.proof_item_id).await?;
    Ok(CodeIssued {
        code,
        org_name: org_name(app, input.org_id).await?,
        proof_item_name: item.name.clone(),
        expires_at: expires,
    })
}

/// Checks a code the counter typed: the id of the matching unused code, or why it fails.
pub(super) async fn check_code(
    app: &App,
    person: i64,
    org: i64,
    item: i64,
    code: &str,
) -> AppResult<Result<i64, String>> {
    let now = app.now_ms();
    let rows = repo::codes_of(&mut app.db.reader(), person, now - 24 * 3_600_000).await?;
    let Some(c) = rows
        .into_iter()
        .find(|c| digest(&c.salt, code) == c.code_sm3)
    else {
        return Ok(Err("授权码不正确：请申请人在办事门户重新生成授权码".into()));
    };
    Ok(if c.used_at.is_some() {
        Err("授权码已使用过：每个授权码只能使用一次，请申请人重新生成".into())
    } else if c.expires_at <= now {
        Err(format!(
            "授权码已过期：授权码生成后{}分钟内有效，请申请人重新生成",
            rules::CONSENT_CODE_MINUTES
        ))
    } else if c.org_id != org {
        Err("该授权码不是授予本单位的：授权码只能由申请人指定的单位使用".into())
    } else if c.proof_item_id != item {
        Err("该授权码不是授权调取该证明事项的".into())
    } else {
        Ok(c.id)
    })
}

/// Pulls waiting for the applicant, each with the preview of what would be released.
pub async fn my_pending(app: &App, actor: &Actor) -> AppResult<Vec<PendingConsent>> {
    let person = me(actor)?;
    let rows = repo::awaiting_of_person(&mut app.db.reader(), person).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(PendingConsent {
            preview: labelled(app, r.proof_item_id, r.preview.as_deref()).await?,
            id: r.public_id,
            org_name: r.org_name,
            proof_item_name: r.proof_item_name,
            case_id: r.case_id,
            purpose: r.purpose,
            created_at: r.created_at,
        });
    }
    Ok(out)
}

/// The applicant allows (the data is released to the unit) or declines (the preview is
/// discarded; the unit falls back to verification or commitment).
pub async fn decide(
    app: &App,
    actor: &Actor,
    pull_id: &str,
    input: &DecisionInput,
) -> AppResult<Pull> {
    let person = me(actor)?;
    let r = repo::pull(&mut app.db.reader(), pull_id)
        .await?
        .filter(|r| r.person_id == person)
        .ok_or_else(|| AppError::NotFound("数据调取请求".into()))?;
    let (outcome, reason) = if input.allow {
        (PullOutcome::Released, "申请人在办事门户预览后同意提供")
    } else {
        (PullOutcome::Declined, "申请人在办事门户预览后拒绝提供")
    };
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    if repo::decide(&mut tx, r.id, outcome, reason, input.allow, now).await? == 0 {
        return Err(AppError::Conflict(format!(
            "该请求已{}，不能再次确认",
            r.outcome.label()
        )));
    }
    if input.allow
        && let Some(e) = r.eproof_id
    {
        let code = super::eproofs::new_short_code();
        repo::insert_extract(&mut tx, &code, e, r.org_id, Some(r.id), now).await?;
        repo::set_extract(&mut tx, r.id, &code).await?;
    }
    if input.allow {
        // The applicant's consent releases the proof to the case's unit: the system resolves
        // the case's proof on that unit's behalf.
        let system = Actor::system(&actor.operation_id);
        super::pulls::resolve_case_proof(&mut tx, &system, r.case_id, r.proof_item_id, now).await?;
    }
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new(
            if input.allow {
                "sharing.consent.allow"
            } else {
                "sharing.consent.decline"
            },
            "sharing_pull",
            r.id,
        )
        .subject(format!("person:{person}"))
        .detail(json!({ "org_id": r.org_id, "case_id": r.case_id })),
    )
    .await?;
    tx.commit().await?;
    let row = repo::pull(&mut app.db.reader(), pull_id)
        .await?
        .ok_or_else(|| AppError::NotFound("数据调取请求".into()))?;
    to_view(app, row, true).await
}

fn case_consent_view(
    r: super::repo::CaseConsentRow,
    items: Vec<String>,
    now: i64,
) -> super::records::CaseConsent {
    super::records::CaseConsent {
        in_force: r.withdrawn_at.is_none() && r.expires_at > now,
        id: r.id,
        case_id: r.case_id,
        case_no: r.case_no,
        org_name: r.org_name,
        service_item_name: r.service_item_name,
        proof_item_names: items,
        created_at: r.created_at,
        expires_at: r.expires_at,
        withdrawn_at: r.withdrawn_at,
    }
}

/// What a case-level consent would release: each data-sharing proof of the case with the
/// labels of its published template (the preview, EU Once-Only).
async fn preview_of_case(
    app: &App,
    case_id: i64,
) -> AppResult<Vec<super::records::ConsentPreviewItem>> {
    let items = repo::shared_items_of_case(&mut app.db.reader(), case_id).await?;
    let mut out = Vec::with_capacity(items.len());
    for (id, name) in items {
        let fields = match repo::published_of_item(&mut app.db.reader(), id).await? {
            Some(v) => super::list::fields_of(&v)?
                .into_iter()
                .map(|f| f.label)
                .collect(),
            None => continue,
        };
        out.push(super::records::ConsentPreviewItem {
            proof_item_id: id,
            proof_item_name: name,
            fields,
        });
    }
    Ok(out)
}

/// The applicant's open cases with data-sharing proofs, each with its preview.
pub async fn consentable_cases(
    app: &App,
    actor: &Actor,
) -> AppResult<Vec<super::records::ConsentableCase>> {
    let person = me(actor)?;
    let cases = repo::open_cases_with_sharing(&mut app.db.reader(), person).await?;
    let mut out = Vec::with_capacity(cases.len());
    for (case_id, case_no, org_name, service_item_name) in cases {
        let items = preview_of_case(app, case_id).await?;
        if items.is_empty() {
            continue;
        }
        out.push(super::records::ConsentableCase {
            case_id,
            case_no,
            org_name,
            service_item_name,
            items,
        });
    }
    Ok(out)
}

/// The applicant consents once for every data-sharing proof of one of their cases: the
/// case's unit may pull them for that case until the consent expires (the versioned setting
/// `sharing.case_consent_days`) or is withdrawn. Another unit, or another case, is not
/// covered (A2 §12).
pub async fn consent_case(
    app: &App,
    actor: &Actor,
    input: &super::input::CaseConsentInput,
) -> AppResult<super::records::CaseConsent> {
    let person = me(actor)?;
    let c = repo::case_of_person(&mut app.db.reader(), input.case_id, person)
        .await?
        .ok_or_else(|| AppError::field("case_id", "办件不存在或不是您本人的办件"))?;
    if c.state != "open" {
        return Err(AppError::field(
            "case_id",
            "该办件已办结，不能再授权调取数据",
        ));
    }
    let items = preview_of_case(app, input.case_id).await?;
    if items.is_empty() {
        return Err(AppError::field(
            "case_id",
            "该办件没有可通过数据共享获取的证明，无需授权",
        ));
    }
    let now = app.now_ms();
    let days = crate::policy::in_force(
        &mut app.db.reader(),
        &super::settings::CASE_CONSENT_DAYS,
        now,
    )
    .await?;
    let expires = now + days.clamp(1, 90) * 86_400_000;
    let mut tx = app.db.begin().await?;
    let id =
        repo::insert_case_consent(&mut tx, person, input.case_id, c.org_id, now, expires).await?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("sharing.consent.case", "case", input.case_id)
            .subject(format!("person:{person}"))
            .detail(json!({
                "consent_id": id, "org_id": c.org_id, "expires_at": expires,
                "proof_item_ids": items.iter().map(|i| i.proof_item_id).collect::<Vec<_>>(),
            })),
    )
    .await?;
    tx.commit().await?;
    let names = items.into_iter().map(|i| i.proof_item_name).collect();
    let row = repo::case_consents_of(&mut app.db.reader(), person)
        .await?
        .into_iter()
        .find(|r| r.id == id)
        .ok_or_else(|| AppError::NotFound("办件授权".into()))?;
    Ok(case_consent_view(row, names, now))
}

/// The applicant's case-level consents, newest first.
pub async fn my_case_consents(
    app: &App,
    actor: &Actor,
) -> AppResult<Vec<super::records::CaseConsent>> {
    let person = me(actor)?;
    let now = app.now_ms();
    let rows = repo::case_consents_of(&mut app.db.reader(), person).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let names = repo::shared_items_of_case(&mut app.db.reader(), r.case_id)
            .await?
            .into_iter()
            .map(|(_, n)| n)
            .collect();
        out.push(case_consent_view(r, names, now));
    }
    Ok(out)
}

/// The applicant withdraws a case-level consent; pulls already released stay on record.
pub async fn withdraw_case_consent(app: &App, actor: &Actor, id: i64) -> AppResult<()> {
    let person = me(actor)?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    if repo::withdraw_case_consent(&mut tx, id, person, now).await? == 0 {
        return Err(AppError::NotFound("办件授权".into()));
    }
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("sharing.consent.case_withdraw", "sharing_case_consent", id)
            .subject(format!("person:{person}")),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Whether the applicant's case-level consent covers a pull by `org` for `case_id` now.
/// Only the case's own data-sharing proofs are covered.
pub(super) async fn case_consent(
    app: &App,
    person: i64,
    case_id: i64,
    org: i64,
    item: i64,
) -> AppResult<bool> {
    let mut r = app.db.reader();
    if repo::case_consent_in_force(&mut r, person, case_id, org, app.now_ms())
        .await?
        .is_none()
    {
        return Ok(false);
    }
    Ok(repo::shared_items_of_case(&mut r, case_id)
        .await?
        .iter()
        .any(|(i, _)| *i == item))
}
