//! Natural persons: registered at the counter or by themselves, read for a case, a
//! verification or a check of the reader's unit, with a purpose (A2 §12, issue #16 item 6).

use proofless_domain::codes::ResidentId;
use proofless_domain::role::Role;
use serde::Serialize;

use super::at_rest::{self, Field};
use super::input::PersonInput;
use super::repo::{self, StoredPerson};
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

/// Roles that hold the applicant's ID card at a counter and may look a person up by it.
const LOOKUP_ROLES: [Role; 3] = [Role::CounterClerk, Role::Liaison, Role::ProxyAgent];

/// A person as shown: the opaque public id, the resident ID masked (`370322********123X`).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Person {
    /// Opaque public id (32 hex characters): persons are never addressed by a sequential id.
    pub id: String,
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

fn mask_resident_id(rid: &str) -> String {
    ResidentId::parse(rid).map_or_else(|_| "*".repeat(rid.chars().count()), |r| r.masked())
}

/// The stored row decrypted and masked for display.
async fn to_person(app: &App, r: StoredPerson) -> AppResult<Person> {
    let rid = match &r.resident_id_enc {
        Some(enc) => at_rest::reveal(app, Field::ResidentId, enc).await?,
        None => {
            return Err(AppError::Internal(
                "个人信息尚未加密（请重启服务完成升级）".into(),
            ));
        }
    };
    let phone = match &r.phone_enc {
        Some(enc) => Some(at_rest::reveal(app, Field::Phone, enc).await?),
        None => None,
    };
    Ok(Person {
        id: r.public_id,
        resident_id_masked: mask_resident_id(&rid),
        name: at_rest::reveal(app, Field::Name, &r.name_enc).await?,
        phone_masked: phone.as_deref().map(mask_phone),
    })
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
    if let Some(p) = find_stored(app, rid).await? {
        if at_rest::reveal(app, Field::Name, &p.name_enc).await? != name {
            return Err(AppError::field(
                "name",
                "姓名与该身份证号码登记的姓名不一致",
            ));
        }
        return Ok((p.id, false));
    }
    let now = app.now_ms();
    let phone = phone.map(str::trim).filter(|s| !s.is_empty());
    // Encrypted before the write lock is taken: the transaction holds only the insert.
    let sealed = at_rest::seal_person(app, rid, name, phone).await?;
    let mut tx = app.db.begin().await?;
    let id = repo::insert_person(&mut tx, &at_rest::new_public_id(), &sealed, now)
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

async fn find_stored(app: &App, rid: &ResidentId) -> AppResult<Option<StoredPerson>> {
    let idx = at_rest::rid_index(app, rid)?;
    Ok(repo::person_by_index(&mut app.db.reader(), &idx).await?)
}

/// The internal id of the person with this resident ID, not audited: for the system's own
/// use (fixtures, tests, identity), never shown to a user.
pub async fn person_id_by_resident_id(app: &App, rid: &ResidentId) -> AppResult<Option<i64>> {
    Ok(find_stored(app, rid).await?.map(|p| p.id))
}

/// The internal id behind a public id (for workflows that take a person from the API).
pub async fn person_id_of(app: &App, public_id: &str) -> AppResult<i64> {
    let not_found = || AppError::NotFound("申请人".to_owned());
    if !at_rest::is_public_id(public_id) {
        return Err(not_found());
    }
    repo::person_by_public_id(&mut app.db.reader(), public_id)
        .await?
        .map(|p| p.id)
        .ok_or_else(not_found)
}

/// The opaque public id of a person known by internal id (for the system's own use).
pub async fn public_id_of(app: &App, id: i64) -> AppResult<String> {
    repo::public_id(&mut app.db.reader(), id)
        .await?
        .map(|(p,)| p)
        .ok_or_else(|| AppError::NotFound("申请人".to_owned()))
}

pub async fn create_person(app: &App, actor: &Actor, input: PersonInput) -> AppResult<Person> {
    actor.require_any(&APPLICANT_ROLES)?;
    let p = input.parse()?;
    let (id, created) =
        find_or_create(app, actor, &p.resident_id, &p.name, p.phone.as_deref()).await?;
    let row = stored(app, id).await?;
    if !created {
        // Entering a known resident ID at the counter is a lookup by it: an audited read.
        audit_read(app, actor, id, "登记申请人", None).await?;
    }
    to_person(app, row).await
}

async fn stored(app: &App, id: i64) -> AppResult<StoredPerson> {
    repo::person(&mut app.db.reader(), id)
        .await?
        .ok_or_else(|| AppError::NotFound("申请人".to_owned()))
}

async fn audit_read(
    app: &App,
    actor: &Actor,
    id: i64,
    purpose: &str,
    basis: Option<(String, i64)>,
) -> AppResult<()> {
    let mut e = Entry::new("person.read", "person", id)
        .subject(format!("person:{id}"))
        .purpose(purpose.trim());
    if let Some((kind, bid)) = basis {
        e = e.detail(serde_json::json!({"basis": kind, "basis_id": bid}));
    }
    audit::record_read(&app.db, actor, app.now_ms(), e).await
}

/// Why `actor` may read person `id`: the person themself (no basis), the system, or staff
/// whose unit has a case, verification or commitment involving the person (SPEC R5.9,
/// A2 §12; issue #16 item 6). Anything else is refused without saying whether the person
/// exists.
async fn basis_for(app: &App, actor: &Actor, id: i64) -> AppResult<Option<(String, i64)>> {
    if actor.kind == ActorKind::System {
        return Ok(None);
    }
    actor.require_any(&APPLICANT_ROLES)?;
    let refused = || AppError::forbidden("只能查阅本单位正在办理的案件、核验或核查涉及的申请人");
    let org = actor.org_id.ok_or_else(refused)?;
    repo::involvement(&mut app.db.reader(), id, org)
        .await?
        .map(Some)
        .ok_or_else(refused)
}

/// Read a person's record: the person themself, or staff for a case, verification or check
/// of their unit involving the person. Every read by someone else is written to the audit
/// log with its purpose and basis, and the person can later see it (A2 §12).
pub async fn read_person(app: &App, actor: &Actor, id: i64, purpose: &str) -> AppResult<Person> {
    let is_self = actor.kind == ActorKind::Portal && actor.id == Some(id);
    if !is_self {
        if purpose.trim().is_empty() {
            actor.require_any(&APPLICANT_ROLES)?;
            return Err(AppError::field("purpose", "查阅个人信息必须说明用途"));
        }
        let basis = basis_for(app, actor, id).await?;
        let row = stored(app, id).await?;
        audit_read(app, actor, id, purpose, basis).await?;
        return to_person(app, row).await;
    }
    to_person(app, stored(app, id).await?).await
}

/// [`read_person`] by the opaque public id, as the API addresses persons.
pub async fn read_person_by_public_id(
    app: &App,
    actor: &Actor,
    public_id: &str,
    purpose: &str,
) -> AppResult<Person> {
    actor.require_any(&APPLICANT_ROLES)?;
    let id = person_id_of(app, public_id).await?;
    read_person(app, actor, id, purpose).await
}

/// Look a person up by resident ID at the counter, the ID card in hand (audited).
pub async fn find_person(
    app: &App,
    actor: &Actor,
    resident_id: &str,
    purpose: &str,
) -> AppResult<Person> {
    actor.require_any(&LOOKUP_ROLES)?;
    let rid = ResidentId::parse(resident_id)
        .map_err(|e| AppError::field("resident_id", format!("身份证号码：{e}")))?;
    if purpose.trim().is_empty() {
        return Err(AppError::field("purpose", "查阅个人信息必须说明用途"));
    }
    let row = find_stored(app, &rid)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("身份证号码为 {} 的申请人", rid.masked())))?;
    audit_read(
        app,
        actor,
        row.id,
        purpose,
        Some(("resident_id".to_owned(), 0)),
    )
    .await?;
    to_person(app, row).await
}

/// The id and registered name of the person with this resident ID, on the caller's reader
/// or transaction (a verification finds its subject inside its own).
pub(crate) async fn person_by_resident_id_in(
    app: &App,
    ex: &mut impl proofless_store::Exec,
    rid: &ResidentId,
) -> AppResult<Option<(i64, String)>> {
    let idx = at_rest::rid_index(app, rid)?;
    match repo::person_by_index(ex, &idx).await? {
        Some(p) => Ok(Some((
            p.id,
            at_rest::reveal(app, Field::Name, &p.name_enc).await?,
        ))),
        None => Ok(None),
    }
}

/// Registers a person inside the caller's transaction (its audit row is the caller's).
pub(crate) async fn insert_person_in(
    app: &App,
    tx: &mut impl proofless_store::Exec,
    rid: &ResidentId,
    name: &str,
    now: i64,
) -> AppResult<i64> {
    let sealed = at_rest::seal_person(app, rid, name, None).await?;
    Ok(repo::insert_person(tx, &at_rest::new_public_id(), &sealed, now).await?)
}

/// The person with this resident ID, if registered: for identity proofing only (issue
/// #16), which never shows the record and answers every caller the same either way, so
/// the lookup is not an audited read.
pub async fn person_id_for_proofing(app: &App, rid: &ResidentId) -> AppResult<Option<i64>> {
    person_id_by_resident_id(app, rid).await
}

/// The phone on record of a person, to send them a one-time code (never shown).
pub async fn phone_for_proofing(app: &App, person_id: i64) -> AppResult<Option<String>> {
    let Some(enc) = repo::person(&mut app.db.reader(), person_id)
        .await?
        .and_then(|r| r.phone_enc)
    else {
        return Ok(None);
    };
    let phone = at_rest::reveal(app, at_rest::Field::Phone, &enc).await?;
    Ok(Some(phone.trim().to_owned()).filter(|p| !p.is_empty()))
}
