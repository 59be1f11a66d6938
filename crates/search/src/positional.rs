//! Positional postings for the proof item name (one text per document), so that long
//! queries are answered exactly from bitmaps, however many names match, without reading a
//! single name:
//!
//! - `(character bigram, position)`: a query of n ≥ 3 characters matches at position c when
//!   the bigrams at offsets 0, 2, 4, … and n − 2 all sit at c + offset; it is a prefix match
//!   when c = 0.
//! - `(syllable, syllable index)` and `(syllable prefix, syllable index)`: a pinyin query is
//!   split into whole syllables followed by the prefix of one more (`zhengming` → zheng +
//!   ming…, or zheng + min + g…), or into initials (`hjzm` → h… j… z… m…), and each split
//!   must sit on consecutive syllables.

use roaring::{MultiOps, RoaringBitmap};
use rustc_hash::FxHashSet;

use crate::grams::{Postings, bigram, intersect};
use crate::pinyin_forms::PinyinForms;

/// Longest pinyin syllable in bytes (`zhuang`).
const MAX_SYLLABLE: usize = 6;
/// Splits of one pinyin query considered before falling back to verification.
const MAX_SPLITS: usize = 32;

#[derive(Clone, Debug, Default)]
pub(crate) struct Positional {
    bigram_at: Postings<(u64, u16)>,
    syllable_at: Postings<(u64, u16)>,
    prefix_at: Postings<(u64, u16)>,
    /// Every syllable ever indexed (never shrinks; an extra entry only costs a lookup).
    vocabulary: FxHashSet<u64>,
    max_chars: usize,
    max_syllables: usize,
}

/// Packs 1–8 ASCII bytes into a key (ASCII letters and digits are never 0, so no length).
fn pack(s: &[u8]) -> Option<u64> {
    if s.is_empty() || s.len() > 8 {
        return None;
    }
    Some(s.iter().fold(0u64, |k, &b| (k << 8) | u64::from(b)))
}

fn at(i: usize) -> Option<u16> {
    u16::try_from(i).ok()
}

#[derive(Clone, Copy, Debug)]
enum Part {
    Syllable(u64),
    Prefix(u64),
}

struct Keys {
    bigrams: Vec<(u64, u16)>,
    syllables: Vec<(u64, u16)>,
    prefixes: Vec<(u64, u16)>,
}

fn keys(key: &str, pinyin: &PinyinForms) -> Keys {
    let chars: Vec<char> = key.chars().collect();
    let bigrams = chars
        .windows(2)
        .enumerate()
        .filter_map(|(i, w)| Some((bigram(w[0], w[1]), at(i)?)))
        .collect();
    let mut syllables = Vec::new();
    let mut prefixes = Vec::new();
    for (i, syllable) in pinyin.syllables().enumerate() {
        let (Some(pos), Some(whole)) = (at(i), pack(syllable.as_bytes())) else {
            continue;
        };
        syllables.push((whole, pos));
        for len in 1..=syllable.len() {
            prefixes.extend(pack(&syllable.as_bytes()[..len]).map(|p| (p, pos)));
        }
    }
    Keys {
        bigrams,
        syllables,
        prefixes,
    }
}

impl Positional {
    pub fn add(&mut self, ordinal: u32, key: &str, pinyin: &PinyinForms) {
        let keys = keys(key, pinyin);
        self.max_chars = self.max_chars.max(key.chars().count());
        self.max_syllables = self.max_syllables.max(pinyin.starts.len());
        keys.bigrams
            .into_iter()
            .for_each(|k| self.bigram_at.add(k, ordinal));
        for k in keys.syllables {
            self.vocabulary.insert(k.0);
            self.syllable_at.add(k, ordinal);
        }
        keys.prefixes
            .into_iter()
            .for_each(|k| self.prefix_at.add(k, ordinal));
    }

    pub fn remove(&mut self, ordinal: u32, key: &str, pinyin: &PinyinForms) {
        let keys = keys(key, pinyin);
        keys.bigrams
            .iter()
            .for_each(|k| self.bigram_at.remove(k, ordinal));
        keys.syllables
            .iter()
            .for_each(|k| self.syllable_at.remove(k, ordinal));
        keys.prefixes
            .iter()
            .for_each(|k| self.prefix_at.remove(k, ordinal));
    }

    /// Documents within `base` whose name contains `chars` (n ≥ 3), and those whose name
    /// starts with it.
    pub fn phrase(&self, chars: &[char], base: &RoaringBitmap) -> (RoaringBitmap, RoaringBitmap) {
        let n = chars.len();
        let mut offsets: Vec<usize> = (0..n.saturating_sub(1)).step_by(2).collect();
        offsets.push(n.saturating_sub(2));
        offsets.dedup();
        let grams: Vec<(usize, u64)> = offsets
            .iter()
            .filter_map(|&j| Some((j, bigram(*chars.get(j)?, *chars.get(j + 1)?))))
            .collect();
        let mut prefix = RoaringBitmap::new();
        let mut found = Vec::new();
        for c in 0..=self.max_chars.saturating_sub(n) {
            let lists = grams
                .iter()
                .map(|&(j, g)| at(c + j).and_then(|p| self.bigram_at.get(&(g, p))));
            let matches = intersect(lists, Some(base));
            if matches.is_empty() {
                continue;
            }
            if c == 0 {
                prefix = matches.clone();
            }
            found.push(matches);
        }
        (found.union(), prefix)
    }

    /// Documents within `base` whose name's pinyin matches the ASCII query `q` (see the module
    /// docs); `None` if `q` splits too many ways, for the caller to verify instead.
    pub fn pinyin(&self, q: &[u8], base: &RoaringBitmap) -> Option<RoaringBitmap> {
        let mut splits = Vec::new();
        if !self.split(q, 0, &mut Vec::new(), &mut splits) {
            return None;
        }
        let initials: Option<Vec<Part>> = q
            .iter()
            .map(|b| pack(std::slice::from_ref(b)).map(Part::Prefix))
            .collect();
        splits.extend(initials);
        let mut found = Vec::new();
        for parts in &splits {
            if parts.len() > self.max_syllables {
                continue;
            }
            for c in 0..=self.max_syllables - parts.len() {
                let lists = parts.iter().enumerate().map(|(j, part)| {
                    let pos = at(c + j)?;
                    match *part {
                        Part::Syllable(s) => self.syllable_at.get(&(s, pos)),
                        Part::Prefix(p) => self.prefix_at.get(&(p, pos)),
                    }
                });
                let matches = intersect(lists, Some(base));
                if !matches.is_empty() {
                    found.push(matches);
                }
            }
        }
        Some(found.union())
    }

    /// Collects into `out` every split of `q[i..]` into known whole syllables and a final
    /// syllable prefix, after `parts`. False once more than [`MAX_SPLITS`] exist.
    fn split(&self, q: &[u8], i: usize, parts: &mut Vec<Part>, out: &mut Vec<Vec<Part>>) -> bool {
        if out.len() > MAX_SPLITS {
            return false;
        }
        let rest = q.get(i..).unwrap_or_default();
        if rest.len() <= MAX_SYLLABLE {
            if let Some(p) = pack(rest) {
                let mut split = parts.clone();
                split.push(Part::Prefix(p));
                out.push(split);
            }
        }
        for j in i + 1..q.len().min(i + MAX_SYLLABLE + 1) {
            let Some(s) = q.get(i..j).and_then(pack) else {
                continue;
            };
            if self.vocabulary.contains(&s) {
                parts.push(Part::Syllable(s));
                let ok = self.split(q, j, parts, out);
                parts.pop();
                if !ok {
                    return false;
                }
            }
        }
        out.len() <= MAX_SPLITS
    }
}
