//! Telling the parties: the history both units see (A2 §12), the issuer's duty posts
//! (A2 §6), the requester, and the joint office when a unit is understaffed (SPEC R5.8).

use proofless_domain::role::Role;
use proofless_domain::verification::{self as rules, EventKind};
use proofless_store::Tx;

use super::records::Verification;
use super::repo::{self, DutyPost, NewEvent};
use crate::App;
use crate::actor::Actor;
use crate::error::AppResult;
use crate::notifications::{self, NewNotification, Recipient};

/// Writes one step of the history, by the actor for their unit.
pub(super) async fn event_in(
    tx: &mut Tx,
    (id, at): (i64, i64),
    kind: EventKind,
    actor: &Actor,
    text: &str,
) -> AppResult<()> {
    let event = NewEvent {
        verification_id: id,
        at,
        kind,
        actor_name: &actor.name,
        org_name: actor.org_name.as_deref().unwrap_or(""),
        text,
    };
    repo::insert_event(tx, &event).await
}

/// A and, when A is absent, B of every duty post of the issuing unit (A2 §6); the unit
/// itself when it has no post. The caller reads the posts ([`repo::duty_posts`]), inside
/// its transaction or, for a send, before taking the write lock.
pub(super) async fn notify_issuer_in(
    tx: &mut Tx,
    (org_id, posts): (i64, &[DutyPost]),
    half_time: bool,
    id: i64,
    (text, event): (&str, &str),
    now: i64,
) -> AppResult<()> {
    let link = format!("/verifications/{id}");
    let item = |to: Recipient, who: String| NewNotification {
        to,
        kind: proofless_domain::notification::NotificationKind::Verification,
        text: text.to_owned(),
        link: link.clone(),
        dedupe_key: format!("verification:{id}:{event}:{who}"),
    };
    let mut items = vec![];
    if posts.is_empty() {
        items.push(item(Recipient::Org(org_id), "org".to_owned()));
    }
    for p in posts {
        if !half_time {
            items.push(item(
                Recipient::Staff(p.a_staff_id),
                p.a_staff_id.to_string(),
            ));
        }
        if let Some(b) = p.b_staff_id
            && rules::notify_b(p.a_absent, half_time)
        {
            items.push(item(Recipient::Staff(b), b.to_string()));
        }
    }
    notifications::insert_many_in(tx, &items, now).await?;
    Ok(())
}

/// The sender, or the requesting unit when the request was recorded without one.
pub(super) async fn notify_requester_in(
    tx: &mut Tx,
    v: &Verification,
    text: &str,
    event: &str,
    now: i64,
) -> AppResult<()> {
    let to = match v.sent_by {
        Some(s) => Recipient::Staff(s),
        None => Recipient::Org(v.requester_org_id),
    };
    notifications::insert_in(
        tx,
        &to,
        proofless_domain::notification::NotificationKind::Verification,
        text,
        &format!("/verifications/{}", v.id),
        &format!("verification:{}:{event}:requester", v.id),
        now,
    )
    .await?;
    Ok(())
}

/// A2 §6, SPEC R5.8: a unit without 1 liaison and 2 proxy agents is flagged to the joint office
/// (once per unit, deduplicated).
pub(super) async fn flag_understaffed(app: &App, org_id: i64) -> AppResult<()> {
    let st = crate::staff::staffing(app, org_id).await?;
    if st.meets_minimum {
        return Ok(());
    }
    let name = crate::orgs::get(app, org_id).await?.name;
    let mut tx = app.db.begin().await?;
    notifications::insert_in(
        &mut tx,
        &Recipient::Role(Role::JointOffice),
        proofless_domain::notification::NotificationKind::Staffing,
        &format!(
            "【配备不足】{name}未按附件2第六条配备1名联络员和2名代办员（A/B 岗），但已收到核验请求。"
        ),
        "/admin/registry",
        &format!("verification:staffing:{org_id}"),
        app.now_ms(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
