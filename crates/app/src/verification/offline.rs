//! Verifications done by fax, e-mail or the office system, recorded after the fact
//! (A2 §3, SPEC R5.1): never for a state or work secret.

use chrono::{DateTime, Utc};
use proofless_domain::verification::{ClassCode, EventKind};
use serde_json::{Value as Json, json};

use super::access::requesting_unit;
use super::input::{OfflineInput, joined};
use super::notify::event_in;
use super::records::Detail;
use super::repo::{self, NewOffline, NewSent};
use super::send::{get_unaudited, request_in};
use super::templates;
use super::templates::verifiable;
use crate::App;
use crate::actor::Actor;
use crate::audit::{self, Entry};
use crate::error::AppResult;

/// Records a verification done by fax, e-mail or the office system after the fact (A2 §3).
pub async fn record_offline(app: &App, actor: &Actor, input: &OfflineInput) -> AppResult<Detail> {
    let requester = requesting_unit(
        actor,
        "无权操作：只有联络员或代办员可以登记线下核验",
        "登记线下核验须以本单位名义",
    )?;
    let now = app.now_ms();
    let now_at = DateTime::<Utc>::from_timestamp_millis(now).unwrap_or_default();
    let checked = verifiable(app, input.proof_item_id, input.issuer_org_id, actor.org_id).await;
    let (cmd, asked) = joined(input.parse(now_at), checked)?;
    super::templates::require_requesting_unit(&asked, requester)?;
    let mut tx = app.db.begin().await?;
    let (tpl, subject) = request_in(
        app,
        &mut tx,
        actor,
        now,
        &asked,
        (cmd.proof_item_id, requester),
        (&cmd.facts, &cmd.subject),
    )
    .await?;
    let issuer_name = templates::repo::org_name(&mut tx, asked.issuer_org_id).await?;
    let facts = Json::Object(cmd.facts.clone()).to_string();
    let (sealed, facts) =
        super::at_rest::seal_subject(app, &subject.name, &cmd.subject.code, &facts).await?;
    let answered_by = format!("{issuer_name}（经{}）", cmd.channel.label());
    let row = NewOffline {
        sent: NewSent {
            requester_org_id: requester,
            issuer_org_id: asked.issuer_org_id,
            proof_item_id: cmd.proof_item_id,
            proof_item_name: &asked.item_name,
            template_id: tpl.id,
            subject_kind: subject.kind,
            subject_id: subject.id,
            subject: &sealed,
            facts: &facts,
            case_ref: &cmd.case_ref,
            case_id: None,
            purpose: &cmd.purpose,
            class_code: ClassCode::of(asked.class),
            period: asked.class.period(),
            sent_by: actor.staff_id(),
            sent_by_name: &actor.name,
            sent_at: cmd.answered_at.timestamp_millis(),
        },
        channel: cmd.channel,
        outcome: cmd.outcome,
        records_say: cmd.records_say.as_deref(),
        answered_by_name: &answered_by,
        offline_ref: &cmd.offline_ref,
        recorded_at: now,
    };
    let id = repo::insert_offline(&mut tx, &row).await?;
    let text = format!(
        "事后登记经{}完成的核验（凭据：{}）：{}；登记人确认不涉及国家秘密和工作秘密",
        cmd.channel.label(),
        cmd.offline_ref,
        cmd.outcome.label()
    );
    event_in(&mut tx, (id, now), EventKind::Offline, actor, &text).await?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("verification.offline", "verification", id)
            .subject(format!("{}:{}", subject.kind.as_str(), subject.id))
            .purpose(&format!("{}（案件 {}）", cmd.purpose, cmd.case_ref))
            .detail(
                json!({"channel": cmd.channel.as_str(), "offline_ref": cmd.offline_ref,
                "outcome": cmd.outcome.as_str(), "no_secret_confirmed": true}),
            ),
    )
    .await?;
    tx.commit().await?;
    get_unaudited(app, id).await
}
