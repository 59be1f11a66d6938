//! 统计用区划代码: 12 digits = GB/T 2260 six digits (province 2, city 2, county 2) + town 3
//! + village 3.
//!
//! Village parts 001–199 are communities (居委会), 200–399 villages (村委会), as in the
//! project's reference data (shared/data/README.md).

use std::fmt;

use super::error::{CodeError, CodeKind, first_bad_char};
use crate::region::RegionLevel;

const KIND: CodeKind = CodeKind::RegionCode;

/// Province-level codes of GB/T 2260 (81, 82 and 83 are Hong Kong, Macao and Taiwan, which
/// appear as prefixes of their residents' residence permits).
const PROVINCES: [&str; 35] = [
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41",
    "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71",
    "81", "82", "83",
];

pub(crate) fn is_known_province(two_digits: &str) -> bool {
    PROVINCES.contains(&two_digits)
}

/// A valid 12-digit statistical division code.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct RegionCode(String);

impl RegionCode {
    /// Parses 12 digits whose province part is known and whose levels are contiguous.
    /// A six-digit GB/T 2260 code is rejected here: use [`RegionCode::from_gb2260`].
    pub fn parse(s: &str) -> Result<Self, CodeError> {
        let s = s.trim();
        let len = s.chars().count();
        if len == 0 {
            return Err(CodeError::Empty { kind: KIND });
        }
        if len != 12 {
            return Err(CodeError::Length {
                kind: KIND,
                expected: 12,
                actual: len,
            });
        }
        Self::check_digits(s)?;
        let code = RegionCode(s.to_string());
        if !is_known_province(code.province_part()) {
            return Err(CodeError::UnknownRegionPrefix {
                kind: KIND,
                prefix: code.province_part().to_string(),
                reason: "不是已知的省级代码",
            });
        }
        // A city part is never 00 below a province; a town part never 000 above a village.
        // (A county part may be 00: Dongguan-style cities have towns directly below them.)
        if code.city_part() == "00" && code.0[4..] != *"00000000" {
            return Err(CodeError::BrokenHierarchy {
                kind: KIND,
                reason: "市级代码（第3至4位）为00，但下级代码不为0",
            });
        }
        if code.town_part() == "000" && code.village_part() != "000" {
            return Err(CodeError::BrokenHierarchy {
                kind: KIND,
                reason: "乡级代码（第7至9位）为000，但村级代码不为0",
            });
        }
        Ok(code)
    }

    /// Expands a six-digit GB/T 2260 code (province, city or county) to twelve digits.
    pub fn from_gb2260(six: &str) -> Result<Self, CodeError> {
        let six = six.trim();
        let len = six.chars().count();
        if len != 6 {
            return Err(CodeError::Length {
                kind: KIND,
                expected: 6,
                actual: len,
            });
        }
        Self::check_digits(six)?;
        Self::parse(&format!("{six}000000"))
    }

    fn check_digits(s: &str) -> Result<(), CodeError> {
        match first_bad_char(s, |_, c| c.is_ascii_digit()) {
            Some((position, found)) => Err(CodeError::InvalidChar {
                kind: KIND,
                position,
                found,
                expected: "应为数字",
            }),
            None => Ok(()),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The six-digit GB/T 2260 part (province, city, county).
    pub fn gb2260(&self) -> &str {
        &self.0[..6]
    }

    fn province_part(&self) -> &str {
        &self.0[..2]
    }
    fn city_part(&self) -> &str {
        &self.0[2..4]
    }
    fn county_part(&self) -> &str {
        &self.0[4..6]
    }
    fn town_part(&self) -> &str {
        &self.0[6..9]
    }
    fn village_part(&self) -> &str {
        &self.0[9..12]
    }

    /// The level, read from the trailing zeros: xx0000000000 province, xxxx00000000 city,
    /// xxxxxx000000 county, xxxxxxxxx000 town, anything else village.
    pub fn level(&self) -> RegionLevel {
        if self.village_part() != "000" {
            RegionLevel::Village
        } else if self.town_part() != "000" {
            RegionLevel::Town
        } else if self.county_part() != "00" {
            RegionLevel::County
        } else if self.city_part() != "00" {
            RegionLevel::City
        } else {
            RegionLevel::Province
        }
    }

    /// The region directly above: the code with its lowest non-zero part zeroed. A town
    /// directly under a city without counties (county part 00) gets that city.
    pub fn parent(&self) -> Option<RegionCode> {
        let zero_from = match self.level() {
            RegionLevel::Province => return None,
            RegionLevel::City => 2,
            RegionLevel::County => 4,
            RegionLevel::Town => 6,
            RegionLevel::Village => 9,
        };
        Some(RegionCode(format!(
            "{}{}",
            &self.0[..zero_from],
            "0".repeat(12 - zero_from)
        )))
    }

    /// Whether `self` is `other` or lies below it.
    pub fn is_within(&self, other: &RegionCode) -> bool {
        let significant = match other.level() {
            RegionLevel::Province => 2,
            RegionLevel::City => 4,
            RegionLevel::County => 6,
            RegionLevel::Town => 9,
            RegionLevel::Village => 12,
        };
        self.0[..significant] == other.0[..significant]
    }

    /// A 居委会 (community): village part 001–199.
    pub fn is_community(&self) -> bool {
        matches!(self.village_number(), 1..=199)
    }

    /// A 村委会 (village committee): village part 200–399.
    pub fn is_village_committee(&self) -> bool {
        matches!(self.village_number(), 200..=399)
    }

    fn village_number(&self) -> u16 {
        self.village_part().parse().unwrap_or(0)
    }
}

impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

super::string_code_impls!(RegionCode);

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn code(s: &str) -> RegionCode {
        RegionCode::parse(s).unwrap()
    }

    #[test]
    fn levels_follow_the_trailing_zeros_of_gaoqing_codes() {
        // 统计用区划代码 published by the National Bureau of Statistics (shared/data).
        assert_eq!(code("370000000000").level(), RegionLevel::Province);
        assert_eq!(code("370300000000").level(), RegionLevel::City);
        assert_eq!(code("370322000000").level(), RegionLevel::County); // 高青县
        assert_eq!(code("370322001000").level(), RegionLevel::Town); // 田镇街道
        assert_eq!(code("370322101000").level(), RegionLevel::Town); // 青城镇
        assert_eq!(code("370322001201").level(), RegionLevel::Village);
    }

    #[test]
    fn parents_climb_one_level_at_a_time() {
        assert_eq!(code("370322001201").parent(), Some(code("370322001000")));
        assert_eq!(code("370322001000").parent(), Some(code("370322000000")));
        assert_eq!(code("370322000000").parent(), Some(code("370300000000")));
        assert_eq!(code("370300000000").parent(), Some(code("370000000000")));
        assert_eq!(code("370000000000").parent(), None);
        // 东莞市 has towns directly under the city (county part 00).
        assert_eq!(code("441900003000").parent(), Some(code("441900000000")));
    }

    #[test]
    fn from_gb2260_expands_six_digits_to_twelve() {
        assert_eq!(
            RegionCode::from_gb2260("370322").unwrap().as_str(),
            "370322000000"
        );
        assert_eq!(
            RegionCode::from_gb2260("370303").unwrap().level(),
            RegionLevel::County
        );
        assert!(matches!(
            RegionCode::from_gb2260("37032"),
            Err(CodeError::Length {
                expected: 6,
                actual: 5,
                ..
            })
        ));
    }

    #[test]
    fn communities_are_001_to_199_and_villages_200_to_399() {
        assert!(code("370322001001").is_community());
        assert!(code("370322001199").is_community());
        assert!(!code("370322001200").is_community());
        assert!(code("370322001200").is_village_committee());
        assert!(code("370322001399").is_village_committee());
        assert!(!code("370322001000").is_community());
        assert!(!code("370322001000").is_village_committee());
    }

    #[test]
    fn within_compares_by_level_not_by_trailing_zeros() {
        assert!(code("370322001201").is_within(&code("370322000000")));
        assert!(code("370322000000").is_within(&code("370322000000")));
        assert!(!code("370303000000").is_within(&code("370322000000")));
        assert!(code("370303000000").is_within(&code("370300000000")));
    }

    #[test]
    fn malformed_codes_get_precise_messages() {
        assert_eq!(
            RegionCode::parse("370322").unwrap_err().to_string(),
            "区划代码应为12位，实际为6位"
        );
        assert_eq!(
            RegionCode::parse("3703220010a0").unwrap_err().to_string(),
            "区划代码第11位字符“a”无效：应为数字"
        );
        assert_eq!(
            RegionCode::parse("990322000000").unwrap_err().to_string(),
            "区划代码的地区代码“99”无效：不是已知的省级代码"
        );
        assert!(matches!(
            RegionCode::parse("370322000201"),
            Err(CodeError::BrokenHierarchy { .. })
        ));
        assert!(matches!(
            RegionCode::parse("370000001000"),
            Err(CodeError::BrokenHierarchy { .. })
        ));
        assert_eq!(
            RegionCode::parse("").unwrap_err().field_kind(),
            CodeKind::RegionCode
        );
    }
}
