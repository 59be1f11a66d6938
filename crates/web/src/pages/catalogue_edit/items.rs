//! The item form's handlers: a new item, and an item edited against the version the form
//! was read at.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use proofless_app::catalogue::items::ProofItem;
use proofless_app::catalogue::{draft, items};
use proofless_app::{AppError, FieldError};
use proofless_domain::role::Role;
use serde::Deserialize;

use super::page::{FormCtx, choices, form_page};
use super::state::{FormState, ItemForm};
use super::{EDITORS, MAX_ROWS, MIN_BASIS_ROWS, MIN_METHOD_ROWS};
use crate::AppState;
use crate::ctx::Ctx;
use crate::pages::render;
use crate::pages::session::{page_error, require_staff};

pub(super) fn require_editor(ctx: &Ctx) -> Result<(), AppError> {
    require_staff(ctx)?;
    ctx.actor.require_any(&EDITORS)
}

#[derive(Deserialize, Default)]
pub struct Msg {
    msg: Option<String>,
}

/// `GET /catalogue/items/new`: the empty form.
pub async fn new_page(State(s): State<AppState>, ctx: Ctx) -> Response {
    if let Err(e) = require_editor(&ctx) {
        return page_error(&ctx, e, "/workbench");
    }
    let c = match choices(&s, &ctx.actor).await {
        Ok(c) => c,
        Err(e) => return page_error(&ctx, e, "/catalogue/items"),
    };
    let st = FormState::blank(&ctx.actor);
    let fc = FormCtx {
        heading: "新增证明事项".to_owned(),
        action: "/catalogue/items/new".to_owned(),
        item: None,
        message: String::new(),
        error: String::new(),
        show_blocking: false,
    };
    render(StatusCode::OK, &form_page(&ctx, &c, &st, &[], fc))
}

/// "再加一行": one more empty row of legal bases or methods, nothing saved.
fn add_row(st: &mut FormState, action: &str) -> bool {
    match action {
        "add_basis" => {
            while st.bases.len() < MIN_BASIS_ROWS {
                st.bases.push(Default::default());
            }
            if st.bases.len() < MAX_ROWS {
                st.bases.push(Default::default());
            }
            true
        }
        "add_method" => {
            while st.methods.len() < MIN_METHOD_ROWS {
                st.methods.push(Default::default());
            }
            if st.methods.len() < MAX_ROWS {
                st.methods.push(Default::default());
            }
            true
        }
        _ => false,
    }
}

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn validation(e: AppError) -> Result<Vec<FieldError>, AppError> {
    match e {
        AppError::Validation(v) => Ok(v),
        other => Err(other),
    }
}

/// `POST /catalogue/items/new`: save a draft, or bring the form back with every value.
pub async fn create_submit(
    State(s): State<AppState>,
    ctx: Ctx,
    Form(f): Form<ItemForm>,
) -> Response {
    if let Err(e) = require_editor(&ctx) {
        return page_error(&ctx, e, "/workbench");
    }
    let (mut st, parse_errors) = FormState::parse(&f);
    if !ctx.actor.has_any(&[Role::JointOffice, Role::SystemAdmin]) {
        st.owner_org_id = ctx.actor.org_id;
    }
    let c = match choices(&s, &ctx.actor).await {
        Ok(c) => c,
        Err(e) => return page_error(&ctx, e, "/catalogue/items"),
    };
    let fc = |error: String, show_blocking: bool| FormCtx {
        heading: "新增证明事项".to_owned(),
        action: "/catalogue/items/new".to_owned(),
        item: None,
        message: String::new(),
        error,
        show_blocking,
    };
    if add_row(&mut st, &f.action) {
        return render(
            StatusCode::OK,
            &form_page(&ctx, &c, &st, &parse_errors, fc(String::new(), false)),
        );
    }
    if !parse_errors.is_empty() {
        return render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &form_page(&ctx, &c, &st, &parse_errors, fc(String::new(), true)),
        );
    }
    let (input, _, _) = st.input();
    let saved = match input.parse() {
        Ok(d) => draft::create(&s.app, &ctx.actor, &d).await,
        Err(e) => Err(e),
    };
    match saved {
        Ok(item) => Redirect::to(&format!(
            "/catalogue/items/{}/edit?msg={}",
            item.id,
            enc("已保存为草稿")
        ))
        .into_response(),
        Err(e) => match validation(e) {
            Ok(list) => render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &form_page(
                    &ctx,
                    &c,
                    &st,
                    &list,
                    fc(
                        "请按提示修改后重新保存，您填写的内容都已保留。".to_owned(),
                        true,
                    ),
                ),
            ),
            Err(e @ (AppError::Forbidden(_) | AppError::Unauthenticated)) => {
                page_error(&ctx, e, "/catalogue/items")
            }
            Err(e) => {
                let api = crate::error::ApiError::from(e);
                render(
                    api.status,
                    &form_page(&ctx, &c, &st, &[], fc(api.detail, true)),
                )
            }
        },
    }
}

/// `GET /catalogue/items/{id}/edit`: the saved item in the form, with what blocks it.
pub async fn edit_page(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(m): Query<Msg>,
) -> Response {
    if let Err(e) = require_editor(&ctx) {
        return page_error(&ctx, e, "/workbench");
    }
    let item = match items::get(&s.app, &ctx.actor, id).await {
        Ok(i) => i,
        Err(e) => return page_error(&ctx, e, "/catalogue/items"),
    };
    let c = match choices(&s, &ctx.actor).await {
        Ok(c) => c,
        Err(e) => return page_error(&ctx, e, "/catalogue/items"),
    };
    let st = FormState::of_item(&item);
    let fc = FormCtx {
        heading: format!("编辑证明事项：{}", item.item.name),
        action: format!("/catalogue/items/{id}/edit"),
        item: Some(&item),
        message: m.msg.unwrap_or_default(),
        error: String::new(),
        show_blocking: true,
    };
    render(StatusCode::OK, &form_page(&ctx, &c, &st, &[], fc))
}

/// `POST /catalogue/items/{id}/edit`: save against the version the form was read at.
pub async fn edit_submit(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<ItemForm>,
) -> Response {
    if let Err(e) = require_editor(&ctx) {
        return page_error(&ctx, e, "/workbench");
    }
    let item = match items::get(&s.app, &ctx.actor, id).await {
        Ok(i) => i,
        Err(e) => return page_error(&ctx, e, "/catalogue/items"),
    };
    let (mut st, mut parse_errors) = FormState::parse(&f);
    // The unit is not changed through the form.
    st.owner_org_id = Some(item.item.owner_org_id);
    let c = match choices(&s, &ctx.actor).await {
        Ok(c) => c,
        Err(e) => return page_error(&ctx, e, "/catalogue/items"),
    };
    let heading = format!("编辑证明事项：{}", item.item.name);
    let page = |st: &FormState,
                item: &ProofItem,
                errors: &[FieldError],
                error: String,
                show_blocking: bool| {
        form_page(
            &ctx,
            &c,
            st,
            errors,
            FormCtx {
                heading: heading.clone(),
                action: format!("/catalogue/items/{id}/edit"),
                item: Some(item),
                message: String::new(),
                error,
                show_blocking,
            },
        )
    };
    if add_row(&mut st, &f.action) {
        return render(
            StatusCode::OK,
            &page(&st, &item, &parse_errors, String::new(), false),
        );
    }
    let Some(version) = st.version else {
        parse_errors.push(FieldError::new(
            "version",
            "表单缺少版本号，请重新打开编辑页面",
        ));
        return render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &page(&st, &item, &parse_errors, String::new(), true),
        );
    };
    if !parse_errors.is_empty() {
        return render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &page(&st, &item, &parse_errors, String::new(), true),
        );
    }
    let (input, _, _) = st.input();
    let saved = match input.parse() {
        Ok(d) => draft::update(&s.app, &ctx.actor, id, Some(version), &d).await,
        Err(e) => Err(e),
    };
    match saved {
        Ok(saved) => Redirect::to(&format!(
            "/catalogue/items/{}/edit?msg={}",
            saved.id,
            enc(&format!("已保存（第 {} 版）", saved.version))
        ))
        .into_response(),
        Err(AppError::PreconditionFailed) => {
            // Someone saved in between: say so, keep the user's input, and let a second
            // deliberate save replace the newer version.
            let current = items::get(&s.app, &ctx.actor, id).await.unwrap_or(item);
            let msg = format!(
                "此事项已被他人修改：您打开的是第 {version} 版，现在是第 {} 版。您填写的内容保留在下方，未保存；请核对后再次保存（将覆盖对方的修改），或重新打开页面查看最新内容。",
                current.version
            );
            st.version = Some(current.version);
            render(StatusCode::CONFLICT, &page(&st, &current, &[], msg, true))
        }
        Err(e) => match validation(e) {
            Ok(list) => render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &page(
                    &st,
                    &item,
                    &list,
                    "请按提示修改后重新保存，您填写的内容都已保留。".to_owned(),
                    true,
                ),
            ),
            Err(
                e @ (AppError::Forbidden(_) | AppError::Unauthenticated | AppError::NotFound(_)),
            ) => page_error(&ctx, e, "/catalogue/items"),
            Err(e) => {
                let api = crate::error::ApiError::from(e);
                render(api.status, &page(&st, &item, &[], api.detail, true))
            }
        },
    }
}
