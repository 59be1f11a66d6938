//! Organisations: agencies and public-service bodies (SPEC glossary "org", R1.5), in a
//! region (R3.3), under a supervisor, identified by their unified social credit code
//! (issue #2 §4). Each org gets its e-seal key when it is created (issue #5 §10).

mod input;
mod repo;
mod service;

pub use input::{NewOrg, OrgInput};
pub use service::{Org, OrgFilter, create, find_by_name, get, import, list, update};
