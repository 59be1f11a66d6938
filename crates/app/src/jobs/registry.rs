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
#[derive(Debug, Clone)]
pub struct Job {
    pub id: i64,
    pub kind: String,
    pub unique_key: String,
    pub payload: Json,
    pub attempts: i64,
    /// The instant of the pass that claimed it (ms since the epoch).
    pub now: i64,
}

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
    sweeps: Vec<Sweep>,
}

impl Registry {
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
