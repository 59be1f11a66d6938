//! The SQL of the joint meeting: the registry, liaisons and their history, meetings with
//! agenda, attendance and minutes, decisions and their progress, and the recurring
//! obligation's deadline.

use proofless_domain::joint::{
    AgendaState, DecisionKind, DecisionState, MeetingKind, MeetingState, Position,
};
use proofless_store::{Exec, q};
use serde::{Deserialize, Serialize};

use super::input::{AttendanceEntry, NewLiaison, NewMeeting, NewMember};
use crate::error::AppResult;
use crate::public_ids::new_public_id;

/// A seat in the registry (A1 二).
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[schema(as = joint_Member)]
pub struct Member {
    #[serde(skip_serializing)]
    pub id: i64,
    /// The public id (the API's `id`).
    #[serde(rename(serialize = "id"))]
    #[schema(rename = "id")]
    pub public_id: String,
    pub org_id: i64,
    pub org_name: String,
    pub position: Position,
    pub person_name: String,
    pub person_title: String,
}

/// A liaison filed by a member unit (A1 三(三)); `current` is false once replaced.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[schema(as = joint_Liaison)]
pub struct Liaison {
    #[serde(skip_serializing)]
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub person_name: String,
    pub phone: String,
    pub since_on: String,
    pub until_on: Option<String>,
    pub reason: String,
    pub filed_by: String,
    pub filed_at: i64,
    pub current: bool,
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[schema(as = joint_Meeting)]
pub struct Meeting {
    #[serde(skip_serializing)]
    pub id: i64,
    /// The public id (the API's `id`).
    #[serde(rename(serialize = "id"))]
    #[schema(rename = "id")]
    pub public_id: String,
    pub kind: MeetingKind,
    pub state: MeetingState,
    pub title: String,
    pub planned_on: String,
    pub place: String,
    pub liaison_held_on: Option<String>,
    pub liaison_notes: Option<String>,
    pub held_on: Option<String>,
    pub summary: Option<String>,
    /// The sealed minutes' public id (`/sealed/{id}`).
    pub sealed_id: Option<String>,
    pub sealed_at: Option<i64>,
    pub created_at: i64,
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[schema(as = joint_AgendaItem)]
pub struct AgendaItem {
    #[serde(skip_serializing)]
    pub id: i64,
    /// The public id (the API's `id`).
    #[serde(rename(serialize = "id"))]
    #[schema(rename = "id")]
    pub public_id: String,
    #[serde(skip_serializing)]
    pub meeting_id: i64,
    pub title: String,
    pub description: String,
    pub org_id: i64,
    pub org_name: String,
    pub proposed_by: String,
    pub state: AgendaState,
    pub decided_by: Option<String>,
    pub created_at: i64,
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[schema(as = joint_Attendance)]
pub struct Attendance {
    pub org_id: i64,
    pub org_name: String,
    pub present: bool,
    pub attendee: String,
    pub reason: String,
}

/// A decision (or a referral to the county government) with its deadline's standing.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[schema(as = joint_Decision)]
pub struct Decision {
    #[serde(skip_serializing)]
    pub id: i64,
    /// The public id (the API's `id`).
    #[serde(rename(serialize = "id"))]
    #[schema(rename = "id")]
    pub public_id: String,
    #[serde(skip_serializing)]
    pub meeting_id: i64,
    /// The meeting's public id.
    #[serde(rename(serialize = "meeting_id"))]
    #[schema(rename = "meeting_id")]
    pub meeting_public_id: String,
    pub meeting_title: String,
    pub kind: DecisionKind,
    pub text: String,
    pub owner_org_id: i64,
    pub owner_name: String,
    pub due_on: String,
    pub deadline_id: Option<i64>,
    /// The engine's due instant.
    pub due_at: Option<i64>,
    /// The engine's state of the deadline (`open`, `overdue`, `done`).
    pub deadline_state: Option<String>,
    pub state: DecisionState,
    pub done_at: Option<i64>,
    pub created_at: i64,
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[schema(as = joint_Progress)]
pub struct Progress {
    #[serde(skip_serializing)]
    pub id: i64,
    #[serde(skip_serializing)]
    pub decision_id: i64,
    pub text: String,
    pub done: bool,
    pub org_name: String,
    pub reported_by: String,
    pub reported_at: i64,
}

pub(crate) async fn org_exists(ex: &mut impl Exec, id: i64) -> AppResult<bool> {
    Ok(ex
        .scalar_i64(q("SELECT COUNT(*) FROM orgs WHERE id = ?").bind(id))
        .await?
        > 0)
}

const MEMBER_COLS: &str = "SELECT m.id, m.public_id, m.org_id, o.name AS org_name, m.position, m.person_name, \
    m.person_title FROM joint_members m JOIN orgs o ON o.id = m.org_id";

pub(crate) async fn members(ex: &mut impl Exec) -> AppResult<Vec<Member>> {
    Ok(ex
        .fetch_all(
            q(format!(
                "{MEMBER_COLS} WHERE m.active = ? ORDER BY CASE m.position \
             WHEN 'chief_convener' THEN 0 WHEN 'convener' THEN 1 WHEN 'member' THEN 2 \
             WHEN 'office_director' THEN 3 ELSE 4 END, m.id"
            ))
            .bind(true),
        )
        .await?)
}

pub(crate) async fn insert_member(
    ex: &mut impl Exec,
    m: &NewMember,
    by: &str,
    now: i64,
) -> AppResult<i64> {
    Ok(ex
        .scalar_i64(
            q(
                "INSERT INTO joint_members (public_id, org_id, position, person_name, person_title, active, \
               created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            )
            .bind(new_public_id())
            .bind(m.org_id)
            .bind(m.position.as_str())
            .bind(m.person_name.as_str())
            .bind(m.person_title.as_str())
            .bind(true)
            .bind(by)
            .bind(now)
            .bind(now),
        )
        .await?)
}

pub(crate) async fn retire_member(ex: &mut impl Exec, id: i64, now: i64) -> AppResult<u64> {
    Ok(ex
        .execute(
            q("UPDATE joint_members SET active = ?, updated_at = ? WHERE id = ? AND active = ?")
                .bind(false)
                .bind(now)
                .bind(id)
                .bind(true),
        )
        .await?)
}

/// Whether the unit holds a convener's or member's seat.
pub(crate) async fn is_member_unit(ex: &mut impl Exec, org_id: i64) -> AppResult<bool> {
    Ok(ex
        .scalar_i64(
            q(
                "SELECT COUNT(*) FROM joint_members WHERE org_id = ? AND active = ? \
               AND position IN ('chief_convener', 'convener', 'member')",
            )
            .bind(org_id)
            .bind(true),
        )
        .await?
        > 0)
}

/// The member units (distinct), by name.
pub(crate) async fn member_units(ex: &mut impl Exec) -> AppResult<Vec<(i64, String)>> {
    Ok(ex
        .fetch_all(
            q(
                "SELECT DISTINCT o.id, o.name FROM joint_members m JOIN orgs o ON o.id = m.org_id \
               WHERE m.active = ? AND m.position IN ('chief_convener', 'convener', 'member') \
               ORDER BY o.id",
            )
            .bind(true),
        )
        .await?)
}

/// The unit of the office (its director's seat), if registered.
pub(crate) async fn office_org(ex: &mut impl Exec) -> AppResult<Option<i64>> {
    let r: Option<(i64,)> = ex
        .fetch_optional(
            q("SELECT org_id FROM joint_members WHERE position = 'office_director' AND active = ? \
               ORDER BY id LIMIT 1")
            .bind(true),
        )
        .await?;
    Ok(r.map(|r| r.0))
}

const LIAISON_COLS: &str = "SELECT l.id, l.org_id, o.name AS org_name, l.person_name, l.phone, \
    l.since_on, l.until_on, l.reason, l.filed_by, l.filed_at, l.current \
    FROM joint_liaisons l JOIN orgs o ON o.id = l.org_id";

pub(crate) async fn current_liaisons(ex: &mut impl Exec) -> AppResult<Vec<Liaison>> {
    Ok(ex
        .fetch_all(
            q(format!(
                "{LIAISON_COLS} WHERE l.current = ? ORDER BY l.org_id"
            ))
            .bind(true),
        )
        .await?)
}

pub(crate) async fn liaison_history(ex: &mut impl Exec, org_id: i64) -> AppResult<Vec<Liaison>> {
    Ok(ex
        .fetch_all(
            q(format!(
                "{LIAISON_COLS} WHERE l.org_id = ? ORDER BY l.id DESC"
            ))
            .bind(org_id),
        )
        .await?)
}

/// Ends the unit's current liaison on `until` (the day before the successor starts).
pub(crate) async fn end_liaison(ex: &mut impl Exec, org_id: i64, until: &str) -> AppResult<u64> {
    Ok(ex
        .execute(
            q("UPDATE joint_liaisons SET current = ?, until_on = ? WHERE org_id = ? AND current = ?")
                .bind(false)
                .bind(until)
                .bind(org_id)
                .bind(true),
        )
        .await?)
}

pub(crate) async fn insert_liaison(
    ex: &mut impl Exec,
    l: &NewLiaison,
    by: &str,
    now: i64,
) -> AppResult<i64> {
    Ok(ex
        .scalar_i64(
            q("INSERT INTO joint_liaisons (org_id, person_name, phone, since_on, reason, filed_by, \
               filed_at, current) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id")
            .bind(l.org_id)
            .bind(l.person_name.as_str())
            .bind(l.phone.as_str())
            .bind(l.since_on.format("%Y-%m-%d").to_string())
            .bind(l.reason.as_str())
            .bind(by)
            .bind(now)
            .bind(true),
        )
        .await?)
}

/// The current liaison's start date, if any.
pub(crate) async fn current_since(ex: &mut impl Exec, org_id: i64) -> AppResult<Option<String>> {
    let r: Option<(String,)> = ex
        .fetch_optional(
            q("SELECT since_on FROM joint_liaisons WHERE org_id = ? AND current = ?")
                .bind(org_id)
                .bind(true),
        )
        .await?;
    Ok(r.map(|r| r.0))
}

const MEETING_COLS: &str = "SELECT id, public_id, kind, state, title, planned_on, place, liaison_held_on, \
    liaison_notes, held_on, summary, sealed_id, sealed_at, created_at FROM joint_meetings";

pub(crate) async fn meetings(
    ex: &mut impl Exec,
    limit: i64,
    offset: i64,
) -> AppResult<Vec<Meeting>> {
    Ok(ex
        .fetch_all(
            q(format!(
                "{MEETING_COLS} ORDER BY planned_on DESC, id DESC LIMIT ? OFFSET ?"
            ))
            .bind(limit)
            .bind(offset),
        )
        .await?)
}

pub(crate) async fn count_meetings(ex: &mut impl Exec) -> AppResult<i64> {
    Ok(ex
        .scalar_i64(q("SELECT COUNT(*) FROM joint_meetings"))
        .await?)
}

pub(crate) async fn meeting(ex: &mut impl Exec, id: i64) -> AppResult<Option<Meeting>> {
    Ok(ex
        .fetch_optional(q(format!("{MEETING_COLS} WHERE id = ?")).bind(id))
        .await?)
}

/// The day of the last regular meeting whose minutes were issued.
pub(crate) async fn last_regular(ex: &mut impl Exec) -> AppResult<Option<String>> {
    let r: Option<(Option<String>,)> = ex
        .fetch_optional(q(
            "SELECT MAX(held_on) FROM joint_meetings WHERE kind = 'regular' AND state = 'sealed'",
        ))
        .await?;
    Ok(r.and_then(|r| r.0))
}

pub(crate) async fn insert_meeting(
    ex: &mut impl Exec,
    m: &NewMeeting,
    by: &str,
    now: i64,
) -> AppResult<i64> {
    Ok(ex
        .scalar_i64(
            q(
                "INSERT INTO joint_meetings (public_id, kind, state, title, planned_on, place, created_by, \
               created_at, updated_at) VALUES (?, ?, 'planned', ?, ?, ?, ?, ?, ?) RETURNING id",
            )
            .bind(new_public_id())
            .bind(m.kind.as_str())
            .bind(m.title.as_str())
            .bind(m.planned_on.format("%Y-%m-%d").to_string())
            .bind(m.place.as_str())
            .bind(by)
            .bind(now)
            .bind(now),
        )
        .await?)
}

pub(crate) async fn liaison_meeting(
    ex: &mut impl Exec,
    id: i64,
    held_on: &str,
    notes: &str,
    now: i64,
) -> AppResult<u64> {
    Ok(ex
        .execute(
            q("UPDATE joint_meetings SET state = 'prepared', liaison_held_on = ?, liaison_notes = ?, \
               updated_at = ?, version = version + 1 WHERE id = ? AND state = 'planned'")
            .bind(held_on)
            .bind(notes)
            .bind(now)
            .bind(id),
        )
        .await?)
}

/// Writes (or rewrites) the minutes of a meeting not yet sealed.
pub(crate) async fn write_minutes(
    ex: &mut impl Exec,
    id: i64,
    held_on: &str,
    summary: &str,
    now: i64,
) -> AppResult<u64> {
    Ok(ex
        .execute(
            q("UPDATE joint_meetings SET state = 'held', held_on = ?, summary = ?, updated_at = ?, \
               version = version + 1 WHERE id = ? AND state IN ('prepared', 'held')")
            .bind(held_on)
            .bind(summary)
            .bind(now)
            .bind(id),
        )
        .await?)
}

pub(crate) async fn seal_meeting(
    ex: &mut impl Exec,
    id: i64,
    sealed_id: &str,
    now: i64,
) -> AppResult<u64> {
    Ok(ex
        .execute(
            q(
                "UPDATE joint_meetings SET state = 'sealed', sealed_id = ?, sealed_at = ?, \
               updated_at = ?, version = version + 1 WHERE id = ? AND state = 'held'",
            )
            .bind(sealed_id)
            .bind(now)
            .bind(now)
            .bind(id),
        )
        .await?)
}

const AGENDA_COLS: &str = "SELECT a.id, a.public_id, a.meeting_id, a.title, a.description, a.org_id, \
    o.name AS org_name, a.proposed_by, a.state, a.decided_by, a.created_at \
    FROM joint_agenda_items a JOIN orgs o ON o.id = a.org_id";

pub(crate) async fn agenda(ex: &mut impl Exec, meeting_id: i64) -> AppResult<Vec<AgendaItem>> {
    Ok(ex
        .fetch_all(
            q(format!(
                "{AGENDA_COLS} WHERE a.meeting_id = ? ORDER BY a.id"
            ))
            .bind(meeting_id),
        )
        .await?)
}

#[allow(clippy::too_many_arguments)]
pub(crate) async fn insert_agenda(
    ex: &mut impl Exec,
    meeting_id: i64,
    title: &str,
    description: &str,
    org_id: i64,
    by: &str,
    state: AgendaState,
    now: i64,
) -> AppResult<i64> {
    let decided_by = (state == AgendaState::Accepted).then_some(by);
    Ok(ex
        .scalar_i64(
            q("INSERT INTO joint_agenda_items (public_id, meeting_id, title, description, org_id, proposed_by, \
               state, decided_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id")
            .bind(new_public_id())
            .bind(meeting_id)
            .bind(title)
            .bind(description)
            .bind(org_id)
            .bind(by)
            .bind(state.as_str())
            .bind(decided_by)
            .bind(now),
        )
        .await?)
}

pub(crate) async fn decide_agenda(
    ex: &mut impl Exec,
    meeting_id: i64,
    item: i64,
    state: AgendaState,
    by: &str,
) -> AppResult<u64> {
    Ok(ex
        .execute(
            q(
                "UPDATE joint_agenda_items SET state = ?, decided_by = ? WHERE id = ? \
               AND meeting_id = ? AND state = 'proposed'",
            )
            .bind(state.as_str())
            .bind(by)
            .bind(item)
            .bind(meeting_id),
        )
        .await?)
}

pub(crate) async fn attendance(ex: &mut impl Exec, meeting_id: i64) -> AppResult<Vec<Attendance>> {
    Ok(ex
        .fetch_all(
            q(
                "SELECT a.org_id, o.name AS org_name, a.present, a.attendee, a.reason \
               FROM joint_attendance a JOIN orgs o ON o.id = a.org_id WHERE a.meeting_id = ? \
               ORDER BY a.org_id",
            )
            .bind(meeting_id),
        )
        .await?)
}

pub(crate) async fn replace_attendance(
    ex: &mut impl Exec,
    meeting_id: i64,
    entries: &[AttendanceEntry],
) -> AppResult<()> {
    ex.execute(q("DELETE FROM joint_attendance WHERE meeting_id = ?").bind(meeting_id))
        .await?;
    for e in entries {
        ex.execute(
            q(
                "INSERT INTO joint_attendance (meeting_id, org_id, present, attendee, reason) \
               VALUES (?, ?, ?, ?, ?)",
            )
            .bind(meeting_id)
            .bind(e.org_id)
            .bind(e.present)
            .bind(e.attendee.as_str())
            .bind(e.reason.as_str()),
        )
        .await?;
    }
    Ok(())
}

const DECISION_COLS: &str = "SELECT d.id, d.public_id, d.meeting_id, m.public_id AS meeting_public_id, m.title AS meeting_title, d.kind, d.text, \
    d.owner_org_id, o.name AS owner_name, d.due_on, d.deadline_id, dl.due_at, \
    dl.state AS deadline_state, d.state, d.done_at, d.created_at FROM joint_decisions d \
    JOIN joint_meetings m ON m.id = d.meeting_id JOIN orgs o ON o.id = d.owner_org_id \
    LEFT JOIN deadlines dl ON dl.id = d.deadline_id";

pub(crate) async fn decisions_of(ex: &mut impl Exec, meeting_id: i64) -> AppResult<Vec<Decision>> {
    Ok(ex
        .fetch_all(
            q(format!(
                "{DECISION_COLS} WHERE d.meeting_id = ? ORDER BY d.id"
            ))
            .bind(meeting_id),
        )
        .await?)
}

/// Decisions of sealed minutes: all, or one owner's.
pub(crate) async fn tracked(
    ex: &mut impl Exec,
    owner: Option<i64>,
    limit: i64,
    offset: i64,
) -> AppResult<Vec<Decision>> {
    let mut query = q(format!(
        "{DECISION_COLS} WHERE m.state = 'sealed' AND (? = 0 OR d.owner_org_id = ?) \
         ORDER BY CASE d.state WHEN 'open' THEN 0 ELSE 1 END, d.due_on, d.id LIMIT ? OFFSET ?"
    ));
    let o = owner.unwrap_or(0);
    query = query.bind(o).bind(o).bind(limit).bind(offset);
    Ok(ex.fetch_all(query).await?)
}

/// How many decisions [`tracked`] pages through.
pub(crate) async fn count_tracked(ex: &mut impl Exec, owner: Option<i64>) -> AppResult<i64> {
    let o = owner.unwrap_or(0);
    Ok(ex
        .scalar_i64(
            q("SELECT COUNT(*) FROM joint_decisions d JOIN joint_meetings m ON m.id = d.meeting_id \
               WHERE m.state = 'sealed' AND (? = 0 OR d.owner_org_id = ?)")
            .bind(o)
            .bind(o),
        )
        .await?)
}

pub(crate) async fn decision(ex: &mut impl Exec, id: i64) -> AppResult<Option<Decision>> {
    Ok(ex
        .fetch_optional(q(format!("{DECISION_COLS} WHERE d.id = ?")).bind(id))
        .await?)
}

pub(crate) async fn delete_decisions(ex: &mut impl Exec, meeting_id: i64) -> AppResult<()> {
    ex.execute(q("DELETE FROM joint_decisions WHERE meeting_id = ?").bind(meeting_id))
        .await?;
    Ok(())
}

pub(crate) async fn insert_decision(
    ex: &mut impl Exec,
    meeting_id: i64,
    d: &super::input::NewDecision,
    now: i64,
) -> AppResult<i64> {
    Ok(ex
        .scalar_i64(
            q(
                "INSERT INTO joint_decisions (public_id, meeting_id, kind, text, owner_org_id, due_on, state, \
               created_at) VALUES (?, ?, ?, ?, ?, ?, 'open', ?) RETURNING id",
            )
            .bind(new_public_id())
            .bind(meeting_id)
            .bind(d.kind.as_str())
            .bind(d.text.as_str())
            .bind(d.owner_org_id)
            .bind(d.due_on.format("%Y-%m-%d").to_string())
            .bind(now),
        )
        .await?)
}

pub(crate) async fn set_decision_deadline(
    ex: &mut impl Exec,
    id: i64,
    deadline_id: i64,
) -> AppResult<()> {
    ex.execute(
        q("UPDATE joint_decisions SET deadline_id = ? WHERE id = ?")
            .bind(deadline_id)
            .bind(id),
    )
    .await?;
    Ok(())
}

pub(crate) async fn close_decision(ex: &mut impl Exec, id: i64, now: i64) -> AppResult<u64> {
    Ok(ex
        .execute(
            q("UPDATE joint_decisions SET state = 'done', done_at = ? WHERE id = ? AND state = 'open'")
                .bind(now)
                .bind(id),
        )
        .await?)
}

pub(crate) async fn progress(ex: &mut impl Exec, decision_id: i64) -> AppResult<Vec<Progress>> {
    Ok(ex
        .fetch_all(
            q(
                "SELECT p.id, p.decision_id, p.text, p.done, o.name AS org_name, p.reported_by, \
               p.reported_at FROM joint_progress p JOIN orgs o ON o.id = p.org_id \
               WHERE p.decision_id = ? ORDER BY p.id",
            )
            .bind(decision_id),
        )
        .await?)
}

pub(crate) async fn insert_progress(
    ex: &mut impl Exec,
    decision_id: i64,
    text: &str,
    done: bool,
    org_id: i64,
    by: &str,
    now: i64,
) -> AppResult<i64> {
    Ok(ex
        .scalar_i64(
            q(
                "INSERT INTO joint_progress (decision_id, text, done, org_id, reported_by, \
               reported_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            )
            .bind(decision_id)
            .bind(text)
            .bind(done)
            .bind(org_id)
            .bind(by)
            .bind(now),
        )
        .await?)
}

/// The open deadline of a recurring obligation, and since when it runs.
pub(crate) async fn obligation(ex: &mut impl Exec, name: &str) -> AppResult<Option<(i64, i64)>> {
    Ok(ex
        .fetch_optional(
            q("SELECT deadline_id, since_at FROM joint_obligations WHERE name = ?").bind(name),
        )
        .await?)
}

pub(crate) async fn set_obligation(
    ex: &mut impl Exec,
    name: &str,
    deadline_id: i64,
    since: i64,
) -> AppResult<()> {
    ex.execute(
        q(
            "INSERT INTO joint_obligations (name, deadline_id, since_at) VALUES (?, ?, ?) \
           ON CONFLICT (name) DO UPDATE SET deadline_id = excluded.deadline_id, \
           since_at = excluded.since_at",
        )
        .bind(name)
        .bind(deadline_id)
        .bind(since),
    )
    .await?;
    Ok(())
}

/// A deadline's state and due instant.
pub(crate) async fn deadline_state(
    ex: &mut impl Exec,
    id: i64,
) -> AppResult<Option<(String, Option<i64>)>> {
    Ok(ex
        .fetch_optional(q("SELECT state, due_at FROM deadlines WHERE id = ?").bind(id))
        .await?)
}
