//! Subjects, sending (A2 §5, SPEC R5.1) and receiving (A2 §7, SPEC R5.3), reading with purpose
//! (A2 §12, SPEC R5.9).

use super::*;

// ---------------------------------------------------------------------------------------
// Subjects

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct SubjectInput {
    /// `person` (resident ID) or `entity` (unified social credit code).
    pub kind: String,
    pub code: String,
    pub name: String,
}

pub(super) struct Subject {
    pub(super) kind: SubjectKind,
    pub(super) id: i64,
    pub(super) name: String,
    pub(super) code: String,
}

pub(super) fn check_subject(
    p: &mut Problems,
    s: &SubjectInput,
) -> Option<(SubjectKind, String, String)> {
    let kind = SubjectKind::parse(&s.kind);
    if kind.is_none() {
        p.add(
            "subject.kind",
            "核验对象类型应为 person（自然人）或 entity（法人和其他组织）",
        );
    }
    let name = field_text(p, "subject.name", "核验对象名称", &s.name, 100);
    let code = match kind {
        Some(SubjectKind::Person) => match ResidentId::parse(s.code.trim()) {
            Ok(r) => Some(r.as_str().to_owned()),
            Err(e) => {
                p.add("subject.code", format!("公民身份号码无效：{e}"));
                None
            }
        },
        Some(SubjectKind::Entity) => match CreditCode::parse(s.code.trim()) {
            Ok(c) => Some(c.as_str().to_owned()),
            Err(e) => {
                p.add("subject.code", format!("统一社会信用代码无效：{e}"));
                None
            }
        },
        None => None,
    };
    Some((kind?, code?, name))
}

fn subject_query(kind: SubjectKind, code: &str) -> Query {
    let (table, col) = subject_table(kind);
    q(format!("SELECT id, name FROM {table} WHERE {col} = ?")).bind(code)
}

fn subject_table(kind: SubjectKind) -> (&'static str, &'static str) {
    match kind {
        SubjectKind::Person => ("persons", "resident_id"),
        SubjectKind::Entity => ("entities", "credit_code"),
    }
}

/// The registered subject's id; an error when the code is registered under another name.
fn known_subject(found: Option<(i64, String)>, name: &str) -> AppResult<Option<i64>> {
    match found {
        Some((id, known)) if known == name => Ok(Some(id)),
        Some(_) => Err(AppError::field(
            "subject.name",
            "核验对象名称与该证件号码登记的名称不一致",
        )),
        None => Ok(None),
    }
}

/// Finds or registers the subject inside `tx`.
pub(super) async fn subject_in(
    tx: &mut Tx,
    actor: &Actor,
    now: i64,
    (kind, code, name): (SubjectKind, String, String),
) -> AppResult<Subject> {
    let (table, col) = subject_table(kind);
    let found = tx.fetch_optional(subject_query(kind, &code)).await?;
    let id = match known_subject(found, &name)? {
        Some(id) => id,
        None => {
            let id = tx
                .scalar_i64(
                    q(format!(
                        "INSERT INTO {table} ({col}, name, created_at) VALUES (?, ?, ?) RETURNING id"
                    ))
                    .bind(&code)
                    .bind(&name)
                    .bind(now),
                )
                .await?;
            audit::append(
                tx,
                actor,
                now,
                Entry::new(
                    if kind == SubjectKind::Person {
                        "person.create"
                    } else {
                        "entity.create"
                    },
                    kind.as_str(),
                    id,
                )
                .subject(format!("{}:{id}", kind.as_str()))
                .purpose("登记部门核验对象"),
            )
            .await?;
            id
        }
    };
    Ok(Subject {
        kind,
        id,
        name,
        code,
    })
}

// ---------------------------------------------------------------------------------------
// Sending (A2 §5) and receiving (A2 §7)

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct SendInput {
    pub proof_item_id: i64,
    /// Optional when the catalogue names one issuer; must be one of the item's issuers.
    pub issuer_org_id: Option<i64>,
    pub subject: SubjectInput,
    /// The facts as the applicant stated them, by the request template's fields.
    #[schema(value_type = Object)]
    pub facts: Map<String, Json>,
    /// The case it serves (case number).
    pub case_ref: String,
    /// The case record, when the case is kept in this system (its assessment clock waits).
    pub case_id: Option<i64>,
    pub purpose: String,
}

pub(super) async fn grace_minutes_in(tx: &mut Tx) -> AppResult<i64> {
    let v: Option<(String,)> = tx
        .fetch_optional(q("SELECT value FROM settings WHERE key = ?").bind(GRACE_SETTING))
        .await?;
    Ok(v.and_then(|(s,)| s.parse().ok())
        .unwrap_or(DEFAULT_GRACE_MINUTES))
}

/// Sets the grace before automatic reporting (joint office or system admin).
pub async fn set_grace_minutes(app: &App, actor: &Actor, minutes: i64) -> AppResult<i64> {
    actor.require_any(&[Role::JointOffice, Role::SystemAdmin])?;
    if !(0..=7 * 24 * 60).contains(&minutes) {
        return Err(AppError::field(
            "minutes",
            "宽限时间应在0至10080分钟（7天）之间",
        ));
    }
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    tx.execute(
        q("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
            .bind(GRACE_SETTING)
            .bind(minutes.to_string()),
    )
    .await?;
    let moved = reschedule_auto_reports_in(&mut tx, minutes, now).await?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("verification.grace.set", "setting", GRACE_SETTING)
            .detail(json!({"minutes": minutes, "rescheduled": moved})),
    )
    .await?;
    tx.commit().await?;
    Ok(minutes)
}

/// Moves the automatic report of every open, unreported verification to its due instant
/// plus the new grace (A2 §11): a longer grace must not leave a job that runs early, finds
/// the grace not yet over and never runs again. Returns how many were moved.
pub(super) async fn reschedule_auto_reports_in(
    tx: &mut Tx,
    minutes: i64,
    now: i64,
) -> AppResult<usize> {
    let mut after = 0i64;
    let mut moved = 0;
    loop {
        let open: Vec<(i64, i64)> = tx
            .fetch_all(
                q("SELECT id, due_at FROM verifications WHERE state = 'registered' AND reported_at IS NULL \
                   AND due_at IS NOT NULL AND id > ? ORDER BY id LIMIT 500")
                .bind(after),
            )
            .await?;
        let Some(last) = open.last().map(|r| r.0) else {
            return Ok(moved);
        };
        let jobs: Vec<_> = open
            .iter()
            .map(|(id, due)| crate::jobs::NewJob {
                kind: KIND_AUTO_REPORT,
                unique_key: format!("verification:{id}:auto_report"),
                run_at: due + minutes * 60_000,
                payload: json!({"verification_id": id}),
            })
            .collect();
        crate::jobs::enqueue_many_in(tx, &jobs, now).await?;
        moved += open.len();
        after = last;
    }
}

pub async fn grace_minutes(app: &App) -> AppResult<i64> {
    let v: Option<(String,)> = app
        .db
        .reader()
        .fetch_optional(q("SELECT value FROM settings WHERE key = ?").bind(GRACE_SETTING))
        .await?;
    Ok(v.and_then(|(s,)| s.parse().ok())
        .unwrap_or(DEFAULT_GRACE_MINUTES))
}

fn deadline_input(
    id: Option<i64>,
    issuer: i64,
    class: VerificationDeadlineClass,
    start: chrono::DateTime<chrono::Utc>,
) -> deadlines::NewDeadline {
    deadlines::NewDeadline {
        subject_type: proofless_domain::deadline::SubjectType::Verification,
        // A request being sent gets its number when its row is written (see `send`).
        subject_id: id.map_or_else(|| "（发送时编号）".to_owned(), number),
        org_id: issuer,
        rule_key: proofless_domain::deadline::RuleKey::from_static(rules::rule_key(class)),
        start,
        statutory_limit: match class {
            VerificationDeadlineClass::Statutory(p) => Some(p),
            _ => None,
        },
    }
}

/// Opens the deadline of a verification inside `tx` (issuer's unit, rule of its class) and
/// schedules the half-time B notification and the automatic report. Returns (deadline id,
/// due).
pub(super) async fn open_deadline_in(
    tx: &mut Tx,
    app: &App,
    actor: &Actor,
    id: i64,
    issuer: i64,
    class: VerificationDeadlineClass,
    start_ms: Option<i64>,
) -> AppResult<(i64, Option<i64>)> {
    let system = Actor::system(&actor.operation_id);
    let start = deadlines::to_utc(start_ms.unwrap_or_else(|| app.now_ms()))
        .ok_or_else(|| AppError::field("start", "起算时间无效"))?;
    let input = deadline_input(Some(id), issuer, class, start);
    let opened = deadlines::open_in(tx, app, &system, &input).await?;
    let grace = grace_minutes_in(tx).await?;
    schedule_jobs_in(tx, app, id, opened, grace).await
}

/// A new request's deadline and grace, worked out before its transaction (see `send`).
pub(super) struct DeadlinePlan {
    planned: deadlines::Planned,
    grace: i64,
}

pub(super) async fn plan_deadline(
    app: &App,
    actor: &Actor,
    issuer: i64,
    class: VerificationDeadlineClass,
) -> AppResult<DeadlinePlan> {
    let system = Actor::system(&actor.operation_id);
    let start =
        deadlines::to_utc(app.now_ms()).ok_or_else(|| AppError::field("start", "起算时间无效"))?;
    let planned =
        deadlines::plan(app, &system, &deadline_input(None, issuer, class, start)).await?;
    Ok(DeadlinePlan {
        planned,
        grace: grace_minutes(app).await?,
    })
}

/// Writes a planned deadline for the request just written as `id`.
pub(super) async fn open_planned_deadline_in(
    tx: &mut Tx,
    app: &App,
    actor: &Actor,
    id: i64,
    mut plan: DeadlinePlan,
) -> AppResult<(i64, Option<i64>)> {
    let system = Actor::system(&actor.operation_id);
    plan.planned.subject_id = number(id);
    let opened = deadlines::open_planned_in(tx, app, &system, &plan.planned).await?;
    schedule_jobs_in(tx, app, id, opened, plan.grace).await
}

/// The automatic report after the grace (A2 §11) and the half-time notice to B (A2 §6).
async fn schedule_jobs_in(
    tx: &mut Tx,
    app: &App,
    id: i64,
    opened: deadlines::Opened,
    grace: i64,
) -> AppResult<(i64, Option<i64>)> {
    let (did, due, eff) = (opened.id, opened.due_at, opened.effective_start);
    if let Some(due) = due {
        let payload = json!({"verification_id": id});
        let mut jobs = vec![crate::jobs::NewJob {
            kind: KIND_AUTO_REPORT,
            unique_key: format!("verification:{id}:auto_report"),
            run_at: due + grace * 60_000,
            payload: payload.clone(),
        }];
        if let Some(eff) = eff
            && let Some(half) = deadlines::reminder_at(&app.calendar(), app, eff, due, 0, (1, 2))
        {
            jobs.push(crate::jobs::NewJob {
                kind: KIND_HALF_TIME,
                unique_key: format!("verification:{id}:half_time"),
                run_at: half,
                payload,
            });
        }
        crate::jobs::enqueue_many_in(tx, &jobs, app.now_ms()).await?;
    }
    Ok((did, due))
}

/// The duty posts of a unit: A, B and whether A is marked absent.
pub(super) type Posts = Vec<(i64, Option<i64>, bool)>;

pub(super) fn duty_posts_query(org_id: i64) -> Query {
    q("SELECT a_staff_id, b_staff_id, a_absent FROM duty_posts WHERE org_id = ?").bind(org_id)
}

/// A and, when A is absent, B of every duty post of the issuing unit (A2 §6); the unit
/// itself when it has no post. The caller reads the posts ([`duty_posts_query`]), inside
/// its transaction or, for a send, before taking the write lock.
pub(super) async fn notify_issuer_in(
    tx: &mut Tx,
    (org_id, posts): (i64, &Posts),
    half_time: bool,
    id: i64,
    text: &str,
    event: &str,
    now: i64,
) -> AppResult<()> {
    let link = format!("/verifications/{id}");
    let mut items = vec![];
    if posts.is_empty() {
        items.push(notifications::NewNotification {
            to: Recipient::Org(org_id),
            kind: proofless_domain::notification::NotificationKind::Verification,
            text: text.to_owned(),
            link: link.clone(),
            dedupe_key: format!("verification:{id}:{event}:org"),
        });
    }
    for &(a, b, absent) in posts {
        if !half_time {
            items.push(notifications::NewNotification {
                to: Recipient::Staff(a),
                kind: proofless_domain::notification::NotificationKind::Verification,
                text: text.to_owned(),
                link: link.clone(),
                dedupe_key: format!("verification:{id}:{event}:{a}"),
            });
        }
        if let Some(b) = b
            && rules::notify_b(absent, half_time)
        {
            items.push(notifications::NewNotification {
                to: Recipient::Staff(b),
                kind: proofless_domain::notification::NotificationKind::Verification,
                text: text.to_owned(),
                link: link.clone(),
                dedupe_key: format!("verification:{id}:{event}:{b}"),
            });
        }
    }
    notifications::insert_many_in(tx, &items, now).await?;
    Ok(())
}

/// The facts against the request template's typed fields (A2 §4).
fn check_facts(tpl: &Template, facts: &Map<String, Json>) -> AppResult<()> {
    let errs = rules::check_values(&tpl.request_fields, facts);
    if errs.is_empty() {
        return Ok(());
    }
    Err(AppError::Validation(
        errs.into_iter()
            .map(|(k, m)| crate::FieldError::new(format!("facts.{k}"), m))
            .collect(),
    ))
}

/// An offline-recorded request's template check (A2 §4) and subject, found or registered,
/// inside its transaction (a sent one does the same reads before taking the write lock).
pub(super) async fn request_in(
    tx: &mut Tx,
    actor: &Actor,
    now: i64,
    asked: &Asked,
    (proof_item_id, requester): (i64, i64),
    facts: &Map<String, Json>,
    subject: (SubjectKind, String, String),
) -> AppResult<(Template, Subject)> {
    let trow = template_row_in(tx, proof_item_id, asked.issuer_org_id, requester).await?;
    let tpl = template_of(asked, proof_item_id, requester, trow);
    check_facts(&tpl, facts)?;
    let subject = subject_in(tx, actor, now, subject).await?;
    Ok((tpl, subject))
}

/// Sends a verification (A2 §5); it is registered in the issuer's inbox at once with its
/// deadline running (A2 §7).
pub async fn send(app: &App, actor: &Actor, input: &SendInput) -> AppResult<Detail> {
    actor.require_staff()?;
    if !rules::role_may(Action::Report, &actor.roles) {
        return Err(AppError::forbidden(
            "无权操作：只有联络员或代办员可以发起核验",
        ));
    }
    let requester = actor
        .org_id
        .ok_or_else(|| AppError::forbidden("发起核验须以本单位名义"))?;
    let mut p = Problems::default();
    let subject = check_subject(&mut p, &input.subject);
    let case_ref = field_text(
        &mut p,
        "case_ref",
        "所服务的办件编号",
        &input.case_ref,
        MAX_REF,
    );
    let purpose = field_text(&mut p, "purpose", "核验用途", &input.purpose, MAX_PURPOSE);
    if input.facts.len() > rules::MAX_FIELDS {
        p.add("facts", format!("填报事实不能超过{}项", rules::MAX_FIELDS));
    }
    let asked =
        p.collect(verifiable(app, input.proof_item_id, input.issuer_org_id, actor.org_id).await)?;
    p.into_result()?;
    let (Some(asked), Some(subject)) = (asked, subject) else {
        return Err(AppError::Internal("校验失败".into()));
    };
    // Everything that only reads — the template, the subject, the deadline and its rule,
    // the issuer's duty posts — is done before taking the write lock, which then holds only
    // the writes (SQLite has one writer; see docs/ARCHITECTURE.md, "Storage").
    let mut reader = app.db.reader();
    let trow = reader
        .fetch_optional(template_query(
            input.proof_item_id,
            asked.issuer_org_id,
            requester,
        ))
        .await?;
    let tpl = template_of(&asked, input.proof_item_id, requester, trow);
    check_facts(&tpl, &input.facts)?;
    let known = known_subject(
        reader
            .fetch_optional(subject_query(subject.0, &subject.1))
            .await?,
        &subject.2,
    )?;
    let plan = plan_deadline(app, actor, asked.issuer_org_id, asked.class).await?;
    let posts = reader
        .fetch_all(duty_posts_query(asked.issuer_org_id))
        .await?;
    // Sent when its deadline starts: registered at once (A2 §7).
    let now = plan.planned.start_ms();
    let mut tx = app.db.begin().await?;
    let subject = match known {
        Some(id) => Subject {
            kind: subject.0,
            id,
            code: subject.1,
            name: subject.2,
        },
        // Not registered when read: registered now (or found, if registered meanwhile).
        None => subject_in(&mut tx, actor, now, subject).await?,
    };
    let facts = Json::Object(input.facts.clone()).to_string();
    let id = tx
        .scalar_i64(
            q("INSERT INTO verifications (channel, state, requester_org_id, issuer_org_id, proof_item_id, proof_item_name, \
               template_id, subject_kind, subject_id, subject_name, subject_code, facts, case_ref, case_id, purpose, \
               catalogue_class, deadline_class, deadline_period, sent_by, sent_by_name, sent_at, updated_at) \
               VALUES ('system', 'registered', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id")
            .bind(requester)
            .bind(asked.issuer_org_id)
            .bind(input.proof_item_id)
            .bind(&asked.item_name)
            .bind(tpl.id)
            .bind(subject.kind.as_str())
            .bind(subject.id)
            .bind(&subject.name)
            .bind(&subject.code)
            .bind(&facts)
            .bind(&case_ref)
            .bind(input.case_id)
            .bind(&purpose)
            .bind(asked.class.code())
            .bind(asked.class.code())
            .bind(asked.class.period_string())
            .bind(actor.staff_id())
            .bind(&actor.name)
            .bind(now)
            .bind(now),
        )
        .await?;
    let (did, due) = open_planned_deadline_in(&mut tx, app, actor, id, plan).await?;
    tx.execute(
        q("UPDATE verifications SET deadline_id = ?, due_at = ? WHERE id = ?")
            .bind(did)
            .bind(due)
            .bind(id),
    )
    .await?;
    event_in(
        &mut tx,
        id,
        now,
        "send",
        actor,
        &format!(
            "发起核验：{}{}，用途：{purpose}，办件 {case_ref}；开具单位即时登记受理，时限类别 {}，{} 前反馈",
            asked.item_name,
            if asked.pending_adjustment {
                "（清单调整待公布，本单位按附件3第九条自行选择部门核验）"
            } else {
                ""
            },
            asked.class.label(),
            due.map(crate::local_time).unwrap_or_default()
        ),
    )
    .await?;
    let subject_ref = format!("{}:{}", subject.kind.as_str(), subject.id);
    let purpose_full = format!("{purpose}（案件 {case_ref}）");
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("verification.send", "verification", id)
            .subject(subject_ref)
            .purpose(&purpose_full)
            .detail(json!({
                "number": number(id), "proof_item_id": input.proof_item_id,
                "issuer_org_id": asked.issuer_org_id, "deadline_id": did, "due_at": due,
                "class": asked.class.code(), "pending_adjustment": asked.pending_adjustment,
            })),
    )
    .await?;
    let text = format!(
        "【核验】{} 请求核验“{}”（{}），请在 {} 前反馈。",
        actor.org_name.clone().unwrap_or_default(),
        asked.item_name,
        number(id),
        due.map(crate::local_time).unwrap_or_default()
    );
    let posts = (asked.issuer_org_id, &posts);
    notify_issuer_in(&mut tx, posts, false, id, &text, "new", now).await?;
    if let Some(case_id) = input.case_id {
        crate::verification_cases::begin_wait_in(&mut tx, app, actor, case_id, id).await?;
    }
    tx.commit().await?;
    flag_understaffed(app, asked.issuer_org_id).await?;
    get_unaudited(app, id).await
}

/// A2 §6, SPEC R5.8: a unit without 1 liaison and 2 proxy agents is flagged to the joint office
/// (once per unit, deduplicated).
pub(super) async fn flag_understaffed(app: &App, org_id: i64) -> AppResult<()> {
    let st = crate::staff::staffing(app, org_id).await?;
    if st.meets_minimum {
        return Ok(());
    }
    let name = crate::orgs::get(app, org_id).await?.name;
    let mut tx = app.db.begin().await?;
    notifications::insert_in(
        &mut tx,
        &Recipient::Role(proofless_domain::role::Role::JointOffice),
        proofless_domain::notification::NotificationKind::Staffing,
        &format!(
            "【配备不足】{name}未按附件2第六条配备1名联络员和2名代办员（AB角），但已收到核验请求。"
        ),
        "/admin/registry",
        &format!("verification:staffing:{org_id}"),
        app.now_ms(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The record after a change by its own actor: read from the committed state, outside
/// any write transaction (a reader does not wait for the write lock).
pub(super) async fn get_unaudited(app: &App, id: i64) -> AppResult<Detail> {
    with_history(app, read(app, id).await?).await
}

/// The committed record, read outside any write transaction.
pub(super) async fn read(app: &App, id: i64) -> AppResult<Verification> {
    app.db
        .reader()
        .fetch_optional(q(format!("{SELECT} WHERE v.id = ?")).bind(id))
        .await?
        .ok_or_else(|| AppError::NotFound(format!("核验 {}", number(id))))
}

pub(super) async fn with_history(app: &App, v: Verification) -> AppResult<Detail> {
    let events: Vec<Event> = app
        .db
        .reader()
        .fetch_all(
            q("SELECT id, at, kind, actor_name, org_name, text FROM verification_events WHERE verification_id = ? ORDER BY id")
                .bind(v.id),
        )
        .await?;
    let ledger: Vec<LedgerEntry> = app
        .db
        .reader()
        .fetch_all(
            q(format!(
                "{LEDGER_COLS} WHERE verification_id = ? ORDER BY id"
            ))
            .bind(v.id),
        )
        .await?;
    Ok(detail_of(app, v, events, ledger))
}

/// Reads a verification (A2 §12): every read is recorded with who, when, the case and the
/// purpose, under the subject, so the citizen sees it.
pub async fn get(app: &App, actor: &Actor, id: i64) -> AppResult<Detail> {
    actor.require_staff()?;
    let v = read(app, id).await?;
    require_read(actor, &v)?;
    let now = app.now_ms();
    let purpose = v.purpose_text();
    audit::record_read(
        &app.db,
        actor,
        now,
        Entry::new("verification.read", "verification", id)
            .subject(v.subject_ref())
            .purpose(&purpose)
            .detail(json!({"number": number(id), "case_ref": v.case_ref})),
    )
    .await?;
    with_history(app, v).await
}
