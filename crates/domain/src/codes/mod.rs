//! Validated identifiers (GB 11643, GB 32100, GB/T 2260, GB/T 36904).
//!
//! Every code is a newtype that can only be built valid: `parse(&str)` checks the whole
//! standard (length, character set, check characters, embedded dates and region prefixes) and
//! returns one [`CodeError`] whose `Display` is a Chinese message naming the exact problem.
//! Surrounding whitespace is trimmed before checking; anything inside is checked as given.
//! Serde writes each code as its string and reads it back through `parse`, so an invalid code
//! cannot enter through JSON either.

mod checksum;
mod credit_code;
mod elicence_id;
mod error;
mod implementation_code;
mod region_code;
mod resident_id;

pub use checksum::{
    gb11714_check_char, iso7064_mod11_2_check_char, iso7064_mod37_36_check_char, mod31_check_char,
};
pub use credit_code::{CREDIT_CODE_CHARSET, CreditCode};
pub use elicence_id::ELicenceId;
pub use error::{CodeError, CodeKind, CodeWarning};
pub use implementation_code::ImplementationCode;
pub use region_code::RegionCode;
pub use resident_id::{Gender, ResidentId};

/// Implements `Display`, `FromStr`, `AsRef<str>`, `Serialize` (as the string) and
/// `Deserialize` (through `parse`) for a code newtype with `parse` and `as_str`.
macro_rules! string_code_impls {
    ($ty:ty) => {
        impl std::str::FromStr for $ty {
            type Err = $crate::codes::CodeError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                <$ty>::parse(s)
            }
        }

        impl AsRef<str> for $ty {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }

        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let s =
                    <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(deserializer)?;
                <$ty>::parse(&s).map_err(serde::de::Error::custom)
            }
        }
    };
}
pub(crate) use string_code_impls;
