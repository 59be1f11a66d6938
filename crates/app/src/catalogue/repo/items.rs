//! Proof items, what they link to, and their legal reviews.

use proofless_domain::catalogue::{
    BasisKind, CatalogueLevel, ReplacementMethod, ServiceItemKind, Stage, Verdict,
};
use proofless_store::{Exec, q};
use serde::Deserialize;

use super::Result;
use crate::catalogue::input::{ItemFilter, ProofItemDraft};
use crate::catalogue::items::{ItemRow, LastReview};
use crate::catalogue::review::Review;

const ITEM_SELECT: &str = "SELECT p.id, p.owner_org_id, o.name AS owner_org_name, p.name, \
    l.level, l.region_code, r.name AS region_name, p.disposition, p.issuer_can_verify, \
    p.correctable_afterwards, p.risk_domains, p.remarks, p.purpose, p.no_commitment_reason, \
    p.stage, p.version, p.updated_at \
    FROM proof_items p JOIN implementation_lists l ON l.id = p.list_id \
    JOIN orgs o ON o.id = p.owner_org_id JOIN regions r ON r.code = l.region_code";

/// The implementation list of (level, region), if it exists yet.
pub(crate) async fn implementation_list(
    x: &mut impl Exec,
    level: CatalogueLevel,
    region_code: &str,
) -> Result<Option<i64>> {
    let r: Option<(i64,)> = x
        .fetch_optional(
            q("SELECT id FROM implementation_lists WHERE level = ? AND region_code = ?")
                .bind(level.as_str())
                .bind(region_code),
        )
        .await?;
    Ok(r.map(|r| r.0))
}

pub(crate) async fn insert_implementation_list(
    x: &mut impl Exec,
    level: CatalogueLevel,
    region_code: &str,
    now: i64,
) -> Result<i64> {
    x.scalar_i64(
        q("INSERT INTO implementation_lists (level, region_code, created_at) VALUES (?, ?, ?) RETURNING id")
            .bind(level.as_str())
            .bind(region_code)
            .bind(now),
    )
    .await
}

pub(crate) async fn service_item_exists(x: &mut impl Exec, id: i64) -> Result<bool> {
    let found: Option<(i64,)> = x
        .fetch_optional(q("SELECT id FROM service_items WHERE id = ?").bind(id))
        .await?;
    Ok(found.is_some())
}

/// A new draft item; the links are written by [`write_item_links`].
pub(crate) async fn insert_item(
    x: &mut impl Exec,
    list_id: i64,
    owner: i64,
    d: &ProofItemDraft,
    created_by: Option<i64>,
    now: i64,
) -> Result<i64> {
    x.scalar_i64(
        q(
            "INSERT INTO proof_items (list_id, owner_org_id, name, disposition, issuer_can_verify, \
           correctable_afterwards, risk_domains, remarks, purpose, no_commitment_reason, stage, \
           created_by, created_at, updated_at) \
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(list_id)
        .bind(owner)
        .bind(d.name.as_str())
        .bind(d.disposition.as_str())
        .bind(d.issuer_can_verify)
        .bind(d.correctable_afterwards)
        .bind(d.risk_domains.join(","))
        .bind(d.remarks.as_str())
        .bind(d.purpose.as_str())
        .bind(d.no_commitment_reason.as_str())
        .bind(Stage::Draft.as_str())
        .bind(created_by)
        .bind(now)
        .bind(now),
    )
    .await
}

/// Overwrite an item's fields at `version`, back in draft; 0 rows when the version moved.
pub(crate) async fn update_item(
    x: &mut impl Exec,
    id: i64,
    version: i64,
    list_id: i64,
    d: &ProofItemDraft,
    now: i64,
) -> Result<u64> {
    x.execute(
        q(
            "UPDATE proof_items SET list_id = ?, name = ?, disposition = ?, issuer_can_verify = ?, \
           correctable_afterwards = ?, risk_domains = ?, remarks = ?, purpose = ?, \
           no_commitment_reason = ?, stage = ?, updated_at = ?, \
           version = version + 1 WHERE id = ? AND version = ?",
        )
        .bind(list_id)
        .bind(d.name.as_str())
        .bind(d.disposition.as_str())
        .bind(d.issuer_can_verify)
        .bind(d.correctable_afterwards)
        .bind(d.risk_domains.join(","))
        .bind(d.remarks.as_str())
        .bind(d.purpose.as_str())
        .bind(d.no_commitment_reason.as_str())
        .bind(Stage::Draft.as_str())
        .bind(now)
        .bind(id)
        .bind(version),
    )
    .await
}

/// Replace an item's legal bases, issuers, requesters, service items and methods.
pub(crate) async fn write_item_links(
    x: &mut impl Exec,
    id: i64,
    d: &ProofItemDraft,
    requesters: &[i64],
) -> Result<()> {
    for t in [
        "proof_item_bases",
        "proof_item_issuers",
        "proof_item_requesters",
        "proof_item_services",
        "replacements",
    ] {
        x.execute(q(format!("DELETE FROM {t} WHERE proof_item_id = ?")).bind(id))
            .await?;
    }
    for (i, b) in d.bases.iter().enumerate() {
        x.execute(
            q("INSERT INTO proof_item_bases (proof_item_id, position, kind, law, article, text) VALUES (?, ?, ?, ?, ?, ?)")
                .bind(id)
                .bind(i as i64)
                .bind(b.kind.as_str())
                .bind(b.law.as_str())
                .bind(b.article.as_str())
                .bind(b.text.as_str()),
        )
        .await?;
    }
    for (table, orgs) in [
        ("proof_item_issuers", &d.issuer_ids[..]),
        ("proof_item_requesters", requesters),
    ] {
        // Both lists come without repeats from the draft.
        for o in orgs.iter().copied() {
            x.execute(
                q(format!(
                    "INSERT INTO {table} (proof_item_id, org_id) VALUES (?, ?)"
                ))
                .bind(id)
                .bind(o),
            )
            .await?;
        }
    }
    for s in &d.service_item_ids {
        x.execute(
            q("INSERT INTO proof_item_services (proof_item_id, service_item_id) VALUES (?, ?)")
                .bind(id)
                .bind(*s),
        )
        .await?;
    }
    for (i, m) in d.methods.iter().enumerate() {
        x.execute(
            q("INSERT INTO replacements (proof_item_id, position, method, citizen_text, guide, deadline_class, deadline_period) \
               VALUES (?, ?, ?, ?, ?, ?, ?)")
                .bind(id)
                .bind(i as i64)
                .bind(m.method.as_str())
                .bind(m.citizen_text.as_str())
                .bind(m.guide.as_str())
                .bind(m.deadline_class.map(|c| c.code().to_owned()))
                .bind(m.deadline_class.map(|c| c.period_string())),
        )
        .await?;
    }
    Ok(())
}

/// Move an item `from` → `to`; 0 rows when it is no longer in `from`.
pub(crate) async fn move_item(
    x: &mut impl Exec,
    id: i64,
    from: Stage,
    to: Stage,
    now: i64,
) -> Result<u64> {
    x.execute(
        q("UPDATE proof_items SET stage = ?, updated_at = ?, version = version + 1 WHERE id = ? AND stage = ?")
            .bind(to.as_str())
            .bind(now)
            .bind(id)
            .bind(from.as_str()),
    )
    .await
}

pub(crate) async fn item(x: &mut impl Exec, id: i64) -> Result<Option<ItemRow>> {
    x.fetch_optional(q(format!("{ITEM_SELECT} WHERE p.id = ?")).bind(id))
        .await
}

/// Items by filter; `owner` is the unit the actor may see (`None`: all).
pub(crate) async fn items(
    x: &mut impl Exec,
    owner: Option<i64>,
    f: &ItemFilter,
) -> Result<Vec<ItemRow>> {
    let mut query = q(format!("{ITEM_SELECT} WHERE 1 = 1"));
    if let Some(o) = owner {
        query.push_sql(" AND p.owner_org_id = ?");
        query.push_arg(o);
    }
    if let Some(s) = f.stage {
        query.push_sql(" AND p.stage = ?");
        query.push_arg(s.as_str());
    }
    if let Some(r) = &f.region_code {
        query.push_sql(" AND l.region_code = ?");
        query.push_arg(r.as_str());
    }
    query.push_sql(" ORDER BY p.id LIMIT 2000");
    x.fetch_all(query).await
}

/// Items whose implementation list falls under the exemption list of `region_code`: the
/// county's own, or a town's and its villages'.
pub(crate) async fn items_under(
    x: &mut impl Exec,
    region_code: &str,
    county: bool,
) -> Result<Vec<ItemRow>> {
    if county {
        x.fetch_all(
            q(format!(
                "{ITEM_SELECT} WHERE l.region_code = ? ORDER BY p.id"
            ))
            .bind(region_code),
        )
        .await
    } else {
        x.fetch_all(
            q(format!(
                "{ITEM_SELECT} WHERE (l.region_code = ? OR l.region_code IN \
                 (SELECT code FROM regions WHERE parent_code = ?)) ORDER BY p.id"
            ))
            .bind(region_code)
            .bind(region_code),
        )
        .await
    }
}

/// The unit's item of this name in the list of (level, region), if any.
pub(crate) async fn item_named(
    x: &mut impl Exec,
    owner: i64,
    level: CatalogueLevel,
    region_code: &str,
    name: &str,
) -> Result<Option<i64>> {
    let r: Option<(i64,)> = x
        .fetch_optional(
            q(
                "SELECT p.id FROM proof_items p JOIN implementation_lists l ON l.id = p.list_id \
               WHERE p.owner_org_id = ? AND l.level = ? AND l.region_code = ? AND p.name = ?",
            )
            .bind(owner)
            .bind(level.as_str())
            .bind(region_code)
            .bind(name),
        )
        .await?;
    Ok(r.map(|r| r.0))
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct ServiceRefRow {
    pub id: i64,
    pub name: String,
    pub code: String,
    pub kind: ServiceItemKind,
    pub org_name: String,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct BasisRow {
    pub kind: BasisKind,
    pub law: String,
    pub article: String,
    pub text: String,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct MethodRow {
    pub method: ReplacementMethod,
    pub citizen_text: String,
    pub guide: String,
    pub deadline_class: Option<String>,
    pub deadline_period: Option<String>,
}

/// What an item links to, in display order.
pub(crate) struct ItemLinks {
    pub services: Vec<ServiceRefRow>,
    pub bases: Vec<BasisRow>,
    pub issuers: Vec<(i64, String)>,
    pub requesters: Vec<(i64, String)>,
    pub methods: Vec<MethodRow>,
}

pub(crate) async fn item_links(x: &mut impl Exec, id: i64) -> Result<ItemLinks> {
    let services = x
        .fetch_all(
            q("SELECT s.id, s.name, s.code, s.kind, o.name AS org_name FROM proof_item_services ps \
               JOIN service_items s ON s.id = ps.service_item_id JOIN orgs o ON o.id = s.org_id \
               WHERE ps.proof_item_id = ? ORDER BY s.id")
            .bind(id),
        )
        .await?;
    let bases = x
        .fetch_all(
            q("SELECT kind, law, article, text FROM proof_item_bases WHERE proof_item_id = ? ORDER BY position")
                .bind(id),
        )
        .await?;
    let mut orgs = vec![];
    for table in ["proof_item_issuers", "proof_item_requesters"] {
        let rows: Vec<(i64, String)> = x
            .fetch_all(
                q(format!(
                    "SELECT o.id, o.name FROM {table} i JOIN orgs o ON o.id = i.org_id \
                     WHERE i.proof_item_id = ? ORDER BY o.id"
                ))
                .bind(id),
            )
            .await?;
        orgs.push(rows);
    }
    let requesters = orgs.pop().unwrap_or_default();
    let issuers = orgs.pop().unwrap_or_default();
    let methods = x
        .fetch_all(
            q("SELECT method, citizen_text, guide, deadline_class, deadline_period FROM replacements \
               WHERE proof_item_id = ? ORDER BY position")
            .bind(id),
        )
        .await?;
    Ok(ItemLinks {
        services,
        bases,
        issuers,
        requesters,
        methods,
    })
}

// Legal reviews.

pub(crate) async fn last_review(x: &mut impl Exec, item_id: i64) -> Result<Option<LastReview>> {
    x.fetch_optional(
        q("SELECT verdict, remarks, reviewer_name, at FROM legal_reviews WHERE proof_item_id = ? ORDER BY id DESC LIMIT 1")
            .bind(item_id),
    )
    .await
}

pub(crate) async fn reviews(x: &mut impl Exec, item_id: i64) -> Result<Vec<Review>> {
    x.fetch_all(
        q(
            "SELECT id, proof_item_id, item_version, reviewer_name, verdict, remarks, at \
           FROM legal_reviews WHERE proof_item_id = ? ORDER BY id",
        )
        .bind(item_id),
    )
    .await
}

#[allow(clippy::too_many_arguments)]
pub(crate) async fn insert_review(
    x: &mut impl Exec,
    item_id: i64,
    item_version: i64,
    reviewer_id: Option<i64>,
    reviewer_name: &str,
    verdict: Verdict,
    remarks: &str,
    now: i64,
) -> Result<i64> {
    x.scalar_i64(
        q("INSERT INTO legal_reviews (proof_item_id, item_version, reviewer_id, reviewer_name, verdict, remarks, at) \
           VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id")
        .bind(item_id)
        .bind(item_version)
        .bind(reviewer_id)
        .bind(reviewer_name)
        .bind(verdict.as_str())
        .bind(remarks)
        .bind(now),
    )
    .await
}
