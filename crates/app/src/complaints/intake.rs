//! Intake and registration (A4 §3, §5–§7; SPEC R8.1, R8.3, R8.4): the receivers' staff
//! form, the public form and the 12345 work-order API all register through [`register_in`],
//! which opens the 1-working-day acceptance deadline (SPEC "Complaint acceptance").

use chrono::TimeZone as _;
use proofless_domain::complaint::{self as rules, ComplaintState, Receiver};
use proofless_domain::deadline::{RuleKey, SubjectType, keys};
use proofless_domain::notification::NotificationKind;
use proofless_domain::role::Role;
use serde_json::json;

use super::input::{NewComplaint, PublicInput, RegisterInput, WorkOrderInput};
use super::repo::{self, Bump, Complaint, Insert};
use super::settings::GROUNDS;
use super::view;
use crate::App;
use crate::actor::{Actor, ActorKind};
use crate::applicants;
use crate::audit::{self, Entry};
use crate::deadlines::{self, NewDeadline};
use crate::error::{AppError, AppResult};
use crate::notifications::{self, Recipient};

/// The receiver role an actor holds, if any.
pub fn receiver_role(actor: &Actor) -> Option<Receiver> {
    if actor.has(Role::ComplaintHotline) {
        Some(Receiver::Hotline)
    } else if actor.has(Role::ComplaintWindow) {
        Some(Receiver::Window)
    } else if actor.has(Role::ComplaintJustice) {
        Some(Receiver::Justice)
    } else {
        None
    }
}

/// The role that receives for `r` (none for an agency receiving about itself).
pub fn role_of(r: Receiver) -> Option<Role> {
    match r {
        Receiver::Hotline => Some(Role::ComplaintHotline),
        Receiver::Window => Some(Role::ComplaintWindow),
        Receiver::Justice => Some(Role::ComplaintJustice),
        Receiver::Agency => None,
    }
}

/// Unit roles that register and receive complaints about their own unit (A4 §3).
pub const AGENCY_RECEIVER_ROLES: &[Role] = &[Role::UnitAdmin, Role::CounterClerk];

/// The local month (`2026-12`) figures count a complaint in.
pub(crate) fn month_of(ms: i64) -> String {
    crate::beijing()
        .timestamp_millis_opt(ms)
        .single()
        .map(|t| t.format("%Y-%m").to_string())
        .unwrap_or_default()
}

/// Where a complaint is counted in the figures.
pub(crate) fn dims(c: &Complaint) -> (&'static str, &'static str, &'static str, i64, i64) {
    (
        c.receiver.as_str(),
        c.channel.as_str(),
        c.ground.as_str(),
        c.agency_org_id,
        c.proof_item_id.unwrap_or(0),
    )
}

/// The checked references of a complaint: agency, proof and service in the catalogue.
struct Refs {
    agency: i64,
    proof: Option<i64>,
    service: Option<i64>,
}

async fn resolve(app: &App, cmd: &NewComplaint, now: i64) -> AppResult<Refs> {
    let mut ex = app.db.reader();
    let agency = match (cmd.agency_org_id, cmd.agency_name.as_deref()) {
        (Some(id), _) if repo::org_exists(&mut ex, id).await? => Some(id),
        (Some(_), _) => None,
        (None, Some(name)) => repo::org_by_name(&mut ex, name).await?,
        (None, None) => None,
    };
    let Some(agency) = agency else {
        let f = if cmd.agency_name.is_some() {
            "agency"
        } else {
            "agency_org_id"
        };
        return Err(AppError::field(f, "被投诉的单位不存在"));
    };
    let proof = match (cmd.proof_item_id, cmd.proof_name.as_deref()) {
        (Some(id), _) if repo::proof_exists(&mut ex, id).await? => Some(id),
        (Some(_), _) => return Err(AppError::field("proof_item_id", "证明事项不存在")),
        (None, Some(name)) => repo::proof_by_name(&mut ex, name).await?,
        (None, None) => None,
    };
    let service = match cmd.service_item_id {
        Some(id) if repo::service_exists(&mut ex, id).await? => Some(id),
        Some(_) => return Err(AppError::field("service_item_id", "政务服务事项不存在")),
        None => None,
    };
    // A4 §4 as in force when received.
    let grounds = crate::policy::in_force(&mut ex, &GROUNDS, now).await?;
    if !grounds.iter().any(|g| g == cmd.ground.as_str()) {
        return Err(AppError::field("ground", "该事由不在投诉举报的受理范围内"));
    }
    Ok(Refs {
        agency,
        proof,
        service,
    })
}

/// Who registers, for which receiver and unit.
pub(crate) struct Intake<'a> {
    pub receiver: Receiver,
    pub receiver_org_id: i64,
    pub portal_person_id: Option<i64>,
    pub actor: &'a Actor,
}

/// Registers a complaint (A4 §7) in one transaction: the row, its receipt number, the
/// acceptance deadline, the audit row, the receiver's notification and the figures.
async fn register_in(app: &App, who: &Intake<'_>, cmd: &NewComplaint) -> AppResult<i64> {
    let now = app.now_ms();
    let refs = resolve(app, cmd, now).await?;
    if who.receiver == Receiver::Agency && refs.agency != who.receiver_org_id {
        return Err(AppError::field(
            "agency_org_id",
            "单位自行受理的只能是对本单位的投诉；对其他单位的投诉请转12345热线、专窗或司法局",
        ));
    }
    let contact = applicants::seal_contact(app, cmd.name.as_deref(), cmd.phone.as_deref()).await?;
    let masked = match (&cmd.name, cmd.anonymous) {
        (_, true) => "匿名".to_owned(),
        (Some(n), false) => mask(n),
        (None, false) => "（未留姓名）".to_owned(),
    };
    let start = deadlines::to_utc(now).ok_or_else(|| AppError::Internal("时间无效".into()))?;
    let system = Actor::system(&who.actor.operation_id);
    let mut tx = app.db.begin().await?;
    let id = repo::insert(
        &mut tx,
        &Insert {
            receiver: who.receiver,
            receiver_org_id: who.receiver_org_id,
            channel: cmd.channel,
            form: cmd.form,
            anonymous: cmd.anonymous,
            name_enc: contact.name.as_deref(),
            name_masked: &masked,
            phone_enc: contact.phone.as_deref(),
            contact_key_version: contact.version,
            phone_index: contact.phone_index.as_deref(),
            agent_name: cmd.agent_name.as_deref(),
            agent_authorisation: cmd.agent_authorisation.as_deref(),
            portal_person_id: who.portal_person_id,
            agency_org_id: refs.agency,
            ground: cmd.ground,
            request: &cmd.request,
            reasons: &cmd.reasons,
            proof_item_id: refs.proof,
            service_item_id: refs.service,
            work_order_no: cmd.work_order_no.as_deref(),
            received_at: now,
            registered_by: &who.actor.name,
        },
    )
    .await?;
    let receipt = rules::receipt_no(start.with_timezone(&crate::beijing()).date_naive(), id);
    let opened = deadlines::open_in(
        &mut tx,
        app,
        &system,
        &NewDeadline {
            subject_type: SubjectType::Complaint,
            subject_id: receipt.clone(),
            org_id: who.receiver_org_id,
            rule_key: RuleKey::from_static(keys::COMPLAINT_ACCEPTANCE),
            start,
            statutory_limit: None,
        },
    )
    .await?;
    repo::set_registered(&mut tx, id, &receipt, opened.id).await?;
    audit::append(
        &mut tx,
        who.actor,
        now,
        Entry::new("complaint.register", "complaint", id).detail(json!({
            "receipt_no": receipt, "receiver": who.receiver, "channel": cmd.channel,
            "form": cmd.form, "anonymous": cmd.anonymous, "agency_org_id": refs.agency,
            "ground": cmd.ground, "work_order_no": cmd.work_order_no,
        })),
    )
    .await?;
    notifications::insert_in(
        &mut tx,
        &Recipient::Org(who.receiver_org_id),
        NotificationKind::Complaint,
        &format!("【投诉举报】收到投诉 {receipt}，请在1个工作日内决定是否受理。"),
        &format!("/complaints/{id}"),
        &format!("complaint:{id}:registered"),
        now,
    )
    .await?;
    let month = month_of(now);
    let dims = (
        who.receiver.as_str(),
        cmd.channel.as_str(),
        cmd.ground.as_str(),
        refs.agency,
        refs.proof.unwrap_or(0),
    );
    repo::bump_figures(
        &mut tx,
        &month,
        dims,
        Bump {
            received: 1,
            ..Bump::default()
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

fn mask(name: &str) -> String {
    let mut c = name.chars();
    match c.next() {
        Some(first) => format!("{first}{}", "*".repeat(c.count().max(1))),
        None => String::new(),
    }
}

/// A receiver's staff (or an agency, about itself) registers a complaint.
pub async fn register(app: &App, actor: &Actor, input: &RegisterInput) -> AppResult<Complaint> {
    actor.require_staff()?;
    let org = actor
        .org_id
        .ok_or_else(|| AppError::forbidden("须以单位工作人员身份登记投诉"))?;
    let asked = input.receiver.as_deref().and_then(Receiver::parse);
    let receiver = match asked.or_else(|| receiver_role(actor)) {
        Some(r) => r,
        None if actor.has_any(AGENCY_RECEIVER_ROLES) => Receiver::Agency,
        None => {
            return Err(AppError::forbidden(
                "无权登记投诉：需要12345热线、专窗、司法局投诉受理角色，或本单位窗口受理人员、单位管理员",
            ));
        }
    };
    // An agency receives complaints about itself: the agency is its own unit by default.
    let mut input = input.clone();
    if receiver == Receiver::Agency {
        input.agency_org_id = input.agency_org_id.or(Some(org));
    }
    let cmd = input.parse()?;
    match role_of(receiver) {
        Some(role) => actor.require_any(&[role])?,
        None => actor.require_any(AGENCY_RECEIVER_ROLES)?,
    }
    let id = register_in(
        app,
        &Intake {
            receiver,
            receiver_org_id: org,
            portal_person_id: None,
            actor,
        },
        &cmd,
    )
    .await?;
    view::get(app, actor, id).await
}

/// What the public form answers: the receipt number to track the complaint by.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Receipt {
    pub receipt_no: String,
    pub state: ComplaintState,
    /// When the acceptance decision is due (milliseconds).
    pub accept_due_at: Option<i64>,
}

/// A citizen's complaint through the public form (no login, or as a portal user).
pub async fn submit_public(app: &App, actor: &Actor, input: &PublicInput) -> AppResult<Receipt> {
    let cmd = input.parse()?;
    let receiver = cmd.receiver.unwrap_or(Receiver::Window);
    let role = role_of(receiver).ok_or_else(|| AppError::field("receiver", "受理机构不存在"))?;
    let org = repo::org_of_role(&mut app.db.reader(), role.as_str())
        .await?
        .ok_or_else(|| AppError::field("receiver", "该受理机构尚未开通"))?;
    let person = match actor.kind {
        ActorKind::Portal => actor.id,
        _ => None,
    };
    let id = register_in(
        app,
        &Intake {
            receiver,
            receiver_org_id: org,
            portal_person_id: person,
            actor,
        },
        &cmd,
    )
    .await?;
    let c = repo::get(&mut app.db.reader(), id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("投诉 {id}")))?;
    let due = match c.accept_deadline_id {
        Some(d) => {
            deadlines::get(app, &Actor::system(&actor.operation_id), d)
                .await?
                .deadline
                .due_at
        }
        None => None,
    };
    Ok(Receipt {
        receipt_no: c.receipt_no.unwrap_or_default(),
        state: c.state,
        accept_due_at: due,
    })
}

/// What the 12345 intake answers.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct WorkOrderAck {
    pub work_order_no: String,
    pub receipt_no: String,
    pub state: ComplaintState,
    /// False when the work order had been registered before (nothing changed).
    pub created: bool,
}

/// A 12345 work order through the hotline's API token; the same number registers once.
pub async fn work_order(
    app: &App,
    actor: &Actor,
    input: &WorkOrderInput,
) -> AppResult<WorkOrderAck> {
    if actor.kind != ActorKind::Token {
        return Err(AppError::forbidden("工单接口只接受12345热线的接口令牌"));
    }
    actor.require_any(&[Role::ComplaintHotline])?;
    let org = actor
        .org_id
        .ok_or_else(|| AppError::forbidden("接口令牌没有所属单位"))?;
    let cmd = input.parse()?;
    let no = cmd.work_order_no.clone().unwrap_or_default();
    let existing = repo::by_work_order(&mut app.db.reader(), &no).await?;
    let (id, created) = match existing {
        Some(id) => (id, false),
        None => {
            let who = Intake {
                receiver: Receiver::Hotline,
                receiver_org_id: org,
                portal_person_id: None,
                actor,
            };
            (register_in(app, &who, &cmd).await?, true)
        }
    };
    let c = repo::get(&mut app.db.reader(), id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("投诉 {id}")))?;
    Ok(WorkOrderAck {
        work_order_no: no,
        receipt_no: c.receipt_no.unwrap_or_default(),
        state: c.state,
        created,
    })
}
