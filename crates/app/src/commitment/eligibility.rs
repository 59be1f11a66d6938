//! Eligibility (R4.4): who signs (R4.2), whether their credit lets them commit, and the
//! post-check plan a signature would get (R4.3).

use proofless_domain::commitment::{Plan, PlanKind, Refusal, RuleBand, derive_plan, eligibility};
use proofless_domain::credit::{self as credit_rules, CreditStatus};
use proofless_domain::role::Role;
use proofless_store::Exec;
use serde::Serialize;

use super::input::EligibilityQuery;
use super::repo::{self, Template};
use super::{commitment_item, items::ItemInfo};
use crate::App;
use crate::actor::{Actor, ActorKind};
use crate::audit::{self, Entry};
use crate::credit;
use crate::error::{AppError, AppResult};

/// Who is committing: the signing person and, when signing for a company, the entity.
#[derive(Debug, Clone)]
pub struct Signer {
    pub person_id: i64,
    pub entity_id: Option<i64>,
    pub subject_ref: String,
}

/// The internal id of the person a counter names by opaque public id (issue #16 item 6).
pub(crate) async fn person_of(app: &App, public_id: Option<&str>) -> AppResult<Option<i64>> {
    match public_id.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(p) => crate::applicants::person_id_of(app, p)
            .await
            .map(Some)
            .map_err(|_| AppError::field("person_id", "申请人不存在")),
    }
}

/// Resolves who signs. A portal user signs only for themself or an entity they represent;
/// a counter clerk names the applicant present at the counter.
pub(crate) async fn signer(
    db: &mut impl Exec,
    actor: &Actor,
    person_id: Option<i64>,
    entity_id: Option<i64>,
) -> AppResult<Signer> {
    let person_id = match actor.kind {
        ActorKind::Portal => {
            let me = actor.id.ok_or(AppError::Unauthenticated)?;
            if person_id.is_some_and(|p| p != me) {
                return Err(AppError::forbidden(
                    "不能替他人签署告知承诺书：承诺须由申请人本人签署",
                ));
            }
            me
        }
        ActorKind::Anonymous => return Err(AppError::Unauthenticated),
        _ => {
            actor.require_any(&[Role::CounterClerk])?;
            person_id.ok_or_else(|| AppError::field("person_id", "请选择在窗口签署的申请人"))?
        }
    };
    if !repo::person_exists(db, person_id).await? {
        return Err(AppError::field(
            "person_id",
            format!("申请人 {person_id} 不存在"),
        ));
    }
    let subject_ref = match entity_id {
        None => credit_rules::subject_ref("person", person_id),
        Some(e) => {
            if !crate::applicants::represents(db, e, person_id).await? {
                return Err(AppError::forbidden(
                    "申请人不是该企业的法定代表人或授权代表，不能代其签署承诺",
                ));
            }
            credit_rules::subject_ref("entity", e)
        }
    };
    Ok(Signer {
        person_id,
        entity_id,
        subject_ref,
    })
}

/// The outcome of the eligibility check, with the plan a signature would get.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Eligibility {
    pub eligible: bool,
    /// Why not (R4.4), in Chinese.
    pub reason: Option<String>,
    /// The way back: credit repair, and the other replacement methods for now.
    pub way_back: Option<String>,
    pub credit_score: i64,
    pub credit_level: String,
    /// The plan a signature now would get (R4.3), in one sentence.
    pub plan: Option<String>,
    pub plan_kind: Option<PlanKind>,
    pub rule_number: Option<i64>,
    pub template: Option<Template>,
}

/// The pure decision: eligibility, then the plan from the rule bands (R4.4, R4.3).
pub fn decide(status: &CreditStatus, bands: &[RuleBand]) -> Result<Option<Plan>, Refusal> {
    eligibility(status)?;
    Ok(derive_plan(bands, status.score))
}

/// May this applicant commit for this item, and with which plan? (portal for oneself, or a
/// counter clerk for the applicant present). Everything is read before the write lock,
/// which is taken for the audit row alone.
pub async fn check_eligibility(
    app: &App,
    actor: &Actor,
    query: &EligibilityQuery,
) -> AppResult<Eligibility> {
    let person = person_of(app, query.person_id.as_deref()).await?;
    let mut db = app.db.reader();
    let signer = signer(&mut db, actor, person, query.entity_id).await?;
    let item: ItemInfo = commitment_item(
        app,
        &mut db,
        query.proof_item_id,
        "proof_item_id",
        app.now_ms(),
    )
    .await?;
    let template = repo::published_template(&mut db, item.id).await?;
    let rule = repo::current_rule(&mut db, item.id).await?;
    let status = credit::status_in(&mut db, &signer.subject_ref).await?;
    audit::record_read(
        &app.db,
        actor,
        app.now_ms(),
        Entry::new("commitment.eligibility", "proof_item", item.id)
            .subject(&signer.subject_ref)
            .purpose("判断能否适用告知承诺"),
    )
    .await?;
    let (level, label) = credit::level_now(app, &mut db, status.score).await?;
    let mut out = Eligibility {
        eligible: false,
        reason: None,
        way_back: None,
        credit_score: status.score,
        credit_level: format!("{level}（{label}）"),
        plan: None,
        plan_kind: None,
        rule_number: rule.as_ref().map(|r| r.number),
        template: template.clone(),
    };
    let bands = rule.map(|r| r.bands).unwrap_or_default();
    match decide(&status, &bands) {
        Err(r) => {
            out.reason = Some(r.reason);
            out.way_back = Some(r.way_back);
        }
        Ok(plan) => {
            if template.is_none() {
                out.reason = Some("该证明事项尚未公布告知承诺书格式文本".to_owned());
            } else if let Some(p) = plan {
                out.eligible = true;
                out.plan = Some(p.describe());
                out.plan_kind = Some(p.kind);
            } else {
                out.reason = Some("该证明事项尚未制定事后核查规则".to_owned());
            }
        }
    }
    Ok(out)
}

/// The decision alone, read-only: the subject's credit status and the item's rule in force
/// in one round trip, then [`decide`]. The hot path of eligibility and signing (issue #6
/// "Performance").
pub async fn plan_for(
    app: &App,
    subject_ref: &str,
    item_id: i64,
) -> AppResult<Result<Option<Plan>, Refusal>> {
    let (status, bands) =
        repo::status_and_bands(&mut app.db.reader(), subject_ref, item_id).await?;
    // A subject without a status row has no records yet: the initial status (not a
    // fallback for a bad stored value).
    let status = status.unwrap_or_default();
    let bands = match bands {
        Some(b) => repo::decode_bands(&b)?,
        None => vec![],
    };
    Ok(decide(&status, &bands))
}
