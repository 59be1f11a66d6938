//! 试行期规则设置 (SPEC "Trial rules"): every setting with its seed value, the value in force,
//! its history, and — for the responsible office — a form to add a version effective today or
//! later. The same service as `POST /api/v1/policy/{key}/versions` decides and audits.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use chrono::TimeZone;
use proofless_app::policy::{self, SettingView, VersionInput};
use proofless_app::{Actor, AppError, local_time};
use proofless_domain::role::Role;
use serde::Deserialize;
use serde_json::Value;

use super::session::{page_error, require_staff};
use super::{Layout, render};
use crate::AppState;
use crate::ctx::Ctx;

pub struct HistoryRow {
    version: i64,
    value: String,
    from: String,
    state: &'static str,
    note: String,
    by: String,
    at: String,
}

/// A form's text and its errors, per field.
#[derive(Default)]
pub struct FormState {
    value: String,
    effective_from: String,
    note: String,
    value_err: String,
    from_err: String,
    note_err: String,
    other_err: String,
}

pub struct SettingRow {
    key: &'static str,
    anchor: String,
    label: &'static str,
    basis: &'static str,
    unit: &'static str,
    owners: String,
    seed: String,
    in_force: String,
    in_force_version: i64,
    history: Vec<HistoryRow>,
    can_edit: bool,
    form: FormState,
    /// How the value is typed, shown beside the field.
    hint: &'static str,
}

#[derive(Template)]
#[template(path = "policy.html")]
struct PolicyPage {
    layout: Layout,
    today: String,
    settings: Vec<SettingRow>,
}

fn today(now_ms: i64) -> String {
    proofless_app::beijing()
        .timestamp_millis_opt(now_ms)
        .single()
        .map(|t| t.date_naive().to_string())
        .unwrap_or_default()
}

/// A value as a person reads it: numbers as they are, lists joined with 、.
fn show(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(show).collect::<Vec<_>>().join("、"),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn hint(default: &Value) -> &'static str {
    match default {
        Value::Number(_) => "填写整数",
        Value::Array(_) => "多项用顿号“、”、逗号或换行分隔",
        _ => "JSON 格式",
    }
}

/// The form's text as a value of the setting's shape (the shape of its seed value).
fn parse_value(default: &Value, text: &str) -> Result<Value, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("请填写新的值".to_owned());
    }
    let number = |s: &str| {
        s.trim().parse::<i64>().map(Value::from).map_err(|_| {
            format!(
                "“{}”不是整数",
                s.trim().chars().take(20).collect::<String>()
            )
        })
    };
    match default {
        Value::Number(_) => number(text),
        Value::Array(items) => {
            let parts = text
                .split(['、', ',', '，', ';', '；', '\n'])
                .map(str::trim)
                .filter(|s| !s.is_empty());
            if matches!(items.first(), Some(Value::Number(_))) {
                parts
                    .map(number)
                    .collect::<Result<Vec<_>, _>>()
                    .map(Value::Array)
            } else {
                Ok(Value::Array(
                    parts.map(|s| Value::from(s.to_owned())).collect(),
                ))
            }
        }
        _ => serde_json::from_str(text).map_err(|_| "值的格式不对（应为 JSON）".to_owned()),
    }
}

fn may_edit(actor: &Actor, s: &SettingView) -> bool {
    actor.has(Role::SystemAdmin) || actor.has_any(s.owners)
}

fn row(actor: &Actor, s: SettingView, today: &str, form: Option<FormState>) -> SettingRow {
    let history = s
        .versions
        .iter()
        .rev()
        .map(|v| HistoryRow {
            version: v.version,
            value: show(&v.value),
            from: v.effective_from.to_string(),
            state: if v.version == s.in_force_version {
                "现行"
            } else if v.effective_from.to_string().as_str() > today {
                "待生效"
            } else {
                "已被替代"
            },
            note: v.note.clone(),
            by: v.created_by.clone(),
            at: local_time(v.created_at),
        })
        .collect();
    let form = form.unwrap_or_else(|| FormState {
        value: show(&s.in_force),
        effective_from: today.to_owned(),
        ..FormState::default()
    });
    SettingRow {
        key: s.key,
        anchor: s.key.replace('.', "-"),
        label: s.label,
        basis: s.basis,
        unit: s.unit,
        owners: s
            .owners
            .iter()
            .map(|r| r.label())
            .collect::<Vec<_>>()
            .join("、"),
        seed: show(&s.default),
        in_force: show(&s.in_force),
        in_force_version: s.in_force_version,
        can_edit: may_edit(actor, &s),
        hint: hint(&s.default),
        history,
        form,
    }
}

async fn page(s: &AppState, ctx: &Ctx, failed: Option<(&str, FormState)>) -> Response {
    let views = match policy::settings(&s.app).await {
        Ok(v) => v,
        Err(e) => return page_error(ctx, e, "/workbench"),
    };
    let today = today(s.app.now_ms());
    let mut failed = failed;
    let status = if failed.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let settings = views
        .into_iter()
        .map(|v| {
            let form = match &failed {
                Some((k, _)) if *k == v.key => failed.take().map(|f| f.1),
                _ => None,
            };
            row(&ctx.actor, v, &today, form)
        })
        .collect();
    let p = PolicyPage {
        layout: Layout::new("试行期规则设置", ctx, "/policy"),
        today,
        settings,
    };
    render(status, &p)
}

/// Every setting (staff).
pub async fn policy_page(State(s): State<AppState>, ctx: Ctx) -> Response {
    if let Err(e) = require_staff(&ctx) {
        return page_error(&ctx, e, "/");
    }
    page(&s, &ctx, None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct VersionForm {
    value: String,
    effective_from: String,
    note: String,
}

/// A new version from the form; field errors come back beside the fields, in Chinese.
pub async fn version_submit(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(key): Path<String>,
    Form(f): Form<VersionForm>,
) -> Response {
    if let Err(e) = require_staff(&ctx) {
        return page_error(&ctx, e, "/");
    }
    let seed = match policy::describe(&s.app, &key).await {
        Ok(v) => v,
        Err(e) => return page_error(&ctx, e, "/policy"),
    };
    let mut form = FormState {
        value: f.value.clone(),
        effective_from: f.effective_from.clone(),
        note: f.note.clone(),
        ..FormState::default()
    };
    let value = match parse_value(&seed.default, &f.value) {
        Ok(v) => v,
        Err(e) => {
            form.value_err = e;
            return page(&s, &ctx, Some((seed.key, form))).await;
        }
    };
    let input = VersionInput {
        value,
        effective_from: f.effective_from,
        note: f.note,
    };
    match policy::add_version(&s.app, &ctx.actor, &key, &input).await {
        Ok(_) => Redirect::to(&format!("/policy#{}", key.replace('.', "-"))).into_response(),
        Err(AppError::Validation(errs)) => {
            for e in errs {
                let slot = match e.field.as_str() {
                    "value" => &mut form.value_err,
                    "effective_from" => &mut form.from_err,
                    "note" => &mut form.note_err,
                    _ => &mut form.other_err,
                };
                if !slot.is_empty() {
                    slot.push('；');
                }
                slot.push_str(&e.message);
            }
            page(&s, &ctx, Some((seed.key, form))).await
        }
        Err(e) => page_error(&ctx, e, "/policy"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn form_text_takes_the_shape_of_the_seed_value() {
        assert_eq!(parse_value(&json!(7), " 10 "), Ok(json!(10)));
        assert!(parse_value(&json!(7), "十").unwrap_err().contains("整数"));
        assert_eq!(
            parse_value(&json!([900, 700, 500]), "950、750，550"),
            Ok(json!([950, 750, 550]))
        );
        assert_eq!(
            parse_value(&json!(["国家安全"]), "国家安全\n公共安全"),
            Ok(json!(["国家安全", "公共安全"]))
        );
        assert!(parse_value(&json!(7), "  ").is_err());
        assert_eq!(show(&json!(["国家安全", "公共安全"])), "国家安全、公共安全");
    }
}
