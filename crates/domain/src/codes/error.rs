//! One error type for every code, with Chinese messages that say exactly what is wrong.
//! A message never repeats a whole resident ID number: at most one character of the input.

use std::fmt;

/// Which identifier a [`CodeError`] or [`CodeWarning`] is about, so callers can name the field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CodeKind {
    ResidentId,
    CreditCode,
    RegionCode,
    ELicenceId,
    ImplementationCode,
}

impl CodeKind {
    /// Stable snake_case name (API field-error `kind`).
    pub fn as_str(self) -> &'static str {
        match self {
            CodeKind::ResidentId => "resident_id",
            CodeKind::CreditCode => "credit_code",
            CodeKind::RegionCode => "region_code",
            CodeKind::ELicenceId => "elicence_id",
            CodeKind::ImplementationCode => "implementation_code",
        }
    }

    /// Chinese name shown to users.
    pub fn label(self) -> &'static str {
        match self {
            CodeKind::ResidentId => "公民身份号码",
            CodeKind::CreditCode => "统一社会信用代码",
            CodeKind::RegionCode => "区划代码",
            CodeKind::ELicenceId => "电子证照标识",
            CodeKind::ImplementationCode => "事项实施编码",
        }
    }
}

impl fmt::Display for CodeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Why a code was rejected. Positions are 1-based character positions, as printed on paper.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    #[error("{kind}不能为空")]
    Empty { kind: CodeKind },

    #[error("{kind}应为{expected}位，实际为{actual}位")]
    Length {
        kind: CodeKind,
        expected: usize,
        actual: usize,
    },

    #[error("{kind}应为{min}至{max}位，实际为{actual}位")]
    LengthRange {
        kind: CodeKind,
        min: usize,
        max: usize,
        actual: usize,
    },

    #[error("{kind}为15位的旧号码，请使用18位公民身份号码")]
    LegacyResidentId { kind: CodeKind },

    #[error("{kind}第{position}位字符“{found}”无效：{expected}")]
    InvalidChar {
        kind: CodeKind,
        position: usize,
        found: char,
        expected: &'static str,
    },

    #[error("{kind}校验码错误：第{position}位应为“{expected}”，实际为“{found}”")]
    Checksum {
        kind: CodeKind,
        position: usize,
        expected: char,
        found: char,
    },

    #[error("{kind}中的出生日期（第7至14位）{reason}")]
    InvalidBirthDate {
        kind: CodeKind,
        reason: &'static str,
    },

    #[error("{kind}的地区代码“{prefix}”无效：{reason}")]
    UnknownRegionPrefix {
        kind: CodeKind,
        prefix: String,
        reason: &'static str,
    },

    #[error("{kind}第{position}位“{found}”不是已知的{what}")]
    UnknownCategory {
        kind: CodeKind,
        position: usize,
        found: char,
        what: &'static str,
    },

    #[error("{kind}层级不连续：{reason}")]
    BrokenHierarchy {
        kind: CodeKind,
        reason: &'static str,
    },
}

impl CodeError {
    /// Which code the error is about.
    pub fn field_kind(&self) -> CodeKind {
        match self {
            CodeError::Empty { kind }
            | CodeError::Length { kind, .. }
            | CodeError::LengthRange { kind, .. }
            | CodeError::LegacyResidentId { kind }
            | CodeError::InvalidChar { kind, .. }
            | CodeError::Checksum { kind, .. }
            | CodeError::InvalidBirthDate { kind, .. }
            | CodeError::UnknownRegionPrefix { kind, .. }
            | CodeError::UnknownCategory { kind, .. }
            | CodeError::BrokenHierarchy { kind, .. } => *kind,
        }
    }
}

/// A problem an import accepts only after an administrator confirms it (never silently).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeWarning {
    /// What would have failed under strict `parse`.
    pub error: CodeError,
}

impl CodeWarning {
    pub fn field_kind(&self) -> CodeKind {
        self.error.field_kind()
    }
}

impl fmt::Display for CodeWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}，请管理员核实后确认导入", self.error)
    }
}

/// Returns the first character (1-based position) that fails `ok`.
pub(crate) fn first_bad_char(s: &str, ok: impl Fn(usize, char) -> bool) -> Option<(usize, char)> {
    s.chars()
        .enumerate()
        .find(|&(i, c)| !ok(i, c))
        .map(|(i, c)| (i + 1, c))
}
