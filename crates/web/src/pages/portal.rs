//! The citizens' portal: login, registration, and who looked at my data.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use proofless_app::applicants::{self, Entity};
use proofless_app::identity::{self, PortalLoginInput, RegisterInput};
use proofless_app::{ActorKind, AppError, auth};

use super::admin::local_time;
use axum_extra::extract::Form;
use serde::Deserialize;

use super::session::{Login, LoginForm, page_error};
use super::{Layout, render};
use crate::AppState;
use crate::api::auth::{clear_cookie, session_cookie};
use crate::ctx::{Credential, Ctx};

fn login_form(ctx: &Ctx, login: String, error: String) -> Login {
    Login {
        layout: Layout::new("群众和企业登录", ctx, "/portal/login"),
        heading: "群众和企业登录",
        action: "/portal/login",
        login_label: "居民身份证号码",
        login,
        error,
        portal: true,
    }
}

pub async fn login_page(ctx: Ctx) -> Response {
    if ctx.actor.kind == ActorKind::Portal {
        return Redirect::to("/portal").into_response();
    }
    render(
        StatusCode::OK,
        &login_form(&ctx, String::new(), String::new()),
    )
}

pub async fn login_submit(
    State(s): State<AppState>,
    ctx: Ctx,
    Form(f): Form<LoginForm>,
) -> Response {
    let input = PortalLoginInput {
        resident_id: f.login,
        password: f.password,
    };
    match identity::login(&s.app, s.identity.as_ref(), ctx.op(), &input).await {
        Ok((session, _)) => (session_cookie(&s, &session), Redirect::to("/portal")).into_response(),
        Err(e) => {
            let msg = crate::error::ApiError::from(e).detail;
            render(
                StatusCode::UNAUTHORIZED,
                &login_form(&ctx, String::new(), msg),
            )
        }
    }
}

#[derive(Template)]
#[template(path = "register.html")]
struct Register {
    layout: Layout,
    resident_id: String,
    name: String,
    phone: String,
    error: String,
}

pub async fn register_page(ctx: Ctx) -> Response {
    let p = Register {
        layout: Layout::new("注册", &ctx, "/portal/register"),
        resident_id: String::new(),
        name: String::new(),
        phone: String::new(),
        error: String::new(),
    };
    render(StatusCode::OK, &p)
}

#[derive(Deserialize)]
pub struct RegisterForm {
    #[serde(default)]
    resident_id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    password: String,
}

pub async fn register_submit(
    State(s): State<AppState>,
    ctx: Ctx,
    Form(f): Form<RegisterForm>,
) -> Response {
    let phone = f.phone;
    let input = RegisterInput {
        resident_id: f.resident_id,
        name: f.name,
        phone: if phone.trim().is_empty() {
            None
        } else {
            Some(phone.clone())
        },
        password: f.password,
    };
    let (rid, name) = (input.resident_id.clone(), input.name.clone());
    match identity::register(&s.app, ctx.op(), input).await {
        Ok((session, _)) => (session_cookie(&s, &session), Redirect::to("/portal")).into_response(),
        Err(e) => {
            let msg = crate::error::ApiError::from(e).detail;
            let p = Register {
                layout: Layout::new("注册", &ctx, "/portal/register"),
                resident_id: rid,
                name,
                phone,
                error: msg,
            };
            render(StatusCode::UNPROCESSABLE_ENTITY, &p)
        }
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
    who: String,
    unit: String,
    purpose: String,
}

#[derive(Template)]
#[template(path = "portal.html")]
struct PortalHome {
    layout: Layout,
    name: String,
    resident_id_masked: String,
    entities: Vec<Entity>,
    records: Vec<AccessLine>,
}

pub async fn home(State(s): State<AppState>, ctx: Ctx) -> Response {
    if ctx.actor.kind != ActorKind::Portal {
        return match ctx.actor.kind {
            ActorKind::Anonymous => Redirect::to("/portal/login").into_response(),
            _ => page_error(
                &ctx,
                AppError::forbidden("此页面供群众和企业使用，工作人员请使用工作台"),
                "/workbench",
            ),
        };
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
    let (records, _) =
        match applicants::access_log(&s.app, &ctx.actor, &format!("person:{me}"), 100, 0).await {
            Ok(r) => r,
            Err(e) => return page_error(&ctx, e, "/"),
        };
    let p = PortalHome {
        layout: Layout::new("我的办事", &ctx, "/portal"),
        name: person.name,
        resident_id_masked: person.resident_id_masked,
        entities,
        records: records
            .into_iter()
            .map(|r| AccessLine {
                time: local_time(r.at),
                who: r.who,
                unit: r.unit.unwrap_or_default(),
                purpose: r.purpose,
            })
            .collect(),
    };
    render(StatusCode::OK, &p)
}
