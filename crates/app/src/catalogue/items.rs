//! Proof items (证明事项) with every field of SPEC R1.2 as staff read them: the item as it
//! would be published, its stage, and what stands in its way (R1.3, flags for the justice
//! bureau). Drafting, editing and submitting are in [`super::draft`].

use proofless_domain::catalogue::{
    BasisKind, BasisSnapshot, CatalogueLevel, Disposition, ItemFacts, ItemSnapshot, MethodSnapshot,
    ServiceItemRef, Stage, Verdict, flagged_bases, retention_problems,
};
use proofless_domain::role::Role;
use proofless_store::Exec;
use serde::{Deserialize, Serialize};

use super::input::ItemFilter;
use super::{not_found, repo, settings};
use crate::App;
use crate::actor::Actor;
use crate::error::{AppResult, FieldError};
use crate::policy;

pub use super::input::MAX_LINKS;

/// A proof item as staff see it: every field, its stage, and what stands in its way.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProofItem {
    pub id: i64,
    pub version: i64,
    pub stage: Stage,
    pub stage_label: String,
    pub issuer_can_verify: bool,
    pub correctable_afterwards: bool,
    pub risk_domains: Vec<String>,
    /// The item's content as it would be published.
    #[schema(value_type = Object)]
    pub item: ItemSnapshot,
    /// Problems that block review and publication (R1.3), with the proposal to cancel.
    #[schema(value_type = Vec<Object>)]
    pub blocking: Vec<FieldError>,
    /// Legal bases below statute level, for the justice bureau to decide.
    pub flags: Vec<String>,
    /// The latest legal review: verdict and remarks (the reasons when returned).
    pub last_review: Option<LastReview>,
    pub updated_at: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LastReview {
    pub verdict: Verdict,
    pub remarks: String,
    pub reviewer_name: String,
    pub at: i64,
}

/// A proof item's own row, with its list's level and region.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct ItemRow {
    pub id: i64,
    pub owner_org_id: i64,
    pub owner_org_name: String,
    pub name: String,
    pub level: CatalogueLevel,
    pub region_code: String,
    pub region_name: String,
    pub disposition: Disposition,
    pub issuer_can_verify: bool,
    pub correctable_afterwards: bool,
    /// Risk domain codes, comma-separated.
    pub risk_domains: String,
    pub remarks: String,
    pub purpose: String,
    pub no_commitment_reason: String,
    pub stage: Stage,
    pub version: i64,
    pub updated_at: i64,
}

pub(crate) async fn row(x: &mut impl Exec, id: i64) -> AppResult<ItemRow> {
    repo::item(x, id)
        .await?
        .ok_or_else(|| not_found("证明事项", id))
}

/// The item's full content as a list version would publish it, and the facts R1.3 reads.
pub(crate) async fn snapshot_of(
    x: &mut impl Exec,
    r: &ItemRow,
    excluded_domains: &[String],
) -> AppResult<(ItemSnapshot, ItemFacts)> {
    let links = repo::item_links(x, r.id).await?;
    let facts = ItemFacts {
        disposition: Some(r.disposition),
        basis_kinds: links.bases.iter().map(|b| b.kind).collect(),
        issuer_can_verify: r.issuer_can_verify,
        correctable_afterwards: r.correctable_afterwards,
        risk_domains: split_codes(&r.risk_domains),
        excluded_domains: excluded_domains.to_vec(),
        methods: links.methods.iter().map(|m| m.method).collect(),
        service_items: links.services.len(),
    };
    let (issuer_ids, issuers) = links.issuers.into_iter().unzip();
    let (requester_ids, requesters) = links.requesters.into_iter().unzip();
    let snap = ItemSnapshot {
        id: r.id,
        name: r.name.clone(),
        level: r.level.as_str().to_owned(),
        region_code: r.region_code.clone(),
        region_name: r.region_name.clone(),
        disposition: r.disposition.as_str().to_owned(),
        owner_org_id: r.owner_org_id,
        owner_org_name: r.owner_org_name.clone(),
        service_items: links
            .services
            .into_iter()
            .map(|s| ServiceItemRef {
                id: s.id,
                name: s.name,
                code: s.code,
                kind: s.kind.as_str().to_owned(),
                org_name: s.org_name,
            })
            .collect(),
        legal_basis: links
            .bases
            .into_iter()
            .map(|b| BasisSnapshot {
                kind: b.kind.as_str().to_owned(),
                law: b.law,
                article: b.article,
                text: b.text,
            })
            .collect(),
        issuer_ids,
        issuers,
        requester_ids,
        requesters,
        methods: links
            .methods
            .into_iter()
            .map(|m| MethodSnapshot {
                method: m.method.as_str().to_owned(),
                citizen_text: m.citizen_text,
                guide: m.guide,
                deadline_class: m.deadline_class,
                deadline_period: m.deadline_period,
            })
            .collect(),
        remarks: r.remarks.clone(),
        purpose: r.purpose.clone(),
        no_commitment_reason: r.no_commitment_reason.clone(),
    };
    Ok((snap, facts))
}

pub(crate) fn split_codes(s: &str) -> Vec<String> {
    s.split(',')
        .filter(|x| !x.is_empty())
        .map(str::to_owned)
        .collect()
}

/// What blocks review and publication (R1.3), as field errors.
pub(crate) fn blocking(facts: &ItemFacts) -> Vec<FieldError> {
    retention_problems(facts)
        .into_iter()
        .map(|(f, m)| FieldError::new(f, m))
        .collect()
}

/// The legal-basis kinds that may set a proof item by themselves, as in force at `at_ms`
/// (a versioned setting, SPEC "Trial rules").
pub(crate) async fn statutory_kinds(x: &mut impl Exec, at_ms: i64) -> AppResult<Vec<BasisKind>> {
    let codes = policy::in_force(x, &settings::STATUTORY_BASIS_KINDS, at_ms).await?;
    Ok(settings::basis_kinds(&codes))
}

/// The risk domains barred from commitment, as in force at `at_ms` (SPEC R4.1, "Trial rules").
pub(crate) async fn excluded_domains(x: &mut impl Exec, at_ms: i64) -> AppResult<Vec<String>> {
    policy::in_force(x, &settings::EXCLUDED_RISK_DOMAINS, at_ms).await
}

/// The settings in force that an item's view reads.
pub(crate) struct RulesInForce {
    pub statutory: Vec<BasisKind>,
    pub excluded_domains: Vec<String>,
}

impl RulesInForce {
    pub(crate) async fn at(x: &mut impl Exec, at_ms: i64) -> AppResult<RulesInForce> {
        Ok(RulesInForce {
            statutory: statutory_kinds(x, at_ms).await?,
            excluded_domains: excluded_domains(x, at_ms).await?,
        })
    }
}

pub(crate) async fn view(
    x: &mut impl Exec,
    r: ItemRow,
    rules: &RulesInForce,
) -> AppResult<ProofItem> {
    let (item, facts) = snapshot_of(x, &r, &rules.excluded_domains).await?;
    let last_review = repo::last_review(x, r.id).await?;
    Ok(ProofItem {
        last_review,
        id: r.id,
        version: r.version,
        stage: r.stage,
        stage_label: r.stage.label().to_owned(),
        issuer_can_verify: r.issuer_can_verify,
        correctable_afterwards: r.correctable_afterwards,
        risk_domains: split_codes(&r.risk_domains),
        blocking: blocking(&facts),
        flags: flagged_bases(&facts.basis_kinds, &rules.statutory)
            .into_iter()
            .map(|k| format!("设定依据含{}，请司法局审查决定", k.label()))
            .collect(),
        item,
        updated_at: r.updated_at,
    })
}

/// One item, for its own unit and county-wide roles.
pub async fn get(app: &App, actor: &Actor, id: i64) -> AppResult<ProofItem> {
    actor.require_staff()?;
    let mut reader = app.db.reader();
    let r = row(&mut reader, id).await?;
    actor.require_see_org(r.owner_org_id)?;
    let rules = RulesInForce::at(&mut reader, app.now_ms()).await?;
    view(&mut reader, r, &rules).await
}

/// Items the actor may see: their own unit's, or all for county-wide roles.
pub async fn list(app: &App, actor: &Actor, f: &ItemFilter) -> AppResult<Vec<ProofItem>> {
    actor.require_staff()?;
    let owner = if actor.can_see_org(-1) {
        f.owner_org_id
    } else {
        Some(actor.org_id.unwrap_or(-1))
    };
    let mut reader = app.db.reader();
    let rows = repo::items(&mut reader, owner, f).await?;
    let rules = RulesInForce::at(&mut reader, app.now_ms()).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(view(&mut reader, r, &rules).await?);
    }
    Ok(out)
}

/// The roles that work on the catalogue in the staff pages.
pub fn catalogue_roles() -> [Role; 5] {
    [
        Role::UnitAdmin,
        Role::LegalReviewer,
        Role::JointOffice,
        Role::CountyApprover,
        Role::SystemAdmin,
    ]
}
