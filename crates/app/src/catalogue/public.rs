//! The public side (SPEC R2.2): the current published lists, searched in memory.
//! The index is built from the latest published version of every exemption list at start;
//! a publication then replaces only the lists it changed ([`PublicCatalogue::update`]), so
//! it shows in search at once however large the catalogue. Other instances on the same
//! database notice a new publication within [`FRESHNESS`] (they compare the number of
//! published versions) and apply it the same way. The synonym table (`synonyms`) gives
//! items their everyday words; a change to it moves its revision on, and the served index
//! re-derives the words of the items whose words changed, the same way.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use proofless_domain::catalogue::{
    CatalogueLevel, Disposition, ItemSnapshot, MethodSnapshot, ReplacementMethod, ServiceItemKind,
};
use proofless_search::{Change, Filters, Index, Query, SearchDoc};
use proofless_store::Db;
use serde::Serialize;
use serde::de::DeserializeOwned;

pub use super::input::{SearchParams, SearchQuery};
use super::lists::{self, ListVersion};
use super::repo;
use super::synonyms::{self, Pair};
use crate::App;
use crate::error::{AppError, AppResult};

/// How stale another instance's publication may be before this one sees it.
pub const FRESHNESS: Duration = Duration::from_millis(250);
pub use super::input::{MAX_PUBLIC_LIMIT, MAX_PUBLIC_OFFSET};

/// One replacement method as the public reads it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PublicMethod {
    pub method: ReplacementMethod,
    pub label: String,
    /// "您无需提交此证明，办理单位将……"
    pub office_will: String,
    pub citizen_text: String,
    pub guide: String,
    pub deadline_period: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PublicServiceRef {
    pub name: String,
    pub code: String,
    pub kind: ServiceItemKind,
    pub kind_label: String,
    pub org_name: String,
}

/// A proof item of a current published list.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PublicItem {
    pub id: i64,
    pub name: String,
    pub level: CatalogueLevel,
    pub level_label: String,
    pub region_code: String,
    pub region_name: String,
    pub disposition: Disposition,
    pub issuers: Vec<String>,
    pub issuer_ids: Vec<i64>,
    pub requesters: Vec<String>,
    /// The requesting units' ids, in the order of `requesters` (A2 §12: only they, and the
    /// owner, verify).
    pub requester_ids: Vec<i64>,
    /// The unit that lists the item (its own requesting unit).
    pub owner_org_id: i64,
    /// Method codes (`data_sharing`, …).
    pub methods: Vec<ReplacementMethod>,
    pub replacements: Vec<PublicMethod>,
    pub service_items: Vec<PublicServiceRef>,
    #[schema(value_type = Vec<Object>)]
    pub legal_basis: Vec<proofless_domain::catalogue::BasisSnapshot>,
    pub remarks: String,
    /// 证明用途, as the list states it (SPEC "Real lists").
    pub purpose: String,
    /// Why commitment cannot replace the proof, as the list states it.
    pub no_commitment_reason: String,
    pub list_title: String,
    pub list_version_id: i64,
    pub list_version_number: i64,
    pub effective_date: String,
}

/// A code as a published snapshot stores it, decoded strictly: a value that is not one of
/// the vocabulary's codes is an error, never a default.
fn code<T: DeserializeOwned>(what: &str, s: &str) -> AppResult<T> {
    serde_json::from_value(serde_json::Value::String(s.to_owned())).map_err(|_| {
        AppError::Internal(format!(
            "清单快照中的{what}“{}”无效",
            s.chars().take(40).collect::<String>()
        ))
    })
}

fn public_method(m: &MethodSnapshot) -> AppResult<PublicMethod> {
    let method: ReplacementMethod = code("替代取消方式", &m.method)?;
    Ok(PublicMethod {
        method,
        label: method.label().to_owned(),
        office_will: method.office_action().to_owned(),
        citizen_text: m.citizen_text.clone(),
        guide: m.guide.clone(),
        deadline_period: m.deadline_period.clone(),
    })
}

fn public_item(s: &ItemSnapshot, v: &ListVersion) -> AppResult<PublicItem> {
    let level: CatalogueLevel = code("层级", &s.level)?;
    let replacements = s
        .methods
        .iter()
        .map(public_method)
        .collect::<AppResult<Vec<_>>>()?;
    let service_items = s
        .service_items
        .iter()
        .map(|x| {
            let kind: ServiceItemKind = code("事项类型", &x.kind)?;
            Ok(PublicServiceRef {
                name: x.name.clone(),
                code: x.code.clone(),
                kind,
                kind_label: kind.label().to_owned(),
                org_name: x.org_name.clone(),
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
    Ok(PublicItem {
        id: s.id,
        name: s.name.clone(),
        level,
        level_label: level.label().to_owned(),
        region_code: s.region_code.clone(),
        region_name: s.region_name.clone(),
        disposition: code("处理结果", &s.disposition)?,
        issuers: s.issuers.clone(),
        issuer_ids: s.issuer_ids.clone(),
        requesters: s.requesters.clone(),
        requester_ids: s.requester_ids.clone(),
        owner_org_id: s.owner_org_id,
        methods: replacements.iter().map(|m| m.method).collect(),
        replacements,
        service_items,
        legal_basis: s.legal_basis.clone(),
        remarks: s.remarks.clone(),
        purpose: s.purpose.clone(),
        no_commitment_reason: s.no_commitment_reason.clone(),
        list_title: v.title.clone(),
        list_version_id: v.id,
        list_version_number: v.number.unwrap_or(0),
        effective_date: v.effective_date.clone().unwrap_or_default(),
    })
}

/// The current catalogue: one index and the items it points at, swapped together.
struct Current {
    generation: i64,
    index: Arc<Index>,
    items: HashMap<i64, Arc<PublicItem>>,
    /// Each item's JSON, serialised once per publication: a search response is concatenation.
    json: HashMap<i64, Arc<str>>,
    issuers: HashMap<String, i64>,
    /// Per exemption list: the version served and the items it holds.
    lists: HashMap<i64, (i64, Vec<i64>)>,
    /// The synonym table's revision and pairs the index reflects.
    synonym_revision: i64,
    pairs: Arc<Vec<Pair>>,
    /// Each item's everyday words as indexed.
    aliases: HashMap<i64, Vec<String>>,
}

impl Current {
    fn empty() -> Current {
        Current {
            generation: -1,
            index: Arc::new(Index::new()),
            items: HashMap::new(),
            json: HashMap::new(),
            issuers: HashMap::new(),
            lists: HashMap::new(),
            synonym_revision: -1,
            pairs: Arc::new(vec![]),
            aliases: HashMap::new(),
        }
    }

    /// What a cached response depends on: grows with a publication and a synonym change.
    fn stamp(&self) -> i64 {
        self.generation + self.synonym_revision
    }
}

/// The search document of a served item with its everyday words.
fn doc_of(item: &PublicItem, aliases: Vec<String>) -> SearchDoc {
    SearchDoc {
        id: item.id,
        name: item.name.clone(),
        service_item_names: item.service_items.iter().map(|x| x.name.clone()).collect(),
        service_item_codes: item.service_items.iter().map(|x| x.code.clone()).collect(),
        level: item.level.as_str().to_owned(),
        region_code: item.region_code.clone(),
        issuer_ids: item.issuer_ids.clone(),
        methods: item.methods.iter().map(|m| m.as_str().to_owned()).collect(),
        aliases,
    }
}

fn aliases_of(item: &PublicItem, pairs: &[Pair]) -> Vec<String> {
    synonyms::aliases_for(
        &item.name,
        item.service_items.iter().map(|x| x.name.as_str()),
        pairs,
    )
}

/// One published list version, ready to serve.
struct LoadedVersion {
    docs: Vec<SearchDoc>,
    items: Vec<(Arc<PublicItem>, Arc<str>)>,
    issuers: Vec<(String, i64)>,
}

async fn load_version(db: &Db, v: &ListVersion, pairs: &[Pair]) -> AppResult<LoadedVersion> {
    let mut out = LoadedVersion {
        docs: vec![],
        items: vec![],
        issuers: vec![],
    };
    for s in lists::snapshots(db, v.id).await? {
        for (id, name) in s.issuer_ids.iter().zip(&s.issuers) {
            out.issuers.push((name.clone(), *id));
        }
        let item = public_item(&s, v)?;
        out.docs.push(doc_of(&item, aliases_of(&item, pairs)));
        let text = serde_json::to_string(&item).map_err(|e| AppError::Internal(e.to_string()))?;
        out.items.push((Arc::new(item), Arc::from(text)));
    }
    Ok(out)
}

pub struct PublicCatalogue {
    current: RwLock<Arc<Current>>,
    checked: Mutex<Option<Instant>>,
    rebuilding: tokio::sync::Mutex<()>,
    feed: Mutex<Option<(i64, Arc<Vec<super::feeds::FeedEntry>>)>>,
    /// Search responses of the served generation by query: the same few words ("户籍",
    /// "社保") make most of a portal's traffic.
    responses: Mutex<ResponseCache>,
}

/// Bounded: when full it starts again empty (a new generation empties it too).
#[derive(Default)]
struct ResponseCache {
    generation: i64,
    pages: HashMap<String, Arc<str>>,
}

/// Most distinct searches remembered per generation.
const RESPONSE_CACHE_ENTRIES: usize = 4096;

impl Default for PublicCatalogue {
    fn default() -> Self {
        PublicCatalogue {
            current: RwLock::new(Arc::new(Current::empty())),
            checked: Mutex::new(None),
            rebuilding: tokio::sync::Mutex::new(()),
            feed: Mutex::new(None),
            responses: Mutex::new(ResponseCache::default()),
        }
    }
}

impl std::fmt::Debug for PublicCatalogue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PublicCatalogue").finish()
    }
}

/// The published generation and the synonym table's revision, as `db` has them.
async fn generation(db: &Db) -> AppResult<(i64, i64)> {
    let mut r = db.reader();
    Ok((
        repo::published_count(&mut r).await?,
        repo::synonym_revision(&mut r).await?,
    ))
}

async fn load_pairs(db: &Db) -> AppResult<Vec<Pair>> {
    Ok(synonyms::pairs(&repo::synonyms(&mut db.reader()).await?))
}

/// The latest published version of every list.
pub async fn current_versions(app: &App) -> AppResult<Vec<ListVersion>> {
    Ok(repo::current_versions(&mut app.db.reader()).await?)
}

impl PublicCatalogue {
    fn load(&self) -> Arc<Current> {
        match self.current.read() {
            Ok(g) => g.clone(),
            Err(p) => p.into_inner().clone(),
        }
    }

    fn store(&self, next: Current) {
        match self.current.write() {
            Ok(mut g) => *g = Arc::new(next),
            Err(p) => *p.into_inner() = Arc::new(next),
        }
        if let Ok(mut c) = self.checked.lock() {
            *c = Some(Instant::now());
        }
    }

    /// Rebuild everything from the database (at start).
    pub async fn refresh(&self, app: &App) -> AppResult<()> {
        let _guard = self.rebuilding.lock().await;
        let (generation, synonym_revision) = generation(&app.db).await?;
        let pairs = load_pairs(&app.db).await?;
        let mut next = Current {
            generation,
            synonym_revision,
            ..Current::empty()
        };
        let mut docs = vec![];
        for v in current_versions(app).await? {
            let loaded = load_version(&app.db, &v, &pairs).await?;
            next.issuers.extend(loaded.issuers);
            let ids = loaded.items.iter().map(|(i, _)| i.id).collect();
            for (item, json) in loaded.items {
                next.json.insert(item.id, json);
                next.items.insert(item.id, item);
            }
            next.lists.insert(v.list_id, (v.id, ids));
            docs.extend(loaded.docs);
        }
        next.aliases = docs
            .iter()
            .filter(|d| !d.aliases.is_empty())
            .map(|d| (d.id, d.aliases.clone()))
            .collect();
        next.pairs = Arc::new(pairs);
        next.index = Arc::new(Index::build(docs));
        self.store(next);
        Ok(())
    }

    /// Bring the served catalogue up to the database by replacing only the lists whose
    /// published version changed: cost in proportion to the change, not the catalogue.
    /// Reads the primary: called right after this instance published.
    pub async fn update(&self, app: &App) -> AppResult<()> {
        self.update_from(app, &app.db).await
    }

    /// [`Self::update`] from `db`, the primary or a replica that may lag: a generation not
    /// newer than the one served is never applied, so a replica behind this instance's own
    /// publication cannot take the catalogue back.
    async fn update_from(&self, app: &App, db: &Db) -> AppResult<()> {
        let guard = self.rebuilding.lock().await;
        let cur = self.load();
        if cur.generation < 0 {
            drop(guard);
            return self.refresh(app).await;
        }
        let (generation, synonym_revision) = generation(db).await?;
        // Both only grow: a source behind what is served in either (a lagging replica) is
        // never applied, and one equal in both has nothing new.
        if generation < cur.generation
            || synonym_revision < cur.synonym_revision
            || (generation == cur.generation && synonym_revision == cur.synonym_revision)
        {
            return Ok(());
        }
        let pairs = if synonym_revision == cur.synonym_revision {
            cur.pairs.clone()
        } else {
            Arc::new(load_pairs(db).await?)
        };
        let mut aliases = cur.aliases.clone();
        let mut items = cur.items.clone();
        let mut json = cur.json.clone();
        let mut issuers = cur.issuers.clone();
        let mut served = cur.lists.clone();
        let mut changes = vec![];
        let mut live = HashSet::new();
        for v in repo::current_versions(&mut db.reader()).await? {
            live.insert(v.list_id);
            if served.get(&v.list_id).map(|x| x.0) == Some(v.id) {
                continue;
            }
            let old = served.remove(&v.list_id).map(|x| x.1).unwrap_or_default();
            let loaded = load_version(db, &v, &pairs).await?;
            let ids: Vec<i64> = loaded.items.iter().map(|(i, _)| i.id).collect();
            let keep: HashSet<i64> = ids.iter().copied().collect();
            for id in old.into_iter().filter(|id| !keep.contains(id)) {
                items.remove(&id);
                json.remove(&id);
                aliases.remove(&id);
                changes.push(Change::Remove(id));
            }
            for d in &loaded.docs {
                aliases.insert(d.id, d.aliases.clone());
            }
            issuers.extend(loaded.issuers);
            for (item, text) in loaded.items {
                json.insert(item.id, text);
                items.insert(item.id, item);
            }
            changes.extend(loaded.docs.into_iter().map(Change::Upsert));
            served.insert(v.list_id, (v.id, ids));
        }
        // Published versions are never deleted; a list gone from the result is dropped all
        // the same rather than served stale.
        let gone: Vec<i64> = served
            .keys()
            .filter(|l| !live.contains(l))
            .copied()
            .collect();
        for list in gone {
            for id in served.remove(&list).map(|x| x.1).unwrap_or_default() {
                items.remove(&id);
                json.remove(&id);
                aliases.remove(&id);
                changes.push(Change::Remove(id));
            }
        }
        if synonym_revision != cur.synonym_revision {
            // Only the items whose everyday words changed are indexed again.
            for item in items.values() {
                let now = aliases_of(item, &pairs);
                let before = aliases.get(&item.id).map(Vec::as_slice).unwrap_or_default();
                if now.as_slice() != before {
                    changes.push(Change::Upsert(doc_of(item, now.clone())));
                    aliases.insert(item.id, now);
                }
            }
        }
        aliases.retain(|_, a| !a.is_empty());
        cur.index.apply(changes);
        self.store(Current {
            generation,
            index: cur.index.clone(),
            items,
            json,
            issuers,
            lists: served,
            synonym_revision,
            pairs,
            aliases,
        });
        Ok(())
    }

    /// Make sure what we serve is at most [`FRESHNESS`] behind the database.
    pub async fn ensure_fresh(&self, app: &App) -> AppResult<()> {
        let due = match self.checked.lock() {
            Ok(mut c) => {
                let due = c.is_none_or(|t| t.elapsed() >= FRESHNESS);
                if due {
                    *c = Some(Instant::now());
                }
                due
            }
            Err(_) => true,
        };
        if !due {
            return Ok(());
        }
        // Other instances' publications and synonym changes, from the replica when there
        // is one (issue #23).
        let cur = self.load();
        let (g, r) = generation(app.lagging_db()).await?;
        if g > cur.generation || r > cur.synonym_revision {
            self.update_from(app, app.lagging_db()).await?;
        }
        Ok(())
    }

    pub fn len(&self) -> usize {
        self.load().items.len()
    }

    /// The published generation the served catalogue reflects.
    pub fn generation(&self) -> i64 {
        self.load().generation
    }

    pub(crate) fn cached_feed(&self, generation: i64) -> Option<Arc<Vec<super::feeds::FeedEntry>>> {
        let g = self.feed.lock().ok()?;
        g.as_ref()
            .filter(|(gen_, _)| *gen_ == generation)
            .map(|(_, e)| e.clone())
    }

    pub(crate) fn store_feed(&self, generation: i64, entries: Arc<Vec<super::feeds::FeedEntry>>) {
        if let Ok(mut g) = self.feed.lock() {
            *g = Some((generation, entries));
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn cached_response(&self, key: &str, generation: i64) -> Option<Arc<str>> {
        let c = self.responses.lock().ok()?;
        if c.generation != generation {
            return None;
        }
        c.pages.get(key).cloned()
    }

    fn store_response(&self, key: String, generation: i64, page: Arc<str>) {
        if let Ok(mut c) = self.responses.lock() {
            if c.generation != generation || c.pages.len() >= RESPONSE_CACHE_ENTRIES {
                c.pages.clear();
                c.generation = generation;
            }
            c.pages.insert(key, page);
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SearchPage {
    #[schema(value_type = Vec<PublicItem>)]
    pub items: Vec<Arc<PublicItem>>,
    pub total: usize,
    pub limit: usize,
    pub offset: usize,
    pub next_cursor: Option<String>,
    /// The query as searched (normalised, cut to 64 characters).
    pub normalized_query: String,
    /// Whether the query was cut.
    pub truncated: bool,
}

/// Validate the parameters and search the current index.
async fn run(
    app: &App,
    p: &SearchParams,
) -> AppResult<(Arc<Current>, proofless_search::SearchResult, usize, usize)> {
    let sq = p.parse()?;
    app.catalogue.ensure_fresh(app).await?;
    let cur = app.catalogue.load();
    let issuer_id = sq.issuer.as_ref().map(|i| match i.parse::<i64>() {
        Ok(n) => n,
        // An unknown issuer name matches nothing.
        Err(_) => cur.issuers.get(i).copied().unwrap_or(-1),
    });
    let query = Query::new(sq.text)
        .with_filters(Filters {
            level: sq.level.map(|l| l.as_str().to_owned()),
            region_code: sq.region,
            include_subregions: true,
            issuer_id,
            service_item_code: sq.service,
            method: sq.method.map(|m| m.as_str().to_owned()),
        })
        .page(sq.limit, sq.offset);
    let r = cur.index.search(&query);
    Ok((cur, r, sq.limit, sq.offset))
}

/// Search the current published lists. No login (R2.2).
pub async fn search(app: &App, p: &SearchParams) -> AppResult<SearchPage> {
    let (cur, r, limit, offset) = run(app, p).await?;
    let items = r
        .ids
        .iter()
        .filter_map(|id| cur.items.get(id).cloned())
        .collect();
    Ok(SearchPage {
        items,
        total: r.total,
        limit,
        offset,
        next_cursor: r.next_offset.map(|n| n.to_string()),
        normalized_query: r.normalized_text,
        truncated: r.truncated,
    })
}

/// The same page as [`search`], as JSON text built from the pre-serialised items, and
/// remembered for the served generation (errors are not).
pub async fn search_json(app: &App, p: &SearchParams) -> AppResult<Arc<str>> {
    app.catalogue.ensure_fresh(app).await?;
    let key = format!(
        "{:?}\u{1}{:?}\u{1}{:?}\u{1}{:?}\u{1}{:?}\u{1}{:?}\u{1}{:?}\u{1}{:?}\u{1}{:?}",
        p.q, p.level, p.region, p.issuer, p.service, p.method, p.limit, p.offset, p.cursor
    );
    let generation = app.catalogue.load().stamp();
    if let Some(hit) = app.catalogue.cached_response(&key, generation) {
        return Ok(hit);
    }
    let page: Arc<str> = Arc::from(render_json(app, p).await?);
    app.catalogue.store_response(key, generation, page.clone());
    Ok(page)
}

async fn render_json(app: &App, p: &SearchParams) -> AppResult<String> {
    let (cur, r, limit, offset) = run(app, p).await?;
    let mut out = String::with_capacity(1024 * (r.ids.len() + 1));
    out.push_str("{\"items\":[");
    let mut first = true;
    for id in &r.ids {
        if let Some(j) = cur.json.get(id) {
            if !first {
                out.push(',');
            }
            first = false;
            out.push_str(j);
        }
    }
    let tail = serde_json::json!({
        "total": r.total,
        "limit": limit,
        "offset": offset,
        "next_cursor": r.next_offset.map(|n| n.to_string()),
        "normalized_query": r.normalized_text,
        "truncated": r.truncated,
    })
    .to_string();
    out.push_str("],");
    // `tail` is an object: drop its opening brace and append the rest.
    out.push_str(tail.get(1..).unwrap_or("}"));
    Ok(out)
}

/// Items near a query that found nothing (issue #22 §2): the published items found by the
/// query's two-character pieces (户口本明 → 户口, 口本, 本明), most pieces first, at most
/// `limit`. No login, nothing counted.
pub async fn near_matches(app: &App, q: &str, limit: usize) -> AppResult<Vec<Arc<PublicItem>>> {
    app.catalogue.ensure_fresh(app).await?;
    let cur = app.catalogue.load();
    let key: Vec<char> = proofless_search::normalize(q).chars().take(16).collect();
    let mut hits: HashMap<i64, usize> = HashMap::new();
    for w in key.windows(2) {
        let piece: String = w.iter().collect();
        for id in cur.index.search(&Query::new(piece).page(50, 0)).ids {
            *hits.entry(id).or_default() += 1;
        }
    }
    let mut ranked: Vec<(i64, usize)> = hits.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    Ok(ranked
        .into_iter()
        .filter_map(|(id, _)| cur.items.get(&id).cloned())
        .take(limit)
        .collect())
}

/// One item of the current published lists.
pub async fn item(app: &App, id: i64) -> AppResult<Arc<PublicItem>> {
    app.catalogue.ensure_fresh(app).await?;
    app.catalogue
        .load()
        .items
        .get(&id)
        .cloned()
        .ok_or_else(|| AppError::NotFound(format!("已发布清单中的证明事项 {id}")))
}

/// "What may this office require?" (issue #3 §6; P 二(三); 优化营商环境条例 §44).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ServiceProofs {
    pub service_item: PublicServiceRef,
    /// Every proof this service involves and how the office obtains it; the applicant
    /// submits none of them.
    #[schema(value_type = Vec<PublicItem>)]
    pub proofs: Vec<Arc<PublicItem>>,
    pub notice: String,
}

pub const SERVICE_NOTICE: &str = "办理此事项时，以下证明均无需申请人提交，由办理单位按所列方式自行获取；清单以外的证明，任何单位不得索要（《优化营商环境条例》第四十四条）。";

pub async fn service_proofs(app: &App, code: &str) -> AppResult<ServiceProofs> {
    app.catalogue.ensure_fresh(app).await?;
    let cur = app.catalogue.load();
    let code = code.trim();
    let mut proofs: Vec<Arc<PublicItem>> = cur
        .items
        .values()
        .filter(|i| i.service_items.iter().any(|s| s.code == code))
        .cloned()
        .collect();
    proofs.sort_by_key(|i| i.id);
    let service_item = proofs
        .first()
        .and_then(|i| i.service_items.iter().find(|s| s.code == code).cloned());
    match service_item {
        Some(service_item) => Ok(ServiceProofs {
            service_item,
            proofs,
            notice: SERVICE_NOTICE.to_owned(),
        }),
        None => {
            // A registered service with no proof on the list: nothing may be demanded.
            let s = repo::service_item_by_code(&mut app.db.reader(), code)
                .await?
                .ok_or_else(|| {
                    AppError::NotFound(format!(
                        "事项编码 {}",
                        code.chars().take(40).collect::<String>()
                    ))
                })?;
            Ok(ServiceProofs {
                service_item: PublicServiceRef {
                    kind_label: s.kind.label().to_owned(),
                    name: s.name,
                    code: s.code,
                    kind: s.kind,
                    org_name: s.org_name,
                },
                proofs: vec![],
                notice: SERVICE_NOTICE.to_owned(),
            })
        }
    }
}
