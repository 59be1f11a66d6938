//! Citizens' and companies' portal accounts. Identity sits behind one interface
//! ([`IdentityProvider`]) so the province's unified identity login can replace the local
//! accounts later.

mod input;
mod repo;
mod service;

pub use crate::auth::portal_actor;
pub use input::{PortalLoginInput, RegisterInput, Registration};
pub use service::{IdentityProvider, LocalIdentity, login, register};
