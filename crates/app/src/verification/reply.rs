//! The issuer's side: reclassify, answer under seal, return (A2 §7, SPEC R5.3).

use proofless_domain::verification::{self as rules, Action, ClassCode, EventKind, Outcome};
use proofless_store::Tx;
use serde_json::{Value as Json, json};

use super::access::require_action;
use super::case_clock;
use super::deadline::{close_deadline_in, open_deadline_in};
use super::input::{AnswerCommand, AnswerInput, ReclassifyInput, ReturnInput, invalid};
use super::notify::{event_in, notify_requester_in};
use super::number;
use super::records::{Detail, Verification, mask_code};
use super::repo::{self, Answered, Reclassified};
use super::send::{get_unaudited, read};
use super::templates;
use super::templates::parse_fields;
use crate::App;
use crate::actor::Actor;
use crate::audit::{self, Entry};
use crate::deadlines;
use crate::error::{AppError, AppResult, FieldError};
use crate::seals::{self, ToSeal};
use proofless_domain::deadline::office_minutes_between;

use super::settings::RECLASSIFY_WINDOW_MINUTES;

/// The issuer reclassifies this request's deadline class on registering it, with a reason
/// (A2 §7): the clock restarts from receipt under the new class.
pub async fn reclassify(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &ReclassifyInput,
) -> AppResult<Detail> {
    let cmd = input.parse().map_err(invalid)?;
    let (class, reason) = (cmd.class, cmd.reason);
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let v = repo::load(&mut tx, id).await?;
    require_action(actor, &v, Action::Reclassify, now)?;
    when_registering(&mut tx, app, &v, now).await?;
    if ClassCode::of(class) == v.deadline_class && class.period() == v.deadline_period {
        return Err(AppError::field(
            "deadline_class",
            "新的时限类别与原类别相同",
        ));
    }
    close_deadline_in(&mut tx, app, actor, &v).await?;
    let (did, due) =
        open_deadline_in(&mut tx, app, actor, (id, v.issuer_org_id), class, v.sent_at).await?;
    let row = Reclassified {
        id,
        class_code: ClassCode::of(class),
        period: class.period(),
        reason: &reason,
        deadline_id: did,
        due_at: due,
        now,
    };
    repo::set_reclassified(&mut tx, &row).await?;
    let text = format!(
        "改判时限类别：{} → {}，理由：{reason}；新的反馈期限 {}",
        v.class_label(),
        class.label(),
        due.map(crate::local_time).unwrap_or_default()
    );
    event_in(&mut tx, (id, now), EventKind::Reclassify, actor, &text).await?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("verification.reclassify", "verification", id)
            .subject(v.subject_ref())
            .purpose(&v.purpose_text())
            .detail(json!({"from": v.deadline_class, "to": class.code(), "period": class.period_string(),
                "reason": reason, "deadline_id": did, "due_at": due})),
    )
    .await?;
    let note = &format!("【核验】{} 的时限类别已由开具单位改判：{text}", number(id));
    conclude(tx, app, actor, &v, (note, "reclassify"), false, now).await
}

/// A2 §7, SPEC R5.3: the issuer reclassifies when registering: before any other step on the
/// request and within the window (office minutes after receipt) in force when it was sent.
async fn when_registering(tx: &mut Tx, app: &App, v: &Verification, now: i64) -> AppResult<()> {
    let window = crate::policy::in_force(tx, &RECLASSIFY_WINDOW_MINUTES, v.sent_at).await?;
    let (Some(from), Some(to)) = (deadlines::to_utc(v.sent_at), deadlines::to_utc(now)) else {
        return Err(AppError::Internal(format!(
            "核验 {} 的时间无效",
            number(v.id)
        )));
    };
    let office = office_minutes_between(&app.calendar(), app.office_hours(), from, to);
    let acted = repo::acted_on(tx, v.id).await?;
    rules::check_reclassify_window(office, window, acted).map_err(AppError::Conflict)
}

/// Tries an answer makes before giving up to concurrent changes of the same request.
const ANSWER_ATTEMPTS: usize = 3;

/// The issuer answers (A2 §7): a canonical JSON reply letter sealed with the issuer's key.
pub async fn answer(app: &App, actor: &Actor, id: i64, input: &AnswerInput) -> AppResult<Detail> {
    let cmd = input.parse().map_err(invalid)?;
    // The letter is written and sealed from the committed record, outside the write lock
    // (a signature is ~0.1 ms of CPU); the write then applies only if nobody changed the
    // record meanwhile, and otherwise the letter is written again from the new record.
    for _ in 0..ANSWER_ATTEMPTS {
        let now = app.now_ms();
        let v = read(app, id).await?;
        require_action(actor, &v, Action::Answer, now)?;
        check_answer(app, &v, &cmd).await?;
        let late = v.due_at.is_some_and(|d| now > d);
        let answer = Json::Object(cmd.answer.clone());
        let body = reply_letter(&v, actor, &cmd, &answer, now)?;
        let signed = seals::sign(app, v.issuer_org_id, &body).await?;
        let mut tx = app.db.begin().await?;
        let answer_text = answer.to_string();
        let row = Answered {
            id,
            version: v.version,
            outcome: cmd.outcome,
            answer: &answer_text,
            records_say: cmd.records_say.as_deref(),
            answered_by_name: &actor.name,
            late,
            sealed_id: &signed.public_id,
            now,
        };
        if repo::set_answered(&mut tx, &row).await? == 0 {
            continue;
        }
        let doc = ToSeal {
            org_id: v.issuer_org_id,
            kind: proofless_domain::seal::SealKind::VerificationReply,
            object_type: "verification",
            object_id: id.to_string(),
            body: &body,
        };
        let sealed = seals::record_in(&mut tx, actor, now, &doc, signed).await?;
        let said = (cmd.outcome, cmd.records_say.as_deref(), late);
        return answered_in(tx, app, actor, &v, said, &sealed, now).await;
    }
    Err(AppError::Conflict(
        "该核验正在被他人同时办理，请刷新后重试".to_owned(),
    ))
}

/// The answer against the reply template's typed fields (A2 §4).
async fn check_answer(app: &App, v: &Verification, cmd: &AnswerCommand) -> AppResult<()> {
    let (item, issuer, requester) = (v.proof_item_id, v.issuer_org_id, v.requester_org_id);
    let trow = templates::repo::template_row(&mut app.db.reader(), item, issuer, requester).await?;
    let reply_fields = match trow {
        Some(t) => parse_fields(&t.reply_fields)?,
        None => vec![],
    };
    let reply_fields = if reply_fields.is_empty() {
        rules::default_reply_fields()
    } else {
        reply_fields
    };
    let errs = rules::check_values(&reply_fields, &cmd.answer);
    if errs.is_empty() {
        return Ok(());
    }
    Err(AppError::Validation(
        errs.into_iter()
            .map(|(k, m)| FieldError::new(format!("answer.{k}"), m))
            .collect(),
    ))
}

/// The reply letter (部门核验反馈函) as signed: canonical JSON of these fields.
fn reply_letter(
    v: &Verification,
    actor: &Actor,
    cmd: &AnswerCommand,
    answer: &Json,
    now: i64,
) -> AppResult<Json> {
    let facts: Json = serde_json::from_str(&v.facts).map_err(|e| {
        AppError::Internal(format!("核验 {} 的填报事实无法读取：{e}", number(v.id)))
    })?;
    Ok(json!({
        "document": "部门核验反馈函",
        "number": number(v.id),
        "issuer": {"name": v.issuer_name, "credit_code": v.issuer_credit_code},
        "requester": {"name": v.requester_name},
        "proof_item": {"id": v.proof_item_id, "name": v.proof_item_name},
        "subject": {"kind": v.subject_kind, "name": v.subject_name, "code": mask_code(&v.subject_code)},
        "case_ref": v.case_ref,
        "facts_asked": facts,
        "outcome": cmd.outcome.as_str(),
        "outcome_label": cmd.outcome.label(),
        "answer": answer,
        "records_say": cmd.records_say,
        "answered_by": actor.name,
        "answered_at": deadlines::rfc3339(now),
        "basis": "高青县证明事项核验实施办法（试行）第七条",
    }))
}

/// The rest of an answer once its row is written: the deadline closed, the history, the
/// audit row and the requester told.
async fn answered_in(
    mut tx: Tx,
    app: &App,
    actor: &Actor,
    v: &Verification,
    (outcome, records_say, late): (Outcome, Option<&str>, bool),
    sealed: &str,
    now: i64,
) -> AppResult<Detail> {
    let id = v.id;
    close_deadline_in(&mut tx, app, actor, v).await?;
    let text = format!(
        "反馈核验结果：{}{}（已加盖电子印章，文件编号 {sealed}）{}",
        outcome.label(),
        records_say
            .map(|r| format!("，档案记载：{r}"))
            .unwrap_or_default(),
        if late { "；逾期反馈" } else { "" }
    );
    event_in(&mut tx, (id, now), EventKind::Answer, actor, &text).await?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("verification.answer", "verification", id)
            .subject(v.subject_ref())
            .purpose(&v.purpose_text())
            .detail(json!({"outcome": outcome.as_str(), "sealed_id": sealed, "late": late})),
    )
    .await?;
    let note = &format!(
        "【核验】{}（{}）已反馈：{}。",
        number(id),
        v.proof_item_name,
        outcome.label()
    );
    conclude(tx, app, actor, v, (note, "answer"), true, now).await
}

/// The common end of an action on a request: tell the requester, let the case's assessment
/// clock run again when the request is finished with (A2 §7), commit, and show the record.
pub(super) async fn conclude(
    mut tx: Tx,
    app: &App,
    actor: &Actor,
    v: &Verification,
    (text, event): (&str, &str),
    finished: bool,
    now: i64,
) -> AppResult<Detail> {
    notify_requester_in(&mut tx, v, text, event, now).await?;
    if finished && let Some(case_id) = v.case_id {
        case_clock::end_wait_in(&mut tx, app, actor, (case_id, v.id), text).await?;
    }
    tx.commit().await?;
    get_unaudited(app, v.id).await
}

/// Returns the request as outside the issuer's remit (A2 §7): the clock stops, the sender
/// is notified.
pub async fn return_request(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &ReturnInput,
) -> AppResult<Detail> {
    let reason = input.parse().map_err(invalid)?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let v = repo::load(&mut tx, id).await?;
    require_action(actor, &v, Action::Return, now)?;
    // A return after the due instant is late like a late answer (SPEC R5.3).
    let late = v.due_at.is_some_and(|d| now > d);
    repo::set_returned(&mut tx, id, &reason, (&actor.name, late), now).await?;
    close_deadline_in(&mut tx, app, actor, &v).await?;
    let text = format!(
        "退回：不属于本单位职责，理由：{reason}{}",
        if late { "；逾期退回" } else { "" }
    );
    event_in(&mut tx, (id, now), EventKind::Return, actor, &text).await?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("verification.return", "verification", id)
            .subject(v.subject_ref())
            .purpose(&v.purpose_text())
            .detail(json!({"reason": reason, "late": late})),
    )
    .await?;
    let note = &format!(
        "【核验退回】{}（{}）被{}退回：{reason}",
        number(id),
        v.proof_item_name,
        v.issuer_name
    );
    conclude(tx, app, actor, &v, (note, "return"), true, now).await
}
