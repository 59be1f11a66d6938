//! Signing (R4.2): portal identity or counter confirmation, the letter rendered from the
//! published template and sealed by the receiving unit, the post-check plan of R4.3 and,
//! for a full check, the deadline at the supervising department (审管衔接).

use proofless_domain::commitment::{Plan, PlanKind, SigningChannel};
use proofless_store::{Exec, Tx};
use serde_json::{Value as Json, json};

use super::eligibility::{Signer, decide, signer};
use super::input::{SignCommand, SignInput};
use super::items::ItemInfo;
use super::repo::{self, CheckRule, Commitment, LetterParties, NewCommitment, Template};
use super::{CHECK_RULE_KEY, commitment_item};
use crate::App;
use crate::actor::{Actor, ActorKind};
use crate::audit::{self, Entry};
use crate::credit;
use crate::error::{AppError, AppResult};
use crate::notifications::{self, Recipient};

/// Signs a commitment: the letter is rendered from the published template, sealed by the
/// receiving unit, stored; the plan is derived and, for a check, a deadline opened at the
/// supervising department.
pub async fn sign(app: &App, actor: &Actor, input: &SignInput) -> AppResult<Commitment> {
    let channel = match actor.kind {
        ActorKind::Anonymous => return Err(AppError::Unauthenticated),
        ActorKind::Portal => SigningChannel::Portal,
        _ => SigningChannel::Counter,
    };
    let mut cmd = input.parse(channel)?;
    cmd.person_id = super::eligibility::person_of(app, input.person_id.as_deref()).await?;
    sign_command(app, actor, &cmd).await
}

/// What the signature rests on, read and checked in the signing transaction.
struct Basis {
    signer: Signer,
    item: ItemInfo,
    case_org: i64,
    template: Template,
    rule: CheckRule,
}

fn case_closed() -> AppError {
    AppError::Conflict("办件已办结或已撤回，不能再签署承诺".to_owned())
}

fn no_case(case_id: i64) -> AppError {
    AppError::field("case_id", format!("办件 {case_id} 不存在"))
}

/// The item as the published list in force gives it, under the settings in force when the
/// case started (SPEC "Trial rules"); read before the write lock.
async fn published_item(app: &App, cmd: &SignCommand) -> AppResult<ItemInfo> {
    let mut r = app.db.reader();
    let case = repo::case(&mut r, cmd.case_id)
        .await?
        .ok_or_else(|| no_case(cmd.case_id))?;
    commitment_item(
        app,
        &mut r,
        cmd.proof_item_id,
        "proof_item_id",
        case.created_at,
    )
    .await
}

/// Checks who signs, for which item and case, under which template and rule; refuses a
/// second signature of the same promise.
async fn basis(
    db: &mut impl Exec,
    actor: &Actor,
    cmd: &SignCommand,
    item: ItemInfo,
) -> AppResult<Basis> {
    let signer = signer(db, actor, cmd.person_id, cmd.entity_id).await?;
    let Some(case) = repo::case(db, cmd.case_id).await? else {
        return Err(no_case(cmd.case_id));
    };
    // R2.1–R2.2: the published list gives, item by item, the services that use the proof;
    // a promise replaces a proof only in a case of one of them.
    if !item.service_codes.contains(&case.service_code) {
        return Err(AppError::field(
            "proof_item_id",
            format!(
                "现行公布的清单中，“{}”不是办件所办事项“{}”（{}）需要的证明，不能在本办件中以承诺代替",
                item.name, case.service_name, case.service_code
            ),
        ));
    }
    if cmd.channel == SigningChannel::Counter {
        actor.require_org(case.org_id)?;
    }
    // Only the case's own applicant commits in it (signing for someone else is refused).
    if case.applicant != signer.subject_ref {
        return Err(AppError::forbidden(
            "签署人与办件申请人不一致：告知承诺须由办件申请人本人（或其法定代表人、授权代表）签署",
        ));
    }
    if case.state != proofless_domain::case::CaseState::Open {
        return Err(case_closed());
    }
    let template = repo::published_template(db, item.id)
        .await?
        .ok_or_else(|| AppError::field("proof_item_id", "该证明事项尚未公布告知承诺书格式文本"))?;
    let rule = repo::current_rule(db, item.id)
        .await?
        .ok_or_else(|| AppError::field("proof_item_id", "该证明事项尚未制定事后核查规则"))?;
    no_duplicate(db, cmd, item.id, &signer.subject_ref).await?;
    Ok(Basis {
        signer,
        item,
        case_org: case.org_id,
        template,
        rule,
    })
}

/// Refuses a second signature of the same promise.
async fn no_duplicate(
    db: &mut impl Exec,
    cmd: &SignCommand,
    item_id: i64,
    subject_ref: &str,
) -> AppResult<()> {
    if let Some(d) = repo::signed_duplicate(db, cmd.case_id, item_id, subject_ref).await? {
        return Err(AppError::Conflict(format!(
            "本办件已就该证明事项签署过承诺（#{d}），无需重复签署"
        )));
    }
    Ok(())
}

/// [`sign`] with a parsed command.
pub async fn sign_command(app: &App, actor: &Actor, cmd: &SignCommand) -> AppResult<Commitment> {
    let now = app.now_ms();
    let item = published_item(app, cmd).await?;
    // Everything the letter says is read and checked before the write lock is taken (the
    // database has one writer); inside it, only what a concurrent request could have
    // changed meanwhile is checked again: the case still open, no signature since.
    let mut r = app.db.reader();
    let b = basis(&mut r, actor, cmd, item).await?;
    let status = credit::status_in(&mut r, &b.signer.subject_ref).await?;
    let plan = match decide(&status, &b.rule.bands) {
        Err(r) => {
            return Err(AppError::Conflict(format!("{}。{}", r.reason, r.way_back)));
        }
        Ok(None) => return Err(AppError::Internal("核查规则未覆盖该信用分".to_owned())),
        Ok(Some(p)) => p,
    };
    let mut parties =
        repo::letter_parties(&mut r, b.signer.person_id, b.signer.entity_id, b.case_org).await?;
    drop(r);
    // The signer's name and resident ID are encrypted at rest (issue #16 item 9).
    parties.person = (
        crate::applicants::reveal_name(app, &parties.person.0).await?,
        crate::applicants::reveal_resident_id(app, &parties.person.1).await?,
    );
    let sealer = crate::applicants::CopySealer::new(app).await?;
    let mut tx = app.db.begin().await?;
    still_open(&mut tx, cmd.case_id).await?;
    no_duplicate(&mut tx, cmd, b.item.id, &b.signer.subject_ref).await?;
    let id = repo::insert(
        &mut tx,
        &NewCommitment {
            case_id: cmd.case_id,
            proof_item_id: b.item.id,
            template_id: b.template.id,
            rule_id: b.rule.id,
            subject_ref: &b.signer.subject_ref,
            person_id: b.signer.person_id,
            entity_id: b.signer.entity_id,
            org_id: b.case_org,
            supervising_org_id: b.rule.supervising_org_id,
            channel: cmd.channel,
            clerk_id: actor.staff_id(),
            plan: &plan,
            credit_score: status.score,
            publish: b.template.publish_letters,
            signed_at: now,
        },
    )
    .await?;
    let letter = letter(actor, cmd, &b, &plan, &parties, id, now);
    let sealed_id = crate::seals::seal(
        app,
        &mut tx,
        actor,
        crate::seals::ToSeal {
            org_id: b.case_org,
            kind: proofless_domain::seal::SealKind::CommitmentLetter,
            object_type: "commitment",
            object_id: id.to_string(),
            body: &letter,
        },
    )
    .await?;
    let body = String::from_utf8(proofless_seal::canonical_json(&letter))
        .map_err(|_| AppError::Internal("承诺书编码失败".to_owned()))?;
    // Stored encrypted: the letter names the applicant and their resident ID (issue #16 item 9).
    let stored = sealer.letter(&body)?;
    repo::set_letter(&mut tx, id, (&stored, sealer.version()), &sealed_id).await?;
    // R4.2: the case's proof is resolved; the unit may no longer ask for it in this case.
    crate::cases::commitment_signed_in(&mut tx, actor, cmd.case_id, b.item.id, id, now).await?;
    follow_plan_in(
        &mut tx,
        app,
        actor,
        id,
        &plan,
        b.rule.supervising_org_id,
        now,
    )
    .await?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("commitment.sign", "commitment", id)
            .subject(&b.signer.subject_ref)
            .detail(json!({
                "case_id": cmd.case_id, "proof_item_id": b.item.id, "template": b.template.number,
                "rule": b.rule.number, "plan": plan.kind, "band": plan.band,
                "credit_score": status.score, "channel": cmd.channel, "sealed_id": sealed_id,
            })),
    )
    .await?;
    tx.commit().await?;
    super::view::commitment_in(app, &mut app.db.reader(), id).await
}

/// The case is still open in the signing transaction (it may have been decided since it
/// was read).
async fn still_open(tx: &mut Tx, case_id: i64) -> AppResult<()> {
    match repo::case(tx, case_id).await? {
        None => Err(no_case(case_id)),
        Some(c) if c.state != proofless_domain::case::CaseState::Open => Err(case_closed()),
        Some(_) => Ok(()),
    }
}

/// What the plan needs now: a full check gets its deadline, a sampled one waits for the
/// next daily draw, an exempt one nothing (R4.3, R4.5).
async fn follow_plan_in(
    tx: &mut Tx,
    app: &App,
    actor: &Actor,
    id: i64,
    plan: &Plan,
    supervising_org_id: i64,
    now: i64,
) -> AppResult<()> {
    match plan.kind {
        PlanKind::Check => {
            open_check_in(tx, app, actor, id, supervising_org_id, plan.within_wd, now).await?;
        }
        PlanKind::Sample => super::sampling::enqueue_next_sampling(tx, now).await?,
        PlanKind::Exempt => {}
    }
    Ok(())
}

/// The letter as sealed: the template's texts, the parties, the facts promised and the plan.
fn letter(
    actor: &Actor,
    cmd: &SignCommand,
    b: &Basis,
    plan: &Plan,
    parties: &LetterParties,
    id: i64,
    now: i64,
) -> Json {
    let signature = match cmd.channel {
        SigningChannel::Portal => "申请人通过政务服务门户实名登录后在线签署".to_owned(),
        SigningChannel::Counter => format!("申请人于窗口当面签署，受理人员{}确认", actor.name),
    };
    let t = &b.template;
    let (person_name, resident_id) = &parties.person;
    json!({
        "kind": "commitment_letter",
        "title": "证明事项告知承诺书",
        "commitment_id": id,
        "case_id": cmd.case_id,
        "proof_item": b.item.name,
        "template": {
            "id": t.id, "number": t.number,
            "obligation": t.obligation, "content": t.content,
            "checks": t.checks, "cooperation": t.cooperation,
            "liability": t.liability,
        },
        "applicant": {"name": person_name, "resident_id": resident_id},
        "entity": parties.entity.as_ref().map(|(n, c)| json!({"name": n, "credit_code": c})),
        "facts": cmd.facts,
        "declaration": "本人（单位）已知晓告知的全部内容，承诺所填写的内容真实、准确，已经符合告知的条件、标准和要求，愿意承担不实承诺的法律责任。",
        "post_check": {"plan": plan.describe(), "rule_number": b.rule.number, "standard": b.rule.standard},
        "receiving_unit": parties.org_name,
        "channel": cmd.channel,
        "signature": signature,
        "signed_at": crate::deadlines::rfc3339(now),
    })
}

/// Opens the post-check deadline at the supervising department and tells it (审管衔接).
/// The deadline engine takes its input as text (`OpenInput`) until it has a typed one.
pub(crate) async fn open_check_in(
    tx: &mut Tx,
    app: &App,
    actor: &Actor,
    commitment_id: i64,
    supervising_org_id: i64,
    within_wd: i64,
    now: i64,
) -> AppResult<i64> {
    repo::seed_check_rule(tx, now).await?;
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
                .ok_or_else(|| AppError::Internal("时钟时间无效".into()))?,
            statutory_limit: Some(proofless_domain::deadline::Period::WorkingDays(
                u32::try_from(within_wd).map_err(|_| {
                    AppError::Internal(format!("核查时限 {within_wd} 个工作日无效"))
                })?,
            )),
        },
    )
    .await?
    .id;
    repo::set_deadline(tx, commitment_id, deadline_id).await?;
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
