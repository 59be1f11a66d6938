//! One normalisation for document text and queries, so that both sides compare alike.
//!
//! The match key of a text: full-width ASCII forms become half-width, ASCII letters become
//! lower case, and everything that is not a letter or digit (whitespace, punctuation of any
//! width, symbols, emoji, control characters) is dropped. Dropping whitespace means
//! `户籍 证明` finds 户籍证明 and `hu ji` finds `huji`.

/// Queries are cut to this many characters of match key; longer input (up to any size) is
/// read only as far as needed, so a 10 KB query costs no more than a 64-character one.
pub const MAX_QUERY_CHARS: usize = 64;

/// Maps one input character to its match-key form, or `None` if it is dropped.
fn key_char(c: char) -> Option<char> {
    let c = match c {
        // Full-width forms of ASCII (！ to ～) map to ASCII by a fixed offset.
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    };
    if c.is_alphanumeric() {
        Some(c.to_ascii_lowercase())
    } else {
        None
    }
}

/// The match key of document text (no length limit).
pub fn match_key(text: &str) -> String {
    text.chars().filter_map(key_char).collect()
}

/// The match key of a query, cut to [`MAX_QUERY_CHARS`] characters. The flag says whether
/// anything was cut.
pub fn query_key(text: &str) -> (String, bool) {
    let mut key = String::new();
    let mut chars = text.chars().filter_map(key_char);
    for c in chars.by_ref().take(MAX_QUERY_CHARS) {
        key.push(c);
    }
    let truncated = chars.next().is_some();
    (key, truncated)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn full_width_and_case_and_punctuation_are_normalised() {
        assert_eq!(match_key("  ＨＵＪＩ　证明（２０２４）! "), "huji证明2024");
        assert_eq!(match_key("户籍 证明"), "户籍证明");
        assert_eq!(match_key("户籍😀证明"), "户籍证明");
        assert_eq!(match_key("'; DROP TABLE items;--"), "droptableitems");
    }

    #[test]
    fn long_queries_are_cut_to_the_limit() {
        let (key, truncated) = query_key(&"户".repeat(10_000));
        assert_eq!(key.chars().count(), MAX_QUERY_CHARS);
        assert!(truncated);
        let (key, truncated) = query_key(&format!("{} ", "户".repeat(MAX_QUERY_CHARS)));
        assert_eq!(key.chars().count(), MAX_QUERY_CHARS);
        assert!(!truncated);
    }
}
