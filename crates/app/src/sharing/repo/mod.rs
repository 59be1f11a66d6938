//! The data-sharing workflow's SQL, and only here.

mod consents;
mod eproofs;
mod list;
mod pulls;

pub(crate) use consents::*;
pub(crate) use eproofs::*;
pub(crate) use list::*;
pub(crate) use pulls::*;

use proofless_store::{Exec, q};

use crate::error::AppResult;

/// An org's name and credit code.
pub(crate) async fn org(
    ex: &mut impl Exec,
    id: i64,
) -> AppResult<Option<(String, Option<String>)>> {
    Ok(ex
        .fetch_optional(q("SELECT name, credit_code FROM orgs WHERE id = ?").bind(id))
        .await?)
}

/// A person's masked name and the ciphertext of the full name.
pub(crate) async fn person_names(
    ex: &mut impl Exec,
    id: i64,
) -> AppResult<Option<(String, String)>> {
    Ok(ex
        .fetch_optional(q("SELECT name_masked, name_enc FROM persons WHERE id = ?").bind(id))
        .await?)
}

/// The ciphertext of a person's resident ID.
pub(crate) async fn person_rid_enc(ex: &mut impl Exec, id: i64) -> AppResult<Option<String>> {
    let r: Option<(Option<String>,)> = ex
        .fetch_optional(q("SELECT resident_id_enc FROM persons WHERE id = ?").bind(id))
        .await?;
    Ok(r.and_then(|(e,)| e))
}

/// Whether a case with this id exists (the case workflow owns cases; only existence is read).
pub(crate) async fn case_exists(ex: &mut impl Exec, id: i64) -> AppResult<bool> {
    let r: Option<(i64,)> = ex
        .fetch_optional(q("SELECT id FROM cases WHERE id = ?").bind(id))
        .await?;
    Ok(r.is_some())
}
