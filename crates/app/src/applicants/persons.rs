//! Natural persons: registered at the counter or by themselves, read with a purpose.

use proofless_domain::codes::ResidentId;
use proofless_domain::role::Role;
use serde::{Deserialize, Serialize};

use super::input::PersonInput;
use super::repo;
use crate::App;
use crate::actor::{Actor, ActorKind};
use crate::audit::{self, Entry};
use crate::error::{AppError, AppResult};

/// Roles that meet applicants and may register or look them up.
pub const APPLICANT_ROLES: [Role; 6] = [
    Role::CounterClerk,
    Role::Liaison,
    Role::ProxyAgent,
    Role::Inspector,
    Role::CreditOffice,
    Role::SystemAdmin,
];

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct PersonRow {
    id: i64,
    resident_id: ResidentId,
    name: String,
    phone: Option<String>,
}

/// A person as shown: the resident ID masked (`370322********123X`).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Person {
    pub id: i64,
    pub resident_id_masked: String,
    pub name: String,
    pub phone_masked: Option<String>,
}

fn mask_phone(p: &str) -> String {
    let chars: Vec<char> = p.chars().collect();
    if chars.len() < 7 {
        return "****".to_owned();
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}****{tail}")
}

fn to_person(r: PersonRow) -> Person {
    Person {
        id: r.id,
        resident_id_masked: r.resident_id.masked(),
        name: r.name,
        phone_masked: r.phone.as_deref().map(mask_phone),
    }
}

/// Find or create the person with this resident ID (used by registration and counters).
pub async fn ensure_person(
    app: &App,
    actor: &Actor,
    rid: &ResidentId,
    name: &str,
    phone: Option<&str>,
) -> AppResult<i64> {
    Ok(find_or_create(app, actor, rid, name, phone).await?.0)
}

/// The person's id, and whether this call created them.
async fn find_or_create(
    app: &App,
    actor: &Actor,
    rid: &ResidentId,
    name: &str,
    phone: Option<&str>,
) -> AppResult<(i64, bool)> {
    if let Some((id, known_name)) = repo::person_by_resident_id(&mut app.db.reader(), rid).await? {
        if known_name != name {
            return Err(AppError::field(
                "name",
                "姓名与该身份证号码登记的姓名不一致",
            ));
        }
        return Ok((id, false));
    }
    let now = app.now_ms();
    let phone = phone.map(str::trim).filter(|s| !s.is_empty());
    let mut tx = app.db.begin().await?;
    let id = repo::insert_person(&mut tx, rid, name, phone, now)
        .await
        .map_err(|e| match e.unique_violation() {
            // Registered by someone else a moment ago: ask to retry, which finds it.
            Some(_) => AppError::Conflict("该身份证号码刚刚已被登记，请重试".to_owned()),
            None => e.into(),
        })?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("person.create", "person", id).subject(format!("person:{id}")),
    )
    .await?;
    tx.commit().await?;
    Ok((id, true))
}

pub async fn create_person(app: &App, actor: &Actor, input: PersonInput) -> AppResult<Person> {
    actor.require_any(&APPLICANT_ROLES)?;
    let p = input.parse()?;
    let (id, created) =
        find_or_create(app, actor, &p.resident_id, &p.name, p.phone.as_deref()).await?;
    if !created {
        // Entering a known resident ID shows that person's record: an audited read.
        return read_person(app, actor, id, "登记申请人").await;
    }
    // What the clerk just entered, masked as on every read; the creation is audited.
    Ok(to_person(PersonRow {
        id,
        resident_id: p.resident_id,
        name: p.name,
        phone: p.phone,
    }))
}

/// Read a person's record; the read is written to the audit log with its purpose, and
/// the person can later see it (A2 §12).
pub async fn read_person(app: &App, actor: &Actor, id: i64, purpose: &str) -> AppResult<Person> {
    let is_self = actor.kind == ActorKind::Portal && actor.id == Some(id);
    if !is_self {
        actor.require_any(&APPLICANT_ROLES)?;
        if purpose.trim().is_empty() {
            return Err(AppError::field("purpose", "查阅个人信息必须说明用途"));
        }
    }
    let row = repo::person(&mut app.db.reader(), id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("申请人 {id}")))?;
    if !is_self {
        audit::record_read(
            &app.db,
            actor,
            app.now_ms(),
            Entry::new("person.read", "person", id)
                .subject(format!("person:{id}"))
                .purpose(purpose.trim()),
        )
        .await?;
    }
    Ok(to_person(row))
}

/// Look a person up by resident ID at the counter (audited).
pub async fn find_person(
    app: &App,
    actor: &Actor,
    resident_id: &str,
    purpose: &str,
) -> AppResult<Person> {
    actor.require_any(&APPLICANT_ROLES)?;
    let rid = ResidentId::parse(resident_id)
        .map_err(|e| AppError::field("resident_id", format!("身份证号码：{e}")))?;
    let (id, _) = repo::person_by_resident_id(&mut app.db.reader(), &rid)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("身份证号码为 {} 的申请人", rid.masked())))?;
    read_person(app, actor, id, purpose).await
}

/// The person with this resident ID, if registered: for identity proofing only (issue
/// #16), which never shows the record and answers every caller the same either way, so
/// the lookup is not an audited read.
pub async fn person_id_for_proofing(app: &App, rid: &ResidentId) -> AppResult<Option<i64>> {
    Ok(repo::person_by_resident_id(&mut app.db.reader(), rid)
        .await?
        .map(|(id, _)| id))
}

/// The phone on record of a person, to send them a one-time code (never shown).
pub async fn phone_for_proofing(app: &App, person_id: i64) -> AppResult<Option<String>> {
    Ok(repo::person(&mut app.db.reader(), person_id)
        .await?
        .and_then(|r| r.phone)
        .map(|p| p.trim().to_owned())
        .filter(|p| !p.is_empty()))
}
