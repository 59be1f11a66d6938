//! The `.xlsx` import page (issue #3 §7; real county lists, SPEC "Real lists"): upload, then
//! the report in Chinese — the columns read and those ignored, every error and every warning
//! of every row — and the drafts created with links.

use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use proofless_app::catalogue::import::{self, ImportOutcome, ImportedItem};
use proofless_app::catalogue::xlsx;
use proofless_app::orgs::{self, OrgFilter};
use proofless_app::page::PageRequest;
use proofless_app::{AppError, FieldError};
use proofless_domain::role::Role;

use super::COUNTY;
use super::items::require_editor;
use super::page::{Opt, with_blank};
use crate::AppState;
use crate::ctx::Ctx;
use crate::pages::session::page_error;
use crate::pages::{Layout, render};
use crate::upload::{self, Upload, UploadError};

pub struct RowProblem {
    pub row: String,
    pub column: String,
    pub message: String,
}

pub struct ImportResult {
    /// Whether anything was written.
    pub written: bool,
    pub sheet: String,
    pub header_row: u32,
    /// "表头（读作 字段）", in sheet order.
    pub columns: Vec<String>,
    pub ignored_columns: Vec<String>,
    pub created: Vec<ImportedItem>,
    pub service_items_created: usize,
    pub problems: Vec<RowProblem>,
    pub warnings: Vec<RowProblem>,
}

impl ImportResult {
    fn of(out: ImportOutcome) -> ImportResult {
        ImportResult {
            written: out.written,
            sheet: out.sheet,
            header_row: out.header_row,
            columns: out
                .columns
                .iter()
                .map(|c| {
                    if c.header == c.field {
                        c.header.clone()
                    } else {
                        format!("{}（读作“{}”）", c.header, c.field)
                    }
                })
                .collect(),
            ignored_columns: out.ignored_columns,
            created: out.created,
            service_items_created: out.service_items_created,
            problems: out.errors.iter().map(problem).collect(),
            warnings: out.warnings.iter().map(problem).collect(),
        }
    }

    /// A file-level refusal: nothing read.
    fn refused(list: &[FieldError]) -> ImportResult {
        ImportResult {
            written: false,
            sheet: String::new(),
            header_row: 0,
            columns: vec![],
            ignored_columns: vec![],
            created: vec![],
            service_items_created: 0,
            problems: list.iter().map(problem).collect(),
            warnings: vec![],
        }
    }
}

#[derive(Template)]
#[template(path = "catalogue_import.html")]
struct ImportPage {
    layout: Layout,
    error: String,
    owner_opts: Vec<Opt>,
    owner_err: String,
    good_rows: bool,
    max_kb: usize,
    result: Option<ImportResult>,
}

fn problem(e: &FieldError) -> RowProblem {
    // `rows[5].开具单位` with "第 5 行“开具单位”：…"; anything else is about the file.
    if let Some(rest) = e.field.strip_prefix("rows[")
        && let Some((n, col)) = rest.split_once("].")
    {
        let prefix = format!("第 {n} 行“{col}”：");
        return RowProblem {
            row: n.to_owned(),
            column: col.to_owned(),
            message: e
                .message
                .strip_prefix(&prefix)
                .unwrap_or(&e.message)
                .to_owned(),
        };
    }
    RowProblem {
        row: "—".to_owned(),
        column: match e.field.as_str() {
            "file" => "文件".to_owned(),
            "owner_org_id" => "索要单位".to_owned(),
            other => other.to_owned(),
        },
        message: e.message.clone(),
    }
}

async fn import_page_for(
    s: &AppState,
    ctx: &Ctx,
    owner: Option<i64>,
    good_rows: bool,
    error: String,
    owner_err: String,
    result: Option<ImportResult>,
) -> ImportPage {
    let owner_opts = if ctx.actor.has_any(&[Role::JointOffice, Role::SystemAdmin]) {
        let orgs = orgs::list(
            &s.app,
            &ctx.actor,
            &OrgFilter {
                region: Some(COUNTY.to_owned()),
                ..OrgFilter::default()
            },
            PageRequest {
                limit: Some(500),
                offset: None,
            },
        )
        .await
        .map(|p| p.items)
        .unwrap_or_default();
        with_blank(
            orgs.into_iter()
                .map(|o| Opt {
                    selected: owner == Some(o.id),
                    value: o.id.to_string(),
                    label: format!("{}（{}）", o.name, o.region_name),
                })
                .collect(),
            "请选择索要单位",
        )
    } else {
        vec![]
    };
    ImportPage {
        layout: Layout::new("导入证明事项", ctx, "/catalogue/items"),
        error,
        owner_opts,
        owner_err,
        good_rows,
        max_kb: import::MAX_BYTES / 1024,
        result,
    }
}

/// `GET /catalogue/import`: the upload form.
pub async fn import_page(State(s): State<AppState>, ctx: Ctx) -> Response {
    if let Err(e) = require_editor(&ctx) {
        return page_error(&ctx, e, "/workbench");
    }
    let p = import_page_for(&s, &ctx, None, false, String::new(), String::new(), None).await;
    render(StatusCode::OK, &p)
}

/// What the upload form sent.
struct Submission {
    owner: Option<i64>,
    good_rows: bool,
    upload: Upload,
}

fn too_big() -> String {
    format!(
        "文件过大：最多 {} KB，请拆分后分批导入",
        import::MAX_BYTES / 1024
    )
}

/// Read the upload form, or the page that says why it cannot be read.
async fn read_submission(
    s: &AppState,
    ctx: &Ctx,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Submission, Response> {
    let body = match body {
        Ok(b) => b,
        Err(e) => {
            let msg = if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                too_big()
            } else {
                "上传失败，请重试".to_owned()
            };
            let p = import_page_for(s, ctx, None, false, msg, String::new(), None).await;
            return Err(render(StatusCode::PAYLOAD_TOO_LARGE, &p));
        }
    };
    let upload = match upload::read(headers, body).await {
        Ok(up) => up,
        Err(e) => {
            let msg = match e {
                UploadError::NotMultipart => "请通过页面上的表单上传文件",
                UploadError::NoBoundary => "上传请求缺少分隔标记（boundary）",
                UploadError::Malformed => "上传内容格式错误",
            };
            let p = import_page_for(s, ctx, None, false, msg.to_owned(), String::new(), None).await;
            return Err(render(StatusCode::BAD_REQUEST, &p));
        }
    };
    let good_rows = upload.text("mode") == "good_rows";
    let owner_raw = upload.text("owner_org_id");
    let owner = if owner_raw.is_empty() {
        None
    } else {
        match owner_raw.parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                let p = import_page_for(
                    s,
                    ctx,
                    None,
                    good_rows,
                    String::new(),
                    "选项无效，请从列表中选择".to_owned(),
                    None,
                )
                .await;
                return Err(render(StatusCode::UNPROCESSABLE_ENTITY, &p));
            }
        }
    };
    Ok(Submission {
        owner,
        good_rows,
        upload,
    })
}

/// `POST /catalogue/import`: check the whole file; list every bad row and cell, or the
/// drafts created with links.
pub async fn import_submit(
    State(s): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    if let Err(e) = require_editor(&ctx) {
        return page_error(&ctx, e, "/workbench");
    }
    let Submission {
        owner,
        good_rows,
        upload,
    } = match read_submission(&s, &ctx, &headers, body).await {
        Ok(sub) => sub,
        Err(page) => return page,
    };
    let bytes = upload.file("file").unwrap_or(&[]);
    let (sr, cr) = (&s, &ctx);
    let refuse = move |msg: String, status: StatusCode| async move {
        let p = import_page_for(sr, cr, owner, good_rows, msg, String::new(), None).await;
        render(status, &p)
    };
    if bytes.is_empty() {
        return refuse(
            "请选择要上传的 .xlsx 文件".to_owned(),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    if bytes.len() > import::MAX_BYTES {
        return refuse(too_big(), StatusCode::PAYLOAD_TOO_LARGE).await;
    }
    match import::import(&s.app, &ctx.actor, owner, bytes, good_rows).await {
        Ok(out) => {
            let (status, error) = if out.written {
                (StatusCode::OK, String::new())
            } else {
                (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "文件有误，未导入任何事项。请按下表逐项修改后重新上传。".to_owned(),
                )
            };
            let result = ImportResult::of(out);
            let p = import_page_for(
                &s,
                &ctx,
                owner,
                good_rows,
                error,
                String::new(),
                Some(result),
            )
            .await;
            render(status, &p)
        }
        Err(AppError::Validation(list)) => {
            let p = import_page_for(
                &s,
                &ctx,
                owner,
                good_rows,
                "文件有误，未导入任何事项。".to_owned(),
                String::new(),
                Some(ImportResult::refused(&list)),
            )
            .await;
            render(StatusCode::UNPROCESSABLE_ENTITY, &p)
        }
        Err(e @ (AppError::Forbidden(_) | AppError::Unauthenticated)) => {
            page_error(&ctx, e, "/catalogue/import")
        }
        Err(e) => {
            let api = crate::error::ApiError::from(e);
            let status = api.status;
            refuse(api.detail, status).await
        }
    }
}

/// `GET /catalogue/import/template.xlsx`: an empty workbook with our header, and a sheet
/// listing every header name the import accepts (the table in force).
pub async fn import_template(State(s): State<AppState>, ctx: Ctx) -> Response {
    if let Err(e) = require_editor(&ctx) {
        return page_error(&ctx, e, "/workbench");
    }
    let bytes = match import::template(&s.app).await {
        Ok(b) => b,
        Err(e) => return page_error(&ctx, e, "/workbench"),
    };
    (
        [
            (header::CONTENT_TYPE, xlsx::CONTENT_TYPE),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"proof-items-import-template.xlsx\"",
            ),
        ],
        bytes,
    )
        .into_response()
}
