//! Deep links survive login (issue #22 §2). A page that sends an anonymous visitor to the
//! staff or portal login answers a redirect to `/login` or `/portal/login`; [`remember`]
//! adds where the visitor was going as `?next=`, the login form carries it, and after a
//! successful login the visitor lands there. Only a path of this site is followed
//! ([`safe_next`]): `//evil`, `https://…`, `/\evil` and anything odd go to the workbench or
//! the portal home instead (no open redirect).

use axum::extract::Request;
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::Response;

/// Longest deep link followed.
const MAX_NEXT: usize = 1000;

/// `raw` when it is a path of this site: one leading `/`, not `//` (another host), no
/// backslash (browsers read `/\evil` as `//evil`), no control or whitespace character, no
/// login or logout page, bounded.
pub fn safe_next(raw: &str) -> Option<&str> {
    let ok = raw.starts_with('/')
        && !raw.starts_with("//")
        && !raw.contains('\\')
        && raw.len() <= MAX_NEXT
        && !raw.chars().any(|c| c.is_control() || c.is_whitespace())
        && !["/login", "/portal/login", "/logout", "/portal/logout"]
            .iter()
            .any(|p| raw == *p || raw.starts_with(&format!("{p}?")));
    ok.then_some(raw)
}

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The login page's address, remembering `next` when it is safe.
pub fn login_with_next(login: &str, next: &str) -> String {
    match safe_next(next) {
        Some(n) => format!("{login}?next={}", enc(n)),
        None => login.to_owned(),
    }
}

/// Middleware of the pages: a GET answered with a redirect to a login page gets the page it
/// asked for as `?next=`.
pub async fn remember(req: Request, next: Next) -> Response {
    let target = (req.method() == Method::GET)
        .then(|| req.uri().path_and_query().map(|p| p.as_str().to_owned()))
        .flatten();
    let mut res = next.run(req).await;
    let Some(target) = target else { return res };
    if !res.status().is_redirection() {
        return res;
    }
    let login = match res
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
    {
        Some(l @ ("/login" | "/portal/login")) => l.to_owned(),
        _ => return res,
    };
    if let Ok(v) = axum::http::HeaderValue::from_str(&login_with_next(&login, &target)) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    // Issue #22 §2: only this site's paths are followed after login.
    #[test]
    fn only_paths_of_this_site_are_followed() {
        for good in [
            "/verifications/3",
            "/portal/cases/start?code=A%20B",
            "/workbench",
        ] {
            assert_eq!(safe_next(good), Some(good));
        }
        for bad in [
            "//evil.example",
            "https://evil.example/",
            "/\\evil.example",
            "\\\\evil",
            "evil",
            "",
            "/a\nb",
            "/ x",
            "/login",
            "/portal/login?next=/x",
            "javascript:alert(1)",
        ] {
            assert_eq!(safe_next(bad), None, "{bad:?}");
        }
        assert_eq!(
            login_with_next("/login", "/verifications?box=inbox"),
            "/login?next=%2Fverifications%3Fbox%3Dinbox"
        );
        assert_eq!(login_with_next("/login", "//evil"), "/login");
    }
}
