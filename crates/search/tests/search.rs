//! Behaviour of the public catalogue search, as the portal relies on it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use proofless_search::{Change, Filters, Index, Query, SearchDoc};

fn doc(id: i64, name: &str) -> SearchDoc {
    SearchDoc {
        id,
        name: name.to_string(),
        level: "county".into(),
        region_code: "370322000000".into(),
        ..SearchDoc::default()
    }
}

fn with_services(mut d: SearchDoc, services: &[&str]) -> SearchDoc {
    d.service_item_names = services.iter().map(|s| s.to_string()).collect();
    d
}

fn ids(index: &Index, text: &str) -> Vec<i64> {
    index.search(&Query::new(text).page(1000, 0)).ids
}

fn catalogue() -> Index {
    Index::build(vec![
        doc(1, "户籍证明"),
        doc(2, "无犯罪记录证明"),
        doc(3, "社保缴纳证明"),
        doc(4, "亲属关系证明"),
        doc(5, "居住证明"),
        doc(6, "收入证明"),
        doc(7, "婚姻状况证明"),
        doc(8, "家庭户籍情况说明"),
        with_services(doc(9, "门牌号码证明"), &["户口迁移登记"]),
        doc(10, "户"),
    ])
}

#[test]
fn one_character_finds_every_item_containing_it() {
    // Exact name 户 first, then names starting with 户, then names containing it.
    assert_eq!(ids(&catalogue(), "户"), vec![10, 1, 8, 9]);
}

#[test]
fn two_character_word_finds_every_item_containing_it() {
    assert_eq!(ids(&catalogue(), "户籍"), vec![1, 8]);
    assert_eq!(ids(&catalogue(), "社保"), vec![3]);
    let all_proofs = ids(&catalogue(), "证明");
    assert_eq!(all_proofs, vec![1, 2, 3, 4, 5, 6, 7, 9]);
}

#[test]
fn a_fragment_across_two_words_is_found() {
    assert_eq!(ids(&catalogue(), "籍证"), vec![1]);
    assert_eq!(ids(&catalogue(), "罪记录证"), vec![2]);
}

#[test]
fn pinyin_initials_find_hujizhengming() {
    assert_eq!(ids(&catalogue(), "hjzm"), vec![1]);
    assert_eq!(ids(&catalogue(), "HJZM"), vec![1]);
}

#[test]
fn full_pinyin_finds_hujizhengming_also_when_partial() {
    assert_eq!(ids(&catalogue(), "hujizhengming"), vec![1]);
    assert_eq!(ids(&catalogue(), "huji"), vec![1, 8]);
    assert_eq!(ids(&catalogue(), "zhengmin"), vec![1, 2, 3, 4, 5, 6, 7, 9]);
    assert_eq!(ids(&catalogue(), "hu ji zheng ming"), vec![1]);
}

#[test]
fn full_pinyin_must_start_at_a_syllable() {
    // "ujizh" sits inside hu|ji|zheng and starts at no syllable.
    assert!(ids(&catalogue(), "ujizh").is_empty());
    assert!(ids(&catalogue(), "engming").is_empty());
}

#[test]
fn a_service_item_name_finds_its_proof_after_name_matches() {
    // 9's service item 户口迁移登记 contains 户 (its name does not): it ranks after names.
    assert_eq!(ids(&catalogue(), "迁移"), vec![9]);
    assert_eq!(ids(&catalogue(), "户口迁移"), vec![9]);
    assert_eq!(ids(&catalogue(), "hukouqianyi"), vec![9]);
}

#[test]
fn ranking_is_exact_then_prefix_then_substring_then_service_then_pinyin_ties_by_id() {
    let index = Index::build(vec![
        with_services(doc(1, "收入情况说明"), &["收入证明开具"]),
        doc(2, "个人收入证明"),
        doc(3, "收入证明材料"),
        doc(4, "收入证明"),
        doc(5, "个人收入证明"),
        doc(6, "收入证明"),
    ]);
    assert_eq!(ids(&index, "收入证明"), vec![4, 6, 3, 2, 5, 1]);
    let index = Index::build(vec![
        with_services(doc(1, "其他材料"), &["shouru登记"]),
        doc(2, "收入证明"),
        doc(3, "shouru"),
    ]);
    // Exact name (ASCII), then name pinyin, then service-item name text.
    assert_eq!(ids(&index, "shouru"), vec![3, 1, 2]);
}

#[test]
fn filters_narrow_results_and_combine() {
    let mut a = doc(1, "户籍证明");
    a.issuer_ids = vec![7, 8];
    a.methods = vec!["data_sharing".into()];
    a.service_item_codes = vec!["11370322MB28502218000".into()];
    let mut b = doc(2, "户籍证明");
    b.level = "town".into();
    b.region_code = "370322001000".into();
    b.issuer_ids = vec![8];
    b.methods = vec!["commitment".into()];
    let mut c = doc(3, "户籍证明");
    c.region_code = "370303000000".into();
    let index = Index::build(vec![a, b, c]);
    let search = |filters: Filters| index.search(&Query::new("户籍").with_filters(filters)).ids;

    assert_eq!(
        search(Filters {
            level: Some("town".into()),
            ..Filters::default()
        }),
        vec![2]
    );
    assert_eq!(
        search(Filters {
            region_code: Some("370322000000".into()),
            ..Filters::default()
        }),
        vec![1]
    );
    assert_eq!(
        search(Filters {
            region_code: Some("370322000000".into()),
            include_subregions: true,
            ..Filters::default()
        }),
        vec![1, 2]
    );
    assert_eq!(
        search(Filters {
            region_code: Some("370300000000".into()),
            include_subregions: true,
            ..Filters::default()
        }),
        vec![1, 2, 3]
    );
    assert_eq!(
        search(Filters {
            issuer_id: Some(8),
            ..Filters::default()
        }),
        vec![1, 2]
    );
    assert_eq!(
        search(Filters {
            issuer_id: Some(7),
            ..Filters::default()
        }),
        vec![1]
    );
    assert_eq!(
        search(Filters {
            service_item_code: Some("11370322MB28502218000".into()),
            ..Filters::default()
        }),
        vec![1]
    );
    assert_eq!(
        search(Filters {
            method: Some("commitment".into()),
            ..Filters::default()
        }),
        vec![2]
    );
    assert_eq!(
        search(Filters {
            issuer_id: Some(8),
            method: Some("data_sharing".into()),
            ..Filters::default()
        }),
        vec![1]
    );
    assert!(
        search(Filters {
            level: Some("village".into()),
            ..Filters::default()
        })
        .is_empty()
    );
}

#[test]
fn an_empty_query_lists_every_filtered_item_by_id() {
    let index = catalogue();
    let all = index.search(&Query::new("").page(100, 0));
    assert_eq!(all.ids, (1..=10).collect::<Vec<_>>());
    assert_eq!(all.total, 10);
    // Punctuation and emoji alone normalise to the empty query.
    assert_eq!(index.search(&Query::new(" ，。😀 ").page(100, 0)).total, 10);
}

#[test]
fn pages_follow_the_ranking_with_total_and_next_offset() {
    let index = catalogue();
    let first = index.search(&Query::new("证明").page(3, 0));
    assert_eq!(
        (first.ids.clone(), first.total, first.next_offset),
        (vec![1, 2, 3], 8, Some(3))
    );
    let second = index.search(&Query::new("证明").page(3, 3));
    assert_eq!((second.ids, second.next_offset), (vec![4, 5, 6], Some(6)));
    let last = index.search(&Query::new("证明").page(3, 6));
    assert_eq!((last.ids, last.next_offset), (vec![7, 9], None));
    let beyond = index.search(&Query::new("证明").page(3, 100));
    assert_eq!((beyond.ids.len(), beyond.total), (0, 8));
    // Across tiers: 户 ranks exact 10, prefix 1, substring 8, service 9.
    assert_eq!(index.search(&Query::new("户").page(2, 1)).ids, vec![1, 8]);
}

#[test]
fn upsert_replaces_and_remove_forgets() {
    let index = catalogue();
    index.upsert(doc(3, "医保缴纳证明"));
    assert!(ids(&index, "社保").is_empty());
    assert_eq!(ids(&index, "医保"), vec![3]);
    assert_eq!(ids(&index, "ybjn"), vec![3]);
    assert!(index.remove(3));
    assert!(!index.remove(3));
    assert!(ids(&index, "医保").is_empty());
    assert_eq!(index.len(), 9);
    // A new id at the end, and an id in the middle (republished item) both keep id order.
    index.upsert(doc(11, "户籍迁移证明"));
    index.upsert(doc(3, "户籍注销证明"));
    // Prefix matches 1, 3, 11 by id, then the substring match 8.
    assert_eq!(ids(&index, "户籍"), vec![1, 3, 11, 8]);
    assert_eq!(index.get(3).map(|d| d.name), Some("户籍注销证明".into()));
}

#[test]
fn a_batch_of_changes_is_published_at_once() {
    let index = Index::new();
    index.apply((1..=2000).map(|i| {
        Change::Upsert(doc(
            i,
            if i % 2 == 0 {
                "户籍证明"
            } else {
                "收入证明"
            },
        ))
    }));
    assert_eq!(index.search(&Query::new("户籍")).total, 1000);
    // Removing most documents compacts the index; results stay right.
    index.apply((1..=1800).map(Change::Remove));
    let result = index.search(&Query::new("户籍").page(1000, 0));
    assert_eq!(result.total, 100);
    assert_eq!(result.ids.first(), Some(&1802));
    index.upsert(doc(5, "户籍证明"));
    assert_eq!(index.search(&Query::new("hjzm")).ids.first(), Some(&5));
}

#[test]
fn queries_are_normalised_like_names() {
    let index = catalogue();
    assert_eq!(ids(&index, "  户籍 证明 "), vec![1]);
    assert_eq!(ids(&index, "「户籍」"), vec![1, 8]);
    assert_eq!(ids(&index, "ＨＪＺＭ"), vec![1]);
    assert_eq!(ids(&index, "Hu Ji"), vec![1, 8]);
}

#[test]
fn hostile_input_neither_panics_nor_blows_up() {
    let index = catalogue();
    let long = "户籍".repeat(5_000);
    let result = index.search(&Query::new(long));
    assert!(result.truncated);
    assert_eq!(result.normalized_text.chars().count(), 64);
    assert!(result.ids.is_empty());
    for text in [
        "😀😀",
        "'; DROP TABLE proof_items; --",
        "户籍🙂证明",
        "ｈｕｊｉ证明",
        "\u{0}\u{200b}户",
        "%_*",
    ] {
        let _ = index.search(&Query::new(text));
    }
    assert_eq!(ids(&index, "户籍🙂证明"), vec![1]);
    assert_eq!(ids(&index, "' OR 1=1 --"), Vec::<i64>::new());
    assert_eq!(
        index
            .search(&Query::new("户").page(usize::MAX, usize::MAX))
            .ids,
        Vec::<i64>::new()
    );
}

#[test]
fn searches_and_updates_run_concurrently() {
    let index = std::sync::Arc::new(catalogue());
    std::thread::scope(|scope| {
        for _ in 0..4 {
            let index = index.clone();
            scope.spawn(move || {
                for _ in 0..200 {
                    let r = index.search(&Query::new("证明"));
                    assert!(r.total >= 7);
                }
            });
        }
        let index = index.clone();
        scope.spawn(move || {
            for i in 100..150 {
                index.upsert(doc(i, "临时证明"));
            }
        });
    });
    assert_eq!(index.search(&Query::new("临时")).total, 50);
}

#[test]
fn many_republished_old_ids_keep_id_order_through_the_rebuild() {
    let index = Index::build((0..6000).map(|i| doc(10_000 + i, "户籍证明")));
    // 5,000 ids below every existing one: misplaced at first, rebuilt in id order at 4,096.
    index.apply(
        (0..5000)
            .rev()
            .map(|i| Change::Upsert(doc(i * 2, "户籍证明"))),
    );
    let result = index.search(&Query::new("hjzm").page(3, 4999));
    assert_eq!(result.total, 11_000);
    assert_eq!(result.ids, vec![9998, 10_000, 10_001]);
    index.upsert(doc(1, "户籍证明"));
    assert_eq!(
        index.search(&Query::new("户籍").page(3, 0)).ids,
        vec![0, 1, 2]
    );
}

/// Issue #22 §2: an everyday word of the synonym table finds the item, after the items whose
/// own name holds the word, before service-item matches; replacing the document with new
/// aliases (a synonym removed) stops it.
#[test]
fn an_everyday_word_finds_the_item_through_its_aliases() {
    let mut huji = doc(1, "户籍证明");
    huji.aliases = vec!["户口本".into(), "户口证明".into()];
    let named = doc(2, "户口本遗失证明");
    let service = with_services(doc(3, "居住证明"), &["户口本补办"]);
    let index = Index::build(vec![huji.clone(), named, service]);
    assert_eq!(index.search(&Query::new("户口本")).ids, vec![2, 1, 3]);
    assert_eq!(index.search(&Query::new("户口证明")).ids, vec![1]);
    // Part of an alias, as the citizen types it.
    assert_eq!(index.search(&Query::new("户口证")).ids, vec![1]);
    huji.aliases = vec![];
    index.apply([Change::Upsert(huji)]);
    assert_eq!(index.search(&Query::new("户口证明")).ids, Vec::<i64>::new());
    assert_eq!(index.search(&Query::new("户口本")).ids, vec![2, 3]);
}
