//! Review and decision (A3 §10–§11; SPEC R7.2, R7.6): the joint office asks the unit to
//! supplement (with a deadline), returns with reasons, or approves. Adding a proof or
//! changing the proof itself also needs the justice bureau's legal review of the item (the
//! catalogue's existing review, linked by its id). An approval takes effect at once.

use proofless_domain::adjustment::{AdjustmentState, needs_legal_review};
use proofless_domain::catalogue::Verdict;
use proofless_domain::notification::NotificationKind;
use proofless_domain::role::Role;
use serde_json::json;

use super::apply::{get_in, today};
use super::input::{SupplementRequest, TextInput};
use super::repo::{self, Adjustment};
use crate::App;
use crate::actor::Actor;
use crate::audit::{self, Entry};
use crate::catalogue;
use crate::error::{AppError, AppResult};
use crate::notifications::{self, Recipient};

#[allow(clippy::too_many_arguments)]
async fn transition(
    app: &App,
    actor: &Actor,
    a: &Adjustment,
    to: AdjustmentState,
    action: &str,
    detail: serde_json::Value,
    note: Option<String>,
    write: impl AsyncFnOnce(&mut proofless_store::Tx) -> AppResult<()>,
) -> AppResult<Adjustment> {
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    if repo::set_state(&mut tx, a.id, a.state, to, now).await? == 0 {
        return Err(AppError::Conflict(
            "申请状态已变化，请刷新后重试".to_owned(),
        ));
    }
    write(&mut tx).await?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new(action, "adjustment", a.id).detail(detail),
    )
    .await?;
    if let Some(text) = note {
        notifications::insert_in(
            &mut tx,
            &Recipient::Org(a.org_id),
            NotificationKind::Review,
            &text,
            &format!("/adjustments/{}", a.id),
            &format!("adjustment:{}:{}:{now}", a.id, to.as_str()),
            now,
        )
        .await?;
    }
    tx.commit().await?;
    get_in(app, a.id).await
}

fn require_state(a: &Adjustment, allowed: &[AdjustmentState]) -> AppResult<()> {
    if allowed.contains(&a.state) {
        Ok(())
    } else {
        Err(AppError::Conflict(format!(
            "申请当前为“{}”，不能办理此操作",
            a.state.label()
        )))
    }
}

/// The joint office asks the unit to supplement by a date.
pub async fn request_supplement(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &SupplementRequest,
) -> AppResult<Adjustment> {
    actor.require_any(&[Role::JointOffice])?;
    let (note, due) = input.parse(today(app))?;
    let a = get_in(app, id).await?;
    require_state(&a, &[AdjustmentState::Filed])?;
    let due_s = due.to_string();
    transition(
        app,
        actor,
        &a,
        AdjustmentState::SupplementRequested,
        "adjustment.supplement_request",
        json!({"note": note, "due": due_s}),
        Some(format!(
            "【清单调整】申请 #{id}（{}）需补正：{note}。请于 {due_s} 前补正。",
            a.item_name
        )),
        async |tx| repo::set_supplement(tx, id, &note, &due_s).await,
    )
    .await
}

/// The unit supplements; the application is under review again.
pub async fn supplement(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &TextInput,
) -> AppResult<Adjustment> {
    actor.require_any(&super::apply::FILERS)?;
    let reply = input.parse("补正内容")?;
    let a = get_in(app, id).await?;
    if !actor.has(Role::JointOffice) {
        actor.require_org(a.org_id)?;
    }
    require_state(&a, &[AdjustmentState::SupplementRequested])?;
    transition(
        app,
        actor,
        &a,
        AdjustmentState::Filed,
        "adjustment.supplement",
        json!({"reply": reply}),
        None,
        async |tx| repo::set_reply(tx, id, &reply).await,
    )
    .await
}

/// The joint office returns the application with its reasons (closed; the item is no longer
/// "调整中").
pub async fn return_with_reasons(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &TextInput,
) -> AppResult<Adjustment> {
    actor.require_any(&[Role::JointOffice])?;
    let reasons = input.parse("退回理由")?;
    let a = get_in(app, id).await?;
    require_state(
        &a,
        &[AdjustmentState::Filed, AdjustmentState::SupplementRequested],
    )?;
    let by = actor.name.clone();
    let now = app.now_ms();
    transition(
        app,
        actor,
        &a,
        AdjustmentState::Returned,
        "adjustment.return",
        json!({"reasons": reasons}),
        Some(format!(
            "【清单调整】申请 #{id}（{}）已退回：{reasons}",
            a.item_name
        )),
        async |tx| repo::set_decision(tx, id, &reasons, None, &by, now).await,
    )
    .await
}

/// The justice bureau's passing review of the item made since the filing, if any.
async fn legal_review(app: &App, actor: &Actor, a: &Adjustment) -> AppResult<Option<i64>> {
    let reviews = catalogue::review::history(app, actor, a.proof_item_id).await?;
    Ok(reviews
        .iter()
        .rev()
        .find(|r| r.verdict == Verdict::Pass && r.at >= a.filed_at)
        .map(|r| r.id))
}

/// The joint office approves: in effect at once on the public item (A3 §11), gathered into
/// the next list version. Adding or changing the proof itself needs the justice bureau's
/// legal review first.
pub async fn approve(app: &App, actor: &Actor, id: i64) -> AppResult<Adjustment> {
    actor.require_any(&[Role::JointOffice])?;
    let a = get_in(app, id).await?;
    require_state(&a, &[AdjustmentState::Filed])?;
    let review = if needs_legal_review(a.kind, a.target) {
        match legal_review(app, actor, &a).await? {
            Some(r) => Some(r),
            None => {
                return Err(AppError::Conflict(
                    "新增证明或变更证明本身须先经县司法局合法性审查通过（A3 §3、§10）：该证明事项在申请后尚无审查通过记录".to_owned(),
                ));
            }
        }
    } else {
        None
    };
    let by = actor.name.clone();
    let now = app.now_ms();
    let (effect, methods) = list_effect(app, &a).await?;
    let note = grounds_note(&a);
    let out = transition(
        app,
        actor,
        &a,
        AdjustmentState::Approved,
        "adjustment.approve",
        json!({"legal_review_id": review, "list_effect": effect.as_str()}),
        Some(format!(
            "【清单调整】申请 #{id}（{}）已批准，即时生效，将纳入下一版清单公布。",
            a.item_name
        )),
        async |tx| {
            repo::set_decision(tx, id, "", review, &by, now).await?;
            // What the next list version does with it (A3 §5, §11; issue #19).
            catalogue::amendments::record_in(
                tx,
                &catalogue::amendments::NewAmendment {
                    proof_item_id: a.proof_item_id,
                    effect,
                    methods,
                    source_kind: "adjustment",
                    source_id: id,
                    note: &note,
                },
                now,
            )
            .await?;
            Ok(())
        },
    )
    .await?;
    Ok(out)
}

/// What an approval does to the next list version: a cancellation takes the item off the
/// list, an addition or a change of the proof itself takes the reviewed item in, a change
/// of the replacement method replaces the item's methods.
async fn list_effect(
    app: &App,
    a: &Adjustment,
) -> AppResult<(
    catalogue::amendments::Effect,
    Vec<proofless_domain::catalogue::MethodSnapshot>,
)> {
    use catalogue::amendments::{self as am, Effect};
    use proofless_domain::adjustment::{AdjustmentKind, ChangeTarget};
    Ok(match (a.kind, a.target, a.method) {
        (AdjustmentKind::Cancel, _, _) => (Effect::Remove, vec![]),
        (AdjustmentKind::Change, Some(ChangeTarget::Method), Some(m)) => {
            let old = am::published_methods(app, a.proof_item_id).await?;
            (
                Effect::Methods,
                am::replaced_methods(&old, m, &a.method_text),
            )
        }
        _ => (Effect::Include, vec![]),
    })
}

/// The adjustment's grounds as the version diff and the feeds show them.
pub(crate) fn grounds_note(a: &Adjustment) -> String {
    let other = if a.ground_text.is_empty() {
        String::new()
    } else {
        format!("（{}）", a.ground_text)
    };
    format!(
        "{}“{}”，理由：{}{other}；调整内容：{}",
        a.kind.label(),
        a.item_name,
        a.ground,
        a.description
    )
}
