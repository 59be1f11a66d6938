//! Applicants: natural persons by resident ID, entities by credit code with their
//! authorised representatives. Reading a person's data is always audited with a purpose.

use proofless_domain::codes::{CreditCode, ResidentId};
use proofless_domain::role::Role;
use proofless_store::q;
use serde::{Deserialize, Serialize};

use crate::App;
use crate::actor::{Actor, ActorKind};
use crate::audit::{self, Entry};
use crate::error::{AppError, AppResult, Problems};

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
struct PersonRow {
    id: i64,
    resident_id: String,
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
    let masked = ResidentId::parse(&r.resident_id)
        .map(|id| id.masked())
        .unwrap_or_else(|_| "******************".to_owned());
    Person {
        id: r.id,
        resident_id_masked: masked,
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
    let existing: Option<(i64, String)> = app
        .db
        .reader()
        .fetch_optional(q("SELECT id, name FROM persons WHERE resident_id = ?").bind(rid.as_str()))
        .await?;
    if let Some((id, known_name)) = existing {
        if known_name != name {
            return Err(AppError::field(
                "name",
                "姓名与该身份证号码登记的姓名不一致",
            ));
        }
        return Ok((id, false));
    }
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let id = tx
        .scalar_i64(
            q("INSERT INTO persons (resident_id, name, phone, created_at) VALUES (?, ?, ?, ?) RETURNING id")
                .bind(rid.as_str())
                .bind(name)
                .bind(phone.map(str::trim).filter(|s| !s.is_empty()))
                .bind(now),
        )
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

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonInput {
    pub resident_id: String,
    pub name: String,
    pub phone: Option<String>,
}

fn check_phone(p: &Option<String>, problems: &mut Problems) {
    if let Some(ph) = p.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        if !(ph.len() <= 20
            && ph
                .chars()
                .all(|c| c.is_ascii_digit() || c == '-' || c == '+'))
        {
            problems.add("phone", "电话号码只能包含数字、+ 和 -，最长 20 位");
        }
    }
}

pub async fn create_person(app: &App, actor: &Actor, input: PersonInput) -> AppResult<Person> {
    actor.require_any(&APPLICANT_ROLES)?;
    let mut p = Problems::default();
    let rid = ResidentId::parse(&input.resident_id)
        .map_err(|e| p.add("resident_id", format!("身份证号码：{e}")))
        .ok();
    if let Err(e) = proofless_domain::org::clean_name(&input.name, 40) {
        p.add("name", format!("姓名{e}"));
    }
    check_phone(&input.phone, &mut p);
    p.into_result()?;
    let rid = rid.ok_or_else(|| AppError::field("resident_id", "身份证号码无效"))?;
    let phone = input
        .phone
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let (id, created) = find_or_create(app, actor, &rid, input.name.trim(), phone).await?;
    if !created {
        // Entering a known resident ID shows that person's record: an audited read.
        return read_person(app, actor, id, "登记申请人").await;
    }
    // What the clerk just entered, masked as on every read; the creation is audited.
    Ok(to_person(PersonRow {
        id,
        resident_id: rid.as_str().to_owned(),
        name: input.name.trim().to_owned(),
        phone: phone.map(str::to_owned),
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
    let row: PersonRow = app
        .db
        .reader()
        .fetch_optional(q("SELECT id, resident_id, name, phone FROM persons WHERE id = ?").bind(id))
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
    let row: Option<(i64,)> = app
        .db
        .reader()
        .fetch_optional(q("SELECT id FROM persons WHERE resident_id = ?").bind(rid.as_str()))
        .await?;
    let (id,) =
        row.ok_or_else(|| AppError::NotFound(format!("身份证号码为 {} 的申请人", rid.masked())))?;
    read_person(app, actor, id, purpose).await
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct Entity {
    pub id: i64,
    pub credit_code: String,
    pub name: String,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EntityInput {
    pub credit_code: String,
    pub name: String,
}

pub async fn create_entity(app: &App, actor: &Actor, input: EntityInput) -> AppResult<Entity> {
    actor.require_any(&APPLICANT_ROLES)?;
    let mut p = Problems::default();
    let code = CreditCode::parse(&input.credit_code)
        .map_err(|e| p.add("credit_code", format!("统一社会信用代码：{e}")))
        .ok();
    if let Err(e) = proofless_domain::org::clean_name(&input.name, 100) {
        p.add("name", format!("名称{e}"));
    }
    p.into_result()?;
    let code = code.ok_or_else(|| AppError::field("credit_code", "统一社会信用代码无效"))?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let id = tx
        .scalar_i64(
            q("INSERT INTO entities (credit_code, name, created_at) VALUES (?, ?, ?) RETURNING id")
                .bind(code.as_str())
                .bind(input.name.trim())
                .bind(now),
        )
        .await
        .map_err(|e| match e.unique_violation() {
            Some(_) => AppError::Conflict(format!("统一社会信用代码 {} 已登记", code.as_str())),
            None => e.into(),
        })?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("entity.create", "entity", id).subject(format!("entity:{id}")),
    )
    .await?;
    tx.commit().await?;
    get_entity(app, id).await
}

pub async fn get_entity(app: &App, id: i64) -> AppResult<Entity> {
    app.db
        .reader()
        .fetch_optional(q("SELECT id, credit_code, name FROM entities WHERE id = ?").bind(id))
        .await?
        .ok_or_else(|| AppError::NotFound(format!("法人 {id}")))
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RepresentativeInput {
    pub person_id: i64,
    /// 法定代表人 / 授权代理人 …
    pub capacity: String,
}

pub async fn add_representative(
    app: &App,
    actor: &Actor,
    entity_id: i64,
    input: RepresentativeInput,
) -> AppResult<()> {
    actor.require_any(&APPLICANT_ROLES)?;
    get_entity(app, entity_id).await?;
    let capacity = proofless_domain::org::clean_name(&input.capacity, 20)
        .map_err(|e| AppError::field("capacity", format!("身份{e}")))?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    tx.execute(
        q("INSERT INTO entity_representatives (entity_id, person_id, capacity) VALUES (?, ?, ?)")
            .bind(entity_id)
            .bind(input.person_id)
            .bind(&capacity),
    )
    .await
    .map_err(|e| {
        if e.unique_violation().is_some() {
            AppError::Conflict("此人已是该法人的代表".to_owned())
        } else if e.is_foreign_key_violation() {
            AppError::field("person_id", "申请人不存在")
        } else {
            e.into()
        }
    })?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("entity.add_representative", "entity", entity_id)
            .subject(format!("entity:{entity_id}"))
            .detail(serde_json::json!({"person_id": input.person_id, "capacity": capacity})),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Entities a person represents (for the portal).
pub async fn entities_of(app: &App, person_id: i64) -> AppResult<Vec<Entity>> {
    Ok(app
        .db
        .reader()
        .fetch_all(
            q("SELECT e.id, e.credit_code, e.name FROM entities e JOIN entity_representatives r ON r.entity_id = e.id \
               WHERE r.person_id = ? ORDER BY e.id")
            .bind(person_id),
        )
        .await?)
}

/// Who looked at this subject's data, when and why (A2 §12). A citizen sees their own;
/// an entity's representative sees the entity's.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AccessRecord {
    pub at: i64,
    pub who: String,
    pub unit: Option<String>,
    pub action: String,
    pub purpose: String,
    pub operation_id: String,
}

pub async fn access_log(
    app: &App,
    actor: &Actor,
    subject_ref: &str,
    limit: i64,
    offset: i64,
) -> AppResult<(Vec<AccessRecord>, i64)> {
    if actor.kind != ActorKind::Portal {
        return Err(AppError::forbidden("此功能仅限申请人本人使用"));
    }
    let me = actor.id.unwrap_or_default();
    let allowed = if subject_ref == format!("person:{me}") {
        true
    } else if let Some(eid) = subject_ref
        .strip_prefix("entity:")
        .and_then(|s| s.parse::<i64>().ok())
    {
        entities_of(app, me).await?.iter().any(|e| e.id == eid)
    } else {
        false
    };
    if !allowed {
        return Err(AppError::forbidden(
            "只能查看本人或本人所代表法人的数据查阅记录",
        ));
    }
    let f = audit::AuditQuery {
        subject_ref: Some(subject_ref.to_owned()),
        limit: limit.clamp(1, 200),
        offset: offset.max(0),
        ..Default::default()
    };
    let (rows, total) = audit::list(&app.db, &f).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        // A subject's own actions are not "someone looking at my data".
        if r.actor_kind == "portal" && r.actor_id == Some(me) {
            continue;
        }
        let unit = match r.org_id {
            Some(o) => crate::orgs::get(app, o).await.ok().map(|o| o.name),
            None => None,
        };
        out.push(AccessRecord {
            at: r.at,
            who: r.actor_name,
            unit,
            action: r.action,
            purpose: r.purpose,
            operation_id: r.operation_id,
        });
    }
    Ok((out, total))
}
