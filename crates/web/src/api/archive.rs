//! Case e-archives (SPEC R6.2, issue #17 §3): the sealed zip package of a decided case, for
//! the receiving unit's staff and for the applicant (portal session).

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::IntoResponse;
use proofless_app::archive;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::{ApiResult, Problem};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(archive_zip))
}

/// The case's e-archive: a zip with `manifest.json` (GB/T 18894-2016 metadata, each file's
/// SM3 digest), `manifest.sig` (the receiving unit's SM2 seal over the manifest) and the
/// files. 409 while the case is open; the read is audited.
#[utoipa::path(get, operation_id = "get_case_archive", path = "/api/v1/cases/{id}/archive.zip", tag = "cases",
    params(("id" = i64, Path)),
    responses((status = 200, content_type = "application/zip", body = Vec<u8>), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn archive_zip(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> ApiResult<impl IntoResponse> {
    let d = archive::download(&s.app, &ctx.actor, id).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/zip".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", d.file_name),
            ),
        ],
        d.bytes,
    ))
}
