//! The joint meeting (A1; SPEC R10.1, issue #21 §3): registry and liaisons, meetings from
//! agenda to sealed minutes, decisions tracked until carried out; the risk register (R10.3)
//! and training records of liaisons and proxy agents (A2 §6).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use proofless_app::joint::{
    self, AgendaInput, AgendaVerdict, AttendanceInput, DecisionDetail, Liaison, LiaisonInput,
    LiaisonMeetingInput, Meeting, MeetingDetail, MeetingInput, Member, MemberInput, MinutesInput,
    ProgressInput, Registry, Tracked,
};
use proofless_app::page::{Page, PageRequest};
use proofless_app::public_ids::{self, Kind};
use proofless_app::risks::{self, ReviewInput, RiskInput, RiskPoint, UnitRegister};
use proofless_app::staff::{self, TrainingInput, TrainingRecord};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::{ApiJson, ApiQuery, ApiResult, Problem};
use crate::public_id::{ById, JointDecisionId, JointMeetingId, JointMemberId, RiskPointId};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_registry))
        .routes(routes!(add_member))
        .routes(routes!(retire_member))
        .routes(routes!(file_liaison))
        .routes(routes!(liaison_history))
        .routes(routes!(list_meetings, create_meeting))
        .routes(routes!(get_meeting))
        .routes(routes!(propose_agenda))
        .routes(routes!(decide_agenda))
        .routes(routes!(liaison_meeting))
        .routes(routes!(record_attendance))
        .routes(routes!(write_minutes))
        .routes(routes!(seal_minutes))
        .routes(routes!(minutes_pdf))
        .routes(routes!(list_decisions))
        .routes(routes!(get_decision))
        .routes(routes!(report_progress))
        .routes(routes!(list_training, record_training))
        .routes(routes!(list_risks, add_risk))
        .routes(routes!(update_risk, retire_risk))
        .routes(routes!(review_risks))
}

/// The registry, the current liaisons and the half-yearly rhythm (A1 二, 三(一)(三)).
#[utoipa::path(get, operation_id = "get_joint_registry", path = "/api/v1/joint/registry", tag = "joint",
    responses((status = 200, body = Registry), (status = 401, body = Problem), (status = 403, body = Problem)))]
async fn get_registry(State(s): State<AppState>, ctx: Ctx) -> ApiResult<Json<Registry>> {
    Ok(Json(joint::registry(&s.app, &ctx.actor).await?))
}

/// The office registers a seat (A1 二).
#[utoipa::path(post, operation_id = "add_joint_member", path = "/api/v1/joint/members", tag = "joint",
    request_body = MemberInput,
    responses((status = 201, body = Member), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn add_member(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiJson(input): ApiJson<MemberInput>,
) -> ApiResult<(StatusCode, Json<Member>)> {
    let m = joint::add_member(&s.app, &ctx.actor, &input).await?;
    Ok((StatusCode::CREATED, Json(m)))
}

/// The office retires a seat.
#[utoipa::path(delete, operation_id = "retire_joint_member", path = "/api/v1/joint/members/{id}", tag = "joint",
    params(("id" = String, Path, description = "公开编号")),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 401, body = Problem), (status = 422, body = Problem)))]
async fn retire_member(
    State(s): State<AppState>,
    ctx: Ctx,
    ById(id, _): ById<JointMemberId>,
) -> ApiResult<StatusCode> {
    joint::retire_member(&s.app, &ctx.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A member unit files its liaison or a change of liaison (A1 三(三)).
#[utoipa::path(post, operation_id = "file_joint_liaison", path = "/api/v1/joint/liaisons", tag = "joint",
    request_body = LiaisonInput,
    responses((status = 201, body = Liaison), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn file_liaison(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiJson(input): ApiJson<LiaisonInput>,
) -> ApiResult<(StatusCode, Json<Liaison>)> {
    let l = joint::file_liaison(&s.app, &ctx.actor, &input).await?;
    Ok((StatusCode::CREATED, Json(l)))
}

/// Every liaison a unit filed, newest first.
#[utoipa::path(get, operation_id = "joint_liaison_history", path = "/api/v1/joint/liaisons/{org_id}", tag = "joint",
    params(("org_id" = i64, Path)),
    responses((status = 200, body = Vec<Liaison>), (status = 401, body = Problem)))]
async fn liaison_history(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(org_id): Path<i64>,
) -> ApiResult<Json<Vec<Liaison>>> {
    Ok(Json(
        joint::liaison_history(&s.app, &ctx.actor, org_id).await?,
    ))
}

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct PageQuery {
    /// At most this many (default 50, at most 500).
    limit: Option<i64>,
    offset: Option<i64>,
}

impl PageQuery {
    fn page(&self) -> PageRequest {
        PageRequest {
            limit: self.limit,
            offset: self.offset,
        }
    }
}

/// Meetings, newest first, a page at a time.
#[utoipa::path(get, operation_id = "list_joint_meetings", path = "/api/v1/joint/meetings", tag = "joint",
    params(PageQuery),
    responses((status = 200, body = Page<Meeting>), (status = 401, body = Problem), (status = 422, body = Problem)))]
async fn list_meetings(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<Page<Meeting>>> {
    Ok(Json(joint::list(&s.app, &ctx.actor, q.page()).await?))
}

/// A convener (the office) calls a meeting (A1 三(一)).
#[utoipa::path(post, operation_id = "create_joint_meeting", path = "/api/v1/joint/meetings", tag = "joint",
    request_body = MeetingInput,
    responses((status = 201, body = MeetingDetail), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn create_meeting(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiJson(input): ApiJson<MeetingInput>,
) -> ApiResult<(StatusCode, Json<MeetingDetail>)> {
    let id = joint::create(&s.app, &ctx.actor, &input).await?;
    let d = joint::get(&s.app, &ctx.actor, id).await?;
    Ok((StatusCode::CREATED, Json(d)))
}

/// A meeting with its agenda, attendance, decisions and the caller's actions.
#[utoipa::path(get, operation_id = "get_joint_meeting", path = "/api/v1/joint/meetings/{id}", tag = "joint",
    params(("id" = String, Path, description = "公开编号")),
    responses((status = 200, body = MeetingDetail), (status = 401, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn get_meeting(
    State(s): State<AppState>,
    ctx: Ctx,
    ById(id, _): ById<JointMeetingId>,
) -> ApiResult<Json<MeetingDetail>> {
    Ok(Json(joint::get(&s.app, &ctx.actor, id).await?))
}

/// An agenda item from a convener (accepted) or a member unit (awaits consent) (A1 三(二)).
#[utoipa::path(post, operation_id = "propose_joint_agenda_item", path = "/api/v1/joint/meetings/{id}/agenda", tag = "joint",
    params(("id" = String, Path, description = "公开编号")), request_body = AgendaInput,
    responses((status = 200, body = MeetingDetail), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem), (status = 401, body = Problem)))]
async fn propose_agenda(
    State(s): State<AppState>,
    ctx: Ctx,
    ById(id, _): ById<JointMeetingId>,
    ApiJson(input): ApiJson<AgendaInput>,
) -> ApiResult<Json<MeetingDetail>> {
    Ok(Json(
        joint::propose_agenda(&s.app, &ctx.actor, id, &input).await?,
    ))
}

/// A convener accepts or declines a member unit's item.
#[utoipa::path(post, operation_id = "decide_joint_agenda_item", path = "/api/v1/joint/meetings/{id}/agenda/{item}/decision", tag = "joint",
    params(("id" = String, Path, description = "会议公开编号"), ("item" = String, Path, description = "议题公开编号")), request_body = AgendaVerdict,
    responses((status = 200, body = MeetingDetail), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem), (status = 401, body = Problem)))]
async fn decide_agenda(
    State(s): State<AppState>,
    ctx: Ctx,
    Path((id, item)): Path<(String, String)>,
    ApiJson(input): ApiJson<AgendaVerdict>,
) -> ApiResult<Json<MeetingDetail>> {
    let id = public_ids::resolve(&s.app, Kind::JointMeeting, "id", &id).await?;
    let item = public_ids::resolve(&s.app, Kind::JointAgendaItem, "item", &item).await?;
    Ok(Json(
        joint::decide_agenda(&s.app, &ctx.actor, id, item, &input).await?,
    ))
}

/// The liaison meeting before the meeting (A1 三(四)).
#[utoipa::path(post, operation_id = "record_joint_liaison_meeting", path = "/api/v1/joint/meetings/{id}/liaison-meeting", tag = "joint",
    params(("id" = String, Path, description = "公开编号")), request_body = LiaisonMeetingInput,
    responses((status = 200, body = MeetingDetail), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem), (status = 401, body = Problem)))]
async fn liaison_meeting(
    State(s): State<AppState>,
    ctx: Ctx,
    ById(id, _): ById<JointMeetingId>,
    ApiJson(input): ApiJson<LiaisonMeetingInput>,
) -> ApiResult<Json<MeetingDetail>> {
    Ok(Json(
        joint::liaison_meeting(&s.app, &ctx.actor, id, &input).await?,
    ))
}

/// Attendance of every member unit; absences with reasons (A1 三(一)).
#[utoipa::path(put, operation_id = "record_joint_attendance", path = "/api/v1/joint/meetings/{id}/attendance", tag = "joint",
    params(("id" = String, Path, description = "公开编号")), request_body = AttendanceInput,
    responses((status = 200, body = MeetingDetail), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem), (status = 401, body = Problem)))]
async fn record_attendance(
    State(s): State<AppState>,
    ctx: Ctx,
    ById(id, _): ById<JointMeetingId>,
    ApiJson(input): ApiJson<AttendanceInput>,
) -> ApiResult<Json<MeetingDetail>> {
    Ok(Json(
        joint::record_attendance(&s.app, &ctx.actor, id, &input).await?,
    ))
}

/// The minutes with decisions and referrals (A1 三(四)(五)); refused once sealed.
#[utoipa::path(put, operation_id = "write_joint_minutes", path = "/api/v1/joint/meetings/{id}/minutes", tag = "joint",
    params(("id" = String, Path, description = "公开编号")), request_body = MinutesInput,
    responses((status = 200, body = MeetingDetail), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem), (status = 401, body = Problem)))]
async fn write_minutes(
    State(s): State<AppState>,
    ctx: Ctx,
    ById(id, _): ById<JointMeetingId>,
    ApiJson(input): ApiJson<MinutesInput>,
) -> ApiResult<Json<MeetingDetail>> {
    Ok(Json(
        joint::write_minutes(&s.app, &ctx.actor, id, &input).await?,
    ))
}

/// The office seals and issues the minutes; decisions' deadlines start (A1 三(五)).
#[utoipa::path(post, operation_id = "seal_joint_minutes", path = "/api/v1/joint/meetings/{id}/seal", tag = "joint",
    params(("id" = String, Path, description = "公开编号")),
    responses((status = 200, body = MeetingDetail), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 401, body = Problem), (status = 422, body = Problem)))]
async fn seal_minutes(
    State(s): State<AppState>,
    ctx: Ctx,
    ById(id, _): ById<JointMeetingId>,
) -> ApiResult<Json<MeetingDetail>> {
    Ok(Json(joint::seal(&s.app, &ctx.actor, id).await?))
}

/// The sealed minutes as PDF.
#[utoipa::path(get, operation_id = "joint_minutes_pdf", path = "/api/v1/joint/meetings/{id}/minutes.pdf", tag = "joint",
    params(("id" = String, Path, description = "公开编号")),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>), (status = 401, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn minutes_pdf(
    State(s): State<AppState>,
    ctx: Ctx,
    ById(id, _): ById<JointMeetingId>,
    Path(public): Path<String>,
) -> ApiResult<impl IntoResponse> {
    let pdf = joint::minutes_pdf(&s.app, &ctx.actor, id).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"joint-minutes-{public}.pdf\""),
            ),
        ],
        pdf,
    ))
}

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct DecisionQuery {
    /// `true`: only the caller's unit's decisions (我的决定事项), also for the office.
    mine: Option<bool>,
    /// At most this many (default 50, at most 500).
    limit: Option<i64>,
    offset: Option<i64>,
}

/// Decisions of issued minutes: all (the office) or the caller's unit's.
#[utoipa::path(get, operation_id = "list_joint_decisions", path = "/api/v1/joint/decisions", tag = "joint",
    params(DecisionQuery),
    responses((status = 200, body = Page<Tracked>), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn list_decisions(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiQuery(q): ApiQuery<DecisionQuery>,
) -> ApiResult<Json<Page<Tracked>>> {
    let page = PageRequest {
        limit: q.limit,
        offset: q.offset,
    };
    Ok(Json(
        joint::decisions(&s.app, &ctx.actor, q.mine.unwrap_or(false), page).await?,
    ))
}

/// One decision with its progress reports.
#[utoipa::path(get, operation_id = "get_joint_decision", path = "/api/v1/joint/decisions/{id}", tag = "joint",
    params(("id" = String, Path, description = "公开编号")),
    responses((status = 200, body = DecisionDetail), (status = 401, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn get_decision(
    State(s): State<AppState>,
    ctx: Ctx,
    ById(id, _): ById<JointDecisionId>,
) -> ApiResult<Json<DecisionDetail>> {
    Ok(Json(joint::get_decision(&s.app, &ctx.actor, id).await?))
}

/// The owner unit reports progress; `done` closes the decision (A1 三(五)).
#[utoipa::path(post, operation_id = "report_joint_decision_progress", path = "/api/v1/joint/decisions/{id}/progress", tag = "joint",
    params(("id" = String, Path, description = "公开编号")), request_body = ProgressInput,
    responses((status = 200, body = DecisionDetail), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem), (status = 401, body = Problem)))]
async fn report_progress(
    State(s): State<AppState>,
    ctx: Ctx,
    ById(id, _): ById<JointDecisionId>,
    ApiJson(input): ApiJson<ProgressInput>,
) -> ApiResult<Json<DecisionDetail>> {
    Ok(Json(joint::report(&s.app, &ctx.actor, id, &input).await?))
}

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct OrgQuery {
    /// One unit only.
    org_id: Option<i64>,
}

/// Training records of liaisons and proxy agents (A2 §6): all (the office) or the caller's unit's.
#[utoipa::path(get, operation_id = "list_staff_training", path = "/api/v1/joint/training", tag = "joint",
    params(OrgQuery),
    responses((status = 200, body = Vec<TrainingRecord>), (status = 401, body = Problem), (status = 403, body = Problem)))]
async fn list_training(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiQuery(q): ApiQuery<OrgQuery>,
) -> ApiResult<Json<Vec<TrainingRecord>>> {
    Ok(Json(staff::training(&s.app, &ctx.actor, q.org_id).await?))
}

/// The office records a course attended (A2 §6).
#[utoipa::path(post, operation_id = "record_staff_training", path = "/api/v1/joint/training", tag = "joint",
    request_body = TrainingInput,
    responses((status = 201, body = TrainingRecord), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn record_training(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiJson(input): ApiJson<TrainingInput>,
) -> ApiResult<(StatusCode, Json<TrainingRecord>)> {
    let r = staff::record_training(&s.app, &ctx.actor, &input).await?;
    Ok((StatusCode::CREATED, Json(r)))
}

/// Risk registers (R10.3): every unit's (the joint office) or the caller's unit's.
#[utoipa::path(get, operation_id = "list_risk_registers", path = "/api/v1/risks", tag = "joint",
    params(OrgQuery),
    responses((status = 200, body = Vec<UnitRegister>), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn list_risks(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiQuery(q): ApiQuery<OrgQuery>,
) -> ApiResult<Json<Vec<UnitRegister>>> {
    Ok(Json(risks::registers(&s.app, &ctx.actor, q.org_id).await?))
}

/// The caller's unit lists a risk point and its controls.
#[utoipa::path(post, operation_id = "add_risk_point", path = "/api/v1/risks", tag = "joint",
    request_body = RiskInput,
    responses((status = 201, body = RiskPoint), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn add_risk(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiJson(input): ApiJson<RiskInput>,
) -> ApiResult<(StatusCode, Json<RiskPoint>)> {
    let r = risks::add(&s.app, &ctx.actor, &input).await?;
    Ok((StatusCode::CREATED, Json(r)))
}

/// The unit changes a risk point or its controls.
#[utoipa::path(put, operation_id = "update_risk_point", path = "/api/v1/risks/{id}", tag = "joint",
    params(("id" = String, Path, description = "公开编号")), request_body = RiskInput,
    responses((status = 200, body = RiskPoint), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem), (status = 401, body = Problem)))]
async fn update_risk(
    State(s): State<AppState>,
    ctx: Ctx,
    ById(id, _): ById<RiskPointId>,
    ApiJson(input): ApiJson<RiskInput>,
) -> ApiResult<Json<RiskPoint>> {
    Ok(Json(risks::update(&s.app, &ctx.actor, id, &input).await?))
}

/// The unit removes a risk point that no longer applies.
#[utoipa::path(delete, operation_id = "retire_risk_point", path = "/api/v1/risks/{id}", tag = "joint",
    params(("id" = String, Path, description = "公开编号")),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 401, body = Problem), (status = 422, body = Problem)))]
async fn retire_risk(
    State(s): State<AppState>,
    ctx: Ctx,
    ById(id, _): ById<RiskPointId>,
) -> ApiResult<StatusCode> {
    risks::retire(&s.app, &ctx.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The unit's yearly review of its register (R10.3).
#[utoipa::path(post, operation_id = "review_risk_register", path = "/api/v1/risks/review", tag = "joint",
    request_body = ReviewInput,
    responses((status = 200, body = UnitRegister), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn review_risks(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiJson(input): ApiJson<ReviewInput>,
) -> ApiResult<Json<UnitRegister>> {
    Ok(Json(risks::review(&s.app, &ctx.actor, &input).await?))
}
