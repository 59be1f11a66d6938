//! One immutable-once-published state of the index.
//!
//! Documents get ordinals in ascending id order, so every posting list iterates in id order
//! and the "ties by id" rule costs nothing: a page is the first ids of each tier. A new
//! document with the largest id (the usual case: ids come from a database sequence) is
//! appended; replacing or removing a document updates its lists in place. A new document
//! whose id falls below the largest (an item published again) is appended too but marked
//! *misplaced*: pages merge the few misplaced documents of a tier by id. Once there are
//! [`MAX_MISPLACED`] of them, or a quarter of the slots are empty after removals, the
//! snapshot is rebuilt in id order.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;

use roaring::RoaringBitmap;
use rustc_hash::FxHashMap;

use crate::field::Field;
use crate::grams::{Postings, intersect};
use crate::normalize::{match_key, query_key};
use crate::types::{Change, Filters, MAX_LIMIT, Query, SearchDoc, SearchResult};

#[derive(Clone, Debug)]
struct Entry {
    doc: SearchDoc,
    name_texts: Vec<u32>,
    service_texts: Vec<u32>,
    alias_texts: Vec<u32>,
}

#[derive(Clone, Debug)]
pub(crate) struct Snapshot {
    entries: Vec<Option<Arc<Entry>>>,
    ordinals: FxHashMap<i64, u32>,
    alive: RoaringBitmap,
    /// Ordinals whose id is out of ordinal order (see the module docs).
    misplaced: RoaringBitmap,
    /// Largest id among documents in ordinal order.
    max_ordered_id: Option<i64>,
    dead: usize,
    name: Field,
    service: Field,
    /// Everyday words of the synonym table ([`SearchDoc::aliases`]).
    alias: Field,
    level: Postings<String>,
    region: Postings<String>,
    /// Region code → documents of that region and every region below it.
    region_tree: Postings<String>,
    issuer: Postings<i64>,
    service_code: Postings<String>,
    method: Postings<String>,
}

impl Default for Snapshot {
    fn default() -> Self {
        Snapshot {
            entries: Vec::new(),
            ordinals: FxHashMap::default(),
            alive: RoaringBitmap::new(),
            misplaced: RoaringBitmap::new(),
            max_ordered_id: None,
            dead: 0,
            name: Field::new(false),
            service: Field::new(true),
            alias: Field::new(true),
            level: Postings::default(),
            region: Postings::default(),
            region_tree: Postings::default(),
            issuer: Postings::default(),
            service_code: Postings::default(),
            method: Postings::default(),
        }
    }
}

/// Rebuild once this many slots are dead and they are a quarter of all slots.
const COMPACT_MIN_DEAD: usize = 1024;
/// Rebuild once this many documents are out of id order.
pub(crate) const MAX_MISPLACED: u64 = 4096;

impl Snapshot {
    /// Indexes `docs`; for a repeated id the last document wins. The two text fields are
    /// built on two threads.
    pub fn build(docs: impl IntoIterator<Item = SearchDoc>) -> Snapshot {
        let by_id: BTreeMap<i64, SearchDoc> = docs.into_iter().map(|d| (d.id, d)).collect();
        let docs: Vec<SearchDoc> = by_id.into_values().collect();
        let Ok(count) = u32::try_from(docs.len()) else {
            return Snapshot::default();
        };
        let build_field = |multi_valued: bool| {
            let mut field = Field::new(multi_valued);
            let texts: Vec<Vec<u32>> = docs
                .iter()
                .zip(0..count)
                .map(|(doc, ordinal)| {
                    let keys = if multi_valued {
                        service_keys(doc)
                    } else {
                        name_keys(doc)
                    };
                    field.add_doc(ordinal, &keys)
                })
                .collect();
            (field, texts)
        };
        let ((name, name_texts), (service, service_texts)) = std::thread::scope(|scope| {
            let names = scope.spawn(|| build_field(false));
            let services = build_field(true);
            // A panic while building is a bug; rebuild on this thread rather than lose the index.
            (
                names.join().unwrap_or_else(|_| build_field(false)),
                services,
            )
        });
        let mut alias = Field::new(true);
        let alias_texts: Vec<Vec<u32>> = docs
            .iter()
            .zip(0..count)
            .map(|(doc, ordinal)| alias.add_doc(ordinal, &alias_keys(doc)))
            .collect();
        let mut snapshot = Snapshot {
            name,
            service,
            alias,
            ..Snapshot::default()
        };
        snapshot.entries.reserve(docs.len());
        for ((((doc, ordinal), name_texts), service_texts), alias_texts) in docs
            .into_iter()
            .zip(0..count)
            .zip(name_texts)
            .zip(service_texts)
            .zip(alias_texts)
        {
            snapshot.index_filters(ordinal, &doc);
            snapshot.alive.insert(ordinal);
            snapshot.ordinals.insert(doc.id, ordinal);
            snapshot.max_ordered_id = Some(doc.id);
            snapshot.entries.push(Some(Arc::new(Entry {
                doc,
                name_texts,
                service_texts,
                alias_texts,
            })));
        }
        snapshot
    }

    pub fn len(&self) -> usize {
        self.ordinals.len()
    }

    pub fn get(&self, id: i64) -> Option<&SearchDoc> {
        let ordinal = *self.ordinals.get(&id)?;
        self.entry(ordinal).map(|e| &e.doc)
    }

    fn entry(&self, ordinal: u32) -> Option<&Entry> {
        self.entries
            .get(ordinal as usize)
            .and_then(|e| e.as_deref())
    }

    fn live_docs(&self) -> impl Iterator<Item = SearchDoc> + '_ {
        self.entries.iter().flatten().map(|e| e.doc.clone())
    }

    pub fn apply(&mut self, change: Change) {
        match change {
            Change::Upsert(doc) => self.upsert(doc),
            Change::Remove(id) => {
                self.remove(id);
            }
        }
    }

    pub fn upsert(&mut self, doc: SearchDoc) {
        if let Some(&ordinal) = self.ordinals.get(&doc.id) {
            self.unindex(ordinal);
            self.index(ordinal, doc);
            return;
        }
        // Ordinals are u32; four billion catalogue entries are out of scope.
        let Ok(ordinal) = u32::try_from(self.entries.len()) else {
            return;
        };
        if self.max_ordered_id.is_some_and(|max| doc.id < max) {
            self.misplaced.insert(ordinal);
        } else {
            self.max_ordered_id = Some(doc.id);
        }
        self.entries.push(None);
        self.index(ordinal, doc);
        if self.misplaced.len() >= MAX_MISPLACED {
            self.rebuild();
        }
    }

    pub fn remove(&mut self, id: i64) -> bool {
        let Some(&ordinal) = self.ordinals.get(&id) else {
            return false;
        };
        self.unindex(ordinal);
        self.misplaced.remove(ordinal);
        self.dead += 1;
        while matches!(self.entries.last(), Some(None)) {
            self.entries.pop();
            self.dead -= 1;
        }
        if self.dead >= COMPACT_MIN_DEAD && self.dead * 4 >= self.entries.len() {
            self.rebuild();
        }
        true
    }

    fn rebuild(&mut self) {
        let docs: Vec<SearchDoc> = self.live_docs().collect();
        *self = Snapshot::build(docs);
    }

    /// Fills the empty slot `ordinal` with `doc`.
    fn index(&mut self, ordinal: u32, doc: SearchDoc) {
        let name_texts = self.name.add_doc(ordinal, &name_keys(&doc));
        let service_texts = self.service.add_doc(ordinal, &service_keys(&doc));
        let alias_texts = self.alias.add_doc(ordinal, &alias_keys(&doc));
        self.index_filters(ordinal, &doc);
        self.alive.insert(ordinal);
        self.ordinals.insert(doc.id, ordinal);
        if let Some(slot) = self.entries.get_mut(ordinal as usize) {
            *slot = Some(Arc::new(Entry {
                doc,
                name_texts,
                service_texts,
                alias_texts,
            }));
        }
    }

    fn index_filters(&mut self, ordinal: u32, doc: &SearchDoc) {
        for_each_filter_value(doc, |key| match key {
            FilterValue::Level(v) => self.level.add(v.to_string(), ordinal),
            FilterValue::Region(v) => self.region.add(v.to_string(), ordinal),
            FilterValue::RegionOrAbove(v) => self.region_tree.add(v, ordinal),
            FilterValue::Issuer(v) => self.issuer.add(v, ordinal),
            FilterValue::ServiceCode(v) => self.service_code.add(v.to_string(), ordinal),
            FilterValue::Method(v) => self.method.add(v.to_string(), ordinal),
        });
    }

    /// Empties slot `ordinal`, removing its document from every list. The caller refills the
    /// slot at once or counts it as dead.
    fn unindex(&mut self, ordinal: u32) {
        let Some(entry) = self
            .entries
            .get_mut(ordinal as usize)
            .and_then(Option::take)
        else {
            return;
        };
        self.name.remove_doc(ordinal, &entry.name_texts);
        self.service.remove_doc(ordinal, &entry.service_texts);
        self.alias.remove_doc(ordinal, &entry.alias_texts);
        for_each_filter_value(&entry.doc, |key| match key {
            FilterValue::Level(v) => self.level.remove(&v.to_string(), ordinal),
            FilterValue::Region(v) => self.region.remove(&v.to_string(), ordinal),
            FilterValue::RegionOrAbove(v) => self.region_tree.remove(&v, ordinal),
            FilterValue::Issuer(v) => self.issuer.remove(&v, ordinal),
            FilterValue::ServiceCode(v) => self.service_code.remove(&v.to_string(), ordinal),
            FilterValue::Method(v) => self.method.remove(&v.to_string(), ordinal),
        });
        self.alive.remove(ordinal);
        self.ordinals.remove(&entry.doc.id);
    }

    pub fn search(&self, query: &Query) -> SearchResult {
        let (key, truncated) = query_key(&query.text);
        let base = self.filtered(&query.filters);
        let tiers: Vec<Cow<'_, RoaringBitmap>> = if key.is_empty() {
            vec![base]
        } else {
            self.rank(&key, &base).into_iter().map(Cow::Owned).collect()
        };
        let total: usize = tiers.iter().map(|t| t.len() as usize).sum();
        let limit = query.limit.min(MAX_LIMIT);
        let mut skip = query.offset;
        let mut ids = Vec::with_capacity(limit.min(total));
        for tier in &tiers {
            if ids.len() >= limit {
                break;
            }
            let len = tier.len() as usize;
            if skip >= len {
                skip -= len;
                continue;
            }
            let wanted = limit - ids.len();
            self.page_of_tier(tier, skip, wanted, &mut ids);
            skip = 0;
        }
        let shown = query.offset.saturating_add(ids.len());
        SearchResult {
            next_offset: (!ids.is_empty() && shown < total).then_some(shown),
            ids,
            total,
            normalized_text: key,
            truncated,
        }
    }

    /// Appends ids `skip..skip + take` of `tier` in id order.
    fn page_of_tier(&self, tier: &RoaringBitmap, skip: usize, take: usize, ids: &mut Vec<i64>) {
        let id = |ordinal: u32| self.entry(ordinal).map(|e| e.doc.id);
        let misplaced = if self.misplaced.is_empty() {
            RoaringBitmap::new()
        } else {
            tier & &self.misplaced
        };
        if misplaced.is_empty() {
            ids.extend(tier.iter().filter_map(id).skip(skip).take(take));
            return;
        }
        let mut extra: Vec<i64> = misplaced.iter().filter_map(id).collect();
        extra.sort_unstable();
        let mut ordered = tier
            .iter()
            .filter(|o| !misplaced.contains(*o))
            .filter_map(id)
            .peekable();
        let mut extra = extra.into_iter().peekable();
        let merged = std::iter::from_fn(|| match (ordered.peek(), extra.peek()) {
            (Some(a), Some(b)) if b < a => extra.next(),
            (Some(_), _) => ordered.next(),
            (None, _) => extra.next(),
        });
        ids.extend(merged.skip(skip).take(take));
    }

    /// Matches of a non-empty key, split into tiers in rank order, disjoint.
    fn rank(&self, key: &str, base: &RoaringBitmap) -> Vec<RoaringBitmap> {
        let chars: Vec<char> = key.chars().collect();
        let name = self.name.match_text(key, &chars, base);
        let service = self.service.match_text(key, &chars, base).all;
        let alias = self.alias.match_text(key, &chars, base).all;
        let (py_name, py_service) = if key.is_ascii() {
            (
                self.name.match_pinyin(key, base),
                self.service.match_pinyin(key, base),
            )
        } else {
            (RoaringBitmap::new(), RoaringBitmap::new())
        };
        let prefix_only = &name.prefix - &name.exact;
        let substring_only = &name.all - &name.prefix;
        let mut seen = name.all;
        let alias_only = &alias - &seen;
        seen |= alias;
        let service_only = &service - &seen;
        seen |= service;
        let py_name_only = &py_name - &seen;
        seen |= py_name;
        let py_service_only = py_service - &seen;
        vec![
            name.exact,
            prefix_only,
            substring_only,
            alias_only,
            service_only,
            py_name_only,
            py_service_only,
        ]
    }

    /// Documents passing every given filter.
    fn filtered(&self, filters: &Filters) -> Cow<'_, RoaringBitmap> {
        let mut lists: Vec<Option<&RoaringBitmap>> = Vec::new();
        if let Some(level) = &filters.level {
            lists.push(self.level.get(level));
        }
        if let Some(region) = &filters.region_code {
            if filters.include_subregions {
                lists.push(self.region_tree.get(region));
            } else {
                lists.push(self.region.get(region));
            }
        }
        if let Some(issuer) = filters.issuer_id {
            lists.push(self.issuer.get(&issuer));
        }
        if let Some(code) = &filters.service_item_code {
            lists.push(self.service_code.get(code));
        }
        if let Some(method) = &filters.method {
            lists.push(self.method.get(method));
        }
        if lists.is_empty() {
            return Cow::Borrowed(&self.alive);
        }
        Cow::Owned(intersect(lists.into_iter(), Some(&self.alive)))
    }
}

/// The name's match key, unless it is empty.
fn name_keys(doc: &SearchDoc) -> Vec<String> {
    let key = match_key(&doc.name);
    if key.is_empty() {
        Vec::new()
    } else {
        vec![key]
    }
}

/// The distinct non-empty match keys of the service-item names.
fn service_keys(doc: &SearchDoc) -> Vec<String> {
    let mut keys: Vec<String> = doc
        .service_item_names
        .iter()
        .map(|n| match_key(n))
        .filter(|k| !k.is_empty())
        .collect();
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// The distinct non-empty match keys of the aliases (the synonym table's everyday words).
fn alias_keys(doc: &SearchDoc) -> Vec<String> {
    let mut keys: Vec<String> = doc
        .aliases
        .iter()
        .map(|n| match_key(n))
        .filter(|k| !k.is_empty())
        .collect();
    keys.sort_unstable();
    keys.dedup();
    keys
}

enum FilterValue<'a> {
    Level(&'a str),
    Region(&'a str),
    RegionOrAbove(String),
    Issuer(i64),
    ServiceCode(&'a str),
    Method(&'a str),
}

/// Calls `f` once per distinct filter value of `doc`, so adding and removing stay symmetric.
fn for_each_filter_value(doc: &SearchDoc, mut f: impl FnMut(FilterValue<'_>)) {
    fn distinct<T: Ord + Copy>(values: impl Iterator<Item = T>) -> Vec<T> {
        let mut v: Vec<T> = values.collect();
        v.sort_unstable();
        v.dedup();
        v
    }
    if !doc.level.is_empty() {
        f(FilterValue::Level(&doc.level));
    }
    if !doc.region_code.is_empty() {
        f(FilterValue::Region(&doc.region_code));
        region_and_ancestors(&doc.region_code)
            .into_iter()
            .for_each(|r| f(FilterValue::RegionOrAbove(r)));
    }
    distinct(doc.issuer_ids.iter().copied())
        .into_iter()
        .for_each(|v| f(FilterValue::Issuer(v)));
    distinct(doc.service_item_codes.iter().map(String::as_str))
        .into_iter()
        .for_each(|v| f(FilterValue::ServiceCode(v)));
    distinct(doc.methods.iter().map(String::as_str))
        .into_iter()
        .for_each(|v| f(FilterValue::Method(v)));
}

/// `code` and the codes of every region above it. A 12-digit code's levels end after 2
/// (province), 4 (city), 6 (county), 9 (town) and 12 (village) digits; a code of any other
/// shape is only itself.
fn region_and_ancestors(code: &str) -> Vec<String> {
    if code.len() != 12 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return vec![code.to_string()];
    }
    let mut codes: Vec<String> = [2, 4, 6, 9, 12]
        .iter()
        .filter_map(|&n| code.get(..n))
        .map(|head| format!("{head:0<12}"))
        .collect();
    codes.dedup();
    codes
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn a_region_lies_within_itself_and_every_level_above() {
        assert_eq!(
            region_and_ancestors("370322001201"),
            vec![
                "370000000000",
                "370300000000",
                "370322000000",
                "370322001000",
                "370322001201"
            ]
        );
        assert_eq!(
            region_and_ancestors("370322000000"),
            vec!["370000000000", "370300000000", "370322000000"]
        );
        assert_eq!(region_and_ancestors("abc"), vec!["abc"]);
    }
}
