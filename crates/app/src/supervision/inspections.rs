//! Random checks (双随机), scheduled reviews and special inspections (P 四): the draw with its
//! recorded seed and pools, an inspection per drawn unit, findings each with a follow-up
//! deadline in the engine, the unit's report that completes it, and the closing.

use chrono::{DateTime, Utc};
use proofless_domain::deadline::{RuleKey, SubjectType};
use proofless_domain::notification::NotificationKind;
use proofless_domain::role::Role;
use serde::Serialize;
use serde_json::json;

use super::draw::{self, ALGORITHM, seed_hex};
use super::input::{DrawInput, FindingInput, InspectionInput, TextInput};
use super::repo::{self, NewInspection};
pub use super::repo::{Draw, Finding, Inspection};
use crate::App;
use crate::actor::Actor;
use crate::audit::{self, Entry};
use crate::deadlines::{self, NewDeadline};
use crate::error::{AppError, AppResult};
use crate::notifications::{self, Recipient};

/// The rule of a finding's follow-up deadline (its limit rides as the statutory limit).
pub const FOLLOW_UP_RULE: &str = "supervision.follow_up";

/// Who organises checks and records findings: the joint office (县政府督查, P 四).
const ORGANISERS: &[Role] = &[Role::JointOffice];
/// Who reads every check.
const READERS: &[Role] = &[Role::JointOffice, Role::Accountability, Role::SystemAdmin];

/// An inspection with its findings.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = supervision_InspectionDetail)]
pub struct InspectionDetail {
    pub inspection: Inspection,
    pub findings: Vec<Finding>,
    /// The inspectors' names, in the order of `inspection.inspectors`.
    pub inspector_names: Vec<String>,
}

fn can_read(actor: &Actor, i: &Inspection) -> bool {
    if actor.has_any(READERS) {
        return true;
    }
    let ids: Vec<i64> = serde_json::from_str(&i.inspectors).unwrap_or_default();
    (actor.org_id == Some(i.org_id) && actor.has(Role::UnitAdmin))
        || actor.staff_id().is_some_and(|s| ids.contains(&s))
}

/// Draws units and inspectors (双随机) and opens an inspection for each drawn unit.
pub async fn create_draw(app: &App, actor: &Actor, input: &DrawInput) -> AppResult<Draw> {
    actor.require_any(ORGANISERS)?;
    let cmd = input.parse()?;
    let seed = cmd.seed.unwrap_or_else(rand::random::<[u8; 32]>);
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let units = if cmd.unit_pool.is_empty() {
        repo::all_units(&mut tx).await?
    } else {
        let found = repo::existing_orgs(&mut tx, &cmd.unit_pool).await?;
        if let Some(bad) = cmd.unit_pool.iter().find(|u| !found.contains(u)) {
            return Err(AppError::field("unit_pool", format!("单位 {bad} 不存在")));
        }
        found
    };
    let inspectors = repo::inspectors(&mut tx, &cmd.inspector_pool).await?;
    if let Some(bad) = cmd
        .inspector_pool
        .iter()
        .find(|s| !inspectors.iter().any(|(i, _)| i == *s))
    {
        return Err(AppError::field(
            "inspector_pool",
            format!("人员 {bad} 不是在岗的核查人员"),
        ));
    }
    if cmd.unit_count > units.len() {
        return Err(AppError::field(
            "unit_count",
            format!("抽取单位数不能超过单位库的 {} 个", units.len()),
        ));
    }
    if inspectors.len() <= cmd.per_unit {
        return Err(AppError::field(
            "inspector_pool",
            "检查人员库人数不足（须多于每个单位的检查人员数，以便回避）",
        ));
    }
    let drawn = draw::draw(seed, &units, cmd.unit_count, &inspectors, cmd.per_unit);
    if drawn.iter().any(|(_, ins)| ins.len() < cmd.per_unit) {
        return Err(AppError::field(
            "inspector_pool",
            "回避本单位人员后检查人员不足，请扩大检查人员库",
        ));
    }
    let d = Draw {
        id: 0,
        public_id: crate::public_ids::new_public_id(),
        title: cmd.title.clone(),
        algorithm: ALGORITHM.to_owned(),
        seed: seed_hex(&seed),
        unit_pool: serde_json::to_string(&units).unwrap_or_default(),
        inspector_pool: serde_json::to_string(&inspectors).unwrap_or_default(),
        units_drawn: serde_json::to_string(&drawn).unwrap_or_default(),
        inspectors_per_unit: cmd.per_unit as i64,
        created_by: actor.name.clone(),
        created_at: now,
    };
    let id = repo::insert_draw(&mut tx, &d).await?;
    let planned = cmd.planned_on.to_string();
    for (org, ins) in &drawn {
        let inspectors = serde_json::to_string(ins).unwrap_or_default();
        let iid = repo::insert_inspection(
            &mut tx,
            &NewInspection {
                kind: "random",
                draw_id: Some(id),
                org_id: *org,
                title: &cmd.title,
                inspectors: &inspectors,
                planned_on: &planned,
                by: &actor.name,
            },
            now,
        )
        .await?;
        for s in ins {
            notifications::insert_in(
                &mut tx,
                &Recipient::Staff(*s),
                NotificationKind::Review,
                &format!("【双随机抽查】您被抽中参加“{}”，计划 {planned}", cmd.title),
                &format!("/supervision/inspections/{iid}"),
                &format!("supervision:inspection:{iid}:inspector:{s}"),
                now,
            )
            .await?;
        }
    }
    let e = Entry::new("supervision.draw", "supervision_draw", id).detail(json!({
        "algorithm": ALGORITHM, "seed": d.seed, "units": units.len(),
        "inspectors": inspectors.len(), "drawn": drawn,
    }));
    audit::append(&mut tx, actor, now, e).await?;
    tx.commit().await?;
    get_draw(app, actor, id).await
}

pub async fn get_draw(app: &App, actor: &Actor, id: i64) -> AppResult<Draw> {
    actor.require_any(READERS)?;
    repo::draw(&mut app.db.reader(), id)
        .await?
        .ok_or_else(|| AppError::NotFound("抽查".into()))
}

pub async fn draws(app: &App, actor: &Actor) -> AppResult<Vec<Draw>> {
    actor.require_any(READERS)?;
    repo::draws(&mut app.db.reader()).await
}

/// A scheduled review or a special inspection of one unit.
pub async fn create_inspection(
    app: &App,
    actor: &Actor,
    input: &InspectionInput,
) -> AppResult<InspectionDetail> {
    actor.require_any(ORGANISERS)?;
    let cmd = input.parse()?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    if repo::existing_orgs(&mut tx, &[cmd.org_id])
        .await?
        .is_empty()
    {
        return Err(AppError::field("org_id", "被检查单位不存在"));
    }
    let found = repo::inspectors(&mut tx, &cmd.inspectors).await?;
    if !cmd.inspectors.is_empty() && found.len() != cmd.inspectors.len() {
        return Err(AppError::field("inspectors", "检查人员须为在岗的核查人员"));
    }
    let inspectors = serde_json::to_string(&cmd.inspectors).unwrap_or_default();
    let planned = cmd.planned_on.to_string();
    let id = repo::insert_inspection(
        &mut tx,
        &NewInspection {
            kind: cmd.kind,
            draw_id: None,
            org_id: cmd.org_id,
            title: &cmd.title,
            inspectors: &inspectors,
            planned_on: &planned,
            by: &actor.name,
        },
        now,
    )
    .await?;
    let e = Entry::new("supervision.inspection", "supervision_inspection", id)
        .detail(json!({"kind": cmd.kind, "org_id": cmd.org_id}));
    audit::append(&mut tx, actor, now, e).await?;
    notifications::insert_in(
        &mut tx,
        &Recipient::Org(cmd.org_id),
        NotificationKind::Review,
        &format!("【督查检查】“{}”计划于 {planned} 进行", cmd.title),
        &format!("/supervision/inspections/{id}"),
        &format!("supervision:inspection:{id}:planned"),
        now,
    )
    .await?;
    tx.commit().await?;
    get_inspection(app, actor, id).await
}

/// The inspections the actor may see (all for the county-wide readers, the own unit's for a
/// unit's administrator), newest first.
pub async fn inspections(
    app: &App,
    actor: &Actor,
    draw: Option<i64>,
) -> AppResult<Vec<Inspection>> {
    let org = if actor.has_any(READERS) {
        None
    } else if actor.has(Role::UnitAdmin) && actor.org_id.is_some() {
        actor.org_id
    } else {
        actor.require_any(READERS)?;
        None
    };
    repo::inspections(&mut app.db.reader(), org, draw).await
}

pub async fn get_inspection(app: &App, actor: &Actor, id: i64) -> AppResult<InspectionDetail> {
    let mut ex = app.db.reader();
    let Some(inspection) = repo::inspection(&mut ex, id).await? else {
        return Err(AppError::NotFound("检查".into()));
    };
    if !can_read(actor, &inspection) {
        actor.require_staff()?;
        return Err(AppError::NotFound("检查".into()));
    }
    let findings = repo::findings(&mut ex, id).await?;
    let ids: Vec<i64> = serde_json::from_str(&inspection.inspectors).unwrap_or_default();
    let names = repo::staff_names(&mut ex, &ids).await?;
    Ok(InspectionDetail {
        inspection,
        findings,
        inspector_names: names,
    })
}

/// A finding with its follow-up deadline (working days, engine).
pub async fn record_finding(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &FindingInput,
) -> AppResult<InspectionDetail> {
    let ins = {
        let mut ex = app.db.reader();
        repo::inspection(&mut ex, id).await?
    };
    let Some(ins) = ins else {
        return Err(AppError::NotFound("检查".into()));
    };
    let ids: Vec<i64> = serde_json::from_str(&ins.inspectors).unwrap_or_default();
    let inspector = actor.staff_id().is_some_and(|s| ids.contains(&s));
    if !(actor.has_any(ORGANISERS) || inspector) {
        return Err(AppError::forbidden(
            "只有联席会议办公室或本次检查的检查人员可以记录发现的问题",
        ));
    }
    let (text, limit) = input.parse()?;
    if ins.state != "open" {
        return Err(AppError::Conflict("该检查已结束，不能再记录问题".into()));
    }
    let now = app.now_ms();
    let start = DateTime::<Utc>::from_timestamp_millis(now).unwrap_or_default();
    let system = Actor::system("supervision");
    let mut tx = app.db.begin().await?;
    let fid = repo::insert_finding(&mut tx, id, &text, 0, 0, &actor.name, now).await?;
    let opened = deadlines::open_in(
        &mut tx,
        app,
        &system,
        &NewDeadline {
            subject_type: SubjectType::SupervisionFinding,
            subject_id: fid.to_string(),
            org_id: ins.org_id,
            rule_key: RuleKey::from_static(FOLLOW_UP_RULE),
            start,
            statutory_limit: Some(limit),
        },
    )
    .await?;
    let due = opened.due_at.unwrap_or(now);
    repo::set_finding_deadline(&mut tx, fid, opened.id, due).await?;
    let e = Entry::new("supervision.finding", "supervision_inspection", id)
        .detail(json!({"finding_id": fid, "deadline_id": opened.id, "due_at": due}));
    audit::append(&mut tx, actor, now, e).await?;
    notifications::insert_in(
        &mut tx,
        &Recipient::Org(ins.org_id),
        NotificationKind::Review,
        &format!(
            "【督查发现问题】{}：{text}。请于 {} 前整改并报告。",
            ins.title,
            crate::local_time(due)
        ),
        &format!("/supervision/inspections/{id}"),
        &format!("supervision:finding:{fid}"),
        now,
    )
    .await?;
    tx.commit().await?;
    get_inspection(app, actor, id).await
}

/// The inspected unit reports a finding followed up; its deadline is completed (late ones
/// stay marked late by the engine).
pub async fn report_follow_up(
    app: &App,
    actor: &Actor,
    finding_id: i64,
    input: &TextInput,
) -> AppResult<InspectionDetail> {
    let note = input.parse("整改情况")?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let Some(f) = repo::finding(&mut tx, finding_id).await? else {
        return Err(AppError::NotFound("问题".into()));
    };
    let Some(ins) = repo::inspection(&mut tx, f.inspection_id).await? else {
        return Err(AppError::NotFound("问题".into()));
    };
    if !(actor.has(Role::UnitAdmin) && actor.org_id == Some(ins.org_id)) {
        return Err(AppError::forbidden(
            "只有被检查单位的管理员可以报告整改情况",
        ));
    }
    if repo::finding_done(&mut tx, finding_id, &note, now).await? == 0 {
        return Err(AppError::Conflict("该问题已报告整改".into()));
    }
    deadlines::complete_in(&mut tx, app, &Actor::system("supervision"), f.deadline_id).await?;
    let late = now > f.due_at;
    let e = Entry::new("supervision.follow_up", "supervision_inspection", ins.id)
        .detail(json!({"finding_id": finding_id, "late": late}));
    audit::append(&mut tx, actor, now, e).await?;
    notifications::insert_in(
        &mut tx,
        &Recipient::Role(Role::JointOffice),
        NotificationKind::Review,
        &format!(
            "【整改报告】{}（{}）已报告整改{}",
            ins.title,
            ins.org_name,
            if late { "（逾期）" } else { "" }
        ),
        &format!("/supervision/inspections/{}", ins.id),
        &format!("supervision:finding:{finding_id}:done"),
        now,
    )
    .await?;
    tx.commit().await?;
    get_inspection(app, actor, ins.id).await
}

/// The joint office closes an inspection once every finding is followed up.
pub async fn close_inspection(app: &App, actor: &Actor, id: i64) -> AppResult<InspectionDetail> {
    actor.require_any(ORGANISERS)?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    if repo::inspection(&mut tx, id).await?.is_none() {
        return Err(AppError::NotFound("检查".into()));
    }
    if repo::findings(&mut tx, id)
        .await?
        .iter()
        .any(|f| f.state == "open")
    {
        return Err(AppError::Conflict("尚有问题未整改，不能结束检查".into()));
    }
    if repo::close_inspection(&mut tx, id, now).await? == 0 {
        return Err(AppError::Conflict("该检查已结束".into()));
    }
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("supervision.close", "supervision_inspection", id),
    )
    .await?;
    tx.commit().await?;
    get_inspection(app, actor, id).await
}
