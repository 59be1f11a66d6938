//! Forms that help (issue #22 point 3), one mechanism for every page form:
//!
//! - [`FormErrors`]: a service's field errors placed next to the inputs they concern (red,
//!   Chinese, `aria-invalid` + `aria-describedby`) and a summary at the top of the form whose
//!   entries link to those inputs. A service's field name never reaches the page: a page maps
//!   the fields it shows to its input ids; an error about a field the page does not show is
//!   said in the summary only, without the name.
//! - The success message after an action: [`done`] redirects with a short-lived cookie, and
//!   [`flash_layer`] shows it once on the next page (inside `<main>`, `role="status"`), then
//!   clears it. The message is ours (never echoed from the request).

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use proofless_app::AppError;

use crate::ctx::cookie_value;

pub const FLASH_COOKIE: &str = "pl_flash";

/// One error, attached to an input (`id`) or to the whole form (`id` empty).
pub struct FieldProblem {
    pub id: String,
    pub message: String,
}

/// The errors of one submitted form, as the page shows them.
#[derive(Default)]
pub struct FormErrors {
    pub items: Vec<FieldProblem>,
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

impl FormErrors {
    pub fn none() -> FormErrors {
        FormErrors::default()
    }

    /// The errors of `e`; `fields` maps a service's field name to the page's input id.
    /// Fields the page does not show, and errors that are not about a field, go to the
    /// summary alone.
    pub fn from_error(e: AppError, fields: &[(&str, &str)]) -> FormErrors {
        let items = match e {
            AppError::Validation(errs) => errs
                .into_iter()
                .map(|fe| FieldProblem {
                    id: fields
                        .iter()
                        .find(|(f, _)| *f == fe.field)
                        .map(|(_, id)| (*id).to_owned())
                        .unwrap_or_default(),
                    message: fe.message,
                })
                .collect(),
            other => vec![FieldProblem {
                id: String::new(),
                message: crate::error::ApiError::from(other).detail,
            }],
        };
        FormErrors { items }
    }

    /// One message about the whole form.
    pub fn general(message: impl Into<String>) -> FormErrors {
        FormErrors {
            items: vec![FieldProblem {
                id: String::new(),
                message: message.into(),
            }],
        }
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The status a form page answers with: 422 when it shows errors.
    pub fn status(&self) -> StatusCode {
        if self.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        }
    }

    /// Every message as one line.
    #[cfg(test)]
    fn text(&self) -> String {
        self.items
            .iter()
            .map(|p| p.message.as_str())
            .collect::<Vec<_>>()
            .join("；")
    }

    /// The messages about input `id`.
    pub fn of(&self, id: &str) -> Vec<&str> {
        self.items
            .iter()
            .filter(|p| !id.is_empty() && p.id == id)
            .map(|p| p.message.as_str())
            .collect()
    }

    /// Attributes for input `id`: ` aria-invalid="true" aria-describedby="{id}-error"` when
    /// it has an error (use with `|safe`).
    pub fn attrs(&self, id: &str) -> String {
        if self.of(id).is_empty() {
            String::new()
        } else {
            format!(
                " aria-invalid=\"true\" aria-describedby=\"{}-error\"",
                escape(id)
            )
        }
    }

    /// The error line shown right after input `id` (use with `|safe`).
    pub fn after(&self, id: &str) -> String {
        let msgs = self.of(id);
        if msgs.is_empty() {
            return String::new();
        }
        format!(
            "<p class=\"field-error\" id=\"{}-error\">{}</p>",
            escape(id),
            escape(&msgs.join("；"))
        )
    }
}

/// The values a refused form was submitted with, by the page's input ids, so that the page
/// shows them again (issue #22 point 3: a refused form never loses what was typed).
#[derive(Default)]
pub struct Kept {
    pairs: Vec<(String, String)>,
}

impl Kept {
    pub fn none() -> Kept {
        Kept::default()
    }

    /// Adds the value of input `id`.
    pub fn with(mut self, id: impl Into<String>, value: impl Into<String>) -> Kept {
        self.pairs.push((id.into(), value.into()));
        self
    }

    /// The kept value of input `id` (empty when none).
    pub fn get(&self, id: &str) -> &str {
        self.pairs
            .iter()
            .find(|(k, _)| k == id)
            .map(|(_, v)| v.as_str())
            .unwrap_or_default()
    }

    /// Whether input `id` was submitted with `value` (a checkbox, radio or option).
    pub fn is(&self, id: &str, value: &str) -> bool {
        self.pairs.iter().any(|(k, v)| k == id && v == value)
    }

    /// Whether anything was kept (the page then shows the refused form open).
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }
}

impl FormErrors {
    /// The errors of `e` for a form whose inputs are named `{prefix}{field}` after the
    /// service's fields listed in `fields` (a page with several forms, each with its prefix).
    pub fn prefixed(e: AppError, prefix: &str, fields: &[&str]) -> FormErrors {
        let map: Vec<(String, String)> = fields
            .iter()
            .map(|f| ((*f).to_owned(), format!("{prefix}{f}")))
            .collect();
        let refs: Vec<(&str, &str)> = map.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        FormErrors::from_error(e, &refs)
    }

    /// Whether the form is refused for a reason that is no field's: the caller shows the
    /// error page instead (no right to act, or nothing to act on).
    pub fn is_access(e: &AppError) -> bool {
        matches!(
            e,
            AppError::Unauthenticated | AppError::Forbidden(_) | AppError::NotFound(_)
        )
    }
}

/// Redirect to `to` and say `message` there once.
pub fn done(to: &str, message: &str) -> Response {
    let value: String = url::form_urlencoded::byte_serialize(message.as_bytes()).collect();
    let mut res = Redirect::to(to).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{FLASH_COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age=120"
    )) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

/// Whether a page form's redirect after `POST path` says nothing of its own, so the
/// generic message is due: not the API, not logging in or out, not a redirect that carries
/// its own error or message, not one that set its own.
fn silent_success(path: &str, res: &Response) -> bool {
    let location = res
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let own = res
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.starts_with(FLASH_COOKIE));
    res.status().is_redirection()
        && !own
        && !path.starts_with("/api/")
        && !path.ends_with("/login")
        && !path.ends_with("/logout")
        && !path.starts_with("/portal/oidc")
        && !location.contains("error=")
        && !location.contains("msg=")
        && !location.contains("login")
}

/// Shows the pending success message on the next full HTML page and clears it; gives a
/// page form's successful redirect that says nothing a generic success message.
pub async fn flash_layer(req: Request, next: Next) -> Response {
    let flash = cookie_value(req.headers(), FLASH_COOKIE);
    let partial = req.headers().contains_key("hx-request");
    let post = req.method() == axum::http::Method::POST;
    let path = req.uri().path().to_owned();
    let mut res = next.run(req).await;
    if post && !partial && silent_success(&path, &res) {
        let value: String = url::form_urlencoded::byte_serialize("操作成功".as_bytes()).collect();
        if let Ok(v) = HeaderValue::from_str(&format!(
            "{FLASH_COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age=120"
        )) {
            res.headers_mut().append(header::SET_COOKIE, v);
        }
        return res;
    }
    let Some(raw) = flash else { return res };
    let is_html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if partial || !is_html || res.status().is_redirection() {
        return res;
    }
    let message: String = url::form_urlencoded::parse(format!("m={raw}").as_bytes())
        .map(|(_, v)| v.into_owned())
        .next()
        .unwrap_or_default();
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "内部错误").into_response();
    };
    // Right inside the page's `<main …>`; a page without one keeps the message for the next.
    let html = std::str::from_utf8(&bytes).ok().and_then(|html| {
        let m = html.find("<main")?;
        let at = m + html[m..].find('>')? + 1;
        let message = message.trim();
        (!message.is_empty()).then(|| {
            format!(
                "{}\n<div class=\"notice ok flash\" role=\"status\" id=\"flash\">{}</div>{}",
                &html[..at],
                escape(message),
                &html[at..]
            )
        })
    });
    let Some(html) = html else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{FLASH_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"
    )) {
        parts.headers.append(header::SET_COOKIE, v);
    }
    Response::from_parts(parts, Body::from(html))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_errors_go_next_to_their_input_and_unknown_fields_lose_their_name() {
        let e = AppError::Validation(vec![
            proofless_app::FieldError::new("applicant", "身份证号码有误：校验位不对"),
            proofless_app::FieldError::new("statutory_limit", "法定时限无效"),
        ]);
        let f = FormErrors::from_error(e, &[("applicant", "applicant")]);
        assert_eq!(f.of("applicant"), vec!["身份证号码有误：校验位不对"]);
        assert!(f.after("applicant").contains("id=\"applicant-error\""));
        assert!(f.attrs("applicant").contains("aria-invalid"));
        assert!(f.attrs("other").is_empty());
        // Not shown on the page: in the summary, without the field's name.
        assert_eq!(f.items[1].id, "");
        assert!(!f.text().contains("statutory_limit"));
        assert_eq!(f.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(FormErrors::general("<b>").after("").is_empty());
        assert_eq!(escape("<b>\"&"), "&lt;b&gt;&quot;&amp;");
    }
}
