//! Persons are known outside by opaque public ids only (issue #16 item 6): the audit log
//! and the access log keep `person:N` inside the database (the hash chain covers it), and
//! these translate at the edge, both ways.

use std::collections::HashMap;

use proofless_domain::role::ActorKind;

use super::{at_rest, repo};
use crate::App;
use crate::audit::AuditRow;
use crate::error::{AppError, AppResult};

const PERSON: &str = "person:";

/// `person:N` as shown outside: `person:<public id>`; any other reference unchanged.
pub async fn public_ref(app: &App, subject_ref: &str) -> AppResult<String> {
    let mut cache = HashMap::new();
    public_ref_cached(app, &mut cache, subject_ref).await
}

async fn public_id_cached(
    app: &App,
    cache: &mut HashMap<i64, String>,
    id: i64,
) -> AppResult<String> {
    if let Some(p) = cache.get(&id) {
        return Ok(p.clone());
    }
    // A person deleted since (never, today) would show as unknown rather than by number.
    let p = repo::public_id(&mut app.db.reader(), id)
        .await?
        .map_or_else(|| "unknown".to_owned(), |(p,)| p);
    cache.insert(id, p.clone());
    Ok(p)
}

async fn public_ref_cached(
    app: &App,
    cache: &mut HashMap<i64, String>,
    subject_ref: &str,
) -> AppResult<String> {
    match subject_ref
        .strip_prefix(PERSON)
        .and_then(|n| n.parse::<i64>().ok())
    {
        Some(id) => Ok(format!(
            "{PERSON}{}",
            public_id_cached(app, cache, id).await?
        )),
        None => Ok(subject_ref.to_owned()),
    }
}

/// A reference given from outside, as stored: `person:<public id>` becomes `person:N`;
/// `None` for a person named any other way (internal ids are not addresses) or unknown.
/// Other references are unchanged.
pub async fn internal_ref(app: &App, subject_ref: &str) -> AppResult<Option<String>> {
    let Some(public) = subject_ref.strip_prefix(PERSON) else {
        return Ok(Some(subject_ref.to_owned()));
    };
    if !at_rest::is_public_id(public) {
        return Ok(None);
    }
    Ok(repo::person_by_public_id(&mut app.db.reader(), public)
        .await?
        .map(|p| format!("{PERSON}{}", p.id)))
}

/// A reference given from outside in `field`, as stored; a person named any other way than
/// by public id gets the field's error (422), never a hint whether the number exists.
pub async fn internal_ref_of(app: &App, field: &str, subject_ref: &str) -> AppResult<String> {
    internal_ref(app, subject_ref)
        .await?
        .ok_or_else(|| AppError::field(field, "申请人须以公开编号指明（person:公开编号）"))
}

/// A record that names its subject (`person:N` or `entity:N` inside).
pub trait SubjectRef {
    fn subject_ref_mut(&mut self) -> &mut String;
}

/// Records as shown outside: their persons by public id (issue #16 item 6).
pub async fn publish_subjects<T: SubjectRef>(app: &App, items: &mut [T]) -> AppResult<()> {
    let mut cache = HashMap::new();
    for it in items.iter_mut() {
        let s = it.subject_ref_mut();
        let public = public_ref_cached(app, &mut cache, s).await?;
        *s = public;
    }
    Ok(())
}

/// One record as shown outside.
pub async fn publish_subject<T: SubjectRef>(app: &App, item: &mut T) -> AppResult<()> {
    publish_subjects(app, std::slice::from_mut(item)).await
}

/// Audit rows as shown outside: subject references, person object ids, persons named in
/// the detail (`person_id`) and the ids of portal actors (persons) by public id.
pub async fn publish_audit_rows(app: &App, rows: &mut [AuditRow]) -> AppResult<()> {
    let mut cache = HashMap::new();
    for r in rows.iter_mut() {
        if r.detail.contains("\"person_id\"")
            && let Ok(mut d) = serde_json::from_str::<serde_json::Value>(&r.detail)
            && let Some(id) = d.get("person_id").and_then(serde_json::Value::as_i64)
        {
            d["person_id"] = public_id_cached(app, &mut cache, id).await?.into();
            r.detail = d.to_string();
        }
        if let Some(s) = &r.subject_ref {
            r.subject_ref = Some(public_ref_cached(app, &mut cache, s).await?);
        }
        if r.object_type == "person"
            && let Ok(id) = r.object_id.parse::<i64>()
        {
            r.object_id = public_id_cached(app, &mut cache, id).await?;
        }
        if r.actor_kind == ActorKind::Portal {
            // The actor's name stays; the number is the person's internal id.
            r.actor_id = None;
        }
    }
    Ok(())
}
