//! E-licences and e-proofs (SPEC R3.2): issued with structured data per the list's template,
//! sealed with the issuer's SM2 key, identified by a GB/T 36904 identifier; revoked or
//! replaced with a reason; a public status and a public verify page per copy.

use chrono::{NaiveDate, TimeZone as _, Utc};
use proofless_domain::codes::ELicenceId;
use proofless_domain::role::Role;
use proofless_domain::seal::SealKind;
use proofless_domain::sharing::{self as rules, EProofState, SharingSource};
use proofless_seal::{canonical_json, sm3_hex};
use proofless_store::Tx;
use rand::Rng as _;
use serde_json::{Map, Value as Json, json};

use super::input::{IssueCommand, IssueInput, ReplaceInput, RevokeInput, issue_command, reason};
use super::list::{fields_of, org_name};
use super::records::{EProof, EProofStatus, Verification};
use super::repo::{self, EProofRow, NewEProof, VersionRow};
use crate::actor::{Actor, ActorKind};
use crate::audit::{self, Entry};
use crate::error::{AppError, AppResult, Problems};
use crate::seals::{self, Signed, ToSeal};
use crate::{App, beijing};

/// Who issues in the name of the issuing unit.
pub(super) const ISSUERS: [Role; 3] = [Role::UnitAdmin, Role::Liaison, Role::CounterClerk];

/// Today in Beijing (validity dates are local dates).
pub(super) fn today(now_ms: i64) -> String {
    Utc.timestamp_millis_opt(now_ms)
        .single()
        .map(|t| t.with_timezone(&beijing()).date_naive().to_string())
        .unwrap_or_default()
}

pub(super) fn new_short_code() -> String {
    let mut rng = rand::thread_rng();
    (0..rules::SHORT_CODE_LEN)
        .map(|_| rules::SHORT_CODE_CHARS[rng.gen_range(0..rules::SHORT_CODE_CHARS.len())] as char)
        .collect()
}

fn new_identifier(credit_code: Option<&str>, org: i64, now_ms: i64) -> AppResult<ELicenceId> {
    let issuer = credit_code.map_or_else(|| format!("{org:018}"), str::to_owned);
    let date = today(now_ms).replace('-', "");
    let mut rng = rand::thread_rng();
    let serial: String = (0..6)
        .map(|_| b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"[rng.gen_range(0..36)] as char)
        .collect();
    ELicenceId::with_check_char(&format!("{issuer}{date}{serial}"))
        .map_err(|e| AppError::Internal(format!("证照标识生成失败：{e}")))
}

/// The published entry of an item, which the issuer must maintain as a county library item.
pub(super) async fn issuable(app: &App, org: i64, item: i64, field: &str) -> AppResult<VersionRow> {
    let v = repo::published_of_item(&mut app.db.reader(), item)
        .await?
        .ok_or_else(|| {
            AppError::field(field, format!("证明事项 {item} 不在已公布的数据共享清单中"))
        })?;
    if v.issuer_org_id != org {
        return Err(AppError::forbidden(
            "本单位不是该证照证明的开具单位，不能签发",
        ));
    }
    if v.source != SharingSource::CountyLibrary {
        return Err(AppError::field(
            field,
            "该事项的数据来自市共享交换平台，不在本系统签发",
        ));
    }
    Ok(v)
}

/// Checks data against the template; field names prefixed with `at`.
pub(super) fn check_data(
    p: &mut Problems,
    at: &str,
    v: &VersionRow,
    data: &Map<String, Json>,
) -> AppResult<()> {
    for (k, msg) in proofless_domain::verification::check_values(&fields_of(v)?, data) {
        let shown: String = k.chars().take(40).collect();
        p.add(&format!("{at}data.{shown}"), msg);
    }
    Ok(())
}

/// A document ready to be written: checked, its body sealed outside the write lock.
pub(super) struct Prepared {
    pub identifier: ELicenceId,
    pub entry: VersionRow,
    pub person_id: i64,
    pub data: String,
    pub content_sm3: String,
    pub valid_from: String,
    pub valid_to: Option<String>,
    pub body: Json,
    pub signed: Signed,
}

pub(super) fn content_digest(person: i64, cmd: &IssueCommand) -> String {
    let c = json!({
        "proof_item_id": cmd.proof_item_id, "person_id": person, "data": cmd.data,
        "valid_from": cmd.valid_from.to_string(), "valid_to": cmd.valid_to.map(|d| d.to_string()),
    });
    sm3_hex(&canonical_json(&c))
}

pub(super) async fn prepare(
    app: &App,
    org: i64,
    entry: VersionRow,
    person_id: i64,
    cmd: &IssueCommand,
) -> AppResult<Prepared> {
    let (issuer, credit) = repo::org(&mut app.db.reader(), org)
        .await?
        .ok_or_else(|| AppError::NotFound("开具单位".into()))?;
    let (masked, name_enc) = repo::person_names(&mut app.db.reader(), person_id)
        .await?
        .ok_or_else(|| AppError::NotFound("持证人".into()))?;
    let name = crate::applicants::reveal_name(app, &name_enc).await?;
    let now = app.now_ms();
    let identifier = match &cmd.identifier {
        Some(i) => i.clone(),
        None => new_identifier(credit.as_deref(), org, now)?,
    };
    let item_name = crate::catalogue::public::item(app, cmd.proof_item_id)
        .await
        .map(|i| i.name.clone())
        .unwrap_or_default();
    let valid_to = cmd.valid_to.map(|d: NaiveDate| d.to_string());
    let body = json!({
        "type": entry.kind.label(), "identifier": identifier.as_str(), "proof_item": item_name,
        "issuer": issuer, "issuer_credit_code": credit, "holder_name": name, "holder_name_masked": masked,
        "data": cmd.data, "valid_from": cmd.valid_from.to_string(), "valid_to": valid_to,
        "issued_at": crate::deadlines::rfc3339(now),
    });
    let signed = seals::sign(app, org, &body).await?;
    Ok(Prepared {
        content_sm3: content_digest(person_id, cmd),
        data: Json::Object(cmd.data.clone()).to_string(),
        identifier,
        entry,
        person_id,
        valid_from: cmd.valid_from.to_string(),
        valid_to,
        body,
        signed,
    })
}

/// Writes a prepared document, its seal, the issuer's copy and the audit row; returns its id.
pub(super) async fn write(tx: &mut Tx, actor: &Actor, now: i64, p: Prepared) -> AppResult<i64> {
    let org = p.entry.issuer_org_id;
    let doc = ToSeal {
        org_id: org,
        kind: SealKind::EProof,
        object_type: "eproof",
        object_id: p.identifier.as_str().to_owned(),
        body: &p.body,
    };
    let sealed_id = seals::record_in(tx, actor, now, &doc, p.signed).await?;
    let id = repo::insert(
        tx,
        &NewEProof {
            identifier: p.identifier.as_str(),
            proof_item_id: p.entry.proof_item_id,
            kind: p.entry.kind,
            issuer_org_id: org,
            person_id: p.person_id,
            data: &p.data,
            content_sm3: &p.content_sm3,
            sealed_id: &sealed_id,
            valid_from: &p.valid_from,
            valid_to: p.valid_to.as_deref(),
            issued_at: now,
            issued_by: &actor.name,
        },
    )
    .await
    .map_err(|e| match e {
        AppError::Store(s) if s.unique_violation().is_some() => {
            AppError::field("identifier", format!("证照标识 {} 已被使用", p.identifier))
        }
        other => other,
    })?;
    repo::insert_extract(tx, &new_short_code(), id, org, None, now).await?;
    audit::append(
        tx,
        actor,
        now,
        Entry::new("sharing.eproof.issue", "eproof", id)
            .subject(format!("person:{}", p.person_id))
            .detail(json!({ "identifier": p.identifier.as_str(), "sealed_id": sealed_id })),
    )
    .await?;
    Ok(id)
}

fn issuer_org(actor: &Actor) -> AppResult<i64> {
    actor.require_any(&ISSUERS)?;
    actor
        .org_id
        .ok_or_else(|| AppError::forbidden("须以开具单位的身份签发"))
}

/// Issues one document to a holder (by public id).
pub async fn issue(app: &App, actor: &Actor, input: &IssueInput) -> AppResult<EProof> {
    let org = issuer_org(actor)?;
    let cmd = input.parse()?;
    let entry = issuable(app, org, cmd.proof_item_id, "proof_item_id").await?;
    let mut p = Problems::default();
    check_data(&mut p, "", &entry, &cmd.data)?;
    let person = crate::applicants::person_id_of(app, input.holder_id.trim()).await;
    if person.is_err() {
        p.add("holder_id", "持证人不存在");
    }
    p.into_result()?;
    let person = person?;
    if let Some(id) = &cmd.identifier
        && repo::existing(&mut app.db.reader(), id.as_str())
            .await?
            .is_some()
    {
        return Err(AppError::field(
            "identifier",
            format!("证照标识 {id} 已被使用"),
        ));
    }
    let prepared = prepare(app, org, entry, person, &cmd).await?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let id = write(&mut tx, actor, now, prepared).await?;
    tx.commit().await?;
    eproof(app, actor, id).await
}

pub(super) async fn row(app: &App, id: i64) -> AppResult<EProofRow> {
    repo::by_id(&mut app.db.reader(), id)
        .await?
        .ok_or_else(|| AppError::NotFound("电子证照证明".into()))
}

pub(super) async fn to_view(app: &App, r: EProofRow) -> AppResult<EProof> {
    let entry = repo::published_of_item(&mut app.db.reader(), r.proof_item_id).await?;
    let fields = match &entry {
        Some(v) => fields_of(v)?,
        None => vec![],
    };
    let validity = rules::validity(
        r.state,
        &r.valid_from,
        r.valid_to.as_deref(),
        &today(app.now_ms()),
    );
    Ok(EProof {
        id: r.id,
        identifier: r.identifier,
        kind_label: r.kind.label().to_owned(),
        kind: r.kind,
        proof_item_id: r.proof_item_id,
        proof_item_name: r.proof_item_name,
        issuer_org_id: r.issuer_org_id,
        issuer_name: r.issuer_name,
        holder_id: r.holder_public_id,
        holder_name_masked: r.holder_name_masked,
        data: serde_json::from_str(&r.data).unwrap_or(Json::Null),
        fields,
        valid_from: r.valid_from,
        valid_to: r.valid_to,
        state: r.state,
        validity_label: validity.label().to_owned(),
        validity,
        state_reason: r.state_reason,
        replaced_by: r.replaced_by,
        sealed_id: r.sealed_id,
        verify_code: r.verify_code,
        issued_at: r.issued_at,
        issued_by: r.issued_by,
    })
}

/// One document, for its issuer's staff or its holder on the portal (audited read).
pub async fn eproof(app: &App, actor: &Actor, id: i64) -> AppResult<EProof> {
    let r = row(app, id).await?;
    match actor.kind {
        ActorKind::Portal if actor.id == Some(r.person_id) => {}
        ActorKind::Portal => return Err(AppError::NotFound("电子证照证明".into())),
        _ => {
            actor.require_staff()?;
            actor.require_org(r.issuer_org_id)?;
            if actor.kind != ActorKind::System {
                let mut tx = app.db.begin().await?;
                audit::append(
                    &mut tx,
                    actor,
                    app.now_ms(),
                    Entry::new("sharing.eproof.read", "eproof", id)
                        .purpose("开具单位查阅本单位签发的证照证明")
                        .subject(format!("person:{}", r.person_id)),
                )
                .await?;
                tx.commit().await?;
            }
        }
    }
    to_view(app, r).await
}

/// The holder's own documents (portal).
pub async fn my_eproofs(app: &App, actor: &Actor) -> AppResult<Vec<EProof>> {
    let (ActorKind::Portal, Some(me)) = (actor.kind, actor.id) else {
        return Err(AppError::forbidden("此功能仅限申请人本人使用"));
    };
    let rows = repo::of_holder(&mut app.db.reader(), me).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(to_view(app, r).await?);
    }
    Ok(out)
}

/// The issuing unit's documents, newest first, paged (names masked; not audited).
pub async fn eproofs_of_unit(
    app: &App,
    actor: &Actor,
    limit: i64,
    offset: i64,
) -> AppResult<(Vec<EProof>, i64)> {
    let org = issuer_org(actor)?;
    let (rows, total) = repo::of_issuer(
        &mut app.db.reader(),
        org,
        limit.clamp(1, 200),
        offset.max(0),
    )
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let mut v = to_view(app, r).await?;
        v.data = Json::Null;
        out.push(v);
    }
    Ok((out, total))
}

/// The issuer revokes a valid document, with the reason (R3.2).
pub async fn revoke(app: &App, actor: &Actor, id: i64, input: &RevokeInput) -> AppResult<EProof> {
    let org = issuer_org(actor)?;
    let why = reason(&input.reason)?;
    let r = row(app, id).await?;
    actor.require_org(r.issuer_org_id)?;
    let _ = org;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    if repo::end(&mut tx, id, EProofState::Revoked, &why, None, now).await? == 0 {
        return Err(AppError::Conflict(format!(
            "该证照证明已{}，不能撤销",
            r.state.label()
        )));
    }
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("sharing.eproof.revoke", "eproof", id)
            .subject(format!("person:{}", r.person_id))
            .detail(json!({ "identifier": r.identifier, "reason": why })),
    )
    .await?;
    tx.commit().await?;
    eproof(app, &Actor::system(&actor.operation_id), id).await
}

/// The issuer replaces a valid document: a new one is issued, the old one points to it.
pub async fn replace(app: &App, actor: &Actor, id: i64, input: &ReplaceInput) -> AppResult<EProof> {
    let org = issuer_org(actor)?;
    let old = row(app, id).await?;
    actor.require_org(old.issuer_org_id)?;
    let mut p = Problems::default();
    let why = super::input::text(&mut p, "reason", "换发原因", &input.reason, 500);
    let cmd = issue_command(
        &mut p,
        "",
        old.proof_item_id,
        &input.data,
        &input.valid_from,
        input.valid_to.as_deref(),
        None,
    );
    let entry = issuable(app, org, old.proof_item_id, "proof_item_id").await?;
    check_data(&mut p, "", &entry, &input.data)?;
    p.into_result()?;
    let cmd = cmd.ok_or_else(|| AppError::field("input", "校验失败"))?;
    if old.state != EProofState::Valid {
        return Err(AppError::Conflict(format!(
            "该证照证明已{}，不能换发",
            old.state.label()
        )));
    }
    let prepared = prepare(app, org, entry, old.person_id, &cmd).await?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let new_id = write(&mut tx, actor, now, prepared).await?;
    if repo::end(&mut tx, id, EProofState::Replaced, &why, Some(new_id), now).await? == 0 {
        return Err(AppError::Conflict(
            "该证照证明已不是有效状态，不能换发".into(),
        ));
    }
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("sharing.eproof.replace", "eproof", id)
            .subject(format!("person:{}", old.person_id))
            .detail(json!({ "identifier": old.identifier, "replaced_by": new_id, "reason": why })),
    )
    .await?;
    tx.commit().await?;
    eproof(app, &Actor::system(&actor.operation_id), new_id).await
}

/// The public status of an identifier: validity, issuer, kind; no personal data.
pub async fn status(app: &App, identifier: &str) -> AppResult<EProofStatus> {
    let id =
        ELicenceId::parse(identifier).map_err(|e| AppError::field("identifier", e.to_string()))?;
    let r = repo::by_identifier(&mut app.db.reader(), id.as_str())
        .await?
        .ok_or_else(|| AppError::NotFound(format!("标识为 {id} 的电子证照证明")))?;
    let validity = rules::validity(
        r.state,
        &r.valid_from,
        r.valid_to.as_deref(),
        &today(app.now_ms()),
    );
    Ok(EProofStatus {
        identifier: r.identifier,
        kind_label: r.kind.label().to_owned(),
        kind: r.kind,
        proof_item_name: r.proof_item_name,
        issuer_name: r.issuer_name,
        valid_from: r.valid_from,
        valid_to: r.valid_to,
        state: r.state,
        validity_label: validity.label().to_owned(),
        validity,
        state_reason: r.state_reason,
        replaced_by: r.replaced_by,
    })
}

/// What the public verify page shows for a copy's short code (issue #18 §2).
pub async fn verify(app: &App, code: &str) -> AppResult<Verification> {
    let code = code.trim().to_ascii_uppercase();
    if !rules::short_code_ok(&code) {
        return Err(AppError::NotFound("该验证码对应的电子证照证明".into()));
    }
    let (eproof_id, extracting_unit, extracted_at) = repo::extract(&mut app.db.reader(), &code)
        .await?
        .ok_or_else(|| AppError::NotFound("该验证码对应的电子证照证明".into()))?;
    let r = row(app, eproof_id).await?;
    let validity = rules::validity(
        r.state,
        &r.valid_from,
        r.valid_to.as_deref(),
        &today(app.now_ms()),
    );
    Ok(Verification {
        code,
        identifier: r.identifier,
        kind_label: r.kind.label().to_owned(),
        proof_item_name: r.proof_item_name,
        validity_label: validity.label().to_owned(),
        validity,
        valid_from: r.valid_from,
        valid_to: r.valid_to,
        issuer_name: org_name(app, r.issuer_org_id).await?,
        extracting_unit,
        extracted_at,
        holder_name_masked: r.holder_name_masked,
    })
}
