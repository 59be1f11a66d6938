//! Public catalogue search: finds published proof items by any part of their name or of
//! their service items' names, in Chinese (one character, two-character words, fragments
//! across words such as 籍证), in toneless full pinyin (`hujizhengming`, `huji`, from any
//! syllable) and in pinyin initials (`hjzm`), with filters and ranked, paginated ids.
//!
//! ```
//! use proofless_search::{Index, Query, SearchDoc};
//! let index = Index::build(vec![SearchDoc { id: 1, name: "户籍证明".into(), ..SearchDoc::default() }]);
//! assert_eq!(index.search(&Query::new("hjzm")).ids, vec![1]);
//! assert_eq!(index.search(&Query::new("籍证")).ids, vec![1]);
//! ```
//!
//! # Matching
//! Text and queries go through one normalisation ([`normalize`]): full-width forms to
//! half-width, ASCII lower case, every non-letter non-digit dropped (whitespace,
//! punctuation, emoji). The query key is cut to [`MAX_QUERY_CHARS`] characters
//! ([`SearchResult::truncated`] says so), so input of any size costs the same. An empty
//! query returns every document passing the filters, by id. Otherwise a document matches
//! when its name or one of its service-item names contains the key, or, for an ASCII key,
//! when the full pinyin of one of them contains it starting at a syllable, or its initials
//! contain it. Polyphones use the default reading only (see [`pinyin`](https://docs.rs/pinyin)).
//!
//! # Ranking
//! Tiers, then ascending id: exact name, name prefix, name substring, an everyday word of
//! the synonym table ([`SearchDoc::aliases`], issue #22), service-item name, pinyin of the
//! name, pinyin of a service-item name.
//!
//! # Index structure and cost
//! Postings (Roaring bitmaps over ordinals kept in id order) per character unigram and
//! bigram, and per pinyin gram; long queries intersect bigrams/trigrams and are verified once
//! per distinct candidate text, never per document. See `field.rs` and `snapshot.rs`.
//! Readers never lock; writers publish copy-on-write snapshots ([`Index`]).

mod field;
mod grams;
mod index;
mod normalize;
mod pinyin_forms;
mod positional;
mod snapshot;
mod types;

pub use index::Index;
pub use normalize::MAX_QUERY_CHARS;
pub use types::{Change, DEFAULT_LIMIT, Filters, MAX_LIMIT, Query, SearchDoc, SearchResult};

/// The normalised match key of `text`, as the index compares it (see the crate docs).
pub fn normalize(text: &str) -> String {
    normalize::match_key(text)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod static_checks {
    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn the_index_can_be_shared_between_threads() {
        assert_send_sync::<super::Index>();
    }
}
