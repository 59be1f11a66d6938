//! What every operation can answer besides what its handler declares. These errors come
//! from the layers around the handlers (token check, CSRF, extractors, body limit), so
//! they are derived here from the operation's shape rather than repeated in every
//! `#[utoipa::path]`; and every error is declared as `application/problem+json` with the
//! `Problem` schema, which is what `error::problem_layer` guarantees on the wire.

use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr, ResponseBuilder};

pub const PROBLEM: &str = "application/problem+json";

/// Complete every operation of the document (see the module comment).
pub fn complete(doc: &mut OpenApi) {
    for (path, item) in doc.paths.paths.iter_mut() {
        let public = is_public(path);
        let ops = [
            (false, item.get.as_mut()),
            (false, item.head.as_mut()),
            (true, item.post.as_mut()),
            (true, item.put.as_mut()),
            (true, item.patch.as_mut()),
            (true, item.delete.as_mut()),
        ];
        for (writes, op) in ops {
            if let Some(op) = op {
                complete_operation(op, writes, public);
            }
        }
    }
}

/// Answered to anyone: no role check can refuse them.
fn is_public(path: &str) -> bool {
    path.starts_with("/api/v1/public/")
        || path.starts_with("/feeds/")
        || matches!(path, "/livez" | "/healthz" | "/api/v1/openapi.json")
}

fn complete_operation(op: &mut Operation, writes: bool, public: bool) {
    let params = op.parameters.as_deref().unwrap_or_default();
    let has_path = params.iter().any(|p| p.parameter_in == ParameterIn::Path);
    let has_query = params.iter().any(|p| p.parameter_in == ParameterIn::Query);
    let has_body = op.request_body.is_some();
    let mut generic: Vec<(&str, &str)> = vec![
        ("401", "未登录、会话已过期或接口令牌无效"),
        ("500", "服务器内部错误"),
    ];
    if has_path || has_query || has_body {
        generic.push(("400", "参数或请求体格式错误"));
    }
    if has_path {
        generic.push(("404", "路径所指的对象不存在"));
    }
    if has_query {
        // A query value of the right type that the service still refuses (a bad stage…).
        generic.push(("422", "查询参数有误（逐字段说明）"));
    }
    if writes {
        // A write names other objects (an org, a proof item) that may not exist, or
        // meets a state that forbids it.
        generic.push(("404", "所引用的对象不存在"));
        generic.push(("409", "与现有数据或当前状态冲突"));
    }
    if writes || !public {
        // Roles that may not; cookie-authenticated writes without the CSRF token.
        generic.push(("403", "无权操作，或缺少 CSRF 令牌"));
    }
    if op.responses.responses.contains_key("412") {
        // An update checked against If-Match is refused without one.
        generic.push(("428", "缺少 If-Match 请求头"));
    }
    if has_body {
        generic.push(("413", "请求体过大"));
        generic.push(("415", "请求体格式不支持"));
        generic.push(("422", "输入有误（逐字段说明）"));
    }
    for (status, description) in generic {
        op.responses
            .responses
            .entry(status.to_owned())
            .or_insert_with(|| RefOr::T(ResponseBuilder::new().description(description).build()));
    }
    for (status, response) in op.responses.responses.iter_mut() {
        let is_error = status.starts_with('4') || status.starts_with('5');
        if let (true, RefOr::T(r)) = (is_error, response) {
            r.content.clear();
            r.content.insert(
                PROBLEM.to_owned(),
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("Problem")))
                    .build(),
            );
        }
    }
}
