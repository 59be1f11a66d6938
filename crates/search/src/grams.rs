//! Posting lists keyed by n-grams, and the n-grams of a text.
//!
//! - Characters of the match key: unigrams and bigrams (any position), plus the first
//!   unigram and bigram (for the prefix tier).
//! - Pinyin (ASCII): "short" grams of 1–3 bytes that start at a syllable of the full pinyin
//!   or anywhere in the initials (a query of ≤ 3 letters is answered by one list, exactly),
//!   and trigrams anywhere in either form (longer queries intersect them, then verify).

use std::hash::Hash;
use std::sync::Arc;

use roaring::RoaringBitmap;
use rustc_hash::FxHashMap;

use crate::pinyin_forms::PinyinForms;

/// Gram → sorted set of ordinals. Bitmaps sit behind `Arc` so a cloned snapshot shares them
/// and only the lists a change touches are copied (copy on write).
#[derive(Clone, Debug)]
pub(crate) struct Postings<K> {
    map: FxHashMap<K, Arc<RoaringBitmap>>,
}

impl<K> Default for Postings<K> {
    fn default() -> Self {
        Postings {
            map: FxHashMap::default(),
        }
    }
}

impl<K: Hash + Eq> Postings<K> {
    pub fn add(&mut self, key: K, ordinal: u32) {
        let bitmap = Arc::make_mut(self.map.entry(key).or_default());
        // Appending (the usual case: ordinals grow) is much cheaper than inserting.
        if bitmap.try_push(ordinal).is_err() {
            bitmap.insert(ordinal);
        }
    }

    pub fn remove(&mut self, key: &K, ordinal: u32) {
        if let Some(bitmap) = self.map.get_mut(key) {
            let bitmap = Arc::make_mut(bitmap);
            bitmap.remove(ordinal);
            if bitmap.is_empty() {
                self.map.remove(key);
            }
        }
    }

    pub fn get(&self, key: &K) -> Option<&RoaringBitmap> {
        self.map.get(key).map(|b| b.as_ref())
    }
}

pub(crate) fn bigram(a: char, b: char) -> u64 {
    (u64::from(a) << 32) | u64::from(b)
}

/// Packs 1–3 ASCII bytes (with their length) into one key.
pub(crate) fn ascii_gram(bytes: &[u8]) -> u32 {
    let mut key = (bytes.len() as u32) << 24;
    for (i, &b) in bytes.iter().take(3).enumerate() {
        key |= u32::from(b) << (8 * i);
    }
    key
}

/// Which grams an ordinal space keeps: each list costs build time, memory and snapshot
/// copies, so each space keeps only those its queries read.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Kinds {
    pub uni: bool,
    pub bi: bool,
    pub first: bool,
    pub py_short: bool,
    pub py_tri: bool,
}

impl Kinds {
    /// Documents by name: one- and two-character queries, prefixes, short pinyin.
    pub const NAME_DOCS: Kinds = Kinds {
        uni: true,
        bi: true,
        first: true,
        py_short: true,
        py_tri: false,
    };
    /// Documents by service-item names: one- and two-character queries, short pinyin.
    pub const SERVICE_DOCS: Kinds = Kinds {
        uni: true,
        bi: true,
        first: false,
        py_short: true,
        py_tri: false,
    };
    /// Distinct texts: candidates for verification of long queries.
    pub const TEXTS: Kinds = Kinds {
        uni: false,
        bi: true,
        first: false,
        py_short: true,
        py_tri: true,
    };
}

/// Every gram of the texts of one document (or of one text), deduplicated.
#[derive(Debug, Default)]
pub(crate) struct GramSet {
    pub uni: Vec<char>,
    pub bi: Vec<u64>,
    pub first_uni: Vec<char>,
    pub first_bi: Vec<u64>,
    pub py_short: Vec<u32>,
    pub py_tri: Vec<u32>,
}

impl GramSet {
    pub fn add_text(&mut self, key: &str, pinyin: &PinyinForms, kinds: Kinds) {
        let chars: Vec<char> = key.chars().collect();
        if kinds.uni {
            self.uni.extend(&chars);
        }
        if kinds.bi {
            self.bi.extend(chars.windows(2).map(|w| bigram(w[0], w[1])));
        }
        if kinds.first {
            self.first_uni.extend(chars.first());
            if let [a, b, ..] = chars[..] {
                self.first_bi.push(bigram(a, b));
            }
        }
        let full = pinyin.full.as_bytes();
        let initials = pinyin.initials.as_bytes();
        if kinds.py_tri {
            self.py_tri.extend(full.windows(3).map(ascii_gram));
            self.py_tri.extend(initials.windows(3).map(ascii_gram));
        }
        if !kinds.py_short {
            return;
        }
        for &start in &pinyin.starts {
            let start = usize::from(start);
            for len in 1..=3 {
                if let Some(gram) = full.get(start..start + len) {
                    self.py_short.push(ascii_gram(gram));
                }
            }
        }
        for len in 1..=3 {
            self.py_short.extend(initials.windows(len).map(ascii_gram));
        }
    }

    pub fn dedup(&mut self) {
        fn sort_dedup<T: Ord>(v: &mut Vec<T>) {
            v.sort_unstable();
            v.dedup();
        }
        sort_dedup(&mut self.uni);
        sort_dedup(&mut self.bi);
        sort_dedup(&mut self.first_uni);
        sort_dedup(&mut self.first_bi);
        sort_dedup(&mut self.py_short);
        sort_dedup(&mut self.py_tri);
    }
}

/// Posting lists for every kind of gram, over one ordinal space.
#[derive(Clone, Debug, Default)]
pub(crate) struct GramIndex {
    pub uni: Postings<char>,
    pub bi: Postings<u64>,
    pub first_uni: Postings<char>,
    pub first_bi: Postings<u64>,
    pub py_short: Postings<u32>,
    pub py_tri: Postings<u32>,
}

impl GramIndex {
    pub fn add(&mut self, grams: &GramSet, ordinal: u32) {
        grams.uni.iter().for_each(|&g| self.uni.add(g, ordinal));
        grams.bi.iter().for_each(|&g| self.bi.add(g, ordinal));
        grams
            .first_uni
            .iter()
            .for_each(|&g| self.first_uni.add(g, ordinal));
        grams
            .first_bi
            .iter()
            .for_each(|&g| self.first_bi.add(g, ordinal));
        grams
            .py_short
            .iter()
            .for_each(|&g| self.py_short.add(g, ordinal));
        grams
            .py_tri
            .iter()
            .for_each(|&g| self.py_tri.add(g, ordinal));
    }

    pub fn remove(&mut self, grams: &GramSet, ordinal: u32) {
        grams.uni.iter().for_each(|g| self.uni.remove(g, ordinal));
        grams.bi.iter().for_each(|g| self.bi.remove(g, ordinal));
        grams
            .first_uni
            .iter()
            .for_each(|g| self.first_uni.remove(g, ordinal));
        grams
            .first_bi
            .iter()
            .for_each(|g| self.first_bi.remove(g, ordinal));
        grams
            .py_short
            .iter()
            .for_each(|g| self.py_short.remove(g, ordinal));
        grams
            .py_tri
            .iter()
            .for_each(|g| self.py_tri.remove(g, ordinal));
    }

    /// Ordinals holding every character bigram of `chars` (≥ 2 chars), within `base`.
    pub fn all_bigrams(&self, chars: &[char], base: Option<&RoaringBitmap>) -> RoaringBitmap {
        let keys: Vec<u64> = chars.windows(2).map(|w| bigram(w[0], w[1])).collect();
        intersect(keys.iter().map(|k| self.bi.get(k)), base)
    }

    /// Candidates for an ASCII pinyin query longer than 3 bytes, within `base`.
    pub fn pinyin_candidates(&self, q: &[u8], base: Option<&RoaringBitmap>) -> RoaringBitmap {
        let first = self.py_short.get(&ascii_gram(&q[..3.min(q.len())]));
        let rest = q
            .windows(3)
            .skip(1)
            .map(|w| self.py_tri.get(&ascii_gram(w)));
        intersect(std::iter::once(first).chain(rest), base)
    }
}

/// Intersection of every list (and of `base`, if given); a missing list means no match.
pub(crate) fn intersect<'a>(
    lists: impl Iterator<Item = Option<&'a RoaringBitmap>>,
    base: Option<&'a RoaringBitmap>,
) -> RoaringBitmap {
    let mut lists: Vec<&RoaringBitmap> = match lists.collect::<Option<Vec<_>>>() {
        Some(lists) => lists,
        None => return RoaringBitmap::new(),
    };
    lists.extend(base);
    lists.sort_unstable_by_key(|b| b.len());
    lists.dedup_by(|a, b| std::ptr::eq(*a, *b));
    let mut result = match lists.first() {
        Some(smallest) => (*smallest).clone(),
        None => return RoaringBitmap::new(),
    };
    for list in lists.iter().skip(1) {
        if result.is_empty() {
            break;
        }
        result &= *list;
    }
    result
}
