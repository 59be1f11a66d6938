//! A government site's furniture (issue #22 §5, §7): the 长辈版 (large-text) switch
//! without JavaScript, and the accessibility statement.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

use super::{Layout, render};
use crate::AppState;
use crate::ctx::{Ctx, TEXT_SIZE_COOKIE};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/text-size", get(text_size))
        .route("/accessibility", get(accessibility))
}

#[derive(Deserialize)]
pub struct TextSize {
    /// `1`: the large layout; anything else: the standard one.
    large: Option<String>,
    /// The page to come back to (a path on this site).
    back: Option<String>,
}

/// The switch in every page's header when script does not run: remembers the choice in a
/// cookie for a year and goes back to the page it was pressed on. (With script, `app.js`
/// sets the same cookie and changes the page in place.)
async fn text_size(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<TextSize>,
) -> Response {
    let large = q.large.as_deref() == Some("1");
    let secure = if s.config.cookie_secure {
        "; Secure"
    } else {
        ""
    };
    let cookie = if large {
        format!("{TEXT_SIZE_COOKIE}=large; Path=/; Max-Age=31536000; SameSite=Lax{secure}")
    } else {
        format!("{TEXT_SIZE_COOKIE}=; Path=/; Max-Age=0; SameSite=Lax{secure}")
    };
    let referer = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| url::Url::parse(r).ok())
        .map(|u| match u.query() {
            Some(qs) => format!("{}?{qs}", u.path()),
            None => u.path().to_owned(),
        });
    let back = q
        .back
        .filter(|b| local_path(b))
        .or(referer.filter(|b| local_path(b)))
        .unwrap_or_else(|| "/".to_owned());
    let mut res = StatusCode::SEE_OTHER.into_response();
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&back) {
        h.insert(header::LOCATION, v);
    } else {
        h.insert(header::LOCATION, HeaderValue::from_static("/"));
    }
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        h.insert(header::SET_COOKIE, v);
    }
    res
}

/// A path on this site: never another host (`//evil`, `/\evil`), never the switch itself.
fn local_path(p: &str) -> bool {
    p.starts_with('/')
        && !p.starts_with("//")
        && !p.starts_with("/\\")
        && !p.starts_with("/text-size")
        && p.len() <= 2000
        && !p.chars().any(|c| c.is_control())
}

#[derive(Template)]
#[template(path = "accessibility.html")]
struct AccessibilityPage {
    layout: Layout,
}

/// 无障碍声明: what the site does for older people and people with disabilities, what it
/// does not yet do, and where to report a barrier.
async fn accessibility(ctx: Ctx) -> Response {
    render(
        StatusCode::OK,
        &AccessibilityPage {
            layout: Layout::new("无障碍与适老化声明", &ctx, "/accessibility"),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn the_switch_only_goes_back_to_pages_of_this_site() {
        assert!(local_path("/proofs?q=户口"));
        assert!(!local_path("//evil.example/"));
        assert!(!local_path("/\\evil.example"));
        assert!(!local_path("https://evil.example/"));
        assert!(!local_path("/text-size?large=1"));
        assert!(!local_path("/a\r\nSet-Cookie: x=1"));
    }
}
