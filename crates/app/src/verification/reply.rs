//! The issuer's side: reclassify, answer under seal, return (A2 §7, SPEC R5.3).

use super::*;

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct ReclassifyInput {
    /// `electronic`, `paper_archive`, `incomplete_archive` or `statutory`.
    pub deadline_class: String,
    /// For `statutory`: the legal limit (`20wd`, `30cd`).
    pub statutory_limit: Option<String>,
    pub reason: String,
}

/// The issuer reclassifies this request's deadline class on registering it, with a reason
/// (A2 §7): the clock restarts from receipt under the new class.
pub async fn reclassify(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &ReclassifyInput,
) -> AppResult<Detail> {
    let mut p = Problems::default();
    let class =
        VerificationDeadlineClass::parse(&input.deadline_class, input.statutory_limit.as_deref())
            .map_err(|e| p.add("deadline_class", e))
            .ok();
    let reason = field_text(&mut p, "reason", "改判理由", &input.reason, 500);
    p.into_result()?;
    let Some(class) = class else {
        return Err(AppError::Internal("校验失败".into()));
    };
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let v = load_in(&mut tx, id).await?;
    require_action(actor, &v, Action::Reclassify, now)?;
    if class.code() == v.deadline_class && class.period_string() == v.deadline_period {
        return Err(AppError::field(
            "deadline_class",
            "新的时限类别与原类别相同",
        ));
    }
    close_deadline_in(&mut tx, app, actor, &v).await?;
    let (did, due) = open_deadline_in(
        &mut tx,
        app,
        actor,
        id,
        v.issuer_org_id,
        class,
        Some(v.sent_at),
    )
    .await?;
    tx.execute(
        q("UPDATE verifications SET deadline_class = ?, deadline_period = ?, reclass_reason = ?, deadline_id = ?, \
           due_at = ?, updated_at = ?, version = version + 1 WHERE id = ?")
        .bind(class.code())
        .bind(class.period_string())
        .bind(&reason)
        .bind(did)
        .bind(due)
        .bind(now)
        .bind(id),
    )
    .await?;
    let text = format!(
        "改判时限类别：{} → {}，理由：{reason}；新的反馈期限 {}",
        class_label(&v.deadline_class, &v.deadline_period),
        class.label(),
        due.map(crate::local_time).unwrap_or_default()
    );
    event_in(&mut tx, id, now, "reclassify", actor, &text).await?;
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

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct AnswerInput {
    /// `confirmed` or `not_matching`.
    pub outcome: String,
    /// The reply template's fields.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub answer: Map<String, Json>,
    /// What the records say (required when not matching).
    pub records_say: Option<String>,
}

/// The issuer answers (A2 §7): a canonical JSON reply letter sealed with the issuer's key.
pub async fn answer(app: &App, actor: &Actor, id: i64, input: &AnswerInput) -> AppResult<Detail> {
    let mut p = Problems::default();
    let outcome = Outcome::parse(&input.outcome);
    if outcome.is_none() {
        p.add(
            "outcome",
            "核验结果应为 confirmed（属实）或 not_matching（不符）",
        );
    }
    let records_say = match input
        .records_say
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(s) => Some(field_text(&mut p, "records_say", "档案记载", s, MAX_TEXT)),
        None if outcome == Some(Outcome::NotMatching) => {
            p.add("records_say", "结果不符时须写明档案记载的情况");
            None
        }
        None => None,
    };
    if input.answer.len() > rules::MAX_FIELDS {
        p.add("answer", format!("反馈内容不能超过{}项", rules::MAX_FIELDS));
    }
    p.into_result()?;
    let Some(outcome) = outcome else {
        return Err(AppError::Internal("校验失败".into()));
    };
    // The letter is written and sealed from the committed record, outside the write lock
    // (a signature is ~0.1 ms of CPU); the write then applies only if nobody changed the
    // record meanwhile, and otherwise the letter is written again from the new record.
    for _ in 0..ANSWER_ATTEMPTS {
        let now = app.now_ms();
        let v = read(app, id).await?;
        require_action(actor, &v, Action::Answer, now)?;
        let trow = app
            .db
            .reader()
            .fetch_optional::<TemplateRow>(template_query(
                v.proof_item_id,
                v.issuer_org_id,
                v.requester_org_id,
            ))
            .await?;
        let reply_fields = trow
            .map(|t| parse_fields(&t.reply_fields))
            .filter(|f| !f.is_empty())
            .unwrap_or_else(rules::default_reply_fields);
        let errs = rules::check_values(&reply_fields, &input.answer);
        if !errs.is_empty() {
            return Err(AppError::Validation(
                errs.into_iter()
                    .map(|(k, m)| crate::FieldError::new(format!("answer.{k}"), m))
                    .collect(),
            ));
        }
        let late = v.due_at.is_some_and(|d| now > d);
        let answer = Json::Object(input.answer.clone());
        let body = reply_letter(&v, actor, outcome, &answer, records_say.as_deref(), now);
        let signed = seals::sign(app, v.issuer_org_id, &body).await?;
        let mut tx = app.db.begin().await?;
        let changed = tx
            .execute(
                q("UPDATE verifications SET state = 'answered', outcome = ?, answer = ?, records_say = ?, answered_by_name = ?, \
                   answered_at = ?, answered_late = ?, sealed_id = ?, updated_at = ?, version = version + 1 \
                   WHERE id = ? AND state = 'registered' AND version = ?")
                .bind(outcome.as_str())
                .bind(answer.to_string())
                .bind(records_say.clone())
                .bind(&actor.name)
                .bind(now)
                .bind(late)
                .bind(&signed.public_id)
                .bind(now)
                .bind(id)
                .bind(v.version),
            )
            .await?;
        if changed == 0 {
            continue;
        }
        let doc = ToSeal {
            org_id: v.issuer_org_id,
            kind: crate::seals::SealKind::VerificationReply,
            object_type: "verification",
            object_id: id.to_string(),
            body: &body,
        };
        let sealed = seals::record_in(&mut tx, actor, now, &doc, signed).await?;
        return answered_in(
            tx,
            app,
            actor,
            &v,
            (outcome, records_say.as_deref(), late),
            &sealed,
            now,
        )
        .await;
    }
    Err(AppError::Conflict(
        "该核验正在被他人同时办理，请刷新后重试".to_owned(),
    ))
}

/// Tries an answer makes before giving up to concurrent changes of the same request.
const ANSWER_ATTEMPTS: usize = 3;

/// The reply letter (部门核验反馈函) as signed: canonical JSON of these fields.
fn reply_letter(
    v: &Verification,
    actor: &Actor,
    outcome: Outcome,
    answer: &Json,
    records_say: Option<&str>,
    now: i64,
) -> Json {
    let facts: Json = serde_json::from_str(&v.facts).unwrap_or(Json::Null);
    json!({
        "document": "部门核验反馈函",
        "number": number(v.id),
        "issuer": {"name": v.issuer_name, "credit_code": v.issuer_credit_code},
        "requester": {"name": v.requester_name},
        "proof_item": {"id": v.proof_item_id, "name": v.proof_item_name},
        "subject": {"kind": v.subject_kind, "name": v.subject_name, "code": mask_code(&v.subject_code)},
        "case_ref": v.case_ref,
        "facts_asked": facts,
        "outcome": outcome.as_str(),
        "outcome_label": outcome.label(),
        "answer": answer,
        "records_say": records_say,
        "answered_by": actor.name,
        "answered_at": deadlines::rfc3339(now),
        "basis": "高青县证明事项核验实施办法（试行）第七条",
    })
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
    event_in(&mut tx, id, now, "answer", actor, &text).await?;
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
        crate::verification_cases::end_wait_in(&mut tx, app, actor, case_id, v.id).await?;
    }
    tx.commit().await?;
    get_unaudited(app, v.id).await
}

pub(super) async fn notify_requester_in(
    tx: &mut Tx,
    v: &Verification,
    text: &str,
    event: &str,
    now: i64,
) -> AppResult<()> {
    let to = match v.sent_by {
        Some(s) => Recipient::Staff(s),
        None => Recipient::Org(v.requester_org_id),
    };
    notifications::insert_in(
        tx,
        &to,
        proofless_domain::notification::NotificationKind::Verification,
        text,
        &format!("/verifications/{}", v.id),
        &format!("verification:{}:{event}:requester", v.id),
        now,
    )
    .await?;
    Ok(())
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct ReturnInput {
    pub reason: String,
}

/// Returns the request as outside the issuer's remit (A2 §7): the clock stops, the sender
/// is notified.
pub async fn return_request(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &ReturnInput,
) -> AppResult<Detail> {
    let mut p = Problems::default();
    let reason = field_text(&mut p, "reason", "退回理由", &input.reason, 500);
    p.into_result()?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let v = load_in(&mut tx, id).await?;
    require_action(actor, &v, Action::Return, now)?;
    tx.execute(
        q("UPDATE verifications SET state = 'returned', return_reason = ?, answered_by_name = ?, answered_at = ?, \
           updated_at = ?, version = version + 1 WHERE id = ? AND state = 'registered'")
        .bind(&reason)
        .bind(&actor.name)
        .bind(now)
        .bind(now)
        .bind(id),
    )
    .await?;
    close_deadline_in(&mut tx, app, actor, &v).await?;
    event_in(
        &mut tx,
        id,
        now,
        "return",
        actor,
        &format!("退回：不属于本单位职责，理由：{reason}"),
    )
    .await?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("verification.return", "verification", id)
            .subject(v.subject_ref())
            .purpose(&v.purpose_text())
            .detail(json!({"reason": reason})),
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
