//! The public's voice (A3 §12; SPEC R7.7): anyone — without login (an optional name and
//! phone) or with a portal account — comments on a published item or suggests an
//! adjustment; the joint office moderates (hides abuse, merges duplicates), answers in
//! public, and turns a suggestion into an adjustment in one step, keeping the link.

use proofless_domain::adjustment::{CommentKind, CommentState};
use proofless_domain::role::{ActorKind, Role};
use serde_json::json;

use super::apply::{file_in, get_in};
use super::input::{ApplicationInput, CommentInput, Moderation, ModerationInput};
use super::repo::{self, Adjustment, Comment, NewCommentRow};
use crate::App;
use crate::actor::Actor;
use crate::audit::{self, Entry};
use crate::catalogue;
use crate::error::{AppError, AppResult};

/// A comment or suggestion on a published item (no login needed). It is shown in public
/// once the joint office has answered it.
pub async fn comment(app: &App, actor: &Actor, input: &CommentInput) -> AppResult<Comment> {
    let c = input.parse()?;
    // An item of the published list, or one cancelled by adjustment: whoever is still asked
    // for a cancelled proof says so on its page (A3 §11, §12).
    let item_name = match catalogue::public::item(app, c.proof_item_id).await {
        Ok(item) => item.name.clone(),
        Err(_) => match super::publication::public_mark(app, c.proof_item_id).await? {
            Some(m) if m.is_cancelled() => m.item_name,
            _ => {
                return Err(AppError::field(
                    "proof_item_id",
                    "只能对已发布清单中的证明事项提出意见",
                ));
            }
        },
    };
    let (phone, phone_key_version) = match &c.phone {
        Some(p) => {
            let sealed = crate::applicants::seal_contact(app, None, Some(p)).await?;
            (sealed.phone, sealed.version)
        }
        None => (None, 1),
    };
    let portal_person = (actor.kind == ActorKind::Portal)
        .then_some(actor.id)
        .flatten();
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let id = repo::insert_comment(
        &mut tx,
        &NewCommentRow {
            item: c.proof_item_id,
            item_name: &item_name,
            kind: c.kind,
            body: &c.body,
            name: &c.name,
            phone_sealed: phone.as_deref(),
            phone_key_version,
            portal_person,
            now,
        },
    )
    .await?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("adjustment.comment", "adjustment_comment", id)
            .detail(json!({"proof_item_id": c.proof_item_id, "kind": c.kind.as_str(), "has_phone": phone.is_some()})),
    )
    .await?;
    tx.commit().await?;
    get_comment(app, id).await
}

async fn get_comment(app: &App, id: i64) -> AppResult<Comment> {
    repo::comment(&mut app.db.reader(), id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("意见 {id}")))
}

/// The answered comments of an item (no login).
pub async fn answered(app: &App, item: i64) -> AppResult<Vec<Comment>> {
    repo::answered_of_item(&mut app.db.reader(), item).await
}

/// Every comment of a state, or all (joint office).
pub async fn comments(
    app: &App,
    actor: &Actor,
    state: Option<CommentState>,
) -> AppResult<Vec<Comment>> {
    actor.require_any(&[Role::JointOffice, Role::SystemAdmin])?;
    repo::comments(&mut app.db.reader(), state).await
}

/// The joint office moderates a comment: hide, merge into a duplicate, or answer in public.
pub async fn moderate(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &ModerationInput,
) -> AppResult<Comment> {
    actor.require_any(&[Role::JointOffice])?;
    let m = input.parse()?;
    let c = get_comment(app, id).await?;
    if matches!(c.state, CommentState::Hidden | CommentState::Merged) {
        return Err(AppError::Conflict(format!(
            "该意见{}，不能再处理",
            c.state.label()
        )));
    }
    let (state, merged, answer) = match &m {
        Moderation::Hide => (CommentState::Hidden, None, String::new()),
        Moderation::Merge(other) => {
            if *other == id {
                return Err(AppError::field("merged_into", "不能与自身合并"));
            }
            let o = repo::comment(&mut app.db.reader(), *other)
                .await?
                .ok_or_else(|| AppError::field("merged_into", "要合并到的意见不存在"))?;
            if o.proof_item_id != c.proof_item_id || o.state == CommentState::Merged {
                return Err(AppError::field(
                    "merged_into",
                    "只能合并到同一证明事项下未被合并的意见",
                ));
            }
            (CommentState::Merged, Some(*other), String::new())
        }
        Moderation::Answer(a) => (CommentState::Answered, None, a.clone()),
    };
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    repo::moderate(&mut tx, id, state, merged, &answer, &actor.name, now).await?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("adjustment.comment.moderate", "adjustment_comment", id)
            .detail(json!({"state": state.as_str(), "merged_into": merged})),
    )
    .await?;
    tx.commit().await?;
    get_comment(app, id).await
}

/// The joint office turns a suggestion into an adjustment it starts itself (A3 §11), in one
/// step, keeping the link both ways.
pub async fn to_adjustment(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &ApplicationInput,
) -> AppResult<Adjustment> {
    actor.require_any(&[Role::JointOffice])?;
    let c = get_comment(app, id).await?;
    if c.kind != CommentKind::Suggestion {
        return Err(AppError::Conflict(
            "只有调整建议可以转为调整申请".to_owned(),
        ));
    }
    if let Some(a) = c.adjustment_id {
        return Err(AppError::Conflict(format!("该建议已转为调整申请 #{a}")));
    }
    let mut input = input.clone();
    input.proof_item_id = c.proof_item_id;
    input.comment_id = Some(id);
    let a = input.parse(super::apply::today(app))?;
    let (org, name) = super::apply::item_for(app, actor, &a).await?;
    let now = app.now_ms();
    let grounds = crate::policy::in_force(
        &mut app.db.reader(),
        super::settings::grounds_setting(a.kind),
        now,
    )
    .await?;
    if let Some(why) =
        proofless_domain::adjustment::ground_problem(&grounds, &a.ground, &a.ground_text)
    {
        return Err(AppError::field("ground", why));
    }
    let mut tx = app.db.begin().await?;
    let adj = file_in(&mut tx, app, actor, &a, org, &name, now).await?;
    repo::link_comment(&mut tx, id, adj).await?;
    tx.commit().await?;
    get_in(app, adj).await
}
