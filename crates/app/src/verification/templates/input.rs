//! The raw input of a template (A2 §4), parsed once.

use proofless_domain::verification::{self as rules, FieldSpec};
use serde::Deserialize;

use crate::error::Problems;
use crate::verification::input::{done, field_text};

const MAX_TEXT: usize = 1000;

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateInput {
    pub proof_item_id: i64,
    pub issuer_org_id: i64,
    pub requester_org_id: i64,
    #[schema(value_type = Vec<Object>)]
    pub request_fields: Vec<FieldSpec>,
    #[schema(value_type = Vec<Object>)]
    pub reply_fields: Vec<FieldSpec>,
    pub method: String,
    pub process: String,
}

/// A template's wording, checked: its fields well formed, its method and process given.
#[derive(Debug, Clone)]
pub struct TemplateCommand {
    pub request_fields: Vec<FieldSpec>,
    pub reply_fields: Vec<FieldSpec>,
    pub method: String,
    pub process: String,
}

impl TemplateInput {
    pub fn parse(&self) -> Result<TemplateCommand, Problems> {
        let mut p = Problems::default();
        if let Err(e) = rules::check_fields(&self.request_fields) {
            p.add("request_fields", format!("协查函字段：{e}"));
        }
        if let Err(e) = rules::check_fields(&self.reply_fields) {
            p.add("reply_fields", format!("反馈函字段：{e}"));
        }
        let method = field_text(&mut p, "method", "协查方式", &self.method, 200);
        let process = field_text(&mut p, "process", "协查流程", &self.process, MAX_TEXT);
        let cmd = TemplateCommand {
            request_fields: self.request_fields.clone(),
            reply_fields: self.reply_fields.clone(),
            method,
            process,
        };
        done(p, Some(cmd))
    }
}
