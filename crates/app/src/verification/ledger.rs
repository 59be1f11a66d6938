//! Ledger of supplementary material and applicant-provided information (A2 §8, §9; SPEC R5.5,
//! R5.6), and offline channels (A2 §3, SPEC R5.1).

use super::*;
use serde::Deserialize;

// ---------------------------------------------------------------------------------------
// Ledger (A2 §8, §9) and offline channels (A2 §3)

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct LedgerEntry {
    pub id: i64,
    pub org_id: i64,
    pub verification_id: Option<i64>,
    pub kind: String,
    pub subject_kind: String,
    pub subject_id: i64,
    pub subject_name: String,
    pub proof_item_id: i64,
    pub proof_item_name: String,
    pub case_ref: String,
    pub what: String,
    pub why: String,
    pub recorded_by_name: String,
    pub at: i64,
}

pub(super) const LEDGER_COLS: &str = "SELECT id, org_id, verification_id, kind, subject_kind, subject_id, subject_name, \
    proof_item_id, proof_item_name, case_ref, what, why, recorded_by_name, at FROM verification_ledger";

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct LedgerInput {
    /// `supplementary_request`, `onsite_check` or `applicant_provided`.
    pub kind: String,
    /// Required for supplementary requests and on-site checks; for applicant-provided
    /// information either this or the subject, proof item and case.
    pub verification_id: Option<i64>,
    pub proof_item_id: Option<i64>,
    pub subject: Option<SubjectInput>,
    pub case_ref: Option<String>,
    /// What material or information (only what the purpose needs, A2 §8), or what was checked.
    pub what: String,
    /// Why (the mismatch, the missing answer, the applicant's choice).
    pub why: String,
}

/// Records a ledger entry of the requesting unit (A2 §8, §9).
pub async fn record_ledger(
    app: &App,
    actor: &Actor,
    input: &LedgerInput,
) -> AppResult<LedgerEntry> {
    actor.require_staff()?;
    let org = actor
        .org_id
        .ok_or_else(|| AppError::forbidden("台账记录须以本单位名义"))?;
    let mut p = Problems::default();
    let kind = LedgerKind::parse(&input.kind);
    if kind.is_none() {
        p.add(
            "kind",
            "台账类型应为 supplementary_request、onsite_check 或 applicant_provided",
        );
    }
    let what = field_text(&mut p, "what", "内容", &input.what, MAX_TEXT);
    let why = field_text(&mut p, "why", "事由", &input.why, MAX_TEXT);
    let loose_subject = match (&input.verification_id, &input.subject) {
        (None, Some(s)) => check_subject(&mut p, s),
        _ => None,
    };
    p.into_result()?;
    let Some(kind) = kind else {
        return Err(AppError::Internal("校验失败".into()));
    };
    if !rules::role_may(Action::OnsiteCheck, &actor.roles) && !actor.has_any(&[Role::CounterClerk])
    {
        return Err(AppError::forbidden(
            "无权操作：需要联络员、代办员或窗口人员角色",
        ));
    }
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let (vid, subject_kind, subject_id, subject_name, item_id, item_name, case_ref, purpose) =
        match input.verification_id {
            Some(vid) => {
                let v = load_in(&mut tx, vid).await?;
                if v.requester_org_id != org {
                    return Err(AppError::forbidden(
                        "无权操作：只有需求单位可以记录本核验的台账",
                    ));
                }
                let action = match kind {
                    LedgerKind::SupplementaryRequest => Some(Action::SupplementaryRequest),
                    LedgerKind::OnsiteCheck => Some(Action::OnsiteCheck),
                    LedgerKind::ApplicantProvided => None,
                };
                if let Some(a) = action {
                    require_action(actor, &v, a, now)?;
                }
                let purpose = v.purpose_text();
                (
                    Some(vid),
                    v.subject_kind,
                    v.subject_id,
                    v.subject_name,
                    v.proof_item_id,
                    v.proof_item_name,
                    v.case_ref,
                    purpose,
                )
            }
            None => {
                if kind != LedgerKind::ApplicantProvided {
                    return Err(AppError::field(
                        "verification_id",
                        "补充材料和实地核查须关联一件核验",
                    ));
                }
                let mut p = Problems::default();
                let Some(item_id) = input.proof_item_id else {
                    return Err(AppError::field("proof_item_id", "须指明证明事项"));
                };
                let case_ref = field_text(
                    &mut p,
                    "case_ref",
                    "所服务的办件编号",
                    input.case_ref.as_deref().unwrap_or(""),
                    MAX_REF,
                );
                p.into_result()?;
                let Some(s) = loose_subject else {
                    return Err(AppError::field("subject", "须填写申请人（核验对象）"));
                };
                let item = crate::catalogue::public::item(app, item_id)
                    .await
                    .map_err(|_| {
                        AppError::field(
                            "proof_item_id",
                            format!("证明事项 {item_id} 不在现行公布的证明事项清单中"),
                        )
                    })?;
                let s = subject_in(&mut tx, actor, now, s).await?;
                (
                    None,
                    s.kind.as_str().to_owned(),
                    s.id,
                    s.name,
                    item_id,
                    item.name.clone(),
                    case_ref.clone(),
                    format!("申请人自行提供证明信息（案件 {case_ref}）"),
                )
            }
        };
    let id = tx
        .scalar_i64(
            q("INSERT INTO verification_ledger (org_id, verification_id, kind, subject_kind, subject_id, subject_name, \
               proof_item_id, proof_item_name, case_ref, what, why, recorded_by_name, at) \
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id")
            .bind(org)
            .bind(vid)
            .bind(kind.as_str())
            .bind(&subject_kind)
            .bind(subject_id)
            .bind(&subject_name)
            .bind(item_id)
            .bind(&item_name)
            .bind(&case_ref)
            .bind(&what)
            .bind(&why)
            .bind(&actor.name)
            .bind(now),
        )
        .await?;
    if let Some(vid) = vid {
        event_in(
            &mut tx,
            vid,
            now,
            kind.as_str(),
            actor,
            &format!("{}：{what}（事由：{why}）", kind.label()),
        )
        .await?;
    }
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("verification.ledger", "verification_ledger", id)
            .subject(format!("{subject_kind}:{subject_id}"))
            .purpose(&purpose)
            .detail(
                json!({"kind": kind.as_str(), "verification_id": vid, "what": what, "why": why}),
            ),
    )
    .await?;
    let row = tx
        .fetch_one(q(format!("{LEDGER_COLS} WHERE id = ?")).bind(id))
        .await?;
    tx.commit().await?;
    Ok(row)
}

/// The unit's ledger, newest first.
pub async fn ledger(app: &App, actor: &Actor, limit: i64) -> AppResult<Vec<LedgerEntry>> {
    actor.require_staff()?;
    let org = actor
        .org_id
        .ok_or_else(|| AppError::forbidden("台账按单位查看"))?;
    Ok(app
        .db
        .reader()
        .fetch_all(
            q(format!(
                "{LEDGER_COLS} WHERE org_id = ? ORDER BY id DESC LIMIT ?"
            ))
            .bind(org)
            .bind(limit.clamp(1, 500)),
        )
        .await?)
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct OfflineInput {
    /// `fax`, `email` or `office_system`.
    pub channel: String,
    pub proof_item_id: i64,
    pub issuer_org_id: Option<i64>,
    pub subject: SubjectInput,
    #[schema(value_type = Object)]
    pub facts: Map<String, Json>,
    pub case_ref: String,
    pub purpose: String,
    /// `confirmed` or `not_matching`.
    pub outcome: String,
    pub records_say: Option<String>,
    /// Fax number, mail subject or document number of the exchange.
    pub offline_ref: String,
    /// When the answer came (RFC 3339); default now.
    pub answered_at: Option<String>,
    /// The recorder confirms no state or work secret went through this channel (A2 §3).
    #[serde(default)]
    pub no_secret_confirmed: bool,
}

/// Records a verification done by fax, e-mail or the office system after the fact (A2 §3).
pub async fn record_offline(app: &App, actor: &Actor, input: &OfflineInput) -> AppResult<Detail> {
    actor.require_staff()?;
    if !rules::role_may(Action::Report, &actor.roles) {
        return Err(AppError::forbidden(
            "无权操作：只有联络员或代办员可以登记线下核验",
        ));
    }
    let requester = actor
        .org_id
        .ok_or_else(|| AppError::forbidden("登记线下核验须以本单位名义"))?;
    let now = app.now_ms();
    let mut p = Problems::default();
    let channel = Channel::parse(&input.channel).filter(|c| *c != Channel::System);
    if channel.is_none() {
        p.add(
            "channel",
            "线下渠道应为 fax（传真）、email（公务邮箱）或 office_system（协同办公系统）",
        );
    }
    if !input.no_secret_confirmed {
        p.add(
            "no_secret_confirmed",
            "须确认本次核验不涉及国家秘密和工作秘密：涉密事项不得通过传真、邮箱或协同办公系统办理（附件2第三条）",
        );
    }
    let subject = check_subject(&mut p, &input.subject);
    let case_ref = field_text(
        &mut p,
        "case_ref",
        "所服务的办件编号",
        &input.case_ref,
        MAX_REF,
    );
    let purpose = field_text(&mut p, "purpose", "核验用途", &input.purpose, MAX_PURPOSE);
    let offline_ref = field_text(
        &mut p,
        "offline_ref",
        "线下往来凭据",
        &input.offline_ref,
        200,
    );
    let outcome = Outcome::parse(&input.outcome);
    if outcome.is_none() {
        p.add(
            "outcome",
            "核验结果应为 confirmed（属实）或 not_matching（不符）",
        );
    }
    let records_say = input
        .records_say
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| field_text(&mut p, "records_say", "档案记载", s, MAX_TEXT));
    if outcome == Some(Outcome::NotMatching) && records_say.is_none() {
        p.add("records_say", "结果不符时须写明档案记载的情况");
    }
    let answered_at = match input
        .answered_at
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => Some(now),
        Some(s) => match DateTime::parse_from_rfc3339(s) {
            Ok(t) if t.timestamp_millis() <= now => Some(t.timestamp_millis()),
            Ok(_) => {
                p.add("answered_at", "反馈时间不能晚于现在");
                None
            }
            Err(_) => {
                p.add("answered_at", "反馈时间无效（应为 RFC 3339）");
                None
            }
        },
    };
    let asked =
        p.collect(verifiable(app, input.proof_item_id, input.issuer_org_id, actor.org_id).await)?;
    p.into_result()?;
    let (Some(asked), Some(subject), Some(channel), Some(outcome), Some(answered_at)) =
        (asked, subject, channel, outcome, answered_at)
    else {
        return Err(AppError::Internal("校验失败".into()));
    };
    let mut tx = app.db.begin().await?;
    let (tpl, subject) = request_in(
        &mut tx,
        actor,
        now,
        &asked,
        (input.proof_item_id, requester),
        &input.facts,
        subject,
    )
    .await?;
    let (issuer_name,): (String,) = tx
        .fetch_one(q("SELECT name FROM orgs WHERE id = ?").bind(asked.issuer_org_id))
        .await?;
    let id = tx
        .scalar_i64(
            q("INSERT INTO verifications (channel, state, requester_org_id, issuer_org_id, proof_item_id, proof_item_name, \
               template_id, subject_kind, subject_id, subject_name, subject_code, facts, case_ref, purpose, \
               catalogue_class, deadline_class, deadline_period, sent_by, sent_by_name, sent_at, outcome, records_say, \
               answered_by_name, answered_at, no_secret_confirmed, offline_ref, updated_at) \
               VALUES (?, 'answered', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id")
            .bind(channel.as_str())
            .bind(requester)
            .bind(asked.issuer_org_id)
            .bind(input.proof_item_id)
            .bind(&asked.item_name)
            .bind(tpl.id)
            .bind(subject.kind.as_str())
            .bind(subject.id)
            .bind(&subject.name)
            .bind(&subject.code)
            .bind(Json::Object(input.facts.clone()).to_string())
            .bind(&case_ref)
            .bind(&purpose)
            .bind(asked.class.code())
            .bind(asked.class.code())
            .bind(asked.class.period_string())
            .bind(actor.staff_id())
            .bind(&actor.name)
            .bind(answered_at)
            .bind(outcome.as_str())
            .bind(records_say.clone())
            .bind(format!("{issuer_name}（经{}）", channel.label()))
            .bind(answered_at)
            .bind(true)
            .bind(&offline_ref)
            .bind(now),
        )
        .await?;
    event_in(
        &mut tx,
        id,
        now,
        "offline",
        actor,
        &format!(
            "事后登记经{}完成的核验（凭据：{offline_ref}）：{}；登记人确认不涉及国家秘密和工作秘密",
            channel.label(),
            outcome.label()
        ),
    )
    .await?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("verification.offline", "verification", id)
            .subject(format!("{}:{}", subject.kind.as_str(), subject.id))
            .purpose(&format!("{purpose}（案件 {case_ref}）"))
            .detail(
                json!({"channel": channel.as_str(), "offline_ref": offline_ref,
                "outcome": outcome.as_str(), "no_secret_confirmed": true}),
            ),
    )
    .await?;
    tx.commit().await?;
    get_unaudited(app, id).await
}
