//! Demo data for commitments, through the same services as real data: templates written
//! by the units and approved by the justice bureau, published; check rules per item.

use proofless_store::q;

use super::rules::{self, BandInput, RuleInput};
use super::templates::{self, ReviewInput, TemplateInput};
use crate::App;
use crate::actor::Actor;
use crate::error::AppResult;

/// The demo items with a commitment method, with (publish letters?, supervising unit).
const ITEMS: &[(&str, bool, &str)] = &[
    ("经济困难证明（法律援助）", false, "县司法局"),
    ("住所（经营场所）使用证明", true, "县市场监管局"),
    (
        "户口项目变更证明（文化程度、身高、兵役状况等）",
        false,
        "县公安局",
    ),
];

fn band(min: i64, max: i64, method: Option<&str>, within: i64, permille: i64) -> BandInput {
    BandInput {
        min_score: min,
        max_score: max,
        exempt: method.is_none(),
        method: method.map(str::to_owned),
        within_wd: within,
        sample_permille: permille,
    }
}

/// The standard bands: poor credit checked in full and soon, average sampled, trustworthy
/// exempt (守信激励).
pub fn standard_bands() -> Vec<BandInput> {
    vec![
        band(0, 699, Some("on_site"), 10, 1000),
        band(700, 899, Some("data_comparison"), 20, 200),
        band(900, 1000, None, 0, 0),
    ]
}

/// The residence item touches third parties: every commitment is checked, trustworthy
/// subjects exempt.
pub fn residence_bands() -> Vec<BandInput> {
    vec![
        band(0, 699, Some("on_site"), 10, 1000),
        band(700, 899, Some("data_comparison"), 20, 1000),
        band(900, 1000, None, 0, 0),
    ]
}

/// Ids of the demo items (name → id) that exist.
pub async fn item_ids(app: &App) -> AppResult<Vec<(String, i64)>> {
    let mut out = vec![];
    for (name, _, _) in ITEMS {
        let row: Option<(i64,)> = app
            .db
            .reader()
            .fetch_optional(
                q("SELECT id FROM proof_items WHERE name = ? ORDER BY id LIMIT 1").bind(*name),
            )
            .await?;
        if let Some((id,)) = row {
            out.push(((*name).to_owned(), id));
        }
    }
    Ok(out)
}

pub async fn load(app: &App) -> AppResult<()> {
    let sys = Actor::system("demo");
    let justice_id: Option<(i64,)> = app
        .db
        .reader()
        .fetch_optional(q("SELECT id FROM staff WHERE username = 'justice'"))
        .await?;
    let justice = match justice_id {
        Some((id,)) => crate::auth::staff_actor(app, id, "demo").await?,
        None => None,
    };
    for (name, publish, supervisor) in ITEMS {
        let row: Option<(i64,)> = app
            .db
            .reader()
            .fetch_optional(
                q("SELECT id FROM proof_items WHERE name = ? ORDER BY id LIMIT 1").bind(*name),
            )
            .await?;
        let Some((item_id,)) = row else { continue };
        let t = templates::create(
            app,
            &sys,
            item_id,
            &TemplateInput {
                obligation: format!("申请人应当提供“{name}”，证明其符合办理条件。"),
                content: "本人承诺：所填报的情况真实、准确、完整，已经符合告知的条件、标准和要求。".to_owned(),
                checks: "行政机关可以通过数据比对、现场核查、书面核查等方式对承诺内容进行核查。".to_owned(),
                cooperation: "申请人应当配合核查，如实提供有关材料和情况。".to_owned(),
                liability: "承诺不实的，行政机关将终止办理、责令限期整改或者撤销已作出的决定，依法予以处罚，并将虚假承诺情况纳入信用记录，列入虚假承诺黑名单。".to_owned(),
                publish_letters: *publish,
            },
        )
        .await?;
        if let Some(j) = &justice {
            templates::review(
                app,
                j,
                t.id,
                t.version,
                &ReviewInput {
                    verdict: "approve".to_owned(),
                    remarks: "格式文本载明证明义务、证明内容及不实承诺的法律责任，符合要求。"
                        .to_owned(),
                },
            )
            .await?;
            templates::publish(app, &sys, t.id).await?;
        }
        let sup: Option<(i64,)> = app
            .db
            .reader()
            .fetch_optional(
                q("SELECT id FROM orgs WHERE name = ? ORDER BY id LIMIT 1").bind(*supervisor),
            )
            .await?;
        if let Some((sup,)) = sup {
            rules::add(
                app,
                &sys,
                item_id,
                &RuleInput {
                    supervising_org_id: sup,
                    standard: "核查承诺内容与实际情况是否一致。".to_owned(),
                    bands: if *name == "住所（经营场所）使用证明" {
                        residence_bands()
                    } else {
                        standard_bands()
                    },
                },
            )
            .await?;
        }
    }
    signings(app).await
}

async fn staff(app: &App, username: &str) -> AppResult<Option<Actor>> {
    let row: Option<(i64,)> = app
        .db
        .reader()
        .fetch_optional(q("SELECT id FROM staff WHERE username = ?").bind(username))
        .await?;
    match row {
        Some((id,)) => crate::auth::staff_actor(app, id, "demo").await,
        None => Ok(None),
    }
}

/// 刘洋 signs at the counter and keeps the promise; 王芳 signs at the counter and the market
/// regulator finds it false, so a blacklist proposal waits in its objection period and 王芳
/// is refused commitment until credit repair. (张三 and 李四 are left for the visitor.)
async fn signings(app: &App) -> AppResult<()> {
    use super::checks;
    use super::input::{ResultInput, SignInput};
    use super::sign as signing;
    let (Some(window), Some(inspector)) = (
        staff(app, "window").await?,
        staff(app, "sj_inspector").await?,
    ) else {
        return Ok(());
    };
    let item: Option<(i64,)> = app
        .db
        .reader()
        .fetch_optional(
            q("SELECT id FROM proof_items WHERE name = ? ORDER BY id LIMIT 1")
                .bind("住所（经营场所）使用证明"),
        )
        .await?;
    let Some((item,)) = item else { return Ok(()) };
    let code: Option<(String,)> = app
        .db
        .reader()
        .fetch_optional(q(
            "SELECT s.code FROM service_items s JOIN proof_item_services ps ON ps.service_item_id = s.id \
             WHERE ps.proof_item_id = ? ORDER BY s.id LIMIT 1",
        ).bind(item))
        .await?;
    let Some((code,)) = code else { return Ok(()) };
    for (name, portal, kept) in [("刘洋", false, true), ("王芳", false, false)] {
        let person: Option<(i64,)> = app
            .db
            .reader()
            .fetch_optional(
                q("SELECT id FROM persons WHERE name = ? ORDER BY id LIMIT 1").bind(name),
            )
            .await?;
        let Some((pid,)) = person else { continue };
        let case = crate::cases::create(
            app,
            &window,
            &crate::cases::NewCase {
                service_item_code: code.clone(),
                applicant_kind: "person".to_owned(),
                applicant_id: pid,
                immediate: false,
                statutory_limit: None,
            },
        )
        .await?;
        let signer = if portal {
            crate::identity::portal_actor(app, pid, "demo").await?
        } else {
            Some(window.clone())
        };
        let Some(signer) = signer else { continue };
        let c = signing::sign(
            app,
            &signer,
            &SignInput {
                case_id: case.id,
                proof_item_id: item,
                person_id: if portal { None } else { Some(pid) },
                entity_id: None,
                facts: "经营场所位于高青县田镇街道青城路88号，本人依法享有使用权。".to_owned(),
                applicant_confirmed: !portal,
                chosen_by_applicant: true,
            },
        )
        .await?;
        checks::record_result(
            app,
            &inspector,
            c.id,
            &ResultInput {
                result: if kept { "kept" } else { "false" }.to_owned(),
                evidence: if kept {
                    "现场核查：经营场所真实，与承诺一致。"
                } else {
                    "现场核查：承诺地址为空置民宅，无经营迹象。"
                }
                .to_owned(),
                consequence: if kept {
                    None
                } else {
                    Some("revoke_decision".to_owned())
                },
            },
        )
        .await?;
    }
    Ok(())
}
