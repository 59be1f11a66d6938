//! The page frame: who is logged in and the navigation their roles allow.

use askama::Template;
use proofless_app::{Actor, ActorKind};
use proofless_domain::role::Role;

use crate::ctx::Ctx;

pub struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
}

pub struct UserView {
    pub name: String,
    pub unit: String,
    pub logout_path: &'static str,
}

pub struct Layout {
    pub title: String,
    pub user: Option<UserView>,
    pub nav: Vec<NavItem>,
    pub csrf: String,
    pub operation_id: String,
    /// The page's path and query, for the large-text switch to come back to without
    /// JavaScript.
    pub path: String,
    /// 长辈版: larger text and targets, one column (`<html class="large">`).
    pub large_text: bool,
    /// `<meta name="description">`: what the page offers, for search engines and shares.
    pub description: String,
}

/// The site's one-line description; public pages have their own ([`description_for`]).
const SITE_DESCRIPTION: &str = "高青县“无证明城市”应用系统：查询免提交证明清单，办事不用再开证明；在线办事、查阅授权、投诉举报。";

/// Meta descriptions of the public pages, by path prefix (the first that matches).
const DESCRIPTIONS: &[(&str, &str)] = &[
    (
        "/proofs/items/",
        "这项证明在高青县办事时是否还需要提交：取消或替代方式（数据共享、告知承诺、部门核验等）、设定依据和涉及的办事事项。",
    ),
    (
        "/proofs/services/",
        "这项政务服务事项在高青县办理时不再需要提交的证明及其替代方式。",
    ),
    (
        "/proofs/versions",
        "高青县证明事项免提交清单的各个版本、施行日期、县政府核准文号和每版的调整理由。",
    ),
    (
        "/proofs",
        "查一查这个证明还要开吗：按名称、拼音或首字母查询高青县证明事项免提交清单。",
    ),
    (
        "/complaints/channels",
        "办事时仍被要求提供已取消的证明，可通过 12345 热线、“无证明”专窗、县司法局或网上投诉。",
    ),
    (
        "/complaints/new",
        "在线投诉举报：办事时被要求提供免提交清单上的证明，或其他违反“无证明城市”规定的情形。",
    ),
    (
        "/complaints/track",
        "凭受理编号和联系电话查询投诉的办理进度和结果。",
    ),
    (
        "/sharing/list",
        "高青县数据共享清单：哪些证明和证照通过数据共享获取，由哪个单位提供、哪些单位可以使用。",
    ),
    (
        "/transparency/",
        "高青县“无证明城市”建设的监督考核、问责与免责情况公开（不含个人信息）。",
    ),
    (
        "/accessibility",
        "高青县“无证明城市”应用系统的无障碍与适老化声明：长辈版、大字号、读屏支持和问题反馈渠道。",
    ),
    (
        "/portal/login",
        "群众和企业登录高青县“无证明城市”办事大厅：在线办事、告知承诺、数据共享授权和查阅记录。",
    ),
    ("/login", "高青县“无证明城市”应用系统工作人员登录。"),
];

/// The page's own title before the description of its kind of page (so two item pages
/// differ), except on the home page.
fn page_description(title: &str, uri: &str) -> String {
    let path = uri.split('?').next().unwrap_or_default();
    match description_for(path) {
        d if path == "/" || path.is_empty() => d.to_owned(),
        d => format!("{title}：{d}"),
    }
}

/// The meta description of the page at `path`.
pub fn description_for(path: &str) -> &'static str {
    DESCRIPTIONS
        .iter()
        .find(|(p, _)| path.starts_with(p))
        .map(|(_, d)| *d)
        .unwrap_or(SITE_DESCRIPTION)
}

/// Which pages each role may open; the same rules the services enforce.
fn nav_for(actor: &Actor) -> Vec<(&'static str, &'static str)> {
    let mut items = vec![];
    match actor.kind {
        ActorKind::Staff => {
            items.push(("/workbench", "工作台"));
            if actor.has_any(&[Role::SystemAdmin, Role::JointOffice, Role::UnitAdmin]) {
                items.push(("/admin/orgs", "单位管理"));
            }
            if actor.has_any(&[Role::SystemAdmin, Role::JointOffice]) {
                items.push(("/admin/registry", "联络员登记"));
            }
            if actor.has_any(&[Role::SystemAdmin, Role::Accountability]) {
                items.push(("/admin/audit", "审计日志"));
            }
            if actor.has_any(&[Role::UnitAdmin, Role::JointOffice, Role::SystemAdmin]) {
                items.push(("/catalogue/items", "证明事项"));
            }
            if actor.has_any(&[Role::LegalReviewer]) {
                items.push(("/catalogue/review", "合法性审查"));
            }
            if actor.has_any(&[Role::JointOffice, Role::CountyApprover]) {
                items.push(("/catalogue/lists", "免提交清单"));
            }
            if actor.has_any(&[Role::SystemAdmin, Role::JointOffice]) {
                items.push(("/admin/calendar", "工作日历"));
            }
            if actor.has_any(&[Role::Inspector]) {
                items.push(("/commitments/checks", "承诺核查"));
            }
            if actor.has_any(&[Role::CreditOffice]) {
                items.push(("/credit", "信用办"));
            }
            if actor.has_any(&[Role::JointOffice, Role::CreditOffice]) {
                items.push(("/commitments/figures", "承诺统计"));
            }
            items.push(("/overdue", super::deadlines::OVERDUE_TITLE));
            if actor.has_any(&[
                Role::Liaison,
                Role::ProxyAgent,
                Role::JointOffice,
                Role::SystemAdmin,
            ]) {
                items.push(("/verifications", "部门核验"));
            }
            items.push(("/sharing", "数据共享"));
            items.push(("/notifications", "通知"));
        }
        ActorKind::Portal => {
            items.push(("/portal", "我的办事"));
            items.push(("/portal/commitments", "我的承诺"));
            items.push(("/portal/sharing", "数据共享授权"));
            items.push(("/portal/access-log", "谁查阅了我的信息"));
        }
        _ => {}
    }
    items.push(("/proofs", "证明事项查询"));
    items
}

impl Layout {
    pub fn bare(title: &str) -> Layout {
        Layout {
            title: title.to_owned(),
            user: None,
            nav: vec![],
            csrf: String::new(),
            operation_id: String::new(),
            path: "/".to_owned(),
            large_text: false,
            description: SITE_DESCRIPTION.to_owned(),
        }
    }

    pub fn css_url(&self) -> String {
        crate::assets::CSS.url()
    }

    pub fn js_url(&self) -> String {
        crate::assets::APP_JS.url()
    }

    /// Linked by `_htmx.html`, which only pages with an htmx part include.
    pub fn htmx_url(&self) -> String {
        crate::assets::HTMX.url()
    }

    pub fn favicon_url(&self) -> String {
        crate::assets::FAVICON_SVG.url()
    }

    pub fn new(title: &str, ctx: &Ctx, path: &str) -> Layout {
        let a = &ctx.actor;
        let user = match a.kind {
            ActorKind::Staff => Some(UserView {
                name: a.name.clone(),
                unit: a.org_name.clone().unwrap_or_default(),
                logout_path: "/logout",
            }),
            ActorKind::Portal => Some(UserView {
                name: a.name.clone(),
                unit: String::new(),
                logout_path: "/portal/logout",
            }),
            _ => None,
        };
        let items = nav_for(a);
        // Only the most specific entry is the current one (`/portal/cases` is not also
        // `/portal`): the active tab is marked once (issue #22 point 3).
        let matches = |href: &str| path == href || path.starts_with(&format!("{href}/"));
        let best = items
            .iter()
            .filter(|(href, _)| matches(href))
            .map(|(href, _)| href.len())
            .max();
        let nav = items
            .into_iter()
            .map(|(href, label)| NavItem {
                href,
                label,
                current: matches(href) && Some(href.len()) == best,
            })
            .collect();
        Layout {
            title: title.to_owned(),
            user,
            nav,
            csrf: ctx.csrf().to_owned(),
            operation_id: ctx.op().to_owned(),
            path: ctx.uri.clone(),
            large_text: ctx.large_text,
            description: page_description(title, &ctx.uri),
        }
    }
}

#[derive(Template)]
#[template(path = "message.html")]
pub struct Message {
    pub layout: Layout,
    pub heading: String,
    pub text: String,
    pub back: String,
}
