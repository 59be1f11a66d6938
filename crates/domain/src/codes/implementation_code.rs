//! 政务服务事项实施编码: an opaque code assigned by the government-service platform. We check
//! only its shape: 12 to 33 characters of ASCII digits, upper-case letters and `-`.
//! Lower case is rejected rather than normalised, so the stored code is exactly the one
//! the platform published.

use std::fmt;

use super::error::{CodeError, CodeKind, first_bad_char};

const KIND: CodeKind = CodeKind::ImplementationCode;
const MIN_LEN: usize = 12;
const MAX_LEN: usize = 33;

#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct ImplementationCode(String);

impl ImplementationCode {
    pub fn parse(s: &str) -> Result<Self, CodeError> {
        let s = s.trim();
        let len = s.chars().count();
        if len == 0 {
            return Err(CodeError::Empty { kind: KIND });
        }
        if let Some((position, found)) = first_bad_char(s, |_, c| {
            c.is_ascii_digit() || c.is_ascii_uppercase() || c == '-'
        }) {
            let expected = if found.is_ascii_lowercase() {
                "字母应为大写"
            } else {
                "只能包含数字、大写字母和“-”"
            };
            return Err(CodeError::InvalidChar {
                kind: KIND,
                position,
                found,
                expected,
            });
        }
        if !(MIN_LEN..=MAX_LEN).contains(&len) {
            return Err(CodeError::LengthRange {
                kind: KIND,
                min: MIN_LEN,
                max: MAX_LEN,
                actual: len,
            });
        }
        Ok(ImplementationCode(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ImplementationCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

super::string_code_impls!(ImplementationCode);

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn codes_of_twelve_to_thirty_three_allowed_characters_parse() {
        assert!(ImplementationCode::parse("11370322MB2850221X").is_ok());
        assert!(ImplementationCode::parse("000000000000").is_ok());
        assert!(ImplementationCode::parse(&"A-".repeat(16)).is_ok());
        assert!(ImplementationCode::parse(&format!("{}A", "A-".repeat(16))).is_ok());
    }

    #[test]
    fn lower_case_is_rejected_not_normalised() {
        assert_eq!(
            ImplementationCode::parse("11370322mb2850221X")
                .unwrap_err()
                .to_string(),
            "事项实施编码第9位字符“m”无效：字母应为大写"
        );
    }

    #[test]
    fn wrong_lengths_and_other_characters_are_named() {
        assert_eq!(
            ImplementationCode::parse("12345678901")
                .unwrap_err()
                .to_string(),
            "事项实施编码应为12至33位，实际为11位"
        );
        assert!(matches!(
            ImplementationCode::parse(&"1".repeat(34)),
            Err(CodeError::LengthRange { actual: 34, .. })
        ));
        assert!(matches!(
            ImplementationCode::parse("113703_22MB2850221X"),
            Err(CodeError::InvalidChar {
                position: 7,
                found: '_',
                ..
            })
        ));
        assert!(matches!(
            ImplementationCode::parse("事项1234567890123"),
            Err(CodeError::InvalidChar { position: 1, .. })
        ));
    }
}
