//! The check-character algorithms behind the codes, exposed so importers and data
//! generators can compute check characters without building strings by hand.
//!
//! Each function returns `None` when a character is outside the algorithm's alphabet.

/// Value of `c` in the alphabet `0-9A-Z` (0–35); `None` for anything else.
fn alnum_value(c: char) -> Option<u32> {
    c.to_digit(36)
        .filter(|_| c.is_ascii_digit() || c.is_ascii_uppercase())
}

/// ISO 7064 MOD 11-2 (pure system, radix 2) over decimal digits: the resident ID check
/// character (GB 11643-1999 §5.2 / §6: weights Wi = 2^(i-1) mod 11, check = (12 − S mod 11) mod 11,
/// 10 written as `X`).
pub fn iso7064_mod11_2_check_char(digits: &str) -> Option<char> {
    let mut p: u32 = 0;
    for c in digits.chars() {
        let d = c.to_digit(10)?;
        // Recursive form of Σ ai·Wi: P ← (P + a)·2 mod 11.
        p = ((p + d) * 2) % 11;
    }
    let check = (12 - p) % 11;
    char::from_digit(check, 10).or(Some('X'))
}

/// ISO 7064 MOD 37,36 (hybrid system) over `0-9A-Z`: the GB/T 36904-2018 e-licence
/// identifier check character (GB/T 17710-2008 = ISO/IEC 7064:2003 §9–10).
pub fn iso7064_mod37_36_check_char(chars: &str) -> Option<char> {
    const M: u32 = 36;
    let mut p = M;
    for c in chars.chars() {
        let a = alnum_value(c)?;
        let mut s = (p + a) % M;
        if s == 0 {
            s = M;
        }
        p = (s * 2) % (M + 1);
    }
    // The check character c makes (P + c) mod M == 1.
    char::from_digit((M + 1 - p) % M, 36).map(|c| c.to_ascii_uppercase())
}

/// Weights of GB 32100-2015 §4.2 for positions 1–17 (3^(i-1) mod 31).
const MOD31_WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// GB 32100-2015 check character (position 18) over the first 17 characters, all from
/// [`CREDIT_CODE_CHARSET`](super::CREDIT_CODE_CHARSET). `None` unless exactly 17 valid chars.
pub fn mod31_check_char(first17: &str) -> Option<char> {
    let charset = super::CREDIT_CODE_CHARSET.as_bytes();
    let mut sum = 0u32;
    let mut n = 0usize;
    for (c, w) in first17.chars().zip(MOD31_WEIGHTS) {
        let v = charset.iter().position(|&b| char::from(b) == c)?;
        sum += v as u32 * w;
        n += 1;
    }
    if n != 17 || first17.chars().count() != 17 {
        return None;
    }
    let check = (31 - sum % 31) % 31;
    charset.get(check as usize).map(|&b| char::from(b))
}

/// Weights of GB 11714-1997 §5 for the eight body characters of an organisation code.
const GB11714_WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];

/// GB 11714-1997 organisation-code check character for an 8-character body of `0-9A-Z`
/// (letters count 10–35): C = 11 − (Σ mod 11), with 10 written `X` and 11 written `0`.
pub fn gb11714_check_char(body8: &str) -> Option<char> {
    if body8.chars().count() != 8 {
        return None;
    }
    let mut sum = 0u32;
    for (c, w) in body8.chars().zip(GB11714_WEIGHTS) {
        sum += alnum_value(c)? * w;
    }
    match 11 - sum % 11 {
        10 => Some('X'),
        11 => Some('0'),
        d => char::from_digit(d, 10),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn mod11_2_matches_the_examples_of_gb11643() {
        // GB 11643-1999 §8 (示例): 11010519491231002X and 440524188001010014.
        assert_eq!(iso7064_mod11_2_check_char("11010519491231002"), Some('X'));
        assert_eq!(iso7064_mod11_2_check_char("44052418800101001"), Some('4'));
        // ISO/IEC 7064:2003 MOD 11-2 example: 079 → X.
        assert_eq!(iso7064_mod11_2_check_char("079"), Some('X'));
    }

    #[test]
    fn mod37_36_matches_published_iso7064_vectors() {
        // ISO/IEC 7064 MOD 37,36 vectors (as used by the GRid standard and common
        // ISO 7064 test suites): A12425GABC1234002M, B159D8FA01240000K, 188166C7342000003.
        assert_eq!(iso7064_mod37_36_check_char("A12425GABC1234002"), Some('M'));
        assert_eq!(iso7064_mod37_36_check_char("B159D8FA01240000"), Some('K'));
        assert_eq!(iso7064_mod37_36_check_char("188166C734200000"), Some('3'));
    }

    #[test]
    fn gb11714_matches_published_organisation_codes() {
        // GB 32100-2015 example 91350100M000100Y43: organisation code M000100Y-4.
        assert_eq!(gb11714_check_char("M000100Y"), Some('4'));
        // Published codes: Huawei 19220382-1, Tencent 71526726-X.
        assert_eq!(gb11714_check_char("19220382"), Some('1'));
        assert_eq!(gb11714_check_char("71526726"), Some('X'));
    }

    #[test]
    fn mod31_matches_the_example_of_gb32100() {
        // GB 32100-2015 §4.2 example: 91350100M000100Y43.
        assert_eq!(mod31_check_char("91350100M000100Y4"), Some('3'));
    }

    #[test]
    fn checksums_reject_characters_outside_their_alphabet() {
        assert_eq!(iso7064_mod11_2_check_char("1101A"), None);
        assert_eq!(iso7064_mod37_36_check_char("a1"), None);
        assert_eq!(gb11714_check_char("M000100"), None);
        assert_eq!(mod31_check_char("91350100M000100I4"), None);
        assert_eq!(mod31_check_char("91350100M000100Y"), None);
    }
}
