//! Path ids given as public ids (issue #21 gaps): `ById<K>` takes the path's `{id}`, refuses
//! anyone not logged in (401, before any lookup) and any other shape than a public id (422
//! naming `id`, whether or not such a row exists), and gives the handler the row id of the
//! record of kind `K` (404 when none has that public id).

use std::marker::PhantomData;

use axum::extract::{FromRequestParts, Path};
use axum::http::StatusCode;
use axum::http::request::Parts;
use proofless_app::ActorKind;
use proofless_app::error::AppError;
use proofless_app::public_ids::{self, Kind};

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::ApiError;

/// A record addressed by public id in a path.
pub trait Named {
    const KIND: Kind;
}

macro_rules! named {
    ($($name:ident => $kind:ident),* $(,)?) => {
        $(
            #[doc = concat!("Marker: `{id}` names a `", stringify!($kind), "`.")]
            pub struct $name;
            impl Named for $name {
                const KIND: Kind = Kind::$kind;
            }
        )*
    };
}

named!(
    JointMemberId => JointMember,
    JointMeetingId => JointMeeting,
    JointDecisionId => JointDecision,
    RiskPointId => RiskPoint,
    DrawId => SupervisionDraw,
    InspectionId => SupervisionInspection,
    FindingId => SupervisionFinding,
    AccountabilityCaseId => AccountabilityCase,
);

/// The row id of the record the path's `{id}` names by public id.
pub struct ById<K>(pub i64, pub PhantomData<K>);

impl<K: Named + Send + Sync> FromRequestParts<AppState> for ById<K> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let anonymous = parts
            .extensions
            .get::<Ctx>()
            .is_none_or(|c| c.actor.kind == ActorKind::Anonymous);
        if anonymous {
            return Err(AppError::Unauthenticated.into());
        }
        let Path(public) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|e| {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "bad-path",
                    "路径无效",
                    e.body_text(),
                )
            })?;
        let id = public_ids::resolve(&state.app, K::KIND, "id", &public).await?;
        Ok(ById(id, PhantomData))
    }
}
