//! The demo county's deadlines (moving to `crates/fixtures`).

use proofless_store::q;

use super::{OpenInput, open};
use crate::App;
use crate::actor::Actor;
use crate::error::AppResult;

/// Demo deadlines (called once from `demo::load`): a paper-archive verification (1 working
/// day), a complaint (5 working days, extendable by 5) and an adjustment application
/// (7 working days), all started now.
pub async fn load_demo(app: &App, sys: &Actor) -> AppResult<()> {
    crate::calendar::reload(app).await?;
    let orgs = app
        .db
        .reader()
        .fetch_all::<(i64, String)>(q(
            "SELECT id, name FROM orgs WHERE name IN ('县市场监管局', '县公安局') ORDER BY name",
        ))
        .await?;
    let find = |name: &str| orgs.iter().find(|(_, n)| n == name).map(|(id, _)| *id);
    let items = [
        (
            "县公安局",
            "verification",
            "HY-2026-0001",
            "verification.paper_archive",
        ),
        (
            "县市场监管局",
            "complaint",
            "TS-2026-0001",
            "complaint.handling",
        ),
        (
            "县市场监管局",
            "adjustment",
            "TZ-2026-0001",
            "adjustment.application",
        ),
    ];
    for (org, subject_type, subject_id, rule) in items {
        let Some(org_id) = find(org) else { continue };
        open(
            app,
            sys,
            &OpenInput {
                subject_type: subject_type.to_owned(),
                subject_id: subject_id.to_owned(),
                org_id,
                rule_key: rule.to_owned(),
                start: None,
                statutory_limit: None,
            },
        )
        .await?;
    }
    Ok(())
}
