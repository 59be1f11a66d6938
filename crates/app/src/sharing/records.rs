//! What the data-sharing workflow answers: typed records, states and kinds as `domain`
//! enums with their Chinese labels beside them.

use proofless_domain::sharing::{
    ConsentChannel, EProofKind, EProofState, EntryState, OutsideState, PullOutcome, SharingSource,
    Validity,
};
use proofless_domain::verification::FieldSpec;
use serde::{Deserialize, Serialize};

/// A unit entitled to pull an item's data, for one service item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Grant {
    pub org_id: i64,
    /// The service item's code (事项编码) as the published list names it.
    pub service_code: String,
}

/// A grant as shown: with the unit's and the service's names.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct GrantView {
    pub org_id: i64,
    pub org_name: String,
    pub service_code: String,
    pub service_name: String,
}

/// One version of a data-sharing list entry (SPEC R3.1).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Entry {
    pub id: i64,
    pub proof_item_id: i64,
    pub proof_item_name: String,
    pub issuer_org_id: i64,
    pub issuer_name: String,
    pub version: i64,
    pub state: EntryState,
    pub state_label: String,
    pub source: SharingSource,
    pub source_label: String,
    pub kind: EProofKind,
    pub kind_label: String,
    /// The standard data template: the typed fields that prove the fact.
    #[schema(value_type = Vec<Object>)]
    pub fields: Vec<FieldSpec>,
    pub grants: Vec<GrantView>,
    pub note: String,
    pub review_note: Option<String>,
    pub created_by: String,
    pub created_at: i64,
    pub published_at: Option<i64>,
}

/// An e-licence or e-proof as its issuer and holder see it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EProof {
    pub id: i64,
    pub identifier: String,
    pub kind: EProofKind,
    pub kind_label: String,
    pub proof_item_id: i64,
    pub proof_item_name: String,
    pub issuer_org_id: i64,
    pub issuer_name: String,
    /// The holder's opaque public id.
    pub holder_id: String,
    pub holder_name_masked: String,
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
    #[schema(value_type = Vec<Object>)]
    pub fields: Vec<FieldSpec>,
    pub valid_from: String,
    pub valid_to: Option<String>,
    pub state: EProofState,
    pub validity: Validity,
    pub validity_label: String,
    pub state_reason: Option<String>,
    pub replaced_by: Option<String>,
    /// Public id of the sealed document (`/api/v1/public/sealed/{id}`).
    pub sealed_id: String,
    /// Short code of the issuer's own copy, for `/verify/{code}`.
    pub verify_code: String,
    pub issued_at: i64,
    pub issued_by: String,
}

/// The public status of an identifier (no personal data).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EProofStatus {
    pub identifier: String,
    pub kind: EProofKind,
    pub kind_label: String,
    pub proof_item_name: String,
    pub issuer_name: String,
    pub valid_from: String,
    pub valid_to: Option<String>,
    pub state: EProofState,
    pub validity: Validity,
    pub validity_label: String,
    pub state_reason: Option<String>,
    pub replaced_by: Option<String>,
}

/// What the public verify page shows of one copy (issue #18 §2): validity, issuer, kind and
/// the extract stamp, and the holder's name masked; nothing more.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = EProofCheck)]
pub struct Verification {
    pub code: String,
    pub identifier: String,
    pub kind_label: String,
    pub proof_item_name: String,
    pub validity: Validity,
    pub validity_label: String,
    pub valid_from: String,
    pub valid_to: Option<String>,
    /// Producing unit (the issuer).
    pub issuer_name: String,
    /// Extracting unit: who made this copy (the issuer, or the unit that pulled it).
    pub extracting_unit: String,
    pub extracted_at: i64,
    pub holder_name_masked: String,
}

/// One field of released or previewed data, labelled.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FieldValue {
    pub key: String,
    pub label: String,
    pub value: String,
}

/// A pull and its typed outcome, with the next step (issue #18 §3).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Pull {
    /// Opaque public id.
    pub id: String,
    pub org_id: i64,
    pub org_name: String,
    pub proof_item_id: i64,
    pub proof_item_name: String,
    pub case_id: i64,
    pub purpose: String,
    pub service_code: String,
    pub outcome: PullOutcome,
    pub outcome_label: String,
    pub next_step: String,
    pub reason: String,
    pub source: Option<SharingSource>,
    pub consent_channel: Option<ConsentChannel>,
    /// The released data (only once released, and only to the pulling unit).
    pub data: Vec<FieldValue>,
    /// Short code of the extract made for this pull (`/verify/{code}`).
    pub extract_code: Option<String>,
    /// Other ways the item can be obtained, as the list names them (one click away).
    pub fallbacks: Vec<String>,
    pub created_at: i64,
    pub decided_at: Option<i64>,
}

/// A pull waiting for the applicant, with the preview of exactly what would be released.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PendingConsent {
    pub id: String,
    pub org_name: String,
    pub proof_item_name: String,
    pub case_id: i64,
    pub purpose: String,
    pub preview: Vec<FieldValue>,
    pub created_at: i64,
}

/// A request for an e-proof for use outside the city (A4 §4(4)).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OutsideRequest {
    pub id: i64,
    pub proof_item_id: i64,
    pub proof_item_name: String,
    pub issuer_org_id: i64,
    pub issuer_name: String,
    pub holder_name_masked: String,
    pub destination: String,
    pub purpose: String,
    pub state: OutsideState,
    pub state_label: String,
    pub due_at: i64,
    pub eproof_id: Option<i64>,
    pub eproof_identifier: Option<String>,
    pub refusal_reason: Option<String>,
    pub created_at: i64,
}

/// A consent given once for every data-sharing proof of one case (issue #18 §3), to the
/// case's unit only, until it expires or is withdrawn.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = sharing_CaseConsent)]
pub struct CaseConsent {
    pub id: i64,
    pub case_id: i64,
    pub case_no: String,
    pub org_name: String,
    pub service_item_name: String,
    /// The proofs it covers: the case's data-sharing proofs.
    pub proof_item_names: Vec<String>,
    pub created_at: i64,
    pub expires_at: i64,
    pub withdrawn_at: Option<i64>,
    /// In force now (neither expired nor withdrawn).
    pub in_force: bool,
}

/// A case the applicant may give a case-level consent for, with what it would release.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = sharing_ConsentableCase)]
pub struct ConsentableCase {
    pub case_id: i64,
    pub case_no: String,
    pub org_name: String,
    pub service_item_name: String,
    /// Each data-sharing proof with the fields that would be released (the preview).
    pub items: Vec<ConsentPreviewItem>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = sharing_ConsentPreviewItem)]
pub struct ConsentPreviewItem {
    pub proof_item_id: i64,
    pub proof_item_name: String,
    /// The labels of the template's fields the unit would receive.
    pub fields: Vec<String>,
}
