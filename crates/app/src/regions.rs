//! Regions in four levels with 12-digit codes (SPEC R3.3).

use proofless_domain::codes::RegionCode;
use proofless_domain::region::RegionLevel;
use proofless_store::{Tx, q};
use serde::{Deserialize, Serialize};

use crate::App;
use crate::actor::Actor;
use crate::audit::{self, Entry};
use crate::error::{AppError, AppResult, Problems};

/// Shandong, Zibo and its counties, Gaoqing and its nine towns and streets (the
/// National Bureau of Statistics codes in `data/regions.csv`).
const BUILTIN: &str = include_str!("../data/regions.csv");

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct Region {
    pub code: String,
    pub name: String,
    pub level: String,
    pub parent_code: Option<String>,
}

pub struct NewRegion {
    pub code: String,
    pub name: String,
    pub parent_code: Option<String>,
}

/// Insert the built-in regions that are missing. Runs after every migration.
pub async fn ensure_builtin(app: &App) -> AppResult<usize> {
    let mut tx = app.db.begin().await?;
    let mut added = 0;
    for line in BUILTIN.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let cols: Vec<&str> = line.split(',').collect();
        let [code, name, level, parent] = cols[..] else {
            return Err(AppError::Internal(format!("内置区划数据格式错误：{line}")));
        };
        let exists = tx
            .fetch_optional::<(String,)>(q("SELECT code FROM regions WHERE code = ?").bind(code))
            .await?
            .is_some();
        if !exists {
            let parent = if parent.is_empty() {
                None
            } else {
                Some(parent)
            };
            tx.execute(
                q("INSERT INTO regions (code, name, level, parent_code) VALUES (?, ?, ?, ?)")
                    .bind(code)
                    .bind(name)
                    .bind(level)
                    .bind(parent),
            )
            .await?;
            added += 1;
        }
    }
    tx.commit().await?;
    Ok(added)
}

fn check(r: &NewRegion) -> AppResult<(RegionCode, RegionLevel)> {
    let mut p = Problems::default();
    let code = match RegionCode::parse(&r.code) {
        Ok(c) => Some(c),
        Err(e) => {
            p.add("code", format!("区划代码：{e}"));
            None
        }
    };
    if let Err(e) = proofless_domain::org::clean_name(&r.name, 60) {
        p.add("name", format!("区划名称{e}"));
    }
    p.into_result()?;
    let code = code.ok_or_else(|| AppError::field("code", "区划代码无效"))?;
    let level = code.level();
    let expected_parent = code.parent().map(|c| c.as_str().to_owned());
    if r.parent_code.is_some() && r.parent_code != expected_parent {
        return Err(AppError::field(
            "parent_code",
            format!("上级区划应为 {}", expected_parent.unwrap_or_default()),
        ));
    }
    Ok((code, level))
}

/// Add a region (system admin): its parent must exist, its level follows from its code.
pub async fn create(app: &App, actor: &Actor, r: NewRegion) -> AppResult<Region> {
    actor.require_any(&[proofless_domain::role::Role::SystemAdmin])?;
    let (code, level) = check(&r)?;
    let name = r.name.trim().to_owned();
    let mut tx = app.db.begin().await?;
    let parent = code.parent().map(|c| c.as_str().to_owned());
    insert(&mut tx, code.as_str(), &name, level, parent.as_deref()).await?;
    audit::append(
        &mut tx,
        actor,
        app.now_ms(),
        Entry::new("region.create", "region", code.as_str())
            .detail(serde_json::json!({"name": name, "level": level.as_str()})),
    )
    .await?;
    tx.commit().await?;
    get(app, code.as_str()).await
}

pub(crate) async fn insert(
    tx: &mut Tx,
    code: &str,
    name: &str,
    level: RegionLevel,
    parent: Option<&str>,
) -> AppResult<()> {
    if let Some(p) = parent {
        let found = tx
            .fetch_optional::<(String,)>(q("SELECT code FROM regions WHERE code = ?").bind(p))
            .await?;
        if found.is_none() {
            return Err(AppError::field(
                "parent_code",
                format!("上级区划 {p} 不存在，请先添加上级区划"),
            ));
        }
    }
    tx.execute(
        q("INSERT INTO regions (code, name, level, parent_code) VALUES (?, ?, ?, ?)")
            .bind(code)
            .bind(name)
            .bind(level.as_str())
            .bind(parent),
    )
    .await
    .map_err(|e| match e.unique_violation() {
        Some(_) => AppError::Conflict(format!("区划代码 {code} 已存在")),
        None => e.into(),
    })?;
    Ok(())
}

pub async fn get(app: &App, code: &str) -> AppResult<Region> {
    app.db
        .reader()
        .fetch_optional(
            q("SELECT code, name, level, parent_code FROM regions WHERE code = ?").bind(code),
        )
        .await?
        .ok_or_else(|| AppError::NotFound(format!("区划 {code}")))
}

/// All regions under `root` (inclusive), ordered by code; the whole tree when None.
pub async fn list(app: &App, parent: Option<&str>, level: Option<&str>) -> AppResult<Vec<Region>> {
    let mut qy = q("SELECT code, name, level, parent_code FROM regions WHERE 1 = 1");
    if let Some(p) = parent {
        qy.push_sql(" AND parent_code = ?");
        qy.push_arg(p);
    }
    if let Some(l) = level {
        qy.push_sql(" AND level = ?");
        qy.push_arg(l);
    }
    qy.push_sql(" ORDER BY code");
    Ok(app.db.reader().fetch_all(qy).await?)
}
