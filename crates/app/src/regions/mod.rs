//! Regions in four levels with 12-digit codes (SPEC R3.3: one deployment serves city,
//! county, town and village), the built-in ones loaded from `data/regions.csv`.

mod repo;
mod service;

pub use service::{NewRegion, Region, create, ensure_builtin, get, list};
