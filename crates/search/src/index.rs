//! The shared, thread-safe index.
//!
//! Concurrency: readers load the current [`Snapshot`] through `arc-swap` (no lock, never
//! blocked by a writer). A writer, serialised by a mutex, clones the snapshot (posting lists
//! are shared through `Arc` and copied only where the change touches them), applies its
//! changes and publishes the new snapshot atomically. A search therefore sees a catalogue
//! state before or after a change, never half of one. Batch many changes with
//! [`Index::apply`] to pay the clone once.

use std::sync::{Arc, Mutex};

use arc_swap::ArcSwap;

use crate::snapshot::Snapshot;
use crate::types::{Change, Query, SearchDoc, SearchResult};

pub struct Index {
    current: ArcSwap<Snapshot>,
    writer: Mutex<()>,
}

impl Default for Index {
    fn default() -> Self {
        Index::new()
    }
}

impl std::fmt::Debug for Index {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Index")
            .field("documents", &self.len())
            .finish()
    }
}

impl Index {
    /// An empty index.
    pub fn new() -> Index {
        Index::build(Vec::new())
    }

    /// Indexes `docs`; for a repeated id the last document wins.
    pub fn build(docs: impl IntoIterator<Item = SearchDoc>) -> Index {
        Index {
            current: ArcSwap::from_pointee(Snapshot::build(docs)),
            writer: Mutex::new(()),
        }
    }

    /// Inserts `doc`, or replaces the document with its id.
    pub fn upsert(&self, doc: SearchDoc) {
        self.apply([Change::Upsert(doc)]);
    }

    /// Removes the document with `id`; returns whether there was one.
    pub fn remove(&self, id: i64) -> bool {
        let mut removed = false;
        self.write(|s| removed = s.remove(id));
        removed
    }

    /// Applies changes in order and publishes them together.
    pub fn apply(&self, changes: impl IntoIterator<Item = Change>) {
        self.write(|s| changes.into_iter().for_each(|c| s.apply(c)));
    }

    /// Replaces the whole catalogue (e.g. after a bulk import).
    pub fn rebuild(&self, docs: impl IntoIterator<Item = SearchDoc>) {
        let next = Snapshot::build(docs);
        let _guard = self
            .writer
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        self.current.store(Arc::new(next));
    }

    fn write(&self, change: impl FnOnce(&mut Snapshot)) {
        // A panic in another writer leaves the published snapshot intact, so poisoning
        // carries no broken state: carry on.
        let _guard = self
            .writer
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut next = Snapshot::clone(&self.current.load());
        change(&mut next);
        self.current.store(Arc::new(next));
    }

    pub fn search(&self, query: &Query) -> SearchResult {
        self.current.load().search(query)
    }

    /// Number of documents.
    pub fn len(&self) -> usize {
        self.current.load().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The indexed document with `id`, as given.
    pub fn get(&self, id: i64) -> Option<SearchDoc> {
        self.current.load().get(id).cloned()
    }
}
