//! Filing (A3 §9; SPEC R7.4): a unit (or the joint office, A3 §11) applies to add, change or
//! cancel list content with its grounds; the triggering event's date starts the
//! 7-working-day limit, counted by the deadline engine on the working-day calendar. Late
//! filing is allowed, recorded as late and left as a violation record (A3 §4). The joint
//! office may record an event (a law change it noticed) that starts a unit's limit.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use proofless_domain::adjustment::{AdjustmentKind, ground_problem};
use proofless_domain::deadline::RuleKey;
use proofless_domain::deadline::{SubjectType, keys};
use proofless_domain::role::Role;
use proofless_domain::violation::{ViolationKind, ViolationSource};
use proofless_store::Tx;
use serde_json::json;

use super::input::{Application, ApplicationInput, EventInput, MAX_ATTACHMENT_BYTES};
use super::repo::{self, Adjustment, Attachment, Event, NewRow};
use super::settings::grounds_setting;
use crate::App;
use crate::actor::Actor;
use crate::audit::{self, Entry};
use crate::catalogue;
use crate::deadlines::{self, NewDeadline};
use crate::error::{AppError, AppResult};
use crate::notifications::{self, Recipient};
use crate::violations::{self, NewViolation};
use proofless_domain::notification::NotificationKind;

/// Who files: a unit admin for the unit's own items, the joint office for any (A3 §11).
pub const FILERS: [Role; 2] = [Role::UnitAdmin, Role::JointOffice];

/// Today's local date (Beijing).
pub(crate) fn today(app: &App) -> NaiveDate {
    crate::beijing()
        .timestamp_millis_opt(app.now_ms())
        .single()
        .map(|t| t.date_naive())
        .unwrap_or(NaiveDate::MIN)
}

/// The instant a local date begins.
fn start_of(d: NaiveDate) -> DateTime<Utc> {
    crate::beijing()
        .from_local_datetime(&d.and_hms_opt(0, 0, 0).unwrap_or_default())
        .single()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default()
}

/// Opens the 7-working-day limit from `on` for `org` (A3 §9), as the system.
async fn open_limit(
    tx: &mut Tx,
    app: &App,
    org: i64,
    subject: &str,
    on: NaiveDate,
) -> AppResult<deadlines::Opened> {
    let sys = Actor::system("adjustment");
    deadlines::open_in(
        tx,
        app,
        &sys,
        &NewDeadline {
            subject_type: SubjectType::Adjustment,
            subject_id: subject.to_owned(),
            org_id: org,
            rule_key: RuleKey::from_static(keys::ADJUSTMENT_APPLICATION),
            start: start_of(on),
            statutory_limit: None,
        },
    )
    .await
}

/// The item as filed against: its owner and name; checks the actor's scope and that the kind
/// fits the item (a change or cancellation concerns a published item; an addition one that
/// is not yet published).
pub(crate) async fn item_for(
    app: &App,
    actor: &Actor,
    a: &Application,
) -> AppResult<(i64, String)> {
    let row = catalogue::items::row(&mut app.db.reader(), a.proof_item_id)
        .await
        .map_err(|_| AppError::field("proof_item_id", "证明事项不存在"))?;
    if !actor.has(Role::JointOffice) {
        actor.require_org(row.owner_org_id)?;
    }
    let published = catalogue::public::item(app, a.proof_item_id).await.is_ok();
    match (a.kind, published) {
        (AdjustmentKind::Add, true) => Err(AppError::field(
            "kind",
            "该证明事项已在清单中，不能申请新增（可申请变更或取消）",
        )),
        (AdjustmentKind::Change | AdjustmentKind::Cancel, false) => Err(AppError::field(
            "proof_item_id",
            "只能对已发布清单中的证明事项申请变更或取消",
        )),
        _ => Ok((row.owner_org_id, row.name)),
    }
}

/// A unit (or the joint office) files an application.
pub async fn file(app: &App, actor: &Actor, input: &ApplicationInput) -> AppResult<Adjustment> {
    actor.require_any(&FILERS)?;
    let a = input.parse(today(app))?;
    let (org, name) = item_for(app, actor, &a).await?;
    let now = app.now_ms();
    let grounds =
        crate::policy::in_force(&mut app.db.reader(), grounds_setting(a.kind), now).await?;
    if let Some(why) = ground_problem(&grounds, &a.ground, &a.ground_text) {
        let field = if a.ground == proofless_domain::adjustment::OTHER_GROUND {
            "ground_text"
        } else {
            "ground"
        };
        return Err(AppError::field(field, why));
    }
    let mut tx = app.db.begin().await?;
    let id = file_in(&mut tx, app, actor, &a, org, &name, now).await?;
    tx.commit().await?;
    get_in(app, id).await
}

/// The filing's writes, in the caller's transaction; the new application's id.
pub(crate) async fn file_in(
    tx: &mut Tx,
    app: &App,
    actor: &Actor,
    a: &Application,
    org: i64,
    name: &str,
    now: i64,
) -> AppResult<i64> {
    if let Some(open) = repo::open_for_item(tx, a.proof_item_id).await? {
        return Err(AppError::Conflict(format!(
            "该证明事项已有一份调整申请（#{open}）正在办理，请勿重复申请"
        )));
    }
    // An event the joint office recorded for this item and unit fixes the limit.
    let event = match a.event_id {
        Some(e) => {
            let ev = repo::event(tx, e)
                .await?
                .filter(|ev| ev.org_id == org && ev.proof_item_id == a.proof_item_id);
            Some(ev.ok_or_else(|| AppError::field("event_id", "该事件不属于此证明事项或单位"))?)
        }
        None => None,
    };
    let (deadline_id, due_at) = match &event {
        Some(ev) => (ev.deadline_id, ev.due_at),
        None => {
            let d = open_limit(
                tx,
                app,
                org,
                &format!("adjustment:item:{}", a.proof_item_id),
                a.trigger_date,
            )
            .await?;
            deadlines::complete_in(tx, app, &Actor::system("adjustment"), d.id).await?;
            (Some(d.id), d.due_at.unwrap_or(now))
        }
    };
    let late = now > due_at;
    let id = repo::insert(
        tx,
        a,
        &NewRow {
            org_id: org,
            item_name: name,
            due_at,
            late,
            deadline_id,
            started_by_office: actor.has(Role::JointOffice) && actor.org_id != Some(org),
            filed_by: &actor.name,
            now,
        },
    )
    .await?;
    if let Some(ev) = &event {
        if repo::answer_event(tx, ev.id, id).await? == 0 {
            return Err(AppError::Conflict("该事件已有调整申请".to_owned()));
        }
        if let Some(d) = ev.deadline_id {
            deadlines::complete_in(tx, app, &Actor::system("adjustment"), d).await?;
        }
    }
    if late {
        let source_ref = format!("adjustment:{id}");
        let summary = format!(
            "“{name}”的清单调整申请逾期提交：触发事件 {}，期限至 {}（A3 §9：7个工作日）",
            a.trigger_date,
            crate::local_time(due_at)
        );
        violations::record(
            tx,
            actor,
            now,
            &NewViolation {
                kind: ViolationKind::WeakImplementation,
                source: ViolationSource::Adjustment,
                source_ref: &source_ref,
                org_id: org,
                staff_id: None,
                summary: &summary,
                occurred_at: now,
            },
        )
        .await?;
    }
    audit::append(
        tx,
        actor,
        now,
        Entry::new("adjustment.file", "adjustment", id).detail(json!({
            "proof_item_id": a.proof_item_id, "kind": a.kind.as_str(), "ground": a.ground,
            "trigger_date": a.trigger_date.to_string(), "due_at": due_at, "late": late,
            "event_id": a.event_id, "comment_id": a.comment_id,
        })),
    )
    .await?;
    notifications::insert_in(
        tx,
        &Recipient::Role(Role::JointOffice),
        NotificationKind::Review,
        &format!(
            "【清单调整】{}申请{}“{name}”（#{id}），请审核。",
            actor.org_name.clone().unwrap_or_default(),
            a.kind.label()
        ),
        &format!("/adjustments/{id}"),
        &format!("adjustment:{id}:filed"),
        now,
    )
    .await?;
    Ok(id)
}

pub(crate) async fn get_in(app: &App, id: i64) -> AppResult<Adjustment> {
    repo::get(&mut app.db.reader(), id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("调整申请 {id}")))
}

/// Who may read applications: the joint office, the justice bureau and the county approver
/// all; a unit admin those of the unit.
pub(crate) fn read_scope(actor: &Actor) -> AppResult<Option<i64>> {
    if actor.has_any(&[
        Role::JointOffice,
        Role::LegalReviewer,
        Role::CountyApprover,
        Role::SystemAdmin,
        Role::Accountability,
    ]) {
        return Ok(None);
    }
    actor.require_any(&[Role::UnitAdmin])?;
    actor
        .org_id
        .map(Some)
        .ok_or_else(|| AppError::forbidden("无权查看清单调整申请"))
}

/// One application, if the actor may read it.
pub async fn get(app: &App, actor: &Actor, id: i64) -> AppResult<Adjustment> {
    let scope = read_scope(actor)?;
    let a = get_in(app, id).await?;
    if scope.is_some_and(|o| o != a.org_id) {
        return Err(AppError::NotFound(format!("调整申请 {id}")));
    }
    Ok(a)
}

/// Applications the actor may read, newest first, optionally of one state.
pub async fn list(
    app: &App,
    actor: &Actor,
    state: Option<proofless_domain::adjustment::AdjustmentState>,
) -> AppResult<Vec<Adjustment>> {
    let scope = read_scope(actor)?;
    repo::list(&mut app.db.reader(), scope, state, 500).await
}

/// Attaches a document (the law or document text) to an application: a PDF, kept with its
/// SM3 hash. The filing unit or the joint office, while the application is open.
pub async fn attach(
    app: &App,
    actor: &Actor,
    id: i64,
    file_name: &str,
    bytes: &[u8],
) -> AppResult<Attachment> {
    actor.require_any(&FILERS)?;
    let a = get(app, actor, id).await?;
    if !actor.has(Role::JointOffice) {
        actor.require_org(a.org_id)?;
    }
    if !a.state.is_open() {
        return Err(AppError::Conflict(format!(
            "申请已{}，不能再补充附件",
            a.state.label()
        )));
    }
    if bytes.is_empty() {
        return Err(AppError::field("file", "附件为空"));
    }
    if bytes.len() > MAX_ATTACHMENT_BYTES {
        return Err(AppError::field(
            "file",
            format!("附件过大：最多 {} KB", MAX_ATTACHMENT_BYTES / 1024),
        ));
    }
    if !bytes.starts_with(b"%PDF-") {
        return Err(AppError::field("file", "附件须为 PDF 文件"));
    }
    let name: String = file_name
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '/' | '\\' | '"'))
        .take(100)
        .collect();
    let name = if name.trim().is_empty() {
        "附件.pdf".to_owned()
    } else {
        name
    };
    let sm3 = proofless_seal::sm3_hex(bytes);
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let aid = repo::insert_attachment(&mut tx, id, &name, &sm3, bytes, &actor.name, now).await?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("adjustment.attach", "adjustment", id)
            .detail(json!({"attachment_id": aid, "sm3": sm3, "size": bytes.len()})),
    )
    .await?;
    tx.commit().await?;
    repo::attachments(&mut app.db.reader(), id)
        .await?
        .into_iter()
        .find(|x| x.id == aid)
        .ok_or_else(|| AppError::Internal("附件写入后未找到".to_owned()))
}

/// The attachments of an application.
pub async fn attachments(app: &App, actor: &Actor, id: i64) -> AppResult<Vec<Attachment>> {
    get(app, actor, id).await?;
    repo::attachments(&mut app.db.reader(), id).await
}

/// One attachment's bytes.
pub async fn attachment_content(app: &App, actor: &Actor, id: i64, aid: i64) -> AppResult<Vec<u8>> {
    get(app, actor, id).await?;
    repo::attachment_content(&mut app.db.reader(), id, aid)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("附件 {aid}")))
}

/// The joint office records an event that calls on the item's unit to file within 7
/// working days (A3 §4, §9): the deadline engine reminds the unit at half time and
/// escalates when overdue; a missing filing becomes a violation record.
pub async fn record_event(app: &App, actor: &Actor, input: &EventInput) -> AppResult<Event> {
    actor.require_any(&[Role::JointOffice])?;
    let (item, description, on) = input.parse(today(app))?;
    let row = catalogue::items::row(&mut app.db.reader(), item)
        .await
        .map_err(|_| AppError::field("proof_item_id", "证明事项不存在"))?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let id = repo::insert_event(
        &mut tx,
        row.owner_org_id,
        item,
        &description,
        &on.to_string(),
        now,
        &actor.name,
        now,
    )
    .await?;
    let d = open_limit(
        &mut tx,
        app,
        row.owner_org_id,
        &format!("adjustment:event:{id}"),
        on,
    )
    .await?;
    repo::set_event_deadline(&mut tx, id, d.id, d.due_at.unwrap_or(now)).await?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("adjustment.event", "adjustment_event", id).detail(
            json!({"proof_item_id": item, "event_date": on.to_string(), "deadline_id": d.id}),
        ),
    )
    .await?;
    notifications::insert_in(
        &mut tx,
        &Recipient::Org(row.owner_org_id),
        NotificationKind::Reminder,
        &format!(
            "【清单调整】联席会议办公室记录：{description}（{on}）。请于 {} 前就“{}”提出调整申请（A3 §9）。",
            crate::local_time(d.due_at.unwrap_or(now)),
            row.name
        ),
        "/adjustments",
        &format!("adjustment:event:{id}"),
        now,
    )
    .await?;
    tx.commit().await?;
    repo::event(&mut app.db.reader(), id)
        .await?
        .ok_or_else(|| AppError::Internal("事件写入后未找到".to_owned()))
}

/// Recorded events the actor may see.
pub async fn events(app: &App, actor: &Actor) -> AppResult<Vec<Event>> {
    let scope = read_scope(actor)?;
    repo::events(&mut app.db.reader(), scope).await
}

/// The sweep: events past their limit with no application become violation records (A3 §4),
/// once each. Returns how many were recorded.
pub async fn record_missing_filings(app: &App) -> AppResult<usize> {
    let now = app.now_ms();
    let due = repo::unanswered_overdue(&mut app.db.reader(), now).await?;
    if due.is_empty() {
        return Ok(0);
    }
    let sys = Actor::system("adjustment.missing_filing");
    let mut tx = app.db.begin().await?;
    let mut n = 0;
    for ev in &due {
        let source_ref = format!("adjustment_event:{}", ev.id);
        let summary = format!(
            "{}未在期限（{}）内就联席会议办公室记录的事件提出清单调整申请：{}",
            ev.org_name,
            crate::local_time(ev.due_at),
            ev.description
        );
        let rec = violations::record(
            &mut tx,
            &sys,
            now,
            &NewViolation {
                kind: ViolationKind::WeakImplementation,
                source: ViolationSource::Adjustment,
                source_ref: &source_ref,
                org_id: ev.org_id,
                staff_id: None,
                summary: &summary,
                occurred_at: ev.due_at,
            },
        )
        .await?;
        n += usize::from(rec.is_some());
    }
    tx.commit().await?;
    Ok(n)
}
