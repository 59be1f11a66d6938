//! What a verification is as read: the stored record, its history and ledger, the lines of
//! the lists, and the detail shown to someone who may read it (A2 §7, §11, §12).

use proofless_domain::deadline::Period;
use proofless_domain::verification::{
    self as rules, Channel, ClassCode, DisplayFacts, EventKind, Facts, FieldSpec, LedgerKind,
    Outcome, State, SubjectKind,
};
use serde::{Deserialize, Serialize};

use super::number;
use crate::App;
use crate::deadlines;

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct Verification {
    pub id: i64,
    pub channel: Channel,
    pub state: State,
    pub requester_org_id: i64,
    pub requester_name: String,
    pub issuer_org_id: i64,
    pub issuer_name: String,
    /// The issuer's unified social credit code, named in its sealed reply letters.
    #[serde(default)]
    pub issuer_credit_code: Option<String>,
    pub proof_item_id: i64,
    pub proof_item_name: String,
    pub template_id: Option<i64>,
    pub subject_kind: SubjectKind,
    pub subject_id: i64,
    pub subject_name: String,
    pub subject_code: String,
    /// JSON object: the request template's fields as the applicant stated them.
    pub facts: String,
    pub case_ref: String,
    pub case_id: Option<i64>,
    pub purpose: String,
    pub catalogue_class: ClassCode,
    pub deadline_class: ClassCode,
    #[schema(value_type = String)]
    pub deadline_period: Period,
    pub reclass_reason: Option<String>,
    pub deadline_id: Option<i64>,
    pub sent_by: Option<i64>,
    pub sent_by_name: String,
    pub sent_at: i64,
    pub due_at: Option<i64>,
    pub outcome: Option<Outcome>,
    pub answer: Option<String>,
    pub records_say: Option<String>,
    pub return_reason: Option<String>,
    pub answered_by_name: Option<String>,
    pub answered_at: Option<i64>,
    pub answered_late: bool,
    /// Returned after the due instant: late like a late answer (SPEC R5.3).
    pub returned_late: bool,
    /// When the issuer reclassified it (A2 §7), if it did.
    pub reclassified_at: Option<i64>,
    pub sealed_id: Option<String>,
    pub reported_at: Option<i64>,
    pub reported_by_name: Option<String>,
    pub report_auto: bool,
    pub ordered_at: Option<i64>,
    pub order_due_at: Option<i64>,
    pub order_text: Option<String>,
    pub summon_at: Option<i64>,
    pub summon_text: Option<String>,
    pub no_secret_confirmed: bool,
    pub offline_ref: Option<String>,
    pub updated_at: i64,
    pub version: i64,
}

impl Verification {
    pub(super) fn facts_for_rules(&self) -> Facts {
        Facts {
            state: self.state,
            outcome: self.outcome,
            due_at: self.due_at,
            reported: self.reported_at.is_some(),
            ordered: self.ordered_at.is_some(),
            summoned: self.summon_at.is_some(),
            reclassified: self.reclass_reason.is_some(),
        }
    }

    /// What every view shows of it (issue #15 §11).
    pub(super) fn display(&self, now: i64) -> rules::Display {
        rules::display(
            &DisplayFacts {
                state: self.state,
                sent_at: self.sent_at,
                due_at: self.due_at,
                ordered_at: self.ordered_at,
                order_due_at: self.order_due_at,
            },
            now,
        )
    }

    pub(super) fn subject_ref(&self) -> String {
        format!("{}:{}", self.subject_kind.as_str(), self.subject_id)
    }

    pub(super) fn purpose_text(&self) -> String {
        format!("{}（案件 {}）", self.purpose, self.case_ref)
    }

    pub(super) fn class_label(&self) -> String {
        self.deadline_class.label(self.deadline_period)
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct Event {
    pub id: i64,
    pub at: i64,
    pub kind: EventKind,
    pub actor_name: String,
    pub org_name: String,
    pub text: String,
}

/// A verification as shown to someone who may read it, with its history.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Detail {
    pub number: String,
    #[serde(flatten)]
    pub v: Verification,
    pub state_label: String,
    pub class_label: String,
    pub overdue: bool,
    /// `ok`, `warn`, `bad`, `late`, or empty when not running.
    pub countdown_class: String,
    pub countdown_text: String,
    pub late: Option<deadlines::Lateness>,
    pub events: Vec<Event>,
    pub ledger: Vec<LedgerEntry>,
}

pub(super) fn detail_of(
    app: &App,
    v: Verification,
    events: Vec<Event>,
    ledger: Vec<LedgerEntry>,
) -> Detail {
    let now = app.now_ms();
    let shown = v.display(now);
    let late = match (shown.overdue, v.due_at) {
        (true, Some(due)) => deadlines::lateness(app, due, now),
        _ => None,
    };
    Detail {
        number: number(v.id),
        state_label: shown.state_label,
        class_label: v.class_label(),
        overdue: shown.overdue,
        countdown_class: shown.countdown_class.to_owned(),
        countdown_text: shown.countdown_text,
        late,
        events,
        ledger,
        v,
    }
}

/// One line of a list: the subject's name masked (reading the detail is what is audited).
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct ListRow {
    pub id: i64,
    pub channel: Channel,
    pub state: State,
    pub requester_org_id: i64,
    pub requester_name: String,
    pub issuer_org_id: i64,
    pub issuer_name: String,
    pub proof_item_name: String,
    pub subject_name: String,
    pub case_ref: String,
    pub deadline_class: ClassCode,
    #[schema(value_type = String)]
    pub deadline_period: Period,
    pub sent_at: i64,
    pub due_at: Option<i64>,
    pub ordered_at: Option<i64>,
    /// The limit the joint office ordered (A2 §11); `due_at` stays the request's own.
    pub order_due_at: Option<i64>,
    pub reported_at: Option<i64>,
    pub summon_at: Option<i64>,
    pub outcome: Option<Outcome>,
    pub reclass_reason: Option<String>,
    pub reclassified_at: Option<i64>,
    #[serde(skip_deserializing)]
    pub number: String,
    #[serde(skip_deserializing)]
    pub state_label: String,
    #[serde(skip_deserializing)]
    pub overdue: bool,
    #[serde(skip_deserializing)]
    pub countdown_class: String,
    #[serde(skip_deserializing)]
    pub countdown_text: String,
}

/// A cut list: the lines shown, how many the filter matches, and where the page starts.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ListPage {
    pub items: Vec<ListRow>,
    /// How many lines the filter matches, on every page.
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
    pub has_more: bool,
}

/// An issuing unit's figures (SPEC R5.3: a late return counts like a late answer).
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct UnitFigures {
    pub issuer_org_id: i64,
    pub issuer_name: String,
    pub received: i64,
    pub answered: i64,
    pub answered_late: i64,
    pub returned: i64,
    pub returned_late: i64,
    /// Registered and past the request's own due instant now.
    pub overdue_open: i64,
    pub reclassified: i64,
}

/// The joint office's board (A2 §7, §11): every overdue request in the county, most late
/// first; the reported ones; every reclassification; and each issuing unit's figures. Each
/// section is a page of its own with its total.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Board {
    pub overdue: ListPage,
    pub reported: ListPage,
    pub reclassified: ListPage,
    pub units: Vec<UnitFigures>,
}

/// Fills in what a list line shows besides its columns.
pub(super) fn finish_rows(app: &App, rows: &mut [ListRow]) {
    let now = app.now_ms();
    for r in rows.iter_mut() {
        r.number = number(r.id);
        r.subject_name = mask_name(&r.subject_name);
        let shown = rules::display(
            &DisplayFacts {
                state: r.state,
                sent_at: r.sent_at,
                due_at: r.due_at,
                ordered_at: r.ordered_at,
                order_due_at: r.order_due_at,
            },
            now,
        );
        r.overdue = shown.overdue;
        r.state_label = shown.state_label;
        r.countdown_class = shown.countdown_class.to_owned();
        r.countdown_text = shown.countdown_text;
    }
}

pub(super) fn mask_name(name: &str) -> String {
    let mut c = name.chars();
    match c.next() {
        Some(first) => {
            let rest = c.count().max(1);
            format!("{first}{}", "*".repeat(rest))
        }
        None => String::new(),
    }
}

pub(super) fn mask_code(code: &str) -> String {
    let chars: Vec<char> = code.chars().collect();
    if chars.len() <= 8 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..6].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 10))
}

/// A ledger entry of the requesting unit (A2 §8, §9).
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct LedgerEntry {
    pub id: i64,
    pub org_id: i64,
    pub verification_id: Option<i64>,
    pub kind: LedgerKind,
    pub subject_kind: SubjectKind,
    pub subject_id: i64,
    pub subject_name: String,
    pub proof_item_id: i64,
    pub proof_item_name: String,
    pub case_ref: String,
    pub what: String,
    pub why: String,
    pub recorded_by_name: String,
    pub at: i64,
}

/// A template as stored: its fields as JSON text.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct TemplateRow {
    pub id: i64,
    pub proof_item_id: i64,
    pub issuer_org_id: i64,
    pub requester_org_id: i64,
    pub request_fields: String,
    pub reply_fields: String,
    /// 协查方式: free text the two units agree on (A2 §4).
    pub method: String,
    pub process: String,
    pub updated_by: String,
    pub updated_at: i64,
    pub version: i64,
}

/// A template as used: typed fields, and the class the catalogue gives.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = VerificationTemplate)]
pub struct Template {
    pub id: Option<i64>,
    pub proof_item_id: i64,
    pub proof_item_name: String,
    pub issuer_org_id: i64,
    pub requester_org_id: i64,
    #[schema(value_type = Vec<Object>)]
    pub request_fields: Vec<FieldSpec>,
    #[schema(value_type = Vec<Object>)]
    pub reply_fields: Vec<FieldSpec>,
    /// 协查方式: free text the two units agree on (A2 §4).
    pub method: String,
    pub process: String,
    /// The catalogue's default deadline class and its period (A2 §7).
    pub deadline_class: ClassCode,
    #[schema(value_type = String)]
    pub deadline_period: Period,
    pub class_label: String,
    pub version: i64,
}

/// A proof item of the current published lists that can be verified, for the send form.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Verifiable {
    pub id: i64,
    pub name: String,
    pub issuer_ids: Vec<i64>,
    pub issuers: Vec<String>,
    pub class_label: String,
}
