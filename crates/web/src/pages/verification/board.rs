//! The joint office's board page (A2 §7, §11): overdue, reported and reclassified requests,
//! each section paged with its total (issue #16 §8), and each issuing unit's figures.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use proofless_app::verification::{self, Board, BoardFilter, ListPage, UnitFigures};
use serde::Deserialize;

use super::{Pager, Row, pager, row};
use crate::AppState;
use crate::ctx::Ctx;
use crate::pages::session::{page_error, require_staff};
use crate::pages::{Layout, render};

/// One section of the board: its page of lines and where it stands.
pub struct Section {
    rows: Vec<Row>,
    pager: Pager,
}

#[derive(Template)]
#[template(path = "verification_board.html")]
struct BoardPage {
    layout: Layout,
    overdue: Section,
    reported: Section,
    reclassified: Section,
    units: Vec<UnitFigures>,
}

/// Where each section's page starts.
#[derive(Deserialize, Default)]
pub struct BoardQuery {
    overdue_offset: Option<i64>,
    reported_offset: Option<i64>,
    reclassified_offset: Option<i64>,
}

/// Lines per section of the board.
const BOARD_PAGE: i64 = 50;

/// A section's page with links that move it and keep the others where they are.
fn section(p: ListPage, name: &str, q: &BoardQuery) -> Section {
    let keep = |n: &str, o: Option<i64>| {
        if n == name {
            String::new()
        } else {
            format!("{n}_offset={}&", o.unwrap_or(0))
        }
    };
    let href = format!(
        "/verifications/board?{}{}{}{name}_offset=",
        keep("overdue", q.overdue_offset),
        keep("reported", q.reported_offset),
        keep("reclassified", q.reclassified_offset)
    );
    Section {
        pager: pager(p.total, p.offset, p.items.len(), p.limit, &href),
        rows: p.items.into_iter().map(|r| row(r, false)).collect(),
    }
}

pub async fn board_page(
    State(s): State<AppState>,
    ctx: Ctx,
    Query(q): Query<BoardQuery>,
) -> Response {
    if let Err(e) = require_staff(&ctx) {
        return page_error(&ctx, e, "/");
    }
    let f = BoardFilter {
        limit: Some(BOARD_PAGE),
        overdue_offset: q.overdue_offset.map(|o| o.max(0)),
        reported_offset: q.reported_offset.map(|o| o.max(0)),
        reclassified_offset: q.reclassified_offset.map(|o| o.max(0)),
    };
    let b: Board = match verification::board(&s.app, &ctx.actor, &f).await {
        Ok(b) => b,
        Err(e) => return page_error(&ctx, e, "/verifications"),
    };
    let t = BoardPage {
        layout: Layout::new(BOARD_TITLE, &ctx, "/verifications"),
        overdue: section(b.overdue, "overdue", &q),
        reported: section(b.reported, "reported", &q),
        reclassified: section(b.reclassified, "reclassified", &q),
        units: b.units,
    };
    render(StatusCode::OK, &t)
}

/// The board's name, distinct from the deadline page `/overdue` (issue #15 §11).
pub const BOARD_TITLE: &str = "核验督办台（联席办）";
