//! 谁查阅了我的信息 as a citizen reads it (A2 §12, issue #22 point 6): newest first, one
//! row per access with the unit, the staff member's post (not their name), what was done in
//! plain words, the purpose (never blank) and the case it served. A page reloaded, or one
//! act recorded under several audit rows of the same request, is one access.

use proofless_domain::role::Role;
use proofless_store::{Exec, StoreError, q};
use serde::Serialize;

use super::entities::may_read_log;
use super::repo;
use crate::App;
use crate::actor::{Actor, ActorKind};
use crate::audit::{self, AuditRow};
use crate::error::{AppError, AppResult};

/// How many audit rows the view reads at most (the newest).
const SCAN: i64 = 1000;
/// Reads of the same thing by the same person within this time are one access.
const SAME_READ_MS: i64 = 30 * 60 * 1000;

/// One access to the subject's data, as the portal's page and `GET /api/v1/portal/access-log`
/// show it (A2 §12, issue #22 point 6).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AccessView {
    /// When it happened: milliseconds since the epoch (the newest of the merged rows).
    pub at: i64,
    /// The unit whose staff looked (县公安局…), or the system itself when no unit did.
    pub unit: String,
    /// The post of whoever looked (窗口受理人员, 联络员…), never their name; or who acted when
    /// it was not a person (对接系统, 系统自动处理).
    pub role: String,
    /// What was done, in plain words (查看核验单, 查询信用状况…), never an action code.
    pub act: String,
    /// Why, as recorded with the access; never blank (what was done when none was recorded).
    pub purpose: String,
    /// The case number it served; empty when the access served no case.
    pub case_no: String,
}

/// What an audit action means for the person it concerns, and the post usually doing it.
fn act_of(action: &str) -> (&'static str, &'static [Role]) {
    const V: &[Role] = &[Role::Liaison, Role::ProxyAgent];
    const C: &[Role] = &[Role::CounterClerk];
    const K: &[Role] = &[Role::CreditOffice];
    const P: &[Role] = &[
        Role::ComplaintWindow,
        Role::ComplaintHotline,
        Role::ComplaintJustice,
    ];
    match action {
        "verification.read" => ("查看核验单", V),
        "verification.send" => ("向开具单位发起核验", V),
        "verification.answer" => ("反馈核验结果", V),
        "verification.return" => ("退回核验请求", V),
        "verification.reclassify" => ("改判核验时限", V),
        "verification.offline" => ("登记线下核验结果", V),
        "verification.ledger" => ("记入核验台账", V),
        "case.read" => ("查看办件", C),
        "case.create" => ("受理办件", C),
        "case.scan.read" => (
            "查看代办取得的证明材料",
            &[Role::ProxyAgent, Role::CounterClerk],
        ),
        "case.archive.read" => ("查阅办件电子档案", C),
        "person.read" => ("查看身份信息", C),
        "person.create" => ("登记身份信息", C),
        "entity.create" => ("登记企业信息", C),
        "entity.add_representative" => ("登记企业经办人", C),
        "credit.read" => ("查询信用状况", K),
        "credit.record" => ("记录信用信息", K),
        "credit.repair.decide" => ("决定信用修复申请", K),
        "blacklist.propose" => ("提出列入黑名单", K),
        "blacklist.decide" => ("决定是否列入黑名单", K),
        "commitment.read" => ("查看告知承诺书", C),
        "commitment.sign" => ("签署告知承诺书", C),
        "commitment.eligibility" => ("查询能否适用告知承诺", C),
        "commitment.withdraw" => ("登记撤回告知承诺", C),
        "commitment.check" => ("核查承诺内容", &[Role::Inspector]),
        "complaint.read" => ("查看投诉", P),
        "sharing.pull" => ("经您同意调取共享数据", C),
        "sharing.pull.retry" => ("重新调取共享数据", C),
        "sharing.eproof.read" => ("查看电子证明", C),
        "sharing.eproof.issue" => ("签发电子证明", &[Role::UnitAdmin]),
        "sharing.eproof.revoke" => ("撤销电子证明", &[Role::UnitAdmin]),
        "sharing.eproof.replace" => ("更换电子证明", &[Role::UnitAdmin]),
        "sharing.outside.issue" => ("出具证明", &[Role::UnitAdmin]),
        "sharing.outside.refuse" => ("答复不能出具证明", &[Role::UnitAdmin]),
        "portal.activation_code.issue" => ("发放群众账号开通码", C),
        "accountability.read" => ("查看问责材料", &[Role::Accountability]),
        a if a.starts_with("verification.") => ("办理核验", V),
        a if a.starts_with("case.") => ("办理办件", C),
        a if a.starts_with("credit.") || a.starts_with("blacklist.") => ("办理信用事项", K),
        a if a.starts_with("complaint.") => ("办理投诉", P),
        _ => ("查阅您的信息", &[]),
    }
}

async fn staff_roles(db: &mut impl Exec, staff: i64) -> Result<Vec<Role>, StoreError> {
    let rows: Vec<(String,)> = db
        .fetch_all(q("SELECT role FROM staff_roles WHERE staff_id = ? ORDER BY role").bind(staff))
        .await?;
    Ok(rows.iter().filter_map(|r| Role::parse(&r.0)).collect())
}

/// The case an audited object belongs to, by its number.
async fn case_of(db: &mut impl Exec, r: &AuditRow) -> Result<String, StoreError> {
    let Ok(id) = r.object_id.parse::<i64>() else {
        return Ok(String::new());
    };
    let sql = match r.object_type.as_str() {
        "case" => "SELECT case_no FROM cases WHERE id = ?",
        "verification" => {
            "SELECT COALESCE((SELECT c.case_no FROM cases c WHERE c.id = v.case_id), v.case_ref) \
             FROM verifications v WHERE v.id = ?"
        }
        "commitment" => {
            "SELECT c.case_no FROM commitments m JOIN cases c ON c.id = m.case_id WHERE m.id = ?"
        }
        _ => return Ok(String::new()),
    };
    let row: Option<(Option<String>,)> = db.fetch_optional(q(sql).bind(id)).await?;
    Ok(row.and_then(|r| r.0).unwrap_or_default())
}

/// The accesses to `subject_ref` by others, newest first, one row per access.
pub async fn access_view(
    app: &App,
    actor: &Actor,
    subject_ref: &str,
) -> AppResult<Vec<AccessView>> {
    let (ActorKind::Portal, Some(me)) = (actor.kind, actor.id) else {
        return Err(AppError::forbidden("此功能仅限申请人本人使用"));
    };
    if !may_read_log(app, me, subject_ref).await? {
        return Err(AppError::forbidden(
            "只能查看本人或本人所代表法人的数据查阅记录",
        ));
    }
    let (rows, _) = audit::about_subject_by_others(&app.db, subject_ref, me, SCAN, 0).await?;
    let mut db = app.db.reader();
    let mut out: Vec<AccessView> = Vec::new();
    // (operation, who, action, object, at) of the rows kept, to merge repeats into them.
    let mut seen: Vec<(String, String, String, String, i64)> = Vec::new();
    for r in rows {
        let who = format!(
            "{}:{}",
            r.actor_kind.as_str(),
            r.actor_id.unwrap_or_default()
        );
        let object = format!("{}:{}", r.object_type, r.object_id);
        // Rows come newest first: another row of a shown request about the same thing by
        // the same person, or the same act on the same thing by the same person shortly
        // before a shown one (a page reloaded), adds nothing.
        let repeat = seen.iter().any(|(op, w, a, o, at)| {
            *w == who
                && *o == object
                && ((!r.operation_id.is_empty() && *op == r.operation_id)
                    || (*a == r.action && at - r.at <= SAME_READ_MS))
        });
        if repeat {
            continue;
        }
        seen.push((r.operation_id.clone(), who, r.action.clone(), object, r.at));
        let (act, posts) = act_of(&r.action);
        let unit = match r.org_id {
            Some(o) => repo::org_name(&mut db, o).await?.unwrap_or_default(),
            None => String::new(),
        };
        let role = match (r.actor_kind, r.actor_id) {
            (ActorKind::Staff, Some(id)) => {
                let roles = staff_roles(&mut db, id).await?;
                roles
                    .iter()
                    .find(|x| posts.contains(x))
                    .or(roles.first())
                    .map(|x| x.label().to_owned())
                    .unwrap_or_else(|| "工作人员".to_owned())
            }
            (ActorKind::Staff, None) => "工作人员".to_owned(),
            (ActorKind::Token, _) => "对接系统".to_owned(),
            (ActorKind::System, _) => "系统自动处理".to_owned(),
            (ActorKind::Portal, _) => "企业经办人".to_owned(),
            (ActorKind::Anonymous, _) => "未登录的访问者".to_owned(),
        };
        let purpose = if r.purpose.trim().is_empty() {
            act.to_owned()
        } else {
            r.purpose.trim().to_owned()
        };
        out.push(AccessView {
            at: r.at,
            unit: if unit.is_empty() {
                "高青县“无证明城市”应用系统".to_owned()
            } else {
                unit
            },
            role,
            act: act.to_owned(),
            purpose,
            case_no: case_of(&mut db, &r).await?,
        });
    }
    // Newest first by when it happened (the log's order is when it was written; back-dated
    // records, e.g. an offline verification entered later, would otherwise sit too high).
    out.sort_by(|a, b| b.at.cmp(&a.at));
    Ok(out)
}

/// One page of [`access_view`]: `limit` rows from `offset`, and how many rows there are in
/// all (of the accesses the view reads, the newest [`SCAN`] audit rows).
pub async fn access_page(
    app: &App,
    actor: &Actor,
    subject_ref: &str,
    limit: i64,
    offset: i64,
) -> AppResult<(Vec<AccessView>, i64)> {
    let all = access_view(app, actor, subject_ref).await?;
    let total = all.len() as i64;
    let rows = all
        .into_iter()
        .skip(usize::try_from(offset.max(0)).unwrap_or(0))
        .take(usize::try_from(limit.clamp(1, 200)).unwrap_or(1))
        .collect();
    Ok((rows, total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_act_has_plain_words() {
        // A2 §12: the citizen reads what was done, never an action code.
        for a in ["verification.read", "case.read", "credit.read", "x.y"] {
            let (words, _) = act_of(a);
            assert!(!words.is_empty());
            assert!(!words.contains('.'), "{a} → {words}");
        }
        assert_eq!(act_of("verification.frobnicate").0, "办理核验");
    }
}
