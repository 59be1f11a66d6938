//! 电子证照标识 (GB/T 36904-2018). The standard makes the last character a check character
//! computed with ISO/IEC 7064 MOD 37,36 (GB/T 17710-2008, hybrid system over `0-9A-Z`).
//!
//! We verify that rule only; the fields before the check character (licence type, issuer,
//! serial, version) are kept opaque because their layout could not be checked against the
//! standard's text here. Assumptions, documented so they can be revisited:
//! - characters are `0-9`, `A-Z` and `.` as a field separator (never first, last or doubled);
//!   separators are not significant and are skipped by the check computation;
//! - lower-case letters are accepted and stored upper-case (the check system is defined over
//!   upper-case letters);
//! - 2 to 128 characters in all.

use std::fmt;

use super::checksum::iso7064_mod37_36_check_char;
use super::error::{CodeError, CodeKind, first_bad_char};

const KIND: CodeKind = CodeKind::ELicenceId;
const MIN_LEN: usize = 2;
const MAX_LEN: usize = 128;

/// A valid e-licence identifier, upper-case.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct ELicenceId(String);

impl ELicenceId {
    pub fn parse(s: &str) -> Result<Self, CodeError> {
        let s = s.trim();
        let len = s.chars().count();
        if len == 0 {
            return Err(CodeError::Empty { kind: KIND });
        }
        if !(MIN_LEN..=MAX_LEN).contains(&len) {
            return Err(CodeError::LengthRange {
                kind: KIND,
                min: MIN_LEN,
                max: MAX_LEN,
                actual: len,
            });
        }
        if let Some((position, found)) = first_bad_char(s, |i, c| {
            c.is_ascii_alphanumeric()
                || (c == '.' && i > 0 && i + 1 < len && s.as_bytes().get(i - 1) != Some(&b'.'))
        }) {
            let expected = if found == '.' {
                "分隔符“.”不能出现在首尾或连续出现"
            } else {
                "应为数字、英文字母或分隔符“.”"
            };
            return Err(CodeError::InvalidChar {
                kind: KIND,
                position,
                found,
                expected,
            });
        }
        let id = s.to_ascii_uppercase();
        let (body, check) = id.split_at(id.len() - 1);
        let significant: String = body.chars().filter(|&c| c != '.').collect();
        if significant.is_empty() {
            return Err(CodeError::LengthRange {
                kind: KIND,
                min: MIN_LEN,
                max: MAX_LEN,
                actual: len,
            });
        }
        let expected = iso7064_mod37_36_check_char(&significant).unwrap_or('?');
        let found = check.chars().next().unwrap_or('?');
        if expected != found {
            return Err(CodeError::Checksum {
                kind: KIND,
                position: len,
                expected,
                found,
            });
        }
        Ok(ELicenceId(id))
    }

    /// Appends the check character to `body` (which must already be a valid body).
    pub fn with_check_char(body: &str) -> Result<Self, CodeError> {
        let body = body.trim().to_ascii_uppercase();
        let significant: String = body.chars().filter(|&c| c != '.').collect();
        match iso7064_mod37_36_check_char(&significant) {
            Some(check) => Self::parse(&format!("{body}{check}")),
            None => Err(
                match first_bad_char(&body, |_, c| c.is_ascii_alphanumeric() || c == '.') {
                    Some((position, found)) => CodeError::InvalidChar {
                        kind: KIND,
                        position,
                        found,
                        expected: "应为数字、英文字母或分隔符“.”",
                    },
                    None => CodeError::Empty { kind: KIND },
                },
            ),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ELicenceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

super::string_code_impls!(ELicenceId);

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn published_iso7064_mod37_36_vectors_parse() {
        // ISO/IEC 7064:2003 MOD 37,36 vectors (GB/T 17710-2008 is identical to it).
        for s in [
            "A12425GABC1234002M",
            "B159D8FA01240000K",
            "188166C7342000003",
        ] {
            assert_eq!(ELicenceId::parse(s).unwrap().as_str(), s);
        }
    }

    #[test]
    fn lower_case_is_stored_upper_case_and_separators_are_skipped() {
        assert_eq!(
            ELicenceId::parse("a12425gabc1234002m").unwrap().as_str(),
            "A12425GABC1234002M"
        );
        assert!(ELicenceId::parse("A12425.GABC.1234002.M").is_ok());
        assert!(ELicenceId::parse(".A12425GABC1234002M").is_err());
        assert!(ELicenceId::parse("A12425..GABC1234002M").is_err());
    }

    #[test]
    fn a_wrong_check_character_names_expected_and_found() {
        assert_eq!(
            ELicenceId::parse("A12425GABC1234002N")
                .unwrap_err()
                .to_string(),
            "电子证照标识校验码错误：第18位应为“M”，实际为“N”"
        );
        assert!(matches!(
            ELicenceId::parse("A"),
            Err(CodeError::LengthRange { .. })
        ));
        assert!(matches!(
            ELicenceId::parse("A1242-5"),
            Err(CodeError::InvalidChar {
                position: 6,
                found: '-',
                ..
            })
        ));
    }

    #[test]
    fn with_check_char_appends_the_check() {
        assert_eq!(
            ELicenceId::with_check_char("A12425GABC1234002")
                .unwrap()
                .as_str(),
            "A12425GABC1234002M"
        );
        assert!(ELicenceId::with_check_char("证照").is_err());
    }

    proptest! {
        #[test]
        fn every_body_with_its_check_char_parses(body in "[0-9A-Z]{1,40}") {
            let id = ELicenceId::with_check_char(&body).unwrap();
            prop_assert_eq!(ELicenceId::parse(id.as_str()).unwrap(), id);
        }

        // ISO/IEC 7064 hybrid systems detect every single substitution error.
        #[test]
        fn changing_any_one_character_breaks_parse(body in "[0-9A-Z]{4,40}", pos in any::<prop::sample::Index>(), new in "[0-9A-Z]") {
            let id = ELicenceId::with_check_char(&body).unwrap();
            let mut chars: Vec<char> = id.as_str().chars().collect();
            let i = pos.index(chars.len());
            let new = new.chars().next().unwrap();
            prop_assume!(chars[i] != new);
            chars[i] = new;
            let changed: String = chars.into_iter().collect();
            prop_assert!(ELicenceId::parse(&changed).is_err());
        }
    }
}
