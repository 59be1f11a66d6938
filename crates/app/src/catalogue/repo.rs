//! The catalogue's SQL, and only here. Each function runs on a reader or the caller's
//! transaction (`&mut impl Exec`); rows decode straight into records whose stages, kinds
//! and methods are domain enums, so a stored value that is not one fails to decode.

use chrono::NaiveDate;
use proofless_domain::catalogue::{
    BasisKind, CatalogueLevel, ReplacementMethod, ServiceItemKind, Stage, Verdict,
};
use proofless_domain::region::RegionLevel;
use proofless_store::{Exec, StoreError, q};
use serde::Deserialize;

use super::input::{ItemFilter, ProofItemDraft, ServiceItemDraft};
use super::items::{ItemRow, LastReview};
use super::lists::ListVersion;
use super::review::Review;
use super::services::ServiceItem;

type Result<T> = std::result::Result<T, StoreError>;

// ---- regions and units ----

/// A region's name and level.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct RegionRow {
    pub name: String,
    pub level: RegionLevel,
    pub parent_code: Option<String>,
}

pub(crate) async fn region(x: &mut impl Exec, code: &str) -> Result<Option<RegionRow>> {
    x.fetch_optional(q("SELECT name, level, parent_code FROM regions WHERE code = ?").bind(code))
        .await
}

pub(crate) async fn org_exists(x: &mut impl Exec, id: i64) -> Result<bool> {
    let found: Option<(i64,)> = x
        .fetch_optional(q("SELECT id FROM orgs WHERE id = ?").bind(id))
        .await?;
    Ok(found.is_some())
}

/// The region a unit belongs to.
pub(crate) async fn org_region(x: &mut impl Exec, org_id: i64) -> Result<Option<String>> {
    let r: Option<(String,)> = x
        .fetch_optional(q("SELECT region_code FROM orgs WHERE id = ?").bind(org_id))
        .await?;
    Ok(r.map(|r| r.0))
}

/// Up to two units of exactly this name (the import refuses an ambiguous name).
pub(crate) async fn orgs_named(x: &mut impl Exec, name: &str) -> Result<Vec<i64>> {
    let rows: Vec<(i64,)> = x
        .fetch_all(q("SELECT id FROM orgs WHERE name = ? ORDER BY id LIMIT 2").bind(name))
        .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

// ---- proof items ----

const ITEM_SELECT: &str = "SELECT p.id, p.owner_org_id, o.name AS owner_org_name, p.name, \
    l.level, l.region_code, r.name AS region_name, p.disposition, p.issuer_can_verify, \
    p.correctable_afterwards, p.risk_domains, p.remarks, p.stage, p.version, p.updated_at \
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
        q("INSERT INTO proof_items (list_id, owner_org_id, name, disposition, issuer_can_verify, \
           correctable_afterwards, risk_domains, remarks, stage, created_by, created_at, updated_at) \
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id")
        .bind(list_id)
        .bind(owner)
        .bind(d.name.as_str())
        .bind(d.disposition.as_str())
        .bind(d.issuer_can_verify)
        .bind(d.correctable_afterwards)
        .bind(d.risk_domains.join(","))
        .bind(d.remarks.as_str())
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
           correctable_afterwards = ?, risk_domains = ?, remarks = ?, stage = ?, updated_at = ?, \
           version = version + 1 WHERE id = ? AND version = ?",
        )
        .bind(list_id)
        .bind(d.name.as_str())
        .bind(d.disposition.as_str())
        .bind(d.issuer_can_verify)
        .bind(d.correctable_afterwards)
        .bind(d.risk_domains.join(","))
        .bind(d.remarks.as_str())
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

// ---- legal review ----

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

// ---- service items ----

const SERVICE_SELECT: &str = "SELECT s.id, s.org_id, o.name AS org_name, s.name, s.code, s.kind, s.level, s.version \
    FROM service_items s JOIN orgs o ON o.id = s.org_id";

pub(crate) async fn insert_service_item(
    x: &mut impl Exec,
    org_id: i64,
    d: &ServiceItemDraft,
    now: i64,
) -> Result<i64> {
    x.scalar_i64(
        q(
            "INSERT INTO service_items (org_id, name, code, kind, level, created_at, updated_at) \
           VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(org_id)
        .bind(d.name.as_str())
        .bind(d.code.as_str())
        .bind(d.kind.as_str())
        .bind(d.level.as_str())
        .bind(now)
        .bind(now),
    )
    .await
}

/// 0 rows when the version moved.
pub(crate) async fn update_service_item(
    x: &mut impl Exec,
    id: i64,
    version: i64,
    d: &ServiceItemDraft,
    now: i64,
) -> Result<u64> {
    x.execute(
        q(
            "UPDATE service_items SET name = ?, code = ?, kind = ?, level = ?, updated_at = ?, \
           version = version + 1 WHERE id = ? AND version = ?",
        )
        .bind(d.name.as_str())
        .bind(d.code.as_str())
        .bind(d.kind.as_str())
        .bind(d.level.as_str())
        .bind(now)
        .bind(id)
        .bind(version),
    )
    .await
}

pub(crate) async fn service_item(x: &mut impl Exec, id: i64) -> Result<Option<ServiceItem>> {
    x.fetch_optional(q(format!("{SERVICE_SELECT} WHERE s.id = ?")).bind(id))
        .await
}

/// One unit's service items, or every unit's (`None`, bounded).
pub(crate) async fn service_items(x: &mut impl Exec, org: Option<i64>) -> Result<Vec<ServiceItem>> {
    match org {
        Some(o) => {
            x.fetch_all(q(format!("{SERVICE_SELECT} WHERE s.org_id = ? ORDER BY s.id")).bind(o))
                .await
        }
        None => {
            x.fetch_all(q(format!("{SERVICE_SELECT} ORDER BY s.id LIMIT 5000")))
                .await
        }
    }
}

pub(crate) async fn service_item_by_code(
    x: &mut impl Exec,
    code: &str,
) -> Result<Option<ServiceItem>> {
    x.fetch_optional(q(format!("{SERVICE_SELECT} WHERE s.code = ?")).bind(code))
        .await
}

pub(crate) async fn service_item_id(x: &mut impl Exec, code: &str) -> Result<Option<i64>> {
    let r: Option<(i64,)> = x
        .fetch_optional(q("SELECT id FROM service_items WHERE code = ?").bind(code))
        .await?;
    Ok(r.map(|r| r.0))
}

// ---- exemption lists and their versions ----

const VERSION_SELECT: &str = "SELECT v.id, v.list_id, l.title, l.level, l.region_code, v.number, \
    v.stage, v.item_count, v.note, v.prepared_by, v.prepared_at, v.approval_doc_no, v.approver_name, \
    v.approved_at, v.effective_date, v.published_by, v.published_at \
    FROM list_versions v JOIN exemption_lists l ON l.id = v.list_id";

pub(crate) async fn exemption_list(x: &mut impl Exec, region_code: &str) -> Result<Option<i64>> {
    let r: Option<(i64,)> = x
        .fetch_optional(q("SELECT id FROM exemption_lists WHERE region_code = ?").bind(region_code))
        .await?;
    Ok(r.map(|r| r.0))
}

pub(crate) async fn insert_exemption_list(
    x: &mut impl Exec,
    level: CatalogueLevel,
    region_code: &str,
    title: &str,
    now: i64,
) -> Result<i64> {
    x.scalar_i64(
        q("INSERT INTO exemption_lists (level, region_code, title, created_at) VALUES (?, ?, ?, ?) RETURNING id")
            .bind(level.as_str())
            .bind(region_code)
            .bind(title)
            .bind(now),
    )
    .await
}

/// A version of the list waiting for approval or publication, if any.
pub(crate) async fn pending_version(x: &mut impl Exec, list_id: i64) -> Result<Option<i64>> {
    let r: Option<(i64,)> = x
        .fetch_optional(
            q("SELECT id FROM list_versions WHERE list_id = ? AND stage IN (?, ?)")
                .bind(list_id)
                .bind(Stage::Prepared.as_str())
                .bind(Stage::Approved.as_str()),
        )
        .await?;
    Ok(r.map(|r| r.0))
}

pub(crate) async fn insert_version(
    x: &mut impl Exec,
    list_id: i64,
    item_count: usize,
    note: &str,
    prepared_by: &str,
    now: i64,
) -> Result<i64> {
    x.scalar_i64(
        q("INSERT INTO list_versions (list_id, stage, item_count, note, prepared_by, prepared_at) \
           VALUES (?, ?, ?, ?, ?, ?) RETURNING id")
        .bind(list_id)
        .bind(Stage::Prepared.as_str())
        .bind(item_count as i64)
        .bind(note)
        .bind(prepared_by)
        .bind(now),
    )
    .await
}

pub(crate) async fn insert_version_item(
    x: &mut impl Exec,
    version_id: i64,
    item_id: i64,
    position: usize,
    name: &str,
    snapshot_json: &str,
) -> Result<()> {
    x.execute(
        q("INSERT INTO list_version_items (version_id, proof_item_id, position, name, snapshot) VALUES (?, ?, ?, ?, ?)")
            .bind(version_id)
            .bind(item_id)
            .bind(position as i64)
            .bind(name)
            .bind(snapshot_json),
    )
    .await?;
    Ok(())
}

/// The stored JSON snapshots of a version's items, in list order.
pub(crate) async fn version_snapshots(x: &mut impl Exec, version_id: i64) -> Result<Vec<String>> {
    let rows: Vec<(String,)> = x
        .fetch_all(
            q("SELECT snapshot FROM list_version_items WHERE version_id = ? ORDER BY position")
                .bind(version_id),
        )
        .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

pub(crate) async fn version(x: &mut impl Exec, id: i64) -> Result<Option<ListVersion>> {
    x.fetch_optional(q(format!("{VERSION_SELECT} WHERE v.id = ?")).bind(id))
        .await
}

/// Every version (staff), or the published ones newest first.
pub(crate) async fn versions(x: &mut impl Exec, all_stages: bool) -> Result<Vec<ListVersion>> {
    if all_stages {
        x.fetch_all(q(format!("{VERSION_SELECT} ORDER BY v.id DESC LIMIT 1000")))
            .await
    } else {
        x.fetch_all(
            q(format!(
                "{VERSION_SELECT} WHERE v.stage = ? ORDER BY v.published_at DESC, v.id DESC LIMIT 1000"
            ))
            .bind(Stage::Published.as_str()),
        )
        .await
    }
}

/// The list's latest published version, or the latest before number `before`.
pub(crate) async fn latest_published(
    x: &mut impl Exec,
    list_id: i64,
    before: Option<i64>,
) -> Result<Option<ListVersion>> {
    let mut query = q(format!(
        "{VERSION_SELECT} WHERE v.list_id = ? AND v.stage = ?"
    ))
    .bind(list_id)
    .bind(Stage::Published.as_str());
    if let Some(n) = before {
        query.push_sql(" AND v.number < ?");
        query.push_arg(n);
    }
    query.push_sql(" ORDER BY v.number DESC LIMIT 1");
    x.fetch_optional(query).await
}

/// The latest published version of every list (what the public reads).
pub(crate) async fn current_versions(x: &mut impl Exec) -> Result<Vec<ListVersion>> {
    x.fetch_all(
        q(format!(
            "{VERSION_SELECT} WHERE v.stage = ? AND v.number = \
             (SELECT MAX(x.number) FROM list_versions x WHERE x.list_id = v.list_id AND x.stage = ?) \
             ORDER BY l.level, l.region_code"
        ))
        .bind(Stage::Published.as_str())
        .bind(Stage::Published.as_str()),
    )
    .await
}

/// How many versions are published: the public catalogue's generation.
pub(crate) async fn published_count(x: &mut impl Exec) -> Result<i64> {
    x.scalar_i64(
        q("SELECT COUNT(*) FROM list_versions WHERE stage = ?").bind(Stage::Published.as_str()),
    )
    .await
}

/// Record the approval; 0 rows when the version is no longer in `from`.
pub(crate) async fn approve_version(
    x: &mut impl Exec,
    id: i64,
    from: Stage,
    doc_no: &str,
    approver: &str,
    now: i64,
) -> Result<u64> {
    x.execute(
        q("UPDATE list_versions SET stage = ?, approval_doc_no = ?, approver_name = ?, approved_at = ? \
           WHERE id = ? AND stage = ?")
        .bind(Stage::Approved.as_str())
        .bind(doc_no)
        .bind(approver)
        .bind(now)
        .bind(id)
        .bind(from.as_str()),
    )
    .await
}

/// The number the list's next published version gets.
pub(crate) async fn next_version_number(x: &mut impl Exec, list_id: i64) -> Result<i64> {
    x.scalar_i64(
        q("SELECT COALESCE(MAX(number), 0) + 1 FROM list_versions WHERE list_id = ?").bind(list_id),
    )
    .await
}

/// Publish under `number`; 0 rows when the version is no longer in `from`.
pub(crate) async fn publish_version(
    x: &mut impl Exec,
    id: i64,
    from: Stage,
    number: i64,
    effective: NaiveDate,
    publisher: &str,
    now: i64,
) -> Result<u64> {
    x.execute(
        q(
            "UPDATE list_versions SET stage = ?, number = ?, effective_date = ?, published_by = ?, \
           published_at = ? WHERE id = ? AND stage = ?",
        )
        .bind(Stage::Published.as_str())
        .bind(number)
        .bind(effective.format("%Y-%m-%d").to_string())
        .bind(publisher)
        .bind(now)
        .bind(id)
        .bind(from.as_str()),
    )
    .await
}
