//! The lists of commitments a citizen and a unit's counter read.

use proofless_domain::commitment::{CommitmentState, SigningChannel};
use proofless_store::{Exec, q};
use serde::{Deserialize, Serialize};

use crate::error::AppResult;

/// One line of a portal user's own commitments.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct MyCommitment {
    pub id: i64,
    pub proof_item_name: String,
    pub state: CommitmentState,
    pub signed_at: i64,
}

pub(crate) async fn mine(db: &mut impl Exec, person_id: i64) -> AppResult<Vec<MyCommitment>> {
    Ok(db
        .fetch_all(
            q(
                "SELECT c.id, p.name AS proof_item_name, c.state, c.signed_at FROM commitments c \
               JOIN proof_items p ON p.id = c.proof_item_id \
               WHERE c.person_id = ? ORDER BY c.id DESC LIMIT 200",
            )
            .bind(person_id),
        )
        .await?)
}

/// One line of a unit's commitments, as its counter sees them.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct UnitCommitment {
    pub id: i64,
    pub case_id: i64,
    pub proof_item_name: String,
    pub signer_name: String,
    pub channel: SigningChannel,
    pub state: CommitmentState,
    pub signed_at: i64,
}

/// The commitments signed in the unit's cases, newest first.
pub(crate) async fn of_org(db: &mut impl Exec, org_id: i64) -> AppResult<Vec<UnitCommitment>> {
    Ok(db
        .fetch_all(
            q("SELECT c.id, c.case_id, p.name AS proof_item_name, ps.name_masked AS signer_name, c.channel, c.state, \
               c.signed_at FROM commitments c JOIN proof_items p ON p.id = c.proof_item_id \
               JOIN persons ps ON ps.id = c.person_id WHERE c.org_id = ? ORDER BY c.id DESC LIMIT 200")
            .bind(org_id),
        )
        .await?)
}
