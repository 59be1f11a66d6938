//! Home, staff login and logout, and the per-role workbench.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use proofless_app::auth::{self, LoginInput};
use proofless_app::{ActorKind, AppError, staff};
use proofless_domain::role::{Role, Staffing};

use axum_extra::extract::Form;
use serde::Deserialize;

use super::{Layout, Message, render};
use crate::AppState;
use crate::api::auth::{clear_cookie, session_cookie};
use crate::client_addr::ClientAddr;
use crate::ctx::{Credential, Ctx};

/// Turn a service error into a page: login for the anonymous, a clear refusal otherwise.
pub fn page_error(ctx: &Ctx, e: AppError, back: &str) -> Response {
    let (status, heading, text) = match e {
        AppError::Unauthenticated => return Redirect::to("/login").into_response(),
        AppError::Forbidden(m) => (StatusCode::FORBIDDEN, "无权访问", m),
        AppError::NotFound(what) => (StatusCode::NOT_FOUND, "未找到", format!("未找到{what}")),
        other => {
            let api = crate::error::ApiError::from(other);
            (api.status, "操作未完成", api.detail)
        }
    };
    let m = Message {
        layout: Layout::new(heading, ctx, ""),
        heading: heading.to_owned(),
        text,
        back: back.to_owned(),
    };
    render(status, &m)
}

/// The staff-only guard for pages.
pub fn require_staff(ctx: &Ctx) -> Result<(), AppError> {
    match ctx.actor.kind {
        ActorKind::Staff => Ok(()),
        ActorKind::Anonymous => Err(AppError::Unauthenticated),
        _ => Err(AppError::forbidden("此页面仅限工作人员访问")),
    }
}

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    layout: Layout,
}

pub async fn home(ctx: Ctx) -> Response {
    render(
        StatusCode::OK,
        &Home {
            layout: Layout::new("首页", &ctx, "/"),
        },
    )
}

#[derive(Template)]
#[template(path = "login.html")]
pub struct Login {
    pub layout: Layout,
    pub heading: &'static str,
    pub action: &'static str,
    pub login_label: &'static str,
    pub login: String,
    pub error: String,
    pub portal: bool,
    /// Offer "统一身份认证登录" (the portal, when the identity platform is configured).
    pub oidc: bool,
    /// The deep link to follow after login, already checked (`next::safe_next`).
    pub next: String,
}

/// The `?next=` of a login page.
#[derive(Deserialize, Default)]
pub struct NextQuery {
    #[serde(default)]
    pub next: String,
}

/// The deep link to follow, when it is a path of this site.
pub fn checked_next(raw: &str) -> String {
    super::next::safe_next(raw).unwrap_or_default().to_owned()
}

pub async fn login_page(
    ctx: Ctx,
    axum::extract::Query(nq): axum::extract::Query<NextQuery>,
) -> Response {
    let next = checked_next(&nq.next);
    if ctx.actor.kind == ActorKind::Staff {
        let to = if next.is_empty() { "/workbench" } else { &next };
        return Redirect::to(to).into_response();
    }
    let mut form = staff_login_form(&ctx, String::new(), String::new());
    form.next = next;
    render(StatusCode::OK, &form)
}

fn staff_login_form(ctx: &Ctx, login: String, error: String) -> Login {
    Login {
        layout: Layout::new("工作人员登录", ctx, "/login"),
        heading: "工作人员登录",
        action: "/login",
        login_label: "用户名",
        login,
        error,
        portal: false,
        oidc: false,
        next: String::new(),
    }
}

/// The login form of staff and portal alike (`csrf` is checked by the middleware).
#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    pub login: String,
    #[serde(default)]
    pub password: String,
    /// The one-time code of a protected staff account (staff form only).
    #[serde(default)]
    pub code: String,
    /// The deep link the login interrupted (checked again before it is followed).
    #[serde(default)]
    pub next: String,
}

pub async fn login_submit(
    State(s): State<AppState>,
    ctx: Ctx,
    client: ClientAddr,
    Form(f): Form<LoginForm>,
) -> Response {
    let code = f.code.trim().to_owned();
    let next = checked_next(&f.next);
    let input = LoginInput {
        username: f.login,
        password: f.password,
        code: (!code.is_empty()).then_some(code),
    };
    match auth::staff_login(&s.app, ctx.op(), client.as_str(), &input).await {
        Ok((session, _)) => {
            let to = if next.is_empty() { "/workbench" } else { &next };
            (session_cookie(&s, &session), Redirect::to(to)).into_response()
        }
        Err(e) => {
            let api = crate::error::ApiError::from(e);
            let status = if api.status == StatusCode::TOO_MANY_REQUESTS {
                api.status
            } else {
                StatusCode::UNAUTHORIZED
            };
            let mut form = staff_login_form(&ctx, input.username, api.detail);
            form.next = next;
            render(status, &form)
        }
    }
}

pub async fn logout(State(s): State<AppState>, ctx: Ctx) -> Response {
    if let Credential::Session { token, .. } = &ctx.credential
        && let Err(e) = auth::logout(&s.app, &ctx.actor, token).await
    {
        return page_error(&ctx, e, "/");
    }
    (clear_cookie(), Redirect::to("/")).into_response()
}

pub struct Card {
    pub title: &'static str,
    pub text: &'static str,
    pub href: &'static str,
}

/// The 部门核验 card leads to the new requests of the inbox.
const VERIFICATION_INBOX: &str = "/verifications?box=inbox&filter=registered";

#[derive(Template)]
#[template(path = "workbench.html")]
struct Workbench {
    layout: Layout,
    unit: String,
    roles: String,
    staffing: Option<Staffing>,
    cards: Vec<Card>,
    /// 逾期/即将到期 of the unit (or the county for the joint office).
    overdue: Vec<super::deadlines::ItemRow>,
    due_soon: Vec<super::deadlines::ItemRow>,
    unread: i64,
    /// 代办任务 of the unit, for its proxy agents (A and B): the card with its count.
    proxy_tasks: Option<i64>,
    /// The number of waiting things a card leads to, by the card's address.
    counts: Vec<(&'static str, i64)>,
}

impl Workbench {
    fn count(&self, href: &str) -> Option<i64> {
        self.counts
            .iter()
            .find(|(h, _)| *h == href)
            .map(|(_, n)| *n)
    }

    /// Amber when something waits, green when nothing does.
    fn badge(&self, href: &str) -> &'static str {
        match self.count(href) {
            Some(n) if n > 0 => "warn",
            _ => "ok",
        }
    }
}

/// What waits behind each card of the actor's workbench (issue #22 §2): new verification
/// requests, items to review, versions to approve, complaints to accept, synonym pairs.
/// A count that cannot be read is left out, never shown wrong.
async fn card_counts(s: &AppState, a: &proofless_app::Actor) -> Vec<(&'static str, i64)> {
    use proofless_app::catalogue::{lists, review, synonyms};
    use proofless_domain::catalogue::Stage;
    let mut out = vec![];
    if a.has_any(&[Role::Liaison, Role::ProxyAgent]) {
        let f = proofless_app::verification::ListFilter {
            state: Some("registered".to_owned()),
            limit: Some(1),
            ..Default::default()
        };
        if let Ok(p) = proofless_app::verification::list(
            &s.app,
            a,
            proofless_app::verification::Box_::Inbox,
            &f,
        )
        .await
        {
            out.push((VERIFICATION_INBOX, p.total));
        }
    }
    if a.has(Role::LegalReviewer)
        && let Ok(q) = review::queue(&s.app, a).await
    {
        out.push(("/catalogue/review", q.len() as i64));
    }
    if a.has(Role::LegalReviewer)
        && let Ok(t) =
            proofless_app::commitment::templates::list(&s.app, a, Some("submitted")).await
    {
        out.push(("/commitments/templates", t.len() as i64));
    }
    if a.has(Role::CountyApprover)
        && let Ok(v) = lists::versions(&s.app, a, true).await
    {
        let n = v.iter().filter(|v| v.stage == Stage::Prepared).count();
        out.push(("/catalogue/lists", n as i64));
    }
    if a.has(Role::JointOffice)
        && let Ok(p) = synonyms::list(&s.app, a).await
    {
        out.push(("/search-synonyms", p.len() as i64));
    }
    if a.has_any(&[
        Role::ComplaintHotline,
        Role::ComplaintWindow,
        Role::ComplaintJustice,
        Role::UnitAdmin,
        Role::CounterClerk,
    ]) {
        let f = proofless_app::complaints::ListFilter {
            state: Some("registered".to_owned()),
            page: Some(1),
            per_page: Some(1),
        };
        if let Ok(p) = proofless_app::complaints::view::list(&s.app, a, &f).await {
            out.push(("/complaints", p.total));
        }
    }
    out
}

/// What each role's workbench offers.
fn cards_for(roles: &[Role]) -> Vec<Card> {
    let mut cards = vec![];
    let has = |r: Role| roles.contains(&r);
    if has(Role::Liaison) || has(Role::ProxyAgent) {
        cards.push(Card {
            title: "部门核验",
            text: "本单位发出和收到的核验请求，按时限倒计时（附件2）。数字为新收到、尚未答复的请求。",
            href: VERIFICATION_INBOX,
        });
    }
    if has(Role::LegalReviewer) {
        cards.push(Card {
            title: "合法性审查",
            text: "各单位提交的证明事项，逐项审查设定依据后通过或退回。数字为待审查的事项。",
            href: "/catalogue/review",
        });
        cards.push(Card {
            title: "承诺书格式文本审查",
            text: "各单位起草的告知承诺书格式文本，审查通过后方可公布使用。数字为待审查的文本。",
            href: "/commitments/templates",
        });
    }
    if has(Role::CountyApprover) {
        cards.push(Card {
            title: "清单核准",
            text: "联席会议办公室汇总的证明事项免提交清单，经县政府核准并登记文号后发布。数字为待核准的版本。",
            href: "/catalogue/lists",
        });
    }
    if has(Role::JointOffice) {
        cards.push(Card {
            title: "搜索同义词表",
            text: "群众常用说法（户口本、开公司）对应清单中的名称，公开查询据此找到证明事项。",
            href: "/search-synonyms",
        });
    }
    if has(Role::CounterClerk) {
        cards.push(Card {
            title: "受理办件",
            text: "选择政务服务事项、核验申请人身份，按证明事项免提交清单逐项办理，不得索要清单外证明。",
            href: "/cases/new",
        });
        cards.push(Card {
            title: "开通群众账号",
            text: "核验身份证原件后发放一次性开通码，群众凭码开通或找回办事账号。",
            href: "/counter/activation",
        });
    }
    if has(Role::CounterClerk) || has(Role::ProxyAgent) || has(Role::Liaison) {
        cards.push(Card {
            title: "本单位办件",
            text: "本单位在办和办结的办件，每项证明的办理方式、代办和容缺补正。",
            href: "/cases",
        });
    }
    if has(Role::CounterClerk) {
        cards.push(Card {
            title: "本单位告知承诺",
            text: "窗口签署和撤回的告知承诺书；撤回须申请人本人到场提出。",
            href: "/commitments",
        });
    }
    if has(Role::UnitAdmin) {
        cards.push(Card {
            title: "容缺受理规则",
            text: "容缺受理的申请人逾期未补正时，本单位中止办理还是不予办理，按生效日期分版本设置。",
            href: "/cases/late-rule",
        });
    }
    if has(Role::UnitAdmin) {
        cards.push(Card {
            title: "本单位管理",
            text: "工作人员、角色，联络员和代办员的 A/B 岗。",
            href: "/admin/orgs",
        });
        cards.push(Card {
            title: "登录协助",
            text: "账号因多次登录失败受保护时，核实本人后发放一次性验证码或解除保护。",
            href: "/admin/login-help",
        });
    }
    if has(Role::JointOffice) {
        cards.push(Card {
            title: "联络员登记",
            text: "各单位联络员、代办员配备是否达标（附件2 第六条）。",
            href: "/admin/registry",
        });
    }
    if has(Role::SystemAdmin) {
        cards.push(Card {
            title: "单位与区划",
            text: "四级区划下的单位、统一社会信用代码。",
            href: "/admin/orgs",
        });
        cards.push(Card {
            title: "审计日志",
            text: "所有写操作和个人信息查阅记录，SM3 哈希链校验。",
            href: "/admin/audit",
        });
    }
    if has(Role::JointOffice) || has(Role::CreditOffice) || has(Role::SystemAdmin) {
        cards.push(Card {
            title: "试行期规则设置",
            text: "异议期、信用修复期限、信用分与等级、不适用承诺的领域等时限和标准，按生效日期分版本调整。",
            href: "/policy",
        });
    }
    if has(Role::Accountability) || has(Role::UnitAdmin) {
        cards.push(Card {
            title: "责任追究",
            text: "问责线索自动生成、移送、问责决定、复核申诉与容错免责（附件5）。",
            href: "/accountability",
        });
    }
    if has(Role::JointOffice) || has(Role::Accountability) || has(Role::UnitAdmin) {
        cards.push(Card {
            title: "监督考核",
            text: "各单位按月、按年的核验、调整、投诉、核查和问责情况，图表、考核表、服务考核数据；双随机抽查与督查检查。",
            href: "/supervision",
        });
    }
    if has(Role::Accountability) {
        cards.push(Card {
            title: "审计日志",
            text: "查阅记录和操作留痕。",
            href: "/admin/audit",
        });
    }
    // List adjustment (annex 3): unit admins file, the joint office reviews and listens.
    if has(Role::UnitAdmin) || has(Role::JointOffice) || has(Role::LegalReviewer) {
        cards.push(Card {
            title: "清单动态调整",
            text: "新增、变更、取消证明事项的申请，7个工作日内提出；联席会议办公室审核、半年公布（附件3）。",
            href: "/adjustments",
        });
    }
    if has(Role::JointOffice) {
        cards.push(Card {
            title: "群众意见与需求雷达",
            text: "群众对清单的意见建议、查不到的搜索词、同义词维护（附件3 第十二条）。",
            href: "/adjustments/voice",
        });
    }
    // Complaints (issue #20): the receivers, and every agency for complaints about itself.
    if has(Role::ComplaintHotline)
        || has(Role::ComplaintWindow)
        || has(Role::ComplaintJustice)
        || has(Role::UnitAdmin)
        || has(Role::CounterClerk)
    {
        cards.push(Card {
            title: "投诉举报",
            text: "登记、受理、办理投诉，1个工作日内决定受理，5个工作日内办结（附件4）。",
            href: "/complaints",
        });
    }
    // Data sharing (issue #18): pulls for cases, the unit's e-licences and e-proofs, the
    // outside-city inbox; the joint office reviews the list.
    if has(Role::CounterClerk)
        || has(Role::Liaison)
        || has(Role::ProxyAgent)
        || has(Role::UnitAdmin)
        || has(Role::JointOffice)
    {
        cards.push(Card {
            title: "数据调取",
            text: "经申请人授权调取共享的证照证明数据（授权码或门户确认），本单位签发的电子证照证明和异地使用证明申请。",
            href: "/sharing",
        });
    }
    // The joint meeting (annex 1), its decisions, the risk register (R10.3).
    if has(Role::JointOffice) {
        cards.push(Card {
            title: "联席会议",
            text: "组成人员、联络员备案、半年例会、议题、联络员会议、出席、纪要盖章印发（附件1）。",
            href: "/joint",
        });
        cards.push(Card {
            title: "议定事项督办",
            text: "联席会议议定事项和提请县政府研究事项的落实情况与逾期（附件1 三(五)）。",
            href: "/joint/decisions",
        });
        cards.push(Card {
            title: "培训记录",
            text: "联络员、代办员的培训日期、课程和学时（附件2 第六条）。",
            href: "/joint/training",
        });
    }
    if has(Role::UnitAdmin) || has(Role::Liaison) {
        cards.push(Card {
            title: "我的决定事项",
            text: "联席会议交本单位落实的事项，按时限报送落实情况（附件1 三(五)）。",
            href: "/joint/decisions",
        });
    }
    if has(Role::UnitAdmin) || has(Role::Liaison) || has(Role::JointOffice) {
        cards.push(Card {
            title: "风险台账",
            text: "本单位各环节风险点及防控措施，每年复核（实施方案三(四)5）。",
            href: "/risks",
        });
    }
    if cards.is_empty() {
        cards.push(Card {
            title: "暂无待办",
            text: "您的角色目前没有待处理事项。",
            href: "",
        });
    }
    cards
}

pub async fn workbench(State(s): State<AppState>, ctx: Ctx) -> Response {
    if let Err(e) = require_staff(&ctx) {
        return page_error(&ctx, e, "/");
    }
    let a = &ctx.actor;
    let staffing = match a.org_id {
        Some(org) if a.has_any(&[Role::UnitAdmin, Role::Liaison, Role::ProxyAgent]) => {
            staff::staffing(&s.app, org).await.ok()
        }
        _ => None,
    };
    let (mut overdue, mut due_soon) = (vec![], vec![]);
    if let Ok(scope) = proofless_app::deadlines::scope_for(a, None) {
        let o = proofless_app::deadlines::overdue(&s.app, a, scope, 20).await;
        let so = proofless_app::deadlines::due_soon(&s.app, scope, 24 * 3_600_000, 20).await;
        overdue = super::deadlines::item_rows(&s.app, a, o.unwrap_or_default()).await;
        due_soon = super::deadlines::item_rows(&s.app, a, so.unwrap_or_default()).await;
    }
    let unread = proofless_app::notifications::unread_count(&s.app, a)
        .await
        .unwrap_or(0);
    let proxy_tasks = proofless_app::cases::proxy_count(&s.app, a)
        .await
        .unwrap_or(None);
    let counts = card_counts(&s, a).await;
    let page = Workbench {
        layout: Layout::new("工作台", &ctx, "/workbench"),
        unit: a.org_name.clone().unwrap_or_default(),
        roles: a
            .roles
            .iter()
            .map(|r| r.label())
            .collect::<Vec<_>>()
            .join("、"),
        staffing,
        cards: cards_for(&a.roles),
        overdue,
        due_soon,
        unread,
        proxy_tasks,
        counts,
    };
    render(StatusCode::OK, &page)
}
