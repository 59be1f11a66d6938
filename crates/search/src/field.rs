//! One searchable text field (proof item name, or service-item names), indexed twice:
//!
//! - per document: gram → document ordinals, which answers short queries exactly and gives
//!   candidates for long ones with a few bitmap operations, however many documents match;
//! - per distinct text: gram → text ids. Long queries are verified against each distinct
//!   candidate text (a catalogue repeats the same names across regions and units), never
//!   against each document, and the few texts that fail verification are subtracted as
//!   bitmaps.

use std::sync::Arc;

use roaring::{MultiOps, RoaringBitmap};
use rustc_hash::FxHashMap;

use crate::grams::{GramIndex, GramSet, Kinds, ascii_gram, bigram};
use crate::pinyin_forms::PinyinForms;
use crate::positional::Positional;

#[derive(Clone, Debug)]
struct Text {
    key: Arc<str>,
    pinyin: PinyinForms,
    /// Documents holding this text.
    docs: RoaringBitmap,
}

impl Text {
    fn grams(&self) -> GramSet {
        let mut grams = GramSet::default();
        grams.add_text(&self.key, &self.pinyin, Kinds::TEXTS);
        grams.dedup();
        grams
    }
}

/// Documents of one field matching a query, by tier.
#[derive(Debug, Default)]
pub(crate) struct TextMatch {
    pub exact: RoaringBitmap,
    pub prefix: RoaringBitmap,
    pub all: RoaringBitmap,
}

#[derive(Clone, Debug, Default)]
pub(crate) struct Field {
    /// A document may hold several texts (service items) rather than exactly one (name).
    multi_valued: bool,
    docs: GramIndex,
    /// Single-valued fields only: exact long-query answers without verification.
    positional: Option<Positional>,
    texts: Vec<Option<Arc<Text>>>,
    free_text_ids: Vec<u32>,
    text_ids: FxHashMap<Arc<str>, u32>,
    text_grams: GramIndex,
}

impl Field {
    pub fn new(multi_valued: bool) -> Field {
        let positional = if multi_valued {
            None
        } else {
            Some(Positional::default())
        };
        Field {
            multi_valued,
            positional,
            ..Field::default()
        }
    }

    /// Indexes the match keys (non-empty, distinct) of the document at `ordinal` and returns
    /// their text ids, which [`Field::remove_doc`] needs back.
    pub fn add_doc(&mut self, ordinal: u32, keys: &[String]) -> Vec<u32> {
        let mut doc_grams = GramSet::default();
        let kinds = self.doc_kinds();
        let mut ids = Vec::with_capacity(keys.len());
        for key in keys {
            let id = self.intern(key);
            if let Some(Some(text)) = self.texts.get_mut(id as usize) {
                let text = Arc::make_mut(text);
                text.docs.insert(ordinal);
                doc_grams.add_text(&text.key, &text.pinyin, kinds);
                if let Some(positional) = &mut self.positional {
                    positional.add(ordinal, &text.key, &text.pinyin);
                }
            }
            ids.push(id);
        }
        doc_grams.dedup();
        self.docs.add(&doc_grams, ordinal);
        ids
    }

    pub fn remove_doc(&mut self, ordinal: u32, text_ids: &[u32]) {
        let mut doc_grams = GramSet::default();
        let kinds = self.doc_kinds();
        for &id in text_ids {
            let Some(Some(text)) = self.texts.get_mut(id as usize) else {
                continue;
            };
            doc_grams.add_text(&text.key, &text.pinyin, kinds);
            if let Some(positional) = &mut self.positional {
                positional.remove(ordinal, &text.key, &text.pinyin);
            }
            let text = Arc::make_mut(text);
            text.docs.remove(ordinal);
            if text.docs.is_empty() {
                let grams = text.grams();
                self.text_grams.remove(&grams, id);
                self.text_ids.remove(&text.key);
                self.texts[id as usize] = None;
                self.free_text_ids.push(id);
            }
        }
        doc_grams.dedup();
        self.docs.remove(&doc_grams, ordinal);
    }

    fn doc_kinds(&self) -> Kinds {
        if self.multi_valued {
            Kinds::SERVICE_DOCS
        } else {
            Kinds::NAME_DOCS
        }
    }

    fn intern(&mut self, key: &str) -> u32 {
        if let Some(&id) = self.text_ids.get(key) {
            return id;
        }
        let key: Arc<str> = Arc::from(key);
        let text = Text {
            pinyin: PinyinForms::of(&key),
            key: key.clone(),
            docs: RoaringBitmap::new(),
        };
        let id = match self.free_text_ids.pop() {
            Some(id) => id,
            None => {
                self.texts.push(None);
                // Text ids are bounded by the number of documents, themselves u32 ordinals.
                u32::try_from(self.texts.len() - 1).unwrap_or(u32::MAX)
            }
        };
        self.text_grams.add(&text.grams(), id);
        if let Some(slot) = self.texts.get_mut(id as usize) {
            *slot = Some(Arc::new(text));
        }
        self.text_ids.insert(key, id);
        id
    }

    fn text(&self, id: u32) -> Option<&Text> {
        self.texts.get(id as usize).and_then(|t| t.as_deref())
    }

    /// Documents (within `base`) whose text contains `q`; for a single-valued field also
    /// those whose text starts with or equals `q`.
    pub fn match_text(&self, q: &str, chars: &[char], base: &RoaringBitmap) -> TextMatch {
        let mut m = TextMatch::default();
        match chars {
            [] => return m,
            [c] => {
                m.all = and(self.docs.uni.get(c), base);
                if !self.multi_valued {
                    m.prefix = and(self.docs.first_uni.get(c), &m.all);
                }
            }
            [a, b] => {
                m.all = and(self.docs.bi.get(&bigram(*a, *b)), base);
                if !self.multi_valued {
                    m.prefix = and(self.docs.first_bi.get(&bigram(*a, *b)), &m.all);
                }
            }
            [_, _, ..] if self.positional.is_some() => {
                if let Some(positional) = &self.positional {
                    (m.all, m.prefix) = positional.phrase(chars, base);
                }
            }
            _ => {
                // Multi-valued: few distinct texts (service items), verified one by one.
                let texts = self.text_grams.all_bigrams(chars, None);
                m.all = self.verified(&texts, base, |t| t.key.contains(q));
            }
        }
        if !self.multi_valued {
            m.exact = match self.text_ids.get(q).and_then(|&id| self.text(id)) {
                Some(text) => &text.docs & base,
                None => RoaringBitmap::new(),
            };
        }
        m
    }

    /// Documents (within `base`) whose text's full pinyin contains the ASCII query `q` from a
    /// syllable start, or whose initials contain it.
    pub fn match_pinyin(&self, q: &str, base: &RoaringBitmap) -> RoaringBitmap {
        let bytes = q.as_bytes();
        if bytes.len() <= 3 {
            return and(self.docs.py_short.get(&ascii_gram(bytes)), base);
        }
        if let Some(found) = self.positional.as_ref().and_then(|p| p.pinyin(bytes, base)) {
            return found;
        }
        // Service items, or a query that splits into too many syllable sequences.
        let texts = self.text_grams.pinyin_candidates(bytes, None);
        self.verified(&texts, base, |t| t.pinyin.matches(q))
    }

    /// Documents within `base` holding a text among the candidates `texts` that passes `ok`.
    fn verified(
        &self,
        texts: &RoaringBitmap,
        base: &RoaringBitmap,
        ok: impl Fn(&Text) -> bool,
    ) -> RoaringBitmap {
        let passing = texts
            .iter()
            .filter_map(|id| self.text(id))
            .filter(|t| ok(t))
            .map(|t| &t.docs);
        passing.union() & base
    }
}

fn and(list: Option<&RoaringBitmap>, other: &RoaringBitmap) -> RoaringBitmap {
    list.map(|l| l & other).unwrap_or_default()
}
