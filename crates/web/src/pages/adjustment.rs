//! List adjustment pages (annex 3): the unit's applications and the filing form, one
//! application with its review actions, the joint office's comments, radar and synonyms,
//! and the public comment form's target.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use proofless_app::adjustment::{
    self, Adjustment, ApplicationInput, Attachment, Comment, CommentInput, Event, EventInput,
    ListRhythm, ModerationInput, Radar, SupplementRequest, SynonymInput, TextInput, UnitFigures,
    apply, figures, publication, radar, review, voice,
};
use proofless_app::catalogue::input::ItemFilter;
use proofless_app::catalogue::items::{self, ProofItem};
use proofless_app::{AppError, policy};
use proofless_domain::adjustment::{
    APPLICATION_METHODS, AdjustmentKind, AdjustmentState, ChangeTarget, CommentKind, CommentState,
};
use proofless_domain::role::Role;
use serde::Deserialize;

use super::forms::{FormErrors, Kept};
use super::session::{page_error, require_staff};
use super::{Layout, render};
use crate::AppState;
use crate::ctx::Ctx;

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    msg: Option<String>,
    /// Prefills the form from a public suggestion (A3 §12 → §11).
    comment_id: Option<i64>,
    item: Option<i64>,
}

#[derive(Template)]
#[template(path = "adjustment_list.html")]
struct ListPage {
    layout: Layout,
    message: String,
    can_file: bool,
    is_office: bool,
    adjustments: Vec<Adjustment>,
    items: Vec<ProofItem>,
    kinds: Vec<(&'static str, &'static str)>,
    targets: Vec<(&'static str, &'static str)>,
    methods: Vec<(&'static str, &'static str)>,
    grounds: Vec<(&'static str, Vec<String>)>,
    events: Vec<Event>,
    rhythms: Vec<ListRhythm>,
    figures: Vec<UnitFigures>,
    comment_id: Option<i64>,
    item: Option<i64>,
    /// The filing form as sent, shown again with its errors.
    form: FileForm,
    errors: FormErrors,
}

/// The filing form's inputs, by the service's field names (the same as the inputs' ids).
const FILE_FIELDS: &[(&str, &str)] = &[
    ("proof_item_id", "proof_item_id"),
    ("service_item", "service_item"),
    ("kind", "kind"),
    ("target", "target"),
    ("method", "method"),
    ("method_text", "method_text"),
    ("interim_method", "interim_method"),
    ("interim_text", "interim_text"),
    ("ground", "ground"),
    ("ground_text", "ground_text"),
    ("basis_law", "basis_law"),
    ("basis_article", "basis_article"),
    ("description", "description"),
    ("trigger_date", "trigger_date"),
];

async fn list_page_data(s: &AppState, ctx: &Ctx, q: ListQuery) -> Result<ListPage, AppError> {
    let a = &ctx.actor;
    let can_file = a.has_any(&apply::FILERS);
    let is_office = a.has(Role::JointOffice);
    let mut grounds = vec![];
    for k in AdjustmentKind::ALL {
        grounds.push((
            k.label(),
            policy::in_force_now(&s.app, adjustment::settings::grounds_setting(*k)).await?,
        ));
    }
    Ok(ListPage {
        layout: Layout::new("清单动态调整", ctx, "/adjustments"),
        message: q.msg.unwrap_or_default(),
        can_file,
        is_office,
        adjustments: apply::list(&s.app, a, None).await?,
        items: if can_file {
            items::list(&s.app, a, &ItemFilter::default()).await?
        } else {
            vec![]
        },
        kinds: AdjustmentKind::ALL
            .iter()
            .map(|k| (k.as_str(), k.label()))
            .collect(),
        targets: ChangeTarget::ALL
            .iter()
            .map(|k| (k.as_str(), k.label()))
            .collect(),
        methods: APPLICATION_METHODS
            .iter()
            .map(|m| (m.as_str(), m.label()))
            .collect(),
        grounds,
        events: apply::events(&s.app, a).await?,
        rhythms: if is_office {
            publication::rhythms(&s.app, a).await?
        } else {
            vec![]
        },
        figures: figures::figures(&s.app, a).await?,
        comment_id: q.comment_id,
        item: q.item,
        form: FileForm::default(),
        errors: FormErrors::none(),
    })
}

/// The applications the user may see, the filing form, and (joint office) events, rhythm
/// and figures.
pub async fn list_page(
    State(s): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> Response {
    if let Err(e) = require_staff(&ctx) {
        return page_error(&ctx, e, "/");
    }
    match list_page_data(&s, &ctx, q).await {
        Ok(p) => render(StatusCode::OK, &p),
        Err(e) => page_error(&ctx, e, "/workbench"),
    }
}

#[derive(Deserialize, Default, Clone)]
pub struct FileForm {
    #[serde(default)]
    proof_item_id: String,
    #[serde(default)]
    service_item: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    target: String,
    #[serde(default)]
    method: String,
    #[serde(default)]
    method_text: String,
    #[serde(default)]
    interim_method: String,
    #[serde(default)]
    interim_text: String,
    #[serde(default)]
    ground: String,
    #[serde(default)]
    ground_text: String,
    #[serde(default)]
    basis_law: String,
    #[serde(default)]
    basis_article: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    trigger_date: String,
    #[serde(default)]
    comment_id: String,
}

fn opt(s: String) -> Option<String> {
    (!s.trim().is_empty()).then_some(s)
}

/// Files an application (or, from a suggestion, the joint office's own).
pub async fn file_submit(State(s): State<AppState>, ctx: Ctx, Form(f): Form<FileForm>) -> Response {
    let sent = f.clone();
    let comment: Option<i64> = f.comment_id.trim().parse().ok();
    let input = ApplicationInput {
        proof_item_id: f.proof_item_id.trim().parse().unwrap_or(0),
        service_item: opt(f.service_item),
        kind: f.kind,
        target: opt(f.target),
        method: opt(f.method),
        method_text: opt(f.method_text),
        interim_method: f.interim_method,
        interim_text: opt(f.interim_text),
        ground: f.ground,
        ground_text: opt(f.ground_text),
        basis_law: opt(f.basis_law),
        basis_article: opt(f.basis_article),
        description: f.description,
        trigger_date: f.trigger_date,
        event_id: None,
        comment_id: None,
    };
    let done = match comment {
        Some(c) => voice::to_adjustment(&s.app, &ctx.actor, c, &input).await,
        None => apply::file(&s.app, &ctx.actor, &input).await,
    };
    match done {
        Ok(a) => Redirect::to(&format!("/adjustments/{}?msg={}", a.id, enc("申请已提交")))
            .into_response(),
        Err(e @ (AppError::Unauthenticated | AppError::Forbidden(_))) => {
            page_error(&ctx, e, "/adjustments")
        }
        // Refused: the same page, the form as sent, each error next to its field.
        Err(e) => {
            let q = ListQuery {
                comment_id: comment,
                item: sent.proof_item_id.trim().parse().ok(),
                ..ListQuery::default()
            };
            match list_page_data(&s, &ctx, q).await {
                Ok(mut p) => {
                    p.errors = FormErrors::from_error(e, FILE_FIELDS);
                    p.form = sent;
                    render(p.errors.status(), &p)
                }
                Err(e) => page_error(&ctx, e, "/adjustments"),
            }
        }
    }
}

#[derive(Template)]
#[template(path = "adjustment_detail.html")]
struct DetailPage {
    layout: Layout,
    message: String,
    a: Adjustment,
    attachments: Vec<Attachment>,
    is_office: bool,
    is_unit: bool,
    today: String,
    /// A refused review action: errors by their inputs, what was typed (issue #22 point 3).
    errors: FormErrors,
    kept: Kept,
}

#[derive(Deserialize, Default)]
pub struct Msg {
    msg: Option<String>,
}

/// One application with its attachments and the actions open to the user.
pub async fn detail_page(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(m): Query<Msg>,
) -> Response {
    let message = m.msg.unwrap_or_default();
    detail_view(&s, &ctx, id, message, FormErrors::none(), Kept::none()).await
}

async fn detail_view(
    s: &AppState,
    ctx: &Ctx,
    id: i64,
    message: String,
    errors: FormErrors,
    kept: Kept,
) -> Response {
    if let Err(e) = require_staff(ctx) {
        return page_error(ctx, e, "/");
    }
    let a = match apply::get(&s.app, &ctx.actor, id).await {
        Ok(a) => a,
        Err(e) => return page_error(ctx, e, "/adjustments"),
    };
    let attachments = match apply::attachments(&s.app, &ctx.actor, id).await {
        Ok(x) => x,
        Err(e) => return page_error(ctx, e, "/adjustments"),
    };
    let is_office = ctx.actor.has(Role::JointOffice);
    let is_unit = ctx.actor.has(Role::UnitAdmin) && ctx.actor.org_id == Some(a.org_id);
    let today = proofless_app::local_time(s.app.now_ms())
        .chars()
        .take(10)
        .collect();
    render(
        errors.status(),
        &DetailPage {
            layout: Layout::new(&format!("调整申请 #{id}"), ctx, "/adjustments"),
            message,
            a,
            attachments,
            is_office,
            is_unit,
            today,
            errors,
            kept,
        },
    )
}

#[derive(Deserialize, Default)]
pub struct ActionForm {
    #[serde(default)]
    text: String,
    #[serde(default)]
    due_date: String,
}

/// A review action: `supplement-request`, `supplement`, `return` or `approve`.
pub async fn action_submit(
    State(s): State<AppState>,
    ctx: Ctx,
    Path((id, action)): Path<(i64, String)>,
    Form(f): Form<ActionForm>,
) -> Response {
    let (app, actor) = (&s.app, &ctx.actor);
    let text = TextInput {
        text: f.text.clone(),
    };
    // The action's inputs on the detail page, by the service's field names.
    let text_id = match action.as_str() {
        "supplement-request" => "sr-text",
        "supplement" => "supp",
        _ => "ret-text",
    };
    let kept = Kept::none()
        .with(text_id, f.text.as_str())
        .with("sr-due", f.due_date.as_str());
    let fields = [("text", text_id), ("note", text_id), ("due_date", "sr-due")];
    let done = match action.as_str() {
        "supplement-request" => {
            review::request_supplement(
                app,
                actor,
                id,
                &SupplementRequest {
                    note: f.text,
                    due_date: f.due_date,
                },
            )
            .await
        }
        "supplement" => review::supplement(app, actor, id, &text).await,
        "return" => review::return_with_reasons(app, actor, id, &text).await,
        "approve" => review::approve(app, actor, id).await,
        _ => Err(AppError::NotFound(format!("操作 {action}"))),
    };
    match done {
        Ok(a) => {
            Redirect::to(&format!("/adjustments/{id}?msg={}", enc(a.state.label()))).into_response()
        }
        Err(e) if FormErrors::is_access(&e) => page_error(&ctx, e, &format!("/adjustments/{id}")),
        Err(e) => {
            let errors = FormErrors::from_error(e, &fields);
            detail_view(&s, &ctx, id, String::new(), errors, kept).await
        }
    }
}

/// Uploads a PDF attachment (multipart; the CSRF layer has read its `csrf` part).
pub async fn attach_submit(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let back = format!("/adjustments/{id}");
    let up = match crate::upload::read(&headers, body).await {
        Ok(u) => u,
        Err(_) => {
            return page_error(
                &ctx,
                AppError::field("file", "上传格式有误，请重新选择文件"),
                &back,
            );
        }
    };
    let Some(bytes) = up.file("file") else {
        return page_error(&ctx, AppError::field("file", "请选择 PDF 文件"), &back);
    };
    let name = up.text("file_name");
    match apply::attach(
        &s.app,
        &ctx.actor,
        id,
        if name.is_empty() { "附件.pdf" } else { &name },
        bytes,
    )
    .await
    {
        Ok(_) => Redirect::to(&format!("{back}?msg={}", enc("附件已上传"))).into_response(),
        Err(e) => page_error(&ctx, e, &back),
    }
}

#[derive(Deserialize, Default)]
pub struct EventForm {
    #[serde(default)]
    proof_item_id: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    event_date: String,
}

/// The joint office records an event that starts a unit's limit.
pub async fn event_submit(
    State(s): State<AppState>,
    ctx: Ctx,
    Form(f): Form<EventForm>,
) -> Response {
    let input = EventInput {
        proof_item_id: f.proof_item_id.trim().parse().unwrap_or(0),
        description: f.description,
        event_date: f.event_date,
    };
    match apply::record_event(&s.app, &ctx.actor, &input).await {
        Ok(_) => Redirect::to(&format!(
            "/adjustments?msg={}",
            enc("事件已记录，已通知责任单位")
        ))
        .into_response(),
        Err(e) => page_error(&ctx, e, "/adjustments"),
    }
}

#[derive(Template)]
#[template(path = "adjustment_voice_office.html")]
struct VoicePage {
    layout: Layout,
    message: String,
    comments: Vec<Comment>,
    radar: Radar,
}

/// The joint office's page: comments to moderate, the demand radar, the synonyms.
pub async fn voice_page(State(s): State<AppState>, ctx: Ctx, Query(m): Query<Msg>) -> Response {
    if let Err(e) = require_staff(&ctx) {
        return page_error(&ctx, e, "/");
    }
    let data = async {
        let comments = voice::comments(&s.app, &ctx.actor, None).await?;
        let radar = radar::radar(&s.app, &ctx.actor).await?;
        Ok::<_, AppError>((comments, radar))
    };
    match data.await {
        Ok((comments, radar)) => render(
            StatusCode::OK,
            &VoicePage {
                layout: Layout::new("群众意见与需求雷达", &ctx, "/adjustments/voice"),
                message: m.msg.unwrap_or_default(),
                comments: comments
                    .into_iter()
                    .filter(|c| !matches!(c.state, CommentState::Hidden | CommentState::Merged))
                    .collect(),
                radar,
            },
        ),
        Err(e) => page_error(&ctx, e, "/workbench"),
    }
}

#[derive(Deserialize, Default)]
pub struct ModerationForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    merged_into: String,
    #[serde(default)]
    answer: String,
}

/// Moderates a comment.
pub async fn moderate_submit(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<ModerationForm>,
) -> Response {
    let input = ModerationInput {
        action: f.action,
        merged_into: f.merged_into.trim().parse().ok(),
        answer: opt(f.answer),
    };
    match voice::moderate(&s.app, &ctx.actor, id, &input).await {
        Ok(c) => Redirect::to(&format!("/adjustments/voice?msg={}", enc(c.state.label())))
            .into_response(),
        Err(e) => page_error(&ctx, e, "/adjustments/voice"),
    }
}

#[derive(Deserialize, Default)]
pub struct SynonymForm {
    #[serde(default)]
    term: String,
    #[serde(default)]
    canonical: String,
}

/// Adds a synonym.
pub async fn synonym_submit(
    State(s): State<AppState>,
    ctx: Ctx,
    Form(f): Form<SynonymForm>,
) -> Response {
    let input = SynonymInput {
        term: f.term,
        canonical: f.canonical,
    };
    match radar::put_synonym(&s.app, &ctx.actor, &input).await {
        Ok(_) => {
            Redirect::to(&format!("/search-synonyms?msg={}", enc("同义词已保存"))).into_response()
        }
        Err(e) => page_error(&ctx, e, "/search-synonyms"),
    }
}

#[derive(Deserialize, Default)]
pub struct CommentForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    phone: String,
}

/// A citizen's comment from the item page (no login).
pub async fn comment_submit(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<CommentForm>,
) -> Response {
    let input = CommentInput {
        proof_item_id: id,
        kind: opt(f.kind),
        body: f.body,
        name: opt(f.name),
        phone: opt(f.phone),
    };
    let back = format!("/proofs/items/{id}");
    match voice::comment(&s.app, &ctx.actor, &input).await {
        Ok(_) => Redirect::to(&format!(
            "{back}?msg={}",
            enc("意见已提交，联席会议办公室答复后将在此公开")
        ))
        .into_response(),
        Err(e) => page_error(&ctx, e, &back),
    }
}

/// An instant as local time, for the templates.
pub fn at(ms: &i64) -> String {
    proofless_app::local_time(*ms)
}
