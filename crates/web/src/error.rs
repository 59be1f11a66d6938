//! One place maps engine errors to responses: RFC 9457 problem+json in Chinese, with
//! the operation id so a clerk can quote it to support.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use proofless_app::{AppError, FieldError};
use serde::Serialize;
use serde::de::DeserializeOwned;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub kind: &'static str,
    pub title: String,
    pub detail: String,
    pub errors: Vec<FieldError>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub type_: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<Object>)]
    pub errors: Vec<FieldError>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operation_id: Option<String>,
}

impl ApiError {
    pub fn new(
        status: StatusCode,
        kind: &'static str,
        title: &str,
        detail: impl Into<String>,
    ) -> ApiError {
        ApiError {
            status,
            kind,
            title: title.to_owned(),
            detail: detail.into(),
            errors: vec![],
        }
    }

    pub fn field(status: StatusCode, field: &str, message: impl Into<String>) -> ApiError {
        let message = message.into();
        ApiError {
            status,
            kind: "validation",
            title: "输入有误".to_owned(),
            detail: message.clone(),
            errors: vec![FieldError::new(field, message)],
        }
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> ApiError {
        match e {
            AppError::Validation(errors) => {
                let detail = errors
                    .iter()
                    .map(|e| e.message.clone())
                    .collect::<Vec<_>>()
                    .join("；");
                ApiError {
                    status: StatusCode::UNPROCESSABLE_ENTITY,
                    kind: "validation",
                    title: "输入有误".to_owned(),
                    detail,
                    errors,
                }
            }
            AppError::NotFound(what) => ApiError::new(
                StatusCode::NOT_FOUND,
                "not-found",
                "未找到",
                format!("未找到{what}"),
            ),
            AppError::Unauthenticated => ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "请先登录",
                "请先登录后再操作",
            ),
            AppError::Forbidden(m) => {
                ApiError::new(StatusCode::FORBIDDEN, "forbidden", "无权操作", m)
            }
            AppError::Conflict(m) => {
                ApiError::new(StatusCode::CONFLICT, "conflict", "与现有数据冲突", m)
            }
            AppError::PreconditionFailed => ApiError::new(
                StatusCode::PRECONDITION_FAILED,
                "precondition-failed",
                "数据已被修改",
                "数据已被他人修改，请刷新后重试",
            ),
            AppError::Throttled(min) => ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "throttled",
                "尝试次数过多",
                format!("登录失败次数过多，请 {min} 分钟后再试"),
            ),
            AppError::Store(e) => {
                tracing::error!(error = %e, "database error");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "服务器内部错误",
                    "数据库操作失败，请稍后重试",
                )
            }
            AppError::Internal(m) => {
                tracing::error!(error = %m, "internal error");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "服务器内部错误",
                    "服务器内部错误，请稍后重试",
                )
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Problem {
            type_: format!("urn:proofless:problem:{}", self.kind),
            title: self.title,
            status: self.status.as_u16(),
            detail: self.detail,
            errors: self.errors,
            // Filled in by the operation-id layer, which sees every response.
            operation_id: None,
        };
        let mut res = (self.status, axum::Json(body)).into_response();
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        res
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// JSON body extractor whose every rejection is a Chinese problem+json.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(rej) => Err(json_rejection(rej)),
        }
    }
}

fn json_rejection(rej: JsonRejection) -> ApiError {
    match rej {
        JsonRejection::MissingJsonContentType(_) => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "请求格式不支持",
            "请求体必须是 JSON（Content-Type: application/json）",
        ),
        JsonRejection::JsonSyntaxError(_) => ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed-json",
            "JSON 格式错误",
            "JSON 格式错误：请检查括号、引号和逗号是否成对、完整".to_owned(),
        ),
        JsonRejection::JsonDataError(e) => {
            let text = e.body_text();
            let field = text
                .split(": ")
                .next()
                .unwrap_or("")
                .trim_start_matches("Failed to deserialize the JSON body into the target type")
                .to_owned();
            ApiError {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                kind: "validation",
                title: "输入有误".to_owned(),
                detail: format!("字段类型或名称不正确：{}", translate_serde(&text)),
                errors: vec![FieldError::new(
                    if field.is_empty() {
                        "body".to_owned()
                    } else {
                        field
                    },
                    translate_serde(&text),
                )],
            }
        }
        JsonRejection::BytesRejection(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            too_large()
        }
        other => ApiError::new(other.status(), "bad-request", "请求无效", "请求无效"),
    }
}

pub fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload-too-large",
        "请求体过大",
        format!("请求体超过上限 {} KB", crate::BODY_LIMIT / 1024),
    )
}

/// serde's English messages said in Chinese, naming the field when serde names it
/// (`page: invalid digit found in string` → 字段“page”不是有效的数字); nothing English
/// is passed on (issue #22 point 1).
fn translate_serde(text: &str) -> String {
    let t = text.trim_start_matches("Failed to deserialize the JSON body into the target type: ");
    if let Some(rest) = t.split("unknown field `").nth(1) {
        let name = rest.split('`').next().unwrap_or("");
        return format!("不认识的字段“{name}”");
    }
    if let Some(rest) = t.split("missing field `").nth(1) {
        let name = rest.split('`').next().unwrap_or("");
        return format!("缺少必填字段“{name}”");
    }
    let (field, message) = split_path(t);
    let what = if message.contains("invalid digit") || message.contains("invalid float") {
        "不是有效的数字"
    } else if message.contains("empty string") {
        "不能为空"
    } else if message.contains("too large") || message.contains("too small") {
        "超出允许的范围"
    } else if message.contains("`true` or `false`") || message.contains("expected a boolean") {
        "应为是或否（true 或 false）"
    } else if message.contains("unknown variant") {
        "不是可选的值"
    } else if message.contains("invalid type") {
        "类型不正确"
    } else {
        "取值无效"
    };
    match field {
        Some(f) => format!("字段“{f}”{what}"),
        None => what.to_owned(),
    }
}

/// `items[0].name: invalid type…` → (`items[0].name`, `invalid type…`).
fn split_path(t: &str) -> (Option<&str>, &str) {
    match t.split_once(": ") {
        Some((path, rest))
            if !path.is_empty()
                && path
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_.[]".contains(c)) =>
        {
            (Some(path), rest)
        }
        _ => (None, t),
    }
}

/// Query-string extractor with Chinese errors.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(ApiQuery(v)),
            Err(e) => Err(query_rejection(e)),
        }
    }
}

fn query_rejection(e: QueryRejection) -> ApiError {
    let text = e.body_text();
    let rest = text
        .strip_prefix("Failed to deserialize query string: ")
        .unwrap_or(&text);
    let message = format!("查询参数无效：{}", translate_serde(rest));
    ApiError {
        status: StatusCode::BAD_REQUEST,
        kind: "bad-query",
        title: "查询参数无效".to_owned(),
        detail: message.clone(),
        errors: split_path(rest)
            .0
            .map(|f| vec![FieldError::new(f, message)])
            .unwrap_or_default(),
    }
}

/// The fallback: a page for a browser that navigated to an unknown address, a
/// problem+json for everything else (API clients, feeds readers, scripts).
pub async fn not_found(req: Request) -> Response {
    let path = req.uri().path().to_owned();
    if !path.starts_with("/api/") && wants_html(req.headers()) {
        return crate::pages::not_found_page().into_response();
    }
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not-found",
        "未找到",
        format!("地址 {path} 不存在"),
    )
    .into_response()
}

fn wants_html(h: &axum::http::HeaderMap) -> bool {
    h.get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"))
}

/// Every error leaves as problem+json (or as an HTML page a handler rendered itself):
/// axum's own rejections (a path segment that is not a number, a bad query string or
/// form, a wrong method, a body over the limit) are plain text in English, and are
/// rewritten here, in Chinese, naming the parameter when axum names it.
pub async fn problem_layer(req: Request, next: axum::middleware::Next) -> Response {
    let method = req.method().clone();
    let page = is_page_request(&req);
    // The route's template names the parameter when axum's message does not ("{id}").
    let single_param = req
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .and_then(|m| {
            let names: Vec<&str> = m
                .as_str()
                .split('{')
                .skip(1)
                .filter_map(|s| s.split_once('}').map(|(n, _)| n))
                .collect();
            (names.len() == 1).then(|| names[0].to_owned())
        });
    let res = next.run(req).await;
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    let ct = res
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.as_bytes().to_vec())
        .unwrap_or_default();
    if ct.starts_with(b"application/problem+json") || ct.starts_with(b"text/html") {
        return res;
    }
    if page && !status.is_server_error() && status != StatusCode::METHOD_NOT_ALLOWED {
        // A page address that does not parse (a path id that is no number, a query or
        // form value of the wrong type): the visitor gets a page in plain Chinese, without
        // the parameter's technical name (issue #22 point 1).
        return crate::pages::bad_address_page(status);
    }
    let (parts, body) = res.into_parts();
    let text = match axum::body::to_bytes(body, 64 * 1024).await {
        Ok(b) => String::from_utf8_lossy(&b).into_owned(),
        Err(_) => String::new(),
    };
    let mut out = rejection_problem(status, &method, &text, single_param).into_response();
    // Keep what the rejection said about the protocol (e.g. `Allow` on a 405).
    if let Some(allow) = parts.headers.get(header::ALLOW) {
        out.headers_mut().insert(header::ALLOW, allow.clone());
    }
    out
}

/// A request for a page rather than the API: outside `/api/`, from a client that does not
/// ask for JSON only.
fn is_page_request(req: &Request) -> bool {
    if req.uri().path().starts_with("/api/") {
        return false;
    }
    let accept = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    !(accept.contains("json") && !accept.contains("text/html"))
}

fn rejection_problem(
    status: StatusCode,
    method: &axum::http::Method,
    text: &str,
    single_param: Option<String>,
) -> ApiError {
    match status {
        StatusCode::METHOD_NOT_ALLOWED => ApiError::new(
            status,
            "method-not-allowed",
            "请求方法不允许",
            format!("此地址不支持 {method} 请求"),
        ),
        StatusCode::PAYLOAD_TOO_LARGE => too_large(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ApiError::new(
            status,
            "unsupported-media-type",
            "请求格式不支持",
            "请求格式不支持：请以 JSON 或表单提交".to_owned(),
        ),
        StatusCode::NOT_FOUND => ApiError::new(status, "not-found", "未找到", "请求的资源不存在"),
        _ if status.is_server_error() => {
            tracing::error!(status = %status, body = %text, "plain-text server error");
            ApiError::new(
                status,
                "internal",
                "服务器内部错误",
                "服务器内部错误，请稍后重试",
            )
        }
        _ => {
            let (field, message) = translate_rejection(text, single_param);
            ApiError {
                status,
                kind: "bad-request",
                title: "请求无效".to_owned(),
                detail: message.clone(),
                errors: field
                    .map(|f| vec![FieldError::new(f, message)])
                    .unwrap_or_default(),
            }
        }
    }
}

/// axum's rejection texts, said in Chinese, with the parameter named when axum gives it.
fn translate_rejection(text: &str, single_param: Option<String>) -> (Option<String>, String) {
    let quoted: Vec<&str> = text.split('`').skip(1).step_by(2).collect();
    if text.starts_with("Invalid URL") {
        // "Cannot parse `abc` to a `i64`" (a lone `Path<T>`: the route has one parameter)
        if !text.contains("with value") && quoted.len() >= 2 {
            let (value, ty) = (quoted[0], quoted[1]);
            let name = single_param.unwrap_or_else(|| "path".to_owned());
            return (
                Some(name.clone()),
                format!("路径参数“{name}”的值“{value}”不是有效的{}", type_name(ty)),
            );
        }
        // "Cannot parse `id` with value `abc` to a `i64`"
        if text.contains("with value") && quoted.len() >= 3 {
            let (key, value, ty) = (quoted[0], quoted[1], quoted[2]);
            return (
                Some(key.to_owned()),
                format!("路径参数“{key}”的值“{value}”不是有效的{}", type_name(ty)),
            );
        }
        return (None, "网址中的参数无效".to_owned());
    }
    if let Some(rest) = text.strip_prefix("Failed to deserialize query string: ") {
        let field = field_of(rest);
        return (field, format!("查询参数无效：{}", translate_serde(rest)));
    }
    if let Some(rest) = text.strip_prefix("Failed to deserialize form body: ") {
        let field = field_of(rest);
        return (field, format!("表单字段无效：{}", translate_serde(rest)));
    }
    if let Some(rest) = text.strip_prefix("Failed to deserialize form: ") {
        let field = field_of(rest);
        return (field, format!("表单字段无效：{}", translate_serde(rest)));
    }
    (None, "请求无效".to_owned())
}

/// serde_urlencoded names the field as `field: message` or in backquotes.
fn field_of(rest: &str) -> Option<String> {
    if let Some(path) = split_path(rest).0 {
        return Some(path.to_owned());
    }
    let name = rest.split('`').nth(1)?;
    Some(name.to_owned())
}

fn type_name(ty: &str) -> &'static str {
    match ty {
        "i8" | "i16" | "i32" | "i64" | "u8" | "u16" | "u32" | "u64" | "usize" | "isize" => "整数",
        "f32" | "f64" => "数字",
        "bool" => "布尔值（true/false）",
        _ => "值",
    }
}
