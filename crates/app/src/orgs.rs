//! Organisations: agencies and public-service bodies, in a region, under a supervisor.

use proofless_domain::codes::CreditCode;
use proofless_domain::org::{MAX_ORG_NAME_CHARS, OrgKind, clean_name};
use proofless_domain::role::Role;
use proofless_store::{Tx, q};
use serde::{Deserialize, Serialize};

use crate::App;
use crate::actor::Actor;
use crate::audit::{self, Entry};
use crate::error::{AppError, AppResult, Problems};
use crate::page::{Page, PageRequest};

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct Org {
    pub id: i64,
    pub name: String,
    pub credit_code: Option<String>,
    /// A checksum warning the admin confirmed when the org was saved.
    pub credit_code_warning: Option<String>,
    pub kind: String,
    pub region_code: String,
    pub region_name: String,
    pub supervisor_id: Option<i64>,
    pub version: i64,
}

const SELECT: &str = "SELECT o.id, o.name, o.credit_code, o.credit_code_warning, o.kind, o.region_code, \
    r.name AS region_name, o.supervisor_id, o.version FROM orgs o JOIN regions r ON r.code = o.region_code";

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct OrgInput {
    pub name: String,
    pub credit_code: Option<String>,
    pub kind: String,
    pub region_code: String,
    pub supervisor_id: Option<i64>,
    /// The admin confirms a checksum warning on the credit code (issue #2 §4).
    #[serde(default)]
    pub confirm_warnings: bool,
}

/// A validated input: the clean values and any confirmed warning.
struct Checked {
    name: String,
    credit_code: Option<String>,
    warning: Option<String>,
    kind: OrgKind,
}

fn check(input: &OrgInput) -> AppResult<Checked> {
    let mut p = Problems::default();
    let name = match clean_name(&input.name, MAX_ORG_NAME_CHARS) {
        Ok(n) => n,
        Err(e) => {
            p.add("name", format!("单位名称{e}"));
            String::new()
        }
    };
    let kind = OrgKind::parse(&input.kind);
    if kind.is_none() {
        p.add("kind", format!("单位类型“{}”无效", input.kind));
    }
    let mut credit_code = None;
    let mut warning = None;
    if let Some(raw) = input
        .credit_code
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        match CreditCode::parse_lenient(raw) {
            Ok((code, warnings)) => {
                if !warnings.is_empty() {
                    let text = warnings
                        .iter()
                        .map(|w| w.to_string())
                        .collect::<Vec<_>>()
                        .join("；");
                    if input.confirm_warnings {
                        warning = Some(text);
                    } else {
                        p.add(
                            "credit_code",
                            format!("统一社会信用代码：{text}。如核对无误，请确认警告后再提交"),
                        );
                    }
                }
                credit_code = Some(code.as_str().to_owned());
            }
            Err(e) => p.add("credit_code", format!("统一社会信用代码：{e}")),
        }
    }
    p.into_result()?;
    Ok(Checked {
        name,
        credit_code,
        warning,
        kind: kind.unwrap_or(OrgKind::AdministrativeBody),
    })
}

async fn check_refs(tx: &mut Tx, input: &OrgInput, self_id: Option<i64>) -> AppResult<()> {
    let region = tx
        .fetch_optional::<(String,)>(
            q("SELECT code FROM regions WHERE code = ?").bind(&input.region_code),
        )
        .await?;
    if region.is_none() {
        return Err(AppError::field(
            "region_code",
            format!("区划代码 {} 不存在", input.region_code),
        ));
    }
    if let Some(s) = input.supervisor_id {
        if Some(s) == self_id {
            return Err(AppError::field("supervisor_id", "上级主管单位不能是本单位"));
        }
        let found = tx
            .fetch_optional::<(i64,)>(q("SELECT id FROM orgs WHERE id = ?").bind(s))
            .await?;
        if found.is_none() {
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
    let c = check(&input)?;
    let mut tx = app.db.begin().await?;
    let id = insert(app, &mut tx, actor, &input, c).await?;
    tx.commit().await?;
    get(app, id).await
}

async fn insert(
    app: &App,
    tx: &mut Tx,
    actor: &Actor,
    input: &OrgInput,
    c: Checked,
) -> AppResult<i64> {
    let now = app.now_ms();
    check_refs(tx, input, None).await?;
    let id = tx
        .scalar_i64(
            q("INSERT INTO orgs (name, credit_code, credit_code_warning, kind, region_code, supervisor_id, \
               created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id")
            .bind(&c.name)
            .bind(c.credit_code.clone())
            .bind(c.warning.clone())
            .bind(c.kind.as_str())
            .bind(&input.region_code)
            .bind(input.supervisor_id)
            .bind(now)
            .bind(now),
        )
        .await
        .map_err(map_unique)?;
    let seal_key = crate::seals::create_key(app, tx, id)
        .await?
        .map(|k| k.key_id());
    audit::append(
        tx,
        actor,
        now,
        Entry::new("org.create", "org", id).detail(serde_json::json!({
            "name": c.name, "credit_code": c.credit_code, "kind": c.kind.as_str(),
            "region_code": input.region_code, "confirmed_warning": c.warning,
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
    let c = check(&input)?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let current: Option<(i64,)> = tx
        .fetch_optional(q("SELECT version FROM orgs WHERE id = ?").bind(id))
        .await?;
    let Some((version,)) = current else {
        return Err(AppError::NotFound(format!("单位 {id}")));
    };
    if let Some(v) = expected_version {
        if v != version {
            return Err(AppError::PreconditionFailed);
        }
    }
    check_refs(&mut tx, &input, Some(id)).await?;
    tx.execute(
        q("UPDATE orgs SET name = ?, credit_code = ?, credit_code_warning = ?, kind = ?, region_code = ?, \
           supervisor_id = ?, updated_at = ?, version = version + 1 WHERE id = ? AND version = ?")
        .bind(&c.name)
        .bind(c.credit_code.clone())
        .bind(c.warning.clone())
        .bind(c.kind.as_str())
        .bind(&input.region_code)
        .bind(input.supervisor_id)
        .bind(now)
        .bind(id)
        .bind(version),
    )
    .await
    .map_err(map_unique)?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("org.update", "org", id).detail(serde_json::json!({
            "name": c.name, "credit_code": c.credit_code, "kind": c.kind.as_str(),
            "region_code": input.region_code, "supervisor_id": input.supervisor_id,
        })),
    )
    .await?;
    tx.commit().await?;
    get(app, id).await
}

pub async fn get(app: &App, id: i64) -> AppResult<Org> {
    app.db
        .reader()
        .fetch_optional(q(format!("{SELECT} WHERE o.id = ?")).bind(id))
        .await?
        .ok_or_else(|| AppError::NotFound(format!("单位 {id}")))
}

pub async fn find_by_name(app: &App, name: &str) -> AppResult<Option<Org>> {
    Ok(app
        .db
        .reader()
        .fetch_optional(q(format!("{SELECT} WHERE o.name = ? ORDER BY o.id LIMIT 1")).bind(name))
        .await?)
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct OrgFilter {
    /// Region code prefix: `370322` lists the whole county, a town code its town and villages.
    pub region: Option<String>,
    pub kind: Option<String>,
    pub q: Option<String>,
}

/// The org directory is not personal data: every staff member may read it.
pub async fn list(
    app: &App,
    actor: &Actor,
    f: &OrgFilter,
    page: PageRequest,
) -> AppResult<Page<Org>> {
    actor.require_staff()?;
    let mut where_sql = String::from(" WHERE 1 = 1");
    let mut args: Vec<proofless_store::Value> = vec![];
    if let Some(r) = f.region.as_deref().filter(|s| !s.is_empty()) {
        let prefix = r.trim_end_matches("000");
        where_sql.push_str(" AND o.region_code LIKE ?");
        args.push(format!("{}%", prefix.replace(['%', '_'], "")).into());
    }
    if let Some(k) = f.kind.as_deref().filter(|s| !s.is_empty()) {
        where_sql.push_str(" AND o.kind = ?");
        args.push(k.into());
    }
    if let Some(t) = f.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        where_sql.push_str(" AND o.name LIKE ?");
        let t: String = t
            .chars()
            .take(50)
            .filter(|c| *c != '%' && *c != '_')
            .collect();
        args.push(format!("%{t}%").into());
    }
    let mut count = q(format!("SELECT COUNT(*) FROM orgs o{where_sql}"));
    count.args = args.clone();
    let total = app.db.reader().scalar_i64(count).await?;
    let mut list = q(format!(
        "{SELECT}{where_sql} ORDER BY o.region_code, o.id LIMIT ? OFFSET ?"
    ));
    list.args = args;
    let items = app
        .db
        .reader()
        .fetch_all(list.bind(page.limit()).bind(page.offset()))
        .await?;
    Ok(Page {
        items,
        total,
        limit: page.limit(),
        offset: page.offset(),
    })
}

/// Import many orgs at once: every row is validated first; nothing is written unless
/// every row is good (warnings need `confirm_warnings` on the row).
pub async fn import(app: &App, actor: &Actor, rows: Vec<OrgInput>) -> AppResult<Vec<Org>> {
    actor.require_any(&[Role::SystemAdmin])?;
    if rows.len() > 5000 {
        return Err(AppError::field("rows", "一次最多导入 5000 个单位"));
    }
    let mut problems = Problems::default();
    for (i, r) in rows.iter().enumerate() {
        if let Err(AppError::Validation(errs)) = check(r) {
            for e in errs {
                problems.add(
                    &format!("rows[{i}].{}", e.field),
                    format!("第 {} 行：{}", i + 1, e.message),
                );
            }
        }
    }
    problems.into_result()?;
    let mut tx = app.db.begin().await?;
    let mut ids = Vec::with_capacity(rows.len());
    for (i, r) in rows.iter().enumerate() {
        let c = check(r)?;
        let id = insert(app, &mut tx, actor, r, c)
            .await
            .map_err(|e| match e {
                AppError::Validation(errs) => AppError::Validation(
                    errs.into_iter()
                        .map(|e| {
                            crate::error::FieldError::new(
                                format!("rows[{i}].{}", e.field),
                                format!("第 {} 行：{}", i + 1, e.message),
                            )
                        })
                        .collect(),
                ),
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
