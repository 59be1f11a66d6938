//! Opening a portal account by proving control of something the person already has
//! (issue #16 item 1b): a one-time code handed over at the counter after a clerk checked
//! the ID card, or sent to the phone on record. Every failure gets the same answer and
//! status, so nobody learns whether an ID is registered, has an account or a phone.

use proofless_domain::codes::ResidentId;
use proofless_domain::role::{PrincipalKind, Role};
use serde::Serialize;

use super::input::{CounterCodeInput, RegisterInput, SmsCodeInput, normalise_login};
use super::repo;
use super::service::portal_actor_in;
use super::sms::{SmsSender, mask_phone};
use crate::actor::Actor;
use crate::audit::{self, Entry};
use crate::auth::codes::{self, Channel, NewCode, Purpose};
use crate::auth::{self, NewSession, throttle};
use crate::error::{AppError, AppResult};
use crate::{App, applicants, password};

/// The one answer to every failed activation.
pub const ACTIVATION_FAILED: &str = "身份证号码或开通码不正确，或开通码已失效，请重新获取";

/// The same sentence for every resident ID asking for an SMS code, registered or not.
pub const SMS_SENT: &str = "如该身份证号码登记有手机号码，开通码已发送，10 分钟内有效";

/// Activation attempts, and SMS requests, allowed per resident ID and window (a code
/// itself dies after five wrong tries).
const PER_TARGET_ACTIVATE: i64 = 10;
const PER_TARGET_SMS: i64 = 3;

/// A code issued at the counter, for the clerk to hand over.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CounterCode {
    pub code: String,
    pub expires_at: i64,
    pub person_id: i64,
    pub resident_id_masked: String,
    pub name: String,
}

/// A counter clerk, having checked the ID card, issues an activation code (audited).
/// The person is registered if new.
pub async fn issue_counter_code(
    app: &App,
    actor: &Actor,
    input: CounterCodeInput,
) -> AppResult<CounterCode> {
    actor.require_any(&[Role::CounterClerk])?;
    let c = input.parse()?;
    let person_id =
        applicants::ensure_person(app, actor, &c.resident_id, &c.name, c.phone.as_deref()).await?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let issued = codes::issue(
        &mut tx,
        NewCode {
            purpose: Purpose::PortalActivation,
            principal_id: person_id,
            channel: Channel::Counter,
            issued_by: actor.staff_id(),
        },
        now,
    )
    .await?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("portal.activation_code.issue", "person", person_id)
            .subject(format!("person:{person_id}"))
            .purpose("窗口核验身份证后发放账号开通码")
            .detail(serde_json::json!({"channel": "counter", "expires_at": issued.expires_at})),
    )
    .await?;
    tx.commit().await?;
    Ok(CounterCode {
        code: issued.code,
        expires_at: issued.expires_at,
        person_id,
        resident_id_masked: c.resident_id.masked(),
        name: c.name,
    })
}

/// Per resident ID: a target over its limit is refused whoever asks (429) — the key is
/// the number typed, so the answer is the same for registered and unknown IDs.
async fn target_gate(app: &App, kind: &str, rid: &ResidentId, limit: i64) -> AppResult<()> {
    // Counted under the blind index: the counters hold no resident ID in clear.
    let c = throttle::bump(app, kind, &applicants::login_index(app, rid.as_str())?).await?;
    if c.count > limit {
        return Err(throttle::too_many(c));
    }
    Ok(())
}

/// Send an activation code to the phone on record, if there is one. The answer is the
/// same whether or not the ID is registered or has a phone.
pub async fn request_sms_code(
    app: &App,
    sms: &dyn SmsSender,
    operation_id: &str,
    client: &str,
    input: &SmsCodeInput,
) -> AppResult<()> {
    let rid = input.parse()?;
    throttle::client_gate(app, operation_id, client).await?;
    target_gate(app, "sms", &rid, PER_TARGET_SMS).await?;
    let Some(person_id) = applicants::person_id_for_proofing(app, &rid).await? else {
        return Ok(());
    };
    let Some(phone) = applicants::phone_for_proofing(app, person_id).await? else {
        return Ok(());
    };
    let now = app.now_ms();
    let system = Actor::system(operation_id);
    let mut tx = app.db.begin().await?;
    let issued = codes::issue(
        &mut tx,
        NewCode {
            purpose: Purpose::PortalActivation,
            principal_id: person_id,
            channel: Channel::Sms,
            issued_by: None,
        },
        now,
    )
    .await?;
    audit::append(
        &mut tx,
        &system,
        now,
        Entry::new("portal.activation_code.sms", "person", person_id)
            .subject(format!("person:{person_id}"))
            .detail(serde_json::json!({"to": mask_phone(&phone), "client": client})),
    )
    .await?;
    tx.commit().await?;
    let text = format!(
        "【无证明城市】您的账号开通验证码为 {}，10 分钟内有效。如非本人操作请忽略。",
        issued.code
    );
    if let Err(e) = sms.send(&phone, &text).await {
        // The caller's answer stays the same; the operator sees the failure.
        tracing::error!(sender = sms.name(), error = %e, "短信发送失败");
    }
    Ok(())
}

/// Open (or re-open with a new password) the portal account of the person holding a
/// live activation code; logged in at once. Every failure: the same 422.
pub async fn register(
    app: &App,
    operation_id: &str,
    client: &str,
    input: RegisterInput,
) -> AppResult<(NewSession, Actor)> {
    let r = input.parse()?;
    throttle::client_gate(app, operation_id, client).await?;
    target_gate(app, "activate", &r.resident_id, PER_TARGET_ACTIVATE).await?;
    let failed = || AppError::field("code", ACTIVATION_FAILED);
    let person_id = applicants::person_id_for_proofing(app, &r.resident_id).await?;
    let checked = match person_id {
        Some(pid) => codes::check(app, Purpose::PortalActivation, pid, &r.code)
            .await?
            .map(|cid| (pid, cid)),
        None => None,
    };
    let Some((person_id, code_id)) = checked else {
        return Err(failed());
    };
    let login = applicants::login_index(app, &normalise_login(r.resident_id.as_str()))?;
    let hash = password::hash(&r.password)?;
    let actor = portal_actor_in(app, person_id, operation_id).await?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    if !codes::consume(&mut tx, code_id, now).await? {
        return Err(failed());
    }
    repo::upsert_account(&mut tx, person_id, &login, &hash, now).await?;
    audit::append(
        &mut tx,
        &actor,
        now,
        Entry::new("portal.activate", "person", person_id).subject(format!("person:{person_id}")),
    )
    .await?;
    tx.commit().await?;
    throttle::reset(app, "portal", &login).await?;
    throttle::reset(
        app,
        "activate",
        &applicants::login_index(app, r.resident_id.as_str())?,
    )
    .await?;
    throttle::refund(app, "client", client).await?;
    let session = auth::create_session(app, PrincipalKind::Portal, person_id).await?;
    Ok((session, actor))
}
