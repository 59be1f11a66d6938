//! 政务服务事项: the services that used to ask for proofs. The implementation code is
//! opaque; only its length and character set are checked (`ImplementationCode`).

use proofless_domain::catalogue::{CatalogueLevel, MAX_NAME_CHARS, ServiceItemKind};
use proofless_domain::codes::ImplementationCode;
use proofless_domain::org::clean_name;
use proofless_domain::role::Role;
use proofless_store::q;
use serde::{Deserialize, Serialize};

use super::{not_found, require_unit_editor};
use crate::App;
use crate::actor::Actor;
use crate::audit::{self, Entry};
use crate::error::{AppError, AppResult, Problems};

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct ServiceItem {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub name: String,
    pub code: String,
    pub kind: String,
    pub level: String,
    pub version: i64,
}

const SELECT: &str = "SELECT s.id, s.org_id, o.name AS org_name, s.name, s.code, s.kind, s.level, s.version \
    FROM service_items s JOIN orgs o ON o.id = s.org_id";

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct ServiceItemInput {
    /// The implementing org; defaults to the actor's unit.
    pub org_id: Option<i64>,
    pub name: String,
    /// 事项编码 (实施编码), 12–33 characters of digits, upper-case letters and `-`.
    pub code: String,
    /// `administrative_licence` … `public_service`, or the Chinese name (行政许可 …).
    pub kind: String,
    /// `county`, `town` or `village`.
    pub level: String,
}

struct Checked {
    name: String,
    code: String,
    kind: ServiceItemKind,
    level: CatalogueLevel,
}

fn check(input: &ServiceItemInput) -> AppResult<Checked> {
    let mut p = Problems::default();
    let name = clean_name(&input.name, MAX_NAME_CHARS).unwrap_or_else(|e| {
        p.add("name", format!("事项名称{e}"));
        String::new()
    });
    let code = match ImplementationCode::parse(&input.code) {
        Ok(c) => c.as_str().to_owned(),
        Err(e) => {
            p.add("code", format!("事项编码：{e}"));
            String::new()
        }
    };
    let kind = ServiceItemKind::parse(&input.kind);
    if kind.is_none() {
        p.add(
            "kind",
            format!(
                "事项类型“{}”无效（可用：行政许可、行政确认、行政给付、行政奖励、行政裁决、其他行政权力、依申请公共服务）",
                input.kind.chars().take(40).collect::<String>()
            ),
        );
    }
    let level = CatalogueLevel::parse(&input.level);
    if level.is_none() {
        p.add(
            "level",
            "层级应为 county（县级）、town（镇级）或 village（村级）",
        );
    }
    p.into_result()?;
    match (kind, level) {
        (Some(kind), Some(level)) => Ok(Checked {
            name,
            code,
            kind,
            level,
        }),
        _ => Err(AppError::field("kind", "事项类型或层级无效")),
    }
}

fn map_unique(e: proofless_store::StoreError) -> AppError {
    match e.unique_violation() {
        Some(_) => AppError::field("code", "该事项编码已登记"),
        None => e.into(),
    }
}

pub async fn create(app: &App, actor: &Actor, input: &ServiceItemInput) -> AppResult<ServiceItem> {
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let id = create_in(&mut tx, actor, input, now).await?;
    tx.commit().await?;
    get(app, id).await
}

/// [`create`] inside the caller's transaction, with the same checks and audit row.
pub(crate) async fn create_in(
    tx: &mut proofless_store::Tx,
    actor: &Actor,
    input: &ServiceItemInput,
    now: i64,
) -> AppResult<i64> {
    actor.require_any(&[Role::UnitAdmin, Role::JointOffice, Role::SystemAdmin])?;
    let org_id = input
        .org_id
        .or(actor.org_id)
        .ok_or_else(|| AppError::field("org_id", "请指定实施单位"))?;
    require_unit_editor(actor, org_id)?;
    let c = check(input)?;
    let org = tx
        .fetch_optional::<(i64,)>(q("SELECT id FROM orgs WHERE id = ?").bind(org_id))
        .await?;
    if org.is_none() {
        return Err(AppError::field("org_id", format!("单位 {org_id} 不存在")));
    }
    let id = tx
        .scalar_i64(
            q("INSERT INTO service_items (org_id, name, code, kind, level, created_at, updated_at) \
               VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id")
            .bind(org_id)
            .bind(&c.name)
            .bind(&c.code)
            .bind(c.kind.as_str())
            .bind(c.level.as_str())
            .bind(now)
            .bind(now),
        )
        .await
        .map_err(map_unique)?;
    audit::append(
        tx,
        actor,
        now,
        Entry::new("catalogue.service_item.create", "service_item", id).detail(
            serde_json::json!({"org_id": org_id, "name": c.name, "code": c.code,
                "kind": c.kind.as_str(), "level": c.level.as_str()}),
        ),
    )
    .await?;
    Ok(id)
}

/// The field checks of [`create`] alone, for validating a whole file first.
pub(crate) fn precheck(input: &ServiceItemInput) -> AppResult<()> {
    check(input).map(|_| ())
}

pub async fn update(
    app: &App,
    actor: &Actor,
    id: i64,
    expected_version: Option<i64>,
    input: &ServiceItemInput,
) -> AppResult<ServiceItem> {
    let current = get(app, id).await?;
    require_unit_editor(actor, current.org_id)?;
    let c = check(input)?;
    if expected_version.is_some_and(|v| v != current.version) {
        return Err(AppError::PreconditionFailed);
    }
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let n = tx
        .execute(
            q(
                "UPDATE service_items SET name = ?, code = ?, kind = ?, level = ?, updated_at = ?, \
               version = version + 1 WHERE id = ? AND version = ?",
            )
            .bind(&c.name)
            .bind(&c.code)
            .bind(c.kind.as_str())
            .bind(c.level.as_str())
            .bind(now)
            .bind(id)
            .bind(current.version),
        )
        .await
        .map_err(map_unique)?;
    if n == 0 {
        return Err(AppError::PreconditionFailed);
    }
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("catalogue.service_item.update", "service_item", id).detail(
            serde_json::json!({"name": c.name, "code": c.code, "kind": c.kind.as_str(),
                "level": c.level.as_str()}),
        ),
    )
    .await?;
    tx.commit().await?;
    get(app, id).await
}

pub async fn get(app: &App, id: i64) -> AppResult<ServiceItem> {
    app.db
        .reader()
        .fetch_optional(q(format!("{SELECT} WHERE s.id = ?")).bind(id))
        .await?
        .ok_or_else(|| not_found("政务服务事项", id))
}

/// Service items of one unit, or of every unit for county-wide roles (`org_id` None).
pub async fn list(app: &App, actor: &Actor, org_id: Option<i64>) -> AppResult<Vec<ServiceItem>> {
    actor.require_staff()?;
    let org = org_id.or(if actor.can_see_org(-1) {
        None
    } else {
        actor.org_id
    });
    Ok(match org {
        Some(o) => {
            app.db
                .reader()
                .fetch_all(q(format!("{SELECT} WHERE s.org_id = ? ORDER BY s.id")).bind(o))
                .await?
        }
        None => {
            app.db
                .reader()
                .fetch_all(q(format!("{SELECT} ORDER BY s.id LIMIT 5000")))
                .await?
        }
    })
}
