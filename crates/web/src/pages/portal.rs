//! The citizens' portal: login (local or the unified identity platform), account
//! activation with a one-time code, and who looked at my data.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use proofless_app::applicants::{self, Entity};
use proofless_app::identity::{self, PortalLoginInput, RegisterInput, SmsCodeInput};
use proofless_app::{ActorKind, AppError, auth};

use super::admin::local_time;
use axum_extra::extract::Form;
use serde::Deserialize;

use super::forms::FormErrors;
use super::session::{Login, LoginForm, page_error};
use super::{Layout, render};
use crate::AppState;
use crate::api::auth::{clear_cookie, session_cookie};
use crate::client_addr::ClientAddr;
use crate::ctx::{Credential, Ctx};

fn login_form(s: &AppState, ctx: &Ctx, error: String) -> Login {
    Login {
        layout: Layout::new("群众和企业登录", ctx, "/portal/login"),
        heading: "群众和企业登录",
        action: "/portal/login",
        login_label: "居民身份证号码",
        login: String::new(),
        error,
        portal: true,
        oidc: s.oidc.is_some(),
        next: String::new(),
    }
}

pub async fn login_page(
    State(s): State<AppState>,
    ctx: Ctx,
    axum::extract::Query(nq): axum::extract::Query<super::session::NextQuery>,
) -> Response {
    let next = super::session::checked_next(&nq.next);
    if ctx.actor.kind == ActorKind::Portal {
        let to = if next.is_empty() { "/portal" } else { &next };
        return Redirect::to(to).into_response();
    }
    let mut form = login_form(&s, &ctx, String::new());
    form.next = next;
    render(StatusCode::OK, &form)
}

pub async fn login_submit(
    State(s): State<AppState>,
    ctx: Ctx,
    client: ClientAddr,
    headers: axum::http::HeaderMap,
    Form(f): Form<LoginForm>,
) -> Response {
    // A deep link the login interrupted (在线办理, issue #17 §4) is followed afterwards.
    let form_next = super::session::checked_next(&f.next);
    let next = if form_next.is_empty() {
        super::cases::next_after_login(&headers)
    } else {
        Some(form_next.clone())
    };
    let input = PortalLoginInput {
        resident_id: f.login,
        password: f.password,
    };
    match identity::login(
        &s.app,
        s.identity.as_ref(),
        ctx.op(),
        client.as_str(),
        &input,
    )
    .await
    {
        Ok((session, _)) => (
            session_cookie(&s, &session),
            Redirect::to(next.as_deref().unwrap_or("/portal")),
        )
            .into_response(),
        Err(e) => {
            let api = crate::error::ApiError::from(e);
            let status = if api.status == StatusCode::TOO_MANY_REQUESTS {
                api.status
            } else {
                StatusCode::UNAUTHORIZED
            };
            let mut form = login_form(&s, &ctx, api.detail);
            form.next = form_next;
            render(status, &form)
        }
    }
}

#[derive(Template)]
#[template(path = "register.html")]
struct Register {
    layout: Layout,
    resident_id: String,
    /// Errors by their inputs (issue #22 point 3); the password is never shown again.
    errors: FormErrors,
    notice: String,
    oidc: bool,
}

fn register_form(s: &AppState, ctx: &Ctx, resident_id: String) -> Register {
    Register {
        layout: Layout::new("开通账号", ctx, "/portal/register"),
        resident_id,
        errors: FormErrors::none(),
        notice: String::new(),
        oidc: s.oidc.is_some(),
    }
}

pub async fn register_page(State(s): State<AppState>, ctx: Ctx) -> Response {
    render(StatusCode::OK, &register_form(&s, &ctx, String::new()))
}

#[derive(Deserialize)]
pub struct RegisterForm {
    #[serde(default)]
    resident_id: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    password: String,
}

pub async fn register_submit(
    State(s): State<AppState>,
    ctx: Ctx,
    client: ClientAddr,
    Form(f): Form<RegisterForm>,
) -> Response {
    let rid = f.resident_id.clone();
    let input = RegisterInput {
        resident_id: f.resident_id,
        code: f.code,
        password: f.password,
    };
    match identity::register(&s.app, ctx.op(), client.as_str(), input).await {
        Ok((session, _)) => (session_cookie(&s, &session), Redirect::to("/portal")).into_response(),
        Err(e @ AppError::Validation(_)) => {
            let mut p = register_form(&s, &ctx, rid);
            let fields = [
                ("resident_id", "resident_id"),
                ("code", "code"),
                ("password", "password"),
            ];
            p.errors = FormErrors::from_error(e, &fields);
            render(p.errors.status(), &p)
        }
        Err(e) => {
            let api = crate::error::ApiError::from(e);
            let mut p = register_form(&s, &ctx, rid);
            p.errors = FormErrors::general(api.detail);
            render(api.status, &p)
        }
    }
}

#[derive(Deserialize)]
pub struct SmsForm {
    #[serde(default)]
    resident_id: String,
}

pub async fn sms_submit(
    State(s): State<AppState>,
    ctx: Ctx,
    client: ClientAddr,
    Form(f): Form<SmsForm>,
) -> Response {
    let input = SmsCodeInput {
        resident_id: f.resident_id.clone(),
    };
    let res =
        identity::request_sms_code(&s.app, s.sms.as_ref(), ctx.op(), client.as_str(), &input).await;
    let mut p = register_form(&s, &ctx, f.resident_id);
    match res {
        Ok(()) => {
            p.notice = identity::SMS_SENT.to_owned();
            render(StatusCode::OK, &p)
        }
        Err(e @ AppError::Validation(_)) => {
            p.errors = FormErrors::from_error(e, &[("resident_id", "sms_resident_id")]);
            render(p.errors.status(), &p)
        }
        Err(e) => {
            let api = crate::error::ApiError::from(e);
            p.errors = FormErrors::general(api.detail);
            render(api.status, &p)
        }
    }
}

/// The browser-bound state of a sign-in at the identity platform.
const OIDC_COOKIE: &str = "pl_oidc";

/// Send the browser to the province's identity platform.
pub async fn oidc_start(State(s): State<AppState>, ctx: Ctx, client: ClientAddr) -> Response {
    let Some(oidc) = s.oidc.clone() else {
        return page_error(
            &ctx,
            AppError::NotFound("统一身份认证（未配置）".to_owned()),
            "/portal/login",
        );
    };
    match identity::oidc::begin(&s.app, &oidc, ctx.op(), client.as_str()).await {
        Ok(start) => {
            let secure = if s.config.cookie_secure {
                "; Secure"
            } else {
                ""
            };
            let cookie = format!(
                "{OIDC_COOKIE}={}; Path=/portal/oidc; HttpOnly; SameSite=Lax; Max-Age=600{secure}",
                start.state
            );
            let mut res = Redirect::to(&start.url).into_response();
            if let Ok(v) = axum::http::HeaderValue::from_str(&cookie) {
                res.headers_mut().insert(axum::http::header::SET_COOKIE, v);
            }
            res
        }
        Err(e) => page_error(&ctx, e, "/portal/login"),
    }
}

#[derive(Deserialize)]
pub struct OidcCallback {
    #[serde(default)]
    state: String,
    #[serde(default)]
    code: String,
}

/// The identity platform sends the browser back here with a code.
pub async fn oidc_callback(
    State(s): State<AppState>,
    ctx: Ctx,
    client: ClientAddr,
    headers: axum::http::HeaderMap,
    axum::extract::Query(q): axum::extract::Query<OidcCallback>,
) -> Response {
    let Some(oidc) = s.oidc.clone() else {
        return page_error(
            &ctx,
            AppError::NotFound("统一身份认证（未配置）".to_owned()),
            "/portal/login",
        );
    };
    let bound = crate::ctx::cookie_value(&headers, OIDC_COOKIE);
    let cb = identity::oidc::Callback {
        bound_state: bound.as_deref(),
        state: &q.state,
        code: &q.code,
    };
    match identity::oidc::finish(&s.app, &oidc, ctx.op(), client.as_str(), cb).await {
        Ok((session, _)) => {
            let mut res = (session_cookie(&s, &session), Redirect::to("/portal")).into_response();
            let clear =
                format!("{OIDC_COOKIE}=; Path=/portal/oidc; HttpOnly; SameSite=Lax; Max-Age=0");
            if let Ok(v) = axum::http::HeaderValue::from_str(&clear) {
                res.headers_mut().append(axum::http::header::SET_COOKIE, v);
            }
            res
        }
        Err(e) => page_error(&ctx, e, "/portal/login"),
    }
}

pub async fn logout(State(s): State<AppState>, ctx: Ctx) -> Response {
    if let Credential::Session { token, .. } = &ctx.credential
        && let Err(e) = auth::logout(&s.app, &ctx.actor, token).await
    {
        return page_error(&ctx, e, "/");
    }
    (clear_cookie(), Redirect::to("/")).into_response()
}

pub struct AccessLine {
    time: String,
    unit: String,
    role: String,
    act: String,
    purpose: String,
    case_no: String,
}

fn access_lines(v: Vec<applicants::AccessView>) -> Vec<AccessLine> {
    v.into_iter()
        .map(|r| AccessLine {
            time: local_time(r.at),
            unit: r.unit,
            role: r.role,
            act: r.act,
            purpose: r.purpose,
            case_no: r.case_no,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "portal.html")]
struct PortalHome {
    layout: Layout,
    name: String,
    resident_id_masked: String,
    entities: Vec<Entity>,
    /// The newest accesses (the whole list is on its own page).
    records: Vec<AccessLine>,
    total: usize,
}

fn portal_only(ctx: &Ctx) -> Option<Response> {
    if ctx.actor.kind == ActorKind::Portal {
        return None;
    }
    Some(match ctx.actor.kind {
        ActorKind::Anonymous => Redirect::to("/portal/login").into_response(),
        _ => page_error(
            ctx,
            AppError::forbidden("此页面供群众和企业使用，工作人员请使用工作台"),
            "/workbench",
        ),
    })
}

pub async fn home(State(s): State<AppState>, ctx: Ctx) -> Response {
    if let Some(r) = portal_only(&ctx) {
        return r;
    }
    let me = ctx.actor.id.unwrap_or_default();
    let person = match applicants::read_person(&s.app, &ctx.actor, me, "").await {
        Ok(p) => p,
        Err(e) => return page_error(&ctx, e, "/"),
    };
    let entities = match applicants::entities_of(&s.app, me).await {
        Ok(e) => e,
        Err(e) => return page_error(&ctx, e, "/"),
    };
    let records = match applicants::access_view(&s.app, &ctx.actor, &format!("person:{me}")).await {
        Ok(r) => r,
        Err(e) => return page_error(&ctx, e, "/"),
    };
    let total = records.len();
    let p = PortalHome {
        layout: Layout::new("我的办事", &ctx, "/portal"),
        name: person.name,
        resident_id_masked: person.resident_id_masked,
        entities,
        records: access_lines(records.into_iter().take(3).collect()),
        total,
    };
    render(StatusCode::OK, &p)
}

#[derive(Template)]
#[template(path = "portal_access_log.html")]
struct AccessLogPage {
    layout: Layout,
    records: Vec<AccessLine>,
}

/// 谁查阅了我的信息 (A2 §12): every access by others, newest first, one row each.
pub async fn access_log_page(State(s): State<AppState>, ctx: Ctx) -> Response {
    if let Some(r) = portal_only(&ctx) {
        return r;
    }
    let me = ctx.actor.id.unwrap_or_default();
    match applicants::access_view(&s.app, &ctx.actor, &format!("person:{me}")).await {
        Ok(r) => render(
            StatusCode::OK,
            &AccessLogPage {
                layout: Layout::new("谁查阅了我的信息", &ctx, "/portal/access-log"),
                records: access_lines(r),
            },
        ),
        Err(e) => page_error(&ctx, e, "/portal"),
    }
}
