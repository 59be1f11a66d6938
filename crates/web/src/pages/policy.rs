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

/// A value as the page shows it (issue #22 point 1): one line inline, or several lines
/// (an object's entries) as a list; never JSON.
pub struct Shown {
    inline: String,
    lines: Vec<String>,
}

impl Shown {
    fn of(v: &Value, words: Option<policy::Words>) -> Shown {
        let mut lines = proofless_domain::policy::readable(v, words);
        if lines.len() <= 1 {
            Shown {
                inline: lines.pop().unwrap_or_default(),
                lines,
            }
        } else {
            Shown {
                inline: String::new(),
                lines,
            }
        }
    }
}

pub struct HistoryRow {
    version: i64,
    value: Shown,
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
    seed: Shown,
    in_force: Shown,
    in_force_version: i64,
    history: Vec<HistoryRow>,
    can_edit: bool,
    form: FormState,
    /// How the value is typed, shown beside the field.
    hint: &'static str,
    /// An object's entries are typed one a line, in a text area.
    multiline: bool,
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

fn hint(default: &Value) -> &'static str {
    match default {
        Value::Number(_) => "填写整数",
        Value::Bool(_) => "填写“是”或“否”",
        Value::Array(_) => "多项用顿号“、”、逗号或换行分隔",
        Value::Object(_) => "每行一项，写成“名称：内容”，内容多项用顿号“、”分隔",
        _ => "照现行值的写法填写",
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
            value: Shown::of(&v.value, s.words),
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
        value: proofless_domain::policy::form_text(&s.in_force, s.words),
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
        seed: Shown::of(&s.default, s.words),
        in_force: Shown::of(&s.in_force, s.words),
        in_force_version: s.in_force_version,
        can_edit: may_edit(actor, &s),
        hint: hint(&s.default),
        multiline: s.default.is_object(),
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
    let value = match proofless_domain::policy::from_form(&seed.default, &f.value, seed.words) {
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

    // Issue #22 point 1: one line inline, an object's entries as lines; the form's text
    // comes back in the seed's shape (proofless_domain::policy::from_form).
    #[test]
    fn values_show_inline_or_as_lines() {
        let one = Shown::of(&json!(["国家安全", "公共安全"]), None);
        assert_eq!(one.inline, "国家安全、公共安全");
        assert!(one.lines.is_empty());
        // An object's entries in the order of their keys (serde_json keeps maps sorted).
        let many = Shown::of(&json!({"a": [1], "b": [2]}), None);
        assert_eq!(many.inline, "");
        assert_eq!(many.lines, ["a：1", "b：2"]);
        assert_eq!(
            proofless_domain::policy::from_form(&json!(7), " 10 ", None),
            Ok(json!(10))
        );
    }
}
