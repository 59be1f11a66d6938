//! 统一社会信用代码 (GB 32100-2015): 18 characters from a 31-character set.
//! Position 1 registration authority, 2 organisation category, 3–8 region (GB/T 2260),
//! 9–17 organisation code (GB 11714: 8-character body + check), 18 MOD 31 check.

use std::fmt;

use super::checksum::{gb11714_check_char, mod31_check_char};
use super::error::{CodeError, CodeKind, CodeWarning, first_bad_char};
use super::region_code::is_known_province;

const KIND: CodeKind = CodeKind::CreditCode;

/// GB 32100-2015 Table 2: the 31 characters, in value order (no I, O, Z, S, V).
pub const CREDIT_CODE_CHARSET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/// Registration authorities of GB 32100-2015 Table 1 (1 机构编制 … 9 工商, A 中央军委改革和编制办公室,
/// N 农业, Y 其他).
const AUTHORITIES: &str = "123456789ANY";

/// A valid unified social credit code.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct CreditCode(String);

impl CreditCode {
    /// Strict: every rule of GB 32100-2015 including both check characters.
    pub fn parse(s: &str) -> Result<Self, CodeError> {
        let (code, problems) = Self::check(s)?;
        match problems.into_iter().next() {
            Some(first) => Err(first),
            None => Ok(code),
        }
    }

    /// For imports: structural problems (length, character set, region digits) are errors,
    /// but an unknown registration authority or a failing GB 11714 or MOD 31 check character
    /// comes back as a warning that an administrator must confirm before the row is saved.
    pub fn parse_lenient(s: &str) -> Result<(CreditCode, Vec<CodeWarning>), CodeError> {
        let (code, problems) = Self::check(s)?;
        Ok((
            code,
            problems
                .into_iter()
                .map(|error| CodeWarning { error })
                .collect(),
        ))
    }

    /// Builds a valid code from positions 1–16 (authority, category, region, 8-character
    /// organisation body) by appending both check characters. For demo data and generators.
    pub fn with_check_digits(first16: &str) -> Result<Self, CodeError> {
        let first16 = first16.trim();
        let len = first16.chars().count();
        if len != 16 {
            return Err(CodeError::Length {
                kind: KIND,
                expected: 16,
                actual: len,
            });
        }
        check_charset(first16)?;
        let org_check = gb11714_check_char(&first16[8..16]).unwrap_or('0');
        let first17 = format!("{first16}{org_check}");
        let check = mod31_check_char(&first17).unwrap_or('0');
        Self::parse(&format!("{first17}{check}"))
    }

    /// A valid enterprise-style code for a region (six digits) and serial number: authority
    /// and category as given, organisation body = the serial written in base 31 over the
    /// character set (serials wrap at 31^8). Distinct serials below 31^8 give distinct codes.
    pub fn generate(
        authority: char,
        category: char,
        region6: &str,
        serial: u64,
    ) -> Result<Self, CodeError> {
        let charset = CREDIT_CODE_CHARSET.as_bytes();
        let mut body = [b'0'; 8];
        let mut n = serial;
        for slot in body.iter_mut().rev() {
            *slot = charset[(n % 31) as usize];
            n /= 31;
        }
        let body: String = body.iter().map(|&b| char::from(b)).collect();
        Self::with_check_digits(&format!("{authority}{category}{region6}{body}"))
    }

    /// Parses structure and returns the code together with every checksum-level problem.
    fn check(s: &str) -> Result<(CreditCode, Vec<CodeError>), CodeError> {
        let s = s.trim();
        let len = s.chars().count();
        if len == 0 {
            return Err(CodeError::Empty { kind: KIND });
        }
        if len != 18 {
            return Err(CodeError::Length {
                kind: KIND,
                expected: 18,
                actual: len,
            });
        }
        check_charset(s)?;
        // All ASCII from here on.
        if let Some((position, found)) = first_bad_char(&s[2..8], |_, c| c.is_ascii_digit()) {
            return Err(CodeError::InvalidChar {
                kind: KIND,
                position: position + 2,
                found,
                expected: "第3至8位为登记管理机关行政区划码，应为数字",
            });
        }
        // 100000 is the region code of central (national-level) bodies.
        if !is_known_province(&s[2..4]) && &s[2..8] != "100000" {
            return Err(CodeError::UnknownRegionPrefix {
                kind: KIND,
                prefix: s[2..8].to_string(),
                reason: "前两位不是已知的省级代码",
            });
        }
        let mut problems = Vec::new();
        let authority = s.chars().next().unwrap_or('0');
        if !AUTHORITIES.contains(authority) {
            problems.push(CodeError::UnknownCategory {
                kind: KIND,
                position: 1,
                found: authority,
                what: "登记管理部门代码",
            });
        }
        let org_expected = gb11714_check_char(&s[8..16]).unwrap_or('?');
        let org_found = s[16..17].chars().next().unwrap_or('?');
        if org_expected != org_found {
            problems.push(CodeError::Checksum {
                kind: KIND,
                position: 17,
                expected: org_expected,
                found: org_found,
            });
        }
        let expected = mod31_check_char(&s[..17]).unwrap_or('?');
        let found = s[17..].chars().next().unwrap_or('?');
        if expected != found {
            problems.push(CodeError::Checksum {
                kind: KIND,
                position: 18,
                expected,
                found,
            });
        }
        Ok((CreditCode(s.to_string()), problems))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Position 1: registration authority code.
    pub fn registration_authority(&self) -> char {
        self.0.chars().next().unwrap_or('0')
    }

    /// Position 2: organisation category code.
    pub fn organisation_category(&self) -> char {
        self.0.chars().nth(1).unwrap_or('0')
    }

    /// Positions 3–8: the registering authority's GB/T 2260 region code.
    pub fn region_code(&self) -> &str {
        &self.0[2..8]
    }

    /// Positions 9–17: the GB 11714 organisation code (8-character body + check).
    pub fn organisation_code(&self) -> &str {
        &self.0[8..17]
    }
}

fn check_charset(s: &str) -> Result<(), CodeError> {
    match first_bad_char(s, |_, c| CREDIT_CODE_CHARSET.contains(c)) {
        None => Ok(()),
        Some((position, found)) => {
            let expected = if found.is_ascii_lowercase() {
                "字母应为大写"
            } else if matches!(found, 'I' | 'O' | 'Z' | 'S' | 'V') {
                "代码不使用字母I、O、Z、S、V"
            } else {
                "应为数字或大写字母（不含I、O、Z、S、V）"
            };
            Err(CodeError::InvalidChar {
                kind: KIND,
                position,
                found,
                expected,
            })
        }
    }
}

impl fmt::Display for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

super::string_code_impls!(CreditCode);

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_gb32100_example_and_published_codes_parse() {
        // GB 32100-2015 §4.2 example.
        let code = CreditCode::parse("91350100M000100Y43").unwrap();
        assert_eq!(code.registration_authority(), '9');
        assert_eq!(code.organisation_category(), '1');
        assert_eq!(code.region_code(), "350100");
        assert_eq!(code.organisation_code(), "M000100Y4");
        // Codes published on business licences (verified by both check characters).
        for published in ["914403001922038216", "9144030071526726XG"] {
            assert!(CreditCode::parse(published).is_ok(), "{published}");
        }
    }

    #[test]
    fn a_failing_mod31_check_is_an_error_in_strict_parse_with_expected_and_found() {
        let err = CreditCode::parse("91350100M000100Y44").unwrap_err();
        assert_eq!(
            err.to_string(),
            "统一社会信用代码校验码错误：第18位应为“3”，实际为“4”"
        );
        assert_eq!(err.field_kind(), CodeKind::CreditCode);
    }

    #[test]
    fn a_failing_organisation_code_check_is_an_error_in_strict_parse() {
        // GB 11714: M000100Y has check 4, not 5. Recompute MOD 31 so only position 17 is wrong.
        let first17 = "91350100M000100Y5";
        let code = format!("{first17}{}", mod31_check_char(first17).unwrap());
        let err = CreditCode::parse(&code).unwrap_err();
        assert_eq!(
            err,
            CodeError::Checksum {
                kind: CodeKind::CreditCode,
                position: 17,
                expected: '4',
                found: '5'
            }
        );
    }

    #[test]
    fn lenient_parse_turns_check_failures_into_warnings_for_the_admin() {
        let (code, warnings) = CreditCode::parse_lenient("91350100M000100Y44").unwrap();
        assert_eq!(code.as_str(), "91350100M000100Y44");
        assert_eq!(warnings.len(), 1);
        assert_eq!(
            warnings[0].to_string(),
            "统一社会信用代码校验码错误：第18位应为“3”，实际为“4”，请管理员核实后确认导入"
        );
        let (_, none) = CreditCode::parse_lenient("91350100M000100Y43").unwrap();
        assert!(none.is_empty());
    }

    #[test]
    fn lenient_parse_still_rejects_structural_errors() {
        assert!(matches!(
            CreditCode::parse_lenient("91350100M000100Y4"),
            Err(CodeError::Length { actual: 17, .. })
        ));
        assert!(matches!(
            CreditCode::parse_lenient("91350100M000100I43"),
            Err(CodeError::InvalidChar {
                position: 16,
                found: 'I',
                ..
            })
        ));
        assert!(matches!(
            CreditCode::parse_lenient("9135A100M000100Y43"),
            Err(CodeError::InvalidChar {
                position: 5,
                found: 'A',
                ..
            })
        ));
    }

    #[test]
    fn letters_outside_the_charset_and_lower_case_are_named() {
        assert_eq!(
            CreditCode::parse("91350100M000100O43")
                .unwrap_err()
                .to_string(),
            "统一社会信用代码第16位字符“O”无效：代码不使用字母I、O、Z、S、V"
        );
        assert_eq!(
            CreditCode::parse("91350100m000100Y43")
                .unwrap_err()
                .to_string(),
            "统一社会信用代码第9位字符“m”无效：字母应为大写"
        );
    }

    #[test]
    fn an_unknown_registration_authority_is_rejected_strictly_and_warned_leniently() {
        let code = CreditCode::with_check_digits("9135010000000001").unwrap();
        let mut chars: Vec<char> = code.as_str().chars().collect();
        chars[0] = 'B';
        let first17: String = chars[..17].iter().collect();
        let changed = format!("{first17}{}", mod31_check_char(&first17).unwrap());
        assert!(matches!(
            CreditCode::parse(&changed),
            Err(CodeError::UnknownCategory { position: 1, .. })
        ));
        let (_, warnings) = CreditCode::parse_lenient(&changed).unwrap();
        assert_eq!(warnings.len(), 1);
    }

    #[test]
    fn with_check_digits_rebuilds_the_gb32100_example() {
        assert_eq!(
            CreditCode::with_check_digits("91350100M000100Y")
                .unwrap()
                .as_str(),
            "91350100M000100Y43"
        );
        assert!(CreditCode::with_check_digits("91350100M000100").is_err());
    }

    #[test]
    fn generate_gives_distinct_valid_codes_for_distinct_serials() {
        let a = CreditCode::generate('9', '1', "370322", 1).unwrap();
        let b = CreditCode::generate('9', '1', "370322", 2).unwrap();
        assert_ne!(a, b);
        assert_eq!(a.region_code(), "370322");
        assert!(CreditCode::generate('1', '2', "370322", 31u64.pow(8) - 1).is_ok());
    }

    fn generated() -> impl Strategy<Value = CreditCode> {
        (
            prop::sample::select(AUTHORITIES.chars().collect::<Vec<_>>()),
            prop::sample::select(vec!['1', '2', '3', '9']),
            prop::sample::select(vec!["370322", "370300", "100000", "110105", "350100"]),
            any::<u64>(),
        )
            .prop_map(|(a, c, r, n)| CreditCode::generate(a, c, r, n).unwrap())
    }

    proptest! {
        // GB 32100-2015 §4.2 and GB 11714-1997 §5: generated codes satisfy both checks.
        #[test]
        fn every_generated_code_parses(code in generated()) {
            prop_assert_eq!(CreditCode::parse(code.as_str()).unwrap(), code);
        }

        // MOD 31 (31 prime, every weight non-zero) detects every single substitution.
        #[test]
        fn changing_any_one_character_breaks_parse(code in generated(), pos in 0usize..18, new in prop::sample::select(CREDIT_CODE_CHARSET.chars().collect::<Vec<_>>())) {
            let mut chars: Vec<char> = code.as_str().chars().collect();
            prop_assume!(chars[pos] != new);
            chars[pos] = new;
            let changed: String = chars.into_iter().collect();
            prop_assert!(CreditCode::parse(&changed).is_err());
        }
    }
}
