//! The public page that says whether a sealed document is genuine (issue #5 §10).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use proofless_app::seals::{self, Verdict};

use super::admin::local_time;
use super::session::page_error;
use super::{Layout, render};
use crate::AppState;
use crate::ctx::Ctx;

#[derive(Template)]
#[template(path = "sealed.html")]
struct SealedPage {
    layout: Layout,
    v: Verdict,
    kind: &'static str,
    sealed_at: String,
    /// The body as labelled lines in Chinese.
    lines: Vec<super::readable::Line>,
    body: String,
    pem_url: String,
}

pub async fn page(State(s): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Response {
    let doc = match seals::get(&s.app, &id).await {
        Ok(d) => d,
        Err(e) => return page_error(&ctx, e, "/"),
    };
    let v = match seals::verify_bytes(&s.app, &doc, doc.body.as_bytes()).await {
        Ok(v) => v,
        Err(e) => return page_error(&ctx, e, "/"),
    };
    // Pretty-printed for reading; the signed bytes stay available as-is.
    let body = serde_json::from_str::<serde_json::Value>(&doc.body)
        .ok()
        .and_then(|j| serde_json::to_string_pretty(&j).ok())
        .unwrap_or_else(|| doc.body.clone());
    let pem_url = format!(
        "/api/v1/public/orgs/{}/seal.pem?key_id={}",
        doc.org_credit_code.clone().unwrap_or_default(),
        doc.key_id
    );
    render(
        StatusCode::OK,
        &SealedPage {
            layout: Layout::new("电子文件验真", &ctx, "/sealed"),
            kind: doc.kind.label(),
            sealed_at: local_time(doc.sealed_at),
            lines: super::readable::lines_of(&doc.body, proofless_domain::seal::body_key_label),
            body,
            pem_url,
            v,
        },
    )
}
