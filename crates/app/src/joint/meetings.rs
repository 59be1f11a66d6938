//! Meetings of the joint meeting (A1 三): called by a convener (the office acts for the
//! conveners), agenda items proposed by conveners or member units and accepted by a convener
//! (三(二)), the liaison meeting before the meeting (三(四)), attendance with absences and
//! their reasons (三(一)), minutes with decisions and matters referred to the county government
//! (三(四)(五)), sealed by the office and sent to every member unit; sealed minutes never change.

use chrono::NaiveDate;
use proofless_domain::deadline::{Period, RuleKey, SubjectType};
use proofless_domain::joint::{AgendaState, MeetingKind, MeetingState, next_regular_due};
use proofless_domain::notification::NotificationKind;
use proofless_domain::role::Role;
use proofless_domain::seal::SealKind;
use serde::Serialize;
use serde_json::json;

use super::input::{
    AgendaInput, AgendaVerdict, AttendanceInput, LiaisonMeetingInput, MeetingInput, MinutesInput,
};
use super::obligation::{self, Obligation};
use super::registry::{REGULAR, is_office, require_office};
use super::repo::{self, AgendaItem, Attendance, Decision, Meeting};
use crate::App;
use crate::actor::Actor;
use crate::audit::{self, Entry};
use crate::deadlines::{self, NewDeadline};
use crate::error::{AppError, AppResult};
use crate::notifications::{self, Recipient};
use crate::page::{Page, PageRequest};
use crate::seals::{self, ToSeal};

/// A member unit, for forms.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = joint_Unit)]
pub struct Unit {
    pub id: i64,
    pub name: String,
}

/// A meeting with everything its page shows.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = joint_MeetingDetail)]
pub struct MeetingDetail {
    pub meeting: Meeting,
    pub agenda: Vec<AgendaItem>,
    pub attendance: Vec<Attendance>,
    pub decisions: Vec<Decision>,
    pub member_units: Vec<Unit>,
    /// What the reader may do: `propose_agenda`, `decide_agenda`, `liaison_meeting`,
    /// `attendance`, `minutes`, `seal`.
    pub actions: Vec<String>,
}

fn moved() -> AppError {
    AppError::Conflict("该会议已被他人更新，请刷新后重试".into())
}

fn sealed_refusal() -> AppError {
    AppError::Conflict("会议纪要已盖章印发，不能再修改（附件1 三(五)）".into())
}

fn ymd(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// Staff of a member unit who may speak for it (its admin or its liaison).
async fn member_speaker(
    ex: &mut impl proofless_store::Exec,
    actor: &Actor,
) -> AppResult<Option<i64>> {
    let Some(org) = actor.org_id else {
        return Ok(None);
    };
    if !actor.has_any(&[Role::UnitAdmin, Role::Liaison]) {
        return Ok(None);
    }
    Ok(repo::is_member_unit(ex, org).await?.then_some(org))
}

async fn load(ex: &mut impl proofless_store::Exec, id: i64) -> AppResult<Meeting> {
    repo::meeting(ex, id)
        .await?
        .ok_or_else(|| AppError::NotFound("联席会议".into()))
}

/// Meetings, newest first, a page at a time.
pub async fn list(app: &App, actor: &Actor, page: PageRequest) -> AppResult<Page<Meeting>> {
    actor.require_staff()?;
    let mut r = app.db.reader();
    let (limit, offset) = (page.limit(), page.offset());
    Ok(Page {
        items: repo::meetings(&mut r, limit, offset).await?,
        total: repo::count_meetings(&mut r).await?,
        limit,
        offset,
    })
}

/// A convener calls a meeting (the office acts for the conveners, A1 三(一)).
pub async fn create(app: &App, actor: &Actor, input: &MeetingInput) -> AppResult<i64> {
    require_office(actor)?;
    let m = input.parse()?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let id = repo::insert_meeting(&mut tx, &m, &actor.name, now).await?;
    let e = Entry::new("joint.meeting_create", "joint_meeting", id).detail(json!({
        "kind": m.kind.as_str(), "title": m.title, "planned_on": ymd(m.planned_on),
    }));
    audit::append(&mut tx, actor, now, e).await?;
    for (org, _) in repo::member_units(&mut tx).await? {
        notifications::insert_in(
            &mut tx,
            &Recipient::Org(org),
            NotificationKind::JointMeeting,
            &format!(
                "【联席会议】{}拟于 {} 在{}召开，成员单位可提出议题（附件1 三(二)）。",
                m.title,
                ymd(m.planned_on),
                m.place
            ),
            &format!("/joint/meetings/{id}"),
            &format!("joint:meeting:{id}:called:{org}"),
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(id)
}

/// One meeting with its agenda, attendance, decisions and the reader's actions.
pub async fn get(app: &App, actor: &Actor, id: i64) -> AppResult<MeetingDetail> {
    actor.require_staff()?;
    let mut r = app.db.reader();
    let meeting = load(&mut r, id).await?;
    let agenda = repo::agenda(&mut r, id).await?;
    let attendance = repo::attendance(&mut r, id).await?;
    let decisions = repo::decisions_of(&mut r, id).await?;
    let member_units = repo::member_units(&mut r)
        .await?
        .into_iter()
        .map(|(id, name)| Unit { id, name })
        .collect();
    let speaker = member_speaker(&mut r, actor).await?;
    let s = meeting.state;
    let mut actions = vec![];
    let mut can = |a: &str, ok: bool| {
        if ok {
            actions.push(a.to_owned());
        }
    };
    let office = is_office(actor);
    can(
        "propose_agenda",
        s.takes_agenda() && (office || speaker.is_some()),
    );
    can(
        "decide_agenda",
        office && s.takes_agenda() && agenda.iter().any(|a| a.state == AgendaState::Proposed),
    );
    can("liaison_meeting", office && s == MeetingState::Planned);
    can("attendance", office && s.takes_minutes());
    can(
        "minutes",
        office && s.takes_minutes() && !attendance.is_empty(),
    );
    can("seal", office && s == MeetingState::Held);
    Ok(MeetingDetail {
        meeting,
        agenda,
        attendance,
        decisions,
        member_units,
        actions,
    })
}

/// An agenda item: a convener's (the office's) goes on the agenda at once; a member unit's
/// waits for a convener's consent (A1 三(二)).
pub async fn propose_agenda(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &AgendaInput,
) -> AppResult<MeetingDetail> {
    actor.require_staff()?;
    let (title, description) = input.parse()?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let m = load(&mut tx, id).await?;
    let speaker = member_speaker(&mut tx, actor).await?;
    let office = is_office(actor);
    let Some(org) = (if office { actor.org_id } else { speaker }) else {
        return Err(AppError::forbidden(
            "只有召集人或成员单位（管理员、联络员）可以提出议题",
        ));
    };
    if !m.state.takes_agenda() {
        return Err(AppError::Conflict(format!(
            "会议{}，不能再提出议题",
            m.state.label()
        )));
    }
    let state = if office {
        AgendaState::Accepted
    } else {
        AgendaState::Proposed
    };
    let item = repo::insert_agenda(
        &mut tx,
        id,
        &title,
        &description,
        org,
        &actor.name,
        state,
        now,
    )
    .await?;
    let e = Entry::new("joint.agenda_propose", "joint_meeting", id)
        .detail(json!({"item_id": item, "org_id": org, "state": state.as_str()}));
    audit::append(&mut tx, actor, now, e).await?;
    if !office {
        notifications::insert_in(
            &mut tx,
            &Recipient::Role(Role::JointOffice),
            NotificationKind::JointMeeting,
            &format!(
                "【议题申报】{}提出议题“{title}”，请报召集人同意（{}）",
                actor.org_name.clone().unwrap_or_default(),
                m.title
            ),
            &format!("/joint/meetings/{id}"),
            &format!("joint:meeting:{id}:agenda:{item}"),
            now,
        )
        .await?;
    }
    tx.commit().await?;
    get(app, actor, id).await
}

/// A convener accepts or declines a member unit's item (A1 三(二)).
pub async fn decide_agenda(
    app: &App,
    actor: &Actor,
    id: i64,
    item: i64,
    v: &AgendaVerdict,
) -> AppResult<MeetingDetail> {
    require_office(actor)?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let m = load(&mut tx, id).await?;
    if !m.state.takes_agenda() {
        return Err(AppError::Conflict(format!(
            "会议{}，议题已确定",
            m.state.label()
        )));
    }
    let state = if v.accept {
        AgendaState::Accepted
    } else {
        AgendaState::Rejected
    };
    if repo::decide_agenda(&mut tx, id, item, state, &actor.name).await? == 0 {
        return Err(AppError::Conflict("该议题不存在或已有结论".into()));
    }
    let e = Entry::new("joint.agenda_decide", "joint_meeting", id)
        .detail(json!({"item_id": item, "state": state.as_str()}));
    audit::append(&mut tx, actor, now, e).await?;
    tx.commit().await?;
    get(app, actor, id).await
}

/// The liaison meeting before the meeting studies its agenda (A1 三(四)).
pub async fn liaison_meeting(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &LiaisonMeetingInput,
) -> AppResult<MeetingDetail> {
    require_office(actor)?;
    let (held_on, notes) = input.parse()?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let m = load(&mut tx, id).await?;
    if m.state != MeetingState::Planned {
        return Err(AppError::Conflict(format!(
            "会议{}，联络员会议已召开",
            m.state.label()
        )));
    }
    let agenda = repo::agenda(&mut tx, id).await?;
    if !agenda.iter().any(|a| a.state == AgendaState::Accepted) {
        return Err(AppError::Conflict(
            "尚无列入的议题，联络员会议无从研究（附件1 三(二)）".into(),
        ));
    }
    if agenda.iter().any(|a| a.state == AgendaState::Proposed) {
        return Err(AppError::Conflict(
            "还有成员单位提出的议题待召集人决定是否列入".into(),
        ));
    }
    if ymd(held_on) > m.planned_on {
        return Err(AppError::field(
            "held_on",
            "联络员会议应在联席会议召开前举行",
        ));
    }
    if repo::liaison_meeting(&mut tx, id, &ymd(held_on), &notes, now).await? == 0 {
        return Err(moved());
    }
    let e = Entry::new("joint.liaison_meeting", "joint_meeting", id)
        .detail(json!({"held_on": ymd(held_on)}));
    audit::append(&mut tx, actor, now, e).await?;
    tx.commit().await?;
    get(app, actor, id).await
}

/// Attendance of every member unit; an absence needs its reason (A1 三(一)).
pub async fn record_attendance(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &AttendanceInput,
) -> AppResult<MeetingDetail> {
    require_office(actor)?;
    let entries = input.parse()?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let m = load(&mut tx, id).await?;
    if m.state == MeetingState::Sealed {
        return Err(sealed_refusal());
    }
    if !m.state.takes_minutes() {
        return Err(AppError::Conflict(
            "须先召开联络员会议研究议题（附件1 三(四)）".into(),
        ));
    }
    let units = repo::member_units(&mut tx).await?;
    let mut p = crate::error::Problems::default();
    for (i, e) in entries.iter().enumerate() {
        if !units.iter().any(|(u, _)| *u == e.org_id) {
            p.add(
                &format!("entries[{i}].org_id"),
                "该单位不是联席会议成员单位",
            );
        }
    }
    let missing: Vec<&str> = units
        .iter()
        .filter(|(u, _)| !entries.iter().any(|e| e.org_id == *u))
        .map(|(_, n)| n.as_str())
        .collect();
    if !missing.is_empty() {
        p.add(
            "entries",
            format!("以下成员单位未登记出席情况：{}", missing.join("、")),
        );
    }
    p.into_result()?;
    repo::replace_attendance(&mut tx, id, &entries).await?;
    let absent: Vec<i64> = entries
        .iter()
        .filter(|e| !e.present)
        .map(|e| e.org_id)
        .collect();
    let e = Entry::new("joint.attendance", "joint_meeting", id)
        .detail(json!({"units": entries.len(), "absent": absent}));
    audit::append(&mut tx, actor, now, e).await?;
    tx.commit().await?;
    get(app, actor, id).await
}

/// The minutes with their decisions (A1 三(五)) and referrals (三(四)); rewritten freely until
/// sealed, refused after.
pub async fn write_minutes(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &MinutesInput,
) -> AppResult<MeetingDetail> {
    require_office(actor)?;
    let mut tx = app.db.begin().await?;
    let m = load(&mut tx, id).await?;
    if m.state == MeetingState::Sealed {
        return Err(sealed_refusal());
    }
    let minutes = input.parse()?;
    let now = app.now_ms();
    if !m.state.takes_minutes() {
        return Err(AppError::Conflict(
            "须先召开联络员会议研究议题（附件1 三(四)）".into(),
        ));
    }
    if repo::attendance(&mut tx, id).await?.is_empty() {
        return Err(AppError::Conflict("请先登记各成员单位的出席情况".into()));
    }
    let liaison_on = m.liaison_held_on.clone().unwrap_or_default();
    if ymd(minutes.held_on) < liaison_on {
        return Err(AppError::field(
            "held_on",
            format!("会议召开日期不能早于联络员会议（{liaison_on}）"),
        ));
    }
    let mut p = crate::error::Problems::default();
    for (i, d) in minutes.decisions.iter().enumerate() {
        if !repo::org_exists(&mut tx, d.owner_org_id).await? {
            p.add(&format!("decisions[{i}].owner_org_id"), "责任单位不存在");
        }
    }
    p.into_result()?;
    if repo::write_minutes(&mut tx, id, &ymd(minutes.held_on), &minutes.summary, now).await? == 0 {
        return Err(moved());
    }
    repo::delete_decisions(&mut tx, id).await?;
    for d in &minutes.decisions {
        repo::insert_decision(&mut tx, id, d, now).await?;
    }
    let e = Entry::new("joint.minutes", "joint_meeting", id).detail(json!({
        "held_on": ymd(minutes.held_on), "decisions": minutes.decisions.len(),
    }));
    audit::append(&mut tx, actor, now, e).await?;
    tx.commit().await?;
    get(app, actor, id).await
}

/// The office seals the minutes with its unit's seal and issues them to every member unit
/// (A1 三(五)); each decision's deadline starts in the engine, and a regular meeting restarts
/// the half-yearly rhythm from the day it was held.
pub async fn seal(app: &App, actor: &Actor, id: i64) -> AppResult<MeetingDetail> {
    require_office(actor)?;
    let Some(office_org) = actor.org_id else {
        return Err(AppError::forbidden("联席会议办公室须属于一个单位"));
    };
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let m = load(&mut tx, id).await?;
    if m.state == MeetingState::Sealed {
        return Err(sealed_refusal());
    }
    if m.state != MeetingState::Held {
        return Err(AppError::Conflict("会议纪要尚未形成，不能印发".into()));
    }
    let agenda = repo::agenda(&mut tx, id).await?;
    let attendance = repo::attendance(&mut tx, id).await?;
    let decisions = repo::decisions_of(&mut tx, id).await?;
    let body = json!({
        "title": format!("{}会议纪要", m.title),
        "meeting_id": m.public_id,
        "kind": m.kind.label(),
        "held_on": m.held_on,
        "place": m.place,
        "liaison_meeting_on": m.liaison_held_on,
        "agenda": agenda.iter().filter(|a| a.state == AgendaState::Accepted)
            .map(|a| json!({"title": a.title, "proposed_by": a.org_name})).collect::<Vec<_>>(),
        "attendance": attendance.iter().map(|a| json!({
            "unit": a.org_name, "present": a.present, "attendee": a.attendee, "reason": a.reason,
        })).collect::<Vec<_>>(),
        "summary": m.summary,
        "decisions": decisions.iter().enumerate().map(|(i, d)| json!({
            "no": i + 1, "kind": d.kind.label(), "text": d.text, "owner": d.owner_name,
            "due_on": d.due_on,
        })).collect::<Vec<_>>(),
        "issued_by": actor.org_name,
        "issued_at": crate::local_time(now),
    });
    let sealed_id = seals::seal(
        app,
        &mut tx,
        actor,
        ToSeal {
            org_id: office_org,
            kind: SealKind::JointMinutes,
            object_type: "joint_meeting",
            object_id: id.to_string(),
            body: &body,
        },
    )
    .await?;
    if repo::seal_meeting(&mut tx, id, &sealed_id, now).await? == 0 {
        return Err(moved());
    }
    let system = Actor::system("joint.seal");
    let today = obligation::today(app);
    let start = chrono::DateTime::<chrono::Utc>::from_timestamp_millis(now)
        .ok_or_else(|| AppError::Internal("时钟无效".into()))?;
    for d in &decisions {
        let due = NaiveDate::parse_from_str(&d.due_on, "%Y-%m-%d").unwrap_or(today);
        let days = proofless_domain::joint::days_between(today, due);
        let cmd = NewDeadline {
            subject_type: SubjectType::JointDecision,
            subject_id: d.id.to_string(),
            org_id: d.owner_org_id,
            rule_key: RuleKey::from_static("joint.decision"),
            start,
            statutory_limit: Some(Period::CalendarDays(u32::try_from(days).unwrap_or(1))),
        };
        let dl = deadlines::open_in(&mut tx, app, &system, &cmd).await?;
        repo::set_decision_deadline(&mut tx, d.id, dl.id).await?;
        notifications::insert_in(
            &mut tx,
            &Recipient::Org(d.owner_org_id),
            NotificationKind::JointMeeting,
            &format!(
                "【{}】{}：{}，请于 {} 前落实并报送落实情况（附件1 三(五)）。",
                d.kind.label(),
                m.title,
                d.text,
                d.due_on
            ),
            &format!("/joint/decisions/{}", d.id),
            &format!("joint:decision:{}:issued", d.id),
            now,
        )
        .await?;
    }
    for (org, _) in repo::member_units(&mut tx).await? {
        notifications::insert_in(
            &mut tx,
            &Recipient::Org(org),
            NotificationKind::JointMeeting,
            &format!(
                "【会议纪要】{}纪要已印发，议定事项 {} 项，请认真落实。",
                m.title,
                decisions.len()
            ),
            &format!("/joint/meetings/{id}"),
            &format!("joint:meeting:{id}:minutes:{org}"),
            now,
        )
        .await?;
    }
    if m.kind == MeetingKind::Regular {
        let held = m
            .held_on
            .as_deref()
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            .unwrap_or(today);
        let o = Obligation {
            name: REGULAR,
            subject_type: SubjectType::JointMeeting,
            subject_id: "regular",
            org_id: office_org,
            rule_key: "joint.meeting",
        };
        obligation::renew(&mut tx, app, &o, next_regular_due(held)).await?;
    }
    let e = Entry::new("joint.minutes_seal", "joint_meeting", id)
        .detail(json!({"sealed_id": sealed_id, "decisions": decisions.len()}));
    audit::append(&mut tx, actor, now, e).await?;
    tx.commit().await?;
    get(app, actor, id).await
}

/// The sealed minutes as PDF (every staff member may read issued minutes).
pub async fn minutes_pdf(app: &App, actor: &Actor, id: i64) -> AppResult<Vec<u8>> {
    actor.require_staff()?;
    let m = load(&mut app.db.reader(), id).await?;
    let Some(sid) = m.sealed_id else {
        return Err(AppError::NotFound("该联席会议的已印发纪要".into()));
    };
    let doc = seals::get(app, &sid).await?;
    super::minutes_pdf::render(
        &doc.body,
        &doc.public_id,
        &doc.body_sm3,
        &doc.org_name,
        &app.settings.public_base_url,
    )
}
