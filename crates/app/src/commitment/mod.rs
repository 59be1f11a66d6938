//! Notification-commitment (告知承诺), SPEC R4 and issue #6: templates reviewed by the
//! justice bureau and published (R4.1), signing at the portal or the counter with the
//! receiving unit's seal (R4.2), eligibility by credit (R4.4), post-check plans from per-item
//! rules (R4.3, R4.5) as deadlines of the supervising department, results feeding credit
//! records (R4.8), withdrawal (R4.6), publication (R4.7) and figures.

pub mod checks;
pub mod letter_pdf;
pub mod public;
pub mod rules;
pub mod signing;
pub mod templates;

use proofless_domain::catalogue::{ItemFacts, commitment_refusal};
use proofless_store::{Tx, q};
use serde::{Deserialize, Serialize};

use crate::App;
use crate::actor::{Actor, ActorKind};
use crate::error::{AppError, AppResult};

/// The deadline rule of post-checks. The plan's own time limit (N working days) goes in as
/// the deadline's statutory limit, which the engine honours when it is the earlier one.
pub const CHECK_RULE_KEY: &str = "commitment.post_check";
/// Upper bound of any post-check: the rule's period.
pub const CHECK_RULE_PERIOD: &str = "120wd";

/// A commitment as its applicant, the units and the credit office see it.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct Commitment {
    pub id: i64,
    pub case_id: i64,
    pub proof_item_id: i64,
    pub proof_item_name: String,
    pub template_id: i64,
    pub rule_id: i64,
    pub rule_number: i64,
    pub subject_ref: String,
    pub signer_name: String,
    pub org_id: i64,
    pub org_name: String,
    pub supervising_org_id: i64,
    pub supervising_org_name: String,
    /// `portal` or `counter`.
    pub channel: String,
    pub state: String,
    pub plan_kind: String,
    pub plan_band: i64,
    pub method: Option<String>,
    pub within_wd: i64,
    pub sample_permille: i64,
    pub credit_score: i64,
    pub sample_state: String,
    pub deadline_id: Option<i64>,
    pub sealed_id: String,
    pub publish: bool,
    pub signed_at: i64,
    pub withdrawn_at: Option<i64>,
    pub withdraw_reason: Option<String>,
    pub result: Option<String>,
    pub evidence: Option<String>,
    pub consequence: Option<String>,
    pub checked_by: Option<String>,
    pub checked_at: Option<i64>,
    pub version: i64,
    /// The sealed letter's canonical JSON.
    pub letter: String,
}

pub(crate) const SELECT: &str = "SELECT c.id, c.case_id, c.proof_item_id, p.name AS proof_item_name, c.template_id, \
    c.rule_id, r.number AS rule_number, c.subject_ref, ps.name AS signer_name, c.org_id, o.name AS org_name, \
    c.supervising_org_id, so.name AS supervising_org_name, c.channel, c.state, c.plan_kind, c.plan_band, c.method, \
    c.within_wd, c.sample_permille, c.credit_score, c.sample_state, c.deadline_id, c.sealed_id, c.publish, \
    c.signed_at, c.withdrawn_at, c.withdraw_reason, c.result, c.evidence, c.consequence, c.checked_by, c.checked_at, \
    c.version, c.letter \
    FROM commitments c JOIN proof_items p ON p.id = c.proof_item_id JOIN commitment_rules r ON r.id = c.rule_id \
    JOIN persons ps ON ps.id = c.person_id JOIN orgs o ON o.id = c.org_id JOIN orgs so ON so.id = c.supervising_org_id";

pub(crate) async fn load(tx: &mut Tx, id: i64) -> AppResult<Commitment> {
    tx.fetch_optional(q(format!("{SELECT} WHERE c.id = ?")).bind(id))
        .await?
        .ok_or_else(|| AppError::NotFound("告知承诺".to_owned()))
}

/// Whether the actor may see the commitment: the signer (or a representative of the
/// entity), staff of the receiving or supervising unit, county-wide roles.
pub(crate) async fn may_see(tx: &mut Tx, actor: &Actor, c: &Commitment) -> AppResult<bool> {
    if actor.kind == ActorKind::Portal {
        return crate::credit::portal_owns(tx, actor, &c.subject_ref).await;
    }
    if actor.is_staff_like() {
        return Ok(actor.can_see_org(c.org_id) || actor.org_id == Some(c.supervising_org_id));
    }
    Ok(false)
}

/// A commitment (audited read: the letter carries personal data).
pub async fn get(app: &App, actor: &Actor, id: i64) -> AppResult<Commitment> {
    let mut tx = app.db.begin().await?;
    let c = load(&mut tx, id).await?;
    if !may_see(&mut tx, actor, &c).await? {
        return Err(if actor.kind == ActorKind::Anonymous {
            AppError::Unauthenticated
        } else {
            AppError::forbidden("无权查看该告知承诺")
        });
    }
    crate::audit::append(
        &mut tx,
        actor,
        app.now_ms(),
        crate::audit::Entry::new("commitment.read", "commitment", id)
            .subject(&c.subject_ref)
            .purpose("查看告知承诺书"),
    )
    .await?;
    tx.commit().await?;
    Ok(c)
}

/// What the commitment rules read about a proof item.
#[derive(Debug, Clone)]
pub(crate) struct ItemInfo {
    pub id: i64,
    pub name: String,
    pub owner_org_id: i64,
    pub has_commitment: bool,
    /// Why commitment is not allowed for the item, if it is not (R4.1).
    pub refusal: Option<String>,
}

pub(crate) async fn item_info(tx: &mut Tx, item_id: i64) -> AppResult<Option<ItemInfo>> {
    let row: Option<(i64, String, i64, bool, String)> = tx
        .fetch_optional(
            q("SELECT id, name, owner_org_id, correctable_afterwards, risk_domains FROM proof_items WHERE id = ?")
                .bind(item_id),
        )
        .await?;
    let Some((id, name, owner_org_id, correctable, risk)) = row else {
        return Ok(None);
    };
    let (n,): (i64,) = tx
        .fetch_one(
            q("SELECT COUNT(*) FROM replacements WHERE proof_item_id = ? AND method = 'commitment'")
                .bind(item_id),
        )
        .await?;
    let facts = ItemFacts {
        correctable_afterwards: correctable,
        risk_domains: risk
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        ..ItemFacts::default()
    };
    Ok(Some(ItemInfo {
        id,
        name,
        owner_org_id,
        has_commitment: n > 0,
        refusal: commitment_refusal(&facts),
    }))
}

/// The item, refusing one without a commitment method (or not allowed to have one).
pub(crate) async fn commitment_item(tx: &mut Tx, item_id: i64, field: &str) -> AppResult<ItemInfo> {
    let item = item_info(tx, item_id)
        .await?
        .ok_or_else(|| AppError::field(field, format!("证明事项 {item_id} 不存在")))?;
    if !item.has_commitment {
        return Err(AppError::field(
            field,
            format!(
                "证明事项“{}”的替代方式中没有告知承诺，不能签署承诺书",
                item.name
            ),
        ));
    }
    if let Some(why) = &item.refusal {
        return Err(AppError::field(field, why.clone()));
    }
    Ok(item)
}

/// Seeds the post-check deadline rule (idempotent), as the deadline engine seeds its own.
pub(crate) async fn seed_check_rule(tx: &mut Tx, now: i64) -> AppResult<()> {
    tx.execute(
        q("INSERT INTO deadline_rules (rule_key, version, period, max_extension, effective_from, note, created_by, created_at) \
           VALUES (?, 1, ?, NULL, '2021-01-01', '告知承诺事后核查（核查时限按核查规则另计）', '系统（内置规则）', ?) \
           ON CONFLICT (rule_key, version) DO NOTHING")
        .bind(CHECK_RULE_KEY)
        .bind(CHECK_RULE_PERIOD)
        .bind(now),
    )
    .await?;
    Ok(())
}

/// A name with all but the first character masked (`张*`, `高青县****公司` keeps entities).
pub fn mask_name(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    match chars.len() {
        0 => String::new(),
        1 => "*".to_owned(),
        n => format!("{}{}", chars[0], "*".repeat(n - 1)),
    }
}

/// A portal user's own commitments: (id, item name, state, signed_at), newest first.
pub async fn mine(app: &App, actor: &Actor) -> AppResult<Vec<(i64, String, String, i64)>> {
    if actor.kind != ActorKind::Portal {
        return Err(AppError::forbidden("此页面仅限群众和企业使用"));
    }
    Ok(app
        .db
        .reader()
        .fetch_all(
            q("SELECT c.id, p.name, c.state, c.signed_at FROM commitments c JOIN proof_items p ON p.id = c.proof_item_id \
               WHERE c.person_id = ? ORDER BY c.id DESC LIMIT 200")
            .bind(actor.id.unwrap_or(-1)),
        )
        .await?)
}
