//! Security headers on every response, whatever produced it (page, API, asset, error,
//! fallback): one layer at the outside of the router, so no handler can forget them.
//!
//! Content-Security-Policy: scripts and styles only from our own origin. No inline
//! `<script>`, no `on…=` handlers, no `style="…"` attributes, no `<style>` elements
//! (htmx's own indicator `<style>` is switched off in `base.html` and its rules live in
//! `app.css`). `style-src 'self'` rather than `'unsafe-inline'`: inline CSS is a known
//! exfiltration channel for injected markup, and the templates need none (a test keeps
//! them that way). Forms post only to our own origin; nothing may frame us.

use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::AppState;
use crate::ctx::{SESSION_COOKIE, cookie_value};

pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
    img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; \
    frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

/// One year, the usual preload-list minimum; sent only when the public base URL is https.
const HSTS: &str = "max-age=31536000; includeSubDomains";

pub async fn layer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let is_asset = req.uri().path().starts_with("/assets/")
        || matches!(req.uri().path(), "/favicon.ico" | "/favicon.svg");
    // Anything sent with a credential may carry that person's data (a public page shows
    // the user's name in its header), so it is never stored by a browser or proxy.
    let credentialed = req.headers().contains_key(header::AUTHORIZATION)
        || cookie_value(req.headers(), SESSION_COOKIE).is_some();
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    // For browsers that predate `frame-ancestors`.
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    );
    if state.config.tls() {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        );
    }
    // Fail closed: only the static assets (identical for everyone) may be cached; a
    // handler that sets its own Cache-Control keeps it unless a credential was sent.
    if !is_asset && (credentialed || !h.contains_key(header::CACHE_CONTROL)) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}
