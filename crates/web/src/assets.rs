//! Static assets embedded in the binary: no CDN, no build step.
//!
//! Pages link each asset by a versioned name that carries a hash of its content
//! (`/assets/app.3f9c0a1b2d.css`): such a URL never changes meaning, so it is cached for a
//! year as `immutable`, and a new release links new names. The plain names
//! (`/assets/app.css`) still answer, with a short cache, for anything that linked them.

use std::sync::LazyLock;

use axum::Router;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::AppState;

/// One embedded file.
pub struct Asset {
    /// The plain name, e.g. `app.css`.
    name: &'static str,
    content_type: &'static str,
    body: &'static [u8],
}

impl Asset {
    const fn new(name: &'static str, content_type: &'static str, body: &'static [u8]) -> Asset {
        Asset {
            name,
            content_type,
            body,
        }
    }

    /// The URL pages link: `/assets/<stem>.<content hash>.<ext>`.
    pub fn url(&self) -> String {
        format!("/assets/{}", versioned_name(self))
    }
}

pub static HTMX: Asset = Asset::new(
    "htmx.min.js",
    "text/javascript; charset=utf-8",
    include_bytes!("../assets/htmx.min.js"),
);
pub static CSS: Asset = Asset::new(
    "app.css",
    "text/css; charset=utf-8",
    include_bytes!("../assets/app.css"),
);
pub static APP_JS: Asset = Asset::new(
    "app.js",
    "text/javascript; charset=utf-8",
    include_bytes!("../assets/app.js"),
);
pub static FAVICON_SVG: Asset = Asset::new(
    "favicon.svg",
    "image/svg+xml",
    include_bytes!("../assets/favicon.svg"),
);
const FAVICON_ICO: &[u8] = include_bytes!("../assets/favicon.ico");

static ALL: [&Asset; 4] = [&HTMX, &CSS, &APP_JS, &FAVICON_SVG];

/// A year, and never revalidated: the name changes with the content.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Plain names and the favicon routes (their content may change under the same URL).
const SHORT: &str = "public, max-age=3600";

/// FNV-1a (64 bit) of the content, 10 hex digits: a cache key, not a security check.
fn content_hash(body: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in body {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")[..10].to_owned()
}

fn versioned_name(a: &Asset) -> &str {
    // Computed once for every asset, kept by plain name.
    static NAMES: LazyLock<Vec<(&'static str, String)>> = LazyLock::new(|| {
        ALL.iter()
            .map(|a| {
                let (stem, ext) = a.name.rsplit_once('.').unwrap_or((a.name, ""));
                (a.name, format!("{stem}.{}.{ext}", content_hash(a.body)))
            })
            .collect()
    });
    NAMES
        .iter()
        .find(|(n, _)| *n == a.name)
        .map(|(_, v)| v.as_str())
        .unwrap_or(a.name)
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/assets/{file}", get(asset))
        .route("/favicon.ico", get(favicon_ico))
        .route("/favicon.svg", get(favicon_svg))
}

fn serve(a: &Asset, cache: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, a.content_type),
            (header::CACHE_CONTROL, cache),
        ],
        a.body,
    )
        .into_response()
}

async fn asset(Path(file): Path<String>) -> Response {
    for a in ALL {
        if file == versioned_name(a) {
            return serve(a, IMMUTABLE);
        }
        if file == a.name {
            return serve(a, SHORT);
        }
    }
    crate::pages::not_found_page()
}

async fn favicon_svg() -> Response {
    serve(&FAVICON_SVG, SHORT)
}

async fn favicon_ico() -> impl IntoResponse {
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "image/x-icon"),
            (header::CACHE_CONTROL, SHORT),
        ],
        FAVICON_ICO,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versioned_names_carry_the_content_hash() {
        let css = CSS.url();
        assert!(
            css.starts_with("/assets/app.") && css.ends_with(".css"),
            "{css}"
        );
        assert_eq!(css.len(), "/assets/app..css".len() + 10);
        assert_ne!(content_hash(b"a"), content_hash(b"b"));
    }
}
