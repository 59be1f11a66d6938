//! 公民身份号码 (GB 11643-1999): 6-digit address code, 8-digit birth date, 3-digit
//! sequence (odd = male), 1 check character (ISO 7064 MOD 11-2, `X` for 10).
//!
//! The number is personal data: `Debug` shows only [`ResidentId::masked`], and no
//! [`CodeError`] message repeats it. `Display`/`as_str` give the full number for storage.

use std::fmt;

use chrono::{FixedOffset, NaiveDate, Offset, Utc};

use super::checksum::iso7064_mod11_2_check_char;
use super::error::{CodeError, CodeKind, first_bad_char};
use super::region_code::is_known_province;

const KIND: CodeKind = CodeKind::ResidentId;

/// Gender encoded by the 17th digit (GB 11643-1999 §4.3: odd for men, even for women).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    Male,
    Female,
}

impl Gender {
    pub fn label(self) -> &'static str {
        match self {
            Gender::Male => "男",
            Gender::Female => "女",
        }
    }
}

/// A valid 18-character resident ID number, stored with an upper-case `X`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ResidentId(String);

/// Earliest birth date accepted: nobody alive was born before it.
fn earliest_birth_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(NaiveDate::MIN)
}

/// Today's date in the deployment's time zone (Asia/Shanghai, UTC+8, no daylight saving).
fn today_in_china() -> NaiveDate {
    let offset = FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| Utc.fix());
    Utc::now().with_timezone(&offset).date_naive()
}

impl ResidentId {
    /// Parses a number, checking its birth date against today in China (UTC+8).
    pub fn parse(s: &str) -> Result<Self, CodeError> {
        Self::parse_at(s, today_in_china())
    }

    /// Parses a number whose birth date must lie between 1900-01-01 and `today` inclusive.
    pub fn parse_at(s: &str, today: NaiveDate) -> Result<Self, CodeError> {
        let s = s.trim();
        let len = s.chars().count();
        if len == 0 {
            return Err(CodeError::Empty { kind: KIND });
        }
        if len == 15 && s.chars().all(|c| c.is_ascii_digit()) {
            return Err(CodeError::LegacyResidentId { kind: KIND });
        }
        if len != 18 {
            return Err(CodeError::Length {
                kind: KIND,
                expected: 18,
                actual: len,
            });
        }
        if let Some((position, found)) = first_bad_char(s, |i, c| {
            c.is_ascii_digit() || (i == 17 && (c == 'X' || c == 'x'))
        }) {
            let expected = if position == 18 {
                "应为数字或X"
            } else {
                "应为数字"
            };
            return Err(CodeError::InvalidChar {
                kind: KIND,
                position,
                found,
                expected,
            });
        }
        // All ASCII from here on, so byte slicing is character slicing.
        let number = s.to_ascii_uppercase();
        let (body, check) = number.split_at(17);
        let expected = iso7064_mod11_2_check_char(body).unwrap_or('?');
        let found = check.chars().next().unwrap_or('?');
        if expected != found {
            return Err(CodeError::Checksum {
                kind: KIND,
                position: 18,
                expected,
                found,
            });
        }
        if !is_known_province(&number[..2]) {
            return Err(CodeError::UnknownRegionPrefix {
                kind: KIND,
                prefix: number[..6].to_string(),
                reason: "前两位不是已知的省级代码",
            });
        }
        let birth = parse_birth_date(&number[6..14])?;
        if birth < earliest_birth_date() {
            return Err(CodeError::InvalidBirthDate {
                kind: KIND,
                reason: "早于1900年1月1日",
            });
        }
        if birth > today {
            return Err(CodeError::InvalidBirthDate {
                kind: KIND,
                reason: "晚于今天",
            });
        }
        Ok(ResidentId(number))
    }

    /// The full number (upper-case `X`).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// First 6 and last 4 characters with 8 stars between: `370322********123X`.
    pub fn masked(&self) -> String {
        format!("{}********{}", &self.0[..6], &self.0[14..])
    }

    pub fn birth_date(&self) -> NaiveDate {
        // Validated in parse; the fallback is unreachable.
        parse_birth_date(&self.0[6..14]).unwrap_or(NaiveDate::MIN)
    }

    pub fn gender(&self) -> Gender {
        let digit = self.0.as_bytes().get(16).copied().unwrap_or(b'0');
        if (digit - b'0') % 2 == 1 {
            Gender::Male
        } else {
            Gender::Female
        }
    }

    /// The 6-digit address code (GB/T 2260) of the place the number was first issued.
    pub fn region_prefix(&self) -> &str {
        &self.0[..6]
    }
}

fn parse_birth_date(yyyymmdd: &str) -> Result<NaiveDate, CodeError> {
    let num = |r: std::ops::Range<usize>| yyyymmdd.get(r).and_then(|d| d.parse::<u32>().ok());
    let (Some(y), Some(m), Some(d)) = (num(0..4), num(4..6), num(6..8)) else {
        return Err(CodeError::InvalidBirthDate {
            kind: KIND,
            reason: "不是数字",
        });
    };
    NaiveDate::from_ymd_opt(y as i32, m, d).ok_or(CodeError::InvalidBirthDate {
        kind: KIND,
        reason: "不是真实存在的日期",
    })
}

impl fmt::Display for ResidentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Masked, so `{:?}` in a log line never leaks the number.
impl fmt::Debug for ResidentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ResidentId({})", self.masked())
    }
}

super::string_code_impls!(ResidentId);

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn today() -> NaiveDate {
        day(2026, 11, 26)
    }

    /// Appends the GB 11643-1999 check character to 17 digits.
    fn with_check(body17: &str) -> String {
        format!("{body17}{}", iso7064_mod11_2_check_char(body17).unwrap())
    }

    #[test]
    fn the_gb11643_example_number_parses_with_its_parts() {
        // GB 11643-1999 §8 example: 北京市朝阳区, born 1949-12-31, sequence 002 (female), check X.
        let id = ResidentId::parse_at("11010519491231002X", today()).unwrap();
        assert_eq!(id.birth_date(), day(1949, 12, 31));
        assert_eq!(id.gender(), Gender::Female);
        assert_eq!(id.region_prefix(), "110105");
        assert_eq!(id.masked(), "110105********002X");
        assert_eq!(id.to_string(), "11010519491231002X");
    }

    #[test]
    fn a_lower_case_x_is_accepted_and_stored_upper_case() {
        let id = ResidentId::parse_at(" 11010519491231002x ", today()).unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
    }

    #[test]
    fn masked_shows_first_six_and_last_four() {
        // Find a Gaoqing number with sequence 123 whose check character is X.
        let mut date = day(1990, 1, 1);
        let id = loop {
            let body = format!("370322{}123", date.format("%Y%m%d"));
            if iso7064_mod11_2_check_char(&body) == Some('X') {
                break ResidentId::parse_at(&with_check(&body), today()).unwrap();
            }
            date = date.succ_opt().unwrap();
        };
        assert_eq!(id.masked(), "370322********123X");
        assert_eq!(id.gender(), Gender::Male);
        assert_eq!(format!("{id:?}"), "ResidentId(370322********123X)");
    }

    #[test]
    fn a_wrong_check_character_names_expected_and_found_without_echoing_the_number() {
        // GB 11643-1999 §6: the check character of 11010519491231002 is X.
        let err = ResidentId::parse_at("110105194912310021", today()).unwrap_err();
        assert_eq!(
            err,
            CodeError::Checksum {
                kind: CodeKind::ResidentId,
                position: 18,
                expected: 'X',
                found: '1'
            }
        );
        let msg = err.to_string();
        assert_eq!(msg, "公民身份号码校验码错误：第18位应为“X”，实际为“1”");
        assert_eq!(err.field_kind(), CodeKind::ResidentId);
    }

    #[test]
    fn wrong_lengths_and_old_fifteen_digit_numbers_are_rejected() {
        assert_eq!(
            ResidentId::parse_at("1101051949123100", today())
                .unwrap_err()
                .to_string(),
            "公民身份号码应为18位，实际为16位"
        );
        assert!(matches!(
            ResidentId::parse_at("110105491231002", today()),
            Err(CodeError::LegacyResidentId { .. })
        ));
        assert!(matches!(
            ResidentId::parse_at("  ", today()),
            Err(CodeError::Empty { .. })
        ));
    }

    #[test]
    fn a_bad_character_is_reported_with_its_position() {
        let err = ResidentId::parse_at("1101051949A231002X", today()).unwrap_err();
        assert_eq!(err.to_string(), "公民身份号码第11位字符“A”无效：应为数字");
        let err = ResidentId::parse_at("11010519491231002Y", today()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "公民身份号码第18位字符“Y”无效：应为数字或X"
        );
        // Full-width digits are not digits.
        let err = ResidentId::parse_at("１1010519491231002X", today()).unwrap_err();
        assert!(matches!(
            err,
            CodeError::InvalidChar {
                position: 1,
                found: '１',
                ..
            }
        ));
    }

    #[test]
    fn an_impossible_birth_date_is_rejected() {
        let err = ResidentId::parse_at(&with_check("37032219490230002"), today()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "公民身份号码中的出生日期（第7至14位）不是真实存在的日期"
        );
        let leap = ResidentId::parse_at(&with_check("37032220000229002"), today()).unwrap();
        assert_eq!(leap.birth_date(), day(2000, 2, 29));
    }

    #[test]
    fn a_birth_date_after_today_or_before_1900_is_rejected() {
        let tomorrow = with_check("37032220261127002");
        assert!(matches!(
            ResidentId::parse_at(&tomorrow, today()),
            Err(CodeError::InvalidBirthDate {
                reason: "晚于今天",
                ..
            })
        ));
        assert!(ResidentId::parse_at(&with_check("37032220261126002"), today()).is_ok());
        // GB 11643-1999 §8's second example, 440524188001010014, is valid by checksum but
        // born in 1880, which we do not accept for a living resident.
        assert!(matches!(
            ResidentId::parse_at("440524188001010014", today()),
            Err(CodeError::InvalidBirthDate {
                reason: "早于1900年1月1日",
                ..
            })
        ));
    }

    #[test]
    fn an_unknown_province_prefix_is_rejected() {
        let err = ResidentId::parse_at(&with_check("99032219900101002"), today()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "公民身份号码的地区代码“990322”无效：前两位不是已知的省级代码"
        );
    }

    #[test]
    fn parse_uses_todays_date_and_serde_goes_through_parse() {
        use serde::Deserialize;
        use serde::de::value::{Error as DeError, StrDeserializer};
        assert!(ResidentId::parse("11010519491231002X").is_ok());
        let id =
            ResidentId::deserialize(StrDeserializer::<DeError>::new("11010519491231002x")).unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
        assert!(
            ResidentId::deserialize(StrDeserializer::<DeError>::new("110105194912310021")).is_err()
        );
    }

    fn valid_id() -> impl Strategy<Value = String> {
        (
            prop::sample::select(vec![
                "110105", "370322", "370303", "440300", "650102", "810000",
            ]),
            0u32..40_000,
            0u32..1000,
        )
            .prop_map(|(region, days, seq)| {
                let birth = day(1900, 1, 1) + chrono::Days::new(u64::from(days));
                with_check(&format!("{region}{}{seq:03}", birth.format("%Y%m%d")))
            })
    }

    proptest! {
        // GB 11643-1999 §6 (ISO 7064 MOD 11-2): every correctly computed number parses.
        #[test]
        fn every_number_with_a_computed_check_character_parses(s in valid_id()) {
            let id = ResidentId::parse_at(&s, today()).unwrap();
            prop_assert_eq!(id.as_str(), s.as_str());
            prop_assert_eq!(id.masked().chars().count(), 18);
        }

        // MOD 11-2 detects every single-character substitution.
        #[test]
        fn changing_any_one_character_breaks_the_number(s in valid_id(), pos in 0usize..18, new in prop::sample::select("0123456789X".chars().collect::<Vec<_>>())) {
            let mut chars: Vec<char> = s.chars().collect();
            prop_assume!(chars[pos] != new);
            chars[pos] = new;
            let changed: String = chars.into_iter().collect();
            prop_assert!(ResidentId::parse_at(&changed, today()).is_err());
        }

        #[test]
        fn no_error_message_contains_the_number(s in "[0-9]{17}[0-9X]") {
            if let Err(e) = ResidentId::parse_at(&s, today()) {
                prop_assert!(!e.to_string().contains(&s));
                prop_assert!(!e.to_string().contains(&s[6..14]));
            }
        }
    }
}
