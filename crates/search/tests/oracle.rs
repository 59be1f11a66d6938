//! Property test: the index answers exactly what a brute-force scan of the ranking rules
//! answers, for random catalogues, random changes and random queries.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;

use pinyin::ToPinyin;
use proofless_search::{Change, Filters, Index, Query, SearchDoc, normalize};
use proptest::prelude::*;

/// Syllables of a match key: each ASCII letter or digit alone, Chinese characters by their
/// default reading, anything else skipped.
fn syllables(key: &str) -> Vec<String> {
    key.chars()
        .filter_map(|c| {
            if c.is_ascii_alphanumeric() {
                Some(c.to_string())
            } else {
                c.to_pinyin().map(|p| p.plain().to_string())
            }
        })
        .collect()
}

fn pinyin_matches(key: &str, q: &str) -> bool {
    let syl = syllables(key);
    let initials: String = syl.iter().filter_map(|s| s.chars().next()).collect();
    initials.contains(q) || (0..syl.len()).any(|i| syl[i..].concat().starts_with(q))
}

fn tier(doc: &SearchDoc, q: &str) -> Option<u8> {
    let name = normalize(&doc.name);
    let services: Vec<String> = doc
        .service_item_names
        .iter()
        .map(|s| normalize(s))
        .collect();
    if q.is_empty() {
        return Some(0);
    }
    if name == q {
        Some(0)
    } else if name.starts_with(q) {
        Some(1)
    } else if name.contains(q) {
        Some(2)
    } else if services.iter().any(|s| s.contains(q)) {
        Some(3)
    } else if q.is_ascii() && pinyin_matches(&name, q) {
        Some(4)
    } else if q.is_ascii() && services.iter().any(|s| pinyin_matches(s, q)) {
        Some(5)
    } else {
        None
    }
}

fn expected(docs: &BTreeMap<i64, SearchDoc>, text: &str, level: Option<&str>) -> Vec<i64> {
    let q = normalize(text);
    let mut hits: Vec<(u8, i64)> = docs
        .values()
        .filter(|d| level.is_none_or(|l| d.level == l))
        .filter_map(|d| tier(d, &q).map(|t| (t, d.id)))
        .collect();
    hits.sort();
    hits.into_iter().map(|(_, id)| id).collect()
}

// ASCII runs in names are kept short and distinct from pinyin syllables of the alphabet.
const ALPHABET: &[&str] = &[
    "户", "籍", "证", "明", "社", "保", "行", "长", "q", "1", " ", "（",
];

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(ALPHABET), 0..8).prop_map(|v| v.concat())
}

fn search_doc() -> impl Strategy<Value = SearchDoc> {
    (
        0i64..120,
        text(),
        prop::collection::vec(text(), 0..3),
        prop::sample::select(vec!["county", "town"]),
    )
        .prop_map(|(id, name, services, level)| SearchDoc {
            id,
            name,
            service_item_names: services,
            level: level.to_string(),
            ..SearchDoc::default()
        })
}

fn query_text() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::collection::vec(prop::sample::select(ALPHABET), 0..5).prop_map(|v| v.concat()),
        "[hujizengmsbaoxcq1]{1,8}",
        prop::sample::select(vec![
            "hj",
            "hjzm",
            "huji",
            "hujizhengming",
            "zhengming",
            "jizh",
            "shebao",
            "xing",
            "zhang",
            "hang",
            "q1",
            "1h",
            "ujiz",
            "ngm",
            "ming",
            "sb",
            "xz",
            "zhangxing",
        ])
        .prop_map(str::to_string),
    ]
}

fn change() -> impl Strategy<Value = Change> {
    prop_oneof![
        search_doc().prop_map(Change::Upsert),
        (0i64..120).prop_map(Change::Remove)
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(150))]

    #[test]
    fn the_index_ranks_exactly_like_a_full_scan(
        docs in prop::collection::vec(search_doc(), 0..60),
        changes in prop::collection::vec(change(), 0..30),
        queries in prop::collection::vec((query_text(), prop::option::of(prop::sample::select(vec!["county", "town"]))), 1..10),
    ) {
        let index = Index::build(docs.clone());
        let mut model: BTreeMap<i64, SearchDoc> = docs.into_iter().map(|d| (d.id, d)).collect();
        // Changes one at a time and in one batch must agree.
        for c in &changes {
            index.apply([c.clone()]);
            match c {
                Change::Upsert(d) => { model.insert(d.id, d.clone()); }
                Change::Remove(id) => { model.remove(id); }
            }
        }
        prop_assert_eq!(index.len(), model.len());
        for (text, level) in queries {
            let filters = Filters { level: level.map(str::to_string), ..Filters::default() };
            let result = index.search(&Query::new(text.clone()).with_filters(filters).page(1000, 0));
            let want = expected(&model, &text, level);
            prop_assert_eq!(result.total, want.len(), "query {:?}", text);
            prop_assert_eq!(result.ids, want, "query {:?}", text);
        }
    }
}
