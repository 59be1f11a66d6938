//! Staff sign-in, browser sessions (staff and portal), API tokens for other systems,
//! attempt counting and one-time codes. A foundation module: it resolves who acts on
//! every request and uses no workflow.

pub mod codes;
mod input;
mod repo;
mod session;
pub mod throttle;
mod tokens;
mod unlock;

pub use crate::password::{random_token, token_hash};
pub use input::{ApiTokenInput, LoginInput, NewApiToken};
pub use proofless_domain::role::PrincipalKind;
pub(crate) use session::slow_down;
pub use session::{
    NewSession, SECOND_FACTOR, create_session, logout, portal_actor, session_actor, staff_actor,
    staff_login,
};
pub use tokens::{ApiToken, CreatedToken, create_token, list_tokens, revoke_token, token_actor};
pub use unlock::{issue_login_code, needs_second_factor, unlock};

/// Ends every session of a staff member (their account was disabled), inside `tx`.
pub(crate) async fn end_staff_sessions(
    tx: &mut proofless_store::Tx,
    staff_id: i64,
) -> crate::error::AppResult<()> {
    Ok(repo::delete_sessions_of(tx, PrincipalKind::Staff, staff_id).await?)
}
