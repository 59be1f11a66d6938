//! Regions in four levels (SPEC R3.3: one deployment serves city, county, town and village).

use serde::{Deserialize, Serialize};

/// Administrative level of a region. Province exists only as the root above the city.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum RegionLevel {
    Province,
    City,
    County,
    Town,
    Village,
}

impl RegionLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            RegionLevel::Province => "province",
            RegionLevel::City => "city",
            RegionLevel::County => "county",
            RegionLevel::Town => "town",
            RegionLevel::Village => "village",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "province" => Some(RegionLevel::Province),
            "city" => Some(RegionLevel::City),
            "county" => Some(RegionLevel::County),
            "town" => Some(RegionLevel::Town),
            "village" => Some(RegionLevel::Village),
            _ => None,
        }
    }

    /// Chinese label shown to users.
    pub fn label(self) -> &'static str {
        match self {
            RegionLevel::Province => "省",
            RegionLevel::City => "市",
            RegionLevel::County => "县",
            RegionLevel::Town => "镇（街道）",
            RegionLevel::Village => "村（社区）",
        }
    }
}
