//! Eligibility (R4.4), signing (R4.2: portal identity or counter confirmation, the
//! receiving unit's seal, the post-check plan of R4.3) and withdrawal (R4.6).

use proofless_domain::commitment::{
    self as rules, Plan, PlanKind, Refusal, derive_plan, eligibility, state,
};
use proofless_domain::credit::{self as credit_rules, CreditStatus};
use proofless_domain::role::Role;
use proofless_store::{Tx, q};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::templates::{self, Template};
use super::{
    CHECK_RULE_KEY, Commitment, commitment_item, load, rules as check_rules, seed_check_rule,
};
use crate::App;
use crate::actor::{Actor, ActorKind};
use crate::audit::{self, Entry};
use crate::credit;
use crate::error::{AppError, AppResult, Problems};
use crate::notifications::{self, Recipient};

/// Who is committing: the signing person and, when signing for a company, the entity.
#[derive(Debug, Clone)]
pub struct Signer {
    pub person_id: i64,
    pub entity_id: Option<i64>,
    pub subject_ref: String,
}

/// Resolves who signs. A portal user signs only for themself or an entity they represent;
/// a counter clerk names the applicant present at the counter.
pub async fn signer_in(
    tx: &mut Tx,
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
    let exists: Option<(i64,)> = tx
        .fetch_optional(q("SELECT id FROM persons WHERE id = ?").bind(person_id))
        .await?;
    if exists.is_none() {
        return Err(AppError::field(
            "person_id",
            format!("申请人 {person_id} 不存在"),
        ));
    }
    let subject_ref = match entity_id {
        None => credit_rules::subject_ref("person", person_id),
        Some(e) => {
            let rep: Option<(i64,)> = tx
                .fetch_optional(
                    q("SELECT entity_id FROM entity_representatives WHERE entity_id = ? AND person_id = ?")
                        .bind(e)
                        .bind(person_id),
                )
                .await?;
            if rep.is_none() {
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
    pub plan_kind: Option<String>,
    pub rule_number: Option<i64>,
    pub template: Option<Template>,
}

/// The pure decision: eligibility, then the plan from the rule bands (R4.4, R4.3).
pub fn decide(status: &CreditStatus, bands: &[rules::RuleBand]) -> Result<Option<Plan>, Refusal> {
    eligibility(status)?;
    Ok(derive_plan(bands, status.score))
}

#[derive(Debug, Clone, Deserialize, utoipa::IntoParams, Default)]
pub struct EligibilityQuery {
    pub proof_item_id: i64,
    /// Counter: the applicant at the counter.
    pub person_id: Option<i64>,
    pub entity_id: Option<i64>,
}

/// May this applicant commit for this item, and with which plan? (portal for oneself, or a
/// counter clerk for the applicant present).
pub async fn check_eligibility(
    app: &App,
    actor: &Actor,
    query: &EligibilityQuery,
) -> AppResult<Eligibility> {
    let mut tx = app.db.begin().await?;
    let signer = signer_in(&mut tx, actor, query.person_id, query.entity_id).await?;
    let item = commitment_item(&mut tx, query.proof_item_id, "proof_item_id").await?;
    let template = templates::published_in(&mut tx, item.id).await?;
    let rule = check_rules::current_in(&mut tx, item.id).await?;
    let status = credit::status_in(&mut tx, &signer.subject_ref).await?;
    let bands = match &rule {
        Some(r) => r.domain_bands()?,
        None => vec![],
    };
    let (level, label) = credit_rules::level(status.score);
    audit::append(
        &mut tx,
        actor,
        app.now_ms(),
        Entry::new("commitment.eligibility", "proof_item", item.id)
            .subject(&signer.subject_ref)
            .purpose("判断能否适用告知承诺"),
    )
    .await?;
    tx.commit().await?;
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
                out.plan_kind = Some(p.kind.as_str().to_owned());
            } else {
                out.reason = Some("该证明事项尚未制定事后核查规则".to_owned());
            }
        }
    }
    Ok(out)
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct SignInput {
    pub case_id: i64,
    pub proof_item_id: i64,
    /// Counter only: the applicant present. Portal users always sign for themselves.
    pub person_id: Option<i64>,
    /// When committing for a company the person represents.
    pub entity_id: Option<i64>,
    /// The facts promised, in the applicant's words (承诺的具体事项).
    #[serde(default)]
    pub facts: String,
    /// Counter: the clerk confirms the applicant read and signed the letter in person.
    #[serde(default)]
    pub applicant_confirmed: bool,
    /// The applicant chooses commitment (it is never forced, R4.2).
    #[serde(default)]
    pub chosen_by_applicant: bool,
}

/// The unit, state and applicant (`person:ID` / `entity:ID`) of a case.
pub(crate) async fn case_in(tx: &mut Tx, case_id: i64) -> AppResult<Option<(i64, String, String)>> {
    let row: Option<(i64, String, String, i64)> = tx
        .fetch_optional(
            q("SELECT org_id, state, applicant_kind, applicant_id FROM cases WHERE id = ?")
                .bind(case_id),
        )
        .await?;
    Ok(row.map(|(org, state, kind, id)| (org, state, format!("{kind}:{id}"))))
}

/// Signs a commitment: the letter is rendered from the published template, sealed by the
/// receiving unit, stored; the plan is derived and, for a check, a deadline opened at the
/// supervising department.
pub async fn sign(app: &App, actor: &Actor, input: &SignInput) -> AppResult<Commitment> {
    if actor.kind == ActorKind::Anonymous {
        return Err(AppError::Unauthenticated);
    }
    let mut p = Problems::default();
    if input.facts.chars().count() > 2000 {
        p.add("facts", "承诺的具体事项不能超过2000字");
    }
    if !input.chosen_by_applicant {
        p.add(
            "chosen_by_applicant",
            "告知承诺须由申请人自愿选择，不得强制；请确认申请人选择以承诺代替证明",
        );
    }
    if actor.kind != ActorKind::Portal && !input.applicant_confirmed {
        p.add(
            "applicant_confirmed",
            "窗口签署须由受理人员确认申请人已阅读并当面签署承诺书",
        );
    }
    p.into_result()?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let signer = signer_in(&mut tx, actor, input.person_id, input.entity_id).await?;
    let item = commitment_item(&mut tx, input.proof_item_id, "proof_item_id").await?;
    let Some((case_org, case_state, applicant)) = case_in(&mut tx, input.case_id).await? else {
        return Err(AppError::field(
            "case_id",
            format!("办件 {} 不存在", input.case_id),
        ));
    };
    if actor.kind != ActorKind::Portal {
        actor.require_org(case_org)?;
    }
    // Only the case's own applicant commits in it (signing for someone else is refused).
    if applicant != signer.subject_ref {
        return Err(AppError::forbidden(
            "签署人与办件申请人不一致：告知承诺须由办件申请人本人（或其法定代表人、授权代表）签署",
        ));
    }
    if case_state != proofless_domain::case::CaseState::Open.as_str() {
        return Err(AppError::Conflict(
            "办件已办结或已撤回，不能再签署承诺".to_owned(),
        ));
    }
    let template = templates::published_in(&mut tx, item.id)
        .await?
        .ok_or_else(|| AppError::field("proof_item_id", "该证明事项尚未公布告知承诺书格式文本"))?;
    let rule = check_rules::current_in(&mut tx, item.id)
        .await?
        .ok_or_else(|| AppError::field("proof_item_id", "该证明事项尚未制定事后核查规则"))?;
    let dup: Option<(i64,)> = tx
        .fetch_optional(
            q("SELECT id FROM commitments WHERE case_id = ? AND proof_item_id = ? AND subject_ref = ? AND state = ?")
                .bind(input.case_id)
                .bind(item.id)
                .bind(&signer.subject_ref)
                .bind(state::SIGNED),
        )
        .await?;
    if let Some((d,)) = dup {
        return Err(AppError::Conflict(format!(
            "本办件已就该证明事项签署过承诺（#{d}），无需重复签署"
        )));
    }
    let status = credit::status_in(&mut tx, &signer.subject_ref).await?;
    let plan = match decide(&status, &rule.domain_bands()?) {
        Err(r) => {
            return Err(AppError::Conflict(format!("{}。{}", r.reason, r.way_back)));
        }
        Ok(None) => return Err(AppError::Internal("核查规则未覆盖该信用分".to_owned())),
        Ok(Some(p)) => p,
    };
    let (person_name, resident_id): (String, String) = tx
        .fetch_one(q("SELECT name, resident_id FROM persons WHERE id = ?").bind(signer.person_id))
        .await?;
    let entity: Option<(String, String)> = match signer.entity_id {
        Some(e) => {
            tx.fetch_optional(q("SELECT name, credit_code FROM entities WHERE id = ?").bind(e))
                .await?
        }
        None => None,
    };
    let (org_name,): (String,) = tx
        .fetch_one(q("SELECT name FROM orgs WHERE id = ?").bind(case_org))
        .await?;
    let channel = if actor.kind == ActorKind::Portal {
        "portal"
    } else {
        "counter"
    };
    let sample_state = match plan.kind {
        PlanKind::Sample => "pending",
        _ => "none",
    };
    let id = tx
        .scalar_i64(
            q("INSERT INTO commitments (case_id, proof_item_id, template_id, rule_id, subject_ref, person_id, entity_id, \
               org_id, supervising_org_id, channel, clerk_id, letter, sealed_id, state, plan_kind, plan_band, method, \
               within_wd, sample_permille, credit_score, sample_state, publish, signed_at) \
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', '', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id")
            .bind(input.case_id)
            .bind(item.id)
            .bind(template.id)
            .bind(rule.id)
            .bind(&signer.subject_ref)
            .bind(signer.person_id)
            .bind(signer.entity_id)
            .bind(case_org)
            .bind(rule.supervising_org_id)
            .bind(channel)
            .bind(actor.staff_id())
            .bind(state::SIGNED)
            .bind(plan.kind.as_str())
            .bind(plan.band as i64)
            .bind(plan.method.map(|m| m.as_str()))
            .bind(plan.within_wd)
            .bind(plan.sample_permille)
            .bind(status.score)
            .bind(sample_state)
            .bind(template.publish_letters)
            .bind(now),
        )
        .await?;
    let signature = match actor.kind {
        ActorKind::Portal => "申请人通过政务服务门户实名登录后在线签署".to_owned(),
        _ => format!("申请人于窗口当面签署，受理人员{}确认", actor.name),
    };
    let letter = json!({
        "kind": "commitment_letter",
        "title": "证明事项告知承诺书",
        "commitment_id": id,
        "case_id": input.case_id,
        "proof_item": item.name,
        "template": {
            "id": template.id, "number": template.number,
            "obligation": template.obligation, "content": template.content,
            "checks": template.checks, "cooperation": template.cooperation,
            "liability": template.liability,
        },
        "applicant": {"name": person_name, "resident_id": resident_id},
        "entity": entity.as_ref().map(|(n, c)| json!({"name": n, "credit_code": c})),
        "facts": input.facts.trim(),
        "declaration": "本人（单位）已知晓告知的全部内容，承诺所填写的内容真实、准确，已经符合告知的条件、标准和要求，愿意承担不实承诺的法律责任。",
        "post_check": {"plan": plan.describe(), "rule_number": rule.number, "standard": rule.standard},
        "receiving_unit": org_name,
        "channel": channel,
        "signature": signature,
        "signed_at": crate::deadlines::rfc3339(now),
    });
    let sealed_id = crate::seals::seal(
        app,
        &mut tx,
        actor,
        crate::seals::ToSeal {
            org_id: case_org,
            kind: crate::seals::SealKind::CommitmentLetter,
            object_type: "commitment",
            object_id: id.to_string(),
            body: &letter,
        },
    )
    .await?;
    let body = String::from_utf8(proofless_seal::canonical_json(&letter))
        .map_err(|_| AppError::Internal("承诺书编码失败".to_owned()))?;
    tx.execute(
        q("UPDATE commitments SET letter = ?, sealed_id = ? WHERE id = ? AND sealed_id = ''")
            .bind(&body)
            .bind(&sealed_id)
            .bind(id),
    )
    .await?;
    match plan.kind {
        PlanKind::Check => {
            open_check_in(
                &mut tx,
                app,
                actor,
                id,
                rule.supervising_org_id,
                plan.within_wd,
                now,
            )
            .await?;
        }
        PlanKind::Sample => super::checks::enqueue_next_sampling(&mut tx, now).await?,
        PlanKind::Exempt => {}
    }
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("commitment.sign", "commitment", id)
            .subject(&signer.subject_ref)
            .detail(json!({
                "case_id": input.case_id, "proof_item_id": item.id, "template": template.number,
                "rule": rule.number, "plan": plan.kind.as_str(), "band": plan.band,
                "credit_score": status.score, "channel": channel, "sealed_id": sealed_id,
            })),
    )
    .await?;
    let c = load(&mut tx, id).await?;
    tx.commit().await?;
    Ok(c)
}

/// Opens the post-check deadline at the supervising department and tells it (审管衔接).
pub(crate) async fn open_check_in(
    tx: &mut Tx,
    app: &App,
    actor: &Actor,
    commitment_id: i64,
    supervising_org_id: i64,
    within_wd: i64,
    now: i64,
) -> AppResult<i64> {
    seed_check_rule(tx, now).await?;
    let sys = Actor::system(&actor.operation_id);
    let deadline_id = crate::deadlines::open_in(
        tx,
        app,
        &sys,
        &crate::deadlines::NewDeadline {
            subject_type: proofless_domain::deadline::SubjectType::CommitmentCheck,
            subject_id: commitment_id.to_string(),
            org_id: supervising_org_id,
            rule_key: proofless_domain::deadline::RuleKey::from_static(CHECK_RULE_KEY),
            start: crate::deadlines::to_utc(now)
                .ok_or_else(|| AppError::Internal("时间无效".into()))?,
            statutory_limit: crate::deadlines::parse_statutory_limit(Some(&format!(
                "{within_wd}wd"
            )))?,
        },
    )
    .await?
    .id;
    tx.execute(
        q("UPDATE commitments SET deadline_id = ? WHERE id = ?")
            .bind(deadline_id)
            .bind(commitment_id),
    )
    .await?;
    notifications::insert_in(
        tx,
        &Recipient::Org(supervising_org_id),
        proofless_domain::notification::NotificationKind::CommitmentCheck,
        &format!("【告知承诺核查】承诺 #{commitment_id} 须在 {within_wd} 个工作日内核查。"),
        &format!("/commitments/{commitment_id}"),
        &format!("commitment:check:{commitment_id}"),
        now,
    )
    .await?;
    Ok(deadline_id)
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WithdrawInput {
    pub reason: String,
}

/// R4.6: before the case is decided the applicant may withdraw with a reasonable reason;
/// the case then continues by the original procedure.
pub async fn withdraw(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &WithdrawInput,
) -> AppResult<Commitment> {
    let reason = input.reason.trim();
    if reason.chars().count() < 2 {
        return Err(AppError::field("reason", "请写明撤回承诺的理由"));
    }
    if reason.chars().count() > 1000 {
        return Err(AppError::field("reason", "撤回理由不能超过1000字"));
    }
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let c = load(&mut tx, id).await?;
    if actor.kind == ActorKind::Portal {
        if !credit::portal_owns(&mut tx, actor, &c.subject_ref).await? {
            return Err(AppError::forbidden("只能撤回本人（本单位）签署的承诺"));
        }
    } else {
        actor.require_any(&[Role::CounterClerk])?;
        actor.require_org(c.org_id)?;
    }
    let case_state = case_in(&mut tx, c.case_id)
        .await?
        .map(|(_, s, _)| s)
        .unwrap_or_default();
    if let Some(why) = rules::withdrawal_refusal(&c.state, &case_state) {
        return Err(AppError::Conflict(why.to_owned()));
    }
    let n = tx
        .execute(
            q("UPDATE commitments SET state = ?, withdrawn_at = ?, withdraw_reason = ?, version = version + 1 \
               WHERE id = ? AND state = ?")
            .bind(state::WITHDRAWN)
            .bind(now)
            .bind(reason)
            .bind(id)
            .bind(state::SIGNED),
        )
        .await?;
    if n != 1 {
        return Err(AppError::Conflict("该承诺已撤回，不能重复撤回".to_owned()));
    }
    if let Some(d) = c.deadline_id {
        tx.execute(
            q("UPDATE deadlines SET state = 'done', done_at = ?, updated_at = ?, version = version + 1 \
               WHERE id = ? AND state IN ('open', 'suspended')")
            .bind(now)
            .bind(now)
            .bind(d),
        )
        .await?;
    }
    notifications::insert_in(
        &mut tx,
        &Recipient::Org(c.org_id),
        proofless_domain::notification::NotificationKind::CommitmentWithdrawn,
        &format!(
            "【撤回承诺】办件 #{} 的申请人撤回了“{}”的告知承诺，请按原程序办理（提交证明或采用其他替代方式）。",
            c.case_id, c.proof_item_name
        ),
        &format!("/commitments/{id}"),
        &format!("commitment:withdrawn:{id}"),
        now,
    )
    .await?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("commitment.withdraw", "commitment", id)
            .subject(&c.subject_ref)
            .detail(
                json!({"case_id": c.case_id, "reason": reason, "continues": "original_procedure"}),
            ),
    )
    .await?;
    let out = load(&mut tx, id).await?;
    tx.commit().await?;
    Ok(out)
}

/// A signed letter is sealed and never edited: a request to change it is refused (the
/// applicant withdraws and signs anew instead). The database refuses it as well.
pub async fn edit_letter(app: &App, actor: &Actor, id: i64) -> AppResult<Commitment> {
    let mut tx = app.db.begin().await?;
    let c = load(&mut tx, id).await?;
    if !super::may_see(&mut tx, actor, &c).await? {
        return Err(AppError::forbidden("无权修改该告知承诺"));
    }
    Err(AppError::Conflict(
        "承诺书已签署并加盖电子印章，不能修改；如内容有误，请在办结前撤回承诺后重新签署".to_owned(),
    ))
}

/// The decision alone, read-only: the subject's credit status and the item's rule in force
/// in one round trip, then [`decide`]. The hot path of eligibility and signing (issue #6
/// "Performance").
pub async fn plan_for(
    app: &App,
    subject_ref: &str,
    item_id: i64,
) -> AppResult<Result<Option<Plan>, Refusal>> {
    let row: Option<(Option<i64>, Option<i64>, Option<bool>, Option<String>)> = app
        .db
        .reader()
        .fetch_optional(
            q("SELECT s.score, s.serious_records, s.blacklisted, \
               (SELECT r.bands FROM commitment_rules r WHERE r.proof_item_id = ? ORDER BY r.number DESC LIMIT 1) AS bands \
               FROM (SELECT 1 AS one) x LEFT JOIN credit_subjects s ON s.subject_ref = ?")
            .bind(item_id)
            .bind(subject_ref),
        )
        .await?;
    let (score, serious, blacklisted, bands) = row.unwrap_or((None, None, None, None));
    let status = match (score, serious, blacklisted) {
        (Some(score), Some(serious_records), Some(blacklisted)) => CreditStatus {
            score,
            serious_records,
            blacklisted,
        },
        _ => CreditStatus::default(),
    };
    let bands: Vec<rules::RuleBand> = match bands {
        Some(b) => serde_json::from_str(&b)
            .map_err(|e| AppError::Internal(format!("核查规则存储损坏：{e}")))?,
        None => vec![],
    };
    Ok(decide(&status, &bands))
}
