//! Loading the built-in regions, adding one, reading them.

use proofless_domain::codes::RegionCode;
use proofless_domain::region::RegionLevel;
use serde::{Deserialize, Serialize};

use super::repo;
use crate::App;
use crate::actor::Actor;
use crate::audit::{self, Entry};
use crate::error::{AppError, AppResult, Problems};

/// Shandong, Zibo and its counties, Gaoqing and its nine towns and streets (the
/// National Bureau of Statistics codes in `data/regions.csv`).
const BUILTIN: &str = include_str!("../../data/regions.csv");

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct Region {
    pub code: String,
    pub name: String,
    pub level: RegionLevel,
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
        let level = RegionLevel::parse(level)
            .ok_or_else(|| AppError::Internal(format!("内置区划数据层级错误：{line}")))?;
        if !repo::exists(&mut tx, code).await? {
            let parent = Some(parent).filter(|p| !p.is_empty());
            repo::insert(&mut tx, code, name, level, parent).await?;
            added += 1;
        }
    }
    tx.commit().await?;
    Ok(added)
}

fn check(r: &NewRegion) -> AppResult<(RegionCode, RegionLevel)> {
    let mut p = Problems::default();
    let code = RegionCode::parse(&r.code)
        .map_err(|e| p.add("code", format!("区划代码：{e}")))
        .ok();
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
    if let Some(p) = parent.as_deref()
        && !repo::exists(&mut tx, p).await?
    {
        return Err(AppError::field(
            "parent_code",
            format!("上级区划 {p} 不存在，请先添加上级区划"),
        ));
    }
    repo::insert(&mut tx, code.as_str(), &name, level, parent.as_deref())
        .await
        .map_err(|e| match e.unique_violation() {
            Some(_) => AppError::Conflict(format!("区划代码 {} 已存在", code.as_str())),
            None => e.into(),
        })?;
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

pub async fn get(app: &App, code: &str) -> AppResult<Region> {
    repo::get(&mut app.db.reader(), code)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("区划 {code}")))
}

/// Regions with this parent and of this level (each when given), ordered by code.
pub async fn list(
    app: &App,
    parent: Option<&str>,
    level: Option<RegionLevel>,
) -> AppResult<Vec<Region>> {
    Ok(repo::list(&mut app.db.reader(), parent, level).await?)
}
