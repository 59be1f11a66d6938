//! The synonym table page (issue #22 §2), reached from the joint office's workbench: every
//! pair with how many published items the everyday word finds now, a remove button per
//! pair, and the add form with its errors next to the field.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use proofless_app::AppError;
use proofless_app::catalogue::input::SearchParams;
use proofless_app::catalogue::public;
use proofless_app::catalogue::synonyms::{self, MAX_WORD, Synonym, SynonymInput};
use proofless_domain::role::Role;
use serde::Deserialize;

use super::session::{page_error, require_staff};
use super::{Layout, render};
use crate::AppState;
use crate::ctx::Ctx;

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

pub struct Row {
    pair: Synonym,
    /// Published items the everyday word finds now.
    found: usize,
    /// `/proofs?q=…` for the everyday word.
    search: String,
}

#[derive(Template)]
#[template(path = "synonyms.html")]
struct SynonymsPage {
    layout: Layout,
    message: String,
    rows: Vec<Row>,
    can_edit: bool,
    term: String,
    canonical: String,
    term_err: String,
    canonical_err: String,
    max: usize,
}

#[derive(Deserialize, Default)]
pub struct Msg {
    msg: Option<String>,
}

async fn page(
    s: &AppState,
    ctx: &Ctx,
    message: String,
    form: (String, String),
    errors: (String, String),
    status: StatusCode,
) -> Response {
    if let Err(e) = require_staff(ctx) {
        return page_error(ctx, e, "/");
    }
    let pairs = match synonyms::list(&s.app, &ctx.actor).await {
        Ok(p) => p,
        Err(e) => return page_error(ctx, e, "/workbench"),
    };
    let mut rows = Vec::with_capacity(pairs.len());
    for pair in pairs {
        let p = SearchParams {
            q: Some(pair.term.clone()),
            limit: Some(1),
            ..SearchParams::default()
        };
        let found = public::search(&s.app, &p)
            .await
            .map(|r| r.total)
            .unwrap_or(0);
        rows.push(Row {
            search: format!("/proofs?q={}", enc(&pair.term)),
            pair,
            found,
        });
    }
    render(
        status,
        &SynonymsPage {
            layout: Layout::new("搜索同义词表", ctx, "/search-synonyms"),
            message,
            rows,
            can_edit: ctx.actor.has(Role::JointOffice),
            term: form.0,
            canonical: form.1,
            term_err: errors.0,
            canonical_err: errors.1,
            max: MAX_WORD,
        },
    )
}

/// The table and the add form.
pub async fn synonyms_page(State(s): State<AppState>, ctx: Ctx, Query(m): Query<Msg>) -> Response {
    page(
        &s,
        &ctx,
        m.msg.unwrap_or_default(),
        Default::default(),
        Default::default(),
        StatusCode::OK,
    )
    .await
}

#[derive(Deserialize, Default)]
pub struct PairForm {
    #[serde(default)]
    term: String,
    #[serde(default)]
    canonical: String,
}

/// Adds a pair; errors come back next to their field, with what was typed.
pub async fn add_submit(State(s): State<AppState>, ctx: Ctx, Form(f): Form<PairForm>) -> Response {
    let input = SynonymInput {
        term: f.term.clone(),
        canonical: f.canonical.clone(),
    };
    match synonyms::add(&s.app, &ctx.actor, &input).await {
        Ok(p) => Redirect::to(&format!(
            "/search-synonyms?msg={}",
            enc(&format!(
                "已添加：搜索“{}”可找到含“{}”的证明",
                p.term, p.canonical
            ))
        ))
        .into_response(),
        Err(AppError::Validation(errs)) => {
            let pick = |field: &str| {
                errs.iter()
                    .filter(|e| e.field == field)
                    .map(|e| e.message.clone())
                    .collect::<Vec<_>>()
                    .join("；")
            };
            let errors = (pick("term"), pick("canonical"));
            page(
                &s,
                &ctx,
                String::new(),
                (f.term, f.canonical),
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => page_error(&ctx, e, "/search-synonyms"),
    }
}

/// Removes one pair.
pub async fn remove_submit(
    State(s): State<AppState>,
    ctx: Ctx,
    Form(f): Form<PairForm>,
) -> Response {
    match synonyms::remove(&s.app, &ctx.actor, &f.term, Some(&f.canonical)).await {
        Ok(()) => Redirect::to(&format!(
            "/search-synonyms?msg={}",
            enc(&format!(
                "已删除：{} → {}",
                f.term.trim(),
                f.canonical.trim()
            ))
        ))
        .into_response(),
        Err(e) => page_error(&ctx, e, "/search-synonyms"),
    }
}
