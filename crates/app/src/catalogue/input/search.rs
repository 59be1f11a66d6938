//! The public search's parameters (no login).

use proofless_domain::catalogue::{CatalogueLevel, ReplacementMethod};
use serde::Deserialize;

use super::LEVEL_HINT;
use crate::error::{AppResult, Problems};

/// Largest page of public results.
pub const MAX_PUBLIC_LIMIT: usize = 100;
/// Deepest offset a public search may page to.
pub const MAX_PUBLIC_OFFSET: usize = 100_000;

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// Any part of a proof or service name, pinyin (`hujizhengming`) or initials (`hjzm`).
    pub q: Option<String>,
    /// `county`, `town` or `village`.
    pub level: Option<String>,
    /// 12-digit region code: that region and everything under it.
    pub region: Option<String>,
    /// Issuer org id or exact name.
    pub issuer: Option<String>,
    /// Service item implementation code.
    pub service: Option<String>,
    /// Replacement method code.
    pub method: Option<String>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
    /// Same as `offset` (the `next_cursor` of the previous page).
    pub cursor: Option<String>,
}

/// A public search, checked.
#[derive(Debug, Clone)]
pub struct SearchQuery {
    pub text: String,
    pub level: Option<CatalogueLevel>,
    pub region: Option<String>,
    /// An org id or an exact name, resolved against the served catalogue.
    pub issuer: Option<String>,
    pub service: Option<String>,
    pub method: Option<ReplacementMethod>,
    pub limit: usize,
    pub offset: usize,
}

fn nonempty(o: &Option<String>) -> Option<String> {
    o.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

impl SearchParams {
    pub fn parse(&self) -> AppResult<SearchQuery> {
        let mut problems = Problems::default();
        let level = nonempty(&self.level).and_then(|l| {
            let parsed = CatalogueLevel::parse(&l);
            if parsed.is_none() {
                problems.add("level", LEVEL_HINT);
            }
            parsed
        });
        let method = nonempty(&self.method).and_then(|m| {
            let parsed = ReplacementMethod::parse(&m);
            if parsed.is_none() {
                problems.add("method", "替代取消方式无效（可选：直接取消、数据共享、告知承诺、部门核验、干部代办、容缺受理、其他方式）");
            }
            parsed
        });
        let region = nonempty(&self.region);
        if region
            .as_deref()
            .is_some_and(|r| r.len() != 12 || !r.bytes().all(|b| b.is_ascii_digit()))
        {
            problems.add("region", "区划代码应为12位数字");
        }
        let limit = self.limit.unwrap_or(20);
        if !(1..=MAX_PUBLIC_LIMIT as i64).contains(&limit) {
            problems.add(
                "limit",
                format!("每页条数应在 1 到 {MAX_PUBLIC_LIMIT} 之间"),
            );
        }
        let offset = match nonempty(&self.cursor) {
            Some(c) => c.parse::<i64>().unwrap_or_else(|_| {
                problems.add("cursor", "翻页游标无效");
                0
            }),
            None => self.offset.unwrap_or(0),
        };
        if !(0..=MAX_PUBLIC_OFFSET as i64).contains(&offset) {
            problems.add(
                "offset",
                format!("偏移量应在 0 到 {MAX_PUBLIC_OFFSET} 之间"),
            );
        }
        problems.into_result()?;
        Ok(SearchQuery {
            text: self.q.clone().unwrap_or_default(),
            level,
            region,
            issuer: nonempty(&self.issuer),
            service: nonempty(&self.service),
            method,
            limit: limit as usize,
            offset: offset as usize,
        })
    }
}
