//! The registry of the joint meeting (A1 二, 三(三)): the chief convener, conveners, members,
//! the office at the approval bureau and its task force, and one liaison per member unit with
//! every change filed and kept; the half-yearly rhythm of regular meetings.

use chrono::{NaiveDate, TimeZone};
use proofless_domain::deadline::SubjectType;
use proofless_domain::joint::{meeting_rhythm, meeting_rhythm_label, next_regular_due};
use proofless_domain::notification::NotificationKind;
use proofless_domain::role::Role;
use serde::Serialize;
use serde_json::json;

use super::input::{LiaisonInput, MemberInput};
use super::obligation::{self, Obligation};
use super::repo::{self, Liaison, Member};
use crate::App;
use crate::actor::Actor;
use crate::audit::{self, Entry};
use crate::error::{AppError, AppResult};
use crate::notifications::{self, Recipient};

/// The obligation of the regular meeting.
pub(crate) const REGULAR: &str = "regular_meeting";

/// Where the half-yearly rhythm of regular meetings stands (A1 三(一)).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = joint_Rhythm)]
pub struct Rhythm {
    /// The last regular meeting whose minutes were issued (YYYY-MM-DD).
    pub last_regular_on: Option<String>,
    /// The engine's deadline of the next regular meeting.
    pub deadline_id: Option<i64>,
    pub due_at: Option<i64>,
    pub deadline_state: Option<String>,
    /// `on_time`, `reminder` (five months passed) or `overdue`.
    pub state: String,
    pub label: String,
}

/// The registry with the rhythm.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = joint_Registry)]
pub struct Registry {
    pub members: Vec<Member>,
    /// The current liaison of each member unit that filed one.
    pub liaisons: Vec<Liaison>,
    /// Member units without a current liaison (A1 三(三): one each).
    pub units_without_liaison: Vec<String>,
    pub rhythm: Rhythm,
}

pub(crate) fn is_office(actor: &Actor) -> bool {
    actor.has(Role::JointOffice)
}

pub(crate) fn require_office(actor: &Actor) -> AppResult<()> {
    actor.require_any(&[Role::JointOffice])
}

fn ms_date(ms: i64) -> NaiveDate {
    crate::beijing()
        .timestamp_millis_opt(ms)
        .single()
        .map(|t| t.date_naive())
        .unwrap_or_default()
}

/// The rhythm of regular meetings.
pub async fn rhythm(app: &App) -> AppResult<Rhythm> {
    let mut r = app.db.reader();
    let last = repo::last_regular(&mut r).await?;
    let standing = obligation::standing(&mut r, REGULAR).await?;
    let since = repo::obligation(&mut r, REGULAR)
        .await?
        .map(|o| ms_date(o.1));
    let from = last
        .as_deref()
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .or(since);
    let today = obligation::today(app);
    let mut state = from.map(|f| meeting_rhythm(f, today));
    if standing.as_ref().is_some_and(|s| s.1 == "overdue") {
        state = Some(proofless_domain::adjustment::PublicationRhythm::Overdue);
    }
    Ok(Rhythm {
        last_regular_on: last,
        deadline_id: standing.as_ref().map(|s| s.0),
        due_at: standing.as_ref().and_then(|s| s.2),
        deadline_state: standing.map(|s| s.1),
        state: state.map_or("on_time", |s| s.as_str()).to_owned(),
        label: state
            .map_or("尚未建立例会计时", meeting_rhythm_label)
            .to_owned(),
    })
}

/// The registry (every staff member may read it: it is the county's organisation chart).
pub async fn registry(app: &App, actor: &Actor) -> AppResult<Registry> {
    actor.require_staff()?;
    let mut r = app.db.reader();
    let members = repo::members(&mut r).await?;
    let liaisons = repo::current_liaisons(&mut r).await?;
    let units = repo::member_units(&mut r).await?;
    let units_without_liaison = units
        .into_iter()
        .filter(|(id, _)| !liaisons.iter().any(|l| l.org_id == *id))
        .map(|(_, n)| n)
        .collect();
    Ok(Registry {
        members,
        liaisons,
        units_without_liaison,
        rhythm: rhythm(app).await?,
    })
}

/// The office registers a seat (A1 二); the first seat starts the half-yearly rhythm.
pub async fn add_member(app: &App, actor: &Actor, input: &MemberInput) -> AppResult<Member> {
    require_office(actor)?;
    let m = input.parse()?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    if !repo::org_exists(&mut tx, m.org_id).await? {
        return Err(AppError::field("org_id", "成员单位不存在"));
    }
    let id = repo::insert_member(&mut tx, &m, &actor.name, now).await?;
    let e = Entry::new("joint.member_add", "joint_member", id).detail(json!({
        "org_id": m.org_id, "position": m.position.as_str(), "person_name": m.person_name,
    }));
    audit::append(&mut tx, actor, now, e).await?;
    let office = repo::office_org(&mut tx)
        .await?
        .or(actor.org_id)
        .unwrap_or(m.org_id);
    let o = Obligation {
        name: REGULAR,
        subject_type: SubjectType::JointMeeting,
        subject_id: "regular",
        org_id: office,
        rule_key: "joint.meeting",
    };
    obligation::ensure(&mut tx, app, &o, next_regular_due(obligation::today(app))).await?;
    tx.commit().await?;
    let members = repo::members(&mut app.db.reader()).await?;
    members
        .into_iter()
        .find(|x| x.id == id)
        .ok_or_else(|| AppError::NotFound("联席会议成员".into()))
}

/// The office retires a seat (a person left the post).
pub async fn retire_member(app: &App, actor: &Actor, id: i64) -> AppResult<()> {
    require_office(actor)?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    if repo::retire_member(&mut tx, id, now).await? == 0 {
        return Err(AppError::NotFound("联席会议成员".into()));
    }
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("joint.member_retire", "joint_member", id),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A member unit files its liaison, or a change of liaison, with the office (A1 三(三));
/// the office may file on the unit's report. The predecessor's row is ended, never erased.
pub async fn file_liaison(app: &App, actor: &Actor, input: &LiaisonInput) -> AppResult<Liaison> {
    actor.require_staff()?;
    let l = input.parse()?;
    let own_admin = actor.has(Role::UnitAdmin) && actor.org_id == Some(l.org_id);
    if !is_office(actor) && !own_admin {
        return Err(AppError::forbidden(
            "联络员变更由所在单位管理员报联席会议办公室备案",
        ));
    }
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    if !repo::is_member_unit(&mut tx, l.org_id).await? {
        return Err(AppError::field("org_id", "该单位不是联席会议成员单位"));
    }
    let since = l.since_on.format("%Y-%m-%d").to_string();
    if let Some(prev) = repo::current_since(&mut tx, l.org_id).await?
        && prev > since
    {
        return Err(AppError::field(
            "since_on",
            format!("任职日期不能早于现任联络员的任职日期 {prev}"),
        ));
    }
    let ended = repo::end_liaison(&mut tx, l.org_id, &since).await?;
    let id = repo::insert_liaison(&mut tx, &l, &actor.name, now).await?;
    let e = Entry::new("joint.liaison_file", "joint_liaison", id).detail(json!({
        "org_id": l.org_id, "since_on": since, "replaced": ended > 0, "reason": l.reason,
    }));
    audit::append(&mut tx, actor, now, e).await?;
    if !is_office(actor) {
        notifications::insert_in(
            &mut tx,
            &Recipient::Role(Role::JointOffice),
            NotificationKind::JointMeeting,
            &format!(
                "【联络员备案】{}报备联络员{}（自 {since} 起）",
                actor.org_name.clone().unwrap_or_default(),
                l.person_name
            ),
            "/joint",
            &format!("joint:liaison:{id}"),
            now,
        )
        .await?;
    }
    tx.commit().await?;
    repo::liaison_history(&mut app.db.reader(), l.org_id)
        .await?
        .into_iter()
        .find(|x| x.id == id)
        .ok_or_else(|| AppError::NotFound("联络员备案".into()))
}

/// Every liaison a unit filed, newest first.
pub async fn liaison_history(app: &App, actor: &Actor, org_id: i64) -> AppResult<Vec<Liaison>> {
    actor.require_staff()?;
    repo::liaison_history(&mut app.db.reader(), org_id).await
}
