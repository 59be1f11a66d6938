//! Reading complaints: who may see which, the complainant masked to the agency complained
//! about unless handling needs the identity (A4 §10 with the privacy rules), every read in
//! the audit log; the receivers share read-only (A4 §12); likely duplicates shown to the
//! later receiver (A4 §9); the public tracking page (receipt number and phone).

use proofless_domain::complaint::{self as rules, ComplaintState};
use proofless_domain::role::Role;
use serde::Serialize;
use serde_json::json;

use super::input::{ListFilter, TrackInput};
use super::intake::{AGENCY_RECEIVER_ROLES, receiver_role, role_of};
use super::repo::{self, Complaint, ListScope};
use super::settings::{DUPLICATE_MIN_SIMILARITY, DUPLICATE_WINDOW_DAYS};
use crate::App;
use crate::actor::{Actor, ActorKind};
use crate::applicants;
use crate::audit::{self, Entry};
use crate::auth::throttle;
use crate::error::{AppError, AppResult};
use crate::page::Page;

/// How an actor stands to a complaint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// The receiver that registered it: accepts, links, approves, reopens.
    Receiver,
    /// The handling unit assigned on acceptance.
    Handler,
    /// The agency complained about (not handling it).
    Agency,
    /// Another receiver or a county-wide office: read-only.
    Shared,
    /// The complainant, signed in on the portal.
    Owner,
}

/// Roles that see every complaint read-only besides the receivers (A4 §12; R9).
const COUNTY_READERS: &[Role] = &[Role::JointOffice, Role::Accountability, Role::SystemAdmin];

pub fn access(actor: &Actor, c: &Complaint) -> Option<Access> {
    if actor.kind == ActorKind::Portal {
        return (actor.id.is_some() && c.portal_person_id == actor.id).then_some(Access::Owner);
    }
    if !actor.is_staff_like() {
        return None;
    }
    let org = actor.org_id;
    let receives = match role_of(c.receiver) {
        Some(role) => actor.has(role),
        None => actor.has_any(AGENCY_RECEIVER_ROLES),
    };
    if org == Some(c.receiver_org_id) && receives {
        return Some(Access::Receiver);
    }
    if org.is_some() && org == c.handling_org_id {
        return Some(Access::Handler);
    }
    if org == Some(c.agency_org_id) {
        return Some(Access::Agency);
    }
    if receiver_role(actor).is_some() || actor.has_any(COUNTY_READERS) {
        return Some(Access::Shared);
    }
    None
}

/// Whether this reader sees the complainant in clear.
fn identity_shown(a: Access, c: &Complaint) -> bool {
    match a {
        Access::Receiver | Access::Owner => true,
        Access::Handler => c.handling_org_id == Some(c.receiver_org_id) || c.identity_needed,
        Access::Agency => c.identity_needed,
        Access::Shared => false,
    }
}

/// Fills the complainant's name and phone as this reader may see them.
pub(crate) async fn fill_identity(app: &App, c: &mut Complaint, shown: bool) -> AppResult<()> {
    c.identity_shown = shown && !c.anonymous;
    if c.identity_shown {
        c.complainant_name = match &c.name_enc {
            Some(n) => applicants::reveal_name(app, n).await?,
            None => c.name_masked.clone(),
        };
        c.complainant_phone = match &c.phone_enc {
            Some(p) => applicants::reveal_phone(app, p).await?,
            None => String::new(),
        };
    } else {
        c.complainant_name = c.name_masked.clone();
        c.complainant_phone = match (&c.phone_enc, shown) {
            (Some(p), true) => rules::mask_phone(&applicants::reveal_phone(app, p).await?),
            (Some(_), false) => "（已屏蔽）".to_owned(),
            (None, _) => String::new(),
        };
    }
    Ok(())
}

/// Loads a complaint and the actor's standing, or 404 (a complaint one may not see does
/// not exist for them).
pub(crate) async fn load(app: &App, actor: &Actor, id: i64) -> AppResult<(Complaint, Access)> {
    let c = repo::get(&mut app.db.reader(), id).await?;
    match c {
        Some(c) => match access(actor, &c) {
            Some(a) => Ok((c, a)),
            None if actor.kind == ActorKind::Anonymous => Err(AppError::Unauthenticated),
            None => Err(AppError::NotFound(format!("投诉 {id} 不存在"))),
        },
        None => Err(AppError::NotFound(format!("投诉 {id} 不存在"))),
    }
}

/// Likely duplicates received earlier (A4 §9), for the receiver deciding acceptance.
async fn duplicates(app: &App, c: &Complaint) -> AppResult<Vec<repo::Duplicate>> {
    let mut ex = app.db.reader();
    let days = crate::policy::in_force(&mut ex, &DUPLICATE_WINDOW_DAYS, c.received_at).await?;
    let min = crate::policy::in_force(&mut ex, &DUPLICATE_MIN_SIMILARITY, c.received_at).await?;
    let since = c.received_at - days * 86_400_000;
    let text = format!("{}{}", c.request, c.reasons);
    let mut out = Vec::new();
    for mut d in repo::candidates(&mut ex, c, since).await? {
        if d.received_at == c.received_at && d.id > c.id {
            continue;
        }
        d.same_phone = c.phone_index.is_some() && d.phone_index == c.phone_index;
        d.similarity = rules::similarity(&text, &format!("{}{}", d.request, d.reasons));
        if d.same_phone || d.similarity >= min {
            out.push(d);
        }
    }
    out.sort_by_key(|d| (d.received_at, d.id));
    Ok(out)
}

/// One complaint as the actor may see it; the read is audited with the complainant as
/// subject.
pub async fn get(app: &App, actor: &Actor, id: i64) -> AppResult<Complaint> {
    let (mut c, a) = load(app, actor, id).await?;
    let shown = identity_shown(a, &c);
    fill_identity(app, &mut c, shown).await?;
    c.extensions = repo::extensions(&mut app.db.reader(), id).await?;
    if a == Access::Receiver && c.state == ComplaintState::Registered {
        c.duplicates = duplicates(app, &c).await?;
    }
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("complaint.read", "complaint", id)
            .subject(format!("complaint:{id}"))
            .detail(json!({"identity_shown": c.identity_shown, "access": format!("{a:?}")})),
    )
    .await?;
    tx.commit().await?;
    Ok(c)
}

/// A page of complaints the actor may see, newest first; complainants masked.
pub async fn list(app: &App, actor: &Actor, f: &ListFilter) -> AppResult<Page<Complaint>> {
    let scope = if actor.kind == ActorKind::Portal {
        ListScope::Person(actor.id.ok_or(AppError::Unauthenticated)?)
    } else {
        actor.require_staff()?;
        if receiver_role(actor).is_some() || actor.has_any(COUNTY_READERS) {
            ListScope::All
        } else {
            ListScope::Org(
                actor
                    .org_id
                    .ok_or_else(|| AppError::forbidden("无所属单位"))?,
            )
        }
    };
    let state = match f.state.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => {
            Some(ComplaintState::parse(s).ok_or_else(|| AppError::field("state", "状态不存在"))?)
        }
        None => None,
    };
    let per = f.per_page.unwrap_or(50).clamp(1, 200);
    let offset = (f.page.unwrap_or(1).clamp(1, 100_000) - 1) * per;
    let (mut items, total) = repo::list(&mut app.db.reader(), &scope, state, per, offset).await?;
    for c in &mut items {
        c.complainant_name = c.name_masked.clone();
    }
    Ok(Page {
        items,
        total,
        limit: per,
        offset,
    })
}

/// What the tracking page shows the complainant (receipt number and phone, no account).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Tracked {
    pub receipt_no: String,
    pub state: ComplaintState,
    pub received_at: i64,
    pub agency_org_name: String,
    pub ground: proofless_domain::complaint::Ground,
    pub request: String,
    pub reject_ground: Option<proofless_domain::complaint::RejectGround>,
    pub reject_note: Option<String>,
    /// The receipt number of the complaint this one was joined to (A4 §9).
    pub linked_to: Option<String>,
    pub terminate_ground: Option<proofless_domain::complaint::TerminateGround>,
    pub terminate_note: Option<String>,
    pub facts: Option<String>,
    pub upheld: Option<bool>,
    pub measures: Option<String>,
    pub answered_at: Option<i64>,
    pub notice_id: Option<String>,
    pub satisfaction: Option<proofless_domain::complaint::Satisfaction>,
    /// The result is there and not yet rated.
    pub may_rate: bool,
}

/// The complaint of a receipt number and phone, the client throttled like the identity
/// endpoints (a receipt number with the wrong phone is "not found", as an unknown one).
pub(crate) async fn by_key(
    app: &App,
    actor: &Actor,
    client: &str,
    input: &TrackInput,
) -> AppResult<Complaint> {
    let (receipt, phone) = input.parse()?;
    throttle::client_gate(app, &actor.operation_id, client).await?;
    let c = repo::by_receipt(&mut app.db.reader(), &receipt).await?;
    let idx = applicants::phone_index(app, &phone)?;
    match c {
        Some(c) if c.phone_index.as_deref() == Some(idx.as_str()) => Ok(c),
        _ => Err(AppError::NotFound(
            "没有找到与受理编号和联系电话相符的投诉".to_owned(),
        )),
    }
}

/// The tracking page's answer.
pub async fn track(
    app: &App,
    actor: &Actor,
    client: &str,
    input: &TrackInput,
) -> AppResult<Tracked> {
    let c = by_key(app, actor, client, input).await?;
    let linked = match c.linked_to {
        Some(first) => repo::get(&mut app.db.reader(), first)
            .await?
            .and_then(|f| f.receipt_no),
        None => None,
    };
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("complaint.track", "complaint", c.id).subject(format!("complaint:{}", c.id)),
    )
    .await?;
    tx.commit().await?;
    Ok(Tracked {
        receipt_no: c.receipt_no.clone().unwrap_or_default(),
        may_rate: c.state == ComplaintState::Answered && c.satisfaction.is_none(),
        state: c.state,
        received_at: c.received_at,
        agency_org_name: c.agency_org_name,
        ground: c.ground,
        request: c.request,
        reject_ground: c.reject_ground,
        reject_note: c.reject_note,
        linked_to: linked,
        terminate_ground: c.terminate_ground,
        terminate_note: c.terminate_note,
        facts: c.facts,
        upheld: c.upheld,
        measures: c.measures,
        answered_at: c.answered_at,
        notice_id: c.notice_id,
        satisfaction: c.satisfaction,
    })
}

/// The units a complaint may be about, for the forms' choice (public: unit names are
/// published anyway).
pub async fn agencies(app: &App) -> AppResult<Vec<(i64, String)>> {
    repo::org_names(&mut app.db.reader()).await
}
