//! What the runner calls: a handler per job kind and the sweeps of every pass, registered
//! by the workflows at start-up.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;

use proofless_store::Tx;
use serde_json::Value as Json;

use crate::App;
use crate::error::AppResult;

/// A claimed job, as its handler sees it.
#[derive(Clone)]
pub struct Job {
    pub id: i64,
    pub kind: String,
    pub unique_key: String,
    pub payload: Json,
    pub attempts: i64,
    /// The instant of the pass that claimed it (ms since the epoch).
    pub now: i64,
    /// What its kind's [`Preparer`] made before the claiming transaction opened, if it has
    /// one and the job was due when the pass looked.
    pub prepared: Option<Prepared>,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Job")
            .field("id", &self.id)
            .field("kind", &self.kind)
            .field("unique_key", &self.unique_key)
            .field("attempts", &self.attempts)
            .field("prepared", &self.prepared.is_some())
            .finish()
    }
}

/// The output of a preparer, downcast by the handler of the same kind.
pub type Prepared = std::sync::Arc<dyn std::any::Any + Send + Sync>;

/// Heavy work of a job done before its claiming transaction (rendering, sealing), so the
/// transaction — which on SQLite holds the only writer — does just the writes. Must have no
/// effect of its own: a job prepared and then claimed by another instance is prepared again.
pub type Preparer = for<'a> fn(&'a App, &'a Job) -> BoxFuture<'a, Prepared>;

/// What a handler did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Its effect happened.
    Done,
    /// Nothing to do any more (the record moved on); marked `skipped`.
    Skipped,
}

impl Outcome {
    /// `Done` when the effect happened, else `Skipped`.
    pub fn of(done: bool) -> Outcome {
        if done {
            Outcome::Done
        } else {
            Outcome::Skipped
        }
    }
}

/// Future returned by a handler or a sweep, borrowing its arguments.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = AppResult<T>> + Send + 'a>>;

/// Runs one job's effect inside the claiming transaction.
pub type Handler = for<'a> fn(&'a mut Tx, &'a App, &'a Job) -> BoxFuture<'a, Outcome>;

/// A periodic step of every pass, given the runner's name; returns how many items it
/// escalated (0 for a preparing sweep).
pub type SweepFn = for<'a> fn(&'a App, &'a str) -> BoxFuture<'a, usize>;

/// When a sweep runs in a pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Before anything else (reload data, enqueue periodic jobs).
    Prepare,
    /// After preparing, before the jobs; counted in `RunReport::escalated`.
    Escalate,
}

#[derive(Clone, Copy)]
pub struct Sweep {
    /// For logs.
    pub name: &'static str,
    pub stage: Stage,
    pub run: SweepFn,
}

/// Job kinds and sweeps, held by [`App`] and filled once at start-up.
#[derive(Default, Clone)]
pub struct Registry {
    handlers: HashMap<&'static str, Handler>,
    preparers: HashMap<&'static str, Preparer>,
    sweeps: Vec<Sweep>,
}

impl Registry {
    /// Registers the preparer of a job kind (see [`Preparer`]).
    pub fn prepare(&mut self, kind: &'static str, preparer: Preparer) -> &mut Self {
        self.preparers.insert(kind, preparer);
        self
    }

    pub fn preparer(&self, kind: &str) -> Option<Preparer> {
        self.preparers.get(kind).copied()
    }

    /// Whether any kind has a preparer (the runner then looks at due jobs first).
    pub fn has_preparers(&self) -> bool {
        !self.preparers.is_empty()
    }

    /// Registers the handler of a job kind (a kind registered twice keeps the last).
    pub fn job(&mut self, kind: &'static str, handler: Handler) -> &mut Self {
        self.handlers.insert(kind, handler);
        self
    }

    /// Adds a sweep; sweeps of one stage run in the order they were added.
    pub fn sweep(&mut self, name: &'static str, stage: Stage, run: SweepFn) -> &mut Self {
        self.sweeps.push(Sweep { name, stage, run });
        self
    }

    pub fn handler(&self, kind: &str) -> Option<Handler> {
        self.handlers.get(kind).copied()
    }

    pub fn sweeps(&self, stage: Stage) -> impl Iterator<Item = &Sweep> {
        self.sweeps.iter().filter(move |s| s.stage == stage)
    }
}
