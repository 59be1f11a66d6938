//! Creating, changing, importing and listing orgs.

use proofless_domain::org::OrgKind;
use proofless_domain::role::Role;
use proofless_store::Tx;
use serde::{Deserialize, Serialize};

use super::input::{NewOrg, OrgInput};
use super::repo;
use crate::App;
use crate::actor::Actor;
use crate::audit::{self, Entry};
use crate::error::{AppError, AppResult, FieldError, Problems};
use crate::page::{Page, PageRequest};

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct Org {
    pub id: i64,
    pub name: String,
    /// As saved: a code with a confirmed checksum warning (issue #2 §4) is kept as
    /// entered, so it is text here, not a checked [`CreditCode`].
    pub credit_code: Option<String>,
    /// A checksum warning the admin confirmed when the org was saved.
    pub credit_code_warning: Option<String>,
    pub kind: OrgKind,
    pub region_code: String,
    pub region_name: String,
    pub supervisor_id: Option<i64>,
    pub version: i64,
}

#[derive(Debug, Clone, Default)]
pub struct OrgFilter {
    /// Region code prefix: `370322` lists the whole county, a town code its town and villages.
    pub region: Option<String>,
    pub kind: Option<OrgKind>,
    pub q: Option<String>,
}

/// The region must exist, and the supervisor too (and not be the org itself).
async fn check_refs(tx: &mut Tx, o: &NewOrg, self_id: Option<i64>) -> AppResult<()> {
    if !repo::region_exists(tx, &o.region_code).await? {
        return Err(AppError::field(
            "region_code",
            format!("区划代码 {} 不存在", o.region_code),
        ));
    }
    if let Some(s) = o.supervisor_id {
        if Some(s) == self_id {
            return Err(AppError::field("supervisor_id", "上级主管单位不能是本单位"));
        }
        if !repo::exists(tx, s).await? {
            return Err(AppError::field(
                "supervisor_id",
                format!("上级主管单位 {s} 不存在"),
            ));
        }
    }
    Ok(())
}

fn map_unique(e: proofless_store::StoreError) -> AppError {
    match e.unique_violation() {
        Some(c) if c.contains("credit") => {
            AppError::field("credit_code", "该统一社会信用代码已被其他单位使用")
        }
        Some(_) => AppError::field("name", "同一区划内已有同名单位"),
        None => e.into(),
    }
}

pub async fn create(app: &App, actor: &Actor, input: OrgInput) -> AppResult<Org> {
    actor.require_any(&[Role::SystemAdmin])?;
    let o = input.parse()?;
    let mut tx = app.db.begin().await?;
    let id = insert(app, &mut tx, actor, &o).await?;
    tx.commit().await?;
    get(app, id).await
}

/// Writes a new org and its first seal key, audited, inside `tx`.
async fn insert(app: &App, tx: &mut Tx, actor: &Actor, o: &NewOrg) -> AppResult<i64> {
    let now = app.now_ms();
    check_refs(tx, o, None).await?;
    let id = repo::insert(tx, o, now).await.map_err(map_unique)?;
    let seal_key = crate::seals::create_key(app, tx, id)
        .await?
        .map(|k| k.key_id());
    audit::append(
        tx,
        actor,
        now,
        Entry::new("org.create", "org", id).detail(serde_json::json!({
            "name": o.name, "credit_code": o.credit_code, "kind": o.kind.as_str(),
            "region_code": o.region_code, "confirmed_warning": o.warning,
            "seal_key_id": seal_key,
        })),
    )
    .await?;
    Ok(id)
}

/// Update with optimistic concurrency: `expected_version` comes from `If-Match`.
pub async fn update(
    app: &App,
    actor: &Actor,
    id: i64,
    expected_version: Option<i64>,
    input: OrgInput,
) -> AppResult<Org> {
    actor.require_any(&[Role::SystemAdmin])?;
    let o = input.parse()?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let Some(version) = repo::version(&mut tx, id).await? else {
        return Err(AppError::NotFound(format!("单位 {id}")));
    };
    if expected_version.is_some_and(|v| v != version) {
        return Err(AppError::PreconditionFailed);
    }
    check_refs(&mut tx, &o, Some(id)).await?;
    repo::update(&mut tx, id, version, &o, now)
        .await
        .map_err(map_unique)?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("org.update", "org", id).detail(serde_json::json!({
            "name": o.name, "credit_code": o.credit_code, "kind": o.kind.as_str(),
            "region_code": o.region_code, "supervisor_id": o.supervisor_id,
        })),
    )
    .await?;
    tx.commit().await?;
    get(app, id).await
}

pub async fn get(app: &App, id: i64) -> AppResult<Org> {
    repo::get(&mut app.db.reader(), id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("单位 {id}")))
}

pub async fn find_by_name(app: &App, name: &str) -> AppResult<Option<Org>> {
    Ok(repo::find_by_name(&mut app.db.reader(), name).await?)
}

/// The org directory is not personal data: every staff member may read it.
pub async fn list(
    app: &App,
    actor: &Actor,
    f: &OrgFilter,
    page: PageRequest,
) -> AppResult<Page<Org>> {
    actor.require_staff()?;
    let (items, total) = repo::list(&mut app.db.reader(), f, page.limit(), page.offset()).await?;
    Ok(Page {
        items,
        total,
        limit: page.limit(),
        offset: page.offset(),
    })
}

/// A row's field errors named after the row: `rows[2].kind`, "第 3 行：…".
fn in_row(i: usize, errs: Vec<FieldError>) -> Vec<FieldError> {
    errs.into_iter()
        .map(|e| {
            FieldError::new(
                format!("rows[{i}].{}", e.field),
                format!("第 {} 行：{}", i + 1, e.message),
            )
        })
        .collect()
}

/// Import many orgs at once: every row is validated first; nothing is written unless
/// every row is good (warnings need `confirm_warnings` on the row).
pub async fn import(app: &App, actor: &Actor, rows: Vec<OrgInput>) -> AppResult<Vec<Org>> {
    actor.require_any(&[Role::SystemAdmin])?;
    if rows.len() > 5000 {
        return Err(AppError::field("rows", "一次最多导入 5000 个单位"));
    }
    let mut problems = Problems::default();
    let mut parsed = Vec::with_capacity(rows.len());
    for (i, r) in rows.iter().enumerate() {
        match r.parse() {
            Ok(o) => parsed.push(o),
            Err(AppError::Validation(errs)) => problems.0.extend(in_row(i, errs)),
            Err(e) => return Err(e),
        }
    }
    problems.into_result()?;
    let mut tx = app.db.begin().await?;
    let mut ids = Vec::with_capacity(parsed.len());
    for (i, o) in parsed.iter().enumerate() {
        let id = insert(app, &mut tx, actor, o).await.map_err(|e| match e {
            AppError::Validation(errs) => AppError::Validation(in_row(i, errs)),
            other => other,
        })?;
        ids.push(id);
    }
    tx.commit().await?;
    let mut created = Vec::with_capacity(ids.len());
    for id in ids {
        created.push(get(app, id).await?);
    }
    Ok(created)
}
