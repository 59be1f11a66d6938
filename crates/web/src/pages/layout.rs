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
        }
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
