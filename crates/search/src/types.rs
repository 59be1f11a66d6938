//! The public shapes: what is indexed, how it is asked for, what comes back.

use serde::{Deserialize, Serialize};

/// One published proof item as the portal searches it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SearchDoc {
    pub id: i64,
    /// Proof item name, e.g. 户籍证明.
    pub name: String,
    /// Names of the service items (政务服务事项) that used to ask for the proof.
    pub service_item_names: Vec<String>,
    /// Implementation codes of those service items.
    pub service_item_codes: Vec<String>,
    /// Region level of the list that published the item (`county`, `town`, …).
    pub level: String,
    /// 12-digit region code of the publishing list.
    pub region_code: String,
    /// Org ids of the issuers (the offices that used to issue the proof).
    pub issuer_ids: Vec<i64>,
    /// Replacement methods (`data_sharing`, `commitment`, …).
    pub methods: Vec<String>,
    /// Everyday words that should find the item (户口本 for an item about 户口簿), from the
    /// synonym table the joint office maintains. Matched like the names, ranked after them.
    #[serde(default)]
    pub aliases: Vec<String>,
}

/// Filters; all given ones must hold (AND). Values compare exactly.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Filters {
    pub level: Option<String>,
    /// 12-digit region code. With `include_subregions`, documents of regions below it match too
    /// (county 370322000000 also finds its towns' and villages' items).
    pub region_code: Option<String>,
    #[serde(default)]
    pub include_subregions: bool,
    pub issuer_id: Option<i64>,
    pub service_item_code: Option<String>,
    pub method: Option<String>,
}

/// A search request. `limit` is capped at [`MAX_LIMIT`]; `offset` skips ranked results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Query {
    pub text: String,
    #[serde(default)]
    pub filters: Filters,
    pub limit: usize,
    #[serde(default)]
    pub offset: usize,
}

/// Most ids one page returns.
pub const MAX_LIMIT: usize = 1000;

/// Default page size of [`Query::new`].
pub const DEFAULT_LIMIT: usize = 20;

impl Query {
    /// First page of [`DEFAULT_LIMIT`] results for `text`, unfiltered.
    pub fn new(text: impl Into<String>) -> Query {
        Query {
            text: text.into(),
            filters: Filters::default(),
            limit: DEFAULT_LIMIT,
            offset: 0,
        }
    }

    pub fn with_filters(mut self, filters: Filters) -> Query {
        self.filters = filters;
        self
    }

    pub fn page(mut self, limit: usize, offset: usize) -> Query {
        self.limit = limit;
        self.offset = offset;
        self
    }
}

impl Default for Query {
    fn default() -> Self {
        Query::new("")
    }
}

/// Ranked ids of one page and the number of all matches.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SearchResult {
    pub ids: Vec<i64>,
    /// All matching documents (after filters), not just this page.
    pub total: usize,
    /// Offset of the next page, if there is one (the cursor).
    pub next_offset: Option<usize>,
    /// The normalised text actually searched for (after cutting to 64 characters).
    pub normalized_text: String,
    /// Whether the query text was cut.
    pub truncated: bool,
}

/// One catalogue change, for [`crate::Index::apply`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Upsert(SearchDoc),
    Remove(i64),
}
