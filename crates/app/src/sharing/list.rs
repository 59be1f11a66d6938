//! The data-sharing list (SPEC R3.1; P 三(二)1 "制定证明、证照数据共享清单，逐一构建数据共享
//! 标准化模板"): the issuing unit maintains its entries, the joint office reviews them, a
//! reviewed version is published (public page and JSON) and its grants take effect.

use std::collections::HashMap;

use proofless_domain::catalogue::ReplacementMethod;
use proofless_domain::role::Role;
use proofless_domain::sharing::EntryState;
use proofless_domain::verification::FieldSpec;
use serde_json::json;

use super::input::{EntryInput, ReviewInput, text};
use super::records::{Entry, Grant, GrantView};
use super::repo::{self, NewVersion, VersionRow};
use crate::App;
use crate::actor::Actor;
use crate::audit::{self, Entry as Audit};
use crate::error::{AppError, AppResult, Problems};

/// Who maintains an issuing unit's entries.
pub(super) const MAINTAINERS: [Role; 2] = [Role::UnitAdmin, Role::Liaison];

fn decode<T: serde::de::DeserializeOwned>(s: &str, what: &str) -> AppResult<T> {
    serde_json::from_str(s).map_err(|e| AppError::Internal(format!("共享清单{what}存储损坏：{e}")))
}

pub(super) fn fields_of(v: &VersionRow) -> AppResult<Vec<FieldSpec>> {
    decode(&v.fields, "数据模板")
}

/// A stored version as shown, with the names of the item, units and services.
pub(super) async fn view(app: &App, v: VersionRow) -> AppResult<Entry> {
    let item = crate::catalogue::public::item(app, v.proof_item_id)
        .await
        .ok();
    let services: HashMap<String, String> = item
        .as_ref()
        .map(|i| {
            i.service_items
                .iter()
                .map(|s| (s.code.clone(), s.name.clone()))
                .collect()
        })
        .unwrap_or_default();
    let grants: Vec<Grant> = decode(&v.grants, "授权")?;
    let mut shown = Vec::with_capacity(grants.len());
    for g in grants {
        shown.push(GrantView {
            org_name: org_name(app, g.org_id).await?,
            service_name: services.get(&g.service_code).cloned().unwrap_or_default(),
            org_id: g.org_id,
            service_code: g.service_code,
        });
    }
    Ok(Entry {
        id: v.entry_id,
        proof_item_id: v.proof_item_id,
        proof_item_name: item.map(|i| i.name.clone()).unwrap_or_default(),
        issuer_org_id: v.issuer_org_id,
        issuer_name: org_name(app, v.issuer_org_id).await?,
        version: v.version,
        state_label: v.state.label().to_owned(),
        state: v.state,
        source_label: v.source.label().to_owned(),
        source: v.source,
        kind_label: v.kind.label().to_owned(),
        kind: v.kind,
        fields: fields_of(&v)?,
        grants: shown,
        note: v.note,
        review_note: v.review_note,
        created_by: v.created_by,
        created_at: v.created_at,
        published_at: v.published_at,
    })
}

pub(super) async fn org_name(app: &App, id: i64) -> AppResult<String> {
    Ok(repo::org(&mut app.db.reader(), id)
        .await?
        .map(|(n, _)| n)
        .unwrap_or_default())
}

/// Checks the entry against the published catalogue: the item has the data-sharing method,
/// the actor's unit issues it, each grant names a unit and one of the item's service items.
async fn check_against_catalogue(app: &App, actor: &Actor, input: &EntryInput) -> AppResult<i64> {
    let mut p = Problems::default();
    let item = crate::catalogue::public::item(app, input.proof_item_id)
        .await
        .map_err(|_| {
            AppError::field(
                "proof_item_id",
                format!("证明事项 {} 不在现行公布的清单中", input.proof_item_id),
            )
        })?;
    if !item.methods.contains(&ReplacementMethod::DataSharing) {
        p.add(
            "proof_item_id",
            format!("“{}”的替代方式不含数据共享", item.name),
        );
    }
    let org = actor
        .org_id
        .ok_or_else(|| AppError::forbidden("须以开具单位工作人员身份维护"))?;
    if !item.issuer_ids.contains(&org) {
        return Err(AppError::forbidden(format!(
            "本单位不是“{}”的开具单位（清单载明：{}），不能维护其共享模板",
            item.name,
            item.issuers.join("、")
        )));
    }
    for (i, g) in input.grants.iter().enumerate() {
        if repo::org(&mut app.db.reader(), g.org_id).await?.is_none() {
            p.add(
                &format!("grants[{i}].org_id"),
                format!("单位 {} 不存在", g.org_id),
            );
        }
        if !item
            .service_items
            .iter()
            .any(|s| s.code == g.service_code.trim())
        {
            p.add(
                &format!("grants[{i}].service_code"),
                format!(
                    "“{}”不是该证明事项适用的政务服务事项",
                    g.service_code.trim()
                ),
            );
        }
    }
    p.into_result()?;
    Ok(org)
}

/// The issuing unit saves its entry: a new entry, its draft edited, or a new version of a
/// published one (SPEC R3.1).
pub async fn save(app: &App, actor: &Actor, input: &EntryInput) -> AppResult<Entry> {
    actor.require_any(&MAINTAINERS)?;
    input.parse()?;
    let org = check_against_catalogue(app, actor, input).await?;
    let grants: Vec<Grant> = input
        .grants
        .iter()
        .map(|g| Grant {
            org_id: g.org_id,
            service_code: g.service_code.trim().to_owned(),
        })
        .collect();
    let fields =
        serde_json::to_string(&input.fields).map_err(|e| AppError::Internal(e.to_string()))?;
    let grants = serde_json::to_string(&grants).map_err(|e| AppError::Internal(e.to_string()))?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let entry_id = match repo::entry_by_item(&mut tx, input.proof_item_id).await? {
        Some((id, issuer)) if issuer == org => id,
        Some(_) => {
            return Err(AppError::Conflict(
                "该证明事项的共享模板由另一开具单位维护".into(),
            ));
        }
        None => repo::insert_entry(&mut tx, input.proof_item_id, org, now).await?,
    };
    let latest = repo::latest(&mut tx, entry_id).await?;
    let mut v = NewVersion {
        entry_id,
        version: 1,
        source: input.source,
        kind: input.kind,
        fields: &fields,
        grants: &grants,
        note: input.note.trim(),
        by: &actor.name,
        now,
    };
    match latest {
        Some(l) if l.state.editable() => {
            v.version = l.version;
            repo::update_draft(&mut tx, l.version_id, &v).await?;
        }
        Some(l) if l.state == EntryState::Submitted => {
            return Err(AppError::Conflict(
                "该共享模板正在联席办审核，审核后才能修改".into(),
            ));
        }
        Some(l) => {
            v.version = l.version + 1;
            repo::insert_version(&mut tx, &v).await?;
        }
        None => repo::insert_version(&mut tx, &v).await?,
    }
    audit::append(
        &mut tx,
        actor,
        now,
        Audit::new("sharing.entry.save", "sharing_entry", entry_id)
            .detail(json!({ "proof_item_id": input.proof_item_id, "version": v.version })),
    )
    .await?;
    tx.commit().await?;
    entry(app, actor, entry_id).await
}

/// The newest version of an entry (staff).
pub async fn entry(app: &App, actor: &Actor, id: i64) -> AppResult<Entry> {
    actor.require_staff()?;
    let v = repo::latest(&mut app.db.reader(), id)
        .await?
        .ok_or_else(|| AppError::NotFound("共享清单条目".into()))?;
    view(app, v).await
}

/// Entries as their maintainers and reviewers see them: the joint office all, a unit its own.
pub async fn entries(app: &App, actor: &Actor) -> AppResult<Vec<Entry>> {
    actor.require_staff()?;
    let scope = if actor.has(Role::JointOffice) || actor.has(Role::SystemAdmin) {
        None
    } else {
        Some(actor.org_id.unwrap_or(-1))
    };
    let rows = repo::latest_versions(&mut app.db.reader(), scope).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(view(app, r).await?);
    }
    Ok(out)
}

/// The issuing unit submits its draft for review.
pub async fn submit(app: &App, actor: &Actor, id: i64) -> AppResult<Entry> {
    actor.require_any(&MAINTAINERS)?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let l = repo::latest(&mut tx, id)
        .await?
        .ok_or_else(|| AppError::NotFound("共享清单条目".into()))?;
    actor.require_org(l.issuer_org_id)?;
    if !l.state.editable()
        || repo::set_state(&mut tx, l.version_id, l.state, EntryState::Submitted, now).await? == 0
    {
        return Err(AppError::Conflict(format!(
            "“{}”状态的版本不能提交审核",
            l.state.label()
        )));
    }
    audit::append(
        &mut tx,
        actor,
        now,
        Audit::new("sharing.entry.submit", "sharing_entry", id),
    )
    .await?;
    tx.commit().await?;
    entry(app, actor, id).await
}

/// The joint office approves (publishes) or returns a submitted version (SPEC R3.1).
pub async fn review(app: &App, actor: &Actor, id: i64, input: &ReviewInput) -> AppResult<Entry> {
    actor.require_any(&[Role::JointOffice])?;
    let mut p = Problems::default();
    let note = if input.approve && input.note.trim().is_empty() {
        String::new()
    } else {
        text(&mut p, "note", "审核意见", &input.note, 500)
    };
    p.into_result()?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let l = repo::latest(&mut tx, id)
        .await?
        .ok_or_else(|| AppError::NotFound("共享清单条目".into()))?;
    if l.state != EntryState::Submitted {
        return Err(AppError::Conflict(format!(
            "“{}”状态的版本不在审核中",
            l.state.label()
        )));
    }
    if input.approve {
        repo::supersede_published(&mut tx, id).await?;
        repo::set_state(
            &mut tx,
            l.version_id,
            EntryState::Submitted,
            EntryState::Published,
            now,
        )
        .await?;
        for g in decode::<Vec<Grant>>(&l.grants, "授权")? {
            repo::insert_grant(&mut tx, id, l.proof_item_id, g.org_id, &g.service_code).await?;
        }
    } else {
        repo::set_state(
            &mut tx,
            l.version_id,
            EntryState::Submitted,
            EntryState::Returned,
            now,
        )
        .await?;
    }
    repo::set_review(&mut tx, l.version_id, &actor.name, &note, now).await?;
    audit::append(
        &mut tx,
        actor,
        now,
        Audit::new(
            if input.approve {
                "sharing.entry.publish"
            } else {
                "sharing.entry.return"
            },
            "sharing_entry",
            id,
        )
        .detail(json!({ "version": l.version, "note": note })),
    )
    .await?;
    tx.commit().await?;
    entry(app, actor, id).await
}

/// The published data-sharing list (public, no login).
pub async fn published(app: &App) -> AppResult<Vec<Entry>> {
    let rows = repo::all_published(&mut app.db.reader()).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(view(app, r).await?);
    }
    Ok(out)
}
