//! Per-request context: the operation id, the caller (session cookie or bearer token),
//! and CSRF protection for cookie-authenticated writes.

use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use proofless_app::Actor;
use proofless_app::auth;

use crate::AppState;
use crate::error::ApiError;

pub const SESSION_COOKIE: &str = "pl_session";
pub const CSRF_HEADER: &str = "x-csrf-token";
pub const OPERATION_HEADER: &str = "x-operation-id";

#[derive(Clone)]
pub struct OperationId(pub String);

/// Every request gets an operation id: in the response header, in every audit row and
/// in every error body.
pub async fn operation_id_layer(mut req: Request, next: Next) -> Response {
    let op = uuid::Uuid::new_v4().simple().to_string();
    req.extensions_mut().insert(OperationId(op.clone()));
    let mut res = next.run(req).await;
    if let Ok(v) = HeaderValue::from_str(&op) {
        res.headers_mut().insert(OPERATION_HEADER, v);
    }
    let is_problem = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
    if is_problem {
        res = add_operation_id_to_problem(res, &op).await;
    }
    res
}

async fn add_operation_id_to_problem(res: Response, op: &str) -> Response {
    let (parts, body) = res.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
        return Response::from_parts(parts, axum::body::Body::empty());
    };
    let mut v: serde_json::Value =
        serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null);
    if let Some(obj) = v.as_object_mut() {
        obj.insert(
            "operation_id".to_owned(),
            serde_json::Value::String(op.to_owned()),
        );
    }
    let mut parts = parts;
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, axum::body::Body::from(v.to_string()))
}

/// How the caller proved who they are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Credential {
    None,
    Session { token: String, csrf: String },
    Bearer(String),
}

/// The caller as resolved once per request by [`auth_layer`].
#[derive(Clone)]
pub struct Ctx {
    pub actor: Actor,
    pub credential: Credential,
    /// The anonymous visitor's pre-session CSRF token (double-submit cookie), put in
    /// login forms; empty once a credential is presented.
    pub pre_csrf: String,
    /// The browser asked for the large-text layout (长辈版, cookie [`TEXT_SIZE_COOKIE`]).
    pub large_text: bool,
    /// The requested path and query (`/proofs?q=户口`): the page the large-text switch
    /// comes back to, and what its meta description is chosen by.
    pub uri: String,
}

/// The large-text preference (`large` or absent), kept per browser; set by the switch
/// in every page's header, by script or by `/text-size` without it.
pub const TEXT_SIZE_COOKIE: &str = "pl_text";

impl Ctx {
    pub fn csrf(&self) -> &str {
        match &self.credential {
            Credential::Session { csrf, .. } => csrf,
            Credential::None => &self.pre_csrf,
            Credential::Bearer(_) => "",
        }
    }

    pub fn op(&self) -> &str {
        &self.actor.operation_id
    }

    /// A stable, non-secret name for the credential (idempotency keys are per caller).
    pub fn principal(&self) -> String {
        match &self.credential {
            Credential::None => "anonymous".to_owned(),
            Credential::Session { token, .. } => format!("s:{}", auth::token_hash(token)),
            Credential::Bearer(t) => format!("t:{}", auth::token_hash(t)),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Ctx>().cloned().ok_or_else(|| {
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "服务器内部错误",
                "请求上下文缺失",
            )
        })
    }
}

pub fn cookie_value(parts: &axum::http::HeaderMap, name: &str) -> Option<String> {
    parts
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|s| s.split(';'))
        .find_map(|kv| {
            let (k, v) = kv.trim().split_once('=')?;
            (k == name).then(|| v.to_owned())
        })
}

fn is_safe(m: &Method) -> bool {
    matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn req_is_multipart(h: &axum::http::HeaderMap) -> bool {
    h.get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"))
}

/// A plain HTML file upload (no JavaScript) carries the token as a `csrf` part.
fn multipart_has_csrf(body: &[u8], csrf: &str) -> bool {
    if csrf.is_empty() {
        return false;
    }
    let needle = format!("name=\"csrf\"\r\n\r\n{csrf}\r\n");
    body.windows(needle.len()).any(|w| w == needle.as_bytes())
}

/// Resolve the caller; refuse browser form writes without their CSRF token: the
/// session's token for a logged-in caller (header `X-CSRF-Token`, or form field `csrf`
/// for plain HTML forms and uploads), the pre-session token for an anonymous one.
pub async fn auth_layer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let op = req
        .extensions()
        .get::<OperationId>()
        .map(|o| o.0.clone())
        .unwrap_or_default();
    let pre_name = pre_csrf_cookie(state.config.cookie_secure);
    let pre_cookie = cookie_value(req.headers(), pre_name).filter(|v| is_pre_token(v));
    let mut ctx = match resolve(&state, req.headers(), &op, pre_cookie.clone()).await {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    ctx.large_text = cookie_value(req.headers(), TEXT_SIZE_COOKIE).as_deref() == Some("large");
    ctx.uri = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_default();
    let mut req = req;
    if !is_safe(req.method()) {
        let expected = match &ctx.credential {
            Credential::Session { csrf, .. } => Some(csrf.clone()),
            // A login form posted from another site would sign the victim in to the
            // attacker's account (login CSRF): the double-submit cookie stops it. JSON
            // bodies need a CORS preflight cross-site, which is never granted.
            Credential::None if is_form(req.headers()) => {
                Some(pre_cookie.clone().unwrap_or_default())
            }
            _ => None,
        };
        if let Some(expected) = expected {
            req = match check_csrf(req, &expected).await {
                Ok(r) => r,
                Err(res) => return *res,
            };
        }
    }
    let issue_pre = matches!(ctx.credential, Credential::None) && pre_cookie.is_none();
    let pre = ctx.pre_csrf.clone();
    req.extensions_mut().insert(ctx);
    let mut res = next.run(req).await;
    let is_html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    if issue_pre && is_html {
        let secure = if state.config.cookie_secure {
            "; Secure"
        } else {
            ""
        };
        if let Ok(v) = HeaderValue::from_str(&format!(
            "{pre_name}={pre}; Path=/; HttpOnly; SameSite=Strict{secure}"
        )) {
            res.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    res
}

/// The pre-session CSRF cookie. Over HTTPS it has the `__Host-` prefix, so a sibling
/// subdomain cannot plant one (the one weakness of a double-submit cookie).
pub fn pre_csrf_cookie(secure: bool) -> &'static str {
    if secure { "__Host-pl_csrf" } else { "pl_csrf" }
}

fn is_pre_token(v: &str) -> bool {
    v.len() == 32 && v.bytes().all(|b| b.is_ascii_hexdigit())
}

fn is_form(h: &axum::http::HeaderMap) -> bool {
    h.get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.starts_with("application/x-www-form-urlencoded")
                || v.starts_with("multipart/form-data")
        })
}

async fn resolve(
    state: &AppState,
    headers: &axum::http::HeaderMap,
    op: &str,
    pre_cookie: Option<String>,
) -> Result<Ctx, ApiError> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").map(str::trim).map(str::to_owned));
    let cookie = cookie_value(headers, SESSION_COOKIE);
    let app = &state.app;
    let anonymous = || Ctx {
        actor: Actor::anonymous(op),
        credential: Credential::None,
        pre_csrf: pre_cookie
            .clone()
            .unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string()),
        large_text: false,
        uri: String::new(),
    };
    if let Some(token) = bearer {
        return match auth::token_actor(app, &token, op).await? {
            Some(actor) => Ok(Ctx {
                actor,
                credential: Credential::Bearer(token),
                pre_csrf: String::new(),
                large_text: false,
                uri: String::new(),
            }),
            None => Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "令牌无效",
                "接口令牌无效或已吊销",
            )),
        };
    }
    if let Some(token) = cookie {
        return match auth::session_actor(app, &token, op).await? {
            Some((actor, csrf)) => Ok(Ctx {
                actor,
                credential: Credential::Session { token, csrf },
                pre_csrf: String::new(),
                large_text: false,
                uri: String::new(),
            }),
            // An expired or unknown cookie is simply not logged in.
            None => Ok(anonymous()),
        };
    }
    Ok(anonymous())
}

/// Accept the request when `expected` (never empty) is in the `X-CSRF-Token` header or
/// in the form field `csrf` (urlencoded or multipart); the body is read and put back.
async fn check_csrf(req: Request, expected: &str) -> Result<Request, Box<Response>> {
    let refuse = || {
        Box::new(
            ApiError::new(
                StatusCode::FORBIDDEN,
                "csrf",
                "请求来源校验失败",
                "缺少或错误的 CSRF 令牌，请刷新页面后重试",
            )
            .into_response(),
        )
    };
    if expected.is_empty() {
        return Err(refuse());
    }
    if req.headers().get(CSRF_HEADER).and_then(|v| v.to_str().ok()) == Some(expected) {
        return Ok(req);
    }
    let is_urlencoded = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let (parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, crate::BODY_LIMIT).await {
        Ok(b) => b,
        Err(_) => return Err(Box::new(crate::error::too_large().into_response())),
    };
    let form_ok = (is_urlencoded
        && url::form_urlencoded::parse(&bytes).any(|(k, v)| k == "csrf" && v.as_ref() == expected))
        || (req_is_multipart(&parts.headers) && multipart_has_csrf(&bytes, expected));
    if !form_ok {
        return Err(refuse());
    }
    Ok(Request::from_parts(parts, axum::body::Body::from(bytes)))
}
