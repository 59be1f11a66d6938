//! What an audit row says and the bytes its hash covers.

use proofless_domain::role::ActorKind;
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use crate::actor::Actor;

pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What happened, to what, and why.
pub struct Entry<'a> {
    pub action: &'a str,
    pub object_type: &'a str,
    pub object_id: String,
    /// `person:ID` or `entity:ID` when personal data of that subject was touched, so the
    /// subject can later see who looked at their data and why (A2 §12).
    pub subject_ref: Option<String>,
    pub purpose: &'a str,
    pub detail: Json,
}

impl<'a> Entry<'a> {
    pub fn new(action: &'a str, object_type: &'a str, object_id: impl ToString) -> Entry<'a> {
        Entry {
            action,
            object_type,
            object_id: object_id.to_string(),
            subject_ref: None,
            purpose: "",
            detail: Json::Null,
        }
    }

    pub fn purpose(mut self, p: &'a str) -> Self {
        self.purpose = p;
        self
    }

    pub fn subject(mut self, s: impl Into<String>) -> Self {
        self.subject_ref = Some(s.into());
        self
    }

    pub fn detail(mut self, d: Json) -> Self {
        self.detail = d;
        self
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct AuditRow {
    pub seq: i64,
    pub at: i64,
    pub actor_kind: ActorKind,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub org_id: Option<i64>,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    pub subject_ref: Option<String>,
    pub purpose: String,
    pub operation_id: String,
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

impl AuditRow {
    /// A row with everything but its place in the chain.
    pub(super) fn unchained(actor: &Actor, at_ms: i64, e: Entry<'_>) -> AuditRow {
        AuditRow {
            seq: 0,
            at: at_ms,
            actor_kind: actor.kind,
            actor_id: actor.id,
            actor_name: actor.name.clone(),
            org_id: actor.org_id,
            action: e.action.to_owned(),
            object_type: e.object_type.to_owned(),
            object_id: e.object_id,
            subject_ref: e.subject_ref,
            purpose: e.purpose.to_owned(),
            operation_id: actor.operation_id.clone(),
            detail: if e.detail.is_null() {
                "{}".to_owned()
            } else {
                e.detail.to_string()
            },
            prev_hash: String::new(),
            hash: String::new(),
        }
    }

    /// The bytes the chain hashes: every field but the hashes, in a fixed order,
    /// separated by a byte that cannot appear in UTF-8 text.
    fn chained_bytes(&self) -> Vec<u8> {
        let fields: [String; 13] = [
            self.seq.to_string(),
            self.at.to_string(),
            self.actor_kind.as_str().to_owned(),
            self.actor_id.map(|v| v.to_string()).unwrap_or_default(),
            self.actor_name.clone(),
            self.org_id.map(|v| v.to_string()).unwrap_or_default(),
            self.action.clone(),
            self.object_type.clone(),
            self.object_id.clone(),
            self.subject_ref.clone().unwrap_or_default(),
            self.purpose.clone(),
            self.operation_id.clone(),
            self.detail.clone(),
        ];
        let mut out = Vec::with_capacity(256);
        for f in fields {
            out.extend_from_slice(f.as_bytes());
            out.push(0xff);
        }
        out
    }

    pub(super) fn expected_hash(&self, prev: &str) -> String {
        proofless_seal::chain_hash(prev, &self.chained_bytes())
    }
}
