//! Pinyin forms of a match key: toneless full pinyin with the byte offsets where syllables
//! start, and the initials (first letter of each syllable: 户籍证明 → `hjzm`).
//!
//! Polyphones take the `pinyin` crate's default (most common) reading only, so 行 is always
//! `xing`, never `hang`; indexing every reading would multiply the keys of each name and
//! match far more noise than it finds. An ASCII letter or digit is a syllable of its own (so
//! ASCII in a name matches anywhere, as plain text would). Characters without pinyin are
//! skipped.

use pinyin::ToPinyin;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct PinyinForms {
    /// Toneless pinyin without separators, e.g. `hujizhengming`.
    pub full: String,
    /// Byte offsets in `full` where a syllable (or ASCII run) starts, ascending.
    pub starts: Vec<u16>,
    /// First letters, e.g. `hjzm`.
    pub initials: String,
}

impl PinyinForms {
    pub fn of(key: &str) -> PinyinForms {
        let mut forms = PinyinForms::default();
        for c in key.chars() {
            if c.is_ascii_alphanumeric() {
                forms.mark_start();
                forms.full.push(c);
                forms.initials.push(c);
                continue;
            }
            if let Some(p) = c.to_pinyin() {
                forms.mark_start();
                forms.full.push_str(p.plain());
                forms.initials.push_str(p.first_letter());
            }
        }
        forms
    }

    fn mark_start(&mut self) {
        // Names are short; offsets beyond u16 (64 KiB of pinyin) are simply not syllable starts.
        if let Ok(offset) = u16::try_from(self.full.len()) {
            self.starts.push(offset);
        }
    }

    /// The syllables, in order.
    pub fn syllables(&self) -> impl Iterator<Item = &str> {
        let ends = self
            .starts
            .iter()
            .skip(1)
            .map(|&e| usize::from(e))
            .chain(std::iter::once(self.full.len()));
        self.starts
            .iter()
            .zip(ends)
            .filter_map(|(&s, e)| self.full.get(usize::from(s)..e))
    }

    /// Whether `query` occurs in the full pinyin starting at a syllable, or anywhere in the
    /// initials.
    pub fn matches(&self, query: &str) -> bool {
        self.initials.contains(query)
            || self
                .full
                .match_indices(query)
                .any(|(i, _)| u16::try_from(i).is_ok_and(|i| self.starts.binary_search(&i).is_ok()))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn hujizhengming_has_initials_hjzm() {
        let f = PinyinForms::of("户籍证明");
        assert_eq!(f.full, "hujizhengming");
        assert_eq!(f.initials, "hjzm");
        assert_eq!(f.starts, vec![0, 2, 4, 9]);
    }

    #[test]
    fn full_pinyin_matches_only_from_a_syllable_start() {
        let f = PinyinForms::of("户籍证明");
        assert!(f.matches("huji"));
        assert!(f.matches("jizheng"));
        assert!(f.matches("zhengm"));
        assert!(f.matches("hjzm"));
        assert!(!f.matches("ujiz"));
    }

    #[test]
    fn each_ascii_character_is_a_syllable() {
        let f = PinyinForms::of("ct检查2024");
        assert_eq!(f.full, "ctjiancha2024");
        assert_eq!(f.initials, "ctjc2024");
        assert_eq!(
            f.syllables().collect::<Vec<_>>(),
            vec!["c", "t", "jian", "cha", "2", "0", "2", "4"]
        );
        assert!(f.matches("tjian"));
    }
}
